-- Allocation failure: the core allocator is made to fail at the Nth
-- allocation (core.debug.alloc_fail_at), for every N that a training step
-- of the iris model makes.  Each failure must give a clean Lua error that
-- says "out of memory", leave nothing allocated (the tracked block count
-- and the live array count back to their baselines) and leave the engine
-- usable: the same step then gives the same gradient as before.

local h = require "tests.lua.helpers"
local ad = require "adlua"
local np = require "adlua.numpy"
local D = require("adlua.core").debug

-- The blog's loss as a loop over the samples (thousands of small arrays),
-- the same loss on whole arrays, and a second-order step through it.
local X, t, loop_loss, vec_loss = h.iris_problem()
local w = np.array({ { 0.1 }, { -0.2 }, { 0.05 } })
local function hess_diag(w, X, t)
  return ad.elementwise_grad(function(v) return ad.grad(vec_loss)(v, X, t) end)(w)
end

local function settle()
  h.settle()
  D.thread_cleanup() -- the header cache holds blocks on purpose
end

-- Runs step() with the nth allocation failing (every one after it too when
-- `every`); returns ok, err, and the blocks and arrays it left behind.
local function run_failing(step, n, every)
  settle()
  local arrays0 = D.live()
  D.alloc_track(true)
  D.alloc_fail_at(n, every)
  local ok, err = pcall(step)
  D.alloc_fail_at(0)
  if ok then err = nil end -- drop the result: it is not a leak
  settle()
  local left = D.alloc_outstanding()
  D.alloc_track(false)
  return ok, err, left, D.live() - arrays0
end

local function allocations_of(step)
  settle()
  D.alloc_track(true)
  step()
  local n = D.alloc_count()
  D.alloc_track(false)
  return n
end

local function sweep(name, step, every, stride)
  local expected = step()
  local total = allocations_of(step)
  assert.is_true(total > 10, name .. ": the step should allocate, counted " .. total)
  local failures = 0
  for n = 1, total + 1, stride do
    local ok, err, left, arrays = run_failing(step, n, every)
    if n <= total then
      -- the nth allocation happened and failed: the step must fail cleanly
      assert.is_false(ok, ("%s: allocation %d of %d failed but the step succeeded"):format(name, n, total))
      assert.is_string(err)
      assert.truthy(err:find("out of memory", 1, true), ("%s, allocation %d: %s"):format(name, n, err))
      failures = failures + 1
    end
    assert.are.equal(0, left, ("%s, allocation %d: %d blocks leaked"):format(name, n, left))
    assert.are.equal(0, arrays, ("%s, allocation %d: %d arrays leaked"):format(name, n, arrays))
    -- usable afterwards: the same step gives the same result
    if n % (stride * 16) == 1 or n > total then
      h.assert_close(step(), expected, 0, ("%s after failing allocation %d"):format(name, n))
    end
  end
  h.assert_close(step(), expected, 0, name .. " after the sweep")
  if os.getenv("ADLUA_REPORT") then
    io.stderr:write(("allocation failure: %s: %d allocations, %d failures injected\n"):format(name, total, failures))
  end
  assert.is_true(failures >= total / stride)
end

describe("allocation failure", function()
  local vec_step = function() return ad.grad(vec_loss)(w, X, t) end
  local loop_step = function() return ad.grad(loop_loss)(w, X, t) end
  local hess_step = function() return hess_diag(w, X, t) end
  local value_step = function() return select(2, ad.value_and_grad(vec_loss)(w, X, t)) end

  it("at every allocation of a vectorised gradient step", function()
    sweep("grad(vec_loss)", vec_step, false, 1)
  end)

  it("at every allocation, and all after it, of a vectorised gradient step", function()
    sweep("grad(vec_loss) every", vec_step, true, 1)
  end)

  it("at every allocation of a second-order step", function()
    sweep("hessian diagonal", hess_step, false, 1)
  end)

  it("at every allocation of value_and_grad", function()
    sweep("value_and_grad", value_step, false, 1)
  end)

  it("at every allocation of the blog's per-sample loop step", function()
    sweep("grad(loop_loss)", loop_step, false, 1)
  end)

  it("at every 7th allocation, and all after it, of the loop step", function()
    sweep("grad(loop_loss) every", loop_step, true, 7)
  end)

  it("in printing and in array creation", function()
    local a = np.arange(1, 2001):reshape({ 40, 50 })
    for n = 1, 6 do
      local ok, err, left = run_failing(function() return tostring(a) end, n)
      if not ok then assert.truthy(err:find("out of memory", 1, true), err) end
      assert.are.equal(0, left)
      ok, err, left = run_failing(function() return np.zeros({ 100, 100 }) + 1 end, n)
      if not ok then assert.truthy(err:find("out of memory", 1, true), err) end
      assert.are.equal(0, left)
    end
  end)

  -- The LAPACK pivots, the permutation buffer and the file readers' and
  -- writers' buffers come from the core allocator too (LAPACKE's own
  -- workspaces do not: they are LAPACKE_malloc's).
  it("in np.linalg, np.random and the file readers and writers", function()
    local A = np.array({ { 4, 1, 0 }, { 1, 3, 1 }, { 0, 1, 2 } })
    local b = np.array({ 1, 2, 3 })
    local path = os.tmpname()
    local steps = {
      { "inv", function() return np.linalg.inv(A) end },
      { "solve", function() return np.linalg.solve(A, b) end },
      { "slogdet", function() return select(2, np.linalg.slogdet(A)) end },
      { "permutation", function() return np.random.permutation(50) end },
      { "shuffle", function() local c = np.copy(A); np.random.shuffle(c); return c end },
      { "save and load", function() np.save(path, A); return np.load(path .. ".npy") end },
      { "savez and load", function() np.savez(path, { a = A, b = b }); return np.load(path .. ".npz").a end },
      { "loadtxt", function() return np.loadtxt(path .. ".txt") end },
    }
    np.savetxt(path .. ".txt", A)
    for _, s in ipairs(steps) do
      local name, step = s[1], s[2]
      local total = allocations_of(step)
      assert.is_true(total >= 1, name .. ": the step should allocate")
      for n = 1, total + 1 do
        for _, every in ipairs({ false, true }) do
          local ok, err, left, arrays = run_failing(step, n, every)
          if n <= total then
            assert.is_false(ok, ("%s: allocation %d of %d failed but the step succeeded"):format(name, n, total))
            assert.truthy(tostring(err):find("out of memory", 1, true), ("%s, allocation %d: %s"):format(name, n, tostring(err)))
          else
            assert.is_true(ok, ("%s: %s"):format(name, tostring(err)))
          end
          assert.are.equal(0, left, ("%s, allocation %d: %d blocks leaked"):format(name, n, left))
          assert.are.equal(0, arrays, ("%s, allocation %d: %d arrays leaked"):format(name, n, arrays))
        end
      end
    end
    for _, suffix in ipairs({ "", ".npy", ".npz", ".txt" }) do os.remove(path .. suffix) end
  end)

  it("injection off leaves the count at zero and nothing failing", function()
    D.alloc_fail_at(0)
    assert.are.equal(0, D.alloc_count())
    assert.are.equal(np.sum(np.ones(1000)), 1000)
  end)
end)
