/* lua_line_edit.h: line editing, history and tab completion for the console
 * of the adlua program (libedit, or GNU readline when built with
 * READLINE=1). Only the program links it; the library stays plain stdio. */
#ifndef ADLUA_LUA_LINE_EDIT_H
#define ADLUA_LUA_LINE_EDIT_H

typedef struct lua_State lua_State; /* <lua.h> in the .c files only */

/* Installs the line editor as the console's reader, loads the history
 * (~/.adlua_history, or $ADLUA_HISTORY) and completion from
 * adlua.console.complete. Returns 0 when the program was built without a
 * line editor (the console then reads stdin plainly). */
int adlua_line_edit_open(lua_State *L);

/* Saves the history. */
void adlua_line_edit_close(void);

#endif
