/* lua_numpy.c: the C functions behind the `adlua.numpy` namespace.
 * Errors are raised as "np.<name>: ..." with 1-based axes. */
#include <lauxlib.h>
#include <lua.h>

#include "lua_binding.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The dtype string at idx ("float64" when absent). */
static adl_dtype check_dtype(lua_State *L, int idx, const char *fname) {
    if (lua_isnoneornil(L, idx))
        return ADL_FLOAT64;
    const char *d = adl_lua_type(L, idx) == LUA_TSTRING ? lua_tostring(L, idx) : NULL;
    if (d && !strcmp(d, "float64"))
        return ADL_FLOAT64;
    if (d && !strcmp(d, "float32"))
        return ADL_FLOAT32;
    return (adl_dtype)adl_lua_raise(L, "%s: unknown dtype %s (use \"float64\" or \"float32\")",
                                    fname, d ? d : luaL_typename(L, idx));
}

/* `r` is read after `st` was computed: the callers pass the call itself. */
static int finish(lua_State *L, adl_status st, adl_array **r) {
    return adl_lua_finish(L, st, r, "np.");
}

/* finish for the creators that compute in float64: converts the result to
 * dtype dt first. */
static int finish_as(lua_State *L, adl_status st, adl_array **r, adl_dtype dt) {
    if (st == ADL_OK && dt != (*r)->dtype) {
        adl_array *c = NULL;
        st = adl_k_astype(adl_lua_ctx(L), *r, dt, &c);
        adl_array_release(*r);
        *r = c;
    }
    return finish(L, st, r);
}

/* A trailing dtype string after the last argument: its dtype, and the
 * number of arguments before it. */
static adl_dtype trailing_dtype(lua_State *L, const char *fname, int *nargs) {
    int n = lua_gettop(L);
    while (n > 0 && lua_isnil(L, n))
        n--;
    adl_dtype dt = ADL_FLOAT64;
    if (n >= 1 && adl_lua_type(L, n) == LUA_TSTRING)
        dt = check_dtype(L, n--, fname);
    lua_settop(L, n);
    *nargs = n;
    return dt;
}

/* ---- creation ---- */

/* np.array of a traced array: a differentiable copy, as autograd's. */
static int traced_copy(lua_State *L, adl_array *a, adl_dtype dt) {
    adl_array *r = NULL;
    adl_lua_newslot(L);
    return finish(L, adl_astype(adl_lua_ctx(L), a, dt, &r), &r);
}

static const char *const array_options[] = {"dtype", NULL};

static int l_array(lua_State *L) {
    if (adl_lua_type(L, 2) == LUA_TTABLE) { /* np.array(t, {dtype = ...}) */
        adl_lua_options(L, 2, "np.array", array_options);
        lua_replace(L, 2);
    }
    adl_dtype dt = check_dtype(L, 2, "np.array");
    adl_array *a = adl_lua_toarray(L, 1), *r = NULL;
    if (!a) {
        if (adl_lua_type(L, 1) != LUA_TNUMBER && adl_lua_type(L, 1) != LUA_TTABLE)
            adl_lua_raise(L, "np.array: expected a number or a nested table of numbers, got %s",
                          luaL_typename(L, 1));
        int f32 = 0; /* NumPy's np.array([a32, b32]) is float32, a number makes it float64 */
        if (adl_lua_type(L, 1) == LUA_TTABLE || dt != ADL_FLOAT64)
            a = adl_lua_table_array(L, 1, "np.array", &f32); /* converts in place */
        if (f32 && lua_isnoneornil(L, 2))
            dt = ADL_FLOAT32;
        lua_settop(L, 1);
        if (dt == ADL_FLOAT64)
            return 1;
        if (__builtin_expect(adl_live(a)->level > 0, 0)) /* a table of traced values */
            return traced_copy(L, a, dt);
        /* the float64 conversion, converted again: a number gives a 0-d array */
        adl_lua_newslot(L);
        adl_ctx *ctx = adl_lua_ctx(L);
        adl_status st = adl_k_astype(ctx, a, dt, &r);
        if (st)
            adl_lua_raise(L, "np.%s", ctx->msg);
        ((adl_ud *)lua_touserdata(L, -1))->a = r;
        return 1;
    }
    if (lua_isnoneornil(L, 2))
        dt = a->dtype; /* an array keeps its dtype, as in NumPy */
    if (adl_live(a)->level > 0)
        return traced_copy(L, a, dt);
    const adl_array *v = adl_value_read(adl_lua_ctx(L), a);
    adl_lua_newslot(L);
    return finish(L, adl_k_astype(adl_lua_ctx(L), v, dt, &r), &r);
}

