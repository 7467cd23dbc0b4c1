/* test_small_alloc.c: the Lua state's small-block allocator (small_alloc.c):
 * contents kept through every kind of realloc, blocks aligned and never
 * shared, slabs given back when their blocks are freed, and a real Lua
 * state running on it. */
#include "harness.h"
#include "test_util.h"

#include "small_alloc.h"
#include <lauxlib.h>
#include <lualib.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct block {
    unsigned char *p;
    size_t size;
    unsigned char seed;
} block;

static void fill(block *b) {
    for (size_t i = 0; i < b->size; i++)
        b->p[i] = (unsigned char)(b->seed + i * 7);
}

/* The first `n` bytes still hold what fill wrote. */
static int intact(const block *b, size_t n) {
    for (size_t i = 0; i < n && i < b->size; i++)
        if (b->p[i] != (unsigned char)(b->seed + i * 7))
            return 0;
    return 1;
}

static uint64_t rng_state = 88172645463325252u;
static uint64_t next_random(void) {
    return t_xorshift(&rng_state);
}

/* Sizes on both sides of each class boundary and of ADL_SMALL_MAX. */
static size_t random_size(void) {
    switch (next_random() % 4) {
    case 0:
        return 1 + next_random() % 32;
    case 1:
        return ADL_SMALL_MAX - 8 + next_random() % 16;
    case 2:
        return 1 + next_random() % (2 * ADL_SMALL_MAX);
    default:
        return 16 * (1 + next_random() % 16) + (next_random() % 3) - 1;
    }
}

TEST(small_alloc_keeps_contents_through_malloc_realloc_free) {
    enum { SLOTS = 3000, STEPS = 200000 };
    adl_small_alloc *A = adl_small_alloc_new();
    REQUIRE(A != NULL);
    block *live = calloc(SLOTS, sizeof *live);
    REQUIRE(live != NULL);
    int bad_align = 0, bad_content = 0, failed = 0;
    for (int step = 0; step < STEPS; step++) {
        block *b = &live[next_random() % SLOTS];
        if (!b->p) { /* a new block */
            b->size = random_size();
            b->seed = (unsigned char)next_random();
            b->p = adl_small_realloc(A, NULL, 0, b->size);
            if (!b->p) {
                failed++;
                continue;
            }
        } else if (next_random() % 3 == 0) { /* freed */
            bad_content += !intact(b, b->size);
            CHECK(adl_small_realloc(A, b->p, b->size, 0) == NULL);
            b->p = NULL;
            continue;
        } else { /* grown, shrunk or kept in its class */
            size_t n = random_size();
            unsigned char *q = adl_small_realloc(A, b->p, b->size, n);
            if (!q) {
                failed++;
                continue;
            }
            b->p = q;
            bad_content += !intact(b, n);
            b->size = n;
        }
        bad_align += ((uintptr_t)b->p % 16) != 0;
        fill(b);
    }
    /* no two live blocks share bytes: each still holds its own pattern */
    for (int i = 0; i < SLOTS; i++)
        if (live[i].p) {
            bad_content += !intact(&live[i], live[i].size);
            adl_small_realloc(A, live[i].p, live[i].size, 0);
        }
    CHECK_EQ_INT(failed, 0);
    CHECK_EQ_INT(bad_align, 0);
    CHECK_EQ_INT(bad_content, 0);
    free(live);
    adl_small_alloc_delete(A);
}

