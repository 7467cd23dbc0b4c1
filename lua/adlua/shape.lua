-- adlua.shape: NumPy's shape functions as compositions of traced
-- primitives (reshape, transpose, getitem, concatenate, take, add), so each
-- is differentiable to any order. Axes are 1-based; negative from the end.
local core = require "adlua.core"

return function(np)
  local is_array = core.is_array

  local function as_array(x)
    if is_array(x) then return x end
    return core.array(x)
  end

  local function shape_str(shape)
    if #shape == 1 then return ("(%d,)"):format(shape[1]) end
    return "(" .. table.concat(shape, ",") .. ")"
  end

  -- A 1-based axis (negative from the end) of an array of ndim axes.
  local function axis_of(fname, axis, ndim)
    if type(axis) ~= "number" or axis ~= math.floor(axis) then
      error(("%s: axis must be a whole number, got %s"):format(fname, tostring(axis)), 3)
    end
    local a = axis < 0 and ndim + axis + 1 or axis
    if a < 1 or a > ndim or axis == 0 then
      error(("%s: axis %d is out of bounds for array of dimension %d"):format(fname, axis, ndim), 3)
    end
    return a
  end

  --- np.swapaxes(x, a, b)
  function np.swapaxes(x, a, b)
    x = as_array(x)
    local n = x.ndim
    a, b = axis_of("np.swapaxes", a, n), axis_of("np.swapaxes", b, n)
    local perm = {}
    for i = 1, n do perm[i] = i end
    perm[a], perm[b] = perm[b], perm[a]
    return np.transpose(x, perm)
  end

  --- np.moveaxis(x, source, destination): one axis or tables of axes.
  function np.moveaxis(x, source, destination)
    x = as_array(x)
    local n = x.ndim
    local src = type(source) == "table" and source or { source }
    local dst = type(destination) == "table" and destination or { destination }
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
    x = as_array(x)
    local axes = type(axis) == "table" and axis or { axis }
    local n = x.ndim + #axes
    local new = {}
    for _, a in ipairs(axes) do
      local i = axis_of("np.expand_dims", a, n)
      if new[i] then error("np.expand_dims: repeated axis", 2) end
      new[i] = true
    end
    local shape, old, k = {}, x.shape, 1
    for i = 1, n do
      if new[i] then shape[i] = 1 else shape[i] = old[k]; k = k + 1 end
    end
    return np.reshape(x, shape)
  end

  local function at_least(x, nd)
    x = as_array(x)
    local s = x.shape
    if #s >= nd then return x end
    if nd == 2 then return np.reshape(x, { 1, #s == 0 and 1 or s[1] }) end
    return np.reshape(x, { 1 })
  end

  --- np.vstack(arrays): 1-d arrays become rows.
  function np.vstack(arrays)
    local t = {}
    for i, a in ipairs(arrays) do t[i] = at_least(a, 2) end
    return np.concatenate(t, 1)
  end

  --- np.hstack(arrays): along axis 1 for 1-d arrays, axis 2 otherwise.
  function np.hstack(arrays)
    local t, one_d = {}, true
    for i, a in ipairs(arrays) do
      t[i] = at_least(a, 1)
      if t[i].ndim > 1 then one_d = false end
    end
    return np.concatenate(t, one_d and 1 or 2)
  end

  -- x's entries a..b (1-based, inclusive) along axis.
  local function slice(x, axis, a, b)
    local key = {}
    for i = 1, axis - 1 do key[i] = {} end
    key[axis] = { a, b }
    return x[key]
  end

  --- np.split(x, sections, axis): a number of equal parts, or a table of
  -- cut points with NumPy's numbers: {2, 3} gives entries 1..2, 3..3 and
  -- 4..n (each number counts the entries before its cut).
  function np.split(x, sections, axis)
    x = as_array(x)
    axis = axis_of("np.split", axis or 1, x.ndim)
    local n, cuts = x.shape[axis], {}
    if type(sections) == "number" then
      if sections < 1 or n % sections ~= 0 then
        error(("np.split: array split does not result in an equal division: %d into %s")
          :format(n, tostring(sections)), 2)
      end
      for i = 1, sections - 1 do cuts[i] = i * n / sections end
    else
      cuts = sections
    end
    local parts, first = {}, 1
    for i = 1, #cuts + 1 do
      local last = i <= #cuts and math.min(cuts[i], n) or n
      parts[i] = slice(x, axis, first, math.max(last, first - 1))
      first = math.max(first, last + 1)
    end
    return parts
  end

  --- np.broadcast_to(x, shape)
  function np.broadcast_to(x, shape)
    x = as_array(x)
    if type(shape) == "number" then shape = { shape } end
    local s = x.shape
    local ok = #s <= #shape
    for i = 1, #s do
      local a, b = s[#s - i + 1], shape[#shape - i + 1]
      if ok and a ~= b and a ~= 1 then ok = false end
    end
    if not ok then
      error(("np.broadcast_to: operand with shape %s cannot be broadcast to shape %s")
        :format(shape_str(s), shape_str(shape)), 2)
    end
    return x + np.zeros(shape)
  end

  --- np.flip(x, axis): reversed along axis (all axes when nil).
  function np.flip(x, axis)
    x = as_array(x)
    local n, key = x.ndim, {}
    for i = 1, n do key[i] = axis == nil and { -1, 1, -1 } or {} end
    if axis ~= nil then
      for _, a in ipairs(type(axis) == "table" and axis or { axis }) do
        key[axis_of("np.flip", a, n)] = { -1, 1, -1 }
      end
    end
    if n == 0 then return x end
    return x[key]
  end

  --- np.roll(x, shift, axis): entries shifted along axis (the flattened
  -- array when axis is nil), wrapping around.
  function np.roll(x, shift, axis)
    x = as_array(x)
    if axis == nil then return np.reshape(np.roll(np.ravel(x), shift, 1), x.shape) end
    axis = axis_of("np.roll", axis, x.ndim)
    local n = x.shape[axis]
    if n == 0 then return x end
    local pos = {}
    for i = 1, n do pos[i] = (i - 1 - shift) % n + 1 end
    return core.take(x, core.array(pos), axis)
  end

  --- np["repeat"](x (repeat is a Lua keyword)(x, repeats, axis): each entry repeated (flattened when axis is nil).
  np["repeat"] = function(x, repeats, axis)
    x = as_array(x)
    if axis == nil then x, axis = np.ravel(x), 1 end
    axis = axis_of("np.repeat", axis, x.ndim)
    local n, pos = x.shape[axis], {}
    if type(repeats) == "table" and #repeats ~= n then
      error(("np.repeat: operands could not be broadcast together with shape (%d,) (%d,)")
        :format(n, #repeats), 2)
    end
    for i = 1, n do
      local r = type(repeats) == "table" and repeats[i] or repeats
      if r < 0 or r ~= math.floor(r) then
        error("np.repeat: repeats must be whole numbers >= 0", 2)
      end
      for _ = 1, r do pos[#pos + 1] = i end
    end
    if #pos == 0 then
      local shape = x.shape; shape[axis] = 0
      return np.zeros(shape)
    end
    return core.take(x, core.array(pos), axis)
  end

  --- np.tile(x, reps)
  function np.tile(x, reps)
    x = as_array(x)
    if type(reps) == "number" then reps = { reps } end
    local nd = math.max(x.ndim, #reps)
    local shape, r, result = x.shape, {}, {}
    while #shape < nd do table.insert(shape, 1, 1) end
    for i = 1, nd do
      r[i] = reps[i - (nd - #reps)] or 1
      result[i] = shape[i] * r[i]
    end
    for i = 1, nd do if result[i] == 0 then return np.zeros(result) end end
    x = np.reshape(x, shape)
    for a = 1, nd do
      if r[a] ~= 1 then
        local pos = {}
        for _ = 1, r[a] do for i = 1, shape[a] do pos[#pos + 1] = i end end
        x = core.take(x, core.array(pos), a)
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
    x = as_array(x)
    local v = core.value(x)
    if axis == nil then axis = -1 end
    if v.ndim == 0 then return core.array({ 1 }) end
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
    x = as_array(x)
    if axis == nil then axis = -1 end
    if x.ndim == 0 or x.size == 0 then return x end
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
    local v = type(x) == "number" and x or core.value(as_array(x))
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
