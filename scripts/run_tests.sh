#!/usr/bin/env bash
# run_tests.sh: builds and runs every test suite; `make test` calls it.
#
#   scripts/run_tests.sh           build/: build, lint, C tests, busted specs
#   scripts/run_tests.sh --asan    build-asan/: the same under ASan/UBSan (no lint)
#   scripts/run_tests.sh ... SPEC  only the given spec files (and C tests)
#
# Suites and how they count:
#   build   1 test: make succeeds; 1 test: no compiler warnings
#   lint    1 test per check of scripts/lint.sh (its `list`)
#   c       build/test_core: its "c tests: N passed, M failed" line
#   install scripts/test_install.sh: make install/uninstall, the example host
#   lua     every tests/lua/**/*_spec.lua, one busted (under LuaJIT, TAP
#           output) per file; a file that fails to load or crashes counts
#           as a failure
#   build-lua54, c-lua54, lua54
#           the same build, C tests and specs against PUC Lua 5.4, in
#           build-lua54/ (not under --asan)
# The last line printed is "N passed, M failed" over all suites; the exit
# status is 1 when M > 0.
#
# Environment for the specs: LUA_PATH and LUA_CPATH point into the tree,
# ADLUA_BIN is the program (build/adlua), ADLUA_ROOT the repository. Under
# --asan the Lua C module is build-asan/adlua.so, loaded into the stock
# luajit with libasan preloaded and leak detection off (LuaJIT does not free
# everything at exit); the C tests keep leak detection on.
# ADLUA_TEST_TIMEOUT (seconds, default 900) bounds each test process.
set -u
cd "$(dirname "$0")/.." || exit 2
ROOT=$PWD
MAKE=${MAKE:-make}
LUAJIT=${LUAJIT:-luajit}
LUA54=${LUA54:-lua5.4}
BUSTED=${BUSTED:-/usr/bin/busted}
TIMEOUT=${ADLUA_TEST_TIMEOUT:-900}

asan=0
specs=()
for a in "$@"; do
    case $a in
    --asan) asan=1 ;;
    -h | --help)
        sed -n '2,22s/^# \{0,1\}//p' "$0"
        exit 0
        ;;
    *) specs+=("$a") ;;
    esac
done

if [ $asan = 1 ]; then
    BUILD=build-asan
    make_args=(BUILD=build-asan SANITIZE=1)
else
    BUILD=build
    make_args=(BUILD=build)
fi

total_pass=0
total_fail=0
summaries=()

# record SUITE PASSED FAILED [NOTE]
record() {
    total_pass=$((total_pass + $2))
    total_fail=$((total_fail + $3))
    local line="$1: $2 passed, $3 failed${4:+ ($4)}"
    summaries+=("$line")
    echo "$line"
}

section() {
    echo
    echo "==== $* ===="
}

# ---- build ------------------------------------------------------------------
section "build ($BUILD)"
if $MAKE "${make_args[@]}" -k all test-bin; then build_ok=1; else build_ok=0; fi
if [ $build_ok = 1 ]; then build_pass=1 build_fail=0; else build_pass=0 build_fail=1; fi
if $MAKE "${make_args[@]}" warnings; then
    build_pass=$((build_pass + 1))
else
    echo "build: compiler warnings (above)"
    build_fail=$((build_fail + 1))
fi
record build $build_pass $build_fail

# ---- lint -------------------------------------------------------------------
if [ $asan = 0 ]; then
    section lint
    lint_pass=0 lint_fail=0
    for check in $(scripts/lint.sh list); do
        if scripts/lint.sh $check; then
            lint_pass=$((lint_pass + 1))
        else
            lint_fail=$((lint_fail + 1))
        fi
    done
    record lint $lint_pass $lint_fail
fi

