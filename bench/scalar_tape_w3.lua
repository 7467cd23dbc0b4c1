-- A bound for W3 on a binding without a userdata per operation (see
-- "Beyond the floor" in docs/performance.md): W3's chain
--     y = x; repeat N times: y = tanh(y*1.0001 + 0.01)
-- forward and backward, with each box a Lua table that holds its number and
-- the position of its record on a tape of one-number records in C
-- (bench/scalar_tape.c), reached through LuaJIT's FFI. Boxes own no C
-- memory, so they need no finalizer; the tape is cleared per gradient.
-- Only W3's operations exist: it measures the design, it is not an engine.
--
-- Usage: build/adlua bench/scalar_tape_w3.lua [links] [scalar_tape.so]
--        (default 10000 links, build/bench/scalar_tape.so; bench/run.sh builds it)
-- Prints one JSON line, peer "scalar_tape" (see bench/WORKLOADS.md).

local bench = dofile((arg and arg[0] or "bench/scalar_tape_w3.lua"):gsub("[^/]*$", "") .. "lib.lua")
local ffi = require "ffi"

local N = bench.int_arg(10000)
local so = arg and arg[2] or "build/bench/scalar_tape.so"
ffi.cdef [[
    typedef struct st_tape st_tape;
    st_tape *st_new(void);
    void st_free(st_tape *t);
    void st_clear(st_tape *t);
    int32_t st_record(st_tape *t, int op, int32_t in, double c, double v);
    double st_backward(st_tape *t, int32_t out, int32_t leaf);
]]
local ok, C = pcall(ffi.load, so)
if not ok then
    error("scalar_tape_w3: cannot load " .. so .. " (bench/run.sh builds it): " .. tostring(C), 0)
end
local LEAF, ADD_CONST, MUL_CONST, TANH = 0, 1, 2, 3

local tape = ffi.gc(C.st_new(), C.st_free)
local generation, live = 0, false   -- a box of an ended gradient is not traced

local Box = {}
local function box(v, op, from, c)
    local at = C.st_record(tape, op, from, c, v)
    if at < 0 then error("scalar_tape_w3: out of memory", 2) end
    return setmetatable({ v = v, at = at, gen = generation }, Box)
end
local function traced(a)
    return getmetatable(a) == Box and live and a.gen == generation
end
local function operands(name, a, b)   -- (box, number) in either order
    if traced(a) and type(b) == "number" then return a, b end
    if traced(b) and type(a) == "number" then return b, a end
    error("scalar_tape_w3: " .. name .. " takes a traced box and a number", 3)
end
Box.__add = function(a, b)
    local x, c = operands("+", a, b)
    return box(x.v + c, ADD_CONST, x.at, c)
end
Box.__mul = function(a, b)
    local x, c = operands("*", a, b)
    return box(x.v * c, MUL_CONST, x.at, c)
end
local math_tanh = math.tanh
local function tanh(a)
    if type(a) == "number" then return math_tanh(a) end
    if not traced(a) then error("scalar_tape_w3: tanh takes a traced box or a number", 2) end
    return box(math_tanh(a.v), TANH, a.at, 0)
end

local function chain(n)
    return function(x)
        local y = x
        for _ = 1, n do
            y = tanh(y * 1.0001 + 0.01)
        end
        return y
    end
end

-- grad(f)(x0): the derivative and the value
local function grad(f, x0)
    C.st_clear(tape)
    generation, live = generation + 1, true
    local x = box(x0, LEAF, -1, 0)
    local y = f(x)
    local g = C.st_backward(tape, y.at, x.at)
    live = false
    return g, y.v
end

local f = chain(N)
local seconds, runs, g = bench.timed(function() return (grad(f, 0.5)) end)
local _, fval = grad(f, 0.5)
local g100 = grad(chain(100), 0.5)
bench.emit("scalar_tape", "W3", seconds, N, runs, { grad = g, f = fval, grad_n100 = g100 },
           bench.env_info())
