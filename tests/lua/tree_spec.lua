-- Parameter tables (issue 4): nested Lua tables of arrays and numbers as
-- arguments, gradients of the same structure, ad.flatten / unflatten.

local h = require "tests.lua.helpers"
local np = require "adlua.numpy"
local ad = require "adlua"

describe("flatten", function()
  it("lays out the list part first, then the other keys in sorted order", function()
    local v = ad.flatten({ np.array({ 1, 2 }), 3, b = np.array({ { 6 }, { 7 } }), a = 5 })
    h.assert_array(v, { 1, 2, 3, 5, 6, 7 }, 0)
  end)

  it("unflatten rebuilds the structure from any vector of that length", function()
    local t = { w = np.zeros({ 2, 2 }), b = 0, layers = { np.zeros({ 3 }), { s = 0 } } }
    local v, unflatten = ad.flatten(t)
    assert.equal(9, v.size)
    local r = unflatten(np.arange(9))
    h.assert_number(r.b, 0, 0)
    h.assert_array(r.layers[1], { 1, 2, 3 }, 0)
    h.assert_number(r.layers[2].s, 4, 0)
    h.assert_array(r.w, { { 5, 6 }, { 7, 8 } }, 0)
    h.assert_error_matches(function() unflatten(np.zeros({ 4 })) end,
      "unflatten: expected a vector of 9 numbers, got 4")
  end)

  it("of an empty table is an empty vector", function()
    local v, unflatten = ad.flatten({})
    assert.equal(0, v.size)
    assert.same({}, unflatten(v))
  end)

  it("unflatten names what it got instead of a vector", function()
    local _, unflatten = ad.flatten({ 1, np.zeros({ 2 }) })
    h.assert_error_matches(function() unflatten(5) end,
      "unflatten: expected a vector (a 1-d array) of 3 numbers, got 5")
    h.assert_error_matches(function() unflatten({ 1, 2, 3 }) end,
      "unflatten: expected a vector (a 1-d array) of 3 numbers, got a table")
    h.assert_error_matches(function() unflatten(np.zeros({ 3, 1 })) end,
      "unflatten: expected a vector (a 1-d array) of 3 numbers, got an array of shape (3,1)")
  end)

  it("gives each leaf back its dtype, and handles empty leaves", function()
    local v, unflatten = ad.flatten({ np.array({ 1, 2 }, "float32"), np.array({ 3 }), 4 })
    assert.equal("float64", v.dtype)
    local t = unflatten(v)
    assert.equal("float32", t[1].dtype)
    assert.equal("float64", t[2].dtype)
    h.assert_array(t[1], { 1, 2 }, 0)
    local g = ad.grad(function(p) return np.sum(p[1] * p[2]) * p[3] end)({ np.array({ 1, 2 }, "float32"), np.array({ 3 }), 4 })
    assert.equal("float32", g[1].dtype)
    h.assert_array(g[1], { 12, 12 }, 0)
    h.assert_number(g[3], 9, 0)
    local e, unf = ad.flatten({ np.zeros({ 0 }), np.array({ 5 }) })
    h.assert_array(e, { 5 }, 0)
    local r = unf(np.array({ 7 }))
    h.assert_shape(r[1], { 0 })
    h.assert_array(r[2], { 7 }, 0)
  end)

  it("rejects leaves that are not numbers or arrays", function()
    h.assert_error_matches(function() ad.flatten({ 1, "x" }) end,
      "flatten: parameters must be numbers, arrays or tables of them, got a string")
  end)
end)

describe("gradients with respect to tables", function()
  local function loss(p, x)
    local hidden = np.tanh(np.dot(x, p.W) + p.b)
    return np.sum(hidden * p.out[1]) + p.out.scale ^ 2
  end
  local params = {
    W = np.array({ { 0.1, -0.2 }, { 0.3, 0.4 } }),
    b = np.array({ 0.01, 0.02 }),
    out = { np.array({ 1, -1 }), scale = 1.5 },
  }
  local x = np.array({ { 1, 2 }, { -1, 0.5 } })

  it("grad returns a table of the same structure", function()
    local g = ad.grad(loss)(params, x)
    h.assert_shape(g.W, { 2, 2 })
    h.assert_shape(g.b, { 2 })
    h.assert_shape(g.out[1], { 2 })
    h.assert_number(g.out.scale, 3, 1e-15)
    -- each leaf's gradient against the same loss with that leaf alone as the argument
    local gW = ad.grad(function(W) return loss({ W = W, b = params.b, out = params.out }, x) end)(params.W)
    h.assert_close(g.W, gW, 1e-14)
    local gb = ad.grad(function(b) return loss({ W = params.W, b = b, out = params.out }, x) end)(params.b)
    h.assert_close(g.b, gb, 1e-14)
  end)

  it("value_and_grad and second argument tables", function()
    local v, g = ad.value_and_grad(function(s, p) return s * (p[1] + p[2] ^ 2) end, 2)(2, { 3, 4 })
    h.assert_number(v, 38, 1e-15)
    h.assert_number(g[1], 2, 1e-15)
    h.assert_number(g[2], 16, 1e-15)
  end)

  it("make_vjp, hessian_vector_product and check_grads accept tables", function()
    local f = function(p) return p.a * np.sin(p.b) end
    local vjp = ad.make_vjp(f)({ a = 2, b = np.array({ 0, 1 }) })
    local g = vjp(np.array({ 1, 1 }))
    h.assert_number(g.a, math.sin(1), 1e-15)
    h.assert_array(g.b, { 2, 2 * math.cos(1) }, 1e-15)
    local hv = ad.hessian_vector_product(function(p) return p.u ^ 2 * p.v end)({ u = 3, v = 2 }, { u = 1, v = 0 })
    h.assert_number(hv.u, 4, 1e-14)
    h.assert_number(hv.v, 6, 1e-14)
    assert.is_true(ad.check_grads(function(p) return np.sum(np.tanh(p[1] * p.c)) end)({ np.array({ 0.3, 0.4 }), c = 1.5 }))
  end)

  it("jacobian and hessian index the flat vector, of the argument and of a table output", function()
    -- f = u^2 v: H = [[2v, 2u], [2u, 0]]
    local f = function(p) return p.u ^ 2 * p.v end
    h.assert_array(ad.hessian(f)({ u = 3, v = 2 }), { { 4, 6 }, { 6, 0 } }, 1e-13)
    h.assert_array(ad.jacobian(ad.grad(f))({ u = 3, v = 2 }), { { 4, 6 }, { 6, 0 } }, 1e-13)
    local J = ad.jacobian(function(p) return { a = p[1] * 2, b = { p[1] * p[2] } } end)({ np.array({ 1, 2 }), 3 })
    -- rows: a (2), b (2); columns: p[1] (2), p[2] (1)
    h.assert_array(J, { { 2, 0, 0 }, { 0, 2, 0 }, { 3, 0, 1 }, { 0, 3, 2 } }, 1e-14)
  end)
end)
