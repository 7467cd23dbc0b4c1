#!/bin/sh
# Runs the peer-baseline workloads W1-W7 (bench/WORKLOADS.md) in adlua,
# PyTorch and hand-written NumPy, plus raw cblas_dgemm (the BLAS limit), and
# the array workloads A1-A12 (elementwise operations, reductions, softmax on
# 10^6 float64) in adlua and NumPy, in one go; checks that the engines agree
# and prints the tables (bench/report.py). See docs/performance.md.
#
#   bench/run.sh                 full run (a few minutes, mostly PyTorch's W1)
#   QUICK=1 bench/run.sh         shortened sizes (recorded in the table)
#   BENCH_ONLY=A bench/run.sh    only the array workloads (see BENCH_ONLY below)
#
# Environment: ADLUA (default build/adlua), PYTHON (default /usr/bin/python3,
# Debian's, with python3-torch, python3-numpy, python3-sklearn), BENCH_DIR
# (default build/bench: results.jsonl, the dgemm program and data/, the
# inputs of bench/gen_data.py), BENCH_CORETYPE (the OpenBLAS kernels for
# every engine; default: those adlua picks on this CPU, see below),
# W1_STEPS ... W7_REPS, A_ITERS (override the sizes; A_ITERS: the
# iterations per timed run of every array workload, default 50 for those
# that make a 10^6 result and 200 for the reductions), BENCH_ONLY (a list of
# workloads and families to run, e.g. "A", "W" or "W2 A1 A12"; the dgemm
# limit runs with W6, bench/operators.sh only when BENCH_ONLY is unset or
# lists "operators"), BENCH_ROUNDS (how many times the whole list runs, one
# round after the other; the report keeps each engine's fastest round:
# default 3, 1 with QUICK).
# Exit status: 0 when every result agrees, 1 otherwise (targets are reported,
# not enforced).
set -u
cd "$(dirname "$0")/.." || exit 1

ADLUA=${ADLUA:-build/adlua}
PYTHON=${PYTHON:-/usr/bin/python3}
BENCH_DIR=${BENCH_DIR:-build/bench}
if [ "${QUICK:-0}" != 0 ] && [ -n "${QUICK:-}" ]; then
    QUICK=1
    : "${W1_STEPS:=100}" "${W2_STEPS:=100}" "${W3_LINKS:=1000}" "${W4_STEPS:=5}" \
      "${W5_STEPS:=10}" "${W7_REPS:=50}" "${A_ITERS:=5}" "${BENCH_ROUNDS:=1}"
else
    QUICK=
    : "${W1_STEPS:=1000}" "${W2_STEPS:=1000}" "${W3_LINKS:=10000}" "${W4_STEPS:=20}" \
      "${W5_STEPS:=50}" "${W7_REPS:=200}" "${BENCH_ROUNDS:=3}"
fi
# The same threads for every engine (bench/WORKLOADS.md).
OMP_NUM_THREADS=2
OPENBLAS_NUM_THREADS=2
BENCH_DATA=$BENCH_DIR/data
export OMP_NUM_THREADS OPENBLAS_NUM_THREADS QUICK BENCH_DATA

if [ ! -x "$ADLUA" ]; then
    echo "bench: $ADLUA not found; build it first (make)" >&2
    exit 1
fi
mkdir -p "$BENCH_DIR" || exit 1
OUT=$BENCH_DIR/results.jsonl
: > "$OUT"
status=0

# The same OpenBLAS kernels for every engine: those adlua chooses by itself
# on this CPU (OpenBLAS's own choice, or better ones where OpenBLAS falls
# back to generic kernels: core/blas_detect.c), unless BENCH_CORETYPE names
# others. An OPENBLAS_CORETYPE inherited from the environment is replaced.
if [ -n "${BENCH_CORETYPE:-}" ]; then
    OPENBLAS_CORETYPE=$BENCH_CORETYPE
    why="BENCH_CORETYPE"
