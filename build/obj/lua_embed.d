build/obj/lua_embed.o: core/lua_embed.c core/lua_embed.h \
 /usr/include/luajit-2.1/lua.h /usr/include/luajit-2.1/luaconf.h \
 /usr/include/luajit-2.1/lauxlib.h /usr/include/luajit-2.1/lua.h \
 /usr/include/luajit-2.1/lualib.h
core/lua_embed.h:
/usr/include/luajit-2.1/lua.h:
/usr/include/luajit-2.1/luaconf.h:
/usr/include/luajit-2.1/lauxlib.h:
/usr/include/luajit-2.1/lua.h:
/usr/include/luajit-2.1/lualib.h:
