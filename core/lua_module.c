/* lua_module.c: luaopen_adlua_core, the C half of `require "adlua"`.
 *
 * One adl_ctx per lua_State lives in a userdata in the registry; it and the
 * array metatable are the two upvalues of every binding function. */
#include <lauxlib.h>
#include <lua.h>

#include "blas_detect.h"
#include "lua_binding.h"
#include "parallel.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MT_KEY "adlua.array"

void adl_lua_setfuncs(lua_State *L, const luaL_Reg *funcs) {
    for (; funcs->name; funcs++) {
        lua_getfield(L, LUA_REGISTRYINDEX, ADL_LUA_CTX_KEY);
        lua_getfield(L, LUA_REGISTRYINDEX, MT_KEY);
        lua_pushcclosure(L, funcs->func, 2);
        lua_setfield(L, -2, funcs->name);
    }
}

/* The source prefix of adlua's Lua modules ("@lua/adlua/" embedded,
 * "@./lua/adlua/" from the source tree, "@/usr/.../lua/5.1/adlua/"
 * installed): that of the Lua front of __index (lua/adlua/index_front.lua),
 * up to and including "adlua/".  0 when the front is not installed (the C
 * module alone, or numpy.lua still loading): no Lua module calls us then. */
#define FRONT_FILE "adlua/index_front.lua"
static size_t module_prefix(lua_State *L, char *buf, size_t size) {
    lua_Debug ar;
    size_t n = 0, tail = sizeof FRONT_FILE - 1;
    lua_getfield(L, LUA_REGISTRYINDEX, MT_KEY);
    lua_getfield(L, -1, "__index");
    lua_remove(L, -2);
    if (lua_isfunction(L, -1) && !lua_iscfunction(L, -1) && lua_getinfo(L, ">S", &ar)) {
        n = strlen(ar.source);
        if (n >= tail && n - tail + 6 < size && !strcmp(ar.source + n - tail, FRONT_FILE))
            memcpy(buf, ar.source, n -= tail - 6); /* keep "adlua/" */
        else
            n = 0;
    } else
        lua_pop(L, 1);
    return n;
}

/* The level of the function whose line an error names: the first caller
 * of the raising C function that is not a function of adlua's Lua modules,
 * so that a C function called through a Lua wrapper names the user's line.
 * Under LuaJIT a wrapper's tail call leaves no frame of it; PUC Lua keeps
 * one when the callee is a C function.  A C frame in between (a pcall)
 * stops the search: the error is caught there. */
static int error_level(lua_State *L) {
    lua_Debug ar;
    char prefix[512];
    size_t n = 0;
    for (int level = 1; lua_getstack(L, level, &ar); level++) {
        if (!lua_getinfo(L, "S", &ar) || ar.source[0] != '@')
            return level; /* a C function (pcall: caught there), or a string chunk */
        if (n == 0 && (n = module_prefix(L, prefix, sizeof prefix)) == 0)
            return level;
        if (strncmp(ar.source, prefix, n) != 0)
            return level;
    }
    return 1; /* only adlua's own frames: name the nearest */
}

int adl_lua_raise(lua_State *L, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    luaL_where(L, error_level(L));
    lua_pushstring(L, msg);
    lua_concat(L, 2);
    lua_error(L);
    __builtin_unreachable(); /* lua_error does not return */
}

/* The raise of adl_lua_options for the key at the top. */
static __attribute__((noreturn, noinline)) void unknown_option(lua_State *L, const char *fname,
                                                               const char *const *names) {
    char listed[256] = "";
    size_t used = 0;
    for (const char *const *n = names; *n && used < sizeof listed; n++)
        used += (size_t)snprintf(listed + used, sizeof listed - used, "%s%s",
                                 n == names ? "" : ", ", *n);
    int t = adl_lua_type(L, -1);
    if (t == LUA_TSTRING)
        adl_lua_raise(L, "%s: unknown option '%s' (options: %s)", fname, lua_tostring(L, -1),
                      listed);
    if (t == LUA_TNUMBER) {
        lua_pushvalue(L, -1); /* lua_tostring converts in place */
        adl_lua_raise(L, "%s: unknown option %s (options: %s)", fname, lua_tostring(L, -1), listed);
    }
    adl_lua_raise(L, "%s: unknown option of type %s (options: %s)", fname, luaL_typename(L, -1),
                  listed);
}

/* One pass of lua_next instead of a lua_getfield per name (each hashes its
 * name into a Lua string) and then a pass for the unknown ones. */
