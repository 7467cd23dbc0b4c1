/* test_vmath.c: vmath.c's exp, log, tanh, max and min against libm and the
 * plain ordered loops, on every instruction set this CPU has. */
#include "harness.h"
#include "test_util.h"
#include "vmath.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd64(void) {
    return t_xorshift(&rng_state);
}
static double urand(double lo, double hi) {
    return lo + (hi - lo) * ((double)(rnd64() >> 11) * 0x1p-53);
}
static double bits_f64(uint64_t u) {
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* Distance in ulps between two doubles of the same sign (the count of
 * doubles between them); 0 for two nans, huge when one is a nan. */
static double ulp_diff(double a, double b) {
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b) ? 0 : 1e300;
    if (a == b)
        return 0;
    if (signbit(a) != signbit(b))
        return 1e300;
    int64_t ia, ib;
    a = fabs(a);
    b = fabs(b);
    memcpy(&ia, &a, sizeof ia);
    memcpy(&ib, &b, sizeof ib);
    return fabs((double)(ia - ib));
}

/* Error of got in ulps of the true value w (from long double libm). */
static double ulp_err(double got, long double w) {
    double wd = (double)w;
    if (isinf(wd) || isnan(wd) || wd == 0)
        return got == wd || (isnan(got) && isnan(wd)) ? 0 : 1e300;
    double u = nextafter(fabs(wd), INFINITY) - fabs(wd);
    return (double)(fabsl((long double)got - w) / u); /* divided first: no subnormal */
}

static double ref(adl_vm_func f, double x) {
    return f == ADL_VM_EXP ? exp(x) : f == ADL_VM_LOG ? log(x) : tanh(x);
}
static long double ref_l(adl_vm_func f, double x) {
    return f == ADL_VM_EXP ? expl(x) : f == ADL_VM_LOG ? logl(x) : tanhl(x);
}
static const char *const fname[ADL_VM_COUNT] = {"exp", "log", "tanh"};

#define NPTS 200000

/* Points over the whole range of f, its boundaries and its hard places. */
static void fill_points(adl_vm_func f, double *a, int n) {
    for (int i = 0; i < n; i++) {
        int m = i % 5;
        double x;
        if (f == ADL_VM_EXP)
            x = m == 0   ? urand(-760, 760)
                : m == 1 ? urand(-1, 1)
                : m == 2 ? urand(-40, 40)
                : m == 3 ? urand(-750, -700) /* subnormal results, underflow */
                         : urand(700, 712);  /* overflow */
        else if (f == ADL_VM_LOG)
            x = m == 0   ? bits_f64(rnd64() >> 1) /* any positive: subnormal, inf, nan */
                : m == 1 ? urand(0.5, 2)
                : m == 2 ? urand(0, 100)
                : m == 3 ? 1 + urand(-1e-6, 1e-6)
                         : bits_f64(rnd64()); /* negative ones too */
        else
            x = m == 0   ? urand(-25, 25)
                : m == 1 ? urand(-1.2, 1.2)
                : m == 2 ? urand(-1e-3, 1e-3)
                : m == 3 ? ldexp(urand(-1, 1), -(int)(rnd64() % 1080))
                         : bits_f64(rnd64());
        a[i] = x;
    }
}

static const double specials[] = {0.0,
                                  -0.0,
                                  1.0,
                                  -1.0,
                                  0.5,
                                  2.5,
                                  INFINITY,
                                  -INFINITY,
                                  NAN,
                                  -NAN,
                                  DBL_MIN,
                                  DBL_TRUE_MIN,
                                  -DBL_TRUE_MIN,
                                  0x1p-1060,
                                  DBL_MAX,
                                  -DBL_MAX,
                                  708.0,
                                  -708.0,
                                  708.0000001,
                                  709.782712893384,
                                  709.7827128933841,
                                  710.0,
                                  -744.0,
                                  -745.1332191019411,
                                  -745.1332191019412,
                                  -746.0,
                                  1e-300,
                                  -1e-300,
                                  1e-20,
                                  22.0,
                                  -22.0,
                                  21.999999,
                                  30.0,
                                  -30.0,
                                  1000.0,
                                  0.9999999999999999,
                                  1.0000000000000002};
