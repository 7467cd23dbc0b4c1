-- Index arrays, masks, np.take, np.index_update/index_add: values against
-- NumPy (tests/lua/fixtures/np_index.lua), errors, derivatives to order 2.
local h = require "tests.lua.helpers"
local np = require "adlua.numpy"
local ad = require "adlua"
local F = require "tests.lua.fixtures.np_index"

local function A() return np.array({ { 1, -2, 3 }, { -4, 5, -6 } }) end
local function check(x, name) h.assert_array(x, F[name].value, 1e-12, name, F[name].shape) end
local rev2 = { modes = { "rev" }, order = 2 }

describe("gathers", function()
  it("np.take along an axis and flattened, 1-based", function()
    check(np.take(A(), { 2, 1, 2 }, 2), "take_axis2")
    check(np.take(A(), np.array({ 6, 1 })), "take_flat")
    check(np.take(A(), { -1, 1 }), "take_flat")
  end)
  it("x[idx] with an index array gathers rows; x[mask] selects entries", function()
    check(A()[np.array({ 2, 2, 1 })], "index_rows")
    local x = A()
    check(x[x:gt(0)], "mask")
    h.assert_array(x[x:gt(10)], {}, 0, "empty mask", { 0 })
  end)
  it("a non-contiguous input gathers the right entries", function()
    local xt = A().T -- (3,2), a transposed view
    h.assert_array(np.take(xt, { 3, 1 }, 1), { { 3, -6 }, { 1, -4 } }, 0)
  end)
  it("index errors name the function, the index and the axis", function()
    h.assert_error_matches(function() np.take(A(), { 4 }, 2) end,
      { "np.take", "index 4 is out of bounds for axis 2 with size 3" })
    h.assert_error_matches(function() np.take(A(), { 0 }, 1) end, { "np.take", "index 0" })
    h.assert_error_matches(function() np.take(A(), { 1.5 }, 1) end, { "np.take", "whole numbers", "1.5" })
    h.assert_error_matches(function() np.take(A(), { 1 }, 3) end, { "np.take", "axis" })
    h.assert_error_matches(function() return A()[np.array({ 3 })] end, { "index 3", "axis 1" })
  end)
  it("gradients add up repeated indices, to second order", function()
    local g = ad.grad(function(x) return np.sum(np.take(x, { 1, 1, 3 }, 1) * np.array({ 1, 2, 3 })) end)
    h.assert_array(g(np.array({ 5, 6, 7 })), { 3, 0, 3 }, 1e-12)
    ad.check_grads(function(x) return np.sum(np.sin(np.take(x, { 2, 2, 1 }, 2))) end, rev2)(A())
    ad.check_grads(function(x) return np.sum(np.exp(x[np.array({ 2, 1, 2 })])) end, rev2)(A() * 0.3)
    ad.check_grads(function(x) return np.sum(x[x:gt(0)] ^ 3) end, rev2)(A())
    ad.check_grads(function(x) return np.sum(np.take(x.T, { 1, 3 }, 1) ^ 2) end, rev2)(A())
  end)
end)

describe("functional updates", function()
  it("np.index_add adds at repeated indices, with broadcast values", function()
    local x = A()
    local r = np.index_add(x, np.array({ 1, 1 }), 10)
    check(r, "index_add_rep")
    h.assert_array(x, { { 1, -2, 3 }, { -4, 5, -6 } }, 0, "x unchanged")
    h.assert_array(np.index_add(x, { 2, 3 }, 1), { { 1, -2, 3 }, { -4, 5, -5 } }, 0)
    h.assert_array(np.index_add(x, 1, np.array({ 1, 1, 1 })), { { 2, -1, 4 }, { -4, 5, -6 } }, 0)
  end)
  it("np.index_update writes per-axis indices, index arrays and masks", function()
    local x = A()
    h.assert_array(np.index_update(x, { {}, 2 }, 0), { { 1, 0, 3 }, { -4, 0, -6 } }, 0)
    h.assert_array(np.index_update(x, np.array({ 2 }), np.array({ 7, 8, 9 })), { { 1, -2, 3 }, { 7, 8, 9 } }, 0)
    h.assert_array(np.index_update(x, x:lt(0), 0), { { 1, 0, 3 }, { 0, 5, 0 } }, 0)
  end)
  it("errors: repeated indices in index_update, values of the wrong shape", function()
    h.assert_error_matches(function() np.index_update(A(), np.array({ 1, 1 }), 0) end,
      { "np.index_update", "repeated" })
    h.assert_error_matches(function() np.index_add(A(), { 1, {} }, np.array({ 1, 2 })) end,
      { "np.index_add", "(2,)", "(3,)" })
    h.assert_error_matches(function() np.index_add(A(), { 3, 1 }, 1) end, { "np.index_add", "index 3" })
  end)
  it("are differentiable in x and v to second order", function()
    ad.check_grads(function(x, v) return np.sum(np.tanh(np.index_add(x, np.array({ 1, 1 }), v))) end, rev2)(
      A() * 0.2, np.array({ 0.5, -0.1, 0.3 }))
    ad.check_grads(function(x, v) return np.sum(np.index_update(x, { {}, 2 }, v) ^ 3) end, rev2)(
      A() * 0.2, np.array({ 0.5, -0.1 }))
  end)
end)

