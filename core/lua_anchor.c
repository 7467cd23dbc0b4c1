/* lua_anchor.c: small boxes without a finalizer of their own.
 *
 * Every traced operation makes a box, and a userdata with a __gc
 * metamethod costs LuaJIT's collector a protected call when it dies: on
 * one-number operations (the blog's loop, the scalar chain) that was about
 * a tenth of all the work.  So a box of at most ANCHOR_MAX_BYTES of values
 * hands its reference to an *anchor*, one finalizable userdata holding up
 * to ANCHOR_SLOTS references.  Each anchor has its own copy of the array
 * metatable, without __gc and with the anchor in a field, and its boxes
 * get that metatable: the anchor dies only after the last of them.  The
 * binding holds the anchor filling now from the registry while traces
 * run, and only through a weak table between them, so that it keeps no
 * box alive: an anchor goes in the first collection after its last box,
 * full or not, and a new one is made when needed.
 *
 * The price: a box kept past its trace keeps the other boxes of its anchor
 * (at most ANCHOR_SLOTS small arrays) until it dies too.  Boxes of larger
 * arrays, plain arrays, and everything under PUC Lua keep a finalizer
 * each. */
#include <lauxlib.h>
#include <lua.h>

#include "lua_binding.h"

#include <stddef.h>
#include <string.h>

_Static_assert(offsetof(adl_lua_state, ctx) == 0, "adl_lua_ctx reads the state's first member");

void adl_lua_state_init(adl_lua_state *st) {
    adl_ctx_init(&st->ctx);
    st->anchor = NULL;
    st->current_ref = LUA_NOREF;
    st->strong_ref = LUA_NOREF;
    st->strong_held = 0;
    st->finalizer_mt_ref = LUA_NOREF;
}

#if LUA_VERSION_NUM < 502

#define ANCHOR_SLOTS     256
#define ANCHOR_MAX_BYTES 64

struct adl_anchor {
    int n;
    adl_array *held[ANCHOR_SLOTS];
};

static adl_lua_state *state_of(lua_State *L) {
    return (adl_lua_state *)adl_lua_ctx(L);
}

static int anchor_gc(lua_State *L) {
    struct adl_anchor *an = lua_touserdata(L, 1);
    for (int i = 0; i < an->n; i++)
        adl_array_release(an->held[i]);
    an->n = 0;
    /* a new anchor may have been made since the weak reference was
     * cleared; if not, this one must not be used again */
    lua_getfield(L, LUA_REGISTRYINDEX, ADL_LUA_CTX_KEY);
    adl_lua_state *st = lua_touserdata(L, -1);
    if (st != NULL && st->anchor == an)
        st->anchor = NULL;
    lua_pop(L, 1);
    return 0;
}

/* A registry slot of ours, made on first use (luaL_ref pops the value). */
static void set_ref(lua_State *L, int *ref) {
    if (*ref == LUA_NOREF)
        *ref = luaL_ref(L, LUA_REGISTRYINDEX);
    else
        lua_rawseti(L, LUA_REGISTRYINDEX, *ref);
}

/* Pushes the weak-valued table whose [1] is the current anchor's
 * metatable (when it still lives). */
static void push_current(lua_State *L, adl_lua_state *st) {
    if (st->current_ref == LUA_NOREF) {
        lua_createtable(L, 1, 0);
        lua_createtable(L, 0, 1);
        lua_pushliteral(L, "v");
        lua_setfield(L, -2, "__mode");
        lua_setmetatable(L, -2);
        set_ref(L, &st->current_ref);
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, st->current_ref);
}

/* A new current anchor; pushes its metatable: the array metatable's
 * fields (copied now, so fields added since reach it) but __gc, and the
 * anchor at key 1.  `current` is the index of the weak table.  May raise
 * (memory) before anything changes. */
