/* linalg.c: np.linalg's forward computations on plain arrays (through
 * lapack.c) and the traced operations the binding calls.
 *
 * Each forward works on a contiguous copy of its input (LAPACK overwrites
 * it), and turns LAPACK's failures into NumPy's LinAlgError messages named
 * after the function, e.g. "linalg.inv: Singular matrix". */
#include "linalg.h"

#include <limits.h>
#include <math.h>
#include <string.h>

/* Checks that a is a float64 matrix (square when asked) of a size LAPACK
 * takes (float32 operands were converted by adl_linalg_forward). */
static adl_status check_matrix(adl_ctx *ctx, const char *name, const adl_array *a, int square) {
    char s[256];
    if (a->dtype != ADL_FLOAT64)
        return adl_error(ctx, ADL_ERR_TYPE, "%s: dtype %s is not supported (float64 only)", name,
                         adl_dtype_name(a->dtype));
    if (a->ndim < 2)
        return adl_error(ctx, ADL_ERR_VALUE,
                         "%s: %d-dimensional array given. Array must be at least "
                         "two-dimensional",
                         name, a->ndim);
    adl_shape_str(a->ndim, a->shape, s, sizeof s);
    if (a->ndim > 2)
        return adl_error(ctx, ADL_ERR_VALUE,
                         "%s: stacks of matrices are not supported (got shape %s); loop over "
                         "the matrices",
                         name, s);
    if (square && a->shape[0] != a->shape[1])
        return adl_error(ctx, ADL_ERR_VALUE,
                         "%s: Last 2 dimensions of the array must be square (got shape %s)", name,
                         s);
    if (a->shape[0] > INT_MAX / 2 || a->shape[1] > INT_MAX / 2)
        return adl_error(ctx, ADL_ERR_VALUE, "%s: matrix of shape %s is too large for LAPACK", name,
                         s);
    return ADL_OK;
}

/* A contiguous copy of the matrix a (writable, owned by the caller).  The
 * iterative decompositions ask for finite input: LAPACK's answer to a NaN
 * there is not to be trusted. */
static adl_status matrix_copy(adl_ctx *ctx, const char *name, const adl_array *a, int square,
                              int finite, adl_array **out) {
    adl_status st = check_matrix(ctx, name, a, square);
    if (st || (st = adl_k_copy(ctx, a, out)))
        return st;
    const double *p = adl_f64(*out);
    for (int64_t i = 0; finite && i < (*out)->size; i++)
        if (!isfinite(p[i])) {
            adl_array_release(*out);
            return adl_error(ctx, ADL_ERR_VALUE, "%s: array must not contain infs or NaNs", name);
        }
    return ADL_OK;
}

/* LAPACK's info to a status: `what` is the message for info > 0. */
static adl_status lapack_status(adl_ctx *ctx, const char *name, int info, const char *what) {
    if (info == 0)
        return ADL_OK;
    if (info > 0)
        return adl_error(ctx, ADL_ERR_VALUE, "%s: %s", name, what);
    if (info <= -1000) /* LAPACKE's workspace or transposition memory errors */
        return adl_error_nomem(ctx, name);
    return adl_error(ctx, ADL_ERR_INTERNAL, "%s: LAPACK rejected argument %d", name, -info);
}

static adl_status fwd_inv(adl_ctx *ctx, const char *name, const adl_array *a, adl_array **out) {
    adl_array *c;
    adl_status st = matrix_copy(ctx, name, a, 1, 0, &c);
    if (st)
        return st;
    st = lapack_status(ctx, name, adl_lapack_inv((int)c->shape[0], adl_f64(c)), "Singular matrix");
    if (st) {
        adl_array_release(c);
        return st;
    }
    *out = c;
    return ADL_OK;
}

static adl_status fwd_solve(adl_ctx *ctx, const char *name, const adl_array *a, const adl_array *b,
                            adl_array **out) {
    adl_status st = check_matrix(ctx, name, a, 1);
    if (st)
        return st;
    if (b->dtype != ADL_FLOAT64)
        return adl_error(ctx, ADL_ERR_TYPE, "%s: dtype %s is not supported (float64 only)", name,
                         adl_dtype_name(b->dtype));
    if (b->ndim < 1 || b->ndim > 2 || b->shape[0] != a->shape[1] ||
        (b->ndim == 2 && b->shape[1] > INT_MAX / 2)) {
        char sa[256], sb[256];
        adl_shape_str(a->ndim, a->shape, sa, sizeof sa);
        adl_shape_str(b->ndim, b->shape, sb, sizeof sb);
        return adl_error(ctx, ADL_ERR_VALUE,
                         "%s: b must be a vector or a matrix with as many rows as a has columns; "
                         "shapes %s and %s",
                         name, sa, sb);
    }
    adl_array *ac, *bc;
    if ((st = adl_k_copy(ctx, a, &ac)))
        return st;
    if ((st = adl_k_copy(ctx, b, &bc))) {
        adl_array_release(ac);
        return st;
    }
    int nrhs = b->ndim == 1 ? 1 : (int)b->shape[1];
    st =
        lapack_status(ctx, name, adl_lapack_solve((int)a->shape[0], nrhs, adl_f64(ac), adl_f64(bc)),
                      "Singular matrix");
    adl_array_release(ac);
    if (st) {
        adl_array_release(bc);
        return st;
    }
    *out = bc;
    return ADL_OK;
}

