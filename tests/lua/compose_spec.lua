-- Core NumPy breadth (issue 3): elementwise functions, reductions, tests and
-- creators written as compositions of traced primitives. Reference values
-- were computed with Debian's python3-numpy 1.24 and frozen here.

local h = require "tests.lua.helpers"
local each = require "adlua.each" -- pairs, safe from Debian 12's LuaJIT (docs/luajit.md)
local np = require "adlua.numpy"
local ad = require "adlua"

local X = { { 0.3, -0.7, 0.5 }, { 0.9, 0.2, -0.4 } }
local function x() return np.array(X) end
local function check2(f, ...) ad.check_grads(f, { modes = { "rev" }, order = 2 })(...) end

describe("elementwise compositions", function()
  local ref = {
    exp2 = { { 1.2311444133449163, 0.6155722066724582, 1.4142135623730951 }, { 1.8660659830736148, 1.1486983549970349, 0.757858283255199 } },
    expm1 = { { 0.3498588075760031, -0.5034146962085905, 0.6487212707001282 }, { 1.4596031111569496, 0.22140275816016985, -0.32967995396436073 } },
    sinh = { { 0.3045202934471426, -0.7585837018395335, 0.5210953054937474 }, { 1.0265167257081753, 0.201336002541094, -0.41075232580281557 } },
    cosh = { { 1.0453385141288605, 1.255169005630943, 1.1276259652063807 }, { 1.4330863854487745, 1.020066755619076, 1.081072371838455 } },
    arcsinh = { { 0.29567304756342244, -0.6526665660823557, 0.48121182505960347 }, { 0.8088669356527824, 0.19869011034924142, -0.3900353197707153 } },
    arctanh = { { 0.3095196042031117, -0.8673005276940531, 0.5493061443340549 }, { 1.4722194895832204, 0.2027325540540822, -0.42364893019360184 } },
  }
  for name, expected in each(ref) do
    it(name .. " matches NumPy and passes check_grads to order 2", function()
      h.assert_array(np[name](x()), expected, 1e-14)
      check2(function(a) return np.sum(np[name](a)) end, x())
      check2(function(a) return np.sum(np[name](a)) end, x().T)
    end)
  end

  it("log2, log10 and arccosh match NumPy", function()
    local a = np.abs(x())
    h.assert_array(np.log2(a), { { -1.736965594166206, -0.5145731728297583, -1.0 }, { -0.15200309344504997, -2.321928094887362, -1.3219280948873622 } }, 1e-15)
    h.assert_array(np.log10(a), { { -0.5228787452803376, -0.15490195998574322, -0.3010299956639812 }, { -0.045757490560675115, -0.6989700043360187, -0.3979400086720376 } }, 1e-15)
    h.assert_array(np.arccosh(x() + 2), { { 1.475044781241425, 0.7564329108569596, 1.566799236972411 }, { 1.726710865622892, 1.4254169430706127, 1.0469679150031885 } }, 1e-14)
    check2(function(b) return np.sum(np.log2(b) + np.log10(b) + np.arccosh(b + 2)) end, a)
  end)

  it("reciprocal, clip, hypot and logaddexp match NumPy, with gradients", function()
    h.assert_array(np.reciprocal(np.array({ 2, -4 })), { 0.5, -0.25 }, 0)
    h.assert_array(np.clip(x(), -0.5, 0.4), { { 0.3, -0.5, 0.4 }, { 0.4, 0.2, -0.4 } }, 0)
    h.assert_array(np.hypot(x(), 0.4), { { 0.5, 0.8062257748298549, 0.6403124237432849 }, { 0.9848857801796105, 0.447213595499958, 0.565685424949238 } }, 1e-15)
    h.assert_array(np.logaddexp(x(), 0.1), { { 0.8981388693815917, 0.4711006659477778, 1.0130152523999527 }, { 1.2711006659477777, 0.8443966600735708, 0.5740769841801067 } }, 1e-15)
    -- broadcast second argument
    check2(function(a, b) return np.sum(np.hypot(a, b) + np.logaddexp(a, b)) end, x(), np.array({ 0.4, 0.25, -0.3 }))
    check2(function(a) return np.sum(np.reciprocal(a) + np.clip(a, -0.5, 0.4)) end, x())
  end)

  it("hypot is 0 with zero gradient at (0, 0), logaddexp splits ties", function()
    assert.equal(0, np.hypot(0, 0))
    assert.equal(0, ad.grad(function(a) return np.hypot(a, 0) end)(0))
    h.assert_number(ad.grad(function(a) return np.logaddexp(a, 1) end)(1), 0.5, 1e-15)
    -- smooth through the tie: the second derivative is 1/4 there, not 0
    h.assert_number(ad.grad(ad.grad(function(a) return np.logaddexp(a, 1) end))(1), 0.25, 1e-15)
    assert.is_true(ad.check_grads(function(a) return np.logaddexp(a, np.array({ 0.3, -1 })) end)(
      np.array({ 0.3, -1 })))
    h.assert_number(np.logaddexp(0, -40), 4.248354255291589e-18, 1e-30)
    assert.equal(-math.huge, np.logaddexp(-math.huge, -math.huge))
    h.assert_number(np.logaddexp(1000, 1000), 1000 + math.log(2), 1e-12)
  end)
end)

describe("reductions as compositions", function()
  it("prod, var, std, logsumexp, cumsum match NumPy", function()
    h.assert_array(np.prod(x(), 1), { 0.27, -0.13999999999999999, -0.2 }, 1e-16)
    h.assert_number(np.prod(x()), 0.3 * -0.7 * 0.5 * 0.9 * 0.2 * -0.4, 1e-16)
    assert.same({ 2, 1 }, np.prod(x(), 2, true).shape)
    h.assert_array(np.var(x(), 2), { 0.27555555555555555, 0.2822222222222222 }, 1e-15)
    h.assert_number(np.std(x()), 0.53748384988657, 1e-14)
    h.assert_array(x():std(2, false, 1), { math.sqrt(0.27555555555555555 * 1.5), math.sqrt(0.2822222222222222 * 1.5) }, 1e-15)
    h.assert_array(np.logsumexp(x(), 2), { 1.2513806941849885, 1.470480606783104 }, 1e-15)
    h.assert_number(np.logsumexp(np.array({ 1000, 1000 })), 1000 + math.log(2), 1e-12)
    h.assert_array(np.cumsum(x(), 2), { { 0.3, -0.39999999999999997, 0.10000000000000003 }, { 0.9, 1.1, 0.7000000000000001 } }, 1e-15)
    h.assert_array(np.cumsum(x()), { 0.3, -0.4, 0.1, 1.0, 1.2, 0.8 }, 1e-15)
  end)

  it("argmax, argmin are 1-based first positions; all, any", function()
    h.assert_array(np.argmax(x(), 1), { 2, 2, 1 }, 0)
    h.assert_array(x():argmin(2), { 2, 3 }, 0)
    assert.equal(4, np.argmax(x()))
    assert.equal(1, np.argmax(np.array({ 3, 1, 3 })))
    assert.equal(1, np.all(x()))
    h.assert_array(np.any(np.array({ { 0, 0 }, { 0, 1 } }), 2), { 0, 1 }, 0)
    h.assert_array(np.all(np.array({ { 0, 2 }, { 3, 1 } }), 1), { 0, 1 }, 0)
  end)

  it("prod, var, std, logsumexp, cumsum pass check_grads to order 2", function()
    for _, a in ipairs({ x(), x().T, x()[{ {}, { 1, 3, 2 } }] }) do
      check2(function(b) return np.sum(np.prod(b, 1)) + np.prod(b) end, a)
      check2(function(b) return np.sum(np.var(b, 2)) + np.std(b) end, a)
      check2(function(b) return np.sum(np.logsumexp(b, 1, true)) end, a)
      check2(function(b) return np.sum(np.sin(np.cumsum(b, 2))) end, a)
    end
  end)

  it("prod has exact gradients at zero", function()
    h.assert_array(ad.grad(np.prod)(np.array({ 0, 2, 3 })), { 6, 0, 0 }, 0)
  end)
end)