TEST(small_alloc_gives_slabs_back_after_a_burst) {
    enum { N = 700000 }; /* 45 MB of blocks: more than the 32 MB of empty slabs kept */
    adl_small_alloc *A = adl_small_alloc_new();
    REQUIRE(A != NULL);
    void **p = malloc(N * sizeof *p);
    REQUIRE(p != NULL);
    for (int i = 0; i < N; i++) {
        p[i] = adl_small_realloc(A, NULL, 0, 64);
        REQUIRE(p[i] != NULL);
    }
    size_t peak = adl_small_alloc_slab_bytes(A);
    CHECK(peak >= (size_t)N * 64);
    for (int i = 0; i < N; i++)
        adl_small_realloc(A, p[i], 64, 0);
    /* up to 32 MB of empty slabs are kept for the next burst (and the
     * class's one slab with room), the rest goes */
    size_t after = adl_small_alloc_slab_bytes(A);
    CHECK(after <= ((size_t)32 << 20) + ((size_t)32 << 10));
    CHECK(after < peak);
    /* the next burst reuses them */
    for (int i = 0; i < 1000; i++)
        p[i] = adl_small_realloc(A, NULL, 0, 64);
    CHECK(adl_small_alloc_slab_bytes(A) == after);
    for (int i = 0; i < 1000; i++)
        adl_small_realloc(A, p[i], 64, 0);
    free(p);
    adl_small_alloc_delete(A);
}

TEST(small_alloc_serves_a_lua_state) {
    adl_small_alloc *A = adl_small_alloc_new();
    REQUIRE(A != NULL);
    lua_State *L = lua_newstate(adl_small_realloc, A);
    if (L == NULL) { /* LuaJIT without GC64 takes no allocator: the program does not try */
        adl_small_alloc_delete(A);
        return;
    }
    luaL_openlibs(L);
    const char *code = "local keep = {}\n"
                       "for i = 1, 200000 do\n"
                       "  local t = {i, tostring(i), function() return i end}\n"
                       "  if i % 100 == 0 then keep[#keep + 1] = t end\n"
                       "end\n"
                       "local s = 0\n"
                       "for _, t in ipairs(keep) do s = s + t[1] + #t[2] + t[3]() end\n"
                       "collectgarbage()\n"
                       "return s";
    REQUIRE(luaL_loadstring(L, code) == 0);
    REQUIRE(lua_pcall(L, 0, 1, 0) == 0);
    /* sum over i = 100, 200, ..., 200000 of 2i + the digits of i */
    double expect = 0;
    for (int i = 100; i <= 200000; i += 100)
        expect += 2.0 * i + (i >= 100000 ? 6 : i >= 10000 ? 5 : i >= 1000 ? 4 : 3);
    CHECK_NEAR(lua_tonumber(L, -1), expect, 0);
    lua_close(L);
    adl_small_alloc_delete(A);
}

/* Armed with go_with_state, the allocator deletes itself when its first big
 * block (a Lua state's own) is freed, and not before: not on other big
 * blocks, and not at the old address of a first block that realloc moved. */
TEST(small_alloc_goes_with_its_state_block) {
    long base = adl_small_alloc_live();
    adl_small_alloc *A = adl_small_alloc_new();
    REQUIRE(A != NULL);
    CHECK(adl_small_alloc_live() == base + 1);
    void *state = adl_small_realloc(A, NULL, 0, 4000);
    REQUIRE(state != NULL);
    memset(state, 7, 4000);
    adl_small_alloc_go_with_state(A);
    void *small = adl_small_realloc(A, NULL, 0, 48);
    void *other = adl_small_realloc(A, NULL, 0, 5000);
    REQUIRE(small != NULL && other != NULL);
    adl_small_realloc(A, other, 5000, 0);
    CHECK(adl_small_alloc_live() == base + 1);
    /* the state's block grows (moved, most likely): its new address counts */
    void *moved = adl_small_realloc(A, state, 4000, 1 << 20);
    REQUIRE(moved != NULL);
    CHECK(((unsigned char *)moved)[3999] == 7);
    other = adl_small_realloc(A, NULL, 0, 4000); /* may get the old address */
    REQUIRE(other != NULL);
    adl_small_realloc(A, other, 4000, 0);
    CHECK(adl_small_alloc_live() == base + 1);
    adl_small_realloc(A, small, 48, 0);
    adl_small_realloc(A, moved, 1 << 20, 0); /* the state's block: A goes */
    CHECK(adl_small_alloc_live() == base);
}
