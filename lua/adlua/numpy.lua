-- adlua.numpy: the NumPy-style array namespace.
-- The functions come from the C binding (adlua.core); this file adds the
-- ones that are compositions of others, constants, and the array methods.
local core = require "adlua.core"
local each = require "adlua.each" -- pairs, safe from Debian 12's LuaJIT (docs/luajit.md)

local np = {}

local exported = {
  "array", "zeros", "ones", "empty", "full", "arange", "linspace", "eye",
  "negative", "exp", "log", "log1p", "sqrt", "sin", "cos", "tan", "tanh", "abs",
  "square", "sign", "add", "subtract", "multiply", "divide", "power", "maximum",
  "minimum", "less", "less_equal", "greater", "greater_equal", "equal",
  "not_equal", "where", "sum", "max", "min", "mean", "dot", "matmul", "outer",
  "reshape", "transpose", "concatenate", "stack", "copy", "astype", "set_printoptions",
  -- core NumPy breadth (issue 3)
  "expm1", "log2", "log10", "arcsin", "arccos", "arctan", "arctan2", "floor",
  "ceil", "rint", "exp2", "sinh", "cosh", "arcsinh", "arccosh", "arctanh",
}
for _, name in ipairs(exported) do np[name] = core[name] end

np.pi = math.pi
np.e = math.exp(1)
np.inf = math.huge
np.nan = 0 / 0
np.float64 = "float64"
np.float32 = "float32"

-- np.linalg, np.random and files (np.save, np.load, ...)
np.linalg = require "adlua.linalg"
np.random = require "adlua.random"
for name, fn in each(require "adlua.npyio") do np[name] = fn end

np.true_divide = np.divide
np.amax = np.max
np.amin = np.min

local is_array = core.is_array

--- The argument as an array (arrays of the dtype asked for are returned as
--- they are).
function np.asarray(x, dtype)
  if is_array(x) then
    if dtype == nil or x.dtype == dtype then return x end
    local ok, a = pcall(core.astype, x, dtype)
    if not ok then error((tostring(a):gsub("^astype:", "np.asarray:")), 2) end
    return a
  end
  local ok, a = pcall(core.array, x, dtype)
  if not ok then error((tostring(a):gsub("^np%.array:", "np.asarray:")), 2) end
  return a
end

local function shape_of(x)
  if is_array(x) then return x.shape end
  if type(x) == "number" then return {} end
  return np.asarray(x).shape
end

-- The *_like creators: the dtype given, or x's own (NumPy's default).
local function like_dtype(fname, x, dtype)
  if dtype == nil then return require("adlua.argcheck").dtype_of(x) end
  if dtype ~= "float64" and dtype ~= "float32" then
    error(('%s: unknown dtype %s (use "float64" or "float32")'):format(fname, tostring(dtype)), 3)
  end
  return dtype
end
function np.zeros_like(x, dtype) return core.zeros(shape_of(x), like_dtype("np.zeros_like", x, dtype)) end
function np.ones_like(x, dtype) return core.ones(shape_of(x), like_dtype("np.ones_like", x, dtype)) end
function np.full_like(x, v, dtype) return core.full(shape_of(x), v, like_dtype("np.full_like", x, dtype)) end

--- A 1-d view (or copy, when the array is not contiguous) of all elements.
function np.ravel(x) return np.reshape(x, -1) end

--- Removes axes of length one (all of them, or the listed 1-based axes).
function np.squeeze(x, axis)
  local shape, keep = shape_of(x), {}
  local drop = {}
  if axis == nil then
    for i, n in ipairs(shape) do drop[i] = (n == 1) end
  else
    local axes = type(axis) == "table" and axis or { axis }
    for _, a in ipairs(axes) do
      if type(a) ~= "number" or a % 1 ~= 0 then
        error(("np.squeeze: axis must be a whole number or a table of them, got %s")
          :format(is_array(a) and "an array" or type(a) == "number" and tostring(a) or type(a)), 2)
      end
      local i = a < 0 and #shape + a + 1 or a
      if shape[i] == nil then
        error(("np.squeeze: axis %s is out of bounds for array of dimension %d")
          :format(require("adlua.argcheck").fmt(a), #shape), 2)
      end
      if shape[i] ~= 1 then
        error(("np.squeeze: cannot select an axis to squeeze out which has size not equal to one (axis %d has size %d)")
          :format(a, shape[i]), 2)
      end
      drop[i] = true
    end
  end
  for i, n in ipairs(shape) do if not drop[i] then keep[#keep + 1] = n end end
  return np.reshape(x, keep)
end

-- Core NumPy breadth (issue 3): compositions of the primitives above.
require("adlua.numpy_compose")(np, core)
-- Indexing, shape functions and tensor products (np-index): compositions
-- of traced primitives, installed into np.
require("adlua.shape")(np)
require("adlua.products")(np)
require("adlua.indexing")(np)

-- Methods: x:sum(axis, keepdims), x:reshape(...), ... mirror the namespace.
local methods = {}
for _, name in ipairs({ "sum", "mean", "max", "min", "dot", "copy", "exp", "log",
  "sqrt", "abs", "tanh", "sin", "cos", "transpose", "squeeze", "ravel" }) do
  methods[name] = np[name]
end
-- Core NumPy breadth (issue 3): methods mirroring the new reductions.
for _, name in ipairs({ "prod", "var", "std", "cumsum", "argmax", "argmin", "all",
  "any", "clip", "round", "logsumexp" }) do
  methods[name] = np[name]
end
methods.reshape = np.reshape
methods.item = core.item
methods.totable = core.totable
methods.flatten = function(x) return np.reshape(np.copy(x), -1) end
methods.astype = core.astype
methods.lt = np.less
methods.le = np.less_equal
methods.gt = np.greater
methods.ge = np.greater_equal
methods.eq = np.equal
methods.ne = np.not_equal
for _, name in ipairs({ "swapaxes", "take", "sort", "argsort", "nonzero", "repeat",
  "trace", "flatten", "matmul" }) do
  methods[name] = methods[name] or np[name]
end
core.array_metatable.__methods = methods
-- __index in Lua in front of the binding's: methods, a traced w.T, and
-- X[i] and X[{{}, i}] of a plain X found by table lookups
-- (lua/adlua/index_front.lua).
require("adlua.index_front")(methods)

return np
