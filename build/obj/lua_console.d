build/obj/lua_console.o: core/lua_console.c core/lua_console.h \
 /usr/include/luajit-2.1/lua.h /usr/include/luajit-2.1/luaconf.h \
 core/lua_run.h /usr/include/luajit-2.1/lauxlib.h \
 /usr/include/luajit-2.1/lua.h
core/lua_console.h:
/usr/include/luajit-2.1/lua.h:
/usr/include/luajit-2.1/luaconf.h:
core/lua_run.h:
/usr/include/luajit-2.1/lauxlib.h:
/usr/include/luajit-2.1/lua.h:
