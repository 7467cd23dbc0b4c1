-- The short paths for small float64 boxes (core/trace.c adl_apply_scalar
-- and small_elementwise): a box and a number under + - * /, and
-- elementwise functions of small contiguous values, skip the general
-- path's layers.  They must give the general path's values to the bit and
-- the same gradients, and leave every other case to it.

local h = require "tests.lua.helpers"
local each = require "adlua.each" -- pairs, safe from Debian 12's LuaJIT (docs/luajit.md)
local np = require "adlua.numpy"
local ad = require "adlua"

-- bit-for-bit equality of two numbers (nan equals nan; -0 is not 0)
local function same_number(a, b)
  if a ~= a then return b ~= b end
  return a == b and 1 / a == 1 / b
end

-- of two arrays or numbers, with the same shape and dtype
local function same(a, b)
  if type(a) == "number" or type(b) == "number" then
    return type(a) == type(b) and same_number(a, b)
  end
  if a.dtype ~= b.dtype or not np.array_equal(np.array(a.shape), np.array(b.shape)) then return false end
  local fa, fb = np.ravel(a), np.ravel(b)
  for i = 1, fa.size do
    if not same_number(fa[i], fb[i]) then return false end
  end
  return true
end

-- f applied inside a trace, its value taken out, against f on plain arrays
local function traced_value(f, x)
  local v
  ad.grad(function(b) v = ad.value(f(b)); return np.sum(b) end)(x)
  return v
end

local OPS = {
  ["x + s"] = function(x, s) return x + s end, ["s + x"] = function(x, s) return s + x end,
  ["x - s"] = function(x, s) return x - s end, ["s - x"] = function(x, s) return s - x end,
  ["x * s"] = function(x, s) return x * s end, ["s * x"] = function(x, s) return s * x end,
  ["x / s"] = function(x, s) return x / s end, ["s / x"] = function(x, s) return s / x end,
}

describe("small boxes and numbers", function()
  local inputs = {
    np.array(0.7), np.array({ 1.5, -0.25, 3 }), np.array({ { 0.1, 2 }, { -3, 1e-300 } }),
    np.array({ 0, -0.0, 1 / 0, -1 / 0, 0 / 0 }),
  }
  for name, op in each(OPS) do
    it(name .. " gives the plain computation's bits", function()
      for _, x in ipairs(inputs) do
        for _, s in ipairs({ 0.1, -3, 1e308, 0 }) do
          local want = op(x, s)
          local got = traced_value(function(b) return op(b, s) end, x)
          assert.is_true(same(want, got), name .. " with s = " .. s)
        end
      end
    end)
  end

  it("differentiates as the general path does", function()
    local x = np.array({ 0.5, -2, 4 })
    local function f(b) return np.sum((3 - b) * 2 + 1 / b - b / 4 + 5 * b) end
    local g = ad.grad(f)(x)
    -- d/db: -2 - 1/b^2 - 1/4 + 5
    local want = {}
    for i, b in ipairs({ 0.5, -2, 4 }) do want[i] = -2 - 1 / (b * b) - 0.25 + 5 end
    h.assert_array(g, want, 1e-12)
    -- second order through the same steps
    local d2 = ad.grad(ad.grad(function(b) return (b * 3 - 1) / 2 * b end))(1.5)
    assert.near(3, d2, 1e-12)
    -- and with debug_nans on (the general path) the same bits
    local before = ad.debug_nans(true)
    local g2 = ad.grad(f)(x)
    ad.debug_nans(before)
    assert.is_true(same(g, g2))
  end)

  it("shares a constant between nodes only when its bits are the same", function()
    -- a trace reuses the 0-d array of its latest `* number` or `/ number`
    -- for the next one with the same number (core/trace.c trace_constant)
    local function chain(b)
      local y = b
      for _, c in ipairs({ 2, 2, 3, 2, 0.5, 0.5 }) do y = y * c end
      for _, c in ipairs({ 4, 4, 2 }) do y = y / c end
      return y
    end
    h.assert_array(ad.grad(function(b) return np.sum(chain(b)) end)(np.array({ 1, -2 })),
                   { 6 / 32, 6 / 32 }, 0)
    -- 0 and -0 are equal numbers but different constants
    local g = ad.grad(function(b) local _ = b * 0.0; return b * -0.0 end)(1.5)
    assert.is_true(same_number(-0.0, g), "d/db b * -0 is -0")
    g = ad.grad(function(b) local _ = b * -0.0; return b * 0.0 end)(1.5)
    assert.is_true(same_number(0.0, g), "d/db b * 0 is 0")
    g = ad.grad(function(b) return b * (0 / 0) + b * (0 / 0) end)(1.5)
    assert.is_true(g ~= g)
    -- second order through shared constants
    assert.near(12, ad.grad(ad.grad(function(b) return b * 3 * b * 2 end))(0.7), 1e-12)
  end)

  it("lets go of the shared constant with the trace", function()
    h.assert_live_steady(function()
      return ad.grad(function(b)
        local y = b
        for i = 1, 50 do y = y * 1.0001 + (i % 2) * y / 3 end
        return y
      end)(0.5)
    end, 3)
  end)

  it("leaves other cases to the general path", function()
    -- float32 keeps its dtype; a strided value; nesting; forward mode; jit
    local x32 = np.array({ 1, 2 }, "float32")
    assert.equal("float32", traced_value(function(b) return b * 0.5 end, x32).dtype)
    local strided = np.arange(6.0)[{ { 1, -1, 2 } }]
    assert.is_true(same(strided * 3, traced_value(function(b) return b * 3 end, strided)))
    local big = np.linspace(-1, 1, 5000)
    assert.is_true(same(big / 7, traced_value(function(b) return b / 7 end, big)))
    local hess = ad.grad(ad.grad(function(b) return b * b * 0.5 + 2 * b end))(3.0)
    assert.near(1, hess, 1e-15)
    local fwd = ad.make_jvp(function(b) return b * 4 - 1 end)(np.array({ 1, 2 }))
    local _, t = fwd(np.array({ 1, 1 }))
    h.assert_array(t, { 4, 4 }, 0)
    local step = ad.jit(ad.grad(function(b) return np.sum(b * 3 + 1) end))
    h.assert_array(step(np.array({ 1, 2 })), { 3, 3 }, 0)
    h.assert_array(step(np.array({ 5, 6 })), { 3, 3 }, 0)
  end)
end)

