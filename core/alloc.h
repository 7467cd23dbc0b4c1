/* alloc.h: the one place the core gets memory from (no Lua here).
 *
 * Every malloc/calloc/realloc/free of core/ goes through
 * these, so that tests can make the Nth allocation fail and count what a
 * piece of work left allocated.  The fast path is the C library's function
 * behind a single, almost never taken, branch. */
#ifndef ADL_ALLOC_H
#define ADL_ALLOC_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* Nonzero while failure injection or tracking is on (see below); plain
 * global, not thread-local: a test facility for single-threaded tests. */
extern int adl_alloc_debug;

void *adl_alloc_slow(size_t n, int zero);
void *adl_realloc_slow(void *p, size_t n);
void adl_free_slow(void *p);

static inline void *adl_malloc(size_t n) {
    if (__builtin_expect(adl_alloc_debug, 0))
        return adl_alloc_slow(n, 0);
    return malloc(n);
}

static inline void *adl_calloc(size_t count, size_t size) {
    if (__builtin_expect(adl_alloc_debug, 0)) {
        if (size && count > SIZE_MAX / size)
            return NULL;
        return adl_alloc_slow(count * size, 1);
    }
    return calloc(count, size);
}

static inline void *adl_realloc(void *p, size_t n) {
    if (__builtin_expect(adl_alloc_debug, 0))
        return adl_realloc_slow(p, n);
    return realloc(p, n);
}

static inline void adl_free(void *p) {
    if (__builtin_expect(adl_alloc_debug, 0)) {
        adl_free_slow(p);
        return;
    }
    free(p);
}

/* Failure injection: the nth allocation from now (1: the next one) and,
 * when `every`, each one after it, returns NULL.  n <= 0 turns it off. */
void adl_alloc_fail_at(int64_t n, int every);
/* Allocations attempted while injection or tracking was on, since the
 * last adl_alloc_fail_at or adl_alloc_track call (a failed one counts). */
int64_t adl_alloc_count(void);

/* Tracking: while on, remembers every block allocated, and forgets it when
 * freed; adl_alloc_outstanding() is the number still allocated, so a piece
 * of work run while tracking must bring it back to zero.  Turning tracking
 * on resets the count; off forgets everything. */
void adl_alloc_track(int on);
int64_t adl_alloc_outstanding(void);

#endif
