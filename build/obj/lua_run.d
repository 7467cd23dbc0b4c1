build/obj/lua_run.o: core/lua_run.c core/lua_run.h \
 /usr/include/luajit-2.1/lua.h /usr/include/luajit-2.1/luaconf.h \
 /usr/include/luajit-2.1/lauxlib.h /usr/include/luajit-2.1/lua.h
core/lua_run.h:
/usr/include/luajit-2.1/lua.h:
/usr/include/luajit-2.1/luaconf.h:
/usr/include/luajit-2.1/lauxlib.h:
/usr/include/luajit-2.1/lua.h:
