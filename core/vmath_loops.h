/* vmath_loops.h: the loops of vmath.c, compiled once per instruction set.
 *
 * vmath.c includes this file once per instruction set, with VM_ISA (the
 * suffix of the functions), VM_TARGET (a function attribute choosing the
 * instruction set) and VM_FMA(a, b, c) (a * b + c, fused) defined.  Every loop is branch-free so
 * that GCC and clang vectorise it at -O3: the value of each element goes through range reduction
 * and a polynomial, with 2^k and the exponent taken from the bits (as_u64/as_f64, memcpy that
 * compiles to nothing).  An element outside the range a loop handles is computed on a harmless
 * stand-in and flagged; the loop returns whether any was, and vmath.c recomputes those with libm.
 * The arrays must not overlap.  The max/min loops fold a contiguous run
 * into several running results (several vectors), which vectorises. */

#define VM_CAT2(a, b) a##_##b
#define VM_CAT(a, b)  VM_CAT2(a, b)
#define VM_FN(name)   VM_CAT(name, VM_ISA)

/* e^r - 1 for |r| <= 0.35: Taylor to r^13 (the next term is below 4e-18),
 * as r + r^2 q(r), q = 1/2 + r (1/6 + ...), so that the leading term is
 * exact. */
static inline double VM_FN(expm1_q)(double r) {
    double q = VM_FMA(r, 0x1.6124613a86d09p-33, 0x1.1eed8eff8d898p-29); /* 1/13!, 1/12! */
    q = VM_FMA(r, q, 0x1.ae64567f544e4p-26);                            /* 1/11! */
    q = VM_FMA(r, q, 0x1.27e4fb7789f5cp-22);                            /* 1/10! */
    q = VM_FMA(r, q, 0x1.71de3a556c734p-19);                            /* 1/9! */
    q = VM_FMA(r, q, 0x1.a01a01a01a01ap-16);                            /* 1/8! */
    q = VM_FMA(r, q, 0x1.a01a01a01a01ap-13);                            /* 1/7! */
    q = VM_FMA(r, q, 0x1.6c16c16c16c17p-10);                            /* 1/6! */
    q = VM_FMA(r, q, 0x1.1111111111111p-7);                             /* 1/5! */
    q = VM_FMA(r, q, 0x1.5555555555555p-5);                             /* 1/4! */
    q = VM_FMA(r, q, 0x1.5555555555555p-3);                             /* 1/3! */
    return VM_FMA(r, q, 0.5);
}
static inline double VM_FN(expm1_poly)(double r) {
    return VM_FMA(r * r, VM_FN(expm1_q)(r), r);
}

/* x = k ln2 + r with |r| <= ln2/2 (and a little): returns r, sets *kd to k
 * (a double) and *ki to bits whose low 12 are k (two's complement).  k is
 * rounded by adding 1.5 * 2^52 (valid for |x| < 2^51 ln2). */
static inline double VM_FN(reduce_ln2)(double x, double *kd, uint64_t *ki) {
    double z = VM_FMA(x, VM_INV_LN2, VM_SHIFT);
    *ki = as_u64(z);
    double k = z - VM_SHIFT;
    *kd = k;
    /* ln2 in two parts; k * VM_LN2_HI is exact for |k| < 2^20 */
    return VM_FMA(-k, VM_LN2_LO, VM_FMA(-k, VM_LN2_HI, x));
}

/* e^x for |x| <= 708 (a normal result); others flagged.  e^r = 1 + r + r^2 q
 * is summed in two parts, 1 + r_hi exactly (hi + lo), then the small terms
 * (-k ln2_lo, r^2 q) into lo: one rounding at the end, so most results are
 * libm's to the bit (exp(1) among them). */
