/* vmath.c: exp, log and tanh over arrays, in loops that vectorise.
 *
 * glibc's exp, log and tanh are scalar calls (tanh goes through expm1, 20 ns
 * a value); NumPy runs SIMD versions.  Here each function is a branch-free
 * loop of range reduction and polynomial (vmath_loops.h) that GCC and clang
 * vectorise at -O3, compiled twice: for AVX2 with FMA and for AVX-512; the
 * best one the CPU and OS support is chosen at the first call
 * (__builtin_cpu_supports).  Other CPUs (x86-64 without AVX2, or not x86)
 * keep libm's scalar calls.  The rare
 * elements a loop does not handle (exp of |x| > 708, whose result
 * overflows or is subnormal; log of 0, negative, subnormal, infinite or nan
 * values; tanh of nan) are flagged by the loop and recomputed with libm in a
 * second pass, so special values are libm's exactly.
 *
 * AVX2 and AVX-512 give the same values (both fuse the same multiply-adds);
 * they may differ from libm's in the last bit, as NumPy's do (the errors
 * are in tests/c/test_vmath.c and docs/performance.md).  Large arrays are
 * split over the cores (parallel.c); each value is computed as alone. */
#include "vmath.h"

#include "parallel.h"

#include <float.h>
#include <math.h>
#include <stdatomic.h>
#include <string.h>

