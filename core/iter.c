/* iter.c: setup of the strided multi-operand iterator (see iter.h). */
#include "iter.h"

/* Setup walks the axes from the innermost out.  The strides of each axis
 * are written straight into slot n of it->step; when every operand can step
 * through it as a continuation of the block in slot n-1 (one step of it
 * equals that block's length in steps of the block), the block just grows
 * and slot n is reused for the next axis.  Nothing is copied, which matters
 * at this size: a copy of freshly written strides stalls on store
 * forwarding and costs more than the rest of the setup. */

/* Slot n holds a new axis of length len: merges it into slot n-1 or keeps
 * it as a slot of its own. */
static inline void place_axis(adl_iter *it, int *n, int64_t len) {
    int k, nop = it->nop;
    if (*n > 0) {
        const int64_t *blk = it->step[*n - 1], *cur = it->step[*n];
        int64_t blen = it->shape[*n - 1];
        for (k = 0; k < nop; k++)
            if (cur[k] != blk[k] * blen)
                break;
        if (k == nop) {
            it->shape[*n - 1] = blen * len;
            return;
        }
    }
    it->shape[*n] = len;
    it->index[*n] = 0;
    (*n)++;
}

/* After the last axis: a shape without any axis longer than 1 is a single
 * element, an inner run of 1. */
static inline void finish(adl_iter *it, int n) {
    if (n == 0) {
        it->shape[0] = 1;
        for (int k = 0; k < ADL_ITER_MAX_OPS; k++)
            it->step[0][k] = 0;
        n = 1;
    }
    it->ndim = n;
    for (int k = 0; k < ADL_ITER_MAX_OPS; k++)
        it->off[k] = 0;
}

int64_t adl_iter_init(adl_iter *it, int ndim, const int64_t *shape, int nop,
                      const int64_t *const *strides) {
    int64_t size = 1;
    int n = 0;
    it->nop = nop;
    for (int d = ndim - 1; d >= 0; d--) {
        int64_t len = shape[d];
        if (len == 0)
            return 0;
        if (len == 1)
            continue; /* its stride never matters */
        size *= len;
        for (int k = 0; k < nop; k++)
            it->step[n][k] = strides[k][d];
        place_axis(it, &n, len);
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
    int64_t size = 1;
    int n = 0;
    it->nop = nop;
    for (int d = ndim - 1; d >= 0; d--) {
        int64_t len = shape[d];
        if (len == 0)
            return 0;
        if (len == 1)
            continue;
        size *= len;
        for (int k = 0; k < nop; k++) {
            const adl_array *a = ops[k];
            int j = d - (ndim - a->ndim);
            it->step[n][k] = (j < 0 || a->shape[j] == 1) ? 0 : a->strides[j];
        }
        place_axis(it, &n, len);
    }
    finish(it, n);
    return size;
}

adl_status adl_kernel_bad_operand(adl_ctx *ctx, const char *op, const adl_array *a) {
    if (a->level != 0 || !a->buf)
        return adl_error(ctx, ADL_ERR_INTERNAL,
                         "%s: a traced value reached a plain kernel (a bug in adlua)", op);
    return adl_error(ctx, ADL_ERR_TYPE, "%s: unknown dtype %d", op, (int)a->dtype);
}
