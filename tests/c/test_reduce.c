/* test_reduce.c: sum, max and min over any set of axes (reduce.c), on every
 * memory layout, against a plain loop. */
#include "adl_core.h"
#include "harness.h"
#include "test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The reduction of x over the axes flagged in `reduced`, by a plain loop in
 * C order, into want (laid out as the keepdims result, C order). */
static void ref_reduce(adl_reduce_op op, const adl_array *x, const int *reduced, double *want,
                       int64_t nwant) {
    for (int64_t i = 0; i < nwant; i++)
        want[i] = op == ADL_R_SUM ? 0 : op == ADL_R_MAX ? -INFINITY : INFINITY;
    if (x->size == 0)
        return;
    int64_t idx[ADL_MAX_DIMS] = {0};
    do {
        int64_t o = 0;
        for (int d = 0; d < x->ndim; d++)
            o = o * (reduced[d] ? 1 : x->shape[d]) + (reduced[d] ? 0 : idx[d]);
        double v = adl_array_get(x, idx);
        if (op == ADL_R_SUM)
            want[o] += v;
        else if (isnan(want[o]) || isnan(v))
            want[o] = NAN;
        else if (op == ADL_R_MAX ? v > want[o] : v < want[o])
            want[o] = v;
    } while (t_next(x->ndim, x->shape, idx));
}

/* Every subset of x's axes, keepdims or not, every op, every layout. */
static void check_all_reductions(adl_ctx *ctx, const adl_array *x) {
    int nd = x->ndim;
    for (int op = 0; op < ADL_R_COUNT; op++)
        for (int mask = 0; mask < (1 << nd); mask++)
            for (int keep = 0; keep < 2; keep++)
                for (int lay = 0; lay < T_NLAYOUTS; lay++) {
                    int axes[ADL_MAX_DIMS], naxes = 0, reduced[ADL_MAX_DIMS];
                    int64_t kshape[ADL_MAX_DIMS], oshape[ADL_MAX_DIMS];
                    int ond = 0, empty_axis = 0;
                    for (int d = 0; d < nd; d++) {
                        reduced[d] = (mask >> d) & 1;
                        if (reduced[d]) {
                            axes[naxes++] = d;
                            empty_axis |= x->shape[d] == 0;
                        }
                        kshape[d] = reduced[d] ? 1 : x->shape[d];
                        if (!reduced[d] || keep)
                            oshape[ond++] = kshape[d];
                    }
                    adl_array *v = t_layout(ctx, x, lay), *r = NULL;
                    REQUIRE(v != NULL);
                    adl_status st = adl_k_reduce(ctx, (adl_reduce_op)op, v, naxes, axes, keep, &r);
                    if (op != ADL_R_SUM && empty_axis) {
                        CHECK_EQ_INT(st, ADL_ERR_VALUE);
                        CHECK(r == NULL);
                        adl_array_release(v);
                        continue;
                    }
                    REQUIRE(st == ADL_OK);
                    CHECK(t_shape_is(r, ond, oshape));
                    CHECK(adl_array_is_contiguous(r));
                    int64_t n = adl_shape_size(nd, kshape);
                    double *want = malloc(sizeof(double) * (size_t)(n ? n : 1));
                    REQUIRE(want != NULL);
                    ref_reduce((adl_reduce_op)op, x, reduced, want, n);
                    int ok = r->size == n && r->dtype == x->dtype;
                    /* float32 sums: rounded once from a double accumulation */
                    double tol = x->dtype == ADL_FLOAT32 ? 1e-6 : 1e-12;
                    for (int64_t i = 0; ok && i < n; i++) {
                        double got =
                            r->dtype == ADL_FLOAT32 ? ((float *)r->buf->data)[i] : adl_f64(r)[i];
                        ok = got == want[i] || (isnan(got) && isnan(want[i])) ||
                             (op == ADL_R_SUM && fabs(got - want[i]) <= tol * (1 + fabs(want[i])));
                    }
                    if (!ok)
                        printf("  %s mask %d keepdims %d on %s differs\n",
                               adl_reduce_name((adl_reduce_op)op), mask, keep, t_layout_names[lay]);
                    CHECK(ok);
                    free(want);
                    adl_array_release(r);
                    adl_array_release(v);
                }
}

