/* lua_api.c: the public C API of include/adlua.h, for host applications.
 *
 * The array functions are the core's, with the error record kept per thread
 * (a host calls them without any interpreter); the Lua functions reach the
 * interpreter's context and array metatable through the registry, since a
 * host's call is not a binding closure with upvalues. */
#include <lauxlib.h>
#include <lua.h>

#include "adl_core.h"
#include "lua_binding.h"
#include "lua_embed.h"
#include "lua_run.h"

#include "adlua.h"
#include "small_alloc.h"

#include <stdio.h>
#include <string.h>

/* Thread-local, so threads that each own a lua_State never share it. */
static _Thread_local adl_ctx api_ctx;

const char *adl_errmsg(void) {
    return api_ctx.msg;
}

/* Checks what the core leaves to its callers: the dtype, and a shape
 * pointer that the core would read. */
static int check_args(const char *op, adl_dtype dtype, int ndim, const int64_t *shape) {
    adl_ctx_init(&api_ctx);
    if (dtype != ADL_FLOAT64 && dtype != ADL_FLOAT32) {
        adl_error(&api_ctx, ADL_ERR_TYPE, "%s: unknown dtype %d (ADL_FLOAT64 or ADL_FLOAT32)", op,
                  (int)dtype);
        return 0;
    }
    if (ndim > 0 && shape == NULL) {
        adl_error(&api_ctx, ADL_ERR_VALUE, "%s: shape is NULL for %d dimensions", op, ndim);
        return 0;
    }
    return 1;
}

adl_array *adl_array_new(adl_dtype dtype, int ndim, const int64_t *shape) {
    if (!check_args("array_new", dtype, ndim, shape))
        return NULL;
    return adl_array_zeros(&api_ctx, "array_new", dtype, ndim, shape);
}

adl_array *adl_array_wrap(void *data, adl_dtype dtype, int ndim, const int64_t *shape,
                          void (*release)(void *ctx), void *ctx) {
    if (!check_args("array_wrap", dtype, ndim, shape))
        return NULL;
    return adl_array_wrap_ctx(&api_ctx, data, dtype, ndim, shape, release, ctx);
}

adl_dtype adl_array_dtype(const adl_array *a) {
    return adl_array_value(a)->dtype;
}

int adl_array_ndim(const adl_array *a) {
    return a->ndim;
}

const int64_t *adl_array_shape(const adl_array *a) {
    return a->shape;
}

const int64_t *adl_array_strides(const adl_array *a) {
    return adl_array_value(a)->strides;
}

int64_t adl_array_size(const adl_array *a) {
    return a->size;
}

void *adl_array_data(adl_array *a) {
    const adl_array *v = adl_array_value(a);
    return (char *)v->buf->data + v->offset * (int64_t)adl_dtype_size(v->dtype);
}

int adlua_pcall(lua_State *L, int narg, int nres) {
    return adlua_pcall_traceback(L, narg, nres);
}

/* Pushes the array metatable. Arrays get their methods (x:sum() ...) from
 * adlua.numpy, so a state that has not required it yet requires it now. */
static void push_metatable(lua_State *L) {
    lua_getfield(L, LUA_REGISTRYINDEX, "_LOADED");
    lua_getfield(L, -1, "adlua.numpy");
    int loaded = lua_toboolean(L, -1);
    lua_pop(L, 2);
    if (!loaded) {
        lua_getglobal(L, "require");
        lua_pushliteral(L, "adlua.numpy");
        lua_call(L, 1, 0);
    }
    lua_getfield(L, LUA_REGISTRYINDEX, "adlua.array");
}

/* A closure with the binding's two upvalues, so that adl_lua_pusharray
 * (which reads them) runs as in any binding function. */
static int push_closure(lua_State *L) {
    adl_array *a = lua_touserdata(L, 1);
    lua_settop(L, 0);
    adl_array_retain(a);
    adl_lua_pusharray(L, a);
    return 1;
}

void adlua_pusharray(lua_State *L, adl_array *a) {
    if (a == NULL) {
        lua_pushnil(L);
        return;
    }
    push_metatable(L);
    lua_getfield(L, LUA_REGISTRYINDEX, ADL_LUA_CTX_KEY);
    lua_insert(L, -2);
    lua_pushcclosure(L, push_closure, 2);
    lua_pushlightuserdata(L, a);
    lua_call(L, 1, 1);
}

adl_array *adlua_toarray(lua_State *L, int idx) {
    adl_array *a = adl_lua_toarray(L, idx); /* boxes have a metatable of their own */
    return a ? (adl_array *)adl_array_value(a) : NULL;
}

/* ---- Lua states on the slab allocator ---- */

/* LuaJIT's lua_newstate refuses any allocator on 64-bit targets without
 * GC64 (saying so on stderr): the Makefile asks `luajit` (ADL_LUAJIT_GC64). */
#if LUA_VERSION_NUM >= 502 || ADL_LUAJIT_GC64
#define TAKES_ALLOCATOR 1
#else
#define TAKES_ALLOCATOR 0
#endif

#if TAKES_ALLOCATOR
/* What luaL_newstate's state says on an error outside any protected call. */
static int panic(lua_State *L) {
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "PANIC: unprotected error in call to Lua API (%s)\n", msg ? msg : "?");
    fflush(stderr);
    return 0;
}
#endif

#if LUA_VERSION_NUM >= 504
/* Lua 5.4's warn(), as luaL_newstate's state has it: off at first; the
 * control messages "@on" and "@off" switch it; a warning goes to stderr
 * after "Lua warning: ", its pieces (tocont) on one line. */
static void warn_off(void *ud, const char *msg, int tocont);
static void warn_on(void *ud, const char *msg, int tocont);

/* Whether msg was a control message (then obeyed). */
static int warn_control(lua_State *L, const char *msg, int tocont) {
    if (tocont || msg[0] != '@')
        return 0;
    if (strcmp(msg + 1, "off") == 0)
        lua_setwarnf(L, warn_off, L);
    else if (strcmp(msg + 1, "on") == 0)
        lua_setwarnf(L, warn_on, L);
    return 1;
}

static void warn_off(void *ud, const char *msg, int tocont) {
    warn_control(ud, msg, tocont);
}

/* The rest of a warning whose first piece is out. */
static void warn_more(void *ud, const char *msg, int tocont) {
    fputs(msg, stderr);
    if (tocont) {
        lua_setwarnf(ud, warn_more, ud);
    } else {
        fputs("\n", stderr);
        fflush(stderr);
        lua_setwarnf(ud, warn_on, ud);
    }
}

static void warn_on(void *ud, const char *msg, int tocont) {
    if (warn_control(ud, msg, tocont))
        return;
    fputs("Lua warning: ", stderr);
    warn_more(ud, msg, tocont);
}
#endif

lua_State *adlua_newstate(void) {
#if TAKES_ALLOCATOR
    adl_small_alloc *heap = adl_small_alloc_new();
    lua_State *L = heap ? lua_newstate(adl_small_realloc, heap) : NULL;
    if (L) {
        adl_small_alloc_go_with_state(heap); /* so that a plain lua_close frees it too */
        lua_atpanic(L, panic);
#if LUA_VERSION_NUM >= 504
        lua_setwarnf(L, warn_off, L);
#endif
        return L;
    }
    adl_small_alloc_delete(heap);
#endif
    return luaL_newstate();
}

void adlua_close(lua_State *L) {
    lua_close(L); /* the allocator of adlua_newstate's state goes with it */
}
