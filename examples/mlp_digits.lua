-- A two-layer network on the digits data (1797 8x8 images), trained with
-- adam on parameters kept in a Lua table; reports the accuracy on a
-- held-out fifth of the data.
--
--   build/adlua examples/mlp_digits.lua           (full run: ~97% test accuracy)
--   ADLUA_SMOKE=1 build/adlua examples/mlp_digits.lua   (a few iterations)

local ad = require "adlua"
local np = require "adlua.numpy"
local optim = require "adlua.optim"
local datasets = require "adlua.datasets"

local smoke = os.getenv("ADLUA_SMOKE") == "1"
local digits = datasets.load_digits()

-- A fixed shuffle (Park-Miller), then 4/5 for training and 1/5 held out.
local rows, labels = digits.data:totable(), digits.target:totable()
local n = #rows
local order, state = {}, 12345
for i = 1, n do order[i] = i end
for i = n, 2, -1 do
  state = state * 16807 % 2147483647
  local j = 1 + state % i
  order[i], order[j] = order[j], order[i]
end
local n_test = math.floor(n / 5)
local function subset(from, to)
  local x, y, onehot = {}, {}, {}
  for k = from, to do
    local i = order[k]
    local r = {}
    for j = 1, 64 do r[j] = rows[i][j] / 16 end -- pixel values 0..16 scaled to 0..1
    x[#x + 1] = r
    y[#y + 1] = labels[i]
    local o = {}
    for c = 0, 9 do o[c + 1] = (c == labels[i]) and 1 or 0 end
    onehot[#onehot + 1] = o
  end
  return np.array(x), y, np.array(onehot)
end
local x_test, y_test = subset(1, n_test)
local x_train, y_train, t_train = subset(n_test + 1, n)

-- Small random initial weights (the same on every run).
local function init(r, c, scale)
  local t = {}
  for i = 1, r do
    t[i] = {}
    for j = 1, c do
      state = state * 16807 % 2147483647
      t[i][j] = scale * (state / 2147483647 - 0.5)
    end
  end
  return np.array(t)
end
local hidden = 64
local params = {
  W1 = init(64, hidden, 0.5), b1 = np.zeros({ hidden }),
  W2 = init(hidden, 10, 0.5), b2 = np.zeros({ 10 }),
}

local function logits(p, x)
  local h = np.tanh(np.dot(x, p.W1) + p.b1)
  return np.dot(h, p.W2) + p.b2
end

-- Mean cross-entropy of the softmax, with a stable log-sum-exp.
local function loss(p)
  local z = logits(p, x_train)
  local m = ad.stop_gradient(np.max(z, 2, true))
  local lse = np.log(np.sum(np.exp(z - m), 2, true)) + m
  return -np.sum(t_train * (z - lse)) / #y_train
end

local function accuracy(p, x, y)
  local z = logits(p, x):totable()
  local right = 0
  for i, row in ipairs(z) do
    local best = 1
    for c = 2, 10 do if row[c] > row[best] then best = c end end
    if best - 1 == y[i] then right = right + 1 end
  end
  return right / #y
end

local grad_loss = ad.grad(loss)
local iters = smoke and 5 or 400
local trained = optim.adam(function(p) return grad_loss(p) end, params, {
  num_iters = iters, step_size = 0.01,
  callback = function(p, i)
    if i % 100 == 0 then
      print(("iteration %4d  loss %.4f  train accuracy %.3f")
        :format(i, ad.value(loss(p)), accuracy(p, x_train, y_train)))
    end
  end,
})
print(("test accuracy %.3f on %d held-out images (%d iterations)"):format(
  accuracy(trained, x_test, y_test), #y_test, iters))