VM_TARGET static int VM_FN(exp_loop)(int64_t n, double *restrict o, const double *restrict a) {
    int64_t bad = 0; /* as wide as a double */
    for (int64_t i = 0; i < n; i++) {
        double x = a[i];
        int64_t out = !(fabs(x) <= VM_EXP_MAX); /* nan too */
        bad |= out;
        x = out ? 0.0 : x;
        double z = VM_FMA(x, VM_INV_LN2, VM_SHIFT);
        uint64_t ki = as_u64(z);
        double k = z - VM_SHIFT;
        double r_hi = VM_FMA(-k, VM_LN2_HI, x); /* exact: k * VM_LN2_HI is */
        double c = -k * VM_LN2_LO, r = r_hi + c;
        double tail = VM_FMA(r * r, VM_FN(expm1_q)(r), c); /* r^2 q - k ln2_lo, small */
        double hi = 1.0 + r_hi, lo = (1.0 - hi) + r_hi;
        double scale = as_f64((ki + 1023) << 52); /* 2^k, k in [-1022, 1022] */
        o[i] = scale * (hi + (lo + tail));
    }
    return bad != 0;
}

/* log x for normal positive finite x; zero, negative, subnormal, infinite
 * and nan x flagged.  fdlibm's method (e_log.c): x = 2^k m with m in
 * [sqrt(2)/2, sqrt(2)), f = m - 1, s = f / (2 + f), log(1 + f) = 2 atanh(s)
 * = f - (f^2/2 - s (f^2/2 + R(s^2))). */
VM_TARGET static int VM_FN(log_loop)(int64_t n, double *restrict o, const double *restrict a) {
    int64_t bad = 0; /* as wide as a double */
    for (int64_t i = 0; i < n; i++) {
        double x = a[i];
        int64_t out = !((x >= VM_DBL_MIN) & (x <= VM_DBL_MAX));
        bad |= out;
        x = out ? 1.0 : x;
        uint64_t u = as_u64(x), t = u - VM_SQRT_HALF_BITS;
        /* k = t >> 52 as a signed number, offset by 2048 to stay unsigned,
         * turned into a double through the bits of 2^52 + (k + 2048) */
        uint64_t kb = (t + VM_SIGN_BIT) >> 52;
        double kd = as_f64(VM_TWO52_BITS | kb) - (0x1p52 + 2048.0);
        double f = as_f64(u - (t & VM_EXP_MASK)) - 1.0; /* m - 1, exact */
        double s = f / (2.0 + f), z = s * s, w = z * z;
        double t1 = w * VM_FMA(w, VM_FMA(w, VM_LG6, VM_LG4), VM_LG2);
        double t2 = z * VM_FMA(w, VM_FMA(w, VM_FMA(w, VM_LG7, VM_LG5), VM_LG3), VM_LG1);
        double hfsq = 0.5 * f * f, rr = t1 + t2;
        o[i] = kd * VM_LN2_HI - ((hfsq - (s * (hfsq + rr) + kd * VM_LN2_LO)) - f);
    }
    return bad != 0;
}

/* tanh x, as glibc's s_tanh.c: with t = expm1(-2|x|) for |x| < 1,
 * -t / (t + 2); with t = expm1(2|x|) above, 1 - 2 / (t + 2); |x| is capped at
 * 22, where tanh rounds to 1.  Only nan is flagged.  Below 1 the quotient's
 * rounding errors would add up to 3 ulp; there t is kept in two parts
 * (t_hi + t_lo, exact from scale * p + (scale - 1)) and the quotient is
 * corrected by one step of its residual. */
