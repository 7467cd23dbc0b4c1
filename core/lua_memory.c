/* lua_memory.c: telling Lua's collector about the bytes the core holds.
 *
 * An array userdata is a few bytes of Lua memory in front of what may be
 * megabytes of core memory; the collector only sees the former, so a loop
 * that makes and drops big arrays would run far ahead of it.  The rule is
 * Lua's own pause of 200%, applied to the core's bytes: when they reach
 * twice (plus a slack) what was live at the last check, a full collection
 * runs.  Its cost is that of the Lua heap, paid at most once per doubling
 * of the core's memory.  When the core's bytes fall below half of that
 * level (the collector freed arrays on its own), the level follows them
 * down. */
#include <lauxlib.h>
#include <lua.h>

#include "lua_binding.h"

#define GC_SLACK_BYTES ((int64_t)32 << 20)

_Thread_local int64_t adl_lua_gc_low = 0;
_Thread_local int64_t adl_lua_gc_mark = GC_SLACK_BYTES;

void adl_lua_gc_step(lua_State *L) {
    int64_t live = adl_live_bytes();
    if (live >= adl_lua_gc_mark) {
        lua_gc(L, LUA_GCCOLLECT, 0);
        live = adl_live_bytes();
    }
    adl_lua_gc_low = live / 2;
    adl_lua_gc_mark = live + (live > GC_SLACK_BYTES ? live : GC_SLACK_BYTES);
}
