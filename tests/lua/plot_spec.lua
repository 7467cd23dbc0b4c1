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

-- savefig of the current figure writes a complete PNG
local function assert_saves_png()
  local p = tmp("png")
  plt.savefig(p)
  assert_png(read(p))
  os.remove(p)
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
      assert_saves_png()
    end
    -- a series with no point beside one with a point: autoscaled on that one
    plt.figure()
    plt.plot({}, {}, {label = "none"})
    plt.plot({1, 2}, {0 / 0, 1}, {label = "one"})
    plt.legend()
    assert.truthy(plt._script("png", nil):find("set autoscale x\nset autoscale y\n"))
    assert_saves_png()
  end)

  it("takes gnuplot's warnings for what they are: one point, a constant line", function()
    -- gnuplot warns "empty x range [1:1], adjusting" and draws
    plt.plot({1}, {2}, "o")
    plt.plot({1, 1}, {2, 2})
    assert_saves_png()
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
    assert_saves_png()
  end)

  it("draws points that all lie outside xlim (y from all the data, as matplotlib)", function()
    plt.scatter({1, 2}, {10, 20})
    plt.xlim(5, 6)
    local lo, hi = range_of(plt._script("png", nil), "y")
    assert.near(9.5, lo, 1e-12)
    assert.near(20.5, hi, 1e-12)
    assert_saves_png()
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
    assert_saves_png()
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

-- The gnuplot script of the current figure (terminal and output do not matter).
local function script()
  return plt._script("png", nil)
end

-- Asserts that the script holds each of the plain strings.
local function assert_script_has(...)
  local s = script()
  for _, want in ipairs({...}) do
    assert.truthy(s:find(want, 1, true), "script lacks " .. want .. " in:\n" .. s)
  end
end

-- The width and height of a PNG (its IHDR chunk).
local function png_size(data)
  local function u32(i)
    local a, b, c, d = data:byte(i, i + 3)
    return ((a * 256 + b) * 256 + c) * 256 + d
  end
  return u32(17), u32(21)
end

describe("adlua.plot scatter options", function()
  after_each(function() plt.close() end)

  it("draws s as matplotlib's marker area (points^2) and c as one colour", function()
    -- matplotlib's default s = 36 = 6^2 is gnuplot's default point (ps 1)
    plt.scatter({1, 2}, {3, 4}, {s = 144, c = "r"})
    plt.scatter({1, 2}, {3, 4}, {s = 36, c = "tab:orange", marker = "s", alpha = 0.5})
    plt.scatter({1, 2}, {3, 4}, {color = {0, 0, 1}, label = "blue"})
    plt.legend()
    assert_script_has("with points lc rgb '#ff0000' pt 7 ps 2 notitle",
      "with points lc rgb '#80ff7f0e' pt 5 ps 1 notitle",
      "with points lc rgb '#0000ff' pt 7 title \"blue\"")
  end)

  it("draws one size and one colour per point", function()
    plt.scatter({1, 2, 3}, {4, 5, 6}, {s = {9, 36, 144}, c = {"r", "#00ff0080", {0, 0, 1}}})
    local s = script()
    assert.truthy(s:find("using 1:2:3:4 with points lc rgb variable pt 7 ps variable", 1, true), s)
    -- x y point-size colour (0xAARRGGBB, AA the transparency: 0x7f = 1 - 128/255)
    assert.truthy(s:find("1 4 0.5 16711680\n2 5 1 2130771712\n3 6 2 255\n", 1, true), s)
    -- an array of RGB rows, and a 1-row array as one colour
    plt.figure()
    plt.scatter(np.array({1, 2}), np.array({3, 4}), {c = np.array({{1, 0, 0}, {0, 1, 0}})})
    plt.scatter({1, 2}, {3, 4}, {c = np.array({{0, 0, 1}})})
    s = script()
    assert.truthy(s:find("1 3 16711680\n2 4 65280\n", 1, true), s)
    assert.truthy(s:find("using 1:2 with points lc rgb '#0000ff' pt 7 notitle", 1, true), s)
    assert_saves_png()
  end)

  it("takes its colour from matplotlib's patch cycle, apart from plot's lines", function()
    plt.plot({1, 2}, {1, 2}) -- C0
    plt.scatter({1, 2}, {1, 2}) -- C0 too: scatter and hist share another cycle
    plt.scatter({1, 2}, {1, 2}, {c = "k"}) -- a colour given: the cycle stays
    plt.hist({1, 2}, 2) -- C1
    local colors = {}
    for c in script():match("\nplot .*"):gmatch("lc rgb '(#%x+)'") do colors[#colors + 1] = c end
    assert.same({"#1f77b4", "#1f77b4", "#000000", "#ff7f0e"}, colors)
  end)

  it("rejects options it does not implement, and c or s it cannot draw", function()
    local xy = {{1, 2, 3}, {4, 5, 6}}
    local function scatter(opts) return function() plt.scatter(xy[1], xy[2], opts) end end
    h.assert_error_matches(scatter({foo = 1}),
      "plot.scatter: unknown option 'foo' (supported: s, c, color, marker, alpha, label)")
    h.assert_error_matches(scatter({cmap = "viridis"}), "plot.scatter: unknown option 'cmap'")
    h.assert_error_matches(scatter({c = {0.1, 0.5, 0.9}}),
      "plot.scatter: c as numbers to colour-map (one per point) is not supported")
    h.assert_error_matches(scatter({c = {"r", "g"}}),
      "plot.scatter: c must be a colour or one colour per point, got 2 for 3 points")
    h.assert_error_matches(scatter({c = {"r", "g", "nocolour"}}),
      {"plot.scatter: c 'nocolour' is not a colour", "(point 3)"})
    h.assert_error_matches(scatter({c = "r", color = "b"}), "plot.scatter: give c or color, not both")
    h.assert_error_matches(scatter({s = {1, 2}}),
      "plot.scatter: s must be a number or one number per point, got 2 sizes for 3 points")
    h.assert_error_matches(scatter({s = -4}), "plot.scatter: s must be a non-negative number, got -4")
    h.assert_error_matches(scatter({marker = "h"}),
      "plot.scatter: marker 'h' is not supported (supported: . , o v ^ s p * + x D d)")
    h.assert_error_matches(scatter({alpha = {0.5, 0.5, 0.5}}),
      "plot.scatter: alpha must be a number between 0 and 1 (an alpha per point is not supported)")
    h.assert_error_matches(function() plt.scatter(xy[1], xy[2], 20) end,
      "plot.scatter: expected scatter(x, y, opts?) with opts a table")
    assert.equal(0, #plt.subplot(1, 1, 1).series) -- nothing drawn by the failed calls
  end)
end)

describe("adlua.plot plot options", function()
  after_each(function() plt.close() end)
  local x, y = {0, 1, 2}, {0, 1, 4}

  it("takes matplotlib's Line2D options, over fmt", function()
    plt.plot(x, y, "r--")
    plt.plot(x, y, "r--", {c = "g", lw = 3, ls = ":"})
    plt.plot(x, y, {color = "orange", alpha = 0.25, linestyle = "dashdot", linewidth = 0.5})
    plt.plot(x, y, "k", {marker = "o", ms = 12}) -- marker and the default line
    plt.plot(x, y, "bs") -- a marker alone draws no line
    plt.plot(x, y, "bs", {ls = "-", markersize = 3})
    plt.plot(x, y, "g-", {marker = "D", ls = "None"})
    plt.plot(x, y, {ls = "", marker = "None"}) -- nothing drawn, as matplotlib
    assert_script_has(
      "with lines lc rgb '#ff0000' lw 1.5 dt 2 notitle",
      "with lines lc rgb '#008000' lw 3 dt 3 notitle",
      "with lines lc rgb '#bfffa500' lw 0.5 dt 4 notitle",
      "with linespoints lc rgb '#000000' lw 1.5 dt 1 pt 7 ps 2 notitle",
      "with points lc rgb '#0000ff' pt 5 notitle",
      "with linespoints lc rgb '#0000ff' lw 1.5 dt 1 pt 5 ps 0.5 notitle",
      "with points lc rgb '#008000' pt 13 notitle",
      "with points lc rgb '#1f77b4' pt ' ' notitle")
    assert_saves_png()
  end)

  it("reads colours as matplotlib.colors.to_rgba", function()
    local cases = {
      {"r", "#ff0000"}, {"g", "#008000"}, {"c", "#00bfbf"}, -- matplotlib's letters
      {"tab:blue", "#1f77b4"}, {"C3", "#d62728"}, {"C12", "#2ca02c"},
      {"orange", "#ffa500"}, {"DarkSlateGray", "#2f4f4f"}, {"#abc", "#aabbcc"},
      {"#11223380", "#7f112233"}, {"0.25", "#404040"}, {{1, 0.5, 0}, "#ff8000"},
      {{0, 0, 1, 0.5}, "#800000ff"}, {"none", "#ff000000"},
    }
    for i, case in ipairs(cases) do
      plt.figure()
      plt.plot(x, y, {color = case[1], label = "line"})
      assert.truthy(script():find("lc rgb '" .. case[2] .. "'", 1, true),
        "case " .. i .. ": " .. tostring(case[1]))
    end
    -- alpha replaces the colour's own
    plt.figure()
    plt.plot(x, y, {color = "#ff000080", alpha = 1})
    assert_script_has("lc rgb '#ff0000'")
  end)

  it("advances the colour cycle only for lines given no colour, as matplotlib", function()
    plt.plot(x, y, "r")
    plt.plot(x, y, {color = "k"})
    plt.plot(x, y)
    plt.plot(x, y)
    local colors = {}
    for c in script():match("\nplot .*"):gmatch("lc rgb '(#%x+)'") do colors[#colors + 1] = c end
    assert.same({"#ff0000", "#000000", "#1f77b4", "#ff7f0e"}, colors)
  end)

  it("leaves labels starting with _ out of the legend", function()
    plt.plot(x, y, {label = "_hidden"})
    plt.plot(x, y, {label = "shown"})
    plt.legend()
    local s = script()
    assert.falsy(s:find("_hidden", 1, true), s)
    assert.truthy(s:find('title "shown"', 1, true), s)
  end)

  it("rejects options it does not implement, and bad values", function()
    local function plot(fmt, opts) return function() plt.plot(x, y, fmt, opts) end end
    h.assert_error_matches(plot({foo = 1}), "plot.plot: unknown option 'foo' (supported: color, c, " ..
      "alpha, label, linewidth, lw, linestyle, ls, marker, markersize, ms)")
    h.assert_error_matches(plot("r", {drawstyle = "steps"}), "plot.plot: unknown option 'drawstyle'")
    h.assert_error_matches(plot({linewidth = 1, lw = 2}),
      "plot.plot: got both 'linewidth' and 'lw', which are aliases of one another")
    h.assert_error_matches(plot({color = "r", c = "g"}), "plot.plot: got both 'color' and 'c'")
    h.assert_error_matches(plot({color = "blurple"}),
      {"plot.plot: color 'blurple' is not a colour", "'tab:blue'", "#rrggbb"})
    h.assert_error_matches(plot({color = {1, 2, 3}}),
      "plot.plot: color as a table must be {r, g, b} or {r, g, b, a} with values in 0..1")
    h.assert_error_matches(plot({color = "1.5"}), "plot.plot: color '1.5' is not a colour")
    h.assert_error_matches(plot({ls = "loose"}), "plot.plot: linestyle 'loose' is not supported")
    h.assert_error_matches(plot({marker = "h"}), "plot.plot: marker 'h' is not supported")
    h.assert_error_matches(plot({alpha = 1.5}), "plot.plot: alpha must be between 0 and 1, got 1.5")
    h.assert_error_matches(plot({lw = -1}), "plot.plot: linewidth must be a non-negative number, got -1")
    h.assert_error_matches(plot({ms = 0 / 0}), "plot.plot: markersize must be a non-negative number")
    h.assert_error_matches(function() plt.plot(x, {{1, 2}, {3, 4}, {5, 6}}, {label = {"a"}}) end,
      "plot.plot: label must be a string, or a list of one label per line: got 1 for 2 lines")
    h.assert_error_matches(function() plt.plot(x, y, x, y) end,
      "plot.plot: expected plot(x, y, fmt?, opts?)")
    assert.equal(0, #plt.subplot(1, 1, 1).series)
  end)
end)

describe("adlua.plot options of the other functions", function()
  after_each(function() plt.close() end)

  it("title, xlabel and ylabel take fontsize and color", function()
    plt.title("T", {fontsize = 14, color = "r"})
    plt.xlabel("x", {size = "large"}) -- matplotlib's 1.2 times the 11-point font
    plt.ylabel("y", {c = "0"})
    assert_script_has([[set title "T" font ',14' textcolor rgb '#ff0000']],
      [[set xlabel "x" font ',13.199999999999999']], [[set ylabel "y" textcolor rgb '#000000']])
    h.assert_error_matches(function() plt.title("T", {loc = "left"}) end,
      "plot.title: unknown option 'loc' (supported: fontsize, size, color, c)")
    h.assert_error_matches(function() plt.xlabel("x", {fontsize = "huge"}) end,
      "plot.xlabel: fontsize must be a positive number of points or one of xx-small")
    h.assert_error_matches(function() plt.ylabel("y", {color = "blurple"}) end,
      "plot.ylabel: color 'blurple' is not a colour")
  end)

  it("legend takes loc (names and codes), title, frameon and fontsize", function()
    plt.plot({1, 2}, {1, 2}, {label = "a"})
    local cases = {
      {{loc = "lower center"}, "set key bottom center box opaque\n"},
      {{loc = "upper center"}, "set key top center box opaque\n"},
      {{loc = "right"}, "set key right center box opaque\n"},
      {{loc = 3}, "set key bottom left box opaque\n"},
      {{loc = 0}, "set key top right box opaque\n"}, -- "best"
      {{title = "Legend", frameon = false, fontsize = 9},
       "set key top right nobox noopaque title \"Legend\" font ',9'\n"},
    }
    for i, case in ipairs(cases) do
      plt.legend(case[1])
      assert.truthy(script():find(case[2], 1, true), "case " .. i)
    end
    plt.legend({"renamed"}, {loc = "center"})
    assert_script_has("set key center center box opaque", 'title "renamed"')
    h.assert_error_matches(function() plt.legend({ncol = 2}) end,
      "plot.legend: unknown option 'ncol' (supported: loc, title, frameon, fontsize)")
    h.assert_error_matches(function() plt.legend({loc = "somewhere"}) end,
      "plot.legend: loc 'somewhere' is not supported (supported: best, upper right")
    h.assert_error_matches(function() plt.legend({loc = 11}) end, "plot.legend: loc '11' is not supported")
    h.assert_error_matches(function() plt.legend({loc = {0.5, 0.5}}) end,
      "plot.legend: loc as a table (a position) is not supported")
  end)

  it("grid toggles as matplotlib, per axis, with line options", function()
    plt.plot({1, 2}, {1, 2})
    plt.grid()
    assert_script_has("set grid xtics ytics lc rgb '#cccccc'\n")
    plt.grid() -- grid() toggles
    assert_script_has("unset grid\n")
    plt.grid(true, {axis = "y"})
    assert_script_has("set grid noxtics ytics lc rgb '#cccccc'\n")
    plt.grid(nil, {axis = "x"}) -- toggles x
    assert_script_has("set grid xtics ytics lc rgb '#cccccc'\n")
    plt.grid(false, {axis = "both"})
    assert_script_has("unset grid\n")
    plt.grid({color = "r", ls = "--", lw = 2, alpha = 0.5}) -- line options turn it on
    assert_script_has("set grid xtics ytics lc rgb '#80ff0000' lw 2 dt 2\n")
    plt.grid(false)
    plt.grid(true)
    assert_script_has("set grid xtics ytics lc rgb '#80ff0000' lw 2 dt 2\n") -- the style stays
    h.assert_error_matches(function() plt.grid(1) end,
      "plot.grid: visible must be true, false or nil (to toggle), got number")
    h.assert_error_matches(function() plt.grid(true, {which = "minor"}) end,
      "plot.grid: which = 'minor' is not supported")
    h.assert_error_matches(function() plt.grid(true, {axis = "z"}) end,
      "plot.grid: axis must be 'both', 'x' or 'y', got z")
    h.assert_error_matches(function() plt.grid(true, {marker = "o"}) end,
      "plot.grid: unknown option 'marker' (supported: axis, which, color, c, linestyle, ls, " ..
      "linewidth, lw, alpha)")
  end)

  it("figure takes figsize and dpi; savefig dpi and format", function()
    plt.figure({figsize = {4, 3}, dpi = 200})
    plt.plot({1, 2}, {1, 2})
    local p = tmp("png")
    plt.savefig(p) -- the figure's dpi: 4 x 3 inches at 200
    local data = read(p)
    assert_png(data)
    assert.same({800, 600}, {png_size(data)})
    plt.savefig(p, {dpi = 50})
    data = read(p)
    os.remove(p)
    assert.same({200, 150}, {png_size(data)})
    -- text, lines and markers scale with dpi, as matplotlib's
    assert.equal("pngcairo size 1600,1200 noenhanced font 'DejaVu Sans,11' fontscale 2 " ..
      "linewidth 2 pointscale 2", plt._terminal("png", {8, 6}, 200))
    assert.equal("pngcairo size 800,600 noenhanced font 'DejaVu Sans,11'",
      plt._terminal("png", nil, 100))
    -- vector formats: dpi changes nothing
    assert.equal(plt._terminal("svg", {4, 3}, 100), plt._terminal("svg", {4, 3}, 300))
    assert.equal(plt._terminal("pdf", {4, 3}, 100), plt._terminal("pdf", {4, 3}, 300))
    -- format overrides the extension; a path without one gets .png
    local dir = h.tmpdir()
    assert.equal(dir .. "/fig.png", plt.savefig(dir .. "/fig.png", {format = "svg"}))
    assert.truthy(h.read_file(dir .. "/fig.png"):find("<svg", 1, true))
    assert.equal(dir .. "/noext.png", plt.savefig(dir .. "/noext"))
    assert_png(h.read_file(dir .. "/noext.png"))
    assert.same({"fig.png", "noext.png"}, ls(dir))
  end)

  it("figure and savefig reject what they do not implement", function()
    h.assert_error_matches(function() plt.figure(1) end,
      "plot.figure: expected figure(opts), opts a table such as {figsize = {8, 4}}, got a number")
    h.assert_error_matches(function() plt.figure({facecolor = "w"}) end,
      "plot.figure: unknown option 'facecolor' (supported: figsize, dpi)")
    h.assert_error_matches(function() plt.figure({figsize = {0, 3}}) end,
      "plot.figure: figsize must be {width, height}, two positive numbers of inches")
    h.assert_error_matches(function() plt.figure({dpi = -1}) end,
      "plot.figure: dpi must be a positive number, got -1")
    plt.plot({1, 2}, {1, 2})
    local dir = h.tmpdir()
    h.assert_error_matches(function() plt.savefig(dir .. "/a.png", {transparent = true}) end,
      "plot.savefig: unknown option 'transparent' (supported: dpi, format)")
    h.assert_error_matches(function() plt.savefig(dir .. "/a.png", {dpi = 0}) end,
      "plot.savefig: dpi must be a positive number, got 0")
    h.assert_error_matches(function() plt.savefig(dir .. "/a.png", {format = "jpg"}) end,
      "plot.savefig: unsupported format 'jpg' (supported: png, svg, pdf)")
    assert.same({}, ls(dir))
  end)

  it("subplot sets title, labels and limits; show and close check theirs", function()
    plt.subplot(2, 1, 1, {title = "top", xlim = {0, 2}})
    plt.plot({1, 2}, {1, 2})
    plt.subplot(212, {ylabel = "y", ylim = {-1, 1}})
    plt.plot({1, 2}, {1, 2})
    assert_script_has('set title "top"\nunset xlabel\nunset ylabel\nset xrange [0:2]',
      'unset title\nunset xlabel\nset ylabel "y"\nset autoscale x\nset yrange [-1:1]')
    h.assert_error_matches(function() plt.subplot(2, 1, 1, {sharex = true}) end,
      "plot.subplot: unknown option 'sharex' (supported: title, xlabel, ylabel, xlim, ylim)")
    h.assert_error_matches(function() plt.subplot(2, 1, 1, {xlim = 3}) end,
      "plot.subplot: xlim: expected {lo, hi}, two numbers")
    h.assert_error_matches(function() plt.subplot(2, 1, 1.5) end,
      "plot.subplot: expected (rows, cols, index) of positive whole numbers")
    h.assert_error_matches(function() plt.xlim({left = 0}) end,
      "plot.xlim: unknown option 'left' (expected xlim(lo, hi) or xlim({lo, hi}))")
    h.assert_error_matches(function() plt.show({block = false}) end,
      "plot.show: unknown option 'block' (supported: text)")
    h.assert_error_matches(function() plt.close(3) end,
      "plot.close: expected close(), close(\"all\") or close(fig), got number")
    plt.close("all")
    local f = plt.figure()
    plt.close(f)
  end)
end)
