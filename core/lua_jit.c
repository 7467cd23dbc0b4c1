/* lua_jit.c: recordings and their compiled programs, for lua/adlua/jit.lua
 * (ad.jit).  A program is a full userdata that frees it when collected. */
#include <lauxlib.h>
#include <lua.h>

#include "jit.h"
#include "lua_binding.h"

#define PROGRAM_MT "adlua.jit_program"

static int program_gc(lua_State *L) {
    adl_program **p = lua_touserdata(L, 1);
    adl_program_free(*p);
    *p = NULL;
    return 0;
}

static adl_program *check_program(lua_State *L, int idx) {
    adl_program **p = luaL_checkudata(L, idx, PROGRAM_MT);
    if (!*p)
        adl_lua_raise(L, "jit: internal error: a freed program");
    return *p;
}

/* recording_begin() -> t: opens a recording, the outermost trace. */
static int l_recording_begin(lua_State *L) {
    adl_trace *t;
    if (adl_trace_begin_recording(adl_lua_ctx(L), &t))
        return adl_lua_raise(L, "%s", adl_lua_ctx(L)->msg);
    lua_pushlightuserdata(L, t);
    return 1;
}

/* tracing() -> whether any trace (grad, make_jvp, a recording) is live. */
static int l_tracing(lua_State *L) {
    lua_pushboolean(L, adl_lua_ctx(L)->top != NULL);
    return 1;
}

/* The arrays at positions 1..n of the table at idx, in a block anchored
 * on the stack (adl_malloc'd, freed by a holder userdata's __gc: never
 * leaked by a raise). */
static adl_array **arrays_of(lua_State *L, int idx, int n, const char *what) {
    adl_array **a = lua_newuserdata(L, sizeof *a * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        lua_rawgeti(L, idx, i + 1);
        a[i] = adl_lua_toarray(L, -1);
        lua_pop(L, 1);
        if (!a[i])
            adl_lua_raise(L, "jit: internal error: %s %d is not an array", what, i + 1);
    }
    return a;
}

/* compile(t, leaves, nleaves, results, nresults) -> program */
static int l_compile(lua_State *L) {
    adl_trace *t = adl_lua_checktrace(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    int nleaves = (int)luaL_checkinteger(L, 3);
    luaL_checktype(L, 4, LUA_TTABLE);
    int nresults = (int)luaL_checkinteger(L, 5);
    adl_array **leaves = arrays_of(L, 2, nleaves, "leaf");
    adl_array **results = arrays_of(L, 4, nresults, "result");
    adl_program **p = lua_newuserdata(L, sizeof *p);
    *p = NULL;
    if (luaL_newmetatable(L, PROGRAM_MT)) {
        lua_pushcfunction(L, program_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushboolean(L, 0); /* no __gc to call by hand */
        lua_setfield(L, -2, "__metatable");
    }
    lua_setmetatable(L, -2);
    if (adl_program_compile(adl_lua_ctx(L), t, nleaves, leaves, nresults, results, p))
        return adl_lua_raise(L, "%s", adl_lua_ctx(L)->msg);
    return 1;
}

/* run(program, leaves, nleaves, nresults) -> a table of the results, or
 * nil when a guard failed or the replay met an error (record again). */
static int l_run(lua_State *L) {
    adl_program *p = check_program(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    int nleaves = (int)luaL_checkinteger(L, 3);
    int nresults = (int)luaL_checkinteger(L, 4);
    adl_array **leaves = arrays_of(L, 2, nleaves, "argument");
    for (int i = 0; i < nleaves; i++)
        if (leaves[i]->level > 0)
            leaves[i] = (adl_array *)adl_array_value(leaves[i]);
    /* every result's slot exists before the program runs: nothing it
     * returns can be left unowned by a raise */
    lua_createtable(L, nresults, 0);
    int table = lua_gettop(L);
    for (int i = 0; i < nresults; i++) {
        adl_lua_newslot(L);
        lua_rawseti(L, table, i + 1);
    }
    adl_array **results = lua_newuserdata(L, sizeof *results * (size_t)(nresults ? nresults : 1));
    int valid;
    adl_program_run(adl_lua_ctx(L), p, leaves, results, &valid);
    if (!valid) {
        lua_pushnil(L);
        return 1;
    }
    for (int i = 0; i < nresults; i++) {
        lua_rawgeti(L, table, i + 1);
        adl_lua_finish(L, ADL_OK, &results[i], "");
        lua_rawseti(L, table, i + 1); /* a 0-d result became a number */
    }
    lua_pushvalue(L, table);
    return 1;
}

/* program_info(program) -> steps, guards */
static int l_program_info(lua_State *L) {
    adl_program *p = check_program(L, 1);
    lua_pushinteger(L, adl_program_steps(p));
    lua_pushinteger(L, adl_program_guards(p));
    return 2;
}

static const luaL_Reg funcs[] = {{"recording_begin", l_recording_begin},
                                 {"tracing", l_tracing},
                                 {"jit_compile", l_compile},
                                 {"jit_run", l_run},
                                 {"jit_program_info", l_program_info},
                                 {NULL, NULL}};

void adl_lua_open_jit(lua_State *L) {
    adl_lua_setfuncs(L, funcs);
}
