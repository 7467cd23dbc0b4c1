/* ops.c: the forward computation of each primitive on plain arrays, and
 * the traced operations built on adl_apply() that the binding and the
 * derivative rules call. */
#include "gather.h"
#include "linalg.h"
#include "trace.h"

#include <stdio.h>
#include <string.h>

static const char *const op_names[] = {
#define ADL_OP(id, name, nin) name,
#include "ops.def"
#undef ADL_OP
};

const char *adl_op_name(adl_opcode op) {
    return (unsigned)op < ADL_OP_COUNT ? op_names[op] : "?";
}

static adl_unary_op unary_kernel(adl_opcode op) {
    switch (op) {
    case ADL_OP_NEG:
        return ADL_U_NEG;
    case ADL_OP_EXP:
        return ADL_U_EXP;
    case ADL_OP_LOG:
        return ADL_U_LOG;
    case ADL_OP_LOG1P:
        return ADL_U_LOG1P;
    case ADL_OP_SQRT:
        return ADL_U_SQRT;
    case ADL_OP_SIN:
        return ADL_U_SIN;
    case ADL_OP_COS:
        return ADL_U_COS;
    case ADL_OP_TAN:
        return ADL_U_TAN;
    case ADL_OP_TANH:
        return ADL_U_TANH;
    case ADL_OP_ABS:
        return ADL_U_ABS;
    /* core NumPy breadth (issue 3) */
    case ADL_OP_EXPM1:
        return ADL_U_EXPM1;
    case ADL_OP_LOG2:
        return ADL_U_LOG2;
    case ADL_OP_LOG10:
        return ADL_U_LOG10;
    case ADL_OP_ARCSIN:
        return ADL_U_ARCSIN;
    case ADL_OP_ARCCOS:
        return ADL_U_ARCCOS;
    case ADL_OP_ARCTAN:
        return ADL_U_ARCTAN;
    case ADL_OP_EXP2:
        return ADL_U_EXP2;
    case ADL_OP_SINH:
        return ADL_U_SINH;
    case ADL_OP_COSH:
        return ADL_U_COSH;
    case ADL_OP_ARCSINH:
        return ADL_U_ARCSINH;
    case ADL_OP_ARCCOSH:
        return ADL_U_ARCCOSH;
    case ADL_OP_ARCTANH:
        return ADL_U_ARCTANH;
    default:
        return ADL_U_SQUARE;
    }
}

static adl_binary_op binary_kernel(adl_opcode op) {
    switch (op) {
    case ADL_OP_ADD:
        return ADL_B_ADD;
    case ADL_OP_SUB:
        return ADL_B_SUB;
    case ADL_OP_MUL:
        return ADL_B_MUL;
    case ADL_OP_DIV:
        return ADL_B_DIV;
    case ADL_OP_POW:
        return ADL_B_POW;
    case ADL_OP_MAXIMUM:
        return ADL_B_MAXIMUM;
    case ADL_OP_ARCTAN2: /* core NumPy breadth (issue 3) */
        return ADL_B_ARCTAN2;
    case ADL_OP_MOD:
        return ADL_B_MOD;
    case ADL_OP_HYPOT:
        return ADL_B_HYPOT;
    default:
        return ADL_B_MINIMUM;
    }
}

static adl_reduce_op reduce_kernel(adl_opcode op) {
    return op == ADL_OP_SUM ? ADL_R_SUM : op == ADL_OP_MAX ? ADL_R_MAX : ADL_R_MIN;
}

int adl_index_geometry(const adl_array *a, const adl_index *idx, int64_t *shape, int64_t *strides,
                       int64_t *offset_out) {
    int64_t offset = a->offset;
    int nd = 0;
    for (int i = 0; i < a->ndim; i++) {
        if (i < idx->n) {
            const adl_index_item *it = &idx->item[i];
            offset += it->start * a->strides[i];
            if (!it->keep)
                continue;
            shape[nd] = it->count;
            /* the step matters only between elements: a huge step with one
             * element would overflow the product */
            strides[nd++] = it->count > 1 ? it->step * a->strides[i] : a->strides[i];
        } else {
            shape[nd] = a->shape[i];
            strides[nd++] = a->strides[i];
        }
    }
    *offset_out = offset;
    return nd;
}

