-- adlua.index_front: the arrays' __index, in Lua, in front of the
-- binding's (core.index, core/lua_array.c).
--
-- Why in Lua: the reads that a per-sample loop repeats, x:method(), w.T,
-- X[i] and X[{{}, i}] of a plain X, are table lookups, one
-- bytecode each here against a C API call each (about 40 instructions) in
-- the binding.  On a miss, core.index_remember makes the array and puts it
-- here when the binding would give the same one again (core/lua_array.c
-- says when, and what keeps it how long), or false where it never would;
-- every other key goes to core.index.  Both are tail calls, and the
-- binding's errors skip this function where PUC Lua keeps a frame of it
-- anyway, so that an error names the user's line.  docs/performance.md
-- has the measurements.
local core = require "adlua.core"

return function(methods)
  local c_index, index_remember = core.index, core.index_remember
  local type = type
  -- x -> x.T, which x holds itself (weak both ways: a LuaJIT table with
  -- weak keys alone keeps its values a cycle longer)
  local transposes = setmetatable({}, { __mode = "kv" })
  -- x -> {[i] = x[i]} and {[i] = x[{{}, i}]} of a plain x, tables with
  -- weak values (the binding's view table on x keeps the views while x lives)
  local rows = setmetatable({}, { __mode = "k" })
  local columns = setmetatable({}, { __mode = "k" })

  -- The lookup is written out for rows and columns: a shared helper would
  -- cost a call per read, and put its own frame under the binding's errors.
  core.array_metatable.__index = function(x, k)
    local kind = type(k)
    if kind == "number" then
      local of_x = rows[x]
      if of_x then
        local v = of_x[k]
        if v ~= nil then return v end
      elseif of_x == false then
        return c_index(x, k)
      end
      return index_remember(x, k, rows)
    elseif kind == "string" then
      if k == "T" then
        local t = transposes[x]
        if t then return t end
        if t == false then return c_index(x, k) end
        return index_remember(x, k, transposes)
      end
      local m = methods[k]
      if m ~= nil then return m end
    elseif kind == "table" and getmetatable(k) == nil then -- not a scalar box
      local all, i = k[1], k[2]
      -- {} is the whole axis, as for the binding any table of length 0
      if type(i) == "number" and k[3] == nil and type(all) == "table" and getmetatable(all) == nil
          and #all == 0 then
        local of_x = columns[x]
        if of_x then
          local v = of_x[i]
          if v ~= nil then return v end
        elseif of_x == false then
          return c_index(x, k)
        end
        return index_remember(x, k, columns)
      end
    end
    return c_index(x, k)
  end
end
