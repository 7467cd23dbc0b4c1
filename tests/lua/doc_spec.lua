-- Docstrings: every public function that exists has one (one paragraph and
-- an example), docs/api.md is what scripts/gen_api_doc.lua makes of them,
-- and help() prints them.

local h = require "tests.lua.helpers"
local each = require "adlua.each" -- pairs, safe from Debian 12's LuaJIT (docs/luajit.md)
local doc = require "adlua.doc"

local BIN = os.getenv("ADLUA_BIN")
if BIN == nil or BIN == "" then BIN = "build/adlua" end

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

describe("docstrings", function()
  it("exist for every public function (ad, np, np.linalg, np.random, plt)", function()
    local missing = {}
    for name in each(doc.public_functions()) do
      if doc.get(name) == nil then missing[#missing + 1] = name end
    end
    table.sort(missing)
    assert.same({}, missing, "functions without a docstring in lua/adlua/doc/: "
      .. table.concat(missing, " "))
  end)

  it("are one paragraph followed by an example", function()
    for name, text in each(doc.all()) do
      local para, example = text:match("^(.-)\n(.*)$")
      assert.truthy(para and #para > 20, name .. ": no paragraph")
      assert.truthy(example and example:match("^    %S"), name .. ": no indented example")
    end
  end)

  it("make docs/api.md, which is up to date", function()
    local tmp = os.tmpname()
    local _, err = h.run(h.shell_quote(BIN) .. " scripts/gen_api_doc.lua " .. h.shell_quote(tmp))
    local fresh = read(tmp)
    os.remove(tmp)
    assert.truthy(fresh:find("### `np.dot`", 1, true), err)
    assert.equal(fresh, read("docs/api.md"),
      "docs/api.md is out of date: run `make api-doc`")
  end)

  it("are printed by help(f)", function()
    local np = require "adlua.numpy"
    local printed = {}
    local real_print = print
    _G.print = function(...) printed[#printed + 1] = table.concat({...}, "\t") end
    local ok, err = pcall(doc.help, np.dot)
    _G.print = real_print
    assert.is_true(ok, err)
    local text = table.concat(printed, "\n")
    assert.truthy(text:find("np.dot", 1, true))
    assert.truthy(text:find("matrix product", 1, true))
  end)
end)