/* The view of a selected by idx (sharing a's buffer). */
static adl_status index_view(adl_ctx *ctx, const adl_array *a, const adl_index *idx,
                             adl_array **out) {
    int64_t shape[ADL_MAX_DIMS], strides[ADL_MAX_DIMS], offset;
    int nd = adl_index_geometry(a, idx, shape, strides, &offset);
    *out = adl_array_view(ctx, a, nd, shape, strides, offset);
    return *out ? ADL_OK : ctx->status;
}

static adl_status reshape_forward(adl_ctx *ctx, const adl_array *a, const adl_params *p,
                                  adl_array **out) {
    int64_t strides[ADL_MAX_DIMS], s = 1;
    for (int i = p->ndim - 1; i >= 0; i--) {
        strides[i] = s;
        s *= p->shape[i];
    }
    if (adl_array_is_contiguous(a)) {
        *out = adl_array_view(ctx, a, p->ndim, p->shape, strides, a->offset);
        return *out ? ADL_OK : ctx->status;
    }
    adl_array *c;
    adl_status st = adl_k_copy(ctx, a, &c);
    if (st)
        return st;
    *out = adl_array_view(ctx, c, p->ndim, p->shape, strides, c->offset);
    adl_array_release(c);
    return *out ? ADL_OK : ctx->status;
}

static adl_status transpose_forward(adl_ctx *ctx, const adl_array *a, const adl_params *p,
                                    adl_array **out) {
    int64_t shape[ADL_MAX_DIMS], strides[ADL_MAX_DIMS];
    for (int i = 0; i < a->ndim; i++) {
        shape[i] = a->shape[p->axes[i]];
        strides[i] = a->strides[p->axes[i]];
    }
    *out = adl_array_view(ctx, a, a->ndim, shape, strides, a->offset);
    return *out ? ADL_OK : ctx->status;
}

static adl_status broadcast_forward(adl_ctx *ctx, const adl_array *a, const adl_params *p,
                                    adl_array **out) {
    int64_t strides[ADL_MAX_DIMS];
    int lead = p->ndim - a->ndim;
    for (int i = 0; i < p->ndim; i++) {
        int j = i - lead;
        strides[i] = (j < 0 || a->shape[j] == 1) ? 0 : a->strides[j];
    }
    *out = adl_array_view(ctx, a, p->ndim, p->shape, strides, a->offset);
    return *out ? ADL_OK : ctx->status;
}

static adl_status scatter_forward(adl_ctx *ctx, const adl_array *g, const adl_params *p,
                                  adl_array **out) {
    adl_array *z = adl_array_zeros(ctx, "getitem", g->dtype, p->ndim, p->shape), *view;
    if (!z)
        return ctx->status;
    adl_status st = index_view(ctx, z, p->index, &view);
    if (st == ADL_OK) {
        st = adl_k_assign(ctx, "getitem", view, g);
        adl_array_release(view);
    }
    if (st) {
        adl_array_release(z);
        return st;
    }
    *out = z;
    return ADL_OK;
}

int adl_op_kernel(adl_opcode op, adl_unary_op *u, adl_binary_op *b) {
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
    case ADL_OP_EXPM1: /* core NumPy breadth (issue 3) */
    case ADL_OP_LOG2:
    case ADL_OP_LOG10:
    case ADL_OP_ARCSIN:
    case ADL_OP_ARCCOS:
    case ADL_OP_ARCTAN:
    case ADL_OP_EXP2:
    case ADL_OP_SINH:
    case ADL_OP_COSH:
    case ADL_OP_ARCSINH:
    case ADL_OP_ARCCOSH:
    case ADL_OP_ARCTANH:
        *u = unary_kernel(op);
        return 1;
    case ADL_OP_ADD:
    case ADL_OP_SUB:
    case ADL_OP_MUL:
    case ADL_OP_DIV:
    case ADL_OP_POW:
    case ADL_OP_MAXIMUM:
    case ADL_OP_MINIMUM:
    case ADL_OP_ARCTAN2:
    case ADL_OP_MOD:
    case ADL_OP_HYPOT:
        *b = binary_kernel(op);
        return 2;
    default:
        return 0;
    }
}

