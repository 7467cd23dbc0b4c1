-- adlua.random: np.random. One generator per Lua state: xoshiro256**
-- seeded through splitmix64 (docs/random.md), seeded with 0 at start, so
-- runs are reproducible and machines agree. NumPy's argument meanings,
-- apart from positions, which are 1-based: permutation(n) permutes 1..n and
-- choice(n) picks from 1..n. randint(low, high) keeps NumPy's values:
-- whole numbers in [low, high).
local core = require "adlua.core"
local check = require "adlua.argcheck"

local random = {
  rand = core.random_rand,
  randn = core.random_randn,
}

local is_array = core.is_array

-- 53 bits from the system's entropy (/dev/urandom), or, where it has none,
-- from the clock, the CPU time and a fresh table's address.
local function entropy_seed()
  local f = io.open("/dev/urandom", "rb")
  local bytes = f and f:read(7)
  if f then f:close() end
  if bytes and #bytes == 7 then
    local s = bytes:byte(7) % 32
    for i = 6, 1, -1 do s = s * 256 + bytes:byte(i) end
    return s
  end
  local addr = tonumber(tostring({}):match("0x(%x+)") or "0", 16) or 0
  return (os.time() * 1000003 + math.floor(os.clock() * 1e6) + addr) % 2 ^ 53
end

--- seed(n): restarts the generator at n (a whole number in [0, 2^53]);
--- seed() (or seed(nil)) at a seed drawn from the system's entropy, as
--- NumPy's seed(None) does.
function random.seed(n)
  if n == nil then n = entropy_seed() end
  return core.random_seed(n)
end

local function is_options(t)
  return type(t) == "table" and not is_array(t) and #t == 0 and next(t) ~= nil
end

-- The shape of draws for parameters a, b (numbers or arrays) and size.
-- nil when everything is a number: then one number is drawn.
local function draw_shape(fname, a, b, size)
  if size ~= nil then return (check.shape(fname, "size", size, 3)) end
  if type(a) == "number" and type(b) == "number" then return nil end
  local z = core.add(core.multiply(core.value(a), 0), core.multiply(core.value(b), 0))
  return is_array(z) and z.shape or nil
end

--- normal(loc, scale, size): loc + scale * randn(size); loc and scale may
--- be arrays (broadcast), and the result is differentiable in both.
-- Whether the number or array v holds a value below 0 or a -0 (NumPy's
-- signbit test; a nan passes).
local function any_negative(v)
  v = core.value(v)
  if type(v) == "number" then return v < 0 or 1 / v < 0 end
  return core.sum(core.less(v, 0)) > 0 or core.sum(core.less(core.divide(1, v), 0)) > 0
end

-- Whether high - low overflows (inf or nan) anywhere.
local function any_infinite(low, high)
  local d = core.subtract(core.value(high), core.value(low))
  if type(d) == "number" then return d - d ~= 0 end
  return core.sum(core.not_equal(core.subtract(d, d), 0)) > 0
end

function random.normal(loc, scale, size)
  loc, scale = loc or 0, scale or 1
  if any_negative(scale) then error("np.random.normal: scale < 0", 2) end
  local shape = draw_shape("np.random.normal", loc, scale, size)
  local z = shape and check.renamed("np.random.normal", 2, core.random_randn, shape) or core.random_randn()
  return core.add(loc, core.multiply(scale, z))
end

--- uniform(low, high, size): low + (high - low) * rand(size), on [low, high).
--- high < low is allowed (as NumPy); high - low must be finite.
function random.uniform(low, high, size)
  low, high = low or 0, high or 1
  if any_infinite(low, high) then
    error("np.random.uniform: Range exceeds valid bounds (high - low must be finite)", 2)
  end
  local shape = draw_shape("np.random.uniform", low, high, size)
  local u = shape and check.renamed("np.random.uniform", 2, core.random_rand, shape) or core.random_rand()
  return core.add(low, core.multiply(core.subtract(high, low), u))
end

-- Draws made one at a time go into a Lua list first: at most this many.
local MAX_LISTED = 2 ^ 26

