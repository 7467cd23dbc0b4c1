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
  "mod", "hypot",
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
local check = require "adlua.argcheck"
local unpack = table.unpack or unpack -- Lua 5.4 has only table.unpack

local asarray_sig = check.signature { "a", "dtype", first = 2 }
--- The argument as an array (arrays of the dtype asked for are returned as
--- they are); asarray(x, {dtype = ...}) too.
function np.asarray(x, dtype, ...)
  if check.is_options(dtype) or select("#", ...) > 0 then
    dtype = asarray_sig("np.asarray", 2, x, dtype, ...)[2]
  end
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

-- Creators take NumPy's keyword arguments as a trailing options table
-- (SPEC): np.linspace(0, 1, 5, {endpoint = false}), np.eye(3, {k = 1}).
-- A C creator behind `creator` gets calls without one straight away; with
-- one, the arguments are put in place by name and passed to impl (default
-- the C function itself).
local c_call = check.c_call
local function creator(fname, cfn, sig, impl)
  local parse = check.signature(sig)
  local npos, first, count = sig.npos or #sig, sig.first or 1, #sig
  impl = impl or function(...) return c_call(cfn, ...) end
  return function(...)
    local n = select("#", ...)
    if n <= npos and (n == 0 or not check.trailing_options((select(n, ...)), n, first)) then
      return c_call(cfn, ...)
    end
    return impl(unpack(parse(fname, 2, ...), 1, count))
  end
end

np.zeros = creator("np.zeros", core.zeros, { "shape", "dtype", first = 2, required = 1 })
np.ones = creator("np.ones", core.ones, { "shape", "dtype", first = 2, required = 1 })
np.empty = creator("np.empty", core.empty, { "shape", "dtype", first = 2, required = 1 })
np.eye = creator("np.eye", core.eye, { "N", "M", "k", "dtype", required = 1 })

-- arange(stop) and arange(start, stop, step) by position; by name, start
-- defaults to 0 and step to 1, and a lone start with a step is the stop
-- (NumPy's np.arange(5, step=2)).
np.arange = creator("np.arange", core.arange, { "start", "stop", "step", "dtype", required = 1 },
  function(start, stop, step, dtype)
    if stop == nil then
      if step == nil then return c_call(core.arange, start, dtype) end
      start, stop = 0, start
    end
    return c_call(core.arange, start == nil and 0 or start, stop, step == nil and 1 or step, dtype)
  end)

-- linspace(start, stop, num, endpoint, dtype); retstep by name only (also
-- returns the spacing, nan when there is none, as in NumPy).
np.linspace = creator("np.linspace", core.linspace,
  { "start", "stop", "num", "endpoint", "dtype", "retstep", npos = 5, required = 2 },
  function(start, stop, num, endpoint, dtype, retstep)
    if not retstep then return c_call(core.linspace, start, stop, num, endpoint, dtype) end
    local r = check.renamed("np.linspace", 2, core.linspace, start, stop, num, endpoint, dtype)
    local div = (num or 50) - ((endpoint == nil or endpoint) and 1 or 0)
    return r, div > 0 and (stop - start) / div or 0 / 0
  end)

-- np.full with a fill value that is not a number: an array (a 0-d or
-- traced one too) or a nested table, broadcast to the shape as NumPy's
-- copyto does; of its dtype unless one is given (level: as seen by the
-- caller).
local function fill(fname, shape, v, dtype, level)
  if not is_array(v) and type(v) ~= "table" then
    error(("%s: fill_value must be a number or an array, got %s"):format(fname, check.describe(v)), level + 1)
  end
  shape = check.shape(fname, "shape", shape, level + 1)
  dtype = check.dtype(fname, dtype, level + 1)
  v = check.array(fname, v, level + 1)
  local r = check.renamed(fname, level + 1, np.broadcast_to, v, shape)
  dtype = dtype or check.dtype_of(v)
  if type(r) ~= "number" and r.dtype ~= dtype then r = core.astype(r, dtype) end
  return r
end

local core_full = core.full
local full_sig = check.signature { "shape", "fill_value", "dtype", first = 2, required = 2 }
--- full(shape, fill_value, dtype)
function np.full(...)
  local n, shape, v, dtype = select("#", ...), ...
  if n <= 3 and type(v) == "number" and (dtype == nil or type(dtype) == "string") then
    return c_call(core_full, shape, v, dtype)
  end
  local a = full_sig("np.full", 2, ...)
  shape, v, dtype = a[1], a[2], a[3]
  if type(v) == "number" or v == nil then return c_call(core_full, shape, v, dtype) end
  return (fill("np.full", shape, v, dtype, 2))
end

-- The *_like creators: the dtype given, or x's own (NumPy's default), and
-- the shape given, or x's own.
local like_sig = check.signature { "a", "dtype", "shape", npos = 2, first = 2 }
local full_like_sig = check.signature { "a", "fill_value", "dtype", "shape", npos = 3, first = 2, required = 2 }
local function like(fname, x, dtype, shape, level)
  x = check.array(fname, x, level + 1)
  dtype = check.dtype(fname, dtype, level + 1) or check.dtype_of(x)
  if shape == nil then return check.shape_of(x), dtype end
  return check.shape(fname, "shape", shape, level + 1), dtype
