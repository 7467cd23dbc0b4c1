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

local function options(fname, opts)
  if opts == nil then return {} end
  if type(opts) ~= "table" then
    error(("np.%s: options must be a table, got %s"):format(fname, type(opts)), 3)
  end
  return opts
end

--- loadtxt(path, {delimiter =, skiprows =, usecols =, comments =, ndmin =}):
--- usecols are 1-based (negative from the end); delimiter nil splits at
--- whitespace; comments "#" by default (false: none).
function M.loadtxt(path, opts)
  check_path("loadtxt", path)
  opts = options("loadtxt", opts)
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
  return (call(core.npyio_loadtxt, path, opts.delimiter, opts.comments, opts.skiprows, cols,
    opts.ndmin))
end

-- The one conversion of a savetxt fmt: "int", "float" or "string"; nil
-- for none, several, or %q.
local function conversion(f)
  local kind, n = nil, 0
  for c in f:gsub("%%%%", ""):gmatch("%%[-+ #0]*%d*%.?%d*(.)") do
    n = n + 1
    kind = c:find("^[diouxXc]$") and "int" or c:find("^[aAeEfFgG]$") and "float"
      or c == "s" and "string" or nil
  end
  return n == 1 and kind or nil
end

-- One number as text by a savetxt fmt, the same under LuaJIT and Lua 5.4:
-- 5.4's integer conversions take only whole numbers where LuaJIT
-- truncates (NumPy truncates too); glibc writes a nan with its sign bit as
-- "-nan" in 5.4 where LuaJIT writes "nan" (as NumPy does); and %s writes
-- tostring's text, which differs (2 or 2.0), so it gets adlua's own.
local function format_cell(f, kind, v)
  if kind == "int" then
    if not (v >= -2 ^ 63 and v < 2 ^ 63) then
      error(("np.savetxt: fmt %q cannot write %s as a 64-bit integer"):format(f, numbers.format(v)), 3)
    end
    v = v < 0 and math.ceil(v) or math.floor(v)
  elseif kind == "string" then
    v = numbers.format(v)
  elseif v ~= v then
    v = math.abs(v) -- clears the sign bit
  end
  return f:format(v)
end

--- savetxt(path, x, {delimiter = " ", fmt = "%.18e", newline = "\n",
--- header =, footer =, comments = "# "}): a 1-d array is written one
--- number per line, a 2-d array one row per line; fmt is a format of
--- string.format, or a table of one per column.
function M.savetxt(path, x, opts)
  check_path("savetxt", path)
  opts = options("savetxt", opts)
  local a = core.value(is_array(x) and x or core.array(x))
  if type(a) == "number" then a = core.array({ a }) end
  if a.ndim > 2 then
    error(("np.savetxt: expected a 1-d or 2-d array, got %d dimensions"):format(a.ndim), 2)
  end
  local rows = a.ndim == 0 and { { a:item() } } or core.totable(a)
  local delim, newline = opts.delimiter or " ", opts.newline or "\n"
  local fmt = opts.fmt or "%.18e"
  local ncols = a.ndim == 2 and a.shape[2] or 1
  local fmts, kinds = {}, {}
  for j = 1, ncols do
    local f = type(fmt) == "table" and fmt[j] or fmt
    if type(f) ~= "string" then
      error(("np.savetxt: fmt must be a string or a table of %d strings"):format(ncols), 2)
    end
    local kind = conversion(f)
    if not kind or not pcall(format_cell, f, kind, 1.5) then
      error(("np.savetxt: fmt %q is not a number format"):format(f), 2)
    end
    fmts[j], kinds[j] = f, kind
  end
  local out = {}
  local comments = opts.comments or "# "
  if opts.header and opts.header ~= "" then
    out[#out + 1] = comments .. opts.header:gsub("\n", "\n" .. comments) .. newline
  end
  local cells = {}
  for i = 1, #rows do
    local row = rows[i]
    if type(row) == "number" then row = { row } end
    for j = 1, ncols do cells[j] = format_cell(fmts[j], kinds[j], row[j]) end
    out[#out + 1] = table.concat(cells, delim, 1, ncols) .. newline
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
  f:close()
  if ok then ok, werr = os.rename(tmp, path) end
  if not ok then
    os.remove(tmp)
    error(("np.savetxt: cannot write '%s': %s"):format(path, tostring(werr)), 2)
  end
end

return M
