-- A training run that survives being killed: every 25 iterations it saves
-- the parameters and adam's state with np.savez (written to a temporary
-- file and renamed into place, so a crash mid-write leaves the previous
-- checkpoint intact); started again, it resumes from the last checkpoint
-- and ends with exactly the parameters of an uninterrupted run.
--
--   build/adlua examples/train_checkpointed.lua CHECKPOINT.npz [RESULT.npz]
--
-- ADLUA_KILL_AT=n makes the run kill itself (SIGKILL, no cleanup) at
-- iteration n, as a crash or a preempted job would; the tests use it.

local ad = require "adlua"
local np = require "adlua.numpy"
local optim = require "adlua.optim"
local datasets = require "adlua.datasets"

local checkpoint, result = arg[1], arg[2]
if not checkpoint then
  io.stderr:write("usage: adlua examples/train_checkpointed.lua CHECKPOINT.npz [RESULT.npz]\n")
  os.exit(2)
end
local kill_at = tonumber(os.getenv("ADLUA_KILL_AT") or "")
local iters, every = 200, 25

-- Logistic regression of digit 3 against the rest, on the digits' pixels.
local digits = datasets.load_digits()
local x = digits.data / 16
local t = np.equal(digits.target, 3)
local function loss(p)
  local z = np.dot(x, p.w) + p.b
  return np.mean(np.logaddexp(0, z) - t * z)
end
local grad_loss = ad.grad(loss)

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end

-- Start fresh, or from the checkpoint a previous run left.
local params, state = { w = np.zeros(64), b = 0 }, nil
if exists(checkpoint) then
  local saved = np.load(checkpoint)
  params, state = saved.params, saved.state
  print(("resuming after iteration %d"):format(state.iteration))
end

local function kill_myself()
  local f = assert(io.open("/proc/self/stat", "r"))
  local pid = f:read("*l"):match("^(%d+)")
  f:close()
  io.stdout:flush()
  os.execute("kill -KILL " .. pid)
end

local final = optim.adam(function(p) return grad_loss(p) end, params, {
  num_iters = iters, step_size = 0.05, state = state,
  -- state is adam's state as of p: iteration i - 1 done.
  callback = function(p, i, _, st)
    if st.iteration > 0 and st.iteration % every == 0 then
      np.savez(checkpoint, { params = p, state = st })
    end
    if i == kill_at then kill_myself() end
  end,
})
print(("done: loss %.10f after %d iterations"):format(ad.value(loss(final)), iters))
if result then np.savez(result, final) end
