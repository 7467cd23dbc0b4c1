-- float32 through the stack: creation, kernels against the float64 result,
-- NumPy's promotion, assignment casts, dot through the float32 BLAS
-- routines, gradients that keep the dtype (first and second order, against
-- the float64 gradients and through ad.check_grads), linalg, files, and
-- errors for unknown dtypes.
local h = require "tests.lua.helpers"
local each = require "adlua.each" -- pairs, safe from Debian 12's LuaJIT (docs/luajit.md)
local np = require "adlua.numpy"
local ad = require "adlua"

local RTOL = 1e-6 -- float32 kernels against the float64 result rounded

-- A float32 array with varied values in (-1, 1), and the same values in
-- float64 (exactly: float32 converts to float64 without rounding).
local function sample(shape, shift)
  local n = 1
  for _, d in ipairs(shape) do n = n * d end
  local t = {}
  for i = 1, n do t[i] = math.sin(1.7 * i + (shift or 0)) * 0.9 end
  local x32 = np.reshape(np.array(t, "float32"), shape)
  return x32, x32:astype("float64")
end

-- r (float32) is the float64 reference rounded to float32, within rtol.
local function assert_f32(r, ref, rtol, what)
  assert.are.equal("float32", r.dtype, what)
  h.assert_close(r:astype("float64"), ref:astype("float32"):astype("float64"), rtol or RTOL, what)
end

describe("float32 creation", function()
  it("every creator takes \"float32\" as its last argument", function()
    local cases = {
      { np.array({ { 1, 2 }, { 3, 4 } }, "float32"), { 2, 2 } },
      { np.zeros({ 2, 3 }, "float32"), { 2, 3 } },
      { np.ones(3, "float32"), { 3 } },
      { np.empty({ 2 }, "float32"), { 2 } },
      { np.full({ 2, 2 }, 7, "float32"), { 2, 2 } },
      { np.eye(3, "float32"), { 3, 3 } },
      { np.eye(2, 3, 1, "float32"), { 2, 3 } },
      { np.arange(5, "float32"), { 5 } },
      { np.arange(1, 2, 0.25, "float32"), { 4 } },
      { np.linspace(0, 1, 5, true, "float32"), { 5 } },
    }
    for i, c in ipairs(cases) do
      assert.are.equal("float32", c[1].dtype, "case " .. i)
      h.assert_shape(c[1], c[2], "case " .. i)
    end
    h.assert_array(np.full({ 2 }, 0.1, "float32"), { 0.1, 0.1 }, 1e-7)
    assert.are.equal(np.full({ 1 }, 0.1, "float32")[1], 0.10000000149011612) -- rounded to float32
    h.assert_array(np.arange(1, 2, 0.25, "float32"), { 1, 1.25, 1.5, 1.75 }, 0)
    h.assert_array(np.eye(2, 3, 1, "float32"), { { 0, 1, 0 }, { 0, 0, 1 } }, 0)
    assert.are.equal("float64", np.zeros(2).dtype)
    assert.are.equal("float64", np.array({ 1 }, "float64").dtype)
  end)

  it("the *_like creators follow x's dtype unless given one", function()
    local x = np.ones({ 2, 2 }, "float32")
    assert.are.equal("float32", np.zeros_like(x).dtype)
    assert.are.equal("float32", np.ones_like(x).dtype)
    assert.are.equal("float32", np.full_like(x, 3).dtype)
    assert.are.equal("float64", np.zeros_like(x, "float64").dtype)
    assert.are.equal("float32", np.ones_like(np.ones(2), "float32").dtype)
    h.assert_array(np.full_like(x, 3), { { 3, 3 }, { 3, 3 } }, 0)
  end)

  it("astype converts both ways and always copies; np.array keeps an array's dtype", function()
    local x64 = np.array({ 1 / 3, 0.1, -2 })
    local x32 = x64:astype("float32")
    assert.are.equal("float32", x32.dtype)
    assert.are.equal(x32[1], 0.3333333432674408) -- nearest float32
    local back = x32:astype("float64")
    assert.are.equal("float64", back.dtype)
    assert.are.equal(back[2], 0.10000000149011612)
    local same = x32:astype("float32")
    same[1] = 5
    assert.are.equal(x32[1], 0.3333333432674408) -- a copy
    assert.are.equal("float32", np.array(x32).dtype)
    assert.are.equal("float64", np.array(x32, "float64").dtype)
    assert.are.equal("float32", np.astype(x64, "float32").dtype)
    assert.are.equal("float32", np.asarray(x64, "float32").dtype)
    assert.are.equal(x32, np.asarray(x32)) -- returned as it is
  end)

  it("np.array of a table of float32 arrays is float32; a number or a float64 array makes it float64", function()
    local a = np.array({ 1.5, -2 }, "float32")
    local t = np.array({ a, a })
    assert.are.equal("float32", t.dtype)
    h.assert_array(t, { { 1.5, -2 }, { 1.5, -2 } }, 0)
    assert.are.equal("float32", np.array({ { a }, { a } }).dtype)
    assert.are.equal("float64", np.array({ a, np.ones(2) }).dtype)
    assert.are.equal("float64", np.array({ a, { 1, 2 } }).dtype)
    assert.are.equal("float64", np.array({ { 1, 2 }, a }).dtype)
    assert.are.equal("float64", np.array({ a, a }, "float64").dtype)
    assert.are.equal("float64", np.array({}).dtype)
  end)

  it("elements, items and whole reductions are Lua numbers", function()
    local x = np.array({ { 1.5, 2.5 }, { 3.5, 4.5 } }, "float32")
    assert.are.equal("number", type(x[{ 1, 2 }]))
    assert.are.equal(2.5, x[{ 1, 2 }])
    assert.are.equal(3.5, x[2][1])
    assert.are.equal(4.5, x[{ 2, { 2, 2 } }]:item())
    assert.are.equal(12, np.sum(x))
    assert.are.equal("number", type(np.max(x)))
    assert.are.same({ { 1.5, 2.5 }, { 3.5, 4.5 } }, x:totable())
  end)

  it("prints with float32 precision", function()
    assert.are.equal("[0.1 0.2]", tostring(np.array({ 0.1, 0.2 }, "float32")))
    assert.are.equal("[0.33333334]", tostring(np.array({ 1 / 3 }, "float32")))
  end)
end)

