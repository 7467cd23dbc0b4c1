/* lua_embed.c: package.preload entries for the embedded Lua modules. */
#include <lauxlib.h>
#include <lua.h>

#include "lua_embed.h"

#include <lualib.h>

/* package.preload loader for adl_lua_sources[upvalue 1]: compiles the source
 * and runs it with the module name and file name, as require runs a file. */
static int embed_loader(lua_State *L) {
    int i = (int)lua_tointeger(L, lua_upvalueindex(1));
    const struct adl_lua_source *src = &adl_lua_sources[i];
    const char *name = luaL_optstring(L, 1, src->name);

    lua_settop(L, 0);
    if (luaL_loadbuffer(L, src->code, src->len, src->chunkname) != 0)
        return luaL_error(L, "error loading module '%s' from file '%s':\n\t%s", name,
                          src->chunkname + 1, lua_tostring(L, -1));
    lua_pushstring(L, name);
    lua_pushstring(L, src->chunkname + 1);
    lua_call(L, 2, 1);
    return 1;
}

static void open_package(lua_State *L) {
#if LUA_VERSION_NUM >= 502
    luaL_requiref(L, LUA_LOADLIBNAME, luaopen_package, 1);
    lua_pop(L, 1);
#else
    lua_pushcfunction(L, luaopen_package);
    lua_pushstring(L, LUA_LOADLIBNAME);
    lua_call(L, 1, 0);
#endif
}

void adlua_openlibs(lua_State *L) {
    int top = lua_gettop(L);
    int i;

    lua_getglobal(L, LUA_LOADLIBNAME);
    if (!lua_istable(L, -1)) {
        lua_pop(L, 1);
        open_package(L);
        lua_getglobal(L, LUA_LOADLIBNAME);
    }
    lua_getfield(L, -1, "preload");
    if (!lua_istable(L, -1)) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, -3, "preload");
    }

    lua_pushcfunction(L, luaopen_adlua_core);
    lua_setfield(L, -2, "adlua.core");
    for (i = 0; i < adl_lua_source_count; i++) {
        lua_pushinteger(L, i);
        lua_pushcclosure(L, embed_loader, 1);
        lua_setfield(L, -2, adl_lua_sources[i].name);
    }
    lua_settop(L, top);
}
