-- np.random: the documented generator (xoshiro256**, docs/random.md) gives
-- the draws of the reference implementation in scripts/gen_np_fixtures.py
-- (tests/fixtures/random_ref.lua), NumPy's argument meanings, 1-based
-- positions, and clear errors.

local h = require "tests.lua.helpers"
local np = require "adlua.numpy"
local ad = require "adlua"
local ref = dofile("tests/fixtures/random_ref.lua")

local function list(x)
  if type(x) == "number" then return { x } end
  return h.flat(x)
end

describe("np.random draws", function()
  it("rand after seed(42) is the reference sequence, bit for bit", function()
    np.random.seed(42)
    local got = list(np.random.rand(6))
    for i, v in ipairs(ref.rand_seed42) do assert.equal(v, got[i]) end
  end)

  it("the same seed gives the same numbers; draws go on from where they were", function()
    np.random.seed(42)
    local a = np.random.rand()
    local rest = np.random.rand(2, 3)
    assert.equal(ref.rand_seed42[1], a)
    h.assert_shape(rest, { 2, 3 })
    local r = list(rest)
    for i = 1, 5 do assert.equal(ref.rand_seed42[i + 1], r[i]) end
  end)

  it("randn after seed(42) is the reference polar method", function()
    np.random.seed(42)
    local got = list(np.random.randn({ 7 }))
    -- libm's log in the reference vs adlua's own: the same to an ulp or two
    for i, v in ipairs(ref.randn_seed42) do h.assert_near(got[i], v, 1e-15) end
  end)

  it("randint(0, 10) and randint(10) draw NumPy's values [0, 10)", function()
    np.random.seed(123)
    local got = list(np.random.randint(0, 10, 12))
    for i, v in ipairs(ref.randint_0_10_seed123) do assert.equal(v, got[i]) end
    np.random.seed(123)
    local again = list(np.random.randint(10, nil, { 12 }))
    for i, v in ipairs(ref.randint_0_10_seed123) do assert.equal(v, again[i]) end
    h.assert_all(np.random.randint(-3, 2, { 200 }), function(v) return v >= -3 and v < 2 and v % 1 == 0 end)
  end)

  it("permutation(n) permutes 1..n (positions index arrays)", function()
    np.random.seed(5)
    local p = list(np.random.permutation(10))
    for i, v in ipairs(ref.permutation_10_seed5) do assert.equal(v, p[i]) end
    local x = np.arange(10) * 10
    local sorted = {}
    for i = 1, 10 do sorted[i] = x[p[i]] end
    table.sort(sorted)
    for i = 1, 10 do assert.equal((i - 1) * 10, sorted[i]) end
  end)

  it("permutation(x) and shuffle(x) reorder along axis 1; tables and arrays alike", function()
    np.random.seed(9)
    local y = np.random.permutation(np.array({ { 1, 1 }, { 2, 2 }, { 3, 3 } }))
    h.assert_shape(y, { 3, 2 })
    np.random.seed(9)
    local t = { 1, 2, 3 }
    np.random.shuffle(t)
    h.assert_array(y, { { t[1], t[1] }, { t[2], t[2] }, { t[3], t[3] } }, 0)
    np.random.seed(9)
    local x = np.array({ 1, 2, 3 })
    assert.is_nil(np.random.shuffle(x))
    h.assert_array(x, t, 0)
  end)

  it("normal and uniform: NumPy's parameters, numbers without size", function()
    np.random.seed(1)
    local z = np.random.randn(1000)
    np.random.seed(1)
    local n = np.random.normal(3, 2, 1000)
    h.assert_close(n, 3 + 2 * z, 1e-15)
    assert.equal("number", type(np.random.normal()))
    assert.equal("number", type(np.random.uniform(2, 3)))
    h.assert_all(np.random.uniform(-1, 1, { 500 }), function(v) return v >= -1 and v < 1 end)
    h.assert_shape(np.random.normal(np.zeros({ 2, 3 }), 1), { 2, 3 })
    -- rough moments of 1000 normals
    local m = np.mean(z)
    assert.is_true(math.abs(m) < 0.15)
  end)

  it("normal is differentiable in loc and scale (reparameterisation)", function()
    np.random.seed(3)
    local z = np.random.randn()
    np.random.seed(3)
    local g = ad.grad(function(s) return np.random.normal(1, s) end)(2)
    h.assert_number(g, z, 1e-15)
  end)

  it("choice: elements of a, 1..n for a number, p and replace", function()
    np.random.seed(2)
    local c = np.random.choice(5, 100)
    h.assert_all(c, function(v) return v >= 1 and v <= 5 and v % 1 == 0 end)
    local e = np.random.choice(np.array({ 10, 20, 30 }), { 2, 2 }, { p = { 0, 0, 1 } })
    h.assert_array(e, { { 30, 30 }, { 30, 30 } }, 0)
    local w = np.random.choice({ "x", "y" }, 4)
    assert.equal(4, #w)
    assert.is_true(w[1] == "x" or w[1] == "y")
    local s = list(np.random.choice(6, 6, false))
    table.sort(s)
    for i = 1, 6 do assert.equal(i, s[i]) end
    local d = list(np.random.choice(4, 4, { replace = false, p = { 0.1, 0.2, 0.3, 0.4 } }))
    table.sort(d)
    for i = 1, 4 do assert.equal(i, d[i]) end
    assert.equal("number", type(np.random.choice(np.array({ 7, 8 }))))
  end)

  it("each Lua state has its own generator", function()
    -- a child program started twice draws the same numbers as a fresh seed(0)
    np.random.seed(0)
    local here = np.random.rand()
    local cmd = h.shell_quote(os.getenv("ADLUA_BIN") or "build/adlua")
      .. [[ -e 'print(("%.17g"):format(require("adlua.numpy").random.rand()))']]
    for _ = 1, 2 do
      local out, err, code = h.run(cmd)
      assert.equal(0, code, err)
      assert.equal(here, tonumber(out:match("%S+")))
    end
  end)
end)

describe("np.random: NumPy's parameter checks and forms", function()
  it("normal refuses scale < 0 (and -0, NumPy's signbit test); nan passes", function()
    for _, scale in ipairs({ -1, -0.0, np.array({ 1, -1 }), np.array({ 0, -0.0 }) }) do
      h.assert_error_matches(function() np.random.normal(0, scale) end,
        { "random_spec.lua:", "np.random.normal: scale < 0" })
    end
    h.assert_error_matches(function()
      ad.grad(function(s) return np.random.normal(0, s) end)(-2)
    end, "np.random.normal: scale < 0")
    local v = np.random.normal(0, 0 / 0)
    assert.is_true(v ~= v)
    h.assert_array(np.random.normal(np.array({ 1, 2 }), 0), { 1, 2 }, 0)
  end)

  it("uniform allows high < low (draws in (high, low]) but not an infinite range", function()
    np.random.seed(4)
    local u = np.random.rand(50)
    np.random.seed(4)
    h.assert_close(np.random.uniform(5, 2, 50), 5 - 3 * u, 0)
    for _, hi in ipairs({ math.huge, 0 / 0, np.array({ 1, math.huge }) }) do
      h.assert_error_matches(function() np.random.uniform(0, hi) end,
        "np.random.uniform: Range exceeds valid bounds (high - low must be finite)")
    end
    h.assert_error_matches(function() np.random.uniform(-1e308, 1e308) end, "Range exceeds valid bounds")
  end)

  it("randint with array bounds: broadcast, one draw per element in C order", function()
    -- the stream order: element i draws as randint(low_i, high_i) would
    np.random.seed(7)
    local a = np.random.randint(0, np.array({ 1, 10, 100 }))
    np.random.seed(7)
    local one_by_one = { np.random.randint(0, 1), np.random.randint(0, 10), np.random.randint(0, 100) }
    h.assert_array(a, one_by_one, 0)
    -- equal bounds: the draws of the number form
    np.random.seed(8)
    local same = np.random.randint(np.array({ 3, 3, 3, 3 }), 9)
    np.random.seed(8)
    h.assert_array(same, h.flat(np.random.randint(3, 9, 4)), 0)
    np.random.seed(9)
    local b = np.random.randint(np.array({ { 0 }, { 10 } }), np.array({ 1, 2, 3 }) + 10)
    h.assert_shape(b, { 2, 3 })
    local flat = h.flat(b)
    np.random.seed(9)
    for i, hi in ipairs({ 11, 12, 13, 11, 12, 13 }) do
      local lo = i <= 3 and 0 or 10
      assert.equal(np.random.randint(lo, hi), flat[i])
    end
    h.assert_shape(np.random.randint(np.array({ 0, 5 }), 10, { 3, 2 }), { 3, 2 })
    h.assert_shape(np.random.randint({ 3, 5 }), { 2 }) -- a table is an array of bounds
    assert.equal("number", type(np.random.randint(0, np.array(5))))
    h.assert_all(np.random.randint(np.array({ -5, 0, 5 }), np.array({ -4, 1, 7 }), { 100, 3 }),
      function(v) return v % 1 == 0 and v >= -5 and v < 7 end)
  end)

  it("randint's array bounds are checked before any draw", function()
    np.random.seed(11)
    local fresh = np.random.rand()
    np.random.seed(11)
    h.assert_error_matches(function() np.random.randint(0, np.array({ 1, 10, 0 })) end,
      { "random_spec.lua:", "np.random.randint: low >= high (0 >= 0)" })
    h.assert_error_matches(function() np.random.randint(0, np.array({ 1.5 })) end,
      "np.random.randint: low and high must be whole numbers within +-2^53")
    h.assert_error_matches(function() np.random.randint(np.array({ 0, 5 }), 10, { 3 }) end,
      "np.random.randint: low and high of shapes (2,) and () cannot be broadcast to size (3,)")
    h.assert_error_matches(function() np.random.randint(np.array({ 0, 5 }), np.array({ 9, 9, 9 })) end,
      "np.random.randint: operands could not be broadcast together with shapes (2,) (3,)")
    assert.equal(fresh, np.random.rand())
  end)

  it("seed() reseeds from the system's entropy; seed(n) still reproduces", function()
    assert.is_nil(np.random.seed())
    local a = np.random.rand(4)
    np.random.seed(nil)
    local b = np.random.rand(4)
    assert.is_false(np.array_equal(a, b)) -- 2^-212 odds of a false failure
    np.random.seed(42)
    assert.equal(ref.rand_seed42[1], np.random.rand())
  end)

  it("choice: NumPy's checks of p and of empty draws", function()
    h.assert_error_matches(function() np.random.choice(3, 2, false, { 1, 0, 0 }) end,
      "np.random.choice: Fewer non-zero entries in p than size")
    h.assert_error_matches(function() np.random.choice(3, 2, true, { 0 / 0, 1, 0 }) end,
      "np.random.choice: probabilities contain NaN")
    h.assert_error_matches(function() np.random.choice(3, 2, true, np.array({ { 1, 0, 0 } })) end,
      "np.random.choice: p must be 1-dimensional")
    h.assert_error_matches(function() np.random.choice(2, 2, true, { 0.5, 0.5 + 1e-7 }) end,
      "np.random.choice: probabilities do not sum to 1")
    h.assert_shape(np.random.choice(2, 2, true, { 0.5, 0.5 + 1e-9 }), { 2 }) -- within NumPy's 2^-26
    h.assert_shape(np.random.choice(2, 2, true, np.array({ 0.5, 0.5001 }, "float32")), { 2 })
    h.assert_array(np.random.choice(0, 0), {}, 0, nil, { 0 })
    h.assert_array(np.random.choice(np.zeros({ 0 }), { 2, 0 }), {}, 0, nil, { 2, 0 })
    assert.same({}, np.random.choice({}, 0))
    h.assert_error_matches(function() np.random.choice(0) end,
      "np.random.choice: a cannot be empty unless no samples are taken")
  end)
end)

describe("np.random errors", function()
  it("names the function and the problem", function()
    h.assert_error_matches(function() np.random.randint(5, 5) end, "np.random.randint: low >= high")
    h.assert_error_matches(function() np.random.seed(-1) end, "np.random.seed")
    h.assert_error_matches(function() np.random.choice(3, 4, false) end,
      "cannot take a larger sample than population when replace is false")
    h.assert_error_matches(function() np.random.choice(3, 1, { p = { 0.5, 0.5, 0.5 } }) end,
      "probabilities do not sum to 1")
    h.assert_error_matches(function() np.random.choice(3, 1, { p = { 1, 0 } }) end,
      "a and p must have same size")
    h.assert_error_matches(function()
      ad.grad(function(x) np.random.shuffle(x); return np.sum(x) end)(np.ones({ 3 }))
    end, "np.random.shuffle: cannot shuffle an array that is being differentiated")
    h.assert_error_matches(function() np.random.rand(-1) end, "np.random.rand")
  end)
end)

describe("np.random of differentiated arrays", function()
  it("permutation and choice gather, so gradients reach the entries drawn", function()
    local x = np.arange(10) * 1.0
    np.random.seed(3)
    local plain = np.random.permutation(x)
    np.random.seed(3)
    local g = ad.grad(function(v) return np.sum(np.random.permutation(v) * np.arange(10)) end)(x)
    -- entry plain[j] / 1 moved to position j, so its weight is j - 1
    for j = 1, 10 do assert.are.equal(j - 1, g[plain[j] + 1]) end
    np.random.seed(3)
    local picks = np.random.choice(x, 5)
    np.random.seed(3)
    local gc = ad.grad(function(v) return np.sum(np.random.choice(v, 5)) end)(x)
    local counts = {}
    for j = 1, 5 do counts[picks[j] + 1] = (counts[picks[j] + 1] or 0) + 1 end
    for i = 1, 10 do assert.are.equal(counts[i] or 0, gc[i]) end
  end)
end)