static int filled(lua_State *L, const char *fname, double v, int dtype_idx) {
    adl_ctx *ctx = adl_lua_ctx(L);
    int64_t shape[ADL_MAX_DIMS];
    int nd = adl_lua_checkshape(L, 1, fname, shape, 0);
    adl_dtype dt = check_dtype(L, dtype_idx, fname);
    adl_lua_newslot(L);
    adl_array *r = adl_array_alloc(ctx, fname + 3, dt, nd, shape);
    if (r)
        adl_k_fill(r, v);
    return finish(L, r ? ADL_OK : ctx->status, &r);
}

static int l_zeros(lua_State *L) {
    return filled(L, "np.zeros", 0.0, 2);
}
static int l_ones(lua_State *L) {
    return filled(L, "np.ones", 1.0, 2);
}
static int l_empty(lua_State *L) {
    return filled(L, "np.empty", 0.0, 2);
}
static double check_number(lua_State *L, int idx, const char *fname, const char *what) {
    if (adl_lua_type(L, idx) != LUA_TNUMBER)
        adl_lua_raise(L, "%s: %s must be a number, got %s", fname, what, luaL_typename(L, idx));
    return lua_tonumber(L, idx);
}

static int l_full(lua_State *L) {
    return filled(L, "np.full", check_number(L, 2, "np.full", "fill_value"), 3);
}

static int l_arange(lua_State *L) {
    int n;
    adl_dtype dt = trailing_dtype(L, "np.arange", &n);
    if (n < 1 || n > 3)
        adl_lua_raise(L, "np.arange: expected (stop), (start, stop) or (start, stop, step)");
    double start = 0, stop, step = 1;
    if (n == 1)
        stop = check_number(L, 1, "np.arange", "stop");
    else {
        start = check_number(L, 1, "np.arange", "start");
        stop = check_number(L, 2, "np.arange", "stop");
        if (n == 3)
            step = check_number(L, 3, "np.arange", "step");
    }
    adl_array *r = NULL;
    adl_lua_newslot(L);
    return finish_as(L, adl_k_arange(adl_lua_ctx(L), start, stop, step, &r), &r, dt);
}

static int l_linspace(lua_State *L) {
    int nargs;
    adl_dtype dt = trailing_dtype(L, "np.linspace", &nargs);
    double start = check_number(L, 1, "np.linspace", "start");
    double stop = check_number(L, 2, "np.linspace", "stop");
    int64_t num =
        lua_isnoneornil(L, 3) ? 50 : adl_lua_checkint(L, 3, "np.linspace", "num", 0, ADL_MAX_SIZE);
    int endpoint = lua_isnoneornil(L, 4) ? 1 : lua_toboolean(L, 4);
    adl_array *r = NULL;
    adl_lua_newslot(L);
    return finish_as(L, adl_k_linspace(adl_lua_ctx(L), start, stop, num, endpoint, &r), &r, dt);
}

static int l_eye(lua_State *L) {
    int nargs;
    adl_dtype dt = trailing_dtype(L, "np.eye", &nargs);
    int64_t n = adl_lua_checkint(L, 1, "np.eye", "N", 0, ADL_MAX_SIZE);
    int64_t m = lua_isnoneornil(L, 2) ? n : adl_lua_checkint(L, 2, "np.eye", "M", 0, ADL_MAX_SIZE);
    int64_t k = lua_isnoneornil(L, 3)
                    ? 0
                    : adl_lua_checkint(L, 3, "np.eye", "k", -ADL_MAX_SIZE, ADL_MAX_SIZE);
    adl_array *r = NULL;
    adl_lua_newslot(L);
    return finish_as(L, adl_k_eye(adl_lua_ctx(L), n, m, k, &r), &r, dt);
}

/* x:astype(dtype): a converted copy, differentiable. */
static int l_astype(lua_State *L) {
    adl_array *a = adl_lua_checkarray(L, 1, "astype"), *r = NULL;
    if (lua_isnoneornil(L, 2))
        adl_lua_raise(L, "astype: expected a dtype (\"float64\" or \"float32\")");
    adl_dtype dt = check_dtype(L, 2, "astype");
    adl_lua_newslot(L);
    return finish(L, adl_astype(adl_lua_ctx(L), a, dt, &r), &r);
}

/* ---- elementwise ---- */

