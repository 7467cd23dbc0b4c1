-- Jacobian of a 100-to-100 map and Hessian of a 100-input function in
-- adlua (issue 4), the same functions as bench/torch_jachess.py:
--     g(x) = tanh(W x) * x            jacobian(g)(x): (100, 100)
--     f(x) = sum(tanh(W x)) + sum(x^4)/4   hessian(f)(x): (100, 100)
-- W[i][j] = sin(i + 2j) / 10 (1-based i, j), x[i] = cos(i) / 2.
-- Prints two lines: "<name> <median seconds> <checksum>".
--
-- Usage: build/adlua bench/adlua_jachess.lua [n]     (default 100)

local bench = dofile((arg and arg[0] or "bench/adlua_jachess.lua"):gsub("[^/]*$", "") .. "lib.lua")
local ad = require "adlua"
local np = require "adlua.numpy"

local n = bench.int_arg(100)
local w, xs = {}, {}
for i = 1, n do
  w[i] = {}
  for j = 1, n do w[i][j] = math.sin(i + 2 * j) / 10 end
  xs[i] = math.cos(i) / 2
end
local W, x = np.array(w), np.array(xs)

local function g(z) return np.tanh(np.dot(W, z)) * z end
local function f(z) return np.sum(np.tanh(np.dot(W, z))) + np.sum(z ^ 4) / 4 end

local jac, hess = ad.jacobian(g), ad.hessian(f)
local tj, _, J = bench.timed(function() return jac(x) end)
local th, _, H = bench.timed(function() return hess(x) end)
print(("jacobian %.9f %.12g"):format(tj, np.sum(J * J)))
print(("hessian %.9f %.12g"):format(th, np.sum(H * H)))