int adl_forward_into(adl_ctx *ctx, adl_opcode op, adl_array *const *in, adl_array *out,
                     adl_status *st) {
    *st = ADL_OK;
    adl_unary_op u;
    adl_binary_op b;
    switch (adl_op_kernel(op, &u, &b)) {
    case 1:
        return adl_k_unary_into(u, in[0], out);
    case 2:
        return adl_k_binary_into(b, in[0], in[1], out);
    default:
        return op == ADL_OP_DOT && adl_k_dot_into(ctx, in[0], in[1], out, st);
    }
}

adl_status adl_forward(adl_ctx *ctx, adl_opcode op, int nin, adl_array *const *in,
                       const adl_params *p, adl_array **out) {
    adl_unary_op u;
    adl_binary_op b;
    switch (adl_op_kernel(op, &u, &b)) {
    case 1:
        return adl_k_unary(ctx, u, in[0], out);
    case 2:
        return adl_k_binary(ctx, b, in[0], in[1], out);
    default:
        break;
    }
    switch (op) {
    case ADL_OP_WHERE:
        return adl_k_where(ctx, in[0], in[1], in[2], out);
    case ADL_OP_SUM:
    case ADL_OP_MAX:
    case ADL_OP_MIN:
        return adl_k_reduce(ctx, reduce_kernel(op), in[0], p->naxes, p->axes, p->keepdims, out);
    case ADL_OP_DOT:
        return adl_k_dot(ctx, in[0], in[1], out);
    case ADL_OP_RESHAPE:
        return reshape_forward(ctx, in[0], p, out);
    case ADL_OP_TRANSPOSE:
        return transpose_forward(ctx, in[0], p, out);
    case ADL_OP_BROADCAST_TO:
        return broadcast_forward(ctx, in[0], p, out);
    case ADL_OP_GETITEM:
        return index_view(ctx, in[0], p->index, out);
    case ADL_OP_SCATTER:
        return scatter_forward(ctx, in[0], p, out);
    case ADL_OP_CONCATENATE:
        return adl_k_concatenate(ctx, nin, (const adl_array *const *)in, p->axes[0], out);
    case ADL_OP_COPY:
        return adl_k_copy(ctx, in[0], out);
    /* index arrays (gather.c) */
    case ADL_OP_TAKE:
        return adl_k_take(ctx, in[0], in[1], p->axes[0], out);
    case ADL_OP_TAKE_ADD:
        return adl_k_take_add(ctx, in[0], in[1], p->axes[0], p->ndim, p->shape, out);
    /* np.linalg */
    case ADL_OP_INV:
    case ADL_OP_SOLVE:
    case ADL_OP_DET:
    case ADL_OP_LOGABSDET:
    case ADL_OP_CHOLESKY:
    case ADL_OP_EIGH:
    case ADL_OP_SVD:
    case ADL_OP_NORM2:
        return adl_linalg_forward(ctx, op, nin, in, p, out);
    case ADL_OP_CUSTOM:
        return p->custom->forward(ctx, p->custom, nin, in, out);
    case ADL_OP_ASTYPE:
        return adl_k_astype(ctx, in[0], p->dtype, out);
    case ADL_OP_KERNEL_UNARY:
        return adl_k_unary(ctx, (adl_unary_op)p->kernel, in[0], out);
    case ADL_OP_KERNEL_BINARY:
        return adl_k_binary(ctx, (adl_binary_op)p->kernel, in[0], in[1], out);
    default:
        return adl_error(ctx, ADL_ERR_INTERNAL, "%s: no forward computation", adl_op_name(op));
    }
}

