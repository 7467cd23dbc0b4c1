/* lua_line_edit.c: the console's line editor (see lua_line_edit.h). The
 * candidates for completion come from Lua (adlua.console.complete), so this
 * file only talks to the editing library. */
#include <lauxlib.h>
#include <lua.h>

#include "lua_console.h"
#include "lua_line_edit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(ADLUA_READLINE)
#include <readline/history.h>
#include <readline/readline.h>
#define HAVE_LINE_EDIT 1
#elif defined(ADLUA_LIBEDIT)
#include <editline/readline.h>
#define HAVE_LINE_EDIT 1
#endif

#ifdef HAVE_LINE_EDIT

#define HISTORY_LINES 1000

static lua_State *console_L; /* the state completion asks */
static char history_path[4096];

/* Candidates for `text` as a Lua list, from adlua.console.complete(text);
 * leaves the list (or nil) on the stack. */
static void push_candidates(const char *text) {
    lua_State *L = console_L;
    lua_getglobal(L, "require");
    lua_pushliteral(L, "adlua.console");
    if (lua_pcall(L, 1, 1, 0) != 0 || !lua_istable(L, -1)) {
        lua_pop(L, 1);
        lua_pushnil(L);
        return;
    }
    lua_getfield(L, -1, "complete");
    lua_remove(L, -2);
    lua_pushstring(L, text);
    if (lua_pcall(L, 1, 1, 0) != 0 || !lua_istable(L, -1)) {
        lua_pop(L, 1);
        lua_pushnil(L);
    }
}

/* readline's generator: state 0 starts a new completion. */
static char *generate(const char *text, int state) {
    static int next;
    char *out = NULL;
    if (console_L == NULL)
        return NULL;
    if (state == 0)
        next = 1;
    push_candidates(text);
    if (lua_istable(console_L, -1)) {
        lua_rawgeti(console_L, -1, next++);
        if (lua_isstring(console_L, -1))
            out = strdup(lua_tostring(console_L, -1));
        lua_pop(console_L, 1);
    }
    lua_pop(console_L, 1);
    return out;
}

static char **complete(const char *text, int start, int end) {
    (void)start;
    (void)end;
    rl_attempted_completion_over = 1;   /* no file names */
    rl_completion_append_character = 0; /* np.linalg<TAB> then "." */
    return rl_completion_matches(text, generate);
}

static int read_edited(lua_State *L, const char *prompt) {
    char *line = readline(prompt);
    if (line == NULL)
        return 0;
    if (line[0] != '\0') {
        add_history(line);
        if (history_path[0] != '\0')
            write_history(history_path); /* kept even if the console is killed */
    }
    lua_pushstring(L, line);
    free(line);
    return 1;
}

int adlua_line_edit_open(lua_State *L) {
    const char *path = getenv("ADLUA_HISTORY");
    const char *home = getenv("HOME");
    console_L = L;
    if (path != NULL && path[0] != '\0')
        snprintf(history_path, sizeof history_path, "%s", path);
    else if (home != NULL)
        snprintf(history_path, sizeof history_path, "%s/.adlua_history", home);
    rl_readline_name = "adlua";
    /* "." and ":" end a word for readline but not for us: np.li<TAB> */
    rl_basic_word_break_characters = " \t\n\"'`@$><=;|&{(,+-*/^%#[]~";
    rl_attempted_completion_function = complete;
#ifdef ADLUA_READLINE
    /* no escape sequences around each prompt: a pasted block runs line by line */
    rl_variable_bind("enable-bracketed-paste", "off");
#endif
    using_history();
    stifle_history(HISTORY_LINES);
    if (history_path[0] != '\0')
        read_history(history_path);
    adlua_console_set_reader(read_edited);
    return 1;
}

void adlua_line_edit_close(void) {
    if (history_path[0] != '\0')
        write_history(history_path);
    adlua_console_set_reader(NULL);
    console_L = NULL;
}

#else /* built without a line editor */

int adlua_line_edit_open(lua_State *L) {
    (void)L;
    return 0;
}

void adlua_line_edit_close(void) {}

#endif
