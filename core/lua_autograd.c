/* lua_autograd.c: the tracer's entry points for lua/adlua/init.lua, which
 * builds grad, elementwise_grad and value_and_grad on them. */
#include <lauxlib.h>
#include <lua.h>

#include "lua_binding.h"

/* A trace as Lua holds it (trace_begin, trace_begin_forward): t until
 * trace_end ends it, NULL after, so that a second end is a no-op instead of
 * a read of a trace its boxes may have freed meanwhile.  Recognised by size
 * and tag, as array userdata are. */
typedef struct trace_handle {
    const void *tag; /* &handle_tag */
    adl_trace *t;
} trace_handle;
static const char handle_tag;

static trace_handle *to_handle(lua_State *L, int idx) {
    trace_handle *h = lua_touserdata(L, idx);
    if (!h || adl_lua_type(L, idx) != LUA_TUSERDATA || lua_objlen(L, idx) != sizeof *h ||
        h->tag != &handle_tag)
        return NULL;
    return h;
}

/* The trace at idx: a handle of a live trace, or an ad.jit recording (a
 * light userdata, lua_jit.c). */
adl_trace *adl_lua_checktrace(lua_State *L, int idx) {
    trace_handle *h = to_handle(L, idx);
    if (h) {
        if (!h->t)
            adl_lua_raise(L, "grad: internal error: the trace has ended");
        return h->t;
    }
    adl_trace *t = lua_touserdata(L, idx);
    if (!t || adl_lua_type(L, idx) != LUA_TLIGHTUSERDATA)
        adl_lua_raise(L, "grad: internal error: not a trace");
    return t;
}

static int raise(lua_State *L) {
    return adl_lua_raise(L, "%s", adl_lua_ctx(L)->msg);
}

/* Opens a trace (forward: a forward trace) and pushes its handle and level.
 * The handle is made first: failing to make it leaves no trace open. */
static int begin(lua_State *L, adl_status (*open_fn)(adl_ctx *, adl_trace **)) {
    trace_handle *h = lua_newuserdata(L, sizeof *h);
    h->tag = &handle_tag;
    h->t = NULL;
    if (open_fn(adl_lua_ctx(L), &h->t))
        return raise(L);
    lua_pushinteger(L, adl_trace_level(h->t));
    return 2;
}

/* trace_begin(): a trace one level above the innermost live one, and its level. */
static int l_trace_begin(lua_State *L) {
    return begin(L, adl_trace_begin);
}

/* trace_begin_forward(): a forward trace (forward mode), and its level. */
static int l_trace_begin_forward(lua_State *L) {
    return begin(L, adl_trace_begin_forward);
}

/* trace_dual(t, x, v): x boxed on forward trace t with tangent v (x's
 * shape; converted to x's dtype). */
static int l_trace_dual(lua_State *L) {
    adl_trace *t = adl_lua_checktrace(L, 1);
    adl_array *x = adl_lua_checkarray(L, 2, "make_jvp");
    adl_array *v = adl_lua_checkarray(L, 3, "make_jvp"), *cast = NULL, *box = NULL;
    adl_ctx *ctx = adl_lua_ctx(L);
    if (!adl_shape_equal(x->ndim, x->shape, v->ndim, v->shape)) {
        char sx[256], sv[256];
        adl_shape_str(x->ndim, x->shape, sx, sizeof sx);
        adl_shape_str(v->ndim, v->shape, sv, sizeof sv);
        return adl_lua_raise(L, "make_jvp: the tangent has shape %s but the argument has shape %s",
                             sv, sx);
    }
    adl_ud *u = adl_lua_newslot(L);
    if (v->dtype != x->dtype) {
        if (adl_astype(ctx, v, x->dtype, &cast))
            return raise(L);
        v = cast;
    }
    adl_status st = adl_trace_dual(ctx, t, x, v, &box);
    adl_array_release(cast);
    if (st)
        return raise(L);
    u->a = box;
    return 1;
}

