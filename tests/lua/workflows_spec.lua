-- The three workflows of the autograd blog post (issue 2), written exactly
-- as a user writes them, with the reference numbers from HIPS autograd and
-- PyTorch; and the bundled iris data set.

local h = require "tests.lua.helpers"

describe("workflow 1: the derivative of log", function()
  it("np.log(10.0) is a Lua number, grad(np.log)(10.0) is 0.1", function()
    local ad = require "adlua"
    local np = require "adlua.numpy"
    local grad = ad.grad

    local v = np.log(10.0)
    h.assert_number(v, 2.302585092994046, 1e-15)
    local d = grad(np.log)(10.0)
    h.assert_number(d, 0.1, 1e-15)
    assert.equal("0.1", ("%.15g"):format(d))
  end)

  it("np is also reachable as ad.numpy", function()
    local ad = require "adlua"
    local np = require "adlua.numpy"
    assert.equal(np, ad.numpy)
  end)
end)

describe("workflow 2: first and second derivatives of a polynomial", function()
  it("800 points, f' = 4x - 5 and f'' = 4", function()
    local ad = require "adlua"
    local np = require "adlua.numpy"
    local elementwise_grad = ad.elementwise_grad

    local function f(x) return 2 * x ^ 2 - 5 * x + 3 end
    local x = np.arange(-4.0, 4.0, 0.01)
    local grad_f1 = elementwise_grad(f)
    local grad_f2 = elementwise_grad(grad_f1)

    assert.same({ 800 }, x.shape)
    local y, d1, d2 = f(x), grad_f1(x), grad_f2(x)
    assert.same({ 800 }, y.shape)
    assert.same({ 800 }, d1.shape)
    assert.same({ 800 }, d2.shape)

    local xs, ys, d1s, d2s = h.flat(x), h.flat(y), h.flat(d1), h.flat(d2)
    for i = 1, 800 do
      local xi = xs[i]
      assert(h.near(ys[i], 2 * xi * xi - 5 * xi + 3, 1e-12), "f at point " .. i)
      assert(h.near(d1s[i], 4 * xi - 5, 1e-12), "f' at point " .. i)
      assert(h.near(d2s[i], 4, 1e-12), "f'' at point " .. i)
    end
    -- the same checks the NumPy way
    h.assert_number(np.max(np.abs(d1 - (4 * x - 5))), 0, 1e-12)
    h.assert_number(np.max(np.abs(d2 - 4)), 0, 1e-12)
  end)
end)

