/* lua_run.c: protected calls with tracebacks, and Ctrl-C for the program. */
#include <lauxlib.h>
#include <lua.h>

#include "lua_run.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

static int msghandler(lua_State *L) {
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            msg = lua_tostring(L, -1);
        else
            msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

int adlua_pcall_traceback(lua_State *L, int narg, int nres) {
    int base = lua_gettop(L) - narg; /* the function's slot */
    int status;
    lua_pushcfunction(L, msghandler);
    lua_insert(L, base);
    status = lua_pcall(L, narg, nres, base);
    lua_remove(L, base);
    return status;
}

/* The state that SIGINT interrupts: set only while adlua_docall runs. */
static lua_State *volatile sigint_L = NULL;

/* Count hook set by the signal handler: raises the error at the next Lua
 * instruction, call or return (compiled LuaJIT traces do not check hooks). */
static void sigint_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    lua_sethook(L, NULL, 0, 0);
    luaL_error(L, "interrupted!");
}

static void sigint_handler(int sig) {
    lua_State *L = sigint_L;
    signal(sig, SIG_DFL); /* a second Ctrl-C kills the process */
    if (L != NULL)
        lua_sethook(L, sigint_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

int adlua_docall(lua_State *L, int narg, int nres) {
    struct sigaction sa, old;
    lua_State *outer = sigint_L;
    int status;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = sigint_handler;
    sigemptyset(&sa.sa_mask);
    sigint_L = L;
    sigaction(SIGINT, &sa, &old);
    status = adlua_pcall_traceback(L, narg, nres);
    sigaction(SIGINT, &old, NULL);
    sigint_L = outer;
    if (lua_gethook(L) == sigint_hook) /* Ctrl-C came as the call returned */
        lua_sethook(L, NULL, 0, 0);
    return status;
}

int adlua_report(lua_State *L, const char *progname, int status) {
    if (status != 0) {
        const char *msg = lua_tostring(L, -1);
        if (msg == NULL)
            msg = "(error object is not a string)";
        fflush(stdout);
        if (progname != NULL)
            fprintf(stderr, "%s: ", progname);
        fprintf(stderr, "%s\n", msg);
        fflush(stderr);
        lua_pop(L, 1);
    }
    return status;
}
