/* adl_core.h: the pure C core of adlua (no Lua here).
 *
 * Two levels of memory: a refcounted buffer holding the bytes, and array
 * headers (views) that share it.  An array with level > 0 is a *box*: a value
 * recorded on the trace of that nesting level (see trace.c); its numbers live
 * in `inner`, which may itself be a box of a lower level.
 *
 * Every function that can fail on user input returns an adl_status and fills
 * ctx's error record; it frees its own temporaries first.  Nothing here
 * aborts or longjmps on user errors.
 */
#ifndef ADL_CORE_H
#define ADL_CORE_H

#include <stddef.h>
#include <stdint.h>

#define ADL_MAX_DIMS 16
/* Largest element count an array may have (2^48: far beyond memory, far
 * below int64 overflow when multiplied by an element size). */
#define ADL_MAX_SIZE ((int64_t)1 << 48)

typedef enum { ADL_FLOAT64 = 0, ADL_FLOAT32 = 1 } adl_dtype;

typedef enum {
    ADL_OK = 0,
    ADL_ERR_VALUE,    /* bad value: shapes, axes, sizes */
    ADL_ERR_INDEX,    /* index out of range */
    ADL_ERR_TYPE,     /* unsupported dtype or kind of argument */
    ADL_ERR_MEMORY,   /* allocation failed */
    ADL_ERR_INTERNAL, /* a broken invariant: a bug in adlua */
} adl_status;

struct adl_trace;

/* Per-interpreter state: the error record and the stack of live traces. */
typedef struct adl_ctx {
    adl_status status;
    char msg[512];
    struct adl_trace *top; /* innermost live trace, NULL when not tracing */
    int depth;             /* number of live traces */
    /* the live recording for replay (jit.c), the outermost trace, or NULL */
    struct adl_trace *recording;
    /* NaN debugging (debug_nans.c): when on, the first operation whose
     * result holds NaN or Inf from finite operands fails; `where` (set by
     * the host) writes where the user's code called it. */
    int debug_nans;
    void (*where)(void *host, char *buf, size_t size);
    void *host;
} adl_ctx;

void adl_ctx_init(adl_ctx *ctx);
/* Records an error (printf-style message, e.g. "dot: shapes (3,4) and ...";
 * op names without the "np." prefix) and returns `st`. */
