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

-- Runs fn with the module's gnuplot command set to cmd (ADLUA_GNUPLOT);
-- returns pcall's results.
local function with_gnuplot(cmd, fn, ...)
  local getenv = os.getenv
  os.getenv = function(k)
    if k == "ADLUA_GNUPLOT" then return cmd end
    return getenv(k)
  end
  local res = { pcall(fn, ...) }
  os.getenv = getenv
  return (table.unpack or unpack)(res)
end

-- The names in a directory, sorted.
local function ls(dir)
  local p = io.popen("ls -A " .. h.shell_quote(dir))
  local names = {}
  for l in p:lines() do names[#names + 1] = l end
  p:close()
  table.sort(names)
  return names
end

local function assert_png(data)
  assert.equal("\137PNG\r\n\26\n", data:sub(1, 8))
  assert.equal("IEND", data:sub(-8, -5)) -- complete, not cut short
end

local function assert_list_near(actual, expected, tol)
  assert.equal(#expected, #actual)
  for i = 1, #expected do h.assert_near(actual[i], expected[i], tol, "item " .. i) end
end

-- The "set xrange [lo:hi]" (axis "x") or yrange of a script, as numbers.
local function range_of(s, axis)
  local lo, hi = s:match("set " .. axis .. "range %[([^:%]]+):([^%]]+)%]")
  return tonumber(lo), tonumber(hi)
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

  it("replaces an existing file only when gnuplot succeeds, leaving no temporary", function()
    local dir = h.tmpdir()
    local p = dir .. "/keep.png"
    h.write_file(p, "old contents")
    plt.plot({1, 2}, {3, 4})
    -- gnuplot missing, then gnuplot failing (`false` exits with 1)
    local ok, err = with_gnuplot("adlua-no-such-gnuplot", plt.savefig, p)
    assert.is_false(ok)
    assert.truthy(tostring(err):find("gnuplot not found", 1, true), tostring(err))
    assert.equal("old contents", h.read_file(p))
    ok, err = with_gnuplot("false", plt.savefig, p)
    assert.is_false(ok)
    assert.truthy(tostring(err):find("plot.savefig: gnuplot failed", 1, true), tostring(err))
    assert.equal("old contents", h.read_file(p))
    assert.same({"keep.png"}, ls(dir))
    -- success replaces it
    assert.equal(p, plt.savefig(p))
    assert_png(h.read_file(p))
    assert.same({"keep.png"}, ls(dir))
  end)

  it("writes through a symbolic link, which stays a link", function()
    local dir = h.tmpdir()
    h.write_file(dir .. "/target.png", "old contents")
    local made = os.execute("ln -s target.png '" .. dir .. "/link.png'")
    assert.is_true(made == 0 or made == true) -- LuaJIT's status, Lua 5.4's boolean
    plt.plot({1, 2}, {3, 4})
    plt.savefig(dir .. "/link.png")
    assert_png(h.read_file(dir .. "/target.png"))
    local p = io.popen("readlink '" .. dir .. "/link.png'")
    assert.equal("target.png", p:read("*l"))
    p:close()
    assert.same({"link.png", "target.png"}, ls(dir))
  end)

  it("says when the directory cannot be written", function()
    plt.plot({1, 2}, {3, 4})
    h.assert_error_matches(function() plt.savefig("/adlua-no-such-dir/x.png") end,
      {"plot.savefig: cannot write '/adlua-no-such-dir/x.png'", "No such file or directory"})
  end)

  it("draws empty axes for plots with no point, as matplotlib", function()
    local cases = {
      function() plt.plot({}, {}) end,
      function() plt.plot({1, 2, 3}, {0 / 0, 0 / 0, 0 / 0}) end,
    }
    for i, draw in ipairs(cases) do
      plt.figure()
      draw()
      local s = plt._script("png", nil)
      local lo, hi = range_of(s, "x")
      assert.same({0, 1}, {lo, hi}, "case " .. i)
      lo, hi = range_of(s, "y")
      assert.same({0, 1}, {lo, hi}, "case " .. i)
      local p = tmp("png")
      plt.savefig(p)
      assert_png(read(p))
      os.remove(p)
    end
    -- a series with no point beside one with a point: autoscaled on that one
    plt.figure()
    plt.plot({}, {}, {label = "none"})
    plt.plot({1, 2}, {0 / 0, 1}, {label = "one"})
    plt.legend()
    assert.truthy(plt._script("png", nil):find("set autoscale x\nset autoscale y\n"))
    local p = tmp("png")
    plt.savefig(p)
    assert_png(read(p))
    os.remove(p)
  end)

  it("takes gnuplot's warnings for what they are: one point, a constant line", function()
    -- gnuplot warns "empty x range [1:1], adjusting" and draws
    plt.plot({1}, {2}, "o")
    plt.plot({1, 1}, {2, 2})
    local p = tmp("png")
    plt.savefig(p)
    assert_png(read(p))
    os.remove(p)
  end)

  it("widens a range of one value as matplotlib (xlim(2, 2) draws 1.9..2.1)", function()
    plt.plot({1, 2, 3}, {1, 2, 3})
    plt.xlim(2, 2)
    plt.ylim(0, 0)
    local s = plt._script("png", nil)
    local lo, hi = range_of(s, "x")
    assert.near(1.9, lo, 1e-12)
    assert.near(2.1, hi, 1e-12)
    lo, hi = range_of(s, "y")
    assert.near(-0.05, lo, 1e-12)
    assert.near(0.05, hi, 1e-12)
    plt.xlim(3, 3 + 1e-16) -- within 1e-15 relative: one value too
    lo, hi = range_of(plt._script("png", nil), "x")
    assert.near(2.85, lo, 1e-12)
    assert.near(3.15, hi, 1e-12)
    local p = tmp("png")
    plt.savefig(p)
    assert_png(read(p))
    os.remove(p)
  end)

  it("draws points that all lie outside xlim (y from all the data, as matplotlib)", function()
    plt.scatter({1, 2}, {10, 20})
    plt.xlim(5, 6)
    local lo, hi = range_of(plt._script("png", nil), "y")
    assert.near(9.5, lo, 1e-12)
    assert.near(20.5, hi, 1e-12)
    local p = tmp("png")
    plt.savefig(p)
    assert_png(read(p))
    os.remove(p)
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

describe("adlua.plot hist", function()
  after_each(function() plt.close() end)

  it("draws bars from 0: the y range holds 0 and the lowest bar", function()
    local counts = plt.hist({1, 2, 2, 3}, 3)
    assert.same({1, 2, 1}, counts)
    local lo, hi = range_of(plt._script("png", nil), "y")
    assert.equal(0, lo)
    assert.near(2.1, hi, 1e-12) -- matplotlib's 5% margin above
    local p = tmp("png")
    plt.savefig(p)
    assert_png(read(p))
    os.remove(p)
  end)

  it("keeps the user's ylim", function()
    plt.hist({1, 2, 2, 3}, 3)
    plt.ylim(0.5, 3)
    local lo, hi = range_of(plt._script("png", nil), "y")
    assert.same({0.5, 3}, {lo, hi})
  end)

  it("computes densities as numpy.histogram(density=True)", function()
    -- numpy.histogram([1,2,2,3,3,3], 3, density=True)
    local d, edges = plt.hist({1, 2, 2, 3, 3, 3}, {bins = 3, density = true})
    assert_list_near(d, {0.25000000000000006, 0.5000000000000001, 0.7499999999999997}, 1e-15)
    assert_list_near(edges, {1, 1.6666666666666665, 2.333333333333333, 3}, 1e-15)
    -- the same with weights = [1,1,1,1,1,4]
    d = plt.hist({1, 2, 2, 3, 3, 3}, 3, {density = true, weights = {1, 1, 1, 1, 1, 4}})
    assert_list_near(d, {0.1666666666666667, 0.3333333333333334, 0.9999999999999996}, 1e-15)
    -- bins given as edges, with and without density
    local c = plt.hist({0.5, 1, 1.5, 2, 7, 9}, {0, 1, 2, 10})
    assert.same({1, 2, 3}, c)
    plt.figure()
    d = plt.hist(np.array({0.5, 1, 1.5, 2, 7, 9}), np.array({0, 1, 2, 10}), {density = true})
    assert_list_near(d, {1 / 6, 1 / 3, 0.0625}, 1e-15)
    -- the bars' y range follows the densities
    local lo, hi = range_of(plt._script("png", nil), "y")
    assert.equal(0, lo)
    assert.near(1 / 3 * 1.05, hi, 1e-12)
  end)

  it("counts in range only, skips NaN, and bins no values in 0..1 as numpy", function()
    local c, edges = plt.hist({0.1, 0.2, 0.3, 0.7, 0 / 0, 5}, 4, {range = {0, 1}})
    assert.same({2, 1, 1, 0}, c)
    assert.same({0, 0.25, 0.5, 0.75, 1}, edges)
    plt.figure()
    c, edges = plt.hist({}, 3)
    assert.same({0, 0, 0}, c)
    assert.near(1, edges[4], 1e-15)
    local lo, hi = range_of(plt._script("png", nil), "y")
    assert.same({0, 1}, {lo, hi})
  end)

  it("rejects options it does not implement, and bad bins", function()
    h.assert_error_matches(function() plt.hist({1, 2}, {bins = 3, cumulative = true}) end,
      "plot.hist: unknown option 'cumulative' (supported: bins, range, density, weights, color, label)")
    h.assert_error_matches(function() plt.hist({1, 2}, 3, {histtype = "step"}) end,
      "plot.hist: unknown option 'histtype'")
    h.assert_error_matches(function() plt.hist({1, 2}, 3, {bins = 4}) end,
      "plot.hist: bins given twice")
    h.assert_error_matches(function() plt.hist({1, 2}, {2, 1}) end,
      "plot.hist: bin edges must increase")
    h.assert_error_matches(function() plt.hist({1, 2}, 0) end,
      "plot.hist: bins must be a positive whole number or a list of edges")
    h.assert_error_matches(function() plt.hist({1, 2}, 2, {weights = {1}}) end,
      "plot.hist: weights must have the length of x, got 1 and 2")
    h.assert_error_matches(function() plt.hist({1, 2}, 2, {range = {1, 0}}) end,
      "plot.hist: range must be {lo, hi} with lo <= hi")
    h.assert_error_matches(function() plt.hist({1, 1 / 0}) end,
      "plot.hist: x has infinite values (give opts.range)")
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

  it("says how to install gnuplot when it is missing, at the caller's line", function()
    plt.plot({1, 2}, {3, 4})
    local p = tmp("png")
    -- point the module at a gnuplot that does not exist
    local ok, err = with_gnuplot("adlua-no-such-gnuplot", function()
      plt.savefig(p) -- the error must name this line
    end)
    assert.is_false(ok)
    assert.truthy(tostring(err):find("sudo apt install gnuplot-nox", 1, true), tostring(err))
    assert.truthy(tostring(err):find("^[^\n]*plot_spec%.lua:%d+: plot%.savefig: gnuplot not found"),
      tostring(err))
    local f = io.open(p, "rb")
    if f then f:close(); os.remove(p) end
    assert.is_nil(f) -- nothing written
    ok, err = with_gnuplot("adlua-no-such-gnuplot", function()
      plt.show({text = true})
    end)
    assert.is_false(ok)
    assert.truthy(tostring(err):find("^[^\n]*plot_spec%.lua:%d+: plot%.show: gnuplot not found"),
      tostring(err))
  end)

  it("rejects limits that are not finite", function()
    h.assert_error_matches(function() plt.xlim(0, 0 / 0) end,
      "plot.xlim: limits must be finite, got 0 and")
    h.assert_error_matches(function() plt.ylim({-1 / 0, 1}) end,
      "plot.ylim: limits must be finite, got -inf and 1")
  end)
end)
