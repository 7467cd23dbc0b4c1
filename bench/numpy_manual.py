#!/usr/bin/python3
"""Hand-written gradients in plain NumPy (bench/WORKLOADS.md, "numpy_manual"):
the no-autodiff lower bound on the same BLAS, for W2, W3 (plain Python floats
with math.tanh), W4, W5 and W6. Same data, formulas and update rules as the
autodiff peers.

Usage: /usr/bin/python3 bench/numpy_manual.py W2|W3|W4|W5|W6 [iters]
Prints one JSON line.
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

import numpy as np  # noqa: E402

workload = sys.argv.pop(1) if len(sys.argv) > 1 else None


def w2():
    X, t = common.load("w1_X"), common.load("w1_t")

    def loss(w):
        z = w.T @ X
        return -np.sum(t * z - np.log(1 + np.exp(z)))

    def dloss(w):
        z = w.T @ X                                  # (1,100)
        s = 1 / (1 + np.exp(-z))
        return X @ (s - t).T                         # (3,1)

    steps = common.int_arg(1000)

    def train():
        w = np.zeros((3, 1))
        for _ in range(steps):
            w = w - dloss(w) * 0.001
        return w
    seconds, runs, w = common.timed(train)
    return seconds, steps, runs, {"w": w[:, 0].tolist(), "loss": float(loss(w))}


def w3():
    n = common.int_arg(10000)

    def grad_f(x, n):
        ys = []
        y = x
        for _ in range(n):
            y = math.tanh(y * 1.0001 + 0.01)
            ys.append(y)
        g = 1.0
        for y in reversed(ys):
            g = g * (1 - y * y) * 1.0001
        return g, ys[-1]

    seconds, runs, (g, f) = common.timed(lambda: grad_f(0.5, n))
    return seconds, n, runs, {"grad": g, "f": f, "grad_n100": grad_f(0.5, 100)[0]}


def w4():
    X, t = common.load("w4_X"), common.load("w4_t")
    n = X.shape[0]

    def loss(w):
        z = X @ w
        return np.mean(np.log(1 + np.exp(z)) - t * z)

    def dloss(w):
        z = X @ w
        return X.T @ ((1 / (1 + np.exp(-z)) - t) / n)

    steps = common.int_arg(20)

    def train():
        w = np.zeros(100)
        for _ in range(steps):
            w = w - 0.5 * dloss(w)
        return w
    seconds, runs, w = common.timed(train)
    return seconds, steps, runs, {"loss": float(loss(w)), "w0": float(w[0]),
                                  "norm": float(np.linalg.norm(w))}


def w5():
    X, Y = common.load("w5_X"), common.load("w5_Y")
    p0 = [common.load(k) for k in ("w5_W1", "w5_b1", "w5_W2", "w5_b2")]
    n = X.shape[0]

    def forward(W1, b1, W2, b2):
        h = np.tanh(X @ W1 + b1)
        logits = h @ W2 + b2
        m = logits.max(axis=1, keepdims=True)
        e = np.exp(logits - m)
        se = e.sum(axis=1, keepdims=True)
        loss = np.mean(np.log(se[:, 0]) + m[:, 0] - np.sum(Y * logits, axis=1))
        return loss, h, e / se

    def grads(W1, b1, W2, b2):
        _, h, p = forward(W1, b1, W2, b2)
        dlogits = (p - Y) / n
        dW2 = h.T @ dlogits
        db2 = dlogits.sum(axis=0)
        dz = (dlogits @ W2.T) * (1 - h * h)
        return X.T @ dz, dz.sum(axis=0), dW2, db2

    steps = common.int_arg(50)

    def train():
        p = list(p0)
        for _ in range(steps):
            g = grads(*p)
            p = [a - 0.1 * b for a, b in zip(p, g)]
        return p
    seconds, runs, p = common.timed(train)
    return seconds, steps, runs, {"loss0": float(forward(*p0)[0]), "loss": float(forward(*p)[0])}


def w6():
    A, B = common.load("w6_A"), common.load("w6_B")

    def grad():
        A @ B                                        # the forward GEMM, as every peer does
        return np.ones((1000, 1000)) @ B.T

    seconds, runs, g = common.timed(grad)
    return seconds, 1, runs, {"f": float(np.sum(A @ B)), "g00": float(g[0, 0]),
                              "gsum": float(np.sum(g))}


RUN = {"W2": w2, "W3": w3, "W4": w4, "W5": w5, "W6": w6}
if workload not in RUN:
    raise SystemExit("usage: numpy_manual.py W2|W3|W4|W5|W6 [iters]")
seconds, iters, runs, result = RUN[workload]()
common.emit("numpy", workload, seconds, iters, runs, result,
            common.env_info(numpy=np.__version__))
