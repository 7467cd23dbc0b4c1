-- adlua.custom: a user's own differentiable operations (autograd's
-- primitive / defvjp / defjvp), installed into the adlua table by init.lua.
--
-- primitive(fn) makes fn one operation of the tracer (core/custom.c): its
-- arguments are unboxed, fn runs on plain values, and the result is
-- recorded with a rule that calls back into Lua.  The rule of argument k is
-- the user's vjp maker, maker_k(ans, x1, ..., xn)(g); without one, the
-- user's jvp rule jvp_k(g, ans, x1, ..., xn) is transposed by reverse mode
-- (it is linear in g).  Forward mode (make_jvp) uses the jvp rule, and
-- without one transposes the vjp maker.  Rules are written with adlua's
-- traced operations, so they compose to any order.
local core = require "adlua.core"
local np = require "adlua.numpy"

local unpack = unpack or table.unpack

local function callable(f)
  local mt = getmetatable(f)
  return type(f) == "function" or (mt ~= nil and mt.__call ~= nil)
end

return function(M, U)
  U.own_source(1)
  local raise, describe = U.raise, U.describe
  local rules = setmetatable({}, { __mode = "k" }) -- primitive -> {vjp = {}, jvp = {}}

  --- primitive(fn, name): fn as a differentiable operation whose rules are
  --- given by defvjp/defjvp; its arguments are arrays or numbers (pass other
  --- settings through a closure) and it returns one array or number.
  function M.primitive(fn, name)
    if type(fn) ~= "function" then
      raise(("primitive: expected a function, got %s"):format(describe(fn)))
    end
    if name ~= nil and type(name) ~= "string" then
      raise(("primitive: the name must be a string, got %s"):format(describe(name)))
    end
    name = name or "primitive"
    local entry = { vjp = {}, jvp = {}, name = name }
    local function rule(k, g, ans, ...)
      local maker = entry.vjp[k]
      if maker then
        local vjp = maker(ans, ...)
        if not callable(vjp) then
          error(("%s: the vjp maker for argument %d must return a function(g), returned %s")
            :format(name, k, describe(vjp)), 0)
        end
        return vjp(g)
      end
      local jvp = entry.jvp[k]
      if jvp then
        local xs, n = { ... }, select("#", ...)
        -- jvp is linear in its tangent, so its transpose is the gradient
        -- at any tangent; not at zero, where a rule may skip its work (as
        -- autograd's own rules do with `if anp.any(g)`) and lose its terms
        local at = 1
        if type(xs[k]) ~= "number" then
          local size = math.max(xs[k].size, 1)
          at = np.reshape(2 + np.cos(np.arange(1, size + 1)), xs[k].shape)
        end
        return M.grad(function(v)
          return np.sum(np.multiply(jvp(v, ans, unpack(xs, 1, n)), g))
        end)(at)
      end
      error(("%s: no derivative rule for argument %d (give one with ad.defvjp or ad.defjvp)")
        :format(name, k), 0)
    end
    -- forward mode: the user's jvp rule for argument k, or nil (the core
    -- then transposes the reverse rule)
    local function jvp_rule(k, t, ans, ...)
      local jvp = entry.jvp[k]
      if jvp then return jvp(t, ans, ...) end
      return nil
    end
    local handle = core.custom_new(name, fn, rule, jvp_rule)
    local is_array = core.is_array
    local p = function(...)
      for i = 1, select("#", ...) do
        local a = select(i, ...)
        if type(a) ~= "number" and not is_array(a) then
          raise(("%s: argument %d must be an array or a number, got %s"):format(name, i, describe(a)))
        end
      end
      return core.custom_apply(handle, ...)
    end
    rules[p] = entry
    return p
  end

  local function entry_of(fname, p)
    local e = rules[p]
    if not e then raise(("%s: the first argument must be a function made by ad.primitive"):format(fname)) end
    return e
  end

  -- The rules given to defvjp/defjvp: functions or nil, checked now
  -- rather than when a sweep first needs them.
  local function set_rules(fname, what, p, into, ...)
    for k = 1, select("#", ...) do
      local r = select(k, ...)
      if r ~= nil and not callable(r) then
        raise(("%s: the %s for argument %d of %s must be a function or nil, got %s")
          :format(fname, what, k, rules[p].name, describe(r)))
      end
    end
    for k = 1, select("#", ...) do
      local r = select(k, ...)
      if r ~= nil then into[k] = r end
    end
    return p
  end

  --- defvjp(p, maker1, maker2, ...): maker_k(ans, x1, ...) returns
  --- function(g) giving the gradient with respect to argument k (nil skips).
  function M.defvjp(p, ...)
    return set_rules("defvjp", "vjp maker", p, entry_of("defvjp", p).vjp, ...)
  end

  --- defjvp(p, jvp1, jvp2, ...): jvp_k(g, ans, x1, ...) gives the output's
  --- tangent for argument k's tangent g (nil skips).
  function M.defjvp(p, ...)
    return set_rules("defjvp", "jvp rule", p, entry_of("defjvp", p).jvp, ...)
  end
end
