/* fuzz_kernels.c: libFuzzer harness for the core's kernels on views of any
 * geometry (no Lua).
 *
 * The input picks views of one 256-number buffer, float64 or its float32
 * copy: 0 to 5 axes of 0 to 4 elements, strides from -9 to 9 (0
 * broadcasts, negative runs backwards), any offset that keeps the view
 * inside the buffer; then a kernel (unary,
 * binary, where, reduce over chosen axes, dot, copy, assign, add_into,
 * concatenate, format) with axes and shapes that may not fit.  Each kernel
 * is also run on contiguous copies of its operands: the two results must
 * agree (bit for bit but for sums, whose order may follow the layout): a
 * stride bug would be a silently wrong answer.
 * Errors are fine; crashes, sanitizer reports, disagreement and a live
 * array count off its baseline are findings (abort). */
#define _POSIX_C_SOURCE 200809L /* the POSIX names the core headers use */
#include "adl_core.h"
#include "alloc.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NBUF 256

typedef struct {
    const uint8_t *p;
    size_t n, i;
} reader;

static unsigned byte(reader *r) {
    return r->i < r->n ? r->p[r->i++] : 0;
}

static void fail(const char *what) {
    fprintf(stderr, "fuzz_kernels: %s\n", what);
    abort();
}

/* A view of one of the bases (float64, float32) inside its buffer, or NULL
 * when the bytes do not fit. */
static adl_array *make_view(adl_ctx *ctx, adl_array *const *bases, reader *r) {
    unsigned first = byte(r);
    int nd = (int)(first % 6);
    adl_array *base = bases[(first / 6) & 1];
    int64_t shape[8], strides[8], lo = 0, hi = 0;
    for (int i = 0; i < nd; i++) {
        shape[i] = byte(r) % 5;
        strides[i] = (int64_t)(byte(r) % 19) - 9;
    }
    int empty = 0;
    for (int i = 0; i < nd; i++) {
        if (shape[i] == 0)
            empty = 1;
        int64_t reach = (shape[i] - 1) * strides[i];
        if (shape[i] > 0) {
            if (reach < 0)
                lo += reach;
            else
                hi += reach;
        }
    }
    int64_t slack = NBUF - 1 - (hi - lo);
    if (!empty && slack < 0)
        return NULL;
    int64_t offset = -lo + (slack > 0 ? (int64_t)byte(r) % (slack + 1) : 0);
    if (empty)
        offset = byte(r) % NBUF;
    return adl_array_view(ctx, base, nd, shape, strides, offset);
}

static int same_bits(double a, double b) {
    return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}

/* The largest finite magnitude in this input's buffer, and the most terms
 * a sum can have (a view of 5 axes of 4, strides 0 included): a sum's
 * rounding error depends on its order only up to tol times the sum of its
 * terms' magnitudes, at most MAX_TERMS * largest. */
#define MAX_TERMS 1024.0
static double largest;

/* exact: bit for bit; otherwise (sums in BLAS and reductions, whose order
 * may follow the memory layout) within tol of the values or of what the
 * terms could contribute.  Where the terms can overflow (two of 1e308 do),
 * one order may give inf, another -inf, NaN or a finite number. */
static int close_enough(double a, double b, int exact, double tol) {
    if (same_bits(a, b))
        return 1;
    if (exact)
        return 0;
    if (!isfinite(a) || !isfinite(b))
        return largest * MAX_TERMS >= DBL_MAX;
    return fabs(a - b) <= tol * (fabs(a) + fabs(b) + MAX_TERMS * largest);
}

static void check_same(const adl_array *x, const adl_array *y, int exact) {
    if (!adl_shape_equal(x->ndim, x->shape, y->ndim, y->shape))
        fail("view and copy give different shapes");
    if (x->dtype != y->dtype)
        fail("view and copy give different dtypes");
    /* a float32 sum is rounded to float32 once, after adding in an order
     * that may follow the layout */
    double tol = x->dtype == ADL_FLOAT32 ? 1e-6 : 1e-12;
    int64_t idx[ADL_MAX_DIMS] = {0};
    for (int64_t k = 0; k < x->size; k++) {
        if (!close_enough(adl_array_get(x, idx), adl_array_get(y, idx), exact, tol))
            fail("view and copy give different numbers");
        for (int d = x->ndim - 1; d >= 0 && ++idx[d] == x->shape[d]; d--)
            idx[d] = 0;
    }
}

/* One kernel call, decoded from the input before it runs, so that it can
 * run again on the operands' contiguous copies. */
typedef struct {
    unsigned kernel, sub, keepdims, n, axis;
    int naxes, axes[ADL_MAX_DIMS];
    adl_printopts print;
} call;

