-- adlua.mpi: collectives on 1, 2 and 4 ranks (mpirun --oversubscribe on
-- one machine; root is allowed, as in CI), the single-process path, errors.
-- The per-rank checks live in tests/mpi/collectives.lua.

local h = require "tests.lua.helpers"
local q = h.shell_quote
local core = require "adlua.core"

local BIN = os.getenv("ADLUA_BIN")
if BIN == nil or BIN == "" then BIN = "build/adlua" end
local ROOT_OK = "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "

local function mpirun(n, script)
  return h.run(ROOT_OK .. "mpirun --oversubscribe -np " .. n .. " " .. q(BIN) .. " " .. q(script), nil, 300)
end

-- "ok <rank>" lines, as a set
local function ranks_ok(out)
  local seen, count = {}, 0
  for r in out:gmatch("ok (%d+)") do
    if not seen[r] then count = count + 1 end
    seen[r] = true
  end
  return seen, count
end

describe("adlua.mpi", function()
  if not core.mpi_available() then
    it("without MPI in the build, require says how to get it", function()
      local ok, err = pcall(function() return require("adlua.mpi").rank() end)
      assert.is_false(ok)
      assert.truthy(err:find("built without MPI", 1, true))
      assert.truthy(err:find("libopenmpi-dev", 1, true))
    end)
    return
  end

  it("one process without mpirun: rank 0 of 1, collectives are identities", function()
    local out, err, code = h.run(q(BIN) .. " tests/mpi/collectives.lua")
    assert.are.equal(0, code, err)
    assert.are.equal("ok 0\n", out)
  end)

  for _, n in ipairs({ 2, 4 }) do
    it(n .. " ranks: allreduce (sum, mean, max, min; arrays, numbers, tables), bcast, gather", function()
      local out, err, code = mpirun(n, "tests/mpi/collectives.lua")
      assert.are.equal(0, code, err .. out)
      local seen, count = ranks_ok(out)
      assert.are.equal(n, count, out)
      for r = 0, n - 1 do assert.is_true(seen[tostring(r)], out) end
    end)
  end

  it("examples/mlp_digits_mpi.lua on 2 and 4 ranks ends with the one-process parameters (1e-10)", function()
    local np = require "adlua.numpy"
    local dir = h.tmpdir()
    local env = "ADLUA_SMOKE=1 "
    local out, err, code = h.run(env .. q(BIN) .. " examples/mlp_digits_mpi.lua " .. q(dir .. "/p1.npz"), nil, 300)
    assert.are.equal(0, code, err .. out)
    assert.truthy(out:find("1 ranks, parameters identical", 1, true), out)
    local one = np.load(dir .. "/p1.npz")
    for _, n in ipairs({ 2, 4 }) do
      local path = dir .. "/p" .. n .. ".npz"
      out, err, code = h.run(env .. ROOT_OK .. "mpirun --oversubscribe -np " .. n .. " " .. q(BIN) ..
        " examples/mlp_digits_mpi.lua " .. q(path), nil, 300)
      assert.are.equal(0, code, err .. out)
      assert.truthy(out:find(n .. " ranks, parameters identical", 1, true), out)
      local many = np.load(path)
      for _, k in ipairs({ "W1", "b1", "W2", "b2" }) do
        assert.are.same(one[k].shape, many[k].shape)
        local d = np.max(np.abs(one[k] - many[k]))
        assert.is_true(d <= 1e-10, ("%d ranks, %s differs by %g"):format(n, k, d))
      end
    end
    os.execute("rm -rf " .. q(dir))
  end)

  it("a script error on one rank ends the job with a non-zero status and the message", function()
    local path = h.tmpname(".lua")
    h.write_file(path, [[
      local mpi = require "adlua.mpi"
      if mpi.rank() == 1 then error("rank one failed") end
    ]])
    local out, err, code = mpirun(2, path)
    os.remove(path)
    assert.are_not.equal(0, code)
    assert.truthy((out .. err):find("rank one failed", 1, true))
  end)

  it("wtime is a wall clock in seconds", function()
    local mpi = require "adlua.mpi"
    local t0 = mpi.wtime()
    os.execute("sleep 0.2")
    local dt = mpi.wtime() - t0
    assert.is_true(dt >= 0.15 and dt < 5, tostring(dt))
  end)

  it("bad arguments are Lua errors naming the function", function()
    local mpi = require "adlua.mpi"
    local np = require "adlua.numpy"
    assert.has_error(function() mpi.allreduce("x") end,
      "mpi.allreduce: expected an array, a number or a table of them, got string")
    local ok, err = pcall(mpi.allreduce, np.ones(2), "median")
    assert.is_false(ok)
    assert.truthy(err:find('mpi.allreduce: op must be "sum", "mean", "max" or "min", got median', 1, true))
    ok, err = pcall(mpi.gather, np.ones(2), -1)
    assert.is_false(ok)
    assert.truthy(err:find("root", 1, true))
  end)
end)
