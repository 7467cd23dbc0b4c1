-- The tape: grad, elementwise_grad, value_and_grad, nesting, gradients of
-- every differentiable operation of issue 2 (against this file's own finite
-- differences, and through ad.check_grads at order 2).
local unpack = table.unpack or unpack -- Lua 5.4 has only table.unpack

local h = require "tests.lua.helpers"
local each = require "adlua.each" -- pairs, safe from Debian 12's LuaJIT (docs/luajit.md)
local np = require "adlua.numpy"
local ad = require "adlua"
local grad, elementwise_grad, value_and_grad = ad.grad, ad.elementwise_grad, ad.value_and_grad

describe("grad basics", function()
  it("grad(np.log)(10.0) is 0.1 as a Lua number", function()
    h.assert_number(grad(np.log)(10.0), 0.1, 1e-15)
  end)

  it("the gradient of a number is a number", function()
    h.assert_number(grad(function(x) return x * x end)(3), 6, 1e-15)
    h.assert_number(grad(np.sin)(0.5), math.cos(0.5), 1e-15)
    h.assert_number(grad(function(x) return 2 * x ^ 3 end)(2), 24, 1e-13)
    h.assert_number(grad(function(x) return np.exp(x) / x end)(2),
      math.exp(2) / 2 - math.exp(2) / 4, 1e-13)
  end)

  it("the gradient of an array is an array of the same shape", function()
    local g = grad(function(x) return np.sum(x * x) end)(np.array({ 1, 2, 3 }))
    h.assert_array(g, { 2, 4, 6 }, 1e-15)
    local x = np.array({ { 1, 2, 3 }, { 4, 5, 6 } })
    local g2 = grad(function(y) return np.sum(np.sin(y)) end)(x)
    assert.same({ 2, 3 }, g2.shape)
    h.assert_array(g2, { { math.cos(1), math.cos(2), math.cos(3) },
      { math.cos(4), math.cos(5), math.cos(6) } }, 1e-15)
  end)

  it("the gradient w.r.t. a non-contiguous argument has its shape", function()
    local x = np.array({ { 1, 2, 3 }, { 4, 5, 6 } }).T
    local g = grad(function(y) return np.sum(y * y) end)(x)
    h.assert_array(g, { { 2, 8 }, { 4, 10 }, { 6, 12 } }, 1e-15)
  end)

  it("does not modify its argument", function()
    local x = np.array({ 1, 2, 3 })
    grad(function(y) return np.sum(y * y) end)(x)
    h.assert_array(x, { 1, 2, 3 }, 0)
  end)

  it("accepts a function returning a one-element array", function()
    local w = np.array({ { 1 }, { 2 }, { 3 } })
    local v = np.array({ 4, 5, 6 })
    local g = grad(function(ww) return np.dot(ww.T, v) end)(w) -- (1,) result
    h.assert_array(g, { { 4 }, { 5 }, { 6 } }, 1e-15)
    local g2 = grad(function(x) return np.sum(x, nil, true) * 2 end)(np.array({ { 1, 2 } })) -- (1,1)
    h.assert_array(g2, { { 2, 2 } }, 1e-15)
  end)

  it("accumulates a value used several times", function()
    h.assert_number(grad(function(x) return x * x + x + np.sin(x) end)(1.5),
      2 * 1.5 + 1 + math.cos(1.5), 1e-14)
  end)

  it("argnum selects the argument", function()
    local function f(x, y) return x * y ^ 2 end
    h.assert_number(grad(f)(3, 2), 4, 1e-14)
    h.assert_number(grad(f, 1)(3, 2), 4, 1e-14)
    h.assert_number(grad(f, 2)(3, 2), 12, 1e-14)
  end)

  it("argnum as a table returns one gradient per argument, in order", function()
    local function f(x, y, z) return x * y ^ 2 + z end
    local gx, gy = grad(f, { 1, 2 })(3, 2, 7)
    h.assert_number(gx, 4, 1e-14)
    h.assert_number(gy, 12, 1e-14)
    local g2, g3, g1 = grad(f, { 2, 3, 1 })(3, 2, 7)
    h.assert_number(g2, 12, 1e-14)
    h.assert_number(g3, 1, 1e-14)
    h.assert_number(g1, 4, 1e-14)
  end)

  it("argnum table with arrays", function()
    local a, b = np.array({ 1, 2 }), np.array({ 3, 4 })
    local ga, gb = grad(function(x, y) return np.sum(x * y) end, { 1, 2 })(a, b)
    h.assert_array(ga, { 3, 4 }, 0)
    h.assert_array(gb, { 1, 2 }, 0)
  end)

  it("a function not depending on its argument gives zeros", function()
    local g = grad(function(x) return 3.0 end)(np.array({ 1, 2 }))
    h.assert_array(g, { 0, 0 }, 0)
    h.assert_number(grad(function(x) return 5 end)(2.0), 0, 0)
    local g2 = grad(function(x) return np.sum(np.ones({ 3 })) end)(np.zeros({ 2, 2 }))
    h.assert_array(g2, { { 0, 0 }, { 0, 0 } }, 0)
    local gx, gy = grad(function(x, y) return np.sum(x * 2) end, { 1, 2 })(np.ones({ 2 }), np.ones({ 3 }))
    h.assert_array(gx, { 2, 2 }, 0)
    h.assert_array(gy, { 0, 0, 0 }, 0)
  end)

  it("gives the same answer when called repeatedly", function()
    local df = grad(function(x) return np.sum(np.tanh(x) * x) end)
    local x = np.array({ 0.1, -0.2, 0.3 })
    local first = df(x):totable()
    for _ = 1, 200 do h.assert_array(df(x), first, 0) end
  end)
end)

