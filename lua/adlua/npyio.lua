-- adlua.npyio: np.save, np.load, np.savez, np.loadtxt, np.savetxt.
-- Files in NumPy's formats (docs/files.md): .npy (read: versions 1-3,
-- float64/float32/int8..64/uint8..64/bool, either byte order, C or Fortran
-- order; written: version 1.0, '<f8' or '<f4' for float32, C order; a
-- float32 file loads as float32, the others as float64), .npz (zip archives of .npy
-- entries, stored), and text tables. Files are written to a temporary file
-- that is renamed into place.
local core = require "adlua.core"
local each = require "adlua.each" -- pairs, safe from Debian 12's LuaJIT (docs/luajit.md)
local numbers = require "adlua.numbers"
local check = require "adlua.argcheck"

local M = {}
local is_array = core.is_array

-- Calls a C function and raises its error at the user's call site (the
-- caller of the np function) rather than inside this file.
local function call(fn, ...)
  local ok, a, b = pcall(fn, ...)
  if not ok then error((tostring(a):gsub("^[^\n:]*:%d+: ", "")), 3) end
  return a, b
end

local function check_path(fname, path)
  if type(path) ~= "string" then
    error(("np.%s: the path must be a string, got %s"):format(fname, type(path)), 3)
  end
end

local function with_ext(path, ext)
  if path:sub(-#ext) == ext then return path end
  return path .. ext
end

--- save(path, x): x in .npy format; ".npy" is appended when path lacks it
--- (as NumPy does).
function M.save(path, x)
  check_path("save", path)
  call(core.npyio_save, with_ext(path, ".npy"), x)
end

-- Entry names of an .npz to nested tables: "a/b" -> t.a.b; names that are
-- whole numbers ("1", "2") become integer keys, so lists come back as lists.
local function key_of(part)
  if part:match("^[1-9]%d*$") and #part < 16 then return tonumber(part) end
  return part
end

local function nest(flat, path)
  local root = {}
  local names = core.keys(flat) -- a fresh list, taken in C (docs/luajit.md)
  table.sort(names)
  for _, name in ipairs(names) do
    local t, parts = root, {}
    for part in (name .. "/"):gmatch("(.-)/") do parts[#parts + 1] = part end
    for i = 1, #parts - 1 do
      local k = key_of(parts[i])
      if t[k] == nil then t[k] = {} end
      if type(t[k]) ~= "table" or is_array(t[k]) then
        error(("np.load: '%s' holds both an array and a group named %q"):format(path, parts[i]), 3)
      end
      t = t[k]
    end
    local k = key_of(parts[#parts])
    if t[k] ~= nil then
      error(("np.load: '%s' holds both an array and a group named %q"):format(path, parts[#parts]), 3)
    end
    t[k] = flat[name]
  end
  return root
end

--- load(path): an array from a .npy file, or a (nested) table of arrays
--- from an .npz archive (names split at "/").
function M.load(path)
  check_path("load", path)
  local r, is_archive = call(core.npyio_load, path)
  if is_archive then return nest(r, path) end
  return r
end

-- Flattens a nested table of arrays and numbers into names joined by "/".
local function flatten(tree, prefix, names, arrays, seen)
  if seen[tree] then error("np.savez: the table contains itself", 4) end
  seen[tree] = true
  local keys = {}
  for k in each(tree) do
    if type(k) ~= "string" and type(k) ~= "number" then
      error("np.savez: table keys must be strings or numbers, got " .. type(k), 4)
    end
    keys[#keys + 1] = k
  end
  table.sort(keys, function(a, b)
    if type(a) == type(b) then return a < b end
    return type(a) == "number"
  end)
  for _, k in ipairs(keys) do
    local name = tostring(k)
    if type(k) == "number" and (k % 1 ~= 0 or k < 1) then
      error(("np.savez: key %s: number keys must be positive whole numbers"):format(name), 4)
    end
    if name == "" or name:find("/", 1, true) then
      error(("np.savez: key %q: names must be non-empty and may not contain '/'"):format(name), 4)
    end
    local full = prefix and (prefix .. "/" .. name) or name
    local v = tree[k]
    if is_array(v) or type(v) == "number" then
      names[#names + 1] = full
      arrays[#arrays + 1] = core.value(v)
    elseif type(v) == "table" then
      flatten(v, full, names, arrays, seen)
    else
      error(("np.savez: %q is a %s, not an array, a number or a table"):format(full, type(v)), 4)
    end
  end
  seen[tree] = nil
end

--- savez(path, tree): the arrays of a (nested) table as an .npz archive,
--- entries named by their keys joined with "/" ({w = {b = x}} -> "w/b").
--- ".npz" is appended when path lacks it.
function M.savez(path, tree)
  check_path("savez", path)
  if is_array(tree) then tree = { arr_0 = tree } end
  if type(tree) ~= "table" then
    error("np.savez: expected a table of arrays, got " .. type(tree), 2)
  end
  local names, arrays = {}, {}
  flatten(tree, nil, names, arrays, {})
  call(core.npyio_savez, with_ext(path, ".npz"), names, arrays)
end

-- The options table of np.<fname>, its names checked against NumPy's:
-- `known` are those adlua implements; `unsupported` NumPy's others, refused
-- by name rather than silently ignored.
local function options(fname, opts, known, unsupported)
  if opts == nil then return {} end
  if type(opts) ~= "table" or is_array(opts) then
    error(("np.%s: options must be a table, got %s"):format(fname, check.describe(opts)), 3)
  end
  for k in each(opts) do
    if not known[k] then
      if unsupported[k] then error(("np.%s: option %s is not supported"):format(fname, k), 3) end
      local names = {}
      for name in each(known) do names[#names + 1] = name end
      table.sort(names)
      error(("np.%s: unknown option %s (options: %s)"):format(fname, tostring(k),
        table.concat(names, ", ")), 3)
    end
  end
  return opts
end

local LOADTXT_OPTS = {
  delimiter = true, comments = true, skiprows = true, usecols = true, ndmin = true,
  max_rows = true, unpack = true, dtype = true,
}
local LOADTXT_UNSUPPORTED = { converters = true, encoding = true, quotechar = true, like = true }

-- loadtxt's comments as false (none) or a list of markers, checked as
-- NumPy checks them.
local function comment_markers(comments, delimiter)
  if comments == false then return false end
  if comments == nil then comments = "#" end
  local list = comments
  if type(comments) ~= "table" or is_array(comments) then list = { comments } end
  if #list == 0 then return false end
  for _, m in ipairs(list) do
    if type(m) ~= "string" then
      error("np.loadtxt: comments must be a string, a list of strings or false, got "
        .. check.describe(m), 3)
    end
    if m == "" then
      error("np.loadtxt: comments cannot be an empty string (comments = false: no comments)", 3)
    end
    if m:find("[\r\n]") then error("np.loadtxt: comments cannot contain a newline", 3) end
    if #m == 1 and (m == delimiter or (delimiter == nil or delimiter == " ") and m:find("^%s$")) then
      error(("np.loadtxt: comments %q and delimiter %q are incompatible"):format(m, delimiter or " "), 3)
    end
  end
  return list
end

--- loadtxt(path, {delimiter =, comments =, skiprows =, usecols =, ndmin =,
--- max_rows =, unpack =, dtype =}): NumPy's options (docs/files.md).
--- usecols are 1-based (negative from the end); delimiter nil splits at
--- whitespace; comments "#" by default, a marker of any length or a list of
--- them (false: none); max_rows counts lines of data (not blank or comment
--- lines); unpack transposes; dtype "float64" (default) or "float32".
function M.loadtxt(path, opts)
  check_path("loadtxt", path)
  opts = options("loadtxt", opts, LOADTXT_OPTS, LOADTXT_UNSUPPORTED)
  local usecols = opts.usecols
  if type(usecols) == "number" then usecols = { usecols } end
  local cols
  if usecols ~= nil then
    if type(usecols) ~= "table" then error("np.loadtxt: usecols must be a number or a table", 2) end
    cols = {}
    for i, c in ipairs(usecols) do
      if type(c) ~= "number" or c == 0 or c % 1 ~= 0 then
        error(("np.loadtxt: usecols entry %s is not a 1-based column"):format(tostring(c)), 2)
      end
      cols[i] = c > 0 and c - 1 or c
    end
  end
  local dtype, unpack = opts.dtype, opts.unpack
  if dtype ~= nil and dtype ~= "float64" and dtype ~= "float32" then
    local what = type(dtype) == "string" and ("%q"):format(dtype) or check.describe(dtype)
    error(("np.loadtxt: unknown dtype %s (use \"float64\" or \"float32\")"):format(what), 2)
  end
  if unpack ~= nil and type(unpack) ~= "boolean" then
    error("np.loadtxt: unpack must be true or false, got " .. check.describe(unpack), 2)
  end
  local markers = comment_markers(opts.comments, opts.delimiter)
  local a = call(core.npyio_loadtxt, path, opts.delimiter, markers, opts.skiprows, cols, opts.ndmin,
    opts.max_rows)
  if dtype == "float32" then
    -- parsed as float64 and rounded, as NumPy does; a single value stays a number
    a = type(a) == "number" and core.array({ a }, "float32")[1] or core.astype(a, "float32")
  end
  if unpack and type(a) ~= "number" then a = core.transpose(a) end -- NumPy's arr.T
  return a
end

-- The kind of a conversion character: "int", "float" or "string"; false
-- for those that cannot write a number (%q, %p, "%5%").
local function kind_of(c)
  return c:find("^[diouxXc]$") and "int" or c:find("^[aAeEfFgG]$") and "float"
    or c == "s" and "string" or false
end

-- A savetxt fmt cut into columns of one conversion each: {piece =, kind =,
-- pre =, spec =, post =}, piece = pre .. spec .. post, the literal text
-- before the first conversion going with the first and the text after
-- each with it: "x%d|%.2f!" gives the pieces "x%d" and "|%.2f!". "%%" is a
-- literal percent sign (NumPy counts it as a conversion; Python does not).
local function split_format(f)
  local cols, start, i, before = {}, 1, 1, ""
  while true do
    local s, e, c = f:find("%%[-+ #0]*%d*%.?%d*(.)", i)
    if not s then break end
    if not (c == "%" and e == s + 1) then
      local text = f:sub(start, s - 1)
      if #cols == 0 then before = text else cols[#cols].post = text end
      cols[#cols + 1] = { kind = kind_of(c), pre = "", spec = f:sub(s, e), post = "" }
      start = e + 1
    end
    i = e + 1
  end
  if #cols == 0 then return cols end
  cols[1].pre, cols[#cols].post = before, cols[#cols].post .. f:sub(start)
  for _, col in ipairs(cols) do
    col.piece = col.pre .. col.spec .. col.post
    col.pre_text, col.post_text = col.pre:gsub("%%%%", "%%"), (col.post:gsub("%%%%", "%%"))
  end
  return cols
end

-- One number as text by a column of a savetxt fmt, the same under LuaJIT
-- and Lua 5.4, and as NumPy writes it: a float conversion goes through the
-- C library (LuaJIT's string.format rounds ties away from zero, C and
-- Python to even); 5.4's integer conversions take only whole numbers where
-- LuaJIT truncates (NumPy truncates too); glibc writes a nan with its sign
-- bit as "-nan" where NumPy writes "nan"; and %s writes tostring's text,
-- which differs (2 or 2.0), so it gets adlua's own.
local function format_cell(col, v)
  local kind = col.kind
  if kind == "int" then
    if not (v >= -2 ^ 63 and v < 2 ^ 63) then
      error(("np.savetxt: fmt %q cannot write %s as a 64-bit integer"):format(col.piece,
        numbers.format(v)), 3)
    end
    v = v < 0 and math.ceil(v) or math.floor(v)
  elseif kind == "string" then
    v = numbers.format(v)
  else
    if v ~= v then v = math.abs(v) end -- clears the sign bit
    return col.pre_text .. core.npyio_format_float(col.spec, v) .. col.post_text
  end
  return col.piece:format(v)
end

local SAVETXT_OPTS = {
  fmt = true, delimiter = true, newline = true, header = true, footer = true, comments = true,
}

-- Checks that a column of a savetxt fmt writes numbers (raised at the
-- caller of savetxt, two frames up).
local function check_column(fmt, col)
  local ok = false
  if col and col.kind == "float" then -- written by the C library (format_cell), not string.format
    ok = pcall(core.npyio_format_float, col.spec, 1.5)
  elseif col and col.kind then
    ok = pcall(string.format, col.piece, col.kind == "string" and "1.5" or 1)
  end
  if not ok then error(("np.savetxt: fmt %q is not a number format"):format(fmt), 4) end
end

-- The format of each of ncols columns and the text between them, as NumPy
-- reads fmt: a string with one conversion is used for every column
-- (joined by the delimiter); a string with one per column formats the
-- whole row (the delimiter unused); a table gives one per column.
local function column_formats(fmt, ncols, delim)
  if type(fmt) == "string" then
    local cols = split_format(fmt)
    for j = 1, #cols do check_column(fmt, cols[j]) end
    if #cols == 1 then
      for j = 2, ncols do cols[j] = cols[1] end
      return cols, delim
    end
    if #cols ~= ncols and ncols == 1 then
      error(("np.savetxt: fmt %q has %d conversions, not 1"):format(fmt, #cols), 3)
    elseif #cols ~= ncols then
      error(("np.savetxt: fmt %q has %d conversions for %d columns "
        .. "(give 1 for every column, or %d for the whole row)"):format(fmt, #cols, ncols, ncols), 3)
    end
    return cols, ""
  end
  if type(fmt) ~= "table" or is_array(fmt) or #fmt ~= ncols then
    error(("np.savetxt: fmt must be a string or a table of %d strings (one per column), got %s")
      :format(ncols, check.describe(fmt)), 3)
  end
  local cols = {}
  for j = 1, ncols do
    local f = fmt[j]
    if type(f) ~= "string" then
      error(("np.savetxt: fmt entry %d must be a string, got %s"):format(j, check.describe(f)), 3)
    end
    local c = split_format(f)
    check_column(f, #c == 1 and c[1] or nil)
    cols[j] = c[1]
  end
  return cols, delim
end

--- savetxt(path, x, {delimiter = " ", fmt = "%.18e", newline = "\n",
--- header =, footer =, comments = "# "}): a 1-d array is written one
--- number per line, a 2-d array one row per line; fmt is a format of
--- string.format with one conversion (for every column), or one
--- conversion per column (the whole row), or a table of one per column.
--- The file is replaced only once the whole text is written.
function M.savetxt(path, x, opts)
  check_path("savetxt", path)
  opts = options("savetxt", opts, SAVETXT_OPTS, { encoding = true })
  for _, name in ipairs({ "delimiter", "newline", "header", "footer", "comments" }) do
    if opts[name] ~= nil and type(opts[name]) ~= "string" then
      error(("np.savetxt: %s must be a string, got %s"):format(name, check.describe(opts[name])), 2)
    end
  end
  local a = core.value(is_array(x) and x or check.array("np.savetxt", x))
  local nd = type(a) == "number" and 0 or a.ndim
  if nd == 0 or nd > 2 then
    error(("np.savetxt: expected a 1-d or 2-d array, got %d dimensions"):format(nd), 2)
  end
  local rows = core.totable(a)
  local delim, newline = opts.delimiter or " ", opts.newline or "\n"
  local ncols = nd == 2 and a.shape[2] or 1
  local cols, joiner = column_formats(opts.fmt or "%.18e", ncols, delim)
  local out = {}
  local comments = opts.comments or "# "
  if opts.header and opts.header ~= "" then
    out[#out + 1] = comments .. opts.header:gsub("\n", "\n" .. comments) .. newline
  end
  local cells = {}
  for i = 1, #rows do
    local row = rows[i]
    if type(row) == "number" then row = { row } end
    for j = 1, ncols do cells[j] = format_cell(cols[j], row[j]) end
    out[#out + 1] = table.concat(cells, joiner, 1, ncols) .. newline
  end
  if opts.footer and opts.footer ~= "" then
    out[#out + 1] = comments .. opts.footer:gsub("\n", "\n" .. comments) .. newline
  end
  local text = table.concat(out)
  -- a fresh table's address makes the name unique (the user's math.random is left alone)
  local tmp = ("%s.tmp-%s"):format(path, tostring({}):match("0x%x+") or tostring(os.time()))
  local f, err = io.open(tmp, "wb")
  if not f then error(("np.savetxt: cannot write '%s': %s"):format(path, err), 2) end
  local ok, werr = f:write(text)
  local closed, cerr = f:close() -- flushes: a full disk shows here
  if ok and not closed then ok, werr = nil, cerr end
  if ok then ok, werr = os.rename(tmp, path) end
  if not ok then
    os.remove(tmp)
    error(("np.savetxt: cannot write '%s': %s"):format(path, tostring(werr)), 2)
  end
end

return M
