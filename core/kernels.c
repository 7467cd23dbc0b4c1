/* kernels.c: elementwise kernels, copies and array creation.
 *
 * Each operation is one line of an X-macro list (its enum suffix, NumPy
 * name and the expression of x and y); the inner loops are generated from
 * those lists once per dtype in ADL_KERNEL_DTYPES.  The drivers (adl_k_*) are
 * written once: they check operands, allocate the result, then either make
 * one flat call of the inner loop (contiguous operands of the result's
 * shape, possibly with a one-element operand) or walk an adl_iter.
 *
 * tgmath.h makes exp/pow/... follow the element type, so a float32 entry in
 * ADL_KERNEL_DTYPES (iter.h) computes in float as NumPy does.  exp, log and
 * tanh are the exception: they run vmath.c's vectorised loops (float32 in
 * float64, rounded once), not libm's scalar calls.
 */
#include "adl_core.h"
#include "iter.h"
#include "vmath.h"

#include <string.h>
#include <tgmath.h>

/* NumPy's remainder: fmod moved to the divisor's sign (x - floor(x/y) * y
 * computed without the rounding error of the division). */
#define adl_mod(x, y) (adl_mod_fix(fmod(x, y), y))
static inline double adl_mod_fix(double r, double y) {
    return (r != 0 && ((r < 0) != (y < 0))) ? r + y : (r == 0 ? copysign(0.0, y) : r);
}

/* X(enum suffix, NumPy name, expression of x) */
#define UNARY_OPS(X)                                                                      \
    X(NEG, "negative", -x)                                                                \
    X(EXP, "exp", exp(x))                                                                 \
    X(LOG, "log", log(x))                                                                 \
    X(LOG1P, "log1p", log1p(x))                                                           \
    X(SQRT, "sqrt", sqrt(x))                                                              \
    X(SIN, "sin", sin(x))                                                                 \
    X(COS, "cos", cos(x))                                                                 \
    X(TAN, "tan", tan(x))                                                                 \
    X(TANH, "tanh", tanh(x))                                                              \
    X(ABS, "absolute", fabs(x))                                                           \
    X(SIGN, "sign", x > 0 ? 1 : x < 0 ? -1 : x == 0 ? 0 : x) /* NumPy's: nan stays nan */ \
    X(SQUARE, "square", x *x)                                                             \
    X(EXPM1, "expm1", expm1(x))                                                           \
    X(LOG2, "log2", log2(x))                                                              \
    X(LOG10, "log10", log10(x))                                                           \
    X(ARCSIN, "arcsin", asin(x))                                                          \
    X(ARCCOS, "arccos", acos(x))                                                          \
    X(ARCTAN, "arctan", atan(x))                                                          \
    X(FLOOR, "floor", floor(x))                                                           \
    X(CEIL, "ceil", ceil(x))                                                              \
    X(RINT, "rint", rint(x))                                                              \
    X(EXP2, "exp2", exp2(x))                                                              \
    X(SINH, "sinh", sinh(x))                                                              \
    X(COSH, "cosh", cosh(x))                                                              \
    X(ARCSINH, "arcsinh", asinh(x))                                                       \
    X(ARCCOSH, "arccosh", acosh(x))                                                       \
    X(ARCTANH, "arctanh", atanh(x))

/* X(enum suffix, NumPy name, expression of x and y).  maximum/minimum are
 * NumPy's scalar definitions: a nan on either side wins. */
#define BINARY_OPS(X)                                   \
    X(ADD, "add", x + y)                                \
    X(SUB, "subtract", x - y)                           \
    X(MUL, "multiply", x *y)                            \
    X(DIV, "divide", x / y)                             \
    X(POW, "power", pow(x, y))                          \
    X(MAXIMUM, "maximum", (x >= y || isnan(x)) ? x : y) \
    X(MINIMUM, "minimum", (x <= y || isnan(x)) ? x : y) \
    X(LT, "less", x < y)                                \
    X(LE, "less_equal", x <= y)                         \
    X(GT, "greater", x > y)                             \
    X(GE, "greater_equal", x >= y)                      \
    X(EQ, "equal", x == y)                              \
    X(NE, "not_equal", x != y)                          \
    X(ARCTAN2, "arctan2", atan2(x, y))                  \
    X(MOD, "remainder", adl_mod(x, y))                  \
    X(HYPOT, "hypot", hypot(x, y))

/* The lists must name the enums' members in order (names are indexed by
 * them); this fails to compile when one is added to only one side. */
#define COUNT_ONE(ID, NAME, EXPR) +1
_Static_assert(0 UNARY_OPS(COUNT_ONE) == ADL_U_COUNT, "UNARY_OPS and adl_unary_op differ");
_Static_assert(0 BINARY_OPS(COUNT_ONE) == ADL_B_COUNT, "BINARY_OPS and adl_binary_op differ");

#define NAME_ENTRY_U(ID, NAME, EXPR) [ADL_U_##ID] = NAME,
#define NAME_ENTRY_B(ID, NAME, EXPR) [ADL_B_##ID] = NAME,
static const char *const unary_names[ADL_U_COUNT] = {UNARY_OPS(NAME_ENTRY_U)};
static const char *const binary_names[ADL_B_COUNT] = {BINARY_OPS(NAME_ENTRY_B)};
static const char *const reduce_names[ADL_R_COUNT] = {"sum", "max", "min"};

const char *adl_unary_name(adl_unary_op op) {
    return (unsigned)op < ADL_U_COUNT ? unary_names[op] : "unknown";
}
const char *adl_binary_name(adl_binary_op op) {
    return (unsigned)op < ADL_B_COUNT ? binary_names[op] : "unknown";
}
const char *adl_reduce_name(adl_reduce_op op) {
    return (unsigned)op < ADL_R_COUNT ? reduce_names[op] : "unknown";
}

