#!/bin/sh
# check_layers.sh: the binding is the only C code that sees Lua.
#
# Fails when a file in core/ other than the binding's sources (core/lua_*.c)
# includes a Lua header (lua.h, lauxlib.h, lualib.h, luajit.h, luaconf.h):
# the binding's own headers (core/lua_*.h) declare lua_State themselves and
# leave <lua.h> to the .c file.  Also fails when a file outside the binding
# includes a binding header (lua_*.h), which would bring Lua in through the
# back door, and when a file other than core/blas.c includes cblas.h, or one
# other than core/lapack.c includes lapacke.h: BLAS and LAPACK each have one
# door.
cd "$(dirname "$0")/.." || exit 2

status=0
for f in core/*.c core/*.h; do
    [ -e "$f" ] || continue
    case ${f#core/} in
    lua_*.c) continue ;;
    lua_*.h) pattern='(lua|lauxlib|lualib|luajit|luaconf)\.h' ;;
    *) pattern='((lua|lauxlib|lualib|luajit|luaconf)\.h|lua_[^">]*\.h)' ;;
    esac
    hits=$(grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]$pattern[\">]" "$f")
    if [ -n "$hits" ]; then
        echo "$hits" | sed "s|^|$f:|; s|\$|: only core/lua_*.c may include Lua headers, and only the binding its own headers|" >&2
        status=1
    fi
done
for f in core/*.c core/*.h tests/c/*.c; do
    [ -e "$f" ] || continue
    for lib in cblas:core/blas.c lapacke:core/lapack.c; do
        header=${lib%%:*} owner=${lib#*:}
        [ "$f" = "$owner" ] && continue
        hits=$(grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]$header(_[a-z]+)?\.h[\">]" "$f")
        if [ -n "$hits" ]; then
            echo "$hits" | sed "s|^|$f:|; s|\$|: only $owner may include $header.h|" >&2
            status=1
        fi
    done
done
exit $status
