/* test_embed.c: the public C API of include/adlua.h as a host uses it:
 * error returns, zero-copy wrapping (float64 and float32), ownership across
 * the C/Lua boundary, protected calls with tracebacks, and several threads
 * that each own a lua_State. */
#include "harness.h"

#include "adlua.h"
#include "small_alloc.h"
#include <lauxlib.h>
#include <lualib.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static lua_State *new_state(void) {
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    adlua_openlibs(L);
    return L;
}

/* Runs code (which gets its arguments as ...) in a protected call. */
static int run(lua_State *L, const char *code, int narg, int nres) {
    if (luaL_loadstring(L, code) != 0)
        return -1;
    lua_insert(L, -narg - 1);
    return adlua_pcall(L, narg, nres);
}

static int releases;
static void count_release(void *ctx) {
    (void)ctx;
    releases++;
}

TEST(embed_array_new_and_queries) {
    int64_t shape[3] = {2, 3, 4};
    adl_array *a = adl_array_new(ADL_FLOAT32, 3, shape);
    REQUIRE(a != NULL);
    CHECK_EQ_INT(adl_array_dtype(a), ADL_FLOAT32);
    CHECK_EQ_INT(adl_array_ndim(a), 3);
    CHECK_EQ_INT(adl_array_shape(a)[2], 4);
    CHECK_EQ_INT(adl_array_strides(a)[0], 12);
    CHECK_EQ_INT(adl_array_strides(a)[2], 1);
    CHECK_EQ_INT(adl_array_size(a), 24);
    CHECK(adl_array_is_contiguous(a));
    CHECK(strcmp(adl_dtype_name(adl_array_dtype(a)), "float32") == 0);
    float *f = adl_array_data(a);
    CHECK(f[23] == 0.0f);
    adl_array_retain(a);
    adl_array_release(a);
    adl_array_release(a);
    adl_array_retain(NULL);
    adl_array_release(NULL);
}

TEST(embed_errors_are_return_values) {
    double mem[4];
    int64_t good[1] = {4}, neg[2] = {2, -3}, huge[2] = {(int64_t)1 << 40, (int64_t)1 << 40};
    CHECK(adl_array_wrap(NULL, ADL_FLOAT64, 1, good, NULL, NULL) == NULL);
    CHECK_STR_CONTAINS(adl_errmsg(), "array_wrap: data is NULL");
    CHECK(adl_array_new(ADL_FLOAT64, 2, neg) == NULL);
    CHECK_STR_CONTAINS(adl_errmsg(), "negative dimensions are not allowed");
    CHECK(adl_array_new(ADL_FLOAT64, 2, huge) == NULL);
    CHECK_STR_CONTAINS(adl_errmsg(), "too big");
    CHECK(adl_array_wrap(mem, ADL_FLOAT64, 2, huge, NULL, NULL) == NULL);
    CHECK(adl_array_new((adl_dtype)7, 1, good) == NULL);
    CHECK_STR_CONTAINS(adl_errmsg(), "array_new: unknown dtype 7");
    releases = 0;
    CHECK(adl_array_wrap(mem, (adl_dtype)-1, 1, good, count_release, NULL) == NULL);
    CHECK_EQ_INT(releases, 0); /* a failed wrap never calls release */
    CHECK(adl_array_new(ADL_FLOAT64, 1, NULL) == NULL);
    CHECK_STR_CONTAINS(adl_errmsg(), "shape is NULL");
    CHECK(adl_array_new(ADL_FLOAT64, -1, good) == NULL);
    CHECK(adl_array_new(ADL_FLOAT64, ADL_MAX_DIMS + 1, good) == NULL);
    adl_array *ok = adl_array_new(ADL_FLOAT64, 0, NULL); /* a 0-d array */
    CHECK(ok != NULL);
    adl_array_release(ok);
}

TEST(embed_wrap_float64_is_zero_copy_and_views_keep_it) {
    double mem[6] = {1, 2, 3, 4, 5, 6};
    int64_t shape[2] = {2, 3};
    releases = 0;
    adl_array *a = adl_array_wrap(mem, ADL_FLOAT64, 2, shape, count_release, NULL);
    REQUIRE(a != NULL);
    CHECK(adl_array_data(a) == (void *)mem);
    lua_State *L = new_state();
    adlua_pusharray(L, a);
    adl_array_release(a); /* Lua holds its own reference */
    CHECK_EQ_INT(releases, 0);
    /* Lua reads the host's numbers, writes into them, and keeps a view. */
    int st = run(L,
                 "local x = ...; local s = x:sum(); x[{2, 3}] = 60;"
                 " view = x.T; return s, x[{1, 2}]",
                 1, 2);
    if (st != 0)
        printf("%s\n", lua_tostring(L, -1));
    REQUIRE(st == 0);
    CHECK_NEAR(lua_tonumber(L, -2), 21.0, 0);
    CHECK_NEAR(lua_tonumber(L, -1), 2.0, 0);
    lua_pop(L, 2);
    CHECK_NEAR(mem[5], 60.0, 0);
    lua_gc(L, LUA_GCCOLLECT, 0);
    CHECK_EQ_INT(releases, 0); /* the global `view` still shares mem */
    REQUIRE(run(L, "view[{1, 2}] = -1; return view", 0, 1) == 0);
    CHECK_NEAR(mem[3], -1.0, 0);
    adl_array *v = adlua_toarray(L, -1); /* borrowed */
    REQUIRE(v != NULL);
    CHECK_EQ_INT(adl_array_shape(v)[0], 3);
    CHECK_EQ_INT(adl_array_strides(v)[0], 1);
    CHECK(!adl_array_is_contiguous(v));
    adl_array_retain(v); /* outlives the Lua value */
    lua_pop(L, 1);
    REQUIRE(run(L, "view = nil", 0, 0) == 0);
    lua_close(L);
    CHECK_EQ_INT(releases, 0);
    CHECK_NEAR(((double *)adl_array_data(v))[0], 1.0, 0);
    adl_array_release(v);
    CHECK_EQ_INT(releases, 1);
}

/* float32 host memory: Lua reads it, writes into it (float64 values are
 * rounded to float32, as NumPy's assignment does), computes on it in
 * float32, differentiates through it, and a view keeps it alive. */
TEST(embed_wrap_float32_is_zero_copy) {
    float mem[4] = {1.5f, 2.5f, 3.5f, 4.5f};
    int64_t shape[2] = {2, 2};
    releases = 0;
    adl_array *a = adl_array_wrap(mem, ADL_FLOAT32, 2, shape, count_release, NULL);
    REQUIRE(a != NULL);
    CHECK_EQ_INT(adl_array_dtype(a), ADL_FLOAT32);
    CHECK(adl_array_data(a) == (void *)mem);
    CHECK_EQ_INT(adl_array_strides(a)[0], 2);
    lua_State *L = new_state();
    adlua_pusharray(L, a);
    adl_array_release(a);
    int st = run(L,
                 "local x = ...; local ad = require 'adlua'; local np = require 'adlua.numpy'\n"
                 "local s = x:sum(); x[{2, 2}] = 0.1; view = x.T\n"
                 "local y = x * 2\n"
                 "local g = ad.grad(function(v) return np.sum(v * v) end)(x)\n"
                 "return x.dtype, s, y.dtype, y[{1, 2}], g.dtype, g[{1, 1}]",
                 1, 6);
    if (st != 0)
        printf("%s\n", lua_tostring(L, -1));
    REQUIRE(st == 0);
    CHECK(strcmp(lua_tostring(L, -6), "float32") == 0);
    CHECK_NEAR(lua_tonumber(L, -5), 12.0, 0);
    CHECK(strcmp(lua_tostring(L, -4), "float32") == 0);
    CHECK_NEAR(lua_tonumber(L, -3), 5.0, 0);
    CHECK(strcmp(lua_tostring(L, -2), "float32") == 0);
    CHECK_NEAR(lua_tonumber(L, -1), 3.0, 0);
    lua_pop(L, 6);
    CHECK(mem[3] == 0.1f); /* written in place, rounded to float32 */
    lua_gc(L, LUA_GCCOLLECT, 0);
    CHECK_EQ_INT(releases, 0); /* the global `view` still shares mem */
    REQUIRE(run(L, "view[{2, 1}] = -1", 0, 0) == 0);
    CHECK(mem[1] == -1.0f);
    lua_close(L);
    CHECK_EQ_INT(releases, 1);
}

TEST(embed_toarray_and_pusharray_edges) {
    lua_State *L = new_state();
    lua_pushnumber(L, 3);
    CHECK(adlua_toarray(L, -1) == NULL);
    lua_newtable(L);
    CHECK(adlua_toarray(L, -1) == NULL);
    lua_newuserdata(L, 8);
    CHECK(adlua_toarray(L, -1) == NULL); /* someone else's userdata */
    adlua_pusharray(L, NULL);
    CHECK(lua_isnil(L, -1));
    lua_settop(L, 0);
    /* Arrays made by Lua come back to C, borrowed. */
    REQUIRE(run(L, "return require('adlua.numpy').ones({2, 2}) * 3", 0, 1) == 0);
    adl_array *a = adlua_toarray(L, -1);
    REQUIRE(a != NULL);
    CHECK_NEAR(((double *)adl_array_data(a))[3], 3.0, 0);
    lua_close(L);
}

TEST(embed_pusharray_before_require) {
    /* A state that never required adlua: pusharray loads the C half. */
    lua_State *L = new_state();
    adl_array *a = adl_array_new(ADL_FLOAT64, 1, (int64_t[]){3});
    REQUIRE(a != NULL);
    adlua_pusharray(L, a);
    adl_array_release(a);
    REQUIRE(run(L, "return tostring(...)", 1, 1) == 0);
    CHECK(strcmp(lua_tostring(L, -1), "[0. 0. 0.]") == 0);
    lua_close(L);
}

TEST(embed_pcall_returns_message_and_traceback) {
    lua_State *L = new_state();
    int st = run(L,
                 "local np = require 'adlua.numpy'\n"
                 "local function inner() return np.dot(np.ones({3, 4}), np.ones({5, 6})) end\n"
                 "inner()",
                 0, 0);
    CHECK(st == LUA_ERRRUN);
    const char *msg = lua_tostring(L, -1);
    REQUIRE(msg != NULL);
    CHECK_STR_CONTAINS(msg, "np.dot: shapes (3,4) and (5,6) not aligned");
    CHECK_STR_CONTAINS(msg, "stack traceback:");
    CHECK_STR_CONTAINS(msg, "inner");
    lua_pop(L, 1);
    CHECK(run(L, "error(setmetatable({}, {}))", 0, 0) == LUA_ERRRUN);
    CHECK_STR_CONTAINS(lua_tostring(L, -1), "(error object is a table value)");
    lua_pop(L, 1);
    /* The state stays usable after errors. */
    REQUIRE(run(L, "return require('adlua').grad(function(x) return x * x end)(3)", 0, 1) == 0);
    CHECK_NEAR(lua_tonumber(L, -1), 6.0, 0);
    lua_close(L);
}

/* ---- threads ---- */

/* The iris logistic regression of examples/train_iris.lua, fewer steps. */
static const char *iris_code =
    "local ad = require 'adlua'; local np = require 'adlua.numpy'\n"
    "local iris = require('adlua.datasets').load_iris()\n"
    "local X = np.stack({iris.data[{{1, 100}, 1}], iris.data[{{1, 100}, 2}], np.ones(100)})\n"
    "local t = iris.target[{{1, 100}}]\n"
    "local function loss(w)\n"
    "  local l = 0\n"
    "  for i = 1, 100 do\n"
    "    local z = np.dot(w.T, X[{{}, i}])\n"
    "    l = l - (t[i] * z - np.log(1 + np.exp(z)))\n"
    "  end\n"
    "  return l\n"
    "end\n"
    "local w = np.zeros({3, 1})\n"
    "for _ = 1, 60 do w = w - ad.grad(loss)(w) * 0.001 end\n"
    "return string.format('%.17g %.17g %.17g %.17g', w[{1, 1}], w[{2, 1}], w[{3, 1}],"
    " loss(w)[1])";

struct train_job {
    char result[128];
    int ok;
};

static void *train(void *arg) {
    struct train_job *job = arg;
    lua_State *L = new_state();
    job->ok = run(L, iris_code, 0, 1) == 0;
    snprintf(job->result, sizeof job->result, "%s", lua_tostring(L, -1));
    lua_close(L);
    adl_thread_cleanup();
    return NULL;
}

TEST(embed_four_threads_train_like_one) {
    struct train_job single, jobs[4];
    train(&single);
    REQUIRE(single.ok);
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        REQUIRE(pthread_create(&th[i], NULL, train, &jobs[i]) == 0);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < 4; i++) {
        CHECK(jobs[i].ok);
        CHECK(strcmp(jobs[i].result, single.result) == 0);
    }
    /* and the training did something: the loss fell from 100 log 2 */
    double w1, w2, w3, l;
    REQUIRE(sscanf(single.result, "%lf %lf %lf %lf", &w1, &w2, &w3, &l) == 4);
    CHECK(l < 69.0);
}

/* A state from adlua_newstate runs adlua like any other, on the slab
 * allocator wherever LuaJIT takes an allocator at all. */
TEST(embed_newstate_runs_on_the_slab_allocator) {
    lua_State *L = adlua_newstate();
    REQUIRE(L != NULL);
    luaL_openlibs(L);
    adlua_openlibs(L);
    adl_small_alloc *probe = adl_small_alloc_new();
    REQUIRE(probe != NULL);
    lua_State *P = lua_newstate(adl_small_realloc, probe);
    if (P) { /* this Lua takes an allocator: adlua_newstate must have used ours */
        lua_close(P);
        CHECK(lua_getallocf(L, NULL) == adl_small_realloc);
    }
    adl_small_alloc_delete(probe);
    const char *code = "local ad, np = require 'adlua', require 'adlua.numpy'\n"
                       "local g = ad.grad(function(x)\n"
                       "  local y = x\n"
                       "  for _ = 1, 3000 do y = np.tanh(y * 1.0001 + 0.01) end\n"
                       "  return y\n"
                       "end)\n"
                       "return g(0.5), g(0.5)";
    REQUIRE(run(L, code, 0, 2) == 0);
    CHECK(lua_tonumber(L, -1) > 0);
    CHECK(lua_tonumber(L, -1) == lua_tonumber(L, -2));
    adlua_close(L);
}

/* lua_close alone frees adlua_newstate's allocator (adlua_close too). */
TEST(embed_newstate_closes_with_lua_close) {
    long base = adl_small_alloc_live();
    for (int i = 0; i < 2; i++) {
        lua_State *L = adlua_newstate();
        REQUIRE(L != NULL);
        luaL_openlibs(L);
        adlua_openlibs(L);
        REQUIRE(run(L, "local np = require 'adlua.numpy'; return np.ones({3, 4}):sum()", 0, 1) ==
                0);
        CHECK(lua_tonumber(L, -1) == 12);
        if (i == 0)
            lua_close(L);
        else
            adlua_close(L);
        CHECK(adl_small_alloc_live() == base);
    }
}

TEST(embed_close_takes_any_state) {
    lua_State *L = luaL_newstate();
    REQUIRE(L != NULL);
    luaL_openlibs(L);
    REQUIRE(run(L, "return #string.rep('x', 1000)", 0, 1) == 0);
    CHECK(lua_tonumber(L, -1) == 1000);
    adlua_close(L);
}

#if LUA_VERSION_NUM >= 504
#include <unistd.h>

/* What warn() writes to stderr in L: the script's warnings, captured. */
static void capture_warnings(lua_State *L, char *out, size_t size) {
    const char *code = "warn('not shown: warnings start off')\n"
                       "warn('@on')\n"
                       "warn('first ', 'in ', 'pieces')\n"
                       "warn('second')\n"
                       "warn('@off')\n"
                       "warn('not shown either')";
    FILE *tmp = tmpfile();
    out[0] = '\0';
    if (!tmp)
        return;
    fflush(stderr);
    int saved = dup(2);
    dup2(fileno(tmp), 2);
    int st = run(L, code, 0, 0);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    size_t n = st == 0 ? fread(out, 1, size - 1, tmp) : 0;
    out[n] = '\0';
    fclose(tmp);
}

/* Lua 5.4's warn() behaves in adlua_newstate's state as in luaL_newstate's. */
TEST(embed_newstate_warns_as_luaL_newstate) {
    char ours[256], theirs[256];
    lua_State *L = adlua_newstate();
    REQUIRE(L != NULL);
    luaL_openlibs(L);
    capture_warnings(L, ours, sizeof ours);
    adlua_close(L);
    L = luaL_newstate();
    REQUIRE(L != NULL);
    luaL_openlibs(L);
    capture_warnings(L, theirs, sizeof theirs);
    lua_close(L);
    CHECK(strcmp(ours, "Lua warning: first in pieces\nLua warning: second\n") == 0);
    CHECK(strcmp(ours, theirs) == 0);
}
#endif
