#!/usr/bin/python3
"""Writes the inputs of workloads W1-W7 (bench/WORKLOADS.md) and of the
array workloads A1-A12 (docs/performance.md) as raw
little-endian float64 files, C order, no header: every engine loads the very
same numbers.  DIR/data.txt lists every array's name and shape, for the
loaders (bench/lib.lua, bench/common.py).

Usage: /usr/bin/python3 bench/gen_data.py [DIR]     (default build/bench/data)
Rewrites nothing when DIR/data.txt already lists the same files.
"""
import os
import sys

import numpy as np


def iris():
    from sklearn.datasets import load_iris
    d = load_iris()
    assert (d.target[:100] != 2).all() and (d.target[100:] == 2).all()
    data = d.data[:100]
    X = np.stack([data[:, 0], data[:, 1], np.ones(100)])
    return {"w1_X": X, "w1_t": d.target[:100].astype(np.float64)}


def w4():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100000, 100))
    w_true = rng.standard_normal(100)
    t = (X @ w_true > 0).astype(np.float64)
    return {"w4_X": X, "w4_t": t}


def w5():
    rng1 = np.random.default_rng(1)
    X = rng1.standard_normal((256, 784))
    y = rng1.integers(0, 10, size=256)
    Y = np.zeros((256, 10))
    Y[np.arange(256), y] = 1.0
    rng2 = np.random.default_rng(2)
    W1 = rng2.standard_normal((784, 256)) * 0.01
    W2 = rng2.standard_normal((256, 10)) * 0.01
    return {"w5_X": X, "w5_y": y.astype(np.float64), "w5_Y": Y, "w5_W1": W1,
            "w5_W2": W2, "w5_b1": np.zeros(256), "w5_b2": np.zeros(10)}


def w6():
    rng = np.random.default_rng(3)
    A = rng.standard_normal((1000, 1000))
    B = rng.standard_normal((1000, 1000))
    return {"w6_A": A, "w6_B": B}


def w7():
    return {"w7_x": np.arange(-4, 4, 0.01)}


def array_ops():
    """A1-A12: 10^6 float64 each; a_x and a_y standard normal (A6, A8, A9 and
    A12 view a_x as 1000 x 1000), a_p in [0.01, 10) for log, a_b the row
    added by broadcasting."""
    rng = np.random.default_rng(4)
    return {"a_x": rng.standard_normal(10 ** 6), "a_y": rng.standard_normal(10 ** 6),
            "a_p": rng.uniform(0.01, 10.0, 10 ** 6), "a_b": rng.standard_normal(1000)}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "build/bench/data"
    os.makedirs(out, exist_ok=True)
    arrays = {}
    for make in (iris, w4, w5, w6, w7, array_ops):
        arrays.update(make())
    listing = "".join("%s %s\n" % (name, " ".join(str(n) for n in a.shape))
                      for name, a in sorted(arrays.items()))
    index = os.path.join(out, "data.txt")
    if os.path.exists(index) and open(index).read() == listing and all(
            os.path.getsize(os.path.join(out, n + ".f64")) == a.size * 8 for n, a in arrays.items()):
        return 0
    for name, a in arrays.items():
        np.ascontiguousarray(a, dtype="<f8").tofile(os.path.join(out, name + ".f64"))
    with open(index, "w") as f:
        f.write(listing)
    print("gen_data: wrote %d arrays to %s" % (len(arrays), out), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
