/* test_kernels.c: elementwise kernels, copies, in-place updates and array
 * creation (kernels.c), on every memory layout, against plain loops. */
#include "adl_core.h"
#include "harness.h"
#include "test_util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- references: the C expressions NumPy uses ---- */

static double ref_unary(adl_unary_op op, double x) {
    switch (op) {
    case ADL_U_NEG:
        return -x;
    case ADL_U_EXP:
        return exp(x);
    case ADL_U_LOG:
        return log(x);
    case ADL_U_LOG1P:
        return log1p(x);
    case ADL_U_SQRT:
        return sqrt(x);
    case ADL_U_SIN:
        return sin(x);
    case ADL_U_COS:
        return cos(x);
    case ADL_U_TAN:
        return tan(x);
    case ADL_U_TANH:
        return tanh(x);
    case ADL_U_ABS:
        return fabs(x);
    case ADL_U_SIGN:
        return x > 0 ? 1.0 : x < 0 ? -1.0 : x == 0 ? 0.0 : x;
    case ADL_U_SQUARE:
        return x * x;
    case ADL_U_EXPM1:
        return expm1(x);
    case ADL_U_LOG2:
        return log2(x);
    case ADL_U_LOG10:
        return log10(x);
    case ADL_U_ARCSIN:
        return asin(x);
    case ADL_U_ARCCOS:
        return acos(x);
    case ADL_U_ARCTAN:
        return atan(x);
    case ADL_U_FLOOR:
        return floor(x);
    case ADL_U_CEIL:
        return ceil(x);
    case ADL_U_RINT:
        return rint(x);
    case ADL_U_EXP2:
        return exp2(x);
    case ADL_U_SINH:
        return sinh(x);
    case ADL_U_COSH:
        return cosh(x);
    case ADL_U_ARCSINH:
        return asinh(x);
    case ADL_U_ARCCOSH:
        return acosh(x);
    case ADL_U_ARCTANH:
        return atanh(x);
    default:
        return NAN;
    }
}

static double ref_binary(adl_binary_op op, double x, double y) {
    switch (op) {
    case ADL_B_ADD:
        return x + y;
    case ADL_B_SUB:
        return x - y;
    case ADL_B_MUL:
        return x * y;
    case ADL_B_DIV:
        return x / y;
    case ADL_B_POW:
        return pow(x, y);
    case ADL_B_MAXIMUM:
        return isnan(x) || isnan(y) ? NAN : x > y ? x : y;
    case ADL_B_MINIMUM:
        return isnan(x) || isnan(y) ? NAN : x < y ? x : y;
    case ADL_B_LT:
        return x < y;
    case ADL_B_LE:
        return x <= y;
    case ADL_B_GT:
        return x > y;
    case ADL_B_GE:
        return x >= y;
    case ADL_B_EQ:
        return x == y;
    case ADL_B_NE:
        return x != y;
    case ADL_B_ARCTAN2:
        return atan2(x, y);
    case ADL_B_MOD: { /* Python's float %: the result has the sign of y */
        double r = fmod(x, y);
        if (r == 0)
            return copysign(0.0, y);
        return (r < 0) != (y < 0) ? r + y : r;
    }
    case ADL_B_HYPOT: /* C's, as NumPy's npy_hypot: inf beats nan */
        return hypot(x, y);
    default:
        return NAN;
    }
}

/* Checks out == op(a, b) element by element, with broadcasting. */
static int binary_matches(adl_binary_op op, const adl_array *a, const adl_array *b,
                          const adl_array *out) {
    if (!adl_array_is_contiguous(out) || out->level != 0)
        return 0;
    if (out->size == 0)
        return 1;
    int64_t idx[ADL_MAX_DIMS] = {0};
    const double *o = adl_f64(out);
    int64_t i = 0;
    do {
        double want = ref_binary(op, t_bget(a, out->ndim, idx), t_bget(b, out->ndim, idx));
        double got = o[i++];
        if (!(got == want || (isnan(got) && isnan(want))))
            return 0;
    } while (t_next(out->ndim, out->shape, idx));
    return 1;
}

static const double special[] = {0.0,    -0.0, 1.0,      -1.0,      2.5, -3.25,
                                 1e-300, 7.0,  INFINITY, -INFINITY, NAN, 0.5};
#define NSPECIAL ((int64_t)(sizeof special / sizeof special[0]))

TEST(op_names_are_numpy_names) {
    CHECK(strcmp(adl_unary_name(ADL_U_NEG), "negative") == 0);
    CHECK(strcmp(adl_unary_name(ADL_U_EXP), "exp") == 0);
    CHECK(strcmp(adl_unary_name(ADL_U_ABS), "absolute") == 0);
    CHECK(strcmp(adl_unary_name(ADL_U_SQUARE), "square") == 0);
    CHECK(strcmp(adl_binary_name(ADL_B_ADD), "add") == 0);
    CHECK(strcmp(adl_binary_name(ADL_B_SUB), "subtract") == 0);
    CHECK(strcmp(adl_binary_name(ADL_B_MUL), "multiply") == 0);
    CHECK(strcmp(adl_binary_name(ADL_B_DIV), "divide") == 0);
    CHECK(strcmp(adl_binary_name(ADL_B_POW), "power") == 0);
    CHECK(strcmp(adl_binary_name(ADL_B_MAXIMUM), "maximum") == 0);
    CHECK(strcmp(adl_binary_name(ADL_B_LT), "less") == 0);
    CHECK(strcmp(adl_binary_name(ADL_B_LE), "less_equal") == 0);
    CHECK(strcmp(adl_binary_name(ADL_B_GE), "greater_equal") == 0);
    CHECK(strcmp(adl_binary_name(ADL_B_NE), "not_equal") == 0);
    CHECK(strcmp(adl_binary_name(ADL_B_MOD), "remainder") == 0);
    CHECK(strcmp(adl_binary_name(ADL_B_HYPOT), "hypot") == 0);
    CHECK(strcmp(adl_reduce_name(ADL_R_SUM), "sum") == 0);
    CHECK(strcmp(adl_reduce_name(ADL_R_MAX), "max") == 0);
    CHECK(strcmp(adl_reduce_name(ADL_R_MIN), "min") == 0);
    for (int op = 0; op < ADL_U_COUNT; op++)
        CHECK(strcmp(adl_unary_name((adl_unary_op)op), "unknown") != 0);
    for (int op = 0; op < ADL_B_COUNT; op++)
        CHECK(strcmp(adl_binary_name((adl_binary_op)op), "unknown") != 0);
    CHECK(strcmp(adl_unary_name(ADL_U_COUNT), "unknown") == 0);
}

