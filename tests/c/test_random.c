/* test_random.c: the generator of np.random against the reference
 * implementation in scripts/gen_np_fixtures.py (values in
 * tests/fixtures/random_ref.lua), and the properties of its parts. */
#include "random.h"
#include "test_util.h"

#include <math.h>
#include <stdlib.h>

TEST(xoshiro_reference_values) {
    adl_rng r;
    adl_rng_seed(&r, 42);
    static const uint64_t want[4] = {0x15780b2e0c2ec716u, 0x6104d9866d113a7eu, 0xae17533239e499a1u,
                                     0xecb8ad4703b360a1u};
    for (int i = 0; i < 4; i++)
        CHECK(adl_rng_next(&r) == want[i]);
    adl_rng_seed(&r, 42);
    CHECK(adl_rng_uniform(&r) == 0.08386297105988216);
}

TEST(det_log_matches_libm) {
    uint64_t st = 1;
    double worst = 0;
    for (int i = 0; i < 20000; i++) {
        double x = ldexp(0.5 + 0.5 * fabs(t_rand(&st)), (int)(t_rand(&st) * 60));
        double e = fabs(adl_det_log(x) - log(x)) / fmax(fabs(log(x)), 1e-300);
        if (x != 1.0 && e > worst)
            worst = e;
    }
    CHECK(worst < 4.5e-16); /* about 2 ulp */
    CHECK(adl_det_log(1.0) == 0.0);
    CHECK_NEAR(adl_det_log(0x1p-1074), -744.4400719213812, 1e-12);
}

TEST(below_is_in_range_and_covers_it) {
    adl_rng r;
    adl_rng_seed(&r, 7);
    int seen[7] = {0};
    for (int i = 0; i < 700; i++) {
        uint64_t v = adl_rng_below(&r, 7);
        REQUIRE(v < 7);
        seen[v]++;
    }
    for (int i = 0; i < 7; i++)
        CHECK(seen[i] > 50);
    CHECK(adl_rng_below(&r, 1) == 0);
}

TEST(permutation_is_a_permutation) {
    adl_rng r;
    adl_rng_seed(&r, 5);
    int64_t p[10];
    adl_rng_permutation(&r, 10, p);
    static const int64_t want[10] = {9, 7, 5, 4, 3, 8, 1, 2, 6, 10}; /* 1-based, reference */
    int seen[10] = {0};
    for (int i = 0; i < 10; i++) {
        REQUIRE(p[i] >= 0 && p[i] < 10);
        seen[p[i]]++;
        CHECK_EQ_INT(p[i] + 1, want[i]);
    }
    for (int i = 0; i < 10; i++)
        CHECK_EQ_INT(seen[i], 1);
}

TEST(normal_moments) {
    adl_rng r;
    adl_rng_seed(&r, 11);
    double s = 0, s2 = 0;
    int n = 20000;
    for (int i = 0; i < n; i++) {
        double z = adl_rng_normal(&r);
        s += z;
        s2 += z * z;
    }
    CHECK(fabs(s / n) < 0.03);
    CHECK(fabs(s2 / n - 1) < 0.05);
}

TEST(random_integers_errors) {
    LIVE_BEGIN;
    adl_ctx ctx;
    adl_ctx_init(&ctx);
    adl_rng r;
    adl_rng_seed(&r, 0);
    adl_array *a = NULL;
    int64_t n = 3;
    CHECK(adl_k_random_integers(&ctx, &r, 2, 2, 1, &n, &a) == ADL_ERR_VALUE);
    CHECK_STR_CONTAINS(ctx.msg, "low >= high");
    CHECK(adl_k_random_integers(&ctx, &r, 0.5, 2, 1, &n, &a) == ADL_ERR_VALUE);
    CHECK(adl_k_random_integers(&ctx, &r, -1e300, 2, 1, &n, &a) == ADL_ERR_VALUE);
    LIVE_END;
}
