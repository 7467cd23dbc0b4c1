/* harness.h: a tiny unit-test framework for the C core.
 *
 *   #include "harness.h"
 *
 *   TEST(broadcast_shapes) {
 *       CHECK(x != NULL);
 *       CHECK_EQ_INT(ndim, 2);
 *       CHECK_NEAR(sum, 6.0, 1e-12);
 *       CHECK_STR_CONTAINS(msg, "could not be broadcast");
 *       REQUIRE(a != NULL);  // a failed REQUIRE ends the test at once
 *   }
 *
 * Tests register themselves before main (a constructor per TEST) and run in
 * file and line order; tests/c/main.c runs them. A failed check prints
 * file:line and the expression, and the test goes on to its end.
 * Test names are unique within a file. */
#ifndef ADLUA_TEST_HARNESS_H
#define ADLUA_TEST_HARNESS_H

#include <stddef.h>

struct harness_test {
    const char *name;
    const char *file;
    int line;
    void (*fn)(void);
    struct harness_test *next;
};

void harness_register(struct harness_test *t);
void harness_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* |a - b| <= tol; equal infinities are near, and so are two NaNs. */
int harness_near(double a, double b, double tol);
/* s contains sub; a NULL s or sub contains nothing. */
int harness_contains(const char *s, const char *sub);

/* For testing the harness: between begin and end, failed checks are counted
 * and not reported; end returns their number. */
void harness_capture_begin(void);
int harness_capture_end(void);

#define TEST(name)                                                                                \
    static void test_##name(void);                                                                \
    static struct harness_test harness_test_##name = {#name, __FILE__, __LINE__, test_##name, 0}; \
    __attribute__((constructor)) static void harness_register_##name(void) {                      \
        harness_register(&harness_test_##name);                                                   \
    }                                                                                             \
    static void test_##name(void)

#define CHECK(cond)                                               \
    do {                                                          \
        if (!(cond))                                              \
            harness_fail(__FILE__, __LINE__, "CHECK(%s)", #cond); \
    } while (0)

#define REQUIRE(cond)                                               \
    do {                                                            \
        if (!(cond)) {                                              \
            harness_fail(__FILE__, __LINE__, "REQUIRE(%s)", #cond); \
            return;                                                 \
        }                                                           \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                 \
    do {                                                                                   \
        long long harness_a_ = (long long)(a), harness_b_ = (long long)(b);                \
        if (harness_a_ != harness_b_)                                                      \
            harness_fail(__FILE__, __LINE__, "CHECK_EQ_INT(%s, %s): %lld != %lld", #a, #b, \
                         harness_a_, harness_b_);                                          \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                                  \
    do {                                                                                       \
        double harness_a_ = (double)(a), harness_b_ = (double)(b), harness_t_ = (double)(tol); \
        if (!harness_near(harness_a_, harness_b_, harness_t_))                                 \
            harness_fail(__FILE__, __LINE__, "CHECK_NEAR(%s, %s, %s): %.17g vs %.17g", #a, #b, \
                         #tol, harness_a_, harness_b_);                                        \
    } while (0)

#define CHECK_STR_CONTAINS(s, sub)                                                              \
    do {                                                                                        \
        const char *harness_s_ = (s), *harness_sub_ = (sub);                                    \
        if (!harness_contains(harness_s_, harness_sub_))                                        \
            harness_fail(__FILE__, __LINE__, "CHECK_STR_CONTAINS(%s, %s): \"%s\" lacks \"%s\"", \
                         #s, #sub, harness_s_ ? harness_s_ : "(null)",                          \
                         harness_sub_ ? harness_sub_ : "(null)");                               \
    } while (0)

#endif
