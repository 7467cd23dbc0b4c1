/* iter.c: setup of the strided multi-operand iterator (see iter.h). */
#include "iter.h"

/* Appends an axis of length len > 1 whose per-operand strides are st,
 * merging it into the previous axis when every operand allows. */
static inline void add_axis(adl_iter *it, int *n, int64_t len, const int64_t *st) {
    int nop = it->nop, k;
    if (*n > 0) {
        /* axis n-1 and this one are a single axis when, for every operand,
         * one step of the outer equals len steps of the inner */
        int64_t *prev = it->step[*n - 1];
        for (k = 0; k < nop; k++)
            if (prev[k] != st[k] * len)
                break;
        if (k == nop) {
            it->shape[*n - 1] *= len;
            /* all ADL_ITER_MAX_OPS slots: a fixed-size copy compiles to a
             * couple of moves, where a loop to nop became a memcpy call */
            for (k = 0; k < ADL_ITER_MAX_OPS; k++)
                prev[k] = st[k];
            return;
        }
    }
    it->shape[*n] = len;
    it->index[*n] = 0;
    for (k = 0; k < ADL_ITER_MAX_OPS; k++)
        it->step[*n][k] = st[k];
    (*n)++;
}

/* Splits off the innermost axis as the inner run. */
static inline void finish(adl_iter *it, int n) {
    if (n == 0) {
        /* a single element (0-d or all axes of length 1) */
        it->inner = 1;
        for (int k = 0; k < ADL_ITER_MAX_OPS; k++)
            it->stride[k] = 0;
    } else {
        n--;
        it->inner = it->shape[n];
        for (int k = 0; k < ADL_ITER_MAX_OPS; k++)
            it->stride[k] = it->step[n][k];
    }
    it->ndim = n;
    for (int k = 0; k < ADL_ITER_MAX_OPS; k++)
        it->off[k] = 0;
}

int64_t adl_iter_init(adl_iter *it, int ndim, const int64_t *shape, int nop,
                      const int64_t *const *strides) {
    int64_t size = 1, st[ADL_ITER_MAX_OPS] = {0};
    int n = 0;
    it->nop = nop;
    for (int d = 0; d < ndim; d++) {
        int64_t len = shape[d];
        if (len == 0)
            return 0;
        if (len == 1)
            continue; /* its stride never matters */
        size *= len;
        for (int k = 0; k < nop; k++)
            st[k] = strides[k][d];
        add_axis(it, &n, len, st);
    }
    finish(it, n);
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
    /* adl_iter_init with each operand's strides worked out axis by axis:
     * no intermediate stride arrays for the tiny shapes that dominate */
    int64_t size = 1, st[ADL_ITER_MAX_OPS] = {0};
    int n = 0;
    it->nop = nop;
    for (int d = 0; d < ndim; d++) {
        int64_t len = shape[d];
        if (len == 0)
            return 0;
        if (len == 1)
            continue;
        size *= len;
        for (int k = 0; k < nop; k++) {
            int j = d - (ndim - ops[k]->ndim);
            st[k] = (j < 0 || ops[k]->shape[j] == 1) ? 0 : ops[k]->strides[j];
        }
        add_axis(it, &n, len, st);
    }
    finish(it, n);
    return size;
}

adl_status adl_kernel_bad_operand(adl_ctx *ctx, const char *op, const adl_array *a) {
    if (a->level != 0 || !a->buf)
        return adl_error(ctx, ADL_ERR_INTERNAL,
                         "%s: a traced value reached a plain kernel (a bug in adlua)", op);
    return adl_error(ctx, ADL_ERR_TYPE, "%s: dtype %s is not supported yet", op,
                     adl_dtype_name(a->dtype));
}
