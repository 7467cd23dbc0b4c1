/* lua_floor.c: the floor under W3 (bench/WORKLOADS.md) for any engine that
 * answers each operation with a Lua C function, as adlua's binding does.
 *
 * A Lua module, `lua_floor`, whose values are 24-byte userdata (adlua's
 * size) sharing one metatable without __gc.  Its `*`, `+` and `tanh` check
 * their operands as adlua's binding does (a userdata of this size and tag,
 * or a number) and return a new such userdata: the interpreter's metamethod
 * call, the C API calls, one allocation and its collection, and nothing
 * else (no value, no tape, no gradient).  bench/floor_w3.lua times W3's
 * chain on it; docs/performance.md explains the comparison. */
#include <lauxlib.h>
#include <lua.h>

typedef struct box {
    void *value;
    const void *tag;
    void *spare;
} box;

static const char box_tag;

static box *to_box(lua_State *L, int idx) {
    box *b = lua_touserdata(L, idx);
    if (!b || lua_objlen(L, idx) != sizeof *b || b->tag != &box_tag)
        return NULL;
    return b;
}

/* A new box with the metatable (upvalue 1). */
static int push_box(lua_State *L) {
    box *b = lua_newuserdata(L, sizeof *b);
    b->value = NULL;
    b->tag = &box_tag;
    b->spare = NULL;
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_setmetatable(L, -2);
    return 1;
}

/* The calls of adlua's arith (core/lua_array.c), in its order. */
static int arith(lua_State *L) {
    (void)lua_touserdata(L, lua_upvalueindex(2)); /* adlua reads its context here */
    const box *a = to_box(L, 1), *b = to_box(L, 2);
    if (!a && lua_type(L, 1) != LUA_TNUMBER)
        return luaL_error(L, "lua_floor: operand 1 is neither a box nor a number");
    if (!b && lua_type(L, 2) != LUA_TNUMBER)
        return luaL_error(L, "lua_floor: operand 2 is neither a box nor a number");
    if (!b)
        (void)lua_tonumber(L, 2);
    return push_box(L);
}

static int unary(lua_State *L) {
    (void)lua_touserdata(L, lua_upvalueindex(2));
    if (!to_box(L, 1))
        return luaL_error(L, "lua_floor: expected a box");
    return push_box(L);
}

int luaopen_lua_floor(lua_State *L) {
    lua_newtable(L); /* the boxes' metatable */
    int mt = lua_gettop(L);
    lua_newuserdata(L, 1); /* stands for adlua's context upvalue */
    int ctx = lua_gettop(L);
    static const char *const ops[] = {"__add", "__mul"};
    for (int i = 0; i < 2; i++) {
        lua_pushvalue(L, mt);
        lua_pushvalue(L, ctx);
        lua_pushcclosure(L, arith, 2);
        lua_setfield(L, mt, ops[i]);
    }
    lua_newtable(L); /* the module */
    lua_pushvalue(L, mt);
    lua_pushvalue(L, ctx);
    lua_pushcclosure(L, unary, 2);
    lua_setfield(L, -2, "tanh");
    lua_pushvalue(L, mt);
    lua_pushcclosure(L, push_box, 1);
    lua_setfield(L, -2, "new");
    return 1;
}
