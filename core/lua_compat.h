/* lua_compat.h: the few Lua C API names that differ between LuaJIT 2.1
 * (Lua 5.1's API) and PUC Lua 5.4, so the binding keeps 5.1's spelling. */
#ifndef ADL_LUA_COMPAT_H
#define ADL_LUA_COMPAT_H

/* The Lua headers belong to the binding's .c files: each includes <lua.h>
 * and <lauxlib.h> before this header, which uses their names. */

#if LUA_VERSION_NUM >= 502
#define lua_objlen(L, i) lua_rawlen(L, (i))
#endif

/* One Lua value attached to a userdata, collected with it: Lua 5.4's first
 * user value; under Lua 5.1's API the userdata's environment table, under a
 * key only this file makes (the default environment is the globals). */
#if LUA_VERSION_NUM >= 504
/* Pushes the attached value, or nil. */
static inline void adl_lua_get_attached(lua_State *L, int ud) {
    lua_getiuservalue(L, ud, 1);
}
/* Pops a value and attaches it to the userdata at ud (ud > 0). */
static inline void adl_lua_set_attached(lua_State *L, int ud) {
    lua_setiuservalue(L, ud, 1);
}
#else
static const char adl_attached_key;
static inline void adl_lua_get_attached(lua_State *L, int ud) {
    lua_getfenv(L, ud);
    lua_pushlightuserdata(L, (void *)&adl_attached_key);
    lua_rawget(L, -2);
    lua_remove(L, -2);
}
static inline void adl_lua_set_attached(lua_State *L, int ud) {
    lua_createtable(L, 0, 1);
    lua_pushlightuserdata(L, (void *)&adl_attached_key);
    lua_pushvalue(L, -3);
    lua_rawset(L, -3);
    lua_setfenv(L, ud);
    lua_pop(L, 1);
}
#endif

#endif
