-- A Jacobian and a Hessian from adlua next to central finite differences.
--
--   build/adlua examples/jacobian_fd.lua

local ad = require "adlua"
local np = require "adlua.numpy"

local A = np.array({ { 1, 2, 0 }, { 0, -1, 3 } })
local function f(x) return np.tanh(np.dot(A, x)) * np.sum(x * x) end -- R^3 -> R^2
local function g(x) return np.sum(np.sin(x) * x) + x[1] * x[2] * x[3] end -- R^3 -> R

local x = np.array({ 0.3, -0.2, 0.5 })
local eps = 1e-6

local function fd_jacobian(fun, at)
  local cols = {}
  for j = 1, at.size do
    local e = np.zeros({ at.size }); e[j] = eps
    cols[j] = np.reshape((fun(at + e) - fun(at - e)) / (2 * eps), { -1, 1 })
  end
  return np.concatenate(cols, 2)
end

local J, Jfd = ad.jacobian(f)(x), fd_jacobian(f, x)
local H, Hfd = ad.hessian(g)(x), fd_jacobian(ad.grad(g), x)
print("jacobian of f:"); print(J)
print(("largest difference from finite differences: %.2e"):format(np.max(np.abs(J - Jfd))))
print("hessian of g:"); print(H)
print(("largest difference from finite differences: %.2e"):format(np.max(np.abs(H - Hfd))))
