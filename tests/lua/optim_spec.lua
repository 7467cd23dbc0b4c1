-- adlua.optim (issue 4): sgd, rmsprop and adam against HIPS autograd's
-- update rules (reference values from scripts/gen_optim_reference.py).

local h = require "tests.lua.helpers"
local np = require "adlua.numpy"
local ad = require "adlua"
local optim = require "adlua.optim"

local ref = {
  sgd_default = { -0.6800005374727915, -0.7799945445215144, -1.98000219070073 },
  sgd_mass = { 0.212003524, 0.34479000400000004, -1.152213436 },
  rmsprop_default = { -0.3051603064522669, -0.30687518841506906, -1.4968752966474967 },
  rmsprop_opts = { 0.5726902566637281, -1.4332128066442678, -0.04120305655632674 },
  adam_default = { 0.8924540164424344, -1.9052086366820373, 0.3960120740268106 },
  adam_opts = { 0.12320075540840669, -0.9329515707901305, -0.5491646656035465 },
}
local target = np.array({ 0.3, 0.2, -1.0 })
local function grad_fn(x, i) return 2 * (x - target) + 0.01 * i end
local function x0() return np.array({ 1.0, -2.0, 0.5 }) end

describe("optimizers follow autograd's rules and defaults", function()
  it("sgd", function()
    h.assert_array(optim.sgd(grad_fn, x0()), ref.sgd_default, 1e-12)
    h.assert_array(optim.sgd(grad_fn, x0(), { num_iters = 7, step_size = 0.3, mass = 0.5 }), ref.sgd_mass, 1e-12)
  end)
  it("rmsprop", function()
    h.assert_array(optim.rmsprop(grad_fn, x0()), ref.rmsprop_default, 1e-12)
    h.assert_array(optim.rmsprop(grad_fn, x0(), { num_iters = 9, step_size = 0.05, gamma = 0.8, eps = 1e-3 }),
      ref.rmsprop_opts, 1e-12)
  end)
  it("adam", function()
    h.assert_array(optim.adam(grad_fn, x0()), ref.adam_default, 1e-12)
    h.assert_array(optim.adam(grad_fn, x0(), { num_iters = 11, step_size = 0.1, b1 = 0.8, b2 = 0.9, eps = 1e-4 }),
      ref.adam_opts, 1e-12)
  end)
end)

