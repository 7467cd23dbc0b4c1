/* lua_operators.c: the binding behind lua/adlua/operators.lua, custom.lua
 * and debug_nans: re-sweeping a tape, a user's primitive whose forward
 * computation and rule are Lua functions, and NaN debugging. */
#include <lauxlib.h>
#include <lua.h>

#include "lua_binding.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define HOST_KEY "adlua.host"

/* The core calls back into Lua (custom primitives, debug_nans) through the
 * state that is calling it now; that thread is anchored so that a pointer
 * kept in ctx->host never outlives it. */
static void set_host(lua_State *L) {
    adl_ctx *ctx = adl_lua_ctx(L);
    if (ctx->host == L)
        return;
    lua_pushthread(L);
    lua_setfield(L, LUA_REGISTRYINDEX, HOST_KEY);
    ctx->host = L;
}

static int l_trace_zero_grads(lua_State *L) {
    adl_trace_zero_grads(adl_lua_checktrace(L, 1));
    return 0;
}

/* trace_sweep(t, out, seed): trace_backward that may run a user's rules. */
static int l_trace_sweep(lua_State *L) {
    adl_trace *t = adl_lua_checktrace(L, 1);
    adl_array *out = adl_lua_toarray(L, 2);
    adl_array *seed = lua_isnoneornil(L, 3) ? NULL : adl_lua_checkarray(L, 3, "grad");
    if (!out)
        return 0;
    set_host(L);
    if (adl_trace_backward(adl_lua_ctx(L), t, out, seed)) {
        lua_pushstring(L, adl_lua_ctx(L)->msg); /* the message as it is: no position */
        return lua_error(L);
    }
    return 0;
}

/* One sweep of t per element of `out`, seeded with the unit vectors; the
 * gradients of `leaf` become the rows of a (out.size, leaf.size) matrix.
 * Returns 0 and leaves *rows NULL when a gradient is itself traced (an
 * outer derivative records the sweeps): the caller then assembles the rows
 * with traced operations. */
static adl_status sweep_rows(adl_ctx *ctx, adl_trace *t, adl_array *out, adl_array *leaf,
                             adl_array **rows) {
    int64_t m = out->size, n = leaf->size, shape[2] = {m, n};
    /* the rows are gradients: the leaf's dtype */
    adl_array *r = adl_array_alloc(ctx, "jacobian", leaf->dtype, 2, shape);
    if (!r)
        return ctx->status;
    size_t es = adl_dtype_size(leaf->dtype);
    *rows = NULL;
    for (int64_t i = 0; i < m; i++) {
        adl_array *seed = adl_array_zeros(ctx, "jacobian", out->dtype, out->ndim, out->shape);
        if (!seed)
            goto fail;
        if (seed->dtype == ADL_FLOAT32)
            ((float *)seed->buf->data)[i] = 1.0f;
        else
            adl_f64(seed)[i] = 1.0;
        adl_trace_zero_grads(t);
        adl_status st = adl_trace_backward(ctx, t, out, seed);
        adl_array_release(seed);
        adl_array *g = NULL, *c = NULL;
        if (st || adl_trace_grad(ctx, t, leaf, &g))
            goto fail;
        if (g->level != 0 || g->dtype != r->dtype) {
            adl_array_release(g);
            adl_array_release(r);
            return ADL_OK;
        }
        if (!adl_array_is_contiguous(g) && adl_k_copy(ctx, g, &c)) {
            adl_array_release(g);
            goto fail;
        }
        const adl_array *src = c ? c : g;
        memcpy((char *)r->buf->data + (size_t)(i * n) * es,
               (const char *)src->buf->data + (size_t)src->offset * es, es * (size_t)n);
        adl_array_release(c);
        adl_array_release(g);
    }
    *rows = r;
    return ADL_OK;
fail:
    adl_array_release(r);
    return ctx->status;
}

/* trace_rows(t, out, leaf): the matrix of sweep_rows, or nil. */
static int l_trace_rows(lua_State *L) {
    adl_trace *t = adl_lua_checktrace(L, 1);
    adl_array *out = adl_lua_toarray(L, 2), *leaf = adl_lua_toarray(L, 3);
    if (!out || !leaf)
        return adl_lua_raise(L, "jacobian: internal error: not an array");
    adl_ud *u = adl_lua_newslot(L);
    set_host(L);
    adl_array *rows = NULL;
    if (sweep_rows(adl_lua_ctx(L), t, out, leaf, &rows)) {
        lua_pushstring(L, adl_lua_ctx(L)->msg);
        return lua_error(L);
    }
    if (!rows)
        return 0;
    u->a = rows;
    return 1;
}

