-- adlua.optim: sgd, rmsprop and adam with HIPS autograd's update rules and
-- defaults (autograd/misc/optimizers.py).
--
-- grad_fn(x, i) returns the gradient at iteration i (1-based, so the bias
-- correction of adam uses b^i); x0 may be a number, an array or a nested
-- table of them: the optimizers work on the flattened vector and give
-- grad_fn and callback(x, i, g, state) the table's form.  On a terminal,
-- stderr shows a progress bar (iteration, rate, time left); elsewhere
-- nothing.
--
-- Resuming: each optimizer returns x and its state, a table of the
-- iterations done and the flat arrays it carries (sgd: velocity; rmsprop:
-- avg_sq_grad; adam: m, v); callback's fourth argument is the same state
-- as of x (iteration = i - 1). np.savez can store {x = x, state = state};
-- passing the state back as opts.state with that x continues at
-- iteration state.iteration + 1 and ends with exactly the numbers of an
-- uninterrupted run.
local core = require "adlua.core"
local each = require "adlua.each" -- pairs, safe from Debian 12's LuaJIT (docs/luajit.md)
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

-- The state handed out: the arrays (steps replace them, never write into
-- them) and the iterations done.
local function snapshot(state, iteration)
  local out = { iteration = iteration }
  for k, v in each(state) do out[k] = v end
  return out
end

-- The state to start from: fresh, or opts.state checked against it (same
-- arrays, each with one number per parameter). Returns it and the
-- iterations already done.
local function resume(name, given, fresh, size)
  if given == nil then return fresh, 0 end
  if type(given) ~= "table" then
    error(("optim.%s: opts.state must be the state table a previous run returned, got a %s")
      :format(name, type(given)), 4)
  end
  local it = given.iteration
  if type(it) ~= "number" or it < 0 or it ~= math.floor(it) then
    error(("optim.%s: opts.state.iteration must be a whole number >= 0, got %s")
      :format(name, tostring(it)), 4)
  end
  local state = {}
  for k in each(fresh) do
    local v = given[k]
    if not is_array(v) then
      error(("optim.%s: opts.state.%s is missing (a state from another optimizer?)")
        :format(name, k), 4)
    end
    if v.size ~= size then
      error(("optim.%s: opts.state.%s holds %d numbers for %d parameters")
        :format(name, k, v.size, size), 4)
    end
    state[k] = np.reshape(np.copy(v), { size })
  end
  for k in each(given) do
    if k ~= "iteration" and fresh[k] == nil then
      error(("optim.%s: opts.state.%s is not part of %s's state"):format(name, tostring(k), name), 4)
    end
  end
  return state, it
end

-- Runs step(x, g, i) -> new x on the flat vector of x0.
local function optimize(name, grad_fn, x0, opts, defaults, init, step)
  if type(grad_fn) ~= "function" then
    error(("optim.%s: grad_fn must be a function, got a %s"):format(name, type(grad_fn)), 3)
  end
  opts = opts or {}
  local o = {}
  for k, v in each(defaults) do o[k] = opts[k] == nil and v or opts[k] end
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
  local state, done = resume(name, opts.state, init(x, o), x.size)
  local show = progress(name, o.num_iters)
  for i = done + 1, o.num_iters do
    local px = form(x)
    local g = grad_fn(px, i)
    if callback then callback(px, i, g, snapshot(state, i - 1)) end
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
  return form(x), snapshot(state, math.max(done, o.num_iters))
end

--- sgd(grad_fn, x0, {num_iters = 200, step_size = 0.1, mass = 0.9, callback, state})
--- -> x, state: gradient descent with momentum.
function M.sgd(grad_fn, x0, opts)
  return optimize("sgd", grad_fn, x0, opts, { num_iters = 200, step_size = 0.1, mass = 0.9 },
    function(x) return { velocity = np.zeros(x.shape) } end,
    function(x, g, _, s, o)
      s.velocity = o.mass * s.velocity - (1.0 - o.mass) * g
      return x + o.step_size * s.velocity
    end)
end

--- rmsprop(grad_fn, x0, {num_iters = 100, step_size = 0.1, gamma = 0.9, eps = 1e-8, callback, state})
--- -> x, state.
function M.rmsprop(grad_fn, x0, opts)
  return optimize("rmsprop", grad_fn, x0, opts,
    { num_iters = 100, step_size = 0.1, gamma = 0.9, eps = 1e-8 },
    function(x) return { avg_sq_grad = np.ones(x.shape) } end,
    function(x, g, _, s, o)
      s.avg_sq_grad = s.avg_sq_grad * o.gamma + g * g * (1 - o.gamma)
      return x - o.step_size * g / (np.sqrt(s.avg_sq_grad) + o.eps)
    end)
end

--- adam(grad_fn, x0, {num_iters = 100, step_size = 0.001, b1 = 0.9, b2 = 0.999, eps = 1e-8, callback, state})
--- -> x, state.
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
