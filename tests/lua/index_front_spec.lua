-- The arrays' __index in Lua (lua/adlua/index_front.lua) in front of the
-- binding's: methods, properties, a traced w.T and X[{{}, i}] of a plain X
-- give what the binding gives, errors name the caller's line, and what it
-- remembers goes with its array.

local h = require "tests.lua.helpers"
local each = require "adlua.each" -- pairs, safe from Debian 12's LuaJIT (docs/luajit.md)
local np = require "adlua.numpy"
local ad = require "adlua"

describe("the Lua front of __index", function()
  it("gives methods and properties as the binding does", function()
    local x = np.array({ { 1, 2, 3 }, { 4, 5, 6 } })
    assert.are.equal(21, x:sum())
    h.assert_array(x:sum(1), { 5, 7, 9 }, 0)
    assert.are.same({ 2, 3 }, x.shape)
    assert.are.equal(2, x.ndim)
    assert.are.equal(6, x.size)
    assert.are.equal("float64", x.dtype)
    assert.is_nil(x.no_such_field)
    h.assert_array(x.T, { { 1, 4 }, { 2, 5 }, { 3, 6 } }, 0)
    h.assert_array(x[2], { 4, 5, 6 }, 0)
    assert.are.equal(6, x[{ 2, 3 }])
    h.assert_array(x[{ { 1, 2 }, { 2, 3 } }], { { 2, 3 }, { 5, 6 } }, 0)
    h.assert_array(x[np.array({ 2, 1 })], { { 4, 5, 6 }, { 1, 2, 3 } }, 0)
  end)

  it("remembers the columns of a plain array, which see its writes", function()
    local X = np.array({ { 1, 2, 3 }, { 4, 5, 6 } })
    local c2 = X[{ {}, 2 }]
    h.assert_array(c2, { 2, 5 }, 0)
    assert.is_true(rawequal(c2, X[{ {}, 2 }]))
    h.assert_array(X[{ {}, -1 }], { 3, 6 }, 0)
    h.assert_array(X[{ {}, 3.0 }], { 3, 6 }, 0)
    X[{ 1, 2 }] = 7 -- a view shares X's numbers
    h.assert_array(X[{ {}, 2 }], { 7, 5 }, 0)
    h.assert_array(c2, { 7, 5 }, 0)
    local Y = np.array({ { 10, 20 }, { 30, 40 } }) -- another array, same i
    h.assert_array(Y[{ {}, 2 }], { 20, 40 }, 0)
    h.assert_array(X[{ {}, 2 }], { 7, 5 }, 0)
    -- a range goes to the binding; a table of length 0 is {} for both
    h.assert_array(X[{ { 1, 1 }, 2 }], { 7 }, 0)
    h.assert_array(X[{ { n = 1 }, 3 }], { 3, 6 }, 0)
    local Z = np.zeros({ 2, 3, 4 }) -- a column of a 3-d array is 2-d
    assert.are.same({ 2, 4 }, Z[{ {}, 3 }].shape)
  end)

  it("remembers the rows of a plain array; a vector's entries are read each time", function()
    local X = np.array({ { 1, 2 }, { 3, 4 }, { 5, 6 } })
    local r2 = X[2]
    h.assert_array(r2, { 3, 4 }, 0)
    assert.is_true(rawequal(r2, X[2]))
    h.assert_array(X[-1], { 5, 6 }, 0)
    X[{ 2, 1 }] = 9
    h.assert_array(X[2], { 9, 4 }, 0)
    local v = np.array({ 1, 2, 3 })
    assert.are.equal(2, v[2])
    v[2] = 7 -- numbers are not remembered
    assert.are.equal(7, v[2])
    assert.are.equal(3, v[-1])
    local Y = np.array({ { 10, 20 }, { 30, 40 } })
    h.assert_array(Y[2], { 30, 40 }, 0)
    h.assert_array(X[2], { 9, 4 }, 0)
  end)

  it("records x[i], X[{{}, i}] and x.T of a traced x at each read, the transpose once", function()
    local X = np.array({ { 1, 2 }, { 3, 4 } })
    local g = ad.grad(function(A)
      local s = 0
      for _ = 1, 3 do s = s + np.sum(A[2] ^ 2) + A[1][2] end
      return s
    end)(X)
    h.assert_array(g, { { 0, 3 }, { 18, 24 } }, 0)
    local v = np.array({ 1, 2, 3 })
    g = ad.grad(function(u) return u[2] * u[2] + u[3] end)(v)
    h.assert_array(g, { 0, 4, 1 }, 0)
    ad.grad(function(A)
      assert.is_false(rawequal(A[1], A[1]))
      assert.is_false(rawequal(A[{ {}, 1 }], A[{ {}, 1 }]))
      assert.is_true(rawequal(A.T, A.T))
      return np.sum(A)
    end)(X)
    assert.is_true(rawequal(X.T, X.T)) -- plain: kept with the array's other views
  end)

  it("records X[{{}, i}] of a traced X at each read", function()
    local X = np.array({ { 1, 2 }, { 3, 4 } })
    local g = ad.grad(function(A)
      local s = 0
      for _ = 1, 3 do s = s + np.sum(A[{ {}, 2 }] ^ 2) end
      return s
    end)(X)
    h.assert_array(g, { { 0, 12 }, { 0, 24 } }, 0)
  end)

  it("gives the blog's loop the same gradient as np.take", function()
    local X = np.array({ { 5.1, 4.9, 7.0, 6.4 }, { 3.5, 3.0, 3.2, 3.2 }, { 1, 1, 1, 1 } })
    local t = np.array({ 0, 0, 1, 1 })
    local function loss(w, by_index)
      local l = 0
      for i = 1, 4 do
        local x = by_index and X[{ {}, i }] or np.take(X, np.array({ i }), 2):ravel()
        l = l - (t[i] * np.dot(w.T, x) - np.log(1 + np.exp(np.dot(w.T, x))))
      end
      return l
    end
    local w = np.array({ { 0.1 }, { -0.2 }, { 0.05 } })
    local g1 = ad.grad(function(v) return loss(v, true) end)(w)
    local g2 = ad.grad(function(v) return loss(v, false) end)(w)
    h.assert_close(g1, g2, 1e-15)
  end)

  it("lets remembered rows and columns go with their array", function()
    local base = h.settled_live()
    local X = np.ones({ 3, 50 })
    for i = 1, 50 do local _ = X[{ {}, i }] + X[{ {}, i }] + X[i % 3 + 1][1] end
    X = nil -- luacheck: ignore
    assert.are.equal(base, h.settled_live())
  end)

  it("remembers a plain array's transpose, which sees its writes and goes with it", function()
    local base = h.settled_live()
    local X = np.array({ { 1, 2, 3 }, { 4, 5, 6 } })
    local t = X.T
    assert.is_true(rawequal(t, X.T))
    X[{ 2, 1 }] = 40
    h.assert_array(X.T, { { 1, 40 }, { 2, 5 }, { 3, 6 } }, 0)
    collectgarbage()
    assert.is_true(rawequal(t, X.T))
    h.assert_array(X.T.T, { { 1, 2, 3 }, { 40, 5, 6 } }, 0)
    X, t = nil, nil -- luacheck: ignore 311 (the references go)
    assert.are.equal(base, h.settled_live())
  end)

  it("keeps remembered rows and columns across collections while their array lives", function()
    local X = np.ones({ 3, 50 })
    local seen = setmetatable({}, { __mode = "k" })
    seen[X[{ {}, 7 }]] = "column"
    seen[X[2]] = "row"
    collectgarbage()
    collectgarbage()
    local kept = {}
    for v, what in each(seen) do kept[what] = v end
    assert.is_true(rawequal(kept.column, X[{ {}, 7 }]))
    assert.is_true(rawequal(kept.row, X[2]))
  end)

  it("frees a dropped array's numbers and its remembered views in one collection", function()
    collectgarbage()
    collectgarbage()
    local D = require("adlua.core").debug
    local arrays, buffers, bytes = D.live()
    local X = np.ones({ 1000, 200 }) -- 1.6 MB
    for i = 1, 200 do local _ = np.sum(X[{ {}, i }]) + np.sum(X[i]) end
    X = nil -- luacheck: ignore 311 (the reference goes)
    collectgarbage()
    local arrays2, buffers2, bytes2 = D.live()
    assert.are.same({ arrays, buffers, bytes }, { arrays2, buffers2, bytes2 })
  end)

  it("keeps no column of an array that is indexed wrongly", function()
    local v = np.ones(3)
    for _ = 1, 2 do
      h.assert_error_matches(function() return v[{ {}, 1 }] end,
        "index: too many indices for array: array is 1-dimensional, but 2 were indexed")
    end
  end)

  it("names the caller's line in errors raised through it", function()
    local X = np.ones({ 2, 3 })
    local msg = h.error_message(function() return X[{ {}, 9 }] end)
    assert.is_truthy(msg:find("index_front_spec%.lua:%d+: index: index 9 is out of bounds"), msg)
    msg = h.error_message(function() return X[{ 5, 1 }] end)
    assert.is_truthy(msg:find("index_front_spec%.lua:%d+: index: index 5 is out of bounds"), msg)
    msg = h.error_message(function() return X[true] end)
    assert.is_truthy(msg:find("index_front_spec%.lua:%d+: index: an array is indexed"), msg)
    msg = h.error_message(function()
      return ad.grad(function(w) return np.sum(w[{ {}, 7 }]) end)(X)
    end)
    assert.is_truthy(msg:find("index_front_spec%.lua:%d+: index: index 7 is out of bounds"), msg)
  end)

  it("core.index and core.index_remember refuse what is not an array", function()
    local core = require "adlua.core"
    h.assert_error_matches(function() return core.index({}, 1) end, "index: expected an array, got table")
    h.assert_error_matches(function() return core.index_remember(5, "T", {}) end,
      "index: expected an array, got number")
  end)
end)
