/* lua_anchor.c: small boxes without a finalizer of their own.
 *
 * Every traced operation makes a box, and a userdata with a __gc
 * metamethod costs LuaJIT's collector a protected call when it dies: on
 * one-number operations (the blog's loop, the scalar chain) that was about
 * a tenth of all the work.  So a box of at most ANCHOR_MAX_BYTES of values
 * hands its reference to an *anchor*, one finalizable userdata holding up
 * to ANCHOR_SLOTS references.  Each anchor has its own copy of the array
 * metatable, without __gc and with the anchor at key 1, and its boxes get
 * that metatable: the anchor dies only after the last of them.
 *
 * The registry holds the anchor filling now; the binding lets go of it
 * when it is full and when the outermost trace ends, so an anchor only
 * ever holds boxes of one outermost trace.  A trace's first ANCHOR_AFTER
 * small boxes keep their finalizers.  The price: a box kept past its
 * trace keeps the other boxes of its anchor (at most ANCHOR_SLOTS - 1
 * small arrays of the same trace) until it dies too.
 *
 * Copying the metatable for each anchor would cost a trace with few boxes
 * more than the finalizers it saves, so a dead anchor's metatable (the
 * anchor's environment, which keeps it through the anchor's finalizer) is
 * kept for the next one.  Boxes of larger arrays, plain arrays, and
 * everything under PUC Lua keep a finalizer each. */
#include <lauxlib.h>
#include <lua.h>

#include "lua_binding.h"

#include <stddef.h>
#include <string.h>

_Static_assert(offsetof(adl_lua_state, ctx) == 0, "adl_lua_ctx reads the state's first member");

void adl_lua_state_init(adl_lua_state *st) {
    adl_ctx_init(&st->ctx);
    st->anchor = NULL;
    st->small_boxes = 0;
    st->current_ref = LUA_NOREF;
    st->spares_ref = LUA_NOREF;
    st->finalizer_mt_ref = LUA_NOREF;
}

#if LUA_VERSION_NUM < 502

#define ANCHOR_SLOTS     128
#define ANCHOR_MAX_BYTES 64
#define SPARES_MAX       64 /* metatables kept for new anchors */
/* A trace's first small boxes keep their finalizers: an anchor costs a
 * few thousand instructions to make, more than a trace of a handful of
 * small boxes (W2: two) would save. */
#define ANCHOR_AFTER 16

struct adl_anchor {
    int n;
    adl_array *held[ANCHOR_SLOTS];
};

static adl_lua_state *state_of(lua_State *L) {
    return (adl_lua_state *)adl_lua_ctx(L);
}

/* A registry slot of ours, made on first use (luaL_ref pops the value);
 * never set to nil, or luaL_ref could hand the number out again. */
static void set_ref(lua_State *L, int *ref) {
    if (*ref == LUA_NOREF)
        *ref = luaL_ref(L, LUA_REGISTRYINDEX);
    else
        lua_rawseti(L, LUA_REGISTRYINDEX, *ref);
}

/* Pushes the list of spare metatables. */
static void push_spares(lua_State *L, adl_lua_state *st) {
    if (st->spares_ref == LUA_NOREF) {
        lua_newtable(L);
        set_ref(L, &st->spares_ref);
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, st->spares_ref);
}

static int anchor_gc(lua_State *L) {
    struct adl_anchor *an = lua_touserdata(L, 1);
    for (int i = 0; i < an->n; i++)
        adl_array_release(an->held[i]);
    an->n = 0;
    /* the metatable of its boxes (all dead now) serves the next anchor */
    lua_getfield(L, LUA_REGISTRYINDEX, ADL_LUA_CTX_KEY);
    adl_lua_state *st = lua_touserdata(L, -1);
    lua_getfenv(L, 1);
    lua_rawgeti(L, -1, 1); /* not the globals of a half-made anchor */
    int ours = lua_touserdata(L, -1) == (void *)an;
    lua_pop(L, 1);
    if (st != NULL && ours) {
        lua_pushnil(L);
        lua_rawseti(L, -2, 1);
        push_spares(L, st);
        int n = (int)lua_objlen(L, -1);
        if (n < SPARES_MAX) {
            lua_pushvalue(L, -2);
            lua_rawseti(L, -2, n + 1);
        }
    }
    return 0;
}

/* Pushes a metatable for a new anchor: a spare one, or a copy of the
 * array metatable's fields but __gc. */
static void push_new_metatable(lua_State *L, adl_lua_state *st) {
    push_spares(L, st);
    int n = (int)lua_objlen(L, -1);
    if (n > 0) {
        lua_rawgeti(L, -1, n);
        lua_pushnil(L);
        lua_rawseti(L, -3, n);
        lua_remove(L, -2);
        return;
    }
    lua_pop(L, 1);
    lua_newtable(L);
    int copy = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, ADL_MT_UPVALUE) != 0) {
        if (!(lua_type(L, -2) == LUA_TSTRING && strcmp(lua_tostring(L, -2), "__gc") == 0)) {
            lua_pushvalue(L, -2);
            lua_pushvalue(L, -2);
            lua_rawset(L, copy);
        }
        lua_pop(L, 1);
    }
    /* getmetatable(box) gives the array metatable, as for any array: the
     * copy, which keeps the anchor alive at key 1, stays out of reach */
    lua_pushvalue(L, ADL_MT_UPVALUE);
    lua_setfield(L, copy, "__metatable");
}

