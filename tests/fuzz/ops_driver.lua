-- ops_driver.lua: turns a string of bytes into a sequence of calls on the
-- public surface (every np function, array method, operator, indexing,
-- assignment and grad of compositions), with valid and invalid arguments
-- of every kind.  The libFuzzer harness (fuzz_ops.c) feeds it mutated
-- inputs; tests/lua/fuzz_regressions_spec.lua replays saved ones.
--
-- A call may fail with a Lua error; what must not happen is a crash (the
-- sanitizers watch), a non-string error, a Lua error from inside the
-- library ("attempt to index ..."), or arrays left alive after the input:
-- run() raises "fuzz: ..." for those.
local unpack = table.unpack or unpack -- Lua 5.4 has only table.unpack
local np = require "adlua.numpy"
local each = require "adlua.each" -- pairs, safe from Debian 12's LuaJIT (docs/luajit.md)
local ad = require "adlua"
local core = require "adlua.core"
local D = core.debug

local M = {}

local function sorted_functions(t)
  local list = {}
  for k, v in each(t) do
    -- not the writers (np.save ...): they would fill the directory with files
    if type(k) == "string" and type(v) == "function" and k ~= "set_printoptions"
        and not k:match("^save") then
      list[#list + 1] = k
    end
  end
  table.sort(list)
  return list
end

local np_names = sorted_functions(np)
local method_names = sorted_functions(core.array_metatable.__methods)
local ad_names = { "grad", "elementwise_grad", "value_and_grad" }

local specials = { 0, 1, -1, 2, 3, 0.5, -1.5, 0 / 0, math.huge, -math.huge, 2 ^ 47, 2 ^ 62,
  -2 ^ 40, 1e300, 1e-300, 100, -100, 2 ^ 53 + 2 }

local MAX_KEEP = 100000 -- results larger than this are dropped at once

local lua_bugs = { "attempt to index", "attempt to call", "attempt to perform arithmetic",
  "attempt to compare", "attempt to concatenate", "attempt to get length", "bad argument #",
  "table index is nil" }

-- A reader over the bytes; past the end it yields zeros.
local function reader(data)
  local pos = 0
  local r = {}
  function r.byte()
    pos = pos + 1
    return data:byte(pos) or 0
  end
  function r.done() return pos >= #data end
  function r.pick(list) return list[r.byte() % #list + 1] end
  function r.small() return r.byte() % 5 end -- 0..4, most sizes
  function r.number()
    local b = r.byte()
    if b < 128 then return (b % 9) - 3 end
    if b < 200 then return specials[b % #specials + 1] end
    return (b - 200) / 8 - 3
  end
  return r
end

local function shape(r)
  local n = r.byte() % 6
  local s = {}
  for i = 1, n do
    local b = r.byte()
    s[i] = b < 240 and b % 5 or specials[b % #specials + 1]
  end
  return s
end

-- A nested table of numbers of a small shape (ragged sometimes).
local function nested(r, depth)
  local n = r.small()
  local t = {}
  for i = 1, n do
    if depth > 0 and r.byte() < 250 then
      t[i] = nested(r, depth - 1)
    else
      t[i] = r.number()
    end
  end
  if depth > 0 and n > 0 and r.byte() > 250 then t[#t + 1] = r.number() end -- ragged
  return t
end

local foreign = { io.stderr, function() end, coroutine.create(function() end), "float64", "abc",
  true, false, "float32" }

local function value(r, pool)
  local k = r.byte() % 12
  if k <= 4 then
    local a = pool[r.byte() % 8 + 1]
    if a ~= nil then return a end
    return r.number()
  elseif k == 5 or k == 6 then
    return r.number()
  elseif k == 7 then
    return shape(r)
  elseif k == 8 then
    return nested(r, r.byte() % 3)
  elseif k == 9 then
    return nil
  elseif k == 10 then
    return r.pick(foreign)
  else
    -- an index: a number or a table of numbers and ranges
    local t = {}
    for i = 1, r.byte() % 4 do
      local b = r.byte() % 4
      if b == 0 then t[i] = r.number()
      elseif b == 1 then t[i] = {}
      else t[i] = { r.number(), r.number(), b == 3 and r.number() or nil } end
    end
    return t
  end
end

local function check_error(what, err)
  if type(err) ~= "string" then
    error(("fuzz: %s raised a %s"):format(what, type(err)), 0)
  end
  for _, b in ipairs(lua_bugs) do
    if err:find(b, 1, true) then error(("fuzz: %s: Lua error inside the library: %s"):format(what, err), 0) end
  end
end

local function keep(pool, slot, v)
  if core.is_array(v) and v.size > MAX_KEEP then v = nil end
  if core.is_array(v) or type(v) == "number" then pool[slot] = v end
end

-- A differentiable composition of up to 3 np functions of x and the pool.
-- Also returns a table whose float32 field becomes true once a call has
-- made a float32 value (for check_forward).
local function composition(r, pool)
  local steps = {}
  for i = 1, r.byte() % 3 + 1 do
    steps[i] = { name = r.pick(np_names), arg = value(r, pool), second = r.byte() % 3 }
  end
  local seen = { float32 = false }
  return function(x)
    local y = x
    for _, s in ipairs(steps) do
      if s.second == 0 then y = np[s.name](y)
      elseif s.second == 1 then y = np[s.name](y, s.arg)
      else y = np[s.name](s.arg, y) end
      if core.is_array(y) and y.dtype == "float32" then seen.float32 = true end
      if not core.is_array(y) and type(y) ~= "number" then return 0 end
      -- legitimately huge intermediates (repeat of repeat ...) would make
      -- an input take minutes; bugs live at the edges, not in the bulk
      if core.is_array(y) and y.size > MAX_KEEP then return 0 end
    end
    return np.sum(y)
  end, seen
end

-- Forward mode against reverse mode, reading no bytes (the inputs decode
-- as before): the derivative of f along x, from make_jvp, is <grad f(x), x>
-- when both are finite.  Computations in float32 are only run, not
-- compared: the two modes round differently, and float32 rounding can be
-- amplified without bound (sinc(sinh(3)) in float32: the modes differ by
-- 0.2%).
local function check_forward(f, x, g, seen)
  if not (core.is_array(x) or type(x) == "number") then return end
  local ok, res = pcall(function()
    local _, t = ad.make_jvp(f)(x)(x)
    return { t = t }
  end)
  if not ok then
    check_error("ad.make_jvp", res)
    error(("fuzz: make_jvp failed where grad did not: %s"):format(tostring(res)), 0)
  end
  if seen.float32 or (core.is_array(x) and x.dtype == "float32") then return end
  local t = core.is_array(res.t) and res.t:item() or res.t
  local terms = np.multiply(g, x)
  local rev, scale = np.sum(terms), np.sum(np.abs(terms))
  rev = core.is_array(rev) and rev:item() or rev
  scale = core.is_array(scale) and scale:item() or scale
  if t ~= t or rev ~= rev or math.abs(t) == math.huge or math.abs(scale) == math.huge then return end
  -- loose enough for rounding and underflow (grad f(x) * x can be 0 where
  -- f'(x) x is 1e-300), tight enough for a wrong rule
  local tol = 1e-5 * (scale + math.abs(t)) + 1e-6
  if math.abs(t - rev) > tol then
    error(("fuzz: forward mode %.17g differs from reverse mode %.17g"):format(t, rev), 0)
  end
end

-- Whether a and b (numbers or arrays) hold the same numbers to the last
-- bit, NaN equal to NaN.
local function identical(a, b)
  if type(a) == "number" and type(b) == "number" then return a == b or (a ~= a and b ~= b) end
  if not (core.is_array(a) and core.is_array(b)) or a.dtype ~= b.dtype then return false end
  if table.concat(a.shape, ",") ~= table.concat(b.shape, ",") then return false end
  local fa, fb = np.reshape(a, { -1 }), np.reshape(b, { -1 })
  for i = 1, a.size do
    local x, y = fa[i], fb[i]
    if not (x == y or (x ~= x and y ~= y)) then return false end
  end
  return true
end

-- ad.jit against the dynamic tape, reading no bytes: when the recording
-- succeeds, it and a replay on the same array give grad's result to the
-- last bit, and on other values of the same shape the jitted function and
-- grad agree (the same numbers, or both raise).  The recording itself may
-- raise a clean error where grad does not: inside ad.jit, values computed
-- from the arguments stay arrays, 0-d ones too (docs/jit.md), and plain
-- code may pass such a value on where a number is needed (an argmax as an
-- axis, a sum as arange's stop).
local function check_jit(f, x, g)
  if not core.is_array(x) or x.size > MAX_KEEP then return end
  local jf = ad.jit(ad.grad(f))
  for call = 1, 2 do
    local ok, res = pcall(jf, x)
    if not ok then
      check_error("ad.jit", res)
      if tostring(res):find("internal error", 1, true) or call == 2 then
        error(("fuzz: ad.jit failed where grad did not: %s"):format(tostring(res)), 0)
      end
      return
    end
    if not identical(res, g) then
      error(("fuzz: ad.jit's %s differs from grad's result"):format(call == 1 and "recording" or "replay"), 0)
    end
  end
  local x2 = x * 1.5 - 0.25
  local ok1, r1 = pcall(jf, x2)
  local ok2, r2 = pcall(ad.grad(f), x2)
  if ok1 and not ok2 then
    error("fuzz: on new values ad.jit succeeded and grad raised", 0)
  end
  if not ok1 then
    check_error("ad.jit", r1)
    if tostring(r1):find("internal error", 1, true) then
      error(("fuzz: ad.jit on new values: %s"):format(tostring(r1)), 0)
    end
  end
  if ok1 and not identical(r1, r2) then
    error("fuzz: ad.jit's replay on new values differs from grad", 0)
  end
end

-- Scalar boxes against array boxes, reading no bytes: grad of a number
-- with scalar boxes (lua/adlua/scalar.lua) and with array boxes gives the
-- same number to rounding (the two sum and fuse rules in different
-- orders), or both raise.
local scalar = require "adlua.scalar"
local function check_scalar_boxes(f, x, g)
  if type(x) ~= "number" then return end
  scalar.enabled = false
  local ok, res = pcall(ad.grad(f), x)
  scalar.enabled = true
  if not ok then
    check_error("ad.grad", res)
    error(("fuzz: grad with array boxes raised where scalar boxes did not: %s"):format(tostring(res)), 0)
  end
  if core.is_array(res) then res = res:item() end
  if core.is_array(g) then g = g:item() end
  if g ~= g or res ~= res then
    if not (g ~= g and res ~= res) then
      error(("fuzz: grad with scalar boxes %.17g, with array boxes %.17g"):format(g, res), 0)
    end
    return
  end
  if math.abs(g - res) > 1e-9 * math.max(math.abs(g), math.abs(res)) + 1e-300 then
    error(("fuzz: grad with scalar boxes %.17g, with array boxes %.17g"):format(g, res), 0)
  end
end

local function step(r, pool)
  local op = r.byte() % 10
  local slot = r.byte() % 8 + 1
  local ok, res
  local what
  if op == 0 then
    what = "np.array"
    -- a third of the arrays float32: its kernels, promotion and gradients
    local dtype = r.byte() % 3 == 0 and "float32" or nil
    ok, res = pcall(np.array, nested(r, r.byte() % 4), dtype)
  elseif op <= 3 then
    local name = r.pick(np_names)
    what = "np." .. name
    local n = r.byte() % 4
    local args = {}
    for i = 1, n do args[i] = value(r, pool) end
    ok, res = pcall(np[name], unpack(args, 1, n))
  elseif op == 4 then
    local x = pool[r.byte() % 8 + 1]
    if not core.is_array(x) then return end
    local name = r.pick(method_names)
    what = "x:" .. name
    local a, b = value(r, pool), value(r, pool)
    ok, res = pcall(function() return x[name](x, a, b) end)
  elseif op == 5 then
    local a, b = value(r, pool), value(r, pool)
    local o = r.byte() % 5
    what = "operator " .. o
    if not core.is_array(a) and not core.is_array(b) then return end
    ok, res = pcall(function()
      if o == 0 then return a + b elseif o == 1 then return a - b elseif o == 2 then return a * b
      elseif o == 3 then return a / b else return a ^ b end
    end)
  elseif op == 6 then
    local x = pool[r.byte() % 8 + 1]
    if not core.is_array(x) then return end
    local key = value(r, pool)
    what = "index"
    ok, res = pcall(function() return x[key] end)
  elseif op == 7 then
    local x = pool[r.byte() % 8 + 1]
    if not core.is_array(x) then return end
    local key, v = value(r, pool), value(r, pool)
    what = "setitem"
    ok, res = pcall(function() x[key] = v end)
  elseif op == 8 then
    local f, seen = composition(r, pool)
    local name = r.pick(ad_names)
    local x = value(r, pool)
    what = "ad." .. name
    ok, res = pcall(function() return ad[name](f)(x) end)
    if ok and name == "grad" then
      check_forward(f, x, res, seen)
      check_jit(f, x, res)
      check_scalar_boxes(f, x, res)
    end
  else
    pool[slot] = nil
    return
  end
  if ok then keep(pool, slot, res) else check_error(what, res) end
end

-- Runs the calls the bytes describe; raises "fuzz: ..." on a finding.
function M.run(data)
  collectgarbage()
  collectgarbage()
  local base = D.live()
  local r = reader(data)
  local pool = {}
  local steps = 0
  while not r.done() and steps < 64 do
    step(r, pool)
    steps = steps + 1
  end
  pool = nil -- luacheck: ignore 311 (the arrays go)
  -- LuaJIT's compiled traces keep the objects they hold as constants alive
  -- (an array userdata among them, now and then): flush them, or an array
  -- the JIT still references looks like a leak (1 replay in 10 did)
  if jit and jit.flush then jit.flush() end
  collectgarbage()
  collectgarbage()
  local live, _, _, traces = D.live()
  if live ~= base then error(("fuzz: %d arrays alive after the input (%d before)"):format(live, base), 0) end
  if traces ~= 0 then error(("fuzz: %d traces left open"):format(traces), 0) end
end

return M
