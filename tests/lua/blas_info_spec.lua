-- The OpenBLAS kernels in use (core/blas_detect.c, docs/performance.md):
-- ad.blas_info(), `adlua -v`, and that a user's OPENBLAS_CORETYPE is kept.

local h = require "tests.lua.helpers"
local q = h.shell_quote
local ad = require "adlua"

local BIN = os.getenv("ADLUA_BIN")
if BIN == nil or BIN == "" then BIN = "build/adlua" end

describe("ad.blas_info", function()
  it("names the kernels and the thread count", function()
    local info = ad.blas_info()
    assert.equal("table", type(info))
    assert.equal("number", type(info.threads))
    assert.equal("boolean", type(info.auto))
    if info.corename ~= nil then                 -- nil with a BLAS other than OpenBLAS
      assert.equal("string", type(info.corename))
      assert.truthy(#info.corename > 0)
    end
  end)
end)

describe("the adlua program's BLAS kernels", function()
  it("keeps the kernels the user asked for with OPENBLAS_CORETYPE", function()
    local out, err, code = h.run("OPENBLAS_CORETYPE=Prescott " .. q(BIN)
      .. [[ -e 'local i = require("adlua").blas_info() print(i.corename, i.auto)']])
    assert.equal(0, code, err)
    if not out:find("^nil") then                 -- OpenBLAS: its core, not replaced
      assert.equal("Prescott\tfalse\n", out)
    end
  end)

  it("-v reports the same core as ad.blas_info()", function()
    local out, err, code = h.run(q(BIN) .. " -v -e 'print(require(\"adlua\").blas_info().corename)'")
    assert.equal(0, code, err)
    local core = out:match("\n([^\n]+)\n$")
    if core ~= "nil" then
      assert.truthy(out:find("OpenBLAS core: " .. core, 1, true), out)
    end
  end)
end)
