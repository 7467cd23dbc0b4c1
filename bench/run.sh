#!/bin/sh
# Runs the issue-2 benchmarks side by side, adlua and PyTorch, in one go:
#   W1 iris_loop     (the blog's per-sample logistic regression, 1000 GD steps)
#   W3 scalar_chain  (y = tanh(y*1.0001 + 0.01) 10000 times, one grad)
# then checks that the peers agree and prints one table (bench/report.py).
# See docs/performance.md and bench/WORKLOADS.md.
#
#   bench/run.sh                 full run (about 1.5 minutes, mostly PyTorch's W1)
#   QUICK=1 bench/run.sh         100 GD steps and 1000 chain links (recorded)
#
# Environment: ADLUA (default build/adlua), PYTHON (default /usr/bin/python3,
# Debian's, with python3-torch and python3-sklearn), BENCH_DIR (where the JSON
# lines go, default build/bench), W1_STEPS, W3_LINKS (override the sizes).
# Exit status: 0 when every result agrees, 1 otherwise (targets are reported,
# not enforced).
set -u
cd "$(dirname "$0")/.." || exit 1

ADLUA=${ADLUA:-build/adlua}
PYTHON=${PYTHON:-/usr/bin/python3}
BENCH_DIR=${BENCH_DIR:-build/bench}
if [ "${QUICK:-0}" != 0 ] && [ -n "${QUICK:-}" ]; then
    QUICK=1
    W1_STEPS=${W1_STEPS:-100}
    W3_LINKS=${W3_LINKS:-1000}
else
    QUICK=
    W1_STEPS=${W1_STEPS:-1000}
    W3_LINKS=${W3_LINKS:-10000}
fi
# The same threads for every peer (bench/WORKLOADS.md).
OMP_NUM_THREADS=2
OPENBLAS_NUM_THREADS=2
export OMP_NUM_THREADS OPENBLAS_NUM_THREADS QUICK

if [ ! -x "$ADLUA" ]; then
    echo "bench: $ADLUA not found; build it first (make)" >&2
    exit 1
fi
mkdir -p "$BENCH_DIR" || exit 1
OUT=$BENCH_DIR/results.jsonl
: > "$OUT"
status=0

have_python=no
have_torch=no
if "$PYTHON" -c 'import numpy, sklearn' 2>/dev/null; then
    have_python=yes
    if "$PYTHON" -c 'import torch' 2>/dev/null; then have_torch=yes; fi
fi

echo "bench: W1 $W1_STEPS GD steps, W3 $W3_LINKS links; 1 warm-up + 5 timed runs each${QUICK:+ (QUICK)}" >&2
echo "bench: OMP_NUM_THREADS=$OMP_NUM_THREADS OPENBLAS_NUM_THREADS=$OPENBLAS_NUM_THREADS${OPENBLAS_CORETYPE:+ OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE}; torch also OMP_WAIT_POLICY=passive" >&2

# Two cores: anything else running skews the times. Say so.
load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo 0)
case $load in
    0.*) ;;
    *) echo "bench: WARNING: load average $load: other work is running, times may be inflated" >&2 ;;
esac

if [ $have_python = yes ]; then
    "$PYTHON" bench/check_iris.py "$ADLUA" >&2 || status=1
else
    echo "bench: $PYTHON lacks numpy/sklearn: iris data not cross-checked" >&2
fi

run() {  # run NAME COMMAND...: one (peer, workload) process, its JSON line into $OUT
    name=$1; shift
    echo "bench: $name ..." >&2
    if ! "$@" >> "$OUT"; then
        echo "bench: $name FAILED" >&2
        status=1
    fi
}

run "adlua W1" "$ADLUA" bench/adlua_w1.lua "$W1_STEPS"
run "adlua W3" "$ADLUA" bench/adlua_w3.lua "$W3_LINKS"
if [ $have_torch = yes ]; then
    # PyTorch's OpenMP threads spin against OpenBLAS's on 2 cores unless passive:
    # its best setting, recorded in its JSON env.
    run "torch W1" env OMP_WAIT_POLICY=passive "$PYTHON" bench/torch_w1.py "$W1_STEPS"
    run "torch W3" env OMP_WAIT_POLICY=passive "$PYTHON" bench/torch_w3.py "$W3_LINKS"
else
    echo "bench: PyTorch not found for $PYTHON; torch peer skipped" >&2
    echo "       (Debian: apt-get install python3-torch python3-sklearn)" >&2
fi

echo >&2
if [ $have_python = yes ]; then
    "$PYTHON" bench/report.py "$OUT" || status=1
else
    cat "$OUT"
fi
echo "bench: JSON lines in $OUT" >&2

# issue 4: jacobian and hessian against torch.autograd.functional
echo >&2
ADLUA="$ADLUA" PYTHON="$PYTHON" bench/operators.sh || status=1
exit $status
