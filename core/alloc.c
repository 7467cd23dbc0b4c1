/* alloc.c: failure injection and tracking behind the core's allocator
 * (alloc.h).  Only the slow path lives here: it runs while a test has
 * turned injection or tracking on. */
#include "alloc.h"

#include <string.h>

int adl_alloc_debug;

static int64_t fail_countdown; /* > 0: that many more allocations, the last one fails */
static int fail_every;         /* after the failure, fail all the others too */
static int failing;            /* the countdown reached zero with fail_every */
static int64_t attempts;

/* Tracking: an open-addressing set of the blocks allocated while on
 * (linear probing; TOMB marks a freed slot). */
static int tracking;
static void **slots;
static size_t nslots, nused, nlive; /* nused counts live entries and tombstones */
#define TOMB ((void *)1)

static size_t slot_of(const void *p) {
    uintptr_t h = (uintptr_t)p;
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    return (size_t)h & (nslots - 1);
}

static int set_grow(void) {
    size_t n = nslots ? nslots * 2 : 1024;
    if (nlive * 4 < nslots)
        n = nslots; /* mostly tombstones: rebuild at the same size */
    void **old = slots;
    size_t nold = nslots;
    slots = calloc(n, sizeof *slots);
    if (!slots) {
        slots = old;
        return 0;
    }
    nslots = n;
    nused = nlive = 0;
    for (size_t i = 0; i < nold; i++)
        if (old[i] && old[i] != TOMB) {
            size_t j = slot_of(old[i]);
            while (slots[j])
                j = (j + 1) & (nslots - 1);
            slots[j] = old[i];
            nused++;
            nlive++;
        }
    free(old);
    return 1;
}

static void set_add(void *p) {
    if ((nused + 1) * 2 > nslots && !set_grow())
        return; /* out of memory for the bookkeeping: the count undercounts */
    size_t j = slot_of(p);
    while (slots[j] && slots[j] != TOMB)
        j = (j + 1) & (nslots - 1);
    if (!slots[j])
        nused++;
    slots[j] = p;
    nlive++;
}

/* Whether p was there. */
static int set_remove(void *p) {
    if (!nslots)
        return 0;
    for (size_t j = slot_of(p); slots[j]; j = (j + 1) & (nslots - 1))
        if (slots[j] == p) {
            slots[j] = TOMB;
            nlive--;
            return 1;
        }
    return 0;
}

static void set_clear(void) {
    free(slots);
    slots = NULL;
    nslots = nused = nlive = 0;
}

static void update_debug(void) {
    adl_alloc_debug = tracking || fail_countdown > 0 || failing;
}

/* Whether this allocation is the one (or one of those) made to fail. */
static int should_fail(void) {
    attempts++;
    if (failing)
        return 1;
    if (fail_countdown > 0 && --fail_countdown == 0) {
        failing = fail_every;
        update_debug();
        return 1;
    }
    return 0;
}

void *adl_alloc_slow(size_t n, int zero) {
    if (should_fail())
        return NULL;
    void *p = zero ? calloc(1, n) : malloc(n);
    if (p && tracking)
        set_add(p);
    return p;
}

void *adl_realloc_slow(void *p, size_t n) {
    if (should_fail())
        return NULL; /* as realloc: p is untouched */
    int tracked = p && tracking && set_remove(p);
    void *q = realloc(p, n);
    /* a block from before tracking stays untracked; on failure p stays */
    if (tracking && (q ? (tracked || !p) : tracked))
        set_add(q ? q : p);
    return q;
}

void adl_free_slow(void *p) {
    if (p && tracking)
        set_remove(p);
    free(p);
}

void adl_alloc_fail_at(int64_t n, int every) {
    fail_countdown = n > 0 ? n : 0;
    fail_every = every;
    failing = 0;
    attempts = 0;
    update_debug();
}

int64_t adl_alloc_count(void) {
    return attempts;
}

void adl_alloc_track(int on) {
    set_clear();
    tracking = on;
    attempts = 0;
    update_debug();
}

int64_t adl_alloc_outstanding(void) {
    return (int64_t)nlive;
}
