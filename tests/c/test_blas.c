/* test_blas.c: adl_k_dot (blas.c) on every path (plain loop, ddot, dgemv both
 * ways, dgemm) and operand layout, against a naive loop; transposed views
 * must reach BLAS without a copy. */
#include "adl_core.h"
#include "harness.h"
#include "iter.h"
#include "test_util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Operand layouts for the matrix tests. */
enum {
    M_CONTIG,     /* row-major */
    M_TRANSPOSED, /* column-major: BLAS gets CblasTrans */
    M_PADDED,     /* rows of a wider matrix: lda > columns */
    M_PADDED_T,   /* columns of a taller column-major matrix */
    M_STRIDED,    /* every other element: needs a copy */
    M_REVERSED,   /* negative strides: needs a copy */
    M_BROADCAST,  /* one row repeated (stride 0): needs a copy */
    M_NLAYOUTS
};
static const char *const m_names[M_NLAYOUTS] = {"contig",  "transposed", "padded",   "padded_t",
                                                "strided", "reversed",   "broadcast"};
static const int m_copies[M_NLAYOUTS] = {0, 0, 0, 0, 1, 1, 1};

/* Vector layouts. */
enum { V_CONTIG, V_STRIDED, V_REVERSED, V_REVERSED_STRIDED, V_BROADCAST, V_NLAYOUTS };
static const char *const v_names[V_NLAYOUTS] = {"contig", "strided", "reversed", "reversed_strided",
                                                "broadcast"};
static const int v_copies[V_NLAYOUTS] = {0, 0, 0, 0, 1};

/* When set, make_matrix and make_vector give float32 operands. */
static int g_f32;

/* x itself, or (g_f32) x converted to float32 with x released. */
static adl_array *maybe_f32(adl_ctx *ctx, adl_array *x) {
    adl_array *r = NULL;
    if (!x || !g_f32)
        return x;
    adl_status st = adl_k_astype(ctx, x, ADL_FLOAT32, &r);
    adl_array_release(x);
    return st == ADL_OK ? r : NULL;
}

/* A random (r, c) matrix view in the given layout. */
static adl_array *make_matrix(adl_ctx *ctx, int64_t r, int64_t c, int layout, uint64_t *rng) {
    int64_t shape[2] = {r, c};
    if (layout == M_CONTIG || layout == M_TRANSPOSED || layout == M_STRIDED ||
        layout == M_REVERSED) {
        static const int map[] = {[M_CONTIG] = T_CONTIG,
                                  [M_TRANSPOSED] = T_TRANSPOSED,
                                  [M_STRIDED] = T_STRIDED,
                                  [M_REVERSED] = T_REVERSED};
        adl_array *x = maybe_f32(ctx, t_random(ctx, 2, shape, rng));
        if (!x)
            return NULL;
        adl_array *v = t_layout(ctx, x, map[layout]);
        adl_array_release(x);
        return v;
    }
    int64_t n = (r + 3) * (c + 3) + 5, st[2], off = 0;
    adl_array *base = maybe_f32(ctx, t_random(ctx, 1, &n, rng));
    if (!base)
        return NULL;
    if (layout == M_PADDED) {
        st[0] = c + 3;
        st[1] = 1;
        off = 2;
    } else if (layout == M_PADDED_T) {
        st[0] = 1;
        st[1] = r + 2;
        off = 1;
    } else { /* M_BROADCAST */
        st[0] = 0;
        st[1] = 1;
    }
    adl_array *v = adl_array_view(ctx, base, 2, shape, st, off);
    adl_array_release(base);
    return v;
}

