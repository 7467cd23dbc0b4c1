/* lua_binding.h: what the binding files (core/lua_*.c) share.
 *
 * Every binding function is a closure with two upvalues: the interpreter's
 * core context (a full userdata holding adl_ctx) and the array metatable.
 * A function checks and converts all its arguments first (these may raise),
 * then anchors its result userdata on the stack, then calls the core, and
 * raises the core's message only after freeing what it holds. */
#ifndef ADL_LUA_BINDING_H
#define ADL_LUA_BINDING_H

/* The Lua headers belong to the binding's .c files: each includes <lua.h>
 * and <lauxlib.h> before this header, which uses their names. */

#include "adl_core.h"
#include "trace.h"

#include "lua_compat.h"

#define ADL_CTX_UPVALUE lua_upvalueindex(1)
#define ADL_MT_UPVALUE  lua_upvalueindex(2)

typedef struct adl_ud {
    adl_array *a;    /* one reference; NULL until the core filled it */
    const void *tag; /* &adl_ud_tag: marks an array userdata (adl_lua_toarray) */
    /* when set, the userdata has this anchor's metatable (no __gc) and the
     * reference is the anchor's (lua_anchor.c) */
    struct adl_anchor *anchor;
    /* the context of the state that made it: an operation reads it here,
     * from the operand it has fetched anyway, instead of from its upvalue
     * (adl_lua_ctx: one C API call more per operation) */
    adl_ctx *ctx;
} adl_ud;

/* The ctx userdata of a lua_State (in the registry, upvalue 1 of every
 * binding function): the core's context, then the binding's own state. */
typedef struct adl_lua_state {
    adl_ctx ctx;               /* first: adl_lua_ctx reads it */
    struct adl_anchor *anchor; /* the anchor small boxes join now, or NULL */
    int small_boxes;           /* small boxes of the outermost trace so far */
    /* registry slots (LUA_NOREF until used): the current anchor's
     * metatable (false when there is none), spare metatables for new
     * anchors, and the anchors' own metatable (with __gc) */
    int current_ref, spares_ref, finalizer_mt_ref;
} adl_lua_state;
#define ADL_LUA_CTX_KEY "adlua.ctx" /* the registry field of the ctx userdata */
void adl_lua_state_init(adl_lua_state *st);

/* Small boxes without a finalizer each (lua_anchor.c).
 * - adl_lua_newslot_for: adl_lua_newslot for an operation on a and b (b
 *   may be NULL) of the calling function's ctx (adl_lua_ctx(L), which the
 *   caller has fetched already): when one is a small box, so the result
 *   likely is, the slot gets the current anchor's metatable at once
 *   (adl_lua_finish corrects a wrong guess).
 * - adl_lua_anchor (from adl_lua_finish): hands the reference of the array
 *   userdata u at the top of the stack to the current anchor when u holds
 *   a small box of a live trace.  May raise, leaving u owning it.
 * - adl_lua_own: the userdata at idx owns its reference again (before its
 *   environment is replaced).
 * - adl_lua_anchor_release: when the outermost trace ends, the binding
 *   lets go of the current anchor, so it goes with its boxes. */
adl_ud *adl_lua_newslot_for(lua_State *L, adl_ctx *ctx, const adl_array *a, const adl_array *b);
void adl_lua_anchor(lua_State *L, adl_ud *u);
void adl_lua_own(lua_State *L, int idx);
void adl_lua_anchor_release(lua_State *L);

extern const char adl_ud_tag;

/* Pushes a new, empty array userdata of ctx without a metatable:
 * adl_lua_newslot and adl_lua_newslot_for give it theirs. */
static inline adl_ud *adl_lua_newud(lua_State *L, adl_ctx *ctx) {
    adl_ud *u = (adl_ud *)lua_newuserdata(L, sizeof *u);
    u->a = NULL;
    u->tag = &adl_ud_tag;
    u->anchor = NULL;
    u->ctx = ctx;
    return u;
}

static inline adl_ctx *adl_lua_ctx(lua_State *L) {
    return (adl_ctx *)lua_touserdata(L, ADL_CTX_UPVALUE);
}

