-- Logistic regression on the iris flowers, as in the autograd blog post: the
-- loss is a plain loop over the samples, grad differentiates it, and
-- gradient descent fits the weights.
--
--   build/adlua examples/train_iris.lua

local ad = require "adlua"
local np = require "adlua.numpy"
local grad = ad.grad

-- The first 100 flowers are classes 0 (setosa) and 1 (versicolor).
-- X (3,100): sepal length, sepal width, and a row of ones for the bias.
local iris = require("adlua.datasets").load_iris()
local X = np.stack({iris.data[{{1, 100}, 1}], iris.data[{{1, 100}, 2}], np.ones(100)})
local t = iris.target[{{1, 100}}]             -- (100,) of 0 and 1

-- Negative log-likelihood, one sample (column of X) at a time:
--   loss = -sum_i ( t_i * w.x_i - log(1 + exp(w.x_i)) )
local function loss_function(w, X, t)
    local loss = 0
    for i = 1, t.shape[1] do
        loss = loss - (t[i] * np.dot(w.T, X[{{}, i}]) - np.log(1 + np.exp(np.dot(w.T, X[{{}, i}]))))
    end
    return loss                               -- a one-element array
end

-- Gradient descent from w = 0, 1000 steps of size 0.001.
local w = np.zeros({3, 1})
print(string.format("step %4d  loss %.8f", 0, loss_function(w, X, t)[1]))
for step = 1, 1000 do
    w = w - grad(loss_function)(w, X, t) * 0.001
    if step % 100 == 0 then
        print(string.format("step %4d  loss %.8f", step, loss_function(w, X, t)[1]))
    end
end

print(string.format("final w = [%.10g, %.10g, %.10g]", w[{1, 1}], w[{2, 1}], w[{3, 1}]))
print(string.format("final loss = %.10g", loss_function(w, X, t)[1]))
