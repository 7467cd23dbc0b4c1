/* test_trace.c: the tracer on its own (no Lua): forward traces give the
 * tangents of the forward rules (jvp.c), agree with reverse mode where a
 * rule is transposed, nest with reverse traces, and free everything. */
#include "linalg.h"
#include "test_util.h"

/* The tangent of f at x along v on a forward trace (NULL on error). */
static adl_array *jvp_of(adl_ctx *ctx, adl_status (*f)(adl_ctx *, adl_array *, adl_array **),
                         adl_array *x, adl_array *v) {
    adl_trace *t;
    adl_array *box = NULL, *y = NULL, *tangent = NULL;
    if (adl_trace_begin_forward(ctx, &t))
        return NULL;
    if (adl_trace_dual(ctx, t, x, v, &box) == ADL_OK && f(ctx, box, &y) == ADL_OK)
        adl_trace_grad(ctx, t, y, &tangent);
    adl_array_release(box);
    adl_array_release(y);
    adl_trace_end(ctx, t);
    return tangent;
}

/* sum(exp(x) * x) */
static adl_status exp_times_x(adl_ctx *ctx, adl_array *x, adl_array **out) {
    adl_array *e = NULL, *m = NULL;
    adl_status st = adl_unary(ctx, ADL_OP_EXP, x, &e);
    if (st == ADL_OK)
        st = adl_binary(ctx, ADL_OP_MUL, e, x, &m);
    if (st == ADL_OK)
        st = adl_reduce(ctx, ADL_OP_SUM, m, -1, NULL, 0, out);
    adl_array_release(e);
    adl_array_release(m);
    return st;
}

TEST(forward_trace_gives_the_directional_derivative) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    double xv[3] = {0.1, -0.5, 0.8}, vv[3] = {1, 2, -1};
    adl_array *x = t_vec(&ctx, 3, xv), *v = t_vec(&ctx, 3, vv);
    adl_array *t = jvp_of(&ctx, exp_times_x, x, v);
    REQUIRE(t != NULL);
    double expect = 0;
    for (int i = 0; i < 3; i++)
        expect += exp(xv[i]) * (xv[i] + 1) * vv[i];
    CHECK_EQ_INT(t->ndim, 0);
    CHECK_NEAR(*adl_f64(t), expect, 1e-14);
    CHECK_EQ_INT(ctx.depth, 0);
    adl_array_release(t);
    adl_array_release(x);
    adl_array_release(v);
    LIVE_END;
}

/* The lower Cholesky factor: its forward rule transposes the reverse rule. */
static adl_status cholesky_sum(adl_ctx *ctx, adl_array *a, adl_array **out) {
    adl_array *l = NULL, *w = NULL;
    double wv[4] = {1, 0, 0.5, -2};
    int64_t shape[2] = {2, 2};
    adl_status st = adl_linalg_cholesky(ctx, a, &l);
    if (st == ADL_OK && !(w = t_array(ctx, 2, shape, wv)))
        st = ctx->status;
    adl_array *m = NULL;
    if (st == ADL_OK)
        st = adl_binary(ctx, ADL_OP_MUL, l, w, &m);
    if (st == ADL_OK)
        st = adl_reduce(ctx, ADL_OP_SUM, m, -1, NULL, 0, out);
    adl_array_release(l);
    adl_array_release(w);
    adl_array_release(m);
    return st;
}

TEST(forward_trace_transposed_rule_agrees_with_reverse_mode) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    int64_t shape[2] = {2, 2};
    double av[4] = {4, 2, 2, 3}, vv[4] = {0.5, 0, -1, 2}; /* lower triangle read */
    adl_array *a = t_array(&ctx, 2, shape, av), *v = t_array(&ctx, 2, shape, vv);
    adl_array *t = jvp_of(&ctx, cholesky_sum, a, v);
    REQUIRE(t != NULL);
    /* <grad, v> from a reverse trace */
    adl_trace *r;
    adl_array *box = NULL, *y = NULL, *g = NULL;
    REQUIRE(adl_trace_begin(&ctx, &r) == ADL_OK);
    CHECK(adl_trace_leaf(&ctx, r, a, &box) == ADL_OK);
    CHECK(cholesky_sum(&ctx, box, &y) == ADL_OK);
    CHECK(adl_trace_backward(&ctx, r, y, NULL) == ADL_OK);
    CHECK(adl_trace_grad(&ctx, r, box, &g) == ADL_OK);
    adl_trace_end(&ctx, r);
    REQUIRE(g != NULL);
    double dot = 0;
    for (int i = 0; i < 4; i++)
        dot += adl_f64(g)[i] * vv[i];
    CHECK_NEAR(*adl_f64(t), dot, 1e-13);
    CHECK(fabs(dot) > 0.1);
    adl_array_release(t);
    adl_array_release(g);
    adl_array_release(box);
    adl_array_release(y);
    adl_array_release(a);
    adl_array_release(v);
    LIVE_END;
}

TEST(forward_over_reverse_is_the_hessian_vector_product) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    double xv[2] = {0.3, -0.4}, vv[2] = {1, 0.5};
    adl_array *x = t_vec(&ctx, 2, xv), *v = t_vec(&ctx, 2, vv);
    /* forward trace outside, the gradient of sum(exp(x) * x) inside */
    adl_trace *f, *r;
    adl_array *dual = NULL, *box = NULL, *y = NULL, *g = NULL, *hv = NULL;
    REQUIRE(adl_trace_begin_forward(&ctx, &f) == ADL_OK);
    CHECK(adl_trace_is_forward(f));
    CHECK(adl_trace_dual(&ctx, f, x, v, &dual) == ADL_OK);
    REQUIRE(adl_trace_begin(&ctx, &r) == ADL_OK);
    CHECK(adl_trace_leaf(&ctx, r, dual, &box) == ADL_OK);
    CHECK(exp_times_x(&ctx, box, &y) == ADL_OK);
    CHECK(adl_trace_backward(&ctx, r, y, NULL) == ADL_OK);
    CHECK(adl_trace_grad(&ctx, r, box, &g) == ADL_OK);
    adl_trace_end(&ctx, r);
    /* a reverse sweep on a forward trace is refused */
    CHECK(adl_trace_backward(&ctx, f, g, NULL) == ADL_ERR_INTERNAL);
    CHECK(adl_trace_grad(&ctx, f, g, &hv) == ADL_OK);
    adl_trace_end(&ctx, f);
    REQUIRE(hv != NULL);
    /* d2/dx2 (e^x x) = e^x (x + 2): H is diagonal */
    for (int i = 0; i < 2; i++)
        CHECK_NEAR(adl_f64(hv)[i], exp(xv[i]) * (xv[i] + 2) * vv[i], 1e-14);
    adl_array_release(hv);
    adl_array_release(g);
    adl_array_release(y);
    adl_array_release(box);
    adl_array_release(dual);
    adl_array_release(x);
    adl_array_release(v);
    LIVE_END;
}

TEST(forward_trace_without_tangent_is_zero) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    adl_array *x = t_vec(&ctx, 3, NULL);
    adl_array *t = jvp_of(&ctx, exp_times_x, x, NULL);
    REQUIRE(t != NULL);
    CHECK_NEAR(*adl_f64(t), 0, 0);
    adl_array_release(t);
    adl_array_release(x);
    LIVE_END;
}
