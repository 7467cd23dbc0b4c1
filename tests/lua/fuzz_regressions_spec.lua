-- Replays every input that a fuzzer once found a bug with
-- (tests/fuzz/regressions/<harness>/) through the same driver the harness
-- uses, without the fuzzer: the bug must stay fixed in every build (under
-- `make test-asan` the sanitizers watch too).
package.path = "./tests/fuzz/?.lua;" .. package.path
local h = require "tests.lua.helpers"
local each = require "adlua.each" -- pairs, safe from Debian 12's LuaJIT (docs/luajit.md)

local function files_in(dir)
  local list = {}
  local p = io.popen("ls " .. h.shell_quote(dir) .. " 2>/dev/null")
  for line in p:lines() do list[#list + 1] = dir .. "/" .. line end
  p:close()
  table.sort(list)
  return list
end

describe("fuzz regressions", function()
  local drivers = { ops = require "ops_driver" }
  for name, driver in each(drivers) do
    local inputs = files_in("tests/fuzz/regressions/" .. name)
    it(name .. ": there are saved inputs", function()
      assert.is_true(#inputs > 0)
    end)
    for _, file in ipairs(inputs) do
      it(name .. ": " .. file:match("[^/]+$"), function()
        driver.run(h.read_file(file))
      end)
    end
  end
end)
