-- The floor under W3 for a Lua C binding (bench/lua_floor.c): W3's chain
--     y = x; repeat N times: y = tanh(y*1.0001 + 0.01)
-- on values whose operations are C functions that check their operands and
-- return a new userdata, doing nothing else: what any engine answering each
-- operation from C through Lua's C API pays at least, before any value,
-- tape or gradient (adlua's per-link time includes all three, and the
-- backward pass). Times are per chain link, as W3's.
--
-- Usage: build/adlua bench/floor_w3.lua [links] [lua_floor.so]
--        (default 10000 links, build/bench/lua_floor.so; bench/run.sh builds it)
-- Prints one JSON line, peer "lua_floor" (see bench/WORKLOADS.md).

local bench = dofile((arg and arg[0] or "bench/floor_w3.lua"):gsub("[^/]*$", "") .. "lib.lua")

local N = bench.int_arg(10000)
local so = arg and arg[2] or "build/bench/lua_floor.so"
local open, err = package.loadlib(so, "luaopen_lua_floor")
if not open then
    error("floor_w3: cannot load " .. so .. " (bench/run.sh builds it): " .. tostring(err), 0)
end
local F = open()

local function chain(x)
    local y = x
    for _ = 1, N do
        y = F.tanh(y * 1.0001 + 0.01)
    end
    return y
end

local seconds, runs, y = bench.timed(function() return chain(F.new()) end)
assert(type(y) == "userdata", "floor_w3: the chain did not return a box")
bench.emit("lua_floor", "W3", seconds, N, runs, { links = N }, bench.env_info())