TEST(reduce_every_axis_subset_every_layout) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    uint64_t rng = 1;
    int64_t s234[3] = {2, 3, 4}, s5[1] = {5}, s1x[4] = {3, 1, 2, 5}, s7x[2] = {7, 33};
    adl_array *a = t_random(&ctx, 3, s234, &rng), *b = t_random(&ctx, 1, s5, &rng);
    adl_array *c = t_random(&ctx, 4, s1x, &rng), *d = t_random(&ctx, 2, s7x, &rng);
    REQUIRE(a && b && c && d);
    check_all_reductions(&ctx, a);
    check_all_reductions(&ctx, b);
    check_all_reductions(&ctx, c);
    check_all_reductions(&ctx, d);
    adl_array_release(a);
    adl_array_release(b);
    adl_array_release(c);
    adl_array_release(d);
    LIVE_END;
}

TEST(reduce_float32_every_axis_subset_every_layout) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    uint64_t rng = 3;
    int64_t s234[3] = {2, 3, 4}, s7x[2] = {7, 33}, s0[2] = {0, 3};
    adl_array *x[3] = {t_random(&ctx, 3, s234, &rng), t_random(&ctx, 2, s7x, &rng),
                       adl_array_zeros(&ctx, "test", ADL_FLOAT64, 2, s0)};
    for (int i = 0; i < 3; i++) {
        adl_array *x32 = NULL;
        REQUIRE(x[i] && adl_k_astype(&ctx, x[i], ADL_FLOAT32, &x32) == ADL_OK);
        check_all_reductions(&ctx, x32);
        adl_array_release(x32);
        adl_array_release(x[i]);
    }
    /* a long float32 sum is accumulated in double: 10^6 times 0.1f is
     * within one float32 rounding of the exact sum (a float32 running sum
     * is off by 1%) */
    int64_t big = 1000003;
    int ax = 0;
    adl_array *y = adl_array_alloc(&ctx, "test", ADL_FLOAT32, 1, &big), *r = NULL;
    REQUIRE(y != NULL);
    adl_k_fill(y, 0.1);
    REQUIRE(adl_k_reduce(&ctx, ADL_R_SUM, y, 1, &ax, 0, &r) == ADL_OK);
    CHECK_EQ_INT(r->dtype, ADL_FLOAT32);
    CHECK(((float *)r->buf->data)[0] == (float)(1000003.0 * (double)0.1f));
    adl_array_release(r);
    adl_array_release(y);
    LIVE_END;
}

TEST(reduce_empty_arrays) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    int64_t s03[2] = {0, 3}, s30[2] = {3, 0}, s00[2] = {0, 0};
    adl_array *a = t_array(&ctx, 2, s03, NULL), *b = t_array(&ctx, 2, s30, NULL);
    adl_array *c = t_array(&ctx, 2, s00, NULL);
    REQUIRE(a && b && c);
    check_all_reductions(&ctx, a);
    check_all_reductions(&ctx, b);
    check_all_reductions(&ctx, c);

    adl_array *r = NULL;
    int ax0 = 0, ax1 = 1, both[2] = {0, 1};
    REQUIRE(adl_k_reduce(&ctx, ADL_R_SUM, a, 1, &ax0, 0, &r) == ADL_OK);
    CHECK(t_shape_is(r, 1, (int64_t[]){3}));
    CHECK(adl_f64(r)[0] == 0 && adl_f64(r)[2] == 0);
    adl_array_release(r);
    REQUIRE(adl_k_reduce(&ctx, ADL_R_SUM, c, 2, both, 0, &r) == ADL_OK);
    CHECK(r->ndim == 0 && adl_f64(r)[0] == 0);
    adl_array_release(r);
    r = NULL;
    CHECK_EQ_INT(adl_k_reduce(&ctx, ADL_R_MAX, a, 1, &ax0, 0, &r), ADL_ERR_VALUE);
    CHECK(strcmp(ctx.msg, "max: zero-size array to reduction operation maximum which has no "
                          "identity") == 0);
    CHECK_EQ_INT(adl_k_reduce(&ctx, ADL_R_MIN, b, 2, both, 1, &r), ADL_ERR_VALUE);
    CHECK(strcmp(ctx.msg, "min: zero-size array to reduction operation minimum which has no "
                          "identity") == 0);
    CHECK(r == NULL);
    /* reducing a non-empty axis of an empty array is fine: NumPy gives (0,) */
    REQUIRE(adl_k_reduce(&ctx, ADL_R_MAX, a, 1, &ax1, 0, &r) == ADL_OK);
    CHECK(t_shape_is(r, 1, (int64_t[]){0}));
    adl_array_release(r);
    adl_array_release(a);
    adl_array_release(b);
    adl_array_release(c);
    LIVE_END;
}