#define NSPECIAL ((int)(sizeof specials / sizeof specials[0]))

/* Whether long double arithmetic really carries more bits than double:
 * the reference values need it.  Under valgrind it does not (x87 is
 * emulated in double precision), whatever LDBL_MANT_DIG says. */
static int extended_precision(void) {
    volatile long double one = 1.0L, tiny = LDBL_EPSILON;
    return LDBL_MANT_DIG >= 64 && one + tiny != one && (double)LDBL_EPSILON < DBL_EPSILON;
}

/* Largest ulp difference from libm and error against the true value, per
 * function and instruction set; prints them (the figures in the docs). */
TEST(vmath_accuracy_against_libm) {
    int extended = extended_precision();
    double *a = malloc(sizeof(double) * NPTS), *o = malloc(sizeof(double) * NPTS);
    REQUIRE(a && o);
    adl_vm_isa best = adl_vm_set_isa(ADL_VM_AVX512), saved = best;
    for (int isa = 0; isa <= (int)best; isa++) {
        adl_vm_set_isa((adl_vm_isa)isa);
        for (int f = 0; f < ADL_VM_COUNT; f++) {
            fill_points((adl_vm_func)f, a, NPTS);
            adl_vm_f64((adl_vm_func)f, NPTS, o, 1, a, 1);
            double maxd = 0, maxe = 0, at = 0, eat = 0;
            for (int i = 0; i < NPTS; i++) {
                double d = ulp_diff(o[i], ref((adl_vm_func)f, a[i]));
                if (d > maxd) {
                    maxd = d;
                    at = a[i];
                }
                if (extended && isfinite(o[i])) {
                    double e = ulp_err(o[i], ref_l((adl_vm_func)f, a[i]));
                    if (e > maxe) {
                        maxe = e;
                        eat = a[i];
                    }
                }
            }
            printf("  vmath %s %s: max %g ulp from libm (at %.17g)",
                   adl_vm_isa_name((adl_vm_isa)isa), fname[f], maxd, at);
            if (extended)
                printf(", max error %.3f ulp (at %.17g)\n", maxe, eat);
            else
                printf(", error not measured (long double is not extended here)\n");
            /* glibc's tanh itself errs by up to 2.2 ulp: the difference
             * from it may be 3; the error against the true value is below
             * glibc's */
            CHECK(maxd <= (f == ADL_VM_TANH ? 3 : 1));
            if (extended && isa != ADL_VM_SSE2) /* SSE2: libm's own */
                CHECK(maxe <= (f == ADL_VM_TANH ? 1.5 : 1.0));
        }
    }
    adl_vm_set_isa(saved);
    free(a);
    free(o);
}

