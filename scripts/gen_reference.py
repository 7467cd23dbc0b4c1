#!/usr/bin/python3
"""Reference numbers for the autograd blog's three workflows (issue 2).

Computes, with PyTorch (float64, eager) and independently with NumPy and
hand-written derivatives, the numbers that adlua's examples, tests and
benchmarks are checked against, and prints them:

  1. derivative of log:    log(x) and d/dx log(x) = 1/x at a few points
  2. polynomial:           f(x) = 2x^2 - 5x + 3 on np.arange(-4.0, 4.0, 0.01),
                           f, f' (= 4x - 5) and f'' (= 4) at a few points
  3. iris logistic model:  the blog's per-sample loop loss, 1000 steps of
                           w = w - grad(loss)(w, X, t) * 0.001 from zeros((3,1));
                           final w and loss
  plus the W3 scalar chain of bench/WORKLOADS.md (y = tanh(y*1.0001 + 0.01)).

Run with Debian's python, which has python3-numpy, -sklearn and -torch:

    /usr/bin/python3 scripts/gen_reference.py            # everything (~15 s)
    /usr/bin/python3 scripts/gen_reference.py --no-torch # NumPy only (fast)

The two engines must agree (checked here); the printed values are the ones
quoted in issue 2, bench/WORKLOADS.md and docs/performance.md.
"""
import argparse
import math
import sys

import numpy as np
from sklearn.datasets import load_iris

XS_POLY_INDEX = [0, 200, 400, 525, 600, 799]   # x = -4, -2, 0, 1.25, 2, 3.99
LOG_POINTS = [10.0, 1.0, 2.0, 0.5, 100.0]


def iris_xt():
    """X (3,100): sepal length, sepal width, ones; t (100,) of 0/1."""
    iris = load_iris()
    rows = iris.target != 2
    assert rows.sum() == 100 and rows[:100].all()
    data = iris.data[:100]
    X = np.stack([data[:, 0], data[:, 1], np.ones(100)])
    t = iris.target[:100].astype(np.float64)
    return X, t


# ---------------------------------------------------------------- NumPy ----

def np_iris(X, t, steps=1000, lr=0.001):
    """Per-sample loop with the hand-written gradient of the blog's loss."""
    w = np.zeros((3, 1))

    def loss(w):
        total = 0.0
        for i in range(t.shape[0]):
            z = np.dot(w.T, X[:, i])
            total = total - (t[i] * z - np.log(1 + np.exp(z)))
        return total

    def dloss(w):
        g = np.zeros((3, 1))
        for i in range(t.shape[0]):
            z = np.dot(w.T, X[:, i])[0]
            s = 1.0 / (1.0 + np.exp(-z))          # d/dz log(1 + e^z)
            g[:, 0] -= (t[i] - s) * X[:, i]
        return g

    for _ in range(steps):
        w = w - dloss(w) * lr
    return w[:, 0], float(loss(w)[0])


def np_chain(x, n):
    """y = tanh(y*1.0001 + 0.01), n times; value and derivative by hand."""
    y, d = x, 1.0
    for _ in range(n):
        y = math.tanh(y * 1.0001 + 0.01)
        d = d * 1.0001 * (1.0 - y * y)
    return y, d


# ---------------------------------------------------------------- torch ----

def torch_all(X_np, t_np, steps=1000, lr=0.001):
    import torch
    torch.set_default_dtype(torch.float64)
    out = {}

    # 1. log
    out["log"] = []
    for p in LOG_POINTS:
        x = torch.tensor(p, requires_grad=True)
        y = torch.log(x)
        (g,) = torch.autograd.grad(y, x)
        out["log"].append((p, y.item(), g.item()))

    # 2. polynomial, first and second derivative (elementwise)
    x = torch.tensor(np.arange(-4.0, 4.0, 0.01), requires_grad=True)
    f = 2 * x ** 2 - 5 * x + 3
    (g1,) = torch.autograd.grad(f.sum(), x, create_graph=True)
    (g2,) = torch.autograd.grad(g1.sum(), x)
    out["poly"] = [(x[i].item(), f[i].item(), g1[i].item(), g2[i].item())
                   for i in XS_POLY_INDEX]
    out["poly_len"] = x.shape[0]

    # 3. iris, the blog's per-sample loop, two separate dot calls
    X = torch.tensor(X_np)
    t = torch.tensor(t_np)

    def loss_function(w, X, t):
        loss = 0
        for i in range(t.shape[0]):
            loss = loss - (t[i] * torch.matmul(w.T, X[:, i])
                           - torch.log(1 + torch.exp(torch.matmul(w.T, X[:, i]))))
        return loss

    w = torch.zeros((3, 1))
    for _ in range(steps):
        w.requires_grad_(True)
        loss = loss_function(w, X, t)
        (g,) = torch.autograd.grad(loss, w, grad_outputs=torch.ones_like(loss))
        w = (w - g * lr).detach()
    with torch.no_grad():
        out["iris"] = (w[:, 0].tolist(), loss_function(w, X, t).item())

    # W3 scalar chain
    def chain(n):
        x = torch.tensor(0.5, requires_grad=True)
        y = x
        for _ in range(n):
            y = torch.tanh(y * 1.0001 + 0.01)
        (g,) = torch.autograd.grad(y, x)
        return y.item(), g.item()
    out["chain"] = {n: chain(n) for n in (100, 10000)}
    return out