TEST(reduce_nan_and_inf) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    double v[8] = {1, NAN, 3, -INFINITY, 2, 5, INFINITY, -1};
    int64_t s24[2] = {2, 4};
    adl_array *x = t_array(&ctx, 2, s24, v), *r = NULL;
    REQUIRE(x != NULL);
    int ax0 = 0, ax1 = 1, both[2] = {0, 1};
    REQUIRE(adl_k_reduce(&ctx, ADL_R_MAX, x, 1, &ax0, 0, &r) == ADL_OK);
    CHECK(adl_f64(r)[0] == 2 && isnan(adl_f64(r)[1]) && adl_f64(r)[2] == INFINITY &&
          adl_f64(r)[3] == -1);
    adl_array_release(r);
    REQUIRE(adl_k_reduce(&ctx, ADL_R_MIN, x, 1, &ax1, 1, &r) == ADL_OK);
    CHECK(t_shape_is(r, 2, (int64_t[]){2, 1}));
    CHECK(isnan(adl_f64(r)[0]) && adl_f64(r)[1] == -1);
    adl_array_release(r);
    REQUIRE(adl_k_reduce(&ctx, ADL_R_SUM, x, 1, &ax1, 0, &r) == ADL_OK);
    CHECK(isnan(adl_f64(r)[0]) && adl_f64(r)[1] == INFINITY);
    adl_array_release(r);
    REQUIRE(adl_k_reduce(&ctx, ADL_R_MAX, x, 2, both, 0, &r) == ADL_OK);
    CHECK(r->ndim == 0 && isnan(adl_f64(r)[0]));
    adl_array_release(r);
    /* a nan at the very end still wins */
    double w[3] = {1, 2, NAN};
    adl_array *y = t_vec(&ctx, 3, w);
    REQUIRE(adl_k_reduce(&ctx, ADL_R_MIN, y, 1, &ax0, 0, &r) == ADL_OK);
    CHECK(isnan(adl_f64(r)[0]));
    adl_array_release(r);
    /* all -inf: the max is -inf, not an initial value */
    double m[2] = {-INFINITY, -INFINITY};
    adl_array *z = t_vec(&ctx, 2, m);
    REQUIRE(adl_k_reduce(&ctx, ADL_R_MAX, z, 1, &ax0, 0, &r) == ADL_OK);
    CHECK(adl_f64(r)[0] == -INFINITY);
    adl_array_release(r);
    adl_array_release(z);
    adl_array_release(y);
    adl_array_release(x);
    LIVE_END;
}

TEST(reduce_zero_d_and_no_axes) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    adl_array *s = adl_array_scalar(&ctx, -2.5), *r = NULL;
    REQUIRE(adl_k_reduce(&ctx, ADL_R_SUM, s, 0, NULL, 0, &r) == ADL_OK);
    CHECK(r->ndim == 0 && adl_f64(r)[0] == -2.5);
    adl_array_release(r);
    REQUIRE(adl_k_reduce(&ctx, ADL_R_MAX, s, 0, NULL, 1, &r) == ADL_OK);
    CHECK(r->ndim == 0 && adl_f64(r)[0] == -2.5);
    adl_array_release(r);
    /* no axes on an n-d array: the values, as a new array */
    int64_t s23[2] = {2, 3};
    adl_array *x = t_array(&ctx, 2, s23, NULL);
    adl_array *xt = t_layout(&ctx, x, T_TRANSPOSED);
    REQUIRE(adl_k_reduce(&ctx, ADL_R_SUM, xt, 0, NULL, 0, &r) == ADL_OK);
    CHECK(t_same(r, x, 0) && adl_array_is_contiguous(r) && r->buf != xt->buf);
    adl_array_release(r);
    adl_array_release(xt);
    adl_array_release(x);
    adl_array_release(s);
    LIVE_END;
}