TEST(unary_every_op_every_layout) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    int64_t shape[2] = {3, 4};
    adl_array *x = t_array(&ctx, 2, shape, special);
    REQUIRE(x != NULL);
    for (int op = 0; op < ADL_U_COUNT; op++)
        for (int lay = 0; lay < T_NLAYOUTS; lay++) {
            adl_array *v = t_layout(&ctx, x, lay), *r = NULL;
            REQUIRE(v != NULL);
            CHECK_EQ_INT(adl_k_unary(&ctx, (adl_unary_op)op, v, &r), ADL_OK);
            REQUIRE(r != NULL);
            CHECK(t_shape_is(r, 2, shape));
            CHECK(adl_array_is_contiguous(r));
            int ok = 1;
            for (int64_t i = 0; i < 12; i++) {
                double want = ref_unary((adl_unary_op)op, special[i]), got = adl_f64(r)[i];
                /* exp, log and tanh are vmath.c's: within 3 ulp of libm
                 * (tests/c/test_vmath.c), special values exactly */
                int vm = op == ADL_U_EXP || op == ADL_U_LOG || op == ADL_U_TANH;
                double tol =
                    vm && isfinite(want) ? 3 * (nextafter(fabs(want), INFINITY) - fabs(want)) : 0;
                if (!(got == want || (isnan(got) && isnan(want)) || fabs(got - want) <= tol) ||
                    signbit(got) != signbit(want)) {
                    printf("  %s(%g) on %s: got %.17g, want %.17g\n",
                           adl_unary_name((adl_unary_op)op), special[i], t_layout_names[lay], got,
                           want);
                    ok = 0;
                }
            }
            CHECK(ok);
            adl_array_release(r);
            adl_array_release(v);
        }
    adl_array_release(x);
    LIVE_END;
}

TEST(unary_numpy_corner_values) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    double v[5] = {0.0, -0.0, NAN, -2.0, 3.0};
    adl_array *x = t_vec(&ctx, 5, v), *r = NULL;
    REQUIRE(x != NULL);
    REQUIRE(adl_k_unary(&ctx, ADL_U_SIGN, x, &r) == ADL_OK);
    CHECK(adl_f64(r)[0] == 0.0 && !signbit(adl_f64(r)[0]));
    CHECK(adl_f64(r)[1] == 0.0 && !signbit(adl_f64(r)[1])); /* sign(-0.) is 0. */
    CHECK(isnan(adl_f64(r)[2]));
    CHECK(adl_f64(r)[3] == -1.0);
    CHECK(adl_f64(r)[4] == 1.0);
    adl_array_release(r);
    REQUIRE(adl_k_unary(&ctx, ADL_U_NEG, x, &r) == ADL_OK);
    CHECK(signbit(adl_f64(r)[0]) && !signbit(adl_f64(r)[1]));
    adl_array_release(r);
    REQUIRE(adl_k_unary(&ctx, ADL_U_LOG, x, &r) == ADL_OK);
    CHECK(adl_f64(r)[0] == -INFINITY);
    CHECK(isnan(adl_f64(r)[3]));
    adl_array_release(r);
    adl_array_release(x);
    LIVE_END;
}

TEST(unary_zero_d_and_empty) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    adl_array *s = adl_array_scalar(&ctx, 4.0), *r = NULL;
    REQUIRE(adl_k_unary(&ctx, ADL_U_SQRT, s, &r) == ADL_OK);
    CHECK_EQ_INT(r->ndim, 0);
    CHECK_NEAR(adl_f64(r)[0], 2.0, 0);
    adl_array_release(r);
    adl_array_release(s);
    int64_t e[2] = {0, 3};
    adl_array *z = t_array(&ctx, 2, e, NULL);
    REQUIRE(adl_k_unary(&ctx, ADL_U_EXP, z, &r) == ADL_OK);
    CHECK(t_shape_is(r, 2, e));
    adl_array_release(r);
    /* an empty view with odd strides */
    int64_t st[2] = {-5, 7};
    adl_array *ev = adl_array_view(&ctx, z, 2, e, st, 0);
    REQUIRE(adl_k_unary(&ctx, ADL_U_EXP, ev, &r) == ADL_OK);
    CHECK(t_shape_is(r, 2, e));
    adl_array_release(r);
    adl_array_release(ev);
    adl_array_release(z);
    LIVE_END;
}

TEST(binary_every_op_same_shape_every_layout) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    /* every pair of special values */
    int64_t shape[2] = {NSPECIAL, NSPECIAL};
    double xv[NSPECIAL * NSPECIAL], yv[NSPECIAL * NSPECIAL];
    for (int64_t i = 0; i < NSPECIAL; i++)
        for (int64_t j = 0; j < NSPECIAL; j++) {
            xv[i * NSPECIAL + j] = special[i];
            yv[i * NSPECIAL + j] = special[j];
        }
    adl_array *x = t_array(&ctx, 2, shape, xv), *y = t_array(&ctx, 2, shape, yv);
    REQUIRE(x && y);
    for (int op = 0; op < ADL_B_COUNT; op++)
        for (int la = 0; la < T_NLAYOUTS; la++)
            for (int lb = 0; lb < T_NLAYOUTS; lb++) {
                adl_array *a = t_layout(&ctx, x, la), *b = t_layout(&ctx, y, lb), *r = NULL;
                REQUIRE(a && b);
                CHECK_EQ_INT(adl_k_binary(&ctx, (adl_binary_op)op, a, b, &r), ADL_OK);
                REQUIRE(r != NULL);
                CHECK(t_shape_is(r, 2, shape));
                if (!binary_matches((adl_binary_op)op, a, b, r)) {
                    printf("  %s on %s, %s differs\n", adl_binary_name((adl_binary_op)op),
                           t_layout_names[la], t_layout_names[lb]);
                    CHECK(0);
                }
                adl_array_release(r);
                adl_array_release(a);
                adl_array_release(b);
            }
    adl_array_release(x);
    adl_array_release(y);
    LIVE_END;
}

TEST(binary_maximum_minimum_nan_and_zero_sign) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    double av[4] = {NAN, 1.0, 0.0, -0.0}, bv[4] = {1.0, NAN, -0.0, 0.0};
    adl_array *a = t_vec(&ctx, 4, av), *b = t_vec(&ctx, 4, bv), *r = NULL;
    REQUIRE(adl_k_binary(&ctx, ADL_B_MAXIMUM, a, b, &r) == ADL_OK);
    CHECK(isnan(adl_f64(r)[0]) && isnan(adl_f64(r)[1]));
    /* NumPy's scalar loop: the first operand wins a tie */
    CHECK(!signbit(adl_f64(r)[2]) && signbit(adl_f64(r)[3]));
    adl_array_release(r);
    REQUIRE(adl_k_binary(&ctx, ADL_B_MINIMUM, a, b, &r) == ADL_OK);
    CHECK(isnan(adl_f64(r)[0]) && isnan(adl_f64(r)[1]));
    adl_array_release(r);
    REQUIRE(adl_k_binary(&ctx, ADL_B_NE, a, a, &r) == ADL_OK);
    CHECK(adl_f64(r)[0] == 1.0 && adl_f64(r)[1] == 0.0); /* nan != nan */
    adl_array_release(r);
    REQUIRE(adl_k_binary(&ctx, ADL_B_EQ, a, a, &r) == ADL_OK);
    CHECK(adl_f64(r)[0] == 0.0 && adl_f64(r)[1] == 1.0);
    adl_array_release(r);
    adl_array_release(a);
    adl_array_release(b);
    LIVE_END;
}

