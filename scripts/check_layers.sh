#!/bin/sh
# check_layers.sh: the binding is the only C code that sees Lua.
#
# Fails when a file in core/ outside the binding layer (core/lua_*.c and its
# headers core/lua_*.h) includes a Lua header (lua.h, lauxlib.h, lualib.h,
# luajit.h, luaconf.h), or includes a binding header (lua_*.h), which would
# bring Lua in through the back door.
cd "$(dirname "$0")/.." || exit 2

status=0
for f in core/*.c core/*.h; do
    [ -e "$f" ] || continue
    case ${f#core/} in
    lua_*) continue ;;
    esac
    hits=$(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]((lua|lauxlib|lualib|luajit|luaconf)\.h|lua_[^">]*\.h)[">]' "$f")
    if [ -n "$hits" ]; then
        echo "$hits" | sed "s|^|$f:|; s|\$|: only core/lua_*.c and core/lua_*.h may include Lua headers|" >&2
        status=1
    fi
done
exit $status
