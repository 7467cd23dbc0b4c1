/* linalg_rules.c: derivative rules of np.linalg, reverse (HIPS autograd's)
 * and forward (JAX's), written with traced operations so that any order
 * works.
 *
 * Like rules.c, a rule is one expression over a scope that keeps its
 * temporaries; helpers pass NULL through once something failed.
 * Conventions (docs/linalg.md): eigh and cholesky read only the lower
 * triangle of their input, and their gradients are exactly that (zero above
 * the diagonal); norm's gradient at 0 is 0; the eigenvector and singular
 * vector terms are skipped when their incoming gradient is zero, so
 * functions of eigenvalues or singular values alone stay finite at repeated
 * values. */
#include "linalg.h"

#include <string.h>

typedef struct scope {
    adl_ctx *ctx;
    adl_status st;
    int n;
    adl_array *tmp[96];
} scope;

static adl_array *keep(scope *s, adl_status st, adl_array *const *result) {
    if (st) {
        s->st = st;
        return NULL;
    }
    if (s->n == (int)(sizeof s->tmp / sizeof s->tmp[0])) {
        adl_array_release(*result);
        s->st = adl_error(s->ctx, ADL_ERR_INTERNAL, "grad: linalg rule scope overflow");
        return NULL;
    }
    return s->tmp[s->n++] = *result;
}

#define LIVE(...) (s->st == ADL_OK && __VA_ARGS__)

static adl_array *bin(scope *s, adl_opcode op, adl_array *a, adl_array *b) {
    adl_array *r = NULL;
    return LIVE(a && b) ? keep(s, adl_binary(s->ctx, op, a, b, &r), &r) : NULL;
}

static adl_array *tr(scope *s, adl_array *a) {
    adl_array *r = NULL;
    return LIVE(a) ? keep(s, adl_transpose(s->ctx, a, NULL, &r), &r) : NULL;
}

static adl_array *reshape2(scope *s, adl_array *a, int64_t rows, int64_t cols) {
    adl_array *r = NULL;
    int64_t shape[2] = {rows, cols};
    return LIVE(a) ? keep(s, adl_reshape(s->ctx, "grad", a, 2, shape, &r), &r) : NULL;
}

static adl_array *inv(scope *s, adl_array *a) {
    adl_array *r = NULL;
    return LIVE(a) ? keep(s, adl_linalg_inv(s->ctx, a, &r), &r) : NULL;
}

static adl_array *solve(scope *s, adl_array *a, adl_array *b) {
    adl_array *r = NULL;
    return LIVE(a && b) ? keep(s, adl_linalg_solve(s->ctx, a, b, &r), &r) : NULL;
}

static adl_array *num(scope *s, double v) {
    if (s->st)
        return NULL;
    adl_array *r = adl_array_scalar(s->ctx, v);
    return keep(s, r ? ADL_OK : s->ctx->status, &r);
}

static adl_array *part(scope *s, adl_array *packed, int64_t start, int64_t count) {
    adl_array *r = NULL;
    return LIVE(packed) ? keep(s, adl_linalg_part(s->ctx, packed, start, count, &r), &r) : NULL;
}

static adl_array *part_matrix(scope *s, adl_array *packed, int64_t start, int64_t rows,
                              int64_t cols) {
    adl_array *r = NULL;
    return LIVE(packed) ? keep(s, adl_linalg_part_matrix(s->ctx, packed, start, rows, cols, &r), &r)
                        : NULL;
}

#define MUL(a, b) bin(s, ADL_OP_MUL, a, b)
#define DIV(a, b) bin(s, ADL_OP_DIV, a, b)
#define ADD(a, b) bin(s, ADL_OP_ADD, a, b)
#define SUB(a, b) bin(s, ADL_OP_SUB, a, b)
#define DOT(a, b) bin(s, ADL_OP_DOT, a, b)
#define NEG(a)    MUL(num(s, -1.0), a)
#define T(a)      tr(s, a)

typedef enum { EYE, STRICT_LOWER, OFF_DIAGONAL, HALF_DIAGONAL_LOWER } mask_kind;

