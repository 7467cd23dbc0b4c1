-- adlua.numpy: the NumPy-style array namespace.
-- The functions come from the C binding (adlua.core); this file adds the
-- ones that are compositions of others, constants, and the array methods.
local core = require "adlua.core"

local np = {}

local exported = {
  "array", "zeros", "ones", "empty", "full", "arange", "linspace", "eye",
  "negative", "exp", "log", "log1p", "sqrt", "sin", "cos", "tan", "tanh", "abs",
  "square", "sign", "add", "subtract", "multiply", "divide", "power", "maximum",
  "minimum", "less", "less_equal", "greater", "greater_equal", "equal",
  "not_equal", "where", "sum", "max", "min", "mean", "dot", "matmul", "outer",
  "reshape", "transpose", "concatenate", "stack", "copy", "set_printoptions",
}
for _, name in ipairs(exported) do np[name] = core[name] end

np.pi = math.pi
np.e = math.exp(1)
np.inf = math.huge
np.nan = 0 / 0
np.float64 = "float64"

np.true_divide = np.divide
np.amax = np.max
np.amin = np.min

local is_array = core.is_array

--- The argument as an array (arrays are returned as they are).
function np.asarray(x)
  if is_array(x) then return x end
  local ok, a = pcall(core.array, x)
  if not ok then error((tostring(a):gsub("^np%.array:", "np.asarray:")), 2) end
  return a
end

local function shape_of(x)
  if is_array(x) then return x.shape end
  if type(x) == "number" then return {} end
  return np.asarray(x).shape
end

function np.zeros_like(x) return np.zeros(shape_of(x)) end
function np.ones_like(x) return np.ones(shape_of(x)) end
function np.full_like(x, v) return np.full(shape_of(x), v) end

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
        error(("np.squeeze: axis %d is out of bounds for array of dimension %d"):format(a, #shape), 2)
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

-- Methods: x:sum(axis, keepdims), x:reshape(...), ... mirror the namespace.
local methods = {}
for _, name in ipairs({ "sum", "mean", "max", "min", "dot", "copy", "exp", "log",
  "sqrt", "abs", "tanh", "sin", "cos", "transpose", "squeeze", "ravel" }) do
  methods[name] = np[name]
end
methods.reshape = np.reshape
methods.item = core.item
methods.totable = core.totable
methods.flatten = function(x) return np.reshape(np.copy(x), -1) end
methods.astype = function(x, dtype)
  if dtype ~= "float64" then
    error(("astype: dtype %s is not supported yet (float64 only)"):format(tostring(dtype)), 2)
  end
  return np.copy(x)
end
methods.lt = np.less
methods.le = np.less_equal
methods.gt = np.greater
methods.ge = np.greater_equal
methods.eq = np.equal
methods.ne = np.not_equal
core.array_metatable.__methods = methods

return np
