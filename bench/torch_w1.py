#!/usr/bin/python3
"""W1 iris_loop in PyTorch (float64, eager): the seed blog's logistic regression
with a per-sample loop and two separate dot calls, 1000 gradient-descent steps
    w = w - grad(loss_function)(w, X, t) * 0.001     from w = zeros((3, 1)).

Usage: /usr/bin/python3 bench/torch_w1.py [steps]     (default 1000)
Prints one JSON line (see bench/WORKLOADS.md).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

import torch  # noqa: E402

torch.set_default_dtype(torch.float64)

STEPS = common.int_arg(1000)
X_np, t_np = common.iris_xt()
X = torch.tensor(X_np, dtype=torch.float64)
t = torch.tensor(t_np, dtype=torch.float64)


def loss_function(w, X, t):
    loss = 0
    for i in range(t.shape[0]):
        loss = loss - (t[i] * torch.matmul(w.T, X[:, i])
                       - torch.log(1 + torch.exp(torch.matmul(w.T, X[:, i]))))
    return loss                                   # shape (1,), as NumPy's


def grad_loss(w, X, t):
    w = w.detach().requires_grad_(True)
    loss = loss_function(w, X, t)
    (g,) = torch.autograd.grad(loss, w, grad_outputs=torch.ones_like(loss))
    return g


def train():
    w = torch.zeros((3, 1), dtype=torch.float64)
    for _ in range(STEPS):
        w = w - grad_loss(w, X, t) * 0.001
    return w


seconds, runs, w = common.timed(train)
with torch.no_grad():
    loss = loss_function(w, X, t).item()
common.emit("torch", "W1", seconds, STEPS, runs,
            {"w": w[:, 0].tolist(), "loss": loss},
            common.env_info(torch=torch.__version__,
                            torch_num_threads=torch.get_num_threads()))
