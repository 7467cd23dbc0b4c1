/* lua_array.c: the array userdata: conversions from Lua values, operators,
 * properties, indexing, printing. */
#include <lauxlib.h>
#include <lua.h>

#include "lua_binding.h"

#include "alloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- conversions ---- */

const char adl_ud_tag = 0;

adl_ud *adl_lua_newslot_ctx(lua_State *L, adl_ctx *ctx) {
    adl_ud *u = adl_lua_newud(L, ctx);
    lua_pushvalue(L, ADL_MT_UPVALUE);
    lua_setmetatable(L, -2);
    return u;
}

adl_ud *adl_lua_newslot(lua_State *L) {
    return adl_lua_newslot_ctx(L, adl_lua_ctx(L));
}

int adl_lua_finish_slot(lua_State *L, adl_ud *u, adl_status st, adl_array *const *result,
                        const char *prefix) {
    if (st != ADL_OK)
        return adl_lua_raise(L, "%s%s", prefix, adl_lua_ctx(L)->msg);
    adl_array *a = *result;
    if (a->level == 0 && a->ndim == 0) {
        double v = adl_array_get(a, NULL);
        adl_array_release(a);
        lua_pop(L, 1);
        lua_pushnumber(L, v);
        return 1;
    }
    u->a = a;
    /* after the userdata owns it: a collection runs finalizers, and an
     * error from one of them would otherwise leave the array unowned */
    if (a->level > 0 || u->anchor != NULL)
        adl_lua_anchor(L, u);
    if (a->level == 0 && a->buf->nbytes >= ADL_LUA_ACCOUNT_BYTES)
        adl_lua_account(L);
    return 1;
}

int adl_lua_finish(lua_State *L, adl_status st, adl_array *const *result, const char *prefix) {
    return adl_lua_finish_slot(L, lua_touserdata(L, -1), st, result, prefix);
}

void adl_lua_pusharray(lua_State *L, adl_array *a) {
    adl_ud *u = adl_lua_newslot(L);
    (void)u;
    adl_lua_finish(L, ADL_OK, &a, "");
}

static const char *type_name(lua_State *L, int idx) {
    if (adl_lua_toarray(L, idx))
        return "array";
    return luaL_typename(L, idx);
}

int64_t adl_lua_checkint(lua_State *L, int idx, const char *fname, const char *what, int64_t lo,
                         int64_t hi) {
    if (adl_lua_type(L, idx) != LUA_TNUMBER)
        adl_lua_raise(L, "%s: %s must be a whole number, got %s", fname, what, type_name(L, idx));
#if LUA_VERSION_NUM >= 503
    /* Lua 5.4's integers: exact, where a double would round beyond 2^53 */
    if (lua_isinteger(L, idx)) {
        lua_Integer n = lua_tointeger(L, idx);
        if (n < lo || n > hi)
            adl_lua_raise(L, "%s: %s %g is out of range [%lld, %lld]", fname, what, (double)n,
                          (long long)lo, (long long)hi);
        return (int64_t)n;
    }
#endif
    double v = lua_tonumber(L, idx);
    if (v != floor(v) || v < (double)lo || v > (double)hi) {
        if (v != floor(v))
            adl_lua_raise(L, "%s: %s must be a whole number, got %g", fname, what, v);
        adl_lua_raise(L, "%s: %s %g is out of range [%lld, %lld]", fname, what, v, (long long)lo,
                      (long long)hi);
    }
    return (int64_t)v;
}

int adl_lua_checkshape(lua_State *L, int idx, const char *fname, int64_t *shape, int varargs) {
    int n;
    if (adl_lua_type(L, idx) == LUA_TNUMBER) {
        n = varargs ? lua_gettop(L) - idx + 1 : 1;
        if (n > ADL_MAX_DIMS)
            adl_lua_raise(L, "%s: %d dimensions requested, at most %d supported", fname, n,
                          ADL_MAX_DIMS);
        for (int i = 0; i < n; i++)
            shape[i] = adl_lua_checkint(L, idx + i, fname, "a shape entry", -((int64_t)1 << 62),
                                        (int64_t)1 << 62);
        return n;
    }
    if (adl_lua_type(L, idx) != LUA_TTABLE)
        adl_lua_raise(L, "%s: the shape must be a table of whole numbers or a number, got %s",
                      fname, type_name(L, idx));
    n = (int)lua_objlen(L, idx);
    if (n > ADL_MAX_DIMS)
        adl_lua_raise(L, "%s: %d dimensions requested, at most %d supported", fname, n,
                      ADL_MAX_DIMS);
    for (int i = 0; i < n; i++) {
        lua_rawgeti(L, idx, i + 1);
        shape[i] =
            adl_lua_checkint(L, -1, fname, "a shape entry", -((int64_t)1 << 62), (int64_t)1 << 62);
        lua_pop(L, 1);
    }
    return n;
}

