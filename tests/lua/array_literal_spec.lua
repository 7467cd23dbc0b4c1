-- np.array and np.asarray of nested Lua tables: differentiable when the
-- table holds traced values (autograd's np.array([x, x**2])), and tables
-- with keys other than their positions 1..n are refused instead of losing
-- those keys.  Reference values by hand or from PyTorch (noted).
local h = require "tests.lua.helpers"
local np = require "adlua.numpy"
local ad = require "adlua"
local grad = ad.grad

describe("np.array of traced values", function()
  it("of numbers traced inside grad: grad of sum(np.array({x, x*x})) at 3 is 7", function()
    h.assert_number(grad(function(x) return np.sum(np.array({ x, x * x })) end)(3), 7, 1e-14)
    h.assert_number(grad(function(x) return np.sum(np.asarray({ x, x * x })) end)(3), 7, 1e-14)
  end)

  it("of a traced array: np.array(v) and np.asarray(v) pass the gradient on", function()
    local v = np.array({ 1, 2 })
    h.assert_array(grad(function(y) return np.sum(np.array(y)) end)(v), { 1, 1 }, 0)
    h.assert_array(grad(function(y) return np.sum(np.asarray(y)) end)(v), { 1, 1 }, 0)
    -- a copy: the value, and y*y's gradient 2y, through it
    h.assert_array(grad(function(y) local c = np.array(y); return np.sum(c * c) end)(v), { 2, 4 }, 1e-15)
    h.assert_number(grad(function(x) local c = np.array(x); return c * c end)(3), 6, 1e-15)
  end)

  it("of 0-d entries of a traced array: np.array({v[1], v[2]})", function()
    local g = grad(function(v) return np.sum(np.array({ v[1], 3 * v[2] })) end)(np.array({ 0.3, 0.5 }))
    h.assert_array(g, { 1, 3 }, 1e-15)
    g = grad(function(v) return np.sum(np.array({ np.sum(v * v) })) end)(np.array({ 0.3, 0.5 }))
    h.assert_array(g, { 0.6, 1 }, 1e-15)
  end)

  it("mixed with numbers at any depth (values and gradient as torch.stack)", function()
    local W = np.array({ { 1, -2, 0.5 }, { 3, 0.25, -1 } })
    local function f(v)
      local a = np.array({ { v[1], 1, v[2] ^ 2 }, { 2, v[1] * v[2], 3 } })
      assert.same({ 2, 3 }, a.shape)
      return np.sum(W * a)
    end
    local v = np.array({ 0.3, 0.5 })
    h.assert_number(f(v), 1.4625, 1e-14)
    h.assert_array(grad(f)(v), { 1.125, 0.575 }, 1e-14) -- torch
  end)

  it("of a table of arrays, traced and plain (torch.stack)", function()
    local W = np.array({ { 1, 2 }, { 3, 4 }, { 5, 6 } })
    local function f(v) return np.sum(W * np.array({ v, np.array({ 1, 2 }), v * v })) end
    local v = np.array({ 0.3, 0.5 })
    h.assert_number(f(v), 14.25, 1e-13)
    h.assert_array(grad(f)(v), { 4, 8 }, 1e-14) -- torch
  end)

  it("of 2-d traced arrays: shape (3,2,2) (torch.stack)", function()
    local W = np.reshape(np.arange(12), { 3, 2, 2 })
    local function f(m)
      local a = np.array({ m, 2 * m * m, { { 1, 2 }, { 3, 4 } } })
      assert.same({ 3, 2, 2 }, a.shape)
      return np.sum(W * a)
    end
    local m = np.array({ { 0.1, 0.2 }, { 0.3, 0.4 } })
    h.assert_number(f(m), 105.8, 1e-12)
    h.assert_array(grad(f)(m), { { 1.6, 5.0 }, { 9.2, 14.2 } }, 1e-13) -- torch
  end)

  it("in forward mode: make_jvp of np.array({x, 2*x}) at 3 along 1 is [1, 2]", function()
    local value, t = ad.make_jvp(function(x) return np.array({ x, 2 * x }) end)(3)(1)
    h.assert_array(value, { 3, 6 }, 0)
    h.assert_array(t, { 1, 2 }, 0)
    value, t = ad.make_jvp(function(v) return np.array({ { v[1], 1 }, { v[2], v[1] * v[2] } }) end)(
      np.array({ 2, 5 }))(np.array({ 1, -1 }))
    h.assert_array(value, { { 2, 1 }, { 5, 10 } }, 0)
    h.assert_array(t, { { 1, 0 }, { -1, 3 } }, 1e-15) -- d(v1 v2) = v2 - v1
  end)

  it("to second order: grad(grad(...)), hessian, and against finite differences", function()
    -- d/dx sum(x^3, 1, x, x^2) = 3x^2 + 1 + 2x; again: 6x + 2
    local f = function(x) return np.sum(np.array({ { x * x * x, 1 }, { x, x * x } })) end
    h.assert_number(grad(grad(f))(2), 14, 1e-12)
    local function f7(v)
      local m = np.array({ v * v, v, { np.sin(v[1]), v[1] * v[2] } })
      return np.sum(m ^ 2) + np.sum(m[1] * m[3])
    end
    local v = np.array({ 0.3, 0.5 })
    h.assert_array(grad(f7)(v), { 1.8109348814131434, 1.815 }, 1e-13) -- torch
    h.assert_array(ad.hessian(f7)(v), { { 6.941518611493242, 1.35 }, { 1.35, 6.08 } }, 1e-12)
    ad.check_grads(f7, { modes = { "rev", "fwd" }, order = 2 })(v)
  end)

  it("keeps nesting levels apart: x * grad(y -> sum(np.array({x*y, y})))(2) has derivative 7 at 3", function()
    local df = grad(function(x)
      return x * grad(function(y) return np.sum(np.array({ x * y, y })) end)(2)
    end)
    h.assert_number(df(3), 7, 1e-14)
  end)

  it("honours the dtype: float32 when asked, or when every entry is a float32 array", function()
    local g = grad(function(x)
      local a = np.array({ x, x * x }, "float32")
      assert.equal("float32", a.dtype)
      return np.sum(a)
    end)(3)
    h.assert_number(g, 7, 1e-6)
    local v32 = np.array({ 1, 2 }, "float32")
    local g32 = grad(function(v)
      local a = np.array({ v, 3 * v })
      assert.equal("float32", a.dtype)
      return np.sum(a)
    end)(v32)
    assert.equal("float32", g32.dtype)
    h.assert_array(g32, { 4, 4 }, 0)
    -- np.array(x, "float32") of a float64 box: the gradient comes back as float64
    local g64 = grad(function(v)
      local a = np.array(v, "float32")
      assert.equal("float32", a.dtype)
      return np.sum(a * a)
    end)(np.array({ 3, 4 }))
    assert.equal("float64", g64.dtype)
    h.assert_array(g64, { 6, 8 }, 0)
  end)

  it("of many traced numbers (a list built in a loop)", function()
    local n = 300
    local g = grad(function(x)
      local t = {}
      for i = 1, n do t[i] = x * i end
      return np.sum(np.array(t) ^ 2) -- sum (i x)^2: derivative 2x sum i^2
    end)(0.5)
    h.assert_number(g, 2 * 0.5 * n * (n + 1) * (2 * n + 1) / 6, 1e-9)
  end)

  it("in other functions taking nested tables: np.dot({x, 2}, {3, 4}) has derivative 3", function()
    h.assert_number(grad(function(x) return np.dot({ x, 2 }, { 3, 4 }) end)(1.5), 3, 0)
    h.assert_number(grad(function(x) return np.sum(np.multiply({ x, x * x }, 2)) end)(3), 14, 1e-14)
  end)

  it("inside ad.jit: recorded, and the replay follows new inputs", function()
    local jf = ad.jit(function(v) return grad(function(y) return np.sum(np.array({ y * y, y }) * 2) end)(v) end)
    h.assert_array(jf(np.array({ 1, 2 })), { 6, 10 }, 1e-14)
    h.assert_array(jf(np.array({ 3, -1 })), { 14, -2 }, 1e-14)
  end)

  it("a box kept after its trace ended counts as its value", function()
    local kept
    grad(function(x) kept = x * 2; return x end)(3)
    local a = np.array({ kept, 1 })
    h.assert_array(a, { 6, 1 }, 0)
    h.assert_number(grad(function(x) return np.sum(np.array({ kept, x })) end)(1), 1, 0)
  end)

  it("ragged tables of traced values still raise the ragged error", function()
    h.assert_error_matches(function()
      grad(function(v) return np.sum(np.array({ v, { 1, 2, 3 } })) end)(np.array({ 1, 2 }))
    end, "np.array: ragged nested sequence")
    h.assert_error_matches(function()
      grad(function(x) return np.sum(np.array({ x, { 1 } })) end)(2)
    end, "np.array: ")
  end)

  it("fails cleanly at every allocation: out of memory, nothing leaked, usable after", function()
    local D = require("adlua.core").debug
    local function settle()
      h.settle()
      D.thread_cleanup() -- the header cache holds blocks on purpose
    end
    local step = function()
      return grad(function(v) return np.sum(np.array({ v, { 1, 2 }, { v[2], 3 } }, "float32") ^ 2) end)(
        np.array({ 1, 2 }))
    end
    local expected = step()
    h.assert_array(expected, { 2, 8 }, 1e-6) -- 2 v1, and 2 v2 twice
    settle()
    D.alloc_track(true)
    step()
    local total = D.alloc_count()
    D.alloc_track(false)
    assert.is_true(total > 10)
    for n = 1, total do
      settle()
      local arrays0 = D.live()
      D.alloc_track(true)
      D.alloc_fail_at(n)
      local ok, err = pcall(step)
      D.alloc_fail_at(0)
      settle()
      local left = D.alloc_outstanding()
      D.alloc_track(false)
      assert.is_false(ok, ("allocation %d of %d failed, the step did not"):format(n, total))
      assert.truthy(tostring(err):find("out of memory", 1, true), tostring(err))
      assert.are.equal(0, left, ("allocation %d: blocks leaked"):format(n))
      assert.are.equal(0, D.live() - arrays0, ("allocation %d: arrays leaked"):format(n))
    end
    h.assert_close(step(), expected, 0)
  end)

  it("leaves no arrays behind", function()
    h.assert_live_steady(function()
      grad(function(v) return np.sum(np.array({ v, { 1, 2 }, v * v }, "float32")) end)(np.array({ 1, 2 }))
      ad.make_jvp(function(x) return np.array({ x, 2 * x }) end)(3)(1)
    end)
  end)
end)

describe("np.array of a table with other keys than 1..n", function()
  it("raises naming the key", function()
    h.assert_error_matches(function() np.array({ 1, 2, x = 3 }) end,
      "np.array: the table has a key 'x' that is not a position 1..2")
    h.assert_error_matches(function() np.array({ indexing = "ij" }) end,
      "np.array: the table has a key 'indexing' that is not a position 1..n (the table has no elements)")
    h.assert_error_matches(function() np.array({ { 1, 2 }, { 3, 4, y = 1 } }) end,
      "np.array: the table at depth 2 has a key 'y' that is not a position 1..2")
    h.assert_error_matches(function() np.array({ [0] = 5, 1, 2 }) end,
      "np.array: the table has a key 0 that is not a position 1..2")
    h.assert_error_matches(function() np.array({ 1, 2, [2.5] = 4 }) end,
      "np.array: the table has a key 2.5 that is not a position 1..2")
    h.assert_error_matches(function() np.array({ 1, 2, [true] = 4 }) end,
      "np.array: the table has a key of type boolean that is not a position 1..2")
    h.assert_error_matches(function() np.asarray({ 1, 2, x = 3 }) end,
      "np.asarray: the table has a key 'x' that is not a position 1..2")
    h.assert_error_matches(function() np.add({ 1, 2, n = 2 }, 1) end,
      "np.add: the table has a key 'n' that is not a position 1..2")
  end)

  it("raises for an extra key set before, among or after positions appended in a loop", function()
    -- positions appended after another key partly live in the table's hash part
    for n = 1, 100 do
      for where = 0, 2 do
        local t = {}
        if where == 0 then t.x = 1 end
        for i = 1, n do
          t[#t + 1] = i
          if where == 1 and i == math.ceil(n / 2) then t.x = 1 end
        end
        if where == 2 then t.x = 1 end
        local ok, err = pcall(np.array, t)
        assert.is_false(ok, ("n = %d, key set at %d"):format(n, where))
        assert.truthy(err:find("np.array: the table has a key 'x' that is not a position 1.." .. n, 1, true), err)
      end
      local t = {}
      for i = n, 1, -1 do t[i] = i end -- in reverse: positions in the hash part
      t.x = 1
      assert.is_false(pcall(np.array, t), ("reverse fill, n = %d"):format(n))
    end
  end)

  it("accepts tables filled in any order, and keeps the values", function()
    local t = {}
    for i = 50, 1, -1 do t[i] = i end
    local a = np.array(t)
    assert.same({ 50 }, a.shape)
    h.assert_number(a[50], 50, 0)
    h.assert_number(np.sum(a), 50 * 51 / 2, 0)
    local m = { {}, {} }
    for j = 3, 1, -1 do m[1][j] = j; m[2][j] = -j end
    h.assert_array(np.array(m), { { 1, 2, 3 }, { -1, -2, -3 } }, 0)
    h.assert_array(np.array({}), {}, 0, nil, { 0 })
  end)
end)
