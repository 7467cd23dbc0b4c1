-- W1 iris_loop in adlua: the seed blog's logistic regression with a
-- per-sample loop and two separate dot calls, 1000 gradient-descent steps
--     w = w - grad(loss_function)(w, X, t) * 0.001     from w = zeros((3, 1)).
--
-- Usage: build/adlua bench/adlua_w1.lua [steps] [jit]     (default 1000)
-- With "jit", the gradient is ad.jit(grad(loss_function)), made at the start
-- of each timed run: its first step records, the others replay (peer
-- "adlua_jit", docs/jit.md).  Prints one JSON line (see bench/WORKLOADS.md).

local bench = dofile((arg and arg[0] or "bench/adlua_w1.lua"):gsub("[^/]*$", "") .. "lib.lua")
local ad = require "adlua"
local np = require "adlua.numpy"
local grad = ad.grad

local STEPS = bench.int_arg(1000)
local JIT = arg and arg[2] == "jit"

-- X (3,100) = sepal length, sepal width, ones; t (100,) of 0/1: classes 0 and 1
local iris = require("adlua.datasets").load_iris()
local rows = {1, 100}
local X = np.stack({iris.data[{rows, 1}], iris.data[{rows, 2}], np.ones(100)})
local t = iris.target[{rows}]

local function loss_function(w, X, t)
    local loss = 0
    for i = 1, t.shape[1] do
        loss = loss - (t[i] * np.dot(w.T, X[{{}, i}]) - np.log(1 + np.exp(np.dot(w.T, X[{{}, i}]))))
    end
    return loss
end

local function train()
    local w = np.zeros({3, 1})
    if JIT then
        local step = ad.jit(grad(loss_function))
        for _ = 1, STEPS do
            w = w - step(w, X, t) * 0.001
        end
        return w
    end
    for _ = 1, STEPS do
        w = w - grad(loss_function)(w, X, t) * 0.001
    end
    return w
end

local seconds, runs, w = bench.timed(train)
local loss = bench.tonum(loss_function(w, X, t))
bench.emit(JIT and "adlua_jit" or "adlua", "W1", seconds, STEPS, runs,
           { w = { w[{1, 1}], w[{2, 1}], w[{3, 1}] }, loss = loss },
           bench.env_info())