describe("tests", function()
  it("isnan, isinf, isfinite", function()
    local a = np.array({ 1, 0 / 0, math.huge, -math.huge })
    h.assert_array(np.isnan(a), { 0, 1, 0, 0 }, 0)
    h.assert_array(np.isinf(a), { 0, 0, 1, 1 }, 0)
    h.assert_array(np.isfinite(a), { 1, 0, 0, 0 }, 0)
  end)
  it("allclose and array_equal", function()
    assert.is_true(np.allclose(x(), x() + 1e-9))
    assert.is_false(np.allclose(x(), x() + 1e-3))
    assert.is_false(np.allclose(np.array({ 0 / 0 }), np.array({ 0 / 0 })))
    assert.is_true(np.array_equal(x(), x()))
    assert.is_false(np.array_equal(x(), x().T))
  end)
end)

describe("creation", function()
  it("identity, tri, tril, triu, diag", function()
    h.assert_array(np.identity(2), { { 1, 0 }, { 0, 1 } }, 0)
    h.assert_array(np.tri(2, 3, 1), { { 1, 1, 0 }, { 1, 1, 1 } }, 0)
    h.assert_array(np.tril(x()), { { 0.3, 0, 0 }, { 0.9, 0.2, 0 } }, 0)
    h.assert_array(np.triu(x(), 1), { { 0, -0.7, 0.5 }, { 0, 0, -0.4 } }, 0)
    h.assert_array(np.diag(np.array({ 1, 2 }), 1), { { 0, 1, 0 }, { 0, 0, 2 }, { 0, 0, 0 } }, 0)
    h.assert_array(np.diag(np.array({ 1, 2 }), -1), { { 0, 0, 0 }, { 1, 0, 0 }, { 0, 2, 0 } }, 0)
    h.assert_array(np.diag(x()), { 0.3, 0.2 }, 0)
    h.assert_array(np.diag(x(), 1), { -0.7, -0.4 }, 0)
    h.assert_array(np.diag(x(), -1), { 0.9 }, 0)
    check2(function(b) return np.sum(np.square(np.diag(b, 1))) + np.sum(np.tril(b) * b) end, x())
  end)
  it("meshgrid uses xy indexing", function()
    local a, b = np.meshgrid(np.array({ 1, 2, 3 }), np.array({ 4, 5 }))
    h.assert_array(a, { { 1, 2, 3 }, { 1, 2, 3 } }, 0)
    h.assert_array(b, { { 4, 4, 4 }, { 5, 5, 5 } }, 0)
  end)
end)

describe("errors and methods of the compositions", function()
  it("name the function and the axis", function()
    h.assert_error_matches(function() np.prod(x(), 3) end, { "np.prod", "axis 3", "dimension 2" })
    h.assert_error_matches(function() np.cumsum(x(), 0) end, { "np.cumsum", "axis 0" })
    h.assert_error_matches(function() np.argmax(np.zeros({ 0 })) end, { "np.argmax", "empty" })
    h.assert_error_matches(function() np.zeros_like(x(), "int8") end, { "np.zeros_like", "int8" })
  end)
  it("mirror the namespace as methods", function()
    h.assert_array(x():prod(2), { 0.3 * -0.7 * 0.5, 0.9 * 0.2 * -0.4 }, 1e-16)
    h.assert_array(x():round(), { { 0, -1, 0 }, { 1, 0, -0 } }, 0)
    h.assert_array(x():clip(0, 0.4), { { 0.3, 0, 0.4 }, { 0.4, 0.2, 0 } }, 0)
    assert.is_true(x():any() == 1 and x():all() == 1)
    h.assert_array(np.zeros_like(x(), "float64"), { { 0, 0, 0 }, { 0, 0, 0 } }, 0)
  end)
end)

