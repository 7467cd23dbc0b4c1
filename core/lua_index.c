/* lua_index.c: the binding of index arrays: core.take and core.take_add
 * (the gather and its scatter-add), used by np.take, x[idx],
 * np.index_update and np.index_add, and core.put, x[idx] = v
 * (lua/adlua/indexing.lua). */
#include <lauxlib.h>
#include <lua.h>

#include "gather.h"
#include "lua_binding.h"

/* The 0-based axis at idx (default: the first), for an array of ndim axes. */
static int check_axis(lua_State *L, int idx, const char *fname, int ndim) {
    int axis = 0;
    if (lua_isnoneornil(L, idx))
        return 0;
    int64_t a = adl_lua_checkint(L, idx, fname, "axis", -((int64_t)1 << 30), (int64_t)1 << 30);
    if (adl_normalize_axis(adl_lua_ctx(L), fname, a, ndim, &axis))
        adl_lua_raise(L, "%s", adl_lua_ctx(L)->msg);
    return axis;
}

static adl_array *push_positions(lua_State *L, const char *fname, adl_array *idx, int axis,
                                 int64_t size);

static int push_take(lua_State *L, adl_ctx *ctx, adl_array *x, adl_array *idx, int axis) {
    adl_array *pos = push_positions(L, "np.take", idx, axis, x->shape[axis]), *r = NULL;
    adl_lua_newslot(L);
    return adl_lua_finish(L, adl_take(ctx, x, pos, axis, &r), &r, "np.");
}

/* take(x, idx, axis): x's slices at the 1-based positions idx along axis. */
static int l_take(lua_State *L) {
    adl_ctx *ctx = adl_lua_ctx(L);
    adl_array *x = adl_lua_checkarray(L, 1, "np.take");
    adl_array *idx = adl_lua_checkarray(L, 2, "np.take");
    if (x->ndim == 0)
        adl_lua_raise(L, "np.take: a 0-d array cannot be indexed");
    int axis = check_axis(L, 3, "np.take", x->ndim);
    return push_take(L, ctx, x, idx, axis);
}

/* The positions of idx on an axis of `size`, anchored on the stack. */
static adl_array *push_positions(lua_State *L, const char *fname, adl_array *idx, int axis,
                                 int64_t size) {
    adl_ctx *ctx = adl_lua_ctx(L);
    adl_ud *u = adl_lua_newslot(L);
    adl_array *pos = NULL;
    if (adl_positions(ctx, fname, idx, axis, size, &pos))
        adl_lua_raise(L, "%s", ctx->msg);
    u->a = pos;
    return pos;
}

/* take_add(v, idx, axis, shape): zeros of shape plus v's slices added at
 * idx along axis (the adjoint of take, np.index_add's core). */
static int l_take_add(lua_State *L) {
    adl_ctx *ctx = adl_lua_ctx(L);
    adl_array *v = adl_lua_checkarray(L, 1, "np.index_add");
    adl_array *idx = adl_lua_checkarray(L, 2, "np.index_add");
    int64_t shape[ADL_MAX_DIMS];
    int nd = adl_lua_checkshape(L, 4, "np.index_add", shape, 0);
    if (nd == 0)
        adl_lua_raise(L, "np.index_add: a 0-d array cannot be indexed");
    int axis = check_axis(L, 3, "np.index_add", nd);
    adl_array *pos = push_positions(L, "np.index_add", idx, axis, shape[axis]), *r = NULL;
    adl_lua_newslot(L);
    return adl_lua_finish(L, adl_take_add(ctx, v, pos, axis, nd, shape, &r), &r, "np.");
}

/* put(x, idx, vals): x.flat[idx[j]] = vals[j] in place, in order (1-based
 * flat positions in C order; x[idx] = v with an index array or a mask,
 * lua/adlua/indexing.lua). */
static int l_put(lua_State *L) {
    adl_ctx *ctx = adl_lua_ctx(L);
    adl_array *x = adl_lua_toarray(L, 1); /* not converted: the write would be lost */
    if (!x)
        return adl_lua_raise(L, "setitem: expected an array to write into, got %s",
                             lua_typename(L, adl_lua_type(L, 1)));
    adl_array *plain = adl_lua_assignable(L, x);
    adl_array *idx = adl_lua_checkarray(L, 2, "setitem");
    adl_array *vals = adl_lua_checkarray(L, 3, "setitem");
    adl_array *pos = push_positions(L, "setitem", idx, 0, plain->size);
    if (adl_k_put(ctx, plain, pos, adl_value_read(ctx, vals)))
        adl_lua_raise(L, "%s", ctx->msg);
    return 0;
}

static const luaL_Reg funcs[] = {
    {"take", l_take}, {"take_add", l_take_add}, {"put", l_put}, {NULL, NULL}};

void adl_lua_open_index(lua_State *L) {
    adl_lua_setfuncs(L, funcs);
}
