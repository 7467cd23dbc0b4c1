/* adlua.h: the C API for host applications that embed adlua.
 *
 *   cc host.c $(pkg-config --cflags --libs adlua)
 *
 * A host opens its own lua_State, calls adlua_openlibs(L), and from then on
 * `require "adlua"`, "adlua.numpy" ... work in that state with no LUA_PATH:
 * the Lua modules are compiled into the library. Arrays cross between C and
 * Lua without copying.
 *
 * Ownership, in one place:
 *  - adl_array_new and adl_array_wrap return an array holding ONE reference,
 *    owned by the caller, who gives it up with adl_array_release.
 *  - adlua_pusharray(L, a) makes Lua take its OWN reference: the caller
 *    still owns its reference afterwards and releases it when done.
 *  - adlua_toarray(L, idx) BORROWS: the pointer is valid while the Lua value
 *    is alive (e.g. on the stack); adl_array_retain it to keep it longer.
 *  - adl_array_wrap never copies: Lua reads and writes the host's memory,
 *    and views made from it in Lua (slices, transposes, reshapes) share it.
 *    release(ctx) runs exactly once, when the last reference, from C or from
 *    any view in Lua, goes away; the memory must stay valid until then.
 *
 * Errors: functions that can fail return NULL (or a nonzero status) and
 * leave a message for adl_errmsg(); nothing aborts the host. Lua code runs
 * through adlua_pcall, which returns the status and leaves the message with
 * its traceback on the stack.
 *
 * Threads: the library has no mutable global state. Each lua_State (with its
 * arrays) belongs to one thread at a time; several states run in parallel
 * threads. Reference counts are not atomic: do not share one array between
 * threads that retain or release it at the same time. A thread that used
 * adlua calls adl_thread_cleanup() before it exits, to free its caches.
 *
 * Builds against LuaJIT 2.1 (pkg-config luajit) and PUC Lua 5.4 (lua5.4):
 * adlua.pc requires the one the library was built with.
 */
#ifndef ADLUA_H
#define ADLUA_H

#include <lua.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ADLUA_VERSION_STRING "0.1.0"

/* The core's header defines the same types; a file may include both. */
#ifndef ADL_CORE_H
/* Element types. */
typedef enum { ADL_FLOAT64 = 0, ADL_FLOAT32 = 1 } adl_dtype;
/* An n-dimensional array (opaque). */
typedef struct adl_array adl_array;
#define ADL_MAX_DIMS 16
void adl_thread_cleanup(void);
#endif

/* ---- Lua ------------------------------------------------------------------ */

/* A new Lua state (as luaL_newstate, with its panic message and, under Lua
 * 5.4, its warning function) whose blocks of up to 256 bytes come from
 * adlua's size-class slabs: the allocator of the adlua program, 5-10%
 * faster than LuaJIT's on loops of small traced operations
 * (docs/performance.md). Where LuaJIT takes no allocator (built
 * without GC64) it is luaL_newstate's state. NULL when out of memory.
 * Close it with lua_close (or adlua_close): the allocator goes with it. */
lua_State *adlua_newstate(void);
/* lua_close(L), for any state (adlua_newstate's allocator goes with its
 * state: nothing more to free). */
void adlua_close(lua_State *L);

/* Makes `require` find the runtime in L ("adlua", "adlua.numpy",
 * "adlua.datasets" ...; the Lua sources and the C module are built into the
 * library), through package.preload. Call it after luaL_openlibs(L): the
 * modules use the base, table, string and math libraries, and io and os
 * for files, plots and progress bars. The package library is opened here
 * when missing. Sets no globals; modules load on their first require. */
void adlua_openlibs(lua_State *L);

/* lua_pcall(L, narg, nres) with a message handler: on error returns the
 * nonzero status of lua_pcall and leaves ONE string on the stack, the
 * message followed by "\nstack traceback:\n...". Error objects that are not
 * strings are turned into text (their __tostring, or their type). */
int adlua_pcall(lua_State *L, int narg, int nres);

/* Pushes a as a Lua array (nil when a is NULL). Lua takes its own
 * reference, released when the Lua value is collected: the caller keeps its
 * reference and still releases it. Like every adlua result, a 0-d array is
 * pushed as a Lua number. Requires "adlua.numpy" in L when it is not loaded
 * yet (arrays get their methods from it), so call adlua_openlibs(L) first.
 * Raises a Lua error only when that require fails or Lua runs out of
 * memory. */
void adlua_pusharray(lua_State *L, adl_array *a);

/* The array at stack index idx, BORROWED (no reference is taken), or NULL
 * when the value is not an adlua array. Arrays that a running `grad` is
 * tracing give their plain value. */
adl_array *adlua_toarray(lua_State *L, int idx);

/* ---- arrays without Lua ---------------------------------------------------- */

/* A new C-ordered array, filled with zeros; the caller owns its reference.
 * NULL (see adl_errmsg) for an unknown dtype, ndim outside [0, ADL_MAX_DIMS],
 * a NULL shape with ndim > 0, a negative dimension, a size that overflows,
 * or no memory. */
adl_array *adl_array_new(adl_dtype dtype, int ndim, const int64_t *shape);

/* An array over host memory `data` in C order, without copying; the caller
 * owns the returned reference. release(ctx) (release may be NULL) runs
 * exactly once, when the last reference goes away; it does not run when the
 * wrap fails. The same errors as adl_array_new, and NULL data. */
adl_array *adl_array_wrap(void *data, adl_dtype dtype, int ndim, const int64_t *shape,
                          void (*release)(void *ctx), void *ctx);

/* One more reference to a (NULL is ignored). */
void adl_array_retain(adl_array *a);
/* Gives up one reference; the last one frees the array (and runs a wrapped
 * array's release callback). NULL is ignored. */
void adl_array_release(adl_array *a);

/* Queries: a must not be NULL. The returned pointers live as long as a. */
adl_dtype adl_array_dtype(const adl_array *a);
int adl_array_ndim(const adl_array *a);
const int64_t *adl_array_shape(const adl_array *a);   /* ndim entries */
const int64_t *adl_array_strides(const adl_array *a); /* in elements, may be 0 or negative */
int64_t adl_array_size(const adl_array *a);           /* number of elements */
/* The first element (it may be inside a bigger buffer, for a view). Write
 * through it only to an array that no running `grad` has recorded. */
void *adl_array_data(adl_array *a);
/* 1 when the elements are contiguous in C order. */
int adl_array_is_contiguous(const adl_array *a);
/* "float64" or "float32". */
const char *adl_dtype_name(adl_dtype dtype);

/* The message of the calling thread's last failed adl_array_* call (empty
 * when none failed). Valid until that thread's next call. */
const char *adl_errmsg(void);

#ifdef __cplusplus
}
#endif

#endif
