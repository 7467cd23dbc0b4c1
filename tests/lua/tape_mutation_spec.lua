-- Silent wrong answers: assigning into an array that a live tape saved
-- would change what the backward sweep reads, so it raises (SPEC.md),
-- whether the array is a constant, a view of one, or the argument's value;
-- outside a trace, or into arrays no tape holds, assignment works.

local h = require "tests.lua.helpers"
local np = require "adlua.numpy"
local ad = require "adlua"

local E = h.assert_error_matches

describe("assignment while differentiating", function()
  it("into a constant the tape saved raises, naming the operation", function()
    local c = np.ones(3)
    E(function()
      return ad.grad(function(x)
        local y = x * c
        c[1] = 5
        return np.sum(y)
      end)(np.ones(3))
    end, { "setitem", "live tape saved", "multiply" })
    assert.are.equal(1, c[1], "the constant is unchanged")
  end)

  it("through a view of a saved array raises", function()
    local z = np.arange(1, 7):reshape({ 2, 3 })
    E(function()
      return ad.grad(function(x)
        local y = np.exp(z * x)
        local v = z[{ 1, { 1, 2 } }]
        v[1] = 7
        return np.sum(y)
      end)(np.ones({ 2, 3 }))
    end, { "setitem", "live tape saved" })
  end)

  it("into the plain value of the differentiated argument raises", function()
    local x0 = np.ones(3)
    E(function()
      return ad.grad(function(x)
        local y = np.tanh(x)
        x0[2] = 3
        return np.sum(y)
      end)(x0)
    end, { "setitem" })
  end)

  it("into an array the tape never saw works, and the gradient is right", function()
    local g = ad.grad(function(x)
      local scratch = np.zeros(3)
      scratch[2] = 4
      return np.sum(x * x) + np.sum(scratch)
    end)(np.array({ 1, 2, 3 }))
    h.assert_array(g, { 2, 4, 6 })
  end)

  it("after the trace ended works", function()
    local c = np.ones(3)
    ad.grad(function(x) return np.sum(x * c) end)(np.ones(3))
    c[1] = 5
    assert.are.equal(5, c[1])
  end)
end)