static adl_array *make_vector(adl_ctx *ctx, int64_t n, int layout, uint64_t *rng) {
    int64_t nb = 3 * n + 4, st = 1, off = 0;
    adl_array *base = maybe_f32(ctx, t_random(ctx, 1, &nb, rng));
    if (!base)
        return NULL;
    switch (layout) {
    case V_STRIDED:
        st = 3;
        off = 1;
        break;
    case V_REVERSED:
        st = -1;
        off = n;
        break;
    case V_REVERSED_STRIDED:
        st = -2;
        off = 2 * n + 1;
        break;
    case V_BROADCAST:
        st = 0;
        off = 3;
        break;
    default:
        break;
    }
    adl_array *v = adl_array_view(ctx, base, 1, &n, &st, off);
    adl_array_release(base);
    return v;
}

/* NumPy's dot by the definition, for ndim 1 and 2 operands. */
static int dot_matches(const adl_array *a, const adl_array *b, const adl_array *r) {
    int64_t m = a->ndim == 2 ? a->shape[0] : 1, k = a->shape[a->ndim - 1];
    int64_t n = b->ndim == 2 ? b->shape[1] : 1;
    int want_ndim = (a->ndim == 2) + (b->ndim == 2);
    /* float32 with float32 gives float32 (sgemm and co.), else float64 */
    adl_dtype want_dt =
        a->dtype == ADL_FLOAT32 && b->dtype == ADL_FLOAT32 ? ADL_FLOAT32 : ADL_FLOAT64;
    /* float32 sums in float32: its error grows with the number of terms */
    double tol = want_dt == ADL_FLOAT32 ? 1e-7 * (double)(k + 10) : 1e-13;
    if (r->ndim != want_ndim || r->size != m * n || !adl_array_is_contiguous(r) ||
        r->dtype != want_dt)
        return 0;
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            double acc = 0, mag = 0;
            for (int64_t p = 0; p < k; p++) {
                int64_t ia[2] = {i, p}, ib[2] = {p, j};
                double x = adl_array_get(a, a->ndim == 2 ? ia : ia + 1);
                double y = adl_array_get(b, ib);
                acc += x * y;
                mag += fabs(x * y);
            }
            int64_t ir[2] = {i, j};
            double got = adl_array_get(r, r->ndim == 2 ? ir : a->ndim == 2 ? ir : ir + 1);
            if (!(fabs(got - acc) <= tol * (1 + mag))) {
                printf("  [%lld,%lld]: got %.17g, want %.17g\n", (long long)i, (long long)j, got,
                       acc);
                return 0;
            }
        }
    return 1;
}

/* Runs dot(a, b), checks the values and whether operands were copied. */
static void check_dot(adl_ctx *ctx, const adl_array *a, const adl_array *b, int want_copies,
                      const char *what) {
    adl_array *r = NULL;
    int64_t copies0 = adl_k_dot_copies();
    adl_status st = adl_k_dot(ctx, a, b, &r);
    CHECK_EQ_INT(st, ADL_OK);
    if (st != ADL_OK) {
        printf("  %s: %s\n", what, ctx->msg);
        return;
    }
    int ok = dot_matches(a, b, r);
    if (!ok)
        printf("  %s: values differ\n", what);
    CHECK(ok);
    if (want_copies >= 0 && adl_k_dot_copies() - copies0 != want_copies) {
        printf("  %s: %lld copies, want %d\n", what, (long long)(adl_k_dot_copies() - copies0),
               want_copies);
        CHECK(0);
    }
    adl_array_release(r);
}

TEST(dot_matrix_matrix_every_layout) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    uint64_t rng = 42;
    /* the last two exceed the small-work threshold: dgemm; the first is the loop */
    int64_t sizes[][3] = {{2, 3, 2}, {7, 9, 5}, {33, 17, 29}, {1, 70, 1}, {64, 1, 64}, {1, 80, 3}};
    char what[128];
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int64_t m = sizes[s][0], k = sizes[s][1], n = sizes[s][2];
        int small = m * n * k < 64;
        for (int la = 0; la < M_NLAYOUTS; la++)
            for (int lb = 0; lb < M_NLAYOUTS; lb++) {
                adl_array *a = make_matrix(&ctx, m, k, la, &rng);
                adl_array *b = make_matrix(&ctx, k, n, lb, &rng);
                REQUIRE(a && b);
                snprintf(what, sizeof what, "(%lld,%lld) %s . (%lld,%lld) %s", (long long)m,
                         (long long)k, m_names[la], (long long)k, (long long)n, m_names[lb]);
                /* length-1 axes make any stride acceptable, so only count
                 * copies where both axes are longer */
                int exact = m > 1 && k > 1 && n > 1;
                check_dot(&ctx, a, b, small ? 0 : exact ? m_copies[la] + m_copies[lb] : -1, what);
                adl_array_release(a);
                adl_array_release(b);
            }
    }
    LIVE_END;
}

TEST(dot_matrix_vector_every_layout) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    uint64_t rng = 7;
    /* 95 x 97 and below: dgemv; 96 x 96 to 256 x 256 (A x) and to 1024 x 1024
     * (x B): a one-column dgemm (blas.c gemv_as_gemm); 300 x 300 A x: dgemv */
    int64_t sizes[][2] = {{3, 4},   {8, 9},   {40, 33},   {1, 100},  {100, 1},
                          {95, 97}, {96, 96}, {100, 100}, {300, 300}};
    char what[128];
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int64_t m = sizes[s][0], k = sizes[s][1];
        int small = m * k<64, exact = m> 1 && k > 1;
        for (int la = 0; la < M_NLAYOUTS; la++)
            for (int lv = 0; lv < V_NLAYOUTS; lv++) {
                adl_array *a = make_matrix(&ctx, m, k, la, &rng);
                adl_array *x = make_vector(&ctx, k, lv, &rng);
                REQUIRE(a && x);
                /* A x: dgemv */
                snprintf(what, sizeof what, "(%lld,%lld) %s . (%lld,) %s", (long long)m,
                         (long long)k, m_names[la], (long long)k, v_names[lv]);
                int vc = k > 1 ? v_copies[lv] : 0;
                check_dot(&ctx, a, x, small ? 0 : exact ? m_copies[la] + vc : -1, what);
                adl_array_release(a);
                /* x B: dgemv transposed, B of shape (k, m) */
                adl_array *b = make_matrix(&ctx, k, m, la, &rng);
                REQUIRE(b != NULL);
                snprintf(what, sizeof what, "(%lld,) %s . (%lld,%lld) %s", (long long)k,
                         v_names[lv], (long long)k, (long long)m, m_names[la]);
                check_dot(&ctx, x, b, small ? 0 : exact ? m_copies[la] + vc : -1, what);
                adl_array_release(b);
                adl_array_release(x);
            }
    }
    LIVE_END;
}

/* adl_k_dot's short path for small float64 matrix-vector and vector-vector
 * products (a per-sample loop's w.T x) gives the bits of dot_into's loop,
 * which adl_k_dot_into runs, in every layout. */
TEST(dot_small_matvec_same_bits_as_the_loop) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    uint64_t rng = 11;
    int64_t sizes[][2] = {{1, 3}, {3, 4}, {2, 31}, {1, 63}, {7, 9}};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int64_t m = sizes[s][0], k = sizes[s][1];
        for (int la = 0; la < M_NLAYOUTS; la++)
            for (int lv = 0; lv < V_NLAYOUTS; lv++)
                for (int vec = 0; vec < 2; vec++) {
                    /* vec: a (k,) vector first operand instead of the matrix */
                    adl_array *a =
                        vec ? make_vector(&ctx, k, lv, &rng) : make_matrix(&ctx, m, k, la, &rng);
                    adl_array *x = make_vector(&ctx, k, lv, &rng), *fast = NULL;
                    REQUIRE(a && x);
                    REQUIRE(adl_k_dot(&ctx, a, x, &fast) == ADL_OK);
                    adl_array *loop =
                        adl_array_alloc(&ctx, "test", ADL_FLOAT64, fast->ndim, fast->shape);
                    REQUIRE(loop != NULL);
                    adl_status st = ADL_ERR_INTERNAL;
                    CHECK(adl_k_dot_into(&ctx, a, x, loop, &st) == 1);
                    CHECK_EQ_INT(st, ADL_OK);
                    CHECK_EQ_INT(fast->ndim, vec ? 0 : 1);
                    int same = memcmp(adl_f64(fast), adl_f64(loop),
                                      sizeof(double) * (size_t)fast->size) == 0;
                    if (!same)
                        printf("  m %lld k %lld %s %s%s: bits differ\n", (long long)m, (long long)k,
                               m_names[la], v_names[lv], vec ? " (vector)" : "");
                    CHECK(same);
                    adl_array_release(a);
                    adl_array_release(x);
                    adl_array_release(fast);
                    adl_array_release(loop);
                }
    }
    LIVE_END;
}

