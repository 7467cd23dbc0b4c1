-- Scalar boxes (lua/adlua/scalar.lua): an outermost grad of a number gives
-- its function a box whose one-number results are recorded on a tape in
-- Lua.  Everything must be what array boxes give: the same values and
-- derivatives (to rounding), the same 0-d array behaviour, the same errors,
-- and every other operation through an array box of the same gradient.

local h = require "tests.lua.helpers"
local ad = require "adlua"
local np = require "adlua.numpy"
local scalar = require "adlua.scalar"

local unpack = table.unpack or unpack

local function pack(...) return { n = select("#", ...), ... } end

-- Numbers (or arrays) a and b agree to `tol` relative, NaNs matching NaNs.
local function same(a, b, tol, what)
  if type(a) ~= "number" or type(b) ~= "number" then
    h.assert_array(a, h.flat(b), tol or 1e-14, what)
    return
  end
  if a ~= a or b ~= b then
    assert(a ~= a and b ~= b, ("%s: %s against %s"):format(what or "value", tostring(a), tostring(b)))
    return
  end
  if a == b then return end
  local scale = math.max(math.abs(a), math.abs(b))
  assert(math.abs(a - b) <= (tol or 1e-14) * scale,
    ("%s: %.17g with scalar boxes, %.17g with array boxes"):format(what or "value", a, b))
end

-- op(f)(...) with scalar boxes and with array boxes: the same results.
local function agree(op, f, args, what, tol)
  local with_scalars = pack(op(f)(unpack(args)))
  local with_arrays = pack(h.with_array_boxes(op(f), unpack(args)))
  assert.equal(with_arrays.n, with_scalars.n)
  for i = 1, with_arrays.n do
    same(with_scalars[i], with_arrays[i], tol, ("%s, result %d"):format(what, i))
  end
  return unpack(with_scalars, 1, with_scalars.n)
end

-- Whether f sees a scalar box when differentiated by grad at x.
local function sees_box(x, wrap)
  local seen
  local f = function(v) seen = scalar.is_box(v) return v * 2 end
  ;(wrap or ad.grad)(f)(x)
  return seen
end

-- Points inside each unary function's domain: x maps into it.
local DOMAIN = {
  log = function(x) return x * x + 0.5 end, log1p = function(x) return x * x end,
  sqrt = function(x) return x * x + 0.25 end, log2 = function(x) return x * x + 0.5 end,
  log10 = function(x) return x * x + 0.5 end, arcsin = function(x) return x * 0.5 end,
  arccos = function(x) return x * 0.5 end, arctanh = function(x) return x * 0.5 end,
  arccosh = function(x) return x * x + 1.5 end,
}
local UNARY = { "negative", "exp", "log", "log1p", "sqrt", "sin", "cos", "tan", "tanh", "abs",
  "square", "expm1", "log2", "log10", "arcsin", "arccos", "arctan", "exp2", "sinh", "cosh",
  "arcsinh", "arccosh", "arctanh" }

describe("scalar boxes", function()
  it("are what grad of a number gives an outermost function", function()
    assert.is_true(sees_box(0.5))
    assert.is_true(sees_box(0.5, ad.value_and_grad))
    assert.is_true(sees_box(0.5, ad.elementwise_grad))
    assert.is_false(sees_box(np.array({ 0.5 })))            -- an array: array boxes
    assert.is_false(h.with_array_boxes(sees_box, 0.5))      -- switched off
    local inner
    ad.grad(function(x) inner = sees_box(2.0) return x end)(1.0) -- a nested grad
    assert.is_false(inner)
    local was = ad.debug_nans(true)                         -- debug_nans names operations
    local ok, seen = pcall(sees_box, 0.5)
    ad.debug_nans(was)
    assert.is_true(ok)
    assert.is_false(seen)
  end)

  it("give every unary function's value and derivative, to any order", function()
    for _, name in ipairs(UNARY) do
      local to = DOMAIN[name] or function(x) return x end
      local f = function(x) return np[name](to(x * 0.7 + 0.1)) * x end
      for _, x0 in ipairs({ 0.3, -0.45, 1.2 }) do
        agree(ad.value_and_grad, f, { x0 }, name)
        agree(function(g) return ad.grad(ad.grad(g)) end, f, { x0 }, name .. "''", 1e-13)
      end
    end
  end)

  it("give + - * / ^ between boxes and numbers in either order", function()
    local cases = {
      function(x, y) return x + y, 2 + x, x + 2 end,
      function(x, y) return x - y, 2 - x, x - 2 end,
      function(x, y) return x * y, 2 * x, x * 2 end,
      function(x, y) return x / y, 2 / x, x / 2 end,
      function(x, y) return x ^ y, 2 ^ x, x ^ 3, x ^ 0.5, x ^ -1 end,
      function(x) return -x, -(-x) end,
    }
    for i, c in ipairs(cases) do
      local f = function(x, y)
        local s = 0
        for _, r in ipairs({ c(x, y) }) do s = s + r * r end
        return s
      end
      for _, at in ipairs({ { 1.3, 0.7 }, { 0.4, -2.5 }, { 2.0, 2.0 } }) do
        agree(function(g) return ad.value_and_grad(g, { 1, 2 }) end, f, at, "case " .. i)
        agree(function(g) return ad.grad(ad.grad(g)) end, f, at, "case " .. i .. "''", 1e-13)
      end
    end
  end)

  it("keep the array rules' values at the edges: x^0 and x^1 at 0, abs at 0, 0^y", function()
    assert.equal(0, ad.grad(function(x) return x ^ 0 end)(0.0))
    assert.equal(1, ad.grad(function(x) return x ^ 1 end)(0.0))
    assert.equal(0, ad.grad(ad.grad(function(x) return x ^ 1 end))(0.0))
    assert.equal(0, ad.grad(function(x) return np.abs(x) end)(0.0))
    assert.equal(0, ad.grad(function(y) return 0 ^ y end)(2.0))
    agree(ad.grad, function(x) return x / 0 + 1 / x end, { 0.0 }, "division by zero")
    agree(ad.grad, function(x) return np.log(x) end, { -1.0 }, "log of a negative")
    agree(ad.grad, function(x) return np.sqrt(x) end, { 0.0 }, "sqrt at 0")
  end)

  it("mix with arrays and the rest of np: one gradient through both", function()
    local fs = {
      function(x) return np.sum(np.array({ x, x * x, 3 }) * np.arange(3)) + x end,
      function(x) return np.dot(np.ones(3) * x, np.arange(3) + x) * np.tanh(x) end,
      function(x) return np.sum(np.arange(4) * x) * x end,    -- the array on the left
      function(x) return np.maximum(x, 0.5) * x + np.minimum(x * x, 1) end,
      function(x) return (x:exp() + x:sin()) * x end,          -- methods
      function(x) return ad.stop_gradient(x) * x + np.sum(np.reshape(x * 2, { 1, 1 })) end,
      function(x) return np.exp(np.array({ x, 2 * x })):sum() * x end,
      function(x) local v = np.array({ x, 1 }) return np.sum(v * v) + x * x end,
      function(x) return np.linalg.norm(np.array({ x, 2 })) * np.exp(x) end,
      function(x) return np.where(np.array({ 1, 0 }), x * np.ones(2), x * x):sum() end,
      function(x) return np.array({ x })[1] * x end,
    }
    for i, f in ipairs(fs) do
      for _, x0 in ipairs({ 0.3, 1.7 }) do
        agree(ad.value_and_grad, f, { x0 }, "function " .. i, 1e-13)
        agree(function(g) return ad.grad(ad.grad(g)) end, f, { x0 }, "function " .. i .. "''", 1e-12)
      end
    end
  end)

  it("nest: grad of grad, a closed-over box in an inner grad, hvp, check_grads", function()
    assert.equal(6, ad.grad(function(x) return x * ad.grad(function(y) return x * y end)(2) end)(3.0))
    local quartic = function(x) return x * x * x * x end
    assert.near(24 * 1.5, ad.grad(ad.grad(ad.grad(quartic)))(1.5), 1e-12)
    agree(ad.grad, function(x)
      local inner = ad.grad(function(y) return np.sin(x * y) * x end)
      return inner(x * 2) + inner(0.5)
    end, { 0.7 }, "closure")
    agree(ad.hessian_vector_product, function(x) return np.exp(x) * x end, { 0.3, 2.0 }, "hvp")
    ad.check_grads(function(x) return np.tanh(x * x) / (1 + x) end, { modes = { "rev", "fwd" }, order = 2 })(0.6)
    agree(ad.grad, function(x)
      return ad.make_jvp(function(y) return np.sin(y) * x end)(x)(1.0) * x
    end, { 0.9 }, "forward mode inside")
  end)

  it("reach the other operators: primitives, checkpoint, jacobian, optimizers", function()
    local cube = ad.primitive(function(x) return x * x * x end)
    ad.defvjp(cube, function(_, x) return function(g) return g * 3 * x * x end end)
    agree(ad.value_and_grad, function(x) return cube(x * 2) + x end, { 0.7 }, "primitive")
    local layer = ad.checkpoint(function(y) return np.tanh(y * 3) * y end)
    agree(ad.value_and_grad, function(x) return layer(x) * x end, { 0.4 }, "checkpoint")
    agree(ad.grad, function(x) return np.sum(ad.jacobian(function(y) return y * np.arange(3) end)(x)) * x end,
      { 0.4 }, "jacobian inside")
    local sgd = function(f) return function(x0)
      return (require("adlua.optim").sgd(ad.grad(f), x0, { num_iters = 200, step_size = 0.1 }))
    end end
    assert.near(3, agree(sgd, function(v) return (v - 3) ^ 2 end, { 0.0 }, "sgd"), 1e-4)
  end)

  it("take several arguments, repeated ones, and give numbers", function()
    local f = function(a, b, c) return a * np.exp(b) - c / a end
    local ga, gc = agree(function(g) return ad.grad(g, { 1, 3 }) end, f, { 1.5, 0.2, 3.0 }, "argnum {1, 3}")
    assert.equal("number", type(ga))
    assert.equal("number", type(gc))
    agree(function(g) return ad.grad(g, -1) end, f, { 1.5, 0.2, 3.0 }, "argnum -1")
    agree(function(g) return ad.grad(g, { 2, 2 }) end, f, { 1.5, 0.2, 3.0 }, "argnum {2, 2}")
    agree(function(g) return ad.grad(g, { 1, 2 }) end, f, { 1.5, np.array({ 0.2 }), 3.0 }, "an array argument")
    local g, aux = ad.grad_and_aux(function(x) return x * x, { twice = x * 2 } end)(3.0)
    assert.equal(6, g)
    assert.equal(6, ad.value(aux.twice))
  end)

  it("give zero for a function that does not depend on its argument", function()
    assert.equal(0, ad.grad(function() return 4 end)(1.0))
    assert.equal(0, ad.grad(function() return np.ones(1) end)(1.0))
    local v, g = ad.value_and_grad(function(x) return np.sum(np.ones(2)) + ad.value(x) end)(1.0)
    assert.equal(3, v)
    assert.equal(0, g)
  end)

  it("behave as 0-d arrays: properties, printing, methods, errors", function()
    local function look(x)
      local y = x * 2
      local r = {
        shape = y.shape, ndim = y.ndim, size = y.size, dtype = y.dtype, text = tostring(y),
        value = ad.value(y), item = y:item(), sum = ad.value(y:sum()), T = ad.value(y.T),
        is_array = h.is_array(y), same = y == y, equal_number = y == 3,
      }
      for _, k in ipairs({ "len", "index", "assign", "less" }) do
        local ok, msg = pcall(({
          len = function() return #y end, index = function() return y[1] end,
          assign = function() y[1] = 0 end, less = function() return y < 1 end,
        })[k])
        r[k] = not ok and tostring(msg):gsub("^.-:%d+: ", ""):match("^[^:]*") or msg
      end
      return r
    end
    local with_scalars, with_arrays
    ad.grad(function(x) with_scalars = look(x) return x end)(1.5)
    h.with_array_boxes(ad.grad(function(x) with_arrays = look(x) return x end), 1.5)
    -- < is refused by both, in the words of the Lua at hand
    assert.matches("^attempt to compare ", with_scalars.less)
    assert.matches("^attempt to compare ", with_arrays.less)
    with_scalars.less, with_arrays.less = nil, nil
    -- LuaJIT does not ask a table's __len: there # of a scalar box is 0
    -- where an array box raises (docs/architecture.md, "Scalar boxes")
    assert.equal("len", with_arrays.len)
    if jit then assert.equal(0, with_scalars.len) else assert.equal("len", with_scalars.len) end
    with_scalars.len, with_arrays.len = nil, nil
    assert.same(with_arrays, with_scalars)
  end)

  it("are arrays, not tables, to every reader of shapes, axes, options and indices", function()
    local uses = {
      function(x) return np.sum(np.ones(x)) * x end,           -- a shape
      function(x) return np.sum(np.zeros({ x, 2 })) * x end,   -- a shape's entry
      function(x) return np.sum(np.ones(3), x) * x end,        -- an axis
      function(x) return np.sum(np.reshape(np.ones(4), x)) end,
      function(x) return np.arange(4)[x] * x end,              -- an index
      function(x) return np.ones({ 2, 2 })[{ x, 1 }] * x end,  -- an index table's entry
      function(x) return np.concatenate(x) end,                -- a list of arrays
      function(x) return np.mean(np.ones(3), { axis = x }) end, -- an option's value
      function(x) return np.sum(np.squeeze(np.ones({ 1, 3 }), x)) * x end, -- Lua readers too
      function(x) return np.sum(np.split(np.arange(4), x)[1]) * x end,
      function(x) return np.round(x * 1.26, x) end,
      function(x) return np.linalg.norm(np.ones({ 2, 2 }), 2, x) * x end,
      function(x) return np.sum(np.tensordot(np.ones({ 2, 2 }), np.ones({ 2, 2 }), { x, 1 })) * x end,
    }
    for i, f in ipairs(uses) do
      local ok1, r1 = pcall(ad.grad(f), 2.0)
      local ok2, r2 = pcall(h.with_array_boxes, ad.grad(f), 2.0)
      assert.equal(ok2, ok1, "use " .. i)
      if ok1 then same(r1, r2, 1e-15, "use " .. i) else assert.equal(r2, r1, "use " .. i) end
    end
  end)

  it("stand for their numbers once their gradient is over", function()
    local kept
    local g = ad.grad(function(x) kept = x * 2 return np.sin(kept) end)(0.5)
    assert.near(2 * math.cos(1), g, 1e-15)
    assert.equal(2, kept + 1)
    assert.equal(2, ad.value(kept * 2))
    assert.equal(1, ad.value(kept))
    assert.equal("1.0", tostring(kept))
    h.assert_array(kept * np.ones(2), { 1, 1 })
    assert.equal(math.exp(1), np.exp(kept))
    assert.equal(0, ad.grad(function() return kept * 3 end)(1.0))  -- a constant to a later grad
    assert.equal(3, ad.grad(function(x) return kept * 3 * x end)(1.0))
  end)

  it("end with an error in the function, and the next grad is whole", function()
    local kept
    local ok, msg = pcall(ad.grad(function(x) kept = x * 3 error("boom", 0) end), 1.5)
    assert.is_false(ok)
    assert.equal("boom", msg)
    assert.equal(4.5, ad.value(kept))
    assert.equal(5.5, kept + 1)
    assert.equal(2, ad.grad(function(x) return x * 2 end)(1.0))
    h.assert_error_matches(function() ad.grad(function() end)(1.0) end, { "grad: the function returned nothing" })
    h.assert_error_matches(function() ad.grad(function(x) return { x } end)(1.0) end,
      { "grad: the function must return a number or an array, got a table" })
  end)

  it("run long chains as array boxes do (W3's)", function()
    local chain = function(x)
      local y = x
      for _ = 1, 3000 do y = np.tanh(y * 1.0001 + 0.01) end
      return y
    end
    local v, g = agree(ad.value_and_grad, chain, { 0.5 }, "chain", 1e-13)
    assert.equal(chain(0.5), v)
    assert.is_true(g > 0)
    local jitted = ad.jit(ad.grad(chain))                  -- a recording: array boxes
    same(g, h.val(jitted(np.array({ 0.5 }))), 1e-13, "ad.jit")
  end)

  it("leak nothing", function()
    h.assert_live_steady(function()
      local kept
      ad.grad(function(x)
        kept = x * 2
        return np.sum(np.array({ x, kept }) * np.ones(2)) + np.tanh(x)
      end)(0.3)
      local _ = kept * np.ones(3)
      pcall(ad.grad(function(x) return np.array({ x }) + error("boom") end), 1.0)
    end, 3)
  end)
end)
