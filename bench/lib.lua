-- Shared helpers of adlua's benchmark scripts (bench/WORKLOADS.md): a
-- monotonic clock, the timing protocol (1 warm-up run, 5 timed runs, median),
-- environment facts and one JSON line per workload.
--
-- Loaded by the bench scripts with dofile() next to themselves; bench code
-- only, not part of the adlua modules.

local M = {}

M.WARMUP, M.RUNS = 1, 5

-- CLOCK_MONOTONIC through LuaJIT's FFI; os.clock() (CPU time) only where
-- there is no FFI, and then the JSON says so.
local has_ffi, ffi = pcall(require, "ffi")
local each = require "adlua.each" -- pairs, safe from Debian 12's LuaJIT (docs/luajit.md)
local now, clock_name
if has_ffi then
    pcall(ffi.cdef, [[
        typedef struct { long tv_sec; long tv_nsec; } adl_bench_timespec;
        int clock_gettime(int clk_id, adl_bench_timespec *tp);
    ]])
    local CLOCK_MONOTONIC = 1            -- Linux
    local ts = ffi.new("adl_bench_timespec")
    now = function()
        ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
        return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
    end
    clock_name = "clock_gettime(CLOCK_MONOTONIC)"
else
    now = os.clock
    clock_name = "os.clock (CPU time: no FFI)"
end
M.now = now

-- run() -> result. Returns median seconds, the 5 times, the last run's result.
function M.timed(run)
    local result
    M.reset_peak()
    for _ = 1, M.WARMUP do result = run() end
    local times = {}
    for k = 1, M.RUNS do
        collectgarbage()                 -- start each run from the same heap state
        local t0 = now()
        result = run()
        times[k] = now() - t0
    end
    local sorted = {}
    for k, v in ipairs(times) do sorted[k] = v end
    table.sort(sorted)
    local n = #sorted
    local median = n % 2 == 1 and sorted[(n + 1) / 2] or (sorted[n / 2] + sorted[n / 2 + 1]) / 2
    return median, times, result
end

local function openblas_corename()
    if not has_ffi then return nil end
    pcall(ffi.cdef, "char *openblas_get_corename(void);")
    -- the OpenBLAS linked into this process, else the system's shared one
    local ok, name = pcall(function() return ffi.string(ffi.C.openblas_get_corename()) end)
    if ok then return name end
    ok, name = pcall(function()
        return ffi.string(ffi.load("libopenblas.so.0").openblas_get_corename())
    end)
    if ok then return name end
    return nil
end

local function cpu_model()
    local f = io.open("/proc/cpuinfo")
    if not f then return nil end
    for line in f:lines() do
        local m = line:match("^model name%s*:%s*(.-)%s*$")
        if m then f:close() return m end
    end
    f:close()
    return nil
end

local function ncpu()
    local f = io.open("/proc/cpuinfo")
    if not f then return nil end
    local n = 0
    for line in f:lines() do
        if line:match("^processor%s*:") then n = n + 1 end
    end
    f:close()
    return n
end

local function loadavg()
    local f = io.open("/proc/loadavg")
    if not f then return nil end
    local l = f:read("*l")
    f:close()
    return l and l:match("^(%S+)")
end

function M.env_info(extra)
    local env = {
        loadavg = loadavg(),
        lua = jit and jit.version or _VERSION,
        cpu = cpu_model(),
        ncpu = ncpu(),
        openblas_corename = openblas_corename(),
        clock = clock_name,
    }
    for _, var in ipairs { "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OMP_WAIT_POLICY",
                           "OPENBLAS_CORETYPE", "QUICK" } do
        env[var] = os.getenv(var)
    end
    local ok, ad = pcall(require, "adlua")
    if ok and type(ad) == "table" and ad.version then env.adlua = tostring(ad.version) end
    for k, v in each(extra or {}) do env[k] = v end
    return env
end

-- Minimal JSON: numbers in the shortest text that reads back exactly.
local function json_number(v)
    if v ~= v or v == math.huge or v == -math.huge then return "null" end
    for _, fmt in ipairs { "%.15g", "%.16g", "%.17g" } do
        local s = string.format(fmt, v)
        if tonumber(s) == v then return s end
    end
    return string.format("%.17g", v)
end

local function json_string(s)
    return '"' .. s:gsub('[%c"\\]', function(c)
        if c == '"' then return '\\"' elseif c == "\\" then return "\\\\" end
        return string.format("\\u%04x", c:byte())
    end) .. '"'
end