adl_status adl_error(adl_ctx *ctx, adl_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
adl_status adl_error_nomem(adl_ctx *ctx, const char *op);

/* ---- buffers and arrays (array.c) ---- */

typedef struct adl_buffer {
    int64_t refcount;
    void *data;
    size_t nbytes;
    void (*release)(void *release_ctx); /* host memory: called once at the end */
    void *release_ctx;
    struct adl_array *owner;  /* small buffers live in their first header's block */
    int32_t saved;            /* live tape records holding a view of this buffer */
    int32_t saved_op;         /* the adl_opcode of the latest such record, or: */
#define ADL_SAVED_BY_JIT (-1) /* a jit program (jit.c) computes from it */
} adl_buffer;

/* Shapes of up to ADL_INLINE_DIMS axes live in the header itself: headers
 * stay small, which matters when a tape holds hundreds of thousands. */
#define ADL_INLINE_DIMS 4

typedef struct adl_array {
    int64_t refcount;
    adl_dtype dtype;
    int ndim;
    int level;    /* 0: plain array; > 0: box recorded on a trace */
    int32_t node; /* boxes: its record on that trace */
    int64_t size;
    int64_t *shape;   /* ndim entries */
    int64_t *strides; /* in elements, may be 0 (broadcast) or negative */
    int64_t offset;   /* in elements from buf->data */
    adl_buffer *buf;  /* plain arrays only */
    /* boxes only: */
    struct adl_array *inner;           /* the value one level down (retained) */
    struct adl_trace *trace;           /* the trace that recorded it (retained) */
    int64_t dims[2 * ADL_INLINE_DIMS]; /* shape and strides when ndim is small */
} adl_array;

/* Live counters of the calling thread, for leak tests: they return to
 * their baseline. */
int64_t adl_live_arrays(void);
int64_t adl_live_buffers(void);
int64_t adl_live_bytes(void);

/* Frees the calling thread's cache of free array headers (a host thread
 * that used adlua calls it before it exits). */
void adl_thread_cleanup(void);

static inline size_t adl_dtype_size(adl_dtype dt) {
    return dt == ADL_FLOAT32 ? 4 : 8;
}
const char *adl_dtype_name(adl_dtype dt);

/* A new contiguous (C order) float array, contents uninitialised.  Checks the
 * shape (no negative, overflowing or absurd sizes) and names `op` in errors.
 * Returns NULL with the error set. */
adl_array *adl_array_alloc(adl_ctx *ctx, const char *op, adl_dtype dt, int ndim,
                           const int64_t *shape);
adl_array *adl_array_zeros(adl_ctx *ctx, const char *op, adl_dtype dt, int ndim,
                           const int64_t *shape);
adl_array *adl_array_scalar(adl_ctx *ctx, double v); /* 0-d float64 */
/* A view of base's buffer with the given geometry (base must be plain). */
adl_array *adl_array_view(adl_ctx *ctx, const adl_array *base, int ndim, const int64_t *shape,
                          const int64_t *strides, int64_t offset);
/* Wraps memory the caller owns (adl_array_wrap of adlua.h is this with a
 * per-thread error record); release(release_ctx) runs once when the last
 * view goes away (release may be NULL). */
adl_array *adl_array_wrap_ctx(adl_ctx *ctx, void *data, adl_dtype dt, int ndim,
                              const int64_t *shape, void (*release)(void *), void *release_ctx);
/* A header with value's shape and no buffer, for the tracer's boxes. */
adl_array *adl_array_new_box(const adl_array *value);
void adl_array_retain(adl_array *a);
void adl_array_release(adl_array *a); /* NULL is fine */

/* The plain value under any number of boxes. */
const adl_array *adl_array_value(const adl_array *a);
static inline double *adl_f64(const adl_array *a) {
    return (double *)a->buf->data + a->offset;
}
int adl_array_is_contiguous(const adl_array *a); /* C-contiguous */
/* Element at a multi-index (0-based, in range) of a plain float64 array. */
double adl_array_get(const adl_array *a, const int64_t *index);

/* ---- shapes (shape.c) ---- */

/* "(2,3)", "(4,)", "()" into buf. */
void adl_shape_str(int ndim, const int64_t *shape, char *buf, size_t n);
int adl_shape_equal(int na, const int64_t *a, int nb, const int64_t *b);
int64_t adl_shape_size(int ndim, const int64_t *shape);
/* NumPy broadcasting of two shapes; error names op and both shapes:
 * "add: operands could not be broadcast together with shapes (2,3) (4,)". */
adl_status adl_broadcast_shapes(adl_ctx *ctx, const char *op, int na, const int64_t *sa, int nb,
                                const int64_t *sb, int *nout, int64_t *out);
/* A 1-based axis (negative counts from the end: -1 is the last) to 0-based;
 * error: "sum: axis 3 is out of bounds for array of dimension 2". */
adl_status adl_normalize_axis(adl_ctx *ctx, const char *op, int64_t axis1, int ndim, int *axis0);

/* ---- kernels on plain arrays (kernels.c, reduce.c, blas.c) ----
 * Inputs: plain arrays (level 0) of any strides, including 0 and negative.
 * Outputs: new contiguous arrays, *out set only on success. */

typedef enum {
    ADL_U_NEG,
    ADL_U_EXP,
    ADL_U_LOG,
    ADL_U_LOG1P,
    ADL_U_SQRT,
    ADL_U_SIN,
    ADL_U_COS,
    ADL_U_TAN,
    ADL_U_TANH,
    ADL_U_ABS,
    ADL_U_SIGN, /* -1, 0, 1 (0 at 0, nan at nan) */
    ADL_U_SQUARE,
    /* core NumPy breadth (issue 3) */
    ADL_U_EXPM1,
    ADL_U_LOG2,
    ADL_U_LOG10,
    ADL_U_ARCSIN,
    ADL_U_ARCCOS,
    ADL_U_ARCTAN,
    ADL_U_FLOOR,
    ADL_U_CEIL,
    ADL_U_RINT, /* round half to even, as np.round with 0 decimals */
    ADL_U_EXP2,
    ADL_U_SINH,
    ADL_U_COSH,
    ADL_U_ARCSINH,
    ADL_U_ARCCOSH,
    ADL_U_ARCTANH,
    ADL_U_COUNT
} adl_unary_op;

typedef enum {
    ADL_B_ADD,
    ADL_B_SUB,
    ADL_B_MUL,
    ADL_B_DIV,
    ADL_B_POW,
    ADL_B_MAXIMUM, /* NumPy: nan propagates */
    ADL_B_MINIMUM,
    ADL_B_LT, /* comparisons give 1.0 / 0.0 */
    ADL_B_LE,
    ADL_B_GT,
    ADL_B_GE,
    ADL_B_EQ,
    ADL_B_NE,
    /* core NumPy breadth (issue 3) */
    ADL_B_ARCTAN2,
    ADL_B_MOD,   /* NumPy's remainder: the sign of the divisor */
    ADL_B_HYPOT, /* C's hypot: inf when either side is, even with a nan */
    ADL_B_COUNT
} adl_binary_op;

typedef enum { ADL_R_SUM, ADL_R_MAX, ADL_R_MIN, ADL_R_COUNT } adl_reduce_op;

const char *adl_unary_name(adl_unary_op op);   /* "negative", "exp", ... */
const char *adl_binary_name(adl_binary_op op); /* "add", "subtract", "multiply", "divide",
                                                  "power", "maximum", "minimum", "less", ... */
const char *adl_reduce_name(adl_reduce_op op); /* "sum", "max", "min" */

adl_status adl_k_unary(adl_ctx *ctx, adl_unary_op op, const adl_array *a, adl_array **out);
/* Broadcasting binary op; errors name the op (adl_binary_name) and shapes.
 * Mixed dtypes promote as NumPy (adl_result_dtype in iter.h): float32 with
 * float32 stays float32, with a 0-d float64 (a Lua number) too; with a
 * float64 array it gives float64.  Comparisons give 1.0 / 0.0 in that dtype. */
adl_status adl_k_binary(adl_ctx *ctx, adl_binary_op op, const adl_array *a, const adl_array *b,
                        adl_array **out);
/* out = cond != 0 ? a : b, broadcasting all three; the dtype of a and b
 * promoted as for adl_k_binary, cond of either dtype. */
adl_status adl_k_where(adl_ctx *ctx, const adl_array *cond, const adl_array *a, const adl_array *b,
                       adl_array **out);
/* Reduces over the 0-based axes listed (naxes == 0: nothing is reduced;
 * callers pass all axes for a full reduction), axes distinct and valid.
 * keepdims keeps them as length 1.  max/min of an empty axis is an error
 * "max: zero-size array to reduction operation maximum which has no
 * identity"; sum of empty is 0. */
adl_status adl_k_reduce(adl_ctx *ctx, adl_reduce_op op, const adl_array *a, int naxes,
                        const int *axes, int keepdims, adl_array **out);
/* NumPy dot for ndim <= 2 (0-d operands multiply); BLAS dgemm/dgemv/ddot,
 * transposed views passed to BLAS as flags, not copied.  Error:
 * "dot: shapes (3,4) and (5,6) not aligned: 4 (axis 2) ~= 5 (axis 1)". */
adl_status adl_k_dot(adl_ctx *ctx, const adl_array *a, const adl_array *b, adl_array **out);
/* adl_k_dot's short path for a small float64 matrix or vector times a
 * vector: 0 when it does not apply, else 1 with *st (and *out) set. */
int adl_k_dot_small(adl_ctx *ctx, const adl_array *a, const adl_array *b, adl_array **out,
                    adl_status *st);
/* The same computations into r, a contiguous array of the result's shape
 * and of the operands' one dtype (trace replay: its arrays exist already).
 * Return 0, having done nothing, when the operands are not of that kind. */
int adl_k_unary_into(adl_unary_op op, const adl_array *a, adl_array *r);
/* The inner loops themselves: n contiguous results from operands of stride
 * sa and sb (0: one value), all of dtype dt (a float dtype; unchecked). */
void adl_k_unary_flat(adl_dtype dt, adl_unary_op op, int64_t n, void *o, const void *a, int64_t sa);
void adl_k_copy_flat(adl_dtype dt, int64_t n, void *o, const void *a, int64_t sa);
void adl_k_binary_flat(adl_dtype dt, adl_binary_op op, int64_t n, void *o, const void *a,
                       int64_t sa, const void *b, int64_t sb);
int adl_k_binary_into(adl_binary_op op, const adl_array *a, const adl_array *b, adl_array *r);
int adl_k_dot_into(adl_ctx *ctx, const adl_array *a, const adl_array *b, adl_array *r,
                   adl_status *st);
/* Contiguous copy. */
adl_status adl_k_copy(adl_ctx *ctx, const adl_array *a, adl_array **out);
/* Contiguous copy converted to dtype dt (float64 to float32 rounds to
 * nearest); a copy even when a already has dtype dt, as NumPy's astype. */
adl_status adl_k_astype(adl_ctx *ctx, const adl_array *a, adl_dtype dt, adl_array **out);
/* dst[...] = src broadcast to dst's shape, in place (dst may be any view);
 * src is converted to dst's dtype.  `op` names the caller in errors. */
adl_status adl_k_assign(adl_ctx *ctx, const char *op, adl_array *dst, const adl_array *src);
/* dst[...] += src (same shape), in place. */
adl_status adl_k_add_into(adl_ctx *ctx, adl_array *dst, const adl_array *src);
void adl_k_fill(adl_array *a, double v);
/* Joins n arrays along the 0-based axis; shapes must agree elsewhere
 * ("concatenate: all the input array dimensions except for the concatenation
 * axis must match exactly, but along dimension 1, the array at index 1 has
 * size 3 and the array at index 2 has size 2", 1-based). */
adl_status adl_k_concatenate(adl_ctx *ctx, int n, const adl_array *const *arrays, int axis,
                             adl_array **out);
adl_status adl_k_arange(adl_ctx *ctx, double start, double stop, double step, adl_array **out);
adl_status adl_k_linspace(adl_ctx *ctx, double start, double stop, int64_t num, int endpoint,
                          adl_array **out);
adl_status adl_k_eye(adl_ctx *ctx, int64_t n, int64_t m, int64_t k, adl_array **out);

/* ---- printing (format.c) ---- */

typedef struct adl_printopts {
    int precision;     /* digits after the point, NumPy default 8 */
    int64_t threshold; /* summarise arrays with more elements, default 1000 */
    int edgeitems;     /* items kept at each edge when summarising, default 3 */
    int linewidth;     /* default 75 */
} adl_printopts;

void adl_printopts_default(adl_printopts *o);
/* NumPy-style text of a plain array ("[1. 2. 3.]", "[[1. 2.]\n [3. 4.]]",
 * "1.5" for 0-d), into *out from adl_malloc (caller adl_frees, alloc.h).  No
 * "array(...)" wrapper. */
adl_status adl_array_format(adl_ctx *ctx, const adl_array *a, const adl_printopts *o, char **out);

#endif
