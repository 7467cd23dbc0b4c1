build/obj/gen/lua_sources.o: build/gen/lua_sources.c core/lua_embed.h \
 /usr/include/luajit-2.1/lua.h /usr/include/luajit-2.1/luaconf.h
core/lua_embed.h:
/usr/include/luajit-2.1/lua.h:
/usr/include/luajit-2.1/luaconf.h:
