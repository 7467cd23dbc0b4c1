-- adlua.operators: jacobian, hessian, make_vjp, make_jvp (forward mode),
-- hessian_vector_product, grad_and_aux, stop_gradient, checkpoint, value,
-- debug_nans and check_grads, installed into the adlua table by init.lua.
--
-- Jacobians never re-run the user's function per output element: one
-- forward pass records a tape, which is then swept once per output element
-- (reverse) or, through a second tape that records the first sweep with a
-- symbolic seed u, once per input element (forward: the sweep is linear in
-- u, and sweeping it back gives J v).  The cheaper side is chosen by shape.
-- Forward mode (make_jvp) runs f on a forward trace, where each operation
-- computes its tangent by its forward rule (core/jvp.c); see
-- docs/operators.md.
local core = require "adlua.core"
local np = require "adlua.numpy"
local tree = require "adlua.tree"
local check = require "adlua.argcheck"

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

return function(M, grad_as)
  local function check_function(fname, f)
    local mt = getmetatable(f)
    if type(f) ~= "function" and not (mt and mt.__call) then
      error(("%s: expected a function, got a %s"):format(fname, type(f)), 3)
    end
  end

  local function check_argnum(fname, argnum, n)
    argnum = argnum or 1
    if type(argnum) ~= "number" or argnum ~= math.floor(argnum) or argnum < 1 or argnum > n then
      error(("%s: argnum %s is out of range: the function was called with %d argument%s")
        :format(fname, tostring(argnum), n, n == 1 and "" or "s"), 0)
    end
    return argnum
  end

  -- The differentiated argument as a number or an array, and the form to
  -- give the traced value inside f and the gradients (tables: flattened).
  local function as_variable(fname, x)
    if tree.is_tree(x) then
      local vector, unflatten = tree.flatten(x)
      return vector, unflatten
    end
    if type(x) ~= "number" and not is_array(x) then
      error(("%s: the argument to differentiate must be a number, an array or a table of them, got a %s")
        :format(fname, type(x)), 0)
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
        :format(fname, y == nil and "nothing" or "a " .. type(y)), 0)
    end
  end

  -- Ends traces (in order) whatever happens in body; rethrows its error.
  local function with_traces(traces, body)
    local function finish(ok, ...)
      for i = #traces, 1, -1 do core.trace_end(traces[i]) end
      if not ok then error((...), 0) end
      return ...
    end
    return finish(pcall(body))
  end

  --- jacobian(f, argnum): the function returning the Jacobian of f with
  --- respect to argument argnum, of shape (output shape .. input shape).
  function M.jacobian(f, argnum)
    check_function("jacobian", f)
    return function(...)
      local n, args = select("#", ...), { ... }
      local k = check_argnum("jacobian", argnum, n)
      local x, form = as_variable("jacobian", args[k])
      local t1 = core.trace_begin() -- records the sweep of t2 (forward side)
      local t2 = core.trace_begin()
      local jac = with_traces({ t1, t2 }, function()
        local y, box = traced_call(t2, f, args, n, k, x, form)
        check_output("jacobian", y)
        local yshape, xshape = shape_of(y), shape_of(x)
        local m, nx = size_of(y), size_of(x)
        local jshape = concat_shapes(yshape, xshape)
        if m == 0 or nx == 0 or not core.on_trace(t2, y) then return np.zeros(jshape) end
        local parts = {}
        if m <= nx then
          -- reverse: one sweep of the same tape per output element
          local rows = core.trace_rows(t2, y, box) -- the loop in C, when nothing records it
          if rows then return np.reshape(rows, jshape) end
          local seed = units(yshape, m)
          for i = 1, m do
            core.trace_zero_grads(t2)
            core.trace_sweep(t2, y, seed(i))
            parts[i] = core.trace_grad(t2, box)
          end
          return assemble(parts, jshape)
        end
        -- forward: gx = J^T u recorded on t1, then one sweep of t1 per input
        local u = core.trace_leaf(t1, seed_value(yshape))
        core.trace_sweep(t2, y, u)
        local gx = core.trace_grad(t2, box)
        core.trace_end(t2)
        if is_array(gx) then
          local rows = core.trace_rows(t1, gx, u)
          if rows then return np.reshape(np.transpose(rows), jshape) end
        end
        local seed = units(xshape, nx)
        for j = 1, nx do
          core.trace_zero_grads(t1)
          core.trace_sweep(t1, gx, seed(j))
          parts[j] = core.trace_grad(t1, u)
        end
        return np.reshape(np.transpose(assemble(parts, { nx, m })), jshape)
      end)
      -- rows of the Jacobian are gradients with respect to x: x's dtype
      if is_array(x) and is_array(jac) and jac.dtype ~= x.dtype then jac = core.astype(jac, x.dtype) end
      return jac
    end
  end

  --- hessian(f, argnum): the Jacobian of the gradient: one evaluation of f
  --- and of its gradient, then one sweep per input element.
  function M.hessian(f, argnum)
    check_function("hessian", f)
    return M.jacobian(grad_as("hessian", f, argnum), argnum)
  end

  --- make_vjp(f, argnum)(x...): vjp, value; vjp(g) is g^T J, as often as
  --- wanted, from one forward pass.
  function M.make_vjp(f, argnum)
    check_function("make_vjp", f)
    return function(...)
      local n, args = select("#", ...), { ... }
      local k = check_argnum("make_vjp", argnum, n)
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
      local guard = on_collect(function() core.trace_end(t) end)
      local function vjp(g)
        local _ = guard
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
    return function(...)
      local n, args = select("#", ...), { ... }
      local k = check_argnum("make_jvp", argnum, n)
      local x, form = as_variable("make_jvp", args[k])
      return function(v)
        if tree.is_tree(v) then v = tree.flatten(v) end
        if type(v) ~= "number" and not is_array(v) then
          error(("make_jvp: the tangent must be a number, an array or a table like the argument, got a %s")
            :format(type(v)), 2)
        end
        local xs, vs = shape_of(x), shape_of(v)
        if table.concat(xs, ",") ~= table.concat(vs, ",") then
          error(("make_jvp: the tangent has shape %s but the argument has shape %s")
            :format(check.shape_str(vs), check.shape_str(xs)), 2)
        end
        local t = core.trace_begin_forward()
        return with_traces({ t }, function()
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
    check_function("hessian_vector_product", f)
    return function(...)
      local n = select("#", ...)
      local args = { ... }
      local v = args[n]
      local k = check_argnum("hessian_vector_product", argnum, n - 1)
      local vv = tree.is_tree(v) and tree.flatten(v) or v
      local g = grad_as("hessian_vector_product", f, k)
      local function gv(...)
        local gi = g(...)
        if tree.is_tree(gi) then gi = tree.flatten(gi) end
        return np.sum(np.multiply(gi, vv))
      end
      return grad_as("hessian_vector_product", gv, k)(unpack(args, 1, n - 1))
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

  --- checkpoint(f): the same values and gradients, but the backward pass
  --- recomputes f instead of keeping its intermediates (f takes arrays or
  --- numbers and returns one array or number).
  function M.checkpoint(f)
    check_function("checkpoint", f)
    local p = M.primitive(f, "checkpoint")
    local makers = {}
    for k = 1, 16 do
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
    return p
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

  --- check_grads(f, {modes = {"rev", "fwd"}, order = 2})(x...): raises when
  --- f's derivatives disagree with finite differences; checks each argument.
  function M.check_grads(f, opts)
    check_function("check_grads", f)
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
    for _, m in ipairs(opts.modes or { "rev", "fwd" }) do
      if m ~= "rev" and m ~= "fwd" then
        error(("check_grads: unknown mode %q (use \"rev\" and/or \"fwd\")"):format(tostring(m)), 2)
      end
      cfg[m] = true
      cfg32[m] = true
    end
    return function(...)
      local n, args = select("#", ...), { ... }
      for k = 1, n do
        local a = args[k]
        if type(a) == "number" or is_array(a) or tree.is_tree(a) then
          local x, form = as_variable("check_grads", a)
          local fk = function(z)
            local b = { unpack(args, 1, n) }
            b[k] = form(z)
            local out = f(unpack(b, 1, n))
            if tree.is_tree(out) then out = tree.flatten(out) end
            return out
          end
          check(fk, x, order, is_array(x) and x.dtype == "float32" and cfg32 or cfg, 1)
        end
      end
      return true
    end
  end
end
