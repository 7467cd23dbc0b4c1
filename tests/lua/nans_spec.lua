-- NaN debugging (issue 4): with ad.debug_nans(true), the first operation
-- producing NaN or Inf, forward or backward, raises an error naming it and
-- the line of the user's code.

local h = require "tests.lua.helpers"
local np = require "adlua.numpy"
local ad = require "adlua"

local function line_of(marker)
  local info = debug.getinfo(1, "S")
  local n = 0
  for l in io.lines(info.source:sub(2)) do
    n = n + 1
    if l:find(marker, 1, true) and not l:find("line_of", 1, true) then return n end
  end
end

describe("debug_nans", function()
  after_each(function() ad.debug_nans(false) end)

  it("is off by default: NaN flows through", function()
    local v = np.log(-1)
    assert.is_true(v ~= v)
  end)

  it("names the forward operation and the user's line", function()
    ad.debug_nans(true)
    local msg = h.error_message(function()
      local x = np.array({ 1, -1 })
      local y = np.log(x) -- FORWARD-NAN
      return y
    end)
    assert.is_truthy(msg:find("log: produced NaN or Inf from finite values (debug_nans)", 1, true), msg)
    assert.is_truthy(msg:find("nans_spec.lua:" .. line_of("FORWARD-NAN"), 1, true), msg)
  end)

  it("names the operation whose derivative overflows in the backward pass, with its line", function()
    ad.debug_nans(true)
    local f = function(x)
      local r = np.sqrt(x) -- BACKWARD-NAN
      return np.sum(r)
    end
    local msg = h.error_message(ad.grad(f), np.array({ 0, 4 }))
    assert.is_truthy(msg:find("sqrt: its derivative produced NaN or Inf from finite values (debug_nans)", 1, true), msg)
    assert.is_truthy(msg:find("nans_spec.lua:" .. line_of("BACKWARD-NAN"), 1, true), msg)
  end)

  it("names it also when the derivative's gradient could be written in place", function()
    -- a chain whose last rule may reuse the incoming gradient's numbers
    -- (core/rules_fast.c result_for): the check compares the rule's result
    -- with the gradient it was given, so that gradient must stay as it was
    ad.debug_nans(true)
    local f = function(x)
      local r = np.sqrt(x * 1.0) -- CHAIN-NAN
      return r
    end
    local msg = h.error_message(ad.grad(f), 0.0)
    assert.is_truthy(msg:find("sqrt: its derivative produced NaN or Inf from finite values (debug_nans)", 1, true), msg)
    assert.is_truthy(msg:find("nans_spec.lua:" .. line_of("CHAIN-NAN"), 1, true), msg)
  end)

  it("blames only the operation that made the NaN, not those that pass it on", function()
    local nan = np.log(-1)
    ad.debug_nans(true)
    local v = np.exp(np.array({ nan, 1 }))
    assert.is_true(v[1] ~= v[1])
  end)

  it("leaves finite computations alone and returns the previous setting", function()
    assert.is_false(ad.debug_nans(true))
    h.assert_array(ad.grad(function(x) return np.sum(np.sqrt(x)) end)(np.array({ 1, 4 })), { 0.5, 0.25 }, 1e-15)
    assert.is_true(ad.debug_nans(false))
  end)
end)
