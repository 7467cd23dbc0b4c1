-- adlua.optim: sgd, rmsprop and adam with HIPS autograd's update rules and
-- defaults (autograd/misc/optimizers.py).
--
-- grad_fn(x, i) returns the gradient at iteration i (1-based, so the bias
-- correction of adam uses b^i); x0 may be a number, an array or a nested
-- table of them: the optimizers work on the flattened vector and give
-- grad_fn and callback(x, i, g) the table's form.  On a terminal, stderr
-- shows a progress bar (iteration, rate, time left); elsewhere nothing.
local core = require "adlua.core"
local np = require "adlua.numpy"
local tree = require "adlua.tree"

local M = {}
local is_array = core.is_array

-- A progress bar on stderr, drawn at most ten times a second.
local function progress(name, total)
  if not core.stderr_is_terminal() or total < 2 then return function() end end
  local start, last = os.clock(), -1
  return function(i)
    local now = os.clock()
    if i < total and now - last < 0.1 then return end
    last = now
    local elapsed = now - start
    local rate = elapsed > 0 and i / elapsed or 0
    local left = rate > 0 and (total - i) / rate or 0
    local width = 30
    local done = math.floor(width * i / total)
    io.stderr:write(("\r%s [%s%s] %d/%d  %.1f it/s  %ds left "):format(name,
      ("#"):rep(done), ("."):rep(width - done), i, total, rate, math.floor(left + 0.5)))
    if i == total then io.stderr:write("\n") end
    io.stderr:flush()
  end
end

-- Runs step(x, g, i) -> new x on the flat vector of x0.
local function optimize(name, grad_fn, x0, opts, defaults, init, step)
  if type(grad_fn) ~= "function" then
    error(("optim.%s: grad_fn must be a function, got a %s"):format(name, type(grad_fn)), 3)
  end
  opts = opts or {}
  local o = {}
  for k, v in pairs(defaults) do o[k] = opts[k] == nil and v or opts[k] end
  local callback = opts.callback
  local form, x
  if type(x0) == "number" then
    x, form = np.full({ 1 }, x0), function(v) return v[1] end
  elseif is_array(x0) then
    x = np.reshape(np.copy(x0), { -1 })
    local shape = x0.shape
    form = function(v) return np.reshape(v, shape) end
  elseif tree.is_tree(x0) then
    x, form = tree.flatten(x0)
  else
    error(("optim.%s: x0 must be a number, an array or a table of them, got a %s"):format(name, type(x0)), 3)
  end
  local state = init(x, o)
  local show = progress(name, o.num_iters)
  for i = 1, o.num_iters do
    local px = form(x)
    local g = grad_fn(px, i)
    if callback then callback(px, i, g) end
    local gv
    if tree.is_tree(g) then gv = tree.flatten(g)
    elseif type(g) == "number" then gv = np.full({ 1 }, g)
    elseif is_array(g) then gv = np.reshape(g, { -1 })
    else
      error(("optim.%s: grad_fn returned a %s, expected the gradient in the form of x"):format(name, type(g)), 3)
    end
    if gv.size ~= x.size then
      error(("optim.%s: grad_fn returned %d numbers for %d parameters"):format(name, gv.size, x.size), 3)
    end
    x = step(x, gv, i, state, o)
    show(i)
  end
  return form(x)
end

--- sgd(grad_fn, x0, {num_iters = 200, step_size = 0.1, mass = 0.9, callback}):
--- gradient descent with momentum.
function M.sgd(grad_fn, x0, opts)
  return optimize("sgd", grad_fn, x0, opts, { num_iters = 200, step_size = 0.1, mass = 0.9 },
    function(x) return { velocity = np.zeros(x.shape) } end,
    function(x, g, _, s, o)
      s.velocity = o.mass * s.velocity - (1.0 - o.mass) * g
      return x + o.step_size * s.velocity
    end)
end

--- rmsprop(grad_fn, x0, {num_iters = 100, step_size = 0.1, gamma = 0.9, eps = 1e-8, callback}).
function M.rmsprop(grad_fn, x0, opts)
  return optimize("rmsprop", grad_fn, x0, opts,
    { num_iters = 100, step_size = 0.1, gamma = 0.9, eps = 1e-8 },
    function(x) return { avg_sq_grad = np.ones(x.shape) } end,
    function(x, g, _, s, o)
      s.avg_sq_grad = s.avg_sq_grad * o.gamma + g * g * (1 - o.gamma)
      return x - o.step_size * g / (np.sqrt(s.avg_sq_grad) + o.eps)
    end)
end

--- adam(grad_fn, x0, {num_iters = 100, step_size = 0.001, b1 = 0.9, b2 = 0.999, eps = 1e-8, callback}).
function M.adam(grad_fn, x0, opts)
  return optimize("adam", grad_fn, x0, opts,
    { num_iters = 100, step_size = 0.001, b1 = 0.9, b2 = 0.999, eps = 1e-8 },
    function(x) return { m = np.zeros(x.shape), v = np.zeros(x.shape) } end,
    function(x, g, i, s, o)
      s.m = (1 - o.b1) * g + o.b1 * s.m
      s.v = (1 - o.b2) * (g * g) + o.b2 * s.v
      local mhat = s.m / (1 - o.b1 ^ i)
      local vhat = s.v / (1 - o.b2 ^ i)
      return x - o.step_size * mhat / (np.sqrt(vhat) + o.eps)
    end)
end

return M