int adl_lua_checkaxes(lua_State *L, int idx, const char *fname, int ndim, int *axes) {
    adl_ctx *ctx = adl_lua_ctx(L);
    if (lua_isnoneornil(L, idx))
        return -1;
    int n = 1;
    int64_t given[ADL_MAX_DIMS];
    if (adl_lua_type(L, idx) == LUA_TTABLE) {
        n = (int)lua_objlen(L, idx);
        if (n > ndim)
            adl_lua_raise(L, "%s: %d axes given for an array of dimension %d", fname, n, ndim);
        for (int i = 0; i < n; i++) {
            lua_rawgeti(L, idx, i + 1);
            given[i] = adl_lua_checkint(L, -1, fname, "axis", -1000, 1000);
            lua_pop(L, 1);
        }
    } else
        given[0] = adl_lua_checkint(L, idx, fname, "axis", INT32_MIN, INT32_MAX);
    int seen[ADL_MAX_DIMS] = {0};
    for (int i = 0; i < n; i++) {
        if (adl_normalize_axis(ctx, fname, given[i], ndim, &axes[i]) != ADL_OK)
            adl_lua_raise(L, "%s", ctx->msg);
        if (seen[axes[i]]++)
            adl_lua_raise(L, "%s: duplicate value in 'axis' (%d)", fname, (int)given[i]);
    }
    return n;
}

/* Shape of a nested table, following first elements. */
static int nested_shape(lua_State *L, int idx, const char *fname, int64_t *shape) {
    int nd = 0;
    lua_pushvalue(L, idx);
    for (;;) {
        int t = adl_lua_type(L, -1); /* a scalar box becomes its array box */
        const adl_array *a = t == LUA_TUSERDATA ? adl_lua_toarray(L, -1) : NULL;
        if (a) {
            a = adl_array_value(a);
            if (nd + a->ndim > ADL_MAX_DIMS)
                adl_lua_raise(L, "%s: too many dimensions", fname);
            for (int i = 0; i < a->ndim; i++)
                shape[nd++] = a->shape[i];
            break;
        }
        if (t != LUA_TTABLE)
            break;
        if (nd == ADL_MAX_DIMS)
            adl_lua_raise(L, "%s: nested tables deeper than %d levels", fname, ADL_MAX_DIMS);
        shape[nd] = (int64_t)lua_objlen(L, -1);
        if (shape[nd++] == 0)
            break;
        lua_rawgeti(L, -1, 1);
        lua_remove(L, -2);
    }
    lua_pop(L, 1);
    return nd;
}

/* The walk of a nested table (fill_nested). */
typedef struct fill_state {
    const char *fname;
    int nd;
    const int64_t *shape;
    double *base, *dst; /* the plain array's numbers; the next one to write */
    /* what the entries were: NumPy's np.array([a32, b32]) is float32 */
    int numbers, f64_arrays, f32_arrays;
    int traced; /* a live box was seen: its place in dst is left unwritten */
    int boxes;  /* the second walk: stack index of the table of offsets and boxes */
    int nboxes; /* the boxes listed there */
} fill_state;

/* The key at the top as a whole number in 1..n, or 0. */
static int64_t position_key(lua_State *L, int64_t n) {
    if (adl_lua_type(L, -1) != LUA_TNUMBER)
        return 0;
    double k = lua_tonumber(L, -1);
    return k >= 1 && k <= (double)n && k == floor(k) ? (int64_t)k : 0;
}

/* Raises for the key at the top of the table at depth d. */
static __attribute__((noinline, noreturn)) void extra_key(lua_State *L, const fill_state *s,
                                                          int d) {
    const char *what = NULL;
    int t = adl_lua_type(L, -1);
    if (t == LUA_TSTRING)
        what = lua_pushfstring(L, "'%s'", lua_tostring(L, -1));
    else if (t == LUA_TNUMBER) {
        lua_pushvalue(L, -1);
        what = lua_tostring(L, -1);
    } else
        what = lua_pushfstring(L, "of type %s", type_name(L, -1));
    char n[48] = "1..n (the table has no elements)";
    if (s->shape[d] > 0)
        snprintf(n, sizeof n, "1..%lld", (long long)s->shape[d]);
    if (d == 0)
        adl_lua_raise(L, "%s: the table has a key %s that is not a position %s", s->fname, what, n);
    adl_lua_raise(L, "%s: the table at depth %d has a key %s that is not a position %s", s->fname,
                  d + 1, what, n);
}

/* The slow path of check_keys: every key of the table at the top. */
static __attribute__((noinline)) void check_all_keys(lua_State *L, const fill_state *s, int d) {
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pop(L, 1);
        if (!position_key(L, s->shape[d]))
            extra_key(L, s, d);
    }
}

/* Raises when the table at the top (depth d), whose positions 1..n hold
 * values, has other keys too (np.array({1, 2, x = 3}), an options table):
 * they would be dropped silently.  Counting the keys would cost a lua_next
 * per element, a third more on a large table.  Instead: a traversal visits
 * the array part in order (LuaJIT's from a slot 0), then the hash part,
 * where any other key lives.  So when n-1 is in the array part, the keys
 * after n-1 are n alone exactly when there is no other key (for n = 1: the
 * first key is 1, and none follows).  When n-1 is in the hash part too
 * (positions added after other keys), the key after it is seldom n, and
 * then every key is looked at. */
