/* lua_random.c: the C half of np.random (lua/adlua/random.lua composes the
 * rest).  The generator's state is a userdata in the registry: one per
 * lua_State, seeded with 0 until np.random.seed is called, so a script
 * draws the same numbers on every run and every machine. */
#include <lauxlib.h>
#include <lua.h>

#include "lua_binding.h"
#include "random.h"

#define RNG_KEY "adlua.rng"

static adl_rng *rng(lua_State *L) {
    lua_getfield(L, LUA_REGISTRYINDEX, RNG_KEY);
    adl_rng *r = lua_touserdata(L, -1);
    lua_pop(L, 1);
    if (!r) {
        r = lua_newuserdata(L, sizeof *r);
        adl_rng_seed(r, 0);
        lua_setfield(L, LUA_REGISTRYINDEX, RNG_KEY);
    }
    return r;
}

/* random_state() -> the generator's state as a string: ad.jit compares it
 * around a recording to see whether the function drew numbers. */
static int l_random_state(lua_State *L) {
    adl_rng *r = rng(L);
    lua_pushlstring(L, (const char *)r->s, sizeof r->s);
    lua_pushinteger(L, r->has_spare);
    lua_concat(L, 2);
    return 1;
}

#define MAX_SEED ((int64_t)1 << 53)

static int l_seed(lua_State *L) {
    int64_t s = adl_lua_checkint(L, 1, "np.random.seed", "seed", 0, MAX_SEED);
    adl_rng_seed(rng(L), (uint64_t)s);
    return 0;
}

/* The shape at idx: nothing (-1: a single number), a number, a table, or
 * (varargs) the numbers from idx to the top. */
static int shape_arg(lua_State *L, int idx, const char *fname, int64_t *shape, int varargs) {
    if (lua_isnoneornil(L, idx))
        return -1;
    return adl_lua_checkshape(L, idx, fname, shape, varargs);
}

typedef adl_status (*filler)(adl_ctx *, adl_rng *, int, const int64_t *, adl_array **);

static int fill(lua_State *L, const char *fname, filler fn) {
    int64_t shape[ADL_MAX_DIMS];
    int nd = shape_arg(L, 1, fname, shape, 1);
    adl_rng *r = rng(L);
    adl_array *a = NULL;
    adl_lua_newslot(L);
    return adl_lua_finish(L, fn(adl_lua_ctx(L), r, nd < 0 ? 0 : nd, shape, &a), &a, "np.");
}

static int l_rand(lua_State *L) {
    return fill(L, "np.random.rand", adl_k_random_uniform);
}
static int l_randn(lua_State *L) {
    return fill(L, "np.random.randn", adl_k_random_normal);
}

/* A number argument, or an error naming the function (the range checks are
 * the core's). */
static double number_arg(lua_State *L, int idx, const char *fname, const char *what) {
    if (adl_lua_type(L, idx) != LUA_TNUMBER)
        adl_lua_raise(L, "%s: %s must be a whole number, got %s", fname, what,
                      adl_lua_toarray(L, idx) ? "array" : luaL_typename(L, idx));
    return lua_tonumber(L, idx);
}

/* randint(low, high, size): [low, high); high nil: [0, low). */
static int l_randint(lua_State *L) {
    const char *fname = "np.random.randint";
    double low = number_arg(L, 1, fname, "low"), high;
    if (lua_isnoneornil(L, 2)) {
        high = low;
        low = 0;
    } else
        high = number_arg(L, 2, fname, "high");
    int64_t shape[ADL_MAX_DIMS];
    int nd = shape_arg(L, 3, fname, shape, 0);
    adl_rng *r = rng(L);
    adl_array *a = NULL;
    adl_lua_newslot(L);
    return adl_lua_finish(
        L, adl_k_random_integers(adl_lua_ctx(L), r, low, high, nd < 0 ? 0 : nd, shape, &a), &a,
        "np.");
}

/* 1..n in a random order (positions index arrays, as everywhere). */
static int l_permutation_n(lua_State *L) {
    int64_t n = adl_lua_checkint(L, 1, "np.random.permutation", "n", 0, ADL_MAX_SIZE);
    adl_ctx *ctx = adl_lua_ctx(L);
    adl_rng *r = rng(L);
    adl_array *a = NULL;
    adl_lua_newslot(L);
    return adl_lua_finish(L, adl_k_random_permutation(ctx, r, n, &a), &a, "np.");
}

/* A copy of the array with its slices along axis 1 shuffled. */
static int l_shuffled(lua_State *L) {
    adl_array *x = adl_lua_checkarray(L, 1, "np.random.shuffle"), *a = NULL;
    adl_rng *r = rng(L);
    adl_lua_newslot(L);
    return adl_lua_finish(
        L, adl_k_random_shuffled(adl_lua_ctx(L), r, adl_value_read(adl_lua_ctx(L), x), &a), &a,
        "np.");
}

/* A whole number in 0 .. n-1 (for the Lua side's choice and shuffle). */
static int l_below(lua_State *L) {
    int64_t n = adl_lua_checkint(L, 1, "np.random", "n", 1, MAX_SEED);
    lua_pushinteger(L, (lua_Integer)adl_rng_below(rng(L), (uint64_t)n));
    return 1;
}

static int l_uniform01(lua_State *L) {
    lua_pushnumber(L, adl_rng_uniform(rng(L)));
    return 1;
}

static const luaL_Reg funcs[] = {
    {"random_seed", l_seed},           {"random_state", l_random_state},
    {"random_rand", l_rand},           {"random_randn", l_randn},
    {"random_randint", l_randint},     {"random_permutation_n", l_permutation_n},
    {"random_shuffled", l_shuffled},   {"random_below", l_below},
    {"random_uniform01", l_uniform01}, {NULL, NULL}};

void adl_lua_open_random(lua_State *L) {
    adl_lua_setfuncs(L, funcs);
}
