/* lua_console.c: the interactive console loop (line editing: lua_line_edit.c). */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* getline */
#endif

#include <lauxlib.h>
#include <lua.h>

#include "lua_console.h"
#include "lua_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNKNAME "=stdin"

struct reader {
    char *line;
    size_t cap;
};

static void write_prompt(lua_State *L, int first) {
    const char *prompt;
    lua_getglobal(L, first ? "_PROMPT" : "_PROMPT2");
    prompt = lua_tostring(L, -1);
    fputs(prompt != NULL ? prompt : (first ? "> " : ">> "), stdout);
    fflush(stdout);
    lua_pop(L, 1);
}

static adlua_line_reader line_reader; /* the program's line editor, if any */

void adlua_console_set_reader(adlua_line_reader reader) {
    line_reader = reader;
}

/* Pushes the next line without its newline; returns 0 at EOF. */
static int read_line(lua_State *L, struct reader *r, int first) {
    ssize_t n;
    if (line_reader != NULL) {
        int got;
        const char *prompt;
        lua_getglobal(L, first ? "_PROMPT" : "_PROMPT2");
        prompt = lua_tostring(L, -1);
        got = line_reader(L, prompt != NULL ? prompt : (first ? "> " : ">> "));
        lua_remove(L, got ? -2 : -1);
        return got;
    }
    write_prompt(L, first);
    n = getline(&r->line, &r->cap, stdin);
    if (n < 0)
        return 0;
    if (n > 0 && r->line[n - 1] == '\n')
        n--;
    if (n > 0 && r->line[n - 1] == '\r')
        n--;
    lua_pushlstring(L, r->line, (size_t)n);
    return 1;
}

/* Is the syntax error at the top of the stack one that more input can fix? */
static int incomplete(lua_State *L, int status) {
    size_t len;
    const char *msg;
    if (status != LUA_ERRSYNTAX)
        return 0;
    msg = lua_tolstring(L, -1, &len);
    return msg != NULL && ((len >= 5 && strcmp(msg + len - 5, "<eof>") == 0) ||
                           (len >= 7 && strcmp(msg + len - 7, "'<eof>'") == 0));
}

/* Returns its arguments: the expression form of an input is compiled as
 * "return (...)(<input>\n)" and called with this, so that a call in the
 * input is not a tail call and its errors keep their position. */
static int identity(lua_State *L) {
    return lua_gettop(L);
}

/* Compiles the input whose first line is at the top of the stack, reading
 * more lines while it is unfinished. Replaces the line by the compiled
 * function and returns 0 (*narg: how many arguments it takes), or by the
 * error message and returns the status; returns -1 (with the stack popped)
 * at EOF. */
static int load_input(lua_State *L, struct reader *r, int *narg) {
    int first = 1;
    for (;;) {
        size_t len, ret_len;
        const char *code = lua_tolstring(L, -1, &len);
        const char *expr = code;
        const char *ret;
        int st_ret, st_stmt, more;

        /* Lua 5.1's "=expr" still works. */
        if (first && code[0] == '=')
            expr = code + 1;
        lua_pushliteral(L, "return (...)(");
        lua_pushlstring(L, expr, len - (size_t)(expr - code));
        lua_pushliteral(L, "\n)");
        lua_concat(L, 3);
        ret = lua_tolstring(L, -1, &ret_len);
        st_ret = luaL_loadbuffer(L, ret, ret_len, CHUNKNAME);
        if (st_ret == 0) {
            lua_replace(L, -3); /* function replaces the input */
            lua_pop(L, 1);      /* the "return ..." text */
            *narg = 1;
            return 0;
        }
        lua_pop(L, 2); /* message and "return ..." text */
        /* In the wrapped form an unfinished input fails at the ")": ask
         * the plain one whether more lines can complete the expression. */
        lua_pushliteral(L, "return ");
        lua_pushlstring(L, expr, len - (size_t)(expr - code));
        lua_concat(L, 2);
        ret = lua_tolstring(L, -1, &ret_len);
        more = incomplete(L, luaL_loadbuffer(L, ret, ret_len, CHUNKNAME));
        lua_pop(L, 2); /* result and text */

        st_stmt = luaL_loadbuffer(L, code, len, CHUNKNAME);
        if (st_stmt == 0 || !(more || incomplete(L, st_stmt))) {
            lua_replace(L, -2);
            *narg = 0;
            return st_stmt;
        }
        lua_pop(L, 1);

        first = 0;
        if (!read_line(L, r, 0)) {
            lua_pop(L, 1);
            return -1;
        }
        lua_pushliteral(L, "\n");
        lua_insert(L, -2);
        lua_concat(L, 3);
    }
}

/* Pushes adlua.console.format and returns 1, or pushes nothing and returns 0
 * when the module is not there. */
static int push_formatter(lua_State *L) {
    lua_getglobal(L, "require");
    lua_pushliteral(L, "adlua.console");
    if (lua_pcall(L, 1, 1, 0) != 0 || !lua_istable(L, -1)) {
        lua_pop(L, 1);
        return 0;
    }
    lua_getfield(L, -1, "format");
    lua_remove(L, -2);
    if (!lua_isfunction(L, -1)) {
        lua_pop(L, 1);
        return 0;
    }
    return 1;
}

/* Prints its arguments tab-separated as one line: tables readably, the rest
 * with the global tostring. */
static int print_results(lua_State *L) {
    int n = lua_gettop(L);
    int i;
    size_t len;
    const char *s;

    for (i = 1; i <= n; i++) {
        /* tables readably through adlua.console.format, the rest by tostring */
        if (lua_type(L, i) == LUA_TTABLE && push_formatter(L)) {
            lua_pushvalue(L, i);
            lua_call(L, 1, 1);
        } else {
            lua_getglobal(L, "tostring");
            lua_pushvalue(L, i);
            lua_call(L, 1, 1);
        }
        if (lua_type(L, -1) != LUA_TSTRING)
            return luaL_error(L, "'tostring' must return a string to be printed");
        lua_replace(L, i);
    }
    for (i = n; i > 1; i--) {
        lua_pushliteral(L, "\t");
        lua_insert(L, i);
    }
    lua_concat(L, 2 * n - 1);
    s = lua_tolstring(L, -1, &len);
    fwrite(s, 1, len, stdout);
    fputc('\n', stdout);
    fflush(stdout);
    return 0;
}

int adlua_console(lua_State *L, const char *progname) {
    struct reader r = {NULL, 0};
    int top = lua_gettop(L);

    while (read_line(L, &r, 1)) {
        int narg = 0;
        int status = load_input(L, &r, &narg);
        if (status == -1)
            break;
        if (status == 0) {
            int base = lua_gettop(L);
            if (narg == 1)
                lua_pushcfunction(L, identity);
            status = adlua_docall(L, narg, LUA_MULTRET);
            if (status == 0 && lua_gettop(L) >= base) {
                int nres = lua_gettop(L) - base + 1;
                lua_pushcfunction(L, print_results);
                lua_insert(L, base);
                status = adlua_docall(L, nres, 0);
            }
        }
        adlua_report(L, progname, status);
        lua_settop(L, top);
    }
    fputc('\n', stdout);
    fflush(stdout);
    free(r.line);
    lua_settop(L, top);
    return 0;
}