/* ---- custom primitives ---- */

typedef struct lua_custom {
    adl_custom c;
    int forward_ref, vjp_ref, jvp_ref; /* registry references to Lua functions */
    char name[64];
} lua_custom;

/* The value at the top as an array with its own reference (popped). */
static adl_status take_result(lua_State *L, adl_ctx *ctx, const char *name, adl_array **out) {
    adl_array *a = adl_lua_toarray(L, -1);
    if (a) {
        adl_array_retain(a);
        *out = a;
    } else if (adl_lua_type(L, -1) == LUA_TNUMBER) {
        *out = adl_array_scalar(ctx, lua_tonumber(L, -1));
        if (!*out) {
            lua_pop(L, 1);
            return ctx->status;
        }
    } else {
        const char *tn = luaL_typename(L, -1);
        lua_pop(L, 1);
        return adl_error(ctx, ADL_ERR_TYPE, "%s: must return an array or a number, got a %s", name,
                         tn);
    }
    lua_pop(L, 1);
    return ADL_OK;
}

/* Calls the function and arguments pushed by the caller; with nil_ok, a nil
 * result leaves *out NULL. */
static adl_status call_lua(lua_State *L, adl_ctx *ctx, const char *name, int nargs, int nil_ok,
                           adl_array **out) {
    if (lua_pcall(L, nargs, 1, 0) != 0) {
        const char *msg = lua_tostring(L, -1);
        adl_error(ctx, ADL_ERR_VALUE, "%s", msg ? msg : "error in a primitive");
        lua_pop(L, 1);
        return ADL_ERR_VALUE;
    }
    if (nil_ok && lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return ADL_OK;
    }
    return take_result(L, ctx, name, out);
}

static void push_array(lua_State *L, adl_array *a) {
    adl_array_retain(a);
    adl_lua_pusharray(L, a);
}

static adl_status custom_forward(adl_ctx *ctx, const adl_custom *c, int nin, adl_array *const *in,
                                 adl_array **out) {
    const lua_custom *lc = (const lua_custom *)c;
    lua_State *L = ctx->host;
    if (!L)
        return adl_error(ctx, ADL_ERR_INTERNAL, "%s: no Lua state to call", lc->name);
    if (!lua_checkstack(L, nin + 4))
        return adl_error(ctx, ADL_ERR_MEMORY, "%s: too many arguments", lc->name);
    lua_rawgeti(L, LUA_REGISTRYINDEX, lc->forward_ref);
    for (int i = 0; i < nin; i++)
        push_array(L, in[i]);
    return call_lua(L, ctx, lc->name, nin, 0, out);
}

/* Calls the rule under registry ref as rule(k, g, ans, x1, ..., xn) (k
 * 1-based); with nil_ok, a nil result leaves *out NULL. */
static adl_status call_rule(adl_ctx *ctx, const lua_custom *lc, int ref, int k, adl_array *g,
                            adl_array *ans, int nin, adl_array *const *in, int nil_ok,
                            adl_array **out) {
    lua_State *L = ctx->host;
    if (!L) /* a sweep started without trace_sweep */
        return adl_error(ctx, ADL_ERR_INTERNAL, "%s: no Lua state to call", lc->name);
    if (!lua_checkstack(L, nin + 6))
        return adl_error(ctx, ADL_ERR_MEMORY, "%s: too many arguments", lc->name);
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    lua_pushinteger(L, k + 1);
    push_array(L, g);
    push_array(L, ans);
    for (int i = 0; i < nin; i++)
        push_array(L, in[i]);
    return call_lua(L, ctx, lc->name, nin + 3, nil_ok, out);
}

/* The user's reverse rule for input k of node n. */
static adl_status custom_vjp(adl_ctx *ctx, const adl_custom *c, const adl_node *n, int k,
                             adl_array *g, adl_array **out) {
    const lua_custom *lc = (const lua_custom *)c;
    return call_rule(ctx, lc, lc->vjp_ref, k, g, n->out, n->nin, n->in, 0, out);
}

/* The user's forward rule for input k's tangent t; nil: none. */
static adl_status custom_jvp(adl_ctx *ctx, const adl_custom *c, int nin, adl_array *const *in,
                             adl_array *ans, int k, adl_array *t, adl_array **out) {
    const lua_custom *lc = (const lua_custom *)c;
    return call_rule(ctx, lc, lc->jvp_ref, k, t, ans, nin, in, 1, out);
}

