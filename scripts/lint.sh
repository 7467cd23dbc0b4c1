#!/bin/sh
# lint.sh: the static checks of `make lint` (and of the test run).
#
#   scripts/lint.sh                 all checks
#   scripts/lint.sh CHECK...        some: clang-format cppcheck luacheck layers
#   scripts/lint.sh format          reformat the C files in place
#   scripts/lint.sh list            the names of all checks (run_tests.sh counts each)
#
# The C files are every .c and .h of ours: core/, include/, tests/c/,
# tests/fuzz/, bench/ and examples/embed/, except generated ones: those
# saying "do not edit" in their first lines (build/ is not checked).  The
# Lua files are checked by luacheck (.luacheckrc).
cd "$(dirname "$0")/.." || exit 2

files=
for f in $(find core include tests/c tests/fuzz bench examples/embed -maxdepth 1 -type f \
    \( -name '*.c' -o -name '*.h' \) 2>/dev/null |
    LC_ALL=C sort); do
    head -n 3 "$f" | grep -qi 'do not edit' || files="$files $f"
done

check_format() {
    [ -z "$files" ] && return 0
    # shellcheck disable=SC2086 # one file per word
    clang-format --dry-run --Werror $files
}

check_cppcheck() {
    [ -z "$files" ] && return 0
    # shellcheck disable=SC2086
    cppcheck --quiet --error-exitcode=1 --std=c11 --language=c \
        --enable=warning,performance,portability --inline-suppr \
        --suppress=missingIncludeSystem --library=posix --library=lua \
        -D_POSIX_C_SOURCE=200809L -I core -I include -I tests/c -j "$(nproc 2>/dev/null || echo 1)" \
        $files
}

# Every Lua file of ours (build/ excluded), with .luacheckrc's settings;
# silent when clean, as the other checks.
check_luacheck() {
    out=$(luacheck --quiet --no-color . 2>&1) && return 0
    printf '%s\n' "$out"
    return 1
}

check_layers() {
    scripts/check_layers.sh
}

all_checks="clang-format cppcheck luacheck layers"
if [ "${1:-}" = list ]; then
    echo "$all_checks"
    exit 0
fi

if [ "${1:-}" = format ]; then
    [ -z "$files" ] && exit 0
    # shellcheck disable=SC2086
    exec clang-format -i $files
fi

# shellcheck disable=SC2086 # one check per word
[ $# -eq 0 ] && set -- $all_checks
status=0
for check in "$@"; do
    case $check in
    clang-format) check_format ;;
    cppcheck) check_cppcheck ;;
    luacheck) check_luacheck ;;
    layers) check_layers ;;
    *)
        echo "lint.sh: unknown check '$check'" >&2
        false
        ;;
    esac
    st=$?
    if [ $st -ne 0 ]; then
        echo "lint: $check FAILED" >&2
        status=1
    fi
done
exit $status