describe("small elementwise functions of boxes", function()
  it("give the plain computation's bits", function()
    local x = np.array({ 0.3, -1.7, 2.5, 1e-8 })
    local y = np.array({ 1.25, 0.5, -3, 7 })
    local cases = {
      function(b) return np.tanh(b) end, function(b) return np.exp(b) end,
      function(b) return np.log(np.abs(b)) end, function(b) return np.sin(b) * np.cos(b) end,
      function(b) return b * y - y / b end, function(b) return b ^ 2 + b ^ 3 + b ^ -1 end,
      function(b) return np.maximum(b, y) + np.minimum(b, 0.5) end,
      function(b) return b * np.array(2.5) end,
    }
    for i, f in ipairs(cases) do
      assert.is_true(same(f(x), traced_value(f, x)), "case " .. i)
    end
  end)

  it("broadcasting other than a 0-d operand takes the general path", function()
    local col = np.array({ { 1 }, { 2 } })
    local row = np.array({ 3, 4, 5 })
    local want = col * row
    local got = traced_value(function(b) return b * row end, col)
    assert.same({ 2, 3 }, got.shape)
    assert.is_true(same(want, got))
  end)
end)

describe("the sweep's rules writing into a spent gradient", function()
  -- core/rules_fast.c result_for: a fused rule may write its result into
  -- the incoming gradient's numbers when the sweep reads it no more and
  -- nothing else holds them.  Whatever the user or another node can see
  -- must stay as it was.
  local function chain(b)
    return np.sum(np.exp(np.tanh(-(b * 1.5)) * 0.5) - np.log(b) + np.square(np.sin(b)))
  end
  local function chain_grad(x)
    local out = {}
    for i, v in ipairs(x) do
      local t = math.tanh(-1.5 * v)
      out[i] = math.exp(0.5 * t) * 0.5 * (1 - t * t) * -1.5 - 1 / v + 2 * math.sin(v) * math.cos(v)
    end
    return out
  end

  it("gives the formulas' values, plain and nested", function()
    local xs = { 0.3, 1.2, 2.5 }
    h.assert_array(ad.grad(chain)(np.array(xs)), chain_grad(xs), 1e-12)
    for _, v in ipairs(xs) do
      assert.near(chain_grad({ v })[1], ad.grad(chain)(v), 1e-12)
    end
    -- the same sweep recorded by an outer trace (no fused rules there)
    local d2 = ad.grad(function(b) return np.sum(ad.grad(chain)(b)) end)(np.array(xs))
    local eps = 1e-6
    for i, v in ipairs(xs) do
      local num = (chain_grad({ v + eps })[1] - chain_grad({ v - eps })[1]) / (2 * eps)
      assert.near(num, d2[i], 1e-6)
    end
  end)

  it("leaves the user's output gradient as it was, call after call", function()
    local x = np.array({ 0.3, 1.2, 2.5 })
    local vjp = ad.make_vjp(function(b) return np.tanh(np.exp(b * 0.5)) * 3 end)(x)
    local g = np.array({ 1, -2, 0.5 })
    local first = vjp(g)
    h.assert_array(g, { 1, -2, 0.5 }, 0)
    local second = vjp(g)
    assert.is_true(same(first, second))
    h.assert_array(g, { 1, -2, 0.5 }, 0)
  end)

  it("keeps a gradient that two inputs of one node read", function()
    -- x * x and tanh(x) * tanh(x): the first input's rule reads g, the
    -- second may spend it; both must see the same g
    assert.near(2 * 1.7, ad.grad(function(b) return b * b end)(1.7), 1e-15)
    local t = math.tanh(0.8)
    assert.near(2 * t * (1 - t * t), ad.grad(function(b) local u = np.tanh(b); return u * u end)(0.8), 1e-15)
    -- one value feeding two nodes: each reads the gradient it was given
    local function two(b) local u = np.exp(b); return np.tanh(u) + np.sin(u) * 2 end
    local e = math.exp(0.4)
    assert.near(e * (1 - math.tanh(e) ^ 2) + 2 * math.cos(e) * e, ad.grad(two)(0.4), 1e-13)
  end)

  it("gives a Jacobian's rows, one sweep each, unchanged", function()
    local x = np.array({ 0.2, -0.4 })
    local J = ad.jacobian(function(b) return np.tanh(b * 2) * 0.5 end)(x)
    for i, v in ipairs({ 0.2, -0.4 }) do
      for j = 1, 2 do
        local want = i == j and (1 - math.tanh(2 * v) ^ 2) or 0
        assert.near(want, J[{ i, j }], 1e-15)
      end
    end
  end)
end)