describe("assignment with index arrays", function()
  it("writes in place into plain arrays, rows and masked entries", function()
    local x = A()
    x[np.array({ 1 })] = 0
    h.assert_array(x, { { 0, 0, 0 }, { -4, 5, -6 } }, 0)
    local y = np.array({ 1, -2, 3, -4 })
    y[y:lt(0)] = 0
    h.assert_array(y, { 1, 0, 3, 0 }, 0)
  end)
  it("refuses to write into an array a live tape saved, naming the operation", function()
    local X = np.array({ 1, 2, 3 })
    h.assert_error_matches(function()
      ad.grad(function(w) local r = np.sum(w * X); X[1] = 5; return r end)(np.array({ 1, 1, 1 }))
    end, { "setitem", "live tape", "multiply" })
    local Y = np.array({ { 1, 2 }, { 3, 4 } })
    h.assert_error_matches(function()
      ad.grad(function(w) local r = np.sum(np.dot(Y, w)); Y[np.array({ 1 })] = 0; return r end)(np.ones({ 2 }))
    end, { "setitem", "dot" })
    -- once the tape is gone, the same arrays assign freely
    X[1] = 7; Y[np.array({ 1 })] = 0
    h.assert_array(X, { 7, 2, 3 }, 0)
    h.assert_array(Y, { { 0, 0 }, { 3, 4 } }, 0)
  end)
  it("refuses to write into an array being differentiated", function()
    h.assert_error_matches(function()
      ad.grad(function(x) x[np.array({ 1 })] = 0; return np.sum(x) end)(np.array({ 1, 2 }))
    end, "setitem")
  end)
  it("writes repeated positions in order (the last wins), as NumPy", function()
    local x = np.zeros({ 4 })
    x[np.array({ 2, 4, 2, -1 })] = np.array({ 1, 2, 3, 5 })
    h.assert_array(x, { 0, 3, 0, 5 }, 0)
    local m = np.zeros({ 3, 2 })
    m[np.array({ 3, 1, 3 })] = np.array({ { 1, 2 }, { 3, 4 }, { 5, 6 } })
    h.assert_array(m, { { 3, 4 }, { 0, 0 }, { 5, 6 } }, 0)
  end)
  it("writes through views of any strides, and rounds into float32", function()
    local base = np.zeros({ 2, 3 })
    local t = base.T -- (3, 2), strides of a transpose
    t[np.array({ 3 })] = np.array({ 7, 8 })
    h.assert_array(base, { { 0, 0, 7 }, { 0, 0, 8 } }, 0)
    local f = np.zeros({ 3 }, "float32")
    f[np.array({ 2 })] = 0.1
    assert.are.equal("float32", f.dtype)
    assert.are.equal(np.array({ 0.1 }, "float32")[1], f[2])
    local g = np.zeros({ 2 })
    g[np.array({ 1, 2 })] = np.array({ 0.5, 0.25 }, "float32")
    h.assert_array(g, { 0.5, 0.25 }, 0)
  end)
  it("writes many positions at once", function()
    local n = 300000
    local x = np.zeros({ n })
    local idx = np.arange(n) + 1
    x[idx] = idx * 2
    assert.are.equal(2 * n, x[n])
    assert.are.equal(n * (n + 1), np.sum(x))
    local y = np.zeros({ 100, 3000 })
    y[y:lt(1)] = 1 -- a mask of every entry
    assert.are.equal(300000, np.sum(y))
  end)
  it("reports positions out of bounds and values of the wrong shape", function()
    local x = np.zeros({ 3 })
    h.assert_error_matches(function() x[np.array({ 4 })] = 1 end, { "setitem", "index 4 is out of bounds" })
    h.assert_error_matches(function() x[np.array({ 1, 2 })] = np.array({ 1, 2, 3 }) end,
      { "setitem", "could not broadcast" })
    h.assert_error_matches(function() require("adlua.core").put(x, np.array({ 1, 2 }), np.array({ 1 })) end,
      "setitem: 2 positions and 1 values")
    h.assert_error_matches(function() require("adlua.core").put(5, np.array({ 1 }), np.array({ 1 })) end,
      "setitem: expected an array to write into, got number")
    h.assert_array(x, { 0, 0, 0 }, 0)
  end)
end)

describe("errors of the functional updates", function()
  it("name the function and the caller's line, never a file of the library", function()
    local v = np.arange(5)
    for _, case in ipairs({
      { function() local r = np.index_update(v, 6, 1); return r end, "np.index_update", "index 6" },
      { function() local r = np.index_add(v, 6, 1); return r end, "np.index_add", "index 6" },
      { function() local r = np.index_update(v, { 7 }, 1); return r end, "np.index_update", "index 7" },
      { function() local r = np.index_update(v, 0, 1); return r end, "np.index_update", "index 0" },
      { function() local r = np.index_add(A(), { 3, 1 }, 1); return r end, "np.index_add", "index 3" },
    }) do
      local m = h.error_message(case[1])
      assert.falsy(m:find("lua/adlua", 1, true), m)
      assert.truthy(m:find("^[^:]*indexing_spec%.lua:%d+: " .. case[2]:gsub("%.", "%%.") .. ": " .. case[3]), m)
      -- one name only: "np.index_update: index 6 is out of bounds for axis 1 with size 5 ..."
      assert.falsy(m:find("index: ", 1, true), m)
    end
  end)
end)
