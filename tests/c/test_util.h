/* test_util.h: helpers for the core tests: arrays from values, the same
 * values under other memory layouts, multi-index loops, leak checks. */
#ifndef ADLUA_TEST_UTIL_H
#define ADLUA_TEST_UTIL_H

#include "adl_core.h"
#include "harness.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* Every test starts with LIVE_BEGIN and ends with LIVE_END: the arrays and
 * buffers it made are all released. */
#define LIVE_BEGIN \
    const int64_t live_arrays0_ = adl_live_arrays(), live_buffers0_ = adl_live_buffers()
#define LIVE_END                                          \
    do {                                                  \
        CHECK_EQ_INT(adl_live_arrays(), live_arrays0_);   \
        CHECK_EQ_INT(adl_live_buffers(), live_buffers0_); \
    } while (0)

/* xorshift64: repeatable pseudo-random test inputs (*state nonzero). */
static inline uint64_t t_xorshift(uint64_t *state) {
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

/* A contiguous float64 array with the given values (NULL: 0, 1, 2, ...). */
static inline adl_array *t_array(adl_ctx *ctx, int ndim, const int64_t *shape, const double *vals) {
    adl_array *a = adl_array_alloc(ctx, "test", ADL_FLOAT64, ndim, shape);
    if (!a)
        return NULL;
    for (int64_t i = 0; i < a->size; i++)
        adl_f64(a)[i] = vals ? vals[i] : (double)i;
    return a;
}

static inline adl_array *t_vec(adl_ctx *ctx, int64_t n, const double *vals) {
    return t_array(ctx, 1, &n, vals);
}

/* Deterministic pseudo-random numbers in [-1, 1). */
static inline double t_rand(uint64_t *state) {
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*state >> 11) / (double)(1ULL << 52) - 1.0;
}

static inline adl_array *t_random(adl_ctx *ctx, int ndim, const int64_t *shape, uint64_t *state) {
    adl_array *a = adl_array_alloc(ctx, "test", ADL_FLOAT64, ndim, shape);
    if (a)
        for (int64_t i = 0; i < a->size; i++)
            adl_f64(a)[i] = t_rand(state);
    return a;
}

/* Odometer over a shape in C order; returns 0 after the last index.  Start
 * from all zeros and only when the shape has no zero length. */
static inline int t_next(int ndim, const int64_t *shape, int64_t *idx) {
    for (int d = ndim - 1; d >= 0; d--) {
        if (++idx[d] < shape[d])
            return 1;
        idx[d] = 0;
    }
    return 0;
}

/* a's element at an index of a shape a broadcasts to. */
static inline double t_bget(const adl_array *a, int ndim, const int64_t *idx) {
    int64_t j[ADL_MAX_DIMS];
    for (int d = 0; d < a->ndim; d++) {
        int64_t i = idx[d + ndim - a->ndim];
        j[d] = a->shape[d] == 1 ? 0 : i;
    }
    return adl_array_get(a, j);
}

/* Memory layouts under which the tests repeat every computation. */
enum {
    T_CONTIG,     /* C order */
    T_TRANSPOSED, /* Fortran order: the transpose of a C-order array */
    T_STRIDED,    /* every other element along every axis */
    T_REVERSED,   /* negative strides: C order read backwards */
    T_NLAYOUTS
};
static const char *const t_layout_names[T_NLAYOUTS] = {"contiguous", "transposed", "strided",
                                                       "reversed"};

/* Element i of a contiguous plain array's buffer, either dtype. */
static inline void t_set(adl_array *a, int64_t i, double v) {
    if (a->dtype == ADL_FLOAT32)
        ((float *)a->buf->data)[a->offset + i] = (float)v;
    else
        ((double *)a->buf->data)[a->offset + i] = v;
}

/* A view with x's values (any plain x, either dtype) in the given layout,
 * over a buffer whose other elements hold a sentinel. */
static inline adl_array *t_layout(adl_ctx *ctx, const adl_array *x, int layout) {
    int nd = x->ndim;
    int64_t st[ADL_MAX_DIMS], c[ADL_MAX_DIMS], offset = 0, nbase = 1;
    for (int d = nd - 1; d >= 0; d--) {
        c[d] = nbase;
        nbase *= x->shape[d];
    }
    if (layout == T_TRANSPOSED) {
        int64_t s = 1;
        for (int d = 0; d < nd; d++) {
            st[d] = s;
            s *= x->shape[d];
        }
    } else if (layout == T_STRIDED) {
        int64_t s = 2;
        nbase = 1;
        for (int d = nd - 1; d >= 0; d--) {
            st[d] = s;
            s *= 2 * x->shape[d];
            nbase *= 2 * x->shape[d];
        }
    } else {
        for (int d = 0; d < nd; d++) {
            st[d] = layout == T_REVERSED ? -c[d] : c[d];
            if (layout == T_REVERSED && x->shape[d] > 0)
                offset += c[d] * (x->shape[d] - 1);
        }
    }
    adl_array *base = adl_array_alloc(ctx, "test", x->dtype, 1, &nbase);
    if (!base)
        return NULL;
    for (int64_t i = 0; i < nbase; i++)
        t_set(base, i, -777.0);
    if (x->size > 0) {
        int64_t idx[ADL_MAX_DIMS] = {0};
        do {
            int64_t off = offset;
            for (int d = 0; d < nd; d++)
                off += idx[d] * st[d];
            t_set(base, off, adl_array_get(x, idx));
        } while (t_next(nd, x->shape, idx));
    }
    adl_array *v = adl_array_view(ctx, base, nd, x->shape, st, offset);
    adl_array_release(base);
    return v;
}

/* Same shape and the same values (NaNs equal; tol 0: bit-for-bit values). */
static inline int t_same(const adl_array *a, const adl_array *b, double tol) {
    if (!adl_shape_equal(a->ndim, a->shape, b->ndim, b->shape))
        return 0;
    if (a->size == 0)
        return 1;
    int64_t idx[ADL_MAX_DIMS] = {0};
    do {
        double x = adl_array_get(a, idx), y = adl_array_get(b, idx);
        if (!(x == y || (isnan(x) && isnan(y)) || fabs(x - y) <= tol * (1 + fabs(y))))
            return 0;
    } while (t_next(a->ndim, a->shape, idx));
    return 1;
}

static inline int t_shape_is(const adl_array *a, int ndim, const int64_t *shape) {
    return adl_shape_equal(a->ndim, a->shape, ndim, shape);
}

#endif