/* The current anchor with room for one more box; pushes its metatable.
 * A new one may raise (memory) before anything changes. */
static struct adl_anchor *push_anchor_metatable(lua_State *L, adl_lua_state *st) {
    struct adl_anchor *an = st->anchor;
    if (an != NULL && an->n < ANCHOR_SLOTS) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, st->current_ref);
        return an;
    }
    if (st->finalizer_mt_ref == LUA_NOREF) {
        lua_createtable(L, 0, 2);
        lua_pushcfunction(L, anchor_gc);
        lua_setfield(L, -2, "__gc");
        /* getmetatable(anchor) gives false, not a __gc to call by hand
         * while its boxes live (a box's metatable holds its anchor) */
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "__metatable");
        set_ref(L, &st->finalizer_mt_ref);
    }
    push_new_metatable(L, st);
    an = lua_newuserdata(L, sizeof *an);
    an->n = 0;
    lua_rawgeti(L, LUA_REGISTRYINDEX, st->finalizer_mt_ref);
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -2);
    lua_setfenv(L, -2);    /* the anchor keeps its boxes' metatable */
    lua_rawseti(L, -2, 1); /* and the metatable the anchor */
    lua_pushvalue(L, -1);
    set_ref(L, &st->current_ref);
    st->anchor = an;
    return an;
}

static int small_box(const adl_array *a) {
    return a != NULL && a->level > 0 &&
           (size_t)a->size * adl_dtype_size(a->dtype) <= ANCHOR_MAX_BYTES &&
           adl_trace_live(a->trace);
}

/* Whether this trace has made enough small boxes to anchor the next. */
static int anchoring(adl_lua_state *st) {
    return st->anchor != NULL || ++st->small_boxes > ANCHOR_AFTER;
}

adl_ud *adl_lua_newslot_for(lua_State *L, adl_ctx *ctx, const adl_array *a, const adl_array *b) {
    if (!small_box(a) && !small_box(b))
        return adl_lua_newslot_ctx(L, ctx);
    adl_lua_state *st = (adl_lua_state *)ctx; /* its first member */
    if (!anchoring(st))
        return adl_lua_newslot_ctx(L, ctx);
    adl_ud *u = adl_lua_newud(L, ctx); /* raising below leaves it without metatable: garbage */
    u->anchor = push_anchor_metatable(L, st);
    lua_setmetatable(L, -2);
    return u;
}

void adl_lua_anchor(lua_State *L, adl_ud *u) {
    adl_array *a = u->a;
    if (u->anchor != NULL) { /* a slot made for a box: no finalizer yet */
        if (small_box(a) && u->anchor->n < ANCHOR_SLOTS) {
            u->anchor->held[u->anchor->n++] = a;
            return;
        }
        /* not what was expected (or its anchor filled meanwhile) */
        lua_pushvalue(L, ADL_MT_UPVALUE);
        lua_setmetatable(L, -2);
        u->anchor = NULL;
        return;
    }
    if (!small_box(a))
        return;
    adl_lua_state *st = state_of(L);
    if (!anchoring(st))
        return;
    struct adl_anchor *an = push_anchor_metatable(L, st);
    lua_setmetatable(L, -2); /* nothing between allocates: no collection */
    an->held[an->n++] = a;
    u->anchor = an;
}

void adl_lua_own(lua_State *L, int idx) {
    adl_ud *u = lua_touserdata(L, idx);
    if (u->anchor == NULL)
        return;
    if (u->a != NULL)
        adl_array_retain(u->a); /* the anchor keeps its own until it dies */
    lua_pushvalue(L, ADL_MT_UPVALUE);
    lua_setmetatable(L, idx < 0 ? idx - 1 : idx);
    u->anchor = NULL;
}

void adl_lua_anchor_release(lua_State *L) {
    adl_lua_state *st = state_of(L);
    st->small_boxes = 0;
    if (st->anchor == NULL)
        return;
    st->anchor = NULL;
    lua_pushboolean(L, 0);
    set_ref(L, &st->current_ref);
}

#else /* PUC Lua: every array keeps its own finalizer */

adl_ud *adl_lua_newslot_for(lua_State *L, adl_ctx *ctx, const adl_array *a, const adl_array *b) {
    (void)a;
    (void)b;
    return adl_lua_newslot_ctx(L, ctx);
}

void adl_lua_anchor(lua_State *L, adl_ud *u) {
    (void)L;
    (void)u;
}

void adl_lua_own(lua_State *L, int idx) {
    (void)L;
    (void)idx;
}

void adl_lua_anchor_release(lua_State *L) {
    (void)L;
}

#endif
