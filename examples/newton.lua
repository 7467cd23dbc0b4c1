-- Newton's method with the exact Hessian on the Rosenbrock function
-- f(x, y) = (1 - x)^2 + 100 (y - x^2)^2, whose minimum is at (1, 1).
--
--   build/adlua examples/newton.lua

local ad = require "adlua"
local np = require "adlua.numpy"

local function rosenbrock(p)
  return (1 - p[1]) ^ 2 + 100 * (p[2] - p[1] ^ 2) ^ 2
end

local grad, hessian = ad.grad(rosenbrock), ad.hessian(rosenbrock)

-- Solves the 2x2 system H d = g (Cramer's rule keeps this example free of
-- np.linalg).
local function solve2(H, g)
  local a, b, c, d = H[{ 1, 1 }], H[{ 1, 2 }], H[{ 2, 1 }], H[{ 2, 2 }]
  local det = a * d - b * c
  return np.array({ (d * g[1] - b * g[2]) / det, (a * g[2] - c * g[1]) / det })
end

local p = np.array({ -1.2, 1.0 })
print(("step %2d  x = % .10f  y = % .10f  f = %.3e"):format(0, p[1], p[2], rosenbrock(p)))
for step = 1, 50 do
  local g = grad(p)
  if math.sqrt(np.sum(g * g)) < 1e-12 then break end
  p = p - solve2(hessian(p), g)
  print(("step %2d  x = % .10f  y = % .10f  f = %.3e"):format(step, p[1], p[2], rosenbrock(p)))
end
