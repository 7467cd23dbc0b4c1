#!/usr/bin/env bash
# run_long.sh: the long runs; `make test-long` and scripts/run_ci.sh call it.
#
#   scripts/run_long.sh [STEPS]     (default 100000)
#
# 100,000 gradient steps of the iris model, in its per-sample loop form
# (examples/train_iris.lua) and on whole arrays, each in a fresh adlua
# program: resident memory must not grow by 5% or more after the warm-up
# (a tenth of the steps) and no array may be left alive.  About 40 s and
# 2 s on one core.  Last line: "long: N passed, M failed".
set -u
cd "$(dirname "$0")/.." || exit 2
STEPS=${1:-100000}
ADLUA=${ADLUA:-build/adlua}
pass=0 fail=0
for model in loop vector; do
    start=$(date +%s)
    if "$ADLUA" tests/long/iris_rss.lua "$STEPS" "$model"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
    fi
    echo "long $model: $(($(date +%s) - start)) s wall"
done
echo "long: $pass passed, $fail failed"
[ $fail -eq 0 ]
