-- adlua.plot: every format rendered by gnuplot and checked as a file (PNG
-- signature and size, SVG with the legend text, PDF header), the text
-- drawing of show() without a display, and the errors.

local h = require "tests.lua.helpers"
local np = require "adlua.numpy"
local plt = require "adlua.plot"

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

local function tmp(ext)
  local p = os.tmpname()
  os.remove(p)
  return p .. "." .. ext
end

local function two_lines()
  plt.figure()
  local x = np.linspace(-4, 4, 40)
  plt.plot(x, np.sin(x), "r-", {label = "sine_curve"})
  plt.plot(x, np.cos(x), "bo", {label = "cosine"})
  plt.title("Two waves")
  plt.xlabel("x axis")
  plt.ylabel("y axis")
  plt.xlim(-4, 4)
  plt.ylim(-1.5, 1.5)
  plt.grid()
  plt.legend()
end

describe("adlua.plot savefig", function()
  after_each(function() plt.close() end)

  it("writes a PNG by extension", function()
    two_lines()
    local p = tmp("png")
    assert.equal(p, plt.savefig(p))
    local data = read(p)
    os.remove(p)
    assert.equal("\137PNG\r\n\26\n", data:sub(1, 8))
    assert.is_true(#data > 5000) -- a drawn figure, not an empty image
  end)

  it("writes an SVG holding the title, labels and legend text", function()
    two_lines()
    local p = tmp("svg")
    plt.savefig(p)
    local data = read(p)
    os.remove(p)
    assert.truthy(data:find("<svg", 1, true))
    for _, text in ipairs({"Two waves", "x axis", "y axis", "sine_curve", "cosine"}) do
      assert.truthy(data:find(text, 1, true), text)
    end
  end)

  it("writes a PDF", function()
    two_lines()
    local p = tmp("pdf")
    plt.savefig(p)
    local data = read(p)
    os.remove(p)
    assert.equal("%PDF-", data:sub(1, 5))
    assert.truthy(data:find("%%EOF", 1, true))
  end)

  it("draws scatter, hist and subplots from Lua tables", function()
    plt.figure()
    plt.subplot(2, 1, 1)
    local counts, edges = plt.hist({1, 2, 2, 3, 3, 3, 4}, 3, {label = "counts"})
    assert.same({1, 2, 4}, counts)
    assert.equal(4, #edges)
    assert.near(1, edges[1], 1e-12)
    assert.near(4, edges[4], 1e-12)
    plt.title("histogram_top")
    plt.subplot(2, 1, 2)
    plt.scatter({1, 2, 3}, {3, 1, 2}, {label = "points"})
    plt.legend()
    plt.title("scatter_bottom")
    local p = tmp("svg")
    plt.savefig(p)
    local data = read(p)
    os.remove(p)
    assert.truthy(data:find("histogram_top", 1, true))
    assert.truthy(data:find("scatter_bottom", 1, true))
    assert.truthy(data:find("points", 1, true))
  end)

  it("plots the columns of a 2-d array as separate lines", function()
    plt.figure()
    plt.plot(np.array({{1, 2}, {2, 4}, {3, 6}}), {label = {"first", "second"}})
    plt.legend()
    local s = plt._script("svg", nil)
    assert.truthy(s:find('"first"', 1, true))
    assert.truthy(s:find('"second"', 1, true))
  end)
end)

describe("adlua.plot show without a display", function()
  after_each(function() plt.close() end)

  it("draws the figure as text with its title and legend", function()
    two_lines()
    local real_write = io.write
    io.write = function() end -- keep the test output clean
    local ok, text = pcall(plt.show, {text = true})
    io.write = real_write
    assert.is_true(ok, text)
    assert.truthy(text:find("Two waves", 1, true))
    assert.truthy(text:find("sine_curve", 1, true))
    assert.truthy(text:find("x axis", 1, true))
  end)
end)

describe("adlua.plot errors", function()
  after_each(function() plt.close() end)

  it("rejects an unknown file extension", function()
    plt.plot({1, 2}, {3, 4})
    h.assert_error_matches(function() plt.savefig("figure.bmp") end,
      "plot.savefig: unsupported format 'bmp'")
  end)

  it("rejects a bad format string", function()
    h.assert_error_matches(function() plt.plot({1, 2}, {3, 4}, "rz") end,
      "plot.plot: unrecognized character 'z'")
  end)

  it("rejects x and y of different lengths", function()
    h.assert_error_matches(function() plt.plot({1, 2, 3}, {3, 4}) end,
      "x and y must have the same length, got 3 and 2")
  end)

  it("rejects a subplot index outside the grid", function()
    h.assert_error_matches(function() plt.subplot(2, 2, 5) end, "index 5 out of range 1..4")
  end)

  it("says how to install gnuplot when it is missing", function()
    plt.plot({1, 2}, {3, 4})
    local p = tmp("png")
    local ok, err
    -- point the module at a gnuplot that does not exist
    local getenv = os.getenv
    os.getenv = function(k)
      if k == "ADLUA_GNUPLOT" then return "adlua-no-such-gnuplot" end
      return getenv(k)
    end
    ok, err = pcall(plt.savefig, p)
    os.getenv = getenv
    os.remove(p)
    assert.is_false(ok)
    assert.truthy(tostring(err):find("sudo apt install gnuplot-nox", 1, true), tostring(err))
  end)
end)