TEST(reduce_errors) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    int64_t s23[2] = {2, 3};
    adl_array *x = t_array(&ctx, 2, s23, NULL), *r = NULL;
    REQUIRE(x != NULL);
    int dup[2] = {1, 1}, bad = 2, neg = -1;
    CHECK_EQ_INT(adl_k_reduce(&ctx, ADL_R_SUM, x, 2, dup, 0, &r), ADL_ERR_VALUE);
    CHECK(strcmp(ctx.msg, "sum: duplicate value in 'axis'") == 0);
    CHECK_EQ_INT(adl_k_reduce(&ctx, ADL_R_MAX, x, 1, &bad, 0, &r), ADL_ERR_VALUE);
    CHECK(strcmp(ctx.msg, "max: axis 3 is out of bounds for array of dimension 2") == 0);
    CHECK_EQ_INT(adl_k_reduce(&ctx, ADL_R_MIN, x, 1, &neg, 0, &r), ADL_ERR_VALUE);
    CHECK_EQ_INT(adl_k_reduce(&ctx, ADL_R_COUNT, x, 1, &bad, 0, &r), ADL_ERR_INTERNAL);
    CHECK(r == NULL);
    adl_array_release(x);
    LIVE_END;
}

TEST(reduce_sum_is_pairwise) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    /* 1 + 2^-53 * n: a running sum loses every 2^-53 (1 + 2^-53 rounds
     * back to 1), a pairwise one adds them up among themselves first */
    int64_t n = 1 << 16;
    adl_array *x = adl_array_alloc(&ctx, "test", ADL_FLOAT64, 1, &n), *r = NULL;
    REQUIRE(x != NULL);
    adl_f64(x)[0] = 1.0;
    for (int64_t i = 1; i < n; i++)
        adl_f64(x)[i] = 0x1p-53;
    int ax = 0;
    REQUIRE(adl_k_reduce(&ctx, ADL_R_SUM, x, 1, &ax, 0, &r) == ADL_OK);
    double exact = 1.0 + (double)(n - 1) * 0x1p-53;
    CHECK_NEAR(adl_f64(r)[0], exact, 1e-13); /* a running sum is 7e-12 off */
    adl_array_release(r);
    /* the same through a strided view and along a kept axis */
    int64_t half = n / 2, two = 2;
    adl_array *v = adl_array_view(&ctx, x, 1, &half, &two, 0);
    REQUIRE(adl_k_reduce(&ctx, ADL_R_SUM, v, 1, &ax, 0, &r) == ADL_OK);
    CHECK_NEAR(adl_f64(r)[0], 1.0 + (double)(half - 1) * 0x1p-53, 1e-13);
    adl_array_release(r);
    adl_array_release(v);

    /* a large sum of 0.1s stays within a few ulps */
    int64_t big = 1000003;
    adl_array *y = adl_array_alloc(&ctx, "test", ADL_FLOAT64, 1, &big);
    REQUIRE(y != NULL);
    adl_k_fill(y, 0.1);
    REQUIRE(adl_k_reduce(&ctx, ADL_R_SUM, y, 1, &ax, 0, &r) == ADL_OK);
    CHECK_NEAR(adl_f64(r)[0], 100000.3, 1e-9);
    adl_array_release(r);
    adl_array_release(y);
    adl_array_release(x);
    LIVE_END;
}

TEST(reduce_broadcast_views_and_large_transposed) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    /* a stride-0 view: sum over the broadcast axis is n times the row */
    int64_t n3 = 3;
    adl_array *row = t_vec(&ctx, n3, NULL), *r = NULL;
    int64_t shape[2] = {5, 3}, st[2] = {0, 1};
    adl_array *b = adl_array_view(&ctx, row, 2, shape, st, 0);
    REQUIRE(row && b);
    int ax0 = 0, ax1 = 1;
    REQUIRE(adl_k_reduce(&ctx, ADL_R_SUM, b, 1, &ax0, 0, &r) == ADL_OK);
    CHECK(adl_f64(r)[0] == 0 && adl_f64(r)[1] == 5 && adl_f64(r)[2] == 10);
    adl_array_release(r);
    REQUIRE(adl_k_reduce(&ctx, ADL_R_MAX, b, 1, &ax1, 0, &r) == ADL_OK);
    CHECK(adl_f64(r)[0] == 2 && adl_f64(r)[4] == 2);
    adl_array_release(r);
    adl_array_release(b);
    adl_array_release(row);

    /* a big transposed matrix, both axes: walked in memory order */
    uint64_t rng = 3;
    int64_t big[2] = {300, 200};
    adl_array *x = t_random(&ctx, 2, big, &rng);
    REQUIRE(x != NULL);
    adl_array *xt = t_layout(&ctx, x, T_TRANSPOSED);
    for (int axis = 0; axis < 2; axis++) {
        adl_array *r1 = NULL, *r2 = NULL;
        REQUIRE(adl_k_reduce(&ctx, ADL_R_SUM, x, 1, &axis, 0, &r1) == ADL_OK);
        REQUIRE(adl_k_reduce(&ctx, ADL_R_SUM, xt, 1, &axis, 0, &r2) == ADL_OK);
        CHECK(t_same(r1, r2, 1e-13));
        adl_array_release(r1);
        adl_array_release(r2);
    }
    adl_array_release(xt);
    adl_array_release(x);
    LIVE_END;
}