TEST(vmath_special_values_are_libms) {
    adl_vm_isa saved = adl_vm_set_isa(ADL_VM_AVX512);
    double o[NSPECIAL];
    for (int isa = 0; isa <= (int)saved; isa++) {
        adl_vm_set_isa((adl_vm_isa)isa);
        for (int f = 0; f < ADL_VM_COUNT; f++) {
            adl_vm_f64((adl_vm_func)f, NSPECIAL, o, 1, specials, 1);
            for (int i = 0; i < NSPECIAL; i++) {
                double want = ref((adl_vm_func)f, specials[i]);
                /* exact where libm's result is exact or out of the loops'
                 * range; 1 ulp (tanh: 3) elsewhere; the sign always */
                int ok = ulp_diff(o[i], want) <= (f == ADL_VM_TANH ? 3 : 1);
                if (!ok)
                    printf("  %s %s(%.17g): got %.17g, want %.17g\n",
                           adl_vm_isa_name((adl_vm_isa)isa), fname[f], specials[i], o[i], want);
                CHECK(ok);
            }
        }
        /* the values NumPy and libm give exactly */
        double in[] = {-INFINITY, INFINITY, NAN, 0.0, -0.0, 710.0, -746.0, -740.0, 1.0};
        double r[9];
        adl_vm_f64(ADL_VM_EXP, 9, r, 1, in, 1);
        CHECK(r[0] == 0 && !signbit(r[0]));
        CHECK(r[1] == INFINITY);
        CHECK(isnan(r[2]));
        CHECK(r[3] == 1.0 && r[4] == 1.0);
        CHECK(r[5] == INFINITY);
        CHECK(r[6] == 0);
        CHECK(r[7] == exp(-740.0) && r[7] > 0 && r[7] < DBL_MIN); /* a subnormal, libm's */
        CHECK(r[8] == exp(1.0));
        adl_vm_f64(ADL_VM_LOG, 9, r, 1, in, 1);
        CHECK(isnan(r[0]));
        CHECK(r[1] == INFINITY);
        CHECK(isnan(r[2]));
        CHECK(r[3] == -INFINITY && r[4] == -INFINITY);
        CHECK(r[8] == 0 && !signbit(r[8]));
        double sub[3] = {DBL_TRUE_MIN, 0x1p-1050, -1.0}, rs[3];
        adl_vm_f64(ADL_VM_LOG, 3, rs, 1, sub, 1);
        CHECK(rs[0] == log(DBL_TRUE_MIN) && rs[1] == log(0x1p-1050));
        CHECK(isnan(rs[2]));
        adl_vm_f64(ADL_VM_TANH, 9, r, 1, in, 1);
        CHECK(r[0] == -1.0 && r[1] == 1.0);
        CHECK(isnan(r[2]));
        CHECK(r[3] == 0 && !signbit(r[3]));
        CHECK(r[4] == 0 && signbit(r[4])); /* tanh(-0) = -0 */
        CHECK(r[5] == 1.0 && r[6] == -1.0);
        double tiny[2] = {1e-300, -0x1p-1070}, rt[2];
        adl_vm_f64(ADL_VM_TANH, 2, rt, 1, tiny, 1);
        CHECK(rt[0] == 1e-300 && rt[1] == -0x1p-1070);
    }
    adl_vm_set_isa(saved);
}

/* Strided operands and float32 give the contiguous float64 values. */
TEST(vmath_strided_and_float32) {
    enum { N = 1000 };
    static double a[2 * N], o[3 * N], c[N], ac[N];
    static float a32[2 * N], o32[2 * N];
    for (int f = 0; f < ADL_VM_COUNT; f++) {
        fill_points((adl_vm_func)f, ac, N);
        for (int i = 0; i < N; i++) {
            a[2 * i] = ac[i];
            a32[2 * i] = (float)ac[i];
        }
        adl_vm_f64((adl_vm_func)f, N, c, 1, ac, 1);
        memset(o, 0, sizeof o);
        adl_vm_f64((adl_vm_func)f, N, o + 3 * N - 1, -3, a, 2); /* reversed, every third */
        int same = 1;
        for (int i = 0; i < N; i++)
            same &= ulp_diff(o[3 * N - 1 - 3 * i], c[i]) == 0;
        CHECK(same);
        /* float32: within 1 float ulp of libm's float64 value rounded */
        adl_vm_f32((adl_vm_func)f, N, o32, 2, a32, 2);
        int ok = 1;
        for (int i = 0; i < N; i++) {
            float want = (float)ref((adl_vm_func)f, (double)a32[2 * i]), got = o32[2 * i];
            if (isnan(want) ? !isnan(got)
                            : !(got == want || fabsf(got - want) <=
                                                   nextafterf(fabsf(want), INFINITY) - fabsf(want)))
                ok = 0;
            if (!isnan(want) && signbit(got) != signbit(want))
                ok = 0;
        }
        CHECK(ok);
    }
}

/* ---- max and min ---- */

