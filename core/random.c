/* random.c: xoshiro256** and the distributions of np.random (see random.h
 * and docs/random.md). */
#include "random.h"
#include "alloc.h"
#include "iter.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Fused multiply-add would change the last bits from one machine to the
 * next; GCC keeps it off in ISO C mode, clang needs telling. */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

void adl_rng_seed(adl_rng *r, uint64_t seed) {
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
    r->has_spare = 0;
    r->spare = 0.0;
}

static uint64_t rotl(uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

uint64_t adl_rng_next(adl_rng *r) {
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double adl_rng_uniform(adl_rng *r) {
    return (double)(adl_rng_next(r) >> 11) * 0x1.0p-53;
}

uint64_t adl_rng_below(adl_rng *r, uint64_t n) {
    if (n <= 1)
        return 0;
    uint64_t mask = n - 1;
    for (int sh = 1; sh < 64; sh <<= 1)
        mask |= mask >> sh;
    uint64_t v;
    do
        v = adl_rng_next(r) & mask;
    while (v >= n);
    return v;
}

double adl_det_log(double x) {
    int e;
    double m = frexp(x, &e); /* x = m 2^e, m in [0.5, 1) */
    if (m < 0.70710678118654752440) {
        m *= 2.0;
        e -= 1;
    }
    /* log m = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...), |s| < 0.172 */
    double s = (m - 1.0) / (m + 1.0), s2 = s * s, sum = 0.0;
    for (int k = 12; k >= 0; k--)
        sum = sum * s2 + 1.0 / (double)(2 * k + 1);
    return 2.0 * s * sum + (double)e * 0.69314718055994530942;
}

double adl_rng_normal(adl_rng *r) {
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    double u, v, q;
    do {
        u = 2.0 * adl_rng_uniform(r) - 1.0;
        v = 2.0 * adl_rng_uniform(r) - 1.0;
        q = u * u + v * v;
    } while (q >= 1.0 || q == 0.0);
    double f = sqrt(-2.0 * adl_det_log(q) / q); /* sqrt is correctly rounded */
    r->spare = v * f;
    r->has_spare = 1;
    return u * f;
}

void adl_rng_permutation(adl_rng *r, int64_t n, int64_t *perm) {
    for (int64_t i = 0; i < n; i++)
        perm[i] = i;
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)adl_rng_below(r, (uint64_t)i + 1);
        int64_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
}

adl_status adl_k_random_uniform(adl_ctx *ctx, adl_rng *r, int ndim, const int64_t *shape,
                                adl_array **out) {
    adl_array *a = adl_array_alloc(ctx, "random.rand", ADL_FLOAT64, ndim, shape);
    if (!a)
        return ctx->status;
    double *p = adl_f64(a);
    for (int64_t i = 0; i < a->size; i++)
        p[i] = adl_rng_uniform(r);
    *out = a;
    return ADL_OK;
}

adl_status adl_k_random_normal(adl_ctx *ctx, adl_rng *r, int ndim, const int64_t *shape,
                               adl_array **out) {
    adl_array *a = adl_array_alloc(ctx, "random.randn", ADL_FLOAT64, ndim, shape);
    if (!a)
        return ctx->status;
    double *p = adl_f64(a);
    for (int64_t i = 0; i < a->size; i++)
        p[i] = adl_rng_normal(r);
    *out = a;
    return ADL_OK;
}

#define EXACT_LIMIT 9007199254740992.0 /* 2^53: doubles hold every whole number up to it */

adl_status adl_k_random_integers(adl_ctx *ctx, adl_rng *r, double low, double high, int ndim,
                                 const int64_t *shape, adl_array **out) {
    if (!(low == floor(low)) || !(high == floor(high)) || fabs(low) > EXACT_LIMIT ||
        fabs(high) > EXACT_LIMIT)
        return adl_error(ctx, ADL_ERR_VALUE,
                         "random.randint: low and high must be whole numbers within +-2^53");
    if (!(low < high))
        return adl_error(ctx, ADL_ERR_VALUE, "random.randint: low >= high (%.17g >= %.17g)", low,
                         high);
    if (high - low > EXACT_LIMIT)
        return adl_error(ctx, ADL_ERR_VALUE, "random.randint: high - low must be at most 2^53");
    adl_array *a = adl_array_alloc(ctx, "random.randint", ADL_FLOAT64, ndim, shape);
    if (!a)
        return ctx->status;
    double *p = adl_f64(a);
    uint64_t n = (uint64_t)(high - low);
    for (int64_t i = 0; i < a->size; i++)
        p[i] = low + (double)adl_rng_below(r, n);
    *out = a;
    return ADL_OK;
}

adl_status adl_k_random_permutation(adl_ctx *ctx, adl_rng *r, int64_t n, adl_array **out) {
    adl_array *a = adl_array_alloc(ctx, "random.permutation", ADL_FLOAT64, 1, &n);
    int64_t *perm = a ? adl_malloc(sizeof(int64_t) * (size_t)(n ? n : 1)) : NULL;
    if (!perm) {
        adl_array_release(a);
        return a ? adl_error_nomem(ctx, "random.permutation") : ctx->status;
    }
    adl_rng_permutation(r, n, perm);
    double *p = adl_f64(a);
    for (int64_t i = 0; i < n; i++)
        p[i] = (double)perm[i] + 1.0;
    adl_free(perm);
    *out = a;
    return ADL_OK;
}

adl_status adl_k_random_shuffled(adl_ctx *ctx, adl_rng *r, const adl_array *a, adl_array **out) {
    if (a->ndim == 0)
        return adl_error(ctx, ADL_ERR_VALUE, "random.shuffle: a 0-d array cannot be shuffled");
    adl_array *c;
    adl_status st = adl_k_copy(ctx, a, &c);
    if (st)
        return st;
    int64_t n = c->shape[0], row = n ? c->size / n : 0;
    adl_array *res = adl_array_alloc(ctx, "random.shuffle", c->dtype, c->ndim, c->shape);
    int64_t *perm = adl_malloc(sizeof(int64_t) * (size_t)(n ? n : 1));
    if (!res || !perm) {
        adl_array_release(c);
        adl_array_release(res);
        adl_free(perm);
        return res ? adl_error_nomem(ctx, "random.shuffle") : ctx->status;
    }
    adl_rng_permutation(r, n, perm);
    size_t bytes = (size_t)row * adl_dtype_size(c->dtype);
    char *dst = (char *)adl_first_elem(res), *src = (char *)adl_first_elem(c);
    for (int64_t i = 0; i < n; i++)
        memcpy(dst + (size_t)i * bytes, src + (size_t)perm[i] * bytes, bytes);
    adl_free(perm);
    adl_array_release(c);
    *out = res;
    return ADL_OK;
}
