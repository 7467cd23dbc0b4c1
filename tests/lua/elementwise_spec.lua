-- Core NumPy breadth (issue 3): the new elementwise primitives (expm1 log2
-- log10 arcsin arccos arctan arctan2) and the constant rounding functions,
-- against values computed with Debian's python3-numpy 1.24.

local h = require "tests.lua.helpers"
local each = require "adlua.each" -- pairs, safe from Debian 12's LuaJIT (docs/luajit.md)
local np = require "adlua.numpy"
local ad = require "adlua"

local X = { { 0.3, -0.7, 0.5 }, { 0.9, 0.2, -0.4 } }
local function x() return np.array(X) end
local function check2(f, ...) ad.check_grads(f, { modes = { "rev" }, order = 2 })(...) end

describe("inverse trigonometric primitives", function()
  local ref = {
    arcsin = { { 0.30469265401539747, -0.775397496610753, 0.5235987755982989 }, { 1.1197695149986342, 0.2013579207903308, -0.41151684606748806 } },
    arccos = { { 1.266103672779499, 2.3461938234056494, 1.0471975511965976 }, { 0.45102681179626236, 1.3694384060045657, 1.9823131728623846 } },
    arctan = { { 0.2914567944778671, -0.6107259643892086, 0.4636476090008061 }, { 0.7328151017865066, 0.19739555984988075, -0.3805063771123649 } },
  }
  for name, expected in each(ref) do
    it(name .. " matches NumPy and passes check_grads to order 2", function()
      h.assert_array(np[name](x()), expected, 1e-15)
      check2(function(a) return np.sum(np[name](a)) end, x())
      check2(function(a) return np.sum(np[name](a)) end, x().T)
      check2(function(a) return np.sum(np[name](a)) end, x()[{ {}, { 1, 3, 2 } }])
    end)
  end

  it("arctan2 matches NumPy with broadcasting, and its gradients", function()
    local b = np.array({ 0.5, -0.3, 0.2 })
    h.assert_array(np.arctan2(x(), b), { { 0.5404195002705842, -1.97568811307998, 1.1902899496825317 }, { 1.0636978224025597, 2.5535900500422253, -1.1071487177940904 } }, 1e-15)
    check2(function(p, q) return np.sum(np.arctan2(p, q)) end, x(), b)
    h.assert_number(ad.grad(function(y) return np.arctan2(y, 2) end)(1), 2 / 5, 1e-15)
  end)
end)

describe("accurate logarithms and expm1", function()
  it("are exact where NumPy's are", function()
    assert.equal(3, np.log10(1000))
    assert.equal(10, np.log2(1024))
    h.assert_number(np.expm1(1e-10), 1.00000000005e-10, 1e-25)
    assert.equal(8, np.exp2(3))
    for _, name in ipairs({ "sinh", "arcsinh", "arctanh" }) do
      h.assert_number(np[name](1e-10), 1e-10, 1e-25, name)
    end
    h.assert_number(np.arccosh(1e8), math.log(2e8), 1e-14)
  end)
end)

