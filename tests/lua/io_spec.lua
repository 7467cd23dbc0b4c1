-- Files: np.save/np.load (.npy), np.savez (.npz), np.loadtxt/np.savetxt.
-- NumPy-written files are frozen in tests/fixtures/npy (by
-- scripts/gen_np_fixtures.py, with their values in expected.lua); the
-- other direction is checked byte for byte against NumPy's own files, and
-- live with /usr/bin/python3 when it has numpy.

local h = require "tests.lua.helpers"
local each = require "adlua.each" -- pairs, safe from Debian 12's LuaJIT (docs/luajit.md)
local np = require "adlua.numpy"
local expected = dofile("tests/fixtures/npy/expected.lua")
local FIX = "tests/fixtures/npy/"

local dir = h.tmpdir()
local function path(name) return dir .. "/" .. name end

local function has_numpy()
  local _, _, code = h.run("/usr/bin/python3 -c 'import numpy'")
  return code == 0
end

describe("np.load of files written by NumPy", function()
  for name, want in each(expected) do
    it(name .. ".npy", function()
      local x = np.load(FIX .. name .. ".npy")
      if #want.shape == 0 then
        h.assert_number(x, want.values, 0)
      else
        h.assert_array(x, want.values, 0, nil, want.shape)
      end
    end)
  end

  it("an .npz archive becomes a nested table (names split at '/')", function()
    local t = np.load(FIX .. "nested.npz")
    h.assert_array(t.w, expected.f8_c.values, 0)
    h.assert_array(t.layers[1].W, { { 1, 0 }, { 0, 1 } }, 0)
    h.assert_array(t.layers[1].b, { 0, 0 }, 0)
    h.assert_array(t.layers[2].W, { { 1, 1 } }, 0)
    h.assert_number(t.layers[2].b, 3, 0)
    assert.equal(2, #t.layers)
  end)

  it("a compressed .npz is a clear error", function()
    h.assert_error_matches(function() np.load(FIX .. "compressed.npz") end,
      { "np.load:", "'a.npy' is compressed", "np.savez_compressed" })
  end)
end)

describe("np.save writes what NumPy writes", function()
  it("byte for byte (float64, C order, version 1.0)", function()
    local base = np.array(expected.f8_c.values)
    np.save(path("f8_c.npy"), base)
    assert.equal(h.read_file(FIX .. "f8_c.npy"), h.read_file(path("f8_c.npy")))
    np.save(path("vec"), np.array(expected.vec.values)) -- ".npy" appended
    assert.equal(h.read_file(FIX .. "vec.npy"), h.read_file(path("vec.npy")))
    np.save(path("scalar.npy"), 2.5)
    assert.equal(h.read_file(FIX .. "scalar.npy"), h.read_file(path("scalar.npy")))
    np.save(path("empty.npy"), np.zeros({ 0, 3 }))
    assert.equal(h.read_file(FIX .. "empty.npy"), h.read_file(path("empty.npy")))
  end)

  it("round trips non-contiguous views and traced values", function()
    local x = np.array({ { 1, 2, 3 }, { 4, 5, 6 } }).T
    np.save(path("t.npy"), x)
    h.assert_close(np.load(path("t.npy")), x, 0)
  end)

  it("NumPy itself reads adlua's .npy and .npz (live, when python3-numpy is there)", function()
    if not has_numpy() then return pending("/usr/bin/python3 with numpy is not installed") end
    np.save(path("live.npy"), np.array({ { 1.5, -2 }, { 1e-300, 7 } }))
    np.savez(path("live.npz"), { a = np.arange(3), g = { h = np.eye(2) }, list = { 5, 6 } })
    local script = ([==[
import numpy as np
x = np.load(%q); assert x.dtype == np.float64 and x.tolist() == [[1.5, -2.0], [1e-300, 7.0]], x
z = np.load(%q); assert sorted(z.keys()) == ['a', 'g/h', 'list/1', 'list/2'], z.keys()
assert z['a'].tolist() == [0, 1, 2] and z['g/h'].tolist() == [[1, 0], [0, 1]] and z['list/2'] == 6
print('ok')]==]):format(path("live.npy"), path("live.npz"))
    local out, err, code = h.run("/usr/bin/python3 -", script)
    assert.equal(0, code, err)
    assert.equal("ok", out:match("%S+"))
  end)
end)

describe("np.savez", function()
  it("round trips a nested table of arrays and numbers", function()
    local params = { w = np.ones({ 2, 2 }), layers = { { b = np.zeros({ 3 }) }, { b = 4 } } }
    np.savez(path("p"), params) -- ".npz" appended
    local t = np.load(path("p.npz"))
    h.assert_close(t.w, params.w, 0)
    h.assert_close(t.layers[1].b, params.layers[1].b, 0)
    h.assert_number(t.layers[2].b, 4, 0)
  end)

  it("rejects what it cannot name", function()
    h.assert_error_matches(function() np.savez(path("bad.npz"), { ["a/b"] = 1 }) end,
      "may not contain '/'")
    h.assert_error_matches(function() np.savez(path("bad.npz"), { f = print }) end,
      "np.savez: \"f\" is a function")
  end)
end)

describe("np.loadtxt and np.savetxt", function()
  it("CSV with delimiter, skiprows and 1-based usecols", function()
    h.write_file(path("a.csv"), "x,y,z\n1,2,3\n4,5,6.5 # note\n\n7,8,9\n")
    local x = np.loadtxt(path("a.csv"), { delimiter = ",", skiprows = 1 })
    h.assert_array(x, { { 1, 2, 3 }, { 4, 5, 6.5 }, { 7, 8, 9 } }, 0)
    h.assert_array(np.loadtxt(path("a.csv"), { delimiter = ",", skiprows = 1, usecols = { 3, 1 } }),
      { { 3, 1 }, { 6.5, 4 }, { 9, 7 } }, 0)
    h.assert_array(np.loadtxt(path("a.csv"), { delimiter = ",", skiprows = 1, usecols = -1 }),
      { 3, 6.5, 9 }, 0)
  end)

  it("whitespace tables; NumPy's squeezing and ndmin", function()
    h.write_file(path("w.txt"), "  1   2\t3\n")
    h.assert_array(np.loadtxt(path("w.txt")), { 1, 2, 3 }, 0)
    h.assert_array(np.loadtxt(path("w.txt"), { ndmin = 2 }), { { 1, 2, 3 } }, 0)
    h.write_file(path("one.txt"), "42\n")
    h.assert_number(np.loadtxt(path("one.txt")), 42, 0)
    h.assert_array(np.loadtxt(path("one.txt"), { ndmin = 1 }), { 42 }, 0)
    h.write_file(path("nan.txt"), "nan inf -1e3\n")
    local v = h.flat(np.loadtxt(path("nan.txt")))
    assert.is_true(v[1] ~= v[1]); assert.equal(math.huge, v[2]); assert.equal(-1000, v[3])
  end)

  it("malformed lines name their line number", function()
    h.write_file(path("bad.csv"), "1,2\n3,x\n")
    h.assert_error_matches(function() np.loadtxt(path("bad.csv"), { delimiter = "," }) end,
      "np.loadtxt: line 2: could not convert 'x' to a number (column 2)")
    h.write_file(path("ragged.csv"), "1,2\n\n3\n")
    h.assert_error_matches(function() np.loadtxt(path("ragged.csv"), { delimiter = "," }) end,
      "np.loadtxt: line 3: the number of columns changed from 2 to 1")
    h.assert_error_matches(function() np.loadtxt(path("ragged.csv"), { delimiter = ",", usecols = { 5 } }) end,
      "line 1: usecols: column 5 is out of range for 2 columns")
    h.assert_error_matches(function() np.loadtxt(path("missing.csv")) end,
      { "np.loadtxt: cannot open", "missing.csv" })
  end)

  it("savetxt writes what loadtxt reads, with fmt and delimiter", function()
    local x = np.array({ { 1.5, -2 }, { 1 / 3, 1e-300 } })
    np.savetxt(path("s.txt"), x)
    h.assert_close(np.loadtxt(path("s.txt")), x, 0) -- %.18e keeps every bit
    np.savetxt(path("s.csv"), x, { delimiter = ",", fmt = "%.3f", header = "a,b" })
    assert.equal("# a,b\n1.500,-2.000\n0.333,0.000\n", h.read_file(path("s.csv")))
    np.savetxt(path("v.txt"), np.array({ 1, 2 }), { fmt = "%d" })
    assert.equal("1\n2\n", h.read_file(path("v.txt")))
    h.assert_error_matches(function() np.savetxt(path("z.txt"), x, { fmt = "%q%q" }) end,
      "np.savetxt: fmt")
  end)

  it("savetxt writes the same text under LuaJIT and Lua 5.4", function()
    local x = np.array({ 2.5, -2.5, 3, 1 / 3 })
    np.savetxt(path("i.txt"), x, { fmt = "%d" }) -- truncated toward zero, as NumPy
    assert.equal("2\n-2\n3\n0\n", h.read_file(path("i.txt")))
    np.savetxt(path("x.txt"), x, { fmt = "%x" })
    assert.equal("2\nfffffffffffffffe\n3\n0\n", h.read_file(path("x.txt")))
    np.savetxt(path("s.txt"), x, { fmt = "[%s]" }) -- the shortest text that reads back
    assert.equal("[2.5]\n[-2.5]\n[3]\n[0.3333333333333333]\n", h.read_file(path("s.txt")))
    local nan = np.array({ 0 / 0, -(0 / 0), 1 / 0 })
    np.savetxt(path("n.txt"), nan, { fmt = "%5.1f" }) -- never "-nan"
    assert.equal("  nan\n  nan\n  inf\n", h.read_file(path("n.txt")))
    h.assert_error_matches(function() np.savetxt(path("z.txt"), nan, { fmt = "%d" }) end,
      { "io_spec.lua:", 'np.savetxt: fmt "%d" cannot write nan as a 64-bit integer' })
    h.assert_error_matches(function() np.savetxt(path("z.txt"), np.array({ 1e300 }), { fmt = "%d" }) end,
      'np.savetxt: fmt "%d" cannot write 1e+300 as a 64-bit integer')
    h.assert_error_matches(function() np.savetxt(path("z.txt"), x, { fmt = "%q" }) end,
      'np.savetxt: fmt "%q" is not a number format')
    for _, c in ipairs({ { "abc", 0 }, { "%d %d", 2 }, { "%%d", 0 } }) do
      h.assert_error_matches(function() np.savetxt(path("z.txt"), x, { fmt = c[1] }) end,
        ("np.savetxt: fmt %q has %d conversions, not 1"):format(c[1], c[2]))
    end
  end)
end)

describe("np.loadtxt's options (NumPy's)", function()
  local cols = path("cols.txt")
  h.write_file(cols, "1 2 3\n4 5 6\n")

  it("max_rows reads that many rows of data (blank and comment lines not counted)", function()
    h.assert_array(np.loadtxt(cols, { max_rows = 1 }), { 1, 2, 3 }, 0)
    h.assert_array(np.loadtxt(cols, { max_rows = 5 }), { { 1, 2, 3 }, { 4, 5, 6 } }, 0)
    h.assert_array(np.loadtxt(cols, { max_rows = 0 }), {}, 0, nil, { 0 })
    h.write_file(path("mr.txt"), "# c\n1 2\n\n# x\n3 4\n5 6\n")
    h.assert_array(np.loadtxt(path("mr.txt"), { max_rows = 2 }), { { 1, 2 }, { 3, 4 } }, 0)
    -- the lines after the last row read are not parsed (NumPy: the same)
    h.write_file(path("mr2.txt"), "1 2\n3 4\nx y z\n")
    h.assert_array(np.loadtxt(path("mr2.txt"), { max_rows = 2 }), { { 1, 2 }, { 3, 4 } }, 0)
    -- skiprows counts lines first, then max_rows rows
    h.write_file(path("mr3.csv"), "# header\na,b,c\n1,2,3\n4,5,6\n\n7,8,9 # trailing\n")
    h.assert_array(np.loadtxt(path("mr3.csv"), { delimiter = ",", skiprows = 2, max_rows = 2 }),
      { { 1, 2, 3 }, { 4, 5, 6 } }, 0)
    h.assert_error_matches(function() np.loadtxt(cols, { max_rows = -1 }) end,
      "np.loadtxt: max_rows -1 is out of range")
    h.assert_error_matches(function() np.loadtxt(cols, { max_rows = 1.5 }) end,
      "np.loadtxt: max_rows must be a whole number, got 1.5")
  end)

  it("unpack transposes (NumPy's arr.T)", function()
    h.assert_array(np.loadtxt(cols, { unpack = true }), { { 1, 4 }, { 2, 5 }, { 3, 6 } }, 0)
    h.assert_array(np.loadtxt(cols, { unpack = true, max_rows = 1 }), { 1, 2, 3 }, 0)
    h.assert_array(np.loadtxt(cols, { unpack = true, max_rows = 1, ndmin = 2 }),
      { { 1 }, { 2 }, { 3 } }, 0)
    h.assert_array(np.loadtxt(cols, { unpack = true, usecols = { 3, 1 } }), { { 3, 6 }, { 1, 4 } }, 0)
    h.assert_error_matches(function() np.loadtxt(cols, { unpack = "yes" }) end,
      "np.loadtxt: unpack must be true or false")
  end)

  it("dtype float32 or float64", function()
    h.write_file(path("tenth.txt"), "0.1 0.2\n0.3 0.4\n")
    local x = np.loadtxt(path("tenth.txt"), { dtype = "float32" })
    assert.equal("float32", x.dtype)
    -- float32 of each value (NumPy: array([[0.1, 0.2], [0.3, 0.4]], dtype=float32))
    h.assert_array(x, { { 0.100000001490116119384765625, 0.20000000298023223876953125 },
      { 0.300000011920928955078125, 0.4000000059604644775390625 } }, 0)
    assert.equal("float64", np.loadtxt(path("tenth.txt"), { dtype = "float64" }).dtype)
    h.write_file(path("one.txt"), "0.1\n")
    assert.equal(0.100000001490116119384765625, np.loadtxt(path("one.txt"), { dtype = "float32" }))
    h.assert_error_matches(function() np.loadtxt(cols, { dtype = "int" }) end,
      'np.loadtxt: unknown dtype "int" (use "float64" or "float32")')
  end)

  it("comments: markers of any length, or a list of them", function()
    h.write_file(path("cc.txt"), "x//c\n1 2 // hi\n")
    h.assert_array(np.loadtxt(path("cc.txt"), { comments = "//", skiprows = 1 }), { 1, 2 }, 0)
    h.write_file(path("pct.txt"), "% c1\n1;2\n# c2\n3;4 % end\n")
    h.assert_array(np.loadtxt(path("pct.txt"), { delimiter = ";", comments = { "%", "#" } }),
      { { 1, 2 }, { 3, 4 } }, 0)
    -- a line ends at the first marker of any of them
    h.write_file(path("first.txt"), "1 2 #/x\n3 4 /# y\n")
    h.assert_array(np.loadtxt(path("first.txt"), { comments = { "/#", "#/" } }), { { 1, 2 }, { 3, 4 } }, 0)
    h.assert_array(np.loadtxt(path("first.txt"), { comments = { "#", "/" } }), { { 1, 2 }, { 3, 4 } }, 0)
    -- errors still name the file's own lines
    h.write_file(path("cl.txt"), "1 2 // a\n// b\n\n3 x\n")
    h.assert_error_matches(function() np.loadtxt(path("cl.txt"), { comments = "//" }) end,
      "np.loadtxt: line 4: could not convert 'x' to a number (column 2)")
    h.assert_error_matches(function() np.loadtxt(path("cl.txt"), { comments = "//", max_rows = 2 }) end,
      "np.loadtxt: line 4: could not convert 'x'")
    h.assert_array(np.loadtxt(path("cc.txt"), { comments = {}, skiprows = 1, usecols = { 1, 2 } }),
      { 1, 2 }, 0)
    h.assert_error_matches(function() np.loadtxt(cols, { comments = "" }) end,
      "np.loadtxt: comments cannot be an empty string (comments = false: no comments)")
    h.assert_error_matches(function() np.loadtxt(cols, { comments = { "#", 3 } }) end,
      "np.loadtxt: comments must be a string, a list of strings or false, got 3")
    h.assert_error_matches(function() np.loadtxt(cols, { comments = ",", delimiter = "," }) end,
      'np.loadtxt: comments "," and delimiter "," are incompatible')
    h.assert_error_matches(function() np.loadtxt(cols, { comments = " " }) end,
      'np.loadtxt: comments " " and delimiter " " are incompatible')
  end)

  it("unknown options are an error, NumPy's unsupported ones too", function()
    h.assert_error_matches(function() np.loadtxt(cols, { max_row = 1 }) end,
      { "io_spec.lua:", "np.loadtxt: unknown option max_row (options: comments, delimiter, dtype, " ..
        "max_rows, ndmin, skiprows, unpack, usecols)" })
    h.assert_error_matches(function() np.loadtxt(cols, { converters = {} }) end,
      "np.loadtxt: option converters is not supported")
    h.assert_error_matches(function() np.loadtxt(cols, { [1] = "," }) end, "np.loadtxt: unknown option 1")
    h.assert_error_matches(function() np.loadtxt(cols, ",") end,
      "np.loadtxt: options must be a table, got a string")
  end)
end)

describe("np.savetxt's fmt and options (NumPy's)", function()
  local m = np.array({ { 1.5, 2.25 }, { 3, 4 } })

  it("a format with one conversion per column formats the whole row", function()
    np.savetxt(path("rf.txt"), m, { fmt = "%.1f|%.2f" })
    assert.equal("1.5|2.25\n3.0|4.00\n", h.read_file(path("rf.txt")))
    np.savetxt(path("rf.txt"), m, { fmt = "x%d y%d!", delimiter = "," }) -- the delimiter unused
    assert.equal("x1 y2!\nx3 y4!\n", h.read_file(path("rf.txt")))
    np.savetxt(path("rf.txt"), m, { fmt = "%.1f%%", delimiter = "," }) -- %% is a literal %
    assert.equal("1.5%,2.2%\n3.0%,4.0%\n", h.read_file(path("rf.txt")))
    np.savetxt(path("rf.txt"), m, { fmt = { "%g", "<%.1f>" }, delimiter = ";" })
    assert.equal("1.5;<2.2>\n3;<4.0>\n", h.read_file(path("rf.txt")))
    h.assert_error_matches(function() np.savetxt(path("rf.txt"), m, { fmt = "%.1f|%.2f|%g" }) end,
      'np.savetxt: fmt "%.1f|%.2f|%g" has 3 conversions for 2 columns (give 1 for every column, or 2 for the whole row)')
    h.assert_error_matches(function() np.savetxt(path("rf.txt"), m, { fmt = "%.1f|%q" }) end,
      'np.savetxt: fmt "%.1f|%q" is not a number format')
    h.assert_error_matches(function() np.savetxt(path("rf.txt"), m, { fmt = { "%g" } }) end,
      "np.savetxt: fmt must be a string or a table of 2 strings (one per column), got a table")
    h.assert_error_matches(function() np.savetxt(path("rf.txt"), m, { fmt = { "%g", "%g %g" } }) end,
      'np.savetxt: fmt "%g %g" is not a number format')
  end)

  it("float conversions round a tie to even, as NumPy (LuaJIT's string.format does not)", function()
    np.savetxt(path("tie.txt"), np.array({ { 2.25, 0.125, 2.5, 1.0625, -0.5 } }),
      { fmt = { "%.1f", "%.2f", "%.0f", "%.3e", "%.0g" } })
    assert.equal("2.2 0.12 2 1.062e+00 -0.5\n", h.read_file(path("tie.txt")))
    np.savetxt(path("tie.txt"), np.array({ 0.125, -0.0 }), { fmt = "%+08.2f" })
    assert.equal("+0000.12\n-0000.00\n", h.read_file(path("tie.txt")))
    np.savetxt(path("tie.txt"), np.array({ 1 / 3 }), { fmt = "%-10.3Fx" })
    assert.equal("0.333     x\n", h.read_file(path("tie.txt")))
  end)

  it("a number or 0-d array is refused, as NumPy refuses it", function()
    h.assert_error_matches(function() np.savetxt(path("zero_d.txt"), 5) end,
      { "io_spec.lua:", "np.savetxt: expected a 1-d or 2-d array, got 0 dimensions" })
    h.assert_error_matches(function() np.savetxt(path("zero_d.txt"), np.zeros({})) end,
      "np.savetxt: expected a 1-d or 2-d array, got 0 dimensions")
    assert.is_nil(io.open(path("zero_d.txt")))
  end)

  it("unknown options are an error", function()
    h.assert_error_matches(function() np.savetxt(path("o.txt"), m, { delimeter = "," }) end,
      "np.savetxt: unknown option delimeter (options: comments, delimiter, fmt, footer, header, newline)")
    h.assert_error_matches(function() np.savetxt(path("o.txt"), m, { encoding = "latin1" }) end,
      "np.savetxt: option encoding is not supported")
    h.assert_error_matches(function() np.savetxt(path("o.txt"), m, { header = 3 }) end,
      "np.savetxt: header must be a string, got 3")
  end)

  it("a failed savetxt leaves an existing file as it was, and no temporary file", function()
    local target = path("keep.txt")
    h.write_file(target, "old\n")
    local bad = {
      function() np.savetxt(target, 5) end,
      function() np.savetxt(target, m, { fmt = "%q" }) end,
      function() np.savetxt(target, np.array({ 1, 0 / 0 }), { fmt = "%d" }) end, -- fails on row 2
      function() np.savetxt(target, m, { bogus = true }) end,
      function() np.savetxt(dir .. "/no/such/dir/x.txt", m) end,
    }
    for _, f in ipairs(bad) do
      assert.is_false(pcall(f))
      assert.equal("old\n", h.read_file(target))
    end
    local listing = h.run("ls -a " .. h.shell_quote(dir))
    assert.is_nil(listing:find(".tmp-", 1, true))
  end)
end)

describe("malformed .npy and .npz files", function()
  local good = h.read_file(FIX .. "f8_c.npy")
  local cases = {
    { "empty file", "", "neither a .npy nor a .npz" },
    { "magic only", "\147NUMPY", "ends inside the preamble" },
    { "bad version", "\147NUMPY\009\000" .. good:sub(9), "version 9.0 is not supported" },
    { "header longer than the file", "\147NUMPY\001\000\255\255{", "ends inside the header" },
    { "truncated data", good:sub(1, #good - 8), "is truncated" },
    { "garbage header", good:sub(1, 10) .. ("x"):rep(#good - 10), "not a valid .npy file" },
    { "negative dimension", good:gsub("%(2, 3%)", "(-2, 3)"), "negative dimension" },
    { "overflowing shape", good:gsub("%(2, 3%),", "(99999999999, 99999999999),"):sub(1, 128),
      "overflows" },
    { "huge shape, short data", good:gsub("%(2, 3%),", "(200000, 300000),"), "is truncated" },
    { "object dtype", good:gsub("<f8", "|O8"), "unsupported dtype '|O8'" },
    { "records", good:gsub("'<f8'", "[('a', '<f8')]"), "structured dtypes" },
    { "missing key", good:gsub("'fortran_order': False, ", ""), "lacks" },
    { "zip garbage", "PK\003\004" .. ("\000"):rep(40), "not a valid .npz" },
  }
  for _, c in ipairs(cases) do
    it(c[1] .. " is an error, not a crash", function()
      h.write_file(path("bad.npy"), c[2])
      h.assert_error_matches(function() np.load(path("bad.npy")) end, { "np.load:", c[3] })
    end)
  end

  it("a corrupt .npz entry is caught by its CRC", function()
    np.savez(path("c.npz"), { a = np.arange(4) })
    local z = h.read_file(path("c.npz"))
    local at = #z - 22 - 46 - 5 - 1 -- the last data byte of the only entry
    h.write_file(path("c.npz"), z:sub(1, at - 1) .. "\001" .. z:sub(at + 1))
    h.assert_error_matches(function() np.load(path("c.npz")) end, "CRC-32 mismatch")
  end)
end)