-- The external tester's report (round 2): empty arrays, tables of axes,
-- options tables, dtypes. Values from NumPy 1.24 (axes 1-based here).
describe("reductions: empty arrays, tables of axes, options", function()
  local A = function() return np.reshape(np.arange(1, 25), { 2, 3, 4 }) end

  it("all and any of empty arrays are NumPy's True and False", function()
    assert.equal(1, np.all(np.zeros(0)))
    assert.equal(0, np.any(np.zeros(0)))
    h.assert_array(np.any(np.zeros({ 0, 3 }), 1), { 0, 0, 0 }, 0)
    h.assert_array(np.all(np.zeros({ 0, 3 }), 1), { 1, 1, 1 }, 0)
    h.assert_shape(np.any(np.zeros({ 0, 3 }), 2), { 0 })
    h.assert_array(np.all(np.zeros({ 0, 3 }), { axis = 1, keepdims = true }), { { 1, 1, 1 } }, 0)
    -- NaN is nonzero
    assert.equal(1, np.all(np.array({ 0 / 0, 1 })))
    assert.equal(1, np.any(np.array({ 0 / 0, 0 })))
    h.assert_array(np.all(np.array({ { 1, 0 }, { 2, 3 } }), { axis = 2, keepdims = true }), { { 0 }, { 1 } }, 0)
    assert.is_true(np.allclose(np.zeros(0), np.zeros(0)))
  end)

  it("prod over a table of axes, keepdims, options, empty axes", function()
    h.assert_array(np.prod(A(), { 1, 3 }), { 1048320, 195350400, 3029685120 }, 0)
    h.assert_array(np.prod(A(), { 1, 3 }, true), { { { 1048320 }, { 195350400 }, { 3029685120 } } }, 0)
    h.assert_array(np.prod(A(), { axis = { 1, 2 }, keepdims = true }),
      { { { 208845, 665280, 1514205, 2949120 } } }, 0)
    h.assert_array(np.prod(A(), -1), { { 24, 1680, 11880 }, { 43680, 116280, 255024 } }, 0)
    h.assert_number(np.prod(np.ones({ 2, 3 }), { 1, 2 }), 1, 0)
    h.assert_number(np.prod(np.arange(1, 11)), 3628800, 0)
    h.assert_number(np.prod(np.zeros(0)), 1, 0)
    h.assert_array(np.prod(np.zeros({ 0, 3 }), 1), { 1, 1, 1 }, 0)
    h.assert_shape(np.prod(np.zeros({ 0, 3 }), 2), { 0 })
    assert.equal("float32", np.prod(np.ones({ 2, 3 }, "float32"), 2).dtype)
  end)

  it("prod's gradient is exact at zeros, over a table of axes too", function()
    local v = np.array({ { { 1, 0 }, { 2, 3 } }, { { 4, 5 }, { 0, 0 } } })
    h.assert_array(ad.grad(function(b) return np.sum(np.prod(b, { 1, 3 })) end)(v),
      { { { 0, 20 }, { 0, 0 } }, { { 0, 0 }, { 0, 0 } } }, 0)
    h.assert_array(ad.grad(np.prod)(np.arange(1, 8)), { 5040, 2520, 1680, 1260, 1008, 840, 720 }, 0)
    ad.check_grads(function(b) return np.sum(np.prod(b, { 1, 3 })) end, { modes = { "rev", "fwd" }, order = 2 })(
      np.reshape(np.cos(np.arange(24)), { 2, 3, 4 }))
  end)

  it("cumsum takes an options table, dtype, and empty arrays", function()
    h.assert_array(np.cumsum(np.ones({ 2, 3 }), { axis = 2 }), { { 1, 2, 3 }, { 1, 2, 3 } }, 0)
    h.assert_array(np.cumsum(np.ones({ 2, 3 }), { axis = 1 }), { { 1, 1, 1 }, { 2, 2, 2 } }, 0)
    local f = np.cumsum(np.ones(3), { dtype = "float32" })
    h.assert_array(f, { 1, 2, 3 }, 0)
    assert.equal("float32", f.dtype)
    h.assert_shape(np.cumsum(np.zeros(0)), { 0 })
    h.assert_shape(np.cumsum(np.zeros({ 0, 3 }), 2), { 0, 3 })
    h.assert_shape(np.cumsum(np.zeros({ 2, 0 }), 2), { 2, 0 })
    h.assert_array(np.cumsum(5), { 5 }, 0)
  end)

  it("cumsum of long rows (blocks of the triangular product)", function()
    local c = np.cumsum(np.arange(1000))
    h.assert_shape(c, { 1000 })
    assert.equal(32640, c[256])
    assert.equal(32896, c[257])
    assert.equal(499500, c[1000])
    assert.equal(166666500, np.sum(c))
    local b = np.cumsum(np.reshape(np.arange(2100), { 3, 700 }), 2)
    assert.equal(1224650, b[{ 3, 700 }])
    assert.equal(254850, b[{ 2, 300 }])
    local b1 = np.cumsum(np.reshape(np.arange(1400), { 700, 2 }), 1)
    h.assert_array(b1[700], { 489300, 490000 }, 0)
    check2(function(v) return np.sum(np.sin(np.cumsum(v))) end, np.sin(np.arange(600)))
  end)

  it("var and std divide by max(n - ddof, 0), as NumPy", function()
    assert.equal(math.huge, np.var(np.array({ 1, 2, 4 }), { ddof = 5 }))
    assert.equal(math.huge, np.var(np.array({ 1, 2, 4 }), { ddof = 3 }))
    assert.equal(math.huge, np.std(np.array({ 1, 2, 4 }), nil, nil, 5))
    local v = np.var(np.array({ 1, 1, 1 }), { ddof = 5 })
    assert.is_true(v ~= v)
    h.assert_number(np.var(np.reshape(np.arange(6), { 2, 3 }), { axis = { 1, 2 }, ddof = 1 }), 3.5, 0)
    h.assert_number(np.var(np.array({ 1, 2, 4 }), 1, false, 1), 7 / 3, 1e-15)
  end)

  it("logsumexp of an empty reduction is -inf (SciPy)", function()
    assert.equal(-math.huge, np.logsumexp(np.zeros(0)))
    h.assert_array(np.logsumexp(np.zeros({ 0, 3 }), 1), { -math.huge, -math.huge, -math.huge }, 0)
    h.assert_array(np.logsumexp(np.zeros({ 0, 3 }), 1, true), { { -math.huge, -math.huge, -math.huge } }, 0)
    h.assert_shape(np.logsumexp(np.zeros({ 0, 3 }), 2), { 0 })
    h.assert_number(np.logsumexp(np.reshape(np.arange(6), { 2, 3 }), { 1, 2 }), 5.456193316018123, 1e-15)
    h.assert_number(np.logsumexp(5), 5, 0)
  end)

  it("name the function and the argument, never a file of the library", function()
    local function msg(f, ...) return h.error_message(f, ...) end
    for _, m in ipairs({
      msg(np.prod, np.ones({ 2, 3 }), { 1, {} }),
      msg(np.cumsum, np.ones({ 2, 3 }), { 1, 2 }),
      msg(np.argmax, np.ones({ 2, 3 }), { 1 }),
      msg(np.squeeze, np.ones({ 2, 3 }), { {} }),
    }) do
      assert.truthy(m:find("got a table", 1, true), m)
      assert.falsy(m:find("0x", 1, true), m)
    end
    h.assert_error_matches(function() np.prod(np.ones({ 2, 3 }), { 1, 1 }) end, { "np.prod", "duplicate" })
    h.assert_error_matches(function() np.logsumexp(np.ones({ 2, 3 }), 5) end, { "np.logsumexp", "axis 5" })
    h.assert_error_matches(function() np.all(np.ones({ 2, 3 }), 3) end, { "np.all", "axis 3" })
    h.assert_error_matches(function() np.cumsum(np.ones(2), { axis = 1, foo = 2 }) end,
      { "np.cumsum", "unknown option 'foo'" })
    h.assert_error_matches(function() np.std(np.ones(2), { ddof = "a" }) end, { "np.std", "ddof" })
    h.assert_error_matches(function() np.cumsum(np.ones(2), { dtype = "int8" }) end, { "np.cumsum", "int8" })
    -- an error inside a composition names the caller's line, not the library's
    local m = h.error_message(function() local r = np.cumsum(np.ones(2), 3); return r end)
    assert.falsy(m:find("lua/adlua", 1, true), m)
    assert.truthy(m:find("^[^:]*compose_spec%.lua:%d+: np%.cumsum:"), m)
  end)

  it("every reduction of the SPEC is a method too", function()
    local x = np.array({ { 1, 5 }, { 3, 2 } })
    assert.equal(5, x:amax())
    h.assert_array(x:amin(1), { 1, 2 }, 0)
    for _, name in ipairs({ "sum", "mean", "prod", "max", "min", "amax", "amin", "argmax", "argmin",
      "var", "std", "cumsum", "logsumexp", "all", "any" }) do
      assert.equal("function", type(x[name]), name)
    end
  end)
end)

