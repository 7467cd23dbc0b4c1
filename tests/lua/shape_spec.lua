-- Shape functions: values against NumPy (tests/lua/fixtures/np_index.lua),
-- errors, and derivatives to order 2 on broadcast and non-contiguous inputs.
local h = require "tests.lua.helpers"
local np = require "adlua.numpy"
local ad = require "adlua"
local F = require "tests.lua.fixtures.np_index"

local function A() return np.array({ { 1, -2, 3 }, { -4, 5, -6 } }) end
local function B() return np.reshape(np.linspace(-1, 2, 24), { 2, 3, 4 }) end
local function S() return np.array({ { 3, 1, 2 }, { 9, 7, 8 } }) end
local function check(x, name) h.assert_array(x, F[name].value, 1e-12, name, F[name].shape) end
local rev2 = { modes = { "rev" }, order = 2 }

describe("shape functions", function()
  it("swapaxes, moveaxis, expand_dims, transpose with axes", function()
    check(np.swapaxes(B(), 1, 3), "swapaxes")
    check(B():swapaxes(1, -1), "swapaxes")
    check(np.moveaxis(B(), 1, -1), "moveaxis")
    check(np.expand_dims(A(), 2), "expand_dims")
    check(np.transpose(B(), { 3, 2, 1 }), "swapaxes")
  end)
  it("tile, repeat, roll, flip", function()
    check(np.tile(A(), { 2, 1, 2 }), "tile")
    check(np["repeat"](A(), { 1, 0, 2 }, 2), "repeat")
    check(np.roll(A(), 2), "roll")
    check(np.roll(B(), -1, 2), "roll_axis")
    check(np.flip(B(), 2), "flip")
    h.assert_array(np["repeat"](np.array({ 1, 2 }), 2), { 1, 1, 2, 2 }, 0)
    -- a number tiled: NumPy's 1-d result, empty for zero repetitions (the
    -- fuzzer found this one raising a Lua error from inside the library)
    h.assert_array(np.tile(3, 2), { 3, 3 }, 0)
    local empty = np.tile(3, 0)
    h.assert_shape(empty, { 0 })
    assert.are.equal("float64", empty.dtype)
    assert.are.equal("float32", np.tile(np.ones(2, "float32"), 0).dtype)
  end)
  it("sort, argsort (1-based), nonzero (1-based)", function()
    check(np.sort(S(), 1), "sort")
    local C = np.flip(B(), 2) * np.array({ 1, -1, 1, -1 })
    check(np.sort(C), "sort_last")
    check(np.argsort(S()), "argsort")
    check(S():argsort(), "argsort")
    local r, c = np.nonzero(np.array({ { 0, 1 }, { 1, 1 } }))
    h.assert_array(r, { 1, 2, 2 }, 0)
    h.assert_array(c, { 2, 1, 2 }, 0)
  end)
  it("concatenations and splits", function()
    h.assert_array(np.vstack({ np.array({ 1, 2 }), np.array({ 3, 4 }) }), { { 1, 2 }, { 3, 4 } }, 0)
    h.assert_array(np.hstack({ np.array({ 1, 2 }), np.array({ 3 }) }), { 1, 2, 3 }, 0)
    h.assert_array(np.hstack({ A(), A() }), { { 1, -2, 3, 1, -2, 3 }, { -4, 5, -6, -4, 5, -6 } }, 0)
    local p = np.split(np.arange(6), { 2, 3 })
    h.assert_array(p[1], { 0, 1 }, 0); h.assert_array(p[2], { 2 }, 0); h.assert_array(p[3], { 3, 4, 5 }, 0)
    local q = np.split(A(), 3, 2)
    assert.are.equal(3, #q)
    h.assert_array(q[3], { { 3 }, { -6 } }, 0)
    h.assert_array(np.broadcast_to(np.array({ 1, 2, 3 }), { 2, 3 }), { { 1, 2, 3 }, { 1, 2, 3 } }, 0)
    -- the dtype is kept, as in NumPy
    local b32 = np.broadcast_to(np.array({ 1, 2 }, "float32"), { 2, 2 })
    h.assert_array(b32, { { 1, 2 }, { 1, 2 } }, 0)
    assert.are.equal("float32", b32.dtype)
  end)
  it("errors name the function and the shapes or axes", function()
    h.assert_error_matches(function() np.swapaxes(A(), 1, 3) end, { "np.swapaxes", "axis 3", "dimension 2" })
    h.assert_error_matches(function() np.split(np.arange(5), 2) end, { "np.split", "equal division" })
    h.assert_error_matches(function() np.broadcast_to(np.ones({ 3 }), { 2, 2 }) end,
      { "np.broadcast_to", "(3,)", "(2,2)" })
    h.assert_error_matches(function() np["repeat"](A(), { 1, 2 }, 2) end, { "np.repeat", "(3,)", "(2,)" })
    h.assert_error_matches(function() np.nonzero(np.array(1)) end, { "np.nonzero", "0-d" })
  end)
  it("are differentiable to second order, on broadcast and non-contiguous inputs", function()
    local fs = {
      function(x) return np.sum(np.sin(np.swapaxes(x, 1, 2)) * np.array({ 1, 2 })) end,
      function(x) return np.sum(np.moveaxis(x, 1, -1) ^ 3) end,
      function(x) return np.sum(np.tile(x, { 2, 2 }) ^ 3) end,
      function(x) return np.sum(np["repeat"](x, { 2, 0, 1 }, 2) ^ 3) end,
      function(x) return np.sum(np.roll(x, 1, 2) * np.array({ 1, 2, 3 }) * x) end,
      function(x) return np.sum(np.flip(x) * np.exp(x)) end,
      function(x) return np.sum(np.sort(x, 2) * np.array({ 1, 2, 3 }) ^ 2 * x) end,
      function(x) return np.sum(np.vstack({ x, x * x })) end,
      function(x) local p = np.split(x, 3, 2); return np.sum(p[1] * p[3] ^ 2) end,
      function(x) return np.sum(np.broadcast_to(x, { 4, 2, 3 }) ^ 3) end,
      function(x) return np.sum(np.expand_dims(x, 1) ^ 3) end,
    }
    local x = np.array({ { 0.3, -0.7, 1.1 }, { 0.2, 0.9, -0.4 } })
    local xt = np.array({ { 0.3, 0.2 }, { -0.7, 0.9 }, { 1.1, -0.4 } }).T -- non-contiguous
    local xb = np.broadcast_to(np.array({ 0.3, -0.7, 1.1 }), { 2, 3 }) + 0 -- from a broadcast
    for _, f in ipairs(fs) do
      ad.check_grads(f, rev2)(x)
      ad.check_grads(f, rev2)(xt)
      ad.check_grads(f, rev2)(xb)
    end
  end)
end)
