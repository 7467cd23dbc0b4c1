-- adlua.numbers: numbers as text with every digit that matters.
-- LuaJIT's tostring keeps 14 significant digits (log(10) prints as
-- 2.302585092994); NumPy users expect the shortest text that reads back as
-- the same double (2.302585092994046).  The adlua program installs this
-- tostring (and so print) for scripts and the console; the module itself
-- sets no globals.
local M = {}

local format, floor, huge = string.format, math.floor, math.huge

--- The shortest text that reads back as x.
function M.format(x)
  if x ~= x then return "nan" end
  if x == huge then return "inf" end
  if x == -huge then return "-inf" end
  if x == floor(x) and x > -1e15 and x < 1e15 then
    if x == 0 and 1 / x < 0 then return "-0" end
    return format("%d", x)
  end
  for digits = 15, 16 do
    local s = format("%." .. digits .. "g", x)
    if tonumber(s) == x then return s end
  end
  return format("%.17g", x)
end

--- Replaces env.tostring (default: the globals) by one that prints numbers
--- with M.format and everything else as before.
function M.install(env)
  env = env or _G
  local raw = env.tostring
  env.tostring = function(v)
    if type(v) == "number" then return M.format(v) end
    return raw(v)
  end
  -- Lua 5.2 and later: print formats numbers itself instead of calling the
  -- global tostring, so it is replaced too (LuaJIT reports "Lua 5.1").
  if env.print and _VERSION ~= "Lua 5.1" then
    local raw_print, pack, unpack = env.print, table.pack, table.unpack
    env.print = function(...)
      local t = pack(...)
      for i = 1, t.n do
        if type(t[i]) == "number" then t[i] = M.format(t[i]) end
      end
      return raw_print(unpack(t, 1, t.n))
    end
  end
end

return M
