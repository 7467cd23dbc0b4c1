/* blas.c: NumPy's dot for ndim <= 2 on OpenBLAS (the only file that includes
 * cblas.h).
 *
 * Operands go to BLAS in place whenever their layout allows: a matrix that
 * is row-contiguous is passed as is, one that is column-contiguous (a
 * transposed view) as CblasTrans with its leading dimension, and a vector
 * with its stride (negative ones included).  Only matrices that are neither,
 * and vectors with stride 0, are copied first.  Products under SMALL_WORK
 * multiply-adds run as a plain loop on the strided operands: for the tiny
 * arrays of per-sample loops a BLAS call costs more than the arithmetic.
 */
#include "adl_core.h"
#include "iter.h"

#include <cblas.h>
#include <limits.h>

#define SMALL_WORK 64

/* Operands copied before a BLAS call, so tests can check that transposed
 * views are not (a rare path: the atomic costs nothing that matters). */
static _Atomic int64_t dot_copies;

int64_t adl_k_dot_copies(void) {
    return dot_copies;
}

/* How a matrix operand reaches BLAS: first element, transposition flag for
 * a row-major call, leading dimension. */
typedef struct blas_mat {
    const void *p;
    enum CBLAS_TRANSPOSE trans;
    int ld;
} blas_mat;

static int fits_int(int64_t v) {
    return v >= 0 && v <= INT_MAX;
}

/* Describes a (rows x cols) matrix for a row-major BLAS call, or returns 0
 * when its layout needs a copy.  A length-1 axis may have any stride, so it
 * never disqualifies a layout; its leading dimension is then the smallest
 * BLAS accepts. */
static int mat_layout(const adl_array *a, blas_mat *m) {
    int64_t r = a->shape[0], c = a->shape[1], s0 = a->strides[0], s1 = a->strides[1];
    if (!fits_int(r) || !fits_int(c))
        return 0;
    if (c == 1 || s1 == 1) {
        int64_t ld = r == 1 ? (c > 1 ? c : 1) : s0;
        if (ld >= (c > 1 ? c : 1) && fits_int(ld)) {
            m->p = adl_first_elem(a);
            m->trans = CblasNoTrans;
            m->ld = (int)ld;
            return 1;
        }
    }
    if (r == 1 || s0 == 1) {
        /* column-contiguous: row-major storage of the transpose */
        int64_t ld = c == 1 ? (r > 1 ? r : 1) : s1;
        if (ld >= (r > 1 ? r : 1) && fits_int(ld)) {
            m->p = adl_first_elem(a);
            m->trans = CblasTrans;
            m->ld = (int)ld;
            return 1;
        }
    }
    return 0;
}

/* A matrix operand ready for BLAS, copying it into *tmp when its layout
 * needs that (the caller releases *tmp). */
static adl_status mat_arg(adl_ctx *ctx, const adl_array *a, blas_mat *m, adl_array **tmp) {
    if (mat_layout(a, m))
        return ADL_OK;
    dot_copies++;
    if (adl_k_copy(ctx, a, tmp) != ADL_OK)
        return ctx->status;
    if (!mat_layout(*tmp, m))
        return adl_error(ctx, ADL_ERR_INTERNAL, "dot: a contiguous copy has no BLAS layout");
    return ADL_OK;
}

/* A vector operand for BLAS: BLAS reads a negative increment backwards from
 * the lowest address, so that is the pointer it gets.  Stride 0 (a broadcast
 * view) is not portable BLAS: those are copied. */
static adl_status vec_arg(adl_ctx *ctx, const adl_array *a, const void **p, int *inc,
                          adl_array **tmp) {
    int64_t n = a->shape[0], s = n == 1 ? 1 : a->strides[0];
    if (s == 0 || s > INT_MAX || s < -INT_MAX) {
        dot_copies++;
        if (adl_k_copy(ctx, a, tmp) != ADL_OK)
            return ctx->status;
        a = *tmp;
        s = 1;
    }
    const char *first = adl_first_elem(a);
    *p = s > 0 ? first : first + (n - 1) * s * adl_elem_size(a);
    *inc = (int)s;
    return ADL_OK;
}

/* C (m x n, contiguous) = A B with A(i,p) = a[i*as0 + p*as1] and
 * B(p,j) = b[p*bs0 + j*bs1]: any strides, vectors as 1-row or 1-column
 * matrices (stride 0 on the missing axis).  float32 accumulates in double. */