/* op(x, y) for shapes that broadcast, in every layout pair, against the
 * element formula. */
static void check_broadcast_case(adl_ctx *ctx, int na, const int64_t *sa, int nb, const int64_t *sb,
                                 int nwant, const int64_t *want) {
    uint64_t rng = 99;
    adl_array *x = t_random(ctx, na, sa, &rng), *y = t_random(ctx, nb, sb, &rng);
    REQUIRE(x && y);
    static const adl_binary_op ops[3] = {ADL_B_SUB, ADL_B_DIV, ADL_B_MAXIMUM};
    for (int o = 0; o < 3; o++)
        for (int la = 0; la < T_NLAYOUTS; la++)
            for (int lb = 0; lb < T_NLAYOUTS; lb++) {
                adl_array *a = t_layout(ctx, x, la), *b = t_layout(ctx, y, lb), *r = NULL;
                REQUIRE(a && b);
                CHECK_EQ_INT(adl_k_binary(ctx, ops[o], a, b, &r), ADL_OK);
                REQUIRE(r != NULL);
                CHECK(t_shape_is(r, nwant, want));
                CHECK(binary_matches(ops[o], a, b, r));
                adl_array_release(r);
                adl_array_release(a);
                adl_array_release(b);
            }
    adl_array_release(x);
    adl_array_release(y);
}

TEST(binary_broadcasting_every_layout) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    int64_t s23[2] = {2, 3}, s3[1] = {3}, s31[2] = {3, 1}, s14[2] = {1, 4}, s34[2] = {3, 4};
    int64_t s213[3] = {2, 1, 3}, s41[2] = {4, 1}, s243[3] = {2, 4, 3}, s1[1] = {1};
    int64_t s03[2] = {0, 3}, s11[2] = {1, 1}, s5[1] = {5};
    check_broadcast_case(&ctx, 2, s23, 1, s3, 2, s23);
    check_broadcast_case(&ctx, 1, s3, 2, s23, 2, s23);
    check_broadcast_case(&ctx, 2, s31, 2, s14, 2, s34);
    check_broadcast_case(&ctx, 3, s213, 2, s41, 3, s243);
    check_broadcast_case(&ctx, 0, NULL, 2, s23, 2, s23);
    check_broadcast_case(&ctx, 2, s23, 0, NULL, 2, s23);
    check_broadcast_case(&ctx, 0, NULL, 0, NULL, 0, NULL);
    check_broadcast_case(&ctx, 1, s1, 1, s5, 1, s5);
    check_broadcast_case(&ctx, 2, s11, 1, s5, 2, (int64_t[]){1, 5});
    check_broadcast_case(&ctx, 2, s03, 1, s3, 2, s03);
    check_broadcast_case(&ctx, 2, s03, 2, s11, 2, s03);
    LIVE_END;
}

TEST(binary_with_broadcast_views) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    /* operands that are themselves stride-0 views (np.broadcast_to) */
    int64_t n3 = 3;
    adl_array *row = t_vec(&ctx, n3, NULL), *r = NULL;
    int64_t shape[2] = {4, 3}, st[2] = {0, 1}, st2[2] = {0, -1};
    adl_array *b1 = adl_array_view(&ctx, row, 2, shape, st, 0);
    adl_array *b2 = adl_array_view(&ctx, row, 2, shape, st2, 2);
    REQUIRE(b1 && b2);
    REQUIRE(adl_k_binary(&ctx, ADL_B_MUL, b1, b2, &r) == ADL_OK);
    CHECK(binary_matches(ADL_B_MUL, b1, b2, r));
    CHECK_NEAR(adl_f64(r)[0], 0.0, 0);
    CHECK_NEAR(adl_f64(r)[1], 1.0, 0);
    CHECK_NEAR(adl_f64(r)[11], 0.0, 0);
    adl_array_release(r);
    adl_array *s = adl_array_scalar(&ctx, 10);
    REQUIRE(adl_k_binary(&ctx, ADL_B_POW, b2, s, &r) == ADL_OK);
    CHECK(binary_matches(ADL_B_POW, b2, s, r));
    adl_array_release(r);
    REQUIRE(adl_k_binary(&ctx, ADL_B_LT, s, b1, &r) == ADL_OK);
    CHECK(binary_matches(ADL_B_LT, s, b1, r));
    adl_array_release(r);
    adl_array_release(s);
    adl_array_release(b1);
    adl_array_release(b2);
    adl_array_release(row);
    LIVE_END;
}

TEST(binary_long_arrays_use_every_inner_loop) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    uint64_t rng = 7;
    int64_t shape[2] = {37, 101};
    adl_array *x = t_random(&ctx, 2, shape, &rng), *y = t_random(&ctx, 2, shape, &rng);
    adl_array *s = adl_array_scalar(&ctx, 0.25);
    int64_t colshape[2] = {37, 1};
    adl_array *col = t_random(&ctx, 2, colshape, &rng);
    REQUIRE(x && y && s && col);
    const adl_array *pairs[6][2] = {{x, y}, {x, s}, {s, y}, {x, col}, {col, y}, {col, s}};
    for (int op = 0; op < ADL_B_COUNT; op++)
        for (int p = 0; p < 6; p++) {
            adl_array *r = NULL;
            REQUIRE(adl_k_binary(&ctx, (adl_binary_op)op, pairs[p][0], pairs[p][1], &r) == ADL_OK);
            CHECK(binary_matches((adl_binary_op)op, pairs[p][0], pairs[p][1], r));
            adl_array_release(r);
        }
    adl_array_release(x);
    adl_array_release(y);
    adl_array_release(s);
    adl_array_release(col);
    LIVE_END;
}

TEST(binary_errors) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    int64_t s23[2] = {2, 3}, s4 = 4;
    adl_array *a = t_array(&ctx, 2, s23, NULL), *b = t_vec(&ctx, s4, NULL), *r = NULL;
    REQUIRE(a && b);
    CHECK_EQ_INT(adl_k_binary(&ctx, ADL_B_ADD, a, b, &r), ADL_ERR_VALUE);
    CHECK(r == NULL);
    CHECK(strcmp(ctx.msg, "add: operands could not be broadcast together with shapes (2,3) (4,)") ==
          0);
    CHECK_EQ_INT(adl_k_binary(&ctx, ADL_B_SUB, b, a, &r), ADL_ERR_VALUE);
    CHECK(strcmp(ctx.msg,
                 "subtract: operands could not be broadcast together with shapes (4,) (2,3)") == 0);
    CHECK_EQ_INT(adl_k_binary(&ctx, ADL_B_GE, b, a, &r), ADL_ERR_VALUE);
    CHECK_STR_CONTAINS(ctx.msg, "greater_equal: operands could not be broadcast");
    CHECK_EQ_INT(adl_k_binary(&ctx, ADL_B_COUNT, a, a, &r), ADL_ERR_INTERNAL);
    CHECK_EQ_INT(adl_k_unary(&ctx, ADL_U_COUNT, a, &r), ADL_ERR_INTERNAL);
    CHECK(r == NULL);
    adl_array_release(a);
    adl_array_release(b);
    LIVE_END;
}

