/* lua_debug.c: core.debug, the hooks reliability tests use: allocation
 * failure injection, allocation tracking and the live counters.  Not part
 * of the np/ad namespaces. */
#include <lauxlib.h>
#include <lua.h>

#include "lua_binding.h"

#include "alloc.h"

/* debug.alloc_fail_at(n [, every]): the nth core allocation from now (and,
 * with every = true, each one after it) fails; 0 turns it off. */
static int l_alloc_fail_at(lua_State *L) {
    int64_t n = adl_lua_checkint(L, 1, "debug.alloc_fail_at", "n", 0, INT64_C(1) << 52);
    adl_alloc_fail_at(n, lua_toboolean(L, 2));
    return 0;
}

/* debug.alloc_count(): allocations attempted since alloc_fail_at or
 * alloc_track turned injection or tracking on. */
static int l_alloc_count(lua_State *L) {
    lua_pushinteger(L, (lua_Integer)adl_alloc_count());
    return 1;
}

/* debug.alloc_track(on): start (from zero) or stop tracking blocks. */
static int l_alloc_track(lua_State *L) {
    adl_alloc_track(lua_toboolean(L, 1));
    return 0;
}

/* debug.alloc_outstanding(): tracked blocks not yet freed.  The cache of
 * free array headers keeps blocks: call debug.thread_cleanup() first. */
static int l_alloc_outstanding(lua_State *L) {
    lua_pushinteger(L, (lua_Integer)adl_alloc_outstanding());
    return 1;
}

static int l_thread_cleanup(lua_State *L) {
    (void)L;
    adl_thread_cleanup();
    return 0;
}

/* debug.live(): live arrays, buffers, bytes and open traces. */
static int l_live(lua_State *L) {
    lua_pushinteger(L, (lua_Integer)adl_live_arrays());
    lua_pushinteger(L, (lua_Integer)adl_live_buffers());
    lua_pushinteger(L, (lua_Integer)adl_live_bytes());
    lua_pushinteger(L, adl_lua_ctx(L)->depth);
    return 4;
}

static const luaL_Reg funcs[] = {{"alloc_fail_at", l_alloc_fail_at},
                                 {"alloc_count", l_alloc_count},
                                 {"alloc_track", l_alloc_track},
                                 {"alloc_outstanding", l_alloc_outstanding},
                                 {"thread_cleanup", l_thread_cleanup},
                                 {"live", l_live},
                                 {NULL, NULL}};

void adl_lua_open_debug(lua_State *L) {
    lua_newtable(L);
    adl_lua_setfuncs(L, funcs);
    lua_setfield(L, -2, "debug");
}
