/* jvp.c: forward-mode rules (Jacobian-vector products) of the primitives.
 *
 * Rules are written with traced operations, as the reverse rules are, so a
 * forward trace nests with other forward and reverse traces to any order.
 * Four kinds cover the primitives:
 *
 * - elementwise operations: the Jacobian is diagonal, so the forward rule
 *   is the reverse rule's formula applied to the tangent (f'(x) * t,
 *   broadcast to the output);
 * - operations linear in each argument (shapes, sums, indexing, dot,
 *   astype): the operation itself applied to the tangent in that argument's
 *   place;
 * - their own formulas: max/min and concatenate here, np.linalg's in
 *   linalg_rules.c;
 * - a user's primitive uses its defjvp rule; without one, its reverse rule
 *   is transposed for that one operation: a reverse trace records the rule
 *   with a symbolic seed u, and sweeping it seeded with the tangent gives
 *   J t, the same construction as the Jacobian's forward side
 *   (docs/operators.md).
 */
#include "alloc.h"
#include "gather.h"
#include "linalg.h"
#include "rule_scope.h"

#include <math.h>

typedef enum { TRANSPOSED, ELEMENTWISE, LINEAR, OWN } jvp_kind;

static jvp_kind kind_of(adl_opcode op) {
    switch (op) {
    case ADL_OP_NEG:
    case ADL_OP_EXP:
    case ADL_OP_LOG:
    case ADL_OP_LOG1P:
    case ADL_OP_SQRT:
    case ADL_OP_SIN:
    case ADL_OP_COS:
    case ADL_OP_TAN:
    case ADL_OP_TANH:
    case ADL_OP_ABS:
    case ADL_OP_SQUARE:
    case ADL_OP_ADD:
    case ADL_OP_SUB:
    case ADL_OP_DIV:
    case ADL_OP_POW:
    case ADL_OP_MAXIMUM:
    case ADL_OP_MINIMUM:
    case ADL_OP_WHERE:
    case ADL_OP_EXPM1:
    case ADL_OP_LOG2:
    case ADL_OP_LOG10:
    case ADL_OP_ARCSIN:
    case ADL_OP_ARCCOS:
    case ADL_OP_ARCTAN:
    case ADL_OP_ARCTAN2:
    case ADL_OP_EXP2:
    case ADL_OP_SINH:
    case ADL_OP_COSH:
    case ADL_OP_ARCSINH:
    case ADL_OP_ARCCOSH:
    case ADL_OP_ARCTANH:
    case ADL_OP_MOD:
    case ADL_OP_HYPOT:
        return ELEMENTWISE;
    case ADL_OP_MUL:
    case ADL_OP_SUM:
    case ADL_OP_DOT:
    case ADL_OP_RESHAPE:
    case ADL_OP_TRANSPOSE:
    case ADL_OP_BROADCAST_TO:
    case ADL_OP_GETITEM:
    case ADL_OP_SCATTER:
    case ADL_OP_COPY:
    case ADL_OP_TAKE:
    case ADL_OP_TAKE_ADD:
    case ADL_OP_ASTYPE:
        return LINEAR;
    case ADL_OP_MAX:
    case ADL_OP_MIN:
    case ADL_OP_CONCATENATE:
    case ADL_OP_INV:
    case ADL_OP_SOLVE:
    case ADL_OP_DET:
    case ADL_OP_LOGABSDET:
    case ADL_OP_CHOLESKY:
    case ADL_OP_EIGH:
    case ADL_OP_SVD:
    case ADL_OP_NORM2:
        return OWN;
    default:
        return TRANSPOSED;
    }
}

int adl_jvp_has_rule(adl_opcode op) {
    return kind_of(op) != TRANSPOSED;
}

/* Whether input k is a constant of the operation (positions, a condition). */
static int constant_input(adl_opcode op, int k) {
    return (k == 1 && (op == ADL_OP_TAKE || op == ADL_OP_TAKE_ADD)) ||
           (k == 0 && op == ADL_OP_WHERE);
}

/* op with input k replaced by its tangent t. */
static adl_array *linear(scope *s, adl_opcode op, int nin, adl_array *const *in, int k,
                         adl_array *t, const adl_params *p) {
    adl_array *args[2] = {in[0], nin > 1 ? in[1] : NULL}, *r = NULL;
    if (s->st)
        return NULL;
    args[k] = t;
    return keep(s, adl_apply(s->ctx, op, nin, args, p, &r), &r);
}