# ---- C tests ----------------------------------------------------------------
section "C tests ($BUILD/test_core)"
if [ -x "$BUILD/test_core" ]; then
    log=$(mktemp)
    if [ $asan = 1 ]; then
        ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1} \
            UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
            timeout "$TIMEOUT" "$BUILD/test_core" >"$log" 2>&1
    else
        timeout "$TIMEOUT" "$BUILD/test_core" >"$log" 2>&1
    fi
    st=$?
    cat "$log"
    line=$(grep -E '^c tests: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
    rm -f "$log"
    if [ -n "$line" ]; then
        p=$(echo "$line" | sed -E 's/^c tests: ([0-9]+) passed.*/\1/')
        f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed$/\1/')
        if [ "$st" -ne 0 ] && [ "$f" -eq 0 ]; then
            record c "$p" 1 "exit status $st after the tests: sanitizer report or leak?"
        else
            record c "$p" "$f"
        fi
    else
        record c 0 1 "test_core ended abnormally, status $st; run it with -v to see where"
    fi
else
    record c 0 1 "$BUILD/test_core was not built"
fi

# ---- installation and the example host (scripts/test_install.sh) -----------
section "install: make install into a temporary prefix, examples/embed host"
log=$(mktemp)
if [ $asan = 1 ]; then inst_args=(--asan); else inst_args=(); fi
timeout "$TIMEOUT" scripts/test_install.sh "${inst_args[@]}" >"$log" 2>&1
st=$?
cat "$log"
line=$(grep -E '^install tests: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
rm -f "$log"
if [ -n "$line" ]; then
    p=$(echo "$line" | sed -E 's/^install tests: ([0-9]+) passed.*/\1/')
    f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed$/\1/')
    record install "$p" "$f"
else
    record install 0 1 "test_install.sh ended abnormally, status $st"
fi

# ---- Lua specs --------------------------------------------------------------
if [ ${#specs[@]} -eq 0 ]; then
    mapfile -t specs < <(find tests/lua -name '*_spec.lua' 2>/dev/null | LC_ALL=C sort)
fi

# run_specs SUITE LUA BUILD_DIR: every spec under busted run by LUA, with
# the C module and program of BUILD_DIR; records SUITE.
run_specs() {
    local suite=$1 lua=$2 build=$3
    export LUA_PATH="$ROOT/lua/?.lua;$ROOT/lua/?/init.lua;$ROOT/?.lua;./?.lua;;"
    export LUA_CPATH="$ROOT/$build/?.so;;"
    export ADLUA_BIN="$ROOT/$build/adlua"
    export ADLUA_ROOT="$ROOT"
    local lua_pass=0 lua_fail=0 lua_skip=0 spec out st p s f note
    for spec in "${specs[@]}"; do
        out=$(mktemp)
        timeout "$TIMEOUT" "${busted_env[@]}" "$lua" "$BUSTED" -o TAP "$spec" >"$out" 2>&1
        st=$?
        p=$(grep -cE '^ok [0-9]+ - ' "$out")
        s=$(grep -cE '^ok [0-9]+ - # SKIP' "$out")
        f=$(grep -cE '^not ok [0-9]+ ' "$out")
        p=$((p - s))
        note=
        if ! grep -qE '^1\.\.[0-9]+$' "$out"; then
            note="busted did not finish, status $st"
            [ "$f" -eq 0 ] && f=1
        elif [ "$st" -ne 0 ] && [ "$f" -eq 0 ]; then
            note="busted exit status $st"
            f=1
        fi
        [ "$s" -gt 0 ] && note="${note:+$note, }$s pending"
        if [ "$f" -gt 0 ]; then
            cat "$out"
            # busted's TAP output loses the message of a spec that does not compile
            "$lua" - "$spec" <<<'local ok, e = loadfile(arg[1]) if not ok then print("# " .. e) end'
        fi
        rm -f "$out"
        echo "$suite $spec: $p passed, $f failed${note:+ ($note)}"
        lua_pass=$((lua_pass + p))
        lua_fail=$((lua_fail + f))
        lua_skip=$((lua_skip + s))
    done
    if [ ${#specs[@]} -eq 0 ]; then
        record "$suite" 0 0 "no spec files"
    else
        note="${#specs[@]} spec files"
        [ $lua_skip -gt 0 ] && note="$note, $lua_skip pending"
        record "$suite" $lua_pass $lua_fail "$note"
    fi
}

section "Lua specs (busted under $LUAJIT)"
busted_env=()
if [ $asan = 1 ]; then
    libasan=$(${CC:-gcc} -print-file-name=libasan.so)
    busted_env=(env "LD_PRELOAD=$libasan"
        "ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}"
        "UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}")
fi
run_specs lua "$LUAJIT" "$BUILD"

# ---- PUC Lua 5.4: the same binding, C tests and specs (build-lua54/) -------
if [ $asan = 0 ]; then
    section "PUC Lua 5.4 (build-lua54, busted under $LUA54)"
    if command -v "$LUA54" >/dev/null 2>&1 && pkg-config --exists lua5.4; then
        if $MAKE BUILD=build-lua54 LUA_PC=lua5.4 -k all test-bin; then
            record build-lua54 1 0
        else
            record build-lua54 0 1
        fi
        log=$(mktemp)
        timeout "$TIMEOUT" build-lua54/test_core >"$log" 2>&1
        st=$?
        line=$(grep -E '^c tests: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
        grep -vE '^c tests: ' "$log"
        rm -f "$log"
        if [ -n "$line" ]; then
            p=$(echo "$line" | sed -E 's/^c tests: ([0-9]+) passed.*/\1/')
            f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed$/\1/')
            [ "$st" -ne 0 ] && [ "$f" -eq 0 ] && f=1
            record c-lua54 "$p" "$f"
        else
            record c-lua54 0 1 "build-lua54/test_core ended abnormally, status $st"
        fi
        run_specs lua54 "$LUA54" build-lua54
    else
        record lua54 0 1 "lua5.4 or liblua5.4-dev missing: run scripts/setup.sh"
    fi
fi

# ---- summary ----------------------------------------------------------------
section summary
for line in "${summaries[@]}"; do
    echo "$line"
done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
