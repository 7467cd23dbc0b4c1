/* lua_memory.c: telling Lua's collector about the bytes the core holds.
 *
 * An array userdata is a pointer's worth of Lua memory in front of what
 * may be megabytes of core memory; the collector only sees the former, so
 * a loop that makes and drops big arrays would run far ahead of it.  Each
 * time the core's live bytes have grown by GC_STEP_BYTES since the last
 * step, the collector takes a step as if that growth had been Lua's own
 * allocation: it catches up in proportion to what was allocated. */
#include "lua_binding.h"

#include <limits.h>

#define GC_STEP_BYTES ((int64_t)4 << 20)

_Thread_local int64_t adl_lua_gc_mark = GC_STEP_BYTES;
static _Thread_local int64_t base; /* live bytes just after the last step */

void adl_lua_gc_step(lua_State *L) {
    int64_t debt_kb = (adl_live_bytes() - base) >> 10;
    if (debt_kb > 0)
        lua_gc(L, LUA_GCSTEP, debt_kb > INT_MAX ? INT_MAX : (int)debt_kb);
    base = adl_live_bytes();
    adl_lua_gc_mark = base + GC_STEP_BYTES;
}