static inline uint64_t as_u64(double x) {
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static inline double as_f64(uint64_t u) {
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* constants of the loops */
#define VM_INV_LN2        0x1.71547652b82fep0
#define VM_SHIFT          0x1.8p52                   /* adding it rounds to an integer */
#define VM_LN2_HI         6.93147180369123816490e-01 /* ln2 to 32 bits: k * it is exact */
#define VM_LN2_LO         1.90821492927058770002e-10 /* ln2 - VM_LN2_HI */
#define VM_EXP_MAX        708.0                      /* e^x is normal and finite for |x| <= this */
#define VM_DBL_MIN        DBL_MIN
#define VM_DBL_MAX        DBL_MAX
#define VM_SIGN_BIT       0x8000000000000000ULL
#define VM_EXP_MASK       0xfff0000000000000ULL
#define VM_TWO52_BITS     0x4330000000000000ULL /* 2^52 */
#define VM_SQRT_HALF_BITS 0x3fe6a09e667f3bcdULL /* sqrt(2)/2 */
/* fdlibm's e_log.c: R(z) = Lg1 z + ... + Lg7 z^7, z = s^2 */
#define VM_LG1 6.666666666666735130e-01
#define VM_LG2 3.999999999940941908e-01
#define VM_LG3 2.857142874366239149e-01
#define VM_LG4 2.222219843214978396e-01
#define VM_LG5 1.818357216161805012e-01
#define VM_LG6 1.531383769920937332e-01
#define VM_LG7 1.479819860511658591e-01

/* max/min as NumPy's, a nan sticking (reduce.c's MAX_OF/MIN_OF) */
#define VM_MAX_OF(acc, x) ((((acc) >= (x)) | ((acc) != (acc))) ? (acc) : (x))
#define VM_MIN_OF(acc, x) ((((acc) <= (x)) | ((acc) != (acc))) ? (acc) : (x))
/* running results of the max/min loops: four AVX-512 vectors */
#define VM_LANES_F64 32
#define VM_LANES_F32 64

/* ---- the loops, once per instruction set ---- */

/* Without AVX2 the loops gain nothing: SSE2's two lanes without FMA run
 * them slower than glibc's scalar functions (GCC does not vectorise their
 * flags there), so the baseline level is libm, value by value, and the
 * plain max/min loop. */
static int exp_loop_sse2(int64_t n, double *restrict o, const double *restrict a) {
    for (int64_t i = 0; i < n; i++)
        o[i] = exp(a[i]);
    return 0;
}
static int log_loop_sse2(int64_t n, double *restrict o, const double *restrict a) {
    for (int64_t i = 0; i < n; i++)
        o[i] = log(a[i]);
    return 0;
}
static int tanh_loop_sse2(int64_t n, double *restrict o, const double *restrict a) {
    for (int64_t i = 0; i < n; i++)
        o[i] = tanh(a[i]);
    return 0;
}
#define VM_PLAIN_MINMAX(NAME, T, OF)                \
    static T NAME(const T *restrict a, int64_t n) { \
        T v = a[0];                                 \
        for (int64_t i = 1; i < n; i++)             \
            v = OF(v, a[i]);                        \
        return v;                                   \
    }
/* with || (a well predicted branch): the select's chain is slower here */
#define VM_MAX_FOLD(acc, x) (((acc) >= (x) || (acc) != (acc)) ? (acc) : (x))
#define VM_MIN_FOLD(acc, x) (((acc) <= (x) || (acc) != (acc)) ? (acc) : (x))
VM_PLAIN_MINMAX(max_f64_sse2, double, VM_MAX_FOLD)
VM_PLAIN_MINMAX(min_f64_sse2, double, VM_MIN_FOLD)
VM_PLAIN_MINMAX(max_f32_sse2, float, VM_MAX_FOLD)
VM_PLAIN_MINMAX(min_f32_sse2, float, VM_MIN_FOLD)

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define VM_HAVE_X86     1
#define VM_FMA(a, b, c) __builtin_fma(a, b, c)
#define VM_ISA          avx2
#define VM_TARGET       __attribute__((target("avx2,fma")))
#include "vmath_loops.h"
#undef VM_ISA
#undef VM_TARGET
#define VM_ISA    avx512
#define VM_TARGET __attribute__((target("avx512f,avx2,fma")))
#include "vmath_loops.h"
#undef VM_ISA
#undef VM_TARGET
#undef VM_FMA
#else
#define VM_HAVE_X86 0
#endif

typedef int (*vm_loop)(int64_t, double *restrict, const double *restrict);

static const vm_loop loops[ADL_VM_ISA_COUNT][ADL_VM_COUNT] = {
    [ADL_VM_SSE2] = {exp_loop_sse2, log_loop_sse2, tanh_loop_sse2},
#if VM_HAVE_X86
    [ADL_VM_AVX2] = {exp_loop_avx2, log_loop_avx2, tanh_loop_avx2},
    [ADL_VM_AVX512] = {exp_loop_avx512, log_loop_avx512, tanh_loop_avx512},
#endif
};

typedef struct minmax_loops {
    double (*max_f64)(const double *restrict, int64_t);
    double (*min_f64)(const double *restrict, int64_t);
    float (*max_f32)(const float *restrict, int64_t);
    float (*min_f32)(const float *restrict, int64_t);
} minmax_loops;

static const minmax_loops minmax[ADL_VM_ISA_COUNT] = {
    [ADL_VM_SSE2] = {max_f64_sse2, min_f64_sse2, max_f32_sse2, min_f32_sse2},
#if VM_HAVE_X86
    [ADL_VM_AVX2] = {max_f64_avx2, min_f64_avx2, max_f32_avx2, min_f32_avx2},
    [ADL_VM_AVX512] = {max_f64_avx512, min_f64_avx512, max_f32_avx512, min_f32_avx512},
#endif
};

/* ---- choosing the instruction set ---- */

static adl_vm_isa best_isa(void) {
#if VM_HAVE_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f"))
        return ADL_VM_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return ADL_VM_AVX2;
#endif
    return ADL_VM_SSE2;
}

static _Atomic int isa_in_use = -1; /* -1: not chosen yet */

adl_vm_isa adl_vm_get_isa(void) {
    int isa = atomic_load_explicit(&isa_in_use, memory_order_relaxed);
    if (isa < 0) {
        isa = (int)best_isa();
        atomic_store_explicit(&isa_in_use, isa, memory_order_relaxed);
    }
    return (adl_vm_isa)isa;
}

const char *adl_vm_isa_name(adl_vm_isa isa) {
    static const char *const names[ADL_VM_ISA_COUNT] = {"sse2", "avx2+fma", "avx512f"};
    return (unsigned)isa < ADL_VM_ISA_COUNT ? names[isa] : "unknown";
}

adl_vm_isa adl_vm_set_isa(adl_vm_isa isa) {
    adl_vm_isa best = best_isa();
    if ((unsigned)isa > (unsigned)best)
        isa = best;
    atomic_store_explicit(&isa_in_use, (int)isa, memory_order_relaxed);
    return isa;
}

/* ---- the second pass: libm for the elements the loops flag ---- */

static void fix_up(adl_vm_func f, int64_t n, double *o, const double *a) {
    for (int64_t i = 0; i < n; i++) {
        double x = a[i];
        switch (f) {
        case ADL_VM_EXP:
            if (!(fabs(x) <= VM_EXP_MAX))
                o[i] = exp(x);
            break;
        case ADL_VM_LOG:
            if (!(x >= VM_DBL_MIN && x <= VM_DBL_MAX))
                o[i] = log(x);
            break;
        default:
            if (isnan(x))
                o[i] = tanh(x);
            break;
        }
    }
}

/* Contiguous runs: the loop, then the second pass if anything was flagged. */
static void run_f64(adl_vm_func f, int64_t n, double *restrict o, const double *restrict a) {
    if (loops[adl_vm_get_isa()][f](n, o, a))
        fix_up(f, n, o, a);
}

/* Strided and float32 operands go through blocks of this many values on
 * the stack. */
#define VM_BLOCK 256

/* One call's operands; a split runs vm_range on parts of [0, n). */
typedef struct vm_job {
    adl_vm_func f;
    void *o;
    const void *a;
    int64_t so, sa;
    int f32;
} vm_job;

static void vm_range(void *arg, int64_t begin, int64_t end) {
    const vm_job *j = arg;
    if (!j->f32 && j->so == 1 && j->sa == 1) {
        run_f64(j->f, end - begin, (double *)j->o + begin, (const double *)j->a + begin);
        return;
    }
    double in[VM_BLOCK], out[VM_BLOCK];
    for (int64_t i0 = begin; i0 < end; i0 += VM_BLOCK) {
        int64_t m = end - i0 < VM_BLOCK ? end - i0 : VM_BLOCK;
        if (j->f32) {
            const float *a = j->a;
            for (int64_t i = 0; i < m; i++)
                in[i] = (double)a[(i0 + i) * j->sa];
        } else {
            const double *a = j->a;
            for (int64_t i = 0; i < m; i++)
                in[i] = a[(i0 + i) * j->sa];
        }
        run_f64(j->f, m, out, in);
        if (j->f32) {
            float *o = j->o;
            for (int64_t i = 0; i < m; i++)
                o[(i0 + i) * j->so] = (float)out[i];
        } else {
            double *o = j->o;
            for (int64_t i = 0; i < m; i++)
                o[(i0 + i) * j->so] = out[i];
        }
    }
}

/* The fewest values worth handing to another core, per function: a few
 * tens of microseconds of work, against a wake-up of about ten. */
static int64_t min_split(adl_vm_func f) {
    return f == ADL_VM_TANH ? 16384 : 65536;
}

static void vm_run(adl_vm_func f, int64_t n, void *o, int64_t so, const void *a, int64_t sa,
                   int f32) {
    if ((unsigned)f >= ADL_VM_COUNT)
        return;
    vm_job j = {f, o, a, so, sa, f32};
    adl_parallel_for(n, min_split(f), vm_range, &j);
}

void adl_vm_f64(adl_vm_func f, int64_t n, double *o, int64_t so, const double *a, int64_t sa) {
    /* contiguous and too short to split (a per-sample loop's one value):
     * the loop at once, without the job and the split */
    if (so == 1 && sa == 1 && (unsigned)f < ADL_VM_COUNT && n < min_split(f)) {
        run_f64(f, n, o, a);
        return;
    }
    vm_run(f, n, o, so, a, sa, 0);
}

void adl_vm_f32(adl_vm_func f, int64_t n, float *o, int64_t so, const float *a, int64_t sa) {
    vm_run(f, n, o, so, a, sa, 1);
}

/* ---- max and min of contiguous runs ---- */

int64_t adl_vm_minmax_min_len(void) {
    return 2 * VM_LANES_F32;
}

double adl_vm_max_f64(const double *a, int64_t n) {
    return minmax[adl_vm_get_isa()].max_f64(a, n);
}
double adl_vm_min_f64(const double *a, int64_t n) {
    return minmax[adl_vm_get_isa()].min_f64(a, n);
}
float adl_vm_max_f32(const float *a, int64_t n) {
    return minmax[adl_vm_get_isa()].max_f32(a, n);
}
float adl_vm_min_f32(const float *a, int64_t n) {
    return minmax[adl_vm_get_isa()].min_f32(a, n);
}