/* flatten: as arith in lua_array.c, the slot and the anchor inlined */
static __attribute__((flatten)) int unary(lua_State *L, adl_opcode op, const char *fname) {
    adl_ctx *ctx;
    adl_array *a = adl_lua_checkarray_ctx(L, 1, fname, &ctx), *r = NULL;
    adl_ud *u = adl_lua_newslot_for(L, ctx, a, NULL);
    return adl_lua_finish_slot(L, u, adl_unary(ctx, op, a, &r), &r, "np.");
}

#define UNARY(fn, OP)                            \
    static int l_##fn(lua_State *L) {            \
        return unary(L, ADL_OP_##OP, "np." #fn); \
    }
UNARY(negative, NEG)
UNARY(exp, EXP)
UNARY(log, LOG)
UNARY(log1p, LOG1P)
UNARY(sqrt, SQRT)
UNARY(sin, SIN)
UNARY(cos, COS)
UNARY(tan, TAN)
UNARY(tanh, TANH)
UNARY(abs, ABS)
UNARY(square, SQUARE)
/* core NumPy breadth (issue 3) */
UNARY(expm1, EXPM1)
UNARY(log2, LOG2)
UNARY(log10, LOG10)
UNARY(arcsin, ARCSIN)
UNARY(arccos, ARCCOS)
UNARY(arctan, ARCTAN)
UNARY(exp2, EXP2)
UNARY(sinh, SINH)
UNARY(cosh, COSH)
UNARY(arcsinh, ARCSINH)
UNARY(arccosh, ARCCOSH)
UNARY(arctanh, ARCTANH)

/* floor, ceil, rint: constants (zero derivative, as in autograd). */
static int constant_unary(lua_State *L, adl_unary_op op, const char *fname) {
    adl_array *a = adl_lua_checkarray(L, 1, fname), *r = NULL;
    adl_lua_newslot(L);
    return finish(L, adl_constant_unary(adl_lua_ctx(L), op, a, &r), &r);
}
static int l_np_floor(lua_State *L) {
    return constant_unary(L, ADL_U_FLOOR, "np.floor");
}
static int l_ceil(lua_State *L) {
    return constant_unary(L, ADL_U_CEIL, "np.ceil");
}
static int l_rint(lua_State *L) {
    return constant_unary(L, ADL_U_RINT, "np.rint");
}

static int binary(lua_State *L, adl_opcode op, const char *fname) {
    adl_array *a = adl_lua_checkarray(L, 1, fname);
    adl_array *b = adl_lua_checkarray(L, 2, fname), *r = NULL;
    adl_lua_newslot(L);
    return finish(L, adl_binary(adl_lua_ctx(L), op, a, b, &r), &r);
}

#define BINARY(fn, OP)                            \
    static int l_##fn(lua_State *L) {             \
        return binary(L, ADL_OP_##OP, "np." #fn); \
    }
BINARY(add, ADD)
BINARY(subtract, SUB)
BINARY(multiply, MUL)
BINARY(divide, DIV)
BINARY(power, POW)
BINARY(maximum, MAXIMUM)
BINARY(minimum, MINIMUM)
BINARY(arctan2, ARCTAN2) /* core NumPy breadth (issue 3) */
BINARY(mod, MOD)
BINARY(hypot, HYPOT)

static int compare(lua_State *L, adl_binary_op op, const char *fname) {
    adl_array *a = adl_lua_checkarray(L, 1, fname);
    adl_array *b = adl_lua_checkarray(L, 2, fname), *r = NULL;
    adl_lua_newslot(L);
    return finish(L, adl_compare(adl_lua_ctx(L), op, a, b, &r), &r);
}

#define COMPARE(fn, OP)                           \
    static int l_##fn(lua_State *L) {             \
        return compare(L, ADL_B_##OP, "np." #fn); \
    }
COMPARE(less, LT)
COMPARE(less_equal, LE)
COMPARE(greater, GT)
COMPARE(greater_equal, GE)
COMPARE(equal, EQ)
COMPARE(not_equal, NE)

static int l_sign(lua_State *L) {
    adl_array *a = adl_lua_checkarray(L, 1, "np.sign"), *r = NULL;
    adl_lua_newslot(L);
    return finish(L, adl_sign(adl_lua_ctx(L), a, &r), &r);
}

