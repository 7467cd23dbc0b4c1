-- Shared helpers for the busted specs in tests/lua/.
--
-- Load with   local h = require "tests.lua.helpers"
-- (tests run from the repository root, with './?.lua' on package.path).
--
-- Nothing here relies on ad.check_grads or other parts of the library
-- beyond arrays: the finite-difference checker below is independent, so
-- it can judge the library's own checker and rules.
local each = require "adlua.each" -- pairs, safe from Debian 12's LuaJIT (docs/luajit.md)
local unpack = table.unpack or unpack -- Lua 5.4 has only table.unpack

local M = {}

-- Make the build tree loadable even when LUA_PATH/LUA_CPATH were not set.
-- Appended, so an explicit environment wins.
if not package.path:find("./lua/?.lua", 1, true) then
  package.path = package.path .. ";./?.lua;./lua/?.lua;./lua/?/init.lua"
end
if not package.cpath:find("./build/?.so", 1, true) then
  package.cpath = package.cpath .. ";./build/?.so"
end

local function lazy_np() return require "adlua.numpy" end
local function lazy_ad() return require "adlua" end

---------------------------------------------------------------------------
-- Kinds of values
---------------------------------------------------------------------------

-- True when x is an adlua array (anything with a table-valued .shape).
function M.is_array(x)
  local tx = type(x)
  if tx ~= "userdata" and tx ~= "table" and tx ~= "cdata" then return false end
  local ok, s = pcall(function() return x.shape end)
  return ok and type(s) == "table"
end

-- A plain Lua number from a number, a one-element array, or a traced 0-d value.
function M.val(x)
  if type(x) == "number" then return x end
  if M.is_array(x) then
    local ok, v = pcall(function() return x:item() end)
    if ok and type(v) == "number" then return v end
  end
  error("helpers.val: expected a number or a one-element array, got "
        .. M.describe(x), 2)
end

-- Short description for failure messages.
function M.describe(x)
  if M.is_array(x) then
    local ok, s = pcall(tostring, x)
    return ("array shape %s: %s"):format(M.shape_str(x.shape), ok and s or "?")
  elseif type(x) == "table" then
    return M.dump(x)
  else
    return ("%s %s"):format(type(x), tostring(x))
  end
end

-- "(2,3)" / "(4,)" / "()" like NumPy.
function M.shape_str(shape)
  if #shape == 1 then return "(" .. shape[1] .. ",)" end
  local parts = {}
  for i = 1, #shape do parts[i] = tostring(shape[i]) end
  return "(" .. table.concat(parts, ",") .. ")"
end

