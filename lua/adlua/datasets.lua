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
--   local digits = require("adlua.datasets").load_digits()
--   digits.data          -- (1797,64) float64 array of pixel counts 0..16
--   digits.images        -- (1797,8,8) the same pixels as 8x8 images
--   digits.target        -- (1797,) float64 array of digits 0..9
--   digits.target_names  -- {0, 1, ..., 9}
--   digits.feature_names -- {"pixel_0_0", ..., "pixel_7_7"} (scikit-learn's)
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

function M.load_digits()
    local raw = require "adlua.datasets.digits"
    local code = {}
    for i = 1, #raw.alphabet do code[raw.alphabet:byte(i)] = i - 1 end
    local flat, k = {}, 0
    for _, image in ipairs(raw.images) do
        for j = 1, #image do
            k = k + 1
            flat[k] = code[image:byte(j)]
        end
    end
    local target = {}
    for i = 1, #raw.target do target[i] = raw.target:byte(i) - 48 end
    local n = #raw.images
    local data = np.reshape(np.array(flat), { n, 64 })
    local feature_names, target_names = {}, {}
    for r = 0, 7 do
        for c = 0, 7 do feature_names[#feature_names + 1] = ("pixel_%d_%d"):format(r, c) end
    end
    for d = 0, 9 do target_names[d + 1] = d end
    return {
        data = data,
        images = np.reshape(np.copy(data), { n, 8, 8 }),
        target = np.array(target),
        target_names = target_names,
        feature_names = feature_names,
    }
end

return M
