build/obj/lua_main.o: core/lua_main.c core/lua_console.h \
 /usr/include/luajit-2.1/lua.h /usr/include/luajit-2.1/luaconf.h \
 core/lua_embed.h core/lua_run.h core/version.h \
 /usr/include/luajit-2.1/lauxlib.h /usr/include/luajit-2.1/lua.h \
 /usr/include/luajit-2.1/lualib.h /usr/include/luajit-2.1/luajit.h
core/lua_console.h:
/usr/include/luajit-2.1/lua.h:
/usr/include/luajit-2.1/luaconf.h:
core/lua_embed.h:
core/lua_run.h:
core/version.h:
/usr/include/luajit-2.1/lauxlib.h:
/usr/include/luajit-2.1/lua.h:
/usr/include/luajit-2.1/lualib.h:
/usr/include/luajit-2.1/luajit.h:
