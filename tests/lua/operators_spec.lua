-- Differential operators beyond grad (issue 4): jacobian, hessian,
-- make_vjp, make_jvp, hessian_vector_product, grad_and_aux, stop_gradient,
-- checkpoint, value, check_grads in both modes.  Values against analytic
-- results.

local h = require "tests.lua.helpers"
local each = require "adlua.each" -- pairs, safe from Debian 12's LuaJIT (docs/luajit.md)
local np = require "adlua.numpy"
local ad = require "adlua"

local A = { { 1, 2, 3 }, { 4, 5, 6 }, { -1, 0, 2 }, { 0.5, 2, 0 } }

describe("jacobian", function()
  it("of an elementwise map is diagonal", function()
    local x = np.array({ 0.5, 1, 2 })
    local J = ad.jacobian(function(z) return np.sin(z) * z end)(x)
    local d = {}
    for i, v in ipairs({ 0.5, 1, 2 }) do d[i] = math.cos(v) * v + math.sin(v) end
    h.assert_array(J, { { d[1], 0, 0 }, { 0, d[2], 0 }, { 0, 0, d[3] } }, 1e-14)
  end)

  it("of a linear map A x is A, more outputs than inputs (forward side)", function()
    local J = ad.jacobian(function(z) return np.dot(np.array(A), z) end)(np.array({ 1, 2, 3 }))
    h.assert_array(J, A, 1e-15)
  end)

  it("of x -> A^T x is A^T, fewer outputs than inputs (reverse side)", function()
    local J = ad.jacobian(function(z) return np.dot(z, np.array(A)) end)(np.array({ 1, 2, 3, 4 }))
    h.assert_array(J, np.transpose(np.array(A)):totable(), 1e-15)
  end)

  it("has shape (output shape .. input shape)", function()
    local x = np.array({ { 1, 2 }, { 3, 4 }, { 5, 6 } })
    local J = ad.jacobian(function(z) return np.sum(z * z, 1) end)(x)
    h.assert_shape(J, { 2, 3, 2 })
    -- d(sum_i z_ij^2)/dz_kl = 2 z_kl [j == l]
    h.assert_near(J[{ 1, 3, 1 }], 10, 1e-15)
    h.assert_near(J[{ 2, 3, 1 }], 0, 1e-15)
    h.assert_near(J[{ 2, 2, 2 }], 8, 1e-15)
  end)

  it("of a scalar function is its gradient; of a number function a number-shaped array", function()
    local x = np.array({ 1, 2, 3 })
    h.assert_array(ad.jacobian(function(z) return np.sum(z * z) end)(x), { 2, 4, 6 }, 1e-15)
    h.assert_near(ad.jacobian(function(z) return z ^ 3 end)(2), 12, 1e-13)
  end)

  it("runs the function once, not once per output element", function()
    local calls = 0
    local f = function(z) calls = calls + 1; return np.tanh(z) * 2 end
    ad.jacobian(f)(np.linspace(0, 1, 20))
    assert.equal(1, calls)
    calls = 0
    ad.hessian(function(z) return np.sum(f(z)) end)(np.linspace(0, 1, 20))
    assert.equal(1, calls)
  end)

  it("is zero when the output does not depend on the input", function()
    local J = ad.jacobian(function() return np.ones({ 2 }) end)(np.array({ 1, 2, 3 }))
    h.assert_array(J, { { 0, 0, 0 }, { 0, 0, 0 } }, 0)
  end)

  it("with respect to a chosen argument", function()
    local J = ad.jacobian(function(a, b) return a * b end, 2)(np.array({ 2, 3 }), np.array({ 5, 7 }))
    h.assert_array(J, { { 2, 0 }, { 0, 3 } }, 1e-15)
  end)
end)