#define DEFINE_NAIVE_GEMM(T, SFX)                                                              \
    static void naive_gemm_##SFX(int64_t m, int64_t n, int64_t k, const void *va, int64_t as0, \
                                 int64_t as1, const void *vb, int64_t bs0, int64_t bs1,        \
                                 void *vc) {                                                   \
        const T *a = va, *b = vb;                                                              \
        T *c = vc;                                                                             \
        for (int64_t i = 0; i < m; i++)                                                        \
            for (int64_t j = 0; j < n; j++) {                                                  \
                double acc = 0;                                                                \
                for (int64_t p = 0; p < k; p++)                                                \
                    acc += (double)a[i * as0 + p * as1] * (double)b[p * bs0 + j * bs1];        \
                c[i * n + j] = (T)acc;                                                         \
            }                                                                                  \
    }
DEFINE_NAIVE_GEMM(double, f64)
DEFINE_NAIVE_GEMM(float, f32)

/* The BLAS routines of one float type, called through void pointers. */
static double blas_dot(adl_dtype dt, int n, const void *x, int incx, const void *y, int incy) {
    if (dt == ADL_FLOAT32)
        return cblas_sdot(n, x, incx, y, incy);
    return cblas_ddot(n, x, incx, y, incy);
}

/* OpenBLAS 0.3.21 runs a matrix-vector product on all its threads from
 * 9,216 matrix elements (interface/gemv.c), and on two cores handing the
 * work over costs more than it saves well beyond that: at 100 x 100, 3 us
 * against 0.8 us on one thread, for A^T x up to 1000 x 1000 (measured,
 * docs/performance.md).  Its gemm keeps one thread up to 262,144
 * multiply-adds (interface/gemm.c) and with a single column runs as fast
 * as gemv on one thread: products in the band where gemv would hand over
 * in vain are computed as that gemm instead. */
#define GEMV_THREADED_FROM  (2304 * 4)    /* elements: OpenBLAS's gemv threshold */
#define GEMV_AS_GEMM_UPTO   (256 * 256)   /* A x: two threads win from about here */
#define GEMV_T_AS_GEMM_UPTO (1024 * 1024) /* A^T x: measured no further */

static int gemv_as_gemm(enum CBLAS_TRANSPOSE t, int m, int n, int incx) {
    int64_t size = (int64_t)m * n;
    return incx >= 1 && size >= GEMV_THREADED_FROM &&
           size <= (t == CblasNoTrans ? GEMV_AS_GEMM_UPTO : GEMV_T_AS_GEMM_UPTO);
}

static void blas_gemv(adl_dtype dt, enum CBLAS_TRANSPOSE t, int m, int n, const void *a, int lda,
                      const void *x, int incx, void *y) {
    if (gemv_as_gemm(t, m, n, incx)) {
        /* y = op(A) x as a one-column product: x a column of stride incx */
        int rows = t == CblasNoTrans ? m : n, inner = t == CblasNoTrans ? n : m;
        if (dt == ADL_FLOAT32)
            cblas_sgemm(CblasRowMajor, t, CblasNoTrans, rows, 1, inner, 1.0f, a, lda, x, incx, 0.0f,
                        y, 1);
        else
            cblas_dgemm(CblasRowMajor, t, CblasNoTrans, rows, 1, inner, 1.0, a, lda, x, incx, 0.0,
                        y, 1);
        return;
    }
    if (dt == ADL_FLOAT32)
        cblas_sgemv(CblasRowMajor, t, m, n, 1.0f, a, lda, x, incx, 0.0f, y, 1);
    else
        cblas_dgemv(CblasRowMajor, t, m, n, 1.0, a, lda, x, incx, 0.0, y, 1);
}

static void blas_gemm(adl_dtype dt, enum CBLAS_TRANSPOSE ta, enum CBLAS_TRANSPOSE tb, int m, int n,
                      int k, const void *a, int lda, const void *b, int ldb, void *c) {
    if (dt == ADL_FLOAT32)
        cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, n);
    else
        cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, 1.0, a, lda, b, ldb, 0.0, c, n);
}

static adl_status not_aligned(adl_ctx *ctx, const adl_array *a, const adl_array *b) {
    char sa[256], sb[256];
    adl_shape_str(a->ndim, a->shape, sa, sizeof sa);
    adl_shape_str(b->ndim, b->shape, sb, sizeof sb);
    int bax = b->ndim > 1 ? b->ndim - 2 : 0; /* b's axis that meets a's last */
    return adl_error(ctx, ADL_ERR_VALUE,
                     "dot: shapes %s and %s not aligned: %lld (axis %d) ~= %lld (axis %d)", sa, sb,
                     (long long)a->shape[a->ndim - 1], a->ndim, (long long)b->shape[bax], bax + 1);
}

static adl_status dot_into(adl_ctx *ctx, const adl_array *a, const adl_array *b, adl_array *r);

/* The shape of a b for operands of 1 or 2 axes; returns its axis count. */
static int product_shape(const adl_array *a, const adl_array *b, int64_t *shape) {
    int nd = 0;
    if (a->ndim == 2)
        shape[nd++] = a->shape[0];
    if (b->ndim == 2)
        shape[nd++] = b->shape[1];
    return nd;
}

/* A float64 matrix or vector times a vector, small enough for dot_into's
 * loop (a per-sample loop's w.T x): that loop, without the general checks
 * and setup.  Returns 0 when the general path is needed, else 1 with *st
 * set. */
int adl_k_dot_small(adl_ctx *ctx, const adl_array *a, const adl_array *b, adl_array **out,
                    adl_status *st) {
    if (a->dtype != ADL_FLOAT64 || b->dtype != ADL_FLOAT64 || a->level != 0 || b->level != 0 ||
        !a->buf || !b->buf || b->ndim != 1 || (a->ndim != 1 && a->ndim != 2))
        return 0;
    int64_t k = b->shape[0], m = a->ndim == 2 ? a->shape[0] : 1;
    if (a->shape[a->ndim - 1] != k || k == 0 || k >= SMALL_WORK || m * k >= SMALL_WORK)
        return 0;
    adl_array *r = adl_array_alloc(ctx, "dot", ADL_FLOAT64, a->ndim - 1, a->shape);
    if (!r) {
        *st = ctx->status;
        return 1;
    }
    naive_gemm_f64(m, 1, k, adl_first_elem(a), a->ndim == 2 ? a->strides[0] : 0,
                   a->strides[a->ndim - 1], adl_first_elem(b), b->strides[0], 0, adl_f64(r));
    *out = r;
    *st = ADL_OK;
    return 1;
}

adl_status adl_k_dot(adl_ctx *ctx, const adl_array *a, const adl_array *b, adl_array **out) {
    adl_status small;
    if (adl_k_dot_small(ctx, a, b, out, &small))
        return small;
    const adl_array *in[2] = {a, b};
    for (int i = 0; i < 2; i++)
        if (in[i]->level != 0 || !in[i]->buf || (unsigned)in[i]->dtype > ADL_FLOAT32)
            return adl_kernel_bad_operand(ctx, "dot", in[i]);
    if (a->ndim == 0 || b->ndim == 0)
        return adl_k_binary(ctx, ADL_B_MUL, a, b, out);
    if (a->dtype != b->dtype) {
        /* float32 with float64: the float32 operand is converted (NumPy) */
        adl_array *c = NULL;
        const adl_array *f32 = a->dtype == ADL_FLOAT32 ? a : b;
        if (adl_k_astype(ctx, f32, ADL_FLOAT64, &c) != ADL_OK)
            return ctx->status;
        adl_status st = f32 == a ? adl_k_dot(ctx, c, b, out) : adl_k_dot(ctx, a, c, out);
        adl_array_release(c);
        return st;
    }
    adl_dtype dt = a->dtype;
    if (a->ndim > 2 || b->ndim > 2) {
        char sa[256], sb[256];
        adl_shape_str(a->ndim, a->shape, sa, sizeof sa);
        adl_shape_str(b->ndim, b->shape, sb, sizeof sb);
        return adl_error(ctx, ADL_ERR_VALUE,
                         "dot: arrays with more than 2 dimensions are not supported yet (shapes %s "
                         "and %s)",
                         sa, sb);
    }

    if (a->shape[a->ndim - 1] != b->shape[0])
        return not_aligned(ctx, a, b);

    int64_t oshape[2];
    int ond = product_shape(a, b, oshape);
    adl_array *r = adl_array_alloc(ctx, "dot", dt, ond, oshape);
    if (!r)
        return ctx->status;
    adl_status st = dot_into(ctx, a, b, r);
    if (st != ADL_OK) {
        adl_array_release(r);
        return st;
    }
    *out = r;
    return ADL_OK;
}

int adl_k_dot_into(adl_ctx *ctx, const adl_array *a, const adl_array *b, adl_array *r,
                   adl_status *st) {
    const adl_array *in[2] = {a, b};
    for (int i = 0; i < 2; i++)
        if (in[i]->level != 0 || !in[i]->buf || in[i]->dtype != r->dtype ||
            (unsigned)in[i]->dtype > ADL_FLOAT32 || in[i]->ndim < 1 || in[i]->ndim > 2)
            return 0;
    int64_t oshape[2];
    int ond = product_shape(a, b, oshape);
    if (a->shape[a->ndim - 1] != b->shape[0] || !adl_shape_equal(ond, oshape, r->ndim, r->shape))
        return 0;
    *st = dot_into(ctx, a, b, r);
    return 1;
}

/* r = a b for plain operands of r's dtype, 1 or 2 axes, aligned; r
 * contiguous of the product's shape.  As a matrix product C(m,n) = A(m,k)
 * B(k,n); a vector is a matrix with a length-1 axis of stride 0. */
static adl_status dot_into(adl_ctx *ctx, const adl_array *a, const adl_array *b, adl_array *r) {
    adl_dtype dt = r->dtype;
    int64_t m = a->ndim == 2 ? a->shape[0] : 1, k = a->shape[a->ndim - 1];
    int64_t n = b->ndim == 2 ? b->shape[1] : 1;
    int64_t as0 = a->ndim == 2 ? a->strides[0] : 0, as1 = a->strides[a->ndim - 1];
    int64_t bs0 = b->strides[0], bs1 = b->ndim == 2 ? b->strides[1] : 0;
    void *c = adl_first_elem(r);
    const void *pa = adl_first_elem(a), *pb = adl_first_elem(b);

    if (m == 0 || n == 0)
        return ADL_OK; /* empty result: nothing to compute */
    if (k == 0 || (k < SMALL_WORK && m * n < SMALL_WORK && m * n * k < SMALL_WORK) ||
        !fits_int(m) || !fits_int(n) || !fits_int(k)) {
        /* k == 0 gives zeros; the loop also covers sizes beyond BLAS's int */
        if (dt == ADL_FLOAT32)
            naive_gemm_f32(m, n, k, pa, as0, as1, pb, bs0, bs1, c);
        else
            naive_gemm_f64(m, n, k, pa, as0, as1, pb, bs0, bs1, c);
        return ADL_OK;
    }

    adl_array *ta = NULL, *tb = NULL;
    adl_status st = ADL_OK;
    if (a->ndim == 1 && b->ndim == 1) {
        const void *x, *y;
        int incx, incy;
        if ((st = vec_arg(ctx, a, &x, &incx, &ta)) == ADL_OK &&
            (st = vec_arg(ctx, b, &y, &incy, &tb)) == ADL_OK) {
            double v = blas_dot(dt, (int)k, x, incx, y, incy);
            if (dt == ADL_FLOAT32)
                *(float *)c = (float)v;
            else
                *(double *)c = v;
        }
    } else if (b->ndim == 1) {
        /* y(m) = A x */
        blas_mat ma;
        const void *x;
        int incx;
        if ((st = mat_arg(ctx, a, &ma, &ta)) == ADL_OK &&
            (st = vec_arg(ctx, b, &x, &incx, &tb)) == ADL_OK) {
            if (ma.trans == CblasNoTrans)
                blas_gemv(dt, CblasNoTrans, (int)m, (int)k, ma.p, ma.ld, x, incx, c);
            else /* A is stored as its transpose, k x m */
                blas_gemv(dt, CblasTrans, (int)k, (int)m, ma.p, ma.ld, x, incx, c);
        }
    } else if (a->ndim == 1) {
        /* y(n) = B^T x */
        blas_mat mb;
        const void *x;
        int incx;
        if ((st = mat_arg(ctx, b, &mb, &tb)) == ADL_OK &&
            (st = vec_arg(ctx, a, &x, &incx, &ta)) == ADL_OK) {
            if (mb.trans == CblasNoTrans)
                blas_gemv(dt, CblasTrans, (int)k, (int)n, mb.p, mb.ld, x, incx, c);
            else /* B is stored as its transpose, n x k */
                blas_gemv(dt, CblasNoTrans, (int)n, (int)k, mb.p, mb.ld, x, incx, c);
        }
    } else {
        blas_mat ma, mb;
        if ((st = mat_arg(ctx, a, &ma, &ta)) == ADL_OK &&
            (st = mat_arg(ctx, b, &mb, &tb)) == ADL_OK)
            blas_gemm(dt, ma.trans, mb.trans, (int)m, (int)n, (int)k, ma.p, ma.ld, mb.p, mb.ld, c);
    }
    adl_array_release(ta);
    adl_array_release(tb);
    return st;
}
