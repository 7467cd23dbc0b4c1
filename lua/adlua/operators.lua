-- adlua.operators: jacobian, hessian, make_vjp, make_jvp (forward mode),
-- hessian_vector_product, grad_and_aux, stop_gradient, checkpoint, value,
-- debug_nans and check_grads, installed into the adlua table by init.lua.
--
-- Jacobians never re-run the user's function per output element: one
-- forward pass records a tape, which is then swept once per output element
-- (reverse) or, through a second tape, opened only then, that records the
-- first sweep with a symbolic seed u, once per input element (forward: the
-- sweep is linear in u, and sweeping it back gives J v).  The cheaper side
-- is chosen by shape.
-- Forward mode (make_jvp) runs f on a forward trace, where each operation
-- computes its tangent by its forward rule (core/jvp.c); see
-- docs/operators.md.
local core = require "adlua.core"
local np = require "adlua.numpy"
local tree = require "adlua.tree"
local argcheck = require "adlua.argcheck"

local unpack = unpack or table.unpack
local is_array = core.is_array

local function shape_of(x)
  if is_array(x) then return x.shape end
  return {}
end
local function size_of(x)
  if is_array(x) then return x.size end
  return 1
end
local function concat_shapes(a, b)
  local s = {}
  for _, n in ipairs(a) do s[#s + 1] = n end
  for _, n in ipairs(b) do s[#s + 1] = n end
  return s
end

-- The unit seeds e_1 .. e_n of the given shape, as views of one identity
-- matrix (a number 1 for a 0-d shape).
local function units(shape, n)
  if #shape == 0 then return function() return 1 end end
  local eye = np.eye(n)
  if #shape == 1 then return function(i) return eye[i] end end
  return function(i) return np.reshape(eye[i], shape) end
end

-- Rows of one size laid out as a matrix of the given shape; a gradient of a
-- 0-d value is a number, made a one-element row.
local function assemble(parts, shape)
  for i, p in ipairs(parts) do
    if type(p) == "number" or p.ndim ~= 1 then parts[i] = np.reshape(p, { -1 }) end
  end
  return np.reshape(np.concatenate(parts), shape)
end

-- The symbolic seed u of the forward side and of make_jvp: a leaf of the
-- output's shape.  The sweep seeded with it is linear in u, so J v does not
-- depend on its value -- but rules may skip a term whose incoming gradient
-- is zero (eigh's eigenvector term, svd's u and vt terms: autograd's
-- `if anp.any(vg)`, there so that functions of eigenvalues alone stay finite
-- at repeated ones).  Seeded with zeros, every such gradient looks zero and
-- those terms vanish from J v; a fixed pattern of nonzero values makes a
-- gradient zero only where it is zero whatever the seed.
local function seed_value(shape)
  local n = 1
  for _, d in ipairs(shape) do n = n * d end
  return np.zeros(shape) + np.reshape(2 + np.cos(np.arange(1, n + 1)), shape)
end

-- A closer for a trace kept open by make_vjp/make_jvp: ends it when the
-- returned function is collected.
local function on_collect(fn)
  if newproxy then
    local p = newproxy(true)
    getmetatable(p).__gc = fn
    return p
  end
  return setmetatable({}, { __gc = fn })
end

return function(M, U)
  U.own_source(1)
  local grad_as, raise, describe, position = U.grad_as, U.raise, U.describe, U.position

  local function check_function(fname, f)
    local mt = getmetatable(f)
    if type(f) ~= "function" and not (mt and mt.__call) then
      raise(("%s: expected a function, got a %s"):format(fname, type(f)))
    end
  end

  -- The one argument number of jacobian, hessian, make_vjp, make_jvp and
  -- hessian_vector_product, checked when the operator is made.
  local function single_argnum(fname, argnum)
    return U.argnums(fname, argnum, true)[1]
  end

  -- The differentiated argument as a number or an array, and the form to
  -- give the traced value inside f and the gradients (tables: flattened).
  local function as_variable(fname, x)
    if tree.is_tree(x) then
      local vector, unflatten = tree.flatten_as(fname, x)
      return vector, unflatten
    end
    if type(x) ~= "number" and not is_array(x) then
      error(("%s: the argument to differentiate must be a number, an array or a table of them, got %s")
        :format(fname, describe(x)), 0)
    end
    local id = function(v) return v end
    return x, id
  end

  -- Opens trace t, boxes argument k of args and runs f; returns the
  -- output and the leaf box.
  local function traced_call(t, f, args, n, k, x, form)
    local box = core.trace_leaf(t, x)
    local a = { unpack(args, 1, n) }
    a[k] = form(box)
    return f(unpack(a, 1, n)), box
  end

  local function check_output(fname, y)
    if type(y) ~= "number" and not is_array(y) then
      error(("%s: the function must return a number or an array, got %s")
        :format(fname, y == nil and "nothing" or describe(y)), 0)
    end
  end

  -- with_trace(begin, body, ...): body(t, ...) on a new trace t (begin:
  -- core.trace_begin or core.trace_begin_forward), which ends once body
  -- has returned or raised; body's results, or its error rethrown.
  local function finish(t, ok, ...)
    core.trace_end(t)
    if not ok then error((...), 0) end
    return ...
  end
  local function with_trace(begin, body, ...)
    local t = begin()
    return finish(t, pcall(body, t, ...))
  end

  -- jacobian under another operator's name (hessian is jacobian of
  -- jacobian, as in autograd): errors name the function the user called.
  -- A table output counts as its flat vector (tree.flatten), as a table
  -- argument does: so jacobian(grad(f)) of a table argument is a matrix.
  local function jacobian_as(fname, f, argnum)
    check_function(fname, f)
    local num = single_argnum(fname, argnum)

    -- The forward side, on t1 opened above f's trace t2 once f has run (t2's
    -- tape holds only values below t2, so t1 may sit above it): one sweep
    -- of t2 seeded with u, a leaf of t1, records gx = J^T u on t1; then one
    -- sweep of t1 per input element.
    local function forward(t1, t2, y, box, x, yshape, jshape, m, nx)
      local u = core.trace_leaf(t1, seed_value(yshape))
      core.trace_sweep(t2, y, u)
      local gx = core.trace_grad(t2, box)
      if is_array(gx) then
        local rows = core.trace_rows(t1, gx, u)
        if rows then return np.reshape(np.transpose(rows), jshape) end
      end
      local parts, seed = {}, units(shape_of(x), nx)
      for j = 1, nx do
        core.trace_zero_grads(t1)
        core.trace_sweep(t1, gx, seed(j))
        parts[j] = core.trace_grad(t1, u)
      end
      return np.reshape(np.transpose(assemble(parts, { nx, m })), jshape)
    end

    -- f run on trace t2, and its Jacobian, of x's dtype: gradients with
    -- respect to x have it already (the sweep converts them).
    local function run(t2, args, n, k, x, form)
      local y, box = traced_call(t2, f, args, n, k, x, form)
      if tree.is_tree(y) then y = tree.flatten_as(fname, y) end
      check_output(fname, y)
      local m = size_of(y)
      if m == 1 and core.on_trace(t2, y) then
        -- one sweep: the gradient (hessian's inner Jacobian of a scalar).
        -- Shapes are read only as needed: each read costs about as much as
        -- opening a trace, and this path runs once per hessian call
        core.trace_sweep(t2, y)
        local g = core.trace_grad(t2, box)
        if y.ndim == 0 then return g end -- already of x's shape
        return np.reshape(g, concat_shapes(y.shape, shape_of(x)))
      end
      local yshape, xshape = shape_of(y), shape_of(x)
      local nx = size_of(x)
      local jshape = concat_shapes(yshape, xshape)
      if m == 0 or nx == 0 or not core.on_trace(t2, y) then
        return np.zeros(jshape, is_array(x) and x.dtype or "float64")
      end
      if m <= nx then
        -- reverse: one sweep of the same tape per output element
        local rows = core.trace_rows(t2, y, box) -- the loop in C, when nothing records it
        if rows then return np.reshape(rows, jshape) end
        local parts, seed = {}, units(yshape, m)
        for i = 1, m do
          core.trace_zero_grads(t2)
          core.trace_sweep(t2, y, seed(i))
          parts[i] = core.trace_grad(t2, box)
        end
        return assemble(parts, jshape)
      end
      local jac = with_trace(core.trace_begin, forward, t2, y, box, x, yshape, jshape, m, nx)
      -- columns are gradients with respect to u (float64)
      if is_array(x) and jac.dtype ~= x.dtype then jac = core.astype(jac, x.dtype) end
      return jac
    end

    return function(...)
      local n, args = select("#", ...), { ... }
      local k = position(fname, num, n)
      local x, form = as_variable(fname, args[k])
      return (with_trace(core.trace_begin, run, args, n, k, x, form))
    end
  end

  --- jacobian(f, argnum): the function returning the Jacobian of f with
  --- respect to argument argnum, of shape (output shape .. input shape).
  function M.jacobian(f, argnum)
    return jacobian_as("jacobian", f, argnum)
  end

  --- hessian(f, argnum): jacobian(jacobian(f)), as autograd: for a scalar
  --- f, one evaluation of f and of its gradient, then one sweep per input
  --- element; for f of any shape, shape (output .. input .. input).
  function M.hessian(f, argnum)
    return jacobian_as("hessian", jacobian_as("hessian", f, argnum), argnum)
  end

  --- make_vjp(f, argnum)(x...): vjp, value; vjp(g) is g^T J, as often as
  --- wanted, from one forward pass.
  function M.make_vjp(f, argnum)
    check_function("make_vjp", f)
    local num = single_argnum("make_vjp", argnum)
    return function(...)
      local n, args = select("#", ...), { ... }
      local k = position("make_vjp", num, n)
      local x, form = as_variable("make_vjp", args[k])
      local t = core.trace_begin()
      local ok, y, box = pcall(traced_call, t, f, args, n, k, x, form)
      if ok then
        local fine, err = pcall(check_output, "make_vjp", y)
        if not fine then ok, y = false, err end
      end
      if not ok then
        core.trace_end(t)
        error(y, 0)
      end
      local yshape = shape_of(y)
      local guard = on_collect(function() core.trace_end(t) end)
      local function vjp(g)
        local _ = guard
        -- g stands for the output: its shape, not one that broadcasts
        if type(g) ~= "number" and not is_array(g) then
          raise(("make_vjp: vjp(g) takes an array or a number of the output's shape %s, got %s")
            :format(argcheck.shape_str(yshape), describe(g)))
        end
        local gshape = shape_of(g)
        if table.concat(gshape, ",") ~= table.concat(yshape, ",") then
          raise(("make_vjp: vjp(g): g has shape %s but the function's output has shape %s")
            :format(argcheck.shape_str(gshape), argcheck.shape_str(yshape)))
        end
        if not core.on_trace(t, y) then return form(np.zeros(shape_of(x))) end
        core.trace_zero_grads(t)
        core.trace_sweep(t, y, g)
        return form(core.trace_grad(t, box))
      end
      return vjp, core.trace_unbox(t, y)
    end
  end

  --- make_jvp(f, argnum)(x...)(v): value, J v (forward mode).
  -- Each call jvp(v) runs f once on a forward trace: every operation
  -- computes its value and its tangent together (core/jvp.c), as
  -- autograd's make_jvp does.
  function M.make_jvp(f, argnum)
    check_function("make_jvp", f)
    local num = single_argnum("make_jvp", argnum)
    return function(...)
      local n, args = select("#", ...), { ... }
      local k = position("make_jvp", num, n)
      local x, form = as_variable("make_jvp", args[k])
      return function(v)
        if tree.is_tree(v) then v = tree.flatten_as("make_jvp", v) end
        if type(v) ~= "number" and not is_array(v) then
          raise(("make_jvp: the tangent must be a number, an array or a table like the argument, got %s")
            :format(describe(v)))
        end
        local xs, vs = shape_of(x), shape_of(v)
        if table.concat(xs, ",") ~= table.concat(vs, ",") then
          raise(("make_jvp: the tangent has shape %s but the argument has shape %s")
            :format(argcheck.shape_str(vs), argcheck.shape_str(xs)))
        end
        return with_trace(core.trace_begin_forward, function(t)
          local box = core.trace_dual(t, x, v)
          local a = { unpack(args, 1, n) }
          a[k] = form(box)
          local y = f(unpack(a, 1, n))
          check_output("make_jvp", y)
          -- a plain 0-d tangent comes back as a number; a traced one stays
          -- traced, for an outer derivative
          local tangent = core.on_trace(t, y) and core.trace_grad(t, y) or np.zeros(shape_of(y))
          if type(y) == "number" and is_array(tangent) and tangent.ndim == 0 then
            tangent = tangent:item()
          end
          return core.trace_unbox(t, y), tangent
        end)
      end
    end
  end

  --- hessian_vector_product(f, argnum)(x..., v): H v without forming H.
  function M.hessian_vector_product(f, argnum)
    local fname = "hessian_vector_product"
    check_function(fname, f)
    local num = single_argnum(fname, argnum)
    return function(...)
      local n = select("#", ...)
      local args = { ... }
      if n < 2 then
        error(("%s: the vector v is missing: call hvp(x..., v), v last, of the argument's shape"):format(fname), 0)
      end
      local v = args[n]
      local k = position(fname, num, n - 1)
      -- v has x's form: its shape, or for a table x a table like it (or
      -- the flat vector)
      local x = as_variable(fname, args[k])
      local vv = tree.is_tree(v) and tree.flatten_as(fname, v) or v
      if type(vv) ~= "number" and not is_array(vv) then
        error(("%s: v must be a number, an array or a table like argument %d, got %s")
          :format(fname, k, describe(v)), 0)
      end
      if table.concat(shape_of(vv), ",") ~= table.concat(shape_of(x), ",") then
        error(("%s: v has shape %s but argument %d has shape %s%s")
          :format(fname, argcheck.shape_str(shape_of(vv)), k, argcheck.shape_str(shape_of(x)),
            tree.is_tree(args[k]) and " (flattened)" or ""), 0)
      end
      local g = grad_as(fname, f, k)
      local function gv(...)
        local gi = g(...)
        if tree.is_tree(gi) then gi = tree.flatten(gi) end
        return np.sum(np.multiply(gi, vv))
      end
      return grad_as(fname, gv, k)(unpack(args, 1, n - 1))
    end
  end

  --- grad_and_aux(f, argnum): for f returning loss, aux: gradient, aux.
  function M.grad_and_aux(f, argnum)
    check_function("grad_and_aux", f)
    return function(...)
      local aux
      local g = { grad_as("grad_and_aux", function(...)
        local loss
        loss, aux = f(...)
        return loss
      end, argnum)(...) }
      -- values of this (ended) trace become plain; values traced by outer
      -- derivatives stay traced
      aux = tree.is_tree(aux) and tree.map(core.live, aux) or core.live(aux)
      if type(argnum) == "table" then return g, aux end
      return g[1], aux
    end
  end

  --- value(x): the plain value of a traced number, array or table of them.
  function M.value(x)
    if tree.is_tree(x) then return tree.map(core.value, x) end
    return core.value(x)
  end

  --- stop_gradient(x): x as a constant for every level of differentiation.
  M.stop_gradient = M.value

  --- checkpoint(f): the same values and gradients, but the tape of the
  --- arguments' derivative keeps none of f's intermediates: f becomes one
  --- primitive whose rule re-runs f under grad in the backward pass.
  -- Sound only when f's result depends on the values traced at that level
  -- (or above) through its arguments alone.  f closing over such a value
  -- (a weight matrix differentiated with the input) is found by running f
  -- on the arguments' values: a result still traced at that level depended
  -- on something else, and f is then recorded as usual.
  function M.checkpoint(f)
    check_function("checkpoint", f)
    local calls = {} -- the checkpointed calls under way, innermost last
    local p = M.primitive(function(...)
      local call = calls[#calls]
      local out = f(...)
      if type(out) ~= "number" and not is_array(out) then
        error(("checkpoint: the function must return an array or a number, got %s"):format(describe(out)), 0)
      end
      if call then
        local level = core.trace_level(out)
        if level == nil or level >= call.level then
          call.closes_over = true
          error("checkpoint: f closes over a traced value", 0)
        end
      end
      return out
    end, "checkpoint")
    local makers = {}
    for k = 1, 64 do -- a primitive's most arguments
      makers[k] = function(_, ...)
        local xs, nin = { ... }, select("#", ...)
        return function(g)
          return M.grad(function(xk)
            local a = { unpack(xs, 1, nin) }
            a[k] = xk
            return np.sum(np.multiply(f(unpack(a, 1, nin)), g))
          end)(xs[k])
        end
      end
    end
    M.defvjp(p, unpack(makers))
    return function(...)
      local n = select("#", ...)
      for i = 1, n do
        local a = select(i, ...)
        if type(a) ~= "number" and not is_array(a) then
          raise(("checkpoint: argument %d must be an array or a number, got %s (pass other values through a closure)")
            :format(i, describe(a)))
        end
      end
      -- the level of the innermost derivative the arguments are traced on
      local level = 0
      for i = 1, n do
        local l = core.trace_level((select(i, ...)))
        if l == nil then -- an ad.jit recording: record as usual
          level = 0
          break
        end
        if l > level then level = l end
      end
      if level == 0 then return (f(...)) end -- nothing to keep off a tape
      local call = { level = level }
      calls[#calls + 1] = call
      local ok, out = pcall(p, ...)
      table.remove(calls)
      if ok then return out end
      if call.closes_over then return (f(...)) end
      error(out, 0)
    end
  end

  --- debug_nans(on): the first operation producing NaN or Inf (forward or
  --- backward) raises, naming it and the line of the caller.
  function M.debug_nans(on)
    if on == nil then on = true end
    return core.debug_nans(on and true or false)
  end

  ---------------------------------------------------------------------------
  -- check_grads: derivatives against central differences along random
  -- directions, in reverse mode, forward mode or both, to the given order.
  ---------------------------------------------------------------------------
  -- A private Park-Miller generator (exact in doubles): the directions are
  -- the same on every run and the user's math.random is left alone.
  local rng_state = 20261128
  local function uniform()
    rng_state = rng_state * 16807 % 2147483647
    return rng_state / 2147483647
  end
  local function normal_like(x)
    local function one()
      local u1, u2 = uniform(), uniform()
      return math.sqrt(-2 * math.log(1 - u1)) * math.cos(2 * math.pi * u2)
    end
    if type(x) == "number" then return one() end
    local r = np.zeros(x.shape, x.dtype) -- float32 stays float32: x + eps * u too
    local flat = np.reshape(r, -1)
    for i = 1, r.size do flat[i] = one() end
    return r
  end
  local function inner(a, b)
    local v = M.value(np.sum(np.multiply(a, b)))
    if is_array(v) then v = v:item() end
    return v
  end

  local function compare(mode, level, analytic, numeric, opts)
    local tol = opts.atol + opts.rtol * math.abs(numeric)
    if not (math.abs(numeric - analytic) <= tol) then
      -- abs drops a nan's sign, which Lua 5.4 would print as "-nan" (LuaJIT: "nan")
      if analytic ~= analytic then analytic = math.abs(analytic) end
      if numeric ~= numeric then numeric = math.abs(numeric) end
      error(("check_grads: %s-mode derivative of order %d doesn't match finite differences: "
               .. "analytic %.10g, numeric %.10g (difference %.3g > tolerance %.3g)")
        :format(mode, level, analytic, numeric, math.abs(numeric - analytic), tol), 0)
    end
  end

  -- fun: array/number -> array/number.  Checks along random u (input)
  -- and v (output); then the derivative functions themselves.
  local function check(fun, x, order, opts, level)
    local y = fun(x)
    local u, v = normal_like(x), normal_like(y)
    local eps = opts.eps
    local numeric = inner((fun(x + eps * u) - fun(x - eps * u)) / (2 * eps), v)
    local vjp_fun, jvp_fun
    if opts.rev then
      vjp_fun = function(z) return M.grad(function(w) return np.sum(np.multiply(fun(w), v)) end)(z) end
      compare("reverse", level, inner(vjp_fun(x), u), numeric, opts)
    end
    if opts.fwd then
      jvp_fun = function(z)
        local _, jv = M.make_jvp(fun)(z)(u)
        return jv
      end
      compare("forward", level, inner(jvp_fun(x), v), numeric, opts)
    end
    if order > 1 then
      if vjp_fun then check(vjp_fun, x, order - 1, opts, level + 1) end
      if jvp_fun then check(jvp_fun, x, order - 1, opts, level + 1) end
    end
  end

  local function has_float32(x)
    if tree.is_tree(x) then
      for _, k in ipairs(tree.keys_of(x)) do
        if has_float32(x[k]) then return true end
      end
      return false
    end
    return is_array(x) and x.dtype == "float32"
  end

  --- check_grads(f, {modes = {"rev", "fwd"}, order = 2, argnum})(x...):
  --- raises when f's derivatives disagree with finite differences.  The
  --- arguments (argnum's, or every number, array or table) are perturbed
  --- together, so derivatives across arguments are checked too.
  function M.check_grads(f, opts)
    check_function("check_grads", f)
    if opts ~= nil and type(opts) ~= "table" then
      raise(("check_grads: opts must be a table such as {modes = {\"rev\"}, order = 2}, got %s")
        :format(describe(opts)))
    end
    opts = opts or {}
    local cfg = {
      eps = opts.eps or 1e-6,
      rtol = opts.rtol or 1e-5,
      atol = opts.atol or 1e-6,
    }
    -- float32 arguments: a larger step and looser tolerances, as autograd
    -- and JAX use for float32 (central differences in float32 carry errors
    -- of about 1e-7 / eps)
    local cfg32 = {
      eps = opts.eps or 1e-3,
      rtol = opts.rtol or 1e-2,
      atol = opts.atol or 1e-3,
    }
    local order = opts.order or 2
    if not argcheck.is_whole(order) or order < 1 then
      raise(("check_grads: order must be a positive whole number, got %s"):format(argcheck.describe(order)))
    end
    local modes = opts.modes or { "rev", "fwd" }
    if type(modes) ~= "table" then
      raise(("check_grads: modes must be a table of \"rev\" and/or \"fwd\" (such as {\"rev\"}), got %s")
        :format(argcheck.describe(modes)))
    end
    for _, m in ipairs(modes) do
      if m ~= "rev" and m ~= "fwd" then
        raise(("check_grads: unknown mode %q (use \"rev\" and/or \"fwd\")"):format(tostring(m)))
      end
      cfg[m] = true
      cfg32[m] = true
    end
    if not (cfg.rev or cfg.fwd) then raise("check_grads: modes is empty: give \"rev\" and/or \"fwd\"") end
    local nums = opts.argnum ~= nil and U.argnums("check_grads", opts.argnum)
    return function(...)
      local n, args = select("#", ...), { ... }
      local ks, seen = {}, {}
      if nums then
        for _, num in ipairs(nums) do
          local k = position("check_grads", num, n)
          if not seen[k] then ks[#ks + 1], seen[k] = k, true end
        end
      else
        for k = 1, n do
          local a = args[k]
          if type(a) == "number" or is_array(a) or tree.is_tree(a) then ks[#ks + 1] = k end
        end
      end
      if #ks == 0 then
        error("check_grads: no argument to check: f was called with no number, array or table", 0)
      end
      -- one argument as it is; several as one table, flattened, so that
      -- the directions move them all at once
      local x, form, place
      if #ks == 1 then
        x, form = as_variable("check_grads", args[ks[1]])
        place = function(b, z) b[ks[1]] = form(z) end
      else
        local chosen = {}
        for i, k in ipairs(ks) do chosen[i] = args[k] end
        x, form = tree.flatten_as("check_grads", chosen)
        place = function(b, z)
          local parts = form(z)
          for i, k in ipairs(ks) do b[k] = parts[i] end
        end
      end
      local fk = function(z)
        local b = { unpack(args, 1, n) }
        place(b, z)
        local out = f(unpack(b, 1, n))
        if tree.is_tree(out) then out = tree.flatten(out) end
        return out
      end
      local float32 = false
      for _, k in ipairs(ks) do float32 = float32 or has_float32(args[k]) end
      check(fk, x, order, float32 and cfg32 or cfg, 1)
      return true
    end
  end
end