/* trace_leaf(t, x): x (array or number) boxed as an independent variable. */
static int l_trace_leaf(lua_State *L) {
    adl_trace *t = adl_lua_checktrace(L, 1);
    adl_array *x = adl_lua_checkarray(L, 2, "grad"), *box = NULL;
    adl_ud *u = adl_lua_newslot(L);
    if (adl_trace_leaf(adl_lua_ctx(L), t, x, &box))
        return raise(L);
    u->a = box;
    return 1;
}

static int l_trace_grad(lua_State *L) {
    adl_trace *t = adl_lua_checktrace(L, 1);
    adl_array *box = adl_lua_toarray(L, 2), *g = NULL;
    if (!box)
        return adl_lua_raise(L, "grad: internal error: not a box");
    adl_lua_newslot(L);
    return adl_lua_finish(L, adl_trace_grad(adl_lua_ctx(L), t, box, &g), &g, "");
}

/* trace_end(t): ends t; ending it again does nothing.  A handle forgets
 * its trace here, and a recording (a light userdata) is ended only while
 * it is the live one: neither reads a trace that its boxes' release may
 * have freed since.  A handle's trace still set with no trace live was
 * ended by ctx_gc (lua_module.c), at the state's close. */
static int l_trace_end(lua_State *L) {
    adl_ctx *ctx = adl_lua_ctx(L);
    trace_handle *h = to_handle(L, 1);
    adl_trace *t;
    if (h) {
        t = h->t;
        h->t = NULL;
        if (!t || !ctx->top)
            return 0;
    } else {
        t = adl_lua_checktrace(L, 1);
        if (t != ctx->recording)
            return 0;
    }
    adl_trace_end(ctx, t);
    if (ctx->depth == 0)
        adl_lua_anchor_release(L); /* its boxes may go now */
    return 0;
}

/* Whether x is recorded on trace t (its output depends on the leaves). */
static int l_on_trace(lua_State *L) {
    adl_trace *t = adl_lua_checktrace(L, 1);
    adl_array *x = adl_lua_toarray(L, 2);
    x = x ? adl_live(x) : NULL;
    lua_pushboolean(L, x && x->level > 0 && x->trace == t);
    return 1;
}

/* trace_level(x): the level of the innermost live trace x is traced on (1
 * for the outermost), 0 for a plain value, a number or anything else, nil
 * when that trace is the live ad.jit recording (checkpoint records f as
 * usual there). */
static int l_trace_level(lua_State *L) {
    adl_array *x = adl_lua_toarray(L, 1);
    x = x ? adl_live(x) : NULL;
    if (!x || x->level == 0)
        lua_pushinteger(L, 0);
    else if (x->trace == adl_lua_ctx(L)->recording)
        lua_pushnil(L);
    else
        lua_pushinteger(L, adl_trace_level(x->trace));
    return 1;
}

/* trace_unbox(t, x): x's value one level below t (x itself if t did not
 * record it); a plain 0-d value becomes a number. */
static int l_trace_unbox(lua_State *L) {
    adl_trace *t = adl_lua_checktrace(L, 1);
    adl_array *x = adl_lua_toarray(L, 2);
    adl_array *live = x ? adl_live(x) : NULL;
    if (!live || live->level == 0 || live->trace != t) {
        if (live && live != x) {
            adl_array_retain(live);
            adl_lua_pusharray(L, live);
            return 1;
        }
        lua_settop(L, 2);
        return 1;
    }
    adl_array_retain(live->inner);
    adl_lua_pusharray(L, live->inner);
    return 1;
}

static const luaL_Reg funcs[] = {{"trace_begin", l_trace_begin},
                                 {"trace_unbox", l_trace_unbox},
                                 {"trace_leaf", l_trace_leaf},
                                 {"trace_level", l_trace_level},
                                 {"trace_begin_forward", l_trace_begin_forward},
                                 {"trace_dual", l_trace_dual},
                                 {"trace_grad", l_trace_grad},
                                 {"trace_end", l_trace_end},
                                 {"on_trace", l_on_trace},
                                 {NULL, NULL}};

void adl_lua_open_autograd(lua_State *L) {
    adl_lua_setfuncs(L, funcs);
}
