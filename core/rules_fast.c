/* rules_fast.c: fused derivative rules for the sweep that no outer trace
 * records.
 *
 * The general rules (rules.c) are compositions of traced operations, so a
 * backward pass can itself be differentiated.  When the node's values and the
 * incoming gradient are all plain arrays, nothing will record the rule, and
 * a chain such as g * (1 - tanh(x)^2) can run as one loop with one result
 * instead of four temporaries.  These fused forms compute the same formulas
 * as rules.c, element by element, and only cover contiguous float64 arrays of
 * the output's shape; anything else goes to the general rule. */
#include "trace.h"

#include <math.h>
#include <string.h>

static int plain_f64(const adl_array *a) {
    return a->level == 0 && a->dtype == ADL_FLOAT64 && adl_array_is_contiguous(a);
}

static int same_shape(const adl_array *a, const adl_array *b) {
    return adl_shape_equal(a->ndim, a->shape, b->ndim, b->shape);
}

/* The loops of the rules below run inline for a few numbers (the
 * sweep, which is flattened, takes them in); longer ones go to an out-of-
 * line copy compiled here, with this file's -O3 vectorisation, which the
 * sweep's -O2 would not give them.  Elementwise, so the same bits. */
#define SHORT_RULE 8

/* The result r[i] = f(g[i], u[i]) of a unary op's rule, u being x or ans:
 * NAME, and its out-of-line copy NAME_long for more than SHORT_RULE. */
#define FUSED_LOOP(EXPR)              \
    for (int64_t i = 0; i < n; i++) { \
        double gi = g[i], ui = u[i];  \
        r[i] = (EXPR);                \
    }
#define FUSED(NAME, EXPR)                                                                          \
    static __attribute__((noinline)) void NAME##_long(double *r, const double *g, const double *u, \
                                                      int64_t n) {                                 \
        FUSED_LOOP(EXPR)                                                                           \
    }                                                                                              \
    static void NAME(double *r, const double *g, const double *u, int64_t n) {                     \
        if (n > SHORT_RULE) {                                                                      \
            NAME##_long(r, g, u, n);                                                               \
            return;                                                                                \
        }                                                                                          \
        FUSED_LOOP(EXPR)                                                                           \
    }
FUSED(tanh_rule, gi *(1.0 - ui * ui)) /* u = ans */
FUSED(tan_rule, gi *(1.0 + ui * ui))  /* u = ans */
FUSED(exp_rule, gi *ui)               /* u = ans */
FUSED(sqrt_rule, gi / (ui * 2.0))     /* u = ans */
FUSED(log_rule, gi / ui)              /* u = x */
FUSED(log1p_rule, gi / (ui + 1.0))    /* u = x */
FUSED(sin_rule, gi *cos(ui))          /* u = x */
FUSED(cos_rule, -(gi *sin(ui)))       /* u = x */
FUSED(square_rule, gi *(ui * 2.0))    /* u = x */
#undef FUSED
#undef FUSED_LOOP

typedef void (*fused_fn)(double *, const double *, const double *, int64_t);

/* Where a rule's result goes: into g's own numbers when the sweep is done
 * with g (spend_g) and nothing else holds them (no other reference, no view,
 * no tape record), which saves an array per node of a chain; else a new
 * array of g's shape.  Each element is read before it is written, so the
 * loops above run in place unchanged. */
static adl_array *result_for(adl_ctx *ctx, adl_array *g, int spend_g) {
    if (spend_g && g->refcount == 1 && g->buf->refcount == 1 && g->buf->saved == 0 &&
        !g->buf->release) {
        adl_array_retain(g);
        return g;
    }
    return adl_array_alloc(ctx, "grad", ADL_FLOAT64, g->ndim, g->shape);
}

static adl_status unary_rule(adl_ctx *ctx, fused_fn fn, const adl_array *u, adl_array *g,
                             int spend_g, adl_array **out) {
    if (!plain_f64(u) || !plain_f64(g) || !same_shape(u, g))
        return ADL_OK;
    adl_array *r = result_for(ctx, g, spend_g);
    if (!r)
        return ctx->status;
    fn(adl_f64(r), adl_f64(g), adl_f64(u), g->size);
    *out = r;
    return ADL_OK;
}

/* dot of a (1,k) row or (k,) vector with a (k,) vector: the gradient for
 * the matrix side is g times the vector, laid out as the matrix. */
static adl_status dot_rule(adl_ctx *ctx, const adl_node *n, int k, const adl_array *g,
                           adl_array **out) {
    const adl_array *a = n->in[0], *b = n->in[1];
    if (k != 0 || b->ndim != 1 || a->ndim != 2 || a->shape[0] != 1 || g->size != 1 ||
        b->level != 0 || b->dtype != ADL_FLOAT64 || g->level != 0 || g->dtype != ADL_FLOAT64)
        return ADL_OK;
    adl_array *r = adl_array_alloc(ctx, "grad", ADL_FLOAT64, a->ndim, a->shape);
    if (!r)
        return ctx->status;
    double gv = *adl_f64(g), *rp = adl_f64(r);
    const double *bp = adl_f64(b);
    for (int64_t i = 0; i < b->size; i++)
        rp[i] = gv * bp[i * b->strides[0]]; /* b is often a column of a matrix */
    *out = r;
    return ADL_OK;
}

/* scale_rule's loops: r = sign * g, g * c[0], or g * c elementwise (c_step
 * 0 or 1; sign only without c). */
#define SCALE_LOOPS(r, g, c, c_step, sign, n) \
    do {                                      \
        if (!(c)) {                           \
            for (int64_t i = 0; i < (n); i++) \
                (r)[i] = (sign) * (g)[i];     \
        } else if (!(c_step)) {               \
            double cv = *(c);                 \
            for (int64_t i = 0; i < (n); i++) \
                (r)[i] = (g)[i] * cv;         \
        } else {                              \
            for (int64_t i = 0; i < (n); i++) \
                (r)[i] = (g)[i] * (c)[i];     \
        }                                     \
    } while (0)

static __attribute__((noinline)) void scale_long(double *r, const double *g, const double *c,
                                                 int c_step, double sign, int64_t n) {
    SCALE_LOOPS(r, g, c, c_step, sign, n);
}

/* r = g * c (c: one number, or an array of g's shape) and r = -g: the rules
 * of *, - and unary minus. */
static adl_status scale_rule(adl_ctx *ctx, adl_array *g, const adl_array *c, double sign,
                             int spend_g, adl_array **out) {
    if (!plain_f64(g) || (c && (!plain_f64(c) || (c->size != 1 && !same_shape(c, g)))))
        return ADL_OK;
    adl_array *r = result_for(ctx, g, spend_g);
    if (!r)
        return ctx->status;
    double *rp = adl_f64(r);
    const double *gp = adl_f64(g), *cp = c ? adl_f64(c) : NULL;
    int c_step = c && c->size != 1;
    if (g->size > SHORT_RULE)
        scale_long(rp, gp, cp, c_step, sign, g->size);
    else
        SCALE_LOOPS(rp, gp, cp, c_step, sign, g->size);
    *out = r;
    return ADL_OK;
}

/* Its one caller, adl_vjp, is flattened: these rules and adl_array_alloc's
 * fast path are inlined there. */
adl_status adl_vjp_fused(adl_ctx *ctx, const adl_node *n, int k, adl_array *g, int spend_g,
                         adl_array **out) {
    *out = NULL;
    const adl_array *x = n->in[0], *ans = n->out;
    switch (n->op) {
    case ADL_OP_TANH:
        return unary_rule(ctx, tanh_rule, ans, g, spend_g, out);
    case ADL_OP_TAN:
        return unary_rule(ctx, tan_rule, ans, g, spend_g, out);
    case ADL_OP_EXP:
        return unary_rule(ctx, exp_rule, ans, g, spend_g, out);
    case ADL_OP_SQRT:
        return unary_rule(ctx, sqrt_rule, ans, g, spend_g, out);
    case ADL_OP_LOG:
        return unary_rule(ctx, log_rule, x, g, spend_g, out);
    case ADL_OP_LOG1P:
        return unary_rule(ctx, log1p_rule, x, g, spend_g, out);
    case ADL_OP_SIN:
        return unary_rule(ctx, sin_rule, x, g, spend_g, out);
    case ADL_OP_COS:
        return unary_rule(ctx, cos_rule, x, g, spend_g, out);
    case ADL_OP_SQUARE:
        return unary_rule(ctx, square_rule, x, g, spend_g, out);
    case ADL_OP_DOT:
        return dot_rule(ctx, n, k, g, out);
    case ADL_OP_NEG:
        return scale_rule(ctx, g, NULL, -1.0, spend_g, out);
    case ADL_OP_SUB:
        return k == 1 ? scale_rule(ctx, g, NULL, -1.0, spend_g, out) : ADL_OK;
    case ADL_OP_MUL:
        /* the other factor, when it broadcasts as one number or not at all;
         * the sweep sums the result back to this input's shape */
        return scale_rule(ctx, g, n->in[1 - k], 1.0, spend_g, out);
    default:
        return ADL_OK;
    }
}