describe("elementwise_grad and value_and_grad", function()
  it("elementwise_grad gives the derivative at each point", function()
    local x = np.array({ { 0.1, 0.2 }, { 0.3, 0.4 } })
    local g = elementwise_grad(np.sin)(x)
    h.assert_array(g, { { math.cos(0.1), math.cos(0.2) }, { math.cos(0.3), math.cos(0.4) } }, 1e-15)
    h.assert_array(elementwise_grad(function(y) return y ^ 3 end)(np.array({ 1, 2, 3 })),
      { 3, 12, 27 }, 1e-14)
  end)

  it("elementwise_grad of a number is a number", function()
    h.assert_number(elementwise_grad(np.exp)(1.0), math.exp(1), 1e-15)
  end)

  it("value_and_grad returns the value and the gradient", function()
    local v, g = value_and_grad(function(x) return np.sum(x ^ 2) end)(np.array({ 1, 2 }))
    h.assert_number(v, 5, 1e-15)
    h.assert_array(g, { 2, 4 }, 1e-15)
    local v2, g2 = value_and_grad(np.sin)(0.5)
    h.assert_number(v2, math.sin(0.5), 1e-15)
    h.assert_number(g2, math.cos(0.5), 1e-15)
  end)

  it("value_and_grad with argnum", function()
    local v, g = value_and_grad(function(x, y) return x * y ^ 2 end, 2)(3, 2)
    h.assert_number(v, 12, 0)
    h.assert_number(g, 12, 1e-14)
  end)
end)

describe("the polynomial f(x) = 2x^2 - 5x + 3 on arange(-4, 4, 0.01)", function()
  local function f(x) return 2 * x ^ 2 - 5 * x + 3 end
  local x
  before_each(function() x = np.arange(-4.0, 4.0, 0.01) end)

  it("first derivative is 4x - 5 at each of the 800 points", function()
    local d1 = elementwise_grad(f)(x)
    assert.same({ 800 }, d1.shape)
    local xs, ds = h.flat(x), h.flat(d1)
    for i = 1, 800 do
      assert(h.near(ds[i], 4 * xs[i] - 5, 1e-12), ("point %d: %g vs %g"):format(i, ds[i], 4 * xs[i] - 5))
    end
  end)

  it("second derivative is 4 everywhere", function()
    local d2 = elementwise_grad(elementwise_grad(f))(x)
    assert.same({ 800 }, d2.shape)
    h.assert_all(d2, function(v) return h.near(v, 4, 1e-12) end, "f''")
  end)

  it("third derivative is 0 everywhere", function()
    local d3 = elementwise_grad(elementwise_grad(elementwise_grad(f)))(x)
    assert.same({ 800 }, d3.shape)
    h.assert_all(d3, function(v) return math.abs(v) < 1e-12 end, "f'''")
  end)
end)

describe("higher order by nesting", function()
  it("third and fourth derivatives of numbers", function()
    h.assert_number(grad(grad(grad(function(x) return x ^ 4 end)))(2.0), 48, 1e-12)
    h.assert_number(grad(grad(grad(np.sin)))(0.3), -math.cos(0.3), 1e-14)
    h.assert_number(grad(grad(grad(grad(np.exp))))(1.0), math.exp(1), 1e-13)
    h.assert_number(grad(grad(np.tanh))(0.5),
      -2 * math.tanh(0.5) * (1 - math.tanh(0.5) ^ 2), 1e-14)
    h.assert_number(grad(grad(np.log))(2.0), -0.25, 1e-14)
  end)

  it("SPEC's nested example gives 6", function()
    local r = grad(function(x) return x * grad(function(y) return x * y end)(2) end)(3)
    h.assert_number(r, 6, 1e-14)
  end)

  it("no perturbation confusion: d/dx [x * d/dy (x + y)] = 1", function()
    local r = grad(function(x) return x * grad(function(y) return x + y end)(1) end)(2)
    h.assert_number(r, 1, 1e-14)
  end)

  it("inner gradient evaluated at the outer variable", function()
    -- inner: d/dy (x y^2) = 2xy, at y = x: 2x^2; outer derivative 4x
    local r = grad(function(x) return grad(function(y) return x * y * y end)(x) end)(3)
    h.assert_number(r, 12, 1e-13)
  end)

  it("nesting with arrays", function()
    -- d/dx sum(cos(x) * x) = -sin(x) x + cos(x)
    local x = np.array({ 0.2, 0.7, -1.1 })
    local g = grad(function(y) return np.sum(elementwise_grad(np.sin)(y) * y) end)(x)
    local want = {}
    for i, v in ipairs({ 0.2, 0.7, -1.1 }) do want[i] = -math.sin(v) * v + math.cos(v) end
    h.assert_array(g, want, 1e-14)
  end)

  it("second derivative against finite differences of the first", function()
    local function f(x) return np.sum(np.exp(x * 0.5) * np.sin(x)) end
    local x = np.array({ 0.3, -0.4, 1.2 })
    local v = np.array({ 1.0, -2.0, 0.5 })
    local function dir(y) return np.sum(grad(f)(y) * v) end
    h.assert_grad_fd(dir, { x }, 1, 1e-6, "Hessian-vector product")
  end)
end)