/* ---- inner loops, one set per dtype ----
 * Strides are in elements.  The stride-1 and one-element cases get their
 * own loops so the compiler vectorises them; `elem` is a block-scope typedef
 * because the op lists are expanded inside the per-dtype macros. */

#define UNARY_CASE(ID, NAME, EXPR)            \
    case ADL_U_##ID:                          \
        if (so == 1 && sa == 1)               \
            for (int64_t i = 0; i < n; i++) { \
                const elem x = a[i];          \
                o[i] = (elem)(EXPR);          \
            }                                 \
        else                                  \
            for (int64_t i = 0; i < n; i++) { \
                const elem x = a[i * sa];     \
                o[i * so] = (elem)(EXPR);     \
            }                                 \
        break;

#define BINARY_CASE(ID, NAME, EXPR)                      \
    case ADL_B_##ID:                                     \
        if (so == 1 && sa == 1 && sb == 1)               \
            for (int64_t i = 0; i < n; i++) {            \
                const elem x = a[i], y = b[i];           \
                o[i] = (elem)(EXPR);                     \
            }                                            \
        else if (so == 1 && sa == 1 && sb == 0) {        \
            const elem y = b[0];                         \
            for (int64_t i = 0; i < n; i++) {            \
                const elem x = a[i];                     \
                o[i] = (elem)(EXPR);                     \
            }                                            \
        } else if (so == 1 && sa == 0 && sb == 1) {      \
            const elem x = a[0];                         \
            for (int64_t i = 0; i < n; i++) {            \
                const elem y = b[i];                     \
                o[i] = (elem)(EXPR);                     \
            }                                            \
        } else                                           \
            for (int64_t i = 0; i < n; i++) {            \
                const elem x = a[i * sa], y = b[i * sb]; \
                o[i * so] = (elem)(EXPR);                \
            }                                            \
        break;

/* exp, log and tanh run vmath.c's vectorised loops. */
static adl_vm_func vm_func_of(adl_unary_op op) {
    return op == ADL_U_EXP ? ADL_VM_EXP : op == ADL_U_LOG ? ADL_VM_LOG : ADL_VM_TANH;
}

/* x^y for the exponents NumPy also computes without pow (2, 1, 0, -1):
 * x*x, x, 1, 1/x, rounded once from double as NumPy's square and
 * reciprocal, at a fraction of pow's cost (W7's polynomial spent 60% of its
 * time in pow).
 * Returns 0 for other exponents. */
#define POW_LOOP(T, EXPR)             \
    for (int64_t i = 0; i < n; i++) { \
        const double x = a[i * sa];   \
        (void)x;                      \
        o[i * so] = (T)(EXPR);        \
    }
#define DEFINE_POW_BY_CONSTANT(DT, T, SFX)                                                      \
    static int pow_by_constant_##SFX(int64_t n, T *restrict o, int64_t so, const T *restrict a, \
                                     int64_t sa, double y) {                                    \
        if (y == 2)                                                                             \
            POW_LOOP(T, x *x)                                                                   \
        else if (y == 1)                                                                        \
            POW_LOOP(T, x)                                                                      \
        else if (y == 0)                                                                        \
            POW_LOOP(T, 1.0)                                                                    \
        else if (y == -1)                                                                       \
            POW_LOOP(T, 1.0 / x)                                                                \
        else                                                                                    \
            return 0;                                                                           \
        return 1;                                                                               \
    }
ADL_KERNEL_DTYPES(DEFINE_POW_BY_CONSTANT)

/* The binary loops are compiled also for AVX2 and AVX-512 and chosen when
 * the program loads (GCC's ifunc): on data in cache (a row of a 1000x1000
 * array) the wider vectors are what separates us from NumPy. */
#define ELEMENTWISE_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))

#define DEFINE_LOOPS(DT, T, SFX)                                                                   \
    static void unary_loop_##SFX(adl_unary_op op, int64_t n, void *vo, int64_t so, const void *va, \
                                 int64_t sa) {                                                     \
        typedef T elem;                                                                            \
        elem *restrict o = vo;                                                                     \
        const elem *restrict a = va;                                                               \
        if (op == ADL_U_EXP || op == ADL_U_LOG || op == ADL_U_TANH) {                              \
            adl_vm_##SFX(vm_func_of(op), n, o, so, a, sa);                                         \
            return;                                                                                \
        }                                                                                          \
        switch (op) {                                                                              \
            UNARY_OPS(UNARY_CASE)                                                                  \
        default:                                                                                   \
            break;                                                                                 \
        }                                                                                          \
    }                                                                                              \
    ELEMENTWISE_CLONES static void binary_loop_##SFX(adl_binary_op op, int64_t n, void *vo,        \
                                                     int64_t so, const void *va, int64_t sa,       \
                                                     const void *vb, int64_t sb) {                 \
        typedef T elem;                                                                            \
        elem *restrict o = vo;                                                                     \
        const elem *restrict a = va, *restrict b = vb;                                             \
        if (op == ADL_B_POW && sb == 0 && pow_by_constant_##SFX(n, o, so, a, sa, (double)b[0]))    \
            return;                                                                                \
        switch (op) {                                                                              \
            BINARY_OPS(BINARY_CASE)                                                                \
        default:                                                                                   \
            break;                                                                                 \
        }                                                                                          \
    }                                                                                              \
    static void where_loop_##SFX(int64_t n, void *vo, int64_t so, const void *vc, int64_t sc,      \
                                 const void *va, int64_t sa, const void *vb, int64_t sb) {         \
        T *restrict o = vo;                                                                        \
        const T *restrict c = vc, *restrict a = va, *restrict b = vb;                              \
        for (int64_t i = 0; i < n; i++)                                                            \
            o[i * so] = c[i * sc] != 0 ? a[i * sa] : b[i * sb];                                    \
    }                                                                                              \
    static void copy_loop_##SFX(int64_t n, void *vo, int64_t so, const void *va, int64_t sa) {     \
        T *restrict o = vo;                                                                        \
        const T *restrict a = va;                                                                  \
        if (so == 1 && sa == 1)                                                                    \
            memcpy(o, a, sizeof(T) * (size_t)n);                                                   \
        else                                                                                       \
            for (int64_t i = 0; i < n; i++)                                                        \
                o[i * so] = a[i * sa];                                                             \
    }                                                                                              \
    static void add_loop_##SFX(int64_t n, void *vo, int64_t so, const void *va, int64_t sa) {      \
        T *restrict o = vo;                                                                        \
        const T *restrict a = va;                                                                  \
        if (so == 1 && sa == 1)                                                                    \
            for (int64_t i = 0; i < n; i++)                                                        \
                o[i] += a[i];                                                                      \
        else                                                                                       \
            for (int64_t i = 0; i < n; i++)                                                        \
                o[i * so] += a[i * sa];                                                            \
    }
