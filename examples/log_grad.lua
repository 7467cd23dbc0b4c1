-- The derivative of log, the autograd way: grad(f) is a new function that
-- returns df/dx. For log it is 1/x.
--
--   build/adlua examples/log_grad.lua

local ad = require "adlua"
local np = require "adlua.numpy"
local grad = ad.grad

-- Outside grad, np.log of a number is a plain Lua number.
print(string.format("np.log(10.0)       = %.16g", np.log(10.0)))        -- 2.302585092994046
print(string.format("grad(np.log)(10.0) = %.16g", grad(np.log)(10.0)))  -- 0.1

-- A few more points: the gradient is 1/x.
local dlog = grad(np.log)
print()
print(string.format("%6s  %-20s  %-20s  %s", "x", "log(x)", "grad(np.log)(x)", "1/x"))
for _, x in ipairs({0.5, 1.0, 2.0, 100.0}) do
    print(string.format("%6g  %-20.16g  %-20.16g  %.16g", x, np.log(x), dlog(x), 1 / x))
end