describe("loops and branches in traced code", function()
  it("a for loop", function()
    local function f(x)
      local y = 1
      for _ = 1, 5 do y = y * x end
      return y
    end
    h.assert_number(grad(f)(1.5), 5 * 1.5 ^ 4, 1e-13)
  end)

  it("a branch on the value", function()
    local function f(x)
      if h.val(x) > 0 then return x ^ 2 else return -3 * x end
    end
    h.assert_number(grad(f)(2.0), 4, 1e-14)
    h.assert_number(grad(f)(-2.0), -3, 1e-14)
  end)

  it("ad.value gives the Lua number of a traced value", function()
    local seen
    grad(function(x)
      seen = ad.value(x * 2)
      return x
    end)(1.25)
    h.assert_number(seen, 2.5, 0)
  end)

  it("a while loop with a data-dependent trip count", function()
    local function f(x)
      local y = x
      while h.val(y) < 100 do y = y * x end
      return y
    end
    -- from x = 3: 3, 9, 27, 81, 243 -> y = x^5
    h.assert_number(grad(f)(3.0), 5 * 3 ^ 4, 1e-12)
  end)

  it("recursion and calls into other functions and upvalues", function()
    local scale = np.array({ 1, 2, 3 })
    local function pow(x, n) if n == 0 then return 1 end return x * pow(x, n - 1) end
    local function f(x) return np.sum(pow(x, 3) * scale) end
    h.assert_array(grad(f)(np.array({ 1, 1, 2 })), { 3, 6, 36 }, 1e-14)
  end)

  it("a branch on an array reduction", function()
    local function f(x)
      if h.val(np.sum(x)) > 0 then return np.sum(x * x) end
      return np.sum(x)
    end
    h.assert_array(grad(f)(np.array({ 1, 2 })), { 2, 4 }, 1e-15)
    h.assert_array(grad(f)(np.array({ -1, -2 })), { 1, 1 }, 1e-15)
  end)

  it("a traced 0-d value prints like a number", function()
    local s
    grad(function(x)
      local y = x * 2
      s = tostring(y)
      return y
    end)(1.5)
    assert(tonumber(s), "tostring of a traced 0-d value should read as a number, got " .. tostring(s))
    h.assert_number(tonumber(s), 3, 1e-12)
  end)
end)

describe("broadcasting in the gradient", function()
  it("a (3,1) array used with a (3,4) array gets a (3,1) gradient", function()
    local a = np.array({ { 1 }, { 2 }, { 3 } })
    local b = np.arange(12):reshape({ 3, 4 })
    local ga = grad(function(x) return np.sum(x * b) end)(a)
    assert.same({ 3, 1 }, ga.shape)
    h.assert_array(ga, { { 6 }, { 22 }, { 38 } }, 1e-14)
    local gb = grad(function(y) return np.sum(a * y) end)(b)
    assert.same({ 3, 4 }, gb.shape)
    h.assert_array(gb, { { 1, 1, 1, 1 }, { 2, 2, 2, 2 }, { 3, 3, 3, 3 } }, 0)
  end)

  it("a (4,) row added to a (3,4) array", function()
    local r = np.array({ 1, 2, 3, 4 })
    local m = np.ones({ 3, 4 })
    local g = grad(function(x) return np.sum((m + x) ^ 2) end)(r)
    h.assert_array(g, { 12, 18, 24, 30 }, 1e-14)
  end)

  it("a (1,4) and a (3,1) broadcast together, both gradients", function()
    local a = np.array({ { 1, 2, 3, 4 } })
    local b = np.array({ { 1 }, { 2 }, { 3 } })
    local ga, gb = grad(function(x, y) return np.sum(x * y) end, { 1, 2 })(a, b)
    h.assert_array(ga, { { 6, 6, 6, 6 } }, 0)
    h.assert_array(gb, { { 10 }, { 10 }, { 10 } }, 0)
  end)

  it("a number argument broadcast against an array gets a number", function()
    local x = np.array({ 1, 2, 3 })
    h.assert_number(grad(function(s) return np.sum(s * x) end)(2.0), 6, 1e-15)
    h.assert_number(grad(function(s) return np.sum(x / s) end)(2.0), -6 / 4, 1e-15)
  end)
end)

