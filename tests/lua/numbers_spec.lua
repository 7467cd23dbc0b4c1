-- Numbers as text: adlua.numbers.format gives the shortest text that reads
-- back as the same double, and the adlua program prints numbers with it.
local h = require "tests.lua.helpers"
local numbers = require "adlua.numbers"

local BIN = os.getenv("ADLUA_BIN")
if BIN == nil or BIN == "" then BIN = "build/adlua" end

describe("adlua.numbers.format", function()
  it("keeps every digit that matters", function()
    assert.are.equal("2.302585092994046", numbers.format(math.log(10)))
    assert.are.equal("0.1", numbers.format(0.1))
    assert.are.equal("0.3333333333333333", numbers.format(1 / 3))
  end)
  it("writes whole numbers without a point, as Lua does", function()
    assert.are.equal("3", numbers.format(3))
    assert.are.equal("-42", numbers.format(-42))
    assert.are.equal("9007199254740992", numbers.format(2 ^ 53))
    assert.are.equal("-0", numbers.format(-0.0))
  end)
  it("writes the special values as Lua does", function()
    assert.are.equal("inf", numbers.format(1 / 0))
    assert.are.equal("-inf", numbers.format(-1 / 0))
    assert.are.equal("nan", numbers.format(0 / 0))
    assert.are.equal("1e+300", numbers.format(1e300))
  end)
  it("reads back as the same double for awkward values", function()
    for _, x in ipairs({ 5e-324, 1.7976931348623157e308, 0.1 + 0.2, 123456.789e-20, -2.5e-7 }) do
      assert.are.equal(x, tonumber(numbers.format(x)))
    end
  end)
  it("installs into a given environment without touching the globals", function()
    local env = { tostring = tostring }
    local global = tostring
    numbers.install(env)
    assert.are.equal("0.30000000000000004", env.tostring(0.1 + 0.2))
    assert.are.equal("x", env.tostring("x"))
    assert.are.equal(global, tostring)
  end)
end)

describe("the adlua program", function()
  it("prints np.log(10) with all its digits", function()
    local out = h.run(h.shell_quote(BIN) .. [[ -e 'print(require("adlua.numpy").log(10.0))']])
    assert.are.equal("2.302585092994046", (out:gsub("%s+$", "")))
  end)
end)

describe("numbers from np.round", function()
  it("are NumPy's doubles, so they print as NumPy's repr", function()
    local np = require "adlua.numpy"
    -- NumPy 1.24: repr(np.round(0.3, 1)) '0.3', repr(np.round(2.675, 2)) '2.68'
    assert.are.equal("0.3", numbers.format(np.round(0.3, 1)))
    assert.are.equal("2.68", numbers.format(np.round(2.675, 2)))
    assert.are.equal("1.235e-20", numbers.format(np.round(1.2345678901234567e-20, 23)))
    assert.are.equal("12300", numbers.format(np.round(12345.678, -2)))
  end)
end)
