-- The console as a person uses it: typed into through a real
-- pseudo-terminal (tests/lua/console_pty.py), the screen read back.
-- Auto-printing, completion, multi-line input, history kept across runs,
-- error recovery, Ctrl-C, help().

local h = require "tests.lua.helpers"
local q = h.shell_quote

local BIN = os.getenv("ADLUA_BIN")
if BIN == nil or BIN == "" then BIN = "build/adlua" end

-- Runs the console with the given steps (an expected text must not be part
-- of the typed keys, which the terminal echoes) ({"type", keys} / {"expect", text});
-- returns ok, transcript.
local function drive(steps, history)
  local function literal(text) -- a Python string literal
    return (("%q"):format(text):gsub("\\\n", "\\n"):gsub("\\(%d+)", function(d)
      return ("\\x%02x"):format(tonumber(d))
    end))
  end
  local lines = { "expect " .. literal("> ") } -- the first prompt: the console is ready
  for _, s in ipairs(steps) do
    lines[#lines + 1] = s[1] .. " " .. literal(s[2])
  end
  local steps_file = os.tmpname()
  h.write_file(steps_file, table.concat(lines, "\n") .. "\n")
  local out, _, code = h.run("ADLUA_HISTORY=" .. q(history) .. " python3 tests/lua/console_pty.py "
    .. q(BIN) .. " " .. q(steps_file), nil, 120)
  os.remove(steps_file)
  return code == 0, out
end

local history = os.tmpname()

describe("the console on a terminal", function()
  setup(function() os.remove(history) end)
  teardown(function() os.remove(history) end)

  it("prints expressions without =, arrays NumPy-style, tables readably", function()
    local ok, out = drive({
      {"type", "1 + 2\n"}, {"expect", "3"},
      {"type", "np.array({{1, 2}, {3, 4}})\n"}, {"expect", "[[1. 2.]"},
      {"type", "{1 + 1, name = 'a' .. 'b', inner = {x = 2 * 3}}\n"},
      {"expect", '{2, inner = {x = 6}, name = "ab"}'},
      {"type", "\4"},
    }, history)
    assert.is_true(ok, out)
    assert.truthy(out:find(" [3. 4.]]", 1, true), out)
  end)

  it("completes globals, table fields and array methods with Tab", function()
    local ok, out = drive({
      {"type", "np.linsp\t(0, 1, 3)\n"}, {"expect", "[0.  0.5 1. ]"},
      {"type", "x = np.ones(3)\n"}, {"expect", "\n> "},
      {"type", "x:su\t()\n"}, {"expect", "\n3"},
      {"type", "\4"},
    }, history)
    assert.is_true(ok, out)
  end)

  it("continues an unfinished statement and reports other syntax errors at once", function()
    local ok, out = drive({
      {"type", "for i = 1, 2 do\n"}, {"expect", ">> "},
      {"type", "print(i * 10) end\n"}, {"expect", "20"},
      {"type", "x = = 1\n"}, {"expect", "unexpected symbol"},
      {"type", "\4"},
    }, history)
    assert.is_true(ok, out)
  end)

  it("keeps the history from one run to the next", function()
    local ok, out = drive({
      {"type", "marker_value = 41 + 1\n"}, {"expect", "\n> "},
      {"type", "\4"},
    }, history)
    assert.is_true(ok, out)
    ok, out = drive({
      {"type", "\27[A\n"}, {"expect", "\n> "},  -- up arrow, enter
      {"type", "marker_value\n"}, {"expect", "42"},
      {"type", "\4"},
    }, history)
    assert.is_true(ok, out)
  end)

  it("survives errors and interrupts a long computation with Ctrl-C", function()
    local ok, out = drive({
      -- expected texts differ from the typed ones, which the terminal echoes
      {"type", "error('bo' .. 'om')\n"}, {"expect", "boom"},
      {"type", "print('star' .. 'ted'); while true do np.zeros(1) end\n"}, {"expect", "started"},
      {"type", "\3"}, {"expect", "interrupted"},
      {"type", "print('still ' .. 'here')\n"}, {"expect", "still here"},
      {"type", "\4"},
    }, history)
    assert.is_true(ok, out)
  end)

  it("offers np, ad, plt and help(np.dot)", function()
    local ok, out = drive({
      {"type", "help(np.dot)\n"}, {"expect", "matrix product"},
      {"type", "ad.grad(function(x) return x^2 end)(3)\n"}, {"expect", "6"},
      {"type", "type(plt.plot)\n"}, {"expect", "function"},
      {"type", "\4"},
    }, history)
    assert.is_true(ok, out)
  end)
end)
