-- Bad input: every misuse raises a Lua error naming the function and the
-- shapes/values involved; nothing crashes, other arrays are unchanged, and
-- the engine stays usable afterwards.

local h = require "tests.lua.helpers"
local each = require "adlua.each" -- pairs, safe from Debian 12's LuaJIT (docs/luajit.md)
local np = require "adlua.numpy"
local ad = require "adlua"
local grad = ad.grad

local E = h.assert_error_matches

describe("shape mismatches", function()
  it("np.dot names both shapes and the axes, in SPEC's words", function()
    E(function() return np.dot(np.zeros({ 3, 4 }), np.zeros({ 5, 6 })) end,
      "np.dot: shapes (3,4) and (5,6) not aligned: 4 (axis 2) ~= 5 (axis 1)")
  end)

  it("np.dot of mismatched vectors and matrix-vector", function()
    E(function() return np.dot(np.zeros({ 3 }), np.zeros({ 4 })) end, { "np.dot", "(3,)", "(4,)" })
    E(function() return np.dot(np.zeros({ 2, 3 }), np.zeros({ 4 })) end, { "np.dot", "(2,3)", "(4,)" })
    E(function() return np.zeros({ 2, 3 }):dot(np.zeros({ 2, 3 })) end, { "dot", "(2,3)" })
  end)

  it("np.matmul mismatch", function()
    E(function() return np.matmul(np.zeros({ 2, 3 }), np.zeros({ 2, 3 })) end, { "np.matmul", "(2,3)" })
  end)

  it("unbroadcastable + names add and both shapes", function()
    local msg = E(function() return np.zeros({ 2, 3 }) + np.zeros({ 4 }) end,
      { "could not be broadcast", "(2,3)", "(4,)" })
    assert.truthy(msg:find("add", 1, true), "message should name add: " .. msg)
  end)

  it("unbroadcastable - * / ^ give the broadcast error", function()
    local a, b = np.ones({ 2, 3 }), np.ones({ 4 })
    E(function() return a - b end, { "could not be broadcast", "(2,3)", "(4,)" })
    E(function() return a * b end, { "could not be broadcast", "(2,3)", "(4,)" })
    E(function() return b / a end, { "could not be broadcast", "(4,)", "(2,3)" })
    E(function() return a ^ b end, { "could not be broadcast", "(2,3)", "(4,)" })
    E(function() return np.ones({ 3, 1 }) + np.ones({ 2, 4 }) end, { "could not be broadcast", "(3,1)", "(2,4)" })
  end)

  it("unbroadcastable np.maximum / np.minimum", function()
    E(function() return np.maximum(np.ones({ 2, 3 }), np.ones({ 4 })) end,
      { "np.maximum", "could not be broadcast", "(2,3)", "(4,)" })
    E(function() return np.minimum(np.ones({ 2 }), np.ones({ 3 })) end,
      { "np.minimum", "could not be broadcast" })
  end)

  it("unbroadcastable comparisons", function()
    E(function() return np.less(np.ones({ 2 }), np.ones({ 3 })) end, { "np.less", "could not be broadcast" })
    E(function() return np.ones({ 2 }):lt(np.ones({ 3 })) end, "could not be broadcast")
  end)

  it("reshape to a different size", function()
    E(function() return np.zeros({ 2, 3 }):reshape({ 4, 2 }) end, { "reshape", "6", "(4,2)" })
    E(function() return np.reshape(np.zeros({ 6 }), { 4, -1 }) end, { "np.reshape" })
    E(function() return np.reshape(np.zeros({ 6 }), { -1, -1 }) end, { "np.reshape" })
    E(function() return np.reshape(np.zeros({ 6 }), { -2, -3 }) end, { "np.reshape" })
  end)

  it("concatenate of mismatched shapes", function()
    E(function() return np.concatenate({ np.zeros({ 2, 3 }), np.zeros({ 2, 4 }) }, 1) end, "np.concatenate")
    E(function() return np.concatenate({ np.zeros({ 2, 3 }), np.zeros({ 3 }) }) end, "np.concatenate")
    E(function() return np.concatenate({}) end, "np.concatenate")
  end)

  it("stack of mismatched shapes", function()
    E(function() return np.stack({ np.zeros({ 2 }), np.zeros({ 3 }) }) end, "np.stack")
    E(function() return np.stack({}) end, "np.stack")
  end)
end)

