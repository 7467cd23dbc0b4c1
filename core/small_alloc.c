/* small_alloc.c: size-class slabs for a Lua state's small blocks (see
 * small_alloc.h).
 *
 * A slab is SLAB_BYTES, aligned to its size, so a block finds its slab by
 * masking its address.  It serves one class (a multiple of CLASS_BYTES)
 * and hands out its freed blocks first, last freed first, then room never
 * used.  Each class keeps a list of its slabs with a free block, the one
 * that last had a block freed at the front; a full slab leaves the list
 * and comes back on its next free. */
#include "small_alloc.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CLASS_BYTES 16 /* and the blocks' alignment, as malloc's */
#define NCLASSES    (ADL_SMALL_MAX / CLASS_BYTES)
#define SLAB_BYTES  ((size_t)32 << 10)
/* Empty slabs kept for the next burst, up to 32 MB. Giving them back to
 * malloc sooner fragmented its heap, which the program never trims
 * (lua_main.c): a slab must be aligned to its size, so a new one rarely
 * fits the hole a freed one left, and a long run's resident size crept up
 * (the vector model of tests/long/iris_rss.lua: 12-21% over 90,000 steps
 * with 8 kept, flat with these). */
#define KEEP_EMPTY 1024

_Static_assert(ADL_SMALL_MAX % CLASS_BYTES == 0, "classes cover the small sizes");

typedef struct free_block {
    struct free_block *next;
} free_block;

typedef struct slab {
    free_block *free;         /* blocks freed since they were handed out */
    char *bump, *end;         /* room never handed out */
    struct slab *next, *prev; /* its class's slabs with room (next: the kept empty ones) */
    uint32_t live;            /* blocks handed out and not freed */
    uint16_t cls;             /* blocks of cls * CLASS_BYTES */
    uint8_t listed;           /* in its class's list */
} slab;

#define HEADER_BYTES ((sizeof(slab) + CLASS_BYTES - 1) / CLASS_BYTES * CLASS_BYTES)

struct adl_small_alloc {
    slab *room[NCLASSES + 1]; /* by class (1..NCLASSES) */
    slab *empty;              /* kept empty slabs */
    int nempty;
    size_t nslabs;     /* in use or kept */
    void *first_big;   /* the first block over ADL_SMALL_MAX: the state's own */
    int big_seen;      /* first_big was set (it stays NULL if that block shrank) */
    int go_with_state; /* delete this allocator when first_big is freed */
};

static atomic_long live_allocators; /* for tests: every new one deleted? */

static unsigned class_of(size_t n) {
    return (unsigned)((n + CLASS_BYTES - 1) / CLASS_BYTES);
}

static slab *slab_of(void *p) {
    return (slab *)((uintptr_t)p & ~(uintptr_t)(SLAB_BYTES - 1));
}

static void link_front(adl_small_alloc *A, slab *s) {
    slab **head = &A->room[s->cls];
    s->prev = NULL;
    s->next = *head;
    if (*head)
        (*head)->prev = s;
    *head = s;
    s->listed = 1;
}

static void unlink_slab(adl_small_alloc *A, slab *s) {
    if (s->prev)
        s->prev->next = s->next;
    else
        A->room[s->cls] = s->next;
    if (s->next)
        s->next->prev = s->prev;
    s->listed = 0;
}

static slab *slab_new(adl_small_alloc *A, unsigned cls) {
    slab *s = A->empty;
    if (s) {
        A->empty = s->next;
        A->nempty--;
    } else {
        s = aligned_alloc(SLAB_BYTES, SLAB_BYTES);
        if (!s)
            return NULL;
        A->nslabs++;
    }
    s->free = NULL;
    s->bump = (char *)s + HEADER_BYTES;
    s->end = (char *)s + SLAB_BYTES;
    s->live = 0;
    s->cls = (uint16_t)cls;
    link_front(A, s);
    return s;
}

/* An empty slab that is not its class's only one with room: kept for the
 * next burst, or given back. */
static void retire(adl_small_alloc *A, slab *s) {
    unlink_slab(A, s);
    if (A->nempty < KEEP_EMPTY) {
        s->next = A->empty;
        A->empty = s;
        A->nempty++;
    } else {
        free(s);
        A->nslabs--;
    }
}

/* Whether s can hand out no further block of `bytes`: it then leaves its
 * class's list until a block comes back. */
static int full(const slab *s, size_t bytes) {
    return !s->free && (size_t)(s->end - s->bump) < bytes;
}

/* take's other cases: never-used room, or a new slab.  Out of line, as
 * every rare path here: the common pop and push then save no registers. */
