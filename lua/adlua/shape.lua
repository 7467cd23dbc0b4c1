-- adlua.shape: NumPy's shape functions as compositions of traced
-- primitives (reshape, transpose, getitem, concatenate, take, add), so each
-- is differentiable to any order. Axes are 1-based; negative from the end.
local core = require "adlua.core"
local check = require "adlua.argcheck"

return function(np)
  local is_array = core.is_array
  local shape_of = check.shape_of

  -- x as an array or a number (a 0-d value), or an error naming fname.
  local function as_array(x, fname)
    return (check.array(fname, x, 3)) -- no tail call: level counts this frame
  end
  local function ndim_of(x) return type(x) == "number" and 0 or x.ndim end

  local shape_str = check.shape_str

  -- A 1-based axis (negative from the end) of an array of ndim axes.
  local function axis_of(fname, axis, ndim)
    return (check.axis(fname, axis, ndim, 3)) -- no tail call: level counts this frame
  end

  -- A table of axes or a single one, as a list.
  local function axis_list(fname, axis)
    if type(axis) == "table" and not is_array(axis) then return axis end
    if type(axis) ~= "number" then
      error(("%s: axis must be a whole number or a table of them, got %s")
        :format(fname, check.describe(axis)), 3)
    end
    return { axis }
  end

  --- np.swapaxes(x, a, b)
  function np.swapaxes(x, a, b)
    x = as_array(x, "np.swapaxes")
    local n = ndim_of(x)
    a, b = axis_of("np.swapaxes", a, n), axis_of("np.swapaxes", b, n)
    local perm = {}
    for i = 1, n do perm[i] = i end
    perm[a], perm[b] = perm[b], perm[a]
    return np.transpose(x, perm)
  end

  --- np.moveaxis(x, source, destination): one axis or tables of axes.
  function np.moveaxis(x, source, destination)
    x = as_array(x, "np.moveaxis")
    local n = ndim_of(x)
    local src = axis_list("np.moveaxis", source)
    local dst = axis_list("np.moveaxis", destination)
    if #src ~= #dst then
      error("np.moveaxis: `source` and `destination` arguments must have the same number of elements", 2)
    end
    local placed, moved, order = {}, {}, {}
    for i = 1, #src do
      local s, d = axis_of("np.moveaxis", src[i], n), axis_of("np.moveaxis", dst[i], n)
      if moved[s] or placed[d] then error("np.moveaxis: repeated axis", 2) end
      moved[s], placed[d] = true, s
    end
    local rest = {}
    for i = 1, n do if not moved[i] then rest[#rest + 1] = i end end
    local k = 1
    for i = 1, n do
      if placed[i] then order[i] = placed[i] else order[i] = rest[k]; k = k + 1 end
    end
    return np.transpose(x, order)
  end

  --- np.expand_dims(x, axis): a new axis of length 1 at `axis` (or axes).
  function np.expand_dims(x, axis)
    x = as_array(x, "np.expand_dims")
    local axes = axis_list("np.expand_dims", axis)
    local n = ndim_of(x) + #axes
    if n > check.MAX_DIMS then
      error(("np.expand_dims: %d dimensions requested, at most %d supported"):format(n, check.MAX_DIMS), 2)
    end
    local new = {}
    for i = 1, #axes do
      local a = axis_of("np.expand_dims", axes[i], n)
      if new[a] then error("np.expand_dims: repeated axis", 2) end
      new[a] = true
    end
    local shape, old, k = {}, shape_of(x), 1
    for i = 1, n do
      if new[i] then shape[i] = 1 else shape[i] = old[k]; k = k + 1 end
    end
    return np.reshape(x, shape)
  end

  local function at_least(fname, x, nd)
    x = check.array(fname, x, 3)
    local s = shape_of(x)
    if #s >= nd then return x end
    if nd == 2 then return np.reshape(x, { 1, #s == 0 and 1 or s[1] }) end
    return np.reshape(x, { 1 })
  end

  -- The list of arrays a stacking function was given.
  local function array_list(fname, arrays)
    if type(arrays) ~= "table" or is_array(arrays) then
      error(("%s: expected a table (list) of arrays, got %s"):format(fname, check.describe(arrays)), 3)
    end
    if #arrays == 0 then error(fname .. ": need at least one array to concatenate", 3) end
    return arrays
  end

  --- np.vstack(arrays): 1-d arrays become rows.
  function np.vstack(arrays)
    local t = {}
    for i, a in ipairs(array_list("np.vstack", arrays)) do t[i] = at_least("np.vstack", a, 2) end
    return np.concatenate(t, 1)
  end

  --- np.hstack(arrays): along axis 1 for 1-d arrays, axis 2 otherwise.
  function np.hstack(arrays)
    local t, one_d = {}, true
    for i, a in ipairs(array_list("np.hstack", arrays)) do
      t[i] = at_least("np.hstack", a, 1)
      if ndim_of(t[i]) > 1 then one_d = false end
    end
    return np.concatenate(t, one_d and 1 or 2)
  end

  -- The parts np.split may make of an empty axis (each a Lua value).
  local MAX_EMPTY_PARTS = 2 ^ 20

  -- x's entries a..b (1-based, inclusive) along axis.
  local function slice(x, axis, a, b)
    if b < a then return core.take(x, np.zeros({ 0 }), axis) end
    local key = {}
    for i = 1, axis - 1 do key[i] = {} end
    key[axis] = { a, b }
    return x[key]
  end

  --- np.split(x, sections, axis): a number of equal parts, or a table (or
  -- 1-d array) of cut points with NumPy's numbers: {2, 3} gives entries
  -- 1..2, 3..3 and 4..n (each number counts the entries before its cut).
  -- Part i is NumPy's x[c(i-1):c(i)] with c(0) = 0 and c(last) = n, so a
  -- cut below the one before it gives an empty part and the next part
  -- starts at that lower cut; negative cuts count from the end.
  function np.split(x, sections, axis)
    x = as_array(x, "np.split")
    axis = axis_of("np.split", axis or 1, ndim_of(x))
    local n, cuts = x.shape[axis], {}
    if is_array(sections) then
      local v = core.value(sections)
      if type(v) == "number" or v.ndim == 0 then
        sections = core.item(v)
      elseif v.ndim == 1 then
        sections = core.totable(v)
      else
        error(("np.split: the split positions must be a 1-d array, got %s")
          :format(check.describe(sections)), 2)
      end
    end
    if type(sections) == "number" then
      check.whole("np.split", "the number of sections", sections, 1)
      if n % sections ~= 0 then
        error(("np.split: array split does not result in an equal division: %d into %s")
          :format(n, check.fmt(sections)), 2)
      end
      -- only an empty axis divides into more parts than it has entries
      if sections > math.max(n, MAX_EMPTY_PARTS) then
        error(("np.split: %s sections of an empty axis is too many (at most %d)")
          :format(check.fmt(sections), MAX_EMPTY_PARTS), 2)
      end
      for i = 1, sections - 1 do cuts[i] = i * n / sections end
    elseif check.is_list(sections) then
      for i = 1, #sections do
        cuts[i] = check.whole("np.split", "a split position", sections[i])
      end
    else
      error(("np.split: sections must be a whole number or a table of split positions, got %s")
        :format(check.describe(sections)), 2)
    end
    -- a cut as a Python slice bound: from the end when negative, clipped
    -- to 0..n
    local function bound(c)
      if c < 0 then return math.max(n + c, 0) end
      return math.min(c, n)
    end
    local parts, from = {}, 0
    for i = 1, #cuts + 1 do
      local to = i <= #cuts and bound(cuts[i]) or n
      parts[i] = slice(x, axis, from + 1, to)
      from = to
    end
    return parts
  end

  --- np.broadcast_to(x, shape)
  function np.broadcast_to(x, shape)
    x = as_array(x, "np.broadcast_to")
    shape = check.shape("np.broadcast_to", "the shape", shape)
    local s = shape_of(x)
    local ok = #s <= #shape
    for i = 1, #s do
      local a, b = s[#s - i + 1], shape[#shape - i + 1]
      if ok and a ~= b and a ~= 1 then ok = false end
    end
    if not ok then
      error(("np.broadcast_to: operand with shape %s cannot be broadcast to shape %s")
        :format(shape_str(s), shape_str(shape)), 2)
    end
    -- zeros of x's dtype: the result keeps it, as in NumPy
    return x + check.zeros("np.broadcast_to", shape, nil, nil, check.dtype_of(x))
  end

  --- np.flip(x, axis): reversed along axis (all axes when nil).
  function np.flip(x, axis)
    x = as_array(x, "np.flip")
    local n, key = ndim_of(x), {}
    local axes = axis ~= nil and axis_list("np.flip", axis) or nil
    for i = 1, n do key[i] = axes == nil and { -1, 1, -1 } or {} end
    if axes then
      for i = 1, #axes do key[axis_of("np.flip", axes[i], n)] = { -1, 1, -1 } end
    end
    if n == 0 then return x end
    return x[key]
  end

  -- A shift or axis argument of np.roll as a list: a number, a table or a
  -- 1-d array of them.
  local function roll_list(what, v)
    if is_array(v) then
      v = core.value(v) -- a 0-d one is a number now
    end
    if is_array(v) then
      if v.ndim > 1 then
        error(("np.roll: %s must be a whole number or a 1-d table of them, got %s")
          :format(what, check.describe(v)), 3)
      end
      v = v.ndim == 0 and core.item(v) or core.totable(v)
    end
    if type(v) == "number" then v = { v } end
    if type(v) ~= "table" then
      error(("np.roll: %s must be a whole number or a table of them, got %s")
        :format(what, check.describe(v)), 3)
    end
    for i = 1, #v do check.whole("np.roll", what, v[i], nil, nil, 3) end
    return v
  end

  -- x rolled by s along the 1-based axis a.
  local function roll_axis(x, s, a)
    local n = x.shape[a]
    if n == 0 then return x end
    local pos = {}
    for i = 1, n do pos[i] = (i - 1 - s) % n + 1 end
    return core.take(x, core.array(pos), a)
  end

  --- np.roll(x, shift, axis): entries shifted along axis (the flattened
  -- array when axis is nil), wrapping around. shift and axis may be tables
  -- (NumPy's tuples), broadcast against each other: np.roll(x, {1, 2},
  -- {1, 2}) shifts axis 1 by 1 and axis 2 by 2; shifts of a repeated axis
  -- add up.
  function np.roll(x, shift, axis)
    x = as_array(x, "np.roll")
    local shifts = roll_list("shift", shift)
    if axis == nil then
      if type(x) == "number" then return x end
      return np.reshape(np.roll(np.ravel(x), shifts, 1), x.shape)
    end
    local axes = roll_list("axis", axis)
    local ns, na = #shifts, #axes
    local count = ns == 1 and na or ns
    if ns ~= na and ns ~= 1 and na ~= 1 then
      error(("np.roll: shift and axis could not be broadcast together with shapes (%d,) (%d,)")
        :format(ns, na), 2)
    end
    local nd, shape, total = ndim_of(x), shape_of(x), {}
    for i = 1, count do
      local a = axis_of("np.roll", axes[na == 1 and 1 or i], nd)
      local n = math.max(shape[a], 1)
      total[a] = math.fmod((total[a] or 0) + math.fmod(shifts[ns == 1 and 1 or i], n), n)
    end
    if count == 0 then return np.copy(x) end -- nothing to roll: still a new array
    for a = 1, nd do
      if total[a] then x = roll_axis(x, total[a], a) end
    end
    return x
  end

  local function product(t, from, to)
    local p = 1
    for i = from, to do p = p * t[i] end
    return p
  end

  -- x (of shape `shape`) with each slice along `axis` repeated r times in
  -- place: a broadcast against zeros, so nothing is listed per element and
  -- a result too big to allocate fails at once.
  local function repeat_each(fname, x, shape, axis, r)
    local before, n, after = product(shape, 1, axis - 1), shape[axis], product(shape, axis + 1, #shape)
    local out = {}
    for i = 1, #shape do out[i] = shape[i] end
    out[axis] = n * r
    check.shape(fname, "the result's shape", out, 3)
    local z = check.zeros(fname, { before, n, r, after }, 3, out)
    return np.reshape(np.reshape(x, { before, n, 1, after }) + z, out)
  end

  -- The repeat counts of a table: whole numbers >= 0, one per entry.
  local function repeat_counts(repeats, n)
    if #repeats ~= n then
      error(("np.repeat: operands could not be broadcast together with shape (%d,) (%d,)")
        :format(n, #repeats), 3)
    end
    local total = 0
    for i = 1, n do
      total = total + check.whole("np.repeat", "repeats", repeats[i], 0, nil, 3)
    end
    return total
  end

  -- Results up to this length list their positions in a Lua table; longer
  -- ones are built from a block of positions per entry (C arrays).
  local LUA_POSITIONS = 2 ^ 20

  --- np["repeat"](x (repeat is a Lua keyword)(x, repeats, axis): each entry repeated (flattened when axis is nil).
  np["repeat"] = function(x, repeats, axis)
    x = as_array(x, "np.repeat")
    if axis == nil then x, axis = np.ravel(x), 1 end
    axis = axis_of("np.repeat", axis, ndim_of(x))
    local shape = x.shape
    local n = shape[axis]
    if is_array(repeats) and repeats.ndim == 1 then repeats = core.totable(core.value(repeats)) end
    if type(repeats) == "number" then
      return repeat_each("np.repeat", x, shape, axis, check.whole("np.repeat", "repeats", repeats, 0))
    elseif type(repeats) ~= "table" or is_array(repeats) then
      error(("np.repeat: repeats must be a whole number or a table of them, got %s")
        :format(check.describe(repeats)), 2)
    end
    local total = repeat_counts(repeats, n)
    shape[axis] = total
    check.shape("np.repeat", "the result's shape", shape)
    if total == 0 then return (check.zeros("np.repeat", shape)) end
    local pos
    if total <= LUA_POSITIONS then
      local list = {}
      for i = 1, n do
        for _ = 1, repeats[i] do list[#list + 1] = i end
      end
      pos = core.array(list)
    else
      local blocks = {}
      for i = 1, n do
        if repeats[i] > 0 then
          blocks[#blocks + 1] = check.renamed("np.repeat", 2, np.full, { repeats[i] }, i)
        end
      end
      pos = check.renamed("np.repeat", 2, np.concatenate, blocks, 1)
    end
    return core.take(x, pos, axis)
  end

  --- np.tile(x, reps)
  function np.tile(x, reps)
    x = as_array(x, "np.tile")
    if type(reps) == "number" then reps = { reps } end
    if type(reps) ~= "table" or is_array(reps) then
      error(("np.tile: reps must be a whole number or a table of them, got %s")
        :format(check.describe(reps)), 2)
    end
    local nreps = #reps
    local shape = shape_of(x)
    local nd = math.max(#shape, nreps)
    if nd > check.MAX_DIMS then
      error(("np.tile: %d dimensions requested, at most %d supported"):format(nd, check.MAX_DIMS), 2)
    end
    for i = 1, nreps do check.whole("np.tile", "reps", reps[i], 0) end
    local r, result = {}, {}
    while #shape < nd do table.insert(shape, 1, 1) end
    for i = 1, nd do
      r[i] = reps[i - (nd - nreps)] or 1
      result[i] = shape[i] * r[i]
    end
    local _, size = check.shape("np.tile", "the result's shape", result)
    if size == 0 then return (check.zeros("np.tile", result, nil, nil, check.dtype_of(x))) end
    x = np.reshape(x, shape)
    for a = 1, nd do
      if r[a] ~= 1 then
        -- the whole block from axis a on, r[a] times: (before, 1, rest)
        -- broadcast to (before, r, rest)
        local before, rest = product(shape, 1, a - 1), product(shape, a, nd)
        local z = check.zeros("np.tile", { before, r[a], rest }, 2, result, x.dtype)
        shape[a] = shape[a] * r[a]
        x = np.reshape(np.reshape(x, { before, 1, rest }) + z, shape)
      end
    end
    return x
  end

  -- The 1-based order of t's entries, ties kept in order (a stable sort,
  -- NaN last as in NumPy).
  local function order_of(t)
    local idx = {}
    for i = 1, #t do idx[i] = i end
    table.sort(idx, function(a, b)
      local x, y = t[a], t[b]
      if x ~= x then return false end
      if y ~= y then return true end
      if x ~= y then return x < y end
      return a < b
    end)
    return idx
  end

  --- np.argsort(x, axis): 1-based positions that sort x along axis (default -1).
  function np.argsort(x, axis)
    x = as_array(x, "np.argsort")
    local v = core.value(x)
    if axis == nil then axis = -1 end
    if ndim_of(v) == 0 then return core.array({ 1 }) end
    axis = axis_of("np.argsort", axis, v.ndim)
    local moved = np.moveaxis(v, axis, -1)
    local shape = moved.shape
    local n = shape[#shape]
    local flat = core.totable(np.reshape(moved, -1))
    local out = {}
    for row = 0, #flat / math.max(n, 1) - 1 do
      local t = {}
      for i = 1, n do t[i] = flat[row * n + i] end
      local o = order_of(t)
      for i = 1, n do out[row * n + i] = o[i] end
    end
    if #out == 0 then return np.zeros(v.shape) end
    return np.moveaxis(np.reshape(core.array(out), shape), -1, axis)
  end

  --- np.sort(x, axis): sorted along axis (default -1); differentiable
  -- (a gather at argsort's positions).
  function np.sort(x, axis)
    x = as_array(x, "np.sort")
    if axis == nil then axis = -1 end
    if ndim_of(x) == 0 or x.size == 0 then return x end
    axis = axis_of("np.sort", axis, x.ndim)
    local moved = np.moveaxis(x, axis, -1)
    local shape = moved.shape
    local n = shape[#shape]
    local order = core.totable(np.ravel(np.moveaxis(np.argsort(x, axis), axis, -1)))
    for i = 1, #order do order[i] = order[i] + math.floor((i - 1) / n) * n end
    local sorted = core.take(np.ravel(moved), core.array(order), 1)
    return np.moveaxis(np.reshape(sorted, shape), -1, axis)
  end

  --- np.nonzero(x): one array of 1-based positions per axis.
  function np.nonzero(x)
    local v = type(x) == "number" and x or core.value(as_array(x, "np.nonzero"))
    local shape = type(v) == "number" and {} or v.shape
    if #shape == 0 then
      error("np.nonzero: calling nonzero on 0-d arrays is not allowed; use np.atleast_1d", 2)
    end
    local flat, res = core.totable(np.reshape(v, -1)), {}
    for d = 1, #shape do res[d] = {} end
    for i = 1, #flat do
      if flat[i] ~= 0 then
        local rest = i - 1
        for d = #shape, 1, -1 do
          local list = res[d]
          list[#list + 1] = rest % shape[d] + 1
          rest = math.floor(rest / shape[d])
        end
      end
    end
    for d = 1, #shape do
      res[d] = #res[d] > 0 and core.array(res[d]) or np.zeros({ 0 })
    end
    return (table.unpack or unpack)(res)
  end
end
