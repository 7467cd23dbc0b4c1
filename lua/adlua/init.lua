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

local function check_function(fname, f)
  local mt = getmetatable(f)
  if type(f) ~= "function" and not (mt and mt.__call) then
    error(("%s: expected a function to differentiate, got %s"):format(fname, describe(f)), 3)
  end
end

-- argnum: nil (1), a number, or a table of numbers; returns the list and
-- whether a single gradient (not a list) is wanted.
local function argnums(fname, argnum)
  if argnum == nil then return { 1 }, true end
  if type(argnum) == "number" then return { argnum }, true end
  if type(argnum) == "table" and #argnum > 0 then return argnum, false end
  error(("%s: argnum must be a positive whole number or a table of them, got %s")
    :format(fname, describe(argnum)), 3)
end

-- Runs f on args with the chosen ones boxed on trace t; returns the
-- output and the boxes.
local function run_traced(fname, t, f, args, n, nums, forms)
  local boxes = {}
  for j, k in ipairs(nums) do
    if type(k) ~= "number" or k ~= math.floor(k) or k < 1 or k > n then
      error(("%s: argnum %s is out of range: the function was called with %d argument%s")
        :format(fname, tostring(k), n, n == 1 and "" or "s"), 0)
    end
    local x = args[k]
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
      boxes[j] = core.trace_leaf(t, x)
      args[k] = boxes[j]
    end
  end
  local out = f(unpack(args, 1, n))
  return out, boxes
end

-- The shared body of grad, elementwise_grad and value_and_grad.
local function differentiate(fname, f, argnum, elementwise)
  check_function(fname, f)
  local nums, single = argnums(fname, argnum)
  return function(...)
    local n = select("#", ...)
    local args = { ... }
    local t = core.trace_begin()
    local ok, err = pcall(function()
      local forms = {}
      local out, boxes = run_traced(fname, t, f, args, n, nums, forms)
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
      core.trace_sweep(t, out)
      local grads = {}
      for j, box in ipairs(boxes) do
        grads[j] = core.trace_grad(t, box)
        if forms[j] then grads[j] = forms[j](grads[j]) end
      end
      return { value = core.trace_unbox(t, out), grads = grads }
    end)
    core.trace_end(t)
    if not ok then error(err, 0) end
    if single then return err.grads[1], err.value end
    return err.grads, err.value
  end
end

-- grad under another operator's name (hessian, hessian_vector_product,
-- grad_and_aux build on it): errors name the function the user called.
local function grad_as(fname, f, argnum)
  local df = differentiate(fname, f, argnum, false)
  if type(argnum) == "table" then
    return function(...) return unpack((df(...))) end
  end
  return function(...) return (df(...)) end
end

--- grad(f, argnum): the function returning the gradient of scalar-valued f
--- with respect to argument argnum (default 1; a table gives one gradient
--- per listed argument, as multiple return values).
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
M.value = core.value
--- blas_info() -> { corename = "SkylakeX", threads = 2, auto = false }: the
--- OpenBLAS kernels in use and whether adlua chose them (docs/performance.md).
M.blas_info = core.blas_info
--- set_num_threads(n) -> previous, get_num_threads(): how many cores large
--- elementwise work (exp, log, tanh of big arrays) is split over.
M.set_num_threads = core.set_num_threads
M.get_num_threads = core.get_num_threads

-- The other operators, parameter tables, user's primitives (one file each).
require("adlua.operators")(M, grad_as)
require("adlua.custom")(M)
M.jit = require "adlua.jit"
M.flatten = tree.flatten

return M