describe("gradients through views and shape operations", function()
  it("x[i] of a 1-d array, repeated and negative", function()
    local g = grad(function(x) return x[2] * x[2] + x[-1] + x[2] end)(np.array({ 1, 3, 5, 7 }))
    h.assert_array(g, { 0, 7, 0, 1 }, 1e-15)
  end)

  it("X[{{}, i}] column, as in the iris loss", function()
    local X = np.array({ { 1, 2, 3 }, { 4, 5, 6 } })
    local g = grad(function(Y) return np.sum(Y[{ {}, 2 }] * np.array({ 10, 20 })) end)(X)
    h.assert_array(g, { { 0, 10, 0 }, { 0, 20, 0 } }, 0)
  end)

  it("each column of a loop adds into the gradient", function()
    local X = np.array({ { 1, 2, 3 }, { 4, 5, 6 } })
    local g = grad(function(Y)
      local s = 0
      for i = 1, 3 do s = s + np.sum(Y[{ {}, i }] * i) end
      return s
    end)(X)
    h.assert_array(g, { { 1, 2, 3 }, { 1, 2, 3 } }, 0)
  end)

  it("w.T read many times in a loop, at every order (the traced transpose is made once)", function()
    local A = np.array({ { 1, 2 }, { 3, 4 }, { 5, 6 } })
    local function by_T(w)
      local s = 0
      for i = 1, 3 do s = s + np.sum(np.exp(np.dot(w.T, A[i]) * 0.1 * i)) end
      return s
    end
    local function by_transpose(w)
      local s = 0
      for i = 1, 3 do s = s + np.sum(np.exp(np.dot(np.transpose(w), A[i]) * 0.1 * i)) end
      return s
    end
    local w = np.array({ { 0.5, -1 }, { 2, 0.25 } })
    h.assert_close(grad(by_T)(w), grad(by_transpose)(w), 1e-15, "first order")
    h.assert_close(ad.hessian(by_T)(w), ad.hessian(by_transpose)(w), 1e-14, "second order")
    assert.is_true(ad.check_grads(by_T, { modes = { "rev", "fwd" }, order = 2 })(w))
    -- a traced w.T is the same view each time; kept past the call it is plain
    local kept
    grad(function(v)
      assert.is_true(rawequal(v.T, v.T))
      kept = v.T
      return np.sum(v)
    end)(w)
    h.assert_array(kept, { { 0.5, 2 }, { -1, 0.25 } }, 0)
    assert.is_true(rawequal(w.T, w.T)) -- a plain array keeps its transpose too
  end)

  it("x[{i, j}] element and rows", function()
    local X = np.array({ { 1, 2 }, { 3, 4 } })
    local g = grad(function(Y) return Y[{ 2, 1 }] ^ 2 + np.sum(Y[1]) end)(X)
    h.assert_array(g, { { 1, 1 }, { 6, 0 } }, 1e-15)
  end)

  it("strided ranges", function()
    local g = grad(function(x) return np.sum(x[{ { 1, 5, 2 } }] * np.array({ 1, 2, 3 })) end)(np.zeros({ 5 }))
    h.assert_array(g, { 1, 0, 2, 0, 3 }, 0)
    local g2 = grad(function(x) return np.sum(x[{ { 2, 3 }, {} }]) end)(np.zeros({ 3, 2 }))
    h.assert_array(g2, { { 0, 0 }, { 1, 1 }, { 1, 1 } }, 0)
  end)

  it("transpose and .T", function()
    local W = np.array({ { 1, 2 }, { 3, 4 }, { 5, 6 } })
    local X = np.zeros({ 2, 3 })
    h.assert_array(grad(function(Y) return np.sum(Y.T * W) end)(X), { { 1, 3, 5 }, { 2, 4, 6 } }, 0)
    h.assert_array(grad(function(Y) return np.sum(np.transpose(Y) * W) end)(X), { { 1, 3, 5 }, { 2, 4, 6 } }, 0)
    h.assert_array(grad(function(Y) return np.sum(Y:transpose() * W) end)(X), { { 1, 3, 5 }, { 2, 4, 6 } }, 0)
  end)

  it("reshape", function()
    local W = np.array({ { 1, 2, 3 }, { 4, 5, 6 } })
    local g = grad(function(x) return np.sum(x:reshape({ 2, 3 }) * W) end)(np.zeros({ 6 }))
    h.assert_array(g, { 1, 2, 3, 4, 5, 6 }, 0)
    local g2 = grad(function(x) return np.sum(np.reshape(x, { -1 }) * np.arange(6)) end)(np.zeros({ 3, 2 }))
    h.assert_array(g2, { { 0, 1 }, { 2, 3 }, { 4, 5 } }, 0)
  end)

  it("concatenate", function()
    local w = np.array({ 1, 2, 3, 4, 5 })
    local ga, gb = grad(function(a, b) return np.sum(np.concatenate({ a, b }) * w) end, { 1, 2 })(
      np.zeros({ 2 }), np.zeros({ 3 }))
    h.assert_array(ga, { 1, 2 }, 0)
    h.assert_array(gb, { 3, 4, 5 }, 0)
    local W = np.array({ { 1, 2 }, { 4, 5 } })
    local gc = grad(function(c) return np.sum(np.concatenate({ c, c * 2 }, 2) * W) end)(np.zeros({ 2, 1 }))
    h.assert_array(gc, { { 1 + 2 * 2 }, { 4 + 2 * 5 } }, 0)
  end)

  it("stack", function()
    local W = np.array({ { 1, 2 }, { 3, 4 } })
    local ga, gb = grad(function(a, b) return np.sum(np.stack({ a, b }) * W) end, { 1, 2 })(
      np.zeros({ 2 }), np.zeros({ 2 }))
    h.assert_array(ga, { 1, 2 }, 0)
    h.assert_array(gb, { 3, 4 }, 0)
    local gc = grad(function(a) return np.sum(np.stack({ a, a }, 2) * W) end)(np.zeros({ 2 }))
    h.assert_array(gc, { 3, 7 }, 0)
  end)

  it("sum and mean with axis and keepdims", function()
    local X = np.array({ { 1, 2, 3 }, { 4, 5, 6 } })
    -- sum over axis 2 = {6, 15}; d/dX sum(rowsum^2) = 2 rowsum
    h.assert_array(grad(function(Y) return np.sum(Y:sum(2) ^ 2) end)(X),
      { { 12, 12, 12 }, { 30, 30, 30 } }, 1e-14)
    h.assert_array(grad(function(Y) return np.sum(np.sum(Y, 1, true) * np.array({ { 1, 2, 3 } })) end)(X),
      { { 1, 2, 3 }, { 1, 2, 3 } }, 0)
    h.assert_array(grad(function(Y) return np.sum(np.mean(Y, -1) * np.array({ 3, 6 })) end)(X),
      { { 1, 1, 1 }, { 2, 2, 2 } }, 1e-15)
    h.assert_array(grad(function(Y) return Y:mean() end)(X),
      { { 1 / 6, 1 / 6, 1 / 6 }, { 1 / 6, 1 / 6, 1 / 6 } }, 1e-15)
  end)

  it("max and min pick the extreme entry", function()
    local x = np.array({ 3, 9, 1, 4 })
    h.assert_array(grad(np.max)(x), { 0, 1, 0, 0 }, 0)
    h.assert_array(grad(function(y) return y:min() end)(x), { 0, 0, 1, 0 }, 0)
    local X = np.array({ { 3, 9, 1 }, { 7, 2, 8 } })
    h.assert_array(grad(function(Y) return np.sum(Y:max(2)) end)(X), { { 0, 1, 0 }, { 0, 0, 1 } }, 0)
    h.assert_array(grad(function(Y) return np.sum(np.min(Y, 1) * np.array({ 1, 2, 3 })) end)(X),
      { { 1, 0, 3 }, { 0, 2, 0 } }, 0)
  end)

  it("dot with a column vector of weights, as in the iris model", function()
    local X = np.array({ { 1, 2 }, { 3, 4 }, { 1, 1 } })
    local w = np.array({ { 0.1 }, { -0.2 }, { 0.3 } })
    local g = grad(function(ww)
      local s = 0
      for i = 1, 2 do s = s + np.log(1 + np.exp(np.dot(ww.T, X[{ {}, i }]))) end
      return s
    end)(w)
    assert.same({ 3, 1 }, g.shape)
    local want = { 0, 0, 0 }
    local cols = { { 1, 3, 1 }, { 2, 4, 1 } }
    for _, c in ipairs(cols) do
      local z = 0.1 * c[1] - 0.2 * c[2] + 0.3 * c[3]
      local s = 1 / (1 + math.exp(-z))
      for k = 1, 3 do want[k] = want[k] + s * c[k] end
    end
    h.assert_array(g, { { want[1] }, { want[2] }, { want[3] } }, 1e-14)
  end)
end)