describe("float32 kernels against float64", function()
  local x32, x64 = sample({ 3, 4 })
  local unary = { "negative", "exp", "sin", "cos", "tan", "tanh", "abs", "square", "sign",
    "arctan", "sinh", "cosh", "arcsinh", "expm1", "floor", "ceil", "rint", "exp2", "arcsin",
    "arccos", "arctanh" }
  it("every elementwise unary function is float32 and matches", function()
    for _, name in ipairs(unary) do
      assert_f32(np[name](x32), np[name](x64), RTOL, name)
    end
    local pos32, pos64 = np.abs(x32) + 0.5, np.abs(x64) + 0.5
    for _, name in ipairs({ "log", "log1p", "sqrt", "log2", "log10", "arccosh" }) do
      local a32, a64 = pos32, pos64
      if name == "arccosh" then a32, a64 = pos32 + 1, pos64 + 1 end
      assert_f32(np[name](a32), np[name](a64), RTOL, name)
    end
  end)

  it("every binary function, broadcasting, and comparisons", function()
    local y32, y64 = sample({ 4 }, 0.5)
    for _, name in ipairs({ "add", "subtract", "multiply", "divide", "maximum", "minimum",
      "arctan2", "mod", "less", "less_equal", "greater", "greater_equal", "equal", "not_equal" }) do
      assert_f32(np[name](x32, y32), np[name](x64, y64), RTOL, name)
    end
    assert_f32(np.power(np.abs(x32) + 0.1, y32), np.power(np.abs(x64) + 0.1, y64), RTOL, "power")
    assert_f32(x32 * y32 + x32 / 3 - 1, x64 * y64 + x64 / 3 - 1, RTOL, "operators")
    assert_f32(x32 ^ 2, x64 ^ 2, RTOL, "^")
  end)

  it("reductions and compositions", function()
    for _, name in ipairs({ "sum", "mean", "max", "min", "prod", "var", "std", "logsumexp" }) do
      assert_f32(np[name](x32, 1), np[name](x64, 1), 1e-5, name)
      assert_f32(np[name](x32, 2, true), np[name](x64, 2, true), 1e-5, name)
      h.assert_near(np[name](x32), np[name](x64), 1e-5, name)
    end
    assert_f32(np.cumsum(x32, 2), np.cumsum(x64, 2), 1e-5, "cumsum")
    assert.are.same(np.argmax(x32, 1):totable(), np.argmax(x64, 1):totable())
    assert.are.equal(np.argmin(x32), np.argmin(x64))
    assert_f32(np.clip(x32, -0.5, 0.5), np.clip(x64, -0.5, 0.5), 0, "clip")
  end)

  it("a long float32 sum is accumulated in double", function()
    local s = np.sum(np.full({ 1000003 }, 0.1, "float32"))
    -- the exact sum of the float32 values, rounded once to float32
    local exact = np.array({ 1000003 * 0.10000000149011612 }, "float32")[1]
    assert.are.equal(exact, s)
  end)

  it("mean divides in float32, the whole array's too (NumPy's values)", function()
    -- the whole mean was the float32 sum divided in double: 0.20000000794728598
    assert.are.equal(0.20000000298023224, np.mean(np.array({ 0.1, 0.2, 0.3 }, "float32")))
    local b = np.array({ { 0.1, 0.2, 0.3 }, { 1, 2, 4 } }, "float32")
    assert.are.equal(1.2666666507720947, np.mean(b))
    local whole = np.mean(b, nil, true)
    assert.are.equal("float32", whole.dtype)
    assert.are.equal(1.2666666507720947, whole:item())
    local rows, cols = np.mean(b, 2), np.mean(b, 1)
    assert.are.equal("float32", rows.dtype)
    assert.are.same({ 0.20000000298023224, 2.3333332538604736 }, rows:totable())
    assert.are.same({ 0.550000011920929, 1.100000023841858, 2.1500000953674316 }, cols:totable())
    -- traced: the same value, and torch's float32 gradient
    local seen
    local g = ad.grad(function(x)
      local m = np.mean(x)
      seen = ad.value(m)
      return m
    end)(np.array({ 0.1, 0.2, 0.3 }, "float32"))
    assert.are.equal(0.20000000298023224, seen)
    assert.are.equal("float32", g.dtype)
    assert.are.same({ 0.3333333432674408, 0.3333333432674408, 0.3333333432674408 }, g:totable())
  end)

  it("where, copy, concatenate, stack, transpose, reshape and indexing keep float32", function()
    local y32 = sample({ 3, 4 }, 1)
    local w = np.where(np.greater(x32, 0), x32, 0)
    assert.are.equal("float32", w.dtype)
    h.assert_close(w:astype("float64"), np.where(np.greater(x64, 0), x64, 0), 0)
    for _, r in ipairs({ np.copy(x32), np.concatenate({ x32, y32 }), np.stack({ x32, y32 }),
      x32.T, np.reshape(x32, { 4, 3 }), x32[{ {}, { 2, 3 } }], x32[2],
      np.take(x32, np.array({ 3, 1, 3 }), 2), x32[np.array({ 1, 3 })],
      x32[np.greater(x32, 0)], np.flip(x32), np.tile(x32, { 2, 1 }), np.diag(np.ones(3, "float32")) }) do
      assert.are.equal("float32", r.dtype)
    end
    h.assert_close(np.take(x32, np.array({ 3, 1, 3 }), 2):astype("float64"),
      np.take(x64, np.array({ 3, 1, 3 }), 2), 0)
  end)

  it("dot, matmul and outer of float32 are float32 (sgemm, sgemv, sdot)", function()
    local a32, a64 = sample({ 20, 30 })
    local b32, b64 = sample({ 30, 10 }, 2)
    local v32, v64 = sample({ 30 }, 3)
    assert_f32(np.dot(a32, b32), np.dot(a64, b64), 1e-5, "gemm")
    assert_f32(np.dot(b32.T, a32.T), np.dot(b64.T, a64.T), 1e-5, "gemm transposed")
    assert_f32(np.matmul(a32, v32), np.matmul(a64, v64), 1e-5, "gemv")
    assert_f32(np.dot(v32, b32), np.dot(v64, b64), 1e-5, "gemv transposed")
    h.assert_near(np.dot(v32, v32), np.dot(v64, v64), 1e-5, "dot")
    assert_f32(np.outer(v32, v32), np.outer(v64, v64), RTOL, "outer")
  end)
end)

