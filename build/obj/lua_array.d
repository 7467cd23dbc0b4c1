build/obj/lua_array.o: core/lua_array.c core/lua_binding.h \
 core/adl_core.h core/trace.h core/ops.def \
 /usr/include/luajit-2.1/lauxlib.h /usr/include/luajit-2.1/lua.h \
 /usr/include/luajit-2.1/luaconf.h /usr/include/luajit-2.1/lua.h
core/lua_binding.h:
core/adl_core.h:
core/trace.h:
core/ops.def:
/usr/include/luajit-2.1/lauxlib.h:
/usr/include/luajit-2.1/lua.h:
/usr/include/luajit-2.1/luaconf.h:
/usr/include/luajit-2.1/lua.h:
