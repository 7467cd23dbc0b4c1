-- Arrays (adlua.numpy): creation, properties, operators, elementwise
-- functions, reductions, linear algebra, shapes, indexing, views,
-- comparisons, methods and printing, as SPEC.md and issue 2 describe them.

local h = require "tests.lua.helpers"
local np = require "adlua.numpy"

local function A23() return np.array({ { 1, 2, 3 }, { 4, 5, 6 } }) end

describe("np.array creation", function()
  it("builds a 1-d array from a Lua table", function()
    local x = np.array({ 1, 2, 3 })
    h.assert_array(x, { 1, 2, 3 })
    assert.same({ 3 }, x.shape)
  end)

  it("builds a 2-d array from nested tables, row-major", function()
    local x = A23()
    assert.same({ 2, 3 }, x.shape)
    h.assert_array(x, { { 1, 2, 3 }, { 4, 5, 6 } })
  end)

  it("builds a 3-d array from nested tables", function()
    local x = np.array({ { { 1, 2 }, { 3, 4 } }, { { 5, 6 }, { 7, 8 } }, { { 9, 10 }, { 11, 12 } } })
    assert.same({ 3, 2, 2 }, x.shape)
    assert.equal(3, x.ndim)
    h.assert_array(x, { { { 1, 2 }, { 3, 4 } }, { { 5, 6 }, { 7, 8 } }, { { 9, 10 }, { 11, 12 } } })
  end)

  it("accepts non-integer and negative values exactly", function()
    h.assert_array(np.array({ -1.5, 0.1, 1e300, -2.5e-300 }), { -1.5, 0.1, 1e300, -2.5e-300 }, 0)
  end)

  it("builds from a number (a scalar holding that number)", function()
    assert.equal(5, h.val(np.array(5)))
    assert.equal(-2.25, h.val(np.array(-2.25)))
  end)

  it("builds from an array as an independent copy", function()
    local a = np.array({ 1, 2, 3 })
    local b = np.array(a)
    h.assert_array(b, { 1, 2, 3 })
    b[1] = 100
    h.assert_array(a, { 1, 2, 3 })
  end)

  it("accepts the dtype string float64 as last argument", function()
    local x = np.array({ 1, 2 }, "float64")
    assert.equal("float64", x.dtype)
    h.assert_array(x, { 1, 2 })
  end)
end)

describe("creators", function()
  it("zeros with a shape table", function()
    local x = np.zeros({ 3, 1 })
    assert.same({ 3, 1 }, x.shape)
    h.assert_array(x, { { 0 }, { 0 }, { 0 } }, 0)
    assert.equal("float64", x.dtype)
  end)

  it("zeros and ones with a number as shape (as NumPy's int)", function()
    h.assert_array(np.zeros(4), { 0, 0, 0, 0 }, 0)
    h.assert_array(np.ones(3), { 1, 1, 1 }, 0)
  end)

  it("ones", function()
    local x = np.ones({ 2, 3 })
    h.assert_array(x, { { 1, 1, 1 }, { 1, 1, 1 } }, 0)
  end)

  it("full", function()
    h.assert_array(np.full({ 2, 2 }, 7), { { 7, 7 }, { 7, 7 } }, 0)
    h.assert_array(np.full({ 3 }, -1.5), { -1.5, -1.5, -1.5 }, 0)
  end)

  it("arange(n) has NumPy's values 0..n-1", function()
    local x = np.arange(3)
    h.assert_array(x, { 0, 1, 2 }, 0)
    assert.equal("float64", x.dtype)
  end)

  it("arange(start, stop) and arange(start, stop, step)", function()
    h.assert_array(np.arange(1, 4), { 1, 2, 3 }, 0)
    h.assert_array(np.arange(0, 1, 0.25), { 0, 0.25, 0.5, 0.75 }, 1e-15)
    h.assert_array(np.arange(5, 0, -1), { 5, 4, 3, 2, 1 }, 0)
    h.assert_array(np.arange(2.5), { 0, 1, 2 }, 0)
  end)

  it("arange(-4, 4, 0.01) has 800 points like NumPy", function()
    local x = np.arange(-4, 4, 0.01)
    assert.same({ 800 }, x.shape)
    assert.equal(800, x.size)
    h.assert_number(x[1], -4, 0)
    h.assert_number(x[2], -3.99, 1e-12)
    h.assert_number(x[401], 0, 1e-12)
    h.assert_number(x[800], 3.99, 1e-9)
    h.assert_number(x[-1], 3.99, 1e-9)
  end)

  it("linspace includes both ends", function()
    h.assert_array(np.linspace(0, 1, 5), { 0, 0.25, 0.5, 0.75, 1 }, 1e-15)
    h.assert_array(np.linspace(2, 3, 3), { 2, 2.5, 3 }, 1e-15)
    h.assert_array(np.linspace(-1, 1, 2), { -1, 1 }, 0)
  end)

  it("linspace defaults to 50 points", function()
    local x = np.linspace(0, 1)
    assert.same({ 50 }, x.shape)
    h.assert_number(x[1], 0, 0)
    h.assert_number(x[50], 1, 1e-15)
    h.assert_number(x[2], 1 / 49, 1e-14)
  end)

  it("eye(n) and eye(n, m)", function()
    h.assert_array(np.eye(3), { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } }, 0)
    h.assert_array(np.eye(2, 3), { { 1, 0, 0 }, { 0, 1, 0 } }, 0)
  end)
end)

describe("properties", function()
  it("shape is a Lua table, ndim, size, dtype", function()
    local x = np.zeros({ 2, 3, 4 })
    assert.equal("table", type(x.shape))
    assert.same({ 2, 3, 4 }, x.shape)
    assert.equal(3, x.ndim)
    assert.equal(24, x.size)
    assert.equal("float64", x.dtype)
  end)

  it("counts are whole numbers that print without a fraction (Lua 5.4's integers)", function()
    local x = np.zeros({ 2, 3, 4 })
    assert.equal("2 3 4", table.concat(x.shape, " "))
    assert.equal("3 24 2", ("%s %s %s"):format(x.ndim, x.size, #x))
  end)

  it("changing the returned shape table does not change the array", function()
    local x = A23()
    local s = x.shape
    s[1] = 99
    assert.same({ 2, 3 }, x.shape)
    assert.equal(6, x.size)
  end)

  it(".T transposes a 2-d array", function()
    local t = A23().T
    assert.same({ 3, 2 }, t.shape)
    h.assert_array(t, { { 1, 4 }, { 2, 5 }, { 3, 6 } })
  end)

  it(".T of a 1-d array is the same vector", function()
    h.assert_array(np.array({ 1, 2, 3 }).T, { 1, 2, 3 })
  end)

  it(".T reverses the axes of a 3-d array", function()
    assert.same({ 4, 3, 2 }, np.zeros({ 2, 3, 4 }).T.shape)
  end)

  it("#x is the length of axis 1", function()
    assert.equal(2, #A23())
    assert.equal(3, #A23().T)
    assert.equal(5, #np.zeros({ 5 }))
    assert.equal(800, #np.arange(-4, 4, 0.01))
  end)

  it("results of operations are float64", function()
    local x = A23()
    assert.equal("float64", (x + 1).dtype)
    assert.equal("float64", np.exp(x).dtype)
    assert.equal("float64", x:sum(1).dtype)
  end)
end)

describe("0-d results outside a trace are Lua numbers", function()
  it("np.log(10)", function()
    h.assert_number(np.log(10), 2.302585092994046, 1e-15)
  end)

  it("np functions of numbers give numbers", function()
    h.assert_number(np.exp(0), 1, 0)
    h.assert_number(np.sqrt(4), 2, 0)
    h.assert_number(np.maximum(2, 3), 3, 0)
    h.assert_number(np.tanh(0), 0, 0)
  end)

  it("full reductions", function()
    local x = A23()
    h.assert_number(x:sum(), 21, 0)
    h.assert_number(np.sum(x), 21, 0)
    h.assert_number(x:mean(), 3.5, 0)
    h.assert_number(np.max(x), 6, 0)
    h.assert_number(x:min(), 1, 0)
  end)

  it("x[i] of a 1-d array", function()
    local x = np.array({ 10, 20, 30 })
    h.assert_number(x[2], 20, 0)
    h.assert_number(x[-1], 30, 0)
  end)

  it("x[{i, j}] of a 2-d array", function()
    h.assert_number(A23()[{ 2, 3 }], 6, 0)
  end)

  it("dot of two vectors", function()
    h.assert_number(np.dot(np.array({ 1, 2, 3 }), np.array({ 4, 5, 6 })), 32, 0)
  end)

  it("item of a one-element array", function()
    h.assert_number(np.array({ { 7 } }):item(), 7, 0)
    h.assert_number(np.array({ 5 }):item(), 5, 0)
  end)
end)

describe("operators", function()
  local a
  before_each(function() a = np.array({ 1, 2, 3 }) end)

  it("array op number", function()
    h.assert_array(a + 1, { 2, 3, 4 })
    h.assert_array(a - 1, { 0, 1, 2 })
    h.assert_array(a * 2, { 2, 4, 6 })
    h.assert_array(a / 2, { 0.5, 1, 1.5 })
    h.assert_array(a ^ 2, { 1, 4, 9 })
  end)

  it("number op array", function()
    h.assert_array(1 + a, { 2, 3, 4 })
    h.assert_array(1 - a, { 0, -1, -2 })
    h.assert_array(2 * a, { 2, 4, 6 })
    h.assert_array(6 / a, { 6, 3, 2 })
    h.assert_array(2 ^ a, { 2, 4, 8 })
  end)

  it("array op array of the same shape", function()
    local b = np.array({ 4, 5, 6 })
    h.assert_array(a + b, { 5, 7, 9 })
    h.assert_array(a - b, { -3, -3, -3 })
    h.assert_array(a * b, { 4, 10, 18 })
    h.assert_array(b / a, { 4, 2.5, 2 })
    h.assert_array(a ^ a, { 1, 4, 27 })
  end)

  it("unary minus", function()
    h.assert_array(-a, { -1, -2, -3 })
    h.assert_array(-A23(), { { -1, -2, -3 }, { -4, -5, -6 } })
  end)

  it("does not modify its operands", function()
    local b = np.array({ 4, 5, 6 })
    local _ = { a + b, a * 3, -a, a ^ 2 }
    h.assert_array(a, { 1, 2, 3 })
    h.assert_array(b, { 4, 5, 6 })
  end)

  it("broadcasts a column against a row", function()
    local col = np.array({ { 1 }, { 2 }, { 3 } })
    local row = np.array({ 10, 20, 30, 40 })
    local s = col + row
    assert.same({ 3, 4 }, s.shape)
    local want = {}
    for i = 1, 3 do
      want[i] = {}
      for j = 1, 4 do want[i][j] = i + 10 * j end
    end
    h.assert_array(s, want)
    -- and in the other order, with other operators
    h.assert_array(row - col, (function()
      local w = {}
      for i = 1, 3 do w[i] = {} for j = 1, 4 do w[i][j] = 10 * j - i end end
      return w
    end)())
  end)

  it("broadcasts trailing axes: (2,3) with (3,)", function()
    local x = A23()
    h.assert_array(x * np.array({ 1, 10, 100 }), { { 1, 20, 300 }, { 4, 50, 600 } })
    h.assert_array(np.array({ 1, 10, 100 }) / x, { { 1, 5, 100 / 3 }, { 0.25, 2, 100 / 6 } }, 1e-15)
  end)

  it("broadcasts (2,1,3) with (4,1) to (2,4,3)", function()
    local a3 = np.arange(6):reshape({ 2, 1, 3 })
    local b = np.arange(4):reshape({ 4, 1 }) * 10
    local s = a3 + b
    assert.same({ 2, 4, 3 }, s.shape)
    -- element [i][j][k] (1-based) = (i-1)*3 + (k-1) + 10*(j-1)
    h.assert_number(s[{ 2, 3, 1 }], 3 + 20, 0)
    h.assert_number(s[{ 1, 4, 3 }], 2 + 30, 0)
  end)

  it("works on non-contiguous operands (transpose)", function()
    local t = A23().T
    h.assert_array(t + np.ones({ 3, 2 }), { { 2, 5 }, { 3, 6 }, { 4, 7 } })
    h.assert_array(t * t, { { 1, 16 }, { 4, 25 }, { 9, 36 } })
  end)

  it("broadcasts a (1,1) array and a size-1 axis", function()
    h.assert_array(np.array({ { 2 } }) * A23(), { { 2, 4, 6 }, { 8, 10, 12 } })
  end)
end)

describe("elementwise functions", function()
  local xs = { 0.5, 1, 2 }
  local x
  before_each(function() x = np.array(xs) end)

  local cases = {
    { "exp", math.exp }, { "log", math.log }, { "sqrt", math.sqrt },
    { "sin", math.sin }, { "cos", math.cos }, { "tan", math.tan },
    { "tanh", math.tanh },
    { "log1p", function(v) return math.log(1 + v) end },
  }
  for _, c in ipairs(cases) do
    local name, ref = c[1], c[2]
    it(name .. " matches the math library", function()
      local want = {}
      for i, v in ipairs(xs) do want[i] = ref(v) end
      h.assert_array(np[name](x), want, 1e-14, "np." .. name)
      h.assert_number(np[name](0.75), ref(0.75), 1e-14, "np." .. name .. " of a number")
    end)
  end

  it("log1p is accurate for tiny arguments", function()
    h.assert_number(np.log1p(1e-20), 1e-20, 1e-12)
  end)

  it("abs", function()
    h.assert_array(np.abs(np.array({ -2, 0, 3.5 })), { 2, 0, 3.5 }, 0)
    h.assert_number(np.abs(-4), 4, 0)
  end)

  it("maximum and minimum with broadcasting and numbers", function()
    local a = np.array({ 1, 5, 3 })
    local b = np.array({ 4, 2, 3 })
    h.assert_array(np.maximum(a, b), { 4, 5, 3 }, 0)
    h.assert_array(np.minimum(a, b), { 1, 2, 3 }, 0)
    h.assert_array(np.maximum(a, 2.5), { 2.5, 5, 3 }, 0)
    h.assert_array(np.minimum(2.5, a), { 1, 2.5, 2.5 }, 0)
    local m = np.maximum(np.array({ { 0 }, { 4 } }), a)
    assert.same({ 2, 3 }, m.shape)
    h.assert_array(m, { { 1, 5, 3 }, { 4, 5, 4 } }, 0)
  end)

  it("keep the shape of 2-d and non-contiguous inputs", function()
    local t = A23().T
    local e = np.exp(t)
    assert.same({ 3, 2 }, e.shape)
    h.assert_array(e, { { math.exp(1), math.exp(4) }, { math.exp(2), math.exp(5) },
      { math.exp(3), math.exp(6) } }, 1e-14)
  end)
end)

describe("reductions", function()
  it("sum over an axis (1-based) and negative axes", function()
    local x = A23()
    h.assert_array(x:sum(1), { 5, 7, 9 })
    h.assert_array(x:sum(2), { 6, 15 })
    h.assert_array(np.sum(x, -1), { 6, 15 })
    h.assert_array(np.sum(x, -2), { 5, 7, 9 })
  end)

  it("sum with keepdims", function()
    local x = A23()
    h.assert_array(x:sum(1, true), { { 5, 7, 9 } })
    h.assert_array(np.sum(x, 2, true), { { 6 }, { 15 } })
    local all = np.sum(x, nil, true)
    assert.same({ 1, 1 }, all.shape)
    h.assert_number(all:item(), 21, 0)
  end)

  it("sum takes an options table too", function()
    local x = A23()
    h.assert_array(np.sum(x, { axis = 2, keepdims = true }), { { 6 }, { 15 } })
    h.assert_array(x:sum({ axis = 1 }), { 5, 7, 9 })
  end)

  it("sum over the middle axis of a 3-d array", function()
    local x = np.arange(24):reshape({ 2, 3, 4 })
    local s = x:sum(2)
    assert.same({ 2, 4 }, s.shape)
    -- x[i][j][k] = 12(i-1) + 4(j-1) + (k-1): sum over j = 36(i-1) + 12 + 3(k-1)
    local want = {}
    for i = 1, 2 do
      want[i] = {}
      for k = 1, 4 do want[i][k] = 36 * (i - 1) + 12 + 3 * (k - 1) end
    end
    h.assert_array(s, want)
  end)

  it("mean", function()
    local x = A23()
    h.assert_array(x:mean(1), { 2.5, 3.5, 4.5 })
    h.assert_array(np.mean(x, 2), { 2, 5 })
    h.assert_array(np.mean(x, -1, true), { { 2 }, { 5 } })
  end)

  it("max and min", function()
    local x = np.array({ { 3, 9, 1 }, { 7, 2, 8 } })
    h.assert_number(x:max(), 9, 0)
    h.assert_number(np.min(x), 1, 0)
    h.assert_array(np.max(x, 1), { 7, 9, 8 }, 0)
    h.assert_array(x:max(2), { 9, 8 }, 0)
    h.assert_array(x:min(1), { 3, 2, 1 }, 0)
    h.assert_array(np.min(x, -1, true), { { 1 }, { 2 } }, 0)
  end)

  it("max of negative values", function()
    h.assert_number(np.max(np.array({ -5, -2, -9 })), -2, 0)
  end)

  it("reductions of non-contiguous views", function()
    local t = A23().T -- {{1,4},{2,5},{3,6}}
    h.assert_array(t:sum(1), { 6, 15 })
    h.assert_array(t:sum(2), { 5, 7, 9 })
    h.assert_array(t:max(2), { 4, 5, 6 }, 0)
  end)
end)

describe("dot, matmul, outer", function()
  local M, v
  before_each(function()
    M = np.array({ { 1, 2 }, { 3, 4 } })
    v = np.array({ 5, 6 })
  end)

  it("1-d . 1-d is a number", function()
    h.assert_number(np.dot(v, v), 61, 0)
  end)

  it("2-d . 1-d", function()
    local r = np.dot(M, v)
    h.assert_array(r, { 17, 39 }, 0)
  end)

  it("1-d . 2-d", function()
    h.assert_array(np.dot(v, M), { 23, 34 }, 0)
  end)

  it("2-d . 2-d", function()
    h.assert_array(np.dot(M, M), { { 7, 10 }, { 15, 22 } }, 0)
    local x = A23()
    h.assert_array(np.dot(x, x.T), { { 14, 32 }, { 32, 77 } }, 0)
    h.assert_array(np.dot(x.T, x), { { 17, 22, 27 }, { 22, 29, 36 }, { 27, 36, 45 } }, 0)
  end)

  it("transposed inputs", function()
    h.assert_array(np.dot(M.T, M), { { 10, 14 }, { 14, 20 } }, 0)
    h.assert_array(np.dot(M, M.T), { { 5, 11 }, { 11, 25 } }, 0)
    h.assert_array(np.dot(M.T, M.T), { { 7, 15 }, { 10, 22 } }, 0)
    h.assert_array(np.dot(M.T, v), { 23, 34 }, 0)
  end)

  it("(1,3) . (3,) gives shape (1,) as in the iris workflow", function()
    local w = np.array({ { 1 }, { 2 }, { 3 } })
    local r = np.dot(w.T, np.array({ 4, 5, 6 }))
    assert.same({ 1 }, r.shape)
    h.assert_number(r:item(), 32, 0)
  end)

  it("strided slices as inputs", function()
    local x = A23()
    local cols = x[{ {}, { 1, 3, 2 } }] -- {{1,3},{4,6}}
    h.assert_array(np.dot(cols, np.array({ 1, 1 })), { 4, 10 }, 0)
    h.assert_array(np.dot(cols, cols), { { 13, 21 }, { 28, 48 } }, 0)
  end)

  it("a larger product matches a plain loop", function()
    local m, k, n = 5, 7, 3
    local at, bt = {}, {}
    for i = 1, m do at[i] = {} for j = 1, k do at[i][j] = math.sin(i * 3 + j) end end
    for i = 1, k do bt[i] = {} for j = 1, n do bt[i][j] = math.cos(i - 2 * j) end end
    local want = {}
    for i = 1, m do
      want[i] = {}
      for j = 1, n do
        local s = 0
        for p = 1, k do s = s + at[i][p] * bt[p][j] end
        want[i][j] = s
      end
    end
    h.assert_array(np.dot(np.array(at), np.array(bt)), want, 1e-13)
    h.assert_array(np.matmul(np.array(at), np.array(bt)), want, 1e-13)
    -- the same product through transposed storage
    h.assert_array(np.dot(np.array(at).T.T, np.array(bt).T.T), want, 1e-13)
  end)

  it("matmul of 2-d and 1-d arrays", function()
    h.assert_array(np.matmul(M, M), { { 7, 10 }, { 15, 22 } }, 0)
    h.assert_array(np.matmul(M, v), { 17, 39 }, 0)
    h.assert_array(np.matmul(v, M), { 23, 34 }, 0)
    h.assert_array(np.matmul(M.T, M), { { 10, 14 }, { 14, 20 } }, 0)
  end)

  it("outer", function()
    local o = np.outer(np.array({ 1, 2 }), np.array({ 3, 4, 5 }))
    assert.same({ 2, 3 }, o.shape)
    h.assert_array(o, { { 3, 4, 5 }, { 6, 8, 10 } }, 0)
  end)

  it("x:dot(y) method", function()
    h.assert_array(M:dot(v), { 17, 39 }, 0)
    h.assert_number(v:dot(v), 61, 0)
  end)
end)

describe("shapes", function()
  it("reshape", function()
    local x = np.arange(6)
    h.assert_array(x:reshape({ 2, 3 }), { { 0, 1, 2 }, { 3, 4, 5 } }, 0)
    h.assert_array(np.reshape(x, { 3, 2 }), { { 0, 1 }, { 2, 3 }, { 4, 5 } }, 0)
  end)

  it("reshape with -1", function()
    local x = np.arange(12)
    assert.same({ 3, 4 }, x:reshape({ 3, -1 }).shape)
    assert.same({ 2, 3, 2 }, x:reshape({ 2, -1, 2 }).shape)
    assert.same({ 12 }, x:reshape({ 3, 4 }):reshape({ -1 }).shape)
  end)

  it("reshape of a non-contiguous array follows row-major order", function()
    h.assert_array(A23().T:reshape({ 6 }), { 1, 4, 2, 5, 3, 6 }, 0)
  end)

  it("transpose", function()
    local x = A23()
    h.assert_array(np.transpose(x), { { 1, 4 }, { 2, 5 }, { 3, 6 } }, 0)
    h.assert_array(x:transpose(), { { 1, 4 }, { 2, 5 }, { 3, 6 } }, 0)
  end)

  it("transpose with axes (1-based permutation)", function()
    local x = np.arange(24):reshape({ 2, 3, 4 })
    local y = np.transpose(x, { 3, 1, 2 })
    assert.same({ 4, 2, 3 }, y.shape)
    -- y[k][i][j] = x[i][j][k]
    for i = 1, 2 do
      for j = 1, 3 do
        for k = 1, 4 do
          assert.equal(x[{ i, j, k }], y[{ k, i, j }])
        end
      end
    end
    assert.same({ 4, 3, 2 }, np.transpose(x).shape)
  end)

  it("concatenate along axis 1 (default) and axis 2", function()
    local a = np.array({ { 1, 2 } })
    local b = np.array({ { 3, 4 }, { 5, 6 } })
    h.assert_array(np.concatenate({ a, b }), { { 1, 2 }, { 3, 4 }, { 5, 6 } }, 0)
    h.assert_array(np.concatenate({ a, b }, 1), { { 1, 2 }, { 3, 4 }, { 5, 6 } }, 0)
    local c = np.array({ { 7 }, { 8 } })
    h.assert_array(np.concatenate({ b, c }, 2), { { 3, 4, 7 }, { 5, 6, 8 } }, 0)
    h.assert_array(np.concatenate({ b, c, c }, -1), { { 3, 4, 7, 7 }, { 5, 6, 8, 8 } }, 0)
  end)

  it("concatenate 1-d arrays and non-contiguous inputs", function()
    h.assert_array(np.concatenate({ np.array({ 1, 2 }), np.array({ 3 }), np.array({ 4, 5 }) }),
      { 1, 2, 3, 4, 5 }, 0)
    local t = A23().T -- (3,2)
    h.assert_array(np.concatenate({ t, t }, 2), { { 1, 4, 1, 4 }, { 2, 5, 2, 5 }, { 3, 6, 3, 6 } }, 0)
  end)

  it("stack adds a new axis", function()
    local a, b = np.array({ 1, 2, 3 }), np.array({ 4, 5, 6 })
    h.assert_array(np.stack({ a, b }), { { 1, 2, 3 }, { 4, 5, 6 } }, 0)
    h.assert_array(np.stack({ a, b }, 1), { { 1, 2, 3 }, { 4, 5, 6 } }, 0)
    h.assert_array(np.stack({ a, b }, 2), { { 1, 4 }, { 2, 5 }, { 3, 6 } }, 0)
    h.assert_array(np.stack({ a, b }, -1), { { 1, 4 }, { 2, 5 }, { 3, 6 } }, 0)
    assert.same({ 3, 3, 2 }, np.stack({ A23().T, A23().T, A23().T }).shape)
  end)

  it("flatten makes a 1-d copy in row-major order", function()
    local x = A23()
    local f = x.T:flatten()
    h.assert_array(f, { 1, 4, 2, 5, 3, 6 }, 0)
    f[1] = 100
    h.assert_number(x[{ 1, 1 }], 1, 0)
  end)

  it("squeeze removes axes of length 1", function()
    local x = np.zeros({ 1, 3, 1 })
    assert.same({ 3 }, x:squeeze().shape)
    assert.same({ 2, 3 }, np.ones({ 2, 1, 3 }):squeeze().shape)
  end)
end)

describe("indexing", function()
  local v
  before_each(function() v = np.array({ 10, 20, 30, 40, 50 }) end)

  it("x[i] selects along axis 1; negative from the end", function()
    h.assert_number(v[1], 10, 0)
    h.assert_number(v[5], 50, 0)
    h.assert_number(v[-1], 50, 0)
    h.assert_number(v[-5], 10, 0)
    local x = A23()
    h.assert_array(x[1], { 1, 2, 3 }, 0)
    h.assert_array(x[-1], { 4, 5, 6 }, 0)
  end)

  it("x[{i, j}] selects one element", function()
    local x = A23()
    h.assert_number(x[{ 1, 1 }], 1, 0)
    h.assert_number(x[{ 2, 3 }], 6, 0)
    h.assert_number(x[{ -1, -3 }], 4, 0)
    h.assert_number(v[{ 3 }], 30, 0)
  end)

  it("fewer entries than axes keep the remaining axes", function()
    h.assert_array(A23()[{ 2 }], { 4, 5, 6 }, 0)
  end)

  it("{} keeps the whole axis: X[{{}, i}] is a column", function()
    local x = A23()
    local c = x[{ {}, 2 }]
    assert.same({ 2 }, c.shape)
    h.assert_array(c, { 2, 5 }, 0)
    h.assert_array(x[{ 1, {} }], { 1, 2, 3 }, 0)
    h.assert_array(x[{ {}, {} }], { { 1, 2, 3 }, { 4, 5, 6 } }, 0)
    h.assert_array(v[{ {} }], { 10, 20, 30, 40, 50 }, 0)
  end)

  it("{a, b} is the inclusive range a..b", function()
    h.assert_array(v[{ { 2, 4 } }], { 20, 30, 40 }, 0)
    h.assert_array(v[{ { 3, 3 } }], { 30 }, 0)
    h.assert_array(A23()[{ {}, { 2, 3 } }], { { 2, 3 }, { 5, 6 } }, 0)
    h.assert_array(A23()[{ { 1, 1 }, {} }], { { 1, 2, 3 } }, 0)
  end)

  it("ranges with negative ends count from the end", function()
    h.assert_array(v[{ { -2, -1 } }], { 40, 50 }, 0)
    h.assert_array(v[{ { 2, -2 } }], { 20, 30, 40 }, 0)
  end)

  it("{a, b, step} is a strided range", function()
    h.assert_array(v[{ { 1, 5, 2 } }], { 10, 30, 50 }, 0)
    h.assert_array(np.arange(10)[{ { 2, 10, 3 } }], { 1, 4, 7 }, 0)
    h.assert_array(A23()[{ {}, { 1, 3, 2 } }], { { 1, 3 }, { 4, 6 } }, 0)
  end)

  it("indexing a transposed view", function()
    local t = A23().T
    h.assert_array(t[2], { 2, 5 }, 0)
    h.assert_number(t[{ 3, 1 }], 3, 0)
    h.assert_array(t[{ {}, 2 }], { 4, 5, 6 }, 0)
  end)

  it("a strided slice of a 2-d array", function()
    local x = np.arange(20):reshape({ 4, 5 })
    local s = x[{ { 1, 4, 2 }, { 2, 5, 3 } }]
    assert.same({ 2, 2 }, s.shape)
    h.assert_array(s, { { 1, 4 }, { 11, 14 } }, 0)
  end)
end)

describe("assignment and views", function()
  it("x[i] = v on a 1-d array", function()
    local x = np.zeros({ 3 })
    x[2] = 7
    x[-1] = 9
    h.assert_array(x, { 0, 7, 9 }, 0)
  end)

  it("x[{i, j}] = v on a 2-d array", function()
    local x = A23()
    x[{ 1, 2 }] = 20
    x[{ -1, -1 }] = 60
    h.assert_array(x, { { 1, 20, 3 }, { 4, 5, 60 } }, 0)
  end)

  it("a number assigned to a slice fills it", function()
    local x = A23()
    x[{ {}, 1 }] = 0
    h.assert_array(x, { { 0, 2, 3 }, { 0, 5, 6 } }, 0)
  end)

  it("an array assigned to a row", function()
    local x = A23()
    x[2] = np.array({ 7, 8, 9 })
    h.assert_array(x, { { 1, 2, 3 }, { 7, 8, 9 } }, 0)
  end)

  it("a write to the base shows through a row view and a transpose", function()
    local x = A23()
    local row = x[2]
    local t = x.T
    x[{ 2, 3 }] = 60
    h.assert_number(row[3], 60, 0)
    h.assert_number(t[{ 3, 2 }], 60, 0)
  end)

  it("a write through a view shows in the base", function()
    local x = A23()
    local col = x[{ {}, 2 }]
    col[1] = 20
    h.assert_number(x[{ 1, 2 }], 20, 0)
  end)

  it("reshape of a contiguous array is a view, as in NumPy", function()
    local base = np.arange(6):reshape({ 2, 3 })
    local flat = base:reshape({ 6 })
    flat[6] = -1
    h.assert_number(base[{ 2, 3 }], -1, 0)
  end)

  it("copy is independent of the original", function()
    local x = A23()
    local c = x:copy()
    x[{ 1, 1 }] = 100
    h.assert_number(c[{ 1, 1 }], 1, 0)
    c[{ 2, 2 }] = -5
    h.assert_number(x[{ 2, 2 }], 5, 0)
  end)
end)

describe("comparisons return 0/1 arrays", function()
  local a, b
  before_each(function()
    a = np.array({ 1, 2, 3 })
    b = np.array({ 3, 2, 1 })
  end)

  it("np.less", function()
    h.assert_array(np.less(a, b), { 1, 0, 0 }, 0)
    h.assert_array(np.less(a, 2), { 1, 0, 0 }, 0)
  end)

  it("methods lt le gt ge eq ne", function()
    h.assert_array(a:lt(b), { 1, 0, 0 }, 0)
    h.assert_array(a:le(b), { 1, 1, 0 }, 0)
    h.assert_array(a:gt(b), { 0, 0, 1 }, 0)
    h.assert_array(a:ge(b), { 0, 1, 1 }, 0)
    h.assert_array(a:eq(b), { 0, 1, 0 }, 0)
    h.assert_array(a:ne(b), { 1, 0, 1 }, 0)
  end)

  it("with numbers and broadcasting", function()
    h.assert_array(a:gt(1.5), { 0, 1, 1 }, 0)
    h.assert_array(a:eq(3), { 0, 0, 1 }, 0)
    local col = np.array({ { 1 }, { 3 } })
    h.assert_array(col:lt(a), { { 0, 1, 1 }, { 0, 0, 0 } }, 0)
  end)
end)

describe("methods", function()
  it("totable gives nested Lua tables of numbers", function()
    local t = A23():totable()
    assert.same({ { 1, 2, 3 }, { 4, 5, 6 } }, t)
    assert.same({ 1, 2, 3 }, np.array({ 1, 2, 3 }):totable())
    assert.same({ { 1, 4 }, { 2, 5 }, { 3, 6 } }, A23().T:totable())
  end)

  it("sum, mean, max, min as methods with axis and keepdims", function()
    local x = A23()
    h.assert_array(x:sum(2, true), { { 6 }, { 15 } })
    h.assert_array(x:mean(1, true), { { 2.5, 3.5, 4.5 } })
    h.assert_array(x:max(1, true), { { 4, 5, 6 } }, 0)
    h.assert_array(x:min(2, true), { { 1 }, { 4 } }, 0)
  end)

  it("reshape, transpose, copy, item chain", function()
    local x = np.arange(6):reshape({ 3, 2 }):transpose():copy()
    h.assert_array(x, { { 0, 2, 4 }, { 1, 3, 5 } }, 0)
    h.assert_number(x[{ 2, 3 }], 5, 0)
    h.assert_number(x:reshape({ 6 })[{ { 6, 6 } }]:item(), 5, 0)
  end)
end)

describe("printing", function()
  it("1-d of whole numbers", function()
    assert.equal("[1. 2. 3.]", tostring(np.array({ 1, 2, 3 })))
  end)

  it("2-d with newlines", function()
    assert.equal("[[1. 2.]\n [3. 4.]]", tostring(np.array({ { 1, 2 }, { 3, 4 } })))
    assert.equal("[[1. 0. 0.]\n [0. 1. 0.]\n [0. 0. 1.]]", tostring(np.eye(3)))
    assert.equal("[[1.]\n [2.]\n [3.]]", tostring(np.array({ { 1, 2, 3 } }).T))
  end)

  it("3-d with a blank line between blocks", function()
    assert.equal("[[[0. 0.]\n  [0. 0.]]\n\n [[0. 0.]\n  [0. 0.]]]", tostring(np.zeros({ 2, 2, 2 })))
  end)

  it("negative and fractional values are aligned as NumPy does", function()
    assert.equal("[-1.  2.]", tostring(np.array({ -1, 2 })))
    assert.equal("[0.5  1.25]", tostring(np.array({ 0.5, 1.25 })))
    assert.equal("[0.1 0.2]", tostring(np.array({ 0.1, 0.2 })))
    assert.equal("[[ 1.5 -2. ]\n [ 3.   4. ]]", tostring(np.array({ { 1.5, -2 }, { 3, 4 } })))
    assert.equal("[3.14159265 2.        ]", tostring(np.array({ 3.14159265358979, 2 })))
  end)

  it("long rows wrap at 75 characters", function()
    assert.equal("[ 0.  1.  2.  3.  4.  5.  6.  7.  8.  9. 10. 11. 12. 13. 14. 15. 16. 17.\n"
      .. " 18. 19. 20. 21. 22. 23. 24. 25. 26. 27. 28. 29.]", tostring(np.arange(30)))
  end)

  it("large arrays are summarised with ...", function()
    assert.equal("[0. 0. 0. ... 0. 0. 0.]", tostring(np.zeros({ 1001 })))
    local s = tostring(np.ones({ 100, 100 }))
    assert.truthy(s:find("...", 1, true))
    assert.equal("[[1. 1. 1. ... 1. 1. 1.]\n [1. 1. 1. ... 1. 1. 1.]\n [1. 1. 1. ... 1. 1. 1.]\n ...\n"
      .. " [1. 1. 1. ... 1. 1. 1.]\n [1. 1. 1. ... 1. 1. 1.]\n [1. 1. 1. ... 1. 1. 1.]]", s)
    local big = tostring(np.arange(100000))
    assert.truthy(big:find("...", 1, true))
    assert.truthy(#big < 300)
  end)

  it("arrays up to 1000 elements are printed whole", function()
    local s = tostring(np.arange(1000))
    assert.falsy(s:find("...", 1, true))
    assert.truthy(s:find("999.", 1, true))
  end)
end)


-- NumPy's keyword arguments as a trailing options table (SPEC), for the
-- creators written in C too; values from NumPy 1.24.
describe("creators take an options table", function()
  it("linspace: endpoint, dtype, retstep; unknown options are errors", function()
    h.assert_array(np.linspace(0, 1, 5, { endpoint = false }), { 0, 0.2, 0.4, 0.6, 0.8 }, 1e-15)
    local x32 = np.linspace(0, 1, 3, { dtype = "float32" })
    h.assert_array(x32, { 0, 0.5, 1 }, 0)
    assert.equal("float32", x32.dtype)
    assert.equal("float32", np.linspace(0, 1, 3, "float32", { endpoint = false }).dtype)
    local v, step = np.linspace(0, 1, 5, { retstep = true })
    h.assert_array(v, { 0, 0.25, 0.5, 0.75, 1 }, 0)
    assert.equal(0.25, step)
    local _, s1 = np.linspace(0, 1, 1, { retstep = true })
    assert.is_true(s1 ~= s1) -- nan, as NumPy
    _, s1 = np.linspace(0, 1, 1, { retstep = true, endpoint = false })
    assert.equal(1, s1)
    h.assert_error_matches(function() np.linspace(0, 1, 5, { foo = 1 }) end,
      { "np.linspace", "unknown option 'foo'", "endpoint" })
    h.assert_error_matches(function() np.linspace(0, 1, 5, { num = 3 }) end, { "np.linspace", "num given twice" })
    h.assert_error_matches(function() np.linspace(0, 1, 3, { dtype = "int8" }) end, { "np.linspace", "int8" })
  end)

  it("eye: N, M, k, dtype", function()
    h.assert_array(np.eye(3, { k = 1 }), { { 0, 1, 0 }, { 0, 0, 1 }, { 0, 0, 0 } }, 0)
    local e = np.eye(2, { M = 3, k = -1, dtype = "float32" })
    h.assert_array(e, { { 0, 0, 0 }, { 1, 0, 0 } }, 0)
    assert.equal("float32", e.dtype)
    local e2 = np.eye(3, "float32", { k = -2 })
    h.assert_array(e2, { { 0, 0, 0 }, { 0, 0, 0 }, { 1, 0, 0 } }, 0)
    assert.equal("float32", e2.dtype)
    h.assert_error_matches(function() np.eye(3, { k = 1.5 }) end, { "np.eye", "k must be a whole number" })
    h.assert_error_matches(function() np.eye(3, { order = "C" }) end, { "np.eye", "unknown option 'order'" })
  end)

  it("arange, zeros, ones, empty: dtype (and step) by name", function()
    local a = np.arange(5, { dtype = "float32" })
    h.assert_array(a, { 0, 1, 2, 3, 4 }, 0)
    assert.equal("float32", a.dtype)
    h.assert_array(np.arange(5, { step = 2 }), { 0, 2, 4 }, 0)
    h.assert_array(np.arange(1, 5, { step = 2 }), { 1, 3 }, 0)
    h.assert_array(np.arange({ start = 1, stop = 3 }), { 1, 2 }, 0)
    for _, name in ipairs({ "zeros", "ones", "empty" }) do
      local z = np[name]({ 2 }, { dtype = "float32" })
      h.assert_shape(z, { 2 })
      assert.equal("float32", z.dtype, name)
      assert.equal("float64", np[name](2, {}).dtype, name)
    end
    h.assert_array(np.ones(2, {}), { 1, 1 }, 0)
    h.assert_error_matches(function() np.zeros({ 2 }, { order = "C" }) end,
      { "np.zeros", "unknown option 'order'" })
    h.assert_error_matches(function() np.zeros({ 2 }, { dtype = "float16" }) end, { "np.zeros", "float16" })
    -- an empty table is still the 0-d shape; named fields are options, so
    -- the shape is missing (not a silent 0-d array)
    assert.equal(0, np.zeros({}))
    h.assert_error_matches(function() np.zeros({ dtype = "float32" }) end, { "np.zeros", "shape", "nil" })
  end)

  it("full and full_like broadcast an array fill value", function()
    h.assert_array(np.full({ 2, 2 }, np.array({ 1, 2 })), { { 1, 2 }, { 1, 2 } }, 0)
    local f32 = np.full({ 2, 2 }, np.array({ 1, 2 }, "float32"))
    assert.equal("float32", f32.dtype) -- the fill value's dtype, as NumPy
    h.assert_array(np.full({ 2, 2 }, { { 1 }, { 2 } }), { { 1, 1 }, { 2, 2 } }, 0)
    local f = np.full({ 2 }, { fill_value = 3, dtype = "float32" })
    h.assert_array(f, { 3, 3 }, 0)
    assert.equal("float32", f.dtype)
    h.assert_array(np.full_like(np.zeros({ 2, 2 }), np.array({ 1, 2 })), { { 1, 2 }, { 1, 2 } }, 0)
    assert.equal("float32", np.full_like(np.zeros({ 2, 2 }, "float32"), np.array({ 1, 2 })).dtype)
    h.assert_array(np.full_like(np.zeros({ 2, 2 }), 3, { shape = { 3 } }), { 3, 3, 3 }, 0)
    assert.equal("float32", np.zeros_like(np.zeros(2), { dtype = "float32" }).dtype)
    -- the result is a new array
    local v = np.array({ 1, 2 })
    local g = np.full({ 2 }, v)
    g[1] = 9
    assert.equal(1, v[1])
    -- a traced fill value: differentiable
    local ad = require "adlua"
    assert.equal(6, ad.grad(function(t) return np.sum(np.full({ 2, 3 }, t)) end)(2))
    h.assert_array(ad.grad(function(t) return np.sum(np.full({ 2, 2 }, t) * np.array({ { 1, 2 }, { 3, 4 } })) end)(
      np.array({ 1, 1 })), { 4, 6 }, 0)
    h.assert_error_matches(function() np.full({ 2, 2 }, np.array({ 1, 2, 3 })) end,
      { "np.full", "(3,)", "(2,2)" })
    h.assert_error_matches(function() np.full({ 2 }, "a") end, { "np.full", "fill_value" })
  end)
end)