static void decode(adl_ctx *ctx, reader *r, const adl_array *a, call *c) {
    memset(c, 0, sizeof *c);
    c->kernel = byte(r) % 10;
    c->sub = byte(r);
    c->keepdims = byte(r) & 1;
    c->n = 1 + byte(r) % 3;
    c->axis = byte(r) % 4;
    /* 1-based axes, maybe out of range or repeated: normalised and
     * deduplicated as the binding does */
    int n = (int)(byte(r) % 4), seen[ADL_MAX_DIMS] = {0};
    for (int i = 0; i < n; i++) {
        int ax;
        if (adl_normalize_axis(ctx, "sum", (int64_t)(int8_t)byte(r), a->ndim, &ax) != ADL_OK)
            continue;
        if (!seen[ax]++)
            c->axes[c->naxes++] = ax;
    }
    adl_printopts_default(&c->print);
    c->print.threshold = byte(r) % 40;
    c->print.edgeitems = 1 + (int)(byte(r) % 3);
    c->print.linewidth = 1 + (int)(byte(r) % 80);
    c->print.precision = (int)(byte(r) % 18);
}

/* Runs the call; *out is the result array (NULL on error or none). */
static adl_status apply(adl_ctx *ctx, const call *c, adl_array *a, adl_array *b, adl_array *d,
                        adl_array **out) {
    *out = NULL;
    switch (c->kernel) {
    case 0:
        return adl_k_unary(ctx, (adl_unary_op)(c->sub % ADL_U_COUNT), a, out);
    case 1:
        return adl_k_binary(ctx, (adl_binary_op)(c->sub % ADL_B_COUNT), a, b, out);
    case 2:
        return adl_k_where(ctx, a, b, d, out);
    case 3:
        return adl_k_reduce(ctx, (adl_reduce_op)(c->sub % ADL_R_COUNT), a, c->naxes, c->axes,
                            (int)c->keepdims, out);
    case 4:
        return adl_k_dot(ctx, a, b, out);
    case 5:
        return adl_k_copy(ctx, a, out);
    case 6: {
        const adl_array *list[3] = {a, b, d};
        return adl_k_concatenate(ctx, (int)c->n, list, (int)c->axis, out);
    }
    case 7: {
        char *text = NULL;
        adl_status st = adl_array_format(ctx, a, &c->print, &text);
        if (st == ADL_OK && !text)
            fail("format succeeded without text");
        adl_free(text);
        return st;
    }
    case 8: /* dst (a view of the buffer, maybe overlapping src) = src */
        return adl_k_assign(ctx, "setitem", a, b);
    default:
        if (!adl_shape_equal(a->ndim, a->shape, b->ndim, b->shape))
            return ADL_OK;
        return adl_k_add_into(ctx, a, b);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    reader r = {data, size, 0};
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    int64_t live0 = adl_live_arrays(), bytes0 = adl_live_bytes();
    int64_t n = NBUF;
    adl_array *bases[2] = {adl_array_alloc(&ctx, "fuzz", ADL_FLOAT64, 1, &n), NULL};
    adl_array *base = bases[0];
    if (!base)
        fail("cannot allocate the base buffer");
    static const double specials[] = {0.0,   -0.0,   1.0,    -1.0,     0.5,       2.0,
                                      1e308, -1e308, 1e-310, INFINITY, -INFINITY, NAN};
    for (int i = 0; i < NBUF; i++) {
        unsigned v = byte(&r);
        adl_f64(base)[i] = v < 200 ? (double)v / 8 - 12 : specials[v % 12];
    }
    largest = 0;
    for (int i = 0; i < NBUF; i++)
        if (isfinite(adl_f64(base)[i]) && fabs(adl_f64(base)[i]) > largest)
            largest = fabs(adl_f64(base)[i]);
    if (adl_k_astype(&ctx, base, ADL_FLOAT32, &bases[1]) != ADL_OK)
        fail("cannot make the float32 base buffer");
    while (r.i < r.n) {
        adl_array *v[3] = {NULL, NULL, NULL};
        for (int k = 0; k < 3; k++)
            v[k] = make_view(&ctx, bases, &r);
        if (!v[0] || !v[1] || !v[2]) {
            for (int k = 0; k < 3; k++)
                adl_array_release(v[k]);
            continue;
        }
        call c;
        decode(&ctx, &r, v[0], &c);
        /* the same call on contiguous copies, first (an assignment changes
         * the buffer): results must agree bit for bit */
        adl_array *cp[3] = {NULL, NULL, NULL}, *ref = NULL, *out = NULL;
        for (int k = 0; k < 3; k++)
            if (adl_k_copy(&ctx, v[k], &cp[k]) != ADL_OK)
                fail("copy of a view failed");
        int writes = c.kernel >= 8;
        adl_status st_ref = writes ? ADL_OK : apply(&ctx, &c, cp[0], cp[1], cp[2], &ref);
        adl_status st = apply(&ctx, &c, v[0], v[1], v[2], &out);
        if (!writes && (st == ADL_OK) != (st_ref == ADL_OK))
            fail("a kernel fails on a view but not on its copy, or the reverse");
        if (st == ADL_OK && out && ref)
            check_same(out, ref, c.kernel != 3 && c.kernel != 4);
        adl_array_release(out);
        adl_array_release(ref);
        for (int k = 0; k < 3; k++) {
            adl_array_release(cp[k]);
            adl_array_release(v[k]);
        }
    }
    adl_array_release(bases[0]);
    adl_array_release(bases[1]);
    if (adl_live_arrays() != live0 || adl_live_bytes() != bytes0)
        fail("arrays left alive");
    return 0;
}
