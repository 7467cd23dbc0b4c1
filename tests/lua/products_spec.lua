-- inner, tensordot, einsum, trace, batched matmul: values against NumPy
-- (tests/lua/fixtures/np_index.lua), errors, derivatives to order 2.
local h = require "tests.lua.helpers"
local np = require "adlua.numpy"
local ad = require "adlua"
local F = require "tests.lua.fixtures.np_index"

local function A() return np.array({ { 1, -2, 3 }, { -4, 5, -6 } }) end
local function B() return np.reshape(np.linspace(-1, 2, 24), { 2, 3, 4 }) end
local function check(x, name) h.assert_array(x, F[name].value, 1e-12, name, F[name].shape) end
local rev2 = { modes = { "rev" }, order = 2 }

describe("tensor products", function()
  it("tensordot with axis lists and a count", function()
    check(np.tensordot(B(), A(), { { 1, 2 }, { 1, 2 } }), "tensordot")
    check(np.tensordot(np.transpose(B(), { 3, 1, 2 }), A(), 2), "tensordot2")
  end)
  it("inner, trace with an offset and axes", function()
    check(np.inner(B(), B()[1]), "inner")
    assert.are.equal(6, np.trace(np.array({ { 1, 2 }, { 3, 5 } })))
    check(np.trace(B(), 1, 2, 3), "trace_offset")
    assert.are.equal(6, np.inner(2, 3))
  end)
  it("einsum: explicit, implicit, diagonal, batched", function()
    local b = B()
    check(np.einsum("bij,bjk->bik", b[{ {}, { 1, 2 }, { 1, 3 } }], b[{ {}, { 1, 3 }, {} }]), "einsum_bmm")
    check(np.einsum("ii->i", b[{ 1, {}, { 1, 3 } }]), "einsum_diag")
    check(np.einsum("ij,kj", A(), A()), "einsum_implicit")
    assert.are.equal(np.sum(A() * A()), np.einsum("ij,ij->", A(), A()))
  end)
  it("matmul broadcasts stacks of matrices", function()
    check(np.matmul(B(), np.transpose(B(), { 1, 3, 2 })), "matmul_batched")
    check(np.matmul(np.transpose(B(), { 1, 3, 2 }), A().T), "matmul_bcast")
    h.assert_array(np.matmul(np.ones({ 2, 2, 3 }), np.ones({ 3 })), { { 3, 3 }, { 3, 3 } }, 0)
  end)
  it("errors name the function and the shapes", function()
    h.assert_error_matches(function() np.tensordot(A(), A(), { { 1 }, { 2 } }) end,
      { "np.tensordot", "(2,3)", "shape-mismatch" })
    h.assert_error_matches(function() np.inner(A(), np.ones({ 2 })) end, { "np.inner", "(2,3)", "(2,)" })
    h.assert_error_matches(function() np.matmul(B(), np.ones({ 3, 2 })) end, { "np.matmul", "(2,3,4)", "(3,2)" })
    h.assert_error_matches(function() np.einsum("ij,jk", A(), A()) end, { "np.einsum", "label 'j'" })
    h.assert_error_matches(function() np.trace(np.ones({ 3 })) end, { "np.trace", "two dimensions" })
  end)
  it("are differentiable to second order in every argument", function()
    local x = np.array({ { 0.3, -0.7, 1.1 }, { 0.2, 0.9, -0.4 } })
    local xt = np.array({ { 0.5, 0.1 }, { -0.3, 0.8 }, { 0.6, -0.2 } }).T -- non-contiguous (2,3)
    local w = np.array({ { 0.4, -0.1 }, { 0.2, 0.7 }, { -0.5, 0.3 } })
    ad.check_grads(function(a, b) return np.sum(np.tensordot(a, b, 1) ^ 2) end, rev2)(x, w)
    ad.check_grads(function(a, b) return np.sum(np.inner(a, b) ^ 2) end, rev2)(x, xt)
    ad.check_grads(function(a, b) return np.sum(np.einsum("ij,jk->ik", a, b) ^ 2) end, rev2)(xt, w)
    ad.check_grads(function(a) return np.einsum("ij,ij->", a, a) * np.sum(a) end, rev2)(x)
    ad.check_grads(function(a) return np.trace(np.dot(a, a.T)) ^ 2 end, rev2)(xt)
    ad.check_grads(function(a, b) return np.sum(np.matmul(a, b) ^ 2) end, rev2)(
      np.reshape(np.linspace(-1, 1, 12), { 2, 2, 3 }), w)
    ad.check_grads(function(a, b) return np.sum(np.matmul(a, b) ^ 2) end, rev2)(x, xt.T)
  end)
end)

