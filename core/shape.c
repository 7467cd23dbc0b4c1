/* shape.c: shapes as text, broadcasting and axis normalisation. */
#include "adl_core.h"

#include <stdio.h>
#include <string.h>

void adl_shape_str(int ndim, const int64_t *shape, char *buf, size_t n) {
    size_t used = 0;
    if (n == 0)
        return;
    used += (size_t)snprintf(buf, n, "(");
    for (int i = 0; i < ndim && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, "%s%lld", i ? "," : "", (long long)shape[i]);
    if (used < n)
        snprintf(buf + used, n - used, ndim == 1 ? ",)" : ")");
}

int adl_shape_equal(int na, const int64_t *a, int nb, const int64_t *b) {
    if (na != nb)
        return 0;
    for (int i = 0; i < na; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

int64_t adl_shape_size(int ndim, const int64_t *shape) {
    int64_t n = 1;
    for (int i = 0; i < ndim; i++)
        n *= shape[i];
    return n;
}

adl_status adl_broadcast_shapes(adl_ctx *ctx, const char *op, int na, const int64_t *sa, int nb,
                                const int64_t *sb, int *nout, int64_t *out) {
    int n = na > nb ? na : nb;
    int64_t tmp[ADL_MAX_DIMS] = {0};
    for (int i = 0; i < n; i++) {
        int ia = na - n + i, ib = nb - n + i;
        int64_t da = ia >= 0 ? sa[ia] : 1, db = ib >= 0 ? sb[ib] : 1;
        if (da == db || db == 1)
            tmp[i] = da;
        else if (da == 1)
            tmp[i] = db;
        else {
            char s1[256], s2[256];
            adl_shape_str(na, sa, s1, sizeof s1);
            adl_shape_str(nb, sb, s2, sizeof s2);
            return adl_error(ctx, ADL_ERR_VALUE,
                             "%s: operands could not be broadcast together with shapes %s %s", op,
                             s1, s2);
        }
    }
    memcpy(out, tmp, sizeof(int64_t) * (size_t)n);
    *nout = n;
    return ADL_OK;
}

adl_status adl_normalize_axis(adl_ctx *ctx, const char *op, int64_t axis1, int ndim, int *axis0) {
    int64_t a = axis1 > 0 ? axis1 - 1 : axis1 < 0 ? ndim + axis1 : -1;
    if (axis1 == 0 || a < 0 || a >= ndim)
        return adl_error(ctx, ADL_ERR_VALUE,
                         "%s: axis %lld is out of bounds for array of dimension %d (axes are "
                         "1-based; -1 is the last)",
                         op, (long long)axis1, ndim);
    *axis0 = (int)a;
    return ADL_OK;
}
