/* test_linalg.c: the LAPACK layer (lapack.c) and the linalg forwards on
 * plain arrays: values, and LAPACK's failures turned into errors. */
#include "linalg.h"
#include "test_util.h"

TEST(lapack_inv_and_singular) {
    double a[4] = {4, 7, 2, 6}; /* det 10 */
    CHECK_EQ_INT(adl_lapack_inv(2, a), 0);
    CHECK_NEAR(a[0], 0.6, 1e-15);
    CHECK_NEAR(a[1], -0.7, 1e-15);
    CHECK_NEAR(a[2], -0.2, 1e-15);
    CHECK_NEAR(a[3], 0.4, 1e-15);
    double s[4] = {1, 2, 2, 4};
    CHECK(adl_lapack_inv(2, s) > 0);
}

TEST(lapack_det_sign_and_log) {
    double a[4] = {0, 1, 1, 0}, sign, logabs, det;
    CHECK_EQ_INT(adl_lapack_det(2, a, &sign, &logabs, &det), 0);
    CHECK_NEAR(sign, -1, 0);
    CHECK_NEAR(logabs, 0, 1e-15);
    CHECK_NEAR(det, -1, 1e-15);
    double z[4] = {1, 2, 2, 4};
    CHECK_EQ_INT(adl_lapack_det(2, z, &sign, &logabs, &det), 0);
    CHECK(sign == 0 && det == 0 && isinf(logabs) && logabs < 0);
}

TEST(lapack_cholesky_eigh_svd) {
    double a[4] = {4, 2, 2, 3};
    CHECK_EQ_INT(adl_lapack_cholesky(2, a), 0);
    CHECK_NEAR(a[0], 2, 1e-15);
    CHECK_NEAR(a[1], 0, 0); /* upper part zeroed */
    CHECK_NEAR(a[2], 1, 1e-15);
    CHECK_NEAR(a[3], sqrt(2), 1e-15);
    double bad[4] = {1, 2, 2, 1};
    CHECK(adl_lapack_cholesky(2, bad) > 0);
    double e[4] = {2, 1, 1, 2}, w[2];
    CHECK_EQ_INT(adl_lapack_eigh(2, e, w), 0);
    CHECK_NEAR(w[0], 1, 1e-14);
    CHECK_NEAR(w[1], 3, 1e-14);
    double m[6] = {3, 0, 0, 0, 2, 0}, u[4], sv[2], vt[6];
    CHECK_EQ_INT(adl_lapack_svd(2, 3, m, u, sv, vt, 0), 0);
    CHECK_NEAR(sv[0], 3, 1e-14);
    CHECK_NEAR(sv[1], 2, 1e-14);
}

TEST(linalg_forward_errors_free_everything) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    int64_t shape[2] = {2, 2};
    double sing[4] = {1, 2, 2, 4};
    adl_array *s = t_array(&ctx, 2, shape, sing), *r = NULL;
    CHECK(adl_linalg_inv(&ctx, s, &r) == ADL_ERR_VALUE);
    CHECK_STR_CONTAINS(ctx.msg, "linalg.inv: Singular matrix");
    CHECK(adl_linalg_cholesky(&ctx, s, &r) == ADL_ERR_VALUE);
    CHECK_STR_CONTAINS(ctx.msg, "linalg.cholesky: Matrix is not positive definite");
    int64_t v3 = 3;
    adl_array *b = t_vec(&ctx, 3, NULL);
    CHECK(adl_linalg_solve(&ctx, s, b, &r) == ADL_ERR_VALUE);
    CHECK_STR_CONTAINS(ctx.msg, "(2,2) and (3,)");
    CHECK(adl_linalg_det(&ctx, b, &r) == ADL_ERR_VALUE);
    CHECK_STR_CONTAINS(ctx.msg, "1-dimensional array given");
    (void)v3;
    adl_array *w = NULL, *v = NULL;
    double sym[4] = {2, 1, 1, 2};
    adl_array *m = t_array(&ctx, 2, shape, sym);
    REQUIRE(adl_linalg_eigh(&ctx, m, &w, &v) == ADL_OK);
    CHECK_EQ_INT(w->ndim, 1);
    CHECK_EQ_INT(v->shape[0], 2);
    CHECK_NEAR(adl_array_get(w, (int64_t[]){1}), 3, 1e-14);
    adl_array_release(w);
    adl_array_release(v);
    adl_array_release(m);
    adl_array_release(s);
    adl_array_release(b);
    LIVE_END;
}
