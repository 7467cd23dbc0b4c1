-- adlua.jit: ad.jit(f), trace replay.
--
-- The first call of jf = ad.jit(f) for a signature (the shapes and dtypes
-- of the array arguments, the values of the others) runs f once with its
-- arrays boxed on a recording (the outermost trace, core/jit.c): every
-- primitive computed from them is kept, f's forward pass and the backward
-- sweeps of the grads inside f alike.  The recording is compiled into a
-- program; later calls with the same signature run the program in C on
-- the new arrays without entering Lua per operation.  A value f let out of
-- traced operations (item, a comparison's mask, a branch on a number) is a
-- guard: the replay is kept only if it comes out the same, otherwise f is
-- recorded again.  See docs/jit.md.
local core = require "adlua.core"
local tree = require "adlua.tree"
local np = require "adlua.numpy"

local is_array = core.is_array
local unpack = unpack or table.unpack
local function pack(...) return { n = select("#", ...), ... } end

-- Consecutive recordings of one signature whose replays failed a guard
-- before jf stops recording it and calls f directly.
local MAX_RETRIES = 3
-- Signatures kept per jitted function; more start the cache afresh.
local MAX_SIGNATURES = 64

local function describe(v)
  if v == nil then return "nil" end
  return "a " .. type(v)
end

-- Appends the signature of v to parts and its arrays to leaves.
local function signature(v, parts, leaves, seen)
  if is_array(v) then
    leaves[#leaves + 1] = v
    parts[#parts + 1] = "a" .. v.dtype .. "(" .. table.concat(v.shape, ",") .. ")"
  elseif type(v) == "number" then
    parts[#parts + 1] = ("n%.17g"):format(v)
  elseif type(v) == "string" then
    parts[#parts + 1] = ("s%d:%s"):format(#v, v)
  elseif type(v) == "table" then
    if seen[v] then
      error("jit: an argument table contains itself", 0)
    end
    seen[v] = true
    parts[#parts + 1] = "{"
    for _, k in ipairs(tree.keys_of(v)) do
      signature(k, parts, leaves, seen)
      parts[#parts + 1] = "="
      signature(v[k], parts, leaves, seen)
    end
    parts[#parts + 1] = "}"
    seen[v] = nil
  else
    -- booleans, nil, functions and other userdata: by identity
    parts[#parts + 1] = type(v):sub(1, 1) .. tostring(v)
  end
end

-- A copy of v with its arrays replaced, in order, by next_array().
local function rebuild(v, next_array)
  if is_array(v) then return next_array() end
  if type(v) ~= "table" then return v end
  local out = {}
  for _, k in ipairs(tree.keys_of(v)) do out[k] = rebuild(v[k], next_array) end
  return setmetatable(out, getmetatable(v))
end

-- What f returned, with each array replaced by its position in `arrays`.
local function template_of(v, arrays)
  if is_array(v) then
    arrays[#arrays + 1] = v
    return { array = #arrays }
  end
  if type(v) ~= "table" then return { value = v } end
  local fields = {}
  for _, k in ipairs(tree.keys_of(v)) do fields[#fields + 1] = { k, template_of(v[k], arrays) } end
  return { fields = fields, mt = getmetatable(v) }
end

local function from_template(tp, arrays)
  if tp.array then return arrays[tp.array] end
  if not tp.fields then return tp.value end
  local out = {}
  for _, f in ipairs(tp.fields) do out[f[1]] = from_template(f[2], arrays) end
  return setmetatable(out, tp.mt)
end

local function results_of(templates, n, arrays)
  local out = {}
  for i = 1, n do out[i] = from_template(templates[i], arrays) end
  return unpack(out, 1, n)
end

-- Records f on args (whose arrays are `leaves`), compiles the recording;
-- returns the cache entry and a pack of f's results.
local function record(f, args, n, leaves)
  local rng_before = core.random_state()
  local t = core.recording_begin()
  local ok, res = pcall(function()
    local boxes, i = {}, 0
    for j, x in ipairs(leaves) do boxes[j] = core.trace_leaf(t, x) end
    local boxed = {}
    for j = 1, n do
      boxed[j] = rebuild(args[j], function() i = i + 1; return boxes[i] end)
    end
    local out = pack(f(unpack(boxed, 1, n)))
    local arrays, templates = {}, {}
    for j = 1, out.n do templates[j] = template_of(out[j], arrays) end
    local constant = {}
    for j, a in ipairs(arrays) do constant[j] = not core.on_trace(t, a) end
    local program = core.jit_compile(t, boxes, #boxes, arrays, #arrays)
    return { program = program, templates = templates, nresults = out.n, narrays = #arrays,
             arrays = arrays, constant = constant }
  end)
  core.trace_end(t)
  if not ok then error(res, 0) end
  -- the recording has ended: its boxes stand for their values; a result
  -- that did not depend on the arguments is a new array, as in replays
  local values = {}
  for j, a in ipairs(res.arrays) do
    values[j] = res.constant[j] and np.copy(a) or core.value(a)
  end
  res.constant = nil
  res.arrays = nil
  -- numbers drawn from np.random would be replayed, the same each call
  res.random = core.random_state() ~= rng_before
  return res, pack(results_of(res.templates, res.nresults, values))
end

--- jit(f): f recorded once per signature and replayed in C (docs/jit.md).
local function jit(f)
  local mt = getmetatable(f)
  if type(f) ~= "function" and not (mt and mt.__call) then
    error(("jit: expected a function, got %s"):format(describe(f)), 2)
  end
  local cache, ncached = {}, 0
  local stats = { recordings = 0, replays = 0, guard_failures = 0, direct = 0, steps = 0, guards = 0 }
  local jf = { stats = stats }
  setmetatable(jf, {
    __call = function(_, ...)
      local n = select("#", ...)
      -- inside a trace (grad of jf, or jf called by a jitted function):
      -- f's operations must be recorded there, so f runs as written
      if core.tracing() or core.debug_nans() then
        stats.direct = stats.direct + 1
        return f(...)
      end
      local args, parts, leaves = { ... }, {}, {}
      for j = 1, n do signature(args[j], parts, leaves, {}) end
      local key = table.concat(parts, " ")
      local entry = cache[key]
      if entry and (entry.given_up or entry.random) then
        stats.direct = stats.direct + 1
        return f(...)
      end
      if entry then
        local arrays = core.jit_run(entry.program, leaves, #leaves, entry.narrays)
        if arrays then
          entry.failures = 0
          stats.replays = stats.replays + 1
          return results_of(entry.templates, entry.nresults, arrays)
        end
        stats.guard_failures = stats.guard_failures + 1
        entry.failures = entry.failures + 1
        if entry.failures >= MAX_RETRIES then
          entry.given_up = true
          entry.program = nil
          stats.direct = stats.direct + 1
          return f(...)
        end
      end
      local fresh, out = record(f, args, n, leaves)
      stats.recordings = stats.recordings + 1
      stats.steps, stats.guards = core.jit_program_info(fresh.program)
      fresh.failures = entry and entry.failures or 0
      if not entry then
        if ncached >= MAX_SIGNATURES then cache, ncached = {}, 0 end
        ncached = ncached + 1
      end
      cache[key] = fresh
      return unpack(out, 1, out.n)
    end,
  })
  return jf
end

return jit
