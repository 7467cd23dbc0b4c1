#!/bin/sh
# Issue 4's benchmarks: the Jacobian of a 100-to-100 map and the Hessian of
# a 100-input function, adlua (ad.jacobian / ad.hessian) next to PyTorch's
# torch.autograd.functional.jacobian / hessian, in one run; prints a table
# with the speed-up (torch time / adlua time) and checks that both computed
# the same matrices (checksums). Called by bench/run.sh; runs alone too:
#
#   bench/operators.sh            (a few seconds)
#
# BENCH_ROUNDS (default 3): each engine runs that many times, alternating,
# and the report keeps its fastest time per operator.
#
# Environment: ADLUA, PYTHON as bench/run.sh; the thread settings of the
# caller (run.sh: 2 OpenMP and OpenBLAS threads) are used as they are.
set -u
cd "$(dirname "$0")/.." || exit 1
ADLUA=${ADLUA:-build/adlua}
PYTHON=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
# BENCH_ROUNDS as in bench/run.sh (default 3): each engine runs that many
# times, alternating, and its fastest time per operator is kept.
rounds=${BENCH_ROUNDS:-3}
if ! "$PYTHON" -c 'import torch' 2>/dev/null; then
    echo "bench: PyTorch not found for $PYTHON; adlua alone:" >&2
    "$ADLUA" bench/adlua_jachess.lua || exit 1
    exit 0
fi
: > "$tmp/adlua"
: > "$tmp/torch"
i=0
while [ $i -lt "$rounds" ]; do
    "$ADLUA" bench/adlua_jachess.lua >> "$tmp/adlua" || exit 1
    env OMP_WAIT_POLICY=passive "$PYTHON" bench/torch_jachess.py >> "$tmp/torch" || exit 1
    i=$((i + 1))
done
"$PYTHON" - "$tmp/adlua" "$tmp/torch" <<'PY'
import sys
def load(p):  # name -> (fastest time, checksum) over the rounds
    best = {}
    for l in open(p):
        name, t, c = l.split()[:3]
        if name not in best or float(t) < best[name][0]:
            best[name] = (float(t), float(c))
    return best
a, t = load(sys.argv[1]), load(sys.argv[2])
status = 0
print("%-32s %10s %10s %9s  %s" % ("operator (n = 100)", "adlua", "torch", "speed-up", "target"))
for name, what in (("jacobian", "jacobian of R^100 -> R^100"), ("hessian", "hessian of R^100 -> R")):
    (ta, ca), (tt, ct) = a[name], t[name]
    ratio = tt / ta
    print("%-32s %8.3f ms %8.3f ms %8.1fx  torch/adlua >= 5x: %s"
          % (what, ta * 1e3, tt * 1e3, ratio, "met" if ratio >= 5 else "NOT MET"))
    same = abs(ca - ct) <= 1e-9 * abs(ct)
    print("  %s %s: checksums %.12g (adlua) %.12g (torch)" % ("ok" if same else "FAIL", name, ca, ct))
    status |= 0 if same else 1
sys.exit(status)
PY