/* sign, log|det| and det of a square plain matrix. */
static adl_status lu_det(adl_ctx *ctx, const char *name, const adl_array *a, double *sign,
                         double *logabs, double *det) {
    adl_array *c;
    adl_status st = matrix_copy(ctx, name, a, 1, 0, &c);
    if (st)
        return st;
    st = lapack_status(ctx, name, adl_lapack_det((int)c->shape[0], adl_f64(c), sign, logabs, det),
                       "Singular matrix");
    adl_array_release(c);
    return st;
}

adl_status adl_linalg_slogdet_value(adl_ctx *ctx, const adl_array *a, double *sign,
                                    double *logabs) {
    double det;
    if (a->dtype != ADL_FLOAT32)
        return lu_det(ctx, "linalg.slogdet", a, sign, logabs, &det);
    adl_array *c = NULL; /* float32: computed in float64, as adl_linalg_forward */
    adl_status st = adl_k_astype(ctx, a, ADL_FLOAT64, &c);
    if (st == ADL_OK)
        st = lu_det(ctx, "linalg.slogdet", c, sign, logabs, &det);
    adl_array_release(c);
    return st;
}

static adl_status fwd_det(adl_ctx *ctx, const char *name, const adl_array *a, int logabs_only,
                          adl_array **out) {
    double sign, logabs, det;
    adl_status st = lu_det(ctx, name, a, &sign, &logabs, &det);
    if (st)
        return st;
    *out = adl_array_scalar(ctx, logabs_only ? logabs : det);
    return *out ? ADL_OK : ctx->status;
}

static adl_status fwd_cholesky(adl_ctx *ctx, const char *name, const adl_array *a,
                               adl_array **out) {
    adl_array *c;
    adl_status st = matrix_copy(ctx, name, a, 1, 1, &c);
    if (st)
        return st;
    st = lapack_status(ctx, name, adl_lapack_cholesky((int)c->shape[0], adl_f64(c)),
                       "Matrix is not positive definite");
    if (st) {
        adl_array_release(c);
        return st;
    }
    *out = c;
    return ADL_OK;
}

/* Packed (n+1, n): row 1 the eigenvalues, rows 2.. the eigenvectors. */
static adl_status fwd_eigh(adl_ctx *ctx, const char *name, const adl_array *a, adl_array **out) {
    adl_array *c;
    adl_status st = matrix_copy(ctx, name, a, 1, 1, &c);
    if (st)
        return st;
    int64_t n = c->shape[0], shape[2] = {n + 1, n};
    adl_array *r = adl_array_alloc(ctx, name, ADL_FLOAT64, 2, shape);
    if (!r) {
        adl_array_release(c);
        return ctx->status;
    }
    double *w = adl_f64(r), *v = w + n;
    if (n > 0)
        memcpy(v, adl_f64(c), sizeof(double) * (size_t)(n * n));
    adl_array_release(c);
    st = lapack_status(ctx, name, adl_lapack_eigh((int)n, v, w), "Eigenvalues did not converge");
    if (st) {
        adl_array_release(r);
        return st;
    }
    *out = r;
    return ADL_OK;
}

/* Packed flat: u (m*k), then s (k), then vt (k*n). */
static adl_status fwd_svd(adl_ctx *ctx, const char *name, const adl_array *a, adl_array **out) {
    adl_array *c;
    adl_status st = matrix_copy(ctx, name, a, 0, 1, &c);
    if (st)
        return st;
    int64_t m = c->shape[0], n = c->shape[1], k = m < n ? m : n;
    int64_t size = m * k + k + k * n;
    adl_array *r = adl_array_alloc(ctx, name, ADL_FLOAT64, 1, &size);
    if (!r) {
        adl_array_release(c);
        return ctx->status;
    }
    double *u = adl_f64(r), *s = u + m * k, *vt = s + k;
    st = lapack_status(ctx, name, adl_lapack_svd((int)m, (int)n, adl_f64(c), u, s, vt, 0),
                       "SVD did not converge");
    adl_array_release(c);
    if (st) {
        adl_array_release(r);
        return st;
    }
    *out = r;
    return ADL_OK;
}

