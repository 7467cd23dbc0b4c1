-- The bad-input matrix: every public function of the np and ad tables (and
-- of np's sub-namespaces such as np.linalg), and every array method, is called with each kind of wrong argument in each
-- of its first positions.  A call may succeed (NaN is a fine input to
-- np.exp) but must never crash, must raise only a Lua string error that
-- names the function (not Lua's own "attempt to index a nil value"), and
-- must leave the live array count at its baseline.  The functions are
-- enumerated from the tables, so new functions are covered as they land.

local unpack = unpack or table.unpack
local h = require "tests.lua.helpers"
local each = require "adlua.each" -- pairs, safe from Debian 12's LuaJIT (docs/luajit.md)
local np = require "adlua.numpy"
local ad = require "adlua"
local D = require("adlua.core").debug

local good = np.array({ { 1, 2, 3 }, { 4, 5, 6 } })

-- name -> value; values are made fresh in each call where they are arrays.
local bad_kinds = {
  { "nil", function() return nil end },
  { "true", function() return true end },
  { "false", function() return false end },
  { "a string", function() return "abc" end },
  { "a numeric string", function() return "2" end },
  { "a function", function() return function() end end },
  { "a coroutine", function() return coroutine.create(function() end) end },
  { "a foreign userdata (file)", function() return io.stderr end },
  { "a foreign userdata (proxy)", function() return newproxy and newproxy(true) or io.stdin end },
  { "an empty table", function() return {} end },
  { "a ragged table", function() return { { 1, 2 }, { 3 } } end },
  { "a table mixing depths", function() return { 1, { 2, 3 } } end },
  { "a table of strings", function() return { "a", "b" } end },
  { "a table of booleans", function() return { { true } } end },
  { "a table with holes", function() return { 1, nil, 3 } end },
  { "a deeply nested table", function()
    local t = { 1 }
    for _ = 1, 40 do t = { t } end
    return t
  end },
  { "NaN", function() return 0 / 0 end },
  { "Inf", function() return math.huge end },
  { "-Inf", function() return -math.huge end },
  { "a huge size 2^47", function() return 2 ^ 47 end },
  { "a huge size 2^62", function() return 2 ^ 62 end },
  { "1e300", function() return 1e300 end },
  { "-1", function() return -1 end },
  { "-2^40", function() return -2 ^ 40 end },
  { "0", function() return 0 end },
  { "0.5", function() return 0.5 end },
  { "-1.5", function() return -1.5 end },
  { "an out-of-range axis 100", function() return 100 end },
  { "an out-of-range axis -100", function() return -100 end },
  { "duplicate axes", function() return { 1, 1 } end },
  { "fractional axes", function() return { 1.5 } end },
  { "a huge shape", function() return { 2 ^ 40, 2 ^ 40 } end },
  { "a huge 1-d shape", function() return { 2 ^ 47 } end },
  { "a shape with -1s", function() return { -1, -1 } end },
  { "a shape with NaN", function() return { 0 / 0 } end },
  { "a zero-size shape", function() return { 0, 2 ^ 40, 2 ^ 40 } end },
  { "too many dimensions", function()
    local t = {}
    for i = 1, 40 do t[i] = 1 end
    return t
  end },
  { "an empty array", function() return np.zeros({ 0 }) end },
  { "a zero-size 2-d array", function() return np.zeros({ 0, 3 }) end },
  { "an array of NaN and Inf", function() return np.array({ 0 / 0, math.huge, -math.huge }) end },
  { "a 16-d array", function()
    local s = {}
    for i = 1, 16 do s[i] = 1 end
    return np.ones(s)
  end },
  { "a transposed view", function() return np.arange(1, 13):reshape({ 3, 4 }).T end },
  { "a reversed view", function() return np.arange(1, 7)[{ { -1, 1, -1 } }] end },
  -- NumPy's keywords as a trailing options table: a name nobody knows, a
  -- real option with a wrong value, and positions mixed with names
  { "an options table with an unknown name", function() return { bogus = 1 } end },
  { "an options table with a bad axis", function() return { axis = 100, keepdims = "yes" } end },
  { "a table of axes and options", function() return { 1, keepdims = true } end },
}

local function is_callable(v)
  if type(v) == "function" then return true end
  local mt = getmetatable(v)
  return mt and mt.__call ~= nil
end

local methods = require("adlua.core").array_metatable.__methods

-- Every name each function goes by in np (and its sub-namespaces), ad and
-- the methods (x:gt is np.greater: its messages say "np.greater").
local aliases = {}
local np_names = {} -- "np.exp", "np.random.rand" ...: what a composition may pass on
local function collect(t, depth, pre)
  for k, v in each(t) do
    if type(k) == "string" and is_callable(v) then
      aliases[v] = aliases[v] or {}
      table.insert(aliases[v], k)
      if pre then np_names[#np_names + 1] = pre .. k .. ":" end
    elseif type(k) == "string" and type(v) == "table" and depth == 0 and getmetatable(v) == nil then
      collect(v, depth + 1, pre and pre .. k .. ".")
    end
  end
end
collect(np, 0, "np.")
collect(ad, 0)
collect(methods, 0)

-- "grad:", "jacobian:", "flatten:" ...: what an ad function written on top
-- of the others (hessian is jacobian of grad) may pass on.
local ad_names = {}
for k, v in each(ad) do
  if type(k) == "string" and is_callable(v) then ad_names[#ad_names + 1] = k .. ":" end
end

-- Every function of a table and of its sub-namespaces (np.linalg,
-- np.random ...), with all its names.
local function functions_of(t, prefix)
  local seen, list = {}, {}
  local function walk(tbl, pre, depth)
    for k, v in each(tbl) do
      if type(k) == "string" and is_callable(v) and not seen[v] then
        seen[v] = true
        local ns = aliases[v] or { k }
        table.sort(ns)
        local composition = type(v) == "function" and debug.getinfo(v, "S").what == "Lua"
        list[#list + 1] = { f = v, names = ns, label = pre .. k, composition = composition }
      elseif type(k) == "string" and type(v) == "table" and depth == 0 and v ~= tbl
          and getmetatable(v) == nil and k ~= "array_metatable" then
        walk(v, pre .. k .. ".", depth + 1)
      end
    end
  end
  walk(t, prefix, 0)
  table.sort(list, function(a, b) return a.label < b.label end)
  return list
end

-- Whether msg names one of the function's names (as "np.sum", "sum:" ...).
-- A function written in Lua on top of others (np.full_like) may instead
-- pass on the message of the np function that rejected the argument; one
-- of ad (or made by one) also that of the ad function it is built on
-- (ad.hessian(f)(x) is ad.jacobian(ad.grad(f))(x): "jacobian: ...").
local function names_function(msg, entry)
  for _, n in ipairs(entry.names) do
    if msg:find(n, 1, true) then return true end
  end
  if entry.composition then
    for _, qualified in ipairs(np_names) do
      if msg:find(qualified, 1, true) then return true end
    end
  end
  if entry.composition and entry.of_ad then
    for _, name in ipairs(ad_names) do
      if msg:find(name, 1, true) then return true end
    end
  end
  return false
end

-- Lua's own messages for a script bug inside the library.
local lua_bugs = {
  "attempt to index", "attempt to call", "attempt to perform arithmetic",
  "attempt to compare", "attempt to concatenate", "attempt to get length",
  "bad argument #", "stack overflow", "table index is nil",
}

local settle = h.settle

-- Functions that write files (np.save, np.savetxt ...) get a temporary
-- path wherever a string was meant, so that the matrix leaves no files.
local function writes_files(entry)
  for _, n in ipairs(entry.names) do
    if n:match("^save") then return true end
  end
  return false
end

-- Functions that change global state: called, but the state is restored
-- right after each call (ad.debug_nans(true) left on would make the later
-- calls report NaNs from debug_nans instead of their own checks), and
-- again after each test.
local restore = {
  set_printoptions = function() np.set_printoptions({ precision = 8, threshold = 1000, linewidth = 75, edgeitems = 3 }) end,
  debug_nans = function() ad.debug_nans(false) end,
}

local function restore_after(entry)
  for _, n in ipairs(entry.names) do
    if restore[n] then restore[n]() end
  end
end

-- Calls f with args (n of them) and returns a problem description or nil.
local function try(entry, args, n)
  local tmp
  if writes_files(entry) then
    for i = 1, n do
      if type(args[i]) == "string" then
        tmp = tmp or os.tmpname()
        args[i] = tmp
      end
    end
  end
  local ok, err = pcall(entry.f, unpack(args, 1, n))
  restore_after(entry)
  if tmp then
    for _, suffix in ipairs({ "", ".npy", ".npz", ".txt" }) do os.remove(tmp .. suffix) end
  end
  if ok then return nil end
  if type(err) ~= "string" then
    return "raised a " .. type(err) .. " instead of a message"
  end
  for _, b in ipairs(lua_bugs) do
    if err:find(b, 1, true) then return "a Lua error inside the library: " .. err end
  end
  if not names_function(err, entry) then
    return "the message does not name the function: " .. err
  end
  return nil
end

-- The argument lists tried: the bad value alone, and in positions 1 to 3
-- among valid arrays (so that checks of later arguments are reached).
local function arg_lists(bad)
  return {
    { bad(), n = 1 },
    { bad(), good, n = 2 },
    { good, bad(), n = 2 },
    { good, 1, bad(), n = 3 },
    { good, good, bad(), n = 3 },
  }
end

-- Runs the matrix over entries; returns the problems found and the count.
local function run_matrix(entries, wrap)
  local problems, calls = {}, 0
  for _, entry in ipairs(entries) do
    for _, kind in ipairs(bad_kinds) do
      for _, args in ipairs(arg_lists(kind[2])) do
        calls = calls + 1
        local p = try(wrap and wrap(entry) or entry, args, args.n)
        if p then
          problems[#problems + 1] = ("%s with %s (%d args): %s"):format(entry.label, kind[1], args.n, p)
        end
      end
    end
  end
  return problems, calls
end

local function check(problems, calls)
  assert.is_true(calls > 0)
  if os.getenv("ADLUA_REPORT") then io.stderr:write(("bad-input matrix: %d calls\n"):format(calls)) end
  if #problems > 0 then
    error(("%d of %d calls misbehaved:\n  %s"):format(#problems, calls,
      table.concat(problems, "\n  ", 1, math.min(#problems, 60))), 0)
  end
end

describe("bad-input matrix", function()
  local baseline

  before_each(function()
    settle()
    baseline = D.live()
  end)

  after_each(function()
    for _, r in each(restore) do r() end
    -- a new good array: the rows and columns the old one remembers (views
    -- it keeps while it lives) go with it
    good = np.array({ { 1, 2, 3 }, { 4, 5, 6 } })
    settle()
    assert.are.equal(baseline, (D.live()), "live arrays back to the baseline")
    local _, _, _, traces = D.live()
    assert.are.equal(0, traces, "no trace left open")
  end)

  it("covers every np function", function()
    local entries = functions_of(np, "np.")
    assert.is_true(#entries >= 40, "np should have many functions, found " .. #entries)
    check(run_matrix(entries))
  end)

  it("covers every array method", function()
    local entries = functions_of(methods, "x:")
    assert.is_true(#entries >= 10)
    -- as a method: the receiver is a valid array, the bad value follows
    check(run_matrix(entries, function(e)
      return { names = e.names, label = e.label, composition = e.composition,
        f = function(...) return e.f(good, ...) end }
    end))
  end)

  it("covers every ad function, and the functions it returns", function()
    local entries = functions_of(ad, "ad.")
    assert.is_true(#entries >= 4)
    for _, e in ipairs(entries) do e.of_ad = e.label:match("^ad%.numpy%.") == nil end
    check(run_matrix(entries))
    -- higher-order ones: made from a valid function, then given bad input
    -- (the made function calls f, whose own np.tanh may be what complains)
    local made = {}
    local f = function(x) return np.sum(np.tanh(x)) end
    for _, e in ipairs(entries) do
      local ok, g = pcall(e.f, f)
      restore_after(e) -- ad.debug_nans(f) turns it on
      if ok and is_callable(g) and g ~= f then
        local names = { "tanh", "sum" }
        for _, n in ipairs(e.names) do names[#names + 1] = n end
        made[#made + 1] = { f = g, names = names, label = e.label .. "(f)", composition = true, of_ad = true }
      end
    end
    assert.is_true(#made >= 3, "grad, elementwise_grad, value_and_grad... should return functions")
    check(run_matrix(made))
  end)

  it("covers the operators and indexing", function()
    local ops = {
      { label = "x + v", names = { "add" }, f = function(_, b) return good + b end },
      { label = "v + x", names = { "add" }, f = function(a) return a + good end },
      { label = "x - v", names = { "subtract" }, f = function(_, b) return good - b end },
      { label = "v - x", names = { "subtract" }, f = function(a) return a - good end },
      { label = "x * v", names = { "multiply" }, f = function(_, b) return good * b end },
      { label = "v * x", names = { "multiply" }, f = function(a) return a * good end },
      { label = "x / v", names = { "divide" }, f = function(_, b) return good / b end },
      { label = "v / x", names = { "divide" }, f = function(a) return a / good end },
      { label = "x ^ v", names = { "power" }, f = function(_, b) return good ^ b end },
      { label = "v ^ x", names = { "power" }, f = function(a) return a ^ good end },
      { label = "-x", names = { "negative" }, f = function() return -good end },
      { label = "#x", names = { "len" }, f = function() return #good end },
      { label = "tostring(x)", names = { "tostring" }, f = function() return tostring(good) end },
      { label = "x[k]", names = { "index" }, f = function(_, k) return good[k] end },
      { label = "x[k] = v", names = { "setitem" }, f = function(_, k, v)
        local c = np.copy(good)
        c[k] = v
      end },
      { label = "x[1] = v", names = { "setitem" }, f = function(_, v) np.copy(good)[1] = v end },
    }
    check(run_matrix(ops))
  end)
end)