/* A scalar box (a Lua table, lua_scalar.c) at idx is replaced there by
 * its array box; returns 1 when it did that, 0 (nothing done) for any
 * other value. */
int adl_lua_unscalar(lua_State *L, int idx);
/* lua_type for the binding's readers of arguments: a scalar box at idx is
 * first replaced by its array box, so that no reader of tables takes one
 * for a shape, axes, options or an index. */
static inline int adl_lua_type(lua_State *L, int idx) {
    int t = lua_type(L, idx);
    if (t == LUA_TTABLE && adl_lua_unscalar(L, idx))
        t = lua_type(L, idx);
    return t;
}

/* The array at idx, or NULL when it is not an adlua array.  Every operand
 * goes through here (about 17 times per sample of the blog's loop), so it
 * recognises an array userdata by its size and tag instead of comparing
 * metatables (lua_getmetatable + lua_rawequal + lua_pop: 3x the work).
 * Only adl_lua_newslot makes userdata of this size with this tag: Lua code
 * cannot forge one, and other C code would have to copy our tag's address. */
static inline adl_ud *adl_lua_toud(lua_State *L, int idx) {
    adl_ud *u = (adl_ud *)lua_touserdata(L, idx);
    if (!u && adl_lua_type(L, idx) == LUA_TUSERDATA) /* a scalar box, now its array box */
        u = (adl_ud *)lua_touserdata(L, idx);
    if (!u || lua_objlen(L, idx) != sizeof *u || u->tag != &adl_ud_tag)
        return NULL;
    return u;
}
static inline adl_array *adl_lua_toarray(lua_State *L, int idx) {
    adl_ud *u = adl_lua_toud(L, idx);
    return u ? u->a : NULL;
}
/* The context of an operation on the userdata u (NULL: not an array):
 * u's own, else the calling function's. */
static inline adl_ctx *adl_lua_ctx_of(lua_State *L, const adl_ud *u) {
    return u ? u->ctx : adl_lua_ctx(L);
}
/* The array at idx; numbers and nested tables are converted into a new
 * array that replaces them on the stack (traced when the table holds
 * traced values; a table with keys other than 1..n is refused).  Raises
 * "<fname>: ..." otherwise. */
adl_array *adl_lua_checkarray(lua_State *L, int idx, const char *fname);
/* The conversion of adl_lua_checkarray for np.array: the number or nested
 * table at idx becomes a new array that replaces it (an array built by
 * traced operations when the table holds traced values, so that
 * derivatives flow through it); *f32 tells whether the table's entries were
 * float32 arrays and nothing else (NumPy's np.array then is float32). */
adl_array *adl_lua_table_array(lua_State *L, int idx, const char *fname, int *f32);
/* adl_lua_checkarray that also sets *ctx (adl_lua_ctx_of the array). */
adl_array *adl_lua_checkarray_ctx(lua_State *L, int idx, const char *fname, adl_ctx **ctx);

/* The plain array under a that an assignment may write into, or raises
 * "setitem: ..." (a traced array of a live trace, numbers a live tape or an
 * ad.jit recording holds). */
adl_array *adl_lua_assignable(lua_State *L, adl_array *a);
/* The trace (a light userdata from trace_begin) at idx, or a Lua error. */
adl_trace *adl_lua_checktrace(lua_State *L, int idx);
/* Pushes an empty array userdata (with the metatable) and returns its slot;
 * _ctx when the caller has the context at hand. */
adl_ud *adl_lua_newslot(lua_State *L);
adl_ud *adl_lua_newslot_ctx(lua_State *L, adl_ctx *ctx);
/* Completes a call: on success stores *result in the slot at the top of the
 * stack (a plain 0-d result becomes a Lua number instead); on failure raises
 * "<prefix><core message>". Returns 1 (the number of results).  It takes a
 * pointer so that `adl_lua_finish(L, core_call(..., &r), &r, ...)` reads r
 * after the call, whatever the order C evaluates arguments in. */
