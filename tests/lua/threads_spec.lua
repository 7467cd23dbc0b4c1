-- Large elementwise work split over cores (core/parallel.c):
-- ad.set_num_threads / ad.get_num_threads, ADLUA_NUM_THREADS, `adlua -v`,
-- and results that do not depend on the number of threads.

local h = require "tests.lua.helpers"
local q = h.shell_quote
local ad = require "adlua"
local np = require "adlua.numpy"

local BIN = os.getenv("ADLUA_BIN")
if BIN == nil or BIN == "" then BIN = "build/adlua" end

describe("ad.set_num_threads", function()
  local saved
  before_each(function() saved = ad.get_num_threads() end)
  after_each(function() ad.set_num_threads(saved) end)

  it("returns the previous number and clamps to 1..8", function()
    assert.equal(saved, ad.set_num_threads(3))
    assert.equal(3, ad.get_num_threads())
    assert.equal(3, ad.set_num_threads(100))
    assert.equal(8, ad.get_num_threads())
  end)

  it("rejects what is not a whole number of at least 1", function()
    for _, bad in ipairs({ 0, -1, 1.5, 0 / 0 }) do
      local ok, err = pcall(ad.set_num_threads, bad)
      assert.is_false(ok)
      assert.truthy(err:find("set_num_threads: expected a whole number >= 1, got", 1, true), err)
    end
    local ok, err = pcall(ad.set_num_threads, "2")
    assert.is_false(ok)
    assert.truthy(err:find("got string", 1, true), err)
    assert.equal(saved, ad.get_num_threads())
  end)

  it("gives the same bits with one thread and several, for every layout", function()
    np.random.seed(7)
    local x = np.random.randn(300001) * 8
    local xs = np.random.randn(2, 150001)[{ {}, { 1, -1, 2 } }]    -- strided
    local x32 = x:astype("float32")
    local function all()
      return { np.exp(x), np.log(np.abs(x)), np.tanh(x), np.tanh(xs), np.exp(x32), np.tanh(x32) }
    end
    ad.set_num_threads(1)
    local one = all()
    ad.set_num_threads(4)
    local many = all()
    for i = 1, #one do
      assert.equal(one[i].dtype, many[i].dtype)
      assert.is_true(np.array_equal(one[i], many[i]), "result " .. i)
    end
    -- and the values are tanh's
    local small = np.array({ -30, -1, -1e-300, 0, 0.5, 1, 22, 1 / 0 })
    local t = np.tanh(small)
    for i = 1, 8 do assert.near(math.tanh(small[i]), t[i], 1e-15) end
  end)
end)

describe("the adlua program's threads", function()
  it("takes ADLUA_NUM_THREADS and reports it with -v", function()
    local out, err, code = h.run("ADLUA_NUM_THREADS=1 " .. q(BIN)
      .. [[ -v -e 'print(require("adlua").get_num_threads())']])
    assert.equal(0, code, err)
    assert.truthy(out:find("elementwise: [%w+]+, 1 threads%)"), out)
    assert.truthy(out:find("\n1\n$"), out)
  end)

  it("ignores an ADLUA_NUM_THREADS that is not a number", function()
    local out, err, code = h.run("ADLUA_NUM_THREADS=lots " .. q(BIN)
      .. [[ -e 'print(require("adlua").get_num_threads() >= 1)']])
    assert.equal(0, code, err)
    assert.equal("true\n", out)
  end)
end)