/* sum(a) over the axes of the reduction p (its keepdims). */
static adl_array *reduced_sum(scope *s, adl_array *a, const adl_params *p) {
    adl_params q;
    memset(&q, 0, sizeof q);
    q.naxes = p->naxes;
    memcpy(q.axes, p->axes, sizeof q.axes);
    q.keepdims = p->keepdims;
    return apply1(s, ADL_OP_SUM, a, &q);
}

/* max/min: the tangent where x attains the extreme, averaged over ties (the
 * transpose of the reverse rule's even split). */
static adl_array *extreme_jvp(scope *s, adl_array *x, adl_array *ans, adl_array *t,
                              const adl_params *p) {
    adl_array *share = extreme_share(s, x, keepdims_shape(s, ans, x, p), p);
    return reduced_sum(s, MUL(t, share), p);
}

/* concatenate of the tangents, zeros for inputs without one. */
static adl_array *concatenate_jvp(scope *s, int nin, adl_array *const *in,
                                  adl_array *const *tangent, const adl_params *p) {
    enum { INLINE = 8 };
    adl_array *parts_in[INLINE], **parts = parts_in, *r = NULL;
    if (nin > INLINE && !(parts = adl_malloc(sizeof *parts * (size_t)nin))) {
        s->st = adl_error_nomem(s->ctx, "concatenate");
        return NULL;
    }
    for (int i = 0; i < nin && s->st == ADL_OK; i++) {
        parts[i] = tangent[i];
        if (!parts[i]) {
            adl_array *z =
                adl_array_zeros(s->ctx, "concatenate", in[i]->dtype, in[i]->ndim, in[i]->shape);
            parts[i] = keep(s, z ? ADL_OK : s->ctx->status, &z);
        }
    }
    if (s->st == ADL_OK)
        keep(s, adl_concatenate(s->ctx, nin, parts, p->axes[0], &r), &r);
    if (parts != parts_in)
        adl_free(parts);
    return r;
}

/* Input k's part of the tangent, by the op's own formula. */
static adl_array *own_rule(scope *s, adl_opcode op, adl_array *const *in, int k, adl_array *t,
                           const adl_params *p, adl_array *ans) {
    adl_array *a = in[0];
    switch (op) {
    case ADL_OP_MAX:
    case ADL_OP_MIN:
        return extreme_jvp(s, a, ans, t, p);
    default:
        if (adl_op_is_linalg(op)) { /* linalg_rules.c */
            adl_array *r = NULL;
            return s->st ? NULL : keep(s, adl_linalg_jvp(s->ctx, op, in, k, t, p, ans, &r), &r);
        }
        s->st = adl_error(s->ctx, ADL_ERR_INTERNAL, "make_jvp: no forward rule for %s",
                          adl_op_name(op));
        return NULL;
    }
}

/* A record of op at these inputs, for calling its reverse rule. */
static adl_node node_of(adl_opcode op, int nin, adl_array *const *in, const adl_params *p,
                        adl_array *ans) {
    adl_node n;
    memset(&n, 0, sizeof n);
    n.op = op;
    n.nin = nin;
    n.in = (adl_array **)in;
    n.out = ans;
    n.params = (adl_params *)p;
    return n;
}

/* 2 + cos(k) at position k: a seed with no zero, so that a reverse rule
 * which skips terms whose incoming gradient is zero (eigh, svd, users'
 * rules) keeps them (docs/operators.md). */
static adl_array *seed_pattern(scope *s, const adl_array *like) {
    if (s->st)
        return NULL;
    adl_array *u = adl_array_alloc(s->ctx, "make_jvp", ADL_FLOAT64, like->ndim, like->shape);
    if (!keep(s, u ? ADL_OK : s->ctx->status, &u))
        return NULL;
    for (int64_t i = 0; i < u->size; i++)
        adl_f64(u)[i] = 2.0 + cos((double)(i + 1));
    if (like->dtype == ADL_FLOAT64)
        return u;
    adl_array *c = NULL;
    return keep(s, adl_k_astype(s->ctx, u, like->dtype, &c), &c);
}

/* J_k t by transposing the reverse rule: the rule seeded with a leaf u is
 * J_k^T u, linear in u; the gradient of <J_k^T u, t> with respect to u is
 * J_k t. */
