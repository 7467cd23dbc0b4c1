-- ad.jit (issue 7): a function recorded once per signature and replayed in
-- C; results identical to the dynamic tape; re-recording on a new shape,
-- dtype or number argument, and when a value read out of the recording
-- (a branch) comes out differently.

local h = require "tests.lua.helpers"
local np = require "adlua.numpy"
local ad = require "adlua"
local core = require "adlua.core"

-- a and b hold the same numbers, to the last bit
local function assert_same(a, b, what)
  h.assert_array(a, h.is_array(b) and b:totable() or b, 0, what)
end

describe("ad.jit", function()
  it("replays the blog's per-sample loss gradient, identical to grad", function()
    local X, t, loop_loss = h.iris_problem()
    local dynamic = ad.grad(loop_loss)
    local jitted = ad.jit(ad.grad(loop_loss))
    local w1, w2 = np.zeros({ 3, 1 }), np.zeros({ 3, 1 })
    for _ = 1, 30 do
      w1 = w1 - dynamic(w1, X, t) * 0.001
      w2 = w2 - jitted(w2, X, t) * 0.001
      assert_same(w2, w1)
    end
    assert.equal(1, jitted.stats.recordings)
    assert.equal(29, jitted.stats.replays)
    assert.equal(0, jitted.stats.guards)
    assert.is_true(jitted.stats.steps > 0)
  end)

  it("records again for a new shape or dtype, and keeps both", function()
    local f = ad.jit(ad.grad(function(x) return np.sum(np.tanh(x) * x) end))
    local g = ad.grad(function(x) return np.sum(np.tanh(x) * x) end)
    local a, b = np.array({ 0.5, -1, 2 }), np.array({ { 1, 2 }, { 3, 4 } })
    local c = np.array({ 0.5, -1, 2 }, "float32")
    for _ = 1, 2 do
      assert_same(f(a), g(a))
      assert_same(f(b), g(b))
      local fc = f(c)
      assert.equal("float32", fc.dtype)
      assert_same(fc, g(c))
    end
    assert.equal(3, f.stats.recordings)
    assert.equal(3, f.stats.replays)
  end)

  it("replays on new values of the same shape", function()
    local f = ad.jit(function(x, y) return np.dot(x, y) + np.exp(x), x.T end)
    local x, y = np.array({ { 1, 2 }, { 3, 4 } }), np.array({ { 0.5, 0 }, { -1, 2 } })
    f(x, y)
    local r, xt = f(y, x)
    assert_same(r, np.dot(y, x) + np.exp(y))
    assert_same(xt, y.T)
    assert.equal(1, f.stats.replays)
  end)

  it("replays strided arguments, broadcasting, reductions and float32 like grad", function()
    local function loss(W, x, b)
      local h = np.tanh(np.dot(x, W) + b)
      return np.sum(np.mean(h ^ 2, 1) * np.array({ 1, 2 })) + np.sum(np.exp(-W) / 3)
    end
    local f, g = ad.jit(ad.grad(loss, { 1, 3 })), ad.grad(loss, { 1, 3 })
    local W = np.array({ { 0.1, -0.2 }, { 0.3, 0.4 }, { 0.5, -0.6 } })
    local x = np.array({ { 1, 2, 3 }, { -1, 0.5, 2 }, { 0, 3, 1 } })
    local b = np.array({ 0.01, -0.02 })
    local cases = {
      { W, x, b }, { W * 2, x, b }, { W, x.T, b },   -- x.T: another layout
      { W[{ { 1, 3 } }], x[{ {}, { 1, 3 } }], b * 3 },
    }
    for _, c in ipairs(cases) do
      local gw1, gb1 = f(c[1], c[2], c[3])
      local gw2, gb2 = g(c[1], c[2], c[3])
      assert_same(gw1, gw2)
      assert_same(gb1, gb2)
    end
    local W32, x32, b32 = W:astype("float32"), x:astype("float32"), b:astype("float32")
    for _ = 1, 2 do
      local gw1, gb1 = f(W32, x32, b32)
      local gw2, gb2 = g(W32, x32, b32)
      assert.equal("float32", gw1.dtype)
      assert_same(gw1, gw2)
      assert_same(gb1, gb2)
    end
    assert.equal(2, f.stats.recordings)
  end)

  it("replays a user's primitive (through adl_forward, without a plan)", function()
    local logsumexp = ad.primitive(function(x)
      local m = np.max(x)
      return m + np.log(np.sum(np.exp(x - m)))
    end, "jit_logsumexp")
    ad.defvjp(logsumexp, function(ans, x)
      return function(g) return g * np.exp(x - ans) end
    end)
    local function loss(x) return logsumexp(x * 2) + np.sum(x ^ 2) end
    local f, g = ad.jit(ad.grad(loss)), ad.grad(loss)
    for k = 1, 3 do
      local x = np.array({ 1, 2, 3 }) * k - 4
      assert_same(f(x), g(x))
    end
    assert.equal(1, f.stats.recordings)
    assert.equal(2, f.stats.replays)
  end)

  it("treats numbers and other arguments as part of the signature", function()
    local f = ad.jit(function(x, k, opts) return x * k + (opts.shift and 1 or 0) end)
    local x = np.array({ 1, 2 })
    assert_same(f(x, 2, {}), { 2, 4 })
    assert_same(f(x, 3, {}), { 3, 6 })
    assert_same(f(x, 2, { shift = true }), { 3, 5 })
    assert_same(f(x * 10, 2, {}), { 20, 40 })
    assert.equal(3, f.stats.recordings)
    assert.equal(1, f.stats.replays)
  end)

  it("guards a value read out of the recording: a different value records again", function()
    local calls = 0
    local f = ad.jit(function(x)
      calls = calls + 1
      if ad.value(np.sum(x)) > 0 then return x * 2 end
      return -x
    end)
    local pos, neg = np.array({ 1, 2 }), np.array({ -1, -2 })
    assert_same(f(pos), { 2, 4 })
    assert_same(f(np.array({ 2, 1 })), { 4, 2 }) -- the same sum: replayed
    assert.equal(1, calls)
    assert_same(f(neg), { 1, 2 })                -- another sum: recorded again
    assert.equal(2, calls)
    assert_same(f(np.array({ -2, -1 })), { 2, 1 })
    assert.equal(2, calls)
    assert.equal(1, f.stats.guards)
    assert.equal(1, f.stats.guard_failures)
  end)

  it("gives correct derivatives where rules read values (abs, maximum, max)", function()
    local function loss(x) return np.sum(np.abs(x) + np.maximum(x, 0.5)) + np.max(x) end
    local f, g = ad.jit(ad.grad(loss)), ad.grad(loss)
    for _, v in ipairs({ { 1, -2, 3 }, { -1, 2, 0.25 }, { 3, 3, -4 }, { 0.1, 0.7, -0.2 } }) do
      assert_same(f(np.array(v)), g(np.array(v)))
    end
    -- their masks and tie counts are recorded, not guards: one recording
    assert.equal(1, f.stats.recordings)
    assert.equal(0, f.stats.guards)
  end)

  it("replays comparisons, where, sign and floor computed afresh (a ReLU network)", function()
    local function loss(W, x)
      local h = np.dot(x, W)
      local relu = np.where(np.greater(h, 0), h, 0.01 * h)
      return np.sum(relu * np.sign(x[{ {}, { 1, 2 } }])) + np.sum(np.floor(W * 3) * W)
    end
    local f, g = ad.jit(ad.grad(loss)), ad.grad(loss)
    local W = np.array({ { 0.5, -1 }, { 1, 0.25 }, { -0.5, 2 } })
    local x = np.array({ { 1, -2, 0.5 }, { -1, 1, 3 }, { 0.2, 0.3, -0.4 }, { 2, -1, 1 } })
    for k = 1, 5 do
      local Wk, xk = W * (k - 2.5), x * ((-1) ^ k)
      assert_same(f(Wk, xk), g(Wk, xk))
    end
    assert.equal(1, f.stats.recordings)
    assert.equal(4, f.stats.replays)
  end)

  it("stops recording a signature whose guards keep failing", function()
    local f = ad.jit(function(x) return x * ad.value(np.sum(x)) end)
    for i = 1, 8 do assert_same(f(np.array({ i })), { i * i }) end
    assert.equal(3, f.stats.recordings)
    assert.is_true(f.stats.direct >= 4)
  end)

  it("differentiates with respect to parameter tables and returns tables", function()
    local function loss(p, x) return np.sum(np.tanh(np.dot(x, p.W) + p.b) ^ 2) end
    local f, g = ad.jit(ad.value_and_grad(loss)), ad.value_and_grad(loss)
    local p = { W = np.array({ { 0.1, -0.2 }, { 0.3, 0.4 } }), b = np.array({ 0.01, -0.02 }) }
    local x = np.array({ { 1, 2 }, { -1, 0.5 }, { 0, 3 } })
    for _ = 1, 3 do
      local v1, g1 = f(p, x)
      local v2, g2 = g(p, x)
      assert.equal(v2, v1)
      assert.equal("number", type(v1))
      assert_same(g1.W, g2.W)
      assert_same(g1.b, g2.b)
      p = { W = p.W - g1.W * 0.1, b = p.b - g1.b * 0.1 }
    end
    assert.equal(2, f.stats.replays)
  end)

  it("replays second derivatives (hessian)", function()
    local function f(x) return np.sum(np.sin(x) * x ^ 3) end
    local jh, hh = ad.jit(ad.hessian(f)), ad.hessian(f)
    for _, v in ipairs({ { 0.5, 1 }, { -1, 2 } }) do
      assert_same(jh(np.array(v)), hh(np.array(v)))
    end
    assert.equal(1, jh.stats.replays)
  end)

  it("returns numbers, constants and the same multiple values as f", function()
    local f = ad.jit(function(x) return 1, "s", np.zeros(2), np.sum(x), nil end)
    for _ = 1, 2 do
      local a, b, c, d, e = f(np.array({ 1, 2 }))
      assert.equal(1, a)
      assert.equal("s", b)
      assert_same(c, { 0, 0 })
      assert.equal(3, d)
      assert.is_nil(e)
      assert.equal(5, select("#", f(np.array({ 1, 2 }))))
      c[1] = 7 -- a constant result is a new array each call
    end
  end)

  it("runs f as written inside a trace, so jitted functions differentiate", function()
    local f = ad.jit(function(x) return np.sum(np.exp(x)) end)
    local x = np.array({ 0.5, 1 })
    assert_same(ad.grad(f)(x), np.exp(x))
    assert.equal(1, f.stats.direct)
    assert.equal(0, f.stats.recordings)
  end)

  it("does not replay random draws", function()
    local f = ad.jit(function(x) return x + np.random.rand(2) end)
    local x = np.zeros(2)
    local a, b = f(x), f(x)
    assert.is_false(a[1] == b[1])
    assert.equal(1, f.stats.recordings)
  end)

  it("refuses to assign into an array it captured as a constant", function()
    local c = np.array({ 1, 2 })
    local f = ad.jit(function(x) return x * c end)
    f(np.ones(2))
    h.assert_error_matches(function() c[1] = 5 end, { "setitem", "ad.jit", "argument" })
    -- an argument is not captured
    local x = np.ones(2)
    f(x)
    x[1] = 3
    assert_same(f(x), { 3, 2 })
  end)

  it("reports errors from f, and stays usable", function()
    local f = ad.jit(function(x, fail)
      if fail then error("boom") end
      return x + 1
    end)
    h.assert_error_matches(function() f(np.ones(2), true) end, "boom")
    assert.is_false(core.tracing())
    assert_same(f(np.ones(2), false), { 2, 2 })
    h.assert_error_matches(function() ad.jit(3) end, "jit: expected a function, got a number")
  end)

  it("leaks no arrays", function()
    local X, t, loop_loss = h.iris_problem()
    local function work()
      local f = ad.jit(ad.grad(loop_loss))
      local w = np.zeros({ 3, 1 })
      for _ = 1, 3 do w = w - f(w, X, t) * 0.001 end
      local g = ad.jit(function(x) return x * ad.value(np.sum(x)) end)
      for i = 1, 5 do g(np.array({ i })) end
    end
    work()
    h.settle()
    local base = core.live_arrays()
    for _ = 1, 3 do work() end
    h.settle()
    assert.equal(base, core.live_arrays())
  end)
end)