/* ---- traced operations ---- */

adl_status adl_unary(adl_ctx *ctx, adl_opcode op, adl_array *a, adl_array **out) {
    return adl_apply(ctx, op, 1, &a, NULL, out);
}

adl_status adl_binary(adl_ctx *ctx, adl_opcode op, adl_array *a, adl_array *b, adl_array **out) {
    adl_array *in[2] = {a, b};
    return adl_apply(ctx, op, 2, in, NULL, out);
}

adl_status adl_binary_scalar(adl_ctx *ctx, adl_opcode op, adl_array *a, double s, adl_array **out) {
    /* x^2 is square(x), as NumPy's power by a scalar 2: the same values,
     * and a tape without the constant exponent and its power-rule chain
     * (x^(2-1) ...), which derivatives of derivatives multiply */
    if (op == ADL_OP_POW && s == 2)
        return adl_unary(ctx, ADL_OP_SQUARE, a, out);
    adl_status st;
    if (adl_apply_scalar(ctx, op, a, s, 0, out, &st))
        return st;
    adl_array *c = adl_array_scalar(ctx, s);
    if (!c)
        return ctx->status;
    st = adl_binary(ctx, op, a, c, out);
    adl_array_release(c);
    return st;
}

adl_status adl_scalar_binary(adl_ctx *ctx, adl_opcode op, double s, adl_array *a, adl_array **out) {
    adl_status st;
    if (adl_apply_scalar(ctx, op, a, s, 1, out, &st))
        return st;
    adl_array *c = adl_array_scalar(ctx, s);
    if (!c)
        return ctx->status;
    st = adl_binary(ctx, op, c, a, out);
    adl_array_release(c);
    return st;
}

adl_status adl_compare(adl_ctx *ctx, adl_binary_op op, adl_array *a, adl_array *b,
                       adl_array **out) {
    adl_array *in[2] = {a, b};
    return adl_constant_kernel(ctx, ADL_OP_KERNEL_BINARY, (int)op, 2, in, out);
}

adl_status adl_sign(adl_ctx *ctx, adl_array *a, adl_array **out) {
    return adl_constant_kernel(ctx, ADL_OP_KERNEL_UNARY, ADL_U_SIGN, 1, &a, out);
}

/* An elementwise function whose derivative is zero (floor, ceil, rint): its
 * result is a constant, as in autograd. */
adl_status adl_constant_unary(adl_ctx *ctx, adl_unary_op op, adl_array *a, adl_array **out) {
    return adl_constant_kernel(ctx, ADL_OP_KERNEL_UNARY, (int)op, 1, &a, out);
}

adl_status adl_where(adl_ctx *ctx, adl_array *cond, adl_array *a, adl_array *b, adl_array **out) {
    /* the condition is a constant to differentiation; a recording (ad.jit)
     * keeps where it came from, so that a replay computes it afresh */
    adl_array *in[3] = {adl_constant_of(ctx, cond), a, b};
    return adl_apply(ctx, ADL_OP_WHERE, 3, in, NULL, out);
}

static void all_axes(adl_params *p, int ndim) {
    p->naxes = ndim;
    for (int i = 0; i < ndim; i++)
        p->axes[i] = i;
}

adl_status adl_reduce(adl_ctx *ctx, adl_opcode op, adl_array *a, int naxes, const int *axes,
                      int keepdims, adl_array **out) {
    adl_params p;
    memset(&p, 0, sizeof p);
    if (naxes < 0)
        all_axes(&p, a->ndim);
    else {
        p.naxes = naxes;
        memcpy(p.axes, axes, sizeof(int) * (size_t)naxes);
    }
    p.keepdims = keepdims;
    return adl_apply(ctx, op, 1, &a, &p, out);
}

