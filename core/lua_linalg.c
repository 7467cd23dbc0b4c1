/* lua_linalg.c: the C functions behind np.linalg (lua/adlua/linalg.lua
 * adds norm's orders on top).  Several results come back as several Lua
 * values: eigh -> w, v; svd -> u, s, vt; slogdet -> sign, logdet. */
#include <lauxlib.h>
#include <lua.h>

#include "linalg.h"
#include "lua_binding.h"

#include <string.h>

/* Pushes n empty result slots; fills them with fill_slots after the core
 * call, so that nothing is held across a call that can raise. */
static int push_slots(lua_State *L, int n) {
    for (int i = 0; i < n; i++)
        adl_lua_newslot(L);
    return lua_gettop(L) - n + 1;
}

/* Stores results[i] in slot first+i (a plain 0-d result becomes a number),
 * or raises the core's message after releasing them. */
static int fill_slots(lua_State *L, adl_status st, int first, int n, adl_array **results) {
    if (st != ADL_OK) {
        for (int i = 0; i < n; i++)
            adl_array_release(results[i]);
        return adl_lua_raise(L, "np.%s", adl_lua_ctx(L)->msg);
    }
    for (int i = 0; i < n; i++) {
        adl_array *a = results[i];
        if (a->level == 0 && a->ndim == 0) {
            lua_pushnumber(L, adl_array_get(a, NULL));
            adl_array_release(a);
            lua_replace(L, first + i);
        } else
            ((adl_ud *)lua_touserdata(L, first + i))->a = a;
    }
    lua_settop(L, first + n - 1);
    return n;
}

static int one(lua_State *L, const char *fname,
               adl_status (*fn)(adl_ctx *, adl_array *, adl_array **)) {
    adl_array *a = adl_lua_checkarray(L, 1, fname), *r = NULL;
    int first = push_slots(L, 1);
    return fill_slots(L, fn(adl_lua_ctx(L), a, &r), first, 1, &r);
}

static int l_inv(lua_State *L) {
    return one(L, "np.linalg.inv", adl_linalg_inv);
}
static int l_det(lua_State *L) {
    return one(L, "np.linalg.det", adl_linalg_det);
}
static int l_cholesky(lua_State *L) {
    return one(L, "np.linalg.cholesky", adl_linalg_cholesky);
}

static int l_solve(lua_State *L) {
    adl_array *a = adl_lua_checkarray(L, 1, "np.linalg.solve");
    adl_array *b = adl_lua_checkarray(L, 2, "np.linalg.solve"), *r = NULL;
    int first = push_slots(L, 1);
    return fill_slots(L, adl_linalg_solve(adl_lua_ctx(L), a, b, &r), first, 1, &r);
}

static int l_slogdet(lua_State *L) {
    adl_array *a = adl_lua_checkarray(L, 1, "np.linalg.slogdet"), *r[2] = {NULL, NULL};
    double sign = 0;
    int first = push_slots(L, 2);
    adl_ctx *ctx = adl_lua_ctx(L);
    adl_status st = adl_linalg_slogdet(ctx, a, &sign, &r[1]);
    if (st == ADL_OK && !(r[0] = adl_array_scalar(ctx, sign)))
        st = ctx->status;
    return fill_slots(L, st, first, 2, r);
}

static int l_eigh(lua_State *L) {
    adl_array *a = adl_lua_checkarray(L, 1, "np.linalg.eigh"), *r[2] = {NULL, NULL};
    if (!lua_isnoneornil(L, 2)) {
        const char *uplo = lua_tostring(L, 2);
        if (adl_lua_type(L, 2) != LUA_TSTRING || strcmp(uplo, "L") != 0)
            adl_lua_raise(L, "np.linalg.eigh: UPLO must be \"L\" (\"U\" is handled in linalg.lua)");
    }
    int first = push_slots(L, 2);
    return fill_slots(L, adl_linalg_eigh(adl_lua_ctx(L), a, &r[0], &r[1]), first, 2, r);
}

/* svd(a, full_matrices, compute_uv) or svd(a, {full_matrices=, compute_uv=}):
 * NumPy's defaults (true, true).  Full matrices differ from the reduced
 * ones only for a non-square a, and have no gradient there. */
static const char *const svd_options[] = {"full_matrices", "compute_uv", NULL};

static int l_svd(lua_State *L) {
    adl_array *a = adl_lua_checkarray(L, 1, "np.linalg.svd"), *r[3] = {NULL, NULL, NULL};
    int full = 1, uv = 1;
    if (adl_lua_type(L, 2) == LUA_TTABLE) {
        adl_lua_options(L, 2, "np.linalg.svd", svd_options);
        full = lua_isnil(L, -2) || lua_toboolean(L, -2);
        uv = lua_isnil(L, -1) || lua_toboolean(L, -1);
    } else {
        full = lua_isnoneornil(L, 2) || lua_toboolean(L, 2);
        uv = lua_isnoneornil(L, 3) || lua_toboolean(L, 3);
    }
    lua_settop(L, 1);
    if (a->ndim == 2 && a->shape[0] != a->shape[1] && full && uv) {
        if (a->level > 0)
            adl_lua_raise(L, "np.linalg.svd: the gradient of full_matrices=true is not defined "
                             "for a non-square matrix; pass full_matrices=false");
        int first = push_slots(L, 3);
        return fill_slots(L, adl_linalg_svd_full(adl_lua_ctx(L), a, &r[0], &r[1], &r[2]), first, 3,
                          r);
    }
    int first = push_slots(L, 3);
    adl_status st = adl_linalg_svd(adl_lua_ctx(L), a, &r[0], &r[1], &r[2]);
    if (st == ADL_OK && !uv) { /* s only */
        adl_array_release(r[0]);
        adl_array_release(r[2]);
        lua_settop(L, first);
        return fill_slots(L, st, first, 1, &r[1]);
    }
    return fill_slots(L, st, first, 3, r);
}

/* norm2(x, axis, keepdims): the 2-norm over the axes (nil: all). */
static int l_norm2(lua_State *L) {
    adl_array *a = adl_lua_checkarray(L, 1, "np.linalg.norm"), *r = NULL;
    int axes[ADL_MAX_DIMS];
    int naxes = adl_lua_checkaxes(L, 2, "np.linalg.norm", a->ndim, axes);
    int keepdims = lua_toboolean(L, 3);
    int first = push_slots(L, 1);
    return fill_slots(L, adl_linalg_norm2(adl_lua_ctx(L), a, naxes, axes, keepdims, &r), first, 1,
                      &r);
}

static const luaL_Reg funcs[] = {
    {"linalg_inv", l_inv},         {"linalg_solve", l_solve},       {"linalg_det", l_det},
    {"linalg_slogdet", l_slogdet}, {"linalg_cholesky", l_cholesky}, {"linalg_eigh", l_eigh},
    {"linalg_svd", l_svd},         {"linalg_norm2", l_norm2},       {NULL, NULL}};

void adl_lua_open_linalg(lua_State *L) {
    adl_lua_setfuncs(L, funcs);
}