def check(ok, what, cond):
    if not cond:
        print("   MISMATCH: %s" % what)
    return ok and cond


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-torch", action="store_true", help="NumPy and hand derivatives only")
    args = ap.parse_args()

    X, t = iris_xt()
    ok = True

    print("1. derivative of log")
    for p in LOG_POINTS:
        print("   x = %-6r log(x) = %r   d/dx = %r" % (p, math.log(p), 1.0 / p))
    print("   (C's log, as adlua's core and torch use; NumPy's own SIMD log may differ in the last bit)")

    print("2. f(x) = 2x^2 - 5x + 3 on np.arange(-4.0, 4.0, 0.01) (%d points)"
          % len(np.arange(-4.0, 4.0, 0.01)))
    xs = np.arange(-4.0, 4.0, 0.01)
    print("   %-6s %-22s %-22s %-22s %s" % ("index", "x", "f", "f'", "f''"))
    for i in XS_POLY_INDEX:
        x = xs[i]
        print("   %-6d %-22r %-22r %-22r %r" % (i + 1, float(x), float(2 * x ** 2 - 5 * x + 3),
                                               float(4 * x - 5), 4.0))
    print("   (index is 1-based, as in Lua)")

    print("3. iris logistic regression, per-sample loop, 1000 steps, lr 0.001")
    w_np, loss_np = np_iris(X, t)
    print("   numpy (hand gradient): w = [%.10g, %.10g, %.10g]  loss = %.9g" % (*w_np, loss_np))

    print("W3. scalar chain y = tanh(y*1.0001 + 0.01) from x = 0.5")
    for n in (100, 10000):
        y, d = np_chain(0.5, n)
        print("   n = %-5d python floats: f = %r  grad = %r" % (n, y, d))

    if not args.no_torch:
        tr = torch_all(X, t)
        import torch
        print("torch %s (float64, eager):" % torch.__version__)
        for p, y, g in tr["log"]:
            print("   log: x = %-6r log = %r  grad = %r" % (p, y, g))
            ok = check(ok, "log(%r)" % p, abs(y - math.log(p)) <= 2e-16 * abs(y)
                       and abs(g - 1.0 / p) <= 1e-16 * abs(1.0 / p))
        for (xv, f, g1, g2), i in zip(tr["poly"], XS_POLY_INDEX):
            print("   poly: x = %-22r f = %-22r f' = %-22r f'' = %r" % (xv, f, g1, g2))
            x = xs[i]
            ok = check(ok, "poly at index %d" % (i + 1),
                       xv == x and abs(f - (2 * x ** 2 - 5 * x + 3)) <= 1e-12
                       and abs(g1 - (4 * x - 5)) <= 1e-12 and g2 == 4.0)
        w_t, loss_t = tr["iris"]
        print("   iris: w = [%.10g, %.10g, %.10g]  loss = %.9g" % (*w_t, loss_t))
        print("         w (repr) = %r  loss = %r" % (w_t, loss_t))
        ok = check(ok, "iris", max(abs(a - b) for a, b in zip(w_t, w_np)) <= 1e-12
                   and abs(loss_t - loss_np) <= 1e-10)
        for n, (y, g) in sorted(tr["chain"].items()):
            print("   chain n = %-5d f = %r  grad = %r" % (n, y, g))
            y_np, d_np = np_chain(0.5, n)
            # the n = 10000 gradient is a denormal (~1e-323): not comparable
            ok = check(ok, "chain n = %d" % n, abs(y - y_np) <= 1e-14
                       and (n > 1000 or abs(g - d_np) <= 1e-12 * abs(d_np)))
        print("torch and numpy agree" if ok else "MISMATCH between torch and numpy")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
