/* fuzz_ops.c: libFuzzer harness for the operation layer.
 *
 * One Lua state with the runtime lives for the whole run; each input goes
 * to ops_driver.lua's run(), which turns it into calls of np functions,
 * methods, operators, indexing and grad with valid and invalid arguments.
 * A crash or sanitizer report is a finding, and so is a "fuzz: ..." error
 * from the driver (a Lua error inside the library, arrays left alive):
 * those abort, so that libFuzzer saves the input. */
#include <lauxlib.h>
#include <lua.h>

#include "adlua.h"
#include "lua_embed.h"

#include <lualib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef FUZZ_DRIVER_DIR
#define FUZZ_DRIVER_DIR "tests/fuzz"
#endif

static lua_State *L;
static int run_ref;

static void init(void) {
    L = adlua_newstate(); /* the program's state: its slab allocator too */
    luaL_openlibs(L);
    adlua_openlibs(L);
    const char *code = "package.path = ... .. '/?.lua;' .. package.path\n"
                       "return require('ops_driver').run";
    if (luaL_loadstring(L, code) != 0) {
        fprintf(stderr, "fuzz_ops: %s\n", lua_tostring(L, -1));
        abort();
    }
    lua_pushstring(L, FUZZ_DRIVER_DIR);
    if (lua_pcall(L, 1, 1, 0) != 0) {
        fprintf(stderr, "fuzz_ops: loading the driver: %s\n", lua_tostring(L, -1));
        abort();
    }
    run_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!L)
        init();
    lua_rawgeti(L, LUA_REGISTRYINDEX, run_ref);
    lua_pushlstring(L, (const char *)data, size);
    if (lua_pcall(L, 1, 0, 0) != 0) {
        fprintf(stderr, "fuzz_ops: %s\n", lua_tostring(L, -1));
        abort();
    }
    return 0;
}
