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

  it("is jacobian(jacobian(f)), as autograd: non-scalar f and hessian of hessian", function()
    -- d2(v_i^2)/dv_j dv_k = 2 [i == j == k]
    local H = ad.hessian(function(v) return v * v end)(np.ones({ 3 }))
    h.assert_shape(H, { 3, 3, 3 })
    for i = 1, 3 do
      for j = 1, 3 do
        for k = 1, 3 do h.assert_near(H[{ i, j, k }], (i == j and j == k) and 2 or 0, 0) end
      end
    end
    -- fourth derivative of sum(v^4): 24 on the diagonal
    local H4 = ad.hessian(ad.hessian(function(v) return np.sum(v ^ 4) end))(np.array({ 1, 2 }))
    h.assert_shape(H4, { 2, 2, 2, 2 })
    h.assert_near(H4[{ 1, 1, 1, 1 }], 24, 1e-12)
    h.assert_near(H4[{ 2, 2, 2, 2 }], 24, 1e-12)
    h.assert_near(H4[{ 1, 1, 2, 2 }], 0, 0)
    h.assert_number(ad.hessian(ad.hessian(function(x) return x ^ 5 end))(2), 120 * 2, 1e-10)
    -- a one-element output keeps its axis: (1, n, n)
    local H1 = ad.hessian(function(v) return np.sum(v ^ 3) * np.ones({ 1 }) end)(np.array({ 1, 2 }))
    h.assert_array(H1, { { { 6, 0 }, { 0, 12 } } }, 1e-13)
  end)

  it("of a table argument is over the flat vector; so is jacobian(grad(f))", function()
    local f = function(p) return p[1] ^ 2 * p[2] end
    h.assert_array(ad.hessian(f)({ 3, 2 }), { { 4, 6 }, { 6, 0 } }, 1e-13)
    h.assert_array(ad.jacobian(ad.grad(f))({ 3, 2 }), { { 4, 6 }, { 6, 0 } }, 1e-13)
    h.assert_array(ad.hessian(function(p) return np.sum(p.a ^ 3) * p.s end)({ a = np.array({ 1, 2 }), s = 2 }),
      { { 12, 0, 3 }, { 0, 24, 12 }, { 3, 12, 0 } }, 1e-13)
    -- a table output is its flat vector too
    h.assert_array(ad.jacobian(function(x) return { x, { y = x * x } } end)(3), { 1, 6 }, 1e-15)
  end)

  it("names itself in its errors", function()
    h.assert_error_matches(function() ad.hessian(function() return "s" end)(1) end,
      "hessian: the function must return a number or an array, got a string")
    h.assert_error_matches(function() ad.hessian(np.sin, 2)(1) end,
      "hessian: argnum 2 is out of range: the function was called with 1 argument")
  end)

  it("of f with more outputs than inputs: each output's Hessian, as jacobian(jacobian(f))", function()
    -- f: R^2 -> R^4 (the inner Jacobian takes its forward side)
    local f = function(v)
      return np.stack({ v[1] ^ 2 * v[2], v[1] * v[2], np.sin(v[1]), v[2] ^ 3 })
    end
    local a, b = 0.5, -1.5
    local H = ad.hessian(f)(np.array({ a, b }))
    h.assert_array(H, {
      { { 2 * b, 2 * a }, { 2 * a, 0 } },
      { { 0, 1 }, { 1, 0 } },
      { { -math.sin(a), 0 }, { 0, 0 } },
      { { 0, 0 }, { 0, 6 * b } },
    }, 1e-14)
    h.assert_close(H, ad.jacobian(ad.jacobian(f))(np.array({ a, b })), 1e-15)
  end)

  it("of a scalar f opens two traces, as jacobian(grad(f)): a second one only for a forward side", function()
    local core = require "adlua.core"
    local begin, opened = core.trace_begin, 0
    core.trace_begin = function() opened = opened + 1; return begin() end
    local function count(fn, ...)
      opened = 0
      local r = fn(...)
      return opened, r
    end
    local ok, err = pcall(function()
      local f = function(v) return np.sum(np.tanh(v) ^ 2) end
      local x = np.linspace(-1, 1, 4)
      local n, H = count(ad.hessian(f), x)
      assert.equal(2, n) -- the outer Jacobian's (reverse side), the gradient's
      local n2, H2 = count(ad.jacobian(ad.grad(f)), x)
      assert.equal(2, n2)
      h.assert_close(H, H2, 0)
      assert.equal(1, (count(ad.jacobian(f), x)))
      assert.equal(1, (count(ad.jacobian(np.tanh), x))) -- reverse side: 4 outputs, 4 inputs
      assert.equal(2, (count(ad.jacobian(function(z) return np.dot(np.array(A), z) end), np.ones({ 3 }))))
    end)
    core.trace_begin = begin
    assert(ok, err)
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

  it("vjp(g) checks g against the output's shape instead of broadcasting", function()
    local vjp = ad.make_vjp(function(z) return z * z end)(np.array({ 1, 2 }))
    h.assert_array(vjp(np.array({ 3, 1 })), { 6, 4 }, 0)
    h.assert_error_matches(function() vjp(np.array({ 3 })) end,
      "make_vjp: vjp(g): g has shape (1,) but the function's output has shape (2,)")
    h.assert_error_matches(function() vjp(3) end,
      "make_vjp: vjp(g): g has shape () but the function's output has shape (2,)")
    h.assert_error_matches(function() vjp(np.ones({ 2, 2 })) end, "g has shape (2,2)")
    h.assert_error_matches(function() vjp() end,
      "make_vjp: vjp(g) takes an array or a number of the output's shape (2,), got nil")
    local svjp = ad.make_vjp(function(z) return np.sum(z * z) end)(np.array({ 1, 2 }))
    h.assert_array(svjp(2), { 4, 8 }, 0)
    h.assert_error_matches(function() svjp(np.ones({ 2 })) end,
      "make_vjp: vjp(g): g has shape (2,) but the function's output has shape ()")
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

  it("wants v, of the argument's shape", function()
    local hvp = ad.hessian_vector_product(function(x) return np.sum(x ^ 3) end)
    h.assert_error_matches(function() hvp(np.array({ 1, 2 })) end,
      "hessian_vector_product: the vector v is missing")
    h.assert_error_matches(function() hvp(np.array({ 1, 2 }), 1) end,
      "hessian_vector_product: v has shape () but argument 1 has shape (2,)")
    h.assert_error_matches(function() hvp(np.array({ 1, 2 }), np.ones({ 3 })) end,
      "hessian_vector_product: v has shape (3,) but argument 1 has shape (2,)")
    -- a table argument: v a table like it, or its flat vector
    local f = function(p) return p[1] ^ 2 * p[2] end
    local r = ad.hessian_vector_product(f)({ 3, 2 }, { 1, 0 })
    h.assert_number(r[1], 4, 1e-13)
    h.assert_number(r[2], 6, 1e-13)
    r = ad.hessian_vector_product(f)({ 3, 2 }, np.array({ 0, 1 }))
    h.assert_number(r[1], 6, 1e-13)
    h.assert_number(r[2], 0, 1e-13)
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

  it("keeps the gradient through an upvalue traced with the arguments", function()
    -- f closes over x, which is also its argument's level: recorded as usual
    h.assert_number(ad.grad(function(x) return ad.checkpoint(function(y) return y * x end)(x) end)(2), 4, 1e-15)
    local _, t = ad.make_jvp(function(x) return ad.checkpoint(function(y) return y * x end)(x) end)(2)(1)
    h.assert_number(t, 4, 1e-15)
    -- the tester's case: W closed over, differentiated with h
    local W = np.array({ { 0.1, 0.2 }, { 0.3, -0.4 } })
    local h0 = np.array({ 0.5, -1.0 })
    local function loss(cp)
      return function(w, z0)
        local layer = function(z) return np.tanh(np.dot(w, z)) end
        if cp then layer = ad.checkpoint(layer) end
        return np.sum(layer(z0))
      end
    end
    local dW, dh = ad.grad(loss(true), { 1, 2 })(W, h0)
    local eW, eh = ad.grad(loss(false), { 1, 2 })(W, h0)
    h.assert_close(dW, eW, 1e-15)
    h.assert_close(dh, eh, 1e-15)
    assert.is_true(np.max(np.abs(dW)) > 0.3)
  end)

  it("gives the values and gradients of f in every order and mode, closures included", function()
    local A = np.array({ { 1, 2 }, { 3, 4 } })
    local cases = {
      -- name, function of (f-wrapper) returning a result to compare
      { "upvalue of an outer level", function(w)
        return ad.grad(function(a) return ad.grad(function(x)
          return w(function(y) return np.sin(y) * a * a end)(x) end)(0.5) end)(1.5)
      end },
      { "upvalue of an inner level", function(w)
        return ad.grad(function(x) return ad.grad(function(z)
          return w(function(y) return y * y * z * z end)(x) end)(2) end)(3)
      end },
      { "hessian, closure", function(w)
        return ad.hessian(function(v) return np.sum(w(function(z) return np.tanh(z * v[1]) end)(v)) end)(
          np.array({ 0.3, 0.7 }))
      end },
      { "hessian, two arguments", function(w)
        return ad.hessian(function(v) return np.sum(w(function(m, z) return np.tanh(np.dot(m, z)) * z end)(A, v)) end)(
          np.array({ 0.3, -0.2 }))
      end },
      { "jacobian, forward side", function(w)
        return ad.jacobian(function(x) return w(function(y) return np.outer(y, y):ravel() end)(x) end)(np.array({ 1, 2 }))
      end },
      { "forward over reverse", function(w)
        local _, t = ad.make_jvp(ad.grad(function(x) return np.sum(w(function(y) return np.sin(y) * y end)(x)) end))(
          np.array({ 0.2, 0.4 }))(np.array({ 1, -1 }))
        return t
      end },
      { "nested checkpoints, third order", function(w)
        return ad.grad(ad.grad(ad.grad(function(x)
          return w(function(y) return w(function(z) return z ^ 3 * y end)(y) end)(x) end)))(2)
      end },
    }
    local id = function(f) return f end
    for _, c in ipairs(cases) do
      local want, got = c[2](id), c[2](ad.checkpoint)
      if type(want) == "number" then
        h.assert_number(got, want, 1e-13, c[1])
      else
        h.assert_close(got, want, 1e-13, c[1])
      end
    end
    assert.is_true(ad.check_grads(function(x, v)
      return ad.checkpoint(function(y) return np.tanh(y * v) end)(x)
    end)(np.array({ 0.2, 0.5 }), np.array({ 1.5, -0.3 })))
  end)

  it("a number in gives a number out", function()
    local cf = ad.checkpoint(function(y) return y * 2 end)
    h.assert_number(cf(3), 6, 0)
    h.assert_number(ad.grad(function(x) return cf(x) * x end)(3), 12, 1e-15)
    h.assert_number(ad.grad(function(x) return ad.checkpoint(function(y) return y * x end)(3) end)(2), 3, 0)
  end)

  it("keeps none of f's intermediates on the tape, unless f closes over a traced value", function()
    local core = require "adlua.core"
    local calls = 0
    local function chain(z)
      calls = calls + 1
      for _ = 1, 20 do z = np.tanh(z) * 1.01 end
      return z
    end
    local x = np.ones({ 100 }) * 0.1
    -- live arrays while the loss is being recorded
    local function recorded(g)
      local live
      local grad = ad.grad(function(z)
        local y = g(z)
        h.settle()
        live = core.live_arrays()
        return np.sum(y)
      end)(x)
      return live, grad
    end
    h.settle()
    local base = core.live_arrays()
    calls = 0
    local plain, g1 = recorded(chain)
    assert.equal(1, calls)
    calls = 0
    local saved, g2 = recorded(ad.checkpoint(chain))
    assert.equal(2, calls) -- the forward pass and the recomputation
    h.assert_close(g2, g1, 1e-15)
    assert.is_true(plain - base >= 40, "the plain chain keeps its 40 intermediates")
    assert.is_true(saved - base <= 6, ("checkpoint keeps %d arrays"):format(saved - base))
    -- closing over the differentiated w: f runs twice forward, then as usual
    local w = np.ones({ 100 }) * 0.5
    calls = 0
    local gw, gx = ad.grad(function(v, y)
      return np.sum(ad.checkpoint(function(z) return chain(z * v) end)(y))
    end, { 1, 2 })(w, x)
    assert.equal(2, calls)
    local ew, ex = ad.grad(function(v, y) return np.sum(chain(y * v)) end, { 1, 2 })(w, x)
    h.assert_close(gw, ew, 1e-15)
    h.assert_close(gx, ex, 1e-15)
  end)

  it("passes on f's errors and refuses what is not an array or a number", function()
    h.assert_error_matches(function()
      ad.grad(function(x) return ad.checkpoint(function() error("boom") end)(x) end)(1)
    end, "boom")
    h.assert_error_matches(function()
      ad.grad(function(x) return ad.checkpoint(function(y) return { y } end)(x) end)(1)
    end, "checkpoint: the function must return an array or a number, got a table")
    local msg = h.assert_error_matches(function() ad.checkpoint(function(t) return t[1] end)({ 1 }) end,
      "checkpoint: argument 1 must be an array or a number, got a table")
    assert.truthy(msg:find("operators_spec.lua", 1, true), msg)
    h.assert_error_matches(function() ad.checkpoint(3) end, "checkpoint: expected a function, got a number")
  end)
end)

describe("argnum", function()
  local f = function(x, y, z) return x * y * y * z * z * z end

  it("negative counts from the end of the arguments given, for every operator", function()
    -- at (2, 3, 4): df/dz = 3 x y^2 z^2 = 864, df/dx = y^2 z^3 = 576
    h.assert_number(ad.grad(f, -1)(2, 3, 4), 864, 1e-12)
    local gz, gx = ad.grad(f, { -1, 1 })(2, 3, 4)
    h.assert_number(gz, 864, 1e-12)
    h.assert_number(gx, 576, 1e-12)
    h.assert_array(ad.elementwise_grad(function(a, x) return a * x * x end, -1)(3, np.array({ 1, 2 })), { 6, 12 }, 0)
    local v, g = ad.value_and_grad(f, -1)(2, 3, 4)
    h.assert_number(v, 2 * 9 * 64, 0)
    h.assert_number(g, 864, 1e-12)
    local ga, aux = ad.grad_and_aux(function(a, x) return a * x * x, "aux" end, -1)(3, 2)
    h.assert_number(ga, 12, 0)
    assert.equal("aux", aux)
    h.assert_number(ad.jacobian(f, -1)(2, 3, 4), 864, 1e-12)
    h.assert_number(ad.hessian(f, -1)(2, 3, 4), 6 * 2 * 9 * 4, 1e-12)
    local _, t = ad.make_jvp(f, -1)(2, 3, 4)(1)
    h.assert_number(t, 864, 1e-12)
    local vjp = ad.make_vjp(f, -1)(2, 3, 4)
    h.assert_number(vjp(1), 864, 1e-12)
    -- among the arguments before v
    h.assert_number(ad.hessian_vector_product(f, -1)(2, 3, 4, 0.5), 6 * 2 * 9 * 4 * 0.5, 1e-12)
  end)

  it("listed twice follows autograd's last-wins substitution, with numbers for numbers", function()
    local g1, g2, g3 = ad.grad(function(x, y, z) return x * x * y * z end, { 1, 2, 1 })(3, 2, 5)
    h.assert_number(g1, 0, 0) -- the box f does not see
    h.assert_number(g2, 45, 1e-13)
    h.assert_number(g3, 60, 1e-13)
    local a1, a2 = ad.grad(function(x) return np.sum(x * x) end, { 1, -1 })(np.array({ 1, 2 }))
    h.assert_array(a1, { 0, 0 }, 0)
    h.assert_array(a2, { 2, 4 }, 0)
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
    h.assert_error_matches(function() ad.check_grads(np.sin, { modes = "rev" }) end,
      'check_grads: modes must be a table of "rev" and/or "fwd" (such as {"rev"}), got a string')
    h.assert_error_matches(function() ad.check_grads(np.sin, { order = 0 }) end,
      "check_grads: order must be a positive whole number, got 0")
  end)

  it("perturbs the arguments together: a wrong cross derivative fails at order 2", function()
    -- d/da is g * b with b held constant: first derivatives are right, the
    -- mixed second derivative d2/da db (1) comes out 0
    local m = ad.primitive(function(a, b) return a * b end, "cross_m")
    ad.defvjp(m, function(_, a, b) return function(g) return g * ad.stop_gradient(b) end end,
      function(_, a, b) return function(g) return g * a end end)
    assert.is_true(ad.check_grads(m, { order = 1 })(0.3, 0.7))
    h.assert_error_matches(function() ad.check_grads(m, { order = 2, modes = { "rev" } })(0.3, 0.7) end,
      "check_grads: reverse-mode derivative of order 2 doesn't match finite differences")
    h.assert_error_matches(function() ad.check_grads(m, { order = 2, modes = { "fwd" } })(0.3, 0.7) end,
      "check_grads: forward-mode derivative of order 2 doesn't match finite differences")
    -- a right rule passes, with arrays, numbers and tables mixed
    assert.is_true(ad.check_grads(function(x, s, p) return np.sin(x * s) * p.w end)(
      np.array({ 0.3, 0.5 }), 1.5, { w = np.array({ 2, -1 }) }))
  end)

  it("argnum chooses the arguments perturbed", function()
    local f = function(x, n) return np.sum(x ^ n) end
    assert.is_true(ad.check_grads(f, { argnum = 1 })(np.array({ 0.5, 1.5 }), 3))
    assert.is_true(ad.check_grads(function(a, x) return a * np.sin(x) end, { argnum = -1 })(2, 0.3))
    h.assert_error_matches(function() ad.check_grads(f, { argnum = 3 })(np.ones({ 2 }), 3) end,
      "check_grads: argnum 3 is out of range: the function was called with 2 arguments")
  end)

  it("keeps float32 leaves float32 among float64 ones", function()
    local seen
    assert.is_true(ad.check_grads(function(a, b) seen = a.dtype; return np.sum(a * b) end, { order = 1 })(
      np.array({ 1, 2 }, "float32"), np.array({ 3, 4 })))
    assert.equal("float32", seen)
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

  it("of making an operator point at the caller's line", function()
    local here = "operators_spec.lua:" .. (debug.getinfo(1, "l").currentline + 1)
    local msg = h.error_message(function() ad.grad(3) end)
    assert.truthy(msg:find(here, 1, true), msg)
    assert.truthy(msg:find("grad: expected a function to differentiate, got a number", 1, true), msg)
    for _, op in ipairs({ "elementwise_grad", "value_and_grad", "grad_and_aux", "jacobian", "hessian",
      "make_vjp", "make_jvp", "hessian_vector_product", "checkpoint", "check_grads" }) do
      local m = h.error_message(function() ad[op](3) end)
      assert.truthy(m:find("operators_spec.lua:", 1, true) and m:find(op .. ": expected a function", 1, true), m)
    end
  end)

  it("name a bad argnum: not a whole number, 0, a table where one number goes", function()
    local f = function(x, y) return x * y end
    h.assert_error_matches(function() ad.grad(f, 1.5) end, "grad: argnum 1.5 is not a whole number")
    h.assert_error_matches(function() ad.grad(f, 0) end,
      "grad: argnum 0 is not a position: positions are 1-based (-1 is the last argument)")
    h.assert_error_matches(function() ad.grad(f, "x") end,
      "grad: argnum must be a whole number or a table of them, got a string")
    h.assert_error_matches(function() ad.grad(f, {}) end, "got an empty table")
    h.assert_error_matches(function() ad.grad(f, { 1, 0.5 }) end, "grad: argnum 0.5 is not a whole number")
    for _, op in ipairs({ "jacobian", "hessian", "make_vjp", "make_jvp", "hessian_vector_product" }) do
      h.assert_error_matches(function() ad[op](f, { 1 }) end, op .. ": argnum must be a whole number, got a table")
    end
    h.assert_error_matches(function() ad.grad(f, -3)(1, 2) end,
      "grad: argnum -3 is out of range: the function was called with 2 arguments")
  end)

  it("leave the engine usable after the user's function raises", function()
    assert.has_error(function() ad.jacobian(function() error("inside") end)(np.ones({ 2 })) end)
    assert.has_error(function() ad.make_jvp(function() error("inside") end)(1)(1) end)
    h.assert_number(ad.grad(np.sin)(0), 1, 1e-15)
  end)
end)

describe("traces", function()
  it("every operator ends each trace it opens exactly once, also when f raises", function()
    local core = require "adlua.core"
    local begin, forward, finish = core.trace_begin, core.trace_begin_forward, core.trace_end
    local ends, opened = {}, {}
    local function note(t)
      opened[#opened + 1] = t
      ends[t] = 0
      return t
    end
    core.trace_begin = function() return note(begin()) end
    core.trace_begin_forward = function() return note(forward()) end
    core.trace_end = function(t)
      if ends[t] then ends[t] = ends[t] + 1 end
      return finish(t)
    end
    local ok, err = pcall(function()
      local x = np.array({ 0.3, -0.2 })
      local wide = function(z) return np.dot(np.array(A), np.concatenate({ z, z[{ { 1, 1 } }] })) end
      ad.jacobian(wide)(x) -- forward side: t1 opens and ends inside t2's life
      ad.jacobian(function(z) return np.sum(z * z) end)(x)
      ad.jacobian(function(z) return np.dot(z, np.ones({ 2, 1 })) end)(x)
      ad.hessian(function(z) return np.sum(np.sin(z)) end)(x)
      ad.hessian(wide)(x)
      ad.grad(function(z) return np.sum(ad.jacobian(wide)(z)) end)(x)
      local _, t = ad.make_jvp(ad.grad(function(z) return np.sum(z ^ 3) end))(x)(x)
      h.assert_array(t, { 6 * 0.3 * 0.3, 6 * -0.2 * -0.2 }, 1e-15)
      local held = { vjp = ad.make_vjp(wide)(x) }
      held.vjp(np.ones({ 4 }))
      assert.has_error(function() ad.jacobian(function() error("in f") end)(x) end)
      -- p's rule calls q, which has none: the forward side's sweep of t2
      -- records q on t1, and t1's sweep raises
      local q = ad.primitive(function(g, w) return g * np.cos(w) end, "q_norule")
      local p = ad.defvjp(ad.primitive(np.sin, "p"), function(_, w) return function(g) return q(g, w) end end)
      h.assert_error_matches(function()
        ad.jacobian(function(z) return np.concatenate({ p(z), p(z), z }) end)(x)
      end, "q_norule: no derivative rule for argument 1")
      assert.has_error(function() ad.hessian(function() error("in f") end)(x) end)
      assert.has_error(function() ad.make_jvp(function() error("in f") end)(x)(x) end)
      held.vjp = nil
      h.settle() -- make_vjp's trace ends when vjp is collected
    end)
    core.trace_begin, core.trace_begin_forward, core.trace_end = begin, forward, finish
    assert(ok, err)
    assert.is_true(#opened >= 20, #opened)
    for i, t in ipairs(opened) do assert.equal(1, ends[t], ("trace %d of %d"):format(i, #opened)) end
    assert.is_false(core.tracing())
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
