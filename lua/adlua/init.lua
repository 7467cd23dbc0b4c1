-- adlua: differential operators (HIPS autograd's names and meanings).
--
-- Each call of a differentiated function opens a trace (adlua.core, C) with
-- its own nesting level, boxes the chosen arguments as its leaves, runs the
-- user's function, sweeps the tape backwards and closes the trace, also when
-- the function raises.  Nesting grad calls nests traces, which gives
-- derivatives of any order.
local core = require "adlua.core"
local np = require "adlua.numpy"
local tree = require "adlua.tree"
local scalar = require "adlua.scalar"

local M = { numpy = np, _VERSION = "0.1.0" }

local unpack = unpack or table.unpack
local is_array = core.is_array

local function describe(v)
  if is_array(v) then
    local dims = {}
    for i, n in ipairs(v.shape) do dims[i] = tostring(n) end
    return ("an array of shape (%s%s)"):format(table.concat(dims, ","), #dims == 1 and "," or "")
  end
  if v == nil then return "nil" end
  return "a " .. type(v)
end

-- Helpers shared with operators.lua and custom.lua (passed to them below).
local U = { describe = describe }

-- Frames of these modules are skipped when an error names the user's line.
local own_sources = { [debug.getinfo(1, "S").source] = true }
function U.own_source(level) own_sources[debug.getinfo(level + 1, "S").source] = true end

--- raise(msg): error(msg) at the first frame outside adlua's operator
--- modules -- the user's line, whatever tail calls left on the stack.
function U.raise(msg)
  local level = 2
  while true do
    local info = debug.getinfo(level, "S")
    if not info then error(msg, 0) end
    if not own_sources[info.source] then break end
    level = level + 1
  end
  error(msg, level)
end
local raise = U.raise

function U.check_function(fname, f)
  local mt = getmetatable(f)
  if type(f) ~= "function" and not (mt and mt.__call) then
    raise(("%s: expected a function to differentiate, got %s"):format(fname, describe(f)))
  end
end
local check_function = U.check_function

local function check_position(fname, k)
  if type(k) ~= "number" then
    raise(("%s: argnum must be a whole number or a table of them, got %s"):format(fname, describe(k)))
  end
  if k ~= math.floor(k) or k ~= k or k == math.huge or k == -math.huge then
    raise(("%s: argnum %s is not a whole number"):format(fname, tostring(k)))
  end
  if k == 0 then
    raise(("%s: argnum 0 is not a position: positions are 1-based (-1 is the last argument)"):format(fname))
  end
end

--- argnums(fname, argnum, single_only): argnum (nil: 1, a whole number,
--- or, unless single_only, a table of them) as a list, and whether one
--- gradient (not a list) is wanted.  Raises at the user's line.
function U.argnums(fname, argnum, single_only)
  if argnum == nil then return { 1 }, true end
  if type(argnum) == "table" and not single_only then
    if #argnum == 0 then
      raise(("%s: argnum must be a whole number or a non-empty table of them, got an empty table"):format(fname))
    end
    for _, k in ipairs(argnum) do check_position(fname, k) end
    return { unpack(argnum) }, false
  end
  if single_only and type(argnum) ~= "number" then
    raise(("%s: argnum must be a whole number, got %s"):format(fname, describe(argnum)))
  end
  check_position(fname, argnum)
  return { argnum }, true
end

--- position(fname, k, n): argnum k as a position among n arguments (a
--- negative k counts from the end, -1 the last), or an error.
function U.position(fname, k, n)
  local p = k < 0 and n + 1 + k or k
  if p < 1 or p > n then
    error(("%s: argnum %d is out of range: the function was called with %d argument%s")
      :format(fname, k, n, n == 1 and "" or "s"), 0)
  end
  return p
end
local position = U.position

-- Runs f on args with the chosen ones boxed on trace t (numbers as scalar
-- boxes when `scalars`); returns the output and the boxes.  With an
-- argument listed twice, f sees the last box, as autograd's last-wins
-- substitution: the earlier one gets a zero gradient.
local function run_traced(fname, t, f, args, n, nums, forms, scalars)
  local boxes = {}
  local given = #nums > 1 and { unpack(args, 1, n) } or args
  for j, num in ipairs(nums) do
    local k = position(fname, num, n)
    local x = given[k]
    if tree.is_tree(x) then
      -- a table of parameters: differentiate with respect to its leaves
      -- laid out in one vector, and give the gradient the table's form
      local vector, unflatten = tree.flatten_as(fname, x)
      boxes[j] = core.trace_leaf(t, vector)
      args[k] = unflatten(boxes[j])
      forms[j] = unflatten
    elseif type(x) ~= "number" and not is_array(x) then
      error(("%s: argument %d must be a number, an array or a table of them to differentiate, got %s")
        :format(fname, k, describe(x)), 0)
    else
      boxes[j] = scalars and scalar.leaf(x) or core.trace_leaf(t, x)
      args[k] = boxes[j]
    end
  end
  local out = f(unpack(args, 1, n))
  return out, boxes
end

-- Whether a gradient with respect to args' positions nums may use scalar
-- boxes (adlua/scalar.lua): every one a number, and no trace live.
local function use_scalars(args, n, nums)
  if not scalar.enabled or not core.tracing_idle() then return false end
  for _, num in ipairs(nums) do
    local k = num < 0 and n + 1 + num or num
    if type(args[k]) ~= "number" then return false end
  end
  return true
end

-- Raises unless out, what f returned, can be differentiated (a number or
-- an array; one value unless elementwise).
local function check_output(fname, out, elementwise)
  if scalar.is_box(out) then return end
  if out == nil then
    error(("%s: the function returned nothing; it must return a scalar (a number or a one-element array)")
      :format(fname), 0)
  end
  if type(out) ~= "number" and not is_array(out) then
    error(("%s: the function must return a number or an array, got %s"):format(fname, describe(out)), 0)
  end
  if not elementwise and is_array(out) and out.size ~= 1 then
    error(("%s: the function must return a scalar (a number or a one-element array), got %s; "
           .. "use elementwise_grad or jacobian for non-scalar outputs"):format(fname, describe(out)), 0)
  end
end

-- The shared body of grad, elementwise_grad and value_and_grad.
local function differentiate(fname, f, argnum, elementwise)
  check_function(fname, f)
  local nums, single = U.argnums(fname, argnum)
  return function(...)
    local n = select("#", ...)
    local args = { ... }
    local scalars = use_scalars(args, n, nums)
    local t = core.trace_begin()
    if scalars then scalar.begin(t) end
    local ok, err = pcall(function()
      local forms = {}
      local out, boxes = run_traced(fname, t, f, args, n, nums, forms, scalars)
      check_output(fname, out, elementwise)
      if scalars then -- sweep the trace, then the tape
        scalar.backward(out)
        local grads = {}
        for j, box in ipairs(boxes) do grads[j] = scalar.grad(box) end
        return { value = scalar.is_box(out) and out.v or core.trace_unbox(t, out), grads = grads }
      end
      core.trace_sweep(t, out)
      local grads = {}
      for j, box in ipairs(boxes) do
        grads[j] = core.trace_grad(t, box)
        if forms[j] then grads[j] = forms[j](grads[j]) end
      end
      return { value = core.trace_unbox(t, out), grads = grads }
    end)
    if scalars then scalar.finish() end
    core.trace_end(t)
    if not ok then error(err, 0) end
    if single then return err.grads[1], err.value end
    return err.grads, err.value
  end
end

-- grad under another operator's name (hessian_vector_product,
-- grad_and_aux build on it): errors name the function the user called.
local function grad_as(fname, f, argnum)
  local df = differentiate(fname, f, argnum, false)
  if type(argnum) == "table" then
    return function(...) return unpack((df(...))) end
  end
  return function(...) return (df(...)) end
end
U.grad_as = grad_as

--- grad(f, argnum): the function returning the gradient of scalar-valued f
--- with respect to argument argnum (default 1; negative counts from the
--- end; a table gives one gradient per listed argument, as multiple return
--- values).
function M.grad(f, argnum)
  return grad_as("grad", f, argnum)
end

--- elementwise_grad(f, argnum): the gradient of sum(f(x)); for elementwise
--- f, the derivative at every point.
function M.elementwise_grad(f, argnum)
  local df = differentiate("elementwise_grad", f, argnum, true)
  if type(argnum) == "table" then
    return function(...) return unpack((df(...))) end
  end
  return function(...) return (df(...)) end
end

--- value_and_grad(f, argnum): the function returning f's value and gradient.
function M.value_and_grad(f, argnum)
  local df = differentiate("value_and_grad", f, argnum, false)
  return function(...)
    local g, v = df(...)
    if type(argnum) == "table" then return v, unpack(g) end
    return v, g
  end
end

--- value(x): the plain value of a traced array or number.
M.value = scalar.value
--- blas_info() -> { corename = "SkylakeX", threads = 2, auto = false }: the
--- OpenBLAS kernels in use and whether adlua chose them (docs/performance.md).
M.blas_info = core.blas_info
--- set_num_threads(n) -> previous, get_num_threads(): how many cores large
--- elementwise work (exp, log, tanh of big arrays) is split over.
M.set_num_threads = core.set_num_threads
M.get_num_threads = core.get_num_threads

-- The other operators, parameter tables, user's primitives (one file each).
require("adlua.operators")(M, U)
require("adlua.custom")(M, U)
M.jit = require "adlua.jit"
M.flatten = tree.flatten

return M
