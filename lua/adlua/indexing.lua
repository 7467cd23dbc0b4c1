-- adlua.indexing: index arrays and masks (np.take, x[idx], x[mask],
-- np.index_update, np.index_add). The gather and its scatter-add are C
-- primitives (core/gather.c), each the other's derivative; the rest are
-- compositions of traced operations, so they differentiate to any order.
local core = require "adlua.core"
local check = require "adlua.argcheck"

return function(np)
  local is_array = core.is_array

  local function as_array(x, fname)
    if is_array(x) then return x end
    if type(x) == "number" or type(x) == "table" then return core.array(x) end
    error(("%s: expected an array, a number or a table, got %s"):format(fname, type(x)), 3)
  end

  local shape_str = check.shape_str

  local function same_shape(a, b)
    if #a ~= #b then return false end
    for i = 1, #a do if a[i] ~= b[i] then return false end end
    return true
  end

  --- A mask: an array of x's shape holding only 0 and 1 (what comparisons
  -- return). Anything else is an index array (docs/conventions.md).
  local function is_mask(x, key)
    if not same_shape(x.shape, key.shape) then return false end
    local v = core.value(key)
    if not is_array(v) then return false end
    local ones = np.sum(np.equal(v, 1))
    return ones + np.sum(np.equal(v, 0)) == v.size
  end

  --- The 1-based flat positions where a mask is 1, as an array.
  local function mask_positions(mask)
    local flat, pos = core.totable(np.ravel(core.value(mask))), {}
    for i = 1, #flat do if flat[i] ~= 0 then pos[#pos + 1] = i end end
    return core.array(pos), #pos
  end

  --- np.take(x, idx, axis): x's slices at the 1-based positions idx (an
  -- index array, table or number) along axis (1-based; nil: the flattened x).
  function np.take(x, idx, axis)
    x = as_array(x, "np.take")
    idx = as_array(idx, "np.take")
    if axis == nil then return core.take(np.ravel(x), idx, 1) end
    return core.take(x, idx, axis)
  end

  local function ravel_take(x, pos, n)
    if n == 0 then return np.zeros({ 0 }) end
    return core.take(np.ravel(x), pos, 1)
  end

  local mt = core.array_metatable
  local MAX_DIMS = 16 -- ADL_MAX_DIMS

  -- x[idx] with an array key: a mask of x's shape gives the 1-d array of
  -- the selected entries; any other array gathers along axis 1.
  mt.__index_array = function(x, key)
    if is_mask(x, key) then return ravel_take(x, mask_positions(key)) end
    if x.ndim - 1 + key.ndim > MAX_DIMS then
      error(("index: the result would have more than %d axes (an index array of %d axes into an array of %d)")
        :format(MAX_DIMS, key.ndim, x.ndim), 2)
    end
    return core.take(x, key, 1)
  end

  -- The flat (1-based) positions an index selects: an integer, a {...}
  -- per-axis index as in x[{...}], an index array (along axis 1) or a mask.
  local function flat_positions(x, idx, fname)
    if type(x) == "number" or x.ndim == 0 then
      error(("%s: cannot index a 0-d value (x is a number); give an array of at least one dimension")
        :format(fname), 3)
    end
    local size = x.size
    if is_array(idx) and is_mask(x, idx) then
      local pos, n = mask_positions(idx)
      return pos, { n }, n
    end
    local ids = np.reshape(np.arange(size) + 1, x.shape)
    local ok, sel = pcall(function()
      if is_array(idx) then return np.take(ids, idx, 1) end
      if type(idx) == "number" or type(idx) == "table" then return ids[idx] end
      error(("an index must be an integer, a table or an array, got %s"):format(type(idx)), 0)
    end)
    if not ok then
      -- without the position the error got inside the closure above (a
      -- line of this file), and the name of the step that raised it
      local msg = tostring(sel):gsub("^[^%s:]+:%d+: ", ""):gsub("^np%.take: ", ""):gsub("^index: ", "")
      error(("%s: %s"):format(fname, msg), 3)
    end
    if type(sel) == "number" then return core.array({ sel }), {}, 1 end
    return np.ravel(sel), sel.shape, sel.size
  end

  -- v broadcast to `shape`, checked with NumPy's wording, in `dtype` (the
  -- array written into keeps its dtype, as for assignment).
  local function values_for(v, shape, n, fname, dtype)
    if type(v) == "number" then return np.full({ n }, v, dtype) end
    v = as_array(v, fname)
    local ok, b = pcall(np.broadcast_to, v, shape)
    if not ok then
      error(("%s: could not broadcast values of shape %s into the selection of shape %s")
        :format(fname, shape_str(v.shape), shape_str(shape)), 3)
    end
    b = np.reshape(b, { n })
    if dtype and b.dtype ~= dtype then b = core.astype(b, dtype) end
    return b
  end

  -- x[idx] = v with an array key: writes in place (checked like any
  -- assignment: an array a live tape holds cannot be written).
  mt.__newindex_array = function(x, key, v)
    local pos, shape, n = flat_positions(x, key, "setitem")
    core.put(x, pos, values_for(v, shape, n, "setitem"))
  end

  --- np.index_add(x, idx, v): a new array, x with v added at idx (repeated
  -- indices add up). Differentiable in x and v.
  function np.index_add(x, idx, v)
    x = as_array(x, "np.index_add")
    local pos, shape, n = flat_positions(x, idx, "np.index_add")
    if n == 0 then return np.copy(x) end
    local added = core.take_add(values_for(v, shape, n, "np.index_add", x.dtype), pos, 1, { x.size })
    return np.reshape(np.ravel(x) + added, x.shape)
  end

  --- np.index_update(x, idx, v): a new array, x with v written at idx.
  -- Differentiable in x and v; a repeated index is an error (which write
  -- would win is not defined).
  function np.index_update(x, idx, v)
    x = as_array(x, "np.index_update")
    local pos, shape, n = flat_positions(x, idx, "np.index_update")
    if n == 0 then return np.copy(x) end
    local hits = core.take_add(np.ones({ n }), pos, 1, { x.size })
    if np.max(hits) > 1 then
      error("np.index_update: repeated indices; use np.index_add to add at repeated positions", 2)
    end
    local written = core.take_add(values_for(v, shape, n, "np.index_update", x.dtype), pos, 1, { x.size })
    return np.reshape(np.where(hits, written, np.ravel(x)), x.shape)
  end
end
