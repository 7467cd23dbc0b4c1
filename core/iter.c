/* iter.c: setup of the strided multi-operand iterator (see iter.h). */
#include "iter.h"

#include <string.h>

int64_t adl_iter_init(adl_iter *it, int ndim, const int64_t *shape, int nop,
                      const int64_t *const *strides) {
    int64_t size = 1;
    int n = 0; /* axes kept so far in it->shape / it->step */
    it->nop = nop;
    for (int d = 0; d < ndim; d++) {
        int64_t len = shape[d];
        if (len == 0)
            return 0;
        if (len == 1)
            continue; /* its stride never matters */
        size *= len;
        if (n > 0) {
            /* Axis n-1 and this one form a single axis when, for every
             * operand, one step of the outer equals len steps of the inner. */
            int merge = 1;
            for (int k = 0; k < nop; k++)
                if (it->step[n - 1][k] != strides[k][d] * len) {
                    merge = 0;
                    break;
                }
            if (merge) {
                it->shape[n - 1] *= len;
                for (int k = 0; k < nop; k++)
                    it->step[n - 1][k] = strides[k][d];
                continue;
            }
        }
        it->shape[n] = len;
        for (int k = 0; k < nop; k++)
            it->step[n][k] = strides[k][d];
        n++;
    }
    if (n == 0) {
        /* a single element (0-d or all axes of length 1) */
        it->inner = 1;
        for (int k = 0; k < nop; k++)
            it->stride[k] = 0;
    } else {
        n--;
        it->inner = it->shape[n];
        for (int k = 0; k < nop; k++)
            it->stride[k] = it->step[n][k];
    }
    it->ndim = n;
    for (int k = 0; k < nop; k++)
        it->off[k] = 0;
    if (n > 0)
        memset(it->index, 0, sizeof(int64_t) * (size_t)n);
    return size;
}

void adl_iter_broadcast_strides(const adl_array *a, int ndim, int64_t *strides) {
    int lead = ndim - a->ndim;
    for (int d = 0; d < ndim; d++) {
        int j = d - lead;
        strides[d] = (j < 0 || a->shape[j] == 1) ? 0 : a->strides[j];
    }
}

int64_t adl_iter_init_arrays(adl_iter *it, int ndim, const int64_t *shape, int nop,
                             const adl_array *const *ops) {
    int64_t st[ADL_ITER_MAX_OPS][ADL_MAX_DIMS];
    const int64_t *sp[ADL_ITER_MAX_OPS];
    for (int k = 0; k < nop; k++) {
        adl_iter_broadcast_strides(ops[k], ndim, st[k]);
        sp[k] = st[k];
    }
    return adl_iter_init(it, ndim, shape, nop, sp);
}

adl_status adl_kernel_bad_operand(adl_ctx *ctx, const char *op, const adl_array *a) {
    if (a->level != 0 || !a->buf)
        return adl_error(ctx, ADL_ERR_INTERNAL,
                         "%s: a traced value reached a plain kernel (a bug in adlua)", op);
    return adl_error(ctx, ADL_ERR_TYPE, "%s: dtype %s is not supported yet", op,
                     adl_dtype_name(a->dtype));
}