static double fold_max(const double *a, int64_t n) {
    double v = a[0];
    for (int64_t i = 1; i < n; i++)
        v = (v >= a[i] || isnan(v)) ? v : a[i];
    return v;
}
static double fold_min(const double *a, int64_t n) {
    double v = a[0];
    for (int64_t i = 1; i < n; i++)
        v = (v <= a[i] || isnan(v)) ? v : a[i];
    return v;
}

/* The value (and nan-ness) of the vector loops' max/min is the ordered
 * fold's, for every length and position of a nan or an extreme. */
TEST(vmath_max_min_match_the_ordered_fold) {
    enum { N = 777 };
    static double a[N];
    static float f32[N];
    adl_vm_isa saved = adl_vm_set_isa(ADL_VM_AVX512);
    int64_t lo = adl_vm_minmax_min_len();
    for (int isa = 0; isa <= (int)saved; isa++) {
        adl_vm_set_isa((adl_vm_isa)isa);
        for (int64_t n = lo; n <= N; n += (n < lo + 70 ? 1 : 37)) {
            for (int64_t i = 0; i < n; i++)
                a[i] = urand(-100, 100);
            CHECK(adl_vm_max_f64(a, n) == fold_max(a, n));
            CHECK(adl_vm_min_f64(a, n) == fold_min(a, n));
            /* the extreme in each position class: first, a lane, the tail */
            int64_t pos[3] = {0, n / 2, n - 1};
            for (int k = 0; k < 3; k++) {
                double keep = a[pos[k]];
                a[pos[k]] = 1000;
                CHECK(adl_vm_max_f64(a, n) == 1000);
                a[pos[k]] = -1000;
                CHECK(adl_vm_min_f64(a, n) == -1000);
                a[pos[k]] = NAN;
                CHECK(isnan(adl_vm_max_f64(a, n)) && isnan(adl_vm_min_f64(a, n)));
                a[pos[k]] = keep;
            }
            for (int64_t i = 0; i < n; i++)
                f32[i] = (float)a[i];
            float m = f32[0];
            for (int64_t i = 1; i < n; i++)
                m = f32[i] > m ? f32[i] : m;
            CHECK(adl_vm_max_f32(f32, n) == m);
            f32[n - 1] = NAN;
            CHECK(isnan(adl_vm_max_f32(f32, n)) && isnan(adl_vm_min_f32(f32, n)));
            /* infinities are values, not nans */
            a[0] = INFINITY;
            a[n - 1] = -INFINITY;
            CHECK(adl_vm_max_f64(a, n) == INFINITY && adl_vm_min_f64(a, n) == -INFINITY);
            a[0] = a[n - 1] = 0;
            a[n / 2] = INFINITY; /* an infinity inside the vector loop */
            CHECK(adl_vm_max_f64(a, n) == INFINITY && adl_vm_min_f64(a, n) == fold_min(a, n));
            a[n / 3] = NAN; /* with a nan too: the nan wins */
            CHECK(isnan(adl_vm_max_f64(a, n)) && isnan(adl_vm_min_f64(a, n)));
        }
    }
    adl_vm_set_isa(saved);
}

TEST(vmath_isa_names_and_choice) {
    adl_vm_isa cur = adl_vm_get_isa();
    CHECK((unsigned)cur < ADL_VM_ISA_COUNT);
    CHECK(strcmp(adl_vm_isa_name(ADL_VM_SSE2), "sse2") == 0);
    CHECK(strcmp(adl_vm_isa_name(ADL_VM_AVX512), "avx512f") == 0);
    CHECK(strcmp(adl_vm_isa_name(ADL_VM_ISA_COUNT), "unknown") == 0);
    /* asking for more than the CPU has gives the best it has */
    adl_vm_isa best = adl_vm_set_isa(ADL_VM_AVX512);
    CHECK(best >= cur);
    CHECK(adl_vm_set_isa(ADL_VM_SSE2) == ADL_VM_SSE2);
    CHECK(adl_vm_set_isa(cur) == cur);
}