static void check_keys(lua_State *L, const fill_state *s, int d) {
    int64_t n = s->shape[d];
#if LUA_VERSION_NUM == 501
    lua_rawgeti(L, -1, 0);
    if (!lua_isnil(L, -1)) {
        lua_pushnumber(L, 0);
        extra_key(L, s, d);
    }
    lua_pop(L, 1);
#endif
    if (n <= 1)
        lua_pushnil(L);
    else /* an integer: Lua 5.4's next finds no float key 2.0 */
        lua_pushinteger(L, (lua_Integer)(n - 1));
    if (!lua_next(L, -2)) {
        if (n > 0) /* n came before n-1 */
            check_all_keys(L, s, d);
        return;
    }
    lua_pop(L, 1);
    if (n == 0)
        extra_key(L, s, d);
    if (adl_lua_type(L, -1) != LUA_TNUMBER || lua_tonumber(L, -1) != (lua_Number)n) {
        lua_pop(L, 1);
        check_all_keys(L, s, d);
        return;
    }
    if (lua_next(L, -2)) {
        lua_pop(L, 2);
        check_all_keys(L, s, d);
    }
}

/* Copies the nested table at the top into s->dst (depth d of s->shape). */
static void fill_nested(lua_State *L, fill_state *s, int d) {
    int t = adl_lua_type(L, -1); /* a scalar box becomes its array box */
    adl_array *a = t == LUA_TUSERDATA ? adl_lua_toarray(L, -1) : NULL;
    if (a) {
        const adl_array *v = adl_array_value(a);
        if (!adl_shape_equal(v->ndim, v->shape, s->nd - d, s->shape + d))
            adl_lua_raise(L, "%s: ragged nested sequence: an array element has the wrong shape",
                          s->fname);
        if (v->dtype == ADL_FLOAT32)
            s->f32_arrays = 1;
        else
            s->f64_arrays = 1;
        if (adl_live(a)->level > 0) { /* traced: convert builds the result by traced ops */
            s->traced = 1;
            if (s->boxes) {
                lua_pushnumber(L, (lua_Number)(s->dst - s->base));
                lua_rawseti(L, s->boxes, 2 * s->nboxes + 1);
                lua_pushvalue(L, -1);
                lua_rawseti(L, s->boxes, 2 * s->nboxes + 2);
                s->nboxes++;
            }
            s->dst += v->size;
            return;
        }
        v = adl_value_read(adl_lua_ctx(L), a);
        int64_t index[ADL_MAX_DIMS] = {0};
        for (int64_t i = 0; i < v->size; i++) {
            *s->dst++ = adl_array_get(v, index);
            for (int k = v->ndim - 1; k >= 0 && ++index[k] == v->shape[k]; k--)
                index[k] = 0;
        }
        return;
    }
    if (d == s->nd) {
        if (t != LUA_TNUMBER)
            adl_lua_raise(L, "%s: expected numbers in the nested tables, got %s", s->fname,
                          type_name(L, -1));
        *s->dst++ = lua_tonumber(L, -1);
        s->numbers = 1;
        return;
    }
    if (t != LUA_TTABLE || (int64_t)lua_objlen(L, -1) != s->shape[d])
        adl_lua_raise(L,
                      "%s: ragged nested sequence: at depth %d expected a table of length %lld, "
                      "got %s",
                      s->fname, d + 1, (long long)s->shape[d],
                      t == LUA_TTABLE ? "a table of another length" : type_name(L, -1));
    int leaves = d + 1 == s->nd; /* numbers inline, the rest by the general case */
    for (int64_t i = 1; i <= s->shape[d]; i++) {
        lua_rawgeti(L, -1, (int)i);
        if (leaves && adl_lua_type(L, -1) == LUA_TNUMBER) {
            *s->dst++ = lua_tonumber(L, -1);
            s->numbers = 1;
        } else
            fill_nested(L, s, d + 1);
        lua_pop(L, 1);
    }
    check_keys(L, s, d);
}

/* Pushes the array of the nested table at idx that holds live boxes, built
 * by traced operations so that derivatives flow through it (autograd's
 * np.array of a list of boxes): the flat concatenation of the runs of
 * plain numbers (views of `plain`, which a second walk fills) and of each
 * box raveled, reshaped to s->shape.  Every new array stays anchored in a
 * table on the stack, and the list of pointers is a userdata: an error
 * leaks nothing. */
static void convert_traced(lua_State *L, int idx, fill_state *s, adl_array *plain) {
    adl_ctx *ctx = adl_lua_ctx(L);
    lua_newtable(L);
    s->boxes = lua_gettop(L);
    s->base = s->dst = adl_f64(plain);
    lua_pushvalue(L, idx);
    fill_nested(L, s, 0);
    lua_pop(L, 1);
    int nboxes = s->nboxes;
    /* at most one plain run before each box, and one after the last */
    adl_array **parts = lua_newuserdata(L, sizeof(adl_array *) * (size_t)(2 * nboxes + 1));
    lua_newtable(L); /* anchors the parts */
    int anchor = lua_gettop(L), n = 0;
    int64_t run = 0; /* start of the current run of plain numbers */
    for (int b = 0; b <= nboxes; b++) {
        adl_array *box = NULL;
        int64_t at = plain->size;
        if (b < nboxes) {
            lua_rawgeti(L, s->boxes, 2 * b + 1);
            at = (int64_t)lua_tonumber(L, -1);
            lua_rawgeti(L, s->boxes, 2 * b + 2);
            box = adl_lua_toarray(L, -1);
            lua_pop(L, 2);
        }
        adl_array *r = NULL;
        if (at > run) {
            int64_t len = at - run, stride = 1;
            adl_lua_newslot(L);
            r = adl_array_view(ctx, plain, 1, &len, &stride, plain->offset + run);
            adl_lua_finish(L, r ? ADL_OK : ctx->status, &r, "");
            parts[n++] = r;
            lua_rawseti(L, anchor, n);
        }
        if (box) {
            int64_t flat = -1;
            adl_lua_newslot(L);
            adl_lua_finish(L, adl_reshape(ctx, s->fname, box, 1, &flat, &r), &r, "");
            parts[n++] = r;
            lua_rawseti(L, anchor, n);
            run = at + adl_array_value(box)->size;
        }
    }
    adl_array *flat = NULL, *r = NULL;
    adl_lua_newslot(L);
    adl_lua_finish(L, adl_concatenate(ctx, n, parts, 0, &flat), &flat, "");
    if (flat->dtype != ADL_FLOAT64) { /* float32 boxes alone: float64, as the plain conversion */
        adl_lua_newslot(L);
        adl_lua_finish(L, adl_astype(ctx, flat, ADL_FLOAT64, &r), &r, "");
        flat = r;
        r = NULL;
    }
    adl_lua_newslot(L);
    adl_lua_finish(L, adl_reshape(ctx, s->fname, flat, s->nd, s->shape, &r), &r, "");
}