/* x converted to float32 (the test owns the result). */
static adl_array *t_f32(adl_ctx *ctx, const adl_array *x) {
    adl_array *r = NULL;
    return adl_k_astype(ctx, x, ADL_FLOAT32, &r) == ADL_OK ? r : NULL;
}

/* Every element of r (float32) is the float64 reference ref rounded to
 * float32, within rtol (libm's float functions may be 1 ulp off). */
static int t_f32_close(const adl_array *r, const adl_array *ref, double rtol) {
    if (r->dtype != ADL_FLOAT32 || !adl_shape_equal(r->ndim, r->shape, ref->ndim, ref->shape))
        return 0;
    if (r->size == 0)
        return 1;
    int64_t idx[ADL_MAX_DIMS] = {0};
    do {
        double got = adl_array_get(r, idx), want = (double)(float)adl_array_get(ref, idx);
        if (!(got == want || (isnan(got) && isnan(want)) ||
              fabs(got - want) <= rtol * fabs(want) + 1e-30)) {
            printf("  got %.9g, want %.9g\n", got, want);
            return 0;
        }
    } while (t_next(r->ndim, r->shape, idx));
    return 1;
}

TEST(float32_unary_every_op_every_layout) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    int64_t shape[2] = {3, 4};
    adl_array *x = t_array(&ctx, 2, shape, special), *x32 = t_f32(&ctx, x);
    REQUIRE(x && x32);
    for (int op = 0; op < ADL_U_COUNT; op++) {
        /* the reference: the float64 kernel on the float32 values */
        adl_array *back = NULL, *ref = NULL;
        REQUIRE(adl_k_astype(&ctx, x32, ADL_FLOAT64, &back) == ADL_OK);
        REQUIRE(adl_k_unary(&ctx, (adl_unary_op)op, back, &ref) == ADL_OK);
        for (int lay = 0; lay < T_NLAYOUTS; lay++) {
            adl_array *v = t_layout(&ctx, x32, lay), *r = NULL;
            REQUIRE(v != NULL);
            CHECK_EQ_INT(v->dtype, ADL_FLOAT32);
            CHECK_EQ_INT(adl_k_unary(&ctx, (adl_unary_op)op, v, &r), ADL_OK);
            REQUIRE(r != NULL);
            CHECK(adl_array_is_contiguous(r));
            int ok = t_f32_close(r, ref, 1e-6);
            if (!ok)
                printf("  %s on %s\n", adl_unary_name((adl_unary_op)op), t_layout_names[lay]);
            CHECK(ok);
            adl_array_release(r);
            adl_array_release(v);
        }
        adl_array_release(back);
        adl_array_release(ref);
    }
    adl_array_release(x);
    adl_array_release(x32);
    LIVE_END;
}

TEST(float32_binary_every_op_and_promotion) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    uint64_t seed = 7;
    int64_t s34[2] = {3, 4}, s4 = 4;
    adl_array *a = t_random(&ctx, 2, s34, &seed), *b = t_random(&ctx, 1, &s4, &seed);
    adl_array *a32 = t_f32(&ctx, a), *b32 = t_f32(&ctx, b), *two = adl_array_scalar(&ctx, 2.5);
    REQUIRE(a && b && a32 && b32 && two);
    adl_array *a64 = NULL, *b64 = NULL; /* the float32 values, exactly, in float64 */
    REQUIRE(adl_k_astype(&ctx, a32, ADL_FLOAT64, &a64) == ADL_OK);
    REQUIRE(adl_k_astype(&ctx, b32, ADL_FLOAT64, &b64) == ADL_OK);
    for (int op = 0; op < ADL_B_COUNT; op++)
        for (int lay = 0; lay < T_NLAYOUTS; lay++) {
            adl_binary_op bop = (adl_binary_op)op;
            adl_array *v = t_layout(&ctx, a32, lay), *r = NULL, *ref = NULL;
            REQUIRE(v != NULL);
            /* float32 with float32 (broadcast): float32 */
            REQUIRE(adl_k_binary(&ctx, bop, a64, b64, &ref) == ADL_OK);
            CHECK_EQ_INT(adl_k_binary(&ctx, bop, v, b32, &r), ADL_OK);
            CHECK(t_f32_close(r, ref, 1e-6));
            adl_array_release(r);
            adl_array_release(ref);
            /* float32 with a 0-d float64 (a Lua number): float32 */
            REQUIRE(adl_k_binary(&ctx, bop, two, a64, &ref) == ADL_OK);
            CHECK_EQ_INT(adl_k_binary(&ctx, bop, two, v, &r), ADL_OK);
            CHECK(t_f32_close(r, ref, 1e-6));
            adl_array_release(r);
            adl_array_release(ref);
            /* float32 with a float64 array: float64, computed in float64 */
            REQUIRE(adl_k_binary(&ctx, bop, a64, b, &ref) == ADL_OK);
            CHECK_EQ_INT(adl_k_binary(&ctx, bop, v, b, &r), ADL_OK);
            CHECK_EQ_INT(r->dtype, ADL_FLOAT64);
            CHECK(t_same(r, ref, 0));
            adl_array_release(r);
            adl_array_release(ref);
            adl_array_release(v);
        }
    /* two 0-d operands of different dtypes: float64 */
    adl_array *s32 = NULL, *r = NULL;
    int64_t one = 1;
    REQUIRE(adl_k_reduce(&ctx, ADL_R_SUM, b32, 1, (int[]){0}, 0, &s32) == ADL_OK);
    CHECK_EQ_INT(s32->dtype, ADL_FLOAT32);
    CHECK_EQ_INT(adl_k_binary(&ctx, ADL_B_ADD, s32, two, &r), ADL_OK);
    CHECK_EQ_INT(r->dtype, ADL_FLOAT64);
    adl_array_release(r);
    (void)one;
    adl_array_release(s32);
    adl_array_release(a);
    adl_array_release(b);
    adl_array_release(a32);
    adl_array_release(b32);
    adl_array_release(a64);
    adl_array_release(b64);
    adl_array_release(two);
    LIVE_END;
}

