/* lua_embed.h: the Lua modules compiled into the library.
 *
 * The build turns every .lua file under lua/ into one entry of adl_lua_sources
 * (build/gen/lua_sources.c, written by scripts/embed_lua.lua), so the
 * program and any host that embeds the runtime find `require "adlua"` and
 * friends without LUA_PATH. */
#ifndef ADLUA_LUA_EMBED_H
#define ADLUA_LUA_EMBED_H

typedef struct lua_State lua_State; /* <lua.h> in the .c files only */
#include <stddef.h>

struct adl_lua_source {
    const char *name;      /* module name: "adlua", "adlua.numpy", "adlua.datasets.iris" */
    const char *code;      /* Lua source text, not NUL-terminated by contract */
    size_t len;            /* bytes in code */
    const char *chunkname; /* "@lua/adlua/numpy.lua": tracebacks show the real path */
};

/* Generated; the array ends with an all-NULL entry that is not counted. */
extern const struct adl_lua_source adl_lua_sources[];
extern const int adl_lua_source_count;

/* The C half of the runtime (core/lua_module.c). */
int luaopen_adlua_core(lua_State *L);

/* Makes `require` find the runtime in L: package.preload gets "adlua.core"
 * (the C module linked into this binary) and a loader for every embedded Lua
 * module, so embedded copies win over files on LUA_PATH.
 *
 * Call it after luaL_openlibs(L): opening the standard libraries is the
 * caller's job (a host may want fewer). Only the package library is
 * required; it is opened here when the `package` global is missing.
 * Modules are compiled lazily, on their first require. */
void adlua_openlibs(lua_State *L);

#endif
