-- Memory pressure: an array userdata is a few bytes of Lua memory in front
-- of the core's buffer, so the collector is told about the core's bytes
-- (core/lua_memory.c).  Loops that make and drop big arrays, or many
-- medium ones, stay bounded without any collectgarbage() call.

local h = require "tests.lua.helpers"
local np = require "adlua.numpy"
local ad = require "adlua"
local D = require("adlua.core").debug

local MB = 1024 * 1024

local function report(what, peak)
  if os.getenv("ADLUA_REPORT") then io.stderr:write(("memory pressure: %s: peak %.0f MB\n"):format(what, peak / MB)) end
end

local function live_bytes()
  local _, _, bytes = D.live()
  return bytes
end

describe("memory pressure", function()
  before_each(function()
    collectgarbage()
    collectgarbage()
  end)

  it("making and dropping 100 MB arrays stays within a few of them", function()
    local base, peak = live_bytes(), 0
    for _ = 1, 5 do
      local a = np.zeros(100 * MB / 8) -- 100 MB
      local _ = a + 1                  -- and another one
      peak = math.max(peak, live_bytes() - base)
    end
    report("5 x 2 arrays of 100 MB", peak)
    -- without the collector knowing, 10 arrays (1 GB) would be alive
    assert.is_true(peak <= 400 * MB, ("peak %.0f MB of core memory"):format(peak / MB))
  end)

  it("many 80 kB arrays stay bounded", function()
    local base, peak = live_bytes(), 0
    local x = np.ones(10000)
    for _ = 1, 3000 do
      local _ = np.exp(x) * 2 - x -- three 80 kB arrays per turn
      peak = math.max(peak, live_bytes() - base)
    end
    report("3000 x 3 arrays of 80 kB", peak)
    -- 720 MB if nothing were collected
    assert.is_true(peak <= 64 * MB, ("peak %.0f MB of core memory"):format(peak / MB))
  end)

  it("gradients of big arrays in a loop stay bounded", function()
    local base, peak = live_bytes(), 0
    local f = function(w) return np.sum(np.tanh(w) * w) end
    local w = np.ones(1000000) -- 8 MB
    for _ = 1, 20 do
      local _ = ad.grad(f)(w)
      peak = math.max(peak, live_bytes() - base)
    end
    report("20 gradients of 8 MB arrays", peak)
    assert.is_true(peak <= 200 * MB, ("peak %.0f MB of core memory"):format(peak / MB))
  end)
end)

describe("remembered transposes", function()
  it("a traced x.T, and x.T.T ..., go in the same collections as x", function()
    local base = h.settled_live()
    local g = ad.grad(function(x)
      local t = x.T
      assert.is_true(rawequal(t, x.T)) -- remembered while alive
      return np.sum(x.T.T.T * x.T) + np.sum(t.T.T)
    end)(np.ones({ 2, 3 }))
    h.assert_array(g, { { 3, 3, 3 }, { 3, 3, 3 } }, 0)
    g = nil -- luacheck: ignore 311 (the reference goes)
    assert.are.equal(base, h.settled_live())
  end)
end)