TEST(float32_copy_where_assign_concatenate) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    int64_t s23[2] = {2, 3}, s3 = 3;
    double cv[3] = {1, 0, 1e-300}; /* 1e-300 rounds to 0 in float32 but is true */
    adl_array *x = t_array(&ctx, 2, s23, NULL), *x32 = t_f32(&ctx, x), *c = t_vec(&ctx, s3, cv);
    adl_array *zero = adl_array_scalar(&ctx, 0.0), *r = NULL;
    REQUIRE(x && x32 && c && zero);
    for (int lay = 0; lay < T_NLAYOUTS; lay++) {
        adl_array *v = t_layout(&ctx, x32, lay);
        REQUIRE(v != NULL);
        CHECK_EQ_INT(adl_k_copy(&ctx, v, &r), ADL_OK);
        CHECK(r->dtype == ADL_FLOAT32 && t_same(r, x, 0));
        adl_array_release(r);
        /* where: a float64 condition, float32 and a 0-d float64: float32 */
        CHECK_EQ_INT(adl_k_where(&ctx, c, v, zero, &r), ADL_OK);
        CHECK_EQ_INT(r->dtype, ADL_FLOAT32);
        CHECK(adl_array_get(r, (int64_t[]){1, 0}) == 3 &&
              adl_array_get(r, (int64_t[]){1, 1}) == 0 && adl_array_get(r, (int64_t[]){1, 2}) == 5);
        adl_array_release(r);
        adl_array_release(v);
    }
    /* assignment converts to the destination's dtype, both ways */
    adl_array *d32 = adl_array_zeros(&ctx, "test", ADL_FLOAT32, 2, s23);
    adl_array *d64 = adl_array_zeros(&ctx, "test", ADL_FLOAT64, 2, s23);
    double third[3] = {1.0 / 3, 0.1, -2};
    adl_array *row = t_vec(&ctx, s3, third);
    REQUIRE(d32 && d64 && row);
    CHECK_EQ_INT(adl_k_assign(&ctx, "setitem", d32, row), ADL_OK);
    CHECK(adl_array_get(d32, (int64_t[]){1, 0}) == (double)(float)(1.0 / 3));
    CHECK(adl_array_get(d32, (int64_t[]){0, 1}) == (double)0.1f);
    CHECK_EQ_INT(adl_k_assign(&ctx, "setitem", d64, d32), ADL_OK);
    CHECK(adl_array_get(d64, (int64_t[]){1, 1}) == (double)0.1f);
    CHECK_EQ_INT(adl_k_add_into(&ctx, d32, d64), ADL_OK);
    CHECK(adl_array_get(d32, (int64_t[]){0, 2}) == -4);
    /* concatenate: float32 when all are, else float64 */
    const adl_array *same[2] = {x32, d32}, *mixed[2] = {x32, d64};
    CHECK_EQ_INT(adl_k_concatenate(&ctx, 2, same, 0, &r), ADL_OK);
    CHECK(r->dtype == ADL_FLOAT32 && r->shape[0] == 4 &&
          adl_array_get(r, (int64_t[]){2, 2}) == -4 && adl_array_get(r, (int64_t[]){1, 2}) == 5);
    adl_array_release(r);
    CHECK_EQ_INT(adl_k_concatenate(&ctx, 2, mixed, 1, &r), ADL_OK);
    CHECK(r->dtype == ADL_FLOAT64 && r->shape[1] == 6 &&
          adl_array_get(r, (int64_t[]){0, 4}) == (double)0.1f);
    adl_array_release(r);
    /* astype rounds to nearest and back exactly; unknown dtypes are errors */
    CHECK_EQ_INT(adl_k_astype(&ctx, row, ADL_FLOAT32, &r), ADL_OK);
    CHECK(r->dtype == ADL_FLOAT32 && adl_array_get(r, (int64_t[]){0}) == (double)(float)(1.0 / 3));
    adl_array_release(r);
    CHECK_EQ_INT(adl_k_astype(&ctx, row, (adl_dtype)7, &r), ADL_ERR_TYPE);
    CHECK(strcmp(ctx.msg, "astype: unknown dtype 7") == 0);
    /* fill works on both */
    adl_k_fill(d32, 1.5);
    CHECK(adl_array_get(d32, (int64_t[]){1, 2}) == 1.5);
    adl_array_release(d32);
    adl_array_release(d64);
    adl_array_release(row);
    adl_array_release(x);
    adl_array_release(x32);
    adl_array_release(c);
    adl_array_release(zero);
    LIVE_END;
}

TEST(where_selects_and_broadcasts) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    double cv[4] = {1, 0, NAN, -2};
    int64_t s4 = 4, s24[2] = {2, 4}, s21[2] = {2, 1};
    adl_array *c = t_vec(&ctx, s4, cv), *a = t_array(&ctx, 2, s24, NULL);
    double bv[2] = {-1, -2};
    adl_array *b = t_array(&ctx, 2, s21, bv), *r = NULL;
    REQUIRE(c && a && b);
    for (int lc = 0; lc < T_NLAYOUTS; lc++)
        for (int la = 0; la < T_NLAYOUTS; la++) {
            adl_array *cl = t_layout(&ctx, c, lc), *al = t_layout(&ctx, a, la);
            REQUIRE(cl && al);
            REQUIRE(adl_k_where(&ctx, cl, al, b, &r) == ADL_OK);
            CHECK(t_shape_is(r, 2, s24));
            /* nan is true, as in NumPy */
            double want[8] = {0, -1, 2, 3, 4, -2, 6, 7};
            int ok = 1;
            for (int i = 0; i < 8; i++)
                ok &= adl_f64(r)[i] == want[i];
            CHECK(ok);
            adl_array_release(r);
            adl_array_release(cl);
            adl_array_release(al);
        }
    /* all contiguous, same shape */
    REQUIRE(adl_k_where(&ctx, a, a, a, &r) == ADL_OK);
    CHECK(adl_f64(r)[0] == 0 && adl_f64(r)[7] == 7);
    adl_array_release(r);
    /* scalars everywhere give a 0-d result */
    adl_array *s = adl_array_scalar(&ctx, 0);
    REQUIRE(adl_k_where(&ctx, s, s, s, &r) == ADL_OK);
    CHECK_EQ_INT(r->ndim, 0);
    adl_array_release(r);
    adl_array_release(s);
    int64_t s3 = 3;
    adl_array *bad = t_vec(&ctx, s3, NULL);
    CHECK_EQ_INT(adl_k_where(&ctx, c, bad, b, &r), ADL_ERR_VALUE);
    CHECK(strcmp(ctx.msg, "where: operands could not be broadcast together with shapes (4,) (3,) "
                          "(2,1)") == 0);
    CHECK_EQ_INT(adl_k_where(&ctx, c, a, bad, &r), ADL_ERR_VALUE);
    CHECK(strcmp(ctx.msg, "where: operands could not be broadcast together with shapes (4,) (2,4) "
                          "(3,)") == 0);
    adl_array_release(bad);
    adl_array_release(c);
    adl_array_release(a);
    adl_array_release(b);
    LIVE_END;
}

