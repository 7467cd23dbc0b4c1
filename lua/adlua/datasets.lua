-- adlua.datasets: small data sets shipped with adlua (no network, no files
-- to find: the data are Lua modules, embedded into the adlua program by the
-- build and found on package.path by a stock luajit).
--
--   local iris = require("adlua.datasets").load_iris()
--   iris.data          -- (150,4) float64 array
--   iris.target        -- (150,) float64 array of class numbers 0, 1, 2
--   iris.feature_names -- {"sepal length (cm)", ...}
--   iris.target_names  -- {"setosa", "versicolor", "virginica"}
--
-- Class numbers keep scikit-learn's values 0/1/2 (they are labels, not
-- positions). Each call returns new arrays and tables, so a caller may modify
-- what it got without affecting later calls.

local np = require "adlua.numpy"

local M = {}

local function copy_list(t)
    local c = {}
    for i = 1, #t do c[i] = t[i] end
    return c
end

function M.load_iris()
    local raw = require "adlua.datasets.iris"
    return {
        data = np.array(raw.data),
        target = np.array(raw.target),
        feature_names = copy_list(raw.feature_names),
        target_names = copy_list(raw.target_names),
    }
end

-- digits (issue 4): 1797 8x8 images of handwritten digits.
--   d.data (1797,64), d.images (1797,8,8), d.target (1797,) of 0..9,
--   d.target_names {0, ..., 9}; values are whole numbers 0..16 (float64).
function M.load_digits()
    local raw = require "adlua.datasets.digits"
    local rows, target = {}, {}
    local byte = string.byte
    for i, s in ipairs(raw.images) do
        local r = {}
        for j = 1, 64 do r[j] = byte(s, j) - 48 end
        rows[i] = r
        target[i] = byte(raw.target, i) - 48
    end
    local data = np.array(rows)
    return {
        data = data,
        images = np.reshape(np.copy(data), {#rows, 8, 8}),
        target = np.array(target),
        target_names = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
    }
end

return M
