#!/usr/bin/python3
"""Array workloads A1-A12 in plain NumPy (docs/performance.md): elementwise
operations, reductions and a row-wise softmax on 10^6 float64 values, forward
only; the peer of bench/adlua_array.lua, with the same inputs (bench/gen_data.py),
the same operations and the same result fields.

Each timed run applies the operation ITERS times (defaults below, the same
as adlua's: 50 for the operations that make a 10^6 result, 200 for the
reductions), keeping only the last result; sec_per_iter is the time of one
operation.

Usage: /usr/bin/python3 bench/numpy_array.py A1|...|A12 [iters]
Prints one JSON line.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

import numpy as np  # noqa: E402

workload = sys.argv.pop(1) if len(sys.argv) > 1 else None
# Iterations per timed run (the same in bench/adlua_array.lua and bench/report.py).
ITERS = {"A1": 50, "A2": 50, "A3": 50, "A4": 50, "A5": 50, "A6": 50, "A7": 200, "A8": 200,
         "A9": 200, "A10": 200, "A11": 200, "A12": 50}

# Flat positions (0-based) of the values every engine reports of an array result.
SAMPLES = (0, 1, 999, 1000, 123457, 500000, 999999)


def softmax(X):
    m = X.max(axis=1, keepdims=True)
    e = np.exp(X - m)
    return e / e.sum(axis=1, keepdims=True)


# name -> (inputs, operation); the inputs are loaded outside the timer.
OPS = {
    "A1": ("x", lambda x: np.exp(x)),
    "A2": ("p", lambda p: np.log(p)),
    "A3": ("x", lambda x: np.tanh(x)),
    "A4": ("xy", lambda x, y: x + y),
    "A5": ("x", lambda x: x * 2.5),
    "A6": ("Xb", lambda X, b: X + b),
    "A7": ("x", lambda x: np.sum(x)),
    "A8": ("X", lambda X: np.sum(X, axis=0)),
    "A9": ("X", lambda X: np.sum(X, axis=1)),
    "A10": ("x", lambda x: np.max(x)),
    "A11": ("x", lambda x: np.mean(x)),
    "A12": ("X", softmax),
}


def result_fields(r):
    """A scalar result itself; of an array: its shape, the sum of its absolute
    values and of its squares (both well conditioned) and a few values."""
    if np.ndim(r) == 0:
        return {"value": float(r)}
    flat = r.reshape(-1)
    return {"shape": list(r.shape), "abs_sum": float(np.sum(np.abs(flat))),
            "sq_sum": float(np.sum(flat * flat)),
            "samples": [float(flat[i]) for i in SAMPLES if i < flat.size]}


def main():
    if workload not in OPS:
        raise SystemExit("usage: numpy_array.py A1|...|A12 [iters]")
    names, op = OPS[workload]
    data = {"x": common.load("a_x"), "y": common.load("a_y"), "p": common.load("a_p"),
            "b": common.load("a_b")}
    data["X"] = data["x"].reshape(1000, 1000)
    args = [data[k] for k in names]
    iters = common.int_arg(ITERS[workload])

    def run():
        r = None
        for _ in range(iters):
            r = op(*args)
        return r

    seconds, runs, r = common.timed(run)
    common.emit("numpy", workload, seconds, iters, runs, result_fields(r),
                common.env_info(numpy=np.__version__))


if __name__ == "__main__":
    main()
