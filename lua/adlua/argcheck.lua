-- adlua.argcheck: argument checks shared by the np functions written in Lua
-- (shape.lua, products.lua, numpy_compose.lua, indexing.lua, random.lua,
-- linalg.lua). Each check raises a Lua error that names the public function
-- and says what was wrong with which argument, with the wording of the C
-- binding's checks (core/lua_array.c): "np.tri: N must be a non-negative
-- whole number, got -1". Sizes follow the core's limits: at most 16 axes
-- and 2^48 elements; what passes those and still cannot be allocated is
-- reported by the allocation itself, under the function's name.
--
-- `level` is error()'s level as seen by the public function (2: its
-- caller); the helpers add their own frame.
local core = require "adlua.core"
local unpack = unpack or table.unpack
local function pack(...) return { n = select("#", ...), ... } end

local M = {}

local is_array = core.is_array
local floor, huge = math.floor, math.huge

M.MAX_DIMS = 16
M.MAX_SIZE = 2 ^ 48 -- ADL_MAX_SIZE (core/adl_core.h)
M.MAX_EXACT = 2 ^ 53 -- the largest range of whole numbers a double holds

--- What v is, for messages: "nil", "a boolean", "an array of shape (2,3)",
--- or the number itself.
function M.describe(v)
  if v == nil then return "nil" end
  if type(v) == "number" then return tostring(v) end
  if is_array(v) then
    local s = v.shape
    local dims = {}
    for i = 1, #s do dims[i] = ("%d"):format(s[i]) end
    return ("an array of shape (%s%s)"):format(table.concat(dims, ","), #s == 1 and "," or "")
  end
  local t = type(v)
  return (t:match("^[aeiou]") and "an " or "a ") .. t
end
local describe = M.describe

local function fail(level, fmt, ...)
  error(fmt:format(...), level + 2)
end

--- Whether v is a whole number (finite).
function M.is_whole(v)
  return type(v) == "number" and v == floor(v) and v > -huge and v < huge
end

--- v as a whole number in [lo, hi] (either bound may be nil), or an error
--- "<fname>: <what> must be a whole number ..., got <v>".
function M.whole(fname, what, v, lo, hi, level)
  level = level or 2
  if not M.is_whole(v) or (lo and v < lo) or (hi and v > hi) then
    local kind = "a whole number"
    if lo == 0 and not hi then
      kind = "a non-negative whole number"
    elseif lo == 1 and not hi then
      kind = "a positive whole number"
    elseif lo and hi then
      kind = ("a whole number in [%s, %s]"):format(M.fmt(lo), M.fmt(hi))
    end
    fail(level, "%s: %s must be %s, got %s", fname, what, kind, describe(v))
  end
  return v
end

--- A number as text: whole numbers without exponent up to 2^53, else %g.
function M.fmt(v)
  if M.is_whole(v) and math.abs(v) <= M.MAX_EXACT then return ("%d"):format(v) end
  return tostring(v)
end

--- x as an array or a Lua number (numbers are 0-d values outside a trace);
--- nested tables are converted (their errors renamed to fname).
function M.array(fname, x, level)
  level = level or 2
  if is_array(x) or type(x) == "number" then return x end
  if type(x) == "table" then
    local ok, a = pcall(core.array, x)
    if not ok then
      fail(level, "%s", (tostring(a):gsub("^np%.array:", fname .. ":")))
    end
    return a
  end
  fail(level, "%s: expected an array, a number or a table of numbers, got %s", fname, describe(x))
end

--- The shape of an array or number (a new table).
function M.shape_of(x)
  if type(x) == "number" then return {} end
  return x.shape
end

--- A shape: a whole number or a table of them (each >= 0), at most 16 axes
--- and 2^48 elements; returns a new table and the element count.
function M.shape(fname, what, s, level)
  level = level or 2
  if type(s) == "number" then s = { s } end
  if type(s) ~= "table" or is_array(s) then
    fail(level, "%s: %s must be a table of whole numbers or a number, got %s", fname, what, describe(s))
  end
  local n = #s
  if n > M.MAX_DIMS then
    fail(level, "%s: %d dimensions requested, at most %d supported", fname, n, M.MAX_DIMS)
  end
  local out, count, zero = {}, 1, false
  for i = 1, n do
    local d = s[i]
    if not M.is_whole(d) then
      fail(level, "%s: %s entries must be whole numbers, got %s", fname, what, describe(d))
    end
    if d < 0 then
      fail(level, "%s: negative dimensions are not allowed (axis %d has size %s)", fname, i, M.fmt(d))
    end
    if d == 0 then zero = true end
    count = count * d
    out[i] = d
  end
  if not zero and count > M.MAX_SIZE then
    fail(level, "%s: array is too big (more than 2^48 elements)", fname)
  end
  return out, zero and 0 or count
end

--- The 1-based axis (negative from the end) of an ndim-dimensional array.
function M.axis(fname, a, ndim, level)
  level = level or 2
  if not M.is_whole(a) then
    fail(level, "%s: axis must be a whole number, got %s", fname, describe(a))
  end
  local i = a < 0 and ndim + a + 1 or a
  if a == 0 or i < 1 or i > ndim then
    fail(level, "%s: axis %s is out of bounds for array of dimension %d", fname, M.fmt(a), ndim)
  end
  return i
end

--- Calls f(...) and renames an error it raises from "np.xyz: ..." to
--- "<fname>: ..." (for allocations a composition makes on its caller's
--- behalf, so that "out of memory" names the function the caller called).
function M.renamed(fname, level, f, ...)
  local res = pack(pcall(f, ...))
  if not res[1] then
    -- the position of the failing call inside the library ("lua/adlua/x.lua:12: ")
    local msg = tostring(res[2]):gsub("^[^%s:]+:%d+: ", "")
    msg = msg:gsub("^np%.[%w_%.]+:", fname .. ":")
    if not msg:find(fname, 1, true) then msg = fname .. ": " .. msg end
    error(msg, level + 1)
  end
  return unpack(res, 2, res.n)
end

--- A dtype argument: nil (the caller's default), "float64" or "float32";
--- anything else is an error in the C binding's words.
function M.dtype(fname, d, level)
  if d == nil or d == "float64" or d == "float32" then return d end
  fail(level or 2, '%s: unknown dtype %s (use "float64" or "float32")', fname,
    type(d) == "string" and d or describe(d))
end

--- Whether v is a Lua table of values (a list, a shape, axes), not an
--- array: a scalar box (adlua.scalar) is a table that is an array.
function M.is_list(v)
  return type(v) == "table" and not is_array(v)
end

--- Whether v is a table of named options (NumPy's keyword arguments): a
--- plain Lua table, not an array, with only string keys (an empty table
--- is an empty one).
function M.is_options(v)
  if type(v) ~= "table" or is_array(v) or #v ~= 0 then return false end
  for _, k in ipairs(core.keys(v)) do
    if type(k) ~= "string" then return false end
  end
  return true
end

--- Whether v, the i-th and last argument, is the trailing options table of
--- a function whose options may start at position `first`: before it an
--- empty table is an argument (np.zeros({}) is 0-d), while named fields
--- still make an options table (np.zeros({dtype = "float32"}) lacks its
--- shape, rather than being 0-d).
function M.trailing_options(v, i, first)
  return M.is_options(v) and (i >= first or #core.keys(v) > 0)
end

--- A parser of NumPy's keyword arguments given as a trailing options table
--- (SPEC: `np.linspace(0, 1, 5, {endpoint = false})`). sig lists the
--- parameter names in order; sig.npos of them (default all) may be given by
--- position, the others by name only; those from position sig.first on
--- (default 1; earlier ones are the array or shape) may be options, and an
--- empty table is an options table from there on (M.trailing_options);
--- a dtype string given as the last positional argument after the
--- sig.required leading ones goes to the "dtype" parameter, as the C
--- creators read it. The parser, parse(fname, level, ...), returns the
--- arguments as a list in the order of the names; an unknown option, one
--- also given by position, or too many arguments is an error.
function M.signature(sig)
  local npos, first, required = sig.npos or #sig, sig.first or 1, sig.required or 0
  -- the parameters before `first` (the array a reduction reduces, a
  -- shape) are no options
  local index, options = {}, {}
  for i, name in ipairs(sig) do
    index[name] = i
    if i >= first then options[#options + 1] = name end
  end
  local dslot = index.dtype
  local listed = table.concat(options, ", ")
  return function(fname, level, ...)
    level = level or 2
    local n, args = select("#", ...), { ... }
    while n > 0 and args[n] == nil do n = n - 1 end
    local opts
    if n >= 1 and M.trailing_options(args[n], n, first) then
      opts, args[n] = args[n], nil
      repeat n = n - 1 until n <= 0 or args[n] ~= nil
    end
    if n > npos then
      fail(level, "%s: takes at most %d arguments and an options table, got %d", fname, npos, n)
    end
    if dslot and n < dslot and n > required and type(args[n]) == "string" then
      args[dslot], args[n] = args[n], nil
    end
    if opts then
      for _, k in ipairs(core.keys(opts)) do
        local i = index[k]
        if i == nil or i < first then fail(level, "%s: unknown option '%s' (options: %s)", fname, k, listed) end
        if args[i] ~= nil then
          fail(level, "%s: %s given twice (as argument %d and as an option)", fname, k, i)
        end
        args[i] = opts[k]
      end
    end
    return args
  end
end

--- Calls the C function f(...) on behalf of a public function written in
--- Lua, as its tail call (`return check.c_call(f, ...)`), so that f's
--- errors name the line of the public function's caller: LuaJIT leaves no
--- frame of a function that tail-calls, PUC Lua keeps it when the callee is
--- a C function, so there the error is caught and raised from that line.
if _VERSION == "Lua 5.1" then
  function M.c_call(f, ...) return f(...) end
else
  function M.c_call(f, ...)
    local res = pack(pcall(f, ...))
    if not res[1] then error(res[2], 2) end
    return unpack(res, 2, res.n)
  end
end

--- The dtype of an array; "float64" for anything else (a number, a
--- nested table of numbers), as NumPy makes them.
function M.dtype_of(x)
  return is_array(x) and x.dtype or "float64"
end

--- A shape as NumPy prints it: (3,), (2,3), ().
function M.shape_str(shape)
  local dims = {}
  for i = 1, #shape do dims[i] = M.fmt(shape[i]) end
  return "(" .. table.concat(dims, ",") .. (#shape == 1 and ",)" or ")")
end

--- np.zeros(shape) checked and named as fname. A function that broadcasts
--- against these zeros to make a result of another shape gives that shape
--- as `result`, for the message when it cannot be allocated; `dtype` (nil:
--- float64) is that of the array the zeros combine with.
function M.zeros(fname, shape, level, result, dtype)
  level = level or 2
  shape = M.shape(fname, "the shape", shape, level + 1)
  local ok, z = pcall(core.zeros, shape, dtype)
  if ok then return z end
  local msg = tostring(z):gsub("^np%.zeros:", fname .. ":")
  if result then msg = msg:gsub("of shape %b()", "of shape " .. M.shape_str(result)) end
  error(msg, level + 1)
end

return M
