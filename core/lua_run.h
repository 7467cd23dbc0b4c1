/* lua_run.h: calling Lua from the adlua program and its console.
 *
 * Every call goes through lua_pcall with a message handler that adds a
 * traceback, so no error reaches the panic function. */
#ifndef ADLUA_LUA_RUN_H
#define ADLUA_LUA_RUN_H

typedef struct lua_State lua_State; /* <lua.h> in the .c files only */

/* lua_pcall(L, narg, nres) with a traceback message handler. An error value
 * that is not a string becomes the result of its __tostring metamethod, or
 * "(error object is a <type> value)". On error the message (with the
 * traceback) is left on the stack. Safe for hosts: no global state. */
int adlua_pcall_traceback(lua_State *L, int narg, int nres);

/* The same, for the program: while the call runs, SIGINT (Ctrl-C) raises the
 * Lua error "interrupted!" instead of killing the process; a second SIGINT
 * before Lua notices kills it as usual. Installs a process-wide handler, so
 * only the program's main thread may use it. */
int adlua_docall(lua_State *L, int narg, int nres);

/* When status is not 0, prints the message at the top of the stack to
 * stderr ("<progname>: <message>"; no prefix when progname is NULL) and pops
 * it. Returns status. */
int adlua_report(lua_State *L, const char *progname, int status);

#endif