static int l_where(lua_State *L) {
    adl_array *c = adl_lua_checkarray(L, 1, "np.where");
    adl_array *a = adl_lua_checkarray(L, 2, "np.where");
    adl_array *b = adl_lua_checkarray(L, 3, "np.where"), *r = NULL;
    adl_lua_newslot(L);
    return finish(L, adl_where(adl_lua_ctx(L), c, a, b, &r), &r);
}

/* ---- reductions ---- */

static const char *const reduction_options[] = {"axis", "keepdims", NULL};

/* A table of axes {1, 2} with other keys too ({1, keepdims = true}) would
 * lose them silently. */
static void check_axis_table(lua_State *L, const char *fname) {
    lua_Number n = (lua_Number)lua_objlen(L, 2);
    lua_pushnil(L);
    while (lua_next(L, 2)) {
        lua_pop(L, 1);
        lua_Number k = adl_lua_type(L, -1) == LUA_TNUMBER ? lua_tonumber(L, -1) : 0;
        if (!(k >= 1 && k <= n && k == (lua_Number)(int64_t)k)) {
            if (adl_lua_type(L, -1) == LUA_TSTRING)
                adl_lua_raise(L,
                              "%s: a table of axes cannot hold the option '%s' (give the options "
                              "in a table of their own, last)",
                              fname, lua_tostring(L, -1));
            adl_lua_raise(L, "%s: a table of axes has a key that is not a position 1..%d", fname,
                          (int)n);
        }
    }
}

/* reduction_args with a table among the arguments, read as the Lua
 * reductions' parser reads it (argcheck.lua signature): a table last is the
 * options; before another argument, {} is an empty list of axes (NumPy's
 * axis=(), which reduces nothing). */
static __attribute__((noinline)) int reduction_table_args(lua_State *L, const char *fname,
                                                          adl_array *a, int *axes, int *keepdims) {
    int t2 = adl_lua_type(L, 2), t3 = adl_lua_type(L, 3);
    int listed = t2 == LUA_TTABLE && lua_objlen(L, 2) != 0; /* {1, 2} */
    int opts = t3 == LUA_TTABLE ? 3 : t3 <= LUA_TNIL && t2 == LUA_TTABLE && !listed ? 2 : 0;
    if (listed) {
        check_axis_table(L, fname);
    } else if (t2 == LUA_TTABLE && opts != 2) {
        lua_pushnil(L);
        if (lua_next(L, 2)) /* (x, {axis = 1}, true) */
            adl_lua_raise(L, "%s: the options table must be the last argument, got a %s after it",
                          fname, luaL_typename(L, 3));
    }
    if (opts) {
        adl_lua_options(L, opts, fname, reduction_options); /* axis, keepdims */
        *keepdims = lua_toboolean(L, -1);
        lua_pop(L, 1);
        if (opts == 3 && !lua_isnil(L, -1) && !lua_isnil(L, 2))
            adl_lua_raise(L, "%s: axis given twice (as argument 2 and as an option)", fname);
        if (opts == 2 || !lua_isnil(L, -1))
            lua_replace(L, 2);
        lua_settop(L, 2);
    } else
        *keepdims = lua_toboolean(L, 3);
    return adl_lua_checkaxes(L, 2, fname, a->ndim, axes);
}

/* (x, axis, keepdims), (x, {axis = ..., keepdims = ...}) or (x, axis,
 * {keepdims = ...}).  Without a table: no more work than before options. */
static int reduction_args(lua_State *L, const char *fname, adl_array *a, int *axes, int *keepdims) {
    *keepdims = lua_toboolean(L, 3);
    if (adl_lua_type(L, 2) == LUA_TTABLE || (*keepdims && adl_lua_type(L, 3) == LUA_TTABLE))
        return reduction_table_args(L, fname, a, axes, keepdims);
    return adl_lua_checkaxes(L, 2, fname, a->ndim, axes);
}

static int reduce(lua_State *L, adl_opcode op, const char *fname) {
    adl_array *a = adl_lua_checkarray(L, 1, fname), *r = NULL;
    int axes[ADL_MAX_DIMS], keepdims;
    int naxes = reduction_args(L, fname, a, axes, &keepdims);
    adl_lua_newslot(L);
    return finish(L, adl_reduce(adl_lua_ctx(L), op, a, naxes, axes, keepdims, &r), &r);
}

static int l_sum(lua_State *L) {
    return reduce(L, ADL_OP_SUM, "np.sum");
}
static int l_max(lua_State *L) {
    return reduce(L, ADL_OP_MAX, "np.max");
}
static int l_min(lua_State *L) {
    return reduce(L, ADL_OP_MIN, "np.min");
}