TEST(dot_vector_vector_every_layout) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    uint64_t rng = 9;
    int64_t sizes[] = {1, 3, 63, 64, 1000};
    char what[128];
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (int la = 0; la < V_NLAYOUTS; la++)
            for (int lb = 0; lb < V_NLAYOUTS; lb++) {
                int64_t n = sizes[s];
                adl_array *a = make_vector(&ctx, n, la, &rng), *b = make_vector(&ctx, n, lb, &rng);
                REQUIRE(a && b);
                snprintf(what, sizeof what, "(%lld,) %s . %s", (long long)n, v_names[la],
                         v_names[lb]);
                int copies = n < 64 || n == 1 ? 0 : v_copies[la] + v_copies[lb];
                check_dot(&ctx, a, b, copies, what);
                adl_array_release(a);
                adl_array_release(b);
            }
    /* the result is 0-d */
    double v[3] = {1, 2, 3};
    adl_array *x = t_vec(&ctx, 3, v), *r = NULL;
    REQUIRE(adl_k_dot(&ctx, x, x, &r) == ADL_OK);
    CHECK_EQ_INT(r->ndim, 0);
    CHECK(adl_f64(r)[0] == 14);
    adl_array_release(r);
    adl_array_release(x);
    LIVE_END;
}

TEST(dot_float32_uses_the_float32_routines_on_every_path) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    uint64_t rng = 11;
    char what[128];
    g_f32 = 1;
    /* matrix . matrix: the loop, then sgemm */
    int64_t mm[][3] = {{2, 3, 2}, {33, 17, 29}, {1, 70, 1}};
    for (size_t s = 0; s < sizeof mm / sizeof mm[0]; s++)
        for (int la = 0; la < M_NLAYOUTS; la++)
            for (int lb = 0; lb < M_NLAYOUTS; lb++) {
                int64_t m = mm[s][0], k = mm[s][1], n = mm[s][2];
                adl_array *a = make_matrix(&ctx, m, k, la, &rng);
                adl_array *b = make_matrix(&ctx, k, n, lb, &rng);
                REQUIRE(a && b && a->dtype == ADL_FLOAT32 && b->dtype == ADL_FLOAT32);
                snprintf(what, sizeof what, "f32 (%lld,%lld) %s . (%lld,%lld) %s", (long long)m,
                         (long long)k, m_names[la], (long long)k, (long long)n, m_names[lb]);
                int exact = m > 1 && k > 1 && n > 1, small = m * n * k < 64;
                check_dot(&ctx, a, b, small ? 0 : exact ? m_copies[la] + m_copies[lb] : -1, what);
                adl_array_release(a);
                adl_array_release(b);
            }
    /* matrix . vector and vector . matrix (sgemv; from 9,216 elements a
     * one-column sgemm), vector . vector (sdot) */
    for (int la = 0; la < M_NLAYOUTS; la++)
        for (int lv = 0; lv < V_NLAYOUTS; lv++)
            for (int big = 0; big < 2; big++) {
                int64_t m = big ? 120 : 40, k = big ? 100 : 33;
                adl_array *a = make_matrix(&ctx, m, k, la, &rng);
                adl_array *b = make_matrix(&ctx, k, m, la, &rng);
                adl_array *x = make_vector(&ctx, k, lv, &rng), *y = make_vector(&ctx, k, lv, &rng);
                REQUIRE(a && b && x && y);
                snprintf(what, sizeof what, "f32 matrix %s vector %s", m_names[la], v_names[lv]);
                check_dot(&ctx, a, x, m_copies[la] + v_copies[lv], what);
                check_dot(&ctx, x, b, m_copies[la] + v_copies[lv], what);
                /* past the small loop, ddot gets broadcast vectors copied */
                check_dot(&ctx, x, y, big ? 2 * v_copies[lv] : 0, what);
                adl_array_release(a);
                adl_array_release(b);
                adl_array_release(x);
                adl_array_release(y);
            }
    /* float32 with float64: the float32 operand is converted, float64 result */
    adl_array *a32 = make_matrix(&ctx, 20, 30, M_TRANSPOSED, &rng);
    g_f32 = 0;
    adl_array *b64 = make_matrix(&ctx, 30, 10, M_CONTIG, &rng);
    adl_array *x64 = make_vector(&ctx, 30, V_STRIDED, &rng);
    REQUIRE(a32 && b64 && x64);
    check_dot(&ctx, a32, b64, -1, "f32 . f64");
    check_dot(&ctx, a32, x64, -1, "f32 . f64 vector");
    adl_array *bt = NULL, *r = NULL;
    REQUIRE(adl_k_astype(&ctx, b64, ADL_FLOAT32, &bt) == ADL_OK);
    int64_t s3 = 3;
    adl_array *v3 = t_vec(&ctx, s3, NULL);
    CHECK_EQ_INT(adl_k_dot(&ctx, bt, v3, &r), ADL_ERR_VALUE); /* (30,10) . (3,) */
    CHECK_STR_CONTAINS(ctx.msg, "dot: shapes (30,10) and (3,) not aligned");
    adl_array_release(v3);
    adl_array_release(bt);
    adl_array_release(a32);
    adl_array_release(b64);
    adl_array_release(x64);
    LIVE_END;
}