TEST(copy_makes_contiguous) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    int64_t shape[3] = {2, 3, 4};
    adl_array *x = t_array(&ctx, 3, shape, NULL);
    REQUIRE(x != NULL);
    for (int lay = 0; lay < T_NLAYOUTS; lay++) {
        adl_array *v = t_layout(&ctx, x, lay), *r = NULL;
        REQUIRE(v != NULL);
        REQUIRE(adl_k_copy(&ctx, v, &r) == ADL_OK);
        CHECK(adl_array_is_contiguous(r));
        CHECK(r->buf != v->buf);
        CHECK(t_same(r, x, 0));
        adl_array_release(r);
        adl_array_release(v);
    }
    adl_array *s = adl_array_scalar(&ctx, 3), *r = NULL;
    REQUIRE(adl_k_copy(&ctx, s, &r) == ADL_OK);
    CHECK(r->ndim == 0 && adl_f64(r)[0] == 3);
    adl_array_release(r);
    adl_array_release(s);
    adl_array_release(x);
    LIVE_END;
}

TEST(assign_broadcasts_into_any_view) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    int64_t s23[2] = {2, 3}, s3 = 3;
    adl_array *x = t_array(&ctx, 2, s23, NULL);
    double rv[3] = {10, 20, 30};
    adl_array *row = t_vec(&ctx, s3, rv);
    REQUIRE(x && row);
    for (int lay = 0; lay < T_NLAYOUTS; lay++) {
        adl_array *dst = t_layout(&ctx, x, lay);
        REQUIRE(dst != NULL);
        CHECK_EQ_INT(adl_k_assign(&ctx, "setitem", dst, row), ADL_OK);
        int64_t idx[2] = {0, 0};
        int ok = 1;
        do
            ok &= adl_array_get(dst, idx) == rv[idx[1]];
        while (t_next(2, s23, idx));
        CHECK(ok);
        /* elements outside the view are untouched */
        int sentinels = 0;
        for (int64_t i = 0; i < (int64_t)(dst->buf->nbytes / sizeof(double)); i++)
            sentinels += ((double *)dst->buf->data)[i] == -777.0;
        CHECK_EQ_INT(sentinels, lay == T_STRIDED ? 24 - 6 : 0);
        adl_array_release(dst);
    }
    /* a scalar, and a source with extra leading length-1 axes */
    adl_array *s = adl_array_scalar(&ctx, -1);
    REQUIRE(adl_k_assign(&ctx, "setitem", x, s) == ADL_OK);
    CHECK(adl_f64(x)[0] == -1 && adl_f64(x)[5] == -1);
    int64_t s113[3] = {1, 1, 3};
    adl_array *lead = t_array(&ctx, 3, s113, rv);
    REQUIRE(adl_k_assign(&ctx, "setitem", x, lead) == ADL_OK);
    CHECK(adl_f64(x)[3] == 10 && adl_f64(x)[5] == 30);
    /* into a 0-d view */
    int64_t unused = 0; /* memcpy of 0 bytes still wants non-NULL pointers */
    adl_array *one = adl_array_view(&ctx, x, 0, &unused, &unused, 4);
    REQUIRE(adl_k_assign(&ctx, "setitem", one, s) == ADL_OK);
    CHECK(adl_f64(x)[4] == -1);
    adl_array_release(one);
    adl_array_release(lead);
    adl_array_release(s);
    adl_array_release(row);
    adl_array_release(x);
    LIVE_END;
}

TEST(assign_errors) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    int64_t s23[2] = {2, 3}, s4 = 4, s213[3] = {2, 1, 3};
    adl_array *x = t_array(&ctx, 2, s23, NULL), *b = t_vec(&ctx, s4, NULL);
    adl_array *c = t_array(&ctx, 3, s213, NULL);
    REQUIRE(x && b && c);
    CHECK_EQ_INT(adl_k_assign(&ctx, "setitem", x, b), ADL_ERR_VALUE);
    CHECK(strcmp(ctx.msg, "setitem: could not broadcast input array from shape (4,) into shape "
                          "(2,3)") == 0);
    /* the source cannot grow the destination */
    CHECK_EQ_INT(adl_k_assign(&ctx, "index_update", x, c), ADL_ERR_VALUE);
    CHECK(strcmp(ctx.msg, "index_update: could not broadcast input array from shape (2,1,3) into "
                          "shape (2,3)") == 0);
    int64_t s3 = 3;
    adl_array *v3 = t_vec(&ctx, s3, NULL);
    CHECK_EQ_INT(adl_k_assign(&ctx, "setitem", v3, x), ADL_ERR_VALUE);
    CHECK_EQ_INT(adl_k_add_into(&ctx, v3, x), ADL_ERR_VALUE);
    CHECK_STR_CONTAINS(ctx.msg, "add_into: could not broadcast input array from shape (2,3)");
    /* nothing was written */
    CHECK(adl_f64(x)[5] == 5 && adl_f64(v3)[2] == 2);
    adl_array_release(v3);
    adl_array_release(x);
    adl_array_release(b);
    adl_array_release(c);
    LIVE_END;
}

TEST(assign_overlapping_source_is_read_first) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    int64_t n = 6, m = 4, one = 1, neg = -1;
    /* a[2:] = a[:-2], forwards and backwards: NumPy's result either way */
    adl_array *a = t_vec(&ctx, n, NULL);
    adl_array *dst = adl_array_view(&ctx, a, 1, &m, &one, 2);
    adl_array *src = adl_array_view(&ctx, a, 1, &m, &one, 0);
    REQUIRE(a && dst && src);
    REQUIRE(adl_k_assign(&ctx, "setitem", dst, src) == ADL_OK);
    double want1[6] = {0, 1, 0, 1, 2, 3};
    int ok = 1;
    for (int i = 0; i < 6; i++)
        ok &= adl_f64(a)[i] == want1[i];
    CHECK(ok);
    adl_array_release(dst);
    adl_array_release(src);
    /* a[:] = a[::-1] */
    adl_k_fill(a, 0);
    for (int i = 0; i < 6; i++)
        adl_f64(a)[i] = i;
    adl_array *rev = adl_array_view(&ctx, a, 1, &n, &neg, 5);
    REQUIRE(adl_k_assign(&ctx, "setitem", a, rev) == ADL_OK);
    ok = 1;
    for (int i = 0; i < 6; i++)
        ok &= adl_f64(a)[i] == 5 - i;
    CHECK(ok);
    /* a += a[::-1] */
    REQUIRE(adl_k_add_into(&ctx, a, rev) == ADL_OK);
    ok = 1;
    for (int i = 0; i < 6; i++)
        ok &= adl_f64(a)[i] == 5;
    CHECK(ok);
    adl_array_release(rev);
    adl_array_release(a);
    LIVE_END;
}