/* max/min of one run, as the plain ordered loop gives it (NumPy's scalar
 * rule: a nan wins, the first of equal values stays). */
static double ordered_fold(adl_reduce_op op, const double *a, int64_t n, int64_t s) {
    double v = op == ADL_R_MAX ? -INFINITY : INFINITY;
    for (int64_t i = 0; i < n; i++) {
        double x = a[i * s];
        int keep = op == ADL_R_MAX ? v >= x : v <= x;
        v = (keep || isnan(v)) ? v : x;
    }
    return v;
}

/* The vectorised max/min (vmath.c) give the ordered loop's value to the
 * bit: nan anywhere, -0 and +0 ties, all equal, odd lengths, strided and
 * float32 inputs. */
TEST(max_min_vectorised_as_the_ordered_loop) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    uint64_t seed = 11;
    int64_t sizes[] = {1, 2, 3, 7, 127, 128, 129, 255, 300, 1001};
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        int64_t n = sizes[si], n2 = 2 * n;
        adl_array *a = t_random(&ctx, 1, &n2, &seed);
        REQUIRE(a != NULL);
        double *p = adl_f64(a);
        for (int pattern = 0; pattern < 7; pattern++) {
            for (int64_t i = 0; i < n2; i++)
                p[i] = t_rand(&seed);
            if (pattern == 1)
                p[0] = NAN; /* first */
            else if (pattern == 2)
                p[n2 - 1] = NAN; /* last: in the tail, or a lane */
            else if (pattern == 3)
                p[n / 2] = -NAN;
            else if (pattern == 4) /* zeros of both signs tie */
                for (int64_t i = 0; i < n2; i++)
                    p[i] = i % 3 == 1 ? 0.0 : i % 3 == 2 ? -0.0 : -1.0 - (double)(i % 5);
            else if (pattern == 5)
                for (int64_t i = 0; i < n2; i++)
                    p[i] = i % 2 ? -0.0 : 0.0;
            else if (pattern == 6) /* all equal */
                for (int64_t i = 0; i < n2; i++)
                    p[i] = 2.5;
            for (int opi = 0; opi < 2; opi++) {
                adl_reduce_op op = opi ? ADL_R_MIN : ADL_R_MAX;
                int ax = 0;
                /* contiguous (2n values) and every other value (n) */
                for (int strided = 0; strided < 2; strided++) {
                    int64_t m = strided ? n : n2, st = strided ? 2 : 1;
                    adl_array *v = adl_array_view(&ctx, a, 1, &m, &st, 0), *r = NULL;
                    REQUIRE(v != NULL);
                    REQUIRE(adl_k_reduce(&ctx, op, v, 1, &ax, 0, &r) == ADL_OK);
                    double want = ordered_fold(op, p, m, st), got = adl_f64(r)[0];
                    int same = (isnan(want) && isnan(got)) ||
                               (got == want && signbit(got) == signbit(want));
                    if (!same)
                        printf("  %s n=%lld pattern %d strided %d: got %g, want %g\n",
                               adl_reduce_name(op), (long long)m, pattern, strided, got, want);
                    CHECK(same);
                    adl_array_release(r);
                    /* float32 */
                    adl_array *v32 = NULL, *r32 = NULL;
                    REQUIRE(adl_k_astype(&ctx, v, ADL_FLOAT32, &v32) == ADL_OK);
                    REQUIRE(adl_k_reduce(&ctx, op, v32, 1, &ax, 0, &r32) == ADL_OK);
                    float g32 = ((const float *)r32->buf->data)[r32->offset];
                    int same32 = (isnan(want) && isnan(g32)) ||
                                 (g32 == (float)want && !signbit(g32) == !signbit(want));
                    if (!same32)
                        printf("  float32 %s n=%lld pattern %d strided %d: got %.9g, want %.9g\n",
                               adl_reduce_name(op), (long long)m, pattern, strided, (double)g32,
                               (double)(float)want);
                    CHECK(same32);
                    adl_array_release(r32);
                    adl_array_release(v32);
                    adl_array_release(v);
                }
            }
        }
        adl_array_release(a);
    }
    LIVE_END;
}