/* Replaces the number or nested table at idx by a new array; *f32 (when
 * not NULL) tells whether the entries were float32 arrays and nothing else. */
static adl_array *convert(lua_State *L, int idx, const char *fname, int *f32) {
    adl_ctx *ctx = adl_lua_ctx(L);
    int64_t shape[ADL_MAX_DIMS];
    int nd = adl_lua_type(L, idx) == LUA_TNUMBER ? 0 : nested_shape(L, idx, fname, shape);
    int top = lua_gettop(L);
    idx = idx < 0 ? top + idx + 1 : idx;
    adl_ud *u = adl_lua_newslot(L);
    u->a = adl_array_alloc(ctx, fname, ADL_FLOAT64, nd, shape);
    if (!u->a)
        adl_lua_raise(L, "%s", ctx->msg);
    fill_state s = {fname, nd, shape, adl_f64(u->a), adl_f64(u->a), 0, 0, 0, 0, 0, 0};
    lua_pushvalue(L, idx);
    fill_nested(L, &s, 0);
    lua_pop(L, 1);
    if (f32)
        *f32 = s.f32_arrays && !s.f64_arrays && !s.numbers;
    if (__builtin_expect(s.traced, 0)) {
        convert_traced(L, idx, &s, u->a);
        lua_replace(L, idx);
        lua_settop(L, top);
        return adl_lua_toarray(L, idx);
    }
    lua_replace(L, idx);
    return u->a;
}

adl_array *adl_lua_table_array(lua_State *L, int idx, const char *fname, int *f32) {
    return convert(L, idx, fname, f32);
}

adl_array *adl_lua_checkarray(lua_State *L, int idx, const char *fname) {
    adl_array *a = adl_lua_toarray(L, idx);
    if (a)
        return a;
    int t = adl_lua_type(L, idx);
    if (t == LUA_TNUMBER || t == LUA_TTABLE)
        return convert(L, idx, fname, NULL);
    adl_lua_raise(L,
                  "%s: expected an array, a number or a nested table of numbers for argument "
                  "%d, got %s",
                  fname, idx, type_name(L, idx));
    return NULL;
}

adl_array *adl_lua_checkarray_ctx(lua_State *L, int idx, const char *fname, adl_ctx **ctx) {
    adl_ud *u = adl_lua_toud(L, idx);
    if (u && u->a) {
        *ctx = u->ctx;
        return u->a;
    }
    adl_array *a = adl_lua_checkarray(L, idx, fname);
    *ctx = adl_lua_ctx(L);
    return a;
}

/* ---- operators ---- */

/* flatten: the slot, the anchor and adl_apply_scalar's path inlined, one
 * function per operator (docs/performance.md, "Flattened hot paths") */
static __attribute__((flatten)) int arith(lua_State *L, adl_opcode op) {
    adl_ud *ua = adl_lua_toud(L, 1), *ub = adl_lua_toud(L, 2);
    adl_array *a = ua ? ua->a : NULL, *b = ub ? ub->a : NULL, *r = NULL;
    adl_ctx *ctx = adl_lua_ctx_of(L, ua ? ua : ub);
    const char *name = adl_op_name(op);
    if (!a && adl_lua_type(L, 1) != LUA_TNUMBER)
        adl_lua_raise(L, "np.%s: unsupported operand type %s (expected an array or a number)", name,
                      type_name(L, 1));
    if (!b && adl_lua_type(L, 2) != LUA_TNUMBER)
        adl_lua_raise(L, "np.%s: unsupported operand type %s (expected an array or a number)", name,
                      type_name(L, 2));
    if (!a && !b) /* the metamethod called by hand */
        adl_lua_raise(L, "np.%s: expected an array operand, got two numbers", name);
    adl_ud *u = adl_lua_newslot_for(L, ctx, a, b);
    adl_status st;
    if (a && b)
        st = adl_binary(ctx, op, a, b, &r);
    else if (a)
        st = adl_binary_scalar(ctx, op, a, lua_tonumber(L, 2), &r);
    else
        st = adl_scalar_binary(ctx, op, lua_tonumber(L, 1), b, &r);
    return adl_lua_finish_slot(L, u, st, &r, "np.");
}