TEST(add_into_accumulates) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    int64_t shape[2] = {3, 4};
    uint64_t rng = 5;
    adl_array *x = t_random(&ctx, 2, shape, &rng), *y = t_random(&ctx, 2, shape, &rng);
    REQUIRE(x && y);
    for (int ld = 0; ld < T_NLAYOUTS; ld++)
        for (int ls = 0; ls < T_NLAYOUTS; ls++) {
            adl_array *d = t_layout(&ctx, x, ld), *s = t_layout(&ctx, y, ls), *want = NULL;
            REQUIRE(d && s);
            REQUIRE(adl_k_binary(&ctx, ADL_B_ADD, x, y, &want) == ADL_OK);
            REQUIRE(adl_k_add_into(&ctx, d, s) == ADL_OK);
            CHECK(t_same(d, want, 0));
            adl_array_release(want);
            adl_array_release(d);
            adl_array_release(s);
        }
    /* broadcasting source, as `a += b` */
    adl_array *sc = adl_array_scalar(&ctx, 1);
    REQUIRE(adl_k_add_into(&ctx, x, sc) == ADL_OK);
    adl_array_release(sc);
    adl_array_release(x);
    adl_array_release(y);
    LIVE_END;
}

TEST(fill_writes_only_the_view) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    int64_t n = 12;
    adl_array *a = t_vec(&ctx, n, NULL);
    REQUIRE(a != NULL);
    int64_t shape[2] = {2, 3}, st[2] = {-6, 2};
    adl_array *v = adl_array_view(&ctx, a, 2, shape, st, 7);
    REQUIRE(v != NULL);
    adl_k_fill(v, -1);
    double want[12] = {0, -1, 2, -1, 4, -1, 6, -1, 8, -1, 10, -1};
    int ok = 1;
    for (int i = 0; i < 12; i++)
        ok &= adl_f64(a)[i] == want[i];
    CHECK(ok);
    adl_k_fill(a, 2);
    CHECK(adl_f64(a)[0] == 2 && adl_f64(a)[11] == 2);
    adl_array *s = adl_array_scalar(&ctx, 0);
    adl_k_fill(s, 9);
    CHECK(adl_f64(s)[0] == 9);
    int64_t z = 0;
    adl_array *e = adl_array_alloc(&ctx, "test", ADL_FLOAT64, 1, &z);
    adl_k_fill(e, 1);
    adl_array_release(e);
    adl_array_release(s);
    adl_array_release(v);
    adl_array_release(a);
    LIVE_END;
}

TEST(concatenate_axes_and_layouts) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    int64_t s23[2] = {2, 3}, s21[2] = {2, 1}, s03[2] = {0, 3}, s13[2] = {1, 3};
    double v1[2] = {-1, -2}, v2[3] = {7, 8, 9};
    adl_array *x = t_array(&ctx, 2, s23, NULL), *c = t_array(&ctx, 2, s21, v1);
    adl_array *e = t_array(&ctx, 2, s03, NULL), *r13 = t_array(&ctx, 2, s13, v2);
    REQUIRE(x && c && e && r13);
    for (int lay = 0; lay < T_NLAYOUTS; lay++) {
        adl_array *xv = t_layout(&ctx, x, lay), *r = NULL;
        REQUIRE(xv != NULL);
        const adl_array *in1[3] = {xv, c, xv};
        REQUIRE(adl_k_concatenate(&ctx, 3, in1, 1, &r) == ADL_OK);
        CHECK(t_shape_is(r, 2, (int64_t[]){2, 7}));
        double want1[14] = {0, 1, 2, -1, 0, 1, 2, 3, 4, 5, -2, 3, 4, 5};
        int ok = 1;
        for (int i = 0; i < 14; i++)
            ok &= adl_f64(r)[i] == want1[i];
        CHECK(ok);
        adl_array_release(r);
        const adl_array *in0[4] = {e, xv, r13, e};
        REQUIRE(adl_k_concatenate(&ctx, 4, in0, 0, &r) == ADL_OK);
        CHECK(t_shape_is(r, 2, (int64_t[]){3, 3}));
        double want0[9] = {0, 1, 2, 3, 4, 5, 7, 8, 9};
        ok = 1;
        for (int i = 0; i < 9; i++)
            ok &= adl_f64(r)[i] == want0[i];
        CHECK(ok);
        adl_array_release(r);
        adl_array_release(xv);
    }
    /* one array: a copy */
    adl_array *r = NULL;
    const adl_array *in[1] = {x};
    REQUIRE(adl_k_concatenate(&ctx, 1, in, 0, &r) == ADL_OK);
    CHECK(t_same(r, x, 0) && r->buf != x->buf);
    adl_array_release(r);
    adl_array_release(x);
    adl_array_release(c);
    adl_array_release(e);
    adl_array_release(r13);
    LIVE_END;
}

TEST(concatenate_errors) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    int64_t s23[2] = {2, 3}, s22[2] = {2, 2}, s3 = 3;
    adl_array *x = t_array(&ctx, 2, s23, NULL), *y = t_array(&ctx, 2, s22, NULL);
    adl_array *v = t_vec(&ctx, s3, NULL), *s = adl_array_scalar(&ctx, 1), *r = NULL;
    REQUIRE(x && y && v && s);
    const adl_array *a1[3] = {x, x, y};
    CHECK_EQ_INT(adl_k_concatenate(&ctx, 3, a1, 0, &r), ADL_ERR_VALUE);
    CHECK(strcmp(ctx.msg, "concatenate: all the input array dimensions except for the "
                          "concatenation axis must match exactly, but along dimension 2, the "
                          "array at index 1 has size 3 and the array at index 3 has size 2") == 0);
    const adl_array *a2[2] = {x, v};
    CHECK_EQ_INT(adl_k_concatenate(&ctx, 2, a2, 0, &r), ADL_ERR_VALUE);
    CHECK(strcmp(ctx.msg, "concatenate: all the input arrays must have same number of dimensions, "
                          "but the array at index 1 has 2 dimension(s) and the array at index 2 "
                          "has 1 dimension(s)") == 0);
    const adl_array *a3[2] = {s, s};
    CHECK_EQ_INT(adl_k_concatenate(&ctx, 2, a3, 0, &r), ADL_ERR_VALUE);
    CHECK(strcmp(ctx.msg, "concatenate: zero-dimensional arrays cannot be concatenated") == 0);
    CHECK_EQ_INT(adl_k_concatenate(&ctx, 2, a1, 2, &r), ADL_ERR_VALUE);
    CHECK(strcmp(ctx.msg, "concatenate: axis 3 is out of bounds for array of dimension 2") == 0);
    CHECK_EQ_INT(adl_k_concatenate(&ctx, 2, a1, -1, &r), ADL_ERR_VALUE);
    CHECK_EQ_INT(adl_k_concatenate(&ctx, 0, a1, 0, &r), ADL_ERR_VALUE);
    CHECK_STR_CONTAINS(ctx.msg, "need at least one array");
    CHECK(r == NULL);
    adl_array_release(x);
    adl_array_release(y);
    adl_array_release(v);
    adl_array_release(s);
    LIVE_END;
}