VM_TARGET static int VM_FN(tanh_loop)(int64_t n, double *restrict o, const double *restrict a) {
    int64_t bad = 0; /* as wide as a double */
    for (int64_t i = 0; i < n; i++) {
        double x = a[i];
        int64_t out = x != x;
        bad |= out;
        double ax = fabs(x);
        ax = ax < 22.0 ? ax : 22.0; /* nan too */
        int64_t small = ax < 1.0;
        double y = small ? -2.0 * ax : 2.0 * ax;
        double kd;
        uint64_t ki;
        double r = VM_FN(reduce_ln2)(y, &kd, &ki);
        double p = VM_FN(expm1_poly)(r);
        double scale = as_f64((ki + 1023) << 52); /* 2^k, k in [-3, 64] */
        /* t = expm1(y) = sp + sm, both exact (sm for k <= 53), summed in two parts */
        double sp = scale * p, sm = scale - 1.0;
        double t_hi = sp + sm, bb = t_hi - sp, t_lo = (sp - (t_hi - bb)) + (sm - bb);
        /* d = t + 2 in two parts (|t| < 2 when small) */
        double d_hi = t_hi + 2.0, d_lo = ((2.0 - d_hi) + t_hi) + t_lo;
        double num = small ? -t_hi : 2.0, inv = 1.0 / d_hi, q = num * inv;
        /* residual num - q d, of which the fused part is nearly exact */
        double res = VM_FMA(-q, d_hi, num) - (small ? t_lo : 0.0) - q * d_lo;
        q = VM_FMA(res, inv, q);
        double z = small ? q : 1.0 - q;
        o[i] = as_f64(as_u64(fabs(z)) | (as_u64(x) & VM_SIGN_BIT)); /* tanh(-0) = -0 */
    }
    return bad != 0;
}

/* The max or min of a[0..n) (n >= 2 * lanes): `lanes` running results of
 * STEP (x > r ? x : r, which is one maxpd), whose latency is the loop's
 * only chain.  STEP would drop a nan, so the loop also sums the values
 * (one addpd a vector, cheaper than testing x != x into a flag): a nan
 * anywhere makes the sum nan (so do infinities of both signs, and an
 * overflow meeting one: harmless false alarms).  When the sum is nan, the
 * plain loop runs again in order, so nans get exactly its result.  Which
 * nan, and which of -0 and +0 when they tie, depend on the order: reduce.c
 * decides those. */
#define VM_MINMAX_LOOP(NAME, T, LANES, STEP, OF)                     \
    VM_TARGET static T VM_FN(NAME)(const T *restrict a, int64_t n) { \
        T r[LANES], z[LANES];                                        \
        for (int j = 0; j < LANES; j++) {                            \
            r[j] = a[j];                                             \
            z[j] = a[j];                                             \
        }                                                            \
        int64_t i = LANES;                                           \
        for (; i + LANES <= n; i += LANES)                           \
            for (int j = 0; j < LANES; j++) {                        \
                T x = a[i + j];                                      \
                r[j] = STEP(x, r[j]);                                \
                z[j] += x;                                           \
            }                                                        \
        T v = r[0], zs = 0;                                          \
        for (int j = 0; j < LANES; j++) {                            \
            v = OF(v, r[j]);                                         \
            zs += z[j];                                              \
        }                                                            \
        for (; i < n; i++) {                                         \
            v = OF(v, a[i]);                                         \
            zs += a[i];                                              \
        }                                                            \
        if (zs != zs) { /* a nan somewhere (or a false alarm) */     \
            v = a[0];                                                \
            for (i = 1; i < n; i++)                                  \
                v = OF(v, a[i]);                                     \
        }                                                            \
        return v;                                                    \
    }
#define VM_MAX_STEP(x, r) ((x) > (r) ? (x) : (r))
#define VM_MIN_STEP(x, r) ((x) < (r) ? (x) : (r))
VM_MINMAX_LOOP(max_f64, double, VM_LANES_F64, VM_MAX_STEP, VM_MAX_OF)
VM_MINMAX_LOOP(min_f64, double, VM_LANES_F64, VM_MIN_STEP, VM_MIN_OF)
VM_MINMAX_LOOP(max_f32, float, VM_LANES_F32, VM_MAX_STEP, VM_MAX_OF)
VM_MINMAX_LOOP(min_f32, float, VM_LANES_F32, VM_MIN_STEP, VM_MIN_OF)
#undef VM_MINMAX_LOOP
#undef VM_MAX_STEP
#undef VM_MIN_STEP

#undef VM_CAT2
#undef VM_CAT
#undef VM_FN
