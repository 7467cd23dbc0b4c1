-- The adlua program: running scripts, -e, -l, -, -v, -h, -i, error
-- reporting and exit status, the console fed from a pipe, and the examples.
--
-- The program is $ADLUA_BIN, or build/adlua from the repository root.

local h = require "tests.lua.helpers"
local q = h.shell_quote

local BIN = os.getenv("ADLUA_BIN")
if BIN == nil or BIN == "" then BIN = "build/adlua" end

local function adlua(args, stdin_text, timeout)
  return h.run(q(BIN) .. " " .. (args or ""), stdin_text, timeout)
end

local function tmpfile(contents, suffix)
  local p = h.tmpname(suffix or ".lua")
  h.write_file(p, contents)
  return p
end

-- The lines of a text, without their line ends.
local function lines(s)
  local out = {}
  for l in (s .. "\n"):gmatch("(.-)\r?\n") do out[#out + 1] = l end
  return out
end

-- True when `text` contains `value` as a whole token (not part of a longer
-- number or word).
local function has_token(text, value)
  local pat = "%f[%w%.%-]" .. value:gsub("%p", "%%%0") .. "%f[^%w%.]"
  return text:find(pat) ~= nil
end

describe("the adlua program", function()
  it("exists and is executable", function()
    local _, _, code = h.run("test -x " .. q(BIN))
    assert.equal(0, code, BIN .. " is not an executable file (set ADLUA_BIN)")
  end)

  describe("running a script", function()
    it("passes arguments in arg, with arg[0] the script, and as ...", function()
      local script = tmpfile([[
print("n=" .. #arg)
print("0=" .. arg[0])
print("1=" .. arg[1])
print("2=" .. arg[2])
print("dots=" .. table.concat({...}, ","))
]])
      local out, err, code = adlua(q(script) .. " alpha 'b c'")
      os.remove(script)
      assert.equal(0, code, err)
      assert.truthy(out:find("n=2", 1, true), out)
      assert.truthy(out:find("0=" .. script, 1, true), out)
      assert.truthy(out:find("1=alpha", 1, true), out)
      assert.truthy(out:find("2=b c", 1, true), out)
      assert.truthy(out:find("dots=alpha,b c", 1, true), out)
    end)

    it("has adlua and adlua.numpy available by require", function()
      local script = tmpfile([[
local ad = require "adlua"
local np = require "adlua.numpy"
print(string.format("%.10g", ad.grad(np.log)(10.0)))
print(tostring(np.array({1, 2, 3})))
]])
      local out, err, code = adlua(q(script))
      os.remove(script)
      assert.equal(0, code, err)
      assert.same({ "0.1", "[1. 2. 3.]" }, { lines(out)[1], lines(out)[2] })
    end)

    it("exits with the status given to os.exit", function()
      local script = tmpfile("os.exit(3)")
      local _, _, code = adlua(q(script))
      os.remove(script)
      assert.equal(3, code)
    end)

    it("reports an error with message and traceback on stderr, exit status 1", function()
      local script = tmpfile([[
print("before")
local function inner() error("kaboom-in-script") end
local function outer() inner() end
outer()
print("after")
]])
      local out, err, code = adlua(q(script))
      os.remove(script)
      assert.equal(1, code)
      assert.truthy(out:find("before", 1, true))
      assert.falsy(out:find("after", 1, true))
      assert.truthy(err:find("kaboom-in-script", 1, true), err)
      assert.truthy(err:find("traceback", 1, true), "no traceback on stderr: " .. err)
      assert.truthy(err:find("inner", 1, true), "traceback should name the function: " .. err)
      assert.falsy(out:find("kaboom-in-script", 1, true))
    end)

    it("reports an error from the library with its message", function()
      local script = tmpfile([[
local np = require "adlua.numpy"
np.dot(np.zeros({3, 4}), np.zeros({5, 6}))
]])
      local _, err, code = adlua(q(script))
      os.remove(script)
      assert.equal(1, code)
      assert.truthy(err:find("np.dot: shapes (3,4) and (5,6) not aligned: 4 (axis 2) ~= 5 (axis 1)", 1, true), err)
    end)

    it("reports a syntax error in a script, exit status 1", function()
      local script = tmpfile("local x = = 1\n")
      local _, err, code = adlua(q(script))
      os.remove(script)
      assert.equal(1, code)
      assert.truthy(err:find("'='", 1, true) or err:find("unexpected", 1, true), err)
    end)

    it("reports a missing script, exit status 1", function()
      local _, err, code = adlua(q("/nonexistent/dir/no_such_script.lua"))
      assert.equal(1, code)
      assert.truthy(err:find("no_such_script.lua", 1, true), err)
    end)

    it("a non-string error value still gives exit status 1", function()
      local script = tmpfile("error({code = 7})")
      local _, err, code = adlua(q(script))
      os.remove(script)
      assert.equal(1, code)
      assert.truthy(#err > 0)
    end)
  end)

  describe("options", function()
    it("-e runs code", function()
      local out, err, code = adlua("-e " .. q("print(6 * 7)"))
      assert.equal(0, code, err)
      assert.equal("42", lines(out)[1])
    end)

    it("several -e run in order, before the script", function()
      local script = tmpfile("print('script sees ' .. X)")
      local out, err, code = adlua("-e " .. q("X = 1") .. " -e " .. q("X = X + 1") .. " " .. q(script))
      os.remove(script)
      assert.equal(0, code, err)
      assert.truthy(out:find("script sees 2", 1, true), out)
    end)

    it("-e with an error exits 1 with the message on stderr", function()
      local _, err, code = adlua("-e " .. q("error('e-option-failed')"))
      assert.equal(1, code)
      assert.truthy(err:find("e-option-failed", 1, true), err)
    end)

    it("-e can use the library", function()
      local out, err, code = adlua("-e " .. q([[local np = require "adlua.numpy"; print(np.sum(np.ones({4})))]]))
      assert.equal(0, code, err)
      assert.equal(4, tonumber(lines(out)[1]))
    end)

    it("sets its collector's pause to 300, which a script can change", function()
      local code_text = q([[print(collectgarbage("setpause", 200)); print(collectgarbage("setpause", 250))]])
      for _, env in ipairs({ "", "ADLUA_LUA_ALLOC=luajit " }) do
        local out, err, code = h.run(env .. q(BIN) .. " -e " .. code_text)
        assert.equal(0, code, err)
        assert.same({ "300", "200" }, { lines(out)[1], lines(out)[2] }, env)
      end
    end)

    it("turns LuaJIT's fuse optimisation off, which miscompiles loops over next", function()
      -- docs/luajit.md: Debian 12's LuaJIT keeps stale keys of `next` with it
      local code_text = q([[if not jit then print("no jit") return end
        local on = {}
        for i = 2, select("#", jit.status()) do on[select(i, jit.status())] = true end
        print(on.fuse and "fuse on" or "fuse off", on.fold and "fold on" or "fold off")]])
      local out, err, code = h.run(q(BIN) .. " -e " .. code_text)
      assert.equal(0, code, err)
      local line = lines(out)[1]
      assert.truthy(line == "no jit" or line == "fuse off\tfold on", line)
    end)

    it("gets loops over pairs and next right, where a plain luajit keeps stale keys", function()
      local code_text = q([[local f = assert(loadfile("tests/lua/fixtures/stale_keys.lua"))
        print(f("pairs"), f("next"))]])
      local out, err, code = h.run(q(BIN) .. " -e " .. code_text)
      assert.equal(0, code, err)
      assert.equal("0\t0", lines(out)[1])
    end)

    it("-l loads a module before running", function()
      local dir = h.tmpdir()
      h.write_file(dir .. "/adlua_test_mod.lua", "ADLUA_TEST_MOD_LOADED = 42\nreturn {}\n")
      local lua_path = dir .. "/?.lua;" .. (os.getenv("LUA_PATH") or ";;")
      local out, err, code = h.run("LUA_PATH=" .. q(lua_path) .. " " .. q(BIN) ..
        " -l adlua_test_mod -e " .. q("print(ADLUA_TEST_MOD_LOADED)"))
      os.remove(dir .. "/adlua_test_mod.lua")
      os.remove(dir)
      assert.equal(0, code, err)
      assert.equal("42", lines(out)[1])
    end)

    it("-l of a missing module fails with status 1 naming it", function()
      local _, err, code = adlua("-l adlua_no_such_module_xyz -e " .. q("print(1)"))
      assert.equal(1, code)
      assert.truthy(err:find("adlua_no_such_module_xyz", 1, true), err)
    end)

    it("- runs the script from standard input", function()
      local out, err, code = adlua("-", "print('from stdin ' .. (2 + 3))\n")
      assert.equal(0, code, err)
      assert.truthy(out:find("from stdin 5", 1, true), out)
    end)

    it("- with an error exits 1", function()
      local _, err, code = adlua("-", "error('stdin-script-error')\n")
      assert.equal(1, code)
      assert.truthy(err:find("stdin-script-error", 1, true), err)
    end)

    it("-v prints a version", function()
      local out, err, code = adlua("-v")
      assert.equal(0, code)
      local all = out .. err
      assert.truthy(all:lower():find("adlua", 1, true), all)
      assert.truthy(all:find("%d+%.%d+"), "no version number in: " .. all)
    end)

    it("--version prints the same version", function()
      local out1, err1 = adlua("-v")
      local out2, err2, code = adlua("--version")
      assert.equal(0, code)
      assert.equal(out1 .. err1, out2 .. err2)
    end)

    it("-h and --help print usage listing the options", function()
      for _, opt in ipairs({ "-h", "--help" }) do
        local out, err, code = adlua(opt)
        assert.equal(0, code, opt)
        local all = out .. err
        assert.truthy(all:lower():find("usage", 1, true), all)
        for _, o in ipairs({ "-e", "-l", "-i", "-v" }) do
          assert.truthy(all:find(o, 1, true), "usage does not mention " .. o)
        end
      end
    end)

    it("an unknown option prints usage and fails", function()
      local out, err, code = adlua("--no-such-option")
      assert.are_not.equal(0, code)
      assert.truthy((out .. err):lower():find("usage", 1, true))
    end)
  end)

  describe("the console with piped input (-i)", function()
    it("prints results of expressions without =", function()
      local out, err, code = adlua("-i", "1+1\n6*7\n'ab'..'cd'\n")
      assert.equal(0, code, err)
      assert.truthy(has_token(out, "2"), "no 2 in: " .. out)
      assert.truthy(has_token(out, "42"), "no 42 in: " .. out)
      assert.truthy(out:find("abcd", 1, true), out)
    end)

    it("runs statements and keeps globals between lines", function()
      local out, err, code = adlua("-i", "x = 20\ny = x + 1\nprint('y is ' .. y)\nx * 2 + 1\n")
      assert.equal(0, code, err)
      assert.truthy(out:find("y is 21", 1, true), out)
      assert.truthy(has_token(out, "41"), out)
    end)

    it("continues unfinished statements on the next lines", function()
      local input = "function triple(v)\n  return v * 3\nend\ntriple(14)\n"
        .. "t = {\n  10,\n  20,\n}\nprint('len ' .. #t)\n"
      local out, err, code = adlua("-i", input)
      assert.equal(0, code, err)
      assert.truthy(has_token(out, "42"), out)
      assert.truthy(out:find("len 2", 1, true), out)
    end)

    it("reports a syntax error and goes on", function()
      local out, err, code = adlua("-i", "x = = 1\nprint('still here')\n")
      assert.equal(0, code)
      local all = out .. err
      assert.truthy(all:find("unexpected symbol", 1, true) or all:find("'='", 1, true), all)
      assert.truthy(out:find("still here", 1, true), out)
    end)

    it("a runtime error does not end the console", function()
      local out, err, code = adlua("-i", "error('oops-in-console')\nprint('alive')\n6*7\n")
      assert.equal(0, code)
      assert.truthy((out .. err):find("oops-in-console", 1, true), out .. err)
      assert.truthy(out:find("alive", 1, true), out)
      assert.truthy(has_token(out, "42"), out)
    end)

    it("a library error does not end the console", function()
      local input = "np = require 'adlua.numpy'\nnp.zeros({-1})\nprint('next ' .. np.sum(np.ones({3})))\n"
      local out, err, code = adlua("-i", input)
      assert.equal(0, code)
      assert.truthy((out .. err):find("np.zeros", 1, true), out .. err)
      assert.truthy(out:find("next 3", 1, true), out)
    end)

    it("prints arrays NumPy-style", function()
      local out, err, code = adlua("-i", "np = require 'adlua.numpy'\nnp.array({1, 2, 3}) * 2\n")
      assert.equal(0, code, err)
      assert.truthy(out:find("[2. 4. 6.]", 1, true), out)
    end)

    it("runs the script first, then the console", function()
      local script = tmpfile("FROM_SCRIPT = 5\n")
      local out, err, code = adlua("-i " .. q(script), "FROM_SCRIPT * 9\n")
      os.remove(script)
      assert.equal(0, code, err)
      assert.truthy(has_token(out, "45"), out)
    end)
  end)

  describe("examples", function()
    it("examples/log_grad.lua prints log(10) and 0.1", function()
      local out, err, code = adlua("examples/log_grad.lua")
      assert.equal(0, code, err)
      assert.truthy(out:find("2.302585", 1, true), out)
      assert.truthy(has_token(out, "0.1"), out)
    end)

    it("examples/derivatives.lua prints rows of x, f, f', f''", function()
      local out, err, code = adlua("examples/derivatives.lua")
      assert.equal(0, code, err)
      local rows = 0
      for _, l in ipairs(lines(out)) do
        local nums = {}
        for _, n in ipairs(h.numbers_in(l)) do nums[#nums + 1] = n[1] end
        -- a table row: exactly x, f(x), f'(x), f''(x)
        if #nums == 4 and not l:find("[%a]") then
          local x, f, d1, d2 = nums[1], nums[2], nums[3], nums[4]
          local function ok(a, b) return math.abs(a - b) <= 0.05 + 1e-3 * math.abs(b) end
          assert(ok(f, 2 * x * x - 5 * x + 3), "f wrong in row: " .. l)
          assert(ok(d1, 4 * x - 5), "f' wrong in row: " .. l)
          assert(ok(d2, 4), "f'' wrong in row: " .. l)
          rows = rows + 1
        end
      end
      assert(rows >= 3, "expected a table of at least 3 rows of x, f, f', f'' in:\n" .. out)
    end)

    it("examples/train_iris.lua prints the final w to 6 decimals", function()
      local out, err, code = adlua("examples/train_iris.lua", nil, 600)
      assert.equal(0, code, err)
      local nums = h.numbers_in(out)
      for _, want in ipairs({ 3.042712507, -5.099495972, -0.6933893946 }) do
        local found = false
        for _, n in ipairs(nums) do
          local decimals = #(n[2]:match("%.(%d+)") or "")
          if decimals >= 6 and math.abs(n[1] - want) <= 1e-6 then found = true end
        end
        assert(found, ("final w component %.10g not printed to 6 decimals in:\n%s"):format(want, out))
      end
      -- the loss every 100 steps: at least 10 lines mention the loss
      local loss_lines = 0
      for _, l in ipairs(lines(out)) do
        if l:lower():find("loss", 1, true) then loss_lines = loss_lines + 1 end
      end
      assert(loss_lines >= 10, "expected the loss printed every 100 steps:\n" .. out)
    end)
  end)
end)