/* ---- creation ---- */

TEST(arange_numpy_length_and_values) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    struct {
        double start, stop, step;
        int64_t n;
    } cases[] = {
        {0, 5, 1, 5},      {0, 1, 0.1, 10},      {5, 0, -1, 5},       {0, 0, 1, 0},
        {0, 5, -1, 0},     {0, 1, 0.3, 4},       {1, 2, 0.5, 2},      {-3, 3, 2, 3},
        {0, 1e-300, 1, 1}, {0, 0.9999999, 1, 1}, {0, 5, INFINITY, 1}, {0, -5, INFINITY, 0},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        adl_array *r = NULL;
        REQUIRE(adl_k_arange(&ctx, cases[c].start, cases[c].stop, cases[c].step, &r) == ADL_OK);
        CHECK_EQ_INT(r->ndim, 1);
        CHECK_EQ_INT(r->shape[0], cases[c].n);
        /* NumPy's fill: start + i * ((start + step) - start) */
        double d = (cases[c].start + cases[c].step) - cases[c].start;
        int ok = 1;
        for (int64_t i = 0; i < r->shape[0]; i++)
            ok &= adl_f64(r)[i] == (i == 0   ? cases[c].start
                                    : i == 1 ? cases[c].start + cases[c].step
                                             : cases[c].start + (double)i * d);
        if (!ok)
            printf("  arange(%g, %g, %g) values differ\n", cases[c].start, cases[c].stop,
                   cases[c].step);
        CHECK(ok);
        adl_array_release(r);
    }
    adl_array *r = NULL;
    REQUIRE(adl_k_arange(&ctx, 0, 1, 0.1, &r) == ADL_OK);
    CHECK(adl_f64(r)[3] == 0.30000000000000004); /* NumPy's arange(0, 1, 0.1)[3] */
    adl_array_release(r);
    r = NULL;
    CHECK_EQ_INT(adl_k_arange(&ctx, 0, 5, 0, &r), ADL_ERR_VALUE);
    CHECK_STR_CONTAINS(ctx.msg, "arange: step must not be zero");
    CHECK_EQ_INT(adl_k_arange(&ctx, 0, NAN, 1, &r), ADL_ERR_VALUE);
    CHECK_STR_CONTAINS(ctx.msg, "arange: cannot compute length");
    CHECK_EQ_INT(adl_k_arange(&ctx, 0, INFINITY, 1, &r), ADL_ERR_VALUE);
    CHECK_STR_CONTAINS(ctx.msg, "arange:");
    CHECK_EQ_INT(adl_k_arange(&ctx, 0, 1, 1e-300, &r), ADL_ERR_VALUE);
    CHECK_STR_CONTAINS(ctx.msg, "arange: array is too big");
    CHECK(r == NULL);
    LIVE_END;
}

TEST(linspace_numpy_values) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    adl_array *r = NULL;
    REQUIRE(adl_k_linspace(&ctx, 0, 1, 5, 1, &r) == ADL_OK);
    double w1[5] = {0, 0.25, 0.5, 0.75, 1};
    int ok = 1;
    for (int i = 0; i < 5; i++)
        ok &= adl_f64(r)[i] == w1[i];
    CHECK(ok);
    adl_array_release(r);
    REQUIRE(adl_k_linspace(&ctx, 0, 1, 4, 0, &r) == ADL_OK);
    CHECK_EQ_INT(r->shape[0], 4);
    CHECK(adl_f64(r)[3] == 0.75);
    adl_array_release(r);
    /* i * step + start, the last one exactly stop */
    REQUIRE(adl_k_linspace(&ctx, 0.1, 0.7, 7, 1, &r) == ADL_OK);
    ok = 1;
    double step = (0.7 - 0.1) / 6;
    for (int i = 0; i < 6; i++)
        ok &= adl_f64(r)[i] == (double)i * step + 0.1;
    CHECK(ok);
    CHECK(adl_f64(r)[6] == 0.7);
    adl_array_release(r);
    REQUIRE(adl_k_linspace(&ctx, 3, 9, 1, 1, &r) == ADL_OK);
    CHECK(r->shape[0] == 1 && adl_f64(r)[0] == 3);
    adl_array_release(r);
    REQUIRE(adl_k_linspace(&ctx, 3, 9, 1, 0, &r) == ADL_OK);
    CHECK(r->shape[0] == 1 && adl_f64(r)[0] == 3);
    adl_array_release(r);
    REQUIRE(adl_k_linspace(&ctx, 3, 9, 0, 1, &r) == ADL_OK);
    CHECK_EQ_INT(r->shape[0], 0);
    adl_array_release(r);
    REQUIRE(adl_k_linspace(&ctx, 5, 1, 3, 1, &r) == ADL_OK);
    CHECK(adl_f64(r)[1] == 3 && adl_f64(r)[2] == 1);
    adl_array_release(r);
    /* a span so small that the step underflows to 0: NumPy then scales
     * i / div by the span, which still reaches the one subnormal in it */
    double tiny = nextafter(0.0, 1.0);
    REQUIRE(adl_k_linspace(&ctx, 0, tiny, 4, 1, &r) == ADL_OK);
    CHECK(adl_f64(r)[1] == 0 && adl_f64(r)[2] == tiny && adl_f64(r)[3] == tiny);
    adl_array_release(r);
    CHECK_EQ_INT(adl_k_linspace(&ctx, 0, 1, -1, 1, &r), ADL_ERR_VALUE);
    CHECK(strcmp(ctx.msg, "linspace: Number of samples, -1, must be non-negative.") == 0);
    LIVE_END;
}

TEST(eye_with_offsets) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    struct {
        int64_t n, m, k;
    } cases[] = {{3, 3, 0},  {3, 4, 1}, {4, 3, -1}, {3, 3, 3},         {3, 3, -3},
                 {2, 5, -1}, {0, 0, 0}, {1, 1, 0},  {3, 2, INT64_MAX}, {3, 2, INT64_MIN}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        adl_array *r = NULL;
        REQUIRE(adl_k_eye(&ctx, cases[c].n, cases[c].m, cases[c].k, &r) == ADL_OK);
        CHECK(t_shape_is(r, 2, (int64_t[]){cases[c].n, cases[c].m}));
        int ok = 1;
        for (int64_t i = 0; i < cases[c].n; i++)
            for (int64_t j = 0; j < cases[c].m; j++)
                ok &= adl_f64(r)[i * cases[c].m + j] == (j - i == cases[c].k ? 1.0 : 0.0);
        CHECK(ok);
        adl_array_release(r);
    }
    adl_array *r = NULL;
    CHECK_EQ_INT(adl_k_eye(&ctx, -1, 2, 0, &r), ADL_ERR_VALUE);
    CHECK_STR_CONTAINS(ctx.msg, "eye: negative dimensions are not allowed");
    CHECK(r == NULL);
    LIVE_END;
}
