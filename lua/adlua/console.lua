-- adlua.console: the console's logic that is not line editing: completion
-- candidates for the line editor (core/lua_line_edit.c) and help().

local each = require "adlua.each" -- pairs, safe from Debian 12's LuaJIT (docs/luajit.md)
local M = {}

-- Keys of a table or of an array's methods, for completion.
local function fields(v)
    local out = {}
    if type(v) == "table" then
        for k in each(v) do
            if type(k) == "string" then out[#out + 1] = k end
        end
        local mt = getmetatable(v)
        if mt and type(mt.__index) == "table" then
            for k in each(mt.__index) do
                if type(k) == "string" then out[#out + 1] = k end
            end
        end
    elseif type(v) == "userdata" or type(v) == "cdata" then
        local mt = getmetatable(v)
        local methods = type(mt) == "table" and rawget(mt, "__methods") or nil
        if type(methods) == "table" then
            for k in each(methods) do
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

-- How the console shows a result: tables readably (nested, keys sorted,
-- arrays NumPy-style inside), anything else with tostring.
local function show(v, indent, seen)
    if type(v) == "string" then return indent == "" and v or ("%q"):format(v) end
    if type(v) ~= "table" or getmetatable(v) ~= nil and getmetatable(v).__tostring then
        return tostring(v)
    end
    if seen[v] then return "<cycle>" end
    if #indent >= 4 and next(v) ~= nil then return "{...}" end -- two levels are enough
    seen[v] = true
    local keys, n = {}, #v
    for k in each(v) do
        if not (type(k) == "number" and k >= 1 and k <= n and k % 1 == 0) then keys[#keys + 1] = k end
    end
    table.sort(keys, function(a, b)
        if type(a) == type(b) and (type(a) == "number" or type(a) == "string") then return a < b end
        return type(a) < type(b)
    end)
    local inner = indent .. "  "
    local parts = {}
    for i = 1, n do parts[#parts + 1] = show(v[i], inner, seen) end
    for _, k in ipairs(keys) do
        local name = (type(k) == "string" and k:match("^[%a_][%w_]*$")) and k
            or "[" .. show(k, inner, seen) .. "]"
        parts[#parts + 1] = name .. " = " .. show(v[k], inner, seen)
    end
    seen[v] = nil
    if #parts == 0 then return "{}" end
    local one = "{" .. table.concat(parts, ", ") .. "}"
    if #one + #indent <= 72 and not one:find("\n") then return one end
    return "{\n" .. inner .. table.concat(parts, ",\n" .. inner) .. "\n" .. indent .. "}"
end

--- format(v): the text the console prints for a result.
function M.format(v)
    if type(v) == "string" then return v end
    return show(v, "", {})
end

return M