describe("workflow 3: logistic regression on iris", function()
  it("1000 gradient steps reach the reference weights and loss", function()
    local ad = require "adlua"
    local np = require "adlua.numpy"
    local grad = ad.grad

    local iris = require("adlua.datasets").load_iris()
    -- X: (3,100) = sepal length, sepal width, ones, for classes 0 and 1
    local X = np.concatenate({ iris.data[{ { 1, 100 }, { 1, 2 } }], np.ones({ 100, 1 }) }, 2).T
    local t = iris.target[{ { 1, 100 } }]
    assert.same({ 3, 100 }, X.shape)
    assert.same({ 100 }, t.shape)

    local function loss_function(w, X, t)
      local loss = 0
      for i = 1, t.shape[1] do
        loss = loss - (t[i] * np.dot(w.T, X[{ {}, i }]) - np.log(1 + np.exp(np.dot(w.T, X[{ {}, i }]))))
      end
      return loss
    end

    local w = np.zeros({ 3, 1 })
    -- the loss at w = 0 is 100 log 2
    h.assert_near(loss_function(w, X, t), 100 * math.log(2), 1e-12, "initial loss")
    for _ = 1, 1000 do
      w = w - grad(loss_function)(w, X, t) * 0.001
    end

    assert.same({ 3, 1 }, w.shape)
    local want = { 3.042712507, -5.099495972, -0.6933893946 }
    for k = 1, 3 do
      local got = w[{ k, 1 }]
      assert(math.abs(got - want[k]) < 1e-6,
        ("w[%d] = %.12g, expected %.10g within 1e-6"):format(k, got, want[k]))
    end
    local loss = h.val(loss_function(w, X, t))
    assert(math.abs(loss - 9.99422221) < 1e-6, ("final loss %.12g, expected 9.99422221"):format(loss))
  end)

  it("the same model with X[{{}, i}] built by stacking columns", function()
    local ad = require "adlua"
    local np = require "adlua.numpy"
    local iris = require("adlua.datasets").load_iris()
    local X = np.stack({ iris.data[{ { 1, 100 }, 1 }], iris.data[{ { 1, 100 }, 2 }], np.ones({ 100 }) })
    local t = iris.target[{ { 1, 100 } }]
    assert.same({ 3, 100 }, X.shape)
    -- sums of the rows: sepal length, sepal width, ones
    h.assert_array(X:sum(2), { 547.1, 309.9, 100 }, 1e-12)
    -- one gradient step from zero: g = X (sigmoid(0) - t) = X (0.5 - t)
    local function loss_function(w, X, t)
      local loss = 0
      for i = 1, t.shape[1] do
        loss = loss - (t[i] * np.dot(w.T, X[{ {}, i }]) - np.log(1 + np.exp(np.dot(w.T, X[{ {}, i }]))))
      end
      return loss
    end
    local g = ad.grad(loss_function)(np.zeros({ 3, 1 }), X, t)
    assert.same({ 3, 1 }, g.shape)
    local want = np.dot(X, (0.5 - t)):reshape({ 3, 1 })
    h.assert_close(g, want, 1e-12, "gradient at zero")
  end)
end)

describe("adlua.datasets.load_iris", function()
  local np = require "adlua.numpy"
  local iris

  before_each(function() iris = require("adlua.datasets").load_iris() end)

  it("data is (150,4) float64 with the known values", function()
    assert.same({ 150, 4 }, iris.data.shape)
    assert.equal("float64", iris.data.dtype)
    h.assert_array(iris.data[1], { 5.1, 3.5, 1.4, 0.2 }, 0)
    h.assert_array(iris.data[150], { 5.9, 3.0, 5.1, 1.8 }, 0)
    -- scikit-learn's copy (Fisher's values for rows 35 and 38)
    h.assert_array(iris.data[38], { 4.9, 3.6, 1.4, 0.1 }, 0)
    h.assert_array(iris.data:mean(1), { 5.843333333333333, 3.0573333333333337, 3.758, 1.1993333333333336 }, 1e-12)
  end)

  it("target is (150,) of 0/1/2, fifty of each, in order", function()
    assert.same({ 150 }, iris.target.shape)
    local tv = h.flat(iris.target)
    local counts = { [0] = 0, [1] = 0, [2] = 0 }
    for i, v in ipairs(tv) do
      assert(v == 0 or v == 1 or v == 2, "target value " .. tostring(v))
      counts[v] = counts[v] + 1
      assert.equal(math.floor((i - 1) / 50), v)
    end
    assert.same({ [0] = 50, [1] = 50, [2] = 50 }, counts)
  end)

  it("feature_names and target_names", function()
    assert.equal(4, #iris.feature_names)
    assert.equal("sepal length (cm)", iris.feature_names[1])
    assert.equal("sepal width (cm)", iris.feature_names[2])
    assert.equal("petal length (cm)", iris.feature_names[3])
    assert.equal("petal width (cm)", iris.feature_names[4])
    assert.same({ "setosa", "versicolor", "virginica" }, iris.target_names)
  end)

  it("each call returns fresh arrays", function()
    local a = require("adlua.datasets").load_iris()
    a.data[{ 1, 1 }] = -1
    local b = require("adlua.datasets").load_iris()
    h.assert_number(b.data[{ 1, 1 }], 5.1, 0)
    assert.equal(np.sum(b.data), np.sum(iris.data))
  end)
end)