end
function np.zeros_like(...)
  local a = like_sig("np.zeros_like", 2, ...)
  local shape, dtype = like("np.zeros_like", a[1], a[2], a[3], 2)
  return c_call(core.zeros, shape, dtype)
end
function np.ones_like(...)
  local a = like_sig("np.ones_like", 2, ...)
  local shape, dtype = like("np.ones_like", a[1], a[2], a[3], 2)
  return c_call(core.ones, shape, dtype)
end
function np.full_like(...)
  local a = full_like_sig("np.full_like", 2, ...)
  local shape, dtype = like("np.full_like", a[1], a[3], a[4], 2)
  if type(a[2]) == "number" then return c_call(core_full, shape, a[2], dtype) end
  return (fill("np.full_like", shape, a[2], dtype, 2))
end

-- NumPy's order argument of reshape, ravel and flatten: "C" (rows first,
-- the default) or "F" (columns first), either case. "A" and "K" follow the
-- memory layout in NumPy; adlua arrays show none (every array reads as
-- row-major), so they are "C"; reshape refuses "K", as NumPy does.
-- Returns true for "F" (level: as seen by the caller).
local function fortran(fname, order, level, reshaping)
  local o = type(order) == "string" and order:upper() or order
  if order == nil or o == "C" or o == "A" then return false end
  if o == "F" then return true end
  if o == "K" then
    if not reshaping then return false end
    error(fname .. ": order 'K' is not permitted for reshaping", level + 1)
  end
  error(("%s: order must be one of 'C', 'F', 'A', or 'K' (got %s)")
    :format(fname, type(order) == "string" and ("'%s'"):format(order) or check.describe(order)), level + 1)
end

local core_reshape, core_transpose = core.reshape, core.transpose

-- np.reshape with an order, or with more than a shape: x, then the shape
-- (a table, or whole numbers one by one, as x:reshape(2, 3)), then the
-- order as a string or an options table {order = ...}. np.reshape
-- tail-calls it, so that its errors are raised at level 2, and the C
-- reshape's name the line of np.reshape's caller.
local function reshape_ordered(x, n, ...)
  local args = { ... }
  local order
  while n > 1 and args[n] == nil do n = n - 1 end
  if type(args[n]) == "string" or check.is_options(args[n]) then
    order = args[n]
    if type(order) == "table" then
      for _, k in ipairs(core.keys(order)) do
        if k ~= "order" then error(("np.reshape: unknown option '%s' (options: order)"):format(k), 2) end
      end
      order = order.order
    end
    n = n - 1
  end
  local shape = args[1]
  if type(shape) == "table" and not is_array(shape) then
    if n > 1 then
      error(("np.reshape: the shape is one table or whole numbers, not both (got %s after it)")
        :format(check.describe(args[2])), 2)
    end
  else
    shape = { unpack(args, 1, n) }
  end
  if not fortran("np.reshape", order, 2, true) then return c_call(core_reshape, x, shape) end
  -- column-major: read x and write the result with the first axis fastest,
  -- i.e. reshape the reversed axes; a bad shape is reported as given
  local reversed = {}
  for i = 1, #shape do reversed[i] = shape[#shape + 1 - i] end
  local ok, r = pcall(function() return core_transpose(core_reshape(core_transpose(x), reversed)) end)
  if ok then return r end
  local plain, e = pcall(core_reshape, x, shape)
  error((tostring(plain and r or e):gsub("^[^%s:]+:%d+: ", "")), 2)
end

--- reshape(x, shape, order): x with a new shape (one entry may be -1);
-- the shape may be given as whole numbers one by one (x:reshape(2, 3)).
function np.reshape(x, ...)
  local n = select("#", ...)
  if n > 1 then
    local last = select(n, ...)
    if type(last) ~= "number" or type((...)) ~= "number" then return reshape_ordered(x, n, ...) end
  end
  return c_call(core_reshape, x, ...)
end

