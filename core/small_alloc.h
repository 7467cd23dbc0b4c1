/* small_alloc.h: an allocator for the many small, short-lived blocks of a
 * Lua state (no Lua here: its one function has lua_Alloc's signature).
 *
 * A traced operation makes a userdata, and a loss loop makes and drops
 * thousands of them per gradient step; LuaJIT's own allocator (dlmalloc)
 * spends about 150 instructions on each malloc and free pair, coalescing
 * neighbours that are freed again a moment later.  Here blocks of up to
 * ADL_SMALL_MAX bytes come from slabs of one size class each: a free is a
 * push onto its slab's list, a malloc a pop, and the blocks of one step
 * sit together in memory.  A slab whose blocks are all free goes back to
 * the C library (beyond a few kept for the next burst); bigger blocks go
 * straight to malloc, realloc and free. */
#ifndef ADL_SMALL_ALLOC_H
#define ADL_SMALL_ALLOC_H

#include <stddef.h>

#define ADL_SMALL_MAX 256 /* bytes: larger blocks go to the C library */

typedef struct adl_small_alloc adl_small_alloc;

/* A new, empty allocator (NULL when out of memory), for one Lua state: like
 * the state itself, it is used by one thread at a time (no locks). */
adl_small_alloc *adl_small_alloc_new(void);
/* Frees the allocator and every slab it has, once nothing uses its blocks
 * any more (after lua_close of the state it served, unless it went with the
 * state: adl_small_alloc_go_with_state). */
void adl_small_alloc_delete(adl_small_alloc *A);
/* lua_Alloc: `ud` is the allocator; frees when nsize is 0, else (re)allocates
 * ptr of osize bytes (ptr NULL: a new block) to nsize bytes; NULL when out
 * of memory, ptr then unchanged. */
void *adl_small_realloc(void *ud, void *ptr, size_t osize, size_t nsize);
/* From now on, A deletes itself when the Lua state made on it closes:
 * lua_newstate's first block over ADL_SMALL_MAX bytes is the state's own
 * (LuaJIT's GG_State, PUC Lua's LG), the last that lua_close frees. */
void adl_small_alloc_go_with_state(adl_small_alloc *A);
/* Allocators made and not yet deleted (all threads), for tests. */
long adl_small_alloc_live(void);
/* Bytes the allocator holds in slabs (used or free), for tests. */
size_t adl_small_alloc_slab_bytes(const adl_small_alloc *A);

#endif
