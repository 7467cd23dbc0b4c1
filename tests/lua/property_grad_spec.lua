-- Property test: random compositions of operations, differentiated by
-- ad.grad, agree with central finite differences.  The compositions are
-- drawn from a fixed seed (the same ones on every run; the failing
-- expression is printed), over smooth operations on their safe domains,
-- reductions with kept axes, broadcasting, matrix products, views and
-- indexing.  Second derivatives are checked the same way on a subset.

local h = require "tests.lua.helpers"
local np = require "adlua.numpy"
local ad = require "adlua"

local SHAPE = { 2, 3 }

-- Shape-preserving operations on (2,3) values: name, arity, function.
local unary = {
  { "tanh", function(u) return np.tanh(u) end },
  { "sin", function(u) return np.sin(u) end },
  { "cos", function(u) return np.cos(u) end },
  { "exp(tanh)", function(u) return np.exp(np.tanh(u)) end },
  { "log(1+u^2)", function(u) return np.log(1 + np.square(u)) end },
  { "sqrt(1+u^2)", function(u) return np.sqrt(1 + u * u) end },
  { "log1p(u^2)", function(u) return np.log1p(u ^ 2) end },
  { "u^2/2", function(u) return np.square(u) * 0.5 end },
  { "-u", function(u) return -u end },
  { "u - sum(u, 2, keep)", function(u) return u - np.sum(u, 2, true) end },
  { "u * mean(u, 1, keep)", function(u) return u * np.mean(u, 1, true) end },
  { "max(u, 2, keep) * u", function(u) return np.max(u, 2, true) * u end },
  { "0.1 * (u u^T) u", function(u) return np.dot(np.dot(u, u.T), u) * 0.1 end },
  { "reshape round trip", function(u) return np.reshape(np.reshape(u, { 3, 2 }) * 2, { 2, 3 }) end },
  { "T twice", function(u) return np.transpose(u.T * 1.5) end },
  { "rows reversed", function(u) return np.concatenate({ u[{ { 2, 2 } }], u[{ { 1, 1 } }] }, 1) end },
  { "columns sliced", function(u) return np.concatenate({ u[{ {}, { 2, 3 } }], u[{ {}, { 1, 1 } }] }, 2) end },
  { "u / (1 + u^2)", function(u) return u / (1 + u * u) end },
  { "1.5^tanh(u)", function(u) return 1.5 ^ np.tanh(u) end },
  { "abs(u) + 1", function(u) return np.abs(u + 3) end },
}
local binary = {
  { "+", function(u, v) return u + v end },
  { "-", function(u, v) return u - v end },
  { "*", function(u, v) return u * v end },
  { "/ (1+v^2)", function(u, v) return u / (1 + v * v) end },
  { "maximum", function(u, v) return np.maximum(u, v * 1.01 + 0.0037) end },
  { "minimum", function(u, v) return np.minimum(u, v * 0.99 - 0.002) end },
  { "where(u > v)", function(u, v) return np.where(np.greater(u, v + 0.001), u, v) end },
  { "u * row of v", function(u, v) return u * v[{ { 1, 1 } }] end },
  { "u + column of v", function(u, v) return u + v[{ {}, { 2, 2 } }] end },
  { "(u^T v) reshaped", function(u, v) return np.reshape(np.dot(u.T, v), { 9 })[{ { 1, 6 } }]:reshape(SHAPE) end },
  { "stack and sum", function(u, v) return np.sum(np.stack({ u, v }), 1) end },
}

-- A small deterministic generator (the same sequence on every platform).
local function lcg(seed)
  local state = seed
  return function(n)
    state = (state * 1103515245 + 12345) % 2147483648
    return state % n + 1
  end
end

-- A random expression over x and two constants: returns f(x) and its text.
local function expression(rand, depth)
  local c1 = np.array({ { 0.3, -0.7, 1.1 }, { 0.9, 0.2, -0.4 } })
  local c2 = np.array({ { -1.2, 0.5, 0.8 }, { 0.1, -0.6, 1.3 } })
  local function build(d)
    local k = rand(10)
    if d == 0 or k <= 2 then
      local leaf = rand(4)
      if leaf <= 2 then return function(x) return x end, "x" end
      if leaf == 3 then return function() return c1 end, "c1" end
      return function() return c2 end, "c2"
    end
    if k <= 6 then
      local op = unary[rand(#unary)]
      local f, s = build(d - 1)
      return function(x) return op[2](f(x)) end, op[1] .. "(" .. s .. ")"
    end
    local op = binary[rand(#binary)]
    local f, s = build(d - 1)
    local g, t = build(d - 1)
    return function(x) return op[2](f(x), g(x)) end, "(" .. s .. " " .. op[1] .. " " .. t .. ")"
  end
  local f, s = build(depth)
  -- make sure x is in it, then reduce to a number
  return function(x) return np.sum(f(x) * x) end, "sum(" .. s .. " * x)"
end

local function check_near(g, fd, what)
  local gf, ff = h.flat(g), h.flat(fd)
  for i = 1, #ff do
    local tol = 1e-5 * (1 + math.abs(ff[i]))
    if not (math.abs(gf[i] - ff[i]) <= tol) then
      error(("%s: element %d: grad %.12g, finite differences %.12g"):format(what, i, gf[i], ff[i]), 0)
    end
  end
end

describe("random compositions against finite differences", function()
  local x = np.array({ { 0.7, -0.3, 1.2 }, { -0.9, 0.4, 0.15 } })

  it("first derivatives of 300 random compositions", function()
    local rand = lcg(20261128)
    local nonzero = 0
    for i = 1, 300 do
      local f, text = expression(rand, 1 + i % 4)
      local g = ad.grad(f)(x)
      local fd = h.fd_grad(f, { x }, 1, 1e-6)
      check_near(g, fd, ("composition %d: %s"):format(i, text))
      if np.max(np.abs(g)) > 0 then nonzero = nonzero + 1 end
    end
    assert.is_true(nonzero >= 290, "the compositions should depend on x")
  end)

  it("second derivatives (Hessian-vector products) of 60 random compositions", function()
    local rand = lcg(7)
    local v = np.array({ { 0.5, -1, 0.25 }, { 1, 0.75, -0.5 } })
    for i = 1, 60 do
      local f, text = expression(rand, 1 + i % 3)
      -- directional derivative of the gradient along v: grad of <grad f, v>
      local gv = function(y) return np.sum(ad.grad(f)(y) * v) end
      local hv = ad.grad(gv)(x)
      local fd = h.fd_grad(gv, { x }, 1, 1e-5)
      check_near(hv, fd, ("composition %d (second order): %s"):format(i, text))
    end
  end)
end)