function M.dump(t, depth)
  depth = depth or 0
  if type(t) ~= "table" then
    if type(t) == "number" then return ("%.17g"):format(t) end
    return tostring(t)
  end
  if depth > 4 then return "{...}" end
  local parts = {}
  for i = 1, #t do parts[#parts + 1] = M.dump(t[i], depth + 1) end
  for k, v in each(t) do
    if type(k) ~= "number" or k < 1 or k > #t or k % 1 ~= 0 then
      parts[#parts + 1] = tostring(k) .. "=" .. M.dump(v, depth + 1)
    end
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

-- Shape of a (regular) nested Lua table of numbers: {{1,2,3},{4,5,6}} -> {2,3}.
function M.shape_of(t)
  local shape = {}
  while type(t) == "table" do
    shape[#shape + 1] = #t
    t = t[1]
  end
  return shape
end

-- All numbers of a nested table / array / number in row-major order.
function M.flat(x)
  if M.is_array(x) then x = x:totable() end
  local out = {}
  local function walk(v)
    if type(v) == "table" then
      for i = 1, #v do walk(v[i]) end
    else
      out[#out + 1] = v
    end
  end
  walk(x)
  return out
end

---------------------------------------------------------------------------
-- Closeness
---------------------------------------------------------------------------

-- |a - b| <= tol * max(1, |b|); NaN equals NaN; infinities must be equal.
function M.near(a, b, tol)
  tol = tol or 1e-12
  if type(a) ~= "number" or type(b) ~= "number" then return false end
  if a ~= a or b ~= b then return (a ~= a) and (b ~= b) end
  if a == b then return true end
  if a == math.huge or a == -math.huge or b == math.huge or b == -math.huge then
    return false
  end
  return math.abs(a - b) <= tol * math.max(1, math.abs(b))
end

local function fail(msg, level) error(msg, (level or 1) + 1) end

-- Assert that a number (or a one-element array) is near `expected`.
function M.assert_near(actual, expected, tol, what)
  local a = actual
  if type(a) ~= "number" then
    local ok, v = pcall(M.val, a)
    if not ok then
      fail(("%sexpected a number near %.17g, got %s"):format(
        what and (what .. ": ") or "", expected, M.describe(actual)), 2)
    end
    a = v
  end
  if not M.near(a, expected, tol) then
    fail(("%sexpected %.17g, got %.17g (tol %g)"):format(
      what and (what .. ": ") or "", expected, a, tol or 1e-12), 2)
  end
  return true
end

-- Assert that `actual` is a Lua number (not an array) near `expected`.
function M.assert_number(actual, expected, tol, what)
  if type(actual) ~= "number" then
    fail(("%sexpected a Lua number, got %s"):format(
      what and (what .. ": ") or "", M.describe(actual)), 2)
  end
  if expected ~= nil and not M.near(actual, expected, tol) then
    fail(("%sexpected %.17g, got %.17g (tol %g)"):format(
      what and (what .. ": ") or "", expected, actual, tol or 1e-12), 2)
  end
  return true
end

-- Assert that x is an array with the given shape (a Lua table).
function M.assert_shape(x, shape, what)
  if not M.is_array(x) then
    fail(("%sexpected an array of shape %s, got %s"):format(
      what and (what .. ": ") or "", M.shape_str(shape), M.describe(x)), 2)
  end
  local s = x.shape
  local same = #s == #shape
  for i = 1, #shape do same = same and s[i] == shape[i] end
  if not same then
    fail(("%sexpected shape %s, got %s"):format(
      what and (what .. ": ") or "", M.shape_str(shape), M.shape_str(s)), 2)
  end
  return true
end

-- Assert that x is an array whose totable() matches the nested table
-- `expected` (shape taken from `expected` unless `shape` is given, in which
-- case `expected` may be flat) within tol.
function M.assert_array(x, expected, tol, what, shape)
  tol = tol or 1e-12
  local prefix = what and (what .. ": ") or ""
  if not M.is_array(x) then
    fail(prefix .. "expected an array, got " .. M.describe(x), 2)
  end
  local want_shape = shape or M.shape_of(expected)
  local s = x.shape
  local same = #s == #want_shape
  for i = 1, #want_shape do same = same and s[i] == want_shape[i] end
  if not same then
    fail(("%sexpected shape %s, got %s"):format(prefix,
      M.shape_str(want_shape), M.shape_str(s)), 2)
  end
  local got, want = M.flat(x), M.flat(expected)
  if #got ~= #want then
    fail(("%sexpected %d values, got %d"):format(prefix, #want, #got), 2)
  end
  for i = 1, #want do
    if not M.near(got[i], want[i], tol) then
      fail(("%sat flat position %d expected %.17g, got %.17g (tol %g)\n got: %s")
        :format(prefix, i, want[i], got[i], tol, M.dump(got)), 2)
    end
  end
  return true
end

-- Assert two arrays (or an array and a nested table) are close, same shape.
function M.assert_close(a, b, tol, what)
  local bt = M.is_array(b) and b:totable() or b
  local shape = M.is_array(b) and b.shape or nil
  return M.assert_array(a, bt, tol, what, shape)
end

-- Every element of x satisfies pred(value, flat_index).
function M.assert_all(x, pred, what)
  local vals = M.flat(x)
  for i, v in ipairs(vals) do
    if not pred(v, i) then
      fail(("%selement %d (%.17g) fails the check"):format(
        what and (what .. ": ") or "", i, v), 2)
    end
  end
  return true
end

---------------------------------------------------------------------------
-- Memory
---------------------------------------------------------------------------

-- Two full collections (a finalizer's releases show after the second),
-- after flushing LuaJIT's compiled traces: a trace keeps the objects it
-- holds as constants alive, now and then an array, which a count of live
-- arrays would take for a leak (tests/fuzz/ops_driver.lua does the same).
--- with_array_boxes(fn, ...): fn(...) with scalar boxes off, so that a
--- grad of a number gives its function an array box (userdata), as tests
--- of the array boxes' machinery need (lua/adlua/scalar.lua).
function M.with_array_boxes(fn, ...)
  local scalar = require "adlua.scalar"
  local was = scalar.enabled
  scalar.enabled = false
  local function done(ok, ...)
    scalar.enabled = was
    if not ok then error((...), 0) end
    return ...
  end
  return done(pcall(fn, ...))
end

function M.settle()
  if jit and jit.flush then jit.flush() end
  collectgarbage()
  collectgarbage()
end

-- The core's live arrays, buffers and bytes (core.debug.live), settled.
function M.settled_live()
  M.settle()
  return require("adlua.core").debug.live()
end

-- Runs work() once (caches and first-use state), then `times` more, with
-- full collections before each count: the live arrays, buffers and bytes
-- of the core (core.debug.live) must be what they were after the first.
function M.assert_live_steady(work, times)
  work()
  local before = { M.settled_live() }
  for _ = 1, times or 3 do work() end
  local after = { M.settled_live() }
  for i, what in ipairs({ "live arrays", "live buffers", "live bytes" }) do
    if before[i] ~= after[i] then
      fail(("%s: %d before, %d after %d more runs"):format(what, before[i], after[i], times or 3), 2)
    end
  end
  return true
end

---------------------------------------------------------------------------
-- Errors
---------------------------------------------------------------------------

-- Run fn(...) and return its error message as a string (or fail if it did
-- not raise).
function M.error_message(fn, ...)
  local ok, err = pcall(fn, ...)
  if ok then fail("expected an error, but the call succeeded", 2) end
  if type(err) ~= "string" then
    local ok2, s = pcall(tostring, err)
    err = ok2 and s or ("<" .. type(err) .. " error>")
  end
  return err
end

local function contains(msg, pattern)
  if msg:find(pattern, 1, true) then return true end
  local ok, found = pcall(string.find, msg, pattern)
  return ok and found ~= nil
end
M.contains = contains

-- fn must raise an error whose message contains every pattern given
-- (each matched as a plain substring, or failing that as a Lua pattern).
-- `patterns` is a string or a list of strings. Returns the message.
function M.assert_error_matches(fn, patterns)
  local ok, err = pcall(fn)
  if ok then
    fail("expected an error matching " .. M.dump(patterns)
         .. ", but the call succeeded", 2)
  end
  local msg = type(err) == "string" and err or tostring(err)
  if type(patterns) == "string" then patterns = { patterns } end
  for _, p in ipairs(patterns) do
    if not contains(msg, p) then
      fail(("error message %q does not contain %q"):format(msg, p), 2)
    end
  end
  return msg
end

---------------------------------------------------------------------------
-- Finite differences (independent of ad.check_grads)
---------------------------------------------------------------------------

-- Central-difference gradient of a scalar function f at x, with respect to
-- argument `argnum` of `args` (x is args[argnum]). x may be a number or an
-- array (contiguous or not); the result has the same form. f may return a
-- number or a one-element array.
function M.fd_grad(f, args, argnum, eps)
  local np = lazy_np()
  argnum = argnum or 1
  eps = eps or 1e-5
  if type(args) ~= "table" or M.is_array(args) then args = { args } end
  local n = math.max(#args, argnum)
  local function call_with(v)
    local a = {}
    for i = 1, n do a[i] = args[i] end
    a[argnum] = v
    return M.val(f(unpack(a, 1, n)))
  end
  local x = args[argnum]
  if type(x) == "number" then
    return (call_with(x + eps) - call_with(x - eps)) / (2 * eps)
  end
  local shape = x.shape
  local base = M.flat(x)
  local out = {}
  for i = 1, #base do
    local plus, minus = {}, {}
    for j = 1, #base do plus[j] = base[j]; minus[j] = base[j] end
    plus[i] = base[i] + eps
    minus[i] = base[i] - eps
    local xp = np.array(plus):reshape(shape)
    local xm = np.array(minus):reshape(shape)
    out[i] = (call_with(xp) - call_with(xm)) / (2 * eps)
  end
  return np.array(out):reshape(shape)
end

-- Assert ad.grad(f, argnum)(args...) agrees with central differences.
function M.assert_grad_fd(f, args, argnum, tol, what)
  local ad = lazy_ad()
  argnum = argnum or 1
  tol = tol or 1e-6
  if type(args) ~= "table" or M.is_array(args) then args = { args } end
  local g = ad.grad(f, argnum)(unpack(args, 1, math.max(#args, argnum)))
  local fd = M.fd_grad(f, args, argnum)
  local x = args[argnum]
  if type(x) == "number" then
    if type(g) ~= "number" then
      fail((what or "grad") .. ": gradient of a number should be a number, got "
           .. M.describe(g), 2)
    end
    if not M.near(g, fd, tol) then
      fail(("%s: grad %.17g, finite differences %.17g"):format(
        what or "grad", g, fd), 2)
    end
  else
    local ok, e = pcall(M.assert_array, g, fd:totable(), tol, what or "grad", x.shape)
    if not ok then fail(e, 2) end
  end
  return g
end

---------------------------------------------------------------------------
-- Processes
---------------------------------------------------------------------------

-- The autograd blog's iris problem: X (3,100) = sepal length, sepal width
-- and ones for classes 0 and 1, t (100,) of 0/1, and its loss in two forms:
-- the blog's per-sample loop (thousands of small arrays a step) and the
-- same loss on whole arrays.
function M.iris_problem()
  local np = lazy_np()
  local iris = require("adlua.datasets").load_iris()
  local X = np.stack({ iris.data[{ { 1, 100 }, 1 }], iris.data[{ { 1, 100 }, 2 }], np.ones(100) })
  local t = iris.target[{ { 1, 100 } }]
  local function loop_loss(w, X, t)
    local loss = 0
    for i = 1, t.shape[1] do
      loss = loss - (t[i] * np.dot(w.T, X[{ {}, i }]) - np.log(1 + np.exp(np.dot(w.T, X[{ {}, i }]))))
    end
    return loss
  end
  local function vector_loss(w, X, t)
    local z = np.dot(w.T, X)
    return -np.sum(t * z - np.log(1 + np.exp(z)))
  end
  return X, t, loop_loss, vector_loss
end

function M.shell_quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

function M.read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("*a")
  f:close()
  return s
end

function M.write_file(path, s)
  local f = assert(io.open(path, "wb"))
  f:write(s)
  f:close()
end

-- Run a shell command line; optional stdin text. Returns stdout, stderr,
-- exit status (number). `timeout` seconds (default 120) guards hangs.
function M.run(cmdline, stdin_text, timeout)
  local base = os.tmpname()
  local out, err, code, inp = base .. ".out", base .. ".err", base .. ".code", base .. ".in"
  M.write_file(inp, stdin_text or "")
  local full = ("timeout %d sh -c %s <%s >%s 2>%s; echo $? >%s"):format(
    timeout or 120, M.shell_quote(cmdline), M.shell_quote(inp),
    M.shell_quote(out), M.shell_quote(err), M.shell_quote(code))
  os.execute(full)
  local o, e, c = M.read_file(out) or "", M.read_file(err) or "", M.read_file(code)
  for _, p in ipairs { base, out, err, code, inp } do os.remove(p) end
  return o, e, tonumber(c and c:match("%d+"))
end

-- Temporary paths made for the specs, removed when the test process ends:
-- busted closes the Lua state on exit, which runs this finalizer. Only
-- os.tmpname's own names (/tmp/lua_XXXXXX, and those with a suffix).
local made_paths = {}
local function remove_made_paths()
  for _, p in ipairs(made_paths) do
    if p:match("^/tmp/lua_[%w_]+[%w._-]*$") then os.execute("rm -rf " .. M.shell_quote(p)) end
  end
end
if newproxy then -- LuaJIT: tables take no __gc
  M._remover = newproxy(true)
  getmetatable(M._remover).__gc = remove_made_paths
else
  M._remover = setmetatable({}, { __gc = remove_made_paths })
end

-- A fresh temporary file name ending in `suffix` (default none); the file
-- os.tmpname makes for the name without it goes at exit too.
function M.tmpname(suffix)
  local base = os.tmpname()
  made_paths[#made_paths + 1] = base
  if suffix and suffix ~= "" then
    made_paths[#made_paths + 1] = base .. suffix
    return base .. suffix
  end
  return base
end

-- A fresh temporary directory.
function M.tmpdir()
  local p = os.tmpname()
  os.remove(p)
  os.execute("mkdir -p " .. M.shell_quote(p))
  made_paths[#made_paths + 1] = p
  return p
end

-- Numbers appearing in text, as {value, text} pairs.
function M.numbers_in(text)
  local out = {}
  for s in text:gmatch("[-+]?%d+%.?%d*[eE][-+]?%d+") do
    out[#out + 1] = { tonumber(s), s }
  end
  local stripped = text:gsub("[-+]?%d+%.?%d*[eE][-+]?%d+", " ")
  for s in stripped:gmatch("[-+]?%d*%.?%d+") do
    local v = tonumber(s)
    if v then out[#out + 1] = { v, s } end
  end
  return out
end

return M