adl_status adl_mean(adl_ctx *ctx, adl_array *a, int naxes, const int *axes, int keepdims,
                    adl_array **out) {
    int64_t count = 1;
    if (naxes < 0)
        count = a->size;
    else
        for (int i = 0; i < naxes; i++)
            count *= a->shape[axes[i]];
    adl_array *s;
    adl_status st = adl_reduce(ctx, ADL_OP_SUM, a, naxes, axes, keepdims, &s);
    if (st)
        return st;
    if (s->dtype == ADL_FLOAT64) {
        st = adl_binary_scalar(ctx, ADL_OP_DIV, s, (double)count, out);
        adl_array_release(s);
        return st;
    }
    /* float32: the count as a float32 0-d array, so that a 0-d sum (the
     * whole array) is divided in float32 too, as NumPy does, rather than
     * promoted by a float64 0-d count */
    adl_array *c = adl_array_scalar(ctx, (double)count), *c32 = NULL;
    st = c ? adl_k_astype(ctx, c, s->dtype, &c32) : ctx->status;
    if (st == ADL_OK)
        st = adl_binary(ctx, ADL_OP_DIV, s, c32, out);
    adl_array_release(c);
    adl_array_release(c32);
    adl_array_release(s);
    return st;
}

adl_status adl_dot(adl_ctx *ctx, adl_array *a, adl_array *b, adl_array **out) {
    return adl_binary(ctx, ADL_OP_DOT, a, b, out);
}

adl_status adl_reshape(adl_ctx *ctx, const char *op, adl_array *a, int ndim, const int64_t *shape,
                       adl_array **out) {
    adl_params p;
    memset(&p, 0, sizeof p);
    if (ndim < 0 || ndim > ADL_MAX_DIMS)
        return adl_error(ctx, ADL_ERR_VALUE, "%s: %d dimensions requested, at most %d supported",
                         op, ndim, ADL_MAX_DIMS);
    int infer = -1, zero = 0;
    int64_t known = 1; /* the product of the nonzero sizes, as NumPy checks it */
    for (int i = 0; i < ndim; i++) {
        if (shape[i] == -1 && infer < 0) {
            infer = i;
            continue;
        }
        if (shape[i] < 0)
            return adl_error(ctx, ADL_ERR_VALUE,
                             "%s: invalid size %lld in the new shape (only one -1 is allowed)", op,
                             (long long)shape[i]);
        if (shape[i] == 0)
            zero = 1;
        else if (known > ADL_MAX_SIZE / shape[i])
            return adl_error(ctx, ADL_ERR_VALUE, "%s: array is too big (more than 2^48 elements)",
                             op);
        else
            known *= shape[i];
        p.shape[i] = shape[i];
    }
    if (infer >= 0) {
        if (zero || a->size % known != 0)
            goto bad;
        p.shape[infer] = a->size / known;
    } else if ((zero ? 0 : known) != a->size)
        goto bad;
    p.ndim = ndim;
    if (adl_shape_equal(ndim, p.shape, a->ndim, a->shape)) {
        adl_array_retain(a);
        *out = a;
        return ADL_OK;
    }
    return adl_apply(ctx, ADL_OP_RESHAPE, 1, &a, &p, out);
bad : {
    char s[256];
    adl_shape_str(ndim, shape, s, sizeof s);
    return adl_error(ctx, ADL_ERR_VALUE, "%s: cannot reshape array of size %lld into shape %s", op,
                     (long long)a->size, s);
}
}

adl_status adl_transpose(adl_ctx *ctx, adl_array *a, const int *perm, adl_array **out) {
    adl_params p;
    memset(&p, 0, sizeof p);
    p.naxes = a->ndim;
    int seen[ADL_MAX_DIMS] = {0}, identity = 1;
    for (int i = 0; i < a->ndim; i++) {
        int ax = perm ? perm[i] : a->ndim - 1 - i;
        if (ax < 0 || ax >= a->ndim || seen[ax])
            return adl_error(ctx, ADL_ERR_VALUE,
                             "transpose: axes don't match array: give each of the %d axes once",
                             a->ndim);
        seen[ax] = 1;
        p.axes[i] = ax;
        identity &= ax == i;
    }
    if (identity) {
        adl_array_retain(a);
        *out = a;
        return ADL_OK;
    }
    return adl_apply(ctx, ADL_OP_TRANSPOSE, 1, &a, &p, out);
}

