-- adlua.scalar: scalar boxes, the one-number values of an outermost grad
-- of a number (docs/architecture.md, "Scalar boxes").
--
-- grad(f)(0.5) gives f a scalar box, a table { v = value, i = node,
-- g = generation }.  Its arithmetic, and np.exp, np.tanh ... of it, compute
-- the number and record one node on a tape of numbers kept in Lua arrays.
-- No userdata, finalizer or core node is made per operation, and LuaJIT
-- compiles the whole operation into the user's loop: this is what makes
-- long scalar chains (W3) cheap.  Everything else (an array operand, any other np
-- function, a nested grad, a method) first promotes the box (promote): it
-- becomes a leaf of the gradient's ordinary trace, whose gradient is added
-- to the box's node before the scalar tape is swept.  A scalar node never
-- depends on an array node (any operation with an array operand gives an
-- array box), so sweeping the trace first and the tape second is in order.
--
-- Used only where the tape cannot miss anything: an outermost grad (no live
-- trace, no ad.jit recording, no debug_nans) whose differentiated
-- arguments are numbers.  Set `enabled = false` for the ordinary path.
local core = require "adlua.core"

local M = { enabled = true }

local getmetatable, setmetatable, type = getmetatable, setmetatable, type

local SB = {} -- the scalar boxes' metatable

-- The gradient in progress: boxes of another generation are over, and
-- stand for their numbers.  `gen` changes when a gradient ends.
local gen, trace = 0, nil
-- The tape: node i's operation, inputs (0: none), constant and value.
local n, OP, A, B, C, V = 0, {}, {}, {}, {}, {}
-- Promotions: leaf box on `trace` by node, and the nodes promoted.
local np_, PNODE, PROMOTED = 0, {}, {}
local G = {} -- the gradients, during a sweep (false: not reached)