describe("bad axes", function()
  local x
  before_each(function() x = np.zeros({ 2, 3 }) end)

  it("np.sum with axis 3 on a 2-d array names the function and the axis", function()
    local msg = E(function() return np.sum(x, 3) end, { "np.sum", "axis" })
    assert.truthy(msg:find("3", 1, true), "message should name axis 3: " .. msg)
  end)

  it("axis 0 is out of range (axes are 1-based)", function()
    E(function() return np.sum(x, 0) end, { "np.sum", "axis" })
  end)

  it("too negative an axis", function()
    E(function() return np.sum(x, -3) end, { "np.sum", "axis", "-3" })
  end)

  it("other reductions and methods", function()
    E(function() return np.mean(x, 3) end, { "np.mean", "axis" })
    E(function() return np.max(x, 5) end, { "np.max", "axis", "5" })
    E(function() return np.min(x, -4) end, { "np.min", "axis" })
    E(function() return x:sum(3) end, { "sum", "axis" })
    E(function() return x:max(3, true) end, { "max", "axis" })
  end)

  it("non-integer axis", function()
    E(function() return np.sum(x, 1.5) end, "np.sum")
  end)

  it("concatenate and stack axes", function()
    E(function() return np.concatenate({ x, x }, 3) end, { "np.concatenate", "axis" })
    E(function() return np.stack({ x, x }, 4) end, { "np.stack", "axis" })
  end)

  it("transpose with a bad permutation", function()
    E(function() return np.transpose(x, { 1, 1 }) end, "np.transpose")
    E(function() return np.transpose(x, { 1 }) end, "np.transpose")
    E(function() return np.transpose(x, { 1, 3 }) end, "np.transpose")
  end)
end)

describe("bad indices", function()
  local v, x
  before_each(function()
    v = np.array({ 1, 2, 3 })
    x = np.zeros({ 2, 3 })
  end)

  it("index 0 is an error (indices are 1-based)", function()
    E(function() return v[0] end, "[Ii]ndex")
    E(function() return x[{ 1, 0 }] end, "[Ii]ndex")
    E(function() return x[{ 0, 1 }] end, "[Ii]ndex")
  end)

  it("indices past either end", function()
    E(function() return v[4] end, { "[Ii]ndex", "4" })
    E(function() return v[-4] end, { "[Ii]ndex", "-4" })
    E(function() return x[3] end, { "[Ii]ndex", "3" })
    E(function() return x[{ 1, 4 }] end, { "[Ii]ndex", "4" })
    E(function() return x[{ -3, 1 }] end, "[Ii]ndex")
  end)

  it("ranges starting at 0 or with step 0", function()
    E(function() return v[{ { 0, 2 } }] end, "[Ii]ndex")
    E(function() return v[{ { 1, 3, 0 } }] end, "step")
  end)

  it("too many indices", function()
    E(function() return x[{ 1, 1, 1 }] end, "[Ii]ndex")
    E(function() return v[{ 1, 1 }] end, "[Ii]ndex")
  end)

  it("non-integer and non-number indices", function()
    E(function() return v[1.5] end, "[Ii]ndex")
    E(function() return v[{ 1.5 }] end, "[Ii]ndex")
    E(function() return v[{ true }] end, "[Ii]ndex")
  end)

  it("bad assignments", function()
    E(function() v[0] = 1 end, "[Ii]ndex")
    E(function() v[4] = 1 end, "[Ii]ndex")
    E(function() x[{ 1, 5 }] = 1 end, "[Ii]ndex")
    assert.has_error(function() v[1] = "a" end)
    assert.has_error(function() x[1] = np.ones({ 4 }) end)
    h.assert_array(v, { 1, 2, 3 }, 0)
    h.assert_array(x, { { 0, 0, 0 }, { 0, 0, 0 } }, 0)
  end)
end)

