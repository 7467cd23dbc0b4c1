#!/usr/bin/python3
"""W3 scalar_chain in PyTorch (float64, eager): per-operation overhead.
    f(x): y = x; repeat N times: y = tanh(y*1.0001 + 0.01); return y
One timed run = one forward and one backward pass of grad(f)(0.5) on a 0-d
float64 tensor (3N recorded scalar ops); times are reported per chain link.

Usage: /usr/bin/python3 bench/torch_w3.py [links]     (default 10000)
Prints one JSON line (see bench/WORKLOADS.md).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

import torch  # noqa: E402

N = common.int_arg(10000)


def f(x, n):
    y = x
    for _ in range(n):
        y = torch.tanh(y * 1.0001 + 0.01)
    return y


def grad_f(x0, n):
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(f(x, n), x)
    return g.item()


seconds, runs, g = common.timed(lambda: grad_f(0.5, N))
with torch.no_grad():
    fval = f(torch.tensor(0.5, dtype=torch.float64), N).item()
g100 = grad_f(0.5, 100)                     # untimed, a non-degenerate check
common.emit("torch", "W3", seconds, N, runs,
            {"grad": g, "f": fval, "grad_n100": g100},
            common.env_info(torch=torch.__version__,
                            torch_num_threads=torch.get_num_threads()))