describe("np.dot of more than 2 axes, matmul's stacks", function()
  local a = function() return np.reshape(np.arange(24), { 2, 3, 4 }) end

  it("dot sums over the last axis of a and the second-to-last of b, as NumPy", function()
    -- NumPy: np.dot(np.arange(24.).reshape(2,3,4), np.arange(8.).reshape(4,2)) and friends
    h.assert_array(np.dot(a(), np.reshape(np.arange(8), { 4, 2 })),
      { { { 28, 34 }, { 76, 98 }, { 124, 162 } }, { { 172, 226 }, { 220, 290 }, { 268, 354 } } }, 0)
    h.assert_array(np.dot(a(), np.arange(4)), { { 14, 38, 62 }, { 86, 110, 134 } }, 0)
    h.assert_array(np.dot(np.arange(3), a()), { { 20, 23, 26, 29 }, { 56, 59, 62, 65 } }, 0)
    h.assert_array(a():dot(np.arange(4)), { { 14, 38, 62 }, { 86, 110, 134 } }, 0)
    local r = np.dot(a(), np.reshape(np.arange(40), { 2, 4, 5 }))
    h.assert_shape(r, { 2, 3, 2, 5 })
    h.assert_array(r[{ 2, 3, 1 }], { 670, 756, 842, 928, 1014 }, 0)
    assert.equal(696, r[{ 1, 2, 2, 4 }])
    assert.equal(55320, np.sum(r))
    -- the 2-d operands and numbers keep the C dot; dtypes as NumPy's
    assert.equal("float64", np.dot(np.ones({ 2, 3, 4 }, "float32"), np.ones({ 4, 2 })).dtype)
    assert.equal("float32", np.dot(np.ones({ 2, 3, 4 }, "float32"), np.ones({ 4, 2 }, "float32")).dtype)
    h.assert_array(np.dot(a(), 2), (a() * 2):totable(), 0)
    ad.check_grads(function(x, y) return np.sum(np.sin(np.dot(x, y))) end, { modes = { "rev", "fwd" }, order = 2 })(
      a() / 10, np.reshape(np.linspace(-1, 1, 8), { 4, 2 }))
    ad.check_grads(function(x, y) return np.sum(np.sin(np.dot(x, y))) end, rev2)(
      np.array({ 0.3, -0.2, 0.5 }), np.reshape(np.linspace(-1, 1, 24), { 2, 3, 4 }))
  end)

  it("dot's errors name np.dot, the shapes and the axes (1-based)", function()
    local m = h.error_message(function() local r = np.dot(a(), np.ones({ 5, 2 })); return r end)
    assert.truthy(m:find("^[^:]*products_spec%.lua:%d+: np%.dot: shapes %(2,3,4%) and %(5,2%) not aligned: 4 %(axis 3%) ~= 5 %(axis 1%)"), m)
    h.assert_error_matches(function() np.dot(np.ones({ 2, 3 }), np.ones({ 5, 2 })) end,
      { "np.dot", "(2,3)", "(5,2)", "not aligned" })
    h.assert_error_matches(function() np.dot(np.ones({ 2, 3, 4 }), "x") end, { "np.dot", "string" })
  end)

  it("matmul's stacks that do not broadcast are named by np.matmul with both shapes", function()
    local m = h.error_message(function() local r = np.matmul(np.ones({ 2, 2, 3 }), np.ones({ 3, 3, 2 })); return r end)
    assert.truthy(m:find("^[^:]*products_spec%.lua:%d+: np%.matmul: "), m)
    assert.truthy(m:find("(2,2,3) and (3,3,2)", 1, true), m)
    assert.truthy(m:find("stacks (2,) and (3,)", 1, true), m)
    assert.falsy(m:find("multiply", 1, true), m)
    assert.falsy(m:find("lua/adlua", 1, true), m)
    h.assert_error_matches(function() np.matmul(np.ones({ 2, 2, 3 }), np.ones({ 2, 4, 2 })) end,
      { "np.matmul", "(2,2,3)", "(2,4,2)", "3 (axis 3) ~= 4 (axis 2)" })
    -- stacks of 1 broadcast (NumPy: matmul of (2,1,3,4) and (3,4,2) sums to 19404)
    assert.equal(19404, np.sum(np.matmul(np.reshape(np.arange(24), { 2, 1, 3, 4 }), np.reshape(np.arange(24), { 3, 4, 2 }))))
  end)
end)
