-- fit_curve.lua: the script that examples/embed/host.c runs.
--
-- Returns a function fit(t, y, fitted) that fits y ~ a + b*t + c*t^2 by
-- gradient descent on the mean squared error, writes the fitted curve into
-- `fitted` (host memory: the host sees the numbers without a copy) and
-- returns a, b, c and the final loss.
local ad = require "adlua"
local np = require "adlua.numpy"

local function model(p, t)
    return p[1] + p[2] * t + p[3] * t * t
end

return function(t, y, fitted, steps, rate)
    local function loss(p)
        return np.mean((model(p, t) - y) ^ 2)
    end
    local dloss = ad.grad(loss)
    local p = np.zeros(3)
    for _ = 1, steps do
        p = p - rate * dloss(p)
    end
    fitted[{{}}] = model(p, t) -- writes into the host's buffer
    return p[1], p[2], p[3], loss(p)
end
