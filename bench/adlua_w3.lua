-- W3 scalar_chain in adlua: per-operation overhead.
--     f(x): y = x; repeat N times: y = tanh(y*1.0001 + 0.01); return y
-- One timed run = grad(f)(0.5): one forward and one backward pass over 3N
-- recorded scalar operations; times are reported per chain link.
--
-- Usage: build/adlua bench/adlua_w3.lua [links] [jit]     (default 10000)
-- With "jit" (peer "adlua_jit"): ad.jit(grad(f)) on the array {0.5}, so
-- the warm-up run records the chain and the timed runs replay it
-- (docs/jit.md).  Prints one JSON line (see bench/WORKLOADS.md).

local bench = dofile((arg and arg[0] or "bench/adlua_w3.lua"):gsub("[^/]*$", "") .. "lib.lua")
local ad = require "adlua"
local np = require "adlua.numpy"
local grad = ad.grad

local N = bench.int_arg(10000)

local function chain(n)
    return function(x)
        local y = x
        for _ = 1, n do
            y = np.tanh(y * 1.0001 + 0.01)
        end
        return y
    end
end

local f = chain(N)
local JIT = arg and arg[2] == "jit"
local jitted, x0 = ad.jit(grad(f)), np.array({ 0.5 })   -- a leaf: numbers are constants
local seconds, runs, g = bench.timed(function()
    if JIT then return jitted(x0) end
    return grad(f)(0.5)
end)
local fval = bench.tonum(f(0.5))
local g100 = bench.tonum(grad(chain(100))(0.5))   -- untimed, a non-degenerate check
bench.emit(JIT and "adlua_jit" or "adlua", "W3", seconds, N, runs,
           { grad = bench.tonum(g), f = fval, grad_n100 = g100 },
           bench.env_info())
