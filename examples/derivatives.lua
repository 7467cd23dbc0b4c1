-- First and second derivatives of a polynomial at 800 points at once.
-- elementwise_grad(f) gives the derivative of f at every point of an array;
-- applying it twice gives the second derivative.
--
--   build/adlua examples/derivatives.lua

local ad = require "adlua"
local np = require "adlua.numpy"
local elementwise_grad = ad.elementwise_grad

local function f(x) return 2 * x^2 - 5 * x + 3 end

local x = np.arange(-4.0, 4.0, 0.01)          -- 800 points, as in NumPy
local grad_f1 = elementwise_grad(f)           -- f'(x)  = 4x - 5
local grad_f2 = elementwise_grad(grad_f1)     -- f''(x) = 4

local y, d1, d2 = f(x), grad_f1(x), grad_f2(x)

-- %.nf, but a tiny negative value (arange's rounding) shows as 0.00, not -0.00
local function fixed(v, decimals)
    local s = string.format("%." .. decimals .. "f", v)
    if tonumber(s) == 0 then s = s:gsub("^%-", "") end
    return s
end

print(string.format("f(x) = 2x^2 - 5x + 3 at %d points, x = %g .. %g", x.size, x[1], x[#x]))
print()
print(string.format("%7s  %10s  %9s  %6s", "x", "f(x)", "f'(x)", "f''(x)"))
for _, i in ipairs({1, 201, 401, 526, 601, 800}) do   -- x = -4, -2, 0, 1.25, 2, 3.99
    print(string.format("%7s  %10s  %9s  %6s",
        fixed(x[i], 2), fixed(y[i], 4), fixed(d1[i], 4), fixed(d2[i], 1)))
end

-- Against the derivatives worked out by hand, at all 800 points:
print()
print(string.format("max |f'  - (4x - 5)| = %.2g", np.max(np.abs(d1 - (4 * x - 5)))))
print(string.format("max |f'' - 4|       = %.2g", np.max(np.abs(d2 - 4))))