TEST(dot_zero_d_multiplies) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    int64_t s23[2] = {2, 3}, s234[3] = {2, 3, 4};
    adl_array *a = t_array(&ctx, 2, s23, NULL), *c = t_array(&ctx, 3, s234, NULL);
    adl_array *s = adl_array_scalar(&ctx, 2), *r = NULL;
    REQUIRE(a && c && s);
    REQUIRE(adl_k_dot(&ctx, s, a, &r) == ADL_OK);
    CHECK(t_shape_is(r, 2, s23) && adl_f64(r)[5] == 10);
    adl_array_release(r);
    REQUIRE(adl_k_dot(&ctx, a, s, &r) == ADL_OK);
    CHECK(t_shape_is(r, 2, s23) && adl_f64(r)[1] == 2);
    adl_array_release(r);
    REQUIRE(adl_k_dot(&ctx, s, s, &r) == ADL_OK);
    CHECK(r->ndim == 0 && adl_f64(r)[0] == 4);
    adl_array_release(r);
    /* NumPy allows any ndim with a 0-d operand */
    REQUIRE(adl_k_dot(&ctx, c, s, &r) == ADL_OK);
    CHECK(t_shape_is(r, 3, s234) && adl_f64(r)[23] == 46);
    adl_array_release(r);
    adl_array_release(a);
    adl_array_release(c);
    adl_array_release(s);
    LIVE_END;
}