-- randint with array bounds, broadcast as NumPy does: one draw below
-- high - low per element, in C order, so bounds that are all equal give
-- the draws of the number form. Every bound is checked before the first
-- draw.
local function randint_bounds(low, high, size)
  local fname = "np.random.randint"
  if high == nil then low, high = 0, low end
  low = core.value(check.array(fname, low, 3))
  high = core.value(check.array(fname, high, 3))
  -- the bounds' own broadcast shape, which must broadcast to size
  local shape = check.shape_of(check.renamed(fname, 3, core.add, core.multiply(low, 0),
    core.multiply(high, 0)))
  if size ~= nil then
    local bshape = shape
    shape = check.shape(fname, "size", size, 3)
    local fits = #bshape <= #shape
    for i = 1, fits and #bshape or 0 do
      local b = bshape[#bshape + 1 - i]
      if b ~= 1 and b ~= shape[#shape + 1 - i] then fits = false end
    end
    if not fits then
      error(("%s: low and high of shapes %s and %s cannot be broadcast to size %s"):format(fname,
        check.shape_str(check.shape_of(low)), check.shape_str(check.shape_of(high)),
        check.shape_str(shape)), 3)
    end
  end
  local z = check.zeros(fname, shape, 3)
  local lo = check.renamed(fname, 3, core.add, z, low)
  local hi = check.renamed(fname, 3, core.add, z, high)
  local count = type(lo) == "number" and 1 or lo.size
  if count > MAX_LISTED then
    error(("%s: size %s is too big for array bounds (at most 2^26 draws)"):format(fname,
      check.fmt(count)), 3)
  end
  lo = type(lo) == "number" and { lo } or core.totable(core.reshape(lo, -1))
  hi = type(hi) == "number" and { hi } or core.totable(core.reshape(hi, -1))
  for i = 1, count do
    local a, b = lo[i], hi[i]
    if not (check.is_whole(a) and check.is_whole(b)) or math.abs(a) > check.MAX_EXACT
      or math.abs(b) > check.MAX_EXACT then
      error(fname .. ": low and high must be whole numbers within +-2^53", 3)
    end
    if not (a < b) then
      error(("%s: low >= high (%s >= %s)"):format(fname, check.fmt(a), check.fmt(b)), 3)
    end
    if b - a > check.MAX_EXACT then error(fname .. ": high - low must be at most 2^53", 3) end
  end
  local out = {}
  for i = 1, count do out[i] = lo[i] + core.random_below(hi[i] - lo[i]) end
  if #shape == 0 then return out[1] end
  return core.reshape(core.array(out), shape)
end

--- randint(low, high, size): whole numbers in [low, high) (NumPy's values);
--- randint(n) draws from [0, n). low and high may be arrays (or tables),
--- broadcast against each other and size. float64 arrays (adlua has no
--- integer dtype).
function random.randint(low, high, size)
  if is_options(size) then size = size.size end
  if type(low) == "number" and (high == nil or type(high) == "number") then
    return core.random_randint(low, high, size)
  end
  local r = randint_bounds(low, high, size) -- not a tail call: its errors are at level 3
  return r
end

--- permutation(n): 1..n in a random order; permutation(x): a copy of the
--- array (or table) x with its entries along axis 1 in a random order.
function random.permutation(x)
  if type(x) == "number" then return core.random_permutation_n(x) end
  if is_array(x) then
    -- a traced array is gathered at a permutation of its rows (the same
    -- draws), so gradients flow back to the rows they came from
    if core.value(x) == x or x.ndim == 0 then return core.random_shuffled(x) end
    return core.take(x, core.random_permutation_n(x.shape[1]), 1)
  end
  if type(x) == "table" then
    local c = {}
    for i = 1, #x do c[i] = x[i] end
    random.shuffle(c)
    return c
  end
  error("np.random.permutation: expected a number, an array or a table, got " .. type(x), 2)
end

--- shuffle(x): shuffles x in place along axis 1 (an array or a Lua list).
--- An array and a list of the same length get the same order from the same
--- draws.
function random.shuffle(x)
  if is_array(x) then
    if core.value(x) ~= x then
      error("np.random.shuffle: cannot shuffle an array that is being differentiated in place; "
            .. "use np.random.permutation", 2)
    end
    if x.ndim == 0 then error("np.random.shuffle: a 0-d array cannot be shuffled", 2) end
    local shuffled = core.random_shuffled(x)
    x[{}] = shuffled
    return nil
  end
  if type(x) ~= "table" then
    error("np.random.shuffle: expected an array or a table, got " .. type(x), 2)
  end
  for i = #x, 2, -1 do
    local j = core.random_below(i) + 1
    x[i], x[j] = x[j], x[i]
  end
end

-- Probabilities as a Lua list, checked as NumPy checks them.
-- The sum may miss 1 by NumPy's tolerance: the square root of the machine
-- epsilon of p's dtype.
local function probabilities(p, n)
  local atol = 2 ^ -26
  if is_array(p) then
    if p.ndim ~= 1 then error("np.random.choice: p must be 1-dimensional", 4) end
    if p.dtype == "float32" then atol = math.sqrt(2 ^ -23) end
    p = core.totable(core.value(p))
  end
  if type(p) ~= "table" then error("np.random.choice: p must be a table or an array", 4) end
  if #p ~= n then error("np.random.choice: a and p must have same size", 4) end
  local total = 0
  for i = 1, n do
    if type(p[i]) ~= "number" then
      error("np.random.choice: p must hold numbers, got " .. check.describe(p[i]), 4)
    end
    if p[i] ~= p[i] then error("np.random.choice: probabilities contain NaN", 4) end
    if p[i] < 0 then error("np.random.choice: probabilities are not non-negative", 4) end
    total = total + p[i]
  end
  if math.abs(total - 1) > atol then error("np.random.choice: probabilities do not sum to 1", 4) end
  return p, total
end

-- The running sums of the weights w (as weighted adds them up).
local function cumulative(w, n)
  local cum, acc, last = {}, 0, nil
  for i = 1, n do
    if w[i] > 0 then acc = acc + w[i]; last = i end
    cum[i] = acc
  end
  return cum, last
end

-- A position 1..n drawn with the weights w (total `total`), skipping taken.
-- With the running sums (draws with replacement), a binary search finds
-- the same position as the scan: the first i with u < cum[i].
local function weighted(w, total, n, taken, cum, last_positive)
  if cum then
    local u = core.random_uniform01() * total
    if not (u < cum[n]) then return last_positive end
    local lo, hi = 1, n
    while lo < hi do
      local mid = math.floor((lo + hi) / 2)
      if u < cum[mid] then hi = mid else lo = mid + 1 end
    end
    return lo
  end
  local u, acc = core.random_uniform01() * total, 0
  local last
  for i = 1, n do
    if not taken[i] and w[i] > 0 then
      acc = acc + w[i]
      last = i
      if u < acc then return i end
    end
  end
  return last -- rounding left u at the very top
end

--- choice(a, size, replace, p) or choice(a, size, {replace =, p =}) or
--- choice(a, {size =, replace =, p =}): elements of a drawn at random. a is
--- a number n (draws from 1..n), a 1-d array or a Lua list. Without size,
--- one element; with size, an array of that shape (a list when a is a Lua
--- list of non-numbers).
function random.choice(a, size, replace, p)
  if is_options(size) then size, replace, p = size.size, size.replace, size.p
  elseif is_options(replace) then replace, p = replace.replace, replace.p end
  if replace == nil then replace = true end
  local pool
  if type(a) == "number" then
    check.whole("np.random.choice", "a", a, 0, check.MAX_EXACT)
  elseif is_array(a) then
    if a.ndim ~= 1 then error("np.random.choice: a must be 1-dimensional", 2) end
    if core.value(a) ~= a then
      -- traced: gather at the positions choice(n) draws, so gradients flow
      -- back to the entries picked (repeated picks add up)
      local at = random.choice(a.shape[1], size, replace, p)
      if type(at) == "number" then at = core.array({ at }) end
      local picked = core.take(a, at, 1)
      if size == nil then return picked[1] end
      return picked
    end
    pool = core.totable(core.value(a))
  elseif type(a) == "table" then
    pool = a
  else
    error("np.random.choice: a must be a number, a 1-d array or a list, got " .. check.describe(a), 2)
  end
  local n = pool and #pool or a
  local shape, count = {}, 1
  if size ~= nil then shape, count = check.shape("np.random.choice", "size", size) end
  if n == 0 and count > 0 then
    error("np.random.choice: a cannot be empty unless no samples are taken", 2)
  end
  if not replace and count > n then
    error("np.random.choice: cannot take a larger sample than population when replace is false", 2)
  end
  local listed = pool and not is_array(a) and type(pool[1]) ~= "number"
  if size ~= nil and listed and #shape ~= 1 then
    error("np.random.choice: a list of non-numbers gives 1-d samples only", 2)
  end
  local w, total
  if p ~= nil then w, total = probabilities(p, n) end
  if w ~= nil and not replace then
    local nonzero = 0
    for i = 1, n do if w[i] > 0 then nonzero = nonzero + 1 end end
    if count > nonzero then error("np.random.choice: Fewer non-zero entries in p than size", 2) end
  end
  if count == 0 then -- no draws; a may be empty
    if listed then return {} end
    return core.zeros(shape, is_array(a) and a.dtype or nil)
  end
  if size ~= nil and w == nil and replace then
    -- uniform draws with replacement, all at once: the same draws as one
    -- at a time, and a size too big to allocate fails at once
    local at = core.add(check.renamed("np.random.choice", 2, core.random_randint, 0, n, shape), 1)
    if not pool then return at end
    if not listed then return core.take(core.array(pool), at, 1) end
    local picks, positions = {}, core.totable(at)
    for k = 1, count do picks[k] = pool[positions[k]] end
    return picks
  end
  -- one draw at a time, into a Lua list: its length is checked first
  if count > MAX_LISTED then
    error(("np.random.choice: size %s is too big for draws without replacement or with p (at most 2^26 draws)")
      :format(check.fmt(count)), 2)
  end
  local picks, taken, cum, last_positive = {}, {}, nil, nil
  if w ~= nil and replace then cum, last_positive = cumulative(w, n) end
  -- the partial Fisher-Yates shuffle of 1..n: only the moved entries are
  -- stored (order[i] is i until moved), so a large n costs nothing
  local order = {}
  for k = 1, count do
    local i
    if w == nil and replace then
      i = core.random_below(n) + 1
    elseif w == nil then -- partial Fisher-Yates from the front
      local j = k + core.random_below(n - k + 1)
      local ok, oj = order[k] or k, order[j] or j
      order[k], order[j] = oj, ok
      i = oj
    else
      i = weighted(w, total, n, taken, cum, last_positive)
      if not replace then
        taken[i] = true
        total = total - w[i]
      end
    end
    picks[k] = pool and pool[i] or i
  end
  if size == nil then return picks[1] end
  if listed then return picks end
  return core.reshape(core.array(picks), shape)
end

return random
