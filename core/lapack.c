/* lapack.c: the LAPACK routines behind np.linalg, through LAPACKE (the only
 * file that includes lapacke.h, as blas.c is for cblas.h).
 *
 * Inputs are contiguous row-major copies that the caller owns; LAPACKE's
 * row-major interface transposes where LAPACK needs columns. */
#include "alloc.h"
#include "linalg.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>

/* LAPACKE's code for a failed workspace allocation, as a negative info. */
#define NO_MEMORY LAPACK_WORK_MEMORY_ERROR

static int lda(int n) {
    return n > 1 ? n : 1;
}

int adl_lapack_inv(int n, double *a) {
    if (n == 0)
        return 0;
    lapack_int *ipiv = adl_malloc(sizeof *ipiv * (size_t)n);
    if (!ipiv)
        return NO_MEMORY;
    int info = (int)LAPACKE_dgetrf(LAPACK_ROW_MAJOR, n, n, a, lda(n), ipiv);
    if (info == 0)
        info = (int)LAPACKE_dgetri(LAPACK_ROW_MAJOR, n, a, lda(n), ipiv);
    adl_free(ipiv);
    return info;
}

int adl_lapack_solve(int n, int nrhs, double *a, double *b) {
    if (n == 0 || nrhs == 0)
        return 0;
    lapack_int *ipiv = adl_malloc(sizeof *ipiv * (size_t)n);
    if (!ipiv)
        return NO_MEMORY;
    int info = (int)LAPACKE_dgesv(LAPACK_ROW_MAJOR, n, nrhs, a, lda(n), ipiv, b, lda(nrhs));
    adl_free(ipiv);
    return info;
}

int adl_lapack_det(int n, double *a, double *sign, double *logabs, double *det) {
    *sign = 1.0;
    *logabs = 0.0;
    *det = 1.0;
    if (n == 0)
        return 0;
    lapack_int *ipiv = adl_malloc(sizeof *ipiv * (size_t)n);
    if (!ipiv)
        return NO_MEMORY;
    int info = (int)LAPACKE_dgetrf(LAPACK_ROW_MAJOR, n, n, a, lda(n), ipiv);
    if (info > 0) { /* an exactly singular U: NumPy gives sign 0, log|det| -inf */
        *sign = 0.0;
        *logabs = -INFINITY;
        *det = 0.0;
        info = 0;
    } else if (info == 0) {
        for (int i = 0; i < n; i++) {
            double d = a[(size_t)i * (size_t)n + (size_t)i];
            if (ipiv[i] != i + 1) /* LAPACK's pivots are 1-based */
                *sign = -*sign;
            if (d < 0)
                *sign = -*sign;
            *logabs += log(fabs(d));
            *det *= d;
        }
        *det = *sign < 0 ? -fabs(*det) : fabs(*det); /* the pivots' sign too */
    }
    adl_free(ipiv);
    return info;
}

int adl_lapack_cholesky(int n, double *a) {
    if (n == 0)
        return 0;
    int info = (int)LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', n, a, lda(n));
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            a[(size_t)i * (size_t)n + (size_t)j] = 0.0;
    return info;
}

int adl_lapack_eigh(int n, double *a, double *w) {
    if (n == 0)
        return 0;
    return (int)LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'L', n, a, lda(n), w);
}

int adl_lapack_svd(int m, int n, double *a, double *u, double *s, double *vt, int full) {
    int k = m < n ? m : n;
    if (k == 0)
        return 0;
    return (int)LAPACKE_dgesdd(LAPACK_ROW_MAJOR, full ? 'A' : 'S', m, n, a, lda(n), s, u,
                               lda(full ? m : k), vt, lda(n));
}