describe("creators: options tables, dtypes, broadcasting", function()
  it("identity, tri take a dtype (last argument or option) and reject bad ones", function()
    local i = np.identity(2, "float32")
    h.assert_array(i, { { 1, 0 }, { 0, 1 } }, 0)
    assert.equal("float32", i.dtype)
    assert.equal("float32", np.identity(2, { dtype = "float32" }).dtype)
    h.assert_error_matches(function() np.identity(2, "bogus") end, { "np.identity", "unknown dtype bogus" })
    local t = np.tri(2, "float32")
    h.assert_array(t, { { 1, 0 }, { 1, 1 } }, 0)
    assert.equal("float32", t.dtype)
    assert.equal("float32", np.tri(2, 2, 0, "float32").dtype)
    h.assert_array(np.tri(3, { k = 1 }), { { 1, 1, 0 }, { 1, 1, 1 }, { 1, 1, 1 } }, 0)
    h.assert_array(np.tri(2, 3, { dtype = "float32" }), { { 1, 0, 0 }, { 1, 1, 0 } }, 0)
    h.assert_error_matches(function() np.tri(2, { dtype = "float16" }) end, { "np.tri", "float16" })
    h.assert_error_matches(function() np.tri(2, { n = 3 }) end, { "np.tri", "unknown option 'n'" })
  end)

  it("tril and triu of a 1-d array broadcast it to a square matrix", function()
    h.assert_array(np.tril(np.array({ 1, 2, 3 })), { { 1, 0, 0 }, { 1, 2, 0 }, { 1, 2, 3 } }, 0)
    h.assert_array(np.triu(np.array({ 1, 2, 3 }), 1), { { 0, 2, 3 }, { 0, 0, 3 }, { 0, 0, 0 } }, 0)
    h.assert_array(np.tril({ 1, 2, 3 }, { k = -1 }), { { 0, 0, 0 }, { 1, 0, 0 }, { 1, 2, 0 } }, 0)
    assert.equal("float32", np.tril(np.ones({ 2, 2 }, "float32")).dtype)
    h.assert_error_matches(function() np.tril(5) end, { "np.tril", "at least 1-d" })
  end)

  it("diag keeps float32, takes {k = ...}", function()
    local d = np.diag(np.ones({ 2, 2 }, "float32"))
    h.assert_array(d, { 1, 1 }, 0)
    assert.equal("float32", d.dtype)
    assert.equal("float32", np.diag(np.ones({ 2, 2 }, "float32"), 5).dtype)
    local M = np.reshape(np.arange(12), { 3, 4 })
    h.assert_array(np.diag(M, { k = 1 }), { 1, 6, 11 }, 0)
    h.assert_array(np.diag(M, -2), { 8 }, 0)
    h.assert_array(np.diag(M.T, 1), { 4, 9 }, 0)
    -- a copy, not a view of the matrix
    local e = np.diag(M)
    e[1] = 100
    assert.equal(0, M[{ 1, 1 }])
  end)

  it("meshgrid: indexing and sparse options, dtypes kept", function()
    local a, b, c = np.meshgrid(np.arange(3), np.arange(2), { indexing = "ij" })
    h.assert_array(a, { { 0, 0 }, { 1, 1 }, { 2, 2 } }, 0)
    h.assert_array(b, { { 0, 1 }, { 0, 1 }, { 0, 1 } }, 0)
    assert.is_nil(c)
    a, b = np.meshgrid(np.arange(3), np.arange(2), { indexing = "xy", sparse = true })
    h.assert_array(a, { { 0, 1, 2 } }, 0)
    h.assert_array(b, { { 0 }, { 1 } }, 0)
    a, b, c = np.meshgrid(np.arange(3), np.arange(2), np.arange(4))
    h.assert_shape(a, { 2, 3, 4 })
    h.assert_array(b[{ {}, {}, 1 }], { { 0, 0, 0 }, { 1, 1, 1 } }, 0)
    h.assert_shape(c, { 2, 3, 4 })
    a, b = np.meshgrid(np.arange(3, "float32"), np.arange(2))
    assert.equal("float32", a.dtype)
    assert.equal("float64", b.dtype)
    h.assert_error_matches(function() np.meshgrid(np.arange(3), { indexing = "ji" }) end,
      { "np.meshgrid", "indexing", "ji" })
    h.assert_error_matches(function() np.meshgrid(np.arange(3), { foo = 1 }) end,
      { "np.meshgrid", "unknown option 'foo'" })
  end)
end)

