/* test_harness.c: the harness checks itself. */
#include "harness.h"

#include <math.h>
#include <stdint.h>

TEST(near_within_tolerance) {
    CHECK(harness_near(1.0, 1.0 + 1e-13, 1e-12));
    CHECK(harness_near(-2.5, -2.5, 0.0));
    CHECK(!harness_near(1.0, 1.1, 0.05));
    CHECK(harness_near(1.0, 1.1, 0.1 + 1e-15));
}

TEST(near_special_values) {
    CHECK(harness_near(INFINITY, INFINITY, 0.0));
    CHECK(!harness_near(INFINITY, -INFINITY, 1e300));
    CHECK(harness_near(NAN, NAN, 0.0));
    CHECK(!harness_near(NAN, 0.0, 1e300));
    CHECK(!harness_near(0.0, NAN, 1e300));
}

TEST(contains) {
    CHECK(harness_contains("np.dot: shapes (3,4) and (5,6) not aligned", "not aligned"));
    CHECK(harness_contains("abc", ""));
    CHECK(!harness_contains("abc", "abd"));
    CHECK(!harness_contains(NULL, "a"));
    CHECK(!harness_contains("a", NULL));
}

TEST(checks_that_pass) {
    int64_t big = INT64_C(1) << 40;
    CHECK(1 + 1 == 2);
    CHECK_EQ_INT(big, INT64_C(1099511627776));
    CHECK_EQ_INT(-3, -3);
    CHECK_NEAR(0.1 + 0.2, 0.3, 1e-15);
    CHECK_STR_CONTAINS("add: operands could not be broadcast", "broadcast");
}

static int calls;
static int next_value(void) {
    return ++calls;
}

TEST(checks_that_fail_are_counted) {
    int n;
    harness_capture_begin();
    CHECK(1 == 2);
    CHECK_EQ_INT(1, 2);
    CHECK_NEAR(1.0, 2.0, 0.5);
    CHECK_STR_CONTAINS("abc", "x");
    CHECK_STR_CONTAINS(NULL, "x");
    n = harness_capture_end();
    CHECK_EQ_INT(n, 5);
}

TEST(arguments_are_evaluated_once) {
    calls = 0;
    CHECK_EQ_INT(next_value(), 1);
    CHECK_NEAR(next_value(), 2.0, 0.0);
    CHECK_EQ_INT(calls, 2);
}

static void require_stops(int *reached) {
    REQUIRE(0);
    *reached = 1;
}

TEST(require_ends_the_test) {
    int reached = 0;
    harness_capture_begin();
    require_stops(&reached);
    CHECK_EQ_INT(harness_capture_end(), 1);
    CHECK_EQ_INT(reached, 0);
}
