-- Small boxes without a finalizer each (core/lua_anchor.c): a box of at
-- most 64 bytes of values hands its reference to an anchor shared by up
-- to 128 boxes of one trace.  Boxes must behave as any array, survive
-- their trace as plain values, and go away with their anchor: nothing
-- leaks, and a kept box holds nothing of later traces.

local h = require "tests.lua.helpers"
local np = require "adlua.numpy"
local ad = require "adlua"
local D = require("adlua.core").debug

local settle = h.settle
-- A grad of a number gives its function a scalar box (lua/adlua/scalar.lua),
-- not an array box: this file is about array boxes.
require("adlua.scalar").enabled = false

describe("small boxes", function()
  it("behave as arrays: operators, methods, properties, printing", function()
    local seen = {}
    local g = ad.grad(function(x)
      local y = x * 2                          -- (3,) float64: 24 bytes, anchored
      seen.shape = y.shape
      seen.ndim, seen.size, seen.dtype = y.ndim, y.size, y.dtype
      seen.len = #y
      seen.text = tostring(ad.value(y))
      seen.sum = ad.value(y:sum())
      seen.first = ad.value(y[1])
      seen.T = y.T.shape
      return np.sum(np.tanh(y) * y)
    end)(np.array({ 0.5, -1, 2 }))
    assert.same({ 3 }, seen.shape)
    assert.equal(1, seen.ndim)
    assert.equal(3, seen.size)
    assert.equal("float64", seen.dtype)
    assert.equal(3, seen.len)
    assert.equal("[ 1. -2.  4.]", seen.text)
    assert.equal(3, seen.sum)
    assert.equal(1, seen.first)
    assert.same({ 3 }, seen.T)
    local want = {}
    for i, v in ipairs({ 0.5, -1, 2 }) do
      local t = math.tanh(2 * v)
      want[i] = 2 * (t + 2 * v * (1 - t * t))
    end
    h.assert_array(g, want, 1e-12)
  end)

  it("kept past their grad call stand for their values, through many collections", function()
    local kept, keeping = {}, true
    local f = ad.grad(function(x)
      local y = x
      for i = 1, 600 do                        -- more boxes than one anchor holds
        y = np.tanh(y * 1.0001 + 0.01)
        if keeping and i % 100 == 0 then kept[#kept + 1] = y end
      end
      return y
    end)
    local g = f(0.5)
    keeping = false
    local plain = 0.5
    local want = {}
    for i = 1, 600 do
      plain = math.tanh(plain * 1.0001 + 0.01)
      if i % 100 == 0 then want[#want + 1] = plain end
    end
    for _ = 1, 3 do
      f(0.25)                                  -- other traces fill other anchors
      settle()
    end
    assert.equal(6, #kept)
    for i, v in ipairs(kept) do
      assert.near(want[i], ad.value(v), 1e-15)
      assert.near(want[i] * 2, ad.value(v * 2), 1e-15)   -- a guess of "box" corrected
      assert.near(want[i], ad.value(v.T), 1e-15)          -- its environment replaced
    end
    assert.is_true(g > 0)
  end)

  it("leak nothing: many anchors, kept boxes, transposes, errors", function()
    local function work()
      local kept
      ad.grad(function(x)
        local y = x
        for _ = 1, 700 do y = np.tanh(y * 1.0001 + 0.01) end
        kept = y
        return y
      end)(0.3)
      local _ = kept * 2 + kept.T                 -- a kept box used after its trace
      ad.grad(function(w) return np.sum(np.dot(w.T, w)) end)(np.ones({ 3, 1 }))
      pcall(ad.grad(function(x)
        local y = x * 3
        error("boom")
        return y
      end), 1.5)
      local big = ad.grad(function(x) return np.sum(x * x) end)(np.ones(100)) -- 800 bytes: finalized
      assert.equal(100, big.size)
    end
    h.assert_live_steady(work, 3)
  end)

  it("kept past their trace, hold no box of a later trace", function()
    local kept
    local function chain(x, keep)
      local y = x
      for i = 1, 300 do
        y = np.tanh(y * 1.0001 + 0.01)
        if keep and i == 300 then kept = y end   -- in the last anchor
      end
      return y
    end
    ad.grad(function(x) return chain(x, true) end)(0.5)
    settle()
    local arrays = D.live()                    -- kept and what its anchor holds
    for _ = 1, 3 do ad.grad(function(x) return chain(x, false) end)(0.5) end
    settle()
    assert.equal(arrays, (D.live()))
    assert.is_true(ad.value(kept) > 0)
    kept = nil -- luacheck: ignore 311 (the reference goes)
    settle()
    assert.is_true((D.live()) < arrays)        -- its anchor went with it
  end)

  it("keep float32 and nested derivatives exact", function()
    local x32 = np.array({ 0.5, 1.5 }, "float32")
    local g = ad.grad(function(x) return np.sum(np.exp(x) * x) end)(x32)
    assert.equal("float32", g.dtype)
    h.assert_array(g, { math.exp(0.5) * 1.5, math.exp(1.5) * 2.5 }, 1e-5)
    local d3 = ad.grad(ad.grad(ad.grad(function(x) return x * x * x * x end)))
    assert.near(24 * 1.5, d3(1.5), 1e-12)
  end)
end)
