/* lua_mpi.c: the C half of adlua.mpi (lua/adlua/mpi.lua builds the
 * friendly API on these: tables, means, structure of broadcasts). */
#include <lauxlib.h>
#include <lua.h>

#include "alloc.h"
#include "lua_binding.h"
#include "mpi_comm.h"

#include <stdlib.h>
#include <string.h>

static int l_mpi_available(lua_State *L) {
    lua_pushboolean(L, adl_mpi_available());
    return 1;
}

static void raise_status(lua_State *L) {
    adl_lua_raise(L, "%s", adl_lua_ctx(L)->msg);
}

static int l_mpi_world(lua_State *L) {
    int rank = 0, size = 1;
    if (adl_mpi_world(adl_lua_ctx(L), &rank, &size))
        raise_status(L);
    lua_pushinteger(L, rank);
    lua_pushinteger(L, size);
    return 2;
}

static int l_mpi_wtime(lua_State *L) {
    double t = 0;
    if (adl_mpi_wtime(adl_lua_ctx(L), &t))
        raise_status(L);
    lua_pushnumber(L, t);
    return 1;
}

static int l_mpi_barrier(lua_State *L) {
    if (adl_mpi_barrier(adl_lua_ctx(L)))
        raise_status(L);
    return 0;
}

static int check_root(lua_State *L, int idx, const char *fname) {
    if (lua_isnoneornil(L, idx))
        return 0;
    return (int)adl_lua_checkint(L, idx, fname, "root", 0, 1 << 30);
}

/* mpi_allreduce(array, "sum" | "max" | "min") -> array */
static int l_mpi_allreduce(lua_State *L) {
    adl_array *x = adl_lua_toarray(L, 1);
    if (!x)
        adl_lua_raise(L, "mpi.allreduce: expected an array, got %s", luaL_typename(L, 1));
    const char *name = luaL_optstring(L, 2, "sum");
    adl_mpi_op op;
    if (!strcmp(name, "sum"))
        op = ADL_MPI_SUM;
    else if (!strcmp(name, "max"))
        op = ADL_MPI_MAX;
    else if (!strcmp(name, "min"))
        op = ADL_MPI_MIN;
    else
        adl_lua_raise(L,
                      "mpi.allreduce: op must be \"sum\", \"mean\", \"max\" or \"min\", got "
                      "\"%s\"",
                      name);
    adl_ud *u = adl_lua_newslot(L); /* the result stays an array, 0-d included */
    if (adl_mpi_allreduce(adl_lua_ctx(L), x, op, &u->a))
        raise_status(L);
    return 1;
}

/* mpi_bcast_array(array, root): root's numbers into array on every rank. */
static int l_mpi_bcast_array(lua_State *L) {
    adl_array *x = adl_lua_toarray(L, 1);
    if (!x)
        adl_lua_raise(L, "mpi.bcast: expected an array, got %s", luaL_typename(L, 1));
    if (adl_mpi_bcast_array(adl_lua_ctx(L), x, check_root(L, 2, "mpi.bcast")))
        raise_status(L);
    lua_settop(L, 1);
    return 1;
}

/* mpi_bcast_bytes(string or nil, root) -> root's string on every rank */
static int l_mpi_bcast_bytes(lua_State *L) {
    size_t n = 0;
    const char *s = lua_isstring(L, 1) ? lua_tolstring(L, 1, &n) : NULL;
    int root = check_root(L, 2, "mpi.bcast");
    char *out = NULL;
    size_t nout = 0;
    if (adl_mpi_bcast_bytes(adl_lua_ctx(L), s, n, root, &out, &nout))
        raise_status(L);
    lua_pushlstring(L, out, nout);
    adl_free(out);
    return 1;
}

/* mpi_gather_bytes(string, root) -> on root a list of every rank's string */
static int l_mpi_gather_bytes(lua_State *L) {
    size_t n = 0;
    const char *s = luaL_checklstring(L, 1, &n);
    int root = check_root(L, 2, "mpi.gather");
    char *all = NULL;
    int64_t *lens = NULL;
    if (adl_mpi_gather_bytes(adl_lua_ctx(L), s, n, root, &all, &lens))
        raise_status(L);
    if (!lens) {
        lua_pushnil(L);
        return 1;
    }
    int rank = 0, size = 1;
    adl_mpi_world(adl_lua_ctx(L), &rank, &size);
    lua_createtable(L, size, 0);
    int64_t off = 0;
    for (int i = 0; i < size; i++) {
        lua_pushlstring(L, all + off, (size_t)lens[i]);
        lua_rawseti(L, -2, i + 1);
        off += lens[i];
    }
    adl_free(all);
    adl_free(lens);
    return 1;
}

/* mpi_tobytes(array) -> its numbers, C order, as a string of raw bytes */
static int l_mpi_tobytes(lua_State *L) {
    adl_array *x = adl_lua_toarray(L, 1);
    if (!x)
        adl_lua_raise(L, "mpi: expected an array, got %s", luaL_typename(L, 1));
    const adl_array *v = adl_value_read(adl_lua_ctx(L), x);
    adl_array *packed = NULL;
    if (!adl_array_is_contiguous(v)) {
        adl_lua_newslot(L);
        if (adl_k_copy(adl_lua_ctx(L), v, &packed))
            raise_status(L);
        ((adl_ud *)lua_touserdata(L, -1))->a = packed;
        v = packed;
    }
    size_t esize = adl_dtype_size(v->dtype);
    lua_pushlstring(L, (const char *)v->buf->data + v->offset * esize, (size_t)v->size * esize);
    return 1;
}

/* mpi_frombytes(string, offset, count, dtype) -> 1-d array of count numbers
 * read from the string at byte offset (0-based) */
static int l_mpi_frombytes(lua_State *L) {
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    int64_t off = adl_lua_checkint(L, 2, "mpi", "offset", 0, (int64_t)n);
    int64_t count = adl_lua_checkint(L, 3, "mpi", "count", 0, (int64_t)n);
    adl_dtype dt = !strcmp(luaL_optstring(L, 4, "float64"), "float32") ? ADL_FLOAT32 : ADL_FLOAT64;
    size_t esize = adl_dtype_size(dt);
    if ((size_t)off + (size_t)count * esize > n)
        adl_lua_raise(L, "mpi: message too short (%lld elements at byte %lld of %zu)",
                      (long long)count, (long long)off, n);
    adl_ud *u = adl_lua_newslot(L);
    adl_array *a = adl_array_alloc(adl_lua_ctx(L), "mpi", dt, 1, &count);
    if (!a)
        raise_status(L);
    u->a = a;
    if (count > 0)
        memcpy(a->buf->data, s + off, (size_t)count * esize);
    return 1;
}

static const luaL_Reg funcs[] = {{"mpi_available", l_mpi_available},
                                 {"mpi_world", l_mpi_world},
                                 {"mpi_barrier", l_mpi_barrier},
                                 {"mpi_wtime", l_mpi_wtime},
                                 {"mpi_allreduce", l_mpi_allreduce},
                                 {"mpi_bcast_array", l_mpi_bcast_array},
                                 {"mpi_bcast_bytes", l_mpi_bcast_bytes},
                                 {"mpi_gather_bytes", l_mpi_gather_bytes},
                                 {"mpi_tobytes", l_mpi_tobytes},
                                 {"mpi_frombytes", l_mpi_frombytes},
                                 {NULL, NULL}};

void adl_lua_open_mpi(lua_State *L) {
    adl_lua_setfuncs(L, funcs);
}
