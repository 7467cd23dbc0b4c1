/* lua_compat.h: the few Lua C API names that differ between LuaJIT 2.1
 * (Lua 5.1's API) and PUC Lua 5.4, so the binding keeps 5.1's spelling. */
#ifndef ADL_LUA_COMPAT_H
#define ADL_LUA_COMPAT_H

/* The Lua headers belong to the binding's .c files: each includes <lua.h>
 * and <lauxlib.h> before this header, which uses their names. */

#if LUA_VERSION_NUM >= 502
#define lua_objlen(L, i) lua_rawlen(L, (i))
#endif

#endif
