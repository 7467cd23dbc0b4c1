-- adlua.each: `for k, v in each(t)` visits the keys of a table as
-- `pairs(t)` does, without `next` running in compiled Lua code.
--
-- Why: the LuaJIT of Debian 12 (2.1.0~beta3, git snapshot of 2022-03-20)
-- miscompiles table loops (docs/luajit.md): a hot loop over `pairs` or
-- `next` can compare or keep a stale key (its machine code reads the key
-- after the next call has overwritten it), and a `pairs` loop the JIT
-- blacklists while it runs can stop early (LuaJIT issue #827). Both drop
-- keys silently. each(t) takes the keys from C (core.keys, lua_next) and
-- hands them out with a plain closure, so no Lua trace calls `next`.
-- Keys removed during the loop are skipped, as with pairs; keys added are
-- not visited. Every Lua file of adlua loops over each(t) (or, for the
-- keys alone, core.keys(t)), never pairs(t) or next
-- (tests/lua/each_spec.lua checks that and reproduces the bugs).
local keys = require("adlua.core").keys

return function(t)
  if type(t) ~= "table" then
    error(("bad argument #1 to 'each' (table expected, got %s)"):format(type(t)), 2)
  end
  local ks, i = keys(t), 0
  return function()
    while true do
      i = i + 1
      local k = ks[i]
      if k == nil then return nil end
      local v = rawget(t, k)
      if v ~= nil then return k, v end
    end
  end
end