else
    inherited=${OPENBLAS_CORETYPE:-}
    OPENBLAS_CORETYPE=$(env -u OPENBLAS_CORETYPE "$ADLUA" -e \
        'io.write(require("adlua").blas_info().corename or "")')
    why="adlua's choice on this CPU${inherited:+, replacing the inherited OPENBLAS_CORETYPE=$inherited}"
fi
if [ -n "$OPENBLAS_CORETYPE" ]; then
    export OPENBLAS_CORETYPE
    echo "bench: OpenBLAS kernels for every engine: OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE ($why)" >&2
else
    unset OPENBLAS_CORETYPE
    echo "bench: the BLAS is not OpenBLAS: no OPENBLAS_CORETYPE" >&2
fi

have_python=no
have_torch=no
if "$PYTHON" -c 'import numpy, sklearn' 2>/dev/null; then
    have_python=yes
    if "$PYTHON" -c 'import torch' 2>/dev/null; then have_torch=yes; fi
fi

echo "bench: sizes W1 $W1_STEPS, W2 $W2_STEPS, W3 $W3_LINKS, W4 $W4_STEPS, W5 $W5_STEPS, W7 $W7_REPS, A1-A12 ${A_ITERS:-50/200}; 1 warm-up + 5 timed runs each, $BENCH_ROUNDS round(s), the fastest kept${QUICK:+ (QUICK)}${BENCH_ONLY:+; only $BENCH_ONLY}" >&2
echo "bench: OMP_NUM_THREADS=$OMP_NUM_THREADS OPENBLAS_NUM_THREADS=$OPENBLAS_NUM_THREADS; torch also OMP_WAIT_POLICY=passive" >&2

# Two cores: anything else running skews the times. Say so.
load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo 0)
case $load in
    0.*) ;;
    *) echo "bench: WARNING: load average $load: other work is running, times may be inflated" >&2 ;;
esac

if [ $have_python = no ]; then
    echo "bench: $PYTHON lacks numpy/sklearn: cannot generate the inputs" >&2
    echo "       (Debian: apt-get install python3-numpy python3-sklearn python3-torch)" >&2
    exit 1
fi
"$PYTHON" bench/gen_data.py "$BENCH_DATA" || exit 1
"$PYTHON" bench/check_iris.py "$ADLUA" >&2 || status=1

wanted() {  # wanted NAME: whether BENCH_ONLY selects the workload NAME (all when unset)
    [ -z "${BENCH_ONLY:-}" ] && return 0
    for sel in $BENCH_ONLY; do
        case $sel in
            "$1") return 0 ;;
            [A-Z]) case $1 in "$sel"[0-9]*) return 0 ;; esac ;;   # a family: W, A
        esac
    done
    return 1
}

run() {  # run NAME COMMAND...: one (engine, workload) process, its JSON line into $OUT
    name=$1; shift
    echo "bench: $name ..." >&2
    if ! "$@" >> "$OUT"; then
        echo "bench: $name FAILED" >&2
        status=1
    fi
}

# The BLAS limit: raw cblas_dgemm, built here with the same flags as adlua.
DGEMM=$BENCH_DIR/dgemm
if [ ! -x "$DGEMM" ] || [ bench/dgemm.c -nt "$DGEMM" ]; then
    ${CC:-cc} -O2 $(pkg-config --cflags openblas 2>/dev/null) bench/dgemm.c -o "$DGEMM" \
        $(pkg-config --libs openblas 2>/dev/null || echo -lopenblas) || status=1
fi
if wanted W6; then
    [ -x "$DGEMM" ] && run "dgemm" "$DGEMM" 1000 2000
fi

# The floor under W3 for a Lua C binding: bench/lua_floor.c, a Lua module
# whose operations only check their operands and return a new userdata,
# built here against LuaJIT and run by the adlua program (its Lua state).
FLOOR_SO=$BENCH_DIR/lua_floor.so
if wanted W3 && { [ ! -f "$FLOOR_SO" ] || [ bench/lua_floor.c -nt "$FLOOR_SO" ]; }; then
    ${CC:-cc} -O2 -shared -fPIC $(pkg-config --cflags luajit) bench/lua_floor.c \
        -o "$FLOOR_SO" || status=1
