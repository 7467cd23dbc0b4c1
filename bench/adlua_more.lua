-- Workloads W2 and W4-W7 of bench/WORKLOADS.md in adlua (W1 and W3 have
-- their own scripts). Inputs: the raw float64 files of bench/gen_data.py.
--
-- Usage: build/adlua bench/adlua_more.lua W2|W4|W5|W6|W7 [iters]
-- Prints one JSON line.

local bench = dofile((arg and arg[0] or "bench/adlua_more.lua"):gsub("[^/]*$", "") .. "lib.lua")
local unpack = table.unpack or unpack -- Lua 5.4 has only table.unpack
local ad = require "adlua"
local np = require "adlua.numpy"
local grad, egrad = ad.grad, ad.elementwise_grad

local workload = arg[1]
table.remove(arg, 1)
local tonum = bench.tonum

local W = {}

-- W2 iris_vec: the vectorised loss, 1000 GD steps.
function W.W2()
    local X, t = bench.load("w1_X"), bench.load("w1_t")
    local function loss(w)
        local z = np.matmul(w.T, X)                     -- (1,100)
        return -np.sum(t * z - np.log(1 + np.exp(z)))
    end
    local steps = bench.int_arg(1000)
    local dloss = grad(loss)
    local function train()
        local w = np.zeros({3, 1})
        for _ = 1, steps do w = w - dloss(w) * 0.001 end
        return w
    end
    local seconds, runs, w = bench.timed(train)
    return seconds, steps, runs, { w = { w[{1, 1}], w[{2, 1}], w[{3, 1}] }, loss = tonum(loss(w)) }
end

-- W4 logreg_big: 20 GD steps on 100000 x 100.
function W.W4()
    local X, t = bench.load("w4_X"), bench.load("w4_t")
    local function loss(w)
        local z = np.matmul(X, w)
        return np.mean(np.log(1 + np.exp(z)) - t * z)
    end
    local steps = bench.int_arg(20)
    local dloss = grad(loss)
    local function train()
        local w = np.zeros(100)
        for _ = 1, steps do w = w - 0.5 * dloss(w) end
        return w
    end
    local seconds, runs, w = bench.timed(train)
    return seconds, steps, runs,
           { loss = tonum(loss(w)), w0 = w[1], norm = math.sqrt(tonum(np.sum(w * w))) }
end

-- W5 mlp: 784-256-10, softmax cross-entropy, 50 SGD steps on one batch.
function W.W5()
    local X, Y = bench.load("w5_X"), bench.load("w5_Y")
    local p0 = { bench.load("w5_W1"), bench.load("w5_b1"), bench.load("w5_W2"), bench.load("w5_b2") }
    local function loss(W1, b1, W2, b2)
        local h = np.tanh(np.matmul(X, W1) + b1)
        local logits = np.matmul(h, W2) + b2
        local m = np.max(logits, { axis = 2, keepdims = true })      -- axes are 1-based
        local lse = np.log(np.sum(np.exp(logits - m), 2)) + np.reshape(m, { 256 })
        return np.mean(lse - np.sum(Y * logits, 2))
    end
    local steps = bench.int_arg(50)
    local dloss = grad(loss, { 1, 2, 3, 4 })
    local function train()
        local W1, b1, W2, b2 = p0[1], p0[2], p0[3], p0[4]
        for _ = 1, steps do
            local g1, gb1, g2, gb2 = dloss(W1, b1, W2, b2)
            W1, b1, W2, b2 = W1 - 0.1 * g1, b1 - 0.1 * gb1, W2 - 0.1 * g2, b2 - 0.1 * gb2
        end
        return { W1, b1, W2, b2 }
    end
    local seconds, runs, p = bench.timed(train)
    return seconds, steps, runs, { loss0 = tonum(loss(unpack(p0))), loss = tonum(loss(unpack(p))) }
end

-- W6 matmul: one grad of sum(A @ B) with respect to A (two 1000^3 GEMMs).
function W.W6()
    local A, B = bench.load("w6_A"), bench.load("w6_B")
    local function f(A) return np.sum(np.matmul(A, B)) end
    local df = grad(f)
    local seconds, runs, g = bench.timed(function() return df(A) end)
    return seconds, 1, runs, { f = tonum(f(A)), g00 = g[{1, 1}], gsum = tonum(np.sum(g)) }
end

-- W7 higher_order: elementwise_grad(elementwise_grad(f))(x), 200 times.
function W.W7()
    local x = bench.load("w7_x")
    local function f(x) return 2 * x ^ 2 - 5 * x + 3 end
    local d2f = egrad(egrad(f))
    local reps = bench.int_arg(200)
    local seconds, runs, r = bench.timed(function()
        local r
        for _ = 1, reps do r = d2f(x) end
        return r
    end)
    return seconds, reps, runs, { mean = tonum(np.mean(r)), len = r.shape[1] }
end

local run = W[workload]
if not run then error("usage: adlua bench/adlua_more.lua W2|W4|W5|W6|W7 [iters]", 0) end
local seconds, iters, runs, result = run()
bench.emit("adlua", workload, seconds, iters, runs, result, bench.env_info())
