-- Every np function passes check_grads where it is differentiable: the
-- functions are enumerated from the np table (new ones are covered as they
-- land), called on arrays with entries in (0.2, 0.9) -- inside the domain
-- of log, sqrt, arcsin and friends, away from kinks at 0 and 1 and from
-- ties; functions defined on less (arccosh) get them moved into their
-- domain (`domain` below) -- first with one argument, then with two of the same shape; every
-- call that succeeds on plain arrays and gives numbers is checked to
-- second order in each argument.  Functions whose result does not depend
-- smoothly on the numbers (comparisons, sign, floor ...) pass too: their
-- derivative is zero on both sides.

local unpack = table.unpack or unpack -- Lua 5.4 has only table.unpack
local np = require "adlua.numpy"
local each = require "adlua.each" -- pairs, safe from Debian 12's LuaJIT (docs/luajit.md)
local ad = require "adlua"

-- Not functions of arrays: creation from sizes, printing, type tests.
local skip = {
  set_printoptions = true, is_array = true, array = true, asarray = true,
  zeros = true, ones = true, empty = true, full = true, arange = true, linspace = true,
  eye = true, identity = true, zeros_like = true, ones_like = true, full_like = true,
  empty_like = true,
}

-- Entries in (0.2, 0.9), distinct, no ties, and scattered enough that
-- square samples are far from singular: a fixed pattern per shape.
local function sample(shape, seed)
  local n = 1
  for _, d in ipairs(shape) do n = n * d end
  local t = {}
  for i = 1, n do
    local u = math.sin(i * 12.9898 + seed * 78.233) * 43758.5453
    t[i] = 0.2 + 0.7 * (u - math.floor(u))
  end
  return np.reshape(np.array(t), shape)
end

-- Functions defined on less than (0.2, 0.9), or at some matrices only: the
-- sample is moved into the domain (arguments are moved alike, whichever
-- one is differentiated).
local domain = {
  arccosh = function(x) return x + 1 end, -- x >= 1: (1.2, 1.9)
  -- positive definite whatever the sample: diagonally dominant
  ["linalg.cholesky"] = function(x)
    if x.ndim ~= 2 or x.shape[1] ~= x.shape[2] then return x end
    return x + x.shape[1] * np.eye(x.shape[1])
  end,
}

local is_array = require("adlua.core").is_array

local function numeric_result(r)
  if type(r) == "number" then return r == r end
  return is_array(r)
end

-- "exp", "linalg.inv" ...: np's functions and those of its sub-namespaces.
local functions = {}
local function names()
  local list = {}
  local function walk(t, pre, depth)
    for k, v in each(t) do
      if type(k) == "string" and type(v) == "function" and not skip[k] then
        list[#list + 1] = pre .. k
        functions[pre .. k] = v
      elseif type(k) == "string" and type(v) == "table" and depth == 0 and getmetatable(v) == nil
          and k ~= "random" then -- np.random draws numbers: nothing to differentiate
        walk(v, pre .. k .. ".", depth + 1)
      end
    end
  end
  walk(np, "", 0)
  table.sort(list)
  return list
end

describe("check_grads over every np function", function()
  local checked, problems = {}, {}

  local function try(name, args)
    local f = functions[name]
    if domain[name] then
      for k = 1, #args do args[k] = domain[name](args[k]) end
    end
    local ok, r = pcall(f, unpack(args))
    if not ok or not numeric_result(r) then return false end
    for k = 1, #args do
      local g = function(z)
        local a = { unpack(args) }
        a[k] = z
        return f(unpack(a))
      end
      local good, err = pcall(ad.check_grads(g, { order = 2 }), args[k])
      -- a derivative the function itself declines, with a message naming
      -- it ("np.linalg.svd: the gradient of full_matrices=true is not
      -- defined ..."), is a documented limit, not a wrong answer
      local declined = not good and type(err) == "string" and not err:find("check_grads:", 1, true)
        and err:find("np." .. name .. ":", 1, true) and not err:find("attempt to", 1, true)
      if not good and not declined then
        problems[#problems + 1] = ("np.%s (argument %d of %d): %s"):format(name, k, #args, tostring(err))
      end
    end
    return true
  end

  before_each(function() problems = {} end)

  it("one array argument", function()
    for _, name in ipairs(names()) do
      for _, shape in ipairs({ { 2, 3 }, { 3, 3 } }) do
        if try(name, { sample(shape, 1) }) then
          checked[name] = true
          break
        end
      end
    end
    assert.are.same({}, problems)
  end)

  it("two array arguments of the same shape", function()
    for _, name in ipairs(names()) do
      if try(name, { sample({ 3, 3 }, 1), sample({ 3, 3 }, 2) }) then
        checked[name] = true
      end
    end
    assert.are.same({}, problems)
  end)

  it("one float32 array argument (checked in float32, gradients of its dtype)", function()
    local n, total = 0, #names()
    for _, name in ipairs(names()) do
      for _, shape in ipairs({ { 2, 3 }, { 3, 3 } }) do
        local x32 = sample(shape, 1):astype("float32")
        if try(name, { x32 }) then
          n = n + 1
          -- the gradient has its argument's dtype
          local f = functions[name]
          local ok, g = pcall(ad.grad(function(z) return np.sum(f(z)) end), x32)
          if ok and is_array(g) and g.dtype ~= "float32" then
            problems[#problems + 1] = ("np.%s: the gradient of a float32 argument is %s"):format(name, g.dtype)
          end
          break
        end
      end
    end
    assert.are.same({}, problems)
    assert.is_true(n >= total / 2, ("only %d of %d functions could be called on float32"):format(n, total))
  end)

  it("covers most of np", function()
    local n, total = 0, #names()
    for _ in each(checked) do n = n + 1 end
    if os.getenv("ADLUA_REPORT") then
      local missing = {}
      for _, k in ipairs(names()) do if not checked[k] then missing[#missing + 1] = k end end
      io.stderr:write(("check_grads: %d of %d np functions checked; not called: %s\n")
        :format(n, total, table.concat(missing, " ")))
    end
    assert.is_true(n >= total / 2, ("only %d of %d functions could be called"):format(n, total))
  end)
end)
