-- iris_rss.lua: long run.  STEPS gradient steps (default 100,000) of the
-- iris logistic regression (examples/train_iris.lua's model, the
-- per-sample loop of the autograd blog, or MODEL=vector for the same loss
-- on whole arrays); resident memory is read from /proc/self/statm after a
-- warm-up of a tenth of the steps and at the end.  Prints the figures and
-- fails (exit 1) when memory grew by 5% or more after the warm-up, or when
-- arrays are left alive.
--
--   build/adlua tests/long/iris_rss.lua [STEPS] [MODEL]
local ad = require "adlua"
local np = require "adlua.numpy"
local D = require("adlua.core").debug

local steps = tonumber(arg and arg[1]) or 100000
local model = arg and arg[2] or "loop"

collectgarbage()
collectgarbage()
local arrays0 = D.live() -- before the data: arrays keep the views read from them while they live
local X, t, loop_loss, vector_loss = require("tests.lua.helpers").iris_problem()

local loss = model == "vector" and vector_loss or loop_loss
local g = ad.grad(loss)

local page_kb = 4
do
  local p = io.popen("getconf PAGESIZE 2>/dev/null")
  if p then
    page_kb = (tonumber(p:read("*l")) or 4096) / 1024
    p:close()
  end
end
local function rss_kb()
  local f = assert(io.open("/proc/self/statm"))
  local _, resident = f:read("*n", "*n")
  f:close()
  return resident * page_kb
end

local w = np.zeros({ 3, 1 })
local warm = math.max(1, math.floor(steps / 10))
local rss_warm, peak = 0, 0
local t0 = os.clock()
for step = 1, steps do
  w = w - g(w, X, t) * 0.001
  if step % 1000 == 0 or step == warm then
    local r = rss_kb()
    if step >= warm then peak = math.max(peak, r) end
    if step == warm then rss_warm = r end
  end
end
local seconds = os.clock() - t0
collectgarbage()
collectgarbage()
local rss_end = rss_kb()
local growth = (math.max(peak, rss_end) - rss_warm) / rss_warm * 100
print(("long run: %d %s-model steps in %.1f s CPU (%.0f steps/s)"):format(steps, model, seconds, steps / seconds))
print(("long run: resident memory %.0f kB after %d warm-up steps, %.0f kB peak after, "
       .. "%.0f kB at the end: growth %.2f%%"):format(rss_warm, warm, peak, rss_end, growth))
local final = loss(w, X, t)
final = type(final) == "number" and final or final:item()
-- the data and the weights go, with the views they kept (X's columns, w.T)
X, t, w = nil, nil, nil -- luacheck: ignore 311
collectgarbage()
collectgarbage()
local arrays = D.live() - arrays0
print(("long run: final loss %.10g, arrays left alive %d"):format(final, arrays))
if growth >= 5 or arrays ~= 0 then
  print("long run: FAILED")
  os.exit(1)
end
print("long run: ok")
