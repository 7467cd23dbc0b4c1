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