int adl_lua_finish(lua_State *L, adl_status st, adl_array *const *result, const char *prefix);
/* adl_lua_finish for the slot u at the top of the stack, as returned by
 * adl_lua_newslot(_for): one C API call fewer, for the per-operation paths. */
int adl_lua_finish_slot(lua_State *L, adl_ud *u, adl_status st, adl_array *const *result,
                        const char *prefix);
/* Pushes a (taking over its reference), as adl_lua_newslot + finish. */
void adl_lua_pusharray(lua_State *L, adl_array *a);
/* A whole number at idx in [lo, hi], or raises naming fname and what. */
int64_t adl_lua_checkint(lua_State *L, int idx, const char *fname, const char *what, int64_t lo,
                         int64_t hi);
/* A shape: a number or a table of numbers (or the numbers from idx to the
 * top when `varargs`).  Returns ndim. */
int adl_lua_checkshape(lua_State *L, int idx, const char *fname, int64_t *shape, int varargs);
/* Axis argument (nil, a number or a table of numbers; 1-based) to a list
 * of distinct 0-based axes; returns the count, -1 for all axes (nil). */
int adl_lua_checkaxes(lua_State *L, int idx, const char *fname, int ndim, int *axes);

/* luaL_error with C's printf formats (Lua's own lack %lld and %g). */
int adl_lua_raise(lua_State *L, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));
/* NumPy's keyword arguments given as the options table at idx: pushes the
 * value of each of names (a NULL-terminated list), nil when absent, in
 * names' order, as a lua_getfield for each would; a key that is not one of
 * names (a misspelling, or a NumPy keyword that adlua lacks, which would
 * otherwise be ignored) raises "<fname>: unknown option 'k' (options: a,
 * b)".  Called only when a table was given, so calls without one pay
 * nothing. */
void adl_lua_options(lua_State *L, int idx, const char *fname, const char *const *names);

/* The collector's memory pressure (lua_memory.c): call after making an
 * array; collects when the core's bytes have doubled since the last time.
 * Smaller arrays are not worth the check: their userdata weighs enough in
 * Lua's heap for its own collector to keep up. */
#define ADL_LUA_ACCOUNT_BYTES 1024
extern _Thread_local int64_t adl_lua_gc_low, adl_lua_gc_mark;
void adl_lua_gc_step(lua_State *L);
static inline void adl_lua_account(lua_State *L) {
    /* one unsigned compare: outside [low, mark) */
    if (__builtin_expect((uint64_t)(adl_live_bytes() - adl_lua_gc_low) >=
                             (uint64_t)(adl_lua_gc_mark - adl_lua_gc_low),
                         0))
        adl_lua_gc_step(L);
}

/* Test hooks (lua_debug.c): core.debug, failure injection and counters. */
void adl_lua_open_debug(lua_State *L);

/* Registers funcs into the table at the top, each with the two upvalues. */
void adl_lua_setfuncs(lua_State *L, const luaL_Reg *funcs);

void adl_lua_open_array(lua_State *L);    /* metatable methods (lua_array.c) */
void adl_lua_open_numpy(lua_State *L);    /* np functions into table at top */
void adl_lua_open_autograd(lua_State *L); /* trace functions into table at top */
void adl_lua_open_jit(lua_State *L);      /* recordings and programs (lua_jit.c) */
void adl_lua_open_index(lua_State *L);    /* take, take_add (lua_index.c) */
/* index, index_remember: what the Lua front of __index calls (lua_array.c) */
void adl_lua_open_array_index(lua_State *L);
void adl_lua_open_mpi(lua_State *L); /* mpi_* functions into table at top */
/* np.linalg, np.random, files (lua_linalg.c, lua_random.c, lua_npyio.c) */
void adl_lua_open_linalg(lua_State *L);
void adl_lua_open_random(lua_State *L);
void adl_lua_open_npyio(lua_State *L);
void adl_lua_open_operators(lua_State *L); /* jacobians, primitives, debug_nans */
void adl_lua_open_scalar(lua_State *L);    /* scalar boxes' hooks (lua_scalar.c) */

int luaopen_adlua_core(lua_State *L);

#endif
