#!/usr/bin/env bash
# run_fuzz.sh: builds the libFuzzer harnesses (tests/fuzz/fuzz_*.c, clang,
# ASan + UBSan) and runs each for SECONDS (default 600); `make fuzz
# FUZZ_TIME=s` and scripts/run_ci.sh call it.
#
#   scripts/run_fuzz.sh [SECONDS]
#
# Each harness starts from its saved corpus (build-fuzz/corpus/NAME, kept
# between runs; on a fresh clone, tests/fuzz/corpus/NAME.tar.gz) plus
# tests/fuzz/regressions/NAME/, the inputs that once found a bug.  A finding (crash, sanitizer report, leak of arrays) is
# copied into tests/fuzz/regressions/NAME/ so that the replay spec
# (tests/lua/fuzz_regressions_spec.lua) keeps checking it once fixed.
# Last line: "fuzz: N passed, M failed" (one test per harness), then the
# number of executions in "fuzz executions: ...".
set -u
cd "$(dirname "$0")/.." || exit 2
MAKE=${MAKE:-make}
SECONDS_EACH=${1:-600}
B=build-fuzz

if ! command -v clang >/dev/null 2>&1; then
    echo "run_fuzz.sh: clang is missing (scripts/setup.sh installs it)"
    echo "fuzz: 0 passed, 1 failed"
    exit 1
fi
if ! $MAKE --no-print-directory fuzz-bin; then
    echo "fuzz: 0 passed, 1 failed (build)"
    exit 1
fi

# Allocations the sanitizer refuses come back as NULL (the core reports
# "out of memory"), so that absurd sizes test the error path, not the RAM.
# 64 MB (8M float64) per allocation: legitimately huge results (repeat of
# repeat ...) would otherwise take longer than the 30 s per input under
# ASan; the error path they take instead is the interesting one anyway.
export ASAN_OPTIONS=${ASAN_OPTIONS:-allocator_may_return_null=1:max_allocation_size_mb=64:detect_leaks=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

pass=0 fail=0 total_execs=0
for bin in "$B"/fuzz_*; do
    [ -x "$bin" ] || continue
    name=${bin#"$B"/fuzz_}
    corpus=$B/corpus/$name
    regress=tests/fuzz/regressions/$name
    artifacts=$B/artifacts/$name
    # only this run's findings are saved below (earlier ones were then)
    rm -rf "$artifacts"
    mkdir -p "$corpus" "$artifacts"
    # a fresh clone starts from the committed seed corpus (a merged,
    # minimised corpus of earlier runs: `make fuzz-seeds` refreshes it)
    if [ -z "$(ls -A "$corpus")" ] && [ -f "tests/fuzz/corpus/$name.tar.gz" ]; then
        tar -C "$B/corpus" -xzf "tests/fuzz/corpus/$name.tar.gz"
    fi
    seeds=()
    [ -d "$regress" ] && seeds=("$regress")
    log=$B/fuzz_$name.log
    echo "fuzz $name: ${SECONDS_EACH}s"
    # FUZZ_SEED fixes libFuzzer's random choices (CI sets it, so that a
    # CI run explores the same way each time); unset, every run differs
    seed_opt=()
    [ -n "${FUZZ_SEED:-}" ] && seed_opt=(-seed="$FUZZ_SEED")
    "$bin" -max_total_time="$SECONDS_EACH" -timeout=30 -rss_limit_mb=3000 -max_len=1024 \
        "${seed_opt[@]}" -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" \
        "${seeds[@]}" >"$log" 2>&1
    st=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    total_execs=$((total_execs + ${execs:-0}))
    if [ $st -eq 0 ]; then
        pass=$((pass + 1))
        echo "fuzz $name: ok, ${execs:-?} executions, $(ls "$corpus" | wc -l) corpus inputs"
    else
        fail=$((fail + 1))
        tail -n 40 "$log"
        mkdir -p "$regress"
        for f in "$artifacts"/*; do
            [ -f "$f" ] || continue
            cp "$f" "$regress/$(basename "$f").bin" && echo "saved $regress/$(basename "$f").bin"
        done
        echo "fuzz $name: FAILED (status $st); the input is in $regress"
    fi
done
echo "fuzz executions: $total_execs"
echo "fuzz: $pass passed, $fail failed"
[ $fail -eq 0 ]