/* A constant n x n pattern of the kind named. */
static adl_array *mask(scope *s, int64_t n, mask_kind kind) {
    if (s->st)
        return NULL;
    int64_t shape[2] = {n, n};
    adl_array *r = adl_array_alloc(s->ctx, "grad", ADL_FLOAT64, 2, shape);
    if (!keep(s, r ? ADL_OK : s->ctx->status, &r))
        return NULL;
    double *p = adl_f64(r);
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < n; j++) {
            double v = 0.0;
            switch (kind) {
            case EYE:
                v = i == j;
                break;
            case STRICT_LOWER:
                v = i > j;
                break;
            case OFF_DIAGONAL:
                v = i != j;
                break;
            case HALF_DIAGONAL_LOWER:
                v = i > j ? 1.0 : i == j ? 0.5 : 0.0;
                break;
            }
            p[i * n + j] = v;
        }
    return r;
}

/* Whether the plain value of a has a nonzero entry (a data-dependent
 * choice, as autograd's `if anp.any(vg)`). */
static int any_nonzero(scope *s, adl_array *a) {
    if (!LIVE(a))
        return 0;
    adl_array *c = NULL;
    if (!keep(s, adl_k_astype(s->ctx, adl_value_read(s->ctx, a), ADL_FLOAT64, &c), &c))
        return 0;
    const double *p = adl_f64(c);
    for (int64_t i = 0; i < c->size; i++)
        if (p[i] != 0.0)
            return 1;
    return 0;
}

/* The lower-triangle reading of a gradient t of a function of a symmetric
 * matrix: diag(t) on the diagonal, t + t^T below, 0 above. */
static adl_array *lower_reading(scope *s, adl_array *t, int64_t n) {
    return ADD(MUL(t, mask(s, n, EYE)), MUL(ADD(t, T(t)), mask(s, n, STRICT_LOWER)));
}

/* Iain Murray's rule (arXiv:1602.07527), as autograd's: with
 * phi(X) = tril(X) with half the diagonal, S = L^-T phi(L^T g) L^-1. */
static adl_array *cholesky_vjp(scope *s, adl_array *l, adl_array *g) {
    int64_t n = l->shape[0];
    adl_array *lt = T(l);
    adl_array *phi = MUL(DOT(lt, g), mask(s, n, HALF_DIAGONAL_LOWER));
    adl_array *sym = solve(s, lt, T(solve(s, lt, T(phi))));
    return lower_reading(s, sym, n);
}

static adl_array *eigh_vjp(scope *s, adl_array *packed, adl_array *g) {
    int64_t n = packed->shape[1];
    adl_array *w = part(s, packed, 0, -1), *v = part(s, packed, 1, n);
    adl_array *wg = part(s, g, 0, -1), *vg = part(s, g, 1, n);
    adl_array *t = DOT(MUL(v, reshape2(s, wg, 1, n)), T(v));
    if (any_nonzero(s, vg)) {
        /* F[i][j] = 1 / (w_j - w_i) off the diagonal, 0 on it */
        adl_array *diff = SUB(reshape2(s, w, 1, n), reshape2(s, w, n, 1));
        adl_array *f = DIV(mask(s, n, OFF_DIAGONAL), ADD(diff, mask(s, n, EYE)));
        t = ADD(t, DOT(DOT(v, MUL(f, DOT(T(v), vg))), T(v)));
    }
    return lower_reading(s, t, n);
}

/* Reduced SVD (full_matrices=False), after autograd and J. Townsend's note
 * "Differentiating the singular value decomposition". */