describe("a traced value kept past its grad call", function()
  it("behaves as its plain value (array)", function()
    local saved
    grad(function(x)
      saved = x * 2
      return np.sum(saved)
    end)(np.array({ 1, 2 }))
    h.assert_array(saved, { 2, 4 }, 0)
    h.assert_number(np.sum(saved), 6, 0)
    h.assert_array(saved + 1, { 3, 5 }, 0)
    -- used as a constant in a later grad
    local g = grad(function(y) return np.sum(y * saved) end)(np.ones({ 2 }))
    h.assert_array(g, { 2, 4 }, 0)
  end)

  it("behaves as its plain value (scalar)", function()
    local saved
    grad(function(x)
      saved = x * 2
      return saved
    end)(3.0)
    h.assert_number(h.val(saved), 6, 0)
    h.assert_number(h.val(saved + 1), 7, 0)
    h.assert_number(grad(function(y) return y * saved end)(1.0), 6, 1e-15)
  end)

  it("values kept from an inner grad work in the outer one", function()
    local inner_saved
    local r = grad(function(x)
      grad(function(y) inner_saved = y * 3; return y * x end)(2.0)
      return x * 2
    end)(5.0)
    h.assert_number(r, 2, 1e-15)
    h.assert_number(h.val(inner_saved), 6, 0)
  end)
end)

-----------------------------------------------------------------------------
-- Every differentiable operation: own finite differences (first order and
-- Hessian-vector) and ad.check_grads at order 2.
-----------------------------------------------------------------------------

-- A non-symmetric scalar summary, so that permuted gradients are caught.
local function S(y)
  if type(y) == "number" then return np.sin(y * 0.7) end
  local w = (np.arange(y.size) + 1):reshape(y.shape) * 0.3
  return np.sum(np.sin(y * w))
end