void adl_lua_options(lua_State *L, int idx, const char *fname, const char *const *names) {
    if (idx < 0)
        idx = lua_gettop(L) + idx + 1;
    int first = lua_gettop(L) + 1;
    for (const char *const *n = names; *n; n++)
        lua_pushnil(L);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        size_t len = 0;
        const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tolstring(L, -2, &len) : NULL;
        int i = 0;
        while (names[i] && !(k && strlen(names[i]) == len && !memcmp(names[i], k, len)))
            i++;
        if (!names[i]) {
            lua_pop(L, 1);
            unknown_option(L, fname, names);
        }
        lua_replace(L, first + i);
    }
}

/* Ends the traces a script left open (an error escaped a grad call). */
static int ctx_gc(lua_State *L) {
    adl_ctx *ctx = lua_touserdata(L, 1);
    while (ctx->top)
        adl_trace_end(ctx, ctx->top);
    return 0;
}

/* ---- BLAS kernels (bench / issue 7) ---- */
/* blas_info() -> {corename=, threads=, auto=}: the OpenBLAS kernels in use
 * (corename nil for another BLAS) and whether adlua chose them. */
static int blas_info(lua_State *L) {
    const char *core = adl_blas_corename();
    lua_createtable(L, 0, 3);
    if (core != NULL) {
        lua_pushstring(L, core);
        lua_setfield(L, -2, "corename");
    }
    lua_pushinteger(L, adl_blas_threads());
    lua_setfield(L, -2, "threads");
    lua_pushboolean(L, adl_blas_auto());
    lua_setfield(L, -2, "auto");
    return 1;
}
/* ---- end BLAS kernels ---- */

/* set_num_threads(n) -> previous: how many threads large elementwise
 * work (np.exp, np.log, np.tanh) may use (parallel.c). */
static int set_num_threads(lua_State *L) {
    lua_Number n = adl_lua_type(L, 1) == LUA_TNUMBER ? lua_tonumber(L, 1) : 0;
    if (!(n >= 1 && n <= 1e9 && n == (lua_Number)(int)n))
        return luaL_error(L, "set_num_threads: expected a whole number >= 1, got %s",
                          adl_lua_type(L, 1) == LUA_TNUMBER ? lua_tostring(L, 1)
                                                            : luaL_typename(L, 1));
    lua_pushinteger(L, adl_parallel_set_threads((int)n));
    return 1;
}

static int get_num_threads(lua_State *L) {
    lua_pushinteger(L, adl_parallel_threads());
    return 1;
}

/* keys(t) -> list of t's keys, in lua_next's order: what lua/adlua/each.lua
 * loops over.  Enumerating in C keeps `next` out of compiled Lua traces,
 * where the LuaJIT of Debian 12 can miscompile it (docs/luajit.md). */
static int keys(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_newtable(L);
    lua_Integer n = 0;
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        lua_pop(L, 1);        /* the value */
        lua_pushvalue(L, -1); /* the key, kept for lua_next */
        lua_rawseti(L, 2, ++n);
    }
    return 1;
}

int luaopen_adlua_core(lua_State *L) {
    lua_getfield(L, LUA_REGISTRYINDEX, ADL_LUA_CTX_KEY);
    int fresh = lua_isnil(L, -1);
    lua_pop(L, 1);
    if (fresh) {
        /* a stock luajit loading us: switch away from OpenBLAS's generic
         * fallback kernels before our first BLAS call (blas_detect.c) */
        adl_blas_upgrade_in_process();
        adl_lua_state *st = lua_newuserdata(L, sizeof *st);
        adl_lua_state_init(st);
        lua_newtable(L);
        lua_pushcfunction(L, ctx_gc);
        lua_setfield(L, -2, "__gc");
        lua_setmetatable(L, -2);
        lua_setfield(L, LUA_REGISTRYINDEX, ADL_LUA_CTX_KEY);
        lua_newtable(L);
        lua_setfield(L, LUA_REGISTRYINDEX, MT_KEY);
        adl_lua_open_array(L);
    }
    lua_newtable(L);
    adl_lua_open_numpy(L);
    adl_lua_open_autograd(L);
    adl_lua_open_jit(L);
    adl_lua_open_index(L);
    adl_lua_open_array_index(L);
    adl_lua_open_operators(L);
    adl_lua_open_scalar(L);
    adl_lua_open_mpi(L);
    adl_lua_open_linalg(L); /* np.linalg, np.random, files */
    adl_lua_open_random(L);
    adl_lua_open_npyio(L);
    adl_lua_open_debug(L);
    lua_getfield(L, LUA_REGISTRYINDEX, MT_KEY);
    lua_setfield(L, -2, "array_metatable");
    lua_pushcfunction(L, blas_info);
    lua_setfield(L, -2, "blas_info");
    lua_pushcfunction(L, set_num_threads);
    lua_setfield(L, -2, "set_num_threads");
    lua_pushcfunction(L, get_num_threads);
    lua_setfield(L, -2, "get_num_threads");
    lua_pushcfunction(L, keys);
    lua_setfield(L, -2, "keys");
    return 1;
}