static adl_array *svd_vjp(scope *s, const adl_array *x, adl_array *packed, adl_array *g) {
    int64_t m = x->shape[0], n = x->shape[1], k = m < n ? m : n;
    adl_array *u = part_matrix(s, packed, 0, m, k), *sv = part(s, packed, m * k, k);
    adl_array *vt = part_matrix(s, packed, m * k + k, k, n), *v = T(vt);
    adl_array *gu = part_matrix(s, g, 0, m, k), *gs = part(s, g, m * k, k);
    adl_array *gvt = part_matrix(s, g, m * k + k, k, n), *gv = T(gvt);
    adl_array *s_row = reshape2(s, sv, 1, k), *s_col = reshape2(s, sv, k, 1);
    adl_array *eye = mask(s, k, EYE);
    int use_u = any_nonzero(s, gu), use_v = any_nonzero(s, gv);
    adl_array *f = NULL;
    if (use_u || use_v) /* f[i][j] = 1 / (s_j^2 - s_i^2), 1 on the diagonal (unused there) */
        f = DIV(num(s, 1.0), ADD(SUB(MUL(s_row, s_row), MUL(s_col, s_col)), eye));
    adl_array *t = MUL(eye, reshape2(s, gs, k, 1));
    if (use_u) {
        adl_array *utgu = DOT(T(u), gu);
        t = ADD(t, MUL(MUL(f, SUB(utgu, T(utgu))), s_row));
    }
    if (use_v) {
        adl_array *vtgv = DOT(vt, gv);
        t = ADD(t, MUL(s_col, MUL(f, SUB(vtgv, T(vtgv)))));
    }
    t = DOT(DOT(u, t), vt);
    if (m < n && use_v)
        t = ADD(t, DOT(DOT(DIV(u, s_row), gvt), SUB(mask(s, n, EYE), DOT(v, vt))));
    if (m > n && use_u)
        t = ADD(t, T(DOT(DOT(DIV(v, s_row), T(gu)), SUB(mask(s, m, EYE), DOT(u, T(u))))));
    return t;
}

/* g * x / |x|, with 0 where |x| is 0. */
static adl_array *norm2_vjp(scope *s, const adl_node *nd, adl_array *g) {
    const adl_params *p = nd->params;
    adl_array *x = nd->in[0], *ans = nd->out;
    if (!p->keepdims) {
        int64_t shape[ADL_MAX_DIMS];
        memcpy(shape, x->shape, sizeof(int64_t) * (size_t)x->ndim);
        for (int i = 0; i < p->naxes; i++)
            shape[p->axes[i]] = 1;
        adl_array *gk = NULL, *ak = NULL;
        if (!LIVE(1) || !keep(s, adl_reshape(s->ctx, "grad", g, x->ndim, shape, &gk), &gk) ||
            !keep(s, adl_reshape(s->ctx, "grad", ans, x->ndim, shape, &ak), &ak))
            return NULL;
        g = gk;
        ans = ak;
    }
    adl_array *zero = NULL, *safe = NULL;
    if (LIVE(1) && keep(s, adl_compare(s->ctx, ADL_B_EQ, ans, num(s, 0.0), &zero), &zero))
        keep(s, adl_where(s->ctx, zero, num(s, 1.0), ans, &safe), &safe);
    return MUL(g, DIV(x, safe));
}

static adl_array *rule(scope *s, const adl_node *nd, int k, adl_array *g) {
    adl_array *a = nd->in[0], *ans = nd->out;
    switch (nd->op) {
    case ADL_OP_INV: /* -A^-T g A^-T */
        return NEG(DOT(DOT(T(ans), g), T(ans)));
    case ADL_OP_SOLVE: {
        adl_array *b = nd->in[1], *gb = solve(s, T(a), g);
        if (k == 1)
            return gb;
        if (b->ndim == 1)
            return NEG(MUL(reshape2(s, gb, gb ? gb->size : 0, 1), reshape2(s, ans, 1, ans->size)));
        return NEG(DOT(gb, T(ans)));
    }
    case ADL_OP_DET: /* g det(A) A^-T */
        return MUL(MUL(g, ans), T(inv(s, a)));
    case ADL_OP_LOGABSDET:
        return MUL(g, T(inv(s, a)));
    case ADL_OP_CHOLESKY:
        return cholesky_vjp(s, ans, g);
    case ADL_OP_EIGH:
        return eigh_vjp(s, ans, g);
    case ADL_OP_SVD:
        return svd_vjp(s, a, ans, g);
    case ADL_OP_NORM2:
        return norm2_vjp(s, nd, g);
    default:
        s->st = adl_error(s->ctx, ADL_ERR_INTERNAL, "grad: %s is not a linalg operation",
                          adl_op_name(nd->op));
        return NULL;
    }
}

