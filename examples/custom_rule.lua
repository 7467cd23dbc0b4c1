-- A primitive with its own derivative rule: an identity whose gradient is
-- clipped to [-1, 1] (a common trick against exploding gradients).
--
--   build/adlua examples/custom_rule.lua

local ad = require "adlua"
local np = require "adlua.numpy"

-- The forward pass is the identity (on plain values) ...
local clip_grad = ad.primitive(function(x) return np.copy(x) end, "clip_grad")
-- ... and the backward pass clips the incoming gradient g, autograd's
-- convention: maker(ans, x) returns function(g).
ad.defvjp(clip_grad, function(ans, x)
  return function(g) return np.minimum(np.maximum(g, -1), 1) end
end)

local function loss(w)
  return np.sum((clip_grad(w) * 10) ^ 2) -- a steep loss: raw gradients 200 w
end

local w = np.array({ 0.001, -0.5, 2 })
print("raw gradient     ", ad.grad(function(v) return np.sum((v * 10) ^ 2) end)(w))
print("clipped gradient ", ad.grad(function(v) return np.sum(clip_grad(v * 10) ^ 2) end)(w))
print("through clip_grad", ad.grad(loss)(w))