static int l_add(lua_State *L) {
    return arith(L, ADL_OP_ADD);
}
static int l_sub(lua_State *L) {
    return arith(L, ADL_OP_SUB);
}
static int l_mul(lua_State *L) {
    return arith(L, ADL_OP_MUL);
}
static int l_div(lua_State *L) {
    return arith(L, ADL_OP_DIV);
}
static int l_pow(lua_State *L) {
    return arith(L, ADL_OP_POW);
}

/* The array the metamethod `what` was called on, or raises: Lua calls
 * them with one, code calling them by hand may not. */
static adl_array *self_array(lua_State *L, const char *what) {
    adl_array *a = adl_lua_toarray(L, 1);
    if (!a)
        adl_lua_raise(L, "%s: expected an array, got %s", what, type_name(L, 1));
    return a;
}

static int l_unm(lua_State *L) {
    adl_array *a = self_array(L, "np.negative"), *r = NULL;
    adl_lua_newslot(L);
    return adl_lua_finish(L, adl_unary(adl_lua_ctx(L), ADL_OP_NEG, a, &r), &r, "np.");
}

static int l_len(lua_State *L) {
    adl_array *a = self_array(L, "len");
    if (a->ndim == 0)
        adl_lua_raise(L, "len: a 0-d array has no length");
    lua_pushinteger(L, (lua_Integer)a->shape[0]);
    return 1;
}

static int l_gc(lua_State *L) {
    adl_ud *u = adl_lua_toud(L, 1);
    if (!u) /* called by hand on something else */
        return 0;
    if (u->anchor == NULL) /* else the reference is the anchor's (called by hand) */
        adl_array_release(u->a);
    u->a = NULL;
    return 0;
}

static int l_tostring(lua_State *L) {
    adl_ctx *ctx = adl_lua_ctx(L);
    adl_array *a = adl_lua_toarray(L, 1);
    if (!a && adl_lua_type(L, 1) == LUA_TNUMBER) /* a 0-d array's text (scalar boxes) */
        a = adl_lua_checkarray(L, 1, "tostring");
    if (!a) {
        lua_pushliteral(L, "array(<released>)");
        return 1;
    }
    adl_printopts opts;
    lua_getfield(L, ADL_MT_UPVALUE, "__printopts");
    if (lua_touserdata(L, -1))
        opts = *(adl_printopts *)lua_touserdata(L, -1);
    else
        adl_printopts_default(&opts);
    lua_pop(L, 1);
    char *text = NULL;
    if (adl_array_format(ctx, adl_array_value(a), &opts, &text) != ADL_OK)
        return adl_lua_raise(L, "tostring: %s", ctx->msg);
    lua_pushstring(L, text);
    adl_free(text);
    return 1;
}

/* ---- indexing ---- */

static int64_t position(lua_State *L, int idx, int axis, int64_t size, int clamp) {
    int64_t i;
    double v = adl_lua_type(L, idx) == LUA_TNUMBER ? lua_tonumber(L, idx) : 0.5;
    if (v >= -(double)((int64_t)1 << 62) && v <= (double)((int64_t)1 << 62) &&
        v == (double)(int64_t)v) {
        i = (int64_t)v; /* the common case: no message to prepare */
    } else {
        char what[64];
        snprintf(what, sizeof what, "index for axis %d", axis + 1);
        i = adl_lua_checkint(L, idx, "index", what, -((int64_t)1 << 62), (int64_t)1 << 62);
    }
    int64_t p = i > 0 ? i - 1 : size + i;
    if (clamp && i != 0)
        return p < 0 ? (i > 0 ? size : -1) : p > size ? size : p;
    if (i == 0 || p < 0 || p >= size)
        adl_lua_raise(L,
                      "index: index %lld is out of bounds for axis %d with size %lld (indices are "
                      "1-based; -1 is the last)",
                      (long long)i, axis + 1, (long long)size);
    return p;
}

/* One entry of an index table: a number, {} (all), {a, b} or {a, b, step}. */
static void index_item(lua_State *L, int axis, int64_t size, adl_index_item *it) {
    if (adl_lua_type(L, -1) == LUA_TNUMBER) {
        *it = (adl_index_item){position(L, -1, axis, size, 0), 1, 1, 0};
        return;
    }
    if (adl_lua_type(L, -1) != LUA_TTABLE)
        adl_lua_raise(L,
                      "index: entry %d must be a number, {} or a range {first, last, step}, got %s",
                      axis + 1, type_name(L, -1));
    int n = (int)lua_objlen(L, -1);
    if (n > 3)
        adl_lua_raise(L, "index: range for axis %d has %d entries, at most 3 (first, last, step)",
                      axis + 1, n);
    int64_t step = 1;
    if (n == 3) {
        lua_rawgeti(L, -1, 3);
        step = adl_lua_checkint(L, -1, "index", "step", -((int64_t)1 << 62), (int64_t)1 << 62);
        lua_pop(L, 1);
        if (step == 0)
            adl_lua_raise(L, "index: step for axis %d must not be zero", axis + 1);
    }
    int64_t first = step > 0 ? 0 : size - 1, last = step > 0 ? size - 1 : 0;
    if (n >= 1) {
        lua_rawgeti(L, -1, 1);
        first = position(L, -1, axis, size, 1);
        lua_pop(L, 1);
    }
    if (n >= 2) {
        lua_rawgeti(L, -1, 2);
        last = position(L, -1, axis, size, 1);
        lua_pop(L, 1);
    }
    /* inclusive bounds, clamped to the axis as NumPy clamps slices */
    if (step > 0) {
        if (first < 0)
            first = 0;
        if (last >= size)
            last = size - 1;
    } else {
        if (first >= size)
            first = size - 1;
        if (last < 0)
            last = 0;
    }
    int64_t count = 0;
    if ((step > 0 && last >= first) || (step < 0 && last <= first))
        count = (last - first) / step + 1;
    *it = (adl_index_item){count ? first : 0, count, step, 1};
}

