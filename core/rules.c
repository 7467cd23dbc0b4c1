/* rules.c: the derivative (vector-Jacobian product) rule of every primitive.
 *
 * Rules are written with the traced operations themselves, so a backward
 * sweep that runs inside an outer trace is recorded there and can be
 * differentiated again.  Each rule is one expression in a scope
 * (rule_scope.h). */
#include "gather.h"
#include "linalg.h"
#include "rule_scope.h"

#include <string.h>

/* (n,) -> (n,1) or (1,n) for outer products. */
static adl_array *column(scope *s, adl_array *a) {
    int64_t shape[2] = {a ? a->size : 0, 1};
    return reshape(s, a, 2, shape);
}
static adl_array *row(scope *s, adl_array *a) {
    int64_t shape[2] = {1, a ? a->size : 0};
    return reshape(s, a, 2, shape);
}

static adl_array *dot_vjp(scope *s, const adl_node *n, int k, adl_array *g) {
    adl_array *a = n->in[0], *b = n->in[1];
    if (a->ndim == 0 || b->ndim == 0 || (a->ndim == 1 && b->ndim == 1))
        return MUL(g, k == 0 ? b : a);
    adl_array *ab;
    if (a->ndim == 2 && b->ndim == 1) /* (n,k)(k,) */
        ab = k == 0 ? MUL(column(s, g), row(s, b)) : bin(s, ADL_OP_DOT, transpose(s, a, NULL), g);
    else if (a->ndim == 1) /* (k,)(k,m) */
        ab = k == 0 ? bin(s, ADL_OP_DOT, b, g) : MUL(column(s, a), row(s, g));
    else /* (n,k)(k,m) */
        ab = k == 0 ? bin(s, ADL_OP_DOT, g, transpose(s, b, NULL))
                    : bin(s, ADL_OP_DOT, transpose(s, a, NULL), g);
    return ab;
}

/* g to where x attains the reduced extreme, shared equally between ties. */
static adl_array *extreme_vjp(scope *s, const adl_node *n, adl_array *g) {
    const adl_params *p = n->params;
    adl_array *x = n->in[0];
    adl_array *share = extreme_share(s, x, keepdims_shape(s, n->out, x, p), p);
    return MUL(keepdims_shape(s, g, x, p), share);
}

/* Where a and b tie, maximum/minimum split the gradient in half. */
static adl_array *choose_vjp(scope *s, adl_binary_op wins, adl_array *self, adl_array *other,
                             adl_array *g) {
    adl_array *w = cmp(s, wins, self, other);
    adl_array *tie = cmp(s, ADL_B_EQ, self, other);
    return MUL(g, ADD(w, MUL(tie, num(s, 0.5))));
}

/* floor(a / b) of the values: a constant to differentiation. */
static adl_array *floor_div(scope *s, adl_array *a, adl_array *b) {
    adl_array *q = DIV(adl_constant_of(s->ctx, a), adl_constant_of(s->ctx, b)), *r = NULL;
    if (!q)
        return NULL;
    return keep(s, adl_constant_unary(s->ctx, ADL_U_FLOOR, q, &r), &r);
}

static adl_array *rule(scope *s, const adl_node *n, int k, adl_array *g) {
    adl_array *x = n->in[0], *y = n->nin > 1 ? n->in[1] : NULL, *ans = n->out;
    const adl_params *p = n->params;
    switch (n->op) {
    case ADL_OP_NEG:
        return NEG(g);
    case ADL_OP_EXP:
        return MUL(g, ans);
    case ADL_OP_LOG:
        return DIV(g, x);
    case ADL_OP_LOG1P:
        return DIV(g, ADD(x, num(s, 1.0)));
    case ADL_OP_SQRT:
        return DIV(g, MUL(ans, num(s, 2.0)));
    case ADL_OP_SIN:
        return MUL(g, un(s, ADL_OP_COS, x));
    case ADL_OP_COS:
        return NEG(MUL(g, un(s, ADL_OP_SIN, x)));
    case ADL_OP_TAN:
        return MUL(g, ADD(num(s, 1.0), un(s, ADL_OP_SQUARE, ans)));
    case ADL_OP_TANH:
        return MUL(g, SUB(num(s, 1.0), un(s, ADL_OP_SQUARE, ans)));
    case ADL_OP_ABS: { /* sign(0) = 0: the subgradient at the kink */
        adl_array *sg = NULL;
        if (s->st == ADL_OK)
            keep(s, adl_sign(s->ctx, x, &sg), &sg);
        return MUL(g, sg);
    }
    case ADL_OP_SQUARE:
        return MUL(g, MUL(x, num(s, 2.0)));
    case ADL_OP_ADD:
        return g;
    case ADL_OP_SUB:
        return k == 0 ? g : NEG(g);
    case ADL_OP_MUL:
        return MUL(g, k == 0 ? y : x);
    case ADL_OP_DIV:
        return k == 0 ? DIV(g, y) : NEG(DIV(MUL(g, ans), y));
    case ADL_OP_POW:
        if (k == 0) {
            /* y x^(y-1), with the exponent 0 where y == 0: x^0 is the
             * constant 1 there, whose derivative y * 1 is 0 for every x,
             * where 0 * 0^-1 was 0 * inf (autograd's exponent is 1; 0 also
             * spares 0 * inf^1).  The mask is a constant and has y's shape,
             * so a scalar exponent keeps the kernel's fast path and higher
             * orders nest: x^1 at 0 has derivatives 1, then 0. */
            adl_array *zero = num(s, 0.0);
            adl_array *e = where(s, cmp(s, ADL_B_EQ, y, zero), zero, SUB(y, num(s, 1.0)));
            return MUL(g, MUL(y, POW(x, e)));
        }
        /* d/dy x^y = x^y log x; 0 where x == 0 (autograd's convention) */
        return MUL(g, MUL(ans, un(s, ADL_OP_LOG,
                                  where(s, cmp(s, ADL_B_EQ, x, num(s, 0.0)), num(s, 1.0), x))));
    case ADL_OP_MAXIMUM:
        return choose_vjp(s, ADL_B_GT, k == 0 ? x : y, k == 0 ? y : x, g);
    case ADL_OP_MINIMUM:
        return choose_vjp(s, ADL_B_LT, k == 0 ? x : y, k == 0 ? y : x, g);
    case ADL_OP_WHERE: {
        adl_array *zero = num(s, 0.0);
        return k == 1 ? where(s, x, g, zero) : where(s, x, zero, g);
    }
    case ADL_OP_SUM:
        return broadcast(s, keepdims_shape(s, g, x, p), x);
    case ADL_OP_MAX:
    case ADL_OP_MIN:
        return extreme_vjp(s, n, g);
    case ADL_OP_DOT:
        return dot_vjp(s, n, k, g);
    case ADL_OP_RESHAPE:
        return reshape(s, g, x->ndim, x->shape);
    case ADL_OP_TRANSPOSE: {
        int inverse[ADL_MAX_DIMS];
        for (int i = 0; i < p->naxes; i++)
            inverse[p->axes[i]] = i;
        return transpose(s, g, inverse);
    }
    case ADL_OP_BROADCAST_TO:
        return g; /* the sweep sums g back to x's shape */
    case ADL_OP_GETITEM: {
        adl_params q = *p;
        q.ndim = x->ndim;
        memcpy(q.shape, x->shape, sizeof(int64_t) * (size_t)x->ndim);
        return apply1(s, ADL_OP_SCATTER, g, &q);
    }
    case ADL_OP_SCATTER:
        return apply1(s, ADL_OP_GETITEM, g, p);
    case ADL_OP_CONCATENATE: {
        int axis = p->axes[0];
        adl_index idx;
        adl_params q;
        memset(&q, 0, sizeof q);
        idx.n = axis + 1;
        for (int i = 0; i <= axis; i++)
            idx.item[i] = (adl_index_item){0, g->shape[i], 1, 1};
        for (int j = 0; j < k; j++)
            idx.item[axis].start += n->in[j]->shape[axis];
        idx.item[axis].count = n->in[k]->shape[axis];
        q.index = &idx;
        return apply1(s, ADL_OP_GETITEM, g, &q);
    }
    case ADL_OP_COPY:
        return g;
    /* core NumPy breadth (issue 3) */
    case ADL_OP_EXPM1:
        return MUL(g, ADD(ans, num(s, 1.0)));
    case ADL_OP_LOG2:
        return DIV(g, MUL(x, num(s, 0.69314718055994530942)));
    case ADL_OP_LOG10:
        return DIV(g, MUL(x, num(s, 2.30258509299404568402)));
    case ADL_OP_ARCSIN:
        return DIV(g, un(s, ADL_OP_SQRT, SUB(num(s, 1.0), un(s, ADL_OP_SQUARE, x))));
    case ADL_OP_ARCCOS:
        return NEG(DIV(g, un(s, ADL_OP_SQRT, SUB(num(s, 1.0), un(s, ADL_OP_SQUARE, x)))));
    case ADL_OP_ARCTAN:
        return DIV(g, ADD(num(s, 1.0), un(s, ADL_OP_SQUARE, x)));
    case ADL_OP_EXP2:
        return MUL(g, MUL(ans, num(s, 0.69314718055994530942)));
    case ADL_OP_SINH:
        return MUL(g, un(s, ADL_OP_COSH, x));
    case ADL_OP_COSH:
        return MUL(g, un(s, ADL_OP_SINH, x));
    case ADL_OP_ARCSINH:
        return DIV(g, un(s, ADL_OP_SQRT, ADD(un(s, ADL_OP_SQUARE, x), num(s, 1.0))));
    case ADL_OP_ARCCOSH:
        return DIV(g, un(s, ADL_OP_SQRT, SUB(un(s, ADL_OP_SQUARE, x), num(s, 1.0))));
    case ADL_OP_ARCTANH:
        return DIV(g, SUB(num(s, 1.0), un(s, ADL_OP_SQUARE, x)));
    case ADL_OP_ARCTAN2: { /* arctan2(y, x): d/dy = x / r2, d/dx = -y / r2 */
        adl_array *r2 = ADD(un(s, ADL_OP_SQUARE, x), un(s, ADL_OP_SQUARE, y));
        return k == 0 ? DIV(MUL(g, y), r2) : NEG(DIV(MUL(g, x), r2));
    }
    case ADL_OP_MOD: /* autograd's: 1, and -floor(x / y) (a constant) */
        return k == 0 ? g : NEG(MUL(g, floor_div(s, x, y)));
    case ADL_OP_HYPOT: { /* x / h and y / h; 0 at (0, 0), to any order */
        adl_array *zero = num(s, 0.0), *at_0 = cmp(s, ADL_B_EQ, ans, zero);
        return where(s, at_0, zero, MUL(g, DIV(k == 0 ? x : y, where(s, at_0, num(s, 1.0), ans))));
    }
    /* index arrays (gather.c): take and take_add are each other's adjoint */
    case ADL_OP_TAKE:
    case ADL_OP_TAKE_ADD: {
        adl_array *r = NULL;
        if (k == 1)
            return num(s, 0.0); /* positions are constants */
        if (!g || s->st)
            return NULL;
        if (n->op == ADL_OP_TAKE)
            return keep(s, adl_take_add(s->ctx, g, n->in[1], p->axes[0], x->ndim, x->shape, &r),
                        &r);
        return keep(s, adl_take(s->ctx, g, n->in[1], p->axes[0], &r), &r);
    }
    case ADL_OP_CUSTOM: {
        adl_array *r = NULL;
        if (s->st)
            return NULL;
        return keep(s, p->custom->vjp(s->ctx, p->custom, n, k, g, &r), &r);
    }
    case ADL_OP_ASTYPE: {
        adl_array *r = NULL;
        if (!g || s->st)
            return NULL;
        return keep(s, adl_astype(s->ctx, g, x->dtype, &r), &r);
    }
    default:
        s->st = adl_error(s->ctx, ADL_ERR_INTERNAL, "grad: no derivative rule for %s",
                          adl_op_name(n->op));
        return NULL;
    }
}