adl_status adl_linalg_svd_full(adl_ctx *ctx, const adl_array *a, adl_array **u, adl_array **s,
                               adl_array **vt) {
    const char *name = "linalg.svd";
    adl_array *c;
    a = adl_value_read(ctx, a);
    adl_status st = matrix_copy(ctx, name, a, 0, 1, &c);
    if (st)
        return st;
    int64_t m = c->shape[0], n = c->shape[1], k = m < n ? m : n;
    int64_t su[2] = {m, m}, sv[2] = {n, n};
    *u = adl_array_alloc(ctx, name, ADL_FLOAT64, 2, su);
    *s = *u ? adl_array_alloc(ctx, name, ADL_FLOAT64, 1, &k) : NULL;
    *vt = *s ? adl_array_alloc(ctx, name, ADL_FLOAT64, 2, sv) : NULL;
    st = *vt ? ADL_OK : ctx->status;
    if (st == ADL_OK)
        st = lapack_status(
            ctx, name,
            adl_lapack_svd((int)m, (int)n, adl_f64(c), adl_f64(*u), adl_f64(*s), adl_f64(*vt), 1),
            "SVD did not converge");
    adl_array_release(c);
    if (st) {
        adl_array_release(*u);
        adl_array_release(*s);
        adl_array_release(*vt);
        *u = *s = *vt = NULL;
    }
    return st;
}

static adl_status fwd_norm2(adl_ctx *ctx, const adl_array *a, const adl_params *p,
                            adl_array **out) {
    adl_array *sq, *sum;
    adl_status st = adl_k_unary(ctx, ADL_U_SQUARE, a, &sq);
    if (st)
        return st;
    st = adl_k_reduce(ctx, ADL_R_SUM, sq, p->naxes, p->axes, p->keepdims, &sum);
    adl_array_release(sq);
    if (st)
        return st;
    st = adl_k_unary(ctx, ADL_U_SQRT, sum, out);
    adl_array_release(sum);
    return st;
}

static adl_status forward64(adl_ctx *ctx, adl_opcode op, adl_array *const *in, const adl_params *p,
                            adl_array **out);

/* float32 operands: LAPACK runs in float64 on converted copies and the
 * result is converted back to float32 when every operand is float32 (as
 * NumPy's float32 results); a float32 with a float64 operand gives float64. */
adl_status adl_linalg_forward(adl_ctx *ctx, adl_opcode op, int nin, adl_array *const *in,
                              const adl_params *p, adl_array **out) {
    int n32 = 0;
    for (int i = 0; i < nin && i < 2; i++)
        n32 += in[i]->dtype == ADL_FLOAT32;
    if (n32 == 0 || nin > 2)
        return forward64(ctx, op, in, p, out);
    adl_array *conv[2] = {NULL, NULL}, *args[2], *r = NULL;
    adl_status st = ADL_OK;
    for (int i = 0; i < nin && st == ADL_OK; i++) {
        args[i] = in[i];
        if (in[i]->dtype == ADL_FLOAT32 &&
            (st = adl_k_astype(ctx, in[i], ADL_FLOAT64, &conv[i])) == ADL_OK)
            args[i] = conv[i];
    }
    if (st == ADL_OK)
        st = forward64(ctx, op, args, p, &r);
    adl_array_release(conv[0]);
    adl_array_release(conv[1]);
    if (st)
        return st;
    if (n32 < nin) {
        *out = r;
        return ADL_OK;
    }
    st = adl_k_astype(ctx, r, ADL_FLOAT32, out);
    adl_array_release(r);
    return st;
}

static adl_status forward64(adl_ctx *ctx, adl_opcode op, adl_array *const *in, const adl_params *p,
                            adl_array **out) {
    const char *name = adl_op_name(op);
    switch (op) {
    case ADL_OP_INV:
        return fwd_inv(ctx, name, in[0], out);
    case ADL_OP_SOLVE:
        return fwd_solve(ctx, name, in[0], in[1], out);
    case ADL_OP_DET:
        return fwd_det(ctx, name, in[0], 0, out);
    case ADL_OP_LOGABSDET:
        return fwd_det(ctx, name, in[0], 1, out);
    case ADL_OP_CHOLESKY:
        return fwd_cholesky(ctx, name, in[0], out);
    case ADL_OP_EIGH:
        return fwd_eigh(ctx, name, in[0], out);
    case ADL_OP_SVD:
        return fwd_svd(ctx, name, in[0], out);
    case ADL_OP_NORM2:
        return fwd_norm2(ctx, in[0], p, out);
    default:
        return adl_error(ctx, ADL_ERR_INTERNAL, "%s: not a linalg operation", name);
    }
}

