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

return function(M)
  local rules = setmetatable({}, { __mode = "k" }) -- primitive -> {vjp = {}, jvp = {}}

  --- primitive(fn, name): fn as a differentiable operation whose rules are
  --- given by defvjp/defjvp; its arguments are arrays or numbers (pass other
  --- settings through a closure) and it returns one array or number.
  function M.primitive(fn, name)
    if type(fn) ~= "function" then
      error(("primitive: expected a function, got a %s"):format(type(fn)), 2)
    end
    if name ~= nil and type(name) ~= "string" then
      error(("primitive: the name must be a string, got a %s"):format(type(name)), 2)
    end
    name = name or "primitive"
    local entry = { vjp = {}, jvp = {}, name = name }
    local function rule(k, g, ans, ...)
      local maker = entry.vjp[k]
      if maker then return maker(ans, ...)(g) end
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
          error(("%s: argument %d must be an array or a number, got a %s"):format(name, i, type(a)), 2)
        end
      end
      return core.custom_apply(handle, ...)
    end
    rules[p] = entry
    return p
  end

  local function entry_of(fname, p)
    local e = rules[p]
    if not e then error(("%s: the first argument must be a function made by ad.primitive"):format(fname), 3) end
    return e
  end

  --- defvjp(p, maker1, maker2, ...): maker_k(ans, x1, ...) returns
  --- function(g) giving the gradient with respect to argument k (nil skips).
  function M.defvjp(p, ...)
    local e = entry_of("defvjp", p)
    for k = 1, select("#", ...) do
      local maker = select(k, ...)
      if maker ~= nil then e.vjp[k] = maker end
    end
    return p
  end

  --- defjvp(p, jvp1, jvp2, ...): jvp_k(g, ans, x1, ...) gives the output's
  --- tangent for argument k's tangent g (nil skips).
  function M.defjvp(p, ...)
    local e = entry_of("defjvp", p)
    for k = 1, select("#", ...) do
      local jvp = select(k, ...)
      if jvp ~= nil then e.jvp[k] = jvp end
    end
    return p
  end
end
