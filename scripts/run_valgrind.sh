#!/usr/bin/env bash
# run_valgrind.sh: the C tests and a representative set of Lua specs under
# valgrind memcheck (build/, -O2 -g); `make test-valgrind` calls it.
#
#   scripts/run_valgrind.sh [SPEC...]
#
# A run passes when its tests pass and memcheck reports no error and no
# definitely lost block (--errors-for-leak-kinds=definite, exit status 99
# otherwise).  The Lua specs run with LuaJIT's JIT compiler off (-joff):
# memcheck is here for the core's C code, which the interpreter reaches by
# the same calls, while Debian's LuaJIT is not built for memcheck
# (LUAJIT_USE_VALGRIND) and its trace recorder now and then branches on
# words memcheck thinks undefined (a CI run failed that way, with no adlua
# frame in the stack).  Without the JIT no machine code is written at run
# time, so no --smc-check is needed, and the specs run 3-5x faster.
# LuaJIT's own memory comes from its allocator's mmap'd
# arenas, which memcheck does not track as heap blocks: the leak check
# covers the core's blocks (malloc), as the live counters of the specs
# cover arrays.  Suppressions, if ever needed, go in tests/valgrind.supp.
# Last line: "valgrind: N passed, M failed" (one test per run).
set -u
cd "$(dirname "$0")/.." || exit 2
ROOT=$PWD
MAKE=${MAKE:-make}
LUAJIT=${LUAJIT:-luajit}
BUSTED=${BUSTED:-/usr/bin/busted}

specs=("$@")
if [ ${#specs[@]} -eq 0 ]; then
    specs=(tests/lua/array_spec.lua tests/lua/grad_spec.lua tests/lua/errors_spec.lua
        tests/lua/alloc_failure_spec.lua tests/lua/bad_input_matrix_spec.lua
        tests/lua/fuzz_regressions_spec.lua tests/lua/memory_spec.lua tests/lua/property_grad_spec.lua
        tests/lua/indexing_spec.lua tests/lua/linalg_spec.lua tests/lua/io_spec.lua
        tests/lua/operators_spec.lua tests/lua/custom_spec.lua tests/lua/tape_mutation_spec.lua
        tests/lua/jit_spec.lua tests/lua/anchor_spec.lua tests/lua/threads_spec.lua)
fi

if ! command -v valgrind >/dev/null 2>&1; then
    echo "valgrind: 0 passed, 1 failed (valgrind is not installed)"
    exit 1
fi
$MAKE --no-print-directory BUILD=build all test-bin >/dev/null || {
    echo "valgrind: 0 passed, 1 failed (build)"
    exit 1
}

vg=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
    --show-leak-kinds=definite --num-callers=30)
[ -f tests/valgrind.supp ] && vg+=(--suppressions=tests/valgrind.supp)

export LUA_PATH="$ROOT/lua/?.lua;$ROOT/lua/?/init.lua;$ROOT/?.lua;./?.lua;;"
export LUA_CPATH="$ROOT/build/?.so;;"
export ADLUA_BIN="$ROOT/build/adlua"
export ADLUA_ROOT="$ROOT"

pass=0 fail=0
# run NAME CMD...: one test
run() {
    local name=$1
    shift
    local log start
    log=$(mktemp)
    start=$(date +%s)
    "${vg[@]}" "$@" >"$log" 2>&1
    local st=$?
    local secs=$(($(date +%s) - start))
    local failed
    failed=$(grep -cE '^not ok [0-9]+ |^FAIL ' "$log")
    if [ $st -eq 0 ] && [ "$failed" -eq 0 ]; then
        pass=$((pass + 1))
        echo "valgrind $name: ok (${secs}s)"
    else
        fail=$((fail + 1))
        grep -E '^==[0-9]+==|^not ok|^FAIL|^#' "$log" | head -n 80
        echo "valgrind $name: FAILED (status $st, $failed failed tests, ${secs}s)"
    fi
    rm -f "$log"
}

run "C tests" build/test_core
for spec in "${specs[@]}"; do
    run "$spec" "$LUAJIT" -joff "$BUSTED" -o TAP "$spec"
done
echo "valgrind: $pass passed, $fail failed"
[ $fail -eq 0 ]