ADL_KERNEL_DTYPES(DEFINE_LOOPS)

/* Conversions between the float types, (n, dst, dst stride, src, src
 * stride) as the copy loops; float64 to float32 rounds to nearest, as
 * NumPy's astype. */
static void cast_f32_f64(int64_t n, void *vo, int64_t so, const void *va, int64_t sa) {
    float *restrict o = vo;
    const double *restrict a = va;
    for (int64_t i = 0; i < n; i++)
        o[i * so] = (float)a[i * sa];
}
static void cast_f64_f32(int64_t n, void *vo, int64_t so, const void *va, int64_t sa) {
    double *restrict o = vo;
    const float *restrict a = va;
    for (int64_t i = 0; i < n; i++)
        o[i * so] = (double)a[i * sa];
}
/* A condition's truth in float32: a float64 below float32's range is still
 * true (it would round to 0). */
static void truth_f32_f64(int64_t n, void *vo, int64_t so, const void *va, int64_t sa) {
    float *restrict o = vo;
    const double *restrict a = va;
    for (int64_t i = 0; i < n; i++)
        o[i * so] = a[i * sa] != 0 ? 1.0f : 0.0f;
}

typedef void (*copy_fn)(int64_t, void *, int64_t, const void *, int64_t);

typedef struct kernel_loops {
    void (*unary)(adl_unary_op, int64_t, void *, int64_t, const void *, int64_t);
    void (*binary)(adl_binary_op, int64_t, void *, int64_t, const void *, int64_t, const void *,
                   int64_t);
    void (*where)(int64_t, void *, int64_t, const void *, int64_t, const void *, int64_t,
                  const void *, int64_t);
    /* copy and add: (n, dst, dst stride, src, src stride) */
    void (*copy)(int64_t, void *, int64_t, const void *, int64_t);
    void (*add)(int64_t, void *, int64_t, const void *, int64_t);
} kernel_loops;

