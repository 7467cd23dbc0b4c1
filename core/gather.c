/* gather.c: index arrays.  take(x, idx, axis) gathers whole slices of x
 * along one axis; take_add scatters them back, adding at repeated indices.
 * Each is the other's derivative, so gathers differentiate to any order
 * without a dense zero array per selected element. */
#include "gather.h"

#include <math.h>
#include <string.h>

/* The first element of a plain array of any dtype. */
static void *bytes_of(const adl_array *a) {
    return (char *)a->buf->data + (size_t)a->offset * adl_dtype_size(a->dtype);
}

/* The three extents of x around `axis`: outer * n * inner elements. */
static void split_extents(int ndim, const int64_t *shape, int axis, int64_t *outer,
                          int64_t *inner) {
    *outer = *inner = 1;
    for (int i = 0; i < axis; i++)
        *outer *= shape[i];
    for (int i = axis + 1; i < ndim; i++)
        *inner *= shape[i];
}

/* A contiguous array with a's values: a itself (retained) or a copy. */
static adl_status contiguous(adl_ctx *ctx, const adl_array *a, adl_array **out) {
    if (adl_array_is_contiguous(a)) {
        adl_array_retain((adl_array *)a);
        *out = (adl_array *)a;
        return ADL_OK;
    }
    return adl_k_copy(ctx, a, out);
}

/* Result shape: x's shape with axis replaced by idx's shape. */
static adl_status take_shape(adl_ctx *ctx, const char *op, int xnd, const int64_t *xs, int axis,
                             int ind, const int64_t *is, int *nd, int64_t *shape) {
    if (xnd - 1 + ind > ADL_MAX_DIMS)
        return adl_error(ctx, ADL_ERR_VALUE, "%s: the result would have more than %d axes", op,
                         ADL_MAX_DIMS);
    int k = 0;
    for (int i = 0; i < axis; i++)
        shape[k++] = xs[i];
    for (int i = 0; i < ind; i++)
        shape[k++] = is[i];
    for (int i = axis + 1; i < xnd; i++)
        shape[k++] = xs[i];
    *nd = k;
    return ADL_OK;
}

adl_status adl_k_take(adl_ctx *ctx, const adl_array *x, const adl_array *pos, int axis,
                      adl_array **out) {
    int nd;
    int64_t shape[ADL_MAX_DIMS], outer, inner;
    adl_status st =
        take_shape(ctx, "take", x->ndim, x->shape, axis, pos->ndim, pos->shape, &nd, shape);
    if (st)
        return st;
    adl_array *xc, *pc, *r;
    if ((st = contiguous(ctx, x, &xc)))
        return st;
    if ((st = contiguous(ctx, pos, &pc))) {
        adl_array_release(xc);
        return st;
    }
    r = adl_array_alloc(ctx, "take", x->dtype, nd, shape);
    if (r) {
        split_extents(x->ndim, x->shape, axis, &outer, &inner);
        int64_t n = x->shape[axis], m = pos->size;
        /* whole slices are copied as bytes: any dtype */
        size_t row = adl_dtype_size(x->dtype) * (size_t)inner;
        const char *src = bytes_of(xc);
        const double *p = adl_f64(pc);
        char *dst = bytes_of(r);
        for (int64_t o = 0; o < outer; o++)
            for (int64_t j = 0; j < m; j++)
                memcpy(dst + (size_t)(o * m + j) * row, src + (size_t)(o * n + (int64_t)p[j]) * row,
                       row);
        *out = r;
    }
    adl_array_release(xc);
    adl_array_release(pc);
    return r ? ADL_OK : ctx->status;
}

adl_status adl_k_take_add(adl_ctx *ctx, const adl_array *g, const adl_array *pos, int axis,
                          int ndim, const int64_t *shape, adl_array **out) {
    adl_array *gc, *pc, *r;
    adl_status st;
    if ((st = contiguous(ctx, g, &gc)))
        return st;
    if ((st = contiguous(ctx, pos, &pc))) {
        adl_array_release(gc);
        return st;
    }
    r = adl_array_zeros(ctx, "take", g->dtype, ndim, shape);
    if (r) {
        int64_t outer, inner, n = shape[axis], m = pos->size;
        split_extents(ndim, shape, axis, &outer, &inner);
        const double *p = adl_f64(pc);
        for (int64_t o = 0; o < outer; o++)
            for (int64_t j = 0; j < m; j++) {
                int64_t to = (o * n + (int64_t)p[j]) * inner, from = (o * m + j) * inner;
                if (g->dtype == ADL_FLOAT32) {
                    float *d = (float *)bytes_of(r) + to;
                    const float *s = (const float *)bytes_of(gc) + from;
                    for (int64_t i = 0; i < inner; i++)
                        d[i] += s[i];
                } else {
                    double *d = adl_f64(r) + to;
                    const double *s = adl_f64(gc) + from;
                    for (int64_t i = 0; i < inner; i++)
                        d[i] += s[i];
                }
            }
        *out = r;
    }
    adl_array_release(gc);
    adl_array_release(pc);
    return r ? ADL_OK : ctx->status;
}