describe("hessian", function()
  it("of x^T A x is A + A^T", function()
    local M = np.array({ { 2, 1, 0 }, { 0, 3, 1 }, { 4, 0, 1 } })
    local H = ad.hessian(function(x) return np.dot(x, np.dot(M, x)) end)(np.array({ 1, -1, 2 }))
    h.assert_array(H, (M + np.transpose(M)):totable(), 1e-14)
  end)

  it("of the Rosenbrock function matches the analytic Hessian", function()
    local function rosen(x) return (1 - x[1]) ^ 2 + 100 * (x[2] - x[1] ^ 2) ^ 2 end
    local a, b = 0.5, 1.5
    local H = ad.hessian(rosen)(np.array({ a, b }))
    h.assert_array(H, { { 2 - 400 * (b - 3 * a * a), -400 * a }, { -400 * a, 200 } }, 1e-12)
  end)

  it("of a number function is its second derivative", function()
    h.assert_near(ad.hessian(function(x) return np.exp(2 * x) end)(0.5), 4 * math.exp(1), 1e-13)
  end)

  it("nests inside grad: d/dx trace(H(x)) of sum(x^4)", function()
    local g = ad.grad(function(x)
      local H = ad.hessian(function(z) return np.sum(z ^ 4) end)(x)
      return np.sum(H)
    end)(np.array({ 1, 2 }))
    h.assert_array(g, { 24, 48 }, 1e-12)
  end)
end)

describe("make_vjp and make_jvp", function()
  local x = np.array({ 0.3, 0.7 })
  local function f2(z) return np.dot(np.array({ { 1, 2 }, { 3, 4 }, { 5, 6 } }), np.sin(z)) end
  local J = { { math.cos(0.3), 2 * math.cos(0.7) }, { 3 * math.cos(0.3), 4 * math.cos(0.7) },
    { 5 * math.cos(0.3), 6 * math.cos(0.7) } }

  it("vjp(g) is g^T J, as often as wanted, from one forward pass", function()
    local calls = 0
    local vjp, value = ad.make_vjp(function(z) calls = calls + 1; return f2(z) end)(x)
    h.assert_array(value, { math.sin(0.3) + 2 * math.sin(0.7), 3 * math.sin(0.3) + 4 * math.sin(0.7),
      5 * math.sin(0.3) + 6 * math.sin(0.7) }, 1e-14)
    for i = 1, 3 do
      local g = np.zeros({ 3 }); g[i] = 1
      h.assert_array(vjp(g), J[i], 1e-14)
    end
    h.assert_array(vjp(np.array({ 1, 1, 0 })), { J[1][1] + J[2][1], J[1][2] + J[2][2] }, 1e-14)
    assert.equal(1, calls)
  end)

  it("jvp(v) is J v, with the value", function()
    local value, jv = ad.make_jvp(f2)(x)(np.array({ 1, -2 }))
    h.assert_near(value[1], math.sin(0.3) + 2 * math.sin(0.7), 1e-14)
    h.assert_array(jv, { J[1][1] - 2 * J[1][2], J[2][1] - 2 * J[2][2], J[3][1] - 2 * J[3][2] }, 1e-14)
  end)

  it("forward mode of number functions gives numbers", function()
    local v, t = ad.make_jvp(function(z) return z ^ 3 end)(2)(0.5)
    h.assert_number(v, 8, 1e-15)
    h.assert_number(t, 6, 1e-14)
  end)

  it("forward mode through a rule that skips its work when the gradient is zero", function()
    -- as eigh's and svd's rules do (autograd's `if anp.any(vg)`): the
    -- symbolic seed of the transposed sweep must not look like a zero
    local skip_sin = ad.primitive(function(z) return np.sin(z) end, "skip_sin")
    ad.defvjp(skip_sin, function(_, z)
      return function(g)
        if np.max(np.abs(ad.value(g))) == 0 then return np.zeros(z.shape) end
        return g * np.cos(z)
      end
    end)
    local _, jv = ad.make_jvp(skip_sin)(x)(np.array({ 1, -2 }))
    h.assert_array(jv, { math.cos(0.3), -2 * math.cos(0.7) }, 1e-15)
    local J = ad.jacobian(function(z) return np.concatenate({ skip_sin(z), skip_sin(z) }) end)(np.array({ 0.3 }))
    h.assert_array(J, { { math.cos(0.3) }, { math.cos(0.3) } }, 1e-15)
    assert.is_true(ad.check_grads(function(z) return skip_sin(z) * z end, { modes = { "fwd" } })(x))
  end)

  it("forward mode through reductions, linear algebra and shapes", function()
    local M = np.array({ { 1, 2 }, { 3, 4 } })
    local g = function(z)
      local y = np.reshape(np.dot(M, z), { 1, 2 })
      return np.sum(np.transpose(y) * np.max(z)) + np.mean(z[{ { 2, 2 } }])
    end
    -- g(z) = (M z).sum * max(z) + z2; at z = (1, 2), max is z2:
    -- dg = (M^T 1 . v) * z2 + (M z).sum * v2 + v2
    local z = np.array({ 1, 2 })
    local _, t = ad.make_jvp(g)(z)(np.array({ 0.5, -1 }))
    h.assert_number(t, (4 * 0.5 + 6 * -1) * 2 + 16 * -1 + -1, 1e-13)
  end)
end)

describe("forward mode runs forward rules", function()
  local x = np.array({ 0.3, 0.7 })

  it("runs f once per tangent, computing values and tangents together", function()
    local calls = 0
    local jvp = ad.make_jvp(function(z) calls = calls + 1; return np.sum(np.exp(z) * z) end)(x)
    assert.equal(0, calls)
    local value, t = jvp(np.array({ 1, -2 }))
    assert.equal(1, calls)
    h.assert_number(value, math.exp(0.3) * 0.3 + math.exp(0.7) * 0.7, 1e-14)
    h.assert_number(t, math.exp(0.3) * 1.3 - 2 * math.exp(0.7) * 1.7, 1e-14)
    jvp(np.array({ 0, 1 }))
    assert.equal(2, calls)
  end)

  it("uses a primitive's defjvp rule and not its vjp", function()
    local jvps, vjps = 0, 0
    local cube = ad.primitive(function(z) return z * z * z end, "cube")
    ad.defvjp(cube, function(_, z) vjps = vjps + 1; return function(g) return g * 3 * z * z end end)
    ad.defjvp(cube, function(g, _, z) jvps = jvps + 1; return g * 3 * z * z end)
    local _, t = ad.make_jvp(cube)(x)(np.array({ 1, 2 }))
    h.assert_array(t, { 3 * 0.09, 2 * 3 * 0.49 }, 1e-15)
    assert.equal(1, jvps)
    assert.equal(0, vjps)
  end)

  it("nests: forward over reverse, reverse over forward, forward over forward", function()
    local function f(z) return np.sum(np.sin(z) * z ^ 2) end
    local v = np.array({ 1, -0.5 })
    local H = ad.hessian(f)(x)
    local hv = { H[1][1] * 1 + H[1][2] * -0.5, H[2][1] * 1 + H[2][2] * -0.5 }
    local _, fwd_rev = ad.make_jvp(ad.grad(f))(x)(v)
    h.assert_array(fwd_rev, hv, 1e-13)
    local rev_fwd = ad.grad(function(z) local _, t = ad.make_jvp(f)(z)(v); return t end)(x)
    h.assert_array(rev_fwd, hv, 1e-13)
    local _, fwd_fwd = ad.make_jvp(function(z) local _, t = ad.make_jvp(f)(z)(v); return t end)(x)(v)
    h.assert_number(fwd_fwd, hv[1] * 1 + hv[2] * -0.5, 1e-13)
  end)

  it("differentiates J v with respect to v: its gradient is J^T u, its Jacobian J", function()
    local A = np.array({ { 1, 2 }, { 3, 4 }, { 5, 6 } })
    local function f(z) return np.tanh(np.dot(A, z)) end
    local u, v0 = np.array({ 1, 2, -1 }), np.array({ 0.3, 0.4 })
    local g = ad.grad(function(v)
      local _, t = ad.make_jvp(f)(x)(v)
      return np.sum(t * u)
    end)(v0)
    h.assert_close(g, ad.make_vjp(f)(x)(u), 1e-14)
    local Jv = ad.jacobian(function(v) local _, t = ad.make_jvp(f)(x)(v); return t end)(v0)
    h.assert_close(Jv, ad.jacobian(f)(x), 1e-14)
  end)

  it("takes tables of parameters, a tangent of the same structure", function()
    local value, t = ad.make_jvp(function(p) return p.a * np.sum(p.b) end)({ a = 2, b = x })(
      { a = 1, b = np.array({ 0, 1 }) })
    h.assert_number(value, 2, 1e-15)
    h.assert_number(t, 1 + 2, 1e-15)
  end)

  it("keeps float32 tangents float32", function()
    local _, t = ad.make_jvp(function(z) return z * 2 end)(x:astype("float32"))(np.array({ 1, 1 }))
    assert.equal("float32", t.dtype)
    h.assert_array(t, { 2, 2 }, 0)
  end)

  it("names a bad tangent", function()
    local jvp = ad.make_jvp(np.sin)(x)
    h.assert_error_matches(function() jvp(np.ones({ 3 })) end,
      "make_jvp: the tangent has shape (3,) but the argument has shape (2,)")
    h.assert_error_matches(function() jvp("up") end, "make_jvp: the tangent must be a number")
    h.assert_number(ad.grad(np.sin)(0), 1, 1e-15)
  end)

  it("with debug_nans, blames the derivative that made a NaN or Inf", function()
    ad.debug_nans(true)
    local ok, err = pcall(ad.make_jvp(function(z) return np.sum(np.sqrt(z)) end)(np.array({ 0, 1 })),
      np.array({ 1, 1 }))
    ad.debug_nans(false)
    assert.is_false(ok)
    assert.truthy(tostring(err):find("np.sqrt: its derivative produced NaN or Inf", 1, true))
  end)
end)

describe("hessian_vector_product", function()
  it("is H v without forming H", function()
    local M = np.array({ { 2, 1 }, { 1, 3 } })
    local hvp = ad.hessian_vector_product(function(x) return np.dot(x, np.dot(M, x)) / 2 + np.sum(x ^ 3) end)
    local x, v = np.array({ 1, 2 }), np.array({ 1, -1 })
    -- H = M + diag(6 x)
    h.assert_array(hvp(x, v), { 2 - 1 + 6, 1 - 3 - 12 }, 1e-13)
  end)
end)

describe("grad_and_aux, value, stop_gradient", function()
  it("grad_and_aux returns the gradient and the auxiliary value", function()
    local g, aux = ad.grad_and_aux(function(x) return x * x, { y = x + 1, s = "note" } end)(3)
    h.assert_number(g, 6, 1e-15)
    h.assert_number(aux.y, 4, 1e-15)
    assert.equal("note", aux.s)
  end)

  it("value gives plain numbers, arrays and tables", function()
    ad.grad(function(x)
      local y = x * 2
      assert.equal("number", type(ad.value(y)))
      local t = ad.value({ a = y, b = { y } })
      assert.equal("number", type(t.a))
      assert.equal("number", type(t.b[1]))
      return y
    end)(1.5)
  end)

  it("stop_gradient makes a constant", function()
    h.assert_number(ad.grad(function(x) return x * ad.stop_gradient(x) end)(3), 3, 1e-15)
    local g = ad.grad(function(x) return np.sum(np.exp(ad.stop_gradient(x)) * x) end)(np.array({ 0, 1 }))
    h.assert_array(g, { 1, math.exp(1) }, 1e-15)
    -- under nesting it stops every level
    h.assert_number(ad.grad(ad.grad(function(x) return x * x * ad.stop_gradient(x) end))(2), 4, 1e-14)
  end)
end)

describe("checkpoint", function()
  local f = function(x, y) return np.tanh(x * y) * x end

  it("gives the same values and gradients, recomputing f in the backward pass", function()
    local calls = 0
    local cf = ad.checkpoint(function(x, y) calls = calls + 1; return f(x, y) end)
    local x, y = np.array({ 0.1, 0.5, -1 }), np.array({ 2, 1, 0.5 })
    h.assert_close(cf(x, y), f(x, y), 1e-15)
    calls = 0
    local g1, g2 = ad.grad(function(a, b) return np.sum(cf(a, b)) end, { 1, 2 })(x, y)
    local e1, e2 = ad.grad(function(a, b) return np.sum(f(a, b)) end, { 1, 2 })(x, y)
    h.assert_close(g1, e1, 1e-14)
    h.assert_close(g2, e2, 1e-14)
    assert.is_true(calls >= 2) -- the forward pass and at least one recomputation
  end)

  it("composes to second order", function()
    local cf = ad.checkpoint(function(x) return np.sin(x) * x end)
    local d2 = ad.grad(ad.grad(function(x) return cf(x) end))(0.7)
    h.assert_number(d2, 2 * math.cos(0.7) - 0.7 * math.sin(0.7), 1e-13)
  end)
end)

describe("check_grads", function()
  it("passes correct derivatives in both modes to order 2", function()
    assert.is_true(ad.check_grads(function(x, y) return np.tanh(np.dot(x, y)) * np.exp(x) end,
      { modes = { "rev", "fwd" }, order = 2 })(np.array({ 0.1, 0.2 }), np.array({ { 1, 2 }, { 0.5, -1 } })))
  end)

  it("forward mode alone", function()
    assert.is_true(ad.check_grads(np.sin, { modes = { "fwd" }, order = 2 })(np.array({ 1, 2 })))
  end)

  it("rejects an unknown mode", function()
    h.assert_error_matches(function() ad.check_grads(np.sin, { modes = { "sideways" } }) end,
      'check_grads: unknown mode "sideways"')
  end)
end)

describe("errors", function()
  it("name the operator", function()
    h.assert_error_matches(function() ad.jacobian(function() return "x" end)(1) end,
      "jacobian: the function must return a number or an array, got a string")
    h.assert_error_matches(function() ad.jacobian(np.sin, 3)(1) end,
      "jacobian: argnum 3 is out of range")
    h.assert_error_matches(function() ad.make_vjp(42) end, "make_vjp: expected a function")
  end)

  it("leave the engine usable after the user's function raises", function()
    assert.has_error(function() ad.jacobian(function() error("inside") end)(np.ones({ 2 })) end)
    assert.has_error(function() ad.make_jvp(function() error("inside") end)(1)(1) end)
    h.assert_number(ad.grad(np.sin)(0), 1, 1e-15)
  end)
end)

describe("forward mode covers every kind of operation", function()
  local x = np.array({ { 0.3, 0.6, 0.2 }, { 0.5, 0.1, 0.4 } })
  local M = np.array({ { 1, 2 }, { -1, 0.5 }, { 0.3, 0.7 } })
  local cases = {
    elementwise = function(z) return np.exp(z) * np.log1p(z) + np.sqrt(z) - np.tanh(z) / (1 + np.square(z)) end,
    trig = function(z) return np.sin(z) * np.cos(z) + np.tan(z) + np.abs(z - 0.35) end,
    power = function(z) return z ^ 3 + np.power(2, z) + np.maximum(z, 0.35) + np.minimum(z, 0.25) end,
    where = function(z) return np.where(np.greater(z, 0.35), z * z, -z) end,
    reductions = function(z) return np.sum(z, 1) * np.max(z, 2, true) + np.mean(z) + np.min(z) end,
    linalg = function(z) return np.dot(z, M) + np.matmul(np.transpose(M), np.transpose(z)) end,
    shapes = function(z)
      return np.concatenate({ np.reshape(z, { 3, 2 }), np.transpose(z) }, 1)[{ { 2, 5 }, 2 }] * 2
    end,
  }
  for name, f in each(cases) do
    it(name, function()
      assert.is_true(ad.check_grads(f, { modes = { "fwd" }, order = 2 })(x))
    end)
  end
end)

describe("memory", function()
  it("operators, primitives and debug_nans leave no arrays behind", function()
    local core = require "adlua.core"
    local p = ad.primitive(function(z) return np.sin(z) end, "leak_sin")
    ad.defvjp(p, function(_, z) return function(g) return g * np.cos(z) end end)
    local c = ad.checkpoint(function(z) return np.tanh(z) * z end)
    local function work()
      local x = np.array({ 0.1, 0.2, 0.3 })
      ad.jacobian(function(z) return np.dot(np.ones({ 5, 3 }), z) end)(x)
      ad.hessian(function(z) return np.sum(p(z) * c(z)) end)(x)
      ad.grad(function(z) return np.sum(ad.jacobian(np.sin)(z)) end)(x)
      local vjp = ad.make_vjp(np.sin)(x); vjp(x)
      local jvp = ad.make_jvp(np.sin)(x); jvp(x)
      ad.grad(function(t) return np.sum(t.a * t.b[1]) end)({ a = x, b = { x } })
      pcall(ad.jacobian(function() error("x") end), x)
      ad.debug_nans(true)
      pcall(ad.grad(function(z) return np.sum(np.sqrt(z)) end), np.zeros({ 2 }))
      ad.debug_nans(false)
    end
    work()
    h.settle()
    local base = core.live_arrays()
    for _ = 1, 5 do work() end
    h.settle()
    assert.equal(base, core.live_arrays())
  end)
end)