adl_status adl_broadcast_to(adl_ctx *ctx, adl_array *a, int ndim, const int64_t *shape,
                            adl_array **out) {
    int64_t res[ADL_MAX_DIMS];
    int nres;
    adl_status st =
        adl_broadcast_shapes(ctx, "broadcast_to", a->ndim, a->shape, ndim, shape, &nres, res);
    if (st)
        return st;
    if (!adl_shape_equal(nres, res, ndim, shape)) {
        char s1[256], s2[256];
        adl_shape_str(a->ndim, a->shape, s1, sizeof s1);
        adl_shape_str(ndim, shape, s2, sizeof s2);
        return adl_error(ctx, ADL_ERR_VALUE,
                         "broadcast_to: operand with shape %s cannot be broadcast to shape %s", s1,
                         s2);
    }
    if (adl_shape_equal(a->ndim, a->shape, ndim, shape)) {
        adl_array_retain(a);
        *out = a;
        return ADL_OK;
    }
    adl_params p;
    memset(&p, 0, sizeof p);
    p.ndim = ndim;
    memcpy(p.shape, shape, sizeof(int64_t) * (size_t)ndim);
    return adl_apply(ctx, ADL_OP_BROADCAST_TO, 1, &a, &p, out);
}

adl_status adl_sum_to(adl_ctx *ctx, adl_array *g, int ndim, const int64_t *shape, adl_array **out) {
    if (adl_shape_equal(g->ndim, g->shape, ndim, shape)) {
        adl_array_retain(g);
        *out = g;
        return ADL_OK;
    }
    if (g->ndim < ndim)
        return adl_broadcast_to(ctx, g, ndim, shape, out);
    int axes[ADL_MAX_DIMS], naxes = 0, lead = g->ndim - ndim;
    for (int i = 0; i < g->ndim; i++)
        if (i < lead || (shape[i - lead] == 1 && g->shape[i] != 1))
            axes[naxes++] = i;
    adl_array *s;
    adl_status st = adl_reduce(ctx, ADL_OP_SUM, g, naxes, axes, 1, &s);
    if (st)
        return st;
    st = adl_reshape(ctx, "sum", s, ndim, shape, out);
    adl_array_release(s);
    return st;
}

adl_status adl_getitem(adl_ctx *ctx, adl_array *a, const adl_index *idx, adl_array **out) {
    adl_params p;
    memset(&p, 0, sizeof p);
    p.index = idx;
    return adl_apply(ctx, ADL_OP_GETITEM, 1, &a, &p, out);
}

adl_status adl_concatenate(adl_ctx *ctx, int n, adl_array *const *arrays, int axis,
                           adl_array **out) {
    adl_params p;
    memset(&p, 0, sizeof p);
    p.naxes = 1;
    p.axes[0] = axis;
    return adl_apply(ctx, ADL_OP_CONCATENATE, n, arrays, &p, out);
}

adl_status adl_copy(adl_ctx *ctx, adl_array *a, adl_array **out) {
    return adl_apply(ctx, ADL_OP_COPY, 1, &a, NULL, out);
}

adl_status adl_astype(adl_ctx *ctx, adl_array *a, adl_dtype dt, adl_array **out) {
    if ((unsigned)dt > ADL_FLOAT32)
        return adl_error(ctx, ADL_ERR_TYPE, "astype: unknown dtype %d", (int)dt);
    if (a->dtype == dt)
        return adl_copy(ctx, a, out);
    adl_params p;
    memset(&p, 0, sizeof p);
    p.dtype = dt;
    return adl_apply(ctx, ADL_OP_ASTYPE, 1, &a, &p, out);
}