static void parse_index(lua_State *L, int key, const adl_array *a, adl_index *idx) {
    if (a->ndim == 0)
        adl_lua_raise(L, "index: a 0-d array cannot be indexed");
    if (adl_lua_type(L, key) == LUA_TNUMBER) {
        idx->n = 1;
        idx->item[0] = (adl_index_item){position(L, key, 0, a->shape[0], 0), 1, 1, 0};
        return;
    }
    int n = (int)lua_objlen(L, key);
    if (n > a->ndim)
        adl_lua_raise(L,
                      "index: too many indices for array: array is %d-dimensional, but %d were "
                      "indexed",
                      a->ndim, n);
    idx->n = n;
    for (int i = 0; i < n; i++) {
        lua_rawgeti(L, key, i + 1);
        index_item(L, i, a->shape[i], &idx->item[i]);
        lua_pop(L, 1);
    }
}

static void push_shape(lua_State *L, const adl_array *a) {
    lua_createtable(L, a->ndim, 0);
    for (int i = 0; i < a->ndim; i++) {
        lua_pushinteger(L, (lua_Integer)a->shape[i]);
        lua_rawseti(L, -2, i + 1);
    }
}

/* x[idx] and x[idx] = v with an index array or mask: handled in Lua
 * (lua/adlua/indexing.lua installs the handler in the metatable). */
static int by_array(lua_State *L, const char *handler, int nargs) {
    lua_getfield(L, ADL_MT_UPVALUE, handler);
    if (lua_isnil(L, -1))
        adl_lua_raise(L, "index: index arrays need require \"adlua.numpy\"");
    lua_insert(L, 1);
    lua_settop(L, nargs + 1);
    lua_call(L, nargs, nargs == 2 ? 1 : 0);
    return nargs == 2 ? 1 : 0;
}

/* Views of a plain array are remembered while it lives, a few per array
 * (in a table attached to its userdata): a loop reads X[i] or X[{{}, i}]
 * of a constant X at every sample, and a view made anew each time costs a
 * userdata with a finalizer and a header, about a third of a traced
 * operation (the Lua front of __index finds X[{{}, i}] before this,
 * l_index_remember).  A view of a plain array records nothing, shares the
 * array's numbers and cannot change shape, so a remembered view is
 * indistinguishable from a new one (but for rawequal).  The table holds
 * its views strongly: weak ones went at every collection, about every
 * third step of the blog's loop, and were made again.  Nothing in it
 * points back at the array, so the array, the table and its views become
 * garbage together and one collection frees them all.  VIEW_SLOTS slots,
 * chosen by the view's offset, each hold the latest view with that offset
 * modulo VIEW_SLOTS: a loop over more samples than that still finds the
 * view of its second read, and an array keeps at most VIEW_SLOTS headers
 * (no numbers: its views share its buffer). */
#define VIEW_SLOTS     128
#define TRANSPOSE_SLOT 0 /* a plain array's x.T, in the same table */

/* Pushes the table of remembered views of the plain array at index 1, made
 * when missing. */
static void push_views_table(lua_State *L) {
    adl_lua_get_attached(L, 1);
    if (lua_type(L, -1) == LUA_TTABLE)
        return;
    lua_pop(L, 1);
    lua_createtable(L, VIEW_SLOTS, 0);
    lua_pushvalue(L, -1);
    adl_lua_set_attached(L, 1);
}

/* x.T of a traced x is made once and then reused (attached to x's
 * userdata, so both go in the same collection): the blog's loss reads w.T
 * twice per sample, and one recorded transpose then gathers the gradients
 * of all those uses instead of one transpose forward and backward each.  A
 * transpose is a view of the same values and shapes cannot change, so a
 * reused view is indistinguishable from a new one.  It is attached
 * strongly: with a weak reference the graph, and so the order in which
 * gradients add up, would depend on when the collector ran, and results
 * would differ in the last bit from run to run and thread to thread.
 * A plain array keeps its x.T with its other remembered views. */
static int push_transpose(lua_State *L, adl_ctx *ctx, adl_array *a) {
    if (a->level > 0) {
        adl_lua_get_attached(L, 1);
    } else {
        push_views_table(L);
        lua_rawgeti(L, -1, TRANSPOSE_SLOT);
    }
    if (!lua_isnil(L, -1))
        return 1;
    lua_pop(L, 1);
    adl_array *r = NULL;
    adl_lua_newslot(L);
    adl_lua_finish(L, adl_transpose(ctx, a, NULL, &r), &r, "np.");
    if (a->level > 0) {
        adl_lua_own(L, 1); /* its environment is replaced */
        lua_pushvalue(L, -1);
        adl_lua_set_attached(L, 1);
    } else {
        lua_pushvalue(L, -1);
        lua_rawseti(L, -3, TRANSPOSE_SLOT);
    }
    return 1;
}