fi
# A bound for W3 on a binding without a userdata per operation:
# bench/scalar_tape.c, a tape of one-number records that
# bench/scalar_tape_w3.lua reaches through LuaJIT's FFI.
TAPE_SO=$BENCH_DIR/scalar_tape.so
if wanted W3 && { [ ! -f "$TAPE_SO" ] || [ bench/scalar_tape.c -nt "$TAPE_SO" ]; }; then
    ${CC:-cc} -O2 -shared -fPIC bench/scalar_tape.c -o "$TAPE_SO" || status=1
fi

TORCH="env OMP_WAIT_POLICY=passive $PYTHON"   # its best setting on 2 cores, recorded in its JSON
step() {  # step W ITERS: the workload in every engine that has it
    w=$1 n=$2
    wanted "$w" || return 0
    case $w in
        W1) run "adlua W1" "$ADLUA" bench/adlua_w1.lua "$n"
            run "adlua W1 jit" "$ADLUA" bench/adlua_w1.lua "$n" jit ;;
        W3) run "adlua W3" "$ADLUA" bench/adlua_w3.lua "$n"
            run "adlua W3 jit" "$ADLUA" bench/adlua_w3.lua "$n" jit
            [ -f "$FLOOR_SO" ] && run "lua_floor W3" "$ADLUA" bench/floor_w3.lua "$n" "$FLOOR_SO"
            [ -f "$TAPE_SO" ] && run "scalar_tape W3" "$ADLUA" bench/scalar_tape_w3.lua "$n" "$TAPE_SO" ;;
        *) run "adlua $w" "$ADLUA" bench/adlua_more.lua "$w" "$n" ;;
    esac
    if [ $have_torch = yes ]; then
        case $w in
            W1) run "torch W1" $TORCH bench/torch_w1.py "$n" ;;
            W3) run "torch W3" $TORCH bench/torch_w3.py "$n" ;;
            *) run "torch $w" $TORCH bench/torch_more.py "$w" "$n" ;;
        esac
    fi
    case $w in
        W2|W3|W4|W5|W6) run "numpy $w" "$PYTHON" bench/numpy_manual.py "$w" "$n" ;;
    esac
}
[ $have_torch = yes ] || echo "bench: PyTorch not found for $PYTHON; torch peer skipped" >&2

# The machine's speed drifts over tens of seconds (a shared virtual
# machine: the same binary varies 1.6x from minute to minute), and the
# engines of one workload run at different moments; so the whole list runs
# BENCH_ROUNDS times and the report keeps each engine's fastest round.
round=1
while [ "$round" -le "$BENCH_ROUNDS" ]; do
    [ "$BENCH_ROUNDS" -gt 1 ] && echo "bench: round $round of $BENCH_ROUNDS" >&2
    step W1 "$W1_STEPS"
    step W2 "$W2_STEPS"
    step W3 "$W3_LINKS"
    step W4 "$W4_STEPS"
    step W5 "$W5_STEPS"
    step W6 1
    step W7 "$W7_REPS"

    # The array workloads A1-A12: adlua and NumPy (bench/adlua_array.lua,
    # bench/numpy_array.py), the iterations each script's default unless A_ITERS.
    for a in A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12; do
        wanted "$a" || continue
        run "adlua $a" "$ADLUA" bench/adlua_array.lua "$a" ${A_ITERS:+"$A_ITERS"}
        run "numpy $a" "$PYTHON" bench/numpy_array.py "$a" ${A_ITERS:+"$A_ITERS"}
    done
    round=$((round + 1))
done

echo >&2
"$PYTHON" bench/report.py "$OUT" || status=1
echo "bench: JSON lines in $OUT" >&2

# issue 4: jacobian and hessian against torch.autograd.functional
if [ -z "${BENCH_ONLY:-}" ] || wanted operators; then
    echo >&2
    ADLUA="$ADLUA" PYTHON="$PYTHON" BENCH_ROUNDS="$BENCH_ROUNDS" bench/operators.sh || status=1
fi
exit $status
