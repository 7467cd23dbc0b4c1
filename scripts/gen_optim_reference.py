"""Reference values for tests/lua/optim_spec.lua: HIPS autograd's optimizers
(autograd/misc/optimizers.py, copied below with NumPy) on a small problem.
Python's iteration i is 0-based; adlua's grad_fn gets i + 1."""
import numpy as np

t = np.array([0.3, 0.2, -1.0])
x0 = np.array([1.0, -2.0, 0.5])


def grad(x, i):  # i: adlua's 1-based iteration
    return 2 * (x - t) + 0.01 * i


def sgd(x, num_iters=200, step_size=0.1, mass=0.9):
    velocity = np.zeros(len(x))
    for i in range(num_iters):
        g = grad(x, i + 1)
        velocity = mass * velocity - (1.0 - mass) * g
        x = x + step_size * velocity
    return x


def rmsprop(x, num_iters=100, step_size=0.1, gamma=0.9, eps=10**-8):
    avg_sq_grad = np.ones(len(x))
    for i in range(num_iters):
        g = grad(x, i + 1)
        avg_sq_grad = avg_sq_grad * gamma + g**2 * (1 - gamma)
        x = x - step_size * g / (np.sqrt(avg_sq_grad) + eps)
    return x


def adam(x, num_iters=100, step_size=0.001, b1=0.9, b2=0.999, eps=10**-8):
    m = np.zeros(len(x))
    v = np.zeros(len(x))
    for i in range(num_iters):
        g = grad(x, i + 1)
        m = (1 - b1) * g + b1 * m
        v = (1 - b2) * (g**2) + b2 * v
        mhat = m / (1 - b1**(i + 1))
        vhat = v / (1 - b2**(i + 1))
        x = x - step_size * mhat / (np.sqrt(vhat) + eps)
    return x


def show(name, x):
    print("%s = {%s}," % (name, ", ".join(repr(float(v)) for v in x)))


show("sgd_default", sgd(x0))
show("sgd_mass", sgd(x0, num_iters=7, step_size=0.3, mass=0.5))
show("rmsprop_default", rmsprop(x0))
show("rmsprop_opts", rmsprop(x0, num_iters=9, step_size=0.05, gamma=0.8, eps=1e-3))
show("adam_default", adam(x0))
show("adam_opts", adam(x0, num_iters=11, step_size=0.1, b1=0.8, b2=0.9, eps=1e-4))