static __attribute__((noinline)) void *take_room(adl_small_alloc *A, unsigned cls) {
    slab *s = A->room[cls];
    if (!s && !(s = slab_new(A, cls)))
        return NULL;
    size_t bytes = (size_t)cls * CLASS_BYTES;
    void *p = s->bump;
    s->bump += bytes;
    s->live++;
    if (full(s, bytes))
        unlink_slab(A, s);
    return p;
}

/* The common cases inline (a pop and a push): these run for every Lua
 * object made and collected. */
static inline void *take(adl_small_alloc *A, unsigned cls) {
    slab *s = A->room[cls];
    free_block *b = s ? s->free : NULL;
    if (__builtin_expect(b == NULL, 0))
        return take_room(A, cls);
    s->free = b->next;
    s->live++;
    if (full(s, (size_t)cls * CLASS_BYTES))
        unlink_slab(A, s);
    return b;
}

/* give's other cases: a full slab has room again, or an empty one goes. */
static __attribute__((noinline)) void give_rare(adl_small_alloc *A, slab *s) {
    if (!s->listed)
        link_front(A, s);
    else if (s->live == 0 && (s->prev || s->next))
        retire(A, s);
}

static inline void give(adl_small_alloc *A, void *p) {
    slab *s = slab_of(p);
    free_block *b = p;
    b->next = s->free;
    s->free = b;
    if (__builtin_expect(--s->live == 0 || !s->listed, 0))
        give_rare(A, s);
}

adl_small_alloc *adl_small_alloc_new(void) {
    adl_small_alloc *A = calloc(1, sizeof(adl_small_alloc));
    if (A)
        atomic_fetch_add(&live_allocators, 1);
    return A;
}

void adl_small_alloc_delete(adl_small_alloc *A) {
    if (!A)
        return;
    atomic_fetch_sub(&live_allocators, 1);
    for (unsigned c = 1; c <= NCLASSES; c++)
        while (A->room[c]) {
            slab *s = A->room[c];
            unlink_slab(A, s);
            free(s);
        }
    while (A->empty) {
        slab *s = A->empty;
        A->empty = s->next;
        free(s);
    }
    free(A);
}

/* A block that exists and stays: moved when its class or side changes. */
static __attribute__((noinline)) void *resize(adl_small_alloc *A, void *ptr, size_t osize,
                                              size_t nsize) {
    unsigned oc = osize <= ADL_SMALL_MAX ? class_of(osize) : 0;
    unsigned nc = nsize <= ADL_SMALL_MAX ? class_of(nsize) : 0;
    if (oc == nc && oc)
        return ptr; /* the block has room already */
    if (!oc && !nc) {
        void *q = realloc(ptr, nsize);
        if (q && ptr == A->first_big)
            A->first_big = q; /* never a stale address another block may get */
        return q;
    }
    void *q = nc ? take(A, nc) : malloc(nsize);
    if (!q)
        return NULL;
    if (ptr == A->first_big)
        A->first_big = nc ? NULL : q;
    memcpy(q, ptr, osize < nsize ? osize : nsize);
    if (oc)
        give(A, ptr);
    else
        free(ptr);
    return q;
}

/* A new block over ADL_SMALL_MAX bytes (or none for 0). */
static __attribute__((noinline)) void *take_big(adl_small_alloc *A, size_t nsize) {
    if (!nsize)
        return NULL;
    void *p = malloc(nsize);
    if (p && !A->big_seen) { /* only the very first: a later block is not the state's */
        A->first_big = p;
        A->big_seen = 1;
    }
    return p;
}

static __attribute__((noinline)) void give_big(adl_small_alloc *A, void *ptr) {
    free(ptr);
    if (ptr == A->first_big && A->go_with_state)
        adl_small_alloc_delete(A); /* the state has closed */
}

void *adl_small_realloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    adl_small_alloc *A = ud;
    if (!ptr) {
        if (nsize - 1 < ADL_SMALL_MAX) /* 1..ADL_SMALL_MAX */
            return take(A, class_of(nsize));
        return take_big(A, nsize);
    }
    if (nsize == 0) {
        if (osize <= ADL_SMALL_MAX)
            give(A, ptr);
        else
            give_big(A, ptr);
        return NULL;
    }
    return resize(A, ptr, osize, nsize);
}

void adl_small_alloc_go_with_state(adl_small_alloc *A) {
    A->go_with_state = 1;
}

long adl_small_alloc_live(void) {
    return atomic_load(&live_allocators);
}

size_t adl_small_alloc_slab_bytes(const adl_small_alloc *A) {
    return A->nslabs * SLAB_BYTES;
}
