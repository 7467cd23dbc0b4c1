#!/usr/bin/python3
"""Workloads W2 and W4-W7 of bench/WORKLOADS.md in PyTorch (float64, eager,
CPU); W1 and W3 have their own scripts. Inputs: the raw float64 files of
bench/gen_data.py. Run with OMP_WAIT_POLICY=passive (bench/run.sh does).

Usage: /usr/bin/python3 bench/torch_more.py W2|W4|W5|W6|W7 [iters]
Prints one JSON line.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

import torch  # noqa: E402

torch.set_default_dtype(torch.float64)
workload = sys.argv.pop(1) if len(sys.argv) > 1 else None


def load(name):
    return torch.from_numpy(common.load(name))


def w2():
    X, t = load("w1_X"), load("w1_t")

    def loss(w):
        z = w.T @ X
        return -torch.sum(t * z - torch.log(1 + torch.exp(z)))

    def dloss(w):
        w = w.detach().requires_grad_(True)
        (g,) = torch.autograd.grad(loss(w), w)
        return g

    steps = common.int_arg(1000)

    def train():
        w = torch.zeros((3, 1))
        for _ in range(steps):
            w = w - dloss(w) * 0.001
        return w
    seconds, runs, w = common.timed(train)
    with torch.no_grad():
        return seconds, steps, runs, {"w": w[:, 0].tolist(), "loss": loss(w).item()}


def w4():
    X, t = load("w4_X"), load("w4_t")

    def loss(w):
        z = X @ w
        return torch.mean(torch.log(1 + torch.exp(z)) - t * z)

    def dloss(w):
        w = w.detach().requires_grad_(True)
        (g,) = torch.autograd.grad(loss(w), w)
        return g

    steps = common.int_arg(20)

    def train():
        w = torch.zeros(100)
        for _ in range(steps):
            w = w - 0.5 * dloss(w)
        return w
    seconds, runs, w = common.timed(train)
    with torch.no_grad():
        return seconds, steps, runs, {"loss": loss(w).item(), "w0": w[0].item(),
                                      "norm": torch.linalg.norm(w).item()}


def w5():
    X, Y = load("w5_X"), load("w5_Y")
    p0 = [load(k) for k in ("w5_W1", "w5_b1", "w5_W2", "w5_b2")]

    def loss(W1, b1, W2, b2):
        h = torch.tanh(X @ W1 + b1)
        logits = h @ W2 + b2
        m = logits.max(dim=1, keepdim=True).values
        lse = torch.log(torch.sum(torch.exp(logits - m), dim=1)) + m[:, 0]
        return torch.mean(lse - torch.sum(Y * logits, dim=1))

    steps = common.int_arg(50)

    def train():
        p = list(p0)
        for _ in range(steps):
            q = [a.detach().requires_grad_(True) for a in p]
            g = torch.autograd.grad(loss(*q), q)
            p = [a - 0.1 * b for a, b in zip(p, g)]
        return p
    seconds, runs, p = common.timed(train)
    with torch.no_grad():
        return seconds, steps, runs, {"loss0": loss(*p0).item(), "loss": loss(*p).item()}


def w6():
    A, B = load("w6_A"), load("w6_B")

    def grad():
        a = A.detach().requires_grad_(True)
        (g,) = torch.autograd.grad(torch.sum(a @ B), a)
        return g
    seconds, runs, g = common.timed(grad)
    with torch.no_grad():
        return seconds, 1, runs, {"f": torch.sum(A @ B).item(), "g00": g[0, 0].item(),
                                  "gsum": torch.sum(g).item()}


def w7():
    x0 = load("w7_x")
    reps = common.int_arg(200)

    def d2f():
        x = x0.detach().requires_grad_(True)
        f = 2 * x ** 2 - 5 * x + 3
        (g1,) = torch.autograd.grad(f.sum(), x, create_graph=True)
        (g2,) = torch.autograd.grad(g1.sum(), x)
        return g2

    def run():
        for _ in range(reps):
            r = d2f()
        return r
    seconds, runs, r = common.timed(run)
    return seconds, reps, runs, {"mean": r.mean().item(), "len": r.shape[0]}


RUN = {"W2": w2, "W4": w4, "W5": w5, "W6": w6, "W7": w7}
if workload not in RUN:
    raise SystemExit("usage: torch_more.py W2|W4|W5|W6|W7 [iters]")
seconds, iters, runs, result = RUN[workload]()
common.emit("torch", workload, seconds, iters, runs, result,
            common.env_info(torch=torch.__version__, torch_num_threads=torch.get_num_threads()))