/* ---- traced operations ---- */

adl_status adl_linalg_inv(adl_ctx *ctx, adl_array *a, adl_array **out) {
    return adl_apply(ctx, ADL_OP_INV, 1, &a, NULL, out);
}

adl_status adl_linalg_solve(adl_ctx *ctx, adl_array *a, adl_array *b, adl_array **out) {
    adl_array *in[2] = {a, b};
    return adl_apply(ctx, ADL_OP_SOLVE, 2, in, NULL, out);
}

adl_status adl_linalg_det(adl_ctx *ctx, adl_array *a, adl_array **out) {
    return adl_apply(ctx, ADL_OP_DET, 1, &a, NULL, out);
}

adl_status adl_linalg_slogdet(adl_ctx *ctx, adl_array *a, double *sign, adl_array **logdet) {
    double logabs;
    adl_status st = adl_linalg_slogdet_value(ctx, adl_value_read(ctx, a), sign, &logabs);
    return st ? st : adl_apply(ctx, ADL_OP_LOGABSDET, 1, &a, NULL, logdet);
}

adl_status adl_linalg_cholesky(adl_ctx *ctx, adl_array *a, adl_array **out) {
    return adl_apply(ctx, ADL_OP_CHOLESKY, 1, &a, NULL, out);
}

adl_status adl_linalg_part(adl_ctx *ctx, adl_array *packed, int64_t start, int64_t count,
                           adl_array **out) {
    adl_index idx;
    memset(&idx, 0, sizeof idx);
    idx.n = 1;
    idx.item[0] = (adl_index_item){start, count < 0 ? 1 : count, 1, count >= 0};
    return adl_getitem(ctx, packed, &idx, out);
}

adl_status adl_linalg_eigh(adl_ctx *ctx, adl_array *a, adl_array **w, adl_array **v) {
    adl_array *packed;
    adl_status st = adl_apply(ctx, ADL_OP_EIGH, 1, &a, NULL, &packed);
    if (st)
        return st;
    st = adl_linalg_part(ctx, packed, 0, -1, w);
    if (st == ADL_OK && (st = adl_linalg_part(ctx, packed, 1, packed->shape[1], v)))
        adl_array_release(*w);
    adl_array_release(packed);
    return st;
}

adl_status adl_linalg_part_matrix(adl_ctx *ctx, adl_array *packed, int64_t start, int64_t rows,
                                  int64_t cols, adl_array **out) {
    adl_array *flat;
    int64_t shape[2] = {rows, cols};
    adl_status st = adl_linalg_part(ctx, packed, start, rows * cols, &flat);
    if (st)
        return st;
    st = adl_reshape(ctx, "linalg.svd", flat, 2, shape, out);
    adl_array_release(flat);
    return st;
}

adl_status adl_linalg_svd(adl_ctx *ctx, adl_array *a, adl_array **u, adl_array **s,
                          adl_array **vt) {
    adl_array *packed;
    adl_status st = adl_apply(ctx, ADL_OP_SVD, 1, &a, NULL, &packed);
    if (st)
        return st;
    int64_t m = a->shape[0], n = a->shape[1], k = m < n ? m : n;
    *u = *s = *vt = NULL;
    st = adl_linalg_part_matrix(ctx, packed, 0, m, k, u);
    if (st == ADL_OK)
        st = adl_linalg_part(ctx, packed, m * k, k, s);
    if (st == ADL_OK)
        st = adl_linalg_part_matrix(ctx, packed, m * k + k, k, n, vt);
    adl_array_release(packed);
    if (st) {
        adl_array_release(*u);
        adl_array_release(*s);
        *u = *s = NULL;
    }
    return st;
}

adl_status adl_linalg_norm2(adl_ctx *ctx, adl_array *a, int naxes, const int *axes, int keepdims,
                            adl_array **out) {
    adl_params p;
    memset(&p, 0, sizeof p);
    if (naxes < 0) {
        p.naxes = a->ndim;
        for (int i = 0; i < a->ndim; i++)
            p.axes[i] = i;
    } else {
        p.naxes = naxes;
        memcpy(p.axes, axes, sizeof(int) * (size_t)naxes);
    }
    p.keepdims = keepdims;
    return adl_apply(ctx, ADL_OP_NORM2, 1, &a, &p, out);
}