/* ---- forward rules (jvp.c hands np.linalg's here) ---- */

static adl_array *reduce_sum(scope *s, adl_array *a, int axis) {
    adl_array *r = NULL;
    return LIVE(a) ? keep(s, adl_reduce(s->ctx, ADL_OP_SUM, a, axis < 0 ? -1 : 1, &axis, 0, &r), &r)
                   : NULL;
}

/* a as a vector. */
static adl_array *flat(scope *s, adl_array *a) {
    adl_array *r = NULL;
    int64_t size = a ? a->size : 0;
    return LIVE(a) ? keep(s, adl_reshape(s->ctx, "grad", a, 1, &size, &r), &r) : NULL;
}

static adl_array *concat(scope *s, int n, adl_array **parts, int axis) {
    adl_array *r = NULL;
    for (int i = 0; i < n; i++)
        if (!parts[i])
            return NULL;
    return LIVE(1) ? keep(s, adl_concatenate(s->ctx, n, parts, axis, &r), &r) : NULL;
}

/* The symmetric matrix that eigh and cholesky read from t's lower triangle. */
static adl_array *from_lower(scope *s, adl_array *t, int64_t n) {
    adl_array *below = MUL(t, mask(s, n, STRICT_LOWER));
    return ADD(ADD(below, T(below)), MUL(t, mask(s, n, EYE)));
}

/* dL = L phi(L^-1 dA L^-T), phi: the lower triangle with half the diagonal. */
static adl_array *cholesky_jvp(scope *s, adl_array *l, adl_array *t) {
    int64_t n = l->shape[0];
    adl_array *x = solve(s, l, T(solve(s, l, from_lower(s, t, n))));
    return DOT(l, MUL(x, mask(s, n, HALF_DIAGONAL_LOWER)));
}

/* With M = V^T dA V: dw = diag(M), dV = V (F * M), F[i][j] = 1 / (w_j - w_i)
 * off the diagonal; packed as the output is. */
static adl_array *eigh_jvp(scope *s, adl_array *packed, adl_array *t) {
    int64_t n = packed->shape[1];
    adl_array *w = part(s, packed, 0, -1), *v = part(s, packed, 1, n);
    adl_array *m = DOT(DOT(T(v), from_lower(s, t, n)), v);
    adl_array *dw = reshape2(s, reduce_sum(s, MUL(m, mask(s, n, EYE)), 0), 1, n);
    adl_array *diff = SUB(reshape2(s, w, 1, n), reshape2(s, w, n, 1));
    adl_array *f = DIV(mask(s, n, OFF_DIAGONAL), ADD(diff, mask(s, n, EYE)));
    adl_array *parts[2] = {dw, DOT(v, MUL(f, m))};
    return concat(s, 2, parts, 0);
}

/* Reduced SVD, as JAX's svd_jvp_rule: dS = U^T dA V, ds = diag(dS),
 * dU = U (F * (dS s + s dS^T)) and dV = V (F * (s dS + dS^T s)) with
 * F[i][j] = 1 / (s_j^2 - s_i^2) off the diagonal, plus the parts outside
 * the span of U (m > n) or V (m < n). */
static adl_array *svd_jvp(scope *s, const adl_array *x, adl_array *packed, adl_array *t) {
    int64_t m = x->shape[0], n = x->shape[1], k = m < n ? m : n;
    adl_array *u = part_matrix(s, packed, 0, m, k), *sv = part(s, packed, m * k, k);
    adl_array *vt = part_matrix(s, packed, m * k + k, k, n), *v = T(vt);
    adl_array *s_row = reshape2(s, sv, 1, k), *s_col = reshape2(s, sv, k, 1);
    adl_array *eye = mask(s, k, EYE);
    adl_array *ds_mat = DOT(DOT(T(u), t), v);
    adl_array *ds = reduce_sum(s, MUL(ds_mat, eye), 0);
    adl_array *f = SUB(DIV(num(s, 1.0), ADD(SUB(MUL(s_row, s_row), MUL(s_col, s_col)), eye)), eye);
    adl_array *dss = MUL(ds_mat, s_row), *sds = MUL(s_col, ds_mat);
    adl_array *du = DOT(u, MUL(f, ADD(dss, T(dss))));
    adl_array *dv = DOT(v, MUL(f, ADD(sds, T(sds))));
    if (m > n) {
        adl_array *dav = DOT(t, v);
        du = ADD(du, DIV(SUB(dav, DOT(u, DOT(T(u), dav))), s_row));
    }
    if (n > m) {
        adl_array *dau = DOT(T(t), u);
        dv = ADD(dv, DIV(SUB(dau, DOT(v, DOT(vt, dau))), s_row));
    }
    adl_array *parts[3] = {flat(s, du), ds, flat(s, T(dv))};
    return concat(s, 3, parts, 0);
}

