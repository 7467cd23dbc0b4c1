/* rule_scope.h: the small scope in which derivative rules (rules.c, jvp.c)
 * are written as one expression of traced operations.
 *
 * A scope keeps the temporaries of one rule and releases them at the end;
 * every helper passes NULL through once something failed. */
#ifndef ADL_RULE_SCOPE_H
#define ADL_RULE_SCOPE_H

#include "trace.h"

#include <string.h>

typedef struct scope {
    adl_ctx *ctx;
    adl_status st;
    int n;
    adl_array *tmp[24];
} scope;

/* Takes a pointer so that keep(s, op(..., &r), &r) reads r after the call. */
static inline adl_array *keep(scope *s, adl_status st, adl_array *const *result) {
    adl_array *a = *result;
    if (st) {
        s->st = st;
        return NULL;
    }
    if (s->n == (int)(sizeof s->tmp / sizeof s->tmp[0])) {
        adl_array_release(a);
        s->st = adl_error(s->ctx, ADL_ERR_INTERNAL, "grad: rule scope overflow");
        return NULL;
    }
    s->tmp[s->n++] = a;
    return a;
}

/* Hands `result` to the caller (with its own reference) and frees the rest. */
static inline adl_status finish(scope *s, adl_array *result, adl_array **out) {
    if (s->st == ADL_OK && result) {
        adl_array_retain(result);
        *out = result;
    }
    for (int i = 0; i < s->n; i++)
        adl_array_release(s->tmp[i]);
    if (s->st == ADL_OK && !result)
        s->st = adl_error(s->ctx, ADL_ERR_INTERNAL, "grad: rule produced no result");
    return s->st;
}

static inline adl_array *un(scope *s, adl_opcode op, adl_array *a) {
    adl_array *r = NULL;
    if (!a || s->st)
        return NULL;
    return keep(s, adl_unary(s->ctx, op, a, &r), &r);
}

static inline adl_array *bin(scope *s, adl_opcode op, adl_array *a, adl_array *b) {
    adl_array *r = NULL;
    if (!a || !b || s->st)
        return NULL;
    return keep(s, adl_binary(s->ctx, op, a, b, &r), &r);
}

static inline adl_array *num(scope *s, double v) {
    if (s->st)
        return NULL;
    adl_array *r = adl_array_scalar(s->ctx, v);
    return keep(s, r ? ADL_OK : s->ctx->status, &r);
}

static inline adl_array *cmp(scope *s, adl_binary_op op, adl_array *a, adl_array *b) {
    adl_array *r = NULL;
    if (!a || !b || s->st)
        return NULL;
    return keep(s, adl_compare(s->ctx, op, a, b, &r), &r);
}

static inline adl_array *where(scope *s, adl_array *c, adl_array *a, adl_array *b) {
    adl_array *r = NULL;
    if (!c || !a || !b || s->st)
        return NULL;
    return keep(s, adl_where(s->ctx, c, a, b, &r), &r);
}

static inline adl_array *reshape(scope *s, adl_array *a, int ndim, const int64_t *shape) {
    adl_array *r = NULL;
    if (!a || s->st)
        return NULL;
    return keep(s, adl_reshape(s->ctx, "reshape", a, ndim, shape, &r), &r);
}

static inline adl_array *transpose(scope *s, adl_array *a, const int *perm) {
    adl_array *r = NULL;
    if (!a || s->st)
        return NULL;
    return keep(s, adl_transpose(s->ctx, a, perm, &r), &r);
}

static inline adl_array *apply1(scope *s, adl_opcode op, adl_array *a, const adl_params *p) {
    adl_array *r = NULL;
    if (!a || s->st)
        return NULL;
    return keep(s, adl_apply(s->ctx, op, 1, &a, p, &r), &r);
}

#define MUL(a, b) bin(s, ADL_OP_MUL, a, b)
#define DIV(a, b) bin(s, ADL_OP_DIV, a, b)
#define ADD(a, b) bin(s, ADL_OP_ADD, a, b)
#define SUB(a, b) bin(s, ADL_OP_SUB, a, b)
#define POW(a, b) bin(s, ADL_OP_POW, a, b)
#define NEG(a)    un(s, ADL_OP_NEG, a)

/* a with length-1 axes put back where a reduction removed them. */
static inline adl_array *keepdims_shape(scope *s, adl_array *a, const adl_array *x,
                                        const adl_params *p) {
    if (p->keepdims)
        return a;
    int64_t shape[ADL_MAX_DIMS];
    memcpy(shape, x->shape, sizeof(int64_t) * (size_t)x->ndim);
    for (int i = 0; i < p->naxes; i++)
        shape[p->axes[i]] = 1;
    return reshape(s, a, x->ndim, shape);
}

static inline adl_array *broadcast(scope *s, adl_array *a, const adl_array *like) {
    adl_array *r = NULL;
    if (!a || s->st)
        return NULL;
    return keep(s, adl_broadcast_to(s->ctx, a, like->ndim, like->shape, &r), &r);
}

/* The share of max/min's result each element of x holds: 1 where x attains
 * the reduced extreme `ans` (keepdims shape), split equally between ties. */
static inline adl_array *extreme_share(scope *s, adl_array *x, adl_array *ans,
                                       const adl_params *p) {
    adl_array *mask = cmp(s, ADL_B_EQ, x, ans);
    adl_array *count = NULL;
    if (mask) {
        adl_params q = *p;
        q.keepdims = 1;
        q.index = NULL;
        /* the tie count is a constant (while ad.jit records: recorded) */
        count = apply1(s, ADL_OP_SUM, adl_constant_of(s->ctx, mask), &q);
    }
    return bin(s, ADL_OP_DIV, mask, count);
}

#endif
