/* lua_scalar.c: the binding's side of scalar boxes (lua/adlua/scalar.lua).
 *
 * In an outermost grad of a number, one-number results are Lua tables on a
 * tape of numbers kept in Lua: no userdata, finalizer or core node per
 * operation (docs/architecture.md, "Scalar boxes").  When such a box
 * reaches a C function, adl_lua_toud hands it to adl_lua_unscalar, which
 * calls the Lua module's promote function: the box becomes an array box of
 * the same gradient (a leaf of its trace, whose gradient the Lua module
 * carries back onto its tape), or once that gradient is over an array box
 * of an ended trace, standing for its number. */
#include <lauxlib.h>
#include <lua.h>

#include "lua_binding.h"

#define SCALAR_MT_KEY      "adlua.scalar_metatable"
#define SCALAR_PROMOTE_KEY "adlua.scalar_promote"

int adl_lua_unscalar(lua_State *L, int idx) {
    if (!lua_getmetatable(L, idx))
        return 0;
    lua_getfield(L, LUA_REGISTRYINDEX, SCALAR_MT_KEY);
    int scalar = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    if (!scalar)
        return 0;
    if (idx < 0 && idx > LUA_REGISTRYINDEX)
        idx = lua_gettop(L) + idx + 1;
    luaL_checkstack(L, 2, "scalar box");
    lua_getfield(L, LUA_REGISTRYINDEX, SCALAR_PROMOTE_KEY);
    lua_pushvalue(L, idx);
    lua_call(L, 1, 1);
    lua_replace(L, idx);
    return 1;
}

/* The value of unary kernel `op` at x, computed by the loop that computes
 * it for arrays (so a scalar box's value is the array path's to the bit). */
static double scalar_unary(int op, double x) {
    double r;
    if ((unsigned)op >= ADL_U_COUNT)
        return 0.0 / 0.0;
    adl_k_unary_flat(ADL_FLOAT64, (adl_unary_op)op, 1, &r, &x, 1);
    return r;
}

/* scalar_hooks(mt, promote): registers the scalar boxes' metatable and the
 * function that turns one into an array box; returns the address of
 * scalar_unary (a light userdata, for LuaJIT's FFI: double (*)(int,
 * double)) and a table of the unary kernels' codes by NumPy name. */
static int l_scalar_hooks(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, SCALAR_MT_KEY);
    lua_pushvalue(L, 2);
    lua_setfield(L, LUA_REGISTRYINDEX, SCALAR_PROMOTE_KEY);
    lua_pushlightuserdata(L, (void *)(uintptr_t)scalar_unary);
    lua_createtable(L, 0, ADL_U_COUNT);
    for (int op = 0; op < ADL_U_COUNT; op++) {
        lua_pushinteger(L, op);
        lua_setfield(L, -2, adl_unary_name((adl_unary_op)op));
    }
    return 2;
}

/* scalar_unary(op, x): scalar_unary through the Lua C API (for a Lua
 * without LuaJIT's FFI). */
static int l_scalar_unary(lua_State *L) {
    lua_pushnumber(L, scalar_unary((int)luaL_checkinteger(L, 1), luaL_checknumber(L, 2)));
    return 1;
}

/* tracing_idle(): whether a grad begun now would be the outermost trace,
 * with no ad.jit recording and no debug_nans (where scalar boxes apply). */
static int l_tracing_idle(lua_State *L) {
    adl_ctx *ctx = adl_lua_ctx(L);
    lua_pushboolean(L, ctx->depth == 0 && !ctx->recording && !ctx->debug_nans);
    return 1;
}

void adl_lua_open_scalar(lua_State *L) {
    static const luaL_Reg funcs[] = {{"scalar_hooks", l_scalar_hooks},
                                     {"scalar_unary", l_scalar_unary},
                                     {"tracing_idle", l_tracing_idle},
                                     {NULL, NULL}};
    adl_lua_setfuncs(L, funcs);
}
