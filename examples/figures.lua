-- The blog's three figures: f and its two derivatives; the loss falling
-- while the iris model trains; the three weights settling.
--
--   build/adlua examples/figures.lua [output folder, default out]

local ad = require "adlua"
local np = require "adlua.numpy"
local plt = require "adlua.plot"

local outdir = arg and arg[1] or "out"
os.execute("mkdir -p '" .. outdir .. "'")

-- 1. f(x) = 2x^2 - 5x + 3 with f' and f'' by elementwise_grad, on -4..4
local function f(x) return 2 * x^2 - 5 * x + 3 end
local d1 = ad.elementwise_grad(f)
local d2 = ad.elementwise_grad(d1)
local x = np.linspace(-4, 4, 200)
plt.figure()
plt.plot(x, f(x), "-", {label = "f(x) = 2x² - 5x + 3"})
plt.plot(x, d1(x), "--", {label = "f'(x)"})
plt.plot(x, d2(x), ":", {label = "f''(x)"})
plt.title("A function and its first two derivatives")
plt.xlabel("x"); plt.ylabel("value")
plt.legend(); plt.grid()
local paths = { plt.savefig(outdir .. "/derivatives.png") }

-- 2 and 3. Logistic regression on iris (as examples/train_iris.lua),
-- recording the loss and the weights at every step.
local iris = require("adlua.datasets").load_iris()
local X = np.stack({iris.data[{{1, 100}, 1}], iris.data[{{1, 100}, 2}], np.ones(100)})
local t = iris.target[{{1, 100}}]
local function loss_function(w)
    -- the blog's per-sample loop, written with whole-array operations for speed
    local z = np.dot(w.T, X)
    return -np.sum(t * z - np.log(1 + np.exp(z)))
end
local grad_loss = ad.grad(loss_function)
local w = np.zeros({3, 1})
local steps, losses, w1, w2, w3 = {}, {}, {}, {}, {}
for step = 0, 1000 do
    if step > 0 then w = w - grad_loss(w) * 0.001 end
    steps[#steps + 1] = step
    losses[#losses + 1] = ad.value(loss_function(w))
    w1[#w1 + 1], w2[#w2 + 1], w3[#w3 + 1] = w[{1, 1}], w[{2, 1}], w[{3, 1}]
end

plt.figure()
plt.plot(steps, losses, "-", {label = "negative log-likelihood"})
plt.title("Training loss on iris (setosa vs versicolor)")
plt.xlabel("gradient descent step"); plt.ylabel("loss")
plt.legend(); plt.grid()
paths[#paths + 1] = plt.savefig(outdir .. "/iris_loss.png")

plt.figure()
plt.plot(steps, w1, "-", {label = "w1 (sepal length)"})
plt.plot(steps, w2, "--", {label = "w2 (sepal width)"})
plt.plot(steps, w3, ":", {label = "w3 (bias)"})
plt.title("Weights during training")
plt.xlabel("gradient descent step"); plt.ylabel("weight")
plt.legend({loc = "lower left"}); plt.grid()
paths[#paths + 1] = plt.savefig(outdir .. "/iris_weights.png")

for _, p in ipairs(paths) do print("wrote " .. p) end
