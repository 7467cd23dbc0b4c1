#!/usr/bin/env bash
# test_install.sh: installs adlua into a temporary prefix and uses it as a
# host project and a luajit user would; run_tests.sh calls it.
#
#   scripts/test_install.sh [--asan]
#
# Checks (one line "ok N - ..." or "not ok N - ..." each, then
# "install tests: N passed, M failed"):
#   make install puts every file in place; the installed adlua runs; stock
#   luajit requires adlua.numpy from the prefix (LUA_PATH/LUA_CPATH set, as
#   a non-default prefix needs); examples/embed builds through pkg-config
#   from the installed files alone and its fit is right; make uninstall
#   removes every file. With --asan the library and the host are built with
#   AddressSanitizer/UBSan (build-asan/).
set -u
cd "$(dirname "$0")/.." || exit 2
ROOT=$PWD
MAKE=${MAKE:-make}
LUAJIT=${LUAJIT:-luajit}
make_args=(BUILD=build)
host_cflags="-O2 -g"
run_env=()
if [ "${1:-}" = --asan ]; then
    make_args=(BUILD=build-asan SANITIZE=1)
    host_cflags="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
    run_env=(env "ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}")
fi

prefix=$(mktemp -d /tmp/adlua-prefix.XXXXXX)
work=$(mktemp -d /tmp/adlua-host.XXXXXX)
trap 'rm -rf "$prefix" "$work"' EXIT
n=0 pass=0 fail=0
check() { # check DESCRIPTION COMMAND...
    local what=$1
    shift
    n=$((n + 1))
    if "$@" >"$work/out" 2>&1; then
        pass=$((pass + 1))
        echo "ok $n - $what"
    else
        fail=$((fail + 1))
        echo "not ok $n - $what"
        sed 's/^/#   /' "$work/out"
    fi
}

check "make install PREFIX=<tmp>" $MAKE "${make_args[@]}" install PREFIX="$prefix"

files="bin/adlua lib/libadlua.so lib/libadlua.a include/adlua.h lib/pkgconfig/adlua.pc
share/lua/5.1/adlua/init.lua share/lua/5.1/adlua/numpy.lua share/lua/5.1/adlua/datasets/iris.lua
lib/lua/5.1/adlua/core.so"
all_there() {
    local f
    for f in $files; do [ -f "$prefix/$f" ] || { echo "missing $f"; return 1; }; done
}
check "installed files are in place" all_there

check "installed adlua runs a script" \
    bash -c '[ "$("$1"/bin/adlua -e "print(require(\"adlua.numpy\").arange(3):sum())")" = 3 ]' _ "$prefix"

luajit_require() {
    local out
    out=$(LUA_PATH="$prefix/share/lua/5.1/?.lua;$prefix/share/lua/5.1/?/init.lua;;" \
        LUA_CPATH="$prefix/lib/lua/5.1/?.so;;" "${run_env[@]}" \
        env LD_PRELOAD="${asan_preload:-}" "$LUAJIT" -e '
            local np = require "adlua.numpy"
            local ad = require "adlua"
            assert(package.loaded["adlua.core"], "adlua.core not loaded")
            io.write(tostring(ad.grad(function(x) return np.sum(x * x) end)(np.arange(3))))')
    echo "$out"
    [ "$out" = "[0. 2. 4.]" ]
}
if [ "${make_args[0]}" = BUILD=build-asan ]; then
    asan_preload=$(${CC:-gcc} -print-file-name=libasan.so)
    run_env=(env "ASAN_OPTIONS=detect_leaks=0")
fi
check "stock luajit requires adlua.numpy from the prefix" luajit_require
[ "${make_args[0]}" = BUILD=build-asan ] && run_env=(env "ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}")

# The example, copied out of the tree: only the installed files are visible.
cp examples/embed/host.c examples/embed/fit_curve.lua examples/embed/Makefile "$work/"
check "examples/embed builds through pkg-config" \
    env PKG_CONFIG_PATH="$prefix/lib/pkgconfig" CFLAGS="$host_cflags" $MAKE -C "$work" host

run_host() {
    (cd "$work" && LD_LIBRARY_PATH="$prefix/lib" "${run_env[@]}" ./host fit_curve.lua) >"$work/host.out" 2>&1
    local st=$?
    cat "$work/host.out"
    [ $st = 0 ] && grep -q '^release callbacks: 3 of 3$' "$work/host.out" &&
        grep -qE '^fit: +a = 1\.4974[0-9]* +b = -0\.8015[0-9]* +c = 2\.2637' "$work/host.out"
}
check "example host fits the curve, releases host memory once" run_host

run_host_error() {
    printf 'return function(t) return t + require("adlua.numpy").ones(7) end\n' >"$work/bad.lua"
    (cd "$work" && LD_LIBRARY_PATH="$prefix/lib" "${run_env[@]}" ./host bad.lua) >"$work/bad.out" 2>&1
    local st=$?
    cat "$work/bad.out"
    [ $st = 1 ] && grep -q 'could not be broadcast together with shapes (50,) (7,)' "$work/bad.out" &&
        grep -q 'stack traceback:' "$work/bad.out" && grep -q '^release callbacks: 3 of 3$' "$work/bad.out"
}
check "example host reports a script error with traceback" run_host_error

check "make uninstall PREFIX=<tmp>" $MAKE "${make_args[@]}" uninstall PREFIX="$prefix"
nothing_left() {
    local left
    left=$(find "$prefix" -type f)
    [ -z "$left" ] || { echo "left behind: $left"; return 1; }
}
check "uninstall removes every installed file" nothing_left

echo "install tests: $pass passed, $fail failed"
[ $fail = 0 ]
