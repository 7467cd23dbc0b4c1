/* iter.h: strided loops over several operands, for the kernels (iter.c).
 *
 * An iterator walks an iteration shape in C order for up to ADL_ITER_MAX_OPS
 * operands, each with its own element strides (0 where it is broadcast).  It
 * drops length-1 axes and merges axes that every operand can step through
 * as one, so that the innermost run is as long as possible; the kernel then
 * writes a tight loop over that run:
 *
 *     adl_iter it;
 *     if (adl_iter_init_arrays(&it, ndim, shape, 2, ops) > 0)
 *         do {
 *             double *o = base_o + it.off[0];
 *             const double *a = base_a + it.off[1];
 *             for (int64_t i = 0; i < it.inner; i++)
 *                 o[i * it.stride[0]] = f(a[i * it.stride[1]]);
 *         } while (adl_iter_next(&it));
 *
 * Offsets and strides are in elements, relative to each operand's first
 * element, so the iterator knows nothing of dtypes.  It lives on the stack:
 * no allocation, and setup is a single pass over the axes.
 */
#ifndef ADL_ITER_H
#define ADL_ITER_H

#include "adl_core.h"

#define ADL_ITER_MAX_OPS 4

typedef struct adl_iter {
    int nop;
    int ndim; /* axes left after merging, the inner run's included (>= 1) */
    /* Axes innermost first: axis 0 is the inner run, whose length and
     * per-operand strides the kernels read as `inner` and `stride`. */
    union {
        int64_t shape[ADL_MAX_DIMS];
        int64_t inner; /* elements in each inner run */
    };
    union {
        int64_t step[ADL_MAX_DIMS][ADL_ITER_MAX_OPS]; /* [axis][operand] */
        int64_t stride[ADL_ITER_MAX_OPS];             /* inner-run strides */
    };
    int64_t off[ADL_ITER_MAX_OPS]; /* offset of the current run's first element */
    int64_t index[ADL_MAX_DIMS];
} adl_iter;

/* Sets up iteration over (ndim, shape); strides[k] holds operand k's stride
 * along each of the ndim axes (0 where broadcast).  Returns the total number
 * of elements: when it is 0 there is nothing to visit and the iterator must
 * not be used.  Callers guarantee 1 <= nop <= ADL_ITER_MAX_OPS. */
int64_t adl_iter_init(adl_iter *it, int ndim, const int64_t *shape, int nop,
                      const int64_t *const *strides);

/* The same for arrays broadcast to (ndim, shape) under NumPy's rules (their
 * shapes must already be known to broadcast to it): missing leading axes and
 * length-1 axes get stride 0. */
int64_t adl_iter_init_arrays(adl_iter *it, int ndim, const int64_t *shape, int nop,
                             const adl_array *const *ops);

/* a's strides aligned to an ndim-axis shape that a broadcasts to: 0 on the
 * missing leading axes and on a's length-1 axes. */
void adl_iter_broadcast_strides(const adl_array *a, int ndim, int64_t *strides);

/* ---- small helpers shared by kernels.c, reduce.c and blas.c ---- */

/* The dtypes the kernels' inner loops are compiled for: X(dtype, C type,
 * suffix).  Operands of mixed dtypes are converted to the result's dtype by
 * the drivers (adl_result_dtype) before a loop runs. */
#define ADL_KERNEL_DTYPES(X) X(ADL_FLOAT64, double, f64) X(ADL_FLOAT32, float, f32)

/* Bytes per element of a. */
static inline int64_t adl_elem_size(const adl_array *a) {
    return (int64_t)adl_dtype_size(a->dtype);
}

/* Address of a plain array's first element, whatever its dtype. */
static inline void *adl_first_elem(const adl_array *a) {
    return (char *)a->buf->data + a->offset * adl_elem_size(a);
}

/* C-contiguous (length-1 axes may have any stride); inline because the
 * kernels ask it on every call.  One number is: its axes all have length 1
 * (the common operand of a per-sample loop, asked several times per
 * operation: the loop's answer without the loop). */
static inline int adl_contiguous(const adl_array *a) {
    if (a->size == 1)
        return 1;
    int64_t s = 1;
    for (int i = a->ndim - 1; i >= 0; i--) {
        if (a->shape[i] != 1 && a->strides[i] != s)
            return 0;
        s *= a->shape[i];
    }
    return 1;
}

/* NumPy's promotion of two operands' dtypes: equal dtypes stay; a 0-d
 * operand (a Lua number, or a scalar a rule made) does not upcast an array
 * of a narrower float type, as a Python float does not in NumPy; otherwise
 * float32 with float64 gives float64. */
static inline adl_dtype adl_result_dtype(const adl_array *a, const adl_array *b) {
    if (a->dtype == b->dtype)
        return a->dtype;
    if (a->ndim == 0 && b->ndim != 0)
        return b->dtype;
    if (b->ndim == 0 && a->ndim != 0)
        return a->dtype;
    return ADL_FLOAT64;
}

/* Errors for an operand a kernel cannot take: a box (a bug in the caller)
 * or a dtype the kernel is not compiled for.  Return the status. */
adl_status adl_kernel_bad_operand(adl_ctx *ctx, const char *op, const adl_array *a);

/* How many operands adl_k_dot has copied into contiguous form so far (tests
 * check that transposed views reach BLAS without a copy). */
int64_t adl_k_dot_copies(void);

/* Moves to the next inner run; returns 0 after the last one. */
static inline int adl_iter_next(adl_iter *it) {
    for (int d = 1; d < it->ndim; d++) {
        if (++it->index[d] < it->shape[d]) {
            for (int k = 0; k < it->nop; k++)
                it->off[k] += it->step[d][k];
            return 1;
        }
        /* this axis wraps: rewind it and carry into the next outer one */
        it->index[d] = 0;
        for (int k = 0; k < it->nop; k++)
            it->off[k] -= it->step[d][k] * (it->shape[d] - 1);
    }
    return 0;
}

#endif