static struct adl_anchor *new_anchor(lua_State *L, adl_lua_state *st, int current) {
    if (st->finalizer_mt_ref == LUA_NOREF) {
        lua_createtable(L, 0, 1);
        lua_pushcfunction(L, anchor_gc);
        lua_setfield(L, -2, "__gc");
        set_ref(L, &st->finalizer_mt_ref);
    }
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
    struct adl_anchor *an = lua_newuserdata(L, sizeof *an);
    an->n = 0;
    lua_rawgeti(L, LUA_REGISTRYINDEX, st->finalizer_mt_ref);
    lua_setmetatable(L, -2);
    lua_rawseti(L, copy, 1);
    lua_pushvalue(L, copy);
    lua_rawseti(L, current, 1);
    st->anchor = an;
    return an;
}

/* The current anchor with room for one more box; pushes its metatable.
 * While traces run, the registry holds that metatable strongly (one
 * lookup a box); between traces only the weak table does, so that the
 * anchor can go with its boxes, and the next trace takes it up again if
 * it still lives. */
static struct adl_anchor *push_anchor_metatable(lua_State *L, adl_lua_state *st) {
    struct adl_anchor *an = st->anchor;
    if (an != NULL && an->n < ANCHOR_SLOTS && st->strong_held) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, st->strong_ref);
        return an;
    }
    push_current(L, st);
    lua_rawgeti(L, -1, 1);
    if (lua_isnil(L, -1) || an == NULL || an->n == ANCHOR_SLOTS) {
        lua_pop(L, 1);
        an = new_anchor(L, st, lua_gettop(L));
    }
    lua_remove(L, -2); /* the weak table */
    lua_pushvalue(L, -1);
    set_ref(L, &st->strong_ref);
    st->strong_held = 1;
    return an;
}

static int small_box(const adl_array *a) {
    return a != NULL && a->level > 0 &&
           (size_t)a->size * adl_dtype_size(a->dtype) <= ANCHOR_MAX_BYTES;
}

/* A box whose reference an anchor may hold: small, of a live trace (the
 * box of an ended one stands for a plain value). */
static int anchorable(const adl_array *a) {
    return small_box(a) && adl_trace_live(a->trace);
}

adl_ud *adl_lua_newslot_for(lua_State *L, const adl_array *a, const adl_array *b) {
    if (!small_box(a) && !small_box(b))
        return adl_lua_newslot(L);
    adl_lua_state *st = state_of(L);
    adl_ud *u = lua_newuserdata(L, sizeof *u);
    u->a = NULL;
    u->tag = &adl_ud_tag;
    u->anchor = NULL; /* raising below leaves a userdata without metatable: garbage */
    u->anchor = push_anchor_metatable(L, st);
    lua_setmetatable(L, -2);
    return u;
}

void adl_lua_anchor(lua_State *L, adl_ud *u) {
    adl_array *a = u->a;
    if (u->anchor != NULL) { /* a slot made for a box: no finalizer yet */
        if (anchorable(a) && u->anchor->n < ANCHOR_SLOTS) {
            u->anchor->held[u->anchor->n++] = a;
            return;
        }
        /* not what was expected (or its anchor filled meanwhile) */
        lua_pushvalue(L, ADL_MT_UPVALUE);
        lua_setmetatable(L, -2);
        u->anchor = NULL;
        return;
    }
    if (!anchorable(a))
        return;
    struct adl_anchor *an = push_anchor_metatable(L, state_of(L));
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
    if (!st->strong_held)
        return;
    lua_pushboolean(L, 0); /* not nil: the slot stays ours (luaL_ref) */
    lua_rawseti(L, LUA_REGISTRYINDEX, st->strong_ref);
    st->strong_held = 0;
}

#else /* PUC Lua: every array keeps its own finalizer */

adl_ud *adl_lua_newslot_for(lua_State *L, const adl_array *a, const adl_array *b) {
    (void)a;
    (void)b;
    return adl_lua_newslot(L);
}

void adl_lua_anchor(lua_State *L, adl_ud *u) {
    (void)L;
    (void)u;
}

void adl_lua_anchor_release(lua_State *L) {
    (void)L;
}

void adl_lua_own(lua_State *L, int idx) {
    (void)L;
    (void)idx;
}

#endif