#define LOOPS_ENTRY(DT, T, SFX) \
    [DT] = {unary_loop_##SFX, binary_loop_##SFX, where_loop_##SFX, copy_loop_##SFX, add_loop_##SFX},
static const kernel_loops loops_by_dtype[ADL_FLOAT32 + 1] = {ADL_KERNEL_DTYPES(LOOPS_ENTRY)};

/* The loops for a plain operand's dtype, or NULL with the error set. */
static const kernel_loops *loops_for(adl_ctx *ctx, const char *op, const adl_array *a) {
    if (a->level == 0 && a->buf && (unsigned)a->dtype <= ADL_FLOAT32 &&
        loops_by_dtype[a->dtype].copy)
        return &loops_by_dtype[a->dtype];
    adl_kernel_bad_operand(ctx, op, a);
    return NULL;
}

/* Checks that every operand is a plain array of a compiled dtype; returns
 * the loops of `dt`, or NULL with the error set. */
static const kernel_loops *loops_for_all(adl_ctx *ctx, const char *op, int n,
                                         const adl_array *const *ops, adl_dtype dt) {
    for (int i = 0; i < n; i++)
        if (!loops_for(ctx, op, ops[i]))
            return NULL;
    return &loops_by_dtype[dt];
}

/* Pointer `off` elements past a first element, for the iterator's offsets. */
#define AT(p, off, esize) ((char *)(p) + (off) * (esize))

/* The loop that copies src's dtype into dst's dtype (a plain copy when they
 * agree). */
static copy_fn copy_loop_for(adl_dtype dst, adl_dtype src) {
    if (dst == src)
        return loops_by_dtype[dst].copy;
    return dst == ADL_FLOAT32 ? cast_f32_f64 : cast_f64_f32;
}

/* A contiguous copy of a in dtype dt; `truth`: 1.0/0.0 for nonzero/zero
 * instead of the value (conditions). */
static adl_status convert(adl_ctx *ctx, const char *op, const adl_array *a, adl_dtype dt, int truth,
                          adl_array **out) {
    if (!loops_for(ctx, op, a))
        return ctx->status;
    adl_array *r = adl_array_alloc(ctx, op, dt, a->ndim, a->shape);
    if (!r)
        return ctx->status;
    copy_fn loop = truth && dt == ADL_FLOAT32 && a->dtype == ADL_FLOAT64
                       ? truth_f32_f64
                       : copy_loop_for(dt, a->dtype);
    char *po = adl_first_elem(r);
    const char *pa = adl_first_elem(a);
    if (adl_contiguous(a)) {
        loop(r->size, po, 1, pa, 1);
    } else {
        adl_iter it;
        const int64_t *st[2] = {r->strides, a->strides};
        int64_t eo = adl_elem_size(r), ea = adl_elem_size(a);
        if (adl_iter_init(&it, a->ndim, a->shape, 2, st) > 0)
            do
                loop(it.inner, AT(po, it.off[0], eo), it.stride[0], AT(pa, it.off[1], ea),
                     it.stride[1]);
            while (adl_iter_next(&it));
    }
    *out = r;
    return ADL_OK;
}

/* a itself when it has dtype dt, else a converted copy held in *tmp (the
 * caller releases *tmp); NULL with the error set on failure. */
static const adl_array *as_dtype(adl_ctx *ctx, const char *op, const adl_array *a, adl_dtype dt,
                                 int truth, adl_array **tmp) {
    if (a->dtype == dt)
        return a;
    if (convert(ctx, op, a, dt, truth, tmp) != ADL_OK)
        return NULL;
    return *tmp;
}

adl_status adl_k_astype(adl_ctx *ctx, const adl_array *a, adl_dtype dt, adl_array **out) {
    if ((unsigned)dt > ADL_FLOAT32)
        return adl_error(ctx, ADL_ERR_TYPE, "astype: unknown dtype %d", (int)dt);
    return convert(ctx, "astype", a, dt, 0, out);
}

/* ---- elementwise ---- */

/* r = op(a), r contiguous of a's shape and dtype. */
static void unary_into(const kernel_loops *l, adl_unary_op op, const adl_array *a, adl_array *r) {
    char *po = adl_first_elem(r);
    const char *pa = adl_first_elem(a);
    if (adl_contiguous(a)) {
        l->unary(op, r->size, po, 1, pa, 1);
    } else {
        adl_iter it;
        const adl_array *ops[2] = {r, a};
        int64_t es = adl_elem_size(a);
        if (adl_iter_init_arrays(&it, a->ndim, a->shape, 2, ops) > 0)
            do
                l->unary(op, it.inner, AT(po, it.off[0], es), it.stride[0], AT(pa, it.off[1], es),
                         it.stride[1]);
            while (adl_iter_next(&it));
    }
}

adl_status adl_k_unary(adl_ctx *ctx, adl_unary_op op, const adl_array *a, adl_array **out) {
    if ((unsigned)op >= ADL_U_COUNT)
        return adl_error(ctx, ADL_ERR_INTERNAL, "unary: unknown operation %d", (int)op);
    const char *name = unary_names[op];
    const kernel_loops *l = loops_for(ctx, name, a);
    if (!l)
        return ctx->status;
    adl_array *r = adl_array_alloc(ctx, name, a->dtype, a->ndim, a->shape);
    if (!r)
        return ctx->status;
    unary_into(l, op, a, r);
    *out = r;
    return ADL_OK;
}

void adl_k_unary_flat(adl_dtype dt, adl_unary_op op, int64_t n, void *o, const void *a,
                      int64_t sa) {
    loops_by_dtype[dt].unary(op, n, o, 1, a, sa);
}

void adl_k_copy_flat(adl_dtype dt, int64_t n, void *o, const void *a, int64_t sa) {
    loops_by_dtype[dt].copy(n, o, 1, a, sa);
}

void adl_k_binary_flat(adl_dtype dt, adl_binary_op op, int64_t n, void *o, const void *a,
                       int64_t sa, const void *b, int64_t sb) {
    loops_by_dtype[dt].binary(op, n, o, 1, a, sa, b, sb);
}

int adl_k_unary_into(adl_unary_op op, const adl_array *a, adl_array *r) {
    if ((unsigned)op >= ADL_U_COUNT || a->level || !a->buf || a->dtype != r->dtype ||
        (unsigned)a->dtype > ADL_FLOAT32 || !loops_by_dtype[a->dtype].unary ||
        !adl_shape_equal(a->ndim, a->shape, r->ndim, r->shape))
        return 0;
    unary_into(&loops_by_dtype[a->dtype], op, a, r);
    return 1;
}

static void binary_into(const kernel_loops *l, adl_binary_op op, const adl_array *a,
                        const adl_array *b, adl_array *r);

adl_status adl_k_binary(adl_ctx *ctx, adl_binary_op op, const adl_array *a, const adl_array *b,
                        adl_array **out) {
    if ((unsigned)op >= ADL_B_COUNT)
        return adl_error(ctx, ADL_ERR_INTERNAL, "binary: unknown operation %d", (int)op);
    const char *name = binary_names[op];
    const kernel_loops *l;
    if (a->level == 0 && b->level == 0 && a->dtype == b->dtype &&
        (unsigned)a->dtype <= ADL_FLOAT32 && loops_by_dtype[a->dtype].binary) {
        l = &loops_by_dtype[a->dtype]; /* the hot path: skip the general checks */
    } else {
        /* mixed dtypes: the operand of the other dtype is converted first */
        const adl_array *in[2] = {a, b};
        if (!loops_for_all(ctx, name, 2, in, ADL_FLOAT64))
            return ctx->status;
        adl_dtype dt = adl_result_dtype(a, b);
        adl_array *ta = NULL, *tb = NULL;
        const adl_array *ca = as_dtype(ctx, name, a, dt, 0, &ta);
        const adl_array *cb = ca ? as_dtype(ctx, name, b, dt, 0, &tb) : NULL;
        adl_status st = cb ? adl_k_binary(ctx, op, ca, cb, out) : ctx->status;
        adl_array_release(ta);
        adl_array_release(tb);
        return st;
    }

    int nd;
    int64_t bshape[ADL_MAX_DIMS];
    const int64_t *shape;
    if (b->ndim == 0 || adl_shape_equal(a->ndim, a->shape, b->ndim, b->shape)) {
        /* the common cases (same shapes, x op scalar): nothing to work out */
        nd = a->ndim;
        shape = a->shape;
    } else if (a->ndim == 0) {
        nd = b->ndim;
        shape = b->shape;
    } else {
        if (adl_broadcast_shapes(ctx, name, a->ndim, a->shape, b->ndim, b->shape, &nd, bshape) !=
            ADL_OK)
            return ctx->status;
        shape = bshape;
    }
    adl_array *r = adl_array_alloc(ctx, name, a->dtype, nd, shape);
    if (!r)
        return ctx->status;
    binary_into(l, op, a, b, r);
    *out = r;
    return ADL_OK;
}

/* Whether a broadcasts to r's shape. */
static int broadcasts_to(const adl_array *a, const adl_array *r) {
    if (a->ndim > r->ndim)
        return 0;
    for (int i = 1; i <= a->ndim; i++)
        if (a->shape[a->ndim - i] != 1 && a->shape[a->ndim - i] != r->shape[r->ndim - i])
            return 0;
    return 1;
}

int adl_k_binary_into(adl_binary_op op, const adl_array *a, const adl_array *b, adl_array *r) {
    if ((unsigned)op >= ADL_B_COUNT || a->level || b->level || !a->buf || !b->buf ||
        a->dtype != r->dtype || b->dtype != r->dtype || (unsigned)a->dtype > ADL_FLOAT32 ||
        !loops_by_dtype[a->dtype].binary || !broadcasts_to(a, r) || !broadcasts_to(b, r))
        return 0;
    binary_into(&loops_by_dtype[a->dtype], op, a, b, r);
    return 1;
}

/* + - * / of float64 into a result too big for the caches (STREAM_MIN
 * bytes and more), with stores that bypass them: a plain store first reads
 * the line it writes (24 bytes of memory traffic per result instead of
 * 16), and evicts data the next operation may want.  The same IEEE
 * operations, so the same values.  Returns 0 when not taken. */
#define STREAM_MIN ((int64_t)4 << 20)
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define STREAM_OP(EXPR)                                                 \
    for (; i + 4 <= n; i += 4) {                                        \
        __m256d x = sa ? _mm256_loadu_pd(a + i) : _mm256_set1_pd(a[0]); \
        __m256d y = sb ? _mm256_loadu_pd(b + i) : _mm256_set1_pd(b[0]); \
        _mm256_stream_pd(o + i, EXPR);                                  \
    }
__attribute__((target("avx2"))) static void stream_f64(adl_binary_op op, int64_t n, double *o,
                                                       const double *a, int64_t sa, const double *b,
                                                       int64_t sb) {
    int64_t i = 0;
    switch (op) {
    case ADL_B_ADD:
        STREAM_OP(_mm256_add_pd(x, y))
        break;
    case ADL_B_SUB:
        STREAM_OP(_mm256_sub_pd(x, y))
        break;
    case ADL_B_MUL:
        STREAM_OP(_mm256_mul_pd(x, y))
        break;
    default:
        STREAM_OP(_mm256_div_pd(x, y))
        break;
    }
    _mm_sfence(); /* the streamed stores are visible before the result is used */
    for (; i < n; i++) {
        double x = a[i * sa], y = b[i * sb];
        o[i] = op == ADL_B_ADD ? x + y : op == ADL_B_SUB ? x - y : op == ADL_B_MUL ? x * y : x / y;
    }
}

/* A run of n results (stride 1) of a result of `total` elements;
 * operands of stride 0 or 1. */
static int stream_binary(adl_binary_op op, adl_dtype dt, int64_t total, int64_t n, void *o,
                         const void *a, int64_t sa, const void *b, int64_t sb) {
    if (dt != ADL_FLOAT64 || total * 8 < STREAM_MIN || ((uintptr_t)o & 31) || (uint64_t)sa > 1 ||
        (uint64_t)sb > 1 ||
        !(op == ADL_B_ADD || op == ADL_B_SUB || op == ADL_B_MUL || op == ADL_B_DIV) ||
        !__builtin_cpu_supports("avx2"))
        return 0;
    stream_f64(op, n, o, a, sa, b, sb);
    return 1;
}
#else
static int stream_binary(adl_binary_op op, adl_dtype dt, int64_t total, int64_t n, void *o,
                         const void *a, int64_t sa, const void *b, int64_t sb) {
    (void)op, (void)dt, (void)total, (void)n, (void)o, (void)a, (void)sa, (void)b, (void)sb;
    return 0;
}
#endif

/* r = a op b, r contiguous of the broadcast shape, one dtype for all. */
static void binary_into(const kernel_loops *l, adl_binary_op op, const adl_array *a,
                        const adl_array *b, adl_array *r) {
    int nd = r->ndim;
    const int64_t *shape = r->shape;
    char *po = adl_first_elem(r);
    const char *pa = adl_first_elem(a), *pb = adl_first_elem(b);
    int64_t n = r->size;
    /* An operand with the result's size that broadcasts to it has no
     * stretched axis, so when contiguous it is in the result's flat order. */
    int a_flat = a->size == n && adl_contiguous(a);
    int b_flat = b->size == n && adl_contiguous(b);
    if ((a_flat || a->size == 1) && (b_flat || b->size == 1) &&
        stream_binary(op, r->dtype, n, n, po, pa, a_flat, pb, b_flat))
        return;
    if (a_flat && b_flat)
        l->binary(op, n, po, 1, pa, 1, pb, 1);
    else if (a_flat && b->size == 1)
        l->binary(op, n, po, 1, pa, 1, pb, 0);
    else if (b_flat && a->size == 1)
        l->binary(op, n, po, 1, pa, 0, pb, 1);
    else {
        adl_iter it;
        const adl_array *ops[3] = {r, a, b};
        int64_t es = adl_elem_size(a);
        if (adl_iter_init_arrays(&it, nd, shape, 3, ops) > 0)
            do
                if (it.stride[0] != 1 ||
                    !stream_binary(op, r->dtype, n, it.inner, AT(po, it.off[0], es),
                                   AT(pa, it.off[1], es), it.stride[1], AT(pb, it.off[2], es),
                                   it.stride[2]))
                    l->binary(op, it.inner, AT(po, it.off[0], es), it.stride[0],
                              AT(pa, it.off[1], es), it.stride[1], AT(pb, it.off[2], es),
                              it.stride[2]);
            while (adl_iter_next(&it));
    }
}

adl_status adl_k_where(adl_ctx *ctx, const adl_array *cond, const adl_array *a, const adl_array *b,
                       adl_array **out) {
    const adl_array *in[3] = {cond, a, b};
    adl_dtype dt = adl_result_dtype(a, b);
    const kernel_loops *l = loops_for_all(ctx, "where", 3, in, dt);
    if (!l)
        return ctx->status;
    if (cond->dtype != dt || a->dtype != dt || b->dtype != dt) {
        /* mixed dtypes: convert, the condition by its truth */
        adl_array *tc = NULL, *ta = NULL, *tb = NULL;
        const adl_array *cc = as_dtype(ctx, "where", cond, dt, 1, &tc);
        const adl_array *ca = cc ? as_dtype(ctx, "where", a, dt, 0, &ta) : NULL;
        const adl_array *cb = ca ? as_dtype(ctx, "where", b, dt, 0, &tb) : NULL;
        adl_status st = cb ? adl_k_where(ctx, cc, ca, cb, out) : ctx->status;
        adl_array_release(tc);
        adl_array_release(ta);
        adl_array_release(tb);
        return st;
    }
    int n1, nd;
    int64_t s1[ADL_MAX_DIMS], shape[ADL_MAX_DIMS];
    if (adl_broadcast_shapes(ctx, "where", cond->ndim, cond->shape, a->ndim, a->shape, &n1, s1) !=
            ADL_OK ||
        adl_broadcast_shapes(ctx, "where", n1, s1, b->ndim, b->shape, &nd, shape) != ADL_OK) {
        /* NumPy names all three shapes */
        char sc[256], sa[256], sb[256];
        adl_shape_str(cond->ndim, cond->shape, sc, sizeof sc);
        adl_shape_str(a->ndim, a->shape, sa, sizeof sa);
        adl_shape_str(b->ndim, b->shape, sb, sizeof sb);
        return adl_error(ctx, ADL_ERR_VALUE,
                         "where: operands could not be broadcast together with shapes %s %s %s", sc,
                         sa, sb);
    }
    adl_array *r = adl_array_alloc(ctx, "where", a->dtype, nd, shape);
    if (!r)
        return ctx->status;
    char *po = adl_first_elem(r);
    const char *pc = adl_first_elem(cond), *pa = adl_first_elem(a), *pb = adl_first_elem(b);
    int64_t n = r->size;
    if (cond->size == n && a->size == n && b->size == n && adl_contiguous(cond) &&
        adl_contiguous(a) && adl_contiguous(b)) {
        l->where(n, po, 1, pc, 1, pa, 1, pb, 1);
    } else {
        adl_iter it;
        const adl_array *ops[4] = {r, cond, a, b};
        int64_t es = adl_elem_size(a);
        if (adl_iter_init_arrays(&it, nd, shape, 4, ops) > 0)
            do
                l->where(it.inner, AT(po, it.off[0], es), it.stride[0], AT(pc, it.off[1], es),
                         it.stride[1], AT(pa, it.off[2], es), it.stride[2], AT(pb, it.off[3], es),
                         it.stride[3]);
            while (adl_iter_next(&it));
    }
    *out = r;
    return ADL_OK;
}

/* ---- copies and in-place updates ---- */

adl_status adl_k_copy(adl_ctx *ctx, const adl_array *a, adl_array **out) {
    const kernel_loops *l = loops_for(ctx, "copy", a);
    if (!l)
        return ctx->status;
    adl_array *r = adl_array_alloc(ctx, "copy", a->dtype, a->ndim, a->shape);
    if (!r)
        return ctx->status;
    char *po = adl_first_elem(r);
    const char *pa = adl_first_elem(a);
    if (adl_contiguous(a)) {
        l->copy(r->size, po, 1, pa, 1);
    } else {
        adl_iter it;
        const adl_array *ops[2] = {r, a};
        int64_t es = adl_elem_size(a);
        if (adl_iter_init_arrays(&it, a->ndim, a->shape, 2, ops) > 0)
            do
                l->copy(it.inner, AT(po, it.off[0], es), it.stride[0], AT(pa, it.off[1], es),
                        it.stride[1]);
            while (adl_iter_next(&it));
    }
    *out = r;
    return ADL_OK;
}

/* Lowest and highest element offsets an array touches (size > 0). */
static void extent(const adl_array *a, int64_t *lo, int64_t *hi) {
    *lo = *hi = a->offset;
    for (int i = 0; i < a->ndim; i++) {
        int64_t span = a->strides[i] * (a->shape[i] - 1);
        if (span < 0)
            *lo += span;
        else
            *hi += span;
    }
}

static int may_overlap(const adl_array *a, const adl_array *b) {
    if (a->buf != b->buf || a->size == 0 || b->size == 0)
        return 0;
    int64_t alo, ahi, blo, bhi;
    extent(a, &alo, &ahi);
    extent(b, &blo, &bhi);
    return alo <= bhi && blo <= ahi;
}

/* dst OP= src, src broadcast to dst's shape (NumPy's assignment rule: src
 * may also have extra leading axes of length 1).  add == 0: copy. */
static adl_status update_in_place(adl_ctx *ctx, const char *op, adl_array *dst,
                                  const adl_array *src, int add) {
    const adl_array *in[2] = {dst, src};
    const kernel_loops *l = loops_for_all(ctx, op, 2, in, dst->dtype);
    if (!l)
        return ctx->status;
    void (*loop)(int64_t, void *, int64_t, const void *, int64_t) = add ? l->add : l->copy;
    if (src->dtype == dst->dtype && adl_shape_equal(dst->ndim, dst->shape, src->ndim, src->shape) &&
        adl_contiguous(dst) && adl_contiguous(src) && !may_overlap(dst, src)) {
        /* the common case, one loop with nothing to broadcast or convert:
         * the sweep adding a small gradient into its accumulator at every
         * sample of a loss loop pays no set-up */
        loop(dst->size, adl_first_elem(dst), 1, adl_first_elem(src), 1);
        return ADL_OK;
    }
    int nd = dst->ndim, lead = src->ndim - nd;
    int64_t sst[ADL_MAX_DIMS];
    for (int i = 0; i < src->ndim; i++) {
        int d = i - lead; /* dst axis matching src axis i */
        if (d < 0 ? src->shape[i] != 1 : src->shape[i] != 1 && src->shape[i] != dst->shape[d]) {
            char s1[256], s2[256];
            adl_shape_str(src->ndim, src->shape, s1, sizeof s1);
            adl_shape_str(nd, dst->shape, s2, sizeof s2);
            return adl_error(ctx, ADL_ERR_VALUE,
                             "%s: could not broadcast input array from shape %s into shape %s", op,
                             s1, s2);
        }
    }
    for (int d = 0; d < nd; d++) {
        int i = d + lead;
        sst[d] = (i < 0 || src->shape[i] == 1) ? 0 : src->strides[i];
    }

    /* Reading src while writing an overlapping dst would see half-updated
     * values (a[2:] = a[:-2]); NumPy copies src first, so do we.  A src of
     * another dtype is converted to dst's (NumPy's same-kind casting). */
    adl_array *tmp = NULL;
    if (may_overlap(dst, src) || src->dtype != dst->dtype) {
        if (convert(ctx, op, src, dst->dtype, 0, &tmp) != ADL_OK)
            return ctx->status;
        src = tmp;
        for (int d = 0; d < nd; d++) {
            int i = d + lead;
            sst[d] = (i < 0 || src->shape[i] == 1) ? 0 : src->strides[i];
        }
    }

    char *pd = adl_first_elem(dst);
    const char *ps = adl_first_elem(src);
    if (src->size == dst->size && adl_contiguous(dst) && adl_contiguous(src)) {
        loop(dst->size, pd, 1, ps, 1);
    } else {
        adl_iter it;
        const int64_t *st[2] = {dst->strides, sst};
        int64_t es = adl_elem_size(dst);
        if (adl_iter_init(&it, nd, dst->shape, 2, st) > 0)
            do
                loop(it.inner, AT(pd, it.off[0], es), it.stride[0], AT(ps, it.off[1], es),
                     it.stride[1]);
            while (adl_iter_next(&it));
    }
    adl_array_release(tmp);
    return ADL_OK;
}

adl_status adl_k_assign(adl_ctx *ctx, const char *op, adl_array *dst, const adl_array *src) {
    return update_in_place(ctx, op, dst, src, 0);
}

adl_status adl_k_add_into(adl_ctx *ctx, adl_array *dst, const adl_array *src) {
    return update_in_place(ctx, "add_into", dst, src, 1);
}

void adl_k_fill(adl_array *a, double v) {
    /* no error channel: a box or unknown dtype is left alone */
    if (a->level != 0 || !a->buf || a->size == 0)
        return;
    adl_iter it;
    const adl_array *ops[1] = {a};
    if (adl_iter_init_arrays(&it, a->ndim, a->shape, 1, ops) == 0)
        return;
    do {
        int64_t n = it.inner, s = it.stride[0];
        if (a->dtype == ADL_FLOAT64) {
            double *p = (double *)adl_first_elem(a) + it.off[0];
            for (int64_t i = 0; i < n; i++)
                p[i * s] = v;
        } else if (a->dtype == ADL_FLOAT32) {
            float *p = (float *)adl_first_elem(a) + it.off[0];
            for (int64_t i = 0; i < n; i++)
                p[i * s] = (float)v;
        }
    } while (adl_iter_next(&it));
}

adl_status adl_k_concatenate(adl_ctx *ctx, int n, const adl_array *const *arrays, int axis,
                             adl_array **out) {
    const char *op = "concatenate";
    if (n < 1)
        return adl_error(ctx, ADL_ERR_VALUE, "concatenate: need at least one array to concatenate");
    /* float32 only when every array is: NumPy's promotion */
    adl_dtype dt = ADL_FLOAT32;
    for (int k = 0; k < n; k++)
        if (arrays[k]->dtype != ADL_FLOAT32)
            dt = ADL_FLOAT64;
    if (!loops_for_all(ctx, op, n, arrays, dt))
        return ctx->status;
    const adl_array *a0 = arrays[0];
    int nd = a0->ndim;
    if (nd == 0)
        return adl_error(ctx, ADL_ERR_VALUE,
                         "concatenate: zero-dimensional arrays cannot be concatenated");
    if (axis < 0 || axis >= nd)
        return adl_error(ctx, ADL_ERR_VALUE,
                         "concatenate: axis %d is out of bounds for array of dimension %d",
                         axis + 1, nd);
    int ax = axis;
    int64_t shape[ADL_MAX_DIMS];
    memcpy(shape, a0->shape, sizeof(int64_t) * (size_t)nd);
    for (int k = 1; k < n; k++) {
        const adl_array *a = arrays[k];
        if (a->ndim != nd)
            return adl_error(ctx, ADL_ERR_VALUE,
                             "concatenate: all the input arrays must have same number of "
                             "dimensions, but the array at index 1 has %d dimension(s) and the "
                             "array at index %d has %d dimension(s)",
                             nd, k + 1, a->ndim);
        for (int d = 0; d < nd; d++)
            if (d != ax && a->shape[d] != shape[d])
                return adl_error(ctx, ADL_ERR_VALUE,
                                 "concatenate: all the input array dimensions except for the "
                                 "concatenation axis must match exactly, but along dimension %d, "
                                 "the array at index 1 has size %lld and the array at index %d "
                                 "has size %lld",
                                 d + 1, (long long)shape[d], k + 1, (long long)a->shape[d]);
        shape[ax] += a->shape[ax]; /* each is < 2^48: no overflow before alloc's check */
    }
    adl_array *r = adl_array_alloc(ctx, op, dt, nd, shape);
    if (!r)
        return ctx->status;
    int64_t es = adl_elem_size(r), pos = 0;
    for (int k = 0; k < n; k++) {
        const adl_array *a = arrays[k];
        copy_fn copy = copy_loop_for(dt, a->dtype);
        int64_t ea = adl_elem_size(a);
        char *po = AT(adl_first_elem(r), pos * r->strides[ax], es);
        const char *pa = adl_first_elem(a);
        adl_iter it;
        const int64_t *st[2] = {r->strides, a->strides};
        /* the slice of r has a's shape and r's strides */
        if (adl_iter_init(&it, nd, a->shape, 2, st) > 0)
            do
                copy(it.inner, AT(po, it.off[0], es), it.stride[0], AT(pa, it.off[1], ea),
                     it.stride[1]);
            while (adl_iter_next(&it));
        pos += a->shape[ax];
    }
    *out = r;
    return ADL_OK;
}

/* ---- creation ---- */

adl_status adl_k_arange(adl_ctx *ctx, double start, double stop, double step, adl_array **out) {
    if (step == 0)
        return adl_error(ctx, ADL_ERR_VALUE, "arange: step must not be zero");
    /* NumPy's length: ceil((stop - start) / step), where a quotient that
     * underflows to 0 still counts as one element when it is positive. */
    double delta = stop - start, q = delta / step, len;
    if (q == 0 && delta != 0)
        len = signbit(q) ? 0 : 1;
    else
        len = ceil(q);
    if (isnan(len))
        return adl_error(ctx, ADL_ERR_VALUE, "arange: cannot compute length");
    if (len > (double)ADL_MAX_SIZE)
        return adl_error(ctx, ADL_ERR_VALUE, "arange: array is too big (more than 2^48 elements)");
    int64_t n = len > 0 ? (int64_t)len : 0;
    adl_array *r = adl_array_alloc(ctx, "arange", ADL_FLOAT64, 1, &n);
    if (!r)
        return ctx->status;
    /* NumPy's fill: the first two values, then start + i * (second - first) */
    double *p = adl_first_elem(r);
    if (n > 0)
        p[0] = start;
    if (n > 1)
        p[1] = start + step;
    double d = n > 1 ? p[1] - p[0] : 0;
    for (int64_t i = 2; i < n; i++)
        p[i] = start + (double)i * d;
    *out = r;
    return ADL_OK;
}

adl_status adl_k_linspace(adl_ctx *ctx, double start, double stop, int64_t num, int endpoint,
                          adl_array **out) {
    if (num < 0)
        return adl_error(ctx, ADL_ERR_VALUE,
                         "linspace: Number of samples, %lld, must be non-negative.",
                         (long long)num);
    adl_array *r = adl_array_alloc(ctx, "linspace", ADL_FLOAT64, 1, &num);
    if (!r)
        return ctx->status;
    double *p = adl_first_elem(r);
    /* NumPy's arithmetic, step for step, so the values agree to the bit */
    int64_t div = endpoint ? num - 1 : num;
    double delta = stop - start;
    if (div > 0) {
        double step = delta / (double)div;
        if (step == 0) /* delta underflowed: scale before dividing */
            for (int64_t i = 0; i < num; i++)
                p[i] = (double)i / (double)div * delta + start;
        else
            for (int64_t i = 0; i < num; i++)
                p[i] = (double)i * step + start;
    } else {
        for (int64_t i = 0; i < num; i++)
            p[i] = (double)i * delta + start;
    }
    if (endpoint && num > 1)
        p[num - 1] = stop;
    *out = r;
    return ADL_OK;
}

adl_status adl_k_eye(adl_ctx *ctx, int64_t n, int64_t m, int64_t k, adl_array **out) {
    int64_t shape[2] = {n, m};
    adl_array *r = adl_array_zeros(ctx, "eye", ADL_FLOAT64, 2, shape);
    if (!r)
        return ctx->status;
    double *p = adl_first_elem(r);
    if (k < m && k > -n) { /* the diagonal meets the matrix; bounds avoid overflow */
        int64_t i0 = k < 0 ? -k : 0, i1 = m - k < n ? m - k : n;
        for (int64_t i = i0; i < i1; i++)
            p[i * m + i + k] = 1.0;
    }
    *out = r;
    return ADL_OK;
}
