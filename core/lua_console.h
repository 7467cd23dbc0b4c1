/* lua_console.h: the interactive console of the adlua program.
 *
 * The loop reads stdin plainly, or through the line editor the program
 * installs with adlua_console_set_reader (lua_line_edit.c: libedit, history,
 * completion), so the library itself needs no libedit. */
#ifndef ADLUA_LUA_CONSOLE_H
#define ADLUA_LUA_CONSOLE_H

typedef struct lua_State lua_State; /* <lua.h> in the .c files only */

/* Reads statements from stdin until EOF and runs them in L: prompt "> " (or
 * the global _PROMPT), ">> " for continuation lines (or _PROMPT2). A line is
 * first tried as `return <line>`, so expressions print their values (with
 * the global tostring, tables through adlua.console.format, tab-separated);
 * a statement that is unfinished (its syntax error is at <eof>) reads more
 * lines. Errors are printed to stderr
 * with a traceback (prefixed by progname unless it is NULL) and the console
 * goes on. Returns 0 at EOF. */
int adlua_console(lua_State *L, const char *progname);

/* A line editor for the console: shows prompt, pushes the line read
 * (without its newline) and returns 1, or returns 0 at EOF. NULL (the
 * default) reads stdin plainly. The program installs its libedit reader
 * (lua_line_edit.c) so that the library itself needs no libedit. */
typedef int (*adlua_line_reader)(lua_State *L, const char *prompt);
void adlua_console_set_reader(adlua_line_reader reader);

#endif