describe("bad sizes", function()
  it("negative dimensions", function()
    E(function() return np.zeros({ -1 }) end, "np.zeros")
    E(function() return np.ones({ 2, -3 }) end, "np.ones")
    E(function() return np.full({ -2 }, 1) end, "np.full")
    E(function() return np.eye(-1) end, "np.eye")
  end)

  it("absurd sizes fail cleanly instead of crashing", function()
    E(function() return np.zeros({ 1e15, 1e15 }) end, "np.zeros")
    E(function() return np.ones({ 2 ^ 62, 4 }) end, "np.ones")
    E(function() return np.zeros({ 1e18 }) end, "np.zeros")
    E(function() return np.full({ 1e10, 1e10, 1e10 }, 0) end, "np.full")
    E(function() return np.eye(1e12) end, "np.eye")
    E(function() return np.arange(0, 1e300) end, "np.arange")
    E(function() return np.linspace(0, 1, 1e18) end, "np.linspace")
  end)

  it("non-integer, infinite and NaN dimensions", function()
    E(function() return np.zeros({ 2.5 }) end, "np.zeros")
    E(function() return np.zeros({ math.huge }) end, "np.zeros")
    E(function() return np.zeros({ 0 / 0 }) end, "np.zeros")
  end)

  it("arange with a zero step or NaN bounds", function()
    E(function() return np.arange(0, 1, 0) end, "np.arange")
    E(function() return np.arange(0, 0 / 0) end, "np.arange")
  end)

  it("linspace with a negative count", function()
    E(function() return np.linspace(0, 1, -1) end, "np.linspace")
  end)
end)

describe("wrong types", function()
  local bad = {
    { "nil", nil }, { "a string", "abc" }, { "a boolean", true }, { "a function", function() end },
  }

  for _, b in ipairs(bad) do
    local label, value = b[1], b[2]
    it("elementwise functions reject " .. label, function()
      for _, name in ipairs({ "exp", "log", "log1p", "sqrt", "sin", "cos", "tan", "tanh", "abs" }) do
        E(function() return np[name](value) end, "np." .. name)
      end
      E(function() return np.maximum(value, 1) end, "np.maximum")
      E(function() return np.minimum(np.ones({ 2 }), value) end, "np.minimum")
    end)

    it("reductions and linear algebra reject " .. label, function()
      E(function() return np.sum(value) end, "np.sum")
      E(function() return np.mean(value) end, "np.mean")
      E(function() return np.max(value) end, "np.max")
      E(function() return np.min(value) end, "np.min")
      E(function() return np.dot(value, np.ones({ 2 })) end, "np.dot")
      E(function() return np.dot(np.ones({ 2 }), value) end, "np.dot")
      E(function() return np.matmul(value, np.ones({ 2, 2 })) end, "np.matmul")
      E(function() return np.outer(np.ones({ 2 }), value) end, "np.outer")
    end)

    it("creators reject " .. label .. " as a shape", function()
      E(function() return np.zeros(value) end, "np.zeros")
      E(function() return np.ones(value) end, "np.ones")
      E(function() return np.full(value, 1) end, "np.full")
      E(function() return np.eye(value) end, "np.eye")
      E(function() return np.arange(value) end, "np.arange")
      E(function() return np.linspace(value, 1, 3) end, "np.linspace")
    end)

    it("np.array rejects " .. label, function()
      E(function() return np.array(value) end, "np.array")
      -- (a nil inside a table constructor is a hole, not a value: skipped)
      if value ~= nil then
        E(function() return np.array({ 1, value, 3 }) end, "np.array")
        E(function() return np.array({ { 1, 2 }, { value, 3 } }) end, "np.array")
      end
    end)

    it("shape functions reject " .. label, function()
      E(function() return np.reshape(value, { 2 }) end, "np.reshape")
      E(function() return np.transpose(value) end, "np.transpose")
      if value ~= nil then
        E(function() return np.concatenate({ np.ones({ 2 }), value }) end, "np.concatenate")
        E(function() return np.stack({ value, np.ones({ 2 }) }) end, "np.stack")
      end
      E(function() return np.less(value, np.ones({ 2 })) end, "np.less")
    end)
  end

  it("a shape with a non-number entry", function()
    E(function() return np.zeros({ 2, "a" }) end, "np.zeros")
    E(function() return np.ones({ {} }) end, "np.ones")
    E(function() return np.zeros({ 2 }):reshape({ "x" }) end, "reshape")
  end)

  it("np.concatenate and np.stack need a table of arrays", function()
    E(function() return np.concatenate(np.ones({ 2 })) end, "np.concatenate")
    E(function() return np.concatenate("ab") end, "np.concatenate")
    E(function() return np.stack(nil) end, "np.stack")
  end)

  it("operators with a bad operand raise a Lua error", function()
    local a = np.ones({ 2 })
    E(function() return a + nil end, "add")
    E(function() return a * "abc" end, "multiply")
    E(function() return true - a end, "subtract")
    E(function() return a / {} end, "divide")
    E(function() return a ^ function() end end, "power")
  end)

  it("methods called without self", function()
    local a = np.ones({ 2, 2 })
    E(function() return a.sum() end, "sum")
    E(function() return a.reshape({ 4 }) end, "reshape")
  end)
end)

