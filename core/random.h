/* random.h: the random number generator of np.random (random.c).
 *
 * xoshiro256** (Blackman and Vigna, 2018), its 256-bit state filled from the
 * seed by splitmix64, as its authors recommend.  Every number is computed
 * with integer operations and correctly rounded IEEE double arithmetic only
 * (a logarithm of our own instead of libm's, no fused multiply-add), so a
 * seed gives the same sequence on every machine.  docs/random.md tells the
 * exact algorithms. */
#ifndef ADL_RANDOM_H
#define ADL_RANDOM_H

#include "adl_core.h"

typedef struct adl_rng {
    uint64_t s[4];
    int has_spare; /* the polar method makes normals in pairs */
    double spare;
} adl_rng;

void adl_rng_seed(adl_rng *r, uint64_t seed);
uint64_t adl_rng_next(adl_rng *r);
/* [0, 1) with 53 random bits: (next >> 11) * 2^-53. */
double adl_rng_uniform(adl_rng *r);
/* Standard normal (Marsaglia's polar method). */
double adl_rng_normal(adl_rng *r);
/* Uniform on 0 .. n-1 (n >= 1), unbiased: rejection of masked draws. */
uint64_t adl_rng_below(adl_rng *r, uint64_t n);
/* perm[0..n-1] = a permutation of 0..n-1 (Fisher-Yates from the end). */
void adl_rng_permutation(adl_rng *r, int64_t n, int64_t *perm);
/* The natural logarithm of a positive finite x, in plain arithmetic (within
 * 2 ulp; the same bits everywhere). */
double adl_det_log(double x);

/* New float64 arrays of the given shape. */
adl_status adl_k_random_uniform(adl_ctx *ctx, adl_rng *r, int ndim, const int64_t *shape,
                                adl_array **out);
adl_status adl_k_random_normal(adl_ctx *ctx, adl_rng *r, int ndim, const int64_t *shape,
                               adl_array **out);
/* Whole numbers in [low, high) (high - low <= 2^53). */
adl_status adl_k_random_integers(adl_ctx *ctx, adl_rng *r, double low, double high, int ndim,
                                 const int64_t *shape, adl_array **out);
/* 1..n in a random order: perm + 1 of adl_rng_permutation. */
adl_status adl_k_random_permutation(adl_ctx *ctx, adl_rng *r, int64_t n, adl_array **out);
/* A copy of a with its slices along axis 1 in a random order (the order a
 * table of as many elements would get from the same draws). */
adl_status adl_k_random_shuffled(adl_ctx *ctx, adl_rng *r, const adl_array *a, adl_array **out);

#endif
