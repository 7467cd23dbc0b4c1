build/obj/lua_autograd.o: core/lua_autograd.c core/lua_binding.h \
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
