/* lua_npyio.c: the C half of np.save / np.load / np.savez / np.loadtxt
 * (lua/adlua/npyio.lua adds options, nesting and savetxt).
 *
 * Memory that the core allocates (file contents, encoded arrays; adl_malloc,
 * so adl_free) is held by an "owned" userdata created before the
 * allocation, so a Lua error raised later (say, out of memory while
 * building the result table) frees it. */
#include <lauxlib.h>
#include <lua.h>

#include "alloc.h"
#include "lua_binding.h"
#include "npyio.h"

#include <stdlib.h>
#include <string.h>

#define OWNED_MT "adlua.owned"

typedef struct owned {
    void *p[2];
} owned;

static int owned_gc(lua_State *L) {
    owned *o = lua_touserdata(L, 1);
    for (int i = 0; i < 2; i++) {
        adl_free(o->p[i]);
        o->p[i] = NULL;
    }
    return 0;
}

/* Pushes an empty holder for up to two blocks from adl_malloc. */
static owned *push_owned(lua_State *L) {
    owned *o = lua_newuserdata(L, sizeof *o);
    o->p[0] = o->p[1] = NULL;
    if (luaL_newmetatable(L, OWNED_MT)) {
        lua_pushcfunction(L, owned_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushboolean(L, 0); /* no __gc to call by hand */
        lua_setfield(L, -2, "__metatable");
    }
    lua_setmetatable(L, -2);
    return o;
}

static int raise_ctx(lua_State *L) {
    return adl_lua_raise(L, "np.%s", adl_lua_ctx(L)->msg);
}

/* save(path, x): path as given (npyio.lua appends ".npy"). */
static int l_save(lua_State *L) {
    const char *path = luaL_checkstring(L, 1);
    adl_array *a = adl_lua_checkarray(L, 2, "np.save");
    owned *o = push_owned(L);
    size_t n;
    adl_ctx *ctx = adl_lua_ctx(L);
    if (adl_npy_encode(ctx, adl_array_value(a), (unsigned char **)&o->p[0], &n) ||
        adl_file_write_atomic(ctx, "save", path, o->p[0], n))
        return raise_ctx(L);
    return 0;
}

static int is_zip(const unsigned char *p, size_t n) {
    return n >= 4 && p[0] == 'P' && p[1] == 'K' &&
           ((p[2] == 3 && p[3] == 4) || (p[2] == 5 && p[3] == 6));
}

/* load(path): an array for a .npy file; for a .npz archive a flat table
 * {name = array} (names without ".npy") and true. */
static int l_load(lua_State *L) {
    const char *path = luaL_checkstring(L, 1);
    adl_ctx *ctx = adl_lua_ctx(L);
    owned *o = push_owned(L);
    size_t n;
    if (adl_file_read(ctx, "load", path, (unsigned char **)&o->p[0], &n))
        return raise_ctx(L);
    const unsigned char *buf = o->p[0];
    if (!is_zip(buf, n)) {
        if (n < 6 || memcmp(buf, "\x93NUMPY", 6) != 0)
            adl_lua_raise(L, "np.load: '%s' is neither a .npy nor a .npz file", path);
        adl_array *a = NULL;
        adl_lua_newslot(L);
        return adl_lua_finish(L, adl_npy_decode(ctx, "load", buf, n, &a), &a, "np.");
    }
    int count;
    if (adl_zip_read(ctx, "load", buf, n, (adl_zip_entry **)&o->p[1], &count))
        return raise_ctx(L);
    const adl_zip_entry *e = o->p[1];
    lua_createtable(L, 0, count);
    for (int i = 0; i < count; i++) {
        size_t len = strlen(e[i].name);
        if (len < 4 || strcmp(e[i].name + len - 4, ".npy") != 0)
            adl_lua_raise(L, "np.load: '%s' holds '%s', which is not a .npy entry", path,
                          e[i].name);
        char what[300];
        snprintf(what, sizeof what, "load: entry '%s'", e[i].name);
        lua_pushlstring(L, e[i].name, len - 4);
        adl_array *a = NULL;
        adl_lua_newslot(L);
        adl_lua_finish(L, adl_npy_decode(ctx, what, e[i].data, e[i].size, &a), &a, "np.");
        lua_rawset(L, -3);
    }
    lua_pushboolean(L, 1);
    return 2;
}

/* savez(path, names, arrays): parallel lists, names with ".npy" added here. */
static int l_savez(lua_State *L) {
    const char *path = luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    luaL_checktype(L, 3, LUA_TTABLE);
    int count = (int)lua_objlen(L, 2);
    if (count != (int)lua_objlen(L, 3) || count > 65535)
        adl_lua_raise(L, "np.savez: %d names for %d arrays (at most 65535)", count,
                      (int)lua_objlen(L, 3));
    /* every name and array, checked before anything is malloc'd */
    size_t slot = sizeof(char *) + sizeof(adl_array *) + sizeof(unsigned char *) + sizeof(size_t);
    char *block = lua_newuserdata(L, slot * (size_t)(count ? count : 1));
    const char **names = (const char **)block;
    adl_array **arrays = (adl_array **)(block + sizeof(char *) * (size_t)count);
    unsigned char **data =
        (unsigned char **)(block + (sizeof(char *) + sizeof(adl_array *)) * (size_t)count);
    size_t *sizes = (size_t *)(block + (slot - sizeof(size_t)) * (size_t)count);
    lua_createtable(L, count, 0); /* keeps the names with ".npy" alive */
    int keep = lua_gettop(L);
    for (int i = 0; i < count; i++) {
        lua_rawgeti(L, 2, i + 1);
        if (adl_lua_type(L, -1) != LUA_TSTRING)
            adl_lua_raise(L, "np.savez: name %d is not a string", i + 1);
        lua_pushstring(L, ".npy");
        lua_concat(L, 2);
        names[i] = lua_tostring(L, -1);
        lua_rawseti(L, keep, i + 1);
        lua_rawgeti(L, 3, i + 1);
        arrays[i] = adl_lua_checkarray(L, -1, "np.savez"); /* numbers become 0-d arrays */
        lua_rawseti(L, 3, i + 1);                          /* anchored in the list */
        data[i] = NULL;
    }
    owned *o = push_owned(L);
    adl_ctx *ctx = adl_lua_ctx(L);
    adl_status st = ADL_OK;
    for (int i = 0; i < count && st == ADL_OK; i++)
        st = adl_npy_encode(ctx, adl_array_value(arrays[i]), &data[i], &sizes[i]);
    size_t n = 0;
    if (st == ADL_OK)
        st = adl_zip_write(ctx, "savez", count, names, (const unsigned char *const *)data, sizes,
                           (unsigned char **)&o->p[0], &n);
    for (int i = 0; i < count; i++)
        adl_free(data[i]);
    if (st == ADL_OK)
        st = adl_file_write_atomic(ctx, "savez", path, o->p[0], n);
    if (st)
        return raise_ctx(L);
    return 0;
}

/* NumPy's comments of any length, several markers and max_rows, which the
 * parser's options (one comment character, every row) do not hold: they
 * are applied to the file's bytes before it parses them. */
#define MAX_MARKERS 32

typedef struct text_filter {
    const char *marker[MAX_MARKERS];
    size_t len[MAX_MARKERS];
    int nmarkers;
    int64_t max_rows; /* -1: every row */
} text_filter;

static int is_blank(char c) { /* as the parser's blank lines */
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' || c == 0;
}

/* The first m (of length len >= 1) in [p, end), or NULL. */
static char *find_marker(char *p, const char *end, const char *m, size_t len) {
    while ((size_t)(end - p) >= len) {
        char *q = memchr(p, m[0], (size_t)(end - p) - len + 1);
        if (!q || memcmp(q, m, len) == 0)
            return q;
        p = q + 1;
    }
    return NULL;
}

/* Blanks every comment (from the first marker to the end of its line) past
 * the skipped lines and returns the length up to the max_rows-th line of
 * data.  Lines keep their numbers, so the parser's errors name the
 * file's own lines. */
static size_t text_filter_apply(const text_filter *f, int64_t skiprows, char *buf, size_t n) {
    char *p = buf, *stop = buf + n;
    int64_t line = 0, rows = 0;
    while (p < stop) {
        char *nl = memchr(p, '\n', (size_t)(stop - p));
        char *eol = nl ? nl : stop, *next = nl ? nl + 1 : stop;
        if (++line > skiprows) {
            char *c = eol;
            for (int i = 0; i < f->nmarkers; i++) {
                char *q = find_marker(p, c, f->marker[i], f->len[i]);
                if (q)
                    c = q;
            }
            memset(c, ' ', (size_t)(eol - c));
            const char *q = p;
            while (q < c && is_blank(*q))
                q++;
            if (q < c && rows++ == f->max_rows)
                return (size_t)(p - buf);
        }
        p = next;
    }
    return n;
}

/* loadtxt(path, delimiter, comments (false, or a list of markers),
 * skiprows, usecols (0-based list), ndmin, max_rows); npyio.lua checks the
 * markers. */
static int l_loadtxt(lua_State *L) {
    const char *fname = "np.loadtxt";
    const char *path = luaL_checkstring(L, 1);
    adl_text_opts *opts = lua_newuserdata(L, sizeof *opts);
    text_filter *filter = lua_newuserdata(L, sizeof *filter);
    adl_text_opts_default(opts);
    filter->nmarkers = 0;
    filter->max_rows = -1;
    if (!lua_isnoneornil(L, 2)) {
        size_t len;
        const char *d = lua_tolstring(L, 2, &len);
        if (adl_lua_type(L, 2) != LUA_TSTRING || len != 1 || d[0] == '\n')
            adl_lua_raise(L, "%s: delimiter must be one character (or nil: whitespace)", fname);
        opts->delimiter = d[0] == ' ' ? 0 : d[0];
    }
    if (adl_lua_type(L, 3) == LUA_TTABLE) { /* the markers stay alive in the table */
        int k = (int)lua_objlen(L, 3);
        if (k > MAX_MARKERS)
            adl_lua_raise(L, "%s: at most %d comment markers", fname, MAX_MARKERS);
        for (int i = 0; i < k; i++) {
            lua_rawgeti(L, 3, i + 1);
            size_t len;
            const char *m = lua_tolstring(L, -1, &len);
            if (adl_lua_type(L, -1) != LUA_TSTRING || len == 0)
                adl_lua_raise(L, "%s: comments must be non-empty strings", fname);
            filter->marker[i] = m;
            filter->len[i] = len;
            lua_pop(L, 1);
        }
        filter->nmarkers = k;
    } else if (!(adl_lua_type(L, 3) == LUA_TBOOLEAN && !lua_toboolean(L, 3)))
        adl_lua_raise(L, "%s: comments must be a list of strings or false", fname);
    if (!lua_isnoneornil(L, 4))
        opts->skiprows = adl_lua_checkint(L, 4, fname, "skiprows", 0, ADL_MAX_SIZE);
    if (!lua_isnoneornil(L, 5)) {
        luaL_checktype(L, 5, LUA_TTABLE);
        int k = (int)lua_objlen(L, 5);
        if (k == 0 || k > ADL_TEXT_MAX_USECOLS)
            adl_lua_raise(L, "%s: usecols must list 1 to %d columns", fname, ADL_TEXT_MAX_USECOLS);
        for (int i = 0; i < k; i++) {
            lua_rawgeti(L, 5, i + 1);
            opts->usecols[i] =
                adl_lua_checkint(L, -1, fname, "a usecols entry", -ADL_MAX_SIZE, ADL_MAX_SIZE);
            lua_pop(L, 1);
        }
        opts->nusecols = k;
    }
    if (!lua_isnoneornil(L, 6))
        opts->ndmin = (int)adl_lua_checkint(L, 6, fname, "ndmin", 0, 2);
    if (!lua_isnoneornil(L, 7))
        filter->max_rows = adl_lua_checkint(L, 7, fname, "max_rows", 0, ADL_MAX_SIZE);
    /* the parser's own comment character where it is enough */
    int filtered = filter->max_rows >= 0 || filter->nmarkers > 1 ||
                   (filter->nmarkers == 1 && filter->len[0] != 1);
    opts->comments = !filtered && filter->nmarkers == 1 ? filter->marker[0][0] : 0;
    adl_ctx *ctx = adl_lua_ctx(L);
    owned *o = push_owned(L);
    size_t n;
    if (adl_file_read(ctx, "loadtxt", path, (unsigned char **)&o->p[0], &n))
        return raise_ctx(L);
    if (filtered)
        n = text_filter_apply(filter, opts->skiprows, o->p[0], n);
    adl_array *a = NULL;
    adl_lua_newslot(L);
    return adl_lua_finish(L, adl_text_parse(ctx, "loadtxt", o->p[0], n, opts, &a), &a, "np.");
}

/* The length of the run of at most two digits at p (of n bytes). */
static size_t two_digits(const char *p, size_t n) {
    size_t i = 0;
    while (i < 2 && i < n && p[i] >= '0' && p[i] <= '9')
        i++;
    return i;
}

/* format_float(spec, x): one float conversion of savetxt's fmt
 * ("%[-+ #0][width][.precision]" and one of "aAeEfFgG", at most two digits
 * each, as Lua's string.format takes) by the C library, which rounds a tie
 * to even as NumPy (Python) does; LuaJIT's string.format rounds it away
 * from zero (2.25 with "%.1f": "2.3" for "2.2"). */
static int l_format_float(lua_State *L) {
    size_t len;
    const char *spec = luaL_checklstring(L, 1, &len);
    double x = luaL_checknumber(L, 2);
    size_t i = 1;
    while (i < len && i < 6 && spec[i] && strchr("-+ #0", spec[i]))
        i++;
    i += two_digits(spec + i, len - i);
    if (i < len && spec[i] == '.')
        i += 1 + two_digits(spec + i + 1, len - i - 1);
    if (len < 2 || spec[0] != '%' || i != len - 1 || !spec[i] || !strchr("aAeEfFgG", spec[i]))
        return adl_lua_raise(L, "np.savetxt: '%s' is not a float conversion", spec);
    char buf[512]; /* enough for the longest: width 99, %.99f of 1e308 */
    /* spec is checked above: one float conversion, nothing else */
    int n = snprintf(buf, sizeof buf, spec, x);
    if (n < 0 || (size_t)n >= sizeof buf)
        return adl_lua_raise(L, "np.savetxt: cannot format %g with '%s'", x, spec);
    lua_pushlstring(L, buf, (size_t)n);
    return 1;
}

static const luaL_Reg funcs[] = {{"npyio_format_float", l_format_float},
                                 {"npyio_save", l_save},
                                 {"npyio_load", l_load},
                                 {"npyio_savez", l_savez},
                                 {"npyio_loadtxt", l_loadtxt},
                                 {NULL, NULL}};

void adl_lua_open_npyio(lua_State *L) {
    adl_lua_setfuncs(L, funcs);
}