local function A() return np.array({ { 0.3, -0.7, 1.1 }, { 0.5, 0.9, -1.3 } }) end
-- the same values, stored transposed (non-contiguous)
local function A_T() return np.array({ { 0.3, 0.5 }, { -0.7, 0.9 }, { 1.1, -1.3 } }).T end
-- the same values, a strided slice of a bigger array
local function A_strided()
  return np.array({ { 0.3, -0.7, 1.1 }, { 9, 9, 9 }, { 0.5, 0.9, -1.3 }, { 9, 9, 9 } })[{ { 1, 4, 2 }, {} }]
end
local function P() return np.array({ { 0.5, 1.2, 2.0 }, { 0.7, 1.5, 3.0 } }) end
local function P_T() return np.array({ { 0.5, 0.7 }, { 1.2, 1.5 }, { 2.0, 3.0 } }).T end
local function R() return np.array({ 0.2, -0.4, 0.6 }) end -- broadcasts over (2,3)
local function C() return np.array({ { 0.8 }, { -0.3 } }) end -- broadcasts over (2,3)
local function V3() return np.array({ 0.4, -1.1, 0.25 }) end
local function M32() return np.array({ { 0.2, -0.5 }, { 1.3, 0.4 }, { -0.6, 0.9 } }) end

-- name, function, arguments (a function building them)
local cases = {
  { "add (2,3)+(3,) w.r.t. the row", function(r) return S(A() + r) end, function() return { R() } end },
  { "add (3,)+(2,3) w.r.t. both", function(r, a) return S(r + a) end, function() return { R(), A_T() } end },
  { "add number", function(a) return S(a + 1.5) + S(2 + a) end, function() return { A_strided() } end },
  { "subtract (2,3)-(2,1) w.r.t. both", function(a, c) return S(a - c) end, function() return { A_T(), C() } end },
  { "subtract number - array", function(a) return S(1 - a) end, function() return { A() } end },
  { "multiply broadcast", function(a, c) return S(a * c) end, function() return { A_strided(), C() } end },
  { "multiply by itself", function(a) return S(a * a) end, function() return { A_T() } end },
  { "divide broadcast", function(a, p) return S(a / p) end, function() return { R(), P_T() } end },
  { "divide number / array", function(p) return S(2 / p) end, function() return { P() } end },
  { "power array ^ number", function(p) return S(p ^ 2.5) end, function() return { P_T() } end },
  { "power number ^ array", function(a) return S(2 ^ a) end, function() return { A() } end },
  { "power array ^ array", function(p, a) return S(p ^ a) end, function() return { P(), A_T() } end },
  { "negative", function(a) return S(-a) end, function() return { A_T() } end },
  { "exp", function(a) return S(np.exp(a)) end, function() return { A_strided() } end },
  { "exp (contiguous)", function(a) return S(np.exp(a)) end, function() return { A() } end },
  { "log", function(p) return S(np.log(p)) end, function() return { P_T() } end },
  { "log1p", function(p) return S(np.log1p(p)) end, function() return { P() } end },
  { "sqrt", function(p) return S(np.sqrt(p)) end, function() return { P_T() } end },
  { "sin", function(a) return S(np.sin(a)) end, function() return { A_T() } end },
  { "cos", function(a) return S(np.cos(a)) end, function() return { A_strided() } end },
  { "tan", function(a) return S(np.tan(a)) end, function() return { A_T() } end },
  { "tanh", function(a) return S(np.tanh(a)) end, function() return { A() } end },
  { "abs", function(a) return S(np.abs(a)) end, function() return { A_T() } end },
  { "maximum broadcast", function(a, r) return S(np.maximum(a, r)) end, function() return { A_T(), R() } end },
  { "minimum broadcast", function(a, r) return S(np.minimum(r, a)) end, function() return { A_strided(), R() } end },
  { "maximum with a number", function(a) return S(np.maximum(a, 0.4)) end, function() return { A() } end },
  { "sum all", function(a) return np.sum(a * a) end, function() return { A_T() } end },
  { "sum axis 1", function(a) return S(np.sum(a, 1)) end, function() return { A_T() } end },
  { "sum axis -1 keepdims", function(a) return S(a:sum(-1, true)) end, function() return { A_strided() } end },
  { "mean axis 2", function(a) return S(np.mean(a, 2)) end, function() return { A_T() } end },
  { "mean all", function(a) return np.mean(a) * np.mean(a) end, function() return { A() } end },
  { "max axis 2", function(a) return S(np.max(a, 2)) end, function() return { A_T() } end },
  { "max all", function(a) return np.max(a * a) end, function() return { A_strided() } end },
  { "min axis 1 keepdims", function(a) return S(a:min(1, true)) end, function() return { A() } end },
  { "dot (2,3).(3,)", function(a, v) return S(np.dot(a, v)) end, function() return { A_T(), V3() } end },
  { "dot (2,3).(3,2)", function(a, m) return S(np.dot(a, m)) end, function() return { A_strided(), M32() } end },
  { "dot transposed (3,2).T.(3,)", function(m, v) return S(np.dot(m.T, v)) end, function() return { M32(), V3() } end },
  { "dot (3,).(3,)", function(u, v) return np.dot(u, v) * np.dot(u, u) end, function() return { R(), V3() } end },
  { "dot (2,).(2,3)", function(u, a) return S(np.dot(u, a)) end,
    function() return { np.array({ 0.3, -0.9 }), A_T() } end },
  { "dot (2,3).(2,3).T", function(a, b) return S(np.dot(a, b.T)) end, function() return { A(), P_T() } end },
  { "matmul", function(a, m) return S(np.matmul(a, m)) end, function() return { A_T(), M32() } end },
  { "outer", function(u, v) return S(np.outer(u, v)) end, function() return { R(), V3() } end },
  { "reshape", function(a) return S(a:reshape({ 3, 2 }) * M32()) end, function() return { A_T() } end },
  { "reshape -1", function(a) return S(np.reshape(a, { -1 }) * np.arange(6)) end, function() return { A_strided() } end },
  { "transpose", function(a) return S(np.transpose(a) * M32()) end, function() return { A() } end },
  { ".T", function(a) return S(a.T * M32()) end, function() return { A_T() } end },
  { "concatenate axis 1", function(a, p) return S(np.concatenate({ a, p * a })) end, function() return { A_T(), P() } end },
  { "concatenate axis 2", function(a, c) return S(np.concatenate({ c, a, c }, 2)) end, function() return { A_strided(), C() } end },
  { "stack", function(a, p) return S(np.stack({ a, p, a * p })) end, function() return { A_T(), P() } end },
  { "stack axis -1", function(u, v) return S(np.stack({ u, v }, -1)) end, function() return { R(), V3() } end },
  { "index x[i]", function(a) return S(a[2] * a[1]) end, function() return { A_T() } end },
  { "index x[{{}, j}]", function(a) return S(a[{ {}, 3 }] * a[{ {}, 1 }]) end, function() return { A() } end },
  { "index x[{i, j}]", function(a) return a[{ 2, 3 }] * a[{ 1, 1 }] + a[{ -1, -1 }] ^ 2 end, function() return { A_strided() } end },
  { "index strided range", function(a) return S(a[{ {}, { 1, 3, 2 } }] ^ 2) end, function() return { A_T() } end },
  { "number argument", function(x) return np.log(x) * np.sin(x) + x ^ 3 / np.exp(x) end, function() return { 1.3 } end },
  { "iris-style per-sample loss", function(w, X)
      local t = { 1, 0 }
      local loss = 0
      for i = 1, 2 do
        local z = np.dot(w.T, X[{ {}, i }])
        loss = loss - (t[i] * z - np.log(1 + np.exp(z)))
      end
      return loss
    end, function() return { np.array({ { 0.1 }, { -0.2 }, { 0.3 } }), M32() } end },
}