static int l_mean(lua_State *L) {
    adl_array *a = adl_lua_checkarray(L, 1, "np.mean"), *r = NULL;
    int axes[ADL_MAX_DIMS], keepdims;
    int naxes = reduction_args(L, "np.mean", a, axes, &keepdims);
    adl_lua_newslot(L);
    return finish(L, adl_mean(adl_lua_ctx(L), a, naxes, axes, keepdims, &r), &r);
}

/* ---- linear algebra ---- */

/* dot of operands with more than 2 axes: NumPy's sum over the last axis of
 * a and the second-to-last of b (the only one of a 1-d b), which is
 * np.tensordot(a, b, {{a.ndim}, {k}}) (adlua.numpy, in Lua). */
static int dot_nd(lua_State *L, const adl_array *a, const adl_array *b) {
    int ka = a->ndim, kb = b->ndim >= 2 ? b->ndim - 1 : 1;
    if (a->shape[ka - 1] != b->shape[kb - 1]) {
        char sa[256], sb[256];
        adl_shape_str(a->ndim, a->shape, sa, sizeof sa);
        adl_shape_str(b->ndim, b->shape, sb, sizeof sb);
        return adl_lua_raise(
            L, "np.dot: shapes %s and %s not aligned: %lld (axis %d) ~= %lld (axis %d)", sa, sb,
            (long long)a->shape[ka - 1], ka, (long long)b->shape[kb - 1], kb);
    }
    lua_getfield(L, LUA_REGISTRYINDEX, "_LOADED");
    lua_getfield(L, -1, "adlua.numpy");
    lua_getfield(L, -1, "tensordot");
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    lua_createtable(L, 2, 0);
    lua_createtable(L, 1, 0);
    lua_pushinteger(L, ka);
    lua_rawseti(L, -2, 1);
    lua_rawseti(L, -2, 1);
    lua_createtable(L, 1, 0);
    lua_pushinteger(L, kb);
    lua_rawseti(L, -2, 1);
    lua_rawseti(L, -2, 2);
    lua_call(L, 3, 1);
    return 1;
}

static int l_dot(lua_State *L) {
    adl_ctx *ctx;
    adl_array *a = adl_lua_checkarray_ctx(L, 1, "np.dot", &ctx);
    adl_array *b = adl_lua_checkarray(L, 2, "np.dot"), *r = NULL;
    if ((a->ndim > 2 || b->ndim > 2) && a->ndim > 0 && b->ndim > 0)
        return dot_nd(L, a, b);
    adl_ud *u = adl_lua_newslot_for(L, ctx, a, b);
    return adl_lua_finish_slot(L, u, adl_dot(ctx, a, b, &r), &r, "np.");
}

static int l_matmul(lua_State *L) {
    adl_array *a = adl_lua_checkarray(L, 1, "np.matmul");
    adl_array *b = adl_lua_checkarray(L, 2, "np.matmul"), *r = NULL;
    if (a->ndim == 0 || b->ndim == 0)
        adl_lua_raise(L,
                      "np.matmul: input operand %d does not have enough dimensions (a 0-d "
                      "operand; use * to multiply by a scalar)",
                      a->ndim == 0 ? 1 : 2);
    adl_lua_newslot(L);
    adl_ctx *ctx = adl_lua_ctx(L);
    adl_status st = adl_dot(ctx, a, b, &r);
    if (st && !strncmp(ctx->msg, "dot:", 4))
        return adl_lua_raise(L, "np.matmul:%s", ctx->msg + 4);
    return finish(L, st, &r);
}

static int l_outer(lua_State *L) {
    adl_ctx *ctx = adl_lua_ctx(L);
    adl_array *a = adl_lua_checkarray(L, 1, "np.outer");
    adl_array *b = adl_lua_checkarray(L, 2, "np.outer");
    int64_t sa[2] = {a->size, 1}, sb[2] = {1, b->size};
    adl_array *ca = NULL, *rb = NULL, *r = NULL;
    adl_lua_newslot(L);
    adl_status st = adl_reshape(ctx, "outer", a, 2, sa, &ca);
    if (st == ADL_OK)
        st = adl_reshape(ctx, "outer", b, 2, sb, &rb);
    if (st == ADL_OK)
        st = adl_binary(ctx, ADL_OP_MUL, ca, rb, &r);
    adl_array_release(ca);
    adl_array_release(rb);
    return finish(L, st, &r);
}

/* ---- shapes ---- */