/* ||x|| over the axes: sum(x t) / ||x||, 0 where ||x|| is 0. */
static adl_array *norm2_jvp(scope *s, const adl_params *p, adl_array *x, adl_array *ans,
                            adl_array *t) {
    adl_array *zero = NULL, *safe = NULL, *dot = NULL, *xt = MUL(x, t);
    if (LIVE(xt) && keep(s, adl_compare(s->ctx, ADL_B_EQ, ans, num(s, 0.0), &zero), &zero))
        keep(s, adl_where(s->ctx, zero, num(s, 1.0), ans, &safe), &safe);
    if (LIVE(safe))
        keep(s, adl_reduce(s->ctx, ADL_OP_SUM, xt, p->naxes, p->axes, p->keepdims, &dot), &dot);
    return DIV(dot, safe);
}

static adl_array *forward_rule(scope *s, adl_opcode op, adl_array *const *in, int k, adl_array *t,
                               const adl_params *p, adl_array *ans) {
    adl_array *a = in[0];
    switch (op) {
    case ADL_OP_INV: /* -A^-1 t A^-1 */
        return NEG(DOT(DOT(ans, t), ans));
    case ADL_OP_SOLVE: /* x = A^-1 b: dx = A^-1 (db - dA x) */
        return k == 1 ? solve(s, a, t) : NEG(solve(s, a, DOT(t, ans)));
    case ADL_OP_DET: /* det(A) tr(A^-1 t) */
        return MUL(ans, reduce_sum(s, MUL(T(inv(s, a)), t), -1));
    case ADL_OP_LOGABSDET:
        return reduce_sum(s, MUL(T(inv(s, a)), t), -1);
    case ADL_OP_CHOLESKY:
        return cholesky_jvp(s, ans, t);
    case ADL_OP_EIGH:
        return eigh_jvp(s, ans, t);
    case ADL_OP_SVD:
        return svd_jvp(s, a, ans, t);
    case ADL_OP_NORM2:
        return norm2_jvp(s, p, a, ans, t);
    default:
        s->st = adl_error(s->ctx, ADL_ERR_INTERNAL, "make_jvp: %s is not a linalg operation",
                          adl_op_name(op));
        return NULL;
    }
}

/* Hands the scope's result to the caller and frees the rest. */
static adl_status finish(scope *s, adl_array *r, adl_array **out) {
    if (s->st == ADL_OK && r) {
        adl_array_retain(r);
        *out = r;
    } else if (s->st == ADL_OK)
        s->st = adl_error(s->ctx, ADL_ERR_INTERNAL, "grad: linalg rule produced no result");
    for (int i = 0; i < s->n; i++)
        adl_array_release(s->tmp[i]);
    return s->st;
}

adl_status adl_linalg_jvp(adl_ctx *ctx, adl_opcode op, adl_array *const *in, int k, adl_array *t,
                          const adl_params *p, adl_array *ans, adl_array **out) {
    scope s = {ctx, ADL_OK, 0, {0}};
    return finish(&s, forward_rule(&s, op, in, k, t, p, ans), out);
}

adl_status adl_linalg_vjp(adl_ctx *ctx, const adl_node *n, int k, adl_array *g, adl_array **out) {
    scope s = {ctx, ADL_OK, 0, {0}};
    return finish(&s, rule(&s, n, k, g), out);
}
