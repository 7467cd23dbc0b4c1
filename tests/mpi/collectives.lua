-- Run by tests/lua/mpi_spec.lua under mpirun -np N: checks the collectives
-- against sums known in closed form and prints "ok <rank>" when all hold.
local mpi = require "adlua.mpi"
local np = require "adlua.numpy"

local rank, size = mpi.rank(), mpi.size()
local function check(cond, what)
  if not cond then error(("rank %d: %s"):format(rank, what), 2) end
end
local function close(a, b) return math.abs(a - b) <= 1e-12 * (1 + math.abs(b)) end

-- arrays: rank r holds (r+1) * [1 2 3; 4 5 6]
local base = np.array({ { 1, 2, 3 }, { 4, 5, 6 } })
local x = base * (rank + 1)
local tri = size * (size + 1) / 2
local s = mpi.allreduce(x)
check(s.shape[1] == 2 and s.shape[2] == 3, "allreduce keeps the shape")
for i = 1, 2 do for j = 1, 3 do
  check(close(s[{ i, j }], base[{ i, j }] * tri), "allreduce sum of an array")
end end
local m = mpi.allreduce(x, "mean")
check(close(m[{ 2, 3 }], 6 * tri / size), "allreduce mean")
check(close(mpi.allreduce(x, "max")[{ 1, 1 }], size), "allreduce max")
check(close(mpi.allreduce(x, "min")[{ 1, 1 }], 1), "allreduce min")
-- a transposed (non-contiguous) array
check(close(mpi.allreduce(x.T)[{ 3, 2 }], 6 * tri), "allreduce of a transposed view")
-- numbers and nested tables in one call
local t = mpi.allreduce({ w = x, b = { rank, np.ones(4) * rank }, n = 2 })
check(close(t.w[{ 1, 2 }], 2 * tri), "table: w")
check(close(t.b[1], tri - size), "table: number leaf")
check(close(t.b[2][4], tri - size), "table: nested array")
check(t.n == 2 * size, "table: number")
check(close(mpi.allreduce(rank + 0.5), tri - size + size * 0.5), "a number")

-- bcast: root's value everywhere, other ranks pass nil
local cfg = mpi.bcast(rank == 0 and { lr = 0.1, name = "run", w = np.arange(6):reshape({ 2, 3 }), on = true } or nil)
check(cfg.lr == 0.1 and cfg.name == "run" and cfg.on == true, "bcast of plain values")
check(cfg.w.shape[2] == 3 and cfg.w[{ 2, 3 }] == 5, "bcast of an array in a table")
local last = size - 1
local v = mpi.bcast(rank == last and np.full({ 3 }, 7) or nil, last)
check(v[3] == 7, "bcast from the last rank")

-- gather: rank i-1's value at position i on the root
local g = mpi.gather({ rank = rank, v = np.ones(2) * rank })
if rank == 0 then
  check(#g == size, "gather: one entry per rank")
  for i = 1, size do
    check(g[i].rank == i - 1 and g[i].v[2] == i - 1, "gather: entry " .. i)
  end
else
  check(g == nil, "gather: nil off the root")
end

-- errors are Lua errors
local ok, err = pcall(mpi.allreduce, x, "median")
check(not ok and err:find("mpi.allreduce: op must be", 1, true), "bad op message")
ok, err = pcall(mpi.bcast, 1, size)
check(not ok and err:find("root " .. size .. " is not a rank", 1, true), "bad root message: " .. tostring(err))

mpi.barrier()
print("ok " .. rank)
