/* debug_nans.c: finding the first operation that produces NaN or Inf.
 *
 * Only runs when ctx->debug_nans is on (ad.debug_nans(true)): every
 * primitive's result, forward and backward, is scanned.  An operation is
 * blamed only when its operands were finite, so the error names the
 * operation that made the first NaN, not one that passed it on. */
#include "trace.h"

#include <math.h>
#include <stdio.h>

static int all_finite(adl_ctx *ctx, const adl_array *a, int *finite) {
    a = adl_array_value(a);
    if (a->dtype != ADL_FLOAT64) {
        *finite = 1;
        return ADL_OK;
    }
    adl_array *c = NULL;
    if (!adl_array_is_contiguous(a)) {
        adl_status st = adl_k_copy(ctx, a, &c);
        if (st)
            return st;
        a = c;
    }
    *finite = 1;
    if (a->dtype == ADL_FLOAT32) {
        const float *f = (const float *)a->buf->data + a->offset;
        for (int64_t i = 0; i < a->size; i++)
            if (!isfinite(f[i])) {
                *finite = 0;
                break;
            }
    } else {
        const double *d = adl_f64(a);
        for (int64_t i = 0; i < a->size; i++)
            if (!isfinite(d[i])) {
                *finite = 0;
                break;
            }
    }
    adl_array_release(c);
    return ADL_OK;
}

adl_status adl_nan_check(adl_ctx *ctx, const char *op, int backward, int nin, adl_array *const *in,
                         const adl_array *out, const char *where) {
    int finite;
    adl_status st = all_finite(ctx, out, &finite);
    if (st || finite)
        return st;
    for (int i = 0; i < nin; i++) {
        if (!in[i])
            continue;
        if ((st = all_finite(ctx, in[i], &finite)))
            return st;
        if (!finite)
            return ADL_OK; /* passed on, not produced here */
    }
    char here[256] = "";
    if (!where && ctx->where) {
        ctx->where(ctx->host, here, sizeof here);
        where = here;
    }
    return adl_error(ctx, ADL_ERR_VALUE, "%s: %s NaN or Inf from finite values (debug_nans)%s%s",
                     op, backward ? "its derivative produced" : "produced",
                     where && *where ? ", called at " : "", where ? where : "");
}
