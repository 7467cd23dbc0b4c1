/* lua_autograd.c: the tracer's entry points for lua/adlua/init.lua, which
 * builds grad, elementwise_grad and value_and_grad on them. */
#include <lauxlib.h>
#include <lua.h>

#include "lua_binding.h"

adl_trace *adl_lua_checktrace(lua_State *L, int idx) {
    adl_trace *t = lua_touserdata(L, idx);
    if (!t || lua_type(L, idx) != LUA_TLIGHTUSERDATA)
        adl_lua_raise(L, "grad: internal error: not a trace");
    return t;
}

static int raise(lua_State *L) {
    return adl_lua_raise(L, "%s", adl_lua_ctx(L)->msg);
}

static int l_trace_begin(lua_State *L) {
    adl_trace *t;
    if (adl_trace_begin(adl_lua_ctx(L), &t))
        return raise(L);
    lua_pushlightuserdata(L, t);
    lua_pushinteger(L, adl_trace_level(t));
    return 2;
}

/* trace_begin_forward(): a forward trace (forward mode), and its level. */
static int l_trace_begin_forward(lua_State *L) {
    adl_trace *t;
    if (adl_trace_begin_forward(adl_lua_ctx(L), &t))
        return raise(L);
    lua_pushlightuserdata(L, t);
    lua_pushinteger(L, adl_trace_level(t));
    return 2;
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

static int l_trace_end(lua_State *L) {
    adl_ctx *ctx = adl_lua_ctx(L);
    adl_trace_end(ctx, adl_lua_checktrace(L, 1));
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
                                 {"trace_begin_forward", l_trace_begin_forward},
                                 {"trace_dual", l_trace_dual},
                                 {"trace_grad", l_trace_grad},
                                 {"trace_end", l_trace_end},
                                 {"on_trace", l_on_trace},
                                 {NULL, NULL}};

void adl_lua_open_autograd(lua_State *L) {
    adl_lua_setfuncs(L, funcs);
}
