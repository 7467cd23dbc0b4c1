-- Docstrings of adlua.optim and adlua.datasets.
return {
["optim.sgd"] = [=[
sgd(grad_fn, x0, opts) runs gradient descent with momentum, autograd's semantics: grad_fn(x, i) gives the gradient at iteration i (1-based); x0 is an array or a nested table; opts holds num_iters, step_size, mass, callback(x, i, g, state) and state (to resume: the state a previous run returned or handed its callback). Returns the final parameters and the state (iteration count, velocity).
    local w = optim.sgd(ad.grad(loss), np.zeros(3), {num_iters = 100, step_size = 0.01})]=],
["optim.rmsprop"] = [=[
rmsprop(grad_fn, x0, opts) runs RMSProp: steps scaled by a running average of squared gradients (opts: num_iters, step_size, gamma, eps, callback, state to resume from). Returns the final parameters and the state (iteration count, avg_sq_grad).
    local w = optim.rmsprop(ad.grad(loss), w0, {num_iters = 200})]=],
["optim.adam"] = [=[
adam(grad_fn, x0, opts) runs Adam (opts: num_iters, step_size, b1, b2, eps, callback(x, i, g, state), state to resume from), with autograd's defaults. Returns the final parameters and the state (iteration count, m, v), which np.savez can checkpoint.
    local params = optim.adam(ad.grad(objective), params, {num_iters = 500, step_size = 0.01})]=],
["datasets.load_iris"] = [=[
load_iris() returns the iris flowers: {data = (150,4) array, target = (150,) of 0/1/2, feature_names, target_names}. Shipped with adlua; no network.
    local iris = require("adlua.datasets").load_iris()]=],
["datasets.load_digits"] = [=[
load_digits() returns 8x8 images of handwritten digits: {data = (1797,64), target = (1797,), images = (1797,8,8)}. Shipped with adlua.
    local digits = require("adlua.datasets").load_digits()]=],
}