static int l_reshape(lua_State *L) {
    adl_array *a = adl_lua_checkarray(L, 1, "np.reshape"), *r = NULL;
    int64_t shape[ADL_MAX_DIMS];
    int nd = adl_lua_checkshape(L, 2, "np.reshape", shape, 1);
    adl_lua_newslot(L);
    return finish(L, adl_reshape(adl_lua_ctx(L), "reshape", a, nd, shape, &r), &r);
}

static int l_transpose(lua_State *L) {
    adl_array *a = adl_lua_checkarray(L, 1, "np.transpose"), *r = NULL;
    int perm[ADL_MAX_DIMS], *p = NULL;
    if (!lua_isnoneornil(L, 2)) {
        if (adl_lua_type(L, 2) != LUA_TTABLE || (int)lua_objlen(L, 2) != a->ndim)
            adl_lua_raise(L, "np.transpose: axes must be a table listing each of the %d axes once",
                          a->ndim);
        for (int i = 0; i < a->ndim; i++) {
            lua_rawgeti(L, 2, i + 1);
            int64_t ax = adl_lua_checkint(L, -1, "np.transpose", "axis", -a->ndim, a->ndim);
            lua_pop(L, 1);
            if (adl_normalize_axis(adl_lua_ctx(L), "np.transpose", ax, a->ndim, &perm[i]))
                adl_lua_raise(L, "%s", adl_lua_ctx(L)->msg);
        }
        p = perm;
    }
    adl_lua_newslot(L);
    return finish(L, adl_transpose(adl_lua_ctx(L), a, p, &r), &r);
}

/* The arrays of the table at idx, converted in place, into a malloc-free
 * stack-anchored list: the table keeps them alive. */
static int sequence(lua_State *L, int idx, const char *fname, adl_array **out, int max) {
    if (adl_lua_type(L, idx) != LUA_TTABLE)
        adl_lua_raise(L, "%s: expected a table of arrays, got %s", fname, luaL_typename(L, idx));
    int n = (int)lua_objlen(L, idx);
    if (n == 0)
        adl_lua_raise(L, "%s: need at least one array to join", fname);
    if (n > max)
        adl_lua_raise(L, "%s: at most %d arrays can be joined at once", fname, max);
    for (int i = 0; i < n; i++) {
        lua_rawgeti(L, idx, i + 1);
        adl_lua_checkarray(L, -1, fname);
        lua_rawseti(L, idx, i + 1); /* converted numbers and tables stay anchored */
    }
    for (int i = 0; i < n; i++) {
        lua_rawgeti(L, idx, i + 1);
        out[i] = adl_lua_toarray(L, -1);
        lua_pop(L, 1);
    }
    return n;
}

#define MAX_JOIN 4096

static const char *const join_options[] = {"axis", NULL};

static int join(lua_State *L, const char *fname, int stack) {
    adl_ctx *ctx = adl_lua_ctx(L);
    lua_settop(L, 2);
    if (adl_lua_type(L, 2) == LUA_TTABLE) { /* np.concatenate(arrays, {axis = 2}) */
        adl_lua_options(L, 2, fname, join_options);
        lua_replace(L, 2);
    }
    lua_createtable(L, 0, 0); /* a copy of the list, so the caller's table is left alone */
    int n0 = adl_lua_type(L, 1) == LUA_TTABLE ? (int)lua_objlen(L, 1) : 0;
    for (int i = 1; i <= n0; i++) {
        lua_rawgeti(L, 1, i);
        lua_rawseti(L, 3, i);
    }
    if (adl_lua_type(L, 1) != LUA_TTABLE)
        adl_lua_raise(L, "%s: expected a table of arrays, got %s", fname, luaL_typename(L, 1));
    adl_array **arrays = lua_newuserdata(L, sizeof(adl_array *) * MAX_JOIN);
    int n = sequence(L, 3, fname, arrays, MAX_JOIN);
    int ndim = arrays[0]->ndim + (stack ? 1 : 0);
    int64_t ax1 = lua_isnoneornil(L, 2) ? 1 : adl_lua_checkint(L, 2, fname, "axis", -64, 64);
    int axis;
    if (ndim == 0)
        adl_lua_raise(L, "%s: zero-dimensional arrays cannot be concatenated", fname);
    if (adl_normalize_axis(ctx, fname, ax1, ndim, &axis))
        adl_lua_raise(L, "%s", ctx->msg);
    if (stack) {
        for (int i = 0; i < n; i++)
            if (!adl_shape_equal(arrays[i]->ndim, arrays[i]->shape, arrays[0]->ndim,
                                 arrays[0]->shape))
                adl_lua_raise(L,
                              "%s: all input arrays must have the same shape (array 1 and array "
                              "%d differ)",
                              fname, i + 1);
        for (int i = 0; i < n; i++) {
            int64_t shape[ADL_MAX_DIMS];
            const adl_array *a = arrays[i];
            for (int d = 0, s = 0; d < ndim; d++)
                shape[d] = d == axis ? 1 : a->shape[s++];
            adl_array *e = NULL;
            adl_lua_newslot(L);
            if (adl_reshape(ctx, "stack", arrays[i], ndim, shape, &e))
                adl_lua_raise(L, "np.%s", ctx->msg);
            adl_lua_finish(L, ADL_OK, &e, "");
            arrays[i] = adl_lua_toarray(L, -1);
            lua_rawseti(L, 3, i + 1);
        }
    }
    adl_array *r = NULL;
    adl_lua_newslot(L);
    adl_status st = adl_concatenate(ctx, n, arrays, axis, &r);
    if (st && !strncmp(ctx->msg, "concatenate:", 12))
        return adl_lua_raise(L, "%s:%s", fname, ctx->msg + 12);
    return finish(L, st, &r);
}