describe("tests and rounding as NumPy's", function()
  local inf, nan = math.huge, 0 / 0
  -- NumPy 1.24: np.isclose(a, b) and np.isclose(a, b, equal_nan=True)
  local A = { 1, inf, inf, -inf, nan, nan, 1e10, 1 }
  local B = { 1, inf, -inf, -inf, nan, 1, 1.00001e10, inf }

  it("isclose: equal infinities are close, inf is never close to a number, NaN only with equal_nan", function()
    h.assert_array(np.isclose(np.array(A), np.array(B)), { 1, 1, 0, 1, 0, 0, 1, 0 }, 0)
    h.assert_array(np.isclose(np.array(A), np.array(B), { equal_nan = true }), { 1, 1, 0, 1, 1, 0, 1, 0 }, 0)
    h.assert_array(np.isclose(np.array(A), np.array(B), nil, nil, true), { 1, 1, 0, 1, 1, 0, 1, 0 }, 0)
    -- broadcast, and not symmetric (the tolerance is relative to b)
    h.assert_array(np.isclose(np.array({ { 1 }, { 2 } }), { 1, 2.00001 }), { { 1, 0 }, { 0, 1 } }, 0)
    assert.equal(1, np.isclose(1e-9, 0))
    assert.equal(1, np.isclose(0, 1e-9))
    assert.equal(0, np.isclose(1e-7, 0))
  end)

  it("allclose gets infinities right and takes rtol, atol, equal_nan by position or name", function()
    assert.is_true(np.allclose(np.array({ inf }), np.array({ inf })))
    assert.is_false(np.allclose(np.array({ inf }), np.array({ -inf })))
    assert.is_false(np.allclose(1, inf))
    assert.is_false(np.allclose(np.array({ 1, nan }), np.array({ 1, nan })))
    assert.is_true(np.allclose(np.array({ 1, nan }), np.array({ 1, nan }), { equal_nan = true }))
    assert.is_true(np.allclose(np.array({ 1, nan }), np.array({ 1, nan }), 1e-5, 1e-8, true))
    -- NumPy: allclose([100], [101], rtol=0.01) True, [101.1] False; atol
    assert.is_true(np.allclose(np.array({ 100 }), np.array({ 101 }), { rtol = 0.01 }))
    assert.is_false(np.allclose(np.array({ 100 }), np.array({ 101.1 }), 0.01))
    assert.is_true(np.allclose({ 100 }, { 101 }, 0, 1))
    assert.is_false(np.allclose({ 100 }, { 101 }, { rtol = 0, atol = 0.99 }))
    assert.is_true(np.allclose(np.zeros({ 0 }), np.zeros({ 0 })))
    h.assert_error_matches(function() np.allclose(1, 2, { foo = 1 }) end, { "np.allclose", "unknown option 'foo'" })
    h.assert_error_matches(function() np.allclose(1, 2, "x") end, { "np.allclose", "rtol", "string" })
    h.assert_error_matches(function() np.allclose(1, 1, 1e-5, 1e-8, 1) end, { "np.allclose", "equal_nan", "boolean" })
    local m = h.error_message(function() local r = np.allclose(np.ones(2), np.ones(3)); return r end)
    assert.truthy(m:find("^[^:]*compose_spec%.lua:%d+: np%.allclose: .*%(2,%) %(3,%)"), m)
  end)

  it("array_equal takes equal_nan by position or name", function()
    assert.is_false(np.array_equal({ 1, nan }, { 1, nan }))
    assert.is_true(np.array_equal(np.array({ 1, nan }), np.array({ 1, nan }), true))
    assert.is_true(np.array_equal(np.array({ 1, nan }), np.array({ 1, nan }), { equal_nan = true }))
    assert.is_false(np.array_equal({ 1, nan }, { nan, 1 }, { equal_nan = true }))
    assert.is_false(np.array_equal({ 1, 2 }, { 1, 2, 3 }))
    h.assert_error_matches(function() np.array_equal(1, 1, { foo = true }) end,
      { "np.array_equal", "unknown option 'foo'" })
  end)

  it("round gives NumPy's doubles: rint(x * 10^d) / 10^d, or rint(x / 10^-d) * 10^-d", function()
    -- NumPy 1.24 (repr): 0.3, 2.68, 1.0, -2.0, 20.0, 40.0, 12300.0, 1.235e-20, 1.2345700000000002e-20
    assert.equal(0.3, np.round(0.3, 1))
    assert.equal(2.68, np.round(2.675, 2))
    assert.equal(1.0, np.round(1.005, 2))
    assert.equal(-2, np.round(-2.5))
    assert.equal(20, np.round(25, -1))
    assert.equal(40, np.round(35, -1))
    assert.equal(12300, np.round(12345.678, -2))
    -- NumPy's 10^23 and 10^25 are products of tens, not Lua's 10^n
    assert.equal(1.235e-20, np.round(1.2345678901234567e-20, 23))
    assert.equal(1.2345700000000002e-20, np.round(1.2345678901234567e-20, 25))
    -- beyond the doubles: 10^310 is inf, so NaN as in NumPy
    assert.is_true(np.isnan(np.round(1.5, 310)) == 1)
    assert.is_true(np.isnan(np.round(1.5, -310)) == 1)
    h.assert_array(np.round(np.array({ 0.3, 2.675, 1.005, -2.5, 25, 35, 12345.678 }), 1),
      { 0.3, 2.7, 1.0, -2.5, 25.0, 35.0, 12345.7 }, 0)
    h.assert_array(np.round(np.array({ 0.125, 2.5, 1234 }), { decimals = 2 }), { 0.12, 2.5, 1234 }, 0)
    assert.equal(2.68, np.around(2.675, 2))
    -- float32 rounds in float32 (np.round(np.float32([...]), 2))
    local r32 = np.round(np.array({ 2.675, 0.3, 1.005, 1234.5678 }, "float32"), 2)
    assert.equal("float32", r32.dtype)
    h.assert_array(r32, { 2.680000066757202, 0.30000001192092896, 1.0, 1234.5699462890625 }, 0)
    -- a constant for gradients
    assert.equal(0, ad.grad(function(v) return np.round(v, 1) end)(0.34))
    h.assert_error_matches(function() np.round(1, 1.5) end, { "np.round", "decimals", "1.5" })
  end)
end)

describe("meshgrid's copy option", function()
  it("keeps sparse results apart from the inputs unless copy is false", function()
    local x = np.arange(3)
    local a = np.meshgrid(x, np.arange(2), { sparse = true })
    a[{ 1, 1 }] = 100
    assert.equal(0, x[1])
    local b = np.meshgrid(x, np.arange(2), { sparse = true, copy = false })
    b[{ 1, 1 }] = 100
    assert.equal(100, x[1]) -- a view, as NumPy's copy=False
  end)
end)
