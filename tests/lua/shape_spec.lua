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

describe("shape functions as NumPy's (cuts, tuples, orders)", function()
  local function parts(ps)
    local t = {}
    for i, p in ipairs(ps) do t[i] = p:totable() end
    return t
  end

  it("split cuts as NumPy's slices x[c(i-1):c(i)]: descending, negative and too large cuts", function()
    -- NumPy: np.split(np.arange(10), [5, 3]) -> [0..4], [], [3..9]
    assert.same({ { 0, 1, 2, 3, 4 }, {}, { 3, 4, 5, 6, 7, 8, 9 } }, parts(np.split(np.arange(10), { 5, 3 })))
    -- np.split(np.arange(10), [-3, 2, 8, 20, 4])
    assert.same({ { 0, 1, 2, 3, 4, 5, 6 }, {}, { 2, 3, 4, 5, 6, 7 }, { 8, 9 }, {}, { 4, 5, 6, 7, 8, 9 } },
      parts(np.split(np.arange(10), { -3, 2, 8, 20, 4 })))
    -- the cut positions as an array work like a table
    assert.same({ { 0, 1 }, { 2 }, { 3, 4, 5, 6, 7, 8, 9 } }, parts(np.split(np.arange(10), np.array({ 2, 3 }))))
    assert.same({ { 0, 1 }, { 2, 3 } }, parts(np.split(np.arange(4), np.array(2))))
    -- along axis 2: np.split(np.arange(12).reshape(3, 4), [3, 1], axis=1)
    local s = np.split(np.reshape(np.arange(12), { 3, 4 }), { 3, 1 }, 2)
    h.assert_array(s[1], { { 0, 1, 2 }, { 4, 5, 6 }, { 8, 9, 10 } }, 0)
    h.assert_shape(s[2], { 3, 0 })
    h.assert_array(s[3], { { 1, 2, 3 }, { 5, 6, 7 }, { 9, 10, 11 } }, 0)
    -- overlapping parts still differentiate: entry 4 (0-based 3) is in parts 1 and 3
    local g = ad.grad(function(x) local p = np.split(x, { 5, 3 }); return np.sum(p[1]) + np.sum(p[3]) end)(np.arange(10))
    h.assert_array(g, { 1, 1, 1, 2, 2, 1, 1, 1, 1, 1 }, 0)
    h.assert_error_matches(function() np.split(np.arange(4), np.ones({ 2, 2 })) end, { "np.split", "1-d", "(2,2)" })
    h.assert_error_matches(function() np.split(np.arange(4), { 1.5 }) end, { "np.split", "1.5" })
  end)

  it("roll takes a shift computed inside a traced function (a 0-d traced value)", function()
    -- found by fuzz_ops: the shift's value is a Lua number, not an array
    local g = ad.grad(function(x) return np.sum(np.roll(np.arange(4) * x, x) * np.arange(4)) end)(1)
    -- roll by 1: [3, 0, 1, 2] * x, weighted by 0..3: 0 + 0 + 2 + 6 = 8
    assert.equal(8, g)
    h.assert_array(np.roll(np.arange(4), np.array(1)), { 3, 0, 1, 2 })
  end)

  it("roll takes tables of shifts and axes, broadcast as NumPy's tuples", function()
    local a = np.reshape(np.arange(6), { 2, 3 })
    -- NumPy: np.roll(np.arange(4).reshape(2,2), (1,1), (0,1)) and friends
    h.assert_array(np.roll(np.reshape(np.arange(4), { 2, 2 }), { 1, 1 }, { 1, 2 }), { { 3, 2 }, { 1, 0 } }, 0)
    h.assert_array(np.roll(a, { 1, 2 }, { 1, 2 }), { { 4, 5, 3 }, { 1, 2, 0 } }, 0)
    h.assert_array(np.roll(a, 1, { 1, 2 }), { { 5, 3, 4 }, { 2, 0, 1 } }, 0)
    h.assert_array(np.roll(a, { 1, 2 }, 2), { { 0, 1, 2 }, { 3, 4, 5 } }, 0)
    h.assert_array(np.roll(a, { 1, 2 }), { { 3, 4, 5 }, { 0, 1, 2 } }, 0)
    h.assert_array(np.roll(a, { -1, 5 }, { 2, 2 }), { { 2, 0, 1 }, { 5, 3, 4 } }, 0)
    h.assert_array(np.roll(a, np.array({ 1, 2 }), np.array({ 1, 2 })), { { 4, 5, 3 }, { 1, 2, 0 } }, 0)
    -- a new array even when nothing moves
    local r = np.roll(a, 0, 1)
    r[{ 1, 1 }] = 9
    assert.equal(0, a[{ 1, 1 }])
    ad.check_grads(function(x) return np.sum(np.roll(x, { 1, -1 }, { 1, 2 }) * np.arange(6):reshape(2, 3) * x) end,
      rev2)(np.array({ { 0.3, -0.7, 1.1 }, { 0.2, 0.9, -0.4 } }))
    h.assert_error_matches(function() np.roll(a, { 1, 2, 3 }, { 1, 2 }) end, { "np.roll", "(3,)", "(2,)" })
    h.assert_error_matches(function() np.roll(a, { 1.5 }, 1) end, { "np.roll", "shift", "1.5" })
    local m = h.error_message(function() local y = np.roll(a, 1, 3); return y end)
    assert.truthy(m:find("^[^:]*shape_spec%.lua:%d+: np%.roll: axis 3"), m)
  end)

  it("reshape, ravel and flatten in column-major order (\"F\"), as NumPy", function()
    local x = np.reshape(np.arange(6), { 2, 3 })
    local y = np.reshape(np.arange(24), { 2, 3, 4 })
    -- NumPy: x.flatten('F'), np.ravel(y, 'F'), np.reshape(x, (3, 2), order='F'), y.reshape((4, -1), order='F')
    h.assert_array(x:flatten("F"), { 0, 3, 1, 4, 2, 5 }, 0)
    h.assert_array(x:flatten({ order = "f" }), { 0, 3, 1, 4, 2, 5 }, 0)
    h.assert_array(x:flatten("C"), { 0, 1, 2, 3, 4, 5 }, 0)
    h.assert_array(x:flatten("A"), { 0, 1, 2, 3, 4, 5 }, 0)
    h.assert_array(x:flatten("K"), { 0, 1, 2, 3, 4, 5 }, 0)
    h.assert_array(np.ravel(y, "F"), { 0, 12, 4, 16, 8, 20, 1, 13, 5, 17, 9, 21, 2, 14, 6, 18, 10, 22, 3, 15, 7, 19, 11, 23 }, 0)
    h.assert_array(x:ravel({ order = "F" }), { 0, 3, 1, 4, 2, 5 }, 0)
    h.assert_array(x.T:ravel("F"), { 0, 1, 2, 3, 4, 5 }, 0)
    h.assert_array(np.reshape(x, { 3, 2 }, "F"), { { 0, 4 }, { 3, 2 }, { 1, 5 } }, 0)
    h.assert_array(x:reshape(3, 2, "F"), { { 0, 4 }, { 3, 2 }, { 1, 5 } }, 0)
    h.assert_array(np.reshape(y, { 4, -1 }, { order = "F" }),
      { { 0, 8, 5, 2, 10, 7 }, { 12, 20, 17, 14, 22, 19 }, { 4, 1, 9, 6, 3, 11 }, { 16, 13, 21, 18, 15, 23 } }, 0)
    h.assert_array(np.reshape(x, { 3, 2 }, "C"), { { 0, 1 }, { 2, 3 }, { 4, 5 } }, 0)
    -- flatten copies
    local f = x:flatten("F")
    f[1] = 100
    assert.equal(0, x[{ 1, 1 }])
    local w = np.array({ { 0.3, -0.7, 1.1 }, { 0.2, 0.9, -0.4 } })
    local c = np.arange(6)
    ad.check_grads(function(v) return np.sum(np.sin(np.reshape(v, { 3, 2 }, "F")) * c:reshape(3, 2)) end,
      { modes = { "rev", "fwd" }, order = 2 })(w)
    ad.check_grads(function(v) return np.sum(np.sin(v:flatten("F")) * c) end, rev2)(w)
    ad.check_grads(function(v) return np.sum(np.sin(np.ravel(v, "F")) * c) end, rev2)(w.T)
    h.assert_error_matches(function() x:flatten("X") end, { "flatten", "order must be one of 'C', 'F', 'A', or 'K'", "'X'" })
    h.assert_error_matches(function() np.ravel(x, "Q") end, { "np.ravel", "'Q'" })
    h.assert_error_matches(function() np.reshape(x, { 3, 2 }, "K") end, { "np.reshape", "'K' is not permitted" })
    h.assert_error_matches(function() x:reshape({ 3, 2 }, { foo = 1 }) end, { "np.reshape", "unknown option 'foo'" })
    h.assert_error_matches(function() x:reshape({ 3, 2 }, 5) end, { "np.reshape", "table or whole numbers" })
    local m = h.error_message(function() local r = x:reshape(4, 2, "F"); return r end)
    assert.truthy(m:find("^[^:]*shape_spec%.lua:%d+: np%.reshape: cannot reshape array of size 6 into shape %(4,2%)"), m)
  end)

  it("x:transpose(2, 1) takes the axes one by one; x:item(i) and x:item(i, j) pick a value", function()
    local x = np.reshape(np.arange(6), { 2, 3 })
    local y = np.reshape(np.arange(24), { 2, 3, 4 })
    h.assert_array(x:transpose(2, 1), { { 0, 3 }, { 1, 4 }, { 2, 5 } }, 0)
    h.assert_array(y:transpose(3, 1, 2), np.transpose(y, { 3, 1, 2 }):totable(), 0)
    h.assert_array(x:transpose({ 2, 1 }), { { 0, 3 }, { 1, 4 }, { 2, 5 } }, 0)
    h.assert_array(x:transpose(), { { 0, 3 }, { 1, 4 }, { 2, 5 } }, 0)
    h.assert_array(ad.grad(function(v) return np.sum(v:transpose(2, 1) * np.arange(6):reshape(3, 2)) end)(x),
      { { 0, 2, 4 }, { 1, 3, 5 } }, 0)
    -- NumPy (0-based): x.item(2) 2, x.item(-1) 5, x.item(1, 0) 3, x.item(1, 2) 5, y.item(1, 2, 3) 23
    assert.equal(2, x:item(3))
    assert.equal(5, x:item(-1))
    assert.equal(3, x:item(2, 1))
    assert.equal(5, x:item({ 2, 3 }))
    assert.equal(3, x:item(-1, -3))
    assert.equal(23, y:item(2, 3, 4))
    assert.equal(23, y:item(24))
    assert.equal(7, np.array({ 7 }):item())
    assert.equal(7, np.array({ 7 }):item(1))
    assert.equal(0.5, ad.grad(function(v) assert.equal(4, v:item(2, 2)); return np.sum(v) * 0.5 end)(x)[{ 1, 1 }])
    h.assert_error_matches(function() x:transpose({ 2, 1 }, 3) end, { "np.transpose", "table or whole numbers" })
    h.assert_error_matches(function() x:item(7) end, { "item", "index 7 is out of bounds for size 6" })
    h.assert_error_matches(function() x:item(1, 4) end, { "item", "index 4", "axis 2 with size 3" })
    h.assert_error_matches(function() x:item(1, 2, 3) end, { "item", "incorrect number of indices" })
    h.assert_error_matches(function() x:item(1.5) end, { "item", "whole number", "1.5" })
    h.assert_error_matches(function() x:item() end, { "item", "size 1", "(2,3)" })
  end)
end)