describe("float32 promotion", function()
  local x32 = np.array({ 1, 2, 3 }, "float32")
  local x64 = np.array({ 1, 2, 3 })
  it("float32 with float32 or a Lua number stays float32; with float64 gives float64", function()
    local cases = {
      { x32 + x32, "float32" }, { x32 * 2.5, "float32" }, { 2.5 - x32, "float32" },
      { x32 / 3, "float32" }, { x32 ^ 2, "float32" }, { np.add(x32, 1), "float32" },
      { np.maximum(x32, 0), "float32" }, { np.less(x32, 2), "float32" },
      { x32 + x64, "float64" }, { x64 * x32, "float64" }, { np.add(x32, { 1, 2, 3 }), "float64" },
      { np.where(np.greater(x64, 1), x32, x64), "float64" },
      { np.where(np.greater(x64, 1), x32, 0), "float32" },
      { np.concatenate({ x32, x64 }), "float64" }, { np.concatenate({ x32, x32 }), "float32" },
      { np.dot(np.ones({ 2, 3 }, "float32"), x64), "float64" },
      { np.dot(np.ones({ 2, 3 }), x32), "float64" },
    }
    for i, c in ipairs(cases) do
      assert.are.equal(c[2], c[1].dtype, "case " .. i)
    end
    -- a Lua number is rounded to float32 as NumPy does with a Python float
    assert.are.equal(np.array({ 0.1 }, "float32")[1], (np.zeros(1, "float32") + 0.1)[1])
    h.assert_array(np.dot(np.ones({ 2, 3 }, "float32"), x64), { 6, 6 }, 0)
  end)

  it("assigning float64 values into a float32 array rounds them", function()
    local y = np.zeros({ 2, 3 }, "float32")
    y[{ 1, 2 }] = 0.1
    y[2] = np.array({ 1 / 3, 2, 3 })
    y[{ {}, 3 }] = 7
    assert.are.equal("float32", y.dtype)
    assert.are.equal(0.10000000149011612, y[{ 1, 2 }])
    assert.are.equal(0.3333333432674408, y[{ 2, 1 }])
    assert.are.same({ { 0, 0.10000000149011612, 7 }, { 0.3333333432674408, 2, 7 } }, y:totable())
    local z = np.zeros(3)
    z[{ { 1, 2 } }] = np.array({ 0.1, 0.2 }, "float32")
    assert.are.equal("float64", z.dtype)
    assert.are.equal(0.10000000149011612, z[1])
    local m = np.zeros(4, "float32")
    m[np.array({ 2, 4 })] = 0.5
    h.assert_array(m, { 0, 0.5, 0, 0.5 }, 0)
    assert.are.equal("float32", np.index_update(m, 1, 0.25).dtype)
  end)
end)