local ravel_sig = check.signature { "a", "order", first = 2 }
--- A 1-d view (or copy, when the array is not contiguous) of all elements,
-- in row-major order, or column-major with order "F".
function np.ravel(x, ...)
  if select("#", ...) == 0 then return c_call(core_reshape, x, -1) end
  if fortran("np.ravel", ravel_sig("np.ravel", 2, x, ...)[2], 2) then
    return c_call(core_reshape, core_transpose(check.array("np.ravel", x)), -1)
  end
  return c_call(core_reshape, x, -1)
end

--- Removes axes of length one (all of them, or the listed 1-based axes).
function np.squeeze(x, axis)
  local shape, keep = shape_of(x), {}
  local drop = {}
  if axis == nil then
    for i, n in ipairs(shape) do drop[i] = (n == 1) end
  else
    local axes = check.is_list(axis) and axis or { axis }
    for _, a in ipairs(axes) do
      if type(a) ~= "number" or a % 1 ~= 0 then
        error(("np.squeeze: axis must be a whole number or a table of them, got %s")
          :format(check.describe(a)), 2)
      end
      local i = a < 0 and #shape + a + 1 or a
      if shape[i] == nil then
        error(("np.squeeze: axis %s is out of bounds for array of dimension %d")
          :format(check.fmt(a), #shape), 2)
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
for _, name in ipairs({ "sum", "mean", "max", "min", "amax", "amin", "dot", "copy", "exp", "log",
  "sqrt", "abs", "tanh", "sin", "cos", "transpose", "squeeze", "ravel" }) do
  methods[name] = np[name]
end
-- Core NumPy breadth (issue 3): methods mirroring the new reductions.
for _, name in ipairs({ "prod", "var", "std", "cumsum", "argmax", "argmin", "all",
  "any", "clip", "round", "logsumexp" }) do
  methods[name] = np[name]
end
methods.reshape = np.reshape
-- x:item(): the value of a one-element array; x:item(i): the i-th value
-- (1-based, of the flattened array, negative from the end); x:item(i, j,
-- ...) or x:item({i, j, ...}): the value at one index per axis.
local core_item = core.item
methods.item = function(x, ...)
  local n = select("#", ...)
  if n == 0 then return c_call(core_item, x) end
  local index = { ... }
  if n == 1 and type(index[1]) == "table" and not is_array(index[1]) then index = index[1] end
  local v = core.value(x)
  local shape = check.shape_of(v)
  if #index == 1 then
    local size = 1
    for _, d in ipairs(shape) do size = size * d end
    local i = index[1]
    if not check.is_whole(i) then
      error(("item: an index must be a whole number, got %s"):format(check.describe(i)), 2)
    end
    if i == 0 or i > size or i < -size then
      error(("item: index %s is out of bounds for size %d (indices are 1-based; -1 is the last)")
        :format(check.fmt(i), size), 2)
    end
    if #shape == 0 then return core_item(v) end
    return core_item(np.reshape(v, -1)[i < 0 and size + i + 1 or i])
  end
  if #index ~= #shape then
    error(("item: incorrect number of indices for array (%d given for an array of dimension %d)")
      :format(#index, #shape), 2)
  end
  for a = 1, #shape do
    local i = index[a]
    if not check.is_whole(i) then
      error(("item: an index must be a whole number, got %s"):format(check.describe(i)), 2)
    end
    if i == 0 or i > shape[a] or i < -shape[a] then
      error(("item: index %s is out of bounds for axis %d with size %d (indices are 1-based; -1 is the last)")
        :format(check.fmt(i), a, shape[a]), 2)
    end
  end
  if #shape == 0 then return core_item(v) end
  return core_item(v[index])
end
methods.totable = core.totable
-- x:transpose(axes) as np.transpose, or the axes one by one as NumPy's
-- x.transpose(1, 0): x:transpose(2, 1).
methods.transpose = function(x, axes, ...)
  if type(axes) == "number" then
    axes = { axes, ... }
  elseif select("#", ...) > 0 then
    error(("np.transpose: the axes are a table or whole numbers, not both (got %s, then %d more)")
      :format(check.describe(axes), select("#", ...)), 2)
  end
  return c_call(core_transpose, x, axes)
end
local flatten_sig = check.signature { "a", "order", first = 2 }
-- x:flatten(order): a 1-d copy, in row-major order ("C", default) or
-- column-major ("F").
methods.flatten = function(x, ...)
  local order = select("#", ...) > 0 and flatten_sig("flatten", 2, x, ...)[2]
  if fortran("flatten", order or nil, 2) then x = core_transpose(x) end
  return np.reshape(np.copy(x), -1)
end
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
-- np.exp, np.tanh, ... of a scalar box record it on the scalar tape
-- (lua/adlua/scalar.lua); after the methods, which keep the C functions.
require("adlua.scalar").install(np)

return np