static int same_geometry(const adl_array *v, int nd, const int64_t *shape, const int64_t *strides,
                         int64_t offset) {
    if (v->level != 0 || v->ndim != nd || v->offset != offset)
        return 0;
    for (int i = 0; i < nd; i++)
        if (v->shape[i] != shape[i] || v->strides[i] != strides[i])
            return 0;
    return 1;
}

static int push_view(lua_State *L, adl_ctx *ctx, adl_array *a, const adl_index *idx) {
    int64_t shape[ADL_MAX_DIMS], strides[ADL_MAX_DIMS], offset;
    int nd = adl_index_geometry(a, idx, shape, strides, &offset);
    adl_array *r = NULL;
    if (nd == 0) { /* a number */
        adl_lua_newslot(L);
        return adl_lua_finish(L, adl_getitem(ctx, a, idx, &r), &r, "np.");
    }
    int slot = (int)((uint64_t)offset % VIEW_SLOTS) + 1;
    push_views_table(L);
    lua_rawgeti(L, -1, slot);
    const adl_array *v = adl_lua_toarray(L, -1);
    if (v && same_geometry(v, nd, shape, strides, offset))
        return 1;
    lua_pop(L, 1);
    adl_lua_newslot(L);
    adl_lua_finish(L, adl_getitem(ctx, a, idx, &r), &r, "np.");
    lua_pushvalue(L, -1);
    lua_rawseti(L, -3, slot);
    return 1;
}

static int l_index(lua_State *L) {
    adl_ud *u = adl_lua_toud(L, 1);
    adl_array *a = u ? u->a : NULL;
    if (!a) /* called as core.index */
        return adl_lua_raise(L, "index: expected an array, got %s", type_name(L, 1));
    adl_ctx *ctx = u->ctx;
    int kt = adl_lua_type(L, 2);
    if (kt == LUA_TSTRING) {
        size_t len;
        const char *k = lua_tolstring(L, 2, &len);
        if (len == 1 && k[0] == 'T') /* x.T: the one property inside loss loops */
            return push_transpose(L, ctx, a);
        lua_getfield(L, ADL_MT_UPVALUE, "__methods");
        lua_pushvalue(L, 2);
        lua_rawget(L, -2);
        if (!lua_isnil(L, -1))
            return 1;
        lua_pop(L, 2);
        if (!strcmp(k, "shape")) {
            push_shape(L, a);
        } else if (!strcmp(k, "ndim")) {
            lua_pushinteger(L, a->ndim);
        } else if (!strcmp(k, "size")) {
            lua_pushinteger(L, (lua_Integer)a->size);
        } else if (!strcmp(k, "dtype")) {
            lua_pushstring(L, adl_dtype_name(a->dtype));
        } else
            lua_pushnil(L);
        return 1;
    }
    if (kt != LUA_TNUMBER && kt != LUA_TTABLE) {
        if (kt == LUA_TUSERDATA && adl_lua_toarray(L, 2))
            return by_array(L, "__index_array", 2);
        adl_lua_raise(L, "index: an array is indexed by a number or a table, got %s",
                      type_name(L, 2));
    }
    if (kt == LUA_TNUMBER && a->level == 0 && a->ndim == 1) {
        /* the common x[i] of a plain vector: straight to the number */
        double i = lua_tonumber(L, 2);
        /* range first: converting inf or nan to an integer is undefined */
        if (i >= 1 && i <= (double)a->shape[0] && i == (int64_t)i) {
            int64_t pos = (int64_t)i - 1;
            lua_pushnumber(L, adl_array_get(a, &pos));
            return 1;
        }
    }
    adl_index idx;
    parse_index(L, 2, a, &idx);
    if (a->level == 0)
        return push_view(L, ctx, a, &idx);
    adl_array *r = NULL;
    adl_lua_newslot(L);
    return adl_lua_finish(L, adl_getitem(ctx, a, &idx, &r), &r, "np.");
}

/* Whether key is {{}, i}: the whole first axis (a table of length 0, as
 * index_item reads it) and one position: a column. */
static int column_key(lua_State *L, int key) {
    if (adl_lua_type(L, key) != LUA_TTABLE || lua_objlen(L, key) != 2)
        return 0;
    lua_rawgeti(L, key, 1);
    lua_rawgeti(L, key, 2);
    int column = adl_lua_type(L, -2) == LUA_TTABLE && lua_objlen(L, -2) == 0 &&
                 lua_type(L, -1) == LUA_TNUMBER;
    lua_pop(L, 2);
    return column;
}

/* Pushes store[x] for the views of x, a table with weak values, made when
 * missing (its views live as long as push_view's table holds them). */
static void push_views_of(lua_State *L, int store) {
    lua_pushvalue(L, 1);
    lua_rawget(L, store);
    if (lua_type(L, -1) == LUA_TTABLE)
        return;
    lua_pop(L, 1);
    lua_newtable(L);
    lua_getfield(L, ADL_MT_UPVALUE, "__weak_values");
    lua_setmetatable(L, -2);
    lua_pushvalue(L, 1);
    lua_pushvalue(L, -2);
    lua_rawset(L, store);
}