describe("traces as Lua holds them (core.trace_begin, trace_end, trace_level)", function()
  local core = require "adlua.core"

  it("ending a trace twice does nothing, also after its boxes have been freed", function()
    local t, level = core.trace_begin()
    assert.equal(1, level)
    local boxes = { core.trace_leaf(t, np.array({ 1, 2 })) }
    boxes[2] = boxes[1] * 3
    assert.is_true(core.on_trace(t, boxes[2]))
    core.trace_end(t)
    core.trace_end(t) -- the boxes still hold the trace
    h.assert_array(boxes[2], { 3, 6 }, 0) -- its value now
    boxes[1], boxes[2] = nil, nil
    h.settle() -- the last box goes: the trace is freed
    -- a new trace may reuse the freed one's memory: the old handle must not
    -- end it (a handle forgets its trace when it ends it)
    local t2 = core.trace_begin()
    local b2 = core.trace_leaf(t2, np.array({ 1, 2 }))
    core.trace_end(t)
    assert.is_true(core.on_trace(t2, b2 * 2))
    assert.equal(1, core.trace_level(b2))
    core.trace_end(t2)
    core.trace_end(t2)
    assert.equal(0, core.trace_level(b2))
    assert.is_false(require("adlua.core").tracing())
  end)

  it("an ended trace is refused, not read, by the other entry points", function()
    local t = core.trace_begin()
    core.trace_end(t)
    h.assert_error_matches(function() core.trace_leaf(t, np.ones({ 2 })) end,
      "grad: internal error: the trace has ended")
    h.assert_error_matches(function() core.trace_sweep(t, np.ones({ 2 })) end,
      "grad: internal error: the trace has ended")
    h.assert_error_matches(function() core.trace_end({}) end, "grad: internal error: not a trace")
    h.assert_error_matches(function() core.trace_end(np.ones({ 1 })) end, "grad: internal error: not a trace")
  end)

  it("a recording ended twice is ended once", function()
    local r = core.recording_begin()
    assert.is_true(core.tracing())
    core.trace_end(r)
    core.trace_end(r)
    assert.is_false(core.tracing())
    h.assert_number(grad(function(x) return x * x end)(3), 6, 0) -- the engine is fine
  end)

  it("trace_level: the level of the innermost live trace a value is on; nil on a jit recording", function()
    assert.equal(0, core.trace_level(np.ones({ 2 })))
    assert.equal(0, core.trace_level(3))
    assert.equal(0, core.trace_level("x"))
    local seen = {}
    grad(function(x)
      seen[#seen + 1] = core.trace_level(x)
      local g = grad(function(y)
        seen[#seen + 1] = core.trace_level(y)
        seen[#seen + 1] = core.trace_level(x * y)
        seen[#seen + 1] = core.trace_level(x)
        return y * y * x
      end)(x)
      seen[#seen + 1] = core.trace_level(g) -- 2 y x: traced on x's level
      ad.make_jvp(function(z)
        seen[#seen + 1] = core.trace_level(z)
        return z
      end)(x)(1)
      return g
    end)(2)
    assert.are.same({ 1, 2, 2, 1, 1, 2 }, seen)
    local on_recording = {}
    local f = ad.jit(function(x)
      on_recording[1] = tostring(core.trace_level(x))
      grad(function(y)
        on_recording[2] = tostring(core.trace_level(y))
        return np.sum(y * x)
      end)(x)
      return x * 2
    end)
    h.assert_array(f(np.array({ 1, 2 })), { 2, 4 }, 0) -- recorded
    assert.are.same({ "nil", "2" }, on_recording)
  end)
end)

describe("check_grads is not vacuous", function()
  -- x * value(x): the tape sees value(x) as a constant, so grad gives value(x)
  -- where finite differences give 2x. Both checkers must notice.
  local function wrong_number(x) return x * ad.value(x) end
  local function wrong_array(x) return np.sum(x * ad.value(x)) end

  it("ad.check_grads raises on a gradient that disagrees with finite differences", function()
    h.assert_error_matches(function()
      ad.check_grads(wrong_number, { modes = { "rev" }, order = 1 })(1.5)
    end, "check_grads")
    h.assert_error_matches(function()
      ad.check_grads(wrong_array, { modes = { "rev" }, order = 2 })(np.array({ 0.5, -1.0, 2.0 }))
    end, "check_grads")
  end)

  it("this file's finite-difference checker notices too", function()
    assert.has_error(function() h.assert_grad_fd(wrong_number, { 1.5 }, 1) end)
    assert.has_error(function() h.assert_grad_fd(wrong_array, { np.array({ 0.5, -1.0, 2.0 }) }, 1) end)
  end)
end)

describe("every differentiable operation", function()
  for _, c in ipairs(cases) do
    local name, f, make = c[1], c[2], c[3]

    it(name .. ": grad matches finite differences for each argument", function()
      local args = make()
      for k = 1, #args do
        h.assert_grad_fd(f, args, k, 1e-6, name .. " (argument " .. k .. ")")
      end
    end)

    it(name .. ": second order matches finite differences", function()
      local args = make()
      for k = 1, #args do
        local x = args[k]
        local inner
        if type(x) == "number" then
          inner = function(...) return grad(f, k)(...) end
        else
          local v = (np.arange(x.size) * 0.37 - 0.5):reshape(x.shape)
          inner = function(...) return np.sum(grad(f, k)(...) * v) end
        end
        h.assert_grad_fd(inner, args, k, 1e-5, name .. " second order (argument " .. k .. ")")
      end
    end)

    it(name .. ": ad.check_grads rev order 2 passes", function()
      local args = make()
      assert.has_no.errors(function()
        ad.check_grads(f, { modes = { "rev" }, order = 2 })(unpack(args))
      end)
    end)
  end
end)

-- A sweep that nothing records runs fused rules (core/rules_fast.c); inside
-- an outer trace the same rules run as traced operations. Both must give
-- the same numbers, bit for bit.
describe("fused rules", function()
  local x = np.array({ { -1.3, -0.2, 0.0 }, { 0.4, 0.9, 2.1 } })
  local cases = {
    tanh = np.tanh, exp = np.exp, sin = np.sin, cos = np.cos, square = np.square,
    tan = function(v) return np.tan(v * 0.5) end,
    sqrt = function(v) return np.sqrt(v * v + 1) end,
    log = function(v) return np.log(v * v + 1) end,
    log1p = function(v) return np.log1p(v * v) end,
    ["negative, multiply, subtract"] = function(v) return 3 - (-v) * v * 2.5 end,
    ["multiply by a broadcast row"] = function(v) return v * np.array({ 0.5, -2, 3 }) end,
  }
  for name, f in each(cases) do
    it(name .. ": the fused rule equals the traced rule", function()
      local fused = elementwise_grad(f)(x)
      local traced
      grad(function(y)
        traced = ad.value(elementwise_grad(f)(x + 0 * y))
        return 0 * y
      end)(1.0)
      assert.are.equal(0, np.max(np.abs(fused - traced)))
    end)
  end

  it("dot of a row and a matrix column: the fused gradient equals the traced one", function()
    local X = np.array({ { 1.5, -2.0 }, { 0.5, 3.0 }, { 1.0, 1.0 } })
    local f = function(w) return np.dot(w.T, X[{ {}, 2 }]) end
    local w = np.array({ { 0.1 }, { -0.2 }, { 0.3 } })
    local fused = grad(f)(w)
    local traced
    grad(function(y)
      traced = ad.value(grad(f)(w + 0 * y))
      return 0 * y
    end)(1.0)
    assert.are.same(fused.shape, { 3, 1 })
    assert.are.equal(0, np.max(np.abs(fused - traced)))
    assert.are.same({ { -2.0 }, { 3.0 }, { 1.0 } }, fused:totable())
  end)
end)