-- A box, and the test for one.  (A table: LuaJIT makes and reads one in
-- compiled code as fast as a cdata struct, and far faster when it
-- interprets; but it does not ask a table's __len, so #box is 0 there.)
local function new_box(v, i, g) return setmetatable({ v = v, i = i, g = g }, SB) end
local function is_box(x) return getmetatable(x) == SB end
M.is_box = is_box

-- Operation codes.  Unary kernels are U + their code in the C kernels.
local LEAF, ADD, ADDC, SUB, RSUBC, MUL, MULC, DIV, DIVC, RDIVC, POW, POWC, RPOWC =
  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13
local U = 100

local function record(v, op, a, b, c)
  local i = n + 1
  n = i
  OP[i], A[i], B[i], C[i], V[i] = op, a, b, c, v
  return new_box(v, i, gen)
end

-- The unary kernels: codes by NumPy name, and the function computing one
-- (the C loop of arrays, through LuaJIT's FFI where there is one).
local kernel_ptr, KCODE = core.scalar_hooks(SB, function(b) return M.promote(b) end)
local kernel = core.scalar_unary
do -- through LuaJIT's FFI: a direct call from compiled code
  local ok_ffi, ffi = pcall(require, "ffi")
  if ok_ffi then kernel = ffi.cast("double (*)(int, double)", kernel_ptr) end
end
local UNARY = { "negative", "exp", "log", "log1p", "sqrt", "sin", "cos", "tan", "tanh", "abs",
  "square", "expm1", "log2", "log10", "arcsin", "arccos", "arctan", "exp2", "sinh", "cosh",
  "arcsinh", "arccosh", "arctanh" }
local K = {}
for _, name in ipairs(UNARY) do K[name] = assert(KCODE[name == "abs" and "absolute" or name], name) end

--- begin(t): a gradient on trace t starts (the caller has checked that
--- scalar boxes may be used for it: see the header).
function M.begin(t)
  gen, trace, n, np_ = gen + 1, t, 0, 0
end

--- finish(): the gradient is over: its boxes stand for their numbers.
function M.finish()
  gen, trace = gen + 1, nil
  for k = 1, np_ do PROMOTED[PNODE[k]] = nil end
  np_ = 0
  if n > 1048576 then -- let a very long tape's memory go
    OP, A, B, C, V, G = {}, {}, {}, {}, {}, {}
  end
end

--- leaf(x): number x as an independent variable of the gradient.
function M.leaf(x) return record(x, LEAF, 0, 0, 0) end

-- A box of a trace that has already ended: an array box standing for its
-- value, as an array box kept past its grad.
local function ended_box(v)
  local t = core.trace_begin()
  local a = core.trace_leaf(t, v)
  core.trace_end(t)
  return a
end

--- promote(b): scalar box b as an array box of its gradient's trace (a
--- leaf standing for its node), or once that gradient is over as an array
--- box standing for its number.
function M.promote(b)
  if b.g ~= gen then return ended_box(b.v) end
  local i = b.i
  local p = PROMOTED[i]
  if p then return p end
  p = core.trace_leaf(trace, b.v)
  np_ = np_ + 1
  PNODE[np_], PROMOTED[i] = i, p
  return p
end
local promote = M.promote

-- An operand for the arrays' operators: a live box promoted, a box that
-- is over its number.
local function operand(v)
  if not is_box(v) then return v end
  if v.g ~= gen then return v.v end
  return promote(v)
end

--- value(v): the number of a scalar box (core.value otherwise).
local core_value = core.value
function M.value(v)
  if is_box(v) then return v.v end
  return core_value(v)
end

-- ---- the backward sweep ----

local function accumulate(i, x)
  local g = G[i]
  if g then G[i] = g + x else G[i] = x end
end

-- The rules of the unary kernels (rules.c's): the gradient of the input
-- given the output's g, the output ans and the input x.
local sqrt_k, sin_k, cos_k, sinh_k, cosh_k = K.sqrt, K.sin, K.cos, K.sinh, K.cosh
local UNARY_RULE = {
  negative = function(g) return -g end,
  exp = function(g, ans) return g * ans end,
  log = function(g, _, x) return g / x end,
  log1p = function(g, _, x) return g / (x + 1) end,
  sqrt = function(g, ans) return g / (ans * 2) end,
  sin = function(g, _, x) return g * kernel(cos_k, x) end,
  cos = function(g, _, x) return -(g * kernel(sin_k, x)) end,
  tan = function(g, ans) return g * (1 + ans * ans) end,
  tanh = function(g, ans) return g * (1 - ans * ans) end,
  abs = function(g, _, x) return g * (x > 0 and 1 or x < 0 and -1 or x == 0 and 0 or x) end,
  square = function(g, _, x) return g * (x * 2) end,
  expm1 = function(g, ans) return g * (ans + 1) end,
  log2 = function(g, _, x) return g / (x * 0.69314718055994530942) end,
  log10 = function(g, _, x) return g / (x * 2.30258509299404568402) end,
  arcsin = function(g, _, x) return g / kernel(sqrt_k, 1 - x * x) end,
  arccos = function(g, _, x) return -(g / kernel(sqrt_k, 1 - x * x)) end,
  arctan = function(g, _, x) return g / (1 + x * x) end,
  exp2 = function(g, ans) return g * (ans * 0.69314718055994530942) end,
  sinh = function(g, _, x) return g * kernel(cosh_k, x) end,
  cosh = function(g, _, x) return g * kernel(sinh_k, x) end,
  arcsinh = function(g, _, x) return g / kernel(sqrt_k, x * x + 1) end,
  arccosh = function(g, _, x) return g / kernel(sqrt_k, x * x - 1) end,
  arctanh = function(g, _, x) return g / (1 - x * x) end,
}
local RULE = {} -- by operation code
for _, name in ipairs(UNARY) do RULE[U + K[name]] = assert(UNARY_RULE[name], name) end

-- x^y's derivatives (rules.c): y x^(y-1) with exponent 0 where y == 0, and
-- x^y log x with log 1 where x == 0.
local function pow_dx(x, y) return y * x ^ (y == 0 and 0 or y - 1) end
local function pow_dy(ans, x) return ans * kernel(K.log, x == 0 and 1 or x) end

local function sweep()
  for i = n, 1, -1 do
    local g = G[i]
    if g then
      local op = OP[i]
      if op == MULC then accumulate(A[i], g * C[i])
      elseif op == ADDC then accumulate(A[i], g)
      elseif op >= U then accumulate(A[i], RULE[op](g, V[i], V[A[i]]))
      elseif op == MUL then
        accumulate(A[i], g * V[B[i]])
        accumulate(B[i], g * V[A[i]])
      elseif op == ADD then
        accumulate(A[i], g)
        accumulate(B[i], g)
      elseif op == SUB then
        accumulate(A[i], g)
        accumulate(B[i], -g)
      elseif op == RSUBC then accumulate(A[i], -g)
      elseif op == DIV then
        accumulate(A[i], g / V[B[i]])
        accumulate(B[i], -((g * V[i]) / V[B[i]]))
      elseif op == DIVC then accumulate(A[i], g / C[i])
      elseif op == RDIVC then accumulate(A[i], -((g * V[i]) / V[A[i]]))
      elseif op == POW then
        accumulate(A[i], g * pow_dx(V[A[i]], V[B[i]]))
        accumulate(B[i], g * pow_dy(V[i], V[A[i]]))
      elseif op == POWC then accumulate(A[i], g * pow_dx(V[A[i]], C[i]))
      elseif op == RPOWC then accumulate(A[i], g * pow_dy(V[i], C[i]))
      end
    end
  end
end

--- backward(out): sweeps the gradient's trace from out (when out is an
--- array box; a scalar box of this gradient seeds its node with 1), then
--- the tape; M.grad then reads the leaves' gradients.
function M.backward(out)
  for i = 1, n do G[i] = false end
  if is_box(out) then
    if out.g == gen then G[out.i] = 1 end
  elseif core.is_array(out) then
    core.trace_sweep(trace, out)
    for k = 1, np_ do
      local i = PNODE[k]
      accumulate(i, core.trace_grad(trace, PROMOTED[i])) -- a number: the leaf is 0-d
    end
  end
  sweep()
end

--- grad(leaf): the gradient swept into leaf box `leaf` (0 when none).
function M.grad(leaf)
  return G[leaf.i] or 0
end

-- ---- operations ----

-- An operator: `arith` (on two numbers) of a live box with a number is
-- recorded as `with_c` (the number the constant), of a number with a live
-- box as `c_with`, of two live boxes as `both`; anything else is arith
-- again on operand(a) and operand(b) (numbers, or the arrays' operator).
local function operator(arith, both, with_c, c_with)
  return function(a, b)
    if is_box(a) then
      if a.g == gen then
        if type(b) == "number" then return record(arith(a.v, b), with_c, a.i, 0, b) end
        if is_box(b) and b.g == gen then return record(arith(a.v, b.v), both, a.i, b.i, 0) end
      end
    elseif type(a) == "number" and b.g == gen then
      return record(arith(a, b.v), c_with, b.i, 0, a)
    end
    return arith(operand(a), operand(b))
  end
end
SB.__add = operator(function(x, y) return x + y end, ADD, ADDC, ADDC)
SB.__sub = operator(function(x, y) return x - y end, SUB, ADDC, RSUBC)
SB.__mul = operator(function(x, y) return x * y end, MUL, MULC, MULC)
SB.__div = operator(function(x, y) return x / y end, DIV, DIVC, RDIVC)
SB.__pow = operator(function(x, y) return x ^ y end, POW, POWC, RPOWC)

SB.__unm = function(a)
  if a.g == gen then return record(-a.v, U + K.negative, a.i, 0, 0) end
  return -a.v
end

-- What a 0-d array answers without its values; the rest (methods, w.T,
-- indexing, #) is the promoted box's.
local PROPS = { ndim = 0, size = 1, dtype = "float64" }
SB.__index = function(b, k)
  if k == "shape" then return {} end
  local p = PROPS[k]
  if p ~= nil then return p end
  return promote(b)[k]
end
SB.__newindex = function(b, k, v) promote(b)[k] = v end
SB.__len = function(b) return #promote(b) end
local array_tostring = core.array_metatable.__tostring
SB.__tostring = function(b) return array_tostring(b.v) end
-- As for array boxes, < and <= are refused (np.less ...); == is identity.
local function refuse_compare(a, b)
  error(("attempt to compare %s with %s (a traced number: compare ad.value(x), or use np.less ...)")
    :format(is_box(a) and "a traced number" or type(a), is_box(b) and "a traced number" or type(b)), 2)
end
SB.__lt, SB.__le = refuse_compare, refuse_compare

--- install(np): np's unary functions take the fast path for scalar boxes.
function M.install(np)
  for _, name in ipairs(UNARY) do
    local code, c_fn = K[name], np[name]
    if c_fn then
      local op = U + code
      np[name] = function(x, extra)
        if getmetatable(x) == SB and x.g == gen then
          return record(kernel(code, x.v), op, x.i, 0, 0)
        end
        return c_fn(x, extra)
      end
    end
  end
end

return M