/* core.index_remember(x, key, store): x[key], also found in store by the
 * Lua front of __index (lua/adlua/index_front.lua), which looks there
 * first, in Lua, and calls this on a miss, as a tail call (so that an
 * error names the user's line).  Remembered are the arrays that the
 * binding would give again anyway, with the same lifetimes:
 * - key "T": store[x] = x.T, the transpose push_transpose attaches to a
 *   traced x or keeps in a plain x's table of views.  store is weak in keys
 *   and values: x keeps the entry while it lives, and nothing else keeps
 *   either.
 * - key i (a row) or {{}, i} (a column) of a plain x: store[x][i] = the
 *   view, in a table with weak values: push_view's table keeps the view
 *   while x lives, unless a later view takes its slot.
 * Where x[key] is never the same array twice (a traced x's rows and
 * columns, which are recorded at each read, and a vector's numbers),
 * store[x] = false sends the front straight to core.index next time. */
static int l_index_remember(lua_State *L) {
    luaL_checktype(L, 3, LUA_TTABLE);
    lua_settop(L, 3);
    adl_array *a = adl_lua_toarray(L, 1);
    if (!a)
        return adl_lua_raise(L, "index: expected an array, got %s", type_name(L, 1));
    int kt = adl_lua_type(L, 2);
    int transpose = kt == LUA_TSTRING && strcmp(lua_tostring(L, 2), "T") == 0;
    int row = kt == LUA_TNUMBER, column = kt == LUA_TTABLE && column_key(L, 2);
    l_index(L); /* the result at the top */
    if (!transpose && !row && !column)
        return 1;
    int view = a->level == 0 && !transpose && adl_lua_toarray(L, -1) != NULL;
    if (view) {
        push_views_of(L, 3);
        if (row)
            lua_pushvalue(L, 2);
        else
            lua_rawgeti(L, 2, 2);
        lua_pushvalue(L, -3);
        lua_rawset(L, -3);
        lua_pop(L, 1);
        return 1;
    }
    lua_pushvalue(L, 1);
    if (transpose)
        lua_pushvalue(L, -2);
    else
        lua_pushboolean(L, 0);
    lua_rawset(L, 3);
    return 1;
}

adl_array *adl_lua_assignable(lua_State *L, adl_array *a) {
    if (a->level > 0 && adl_trace_live(a->trace))
        adl_lua_raise(L, "setitem: cannot assign into an array that is being differentiated");
    adl_array *plain = (adl_array *)adl_array_value(a);
    if (plain->buf && plain->buf->saved > 0 && plain->buf->saved_op == ADL_SAVED_BY_JIT)
        adl_lua_raise(L, "setitem: cannot assign into an array that a function made by ad.jit "
                         "recorded as a constant (pass it as an argument instead)");
    if (plain->buf && plain->buf->saved > 0)
        adl_lua_raise(L,
                      "setitem: cannot assign into an array that a live tape saved for '%s' "
                      "(differentiate a functional update: np.index_update or np.index_add)",
                      adl_op_name((adl_opcode)plain->buf->saved_op));
    return plain;
}

static int l_newindex(lua_State *L) {
    adl_ctx *ctx = adl_lua_ctx(L);
    adl_array *a = self_array(L, "setitem");
    int kt = adl_lua_type(L, 2);
    if (kt != LUA_TNUMBER && kt != LUA_TTABLE) {
        if (kt == LUA_TUSERDATA && adl_lua_toarray(L, 2))
            return by_array(L, "__newindex_array", 3);
        adl_lua_raise(L, "setitem: an array is indexed by a number or a table, got %s",
                      type_name(L, 2));
    }
    adl_array *plain = adl_lua_assignable(L, a), *view = NULL;
    adl_array *v = adl_lua_checkarray(L, 3, "setitem");
    adl_index idx;
    parse_index(L, 2, a, &idx);
    adl_lua_newslot(L); /* anchors the view */
    adl_status st = adl_getitem(ctx, plain, &idx, &view);
    if (st == ADL_OK) {
        st = adl_k_assign(ctx, "setitem", view, adl_value_read(ctx, v));
        adl_array_release(view);
    }
    if (st)
        adl_lua_raise(L, "np.%s", ctx->msg);
    return 0;
}

static const luaL_Reg meta[] = {
    {"__add", l_add},           {"__sub", l_sub},     {"__mul", l_mul},           {"__div", l_div},
    {"__pow", l_pow},           {"__unm", l_unm},     {"__len", l_len},           {"__gc", l_gc},
    {"__tostring", l_tostring}, {"__index", l_index}, {"__newindex", l_newindex}, {NULL, NULL}};

static const luaL_Reg index_funcs[] = {
    {"index", l_index}, {"index_remember", l_index_remember}, {NULL, NULL}};

void adl_lua_open_array_index(lua_State *L) {
    adl_lua_setfuncs(L, index_funcs);
}

void adl_lua_open_array(lua_State *L) {
    lua_getfield(L, LUA_REGISTRYINDEX, "adlua.array");
    adl_lua_setfuncs(L, meta);
    lua_newtable(L);
    lua_setfield(L, -2, "__methods");
    /* the metatable of the front's tables of remembered views (push_views_of) */
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "v");
    lua_setfield(L, -2, "__mode");
    lua_setfield(L, -2, "__weak_values");
    lua_pushliteral(L, "adlua.array");
    lua_setfield(L, -2, "__name");
    lua_pop(L, 1);
}
