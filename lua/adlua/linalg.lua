-- adlua.linalg: np.linalg. The decompositions are C primitives through
-- LAPACK (core/linalg.c) with derivative rules written in traced operations
-- (core/linalg_rules.c), so derivatives of any order work; norm's orders
-- are compositions of them here. Several results are several Lua values:
--   local w, v = np.linalg.eigh(A)
--   local u, s, vt = np.linalg.svd(A, false)
--   local sign, logdet = np.linalg.slogdet(A)
-- Matrices are 2-dimensional (stacks of matrices are not supported, but
-- norm takes two axes of a stack).
-- Conventions: docs/linalg.md.
local core = require "adlua.core"
local check = require "adlua.argcheck"

local linalg = {
  inv = core.linalg_inv,
  solve = core.linalg_solve,
  det = core.linalg_det,
  slogdet = core.linalg_slogdet,
  cholesky = core.linalg_cholesky,
  svd = core.linalg_svd,
}

local inf = math.huge

--- eigh(a, UPLO): w ascending, v with the eigenvectors as columns. Reads
--- the lower triangle ("L", the default) or the upper one ("U").
function linalg.eigh(a, uplo)
  if uplo == nil or uplo == "L" then return core.linalg_eigh(a) end
  if uplo ~= "U" then
    error(("np.linalg.eigh: UPLO must be \"L\" or \"U\", got %s"):format(tostring(uplo)), 2)
  end
  return core.linalg_eigh(core.transpose(a))
end

local function ndim_of(x)
  if core.is_array(x) then return x.ndim end
  if type(x) == "number" then return 0 end
  return core.array(x).ndim
end

-- 1-based axes (or nil) to a list; nil stays nil.
local function axis_list(axis)
  if axis == nil then return nil end
  if check.is_list(axis) then return axis end
  return { axis }
end

local function fail(msg, ...)
  error("np.linalg.norm: " .. msg:format(...), 3)
end

-- Vector norms of order `ord` along one axis (or all of a 1-d array).
local function vector_norm(x, ord, axis, keepdims)
  if ord == nil or ord == 2 then
    return core.linalg_norm2(x, axis, keepdims)
  elseif ord == inf then
    return core.max(core.abs(x), axis, keepdims)
  elseif ord == -inf then
    return core.min(core.abs(x), axis, keepdims)
  elseif ord == 1 then
    return core.sum(core.abs(x), axis, keepdims)
  elseif ord == 0 then
    return core.sum(core.not_equal(x, 0), axis, keepdims)
  elseif type(ord) == "number" then
    local s = core.sum(core.power(core.abs(x), ord), axis, keepdims)
    return core.power(s, 1 / ord)
  end
  fail("invalid norm order %s for vectors", tostring(ord))
end

-- The index of axis a (1-based, negative from the end) in 1..nd.
local function norm_axis(a, nd)
  if not check.is_whole(a) then fail("axis must be a whole number, got %s", check.describe(a)) end
  local i = a < 0 and nd + a + 1 or a
  if a == 0 or i < 1 or i > nd then
    fail("axis %s is out of bounds for array of dimension %d", check.fmt(a), nd)
  end
  return i
end

-- The singular values of the matrices of x over the axes r, c (1-based,
-- distinct), in an array of shape (the other axes .., k). Axes (c, r) make
-- the transposed matrix, which has the same singular values; the matrices
-- of a stack go through svd one at a time (svd takes 2-d matrices).
local function singular_values(x, r, c)
  if x.ndim == 2 then return linalg.svd(x, false, false) end
  local perm, batch, count = {}, {}, 1
  for i = 1, x.ndim do
    if i ~= r and i ~= c then
      perm[#perm + 1], batch[#batch + 1] = i, x.shape[i]
      count = count * x.shape[i]
    end
  end
  local m, n = x.shape[r], x.shape[c]
  perm[#perm + 1], perm[#perm + 2] = r, c
  local k = math.min(m, n)
  batch[#batch + 1] = k
  if count == 0 then return core.zeros(batch, x.dtype) end
  local mats = core.reshape(core.transpose(x, perm), { count, m, n })
  local each_s = {}
  for b = 1, count do each_s[b] = linalg.svd(mats[b], false, false) end
  return core.reshape(core.stack(each_s, 1), batch)
end

-- Matrix norms over the axes r, c (1-based, distinct).
local function matrix_norm(x, ord, r, c, keepdims)
  if ord == nil or ord == "fro" then
    return core.linalg_norm2(x, { r, c }, keepdims)
  end
  local function keep(v)
    if not keepdims then return v end
    local shape = x.shape
    shape[r], shape[c] = 1, 1
    return core.reshape(v, shape)
  end
  if ord == 1 or ord == -1 or ord == inf or ord == -inf then
    -- 1: largest column sum of |x|; inf: largest row sum
    local sum_axis, other = r, c
    if ord == inf or ord == -inf then sum_axis, other = c, r end
    local sums = core.sum(core.abs(x), sum_axis)
    if other > sum_axis then other = other - 1 end
    local pick = (ord == 1 or ord == inf) and core.max or core.min
    return keep(pick(sums, other))
  end
  if ord == 2 or ord == -2 or ord == "nuc" then
    local s = singular_values(x, r, c)
    local pick = ord == 2 and core.max or ord == -2 and core.min or core.sum
    return keep(pick(s, -1))
  end
  fail("invalid norm order %s for matrices", tostring(ord))
end

--- norm(x, ord, axis, keepdims) or norm(x, {ord =, axis =, keepdims =}),
--- NumPy's meanings with 1-based axes; ord may be a number, math.huge
--- (np.inf), -math.huge, "fro" or "nuc". The gradient of the 2-norm and of
--- the Frobenius norm at 0 is 0.
function linalg.norm(x, ord, axis, keepdims)
  if type(ord) == "table" and not core.is_array(ord) then
    ord, axis, keepdims = ord.ord, ord.axis, ord.keepdims
  end
  x = check.array("np.linalg.norm", x)
  local nd = ndim_of(x)
  local axes = axis_list(axis)
  if axes == nil then
    if ord == nil then return core.linalg_norm2(x, nil, keepdims) end
    if nd == 1 then return vector_norm(x, ord, nil, keepdims) end
    if nd == 2 then return matrix_norm(x, ord, 1, 2, keepdims) end
    fail("improper number of dimensions to norm: give axis for a %d-dimensional array with ord %s",
      nd, tostring(ord))
  end
  if #axes == 1 then
    return vector_norm(x, ord, norm_axis(axes[1], nd), keepdims)
  elseif #axes == 2 then
    local r, c = norm_axis(axes[1], nd), norm_axis(axes[2], nd)
    if r == c then fail("duplicate axes given") end
    return matrix_norm(x, ord, r, c, keepdims)
  end
  fail("improper number of dimensions to norm (%d axes given)", #axes)
end

return linalg