/* custom_new(name, forward, rule, jvp_rule): a handle for custom_apply.  Handles are
 * anchored in the registry for the interpreter's life, because a tape may
 * still hold the operation after the Lua function that wrapped it is gone. */
static int l_custom_new(lua_State *L) {
    const char *name = luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    luaL_checktype(L, 3, LUA_TFUNCTION);
    luaL_checktype(L, 4, LUA_TFUNCTION);
    lua_custom *lc = lua_newuserdata(L, sizeof *lc);
    memset(lc, 0, sizeof *lc);
    lc->c.forward = custom_forward;
    lc->c.vjp = custom_vjp;
    lc->c.jvp = custom_jvp;
    lc->c.data = lc;
    snprintf(lc->name, sizeof lc->name, "%s", name);
    lua_pushvalue(L, 2);
    lc->forward_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pushvalue(L, 3);
    lc->vjp_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pushvalue(L, 4);
    lc->jvp_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pushvalue(L, -1);
    luaL_ref(L, LUA_REGISTRYINDEX);
    return 1;
}

/* custom_apply(handle, x1, ..., xn) */
static int l_custom_apply(lua_State *L) {
    lua_custom *lc = lua_touserdata(L, 1);
    if (!lc || adl_lua_type(L, 1) != LUA_TUSERDATA)
        return adl_lua_raise(L, "primitive: internal error: not a primitive");
    int nin = lua_gettop(L) - 1;
    if (nin < 1 || nin > 64)
        return adl_lua_raise(L, "%s: a primitive takes 1 to 64 array arguments, got %d", lc->name,
                             nin);
    adl_array *in[64];
    for (int i = 0; i < nin; i++)
        in[i] = adl_lua_checkarray(L, i + 2, lc->name);
    adl_lua_newslot(L);
    set_host(L);
    adl_array *r = NULL;
    return adl_lua_finish(L, adl_custom_apply(adl_lua_ctx(L), &lc->c, nin, in, &r), &r, "");
}

/* ---- NaN debugging ---- */

/* The first Lua frame outside adlua's own modules: the user's line. */
static void lua_where(void *host, char *buf, size_t size) {
    lua_State *L = host;
    lua_Debug ar;
    buf[0] = '\0';
    for (int level = 1; lua_getstack(L, level, &ar); level++) {
        if (!lua_getinfo(L, "Sl", &ar) || ar.currentline <= 0)
            continue;
        if (strstr(ar.source, "lua/adlua/"))
            continue;
        snprintf(buf, size, "%s:%d", ar.short_src, ar.currentline);
        return;
    }
}

/* debug_nans(on): returns the previous setting. */
static int l_debug_nans(lua_State *L) {
    adl_ctx *ctx = adl_lua_ctx(L);
    int was = ctx->debug_nans;
    if (!lua_isnone(L, 1)) {
        ctx->debug_nans = lua_toboolean(L, 1);
        ctx->where = lua_where;
        set_host(L);
    }
    lua_pushboolean(L, was);
    return 1;
}

/* live(x): x without the layers of traces that have ended (a plain 0-d
 * value becomes a number); values of live traces stay traced. */
static int l_live(lua_State *L) {
    adl_array *x = adl_lua_toarray(L, 1);
    adl_array *live = x ? adl_live(x) : NULL;
    if (!live || (live == x && (x->level > 0 || x->ndim > 0))) {
        lua_settop(L, 1);
        return 1;
    }
    adl_array_retain(live);
    adl_lua_pusharray(L, live);
    return 1;
}

/* Whether stderr is a terminal (optimizers show a progress bar there). */
static int l_stderr_is_terminal(lua_State *L) {
    lua_pushboolean(L, isatty(STDERR_FILENO));
    return 1;
}

static const luaL_Reg funcs[] = {{"stderr_is_terminal", l_stderr_is_terminal},
                                 {"live", l_live},
                                 {"trace_zero_grads", l_trace_zero_grads},
                                 {"trace_sweep", l_trace_sweep},
                                 {"trace_rows", l_trace_rows},
                                 {"custom_new", l_custom_new},
                                 {"custom_apply", l_custom_apply},
                                 {"debug_nans", l_debug_nans},
                                 {NULL, NULL}};

void adl_lua_open_operators(lua_State *L) {
    adl_lua_setfuncs(L, funcs);
}
