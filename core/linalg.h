/* linalg.h: np.linalg in the core (lapack.c, linalg.c, linalg_rules.c).
 *
 * Matrices are 2-dimensional (stacks of matrices are not supported yet).
 * Decompositions with several results (eigh, svd) are one primitive whose
 * output packs the results into one array; the traced operations hand out
 * views of its parts, so the tape keeps its one-output-per-node shape and
 * the gradients of the parts meet in the packed output's gradient. */
#ifndef ADL_LINALG_H
#define ADL_LINALG_H

#include "trace.h"

/* ---- LAPACK on contiguous row-major float64 (lapack.c) ----
 * Each returns LAPACK's info: 0 on success, > 0 for a singular / not
 * positive definite / not converged matrix, < 0 for a bad argument or no
 * memory for LAPACK's workspace. */
int adl_lapack_inv(int n, double *a);
/* Solves a x = b in place (b: n x nrhs); a is overwritten by its LU. */
int adl_lapack_solve(int n, int nrhs, double *a, double *b);
/* sign, log|det| and det (the product of LU's diagonal, as NumPy's det) of
 * a (overwritten); a singular matrix gives sign 0, log|det| -inf, det 0
 * (info 0). */
int adl_lapack_det(int n, double *a, double *sign, double *logabs, double *det);
/* The lower Cholesky factor in place, zeros above the diagonal. */
int adl_lapack_cholesky(int n, double *a);
/* Eigenvalues (ascending) into w; a becomes the eigenvectors (columns).
 * Reads only the lower triangle of a. */
int adl_lapack_eigh(int n, double *a, double *w);
/* SVD of the m x n matrix a (destroyed), s descending (k = min(m, n)):
 * reduced u (m x k), s (k), vt (k x n); full: u (m x m), vt (n x n). */
int adl_lapack_svd(int m, int n, double *a, double *u, double *s, double *vt, int full);

/* ---- forward computations on plain arrays (linalg.c) ---- */
adl_status adl_linalg_forward(adl_ctx *ctx, adl_opcode op, int nin, adl_array *const *in,
                              const adl_params *p, adl_array **out);
/* sign and log|det| of a plain square matrix (sign is a constant). */
adl_status adl_linalg_slogdet_value(adl_ctx *ctx, const adl_array *a, double *sign, double *logabs);

/* ---- traced operations (linalg.c): any order of derivatives ---- */
adl_status adl_linalg_inv(adl_ctx *ctx, adl_array *a, adl_array **out);
/* b is (n,) or (n,k). */
adl_status adl_linalg_solve(adl_ctx *ctx, adl_array *a, adl_array *b, adl_array **out);
adl_status adl_linalg_det(adl_ctx *ctx, adl_array *a, adl_array **out);
/* sign (a number: constant) and log|det| (traced). */
adl_status adl_linalg_slogdet(adl_ctx *ctx, adl_array *a, double *sign, adl_array **logdet);
adl_status adl_linalg_cholesky(adl_ctx *ctx, adl_array *a, adl_array **out);
/* w (n,) ascending and v (n,n) with the eigenvectors as columns. */
adl_status adl_linalg_eigh(adl_ctx *ctx, adl_array *a, adl_array **w, adl_array **v);
/* full_matrices=False: u (m,k), s (k,), vt (k,n). */
adl_status adl_linalg_svd(adl_ctx *ctx, adl_array *a, adl_array **u, adl_array **s, adl_array **vt);
/* full_matrices=True on a plain matrix: u (m,m), s (k,), vt (n,n); no
 * gradient (autograd has none either). */
adl_status adl_linalg_svd_full(adl_ctx *ctx, const adl_array *a, adl_array **u, adl_array **s,
                               adl_array **vt);
/* sqrt(sum(x^2)) over the 0-based axes (naxes -1: all); gradient 0 at 0. */
adl_status adl_linalg_norm2(adl_ctx *ctx, adl_array *a, int naxes, const int *axes, int keepdims,
                            adl_array **out);

/* The traced view packed[start : start+count] along axis 1, or packed[start]
 * when count < 0 (the axis is dropped). */
adl_status adl_linalg_part(adl_ctx *ctx, adl_array *packed, int64_t start, int64_t count,
                           adl_array **out);
/* The 1-d packed[start : start+rows*cols] as a (rows, cols) matrix. */
adl_status adl_linalg_part_matrix(adl_ctx *ctx, adl_array *packed, int64_t start, int64_t rows,
                                  int64_t cols, adl_array **out);

/* Whether op is one of np.linalg's primitives, whose rules are in
 * linalg_rules.c (ops.def keeps them together, INV to NORM2). */
static inline int adl_op_is_linalg(adl_opcode op) {
    return op >= ADL_OP_INV && op <= ADL_OP_NORM2;
}

/* ---- derivative rules (linalg_rules.c) ---- */
adl_status adl_linalg_vjp(adl_ctx *ctx, const adl_node *n, int k, adl_array *g, adl_array **out);
/* The forward rule of linalg op for input k's tangent t (see adl_jvp). */
adl_status adl_linalg_jvp(adl_ctx *ctx, adl_opcode op, adl_array *const *in, int k, adl_array *t,
                          const adl_params *p, adl_array *ans, adl_array **out);

#endif