local function encode(v, out)
    local tv = type(v)
    if tv == "nil" then out[#out + 1] = "null"
    elseif tv == "boolean" then out[#out + 1] = tostring(v)
    elseif tv == "number" then out[#out + 1] = json_number(v)
    elseif tv == "string" then out[#out + 1] = json_string(v)
    elseif tv == "table" then
        if #v > 0 or next(v) == nil then
            out[#out + 1] = "["
            for i = 1, #v do
                if i > 1 then out[#out + 1] = ", " end
                encode(v[i], out)
            end
            out[#out + 1] = "]"
        else
            local keys = {}
            for k in each(v) do keys[#keys + 1] = tostring(k) end
            table.sort(keys)
            out[#out + 1] = "{"
            for i, k in ipairs(keys) do
                if i > 1 then out[#out + 1] = ", " end
                out[#out + 1] = json_string(k) .. ": "
                encode(v[k], out)
            end
            out[#out + 1] = "}"
        end
    else
        out[#out + 1] = json_string(tostring(v))
    end
end

function M.json(v)
    local out = {}
    encode(v, out)
    return table.concat(out)
end

-- Prints the workload's one JSON line. Key order: as the protocol lists them.
function M.emit(peer, workload, seconds, iters, runs, result, env)
    local parts = {
        '"peer": ' .. M.json(peer), '"workload": ' .. M.json(workload),
        '"seconds": ' .. M.json(seconds), '"iters": ' .. M.json(iters),
        '"sec_per_iter": ' .. M.json(seconds / iters), '"runs": ' .. M.json(runs),
        '"result": ' .. M.json(result), '"env": ' .. M.json(env),
        '"peak_rss_mib": ' .. M.json(M.peak_rss_mib()),
    }
    io.stdout:write("{" .. table.concat(parts, ", ") .. "}\n")
    io.stdout:flush()
end

-- Optional first script argument: the number of iterations.
function M.int_arg(default)
    local a = arg and arg[1]
    if a == nil then return default end
    local n = tonumber(a)
    if not n or n < 1 or n % 1 ~= 0 then
        error("iterations must be a whole number >= 1, got " .. tostring(a), 0)
    end
    return n
end

-- A number from a number, a 0-d or one-element array.
function M.tonum(v)
    if type(v) == "number" then return v end
    return v:item()
end

-- Forgets the peak resident memory so far (Linux: "5" into
-- /proc/self/clear_refs), so that the peak reported is that of the timed
-- work with its inputs resident, not of loading the inputs.
function M.reset_peak()
    collectgarbage()
    collectgarbage()
    local f = io.open("/proc/self/clear_refs", "w")
    if f then f:write("5") f:close() end
end

-- Peak resident memory of this process in MiB (VmHWM from /proc/self/status).
function M.peak_rss_mib()
    local f = io.open("/proc/self/status")
    if not f then return nil end
    for line in f:lines() do
        local kb = line:match("^VmHWM:%s*(%d+)")
        if kb then f:close() return tonumber(kb) / 1024 end
    end
    f:close()
    return nil
end

-- The inputs of bench/gen_data.py: raw little-endian float64, C order, with
-- their shapes listed in DIR/data.txt. DIR: $BENCH_DATA, else build/bench/data.
-- adlua has no np.fromfile yet, so the bytes go through a Lua table into
-- np.array (a few seconds for W4's 10^7 numbers, outside every timer).
M.DATA = os.getenv("BENCH_DATA") or "build/bench/data"

local shapes
local function data_shape(name)
    if not shapes then
        shapes = {}
        local f = assert(io.open(M.DATA .. "/data.txt"), "bench: no " .. M.DATA
                         .. "/data.txt: run /usr/bin/python3 bench/gen_data.py first")
        for line in f:lines() do
            local key, rest = line:match("^(%S+)%s*(.*)$")
            if key then
                local dims = {}
                for d in rest:gmatch("%d+") do dims[#dims + 1] = tonumber(d) end
                shapes[key] = dims
            end
        end
        f:close()
    end
    return assert(shapes[name], "bench: " .. name .. " not in " .. M.DATA .. "/data.txt")
end

function M.load(name)
    local np = require "adlua.numpy"
    local shape = data_shape(name)
    local n = 1
    for _, d in ipairs(shape) do n = n * d end
    local f = assert(io.open(M.DATA .. "/" .. name .. ".f64", "rb"))
    local bytes = f:read("*a")
    f:close()
    assert(#bytes == 8 * n, "bench: " .. name .. ".f64 has the wrong size")
    assert(has_ffi and ffi.abi("le"), "bench: the loader needs LuaJIT's FFI on a little-endian CPU")
    local p = ffi.cast("const double *", bytes)
    local t = {}
    for i = 0, n - 1 do t[i + 1] = p[i] end
    local a = np.array(t)
    if #shape ~= 1 then a = np.reshape(a, shape) end
    return a
end

return M