static int l_concatenate(lua_State *L) {
    return join(L, "np.concatenate", 0);
}
static int l_stack(lua_State *L) {
    return join(L, "np.stack", 1);
}

static int l_copy(lua_State *L) {
    adl_array *a = adl_lua_checkarray(L, 1, "np.copy"), *r = NULL;
    adl_lua_newslot(L);
    return finish(L, adl_copy(adl_lua_ctx(L), a, &r), &r);
}

/* ---- plain values ---- */

static int l_item(lua_State *L) {
    adl_array *a = adl_lua_toarray(L, 1);
    if (!a) {
        if (adl_lua_type(L, 1) == LUA_TNUMBER)
            return 1;
        adl_lua_raise(L, "item: expected an array, got %s", luaL_typename(L, 1));
    }
    const adl_array *v = adl_value_read(adl_lua_ctx(L), a);
    if (v->size != 1) {
        char s[256];
        adl_shape_str(v->ndim, v->shape, s, sizeof s);
        adl_lua_raise(L, "item: can only convert an array of size 1 to a number, got shape %s", s);
    }
    int64_t zero[ADL_MAX_DIMS] = {0};
    lua_pushnumber(L, adl_array_get(v, zero));
    return 1;
}

static void push_nested(lua_State *L, const adl_array *v, int d, int64_t *index) {
    if (d == v->ndim) {
        lua_pushnumber(L, adl_array_get(v, index));
        return;
    }
    lua_createtable(L, (int)v->shape[d], 0);
    for (index[d] = 0; index[d] < v->shape[d]; index[d]++) {
        push_nested(L, v, d + 1, index);
        lua_rawseti(L, -2, (int)index[d] + 1);
    }
}

static int l_totable(lua_State *L) {
    adl_array *a = adl_lua_toarray(L, 1);
    if (!a)
        adl_lua_raise(L, "totable: expected an array, got %s", luaL_typename(L, 1));
    int64_t index[ADL_MAX_DIMS] = {0};
    luaL_checkstack(L, a->ndim + 4, "totable");
    push_nested(L, adl_value_read(adl_lua_ctx(L), a), 0, index);
    return 1;
}

/* The plain value under any boxes (a number for 0-d). */
static int l_value(lua_State *L) {
    adl_array *a = adl_lua_toarray(L, 1);
    if (!a) {
        lua_settop(L, 1);
        return 1;
    }
    adl_array *v = (adl_array *)adl_value_read(adl_lua_ctx(L), a);
    if (v == a) {
        lua_settop(L, 1);
        return 1;
    }
    adl_array_retain(v);
    adl_lua_pusharray(L, v);
    return 1;
}

static int l_is_array(lua_State *L) {
    lua_pushboolean(L, adl_lua_toarray(L, 1) != NULL);
    return 1;
}

/* NumPy's options that the formatter (format.c) follows; the others
 * (suppress, floatmode, sign, ...) are errors rather than ignored. */
static const char *const print_options[] = {"precision", "threshold", "edgeitems", "linewidth",
                                            NULL};