describe("optimizer protocol", function()
  it("calls grad_fn(x, i) and callback(x, i, g) with 1-based i", function()
    local seen = {}
    optim.adam(function(x, i) seen[#seen + 1] = i; return x end, np.array({ 1 }), {
      num_iters = 3,
      callback = function(x, i, g)
        assert.equal(seen[#seen], i)
        h.assert_shape(x, { 1 })
        h.assert_shape(g, { 1 })
      end,
    })
    assert.same({ 1, 2, 3 }, seen)
  end)

  it("keeps the shape of an array and accepts numbers", function()
    local r = optim.sgd(function(x) return 2 * x end, np.ones({ 2, 2 }), { num_iters = 2 })
    h.assert_shape(r, { 2, 2 })
    local s = optim.sgd(function(x) return 2 * (x - 1) end, 0, { num_iters = 500 })
    assert.equal("number", type(s))
    h.assert_number(s, 1, 1e-6)
  end)

  it("optimizes a table of parameters with ad.grad", function()
    local loss = function(p) return np.sum((p.w - np.array({ 1, 2 })) ^ 2) + (p.inner[1] + 3) ^ 2 end
    local g = ad.grad(loss)
    local r = optim.adam(function(p) return g(p) end, { w = np.zeros({ 2 }), inner = { 0 } },
      { num_iters = 2000, step_size = 0.05, callback = function(p, _, gp)
        assert.is_not_nil(p.w); assert.is_not_nil(gp.inner)
      end })
    h.assert_array(r.w, { 1, 2 }, 1e-4)
    h.assert_number(r.inner[1], -3, 1e-4)
  end)

  it("reports a gradient of the wrong size", function()
    h.assert_error_matches(function()
      optim.sgd(function() return np.zeros({ 3 }) end, np.zeros({ 2 }), { num_iters = 1 })
    end, "optim.sgd: grad_fn returned 3 numbers for 2 parameters")
  end)

  it("writes nothing to stderr when it is not a terminal", function()
    local dir = h.tmpdir()
    local script = dir .. "/opt.lua"
    h.write_file(script, [[
local optim = require "adlua.optim"
local np = require "adlua.numpy"
print(optim.adam(function(x) return x end, np.ones({ 2 }), { num_iters = 50 })[1] < 1)
]])
    local bin = os.getenv("ADLUA_BIN") or "build/adlua"
    local ok = os.execute(("%s %s > %s/out.txt 2> %s/err.txt"):format(bin, script, dir, dir))
    assert.is_truthy(ok == true or ok == 0)
    assert.equal("true\n", h.read_file(dir .. "/out.txt"))
    assert.equal("", h.read_file(dir .. "/err.txt"))
  end)

  it("shows a progress bar with iteration, rate and time left on a terminal", function()
    local found = os.execute("command -v script >/dev/null 2>&1")
    if not (found == true or found == 0) then
      pending("util-linux `script` (a pseudo-terminal) is not installed")
      return
    end
    local dir = h.tmpdir()
    local script = dir .. "/bar.lua"
    h.write_file(script, [[
local optim = require "adlua.optim"
local np = require "adlua.numpy"
optim.sgd(function(x) return x end, np.ones({ 2 }), { num_iters = 40 })
]])
    local bin = os.getenv("ADLUA_BIN") or "build/adlua"
    local out = h.run(("script -qec %s /dev/null"):format(h.shell_quote(bin .. " " .. script)))
    assert.is_truthy(out:find("sgd [", 1, true), out)
    assert.is_truthy(out:find("40/40", 1, true), out)
    assert.is_truthy(out:find("it/s", 1, true), out)
    assert.is_truthy(out:find("s left", 1, true), out)
  end)
end)

describe("optimizer state: resuming", function()
  local function loss(p) return np.sum((p.w - 3) ^ 2) + np.sum(np.sin(p.b)) end
  local g = ad.grad(loss)
  local function p0() return { w = np.array({ 1, 2, 3 }), b = np.array({ { 0.5, 0.1 } }) } end

  for _, name in ipairs({ "sgd", "rmsprop", "adam" }) do
    it(name .. " returns its state and continues from it exactly, also through np.savez", function()
      local full, fstate = optim[name](function(p) return g(p) end, p0(), { num_iters = 10 })
      assert.are.equal(10, fstate.iteration)
      local saved
      optim[name](function(p) return g(p) end, p0(), {
        num_iters = 10,
        callback = function(x, i, _, st) if i == 5 then saved = { x = x, state = st } end end,
      })
      assert.are.equal(4, saved.state.iteration, "the state as of x: iterations done before i")
      local dir = h.tmpdir()
      np.savez(dir .. "/ck.npz", saved)
      local ck = np.load(dir .. "/ck.npz")
      os.execute("rm -rf " .. h.shell_quote(dir))
      local seen = {}
      local res, st = optim[name](function(p, i) seen[#seen + 1] = i; return g(p) end, ck.x,
        { num_iters = 10, state = ck.state })
      assert.are.same({ 5, 6, 7, 8, 9, 10 }, seen)
      assert.are.equal(10, st.iteration)
      assert.are.same(full.w:totable(), res.w:totable())
      assert.are.same(full.b:totable(), res.b:totable())
    end)
  end

  it("rejects a state of another optimizer or another size, naming the field", function()
    local f = function(p) return g(p) end
    h.assert_error_matches(function()
      optim.adam(f, p0(), { state = { iteration = 1, velocity = np.zeros(5) } })
    end, { "optim.adam", "opts.state.", "missing" })
    h.assert_error_matches(function()
      optim.adam(f, p0(), { state = { iteration = 1, m = np.zeros(4), v = np.zeros(5) } })
    end, { "optim.adam", "opts.state.m", "4 numbers for 5 parameters" })
    h.assert_error_matches(function()
      optim.sgd(f, p0(), { state = { iteration = 1.5, velocity = np.zeros(5) } })
    end, { "optim.sgd", "iteration", "whole number" })
    h.assert_error_matches(function() optim.sgd(f, p0(), { state = "x" }) end,
      { "optim.sgd", "opts.state", "string" })
  end)
end)
