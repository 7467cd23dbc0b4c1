-- Array workloads A1-A12 in adlua (docs/performance.md): elementwise
-- operations, reductions and a row-wise softmax on 10^6 float64 values,
-- forward only (plain arrays, no grad). The peer of bench/numpy_array.py:
-- same inputs (bench/gen_data.py), same operations, same result fields.
--
-- Each timed run applies the operation ITERS times (defaults below, the
-- same as NumPy's: 50 for the operations that make a 10^6 result, 200 for
-- the reductions), keeping only the last result; sec_per_iter is the time of
-- one operation.
--
-- Usage: build/adlua bench/adlua_array.lua A1|...|A12 [iters]
-- Prints one JSON line.

local bench = dofile((arg and arg[0] or "bench/adlua_array.lua"):gsub("[^/]*$", "") .. "lib.lua")
local np = require "adlua.numpy"

local workload = arg[1]
table.remove(arg, 1)
-- Iterations per timed run (the same in bench/numpy_array.py and bench/report.py).
local ITERS = { A1 = 50, A2 = 50, A3 = 50, A4 = 50, A5 = 50, A6 = 50, A7 = 200, A8 = 200,
                A9 = 200, A10 = 200, A11 = 200, A12 = 50 }

-- Flat positions (0-based, as in numpy_array.py) of the values reported of an array result.
local SAMPLES = { 0, 1, 999, 1000, 123457, 500000, 999999 }

local function softmax(X)
    local m = np.max(X, { axis = 2, keepdims = true })      -- axes are 1-based
    local e = np.exp(X - m)
    return e / np.sum(e, { axis = 2, keepdims = true })
end

-- name -> inputs, operation; the inputs are loaded outside the timer.
local OPS = {
    A1 = { "x", function(x) return np.exp(x) end },
    A2 = { "p", function(p) return np.log(p) end },
    A3 = { "x", function(x) return np.tanh(x) end },
    A4 = { "xy", function(x, y) return x + y end },
    A5 = { "x", function(x) return x * 2.5 end },
    A6 = { "Xb", function(X, b) return X + b end },
    A7 = { "x", function(x) return np.sum(x) end },
    A8 = { "X", function(X) return np.sum(X, 1) end },
    A9 = { "X", function(X) return np.sum(X, 2) end },
    A10 = { "x", function(x) return np.max(x) end },
    A11 = { "x", function(x) return np.mean(x) end },
    A12 = { "X", softmax },
}

-- A scalar result itself; of an array: its shape, the sum of its absolute
-- values and of its squares (both well conditioned) and a few values.
local function result_fields(r)
    if type(r) == "number" then return { value = r } end
    local n = r.size
    local flat = np.reshape(r, { n })
    local shape = {}
    for i = 1, #r.shape do shape[i] = r.shape[i] end
    local samples = {}
    for _, i in ipairs(SAMPLES) do
        if i < n then samples[#samples + 1] = flat[i + 1] end
    end
    return { shape = shape, abs_sum = bench.tonum(np.sum(np.abs(flat))),
             sq_sum = bench.tonum(np.sum(flat * flat)), samples = samples }
end

local spec = OPS[workload]
if not spec then error("usage: adlua bench/adlua_array.lua A1|...|A12 [iters]", 0) end
local data = { x = bench.load("a_x"), y = bench.load("a_y"), p = bench.load("a_p"),
               b = bench.load("a_b") }
data.X = np.reshape(data.x, { 1000, 1000 })
local args = {}
for k in spec[1]:gmatch(".") do args[#args + 1] = data[k] end
local op = spec[2]
local iters = bench.int_arg(ITERS[workload])

local seconds, runs, r = bench.timed(function()
    local r
    for _ = 1, iters do r = op(unpack(args)) end
    return r
end)
bench.emit("adlua", workload, seconds, iters, runs, result_fields(r), bench.env_info())
