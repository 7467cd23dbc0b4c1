-- adlua.mpi: data-parallel training over MPI (Open MPI).
--
--   local mpi = require "adlua.mpi"
--   local g = mpi.allreduce(grads, "mean")   -- arrays, numbers or nested tables
--
-- Ranks are MPI's own numbers, 0 .. size-1 (rank 0 is the usual "root"): they
-- are identifiers, not positions. MPI starts on first use and stops when the
-- process exits. Under `mpirun -np N adlua script.lua` every process runs the
-- script; run as `adlua script.lua` the same script sees one rank of size 1.
local core = require "adlua.core"
local each = require "adlua.each" -- pairs, safe from Debian 12's LuaJIT (docs/luajit.md)
local np = require "adlua.numpy"

local mpi = {}

local is_array = core.is_array

local function available()
  if not core.mpi_available() then
    error("adlua.mpi: this adlua was built without MPI; install Open MPI (apt install "
      .. "libopenmpi-dev openmpi-bin, or `make setup`) and rebuild (`make clean all`)", 3)
  end
end

local world_rank, world_size
local function world()
  if not world_rank then
    available()
    world_rank, world_size = core.mpi_world()
  end
  return world_rank, world_size
end

--- This process's rank, 0 .. size()-1.
function mpi.rank() return (world()) end

--- The number of processes.
function mpi.size()
  local _, size = world()
  return size
end

--- Waits until every rank has called barrier().
function mpi.barrier()
  available()
  core.mpi_barrier()
end

--- Wall-clock seconds since some fixed moment (MPI_Wtime), for timing.
function mpi.wtime()
  available()
  return core.mpi_wtime()
end