adl_status adl_k_put(adl_ctx *ctx, adl_array *x, const adl_array *pos, const adl_array *vals) {
    if (pos->size != vals->size)
        return adl_error(ctx, ADL_ERR_VALUE, "setitem: %lld positions and %lld values",
                         (long long)pos->size, (long long)vals->size);
    adl_array *pc, *vc;
    adl_status st = contiguous(ctx, pos, &pc);
    if (st)
        return st;
    if ((st = contiguous(ctx, vals, &vc))) {
        adl_array_release(pc);
        return st;
    }
    const double *p = adl_f64(pc);
    const void *v = bytes_of(vc);
    void *data = x->buf->data;
    for (int64_t j = 0; j < pc->size; j++) {
        /* the flat position in C order over x's shape, to x's strides */
        int64_t rest = (int64_t)p[j], at = x->offset;
        for (int d = x->ndim - 1; d >= 0; d--) {
            at += rest % x->shape[d] * x->strides[d];
            rest /= x->shape[d];
        }
        double value =
            vc->dtype == ADL_FLOAT32 ? (double)((const float *)v)[j] : ((const double *)v)[j];
        if (x->dtype == ADL_FLOAT32)
            ((float *)data)[at] = (float)value;
        else
            ((double *)data)[at] = value;
    }
    adl_array_release(pc);
    adl_array_release(vc);
    return ADL_OK;
}

adl_status adl_positions(adl_ctx *ctx, const char *op, const adl_array *idx, int axis, int64_t size,
                         adl_array **out) {
    const adl_array *v = adl_value_read(ctx, idx);
    adl_array *c, *r;
    adl_status st = contiguous(ctx, v, &c);
    if (st)
        return st;
    r = adl_array_alloc(ctx, op, ADL_FLOAT64, v->ndim, v->shape);
    if (!r) {
        adl_array_release(c);
        return ctx->status;
    }
    double *d = adl_f64(r);
    for (int64_t j = 0; j < v->size; j++) {
        double i =
            c->dtype == ADL_FLOAT32 ? (double)((const float *)bytes_of(c))[j] : adl_f64(c)[j];
        if (!(i == floor(i)) || fabs(i) > 9e15) {
            st = adl_error(ctx, ADL_ERR_INDEX,
                           "%s: index arrays hold whole numbers, got %.17g at position %lld", op, i,
                           (long long)j + 1);
            break;
        }
        if (i == 0 || i > (double)size || i < -(double)size) {
            st = adl_error(ctx, ADL_ERR_INDEX,
                           "%s: index %lld is out of bounds for axis %d with size %lld (indices "
                           "are 1-based)",
                           op, (long long)i, axis + 1, (long long)size);
            break;
        }
        d[j] = i > 0 ? i - 1 : (double)size + i;
    }
    adl_array_release(c);
    if (st) {
        adl_array_release(r);
        return st;
    }
    *out = r;
    return ADL_OK;
}

adl_status adl_take(adl_ctx *ctx, adl_array *x, adl_array *pos, int axis, adl_array **out) {
    adl_params p;
    memset(&p, 0, sizeof p);
    p.naxes = 1;
    p.axes[0] = axis;
    adl_array *in[2] = {x, pos};
    return adl_apply(ctx, ADL_OP_TAKE, 2, in, &p, out);
}

adl_status adl_take_add(adl_ctx *ctx, adl_array *g, adl_array *pos, int axis, int ndim,
                        const int64_t *shape, adl_array **out) {
    adl_params p;
    memset(&p, 0, sizeof p);
    p.naxes = 1;
    p.axes[0] = axis;
    p.ndim = ndim;
    memcpy(p.shape, shape, sizeof(int64_t) * (size_t)ndim);
    int nd;
    int64_t gshape[ADL_MAX_DIMS];
    adl_status st =
        take_shape(ctx, "take_add", ndim, shape, axis, pos->ndim, pos->shape, &nd, gshape);
    if (st)
        return st;
    if (!adl_shape_equal(g->ndim, g->shape, nd, gshape)) {
        char s1[256], s2[256];
        adl_shape_str(g->ndim, g->shape, s1, sizeof s1);
        adl_shape_str(nd, gshape, s2, sizeof s2);
        return adl_error(ctx, ADL_ERR_VALUE,
                         "index_add: values of shape %s do not match the %s selected", s1, s2);
    }
    adl_array *in[2] = {g, pos};
    return adl_apply(ctx, ADL_OP_TAKE_ADD, 2, in, &p, out);
}