describe("rounding and remainder", function()
  it("floor, ceil, round (half to even) are constants", function()
    h.assert_array(np.floor(x() * 3), { { 0, -3, 1 }, { 2, 0, -2 } }, 0)
    h.assert_array(np.ceil(np.array({ -0.5, 0.5 })), { -0, 1 }, 0)
    h.assert_array(np.round(np.array({ 0.5, 1.5, 2.5, -0.5 })), { 0, 2, 2, -0 }, 0)
    h.assert_array(np.round(np.array({ 1.234, -5.678 }), 2), { 1.23, -5.68 }, 1e-15)
    h.assert_array(ad.grad(function(a) return np.sum(np.floor(a) + np.ceil(a) + np.round(a)) end)(x()),
      { { 0, 0, 0 }, { 0, 0, 0 } }, 0)
  end)

  it("mod has NumPy's values (sign of the divisor) and autograd's gradients", function()
    h.assert_array(np.mod(np.array({ 5, -5, 5, -5 }), np.array({ 3, 3, -3, -3 })), { 2, 1, -1, -2 }, 0)
    h.assert_array(np.mod(x(), 0.25), { { 0.04999999999999999, 0.050000000000000044, 0.0 }, { 0.15000000000000002, 0.2, 0.09999999999999998 } }, 1e-15)
    h.assert_array(np.mod(x(), -0.25), { { -0.2, -0.19999999999999996, -0.0 }, { -0.09999999999999998, -0.04999999999999999, -0.15000000000000002 } }, 1e-15)
    h.assert_array(ad.grad(function(a) return np.sum(np.mod(a, 0.25)) end)(x()), { { 1, 1, 1 }, { 1, 1, 1 } }, 0)
    assert.equal(-3, ad.grad(function(b) return np.mod(1.3, b) end)(0.4))
    check2(function(a, b) return np.sum(np.square(np.mod(a, b))) end, x(), np.array({ 0.35, 0.45, 0.55 }))
  end)

  -- NumPy's remainder of each pair of SPECIAL (rows: x, columns: y):
  -- x with the divisor's sign, or the divisor itself, for an infinite
  -- divisor; nan for an infinite dividend or a zero divisor; a zero
  -- result takes the divisor's sign (the composition it replaces read
  -- inf - inf and gave nan for an infinite divisor)
  it("mod's special values are NumPy's, signed zeros included", function()
    local inf, nan = math.huge, 0 / 0
    local special = { 0, -0.0, 3, -3, 2.5, inf, -inf, nan }
    local want = {
      { nan, nan, 0, -0.0, 0, 0, -0.0, nan },
      { nan, nan, 0, -0.0, 0, 0, -0.0, nan },
      { nan, nan, 0, -0.0, 0.5, 3.0, -inf, nan },
      { nan, nan, 0, -0.0, 2.0, inf, -3.0, nan },
      { nan, nan, 2.5, -0.5, 0, 2.5, -inf, nan },
      { nan, nan, nan, nan, nan, nan, nan, nan },
      { nan, nan, nan, nan, nan, nan, nan, nan },
      { nan, nan, nan, nan, nan, nan, nan, nan },
    }
    for _, dtype in ipairs({ "float64", "float32" }) do
      local xs, ys = {}, {}
      for i = 1, #special do
        for j = 1, #special do xs[#xs + 1], ys[#ys + 1] = special[i], special[j] end
      end
      local r = np.mod(np.array(xs, dtype), np.array(ys, dtype))
      for i = 1, #special do
        for j = 1, #special do
          local got, w = r[(i - 1) * #special + j], want[i][j]
          local what = ("np.mod(%s, %s) in %s: %s, NumPy %s"):format(special[i], special[j], dtype, got, w)
          if w ~= w then
            assert(got ~= got, what)
          else
            assert(got == w and 1 / got == 1 / w, what)
          end
        end
      end
    end
    assert.equal(3, np.mod(3, inf))
    assert.equal(inf, np.mod(-3, inf))
    assert.equal(-inf, np.mod(np.array({ 3 }), -inf)[1])
    -- floor semantics: -7 mod 3 is 2, 7 mod -3 is -2
    assert.are.same({ 2, -2, 1, -1 }, np.mod(np.array({ -7, 7, 7, -7 }), np.array({ 3, -3, 3, -3 })):totable())
    -- gradients (torch's remainder): 1, and -floor(x / y)
    assert.equal(1, ad.grad(function(a) return np.mod(a, inf) end)(3))
    assert.equal(3, ad.grad(function(b) return np.mod(-7, b) end)(3))
    local _, t = ad.make_jvp(function(b) return np.mod(np.array({ 7, -7, 1.3 }), b) end)(np.array({ 3, 3, 0.4 }))(np.ones(3))
    assert.are.same({ -2, 3, -3 }, t:totable())
  end)

  it("sinc matches NumPy, is 1 at 0 with gradient 0", function()
    h.assert_array(np.sinc(x()), { { 0.8583936913341398, 0.36788301057177425, 0.6366197723675814 }, { 0.10929240478705182, 0.9354892837886389, 0.756826728640657 } }, 1e-15)
    assert.equal(1, np.sinc(0))
    assert.equal(0, ad.grad(np.sinc)(0))
    check2(function(a) return np.sum(np.sinc(a)) end, x())
  end)
end)

-- x^2, x^1, x^0 and x^-1 skip pow (as NumPy's fast_scalar_power); the
-- values, special ones included, are pow's.
describe("power by the exponents 2, 1, 0 and -1", function()
  local inf, nan = math.huge, 0 / 0
  local xs = { 1.5, -3, 0.1, 0, -0.0, inf, -inf, nan, 1e200, 7e-300 }
  for _, dtype in ipairs({ "float64", "float32" }) do
    it("gives pow's values in " .. dtype, function()
      local x = np.array(xs, dtype)
      for _, y in ipairs({ 2, 1, 0, -1, 3, 0.5 }) do
        local r = np.power(x, y)
        assert.equal(dtype, r.dtype)
        for i, v in ipairs(xs) do
          local want = v ^ y
          if dtype == "float32" then want = np.array({ np.array({ v }, "float32")[1] ^ y }, "float32")[1] end
          local got = r[i]
          if want ~= want then
            assert.is_true(got ~= got, ("%s^%s: %s, not nan"):format(v, y, got))
          else
            assert.equal(want, got, ("%s^%s (%s)"):format(v, y, dtype))
            assert.equal(1 / want, 1 / got, ("the sign of %s^%s"):format(v, y))
          end
        end
      end
    end)
  end
end)

-- x ^ 2 runs as square(x) (the tape has no constant exponent to
-- differentiate through): the same values and derivatives as power.
describe("x ^ 2", function()
  it("agrees with np.power(x, 2) in value and first and second derivatives", function()
    for _, dtype in ipairs({ "float64", "float32" }) do
      local x = np.array({ -1.5, 0, 0.3, 2 }, dtype)
      local a, b = x ^ 2, np.power(x, np.array(2, dtype))
      assert.equal(dtype, a.dtype)
      for i = 1, 4 do assert.equal(b[i], a[i]) end
      local function f(z) return np.sum(z ^ 2 * z) end
      local function g(z) return np.sum(np.power(z, np.array(2, dtype)) * z) end
      local ga, gb = ad.grad(f)(x), ad.grad(g)(x)
      local ha, hb = ad.elementwise_grad(ad.elementwise_grad(f))(x), ad.elementwise_grad(ad.elementwise_grad(g))(x)
      for i = 1, 4 do
        assert.equal(gb[i], ga[i])
        assert.equal(hb[i], ha[i])
      end
    end
  end)
end)

-- hypot is C's (NumPy's npy_hypot): correctly rounded where the scaled
-- composition it replaces was an ulp off, and inf when either side is
-- infinite, even against a nan.
describe("hypot", function()
  local inf, nan = math.huge, 0 / 0

  it("matches NumPy to the bit, float64 and float32", function()
    local xs = { 0.0012301533574825742, 0.2987455375084699, -0.2741378553622176, -0.8905918387572742, -0.45467078517172255, -0.9916465549964624, 0.060143602597438485, 1.3402152455545335, -0.49220651855132963, -0.6204748998199404, 0.4898420501851982, 0.35688700816006075, 0.10541424899789856, -0.9304680447082047, -0.02925182246327349, 0.6953031944582878, -1.344214547285082, -0.45761576104021817, -1.901222739800844, -1.289537739784976, -1.8417350377917323, -0.23509113107468127, -1.2674464814437032, 0.2712643588217015, 0.15675108662422516, -0.18693094462995438, -2.516759710820513, -0.5386928958466366, -0.048500945401071985, 0.11330898600330756, -1.5301357655053935, -0.47775327603393064, -0.9785190780566395, -0.8088372394255993, 1.0608986233860787, -0.8075346753318965, -0.0325217049455206, 0.8843898673831739, -0.583600432743302, -0.11170194958415963 }
    local ys = { 0.11046414324948059, 0.06378177425506196, -1.2250558264176934, 0.0761402303770081, 1.3588234217415376, -1.5471446781284823, 0.8593826880215982, 0.11935402569658124, -0.6414703941072214, 2.000416546342423, 0.7622597120847118, -1.1992889021052233, 0.07451622877146342, 0.5766895836701853, -0.1887821253507493, 0.682910267195206, -0.06651732014941557, 0.6672475608343279, 1.438522591656152, -0.6756622510056528, 0.20313861038960904, -0.46330757653841514, 0.12726841122583082, -1.18719452785014, -0.5793015965026732, -0.1961959728044967, 0.8987638721004078, 1.145222007454132, -1.323527792484255, -0.7946423659870495, 0.6469034225734218, -1.9924197841744944, -0.46316986495236695, -0.09728692567008902, 1.2570149772868198, 0.6894039005707556, -0.32721342022219785, -0.3685758940999591, -0.25019540051792494, 1.5235294004561601 }
    local want64 = { 0.1104709926683231, 0.305478331323759, 1.2553538710588874, 0.893840678165257, 1.4328735514210775, 1.8376668754422378, 0.8614846820487444, 1.3455193376041754, 0.8085490235109398, 2.094434401022651, 0.9060822825754326, 1.2512642435977268, 0.1290923399823244, 1.0946879272819268, 0.1910349705403932, 0.9745834829631206, 1.3458593176898905, 0.8090930058972072, 2.3841130747179253, 1.4558252160763567, 1.8529040030343544, 0.519539941090069, 1.273820172481175, 1.217791114815782, 0.6001343540145168, 0.2709908445039239, 2.6724251046198226, 1.2655921469386997, 1.324416157853355, 0.8026801455938684, 1.6612644277826405, 2.0488984330930347, 1.0826014547934109, 0.8146670643814942, 1.6448685486159254, 1.0617862261234903, 0.3288256128498389, 0.958119839707754, 0.6349702383092409, 1.5276187873927216 }
    local want32 = { 0.11047098785638809, 0.3054783344268799, 1.2553538084030151, 0.8938406705856323, 1.4328736066818237, 1.8376668691635132, 0.861484706401825, 1.3455193042755127, 0.8085489869117737, 2.0944342613220215, 0.906082272529602, 1.251264214515686, 0.12909233570098877, 1.0946879386901855, 0.1910349726676941, 0.9745835065841675, 1.3458592891693115, 0.8090929985046387, 2.384113073348999, 1.4558253288269043, 1.852903962135315, 0.5195399522781372, 1.273820161819458, 1.217791199684143, 0.6001343727111816, 0.27099084854125977, 2.6724250316619873, 1.265592098236084, 1.324416160583496, 0.8026801943778992, 1.661264419555664, 2.048898458480835, 1.0826014280319214, 0.8146670460700989, 1.6448686122894287, 1.0617862939834595, 0.32882559299468994, 0.9581198692321777, 0.6349702477455139, 1.5276187658309937 }
    assert.are.same(want64, np.hypot(np.array(xs), np.array(ys)):totable())
    local r32 = np.hypot(np.array(xs, "float32"), np.array(ys, "float32"))
    assert.equal("float32", r32.dtype)
    assert.are.same(want32, r32:totable())
  end)

  it("has NumPy's special values: inf wins over nan", function()
    local special = { 0, -0.0, 3, -3, 2.5, inf, -inf, nan }
    local want = {
      { 0, 0, 3.0, 3.0, 2.5, inf, inf, nan },
      { 0, 0, 3.0, 3.0, 2.5, inf, inf, nan },
      { 3.0, 3.0, 4.242640687119285, 4.242640687119285, 3.905124837953327, inf, inf, nan },
      { 3.0, 3.0, 4.242640687119285, 4.242640687119285, 3.905124837953327, inf, inf, nan },
      { 2.5, 2.5, 3.905124837953327, 3.905124837953327, 3.5355339059327378, inf, inf, nan },
      { inf, inf, inf, inf, inf, inf, inf, inf },
      { inf, inf, inf, inf, inf, inf, inf, inf },
      { nan, nan, nan, nan, nan, inf, inf, nan },
    }
    for i, a in ipairs(special) do
      local r = np.hypot(a, np.array(special))
      for j, w in ipairs(want[i]) do
        local what = ("np.hypot(%s, %s): %s, NumPy %s"):format(a, special[j], r[j], w)
        if w ~= w then assert(r[j] ~= r[j], what) else assert(r[j] == w, what) end
      end
    end
    assert.equal(inf, np.hypot(3, inf))
    assert.are.same({ inf, inf }, np.hypot(np.array({ -inf, nan }), np.array({ 3, inf })):totable())
    assert.equal(1.4142135623730951e308, np.hypot(1e308, 1e308)) -- no overflow
  end)

  it("gradients x / h and y / h (torch's), 0 at (0, 0) to any order", function()
    local f = function(a, b) return np.hypot(a, b) end
    assert.equal(0.6, ad.grad(f, 1)(3, 4))
    assert.equal(0.8, ad.grad(f, 2)(3, 4))
    h.assert_number(ad.grad(ad.grad(f, 1), 1)(3, 4), 16 / 125, 1e-16)
    assert.equal(0, ad.grad(f, 1)(0, 0))
    assert.equal(0, ad.grad(ad.grad(f, 1), 1)(0, 0))
    -- at an infinite argument: 0 for the finite side, nan for the infinite one (as torch)
    assert.equal(0, ad.grad(f, 2)(inf, 3))
    local d = ad.grad(f, 1)(inf, 3)
    assert.is_true(d ~= d)
    local _, t = ad.make_jvp(function(a) return np.hypot(a, np.array({ 4, 0 })) end)(np.array({ 3, 0 }))(np.ones(2))
    assert.are.same({ 0.6, 0 }, t:totable())
    check2(function(a, b) return np.sum(np.hypot(a, b)) end, x(), np.array({ 0.4, 0.25, -0.3 }))
    local g = ad.grad(function(a) return np.sum(np.hypot(a, 4)) end)(np.array({ 3 }, "float32"))
    assert.equal("float32", g.dtype)
  end)
end)

-- The rule y x^(y-1) met 0 * inf at x = 0, y = 0 (x^0's derivative read
-- nan). Reference values: torch 1.13, float64.
describe("the derivatives of x^y at x = 0", function()
  local inf = math.huge
  local function tab(a) return a:totable() end

  it("reverse mode: x^0 has derivative 0, x^1 derivatives 1 then 0 (torch's values)", function()
    assert.equal(0, ad.grad(function(x) return x ^ 0 end)(0))
    assert.equal(0, ad.grad(function(x) return np.power(x, 0) end)(-0.0))
    assert.equal(1, ad.grad(function(x) return np.sum(np.power(x, np.arange(4))) end)(0))
    assert.equal(1, ad.grad(function(x) return x ^ 1 end)(0))
    assert.equal(0, ad.grad(ad.grad(function(x) return x ^ 1 end))(0))
    -- x^3 at 0: 0, 0, 6 (torch's) and then 0 (torch: nan, from 0 * 0^-1)
    local f = function(x) return x ^ 3 end
    assert.equal(0, ad.grad(f)(0))
    assert.equal(0, ad.grad(ad.grad(f))(0))
    assert.equal(6, ad.grad(ad.grad(ad.grad(f)))(0))
    assert.equal(0, ad.grad(ad.grad(ad.grad(ad.grad(f))))(0))
    -- x^0 is the constant 1 at inf and nan too (torch: 0; autograd: nan)
    assert.equal(0, ad.grad(function(x) return x ^ 0 end)(inf))
    assert.equal(0, ad.grad(function(x) return x ^ 0 end)(0 / 0))
    assert.equal(0, ad.grad(function(x) return x ^ 0 end)(-3))
  end)

  it("elementwise, with broadcasting, both arguments (torch's values)", function()
    local X = { 0, 0, 0, 0, 2, -2, 0, 0.5 }
    local Y = { 0, 1, 2, 3, 0, 3, 0.5, -1 }
    local gx = ad.grad(function(x, y) return np.sum(np.power(x, y)) end, 1)(np.array(X), np.array(Y))
    assert.are.same({ 0, 1, 0, 0, 0, 12, inf, -4 }, tab(gx))
    local gy = ad.grad(function(x, y) return np.sum(np.power(x, y)) end, 2)(np.array(X), np.array(Y))
    local want = { 0, 0, 0, 0, 0.6931471805599453, 0 / 0, 0, -1.3862943611198906 }
    for i, w in ipairs(want) do
      if w ~= w then assert.is_true(gy[i] ~= gy[i]) else assert.equal(w, gy[i]) end
    end
    -- 0^y for y < 0: d/dx -inf as torch; d/dy nan, autograd's log(1) * inf (torch: -inf)
    assert.equal(-inf, ad.grad(np.power, 1)(0, -1))
    local d = ad.grad(np.power, 2)(0, -1)
    assert.is_true(d ~= d)
    -- a scalar x against a row of exponents: the row's derivatives summed
    assert.equal(1, ad.grad(function(x) return np.sum(np.power(x, np.array({ 0, 1, 2, 3 }))) end)(0))
  end)

  it("second order, mixed derivatives included", function()
    local function dx(x, y) return ad.grad(np.power, 1)(x, y) end
    local function dy(x, y) return ad.grad(np.power, 2)(x, y) end
    -- x^(y-1) (1 + y log x) at (2, 0.5), both ways (torch: 0.9521713170536844)
    assert.equal(0.9521713170536844, ad.grad(function(y) return dx(2, y) end)(0.5))
    assert.equal(0.9521713170536844, ad.grad(function(x) return dy(x, 0.5) end)(2))
    -- at y == 0 exactly the x side is the constant 0 (docs/conventions.md):
    -- its y derivative reads 1 (torch 0, autograd x) where 1/x is the limit
    assert.equal(1, ad.grad(function(y) return dx(2, y) end)(0))
    assert.equal(0.5, ad.grad(function(x) return dy(x, 0) end)(2)) -- torch: 0.5
    h.assert_array(ad.elementwise_grad(ad.elementwise_grad(function(x)
      return np.power(x, np.array({ 0, 1, 2, 3 }))
    end))(np.zeros(4)), { 0, 0, 2, 0 }, 0)
  end)

  it("forward mode and forward over reverse give the same", function()
    local _, t = ad.make_jvp(function(x) return np.power(x, 0) end)(np.array({ 0, 1 }))(np.array({ 1, 1 }))
    assert.are.same({ 0, 0 }, tab(t))
    _, t = ad.make_jvp(function(x) return np.power(x, np.arange(4)) end)(np.zeros(4))(np.ones(4))
    assert.are.same({ 0, 1, 0, 0 }, tab(t))
    _, t = ad.make_jvp(ad.elementwise_grad(function(x) return x ^ 1 end))(np.array({ 0, 2 }))(np.array({ 1, 1 }))
    assert.are.same({ 0, 0 }, tab(t))
    _, t = ad.make_jvp(function(y) return np.power(0, y) end)(np.array({ 0, 1, 2 }))(np.ones(3))
    assert.are.same({ 0, 0, 0 }, tab(t))
  end)

  it("float32 keeps its dtype", function()
    local g = ad.grad(function(x) return np.sum(x ^ np.array({ 0, 1, 3 }, "float32")) end)(np.array({ 0, 0, 2 }, "float32"))
    assert.equal("float32", g.dtype)
    assert.are.same({ 0, 1, 12 }, tab(g))
  end)
end)

describe("+ - * / on results too big for the caches (streamed stores)", function()
  -- 4 MB and more of float64 results are written around the caches; the
  -- values are the same IEEE operations'.  Odd lengths exercise the tail,
  -- an offset view an unaligned operand, a row broadcast the iterator.
  local n = 600003
  local x = np.arange(n) * 0.5 - 7
  local y = np.mod(np.arange(n), 7) + 0.25
  local function check(r, f, what)
    h.assert_shape(r, { n }, what)
    for _, i in ipairs({ 1, 2, 3, 4, 5, 99999, n - 4, n - 3, n - 2, n - 1, n }) do
      local xi, yi = (i - 1) * 0.5 - 7, (i - 1) % 7 + 0.25
      local want = f(xi, yi)
      assert(r[i] == want, ("%s: at %d got %.17g, want %.17g"):format(what, i, r[i], want))
    end
  end
  it("array op array, array op number, number op array", function()
    check(x + y, function(a, b) return a + b end, "x + y")
    check(x - y, function(a, b) return a - b end, "x - y")
    check(x * y, function(a, b) return a * b end, "x * y")
    check(x / y, function(a, b) return a / b end, "x / y")
    check(x * 2.5, function(a) return a * 2.5 end, "x * 2.5")
    check(2.5 - x, function(a) return 2.5 - a end, "2.5 - x")
    check(np.divide(3, y), function(_, b) return 3 / b end, "3 / y")
  end)
  it("an unaligned operand and a broadcast row", function()
    local xs, ys = x[{ { 2, n } }], y[{ { 1, n - 1 } }]
    local r = xs * ys
    h.assert_shape(r, { n - 1 })
    for _, i in ipairs({ 1, 2, 3, 1000, n - 2, n - 1 }) do
      assert.equal(((i) * 0.5 - 7) * ((i - 1) % 7 + 0.25), r[i])
    end
    local X = np.reshape(np.arange(1000 * 600) * 1.0, { 1000, 600 })
    local b = np.arange(600) * 0.25 - 3
    local s = X + b
    for _, ij in ipairs({ { 1, 1 }, { 1, 600 }, { 500, 17 }, { 1000, 599 }, { 1000, 600 } }) do
      local i, j = ij[1], ij[2]
      assert.equal(((i - 1) * 600 + (j - 1)) + ((j - 1) * 0.25 - 3), s[{ i, j }])
    end
  end)
end)