-- Keys of a table in an order every rank agrees on: numbers, then strings.
local function sorted_keys(t)
  local keys = {}
  for k in each(t) do
    local kt = type(k)
    if kt ~= "number" and kt ~= "string" then
      error("adlua.mpi: table keys must be numbers or strings, got " .. kt, 4)
    end
    keys[#keys + 1] = k
  end
  table.sort(keys, function(a, b)
    local ta, tb = type(a), type(b)
    if ta ~= tb then return ta == "number" end
    return a < b
  end)
  return keys
end

-- The arrays and numbers of a (nested) value, in a fixed order.
local function leaves(x, out, fname)
  if is_array(x) or type(x) == "number" then
    out[#out + 1] = x
  elseif type(x) == "table" then
    for _, k in ipairs(sorted_keys(x)) do leaves(x[k], out, fname) end
  else
    error(("mpi.%s: expected an array, a number or a table of them, got %s"):format(fname, type(x)), 3)
  end
  return out
end

-- x with its leaves replaced, in order, by next_leaf().
local function rebuild(x, next_leaf)
  if is_array(x) or type(x) == "number" then return next_leaf() end
  local r = {}
  for _, k in ipairs(sorted_keys(x)) do r[k] = rebuild(x[k], next_leaf) end
  return r
end

local ops = { sum = "sum", mean = "sum", max = "max", min = "min" }

--- Combines x over all ranks: op "sum" (default), "mean", "max" or "min".
--- x is an array, a number, or a nested table of them with the same
--- structure and shapes on every rank; the result has x's form. A table
--- goes in one MPI call; a contiguous array is read in place.
function mpi.allreduce(x, op)
  op = op or "sum"
  local mop = ops[op]
  if not mop then
    error(('mpi.allreduce: op must be "sum", "mean", "max" or "min", got %s'):format(tostring(op)), 2)
  end
  local _, size = world()
  local list = leaves(x, {}, "allreduce")
  local flat
  if #list == 1 and is_array(list[1]) then
    flat = list[1]
  else
    local parts = {}
    for i, v in ipairs(list) do
      parts[i] = is_array(v) and np.reshape(v, -1) or np.array({ v })
    end
    flat = #parts == 0 and np.zeros(0) or np.concatenate(parts)
  end
  local r = core.mpi_allreduce(flat, mop)
  if op == "mean" then r = r / size end
  if #list == 1 and is_array(list[1]) then return rebuild(x, function() return r end) end
  local pos, i = 1, 0
  return rebuild(x, function()
    i = i + 1
    local v = list[i]
    if type(v) == "number" then
      local n = r[pos]
      pos = pos + 1
      return n
    end
    local n = v.size
    local piece = n == 0 and np.zeros(v.shape) or np.reshape(np.copy(r[{ { pos, pos + n - 1 } }]), v.shape)
    pos = pos + n
    return piece
  end)
end

-- A value as Lua source plus its arrays: numbers, strings and booleans go
-- in the text, each array becomes A(k) with its numbers sent separately.
local function describe(x, arrays)
  local tx = type(x)
  if is_array(x) then
    arrays[#arrays + 1] = x
    return ("A(%d)"):format(#arrays)
  elseif tx == "number" then
    if x ~= x then return "(0/0)" end
    if x == math.huge then return "(1/0)" end
    if x == -math.huge then return "(-1/0)" end
    return ("%.17g"):format(x)
  elseif tx == "string" then
    return ("%q"):format(x)
  elseif tx == "boolean" or tx == "nil" then
    return tostring(x)
  elseif tx == "table" then
    local items = {}
    for _, k in ipairs(sorted_keys(x)) do
      items[#items + 1] = ("[%s]=%s"):format(describe(k, arrays), describe(x[k], arrays))
    end
    return "{" .. table.concat(items, ",") .. "}"
  end
  error("adlua.mpi: cannot send a value of type " .. tx, 4)
end

local function shape_text(a)
  return "{" .. table.concat(a.shape, ",") .. "}"
end

-- The value with its array placeholders (functions) called.
local function resolve(v)
  if type(v) == "function" then return v() end
  if type(v) ~= "table" then return v end
  local r = {}
  for key, item in each(v) do r[resolve(key)] = resolve(item) end
  return r
end

local function decode(text, make_array)
  local chunk = assert(load("return " .. text, "=mpi", "t", { A = make_array }))
  return chunk()
end

--- Root's x on every rank (arrays, numbers, strings, booleans and nested
--- tables of them); other ranks may pass nil. root defaults to 0.
function mpi.bcast(x, root)
  root = root or 0
  local rank = world()
  local text, arrays = nil, {}
  if rank == root then
    local body = describe(x, arrays)
    local shapes = {}
    for i, a in ipairs(arrays) do shapes[i] = ("{%s,%q}"):format(shape_text(a), a.dtype) end
    text = "{" .. body .. ",{" .. table.concat(shapes, ",") .. "}}"
  end
  text = core.mpi_bcast_bytes(text, root)
  local received = {}
  local spec = decode(text, function(k)
    return function() return received[k] end
  end)
  for k, s in ipairs(spec[2]) do
    local buf
    if rank == root then
      buf = np.copy(arrays[k])
    else
      buf = s[2] == "float64" and np.zeros(s[1]) or np.zeros(s[1], s[2])
    end
    received[k] = core.mpi_bcast_array(buf, root)
  end
  return resolve(spec[1])
end

--- Every rank's x to root: on root a list of size() values (entry i is
--- rank i-1's), nil on the other ranks. root defaults to 0.
function mpi.gather(x, root)
  root = root or 0
  world()
  local arrays = {}
  local body = describe(x, arrays)
  local shapes, bytes, offset = {}, {}, 0
  for i, a in ipairs(arrays) do
    local b = core.mpi_tobytes(a)
    shapes[i] = ("{%s,%q,%d,%d}"):format(shape_text(a), a.dtype, offset, a.size)
    bytes[i] = b
    offset = offset + #b
  end
  local text = "{" .. body .. ",{" .. table.concat(shapes, ",") .. "}}"
  local all = core.mpi_gather_bytes(#text .. ":" .. text .. table.concat(bytes), root)
  if not all then return nil end
  local out = {}
  for i, msg in ipairs(all) do
    local colon = msg:find(":", 1, true)
    local len = tonumber(msg:sub(1, colon - 1))
    local spec_text = msg:sub(colon + 1, colon + len)
    local data_at = colon + len -- 0-based byte offset of the data
    local spec
    spec = decode(spec_text, function(k)
      return function()
        local s = spec[2][k]
        local flat = core.mpi_frombytes(msg, data_at + s[3], s[4], s[2])
        return np.reshape(flat, s[1])
      end
    end)
    out[i] = resolve(spec[1])
  end
  return out
end

return mpi