static adl_array *transposed_rule(scope *s, adl_opcode op, int nin, adl_array *const *in, int k,
                                  adl_array *t, const adl_params *p, adl_array *ans) {
    adl_array *seed = seed_pattern(s, ans);
    if (!seed)
        return NULL;
    adl_trace *r;
    adl_status st = adl_trace_begin(s->ctx, &r);
    if (st) {
        s->st = st;
        return NULL;
    }
    adl_node n = node_of(op, nin, in, p, ans);
    adl_array *u = NULL, *g = NULL, *fitted = NULL, *jt = NULL;
    st = adl_trace_leaf(s->ctx, r, seed, &u);
    if (st == ADL_OK)
        st = adl_vjp(s->ctx, &n, k, u, 0, &g);
    if (st == ADL_OK)
        st = adl_sum_to(s->ctx, g, in[k]->ndim, in[k]->shape, &fitted);
    if (st == ADL_OK)
        st = adl_trace_backward(s->ctx, r, fitted, t);
    if (st == ADL_OK)
        st = adl_trace_grad(s->ctx, r, u, &jt);
    adl_array_release(u);
    adl_array_release(g);
    adl_array_release(fitted);
    adl_trace_end(s->ctx, r);
    return keep(s, st, &jt);
}

/* Input k's part of the output's tangent. */
static adl_array *part(scope *s, adl_opcode op, int nin, adl_array *const *in, int k, adl_array *t,
                       const adl_params *p, adl_array *ans) {
    switch (kind_of(op)) {
    case ELEMENTWISE: {
        adl_node n = node_of(op, nin, in, p, ans);
        adl_array *r = NULL;
        return s->st ? NULL : keep(s, adl_vjp(s->ctx, &n, k, t, 0, &r), &r);
    }
    case LINEAR:
        return linear(s, op, nin, in, k, t, p);
    case OWN:
        return own_rule(s, op, in, k, t, p, ans);
    case TRANSPOSED:
    default:
        break;
    }
    if (op == ADL_OP_CUSTOM && p->custom->jvp) {
        adl_array *r = NULL;
        adl_status st = p->custom->jvp(s->ctx, p->custom, nin, in, ans, k, t, &r);
        if (st || r)
            return keep(s, st, &r);
    }
    return transposed_rule(s, op, nin, in, k, t, p, ans);
}

/* The part shaped and typed as the output (a tangent of a broadcast
 * operand, or of a float32 operand meeting float64). */
static adl_array *fit(scope *s, adl_array *t, const adl_array *ans) {
    if (t && !adl_shape_equal(t->ndim, t->shape, ans->ndim, ans->shape))
        t = broadcast(s, t, ans);
    if (t && t->dtype != ans->dtype && s->st == ADL_OK) {
        adl_array *r = NULL;
        t = keep(s, adl_astype(s->ctx, t, ans->dtype, &r), &r);
    }
    return t;
}

adl_status adl_jvp(adl_ctx *ctx, adl_opcode op, int nin, adl_array *const *in,
                   adl_array *const *tangent, const adl_params *p, adl_array *ans,
                   adl_array **out) {
    *out = NULL;
    int any = 0;
    for (int k = 0; k < nin; k++)
        any |= tangent[k] && !constant_input(op, k);
    if (!any)
        return ADL_OK; /* a zero tangent stays symbolic: no arrays */
    int debug = ctx->debug_nans;
    if (debug)
        ctx->debug_nans = 2;
    scope s = {ctx, ADL_OK, 0, {0}};
    adl_array *sum = NULL;
    if (op == ADL_OP_CONCATENATE)
        sum = fit(&s, concatenate_jvp(&s, nin, in, tangent, p), ans);
    else
        for (int k = 0; k < nin && s.st == ADL_OK; k++) {
            if (!tangent[k] || constant_input(op, k))
                continue;
            adl_array *t = fit(&s, part(&s, op, nin, in, k, tangent[k], p, ans), ans);
            sum = sum ? bin(&s, ADL_OP_ADD, sum, t) : t;
        }
    ctx->debug_nans = debug;
    adl_status st = finish(&s, sum, out);
    /* with debug_nans: a NaN or Inf from finite tangents blames op's derivative */
    if (st == ADL_OK && debug &&
        (st = adl_nan_check(ctx, adl_op_name(op), 1, nin, tangent, *out, NULL))) {
        adl_array_release(*out);
        *out = NULL;
    }
    return st;
}