describe("float32 gradients", function()
  local x32, x64 = sample({ 2, 3 })
  local fs = {
    tanh = function(x) return np.sum(np.tanh(x) * 3) end,
    exp_mean = function(x) return np.mean(np.exp(x) * x) end,
    dot = function(x) return np.sum(np.dot(x, np.ones({ 3, 2 }, x.dtype) * 0.5) ^ 2) end,
    mixed = function(x) return np.sum(x * np.array({ 1, 2, 3 })) end, -- promoted to float64 inside
    lua_number = function(x) return np.sum(np.sin(x) * 2.5 + 1) end,
    max = function(x) return np.max(x, 2) * np.mean(x) end,
    index = function(x) return np.sum(x[{ {}, { 2, 3 } }] ^ 2) + x[{ 1, 1 }] end,
    take = function(x) return np.sum(np.take(x, np.array({ 1, 1, 3 }), 2)) end,
    logsumexp = function(x) return np.logsumexp(x) end,
    where = function(x) return np.sum(np.where(np.greater(x, 0), x ^ 2, -x)) end,
    concat = function(x) return np.sum(np.concatenate({ x, x * 2 }) ^ 2) end,
  }
  for name, f in each(fs) do
    it(name .. ": the gradient is float32 and matches the float64 gradient", function()
      local g32 = ad.grad(function(x) return np.sum(f(x)) end)(x32)
      local g64 = ad.grad(function(x) return np.sum(f(x)) end)(x64)
      assert.are.equal("float32", g32.dtype)
      assert.are.equal("float64", g64.dtype)
      h.assert_close(g32:astype("float64"), g64, 1e-5, name)
    end)
  end

  it("second order keeps float32: grad of grad and hessian", function()
    local f = function(x) return np.sum(np.sin(x) * x ^ 2) end
    local gg = function(x) return np.sum(ad.grad(f)(x)) end
    local h32 = ad.grad(gg)(x32)
    assert.are.equal("float32", h32.dtype)
    h.assert_close(h32:astype("float64"), ad.grad(gg)(x64), 1e-5)
    local v32, v64 = sample({ 3 }, 1)
    local hess = ad.hessian(function(v) return np.sum(v ^ 3 * np.exp(v)) end)
    local H32 = hess(v32)
    assert.are.equal("float32", H32.dtype)
    h.assert_close(H32:astype("float64"), hess(v64), 1e-5)
    local J = ad.jacobian(function(v) return np.tanh(v) * 2 end)(v32)
    assert.are.equal("float32", J.dtype)
  end)

  it("astype is differentiable: the gradient comes back in the input's dtype", function()
    local g = ad.grad(function(x) return np.sum(x:astype("float64") ^ 2) end)(x32)
    assert.are.equal("float32", g.dtype)
    h.assert_close(g:astype("float64"), x64 * 2, 1e-7)
    local g2 = ad.grad(function(x) return np.sum(x:astype("float32") ^ 2) end)(x64)
    assert.are.equal("float64", g2.dtype)
    local gg = ad.grad(function(x)
      return np.sum(ad.grad(function(y) return np.sum(y:astype("float64") ^ 3) end)(x))
    end)(x32)
    assert.are.equal("float32", gg.dtype)
    h.assert_close(gg:astype("float64"), x64 * 6, 1e-6)
  end)

  it("ad.check_grads checks float32 inputs in float32, to order 2", function()
    local v32 = sample({ 4 }, 0.3)
    for _, f in ipairs({ np.tanh, np.exp, function(v) return np.sum(v ^ 3) end,
      function(v) return np.dot(np.outer(v, v), v) end, np.logsumexp,
      function(v) return np.linalg.inv(np.outer(v, v) + np.eye(4, "float32") * 3) end }) do
      assert.is_true(ad.check_grads(f, { order = 2 })(v32))
    end
    -- explicit tolerances still apply to float32 arguments
    assert.has_error(function()
      ad.check_grads(function(v) return np.sum(v ^ 2) end, { order = 1, modes = { "rev" }, rtol = 1e-9, atol = 1e-12 })(v32)
    end)
  end)
end)

