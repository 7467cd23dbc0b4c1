-- docs/functions.md is generated from the module by
-- scripts/gen_function_list.lua; this fails when it is stale.
local h = require "tests.lua.helpers"

describe("docs/functions.md", function()
  it("is what scripts/gen_function_list.lua writes now", function()
    local tmp = os.tmpname()
    local ok, err = pcall(assert(loadfile("scripts/gen_function_list.lua")), tmp)
    assert(ok, err)
    local fresh, committed = h.read_file(tmp), h.read_file("docs/functions.md")
    os.remove(tmp)
    assert.truthy(fresh:find("| `np.arcsin` | reverse rule (primitive) |", 1, true))
    assert(fresh == committed,
      "docs/functions.md is stale: run build/adlua scripts/gen_function_list.lua docs/functions.md")
  end)
end)