static int l_set_printoptions(lua_State *L) {
    if (adl_lua_type(L, 1) != LUA_TTABLE)
        adl_lua_raise(L, "np.set_printoptions: expected a table of options, got %s",
                      luaL_typename(L, 1));
    lua_settop(L, 1);
    adl_lua_options(L, 1, "np.set_printoptions", print_options); /* at 2 to 5 */
    lua_getfield(L, ADL_MT_UPVALUE, "__printopts");
    adl_printopts *o = lua_touserdata(L, -1);
    if (!o) {
        o = lua_newuserdata(L, sizeof *o);
        adl_printopts_default(o);
        lua_setfield(L, ADL_MT_UPVALUE, "__printopts");
    }
    adl_printopts next = *o;
    if (!lua_isnil(L, 2))
        next.precision = (int)adl_lua_checkint(L, 2, "np.set_printoptions", "precision", 0, 30);
    if (!lua_isnil(L, 3))
        next.threshold =
            adl_lua_checkint(L, 3, "np.set_printoptions", "threshold", 0, ADL_MAX_SIZE);
    if (!lua_isnil(L, 4))
        next.edgeitems = (int)adl_lua_checkint(L, 4, "np.set_printoptions", "edgeitems", 1, 1000);
    if (!lua_isnil(L, 5))
        next.linewidth = (int)adl_lua_checkint(L, 5, "np.set_printoptions", "linewidth", 1, 100000);
    *o = next;
    return 0;
}

static int l_live_arrays(lua_State *L) {
    lua_pushinteger(L, (lua_Integer)adl_live_arrays());
    lua_pushinteger(L, (lua_Integer)adl_live_bytes());
    return 2;
}

static const luaL_Reg funcs[] = {{"array", l_array},
                                 {"zeros", l_zeros},
                                 {"ones", l_ones},
                                 {"empty", l_empty},
                                 {"full", l_full},
                                 {"arange", l_arange},
                                 {"linspace", l_linspace},
                                 {"eye", l_eye},
                                 {"negative", l_negative},
                                 {"exp", l_exp},
                                 {"log", l_log},
                                 {"log1p", l_log1p},
                                 {"sqrt", l_sqrt},
                                 {"sin", l_sin},
                                 {"cos", l_cos},
                                 {"tan", l_tan},
                                 {"tanh", l_tanh},
                                 {"abs", l_abs},
                                 {"square", l_square},
                                 {"sign", l_sign},
                                 {"add", l_add},
                                 {"subtract", l_subtract},
                                 {"multiply", l_multiply},
                                 {"divide", l_divide},
                                 {"power", l_power},
                                 {"maximum", l_maximum},
                                 {"minimum", l_minimum},
                                 {"less", l_less},
                                 {"less_equal", l_less_equal},
                                 {"greater", l_greater},
                                 {"greater_equal", l_greater_equal},
                                 {"equal", l_equal},
                                 {"not_equal", l_not_equal},
                                 {"where", l_where},
                                 {"sum", l_sum},
                                 {"max", l_max},
                                 {"min", l_min},
                                 {"mean", l_mean},
                                 {"dot", l_dot},
                                 {"matmul", l_matmul},
                                 {"outer", l_outer},
                                 {"reshape", l_reshape},
                                 {"transpose", l_transpose},
                                 {"concatenate", l_concatenate},
                                 {"stack", l_stack},
                                 {"copy", l_copy},
                                 {"astype", l_astype},
                                 {"item", l_item},
                                 {"totable", l_totable},
                                 {"value", l_value},
                                 {"is_array", l_is_array},
                                 {"set_printoptions", l_set_printoptions},
                                 {"live_arrays", l_live_arrays},
                                 /* core NumPy breadth (issue 3) */
                                 {"expm1", l_expm1},
                                 {"log2", l_log2},
                                 {"log10", l_log10},
                                 {"arcsin", l_arcsin},
                                 {"arccos", l_arccos},
                                 {"arctan", l_arctan},
                                 {"exp2", l_exp2},
                                 {"sinh", l_sinh},
                                 {"cosh", l_cosh},
                                 {"arcsinh", l_arcsinh},
                                 {"arccosh", l_arccosh},
                                 {"arctanh", l_arctanh},
                                 {"arctan2", l_arctan2},
                                 {"mod", l_mod},
                                 {"hypot", l_hypot},
                                 {"floor", l_np_floor},
                                 {"ceil", l_ceil},
                                 {"rint", l_rint},
                                 {NULL, NULL}};

void adl_lua_open_numpy(lua_State *L) {
    adl_lua_setfuncs(L, funcs);
}
