-- adlua.console: the console's logic that is not line editing: completion
-- candidates for the line editor (core/lua_line_edit.c) and help().

local M = {}

-- Keys of a table or of an array's methods, for completion.
local function fields(v)
    local out = {}
    if type(v) == "table" then
        for k in pairs(v) do
            if type(k) == "string" then out[#out + 1] = k end
        end
        local mt = getmetatable(v)
        if mt and type(mt.__index) == "table" then
            for k in pairs(mt.__index) do
                if type(k) == "string" then out[#out + 1] = k end
            end
        end
    elseif type(v) == "userdata" or type(v) == "cdata" then
        local mt = getmetatable(v)
        local methods = type(mt) == "table" and rawget(mt, "__methods") or nil
        if type(methods) == "table" then
            for k in pairs(methods) do
                if type(k) == "string" then out[#out + 1] = k end
            end
        end
        for _, k in ipairs({ "shape", "ndim", "size", "dtype", "T" }) do out[#out + 1] = k end
    end
    return out
end

--- complete(text): the completions of a Lua name path being typed, e.g.
-- "np.li" -> {"np.linalg", "np.linspace"}, "x:su" -> {"x:sum"}.
function M.complete(text)
    local path, sep, partial = text:match("^(.*)([.:])([%w_]*)$")
    local base, scope
    if path then
        scope = _G
        for name in path:gmatch("[^.:]+") do
            if type(scope) ~= "table" and type(scope) ~= "userdata" then return {} end
            local ok, v = pcall(function() return scope[name] end)
            if not ok or v == nil then return {} end
            scope = v
        end
        base = path .. sep
    else
        scope, base, partial = _G, "", text
    end
    local seen, out = {}, {}
    local names = fields(scope)
    if scope == _G then
        for _, kw in ipairs({ "and", "break", "do", "else", "elseif", "end", "false",
            "for", "function", "if", "in", "local", "nil", "not", "or", "repeat",
            "return", "then", "true", "until", "while" }) do
            names[#names + 1] = kw
        end
    end
    for _, k in ipairs(names) do
        if not seen[k] and k:sub(1, #partial) == partial and k:match("^[%a_][%w_]*$") then
            seen[k] = true
            out[#out + 1] = base .. k
        end
    end
    table.sort(out)
    return out
end

return M
