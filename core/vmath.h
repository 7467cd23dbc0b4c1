/* vmath.h: exp, log, tanh, max and min over arrays, vectorised (vmath.c).
 *
 * The kernels' unary loops call these for np.exp, np.log and np.tanh on
 * every layout.  Results are within 1 ulp of glibc's libm (most are the
 * same to the bit; tests/c/test_vmath.c measures the largest difference),
 * with libm's special values: exp overflows to inf above 709.78 and gives
 * subnormals and 0 below -708, log(0) = -inf, log(x < 0) = nan,
 * tanh(-0) = -0, nan stays nan. */
#ifndef ADL_VMATH_H
#define ADL_VMATH_H

#include <stdint.h>

typedef enum adl_vm_func { ADL_VM_EXP, ADL_VM_LOG, ADL_VM_TANH, ADL_VM_COUNT } adl_vm_func;

/* o[i * so] = f(a[i * sa]) for i < n; strides in elements.  o and a must
 * not overlap.  float32 is computed in float64 and rounded once. */
void adl_vm_f64(adl_vm_func f, int64_t n, double *o, int64_t so, const double *a, int64_t sa);
void adl_vm_f32(adl_vm_func f, int64_t n, float *o, int64_t so, const float *a, int64_t sa);

/* The max or min of a contiguous run of n >= adl_vm_minmax_min_len()
 * values, a nan sticking as in NumPy's max (any nan gives a nan).  Which
 * nan, and which of -0 and +0 when they tie, depends on the order in which
 * the loop meets them: the caller decides those cases. */
int64_t adl_vm_minmax_min_len(void);
double adl_vm_max_f64(const double *a, int64_t n);
double adl_vm_min_f64(const double *a, int64_t n);
float adl_vm_max_f32(const float *a, int64_t n);
float adl_vm_min_f32(const float *a, int64_t n);

/* The instruction sets the loops are compiled for, chosen at run time by
 * what the CPU and OS support; ADL_VM_SSE2 (any other CPU too) is libm's
 * scalar functions and the plain max/min loop. */
typedef enum adl_vm_isa { ADL_VM_SSE2, ADL_VM_AVX2, ADL_VM_AVX512, ADL_VM_ISA_COUNT } adl_vm_isa;

/* The one in use, and its name ("sse2", "avx2+fma", "avx512f"). */
adl_vm_isa adl_vm_get_isa(void);
const char *adl_vm_isa_name(adl_vm_isa isa);

/* For tests: use `isa` from now on (at most the best the CPU has: a
 * higher one is lowered to it); returns the one now in use. */
adl_vm_isa adl_vm_set_isa(adl_vm_isa isa);

#endif
