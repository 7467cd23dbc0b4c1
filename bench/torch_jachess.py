#!/usr/bin/python3
"""Jacobian of a 100-to-100 map and Hessian of a 100-input function with
torch.autograd.functional (float64, CPU), the peer of bench/adlua_jachess.lua:
    g(x) = tanh(W x) * x                  jacobian(g, x): (100, 100)
    f(x) = sum(tanh(W x)) + sum(x^4)/4    hessian(f, x): (100, 100)
W[i][j] = sin(i + 2j) / 10 (1-based i, j), x[i] = cos(i) / 2.
Prints two lines: "<name> <median seconds> <checksum>".

Usage: /usr/bin/python3 bench/torch_jachess.py [n]     (default 100)
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

import torch  # noqa: E402
from torch.autograd.functional import hessian, jacobian  # noqa: E402

n = common.int_arg(100)
W = torch.tensor([[math.sin(i + 2 * j) / 10 for j in range(1, n + 1)] for i in range(1, n + 1)],
                 dtype=torch.float64)
x = torch.tensor([math.cos(i) / 2 for i in range(1, n + 1)], dtype=torch.float64)


def g(z):
    return torch.tanh(W @ z) * z


def f(z):
    return torch.tanh(W @ z).sum() + (z ** 4).sum() / 4


tj, _, J = common.timed(lambda: jacobian(g, x))
th, _, H = common.timed(lambda: hessian(f, x))
print("jacobian %.9f %.12g" % (tj, float((J * J).sum())))
print("hessian %.9f %.12g" % (th, float((H * H).sum())))
