-- The examples of issue 4 run by the adlua program, with their numbers
-- checked: the digits network, Newton's method, a custom rule, and
-- jacobian/hessian against finite differences.

local h = require "tests.lua.helpers"

local bin = os.getenv("ADLUA_BIN") or "build/adlua"
local function run(script, env)
  local out, err, code = h.run((env or "") .. " " .. h.shell_quote(bin) .. " " .. script, nil, 300)
  assert.equal(0, code, err)
  return out
end

describe("examples of the differential operators", function()
  it("mlp_digits.lua reaches at least 95% accuracy on the held-out fifth", function()
    local out = run("examples/mlp_digits.lua")
    local acc, ntest = out:match("test accuracy ([%d.]+) on (%d+) held%-out images")
    assert.is_not_nil(acc, out)
    assert.equal("359", ntest)
    assert.is_true(tonumber(acc) >= 0.95, out)
  end)

  it("mlp_digits.lua in smoke mode", function()
    local out = run("examples/mlp_digits.lua", "ADLUA_SMOKE=1")
    assert.is_truthy(out:find("test accuracy [%d.]+ on 359 held%-out images %(5 iterations%)"), out)
  end)

  it("newton.lua converges to (1, 1)", function()
    local out = run("examples/newton.lua")
    local last
    for line in out:gmatch("[^\n]+") do last = line end
    local x, y = last:match("x = +(%S+) +y = +(%S+)")
    assert.is_true(math.abs(tonumber(x) - 1) < 1e-9 and math.abs(tonumber(y) - 1) < 1e-9, out)
  end)

  it("custom_rule.lua clips the gradient through its own rule", function()
    local out = run("examples/custom_rule.lua")
    assert.is_truthy(out:find("through clip_grad\t[ 0.2 -1.   1. ]", 1, true), out)
  end)

  it("jacobian_fd.lua agrees with finite differences", function()
    local out = run("examples/jacobian_fd.lua")
    local n = 0
    for d in out:gmatch("largest difference from finite differences: (%S+)") do
      n = n + 1
      assert.is_true(tonumber(d) < 1e-7, out)
    end
    assert.equal(2, n)
  end)
end)

describe("load_digits", function()
  it("gives scikit-learn's digits: shapes and values", function()
    local np = require "adlua.numpy"
    local d = require("adlua.datasets").load_digits()
    assert.same({ 1797, 64 }, d.data.shape)
    assert.same({ 1797, 8, 8 }, d.images.shape)
    assert.same({ 1797 }, d.target.shape)
    -- sklearn: data.sum() == 561718, target[0] == 0, target[-1] == 8, data[0, 2] == 5
    assert.equal(561718, np.sum(d.data))
    assert.equal(0, d.target[1])
    assert.equal(8, d.target[1797])
    assert.equal(5, d.data[{ 1, 3 }])
    assert.equal(5, d.images[{ 1, 1, 3 }])
    assert.equal(10, #d.target_names)
  end)
end)