/* The rules written as traced operations (out of line: adl_vjp is
 * flattened, and these bring every operation along). */
static __attribute__((noinline)) adl_status general_vjp(adl_ctx *ctx, const adl_node *n, int k,
                                                        adl_array *g, adl_array **out) {
    if (adl_op_is_linalg(n->op))
        return adl_linalg_vjp(ctx, n, k, g, out);
    scope s = {ctx, ADL_OK, 0, {0}};
    adl_array *r = rule(&s, n, k, g);
    return finish(&s, r, out);
}

/* flatten: the fused rules' fast paths inlined, as the forward paths in
 * trace.c (docs/performance.md, "Flattened hot paths") */
__attribute__((flatten)) adl_status adl_vjp(adl_ctx *ctx, const adl_node *n, int k, adl_array *g,
                                            int spend_g, adl_array **out) {
    if (n->op == ADL_OP_ADD || (n->op == ADL_OP_SUB && k == 0) || n->op == ADL_OP_BROADCAST_TO) {
        /* the gradient passes through unchanged (as rule() says): no scope */
        adl_array_retain(g);
        *out = g;
        return ADL_OK;
    }
    if (!adl_op_is_linalg(n->op)) {
        adl_status st = adl_vjp_fused(ctx, n, k, g, spend_g, out);
        if (st || *out)
            return st;
    }
    return general_vjp(ctx, n, k, g, out);
}
