#!/bin/sh
# check_layers.sh: the binding is the only C code that sees Lua.
#
# Fails when a file in core/ outside the binding layer (core/lua_*.c and its
# headers core/lua_*.h) includes a Lua header (lua.h, lauxlib.h, lualib.h,
# luajit.h, luaconf.h), or includes a binding header (lua_*.h), which would
# bring Lua in through the back door.  Also fails when a file other than
# core/blas.c includes cblas.h, or one other than core/lapack.c includes
# lapacke.h: BLAS and LAPACK each have one door.
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
