/* reduce.c: sum, max and min over any set of axes.
 *
 * The input is walked by an adl_iter whose output operand has stride 0 on the
 * reduced axes.  When the inner run lies along a reduced axis the loop folds
 * it into one output element (a pairwise sum, as NumPy does, for accuracy);
 * otherwise it runs along a kept axis and updates a row of outputs at once
 * (o[i] += a[i], which vectorises).  Non-contiguous inputs are walked in
 * memory order, like NumPy's, so a transposed input reads memory forwards.
 */
#include "adl_core.h"
#include "iter.h"
#include "vmath.h"

#include <math.h>

/* NumPy's pairwise summation (8 partial sums, blocks of 128): error grows
 * as O(log n) instead of O(n), at the speed of a plain loop.  float32 runs
 * are summed in double (acc_f32) and rounded once at the end. */
typedef double acc_f64;
typedef double acc_f32;
#define DEFINE_PAIRWISE(DT, T, SFX)                                                            \
    static acc_##SFX pairwise_sum_##SFX(const T *a, int64_t n, int64_t s) {                    \
        if (n < 8) {                                                                           \
            acc_##SFX res = 0;                                                                 \
            for (int64_t i = 0; i < n; i++)                                                    \
                res += a[i * s];                                                               \
            return res;                                                                        \
        }                                                                                      \
        if (n <= 128) {                                                                        \
            acc_##SFX r[8];                                                                    \
            for (int j = 0; j < 8; j++)                                                        \
                r[j] = a[j * s];                                                               \
            int64_t i;                                                                         \
            if (s == 1) /* the same sums; this form vectorises */                              \
                for (i = 8; i < n - n % 8; i += 8)                                             \
                    for (int j = 0; j < 8; j++)                                                \
                        r[j] += a[i + j];                                                      \
            else                                                                               \
                for (i = 8; i < n - n % 8; i += 8)                                             \
                    for (int j = 0; j < 8; j++)                                                \
                        r[j] += a[(i + j) * s];                                                \
            acc_##SFX res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7])); \
            for (; i < n; i++)                                                                 \
                res += a[i * s];                                                               \
            return res;                                                                        \
        }                                                                                      \
        int64_t n2 = n / 2;                                                                    \
        n2 -= n2 % 8;                                                                          \
        return pairwise_sum_##SFX(a, n2, s) + pairwise_sum_##SFX(a + n2 * s, n - n2, s);       \
    }

/* max/min as NumPy: the accumulator keeps a nan once it has seen one.  For
 * rows of outputs (o[i] = MAX_OF(o[i], a[i])) the comparisons are joined
 * with | rather than ||, so that the compiler selects without a branch and
 * vectorises; folding a run into one value, a well predicted branch (||)
 * is faster than the select's chain of dependent instructions. */
#define MAX_OF(acc, x)   ((((acc) >= (x)) | ((acc) != (acc))) ? (acc) : (x))
#define MIN_OF(acc, x)   ((((acc) <= (x)) | ((acc) != (acc))) ? (acc) : (x))
#define MAX_FOLD(acc, x) (((acc) >= (x) || isnan(acc)) ? (acc) : (x))
#define MIN_FOLD(acc, x) (((acc) <= (x) || isnan(acc)) ? (acc) : (x))

/* acc folded with a run of n values (stride s) by OF, from the first value
 * to the last.  A long contiguous run goes through vmath.c's vectorised
 * loop first: the max of a set is one value whatever the order, except for
 * which nan (its payload) or which zero (its sign) comes out, so when the
 * result is a nan or a zero the run is folded again in order, and the
 * result is the plain loop's to the bit. */
#define DEFINE_MINMAX(DT, T, SFX, NAME, OF)                                       \
    static T NAME##_run_##SFX(T acc, const T *restrict a, int64_t n, int64_t s) { \
        if (s == 1 && n >= adl_vm_minmax_min_len()) {                             \
            T m = adl_vm_##NAME##_##SFX(a, n); /* once: OF reads its x twice */   \
            T v = OF(acc, m);                                                     \
            if (v == v && v != 0)                                                 \
                return v;                                                         \
        }                                                                         \
        for (int64_t i = 0; i < n; i++)                                           \
            acc = OF(acc, a[i * s]);                                              \
        return acc;                                                               \
    }

/* o[i] += a[i]: a row of sums (a sum over a leading axis), the loop the
 * reduction spends its time in when the data sits in cache; compiled also
 * for AVX2 and AVX-512, chosen when the program loads (GCC's ifunc). */
#define DEFINE_ADD_ROW(T, SFX)                                                              \
    __attribute__((target_clones("avx512f", "avx2", "default"))) static void add_row_##SFX( \
        T *restrict o, const T *restrict a, int64_t n) {                                    \
        for (int64_t i = 0; i < n; i++)                                                     \
            o[i] += a[i];                                                                   \
    }

#define DEFINE_REDUCE_LOOP(DT, T, SFX)                                               \
    DEFINE_ADD_ROW(T, SFX)                                                           \
    DEFINE_PAIRWISE(DT, T, SFX)                                                      \
    DEFINE_MINMAX(DT, T, SFX, max, MAX_FOLD)                                         \
    DEFINE_MINMAX(DT, T, SFX, min, MIN_FOLD)                                         \
    static void reduce_loop_##SFX(adl_reduce_op op, int64_t n, void *vo, int64_t so, \
                                  const void *va, int64_t sa) {                      \
        T *restrict o = vo;                                                          \
        const T *restrict a = va;                                                    \
        if (so == 0) { /* the run folds into one output element */                   \
            T acc = o[0];                                                            \
            if (op == ADL_R_SUM)                                                     \
                acc = (T)(acc + pairwise_sum_##SFX(a, n, sa));                       \
            else if (op == ADL_R_MAX)                                                \
                acc = max_run_##SFX(acc, a, n, sa);                                  \
            else                                                                     \
                acc = min_run_##SFX(acc, a, n, sa);                                  \
            o[0] = acc;                                                              \
        } else if (op == ADL_R_SUM) {                                                \
            if (so == 1 && sa == 1)                                                  \
                add_row_##SFX(o, a, n);                                              \
            else                                                                     \
                for (int64_t i = 0; i < n; i++)                                      \
                    o[i * so] += a[i * sa];                                          \
        } else if (op == ADL_R_MAX) {                                                \
            for (int64_t i = 0; i < n; i++)                                          \
                o[i * so] = MAX_OF(o[i * so], a[i * sa]);                            \
        } else {                                                                     \
            for (int64_t i = 0; i < n; i++)                                          \
                o[i * so] = MIN_OF(o[i * so], a[i * sa]);                            \
        }                                                                            \
    }                                                                                \
    static void reduce_init_##SFX(adl_reduce_op op, void *vo, int64_t n) {           \
        T *o = vo, v = op == ADL_R_SUM ? 0 : op == ADL_R_MAX ? -INFINITY : INFINITY; \
        for (int64_t i = 0; i < n; i++)                                              \
            o[i] = v;                                                                \
    }
ADL_KERNEL_DTYPES(DEFINE_REDUCE_LOOP)

typedef struct reduce_loops {
    void (*loop)(adl_reduce_op, int64_t, void *, int64_t, const void *, int64_t);
    void (*init)(adl_reduce_op, void *, int64_t);
} reduce_loops;

#define REDUCE_ENTRY(DT, T, SFX) [DT] = {reduce_loop_##SFX, reduce_init_##SFX},
static const reduce_loops reduce_by_dtype[ADL_FLOAT32 + 1] = {ADL_KERNEL_DTYPES(REDUCE_ENTRY)};

adl_status adl_k_reduce(adl_ctx *ctx, adl_reduce_op op, const adl_array *a, int naxes,
                        const int *axes, int keepdims, adl_array **out) {
    if ((unsigned)op >= ADL_R_COUNT)
        return adl_error(ctx, ADL_ERR_INTERNAL, "reduce: unknown operation %d", (int)op);
    const char *name = adl_reduce_name(op);
    if (a->level != 0 || !a->buf || (unsigned)a->dtype > ADL_FLOAT32 ||
        !reduce_by_dtype[a->dtype].loop)
        return adl_kernel_bad_operand(ctx, name, a);
    const reduce_loops *l = &reduce_by_dtype[a->dtype];
    int nd = a->ndim;

    char reduced[ADL_MAX_DIMS] = {0};
    if (naxes < 0 || naxes > nd)
        return adl_error(ctx, ADL_ERR_VALUE, "%s: %d axes given for an array of dimension %d", name,
                         naxes, nd);
    for (int i = 0; i < naxes; i++) {
        int ax = axes[i];
        if (ax < 0 || ax >= nd)
            return adl_error(ctx, ADL_ERR_VALUE,
                             "%s: axis %d is out of bounds for array of dimension %d", name, ax + 1,
                             nd);
        if (reduced[ax])
            return adl_error(ctx, ADL_ERR_VALUE, "%s: duplicate value in 'axis'", name);
        reduced[ax] = 1;
        if (op != ADL_R_SUM && a->shape[ax] == 0)
            return adl_error(ctx, ADL_ERR_VALUE,
                             "%s: zero-size array to reduction operation %s which has no identity",
                             name, op == ADL_R_MAX ? "maximum" : "minimum");
    }
    if (naxes == 0) /* nothing to reduce: NumPy returns the values unchanged */
        return adl_k_copy(ctx, a, out);

    int ond = 0;
    int64_t oshape[ADL_MAX_DIMS];
    for (int d = 0; d < nd; d++)
        if (!reduced[d])
            oshape[ond++] = a->shape[d];
        else if (keepdims)
            oshape[ond++] = 1;
    adl_array *r = adl_array_alloc(ctx, name, a->dtype, ond, oshape);
    if (!r)
        return ctx->status;
    l->init(op, adl_first_elem(r), r->size);

    /* The output seen along the input's axes: its own strides on kept axes,
     * 0 on reduced ones. */
    int64_t ost[ADL_MAX_DIMS], s = 1;
    for (int d = nd - 1; d >= 0; d--) {
        ost[d] = reduced[d] ? 0 : s;
        if (!reduced[d])
            s *= a->shape[d];
    }
    const int64_t *shape = a->shape, *ast = a->strides, *ostp = ost;
    int64_t sshape[ADL_MAX_DIMS], sost[ADL_MAX_DIMS], sast[ADL_MAX_DIMS];
    if (!adl_contiguous(a)) {
        /* Walk in memory order, as NumPy does: a stable sort of the axes by
         * decreasing |stride| of the input, so the inner loop reads
         * neighbouring elements (a transposed input is read row by row of
         * its memory).  This changes the order in which an output element's
         * inputs are added, as it does in NumPy, not which ones. */
        for (int i = 0; i < nd; i++) {
            int64_t key = a->strides[i] < 0 ? -a->strides[i] : a->strides[i];
            int j = i;
            for (; j > 0 && (sast[j - 1] < 0 ? -sast[j - 1] : sast[j - 1]) < key; j--) {
                sshape[j] = sshape[j - 1];
                sost[j] = sost[j - 1];
                sast[j] = sast[j - 1];
            }
            sshape[j] = a->shape[i];
            sost[j] = ost[i];
            sast[j] = a->strides[i];
        }
        shape = sshape;
        ast = sast;
        ostp = sost;
    }

    adl_iter it;
    const int64_t *st[2] = {ostp, ast};
    char *po = adl_first_elem(r);
    const char *pa = adl_first_elem(a);
    int64_t es = adl_elem_size(a);
    if (adl_iter_init(&it, nd, shape, 2, st) > 0)
        do
            l->loop(op, it.inner, po + it.off[0] * es, it.stride[0], pa + it.off[1] * es,
                    it.stride[1]);
        while (adl_iter_next(&it));
    *out = r;
    return ADL_OK;
}