describe("ragged and malformed nested tables", function()
  it("rows of different lengths", function()
    E(function() return np.array({ { 1, 2 }, { 3 } }) end, "np.array")
    E(function() return np.array({ { 1, 2 }, { 3, 4, 5 } }) end, "np.array")
    E(function() return np.array({ { { 1 }, { 2 } }, { { 3 }, { 4, 5 } } }) end, "np.array")
  end)

  it("a number where a row is expected and the other way round", function()
    E(function() return np.array({ { 1, 2 }, 3 }) end, "np.array")
    E(function() return np.array({ 1, { 2, 3 } }) end, "np.array")
  end)
end)

describe("messages are fully formatted", function()
  it("a ragged table names the expected length", function()
    E(function() return np.array({ { 1, 2, 3, 4, 5, 6, 7 }, { 1 } }) end, { "np.array", "7" })
  end)

  it("no message carries an unformatted placeholder", function()
    local v, x = np.array({ 1, 2, 3 }), np.zeros({ 2, 3 })
    local calls = {
      function() return v[4] end,
      function() return v[-4] end,
      function() return v[0] end,
      function() return v[1e300] end,
      function() return x[{ 1, 9 }] end,
      function() return x[{ { 1, 2, 1e300 } }] end,
      function() return np.array({ { 1, 2 }, { 3 } }) end,
      function() return np.array({ { 1, 2 }, 3 }) end,
      function() return np.zeros({ -1 }) end,
      function() return np.zeros({ 1e15, 1e15 }) end,
      function() return np.sum(x, 3) end,
      function() return np.dot(x, x) end,
      function() return x + np.zeros({ 4 }) end,
      function() return x:reshape({ 4, 2 }) end,
      function() return np.concatenate({ x, np.zeros({ 2, 4 }) }, 1) end,
      function() return np.stack({ x, v }) end,
      function() return np.transpose(x, { 1, 1 }) end,
    }
    local bad = {}
    for i, fn in ipairs(calls) do
      local msg = h.error_message(fn)
      if msg:find("?", 1, true) or msg:find("%%l") then
        bad[#bad + 1] = ("call %d: %s"):format(i, msg)
      end
    end
    assert(#bad == 0, "messages with unformatted placeholders:\n" .. table.concat(bad, "\n"))
  end)
end)

describe("grad misuse", function()
  it("a function returning a non-scalar array", function()
    E(function() return grad(function(x) return x * 2 end)(np.array({ 1, 2 })) end, "grad")
    E(function() return grad(function(x) return np.ones({ 2, 2 }) * x end)(1.0) end, "grad")
  end)

  it("a function returning nothing", function()
    E(function() return grad(function(x) end)(1.0) end, "grad")
    E(function() return grad(function(x) return nil end)(np.ones({ 2 })) end, "grad")
  end)

  it("a function returning a string, a table or a boolean", function()
    E(function() return grad(function(x) return "loss" end)(1.0) end, "grad")
    E(function() return grad(function(x) return { x } end)(1.0) end, "grad")
    E(function() return grad(function(x) return true end)(1.0) end, "grad")
  end)

  it("value_and_grad and elementwise_grad report too", function()
    E(function() return ad.value_and_grad(function(x) return x * 2 end)(np.array({ 1, 2 })) end, "grad")
    E(function() return ad.elementwise_grad(function(x) return "s" end)(np.array({ 1, 2 })) end, "grad")
  end)

  it("operators built on grad name themselves, not grad", function()
    local bad = function(x) return "loss" end
    local cases = {
      hessian = function() return ad.hessian(bad)(np.ones({ 2 })) end,
      hessian_vector_product = function() return ad.hessian_vector_product(bad)(np.ones({ 2 }), np.ones({ 2 })) end,
      grad_and_aux = function() return ad.grad_and_aux(bad)(np.ones({ 2 })) end,
      value_and_grad = function() return ad.value_and_grad(function() end)(1.0) end,
      elementwise_grad = function() return ad.elementwise_grad(bad)(1.0) end,
    }
    for name, call in each(cases) do
      local ok, err = pcall(call)
      assert.is_false(ok)
      assert.are.equal(name .. ":", tostring(err):match("^[%w_]+:"))
    end
  end)

  it("grad of something that is not a function", function()
    E(function() return grad("not a function")(1.0) end, "grad")
    E(function() return grad(nil)(1.0) end, "grad")
  end)

  it("argnum out of range or of the wrong kind", function()
    local f = function(x, y) return x * y end
    E(function() return grad(f, 3)(1.0, 2.0) end, "grad")
    E(function() return grad(f, 0)(1.0, 2.0) end, "grad")
    E(function() return grad(f, "x")(1.0, 2.0) end, "grad")
    E(function() return grad(f, { 1, 5 })(1.0, 2.0) end, "grad")
  end)

  it("differentiating with respect to a non-number", function()
    E(function() return grad(function(x) return 1 end)("abc") end, "grad")
    E(function() return grad(function(x) return 1 end)(nil) end, "grad")
    E(function() return grad(function(x) return 1 end)(true) end, "grad")
  end)
end)

describe("errors inside traced functions", function()
  it("propagate with their message", function()
    E(function() return grad(function(x) error("boom42") end)(1.0) end, "boom42")
    E(function() return grad(function(x)
      local y = np.sin(x) * x
      if h.val(y) > -10 then error("late failure after recording") end
      return y
    end)(np.array(0.5)) end, "late failure after recording")
  end)

  it("np errors inside a trace keep their message", function()
    E(function()
      return grad(function(x) return np.sum(np.dot(x, np.zeros({ 5, 6 }))) end)(np.zeros({ 3, 4 }))
    end, "np.dot: shapes (3,4) and (5,6) not aligned: 4 (axis 2) ~= 5 (axis 1)")
    E(function()
      return grad(function(x) return np.sum(x + np.zeros({ 4 })) end)(np.zeros({ 2, 3 }))
    end, { "could not be broadcast", "(2,3)", "(4,)" })
  end)

  it("the engine works normally afterwards", function()
    for _ = 1, 50 do
      pcall(grad(function(x)
        local y = x
        for _ = 1, 10 do y = np.sin(y) * x end
        error("fail midway")
      end), np.ones({ 3 }))
    end
    h.assert_number(grad(np.sin)(0.5), math.cos(0.5), 1e-15)
    h.assert_array(grad(function(x) return np.sum(x * x) end)(np.array({ 1, 2 })), { 2, 4 }, 1e-15)
    local r = grad(function(x) return x * grad(function(y) return x * y end)(2) end)(3)
    h.assert_number(r, 6, 1e-14)
  end)

  it("an error in an inner grad leaves nesting working", function()
    local ok, msg = pcall(function()
      return grad(function(x)
        return x * grad(function(y) error("inner boom") end)(2)
      end)(3)
    end)
    assert.is_false(ok)
    assert.truthy(tostring(msg):find("inner boom", 1, true))
    local r = grad(function(x) return x * grad(function(y) return x * y end)(2) end)(3)
    h.assert_number(r, 6, 1e-14)
    h.assert_number(grad(grad(np.sin))(0.3), -math.sin(0.3), 1e-14)
  end)

  it("an error caught inside the traced function does not spoil its gradient", function()
    local g = grad(function(x)
      local ok = pcall(function() return np.dot(x, np.zeros({ 5 })) end)
      assert(not ok)
      return np.sum(x * x)
    end)(np.ones({ 3 }))
    h.assert_array(g, { 2, 2, 2 }, 1e-15)
  end)

  it("a bad return inside a nested grad leaves the outer usable", function()
    pcall(function()
      return grad(function(x) return grad(function(y) return y * np.ones({ 2 }) end)(x) end)(1.0)
    end)
    h.assert_number(grad(function(x) return x ^ 2 end)(3.0), 6, 1e-14)
  end)
end)

describe("failed calls change nothing", function()
  it("operands are unchanged after errors", function()
    local a = np.array({ { 1, 2, 3 }, { 4, 5, 6 } })
    local b = np.array({ 7, 8 })
    pcall(function() return a + b end)
    pcall(np.dot, a, b)
    pcall(np.concatenate, { a, b })
    pcall(function() return a:reshape({ 4 }) end)
    pcall(function() return np.sum(a, 3) end)
    pcall(function() a[{ 1, 9 }] = 0 end)
    h.assert_array(a, { { 1, 2, 3 }, { 4, 5, 6 } }, 0)
    h.assert_array(b, { 7, 8 }, 0)
  end)

  it("many failing calls in a row leave the library working", function()
    for _ = 1, 2000 do
      pcall(np.dot, np.zeros({ 3, 4 }), np.zeros({ 5, 6 }))
      pcall(np.zeros, { -1 })
      pcall(np.array, { { 1 }, { 2, 3 } })
    end
    collectgarbage()
    h.assert_array(np.dot(np.ones({ 2, 3 }), np.ones({ 3 })), { 3, 3 }, 0)
  end)
end)

describe("the array metatable's functions called by hand", function()
  local mt = require("adlua.core").array_metatable

  it("raise on values that are not arrays instead of crashing", function()
    E(function() return mt.__add(1, 2) end, { "np.add", "two numbers" })
    E(function() return mt.__mul(2, 3) end, { "np.multiply", "two numbers" })
    E(function() return mt.__sub("a", 1) end, { "np.subtract", "string" })
    E(function() return mt.__unm(5) end, { "np.negative", "expected an array, got number" })
    E(function() return mt.__len({}) end, { "len", "expected an array, got table" })
    E(function() mt.__newindex(7, 1, 2) end, { "setitem", "expected an array, got number" })
    for _, v in ipairs({ 1, "s", {}, true }) do mt.__gc(v) end -- nothing to release: no error
    h.assert_array(np.array({ 1, 2 }) + 1, { 2, 3 }, 0)
  end)

  it("__gc by hand leaves a released array that raises where it is used", function()
    local x = np.array({ 1, 2 })
    mt.__gc(x)
    mt.__gc(x)                                 -- twice: still nothing to release twice
    assert.equal("array(<released>)", tostring(x))
    E(function() return x + 1 end, "np.add")
    collectgarbage()
  end)

  it("a small box's metatable reads as the array metatable and cannot be replaced", function()
    local kept
    h.with_array_boxes(ad.grad(function(x)
      local y = x
      for _ = 1, 40 do y = np.tanh(y * 1.0001 + 0.01) end -- past the first 16: anchored
      kept = y
      return y
    end), 0.5)
    assert.equal(mt, getmetatable(kept))
    assert.is_false(pcall(setmetatable, kept, {}))
    mt.__gc(kept)                              -- the anchor keeps its reference
    collectgarbage()
    collectgarbage()
    assert.equal("array(<released>)", tostring(kept))
  end)
end)
