-- Checkpoints that survive a crash (issue 9): examples/train_checkpointed.lua
-- is killed with SIGKILL mid-run, started again from its last checkpoint,
-- and must end with exactly the parameters of an uninterrupted run; the
-- checkpoint is a NumPy .npz.

local h = require "tests.lua.helpers"
local q = h.shell_quote
local np = require "adlua.numpy"

local BIN = os.getenv("ADLUA_BIN")
if BIN == nil or BIN == "" then BIN = "build/adlua" end
local SCRIPT = "examples/train_checkpointed.lua"

local function train(env, ck, result)
  return h.run(env .. q(BIN) .. " " .. SCRIPT .. " " .. q(ck) .. " " .. q(result), nil, 300)
end

describe("checkpoints", function()
  it("a run killed mid-way and restarted ends with the uninterrupted run's parameters", function()
    local dir = h.tmpdir()
    local out, err, code = train("", dir .. "/a.npz", dir .. "/a_result.npz")
    assert.are.equal(0, code, err .. out)

    -- killed at iteration 140: the last checkpoint is of iteration 125
    out, err, code = train("ADLUA_KILL_AT=140 ", dir .. "/b.npz", dir .. "/b_result.npz")
    assert.are_not.equal(0, code, "the run was killed: " .. err .. out)
    assert.is_nil(out:find("done", 1, true), out)
    assert.is_nil(io.open(dir .. "/b_result.npz"), "no result from the killed run")
    local ck = np.load(dir .. "/b.npz")
    assert.are.equal(125, ck.state.iteration)

    out, err, code = train("", dir .. "/b.npz", dir .. "/b_result.npz")
    assert.are.equal(0, code, err .. out)
    assert.truthy(out:find("resuming after iteration 125", 1, true), out)
    local a, b = np.load(dir .. "/a_result.npz"), np.load(dir .. "/b_result.npz")
    assert.are.same(a.w:totable(), b.w:totable())
    assert.are.equal(a.b, b.b)
    -- no temporary files left next to the checkpoint
    local p = io.popen("ls " .. q(dir))
    local names = p:read("*a")
    p:close()
    assert.is_nil(names:find("tmp", 1, true), names)
    os.execute("rm -rf " .. q(dir))
  end)

  it("is a .npz NumPy reads: nested names become keys with /", function()
    local dir = h.tmpdir()
    np.savez(dir .. "/ck.npz", { params = { W = np.ones({ 2, 3 }), b = np.zeros(3) }, state = { iteration = 7 } })
    local py = "/usr/bin/python3"
    local f = io.open(py)
    if not f then
      pending("Debian's python3 with numpy is not installed")
      return
    end
    f:close()
    local out, err, code = h.run(py .. " -c " .. q(
      "import numpy as np; d = np.load('" .. dir .. "/ck.npz'); " ..
      "print(sorted(d.keys()), d['params/W'].shape, int(d['state/iteration']))"))
    os.execute("rm -rf " .. q(dir))
    if code ~= 0 and err:find("No module named", 1, true) then
      pending("python3-numpy is not installed")
      return
    end
    assert.are.equal(0, code, err)
    assert.are.equal("['params/W', 'params/b', 'state/iteration'] (2, 3) 7\n", out)
  end)
end)
