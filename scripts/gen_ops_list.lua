-- gen_ops_list.lua: writes docs/ops.md, every public function of np,
-- np.linalg and np.random (and ad's differentiable helpers) with how it is
-- differentiated and whether reverse and forward mode work on it.
--
--   build/adlua scripts/gen_ops_list.lua docs/ops.md      (make ops-doc)
--
-- Nothing in the table is a claim written here: the script reads the
-- primitives from core/ops.def (the single op list) and looks for each one's
-- rule in core/linalg_rules.c and core/rules.c (and forward rule in
-- core/jvp.c), then runs every function on
-- the sample arguments below and records what happened:
--   reverse  ad.grad of <u, f(x)> (u a fixed direction) is finite and agrees
--            with central finite differences along a fixed direction v;
--   forward  ad.make_jvp(f)(x)(v) is finite and <u, J v> agrees with
--            <J^T u, v> from reverse mode to 1e-8 (relative).
-- The samples only say how to call each function (inside its domain: arccosh
-- needs x > 1, cholesky a symmetric positive definite matrix, ...) and which
-- arguments to differentiate. Everything printed is text or a whole number,
-- so the output is the same on every run, under LuaJIT and Lua 5.4.
-- tests/lua/ops_list_spec.lua fails when docs/ops.md is not what this writes.
local np = require "adlua.numpy"
local each = require "adlua.each" -- pairs, safe from Debian 12's LuaJIT (docs/luajit.md)
local ad = require "adlua"
local unpack = table.unpack or unpack -- Lua 5.4 has only table.unpack

local out_path = (...) or (arg and arg[1]) or "docs/ops.md"

local FD_STEP = 1e-6 -- central differences
local FD_RTOL = 1e-5 -- reverse mode against finite differences
local FWD_RTOL = 1e-8 -- <u, J v> against <J^T u, v>

---------------------------------------------------------------------------
-- The primitives: core/ops.def, and the file holding each one's rule
---------------------------------------------------------------------------

local function read(path)
  local f = assert(io.open(path, "r"))
  local s = f:read("*a")
  f:close()
  return s
end

local rule_files = { "core/linalg_rules.c", "core/rules.c" }
local rule_text = {}
for _, path in ipairs(rule_files) do rule_text[path] = read(path) end

local function rule_file(id)
  for _, path in ipairs(rule_files) do
    if rule_text[path]:find("case ADL_OP_" .. id .. ":", 1, true) then return path end
  end
end

-- Forward rules: the cases of core/jvp.c's kind_of; the other primitives
-- transpose their reverse rule there.
local jvp_text = read("core/jvp.c")
local function has_forward_rule(id)
  return jvp_text:find("case ADL_OP_" .. id .. ":", 1, true) ~= nil
end

-- function value -> {id = "EXP", rule = "core/rules.c"}; aliases such as
-- np.amax = np.max are the same function, so they are found as well.
local primitive_of, unbound = {}, {}
for line in io.lines("core/ops.def") do
  local id, name = line:match('^ADL_OP%(([%w_]+), "([%w_.]+)"')
  if id then
    local fn
    local sub = name:match("^linalg%.(.+)$")
    if sub then fn = np.linalg[sub] else fn = np[name] end
    if type(fn) == "function" then
      primitive_of[fn] = { id = id, rule = rule_file(id), forward = has_forward_rule(id) }
    else
      unbound[#unbound + 1] = ("`%s`"):format(id)
    end
  end
end

---------------------------------------------------------------------------
-- Sample arguments
---------------------------------------------------------------------------

local A = function() return np.array({ { 0.3, 0.6, 0.15 }, { 0.45, 0.2, 0.75 } }) end
local B = function() return np.array({ { 0.55, 0.25, 0.4 }, { 0.35, 0.65, 0.1 } }) end
local r3 = function() return np.array({ 0.35, 0.7, 0.5 }) end
local q3 = function() return np.array({ 0.8, -0.3, 0.45 }) end
local C = function() return np.array({ { 0.5, -0.2 }, { 0.1, 0.9 }, { -0.4, 0.3 } }) end
-- a general, well conditioned square matrix
local S = function() return np.array({ { 2, 0.5, 0.1 }, { 0.3, 1.5, 0.4 }, { 0.2, 0.6, 1 } }) end
-- symmetric positive definite, distinct eigenvalues
local P = function() return np.array({ { 2, 0.5, 0.3 }, { 0.5, 1.5, 0.2 }, { 0.3, 0.2, 1 } }) end

local tmp_files = {}
local function tmp_path(ext)
  local p = os.tmpname()
  os.remove(p)
  tmp_files[#tmp_files + 1] = p .. ext
  return p .. ext
end

-- Samples of a function: a list of {args..., wrt = {argument numbers}}.
-- wrt defaults to the arguments that are arrays or tables of arrays (numbers
-- are often options such as an axis: a number is differentiated when listed).
-- kind: what the function is, said when it cannot be differentiated.
-- sym: tangents symmetric (eigh and cholesky read one triangle).
-- post(...): the results as a list of arrays to compare (default: all).
-- seeded: np.random is seeded before each call, so every call draws the same.
local specs = {}
local function spec(names, s)
  for name in names:gmatch("%S+") do specs[name] = s end
end

spec([[np.abs np.negative np.exp np.exp2 np.expm1 np.log np.log2 np.log10 np.log1p
  np.sqrt np.square np.reciprocal np.sin np.cos np.tan np.arcsin np.arccos np.arctan
  np.sinh np.cosh np.tanh np.arcsinh np.arctanh np.sinc np.sign np.floor np.ceil
  np.rint np.isnan np.isinf np.isfinite np.copy np.ravel np.transpose np.sort
  np.argsort np.flip np.diag np.trace]], { samples = { { A } } })
spec("np.arccosh", { samples = { { function() return A() + 1.5 end } } })
-- decimals = 1: values away from the halfway points
spec("np.round np.around", { samples = { { A }, { function() return A() + 0.02 end, 1 } } })
spec([[np.add np.subtract np.multiply np.divide np.true_divide np.power np.maximum
  np.minimum np.arctan2 np.hypot np.logaddexp np.mod np.remainder np.equal np.not_equal
  np.less np.less_equal np.greater np.greater_equal]], { samples = { { A, B }, { A, r3 } } })
spec([[np.sum np.mean np.prod np.max np.min np.amax np.amin np.var np.std np.logsumexp
  np.all np.any np.argmax np.argmin np.cumsum]], { samples = { { A }, { A, 2 } } })
spec("np.where", { samples = { { function() return np.greater(A(), 0.4) end, A, B, wrt = { 2, 3 } } } })
spec("np.clip", { samples = { { A, 0.25, 0.5, wrt = { 1, 2, 3 } } } })
spec("np.dot np.matmul", { samples = { { A, C }, { r3, q3 } } })
spec("np.inner", { samples = { { A, B } } })
spec("np.isclose", { samples = { { A, B } } })
spec("np.outer", { samples = { { r3, q3 } } })
spec("np.tensordot", { samples = { { A, C, 1 } } })
spec("np.einsum", { samples = { { "ij,jk->ik", A, C, wrt = { 2, 3 } } } })
spec("np.reshape", { samples = { { A, { 3, 2 } } } })
spec("np.broadcast_to", { samples = { { r3, { 2, 3 } } } })
spec("np.expand_dims", { samples = { { A, 1 } } })
spec("np.squeeze", { samples = { { function() return np.reshape(A(), { 1, 6 }) end } } })
spec("np.swapaxes", { samples = { { A, 1, 2 } } })
spec("np.moveaxis", { samples = { { A, 1, -1 } } })
spec("np.concatenate", { samples = { { function() return { A(), B() } end, 2 } } })
spec("np.stack np.vstack np.hstack", { samples = { { function() return { A(), B() } end } } })
spec("np.split", { samples = { { A, 3, 2 } } })
spec("np.tile", { samples = { { A, { 2, 1 } } } })
spec("np.repeat", { samples = { { A, 2, 2 } } })
spec("np.roll", { samples = { { A, 1, 2 } } })
spec("np.take", { samples = { { A, function() return np.array({ 3, 1, 3 }) end, 2, wrt = { 1 } } } })
spec("np.index_update np.index_add", { samples = { { A, 2, r3, wrt = { 1, 3 } } } })
spec("np.tril np.triu", { samples = { { S }, { S, -1 } } })
spec("np.nonzero", { samples = { { function() return A() - 0.4 end } } })
spec("np.meshgrid", { samples = { { r3, function() return np.array({ 0.2, 0.9 }) end } } })
spec("np.asarray", { samples = { { A } } })
-- a float64 sample: finite differences in float32 are too coarse for this table
spec("np.astype", { samples = { { A, "float64", wrt = { 1 } } } })
spec("np.allclose np.array_equal", { kind = "comparison with a boolean result", samples = { { A, B } } })
-- np.array of an array, and of a table holding traced values, is differentiable
spec("np.array", { samples = { { A }, { function() return { r3(), q3() } end },
  { function() return { { 0.3, 0.6 }, { 0.45, 0.2 } } end } } })
-- creation: the values of the result do not depend on an array argument
spec("np.zeros np.ones np.empty", { kind = "creation", samples = { { { 2, 3 }, wrt = {} } } })
spec("np.full", { kind = "creation", samples = { { { 2, 3 }, 0.7, wrt = { 2 } } } })
spec("np.zeros_like np.ones_like", { kind = "creation", samples = { { A } } })
spec("np.full_like", { kind = "creation", samples = { { A, 0.7, wrt = { 1, 2 } } } })
spec("np.arange", { kind = "creation", samples = { { 0.2, 1.4, 0.25, wrt = { 1, 2, 3 } } } })
spec("np.linspace", { kind = "creation", samples = { { 0.2, 1.4, 4, wrt = { 1, 2 } } } })
spec("np.eye np.identity np.tri", { kind = "creation", samples = { { 3, wrt = {} } } })
spec("np.set_printoptions", { kind = "print settings", samples = { { {}, wrt = {} } } })
-- files
spec("np.save", { kind = "files", samples = { { function() return tmp_path(".npy") end, A, wrt = { 2 } } } })
spec("np.savetxt", { kind = "files", samples = { { function() return tmp_path(".txt") end, A, wrt = { 2 } } } })
spec("np.savez", { kind = "files", samples = { { function() return tmp_path(".npz") end,
  function() return { a = A() } end, wrt = { 2 } } } })
spec("np.load", { kind = "files", samples = { { function()
  local p = tmp_path(".npy")
  np.save(p, A())
  return p
end, wrt = {} } } })
spec("np.loadtxt", { kind = "files", samples = { { function()
  local p = tmp_path(".txt")
  np.savetxt(p, A())
  return p
end, wrt = {} } } })
-- np.linalg
spec("np.linalg.inv np.linalg.det np.linalg.slogdet", { samples = { { S } } })
spec("np.linalg.solve", { samples = { { S, r3 }, { S, C } } })
spec("np.linalg.cholesky", { sym = true, samples = { { P } } })
spec("np.linalg.eigh", { sym = true, samples = { { P } },
  -- eigenvectors are defined up to their sign: compare w and v^2
  post = function(w, v) return { w, v * v } end })
spec("np.linalg.svd", { samples = { { S } },
  post = function(u, s, vt) return { u * u, s, vt * vt } end })
spec("np.linalg.norm", { samples = { { r3 }, { A }, { A, 1 }, { A, nil, 2 } } })
-- np.random: the draws are the same for every call (seeded)
spec("np.random.seed", { kind = "random", samples = { { 5, wrt = {} } } })
spec("np.random.rand np.random.randn", { kind = "random", seeded = true, samples = { { 2, 3, wrt = {} } } })
spec("np.random.normal np.random.uniform", { kind = "random", seeded = true,
  samples = { { 0.3, 1.7, { 4 }, wrt = { 1, 2 } }, { r3, 0.4, wrt = { 1, 2 } } } })
spec("np.random.randint", { kind = "random", seeded = true, samples = { { 0, 10, { 4 }, wrt = {} } } })
spec("np.random.permutation np.random.shuffle", { kind = "random", seeded = true, samples = { { A } } })
spec("np.random.choice", { kind = "random", seeded = true, samples = { { r3, 2 } } })
-- ad
spec("ad.flatten", { samples = { { function() return { w = A(), b = r3() } end } },
  post = function(vec) return { vec } end })

---------------------------------------------------------------------------
-- Running a function on its samples
---------------------------------------------------------------------------

local is_array = function(x)
  local tx = type(x)
  if tx ~= "userdata" and tx ~= "table" and tx ~= "cdata" then return false end
  local ok, s = pcall(function() return x.shape end)
  return ok and type(s) == "table"
end

local function is_tree_of_arrays(x)
  if type(x) ~= "table" or is_array(x) then return false end
  local any = false
  for _, v in each(x) do
    if not is_array(v) then return false end
    any = true
  end
  return any
end

-- A fixed direction with n entries, none zero, of both signs.
local function pattern(n, salt)
  local t = {}
  for i = 1, n do
    t[i] = (1 + (i * 7 + salt * 3) % 5) / 4 * ((i + salt) % 2 == 0 and 1 or -1)
  end
  return t
end

local function direction_like(x, salt, sym)
  if type(x) == "number" then return pattern(1, salt)[1] end
  local shape = x.shape
  local n = 1
  for _, d in ipairs(shape) do n = n * d end
  if #shape == 0 then return np.array(pattern(1, salt)[1]) end
  local v = np.reshape(np.array(pattern(n, salt)), shape)
  if sym then v = v + np.transpose(v) end
  return v
end

local function plain(x)
  if type(x) == "number" then return x end
  return ad.value(x)
end

-- <a, b> as a Lua number, for plain arrays or numbers.
local function inner(a, b)
  if type(a) == "number" and type(b) == "number" then return a * b end
  return plain(np.sum(np.multiply(a, b)))
end

local function finite(x)
  if type(x) == "number" then return x == x and x > -math.huge and x < math.huge end
  return plain(np.all(np.isfinite(x))) ~= 0
end

local function is_zero(x)
  if type(x) == "number" then return x == 0 end
  return plain(np.sum(np.abs(x))) == 0
end

local function close(a, b, rtol, atol)
  return math.abs(a - b) <= rtol * (math.abs(a) + math.abs(b)) + atol
end

-- The results of a call as one array or number (several results, or a
-- list of arrays, are laid end to end); nil when a result is something else.
local function as_output(post, ...)
  local res
  if post then
    res = post(...)
  else
    res = { n = select("#", ...), ... }
    if res.n == 1 and not is_array(res[1]) and type(res[1]) == "table" then res = res[1] end
  end
  local items = {}
  for i = 1, res.n or #res do
    local r = res[i]
    if is_array(r) or type(r) == "number" then
      items[#items + 1] = r
    elseif type(r) == "table" and #r > 0 then
      for _, e in ipairs(r) do
        if not (is_array(e) or type(e) == "number") then return nil end
        items[#items + 1] = e
      end
    else
      return nil
    end
  end
  if #items == 0 then return nil end
  if #items == 1 then return items[1] end
  for i, e in ipairs(items) do items[i] = np.reshape(np.asarray(e), { -1 }) end
  return np.concatenate(items)
end

-- Outcome of differentiating f with respect to argument k of one sample,
-- {rev = ..., fwd = ...}, each one of: ok, zero (both agree with the finite
-- differences), error, nonfinite, cut (zero where the finite differences are
-- not), wrong (differs from them), differs (forward only: from reverse mode),
-- nofd (the finite differences themselves fail on the sample).
local function check_arg(f, args, n, k, s)
  local x = args[k]
  local g = f
  if is_tree_of_arrays(x) then
    -- differentiate with respect to the flat vector of the table's leaves
    local vec, unflatten = ad.flatten(x)
    g = function(...)
      local a = { ... }
      a[k] = unflatten(a[k])
      return f(unpack(a, 1, n))
    end
    x = vec
    args = { unpack(args, 1, n) }
    args[k] = x
  end
  local y = g(unpack(args, 1, n))
  local u = direction_like(y, 1)
  local v = direction_like(x, 2, s.sym)
  local function at(xk)
    local a = { unpack(args, 1, n) }
    a[k] = xk
    return a
  end
  local function loss(...) return np.sum(np.multiply(u, g(...))) end
  local okd, fd = pcall(function()
    return (plain(loss(unpack(at(x + FD_STEP * v), 1, n)))
      - plain(loss(unpack(at(x - FD_STEP * v), 1, n)))) / (2 * FD_STEP)
  end)
  if not okd then return { rev = "nofd", fwd = "nofd" } end

  -- a directional derivative d (and the derivative itself, t) against the
  -- finite differences
  local function judge(d, t)
    if not close(d, fd, FD_RTOL, 1e-9) then return is_zero(t) and "cut" or "wrong" end
    return is_zero(t) and "zero" or "ok"
  end

  local r = {}
  local ok, gx = pcall(function() return ad.grad(loss, k)(unpack(args, 1, n)) end)
  local gv
  if not ok or gx == nil then
    r.rev = "error"
  elseif not finite(gx) then
    r.rev = "nonfinite"
  else
    gv = inner(gx, v)
    r.rev = judge(gv, gx)
  end

  local okf, _, jv = pcall(function() return ad.make_jvp(g, k)(unpack(args, 1, n))(v) end)
  if not okf or jv == nil then
    r.fwd = "error"
  elseif not finite(jv) then
    r.fwd = "nonfinite"
  else
    local ujv = inner(u, jv)
    if gv and not close(ujv, gv, FWD_RTOL, 1e-14) then
      r.fwd = "differs"
    else
      r.fwd = judge(ujv, jv)
    end
  end
  return r
end

local function materialize(sample)
  local args, n = {}, 0
  for i, a in each(sample) do
    if type(i) == "number" then
      if i > n then n = i end
      if type(a) == "function" then a = a() end
      args[i] = a
    end
  end
  return args, n
end

local function default_wrt(args, n)
  local wrt = {}
  for i = 1, n do
    local a = args[i]
    if is_array(a) or is_tree_of_arrays(a) then wrt[#wrt + 1] = i end
  end
  return wrt
end

-- Worst outcome first.
local rank = { nocall = 0, nofd = 0, error = 1, nonfinite = 2, cut = 3, wrong = 4, differs = 5, zero = 6, ok = 7 }

-- {call = true|false, output = true|false, rev = ..., fwd = ..., nonzero = bool}
local function run(fn, s)
  local f = fn
  if s.seeded then
    f = function(...)
      np.random.seed(7)
      return fn(...)
    end
  end
  local res = { call = true, output = true, rev = nil, fwd = nil, nonzero = false }
  local function worse(field, v)
    if res[field] == nil or rank[v] < rank[res[field]] then res[field] = v end
  end
  for _, sample in ipairs(s.samples) do
    local args, n = materialize(sample)
    local post = s.post
    local h = function(...) return as_output(post, f(...)) end
    local ok, y = pcall(h, unpack(args, 1, n))
    if not ok then
      res.call = false
      worse("rev", "nocall")
      worse("fwd", "nocall")
    elseif y == nil then
      res.output = false
    else
      for _, k in ipairs(sample.wrt or default_wrt(args, n)) do
        local okc, r = pcall(check_arg, h, args, n, k, s)
        if not okc then r = { rev = "error", fwd = "error" } end
        if r.rev == "ok" then res.nonzero = true end
        worse("rev", r.rev)
        worse("fwd", r.fwd)
      end
    end
  end
  return res
end

---------------------------------------------------------------------------
-- The table
---------------------------------------------------------------------------

local rows = {}
local function add_rows(prefix, tbl, only)
  local names = {}
  for name, v in each(tbl) do
    if type(v) == "function" and (not only or only[name]) then names[#names + 1] = name end
  end
  table.sort(names)
  for _, name in ipairs(names) do rows[#rows + 1] = { name = prefix .. name, fn = tbl[name] } end
end
add_rows("np.", np)
add_rows("np.linalg.", np.linalg)
add_rows("np.random.", np.random)
add_rows("ad.", ad, { flatten = true })

local no_samples = { samples = {} }
-- What a mode's outcome reads as; a function that is not differentiable
-- is expected to raise an error, so that is no failure there.
local function mode_text(outcome, differentiable)
  if outcome == nil then return "—" end
  if outcome == "ok" then return "yes" end
  if outcome == "zero" then return "yes (zero)" end
  if outcome == "error" and not differentiable then return "no (error)" end
  return "**fails** (" .. ({
    nocall = "a sample call raises an error",
    nofd = "finite differences fail on the sample",
    error = "error",
    nonfinite = "not finite",
    cut = "zero, but finite differences are not",
    wrong = "differs from finite differences",
    differs = "differs from reverse mode",
  })[outcome] .. ")"
end
local function is_failure(outcome, differentiable)
  if outcome == nil or outcome == "ok" or outcome == "zero" then return false end
  return differentiable or outcome ~= "error"
end

local categories = { "primitive", "composition", "constant", "not differentiable" }
local counts, failing, unsampled = {}, {}, {}
local lines = {
  "# Functions and their derivatives",
  "",
  "Generated by `scripts/gen_ops_list.lua` (`make ops-doc`); do not edit by hand",
  "(`make test` checks that it is up to date). Every public function of `np`,",
  "`np.linalg` and `np.random`, and `ad.flatten`, one row each. The columns",
  "come from running the functions on sample arguments (in the script):",
  "",
  "- **how**: *primitive*: an operation of `core/ops.def` (the single op list),",
  "  whose reverse rule, written with traced operations, is in the file named,",
  "  and whose forward rule is in `core/jvp.c` (*forward: transposed*: forward",
  "  mode transposes the reverse rule of that one operation);",
  "  *composition*: differentiated through the primitives it calls;",
  "  *constant*: the derivative is zero (`ad.grad` gives zeros, and so do",
  "  finite differences); *not differentiable*: `ad.grad` raises an error, or",
  "  there is no array or number argument, or no array result, to",
  "  differentiate (creation, random draws, files, settings, comparisons with",
  "  a boolean result). What is differentiable is so to any order.",
  "- **reverse**: `ad.grad` of `<u, f(x)>`, for a fixed direction `u`, is finite",
  "  and agrees with central finite differences along a fixed direction `v`,",
  "  for every differentiated argument of every sample; *yes (zero)*: the",
  "  gradient is zero and so are the finite differences.",
  "- **forward**: `ad.make_jvp(f)(x)(v)` gives `J v` with `<u, J v>` equal to",
  "  `<J^T u, v>` from reverse mode to 1e-8 (relative), and to the finite",
  "  differences ([operators.md](operators.md) says how forward mode works).",
  "",
  "*—*: nothing was differentiated (no argument to differentiate, or no array",
  "result). *no (error)*: `ad.grad` or `ad.make_jvp` raises an error, as it",
  "should for a function that is not differentiable.",
  "",
  "| function | how | reverse | forward |",
  "|---|---|---|---|",
}
for _, row in ipairs(rows) do
  local s = specs[row.name] or no_samples
  if #s.samples == 0 then unsampled[#unsampled + 1] = ("`%s`"):format(row.name) end
  local res = run(row.fn, s)
  local prim = primitive_of[row.fn]
  local how, category
  if prim then
    category = "primitive"
    how = ("primitive `%s`, rule in %s, %s"):format(prim.id, prim.rule or "**no rule found**",
      prim.forward and "forward rule in core/jvp.c" or "forward: transposed")
  elseif res.rev == "ok" or res.nonzero then
    category, how = "composition", "composition of primitives"
  elseif res.rev == "zero" then
    category, how = "constant", "constant (zero derivative)"
  else
    category = "not differentiable"
    local why = s.kind
    if #s.samples == 0 then
      why = "no samples in the script"
    elseif not res.call then
      why = "the sample call fails"
    elseif not why and res.rev then
      why = "ad.grad fails"
    end
    how = ("not differentiable (%s)"):format(why or "no array result")
  end
  counts[category] = (counts[category] or 0) + 1
  local differentiable = category ~= "not differentiable"
  if (prim and res.rev ~= "ok") or is_failure(res.rev, differentiable)
    or is_failure(res.fwd, differentiable) then
    failing[#failing + 1] = ("`%s`"):format(row.name)
  end
  lines[#lines + 1] = ("| `%s` | %s | %s | %s |"):format(row.name, how,
    mode_text(res.rev, differentiable), mode_text(res.fwd, differentiable))
end

local summary = {}
for _, c in ipairs(categories) do summary[#summary + 1] = ("%s %d"):format(c, counts[c] or 0) end
lines[#lines + 1] = ""
lines[#lines + 1] = ("%d functions: %s."):format(#rows, table.concat(summary, ", "))
lines[#lines + 1] = ""
lines[#lines + 1] = #failing == 0 and "Failing: none."
  or ("Failing (%d): %s."):format(#failing, table.concat(failing, ", "))
lines[#lines + 1] = ""
lines[#lines + 1] = ("Operations of core/ops.def that are no function of np or np.linalg: %s."):format(
  table.concat(unbound, ", "))
if #unsampled > 0 then
  lines[#lines + 1] = ""
  lines[#lines + 1] = ("Without samples in the script (%d): %s."):format(#unsampled,
    table.concat(unsampled, ", "))
end

for _, p in ipairs(tmp_files) do os.remove(p) end
np.random.seed(0) -- as at start: the samples drew from np.random

local f = assert(io.open(out_path, "w"))
f:write(table.concat(lines, "\n"), "\n")
f:close()