TEST(dot_empty_operands) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    struct {
        int na, nb;
        int64_t sa[2], sb[2];
    } cases[] = {
        {2, 2, {0, 3}, {3, 4}}, {2, 2, {3, 0}, {0, 4}}, {2, 2, {30, 0}, {0, 40}},
        {2, 2, {2, 3}, {3, 0}}, {1, 1, {0}, {0}},       {2, 1, {5, 0}, {0}},
        {1, 2, {0}, {0, 70}},   {2, 1, {0, 4}, {4}},    {1, 2, {4}, {4, 0}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        adl_array *a = adl_array_alloc(&ctx, "test", ADL_FLOAT64, cases[c].na, cases[c].sa);
        adl_array *b = adl_array_alloc(&ctx, "test", ADL_FLOAT64, cases[c].nb, cases[c].sb);
        REQUIRE(a && b);
        adl_k_fill(a, 1);
        adl_k_fill(b, 1);
        check_dot(&ctx, a, b, 0, "empty");
        adl_array_release(a);
        adl_array_release(b);
    }
    LIVE_END;
}

TEST(dot_errors) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    int64_t s34[2] = {3, 4}, s56[2] = {5, 6}, s3 = 3, s4 = 4, s5 = 5, s234[3] = {2, 3, 4};
    adl_array *a = t_array(&ctx, 2, s34, NULL), *b = t_array(&ctx, 2, s56, NULL);
    adl_array *v3 = t_vec(&ctx, s3, NULL), *v4 = t_vec(&ctx, s4, NULL), *v5 = t_vec(&ctx, s5, NULL);
    adl_array *c = t_array(&ctx, 3, s234, NULL), *r = NULL;
    REQUIRE(a && b && v3 && v4 && v5 && c);
    CHECK_EQ_INT(adl_k_dot(&ctx, a, b, &r), ADL_ERR_VALUE);
    CHECK(strcmp(ctx.msg, "dot: shapes (3,4) and (5,6) not aligned: 4 (axis 2) ~= 5 (axis 1)") ==
          0);
    CHECK_EQ_INT(adl_k_dot(&ctx, v3, v4, &r), ADL_ERR_VALUE);
    CHECK(strcmp(ctx.msg, "dot: shapes (3,) and (4,) not aligned: 3 (axis 1) ~= 4 (axis 1)") == 0);
    CHECK_EQ_INT(adl_k_dot(&ctx, a, v5, &r), ADL_ERR_VALUE);
    CHECK(strcmp(ctx.msg, "dot: shapes (3,4) and (5,) not aligned: 4 (axis 2) ~= 5 (axis 1)") == 0);
    CHECK_EQ_INT(adl_k_dot(&ctx, v4, b, &r), ADL_ERR_VALUE);
    CHECK(strcmp(ctx.msg, "dot: shapes (4,) and (5,6) not aligned: 4 (axis 1) ~= 5 (axis 1)") == 0);
    CHECK_EQ_INT(adl_k_dot(&ctx, c, v4, &r), ADL_ERR_VALUE);
    CHECK(strcmp(ctx.msg, "dot: arrays with more than 2 dimensions are not supported yet (shapes "
                          "(2,3,4) and (4,))") == 0);
    CHECK_EQ_INT(adl_k_dot(&ctx, a, c, &r), ADL_ERR_VALUE);
    CHECK_STR_CONTAINS(ctx.msg, "(shapes (3,4) and (2,3,4))");
    CHECK(r == NULL);
    adl_array_release(a);
    adl_array_release(b);
    adl_array_release(v3);
    adl_array_release(v4);
    adl_array_release(v5);
    adl_array_release(c);
    LIVE_END;
}

TEST(dot_large_against_loop) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    uint64_t rng = 11;
    /* big enough for OpenBLAS's threaded kernels */
    adl_array *a = make_matrix(&ctx, 150, 130, M_TRANSPOSED, &rng);
    adl_array *b = make_matrix(&ctx, 130, 170, M_PADDED, &rng);
    REQUIRE(a && b);
    check_dot(&ctx, a, b, 0, "large dgemm");
    adl_array_release(a);
    adl_array_release(b);
    LIVE_END;
}