describe("float32 linear algebra, files and errors", function()
  local a32 = np.array({ { 2, 0.5, 0.1 }, { 0.5, 3, 0.2 }, { 0.1, 0.2, 1.5 } }, "float32")
  local a64 = a32:astype("float64")
  it("np.linalg computes in float64 and gives float32 back", function()
    assert_f32(np.linalg.inv(a32), np.linalg.inv(a64), 1e-6, "inv")
    assert_f32(np.linalg.cholesky(a32), np.linalg.cholesky(a64), 1e-6, "cholesky")
    assert_f32(np.linalg.solve(a32, np.ones(3, "float32")), np.linalg.solve(a64, np.ones(3)), 1e-6, "solve")
    assert.are.equal("float64", np.linalg.solve(a32, np.ones(3)).dtype)
    local w, v = np.linalg.eigh(a32)
    assert.are.equal("float32", w.dtype)
    assert.are.equal("float32", v.dtype)
    local u, s, vt = np.linalg.svd(a32)
    assert.are.same({ "float32", "float32", "float32" }, { u.dtype, s.dtype, vt.dtype })
    h.assert_near(np.linalg.det(a32), np.linalg.det(a64), 1e-6)
    local sign, logdet = np.linalg.slogdet(a32)
    assert.are.equal(1, sign)
    h.assert_near(logdet, select(2, np.linalg.slogdet(a64)), 1e-6)
    local g = ad.grad(function(m) return np.linalg.det(m) end)(a32)
    assert.are.equal("float32", g.dtype)
    h.assert_close(g:astype("float64"), ad.grad(function(m) return np.linalg.det(m) end)(a64), 1e-5)
  end)

  it(".npy round-trips float32; savetxt writes NumPy's text", function()
    local dir = h.tmpdir()
    local x = np.array({ { 0.1, -2.5 }, { 1 / 3, 4 } }, "float32")
    np.save(dir .. "/x.npy", x)
    local y = np.load(dir .. "/x.npy")
    assert.are.equal("float32", y.dtype)
    assert.are.same(x:totable(), y:totable())
    np.savez(dir .. "/x.npz", { x = x })
    assert.are.equal("float32", np.load(dir .. "/x.npz").x.dtype)
    np.savetxt(dir .. "/x.txt", np.array({ 0.1, 2 }, "float32"))
    assert.are.equal("1.000000014901161194e-01\n2.000000000000000000e+00\n", h.read_file(dir .. "/x.txt"))
  end)

  it("random draws are float64 and convert to float32", function()
    np.random.seed(1)
    local r = np.random.randn(3, 2):astype("float32")
    assert.are.equal("float32", r.dtype)
    assert.are.equal("float32", np.random.permutation(np.ones(4, "float32")).dtype)
  end)

  it("unknown dtypes are errors naming the function", function()
    h.assert_error_matches(function() return np.zeros({ 2 }, "int8") end,
      'np.zeros: unknown dtype int8 (use "float64" or "float32")')
    h.assert_error_matches(function() return np.array({ 1 }, "float16") end, "np.array: unknown dtype float16")
    h.assert_error_matches(function() return np.ones(2, 32) end, "np.ones: unknown dtype number")
    h.assert_error_matches(function() return np.full({ 2 }, 1, "double") end, "np.full: unknown dtype double")
    h.assert_error_matches(function() return np.arange(3, "f4") end, "np.arange: unknown dtype f4")
    h.assert_error_matches(function() return np.linspace(0, 1, 3, true, "x") end, "np.linspace: unknown dtype x")
    h.assert_error_matches(function() return np.eye(2, "f") end, "np.eye: unknown dtype f")
    h.assert_error_matches(function() return np.zeros_like(np.ones(2), "int") end, "np.zeros_like: unknown dtype int")
    h.assert_error_matches(function() return np.ones_like(np.ones(2), "int") end, "np.ones_like: unknown dtype int")
    h.assert_error_matches(function() return np.full_like(np.ones(2), 1, "int") end, "np.full_like: unknown dtype int")
    h.assert_error_matches(function() return np.ones(2):astype("float16") end, "astype: unknown dtype float16")
    h.assert_error_matches(function() return np.ones(2):astype() end, "astype: expected a dtype")
    h.assert_error_matches(function() return np.asarray(np.ones(2), "int") end, "np.asarray: unknown dtype int")
  end)
end)
