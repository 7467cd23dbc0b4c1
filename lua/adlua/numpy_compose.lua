-- adlua.numpy_compose: NumPy functions written as compositions of the traced
-- primitives (issue 3, core NumPy breadth). Being compositions, they are
-- differentiable to any order without rules of their own; the comparisons,
-- positions and 0/1 tests among them are constants, as in autograd.
local check = require "adlua.argcheck"

return function(np, core)
  local is_array = core.is_array
  local unpack = table.unpack or unpack -- Lua 5.4 has only table.unpack

  local function shape_of(x)
    if is_array(x) then return x.shape end
    if type(x) == "number" then return {} end
    return np.asarray(x).shape
  end

  local function ndim_of(x) return #shape_of(x) end

  -- elementwise ------------------------------------------------------------
  function np.reciprocal(x) return np.divide(1, x) end
  --- clip(x, lo, hi): minimum(maximum(x, lo), hi); nil bounds are open.
  function np.clip(x, lo, hi)
    if lo ~= nil then x = np.maximum(x, lo) end
    if hi ~= nil then x = np.minimum(x, hi) end
    return x
  end
  -- m + log1p(exp(a - m) + exp(b - m) - 1) with m = max(a, b) a constant
  -- (the identity holds for any m, so holding it constant changes no
  -- derivative): no overflow, and smooth at a == b, where each side gets
  -- 1/2 and the second derivative is 1/4 (max(a, b) + log1p(exp(-|a - b|))
  -- has the same value but a second derivative of 0 there, from |.|'s kink).
  -- exp(x - m) - 1 is written expm1 on the larger side, which is exact
  -- (expm1(0) = 0), so the sum is exp(-|a - b|) to the last bit, as in
  -- NumPy. An infinite max shifts by 0, as logsumexp does.
  function np.logaddexp(a, b)
    local m = np.maximum(core.value(a), core.value(b))
    m = np.where(np.isfinite(m), m, 0)
    local da, db = np.subtract(a, m), np.subtract(b, m)
    local s = np.where(np.greater_equal(core.value(a), core.value(b)),
      np.add(np.expm1(da), np.exp(db)), np.add(np.exp(da), np.expm1(db)))
    return np.add(m, np.log1p(s))
  end

  -- rounding: constants, as in autograd.
  -- NumPy's power_of_ten (numpy/core/src/multiarray/calculation.c): a table
  -- up to 1e8, then repeated multiplication by 10, which from 10^23 on can
  -- differ from Lua's 10^n; rounding must scale by NumPy's double.
  local P10 = { [0] = 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8 }
  local function power_of_ten(n)
    if n < 9 then return P10[n] end
    local r = 1e9
    for _ = 10, n do
      r = r * 10
      if r == math.huge then break end
    end
    return r
  end
  local round_sig = check.signature { "a", "decimals", first = 2 }
  --- round(x, decimals): half to even, as NumPy's: rint(x * 10^d) / 10^d
  -- for d >= 0, rint(x / 10^-d) * 10^-d for d < 0, so the same doubles.
  function np.round(x, decimals, ...)
    if check.is_list(decimals) or select("#", ...) > 0 then
      decimals = round_sig("np.round", 2, x, decimals, ...)[2]
    end
    decimals = decimals or 0
    check.whole("np.round", "decimals", decimals)
    if decimals == 0 then return np.rint(x) end
    x = core.value(check.array("np.round", x))
    if decimals > 0 then
      local f = power_of_ten(decimals)
      return np.divide(np.rint(np.multiply(x, f)), f)
    end
    local f = power_of_ten(-decimals)
    return np.multiply(np.rint(np.divide(x, f)), f)
  end
  np.around = np.round
  -- np.mod and np.hypot are primitives (core/rules.c)
  np.remainder = np.mod
  --- sinc(x): sin(pi x) / (pi x), 1 at 0 (where the gradient is 0).
  function np.sinc(x)
    local zero = np.equal(x, 0)
    local t = np.where(zero, 1, np.multiply(x, math.pi))
    return np.where(zero, 1, np.divide(np.sin(t), t))
  end

  -- tests ---------------------------------------------------------------------
  function np.isnan(x) return np.not_equal(x, x) end
  function np.isinf(x) return np.equal(np.abs(x), math.huge) end
  function np.isfinite(x) return np.less(np.abs(x), math.huge) end

  -- reductions ----------------------------------------------------------------
  -- (x, axis, keepdims) by position, or any of them by name in a trailing
  -- options table: np.prod(x, {axis = 2, keepdims = true}).
  local reduction_sig = check.signature { "x", "axis", "keepdims", first = 2 }

  -- The reduced axes of an nd-dimensional array (axis: one or a table of
  -- them), checked and named fname: a list of 1-based axes, or nil for all.
  -- level: as seen by the caller.
  local function reduced_axes(fname, axis, nd, level)
    if axis == nil then return nil end
    local given = axis
    if type(axis) ~= "table" or is_array(axis) then
      if type(axis) ~= "number" then
        error(("%s: axis must be a whole number or a table of them, got %s")
          :format(fname, check.describe(axis)), level + 1)
      end
      given = { axis }
    end
    local axes, seen = {}, {}
    for i = 1, #given do
      local a = check.axis(fname, given[i], nd, level + 1)
      if seen[a] then
        error(("%s: duplicate value in 'axis' (%s)"):format(fname, check.fmt(given[i])), level + 1)
      end
      seen[a], axes[i] = true, a
    end
    return axes
  end

  -- How many values each result of a reduction over axes (nil: all) sums up.
  local function reduced_count(shape, axes)
    local n = 1
    if axes == nil then
      for _, d in ipairs(shape) do n = n * d end
    else
      for _, a in ipairs(axes) do n = n * shape[a] end
    end
    return n
  end

  -- The shape of a reduction's result: without the reduced axes, or with
  -- length 1 there (keepdims).
  local function reduced_shape(shape, axes, keepdims)
    local gone, out = {}, {}
    for _, a in ipairs(axes or {}) do gone[a] = true end
    for i, d in ipairs(shape) do
      if axes == nil or gone[i] then
        if keepdims then out[#out + 1] = 1 end
      else
        out[#out + 1] = d
      end
    end
    return out
  end

  -- x, axes (checked) and keepdims of a reduction's arguments.
  local function reduction_args(fname, level, ...)
    local a = reduction_sig(fname, level + 1, ...)
    local x = check.array(fname, a[1], level + 1)
    local shape = shape_of(x)
    return x, shape, reduced_axes(fname, a[2], #shape, level + 1), a[3]
  end

  -- any and all count the values that pass a test: a sum has an identity,
  -- so empty arrays give NumPy's answers (any: 0, all: 1).
  --- any(x, axis, keepdims): 1 where some element along the axis is nonzero.
  function np.any(...)
    local x, _, axes, keepdims = reduction_args("np.any", 2, ...)
    return np.greater(np.sum(np.not_equal(x, 0), axes, keepdims), 0)
  end
  --- all(x, axis, keepdims): 1 where every element along the axis is nonzero.
  function np.all(...)
    local x, _, axes, keepdims = reduction_args("np.all", 2, ...)
    return np.equal(np.sum(np.equal(x, 0), axes, keepdims), 0)
  end

  local var_sig = check.signature { "x", "axis", "keepdims", "ddof", first = 2 }
  -- var(x, axis, keepdims, ddof), named fname (level: as seen by the caller).
  local function variance(fname, level, ...)
    local a = var_sig(fname, level + 1, ...)
    local ddof = a[4]
    if ddof ~= nil and type(ddof) ~= "number" then
      error(("%s: ddof must be a number, got %s"):format(fname, check.describe(ddof)), level + 1)
    end
    local x = check.array(fname, a[1], level + 1)
    local shape = shape_of(x)
    local axes = reduced_axes(fname, a[2], #shape, level + 1)
    local d = np.subtract(x, np.mean(x, axes, true))
    -- NumPy divides by max(n - ddof, 0): inf (nan for no spread) when ddof >= n
    local n = math.max(reduced_count(shape, axes) - (ddof or 0), 0)
    return np.divide(np.sum(np.square(d), axes, a[3]), n)
  end
  --- var(x, axis, keepdims, ddof): mean squared deviation (divided by n - ddof).
  function np.var(...) return (variance("np.var", 2, ...)) end
  --- std(x, axis, keepdims, ddof): sqrt of var (gradient infinite at zero spread).
  function np.std(...) return np.sqrt(variance("np.std", 2, ...)) end

  --- logsumexp(x, axis, keepdims): log(sum(exp(x))) without overflow.
  function np.logsumexp(...)
    local x, shape, axes, keepdims = reduction_args("np.logsumexp", 2, ...)
    local m = 0
    -- an empty sum is log(0) = -inf (as in SciPy), with no max to shift by
    if reduced_count(shape, axes) > 0 then
      m = np.max(x, axes, true)
      -- An infinite max would give inf - inf; shift by 0 there instead.
      m = np.where(np.isfinite(m), m, 0)
    end
    local r = np.add(np.log(np.sum(np.exp(np.subtract(x, m)), axes, true)), m)
    if keepdims then return r end
    return np.reshape(r, reduced_shape(shape, axes, false))
  end

  -- Moves 1-based `axis` of x to the end; returns the moved array and the
  -- permutation that undoes it (level: as seen by the caller).
  local function axis_to_end(x, axis, fname, level)
    local nd = ndim_of(x)
    local a = check.axis(fname, axis, nd, level + 1)
    local perm, inverse = {}, {}
    for i = 1, nd do if i ~= a then perm[#perm + 1] = i end end
    perm[#perm + 1] = a
    for i, p in ipairs(perm) do inverse[p] = i end
    return np.transpose(x, perm), inverse, a
  end

  -- The product along the last axis of m (of shape lead..., n): halves
  -- multiplied pairwise, about log2(n) traced operations, with exact
  -- gradients at zeros (no division).
  local function prod_last(m, lead, n, dtype)
    if n == 0 then return np.ones(lead, dtype) end
    local last = #lead + 1
    local function part(from, to)
      local key = {}
      for i = 1, #lead do key[i] = {} end
      key[last] = { from, to }
      return m[key]
    end
    while n > 1 do
      local h = math.floor(n / 2)
      local r = np.multiply(part(1, h), part(h + 1, 2 * h))
      if n % 2 == 1 then r = np.concatenate({ r, part(n, n) }, last) end
      m, n = r, n - h
    end
    return np.reshape(m, lead)
  end

  --- prod(x, axis, keepdims): product along an axis or a table of them (all
  -- elements by default).
  function np.prod(...)
    local x, shape, axes, keepdims = reduction_args("np.prod", 2, ...)
    local nd = #shape
    if nd == 0 then return x end
    -- the reduced axes moved to the end and flattened into one of length n
    local reduced, perm, lead, n = {}, {}, {}, 1
    for _, a in ipairs(axes or {}) do reduced[a] = true end
    for i = 1, nd do
      if axes and not reduced[i] then perm[#perm + 1] = i; lead[#lead + 1] = shape[i] end
    end
    for i = 1, nd do
      if not axes or reduced[i] then perm[#perm + 1] = i; n = n * shape[i] end
    end
    local flat = { unpack(lead) }
    flat[#lead + 1] = n
    local r = prod_last(np.reshape(np.transpose(x, perm), flat), lead, n, x.dtype)
    if keepdims then return np.reshape(r, reduced_shape(shape, axes, true)) end
    return r
  end

  -- tri's matrix of 0/1 (of dtype, nil: float64), its arguments checked
  -- (level: as seen by the caller).
  local function tri(fname, n, m, k, dtype, level)
    check.whole(fname, "N", n, 0, nil, level + 1)
    check.whole(fname, "M", m, 0, nil, level + 1)
    check.whole(fname, "k", k, nil, nil, level + 1)
    check.shape(fname, "the shape", { n, m }, level + 1)
    if n == 0 or m == 0 then return np.zeros({ n, m }, dtype) end
    -- k beyond the matrix gives the same as k at its edge (and stays exact)
    k = math.max(math.min(k, m), -n)
    local r = check.renamed(fname, level + 1, function()
      local rows = np.reshape(np.add(np.arange(n), k), { n, 1 })
      return np.greater_equal(rows, np.reshape(np.arange(m), { 1, m }))
    end)
    if dtype == "float32" then r = core.astype(r, dtype) end
    return r
  end

  -- Running sums along the rows of m (rows x n): a product with a
  -- triangular matrix of ones, block by block beyond CUMSUM_BLOCK columns
  -- (each block then adds the sums of the blocks before it), so that the
  -- matrix stays small however long the rows are.
  local CUMSUM_BLOCK = 256
  local function cumsum_rows(m, rows, n, dtype)
    if n <= CUMSUM_BLOCK then return np.dot(m, np.transpose(tri("np.cumsum", n, n, 0, dtype, 2))) end
    local b = CUMSUM_BLOCK
    local nb = math.ceil(n / b)
    if nb * b > n then m = np.concatenate({ m, np.zeros({ rows, nb * b - n }, dtype) }, 2) end
    local upper = np.transpose(tri("np.cumsum", b, b, 0, dtype, 2))
    local within = np.reshape(np.dot(np.reshape(m, { rows * nb, b }), upper), { rows, nb, b })
    local before = cumsum_rows(within[{ {}, { 1, nb - 1 }, b }], rows, nb - 1, dtype)
    local offsets = np.concatenate({ np.zeros({ rows, 1 }, dtype), before }, 2)
    local r = np.reshape(np.add(within, np.reshape(offsets, { rows, nb, 1 })), { rows, nb * b })
    if nb * b > n then r = r[{ {}, { 1, n } }] end
    return r
  end

  local cumsum_sig = check.signature { "x", "axis", "dtype", first = 2 }
  --- cumsum(x, axis, dtype): running sums along an axis (of the flattened
  -- array by default).
  function np.cumsum(...)
    local a = cumsum_sig("np.cumsum", 2, ...)
    local x, axis = check.array("np.cumsum", a[1]), a[2]
    local dtype = check.dtype("np.cumsum", a[3])
    if axis == nil then x, axis = np.ravel(x), 1 end
    local shape = shape_of(x)
    local ax = check.axis("np.cumsum", axis, #shape)
    if dtype and dtype ~= x.dtype then x = core.astype(x, dtype) end
    -- the axis moved last, the others flattened into rows
    local n, rows = shape[ax], 1
    for i, d in ipairs(shape) do if i ~= ax then rows = rows * d end end
    if n * rows == 0 then return np.copy(x) end
    local moved = np.moveaxis(x, ax, -1)
    local r = cumsum_rows(np.reshape(moved, { rows, n }), rows, n, x.dtype)
    return np.moveaxis(np.reshape(r, shape_of(moved)), -1, ax)
  end

  -- First 1-based position of the extreme value along an axis (level: as
  -- seen by the caller).
  local function arg_extreme(fname, reduce, level, ...)
    local a = reduction_sig(fname, level + 1, ...)
    local x, axis, keepdims = check.array(fname, a[1], level + 1), a[2], a[3]
    if axis == nil then
      x = np.ravel(x); axis = 1
    end
    local moved, inverse = axis_to_end(x, axis, fname, level + 1)
    local ms = moved.shape
    local n = ms[#ms]
    if n == 0 then error(fname .. ": attempt to get " .. fname:sub(4) .. " of an empty sequence", level + 1) end
    local extreme = reduce(moved, #ms, true)
    local positions = np.add(np.arange(n), 1)
    -- A NaN counts as the extreme, as in NumPy.
    local hit = np.add(np.equal(moved, extreme), np.isnan(moved))
    local r = np.min(np.where(hit, positions, math.huge), #ms, true)
    r = np.transpose(r, inverse)
    if keepdims then return r end
    return np.squeeze(r, axis)
  end
  function np.argmax(...) return (arg_extreme("np.argmax", np.max, 2, ...)) end
  function np.argmin(...) return (arg_extreme("np.argmin", np.min, 2, ...)) end

  -- NumPy's isclose: |a - b| <= atol + rtol * |b| where both are finite;
  -- elsewhere equal values (an infinity is close to the same infinity
  -- only); NaN to NaN only with equal_nan. A constant (0/1), of the shape
  -- a and b broadcast to (level: as seen by the caller).
  local close_sig = check.signature { "a", "b", "rtol", "atol", "equal_nan", first = 3 }
  local function isclose(fname, level, ...)
    local args = close_sig(fname, level + 1, ...)
    local a = core.value(check.array(fname, args[1], level + 1))
    local b = core.value(check.array(fname, args[2], level + 1))
    local tol = { rtol = args[3] or 1e-5, atol = args[4] or 1e-8 }
    for _, name in ipairs({ "rtol", "atol" }) do
      local t = tol[name]
      if type(t) ~= "number" then
        if type(t) ~= "table" then
          error(("%s: %s must be a number or an array, got %s"):format(fname, name, check.describe(t)), level + 1)
        end
        tol[name] = core.value(check.array(fname, t, level + 1))
      end
    end
    local equal_nan = args[5]
    if equal_nan ~= nil and type(equal_nan) ~= "boolean" then
      error(("%s: equal_nan must be a boolean, got %s"):format(fname, check.describe(equal_nan)), level + 1)
    end
    return (check.renamed(fname, level + 1, function()
      local finite = np.multiply(np.isfinite(a), np.isfinite(b))
      local within = np.less_equal(np.abs(np.subtract(a, b)),
        np.add(tol.atol, np.multiply(tol.rtol, np.abs(b))))
      local r = np.where(finite, within, np.equal(a, b))
      if equal_nan then r = np.maximum(r, np.multiply(np.isnan(a), np.isnan(b))) end
      return r
    end))
  end
  --- isclose(a, b, rtol, atol, equal_nan): 1 where a and b are close, else 0.
  function np.isclose(...) return (isclose("np.isclose", 2, ...)) end
  --- allclose(a, b, rtol, atol, equal_nan): whether isclose holds
  -- everywhere. Returns a Lua boolean.
  function np.allclose(...)
    return core.value(np.all(isclose("np.allclose", 2, ...))) == 1
  end

  local equal_sig = check.signature { "a1", "a2", "equal_nan", first = 3 }
  --- array_equal(a1, a2, equal_nan): same shape and equal elements (NaNs
  -- equal to each other with equal_nan). Returns a Lua boolean.
  function np.array_equal(...)
    local args = equal_sig("np.array_equal", 2, ...)
    local a = core.value(check.array("np.array_equal", args[1]))
    local b = core.value(check.array("np.array_equal", args[2]))
    local equal_nan = args[3]
    if equal_nan ~= nil and type(equal_nan) ~= "boolean" then
      error(("np.array_equal: equal_nan must be a boolean, got %s"):format(check.describe(equal_nan)), 2)
    end
    local sa, sb = shape_of(a), shape_of(b)
    if #sa ~= #sb then return false end
    for i = 1, #sa do if sa[i] ~= sb[i] then return false end end
    local same = np.equal(a, b)
    if equal_nan then same = np.maximum(same, np.multiply(np.isnan(a), np.isnan(b))) end
    return core.value(np.all(same)) == 1
  end

  -- creation ------------------------------------------------------------------
  -- NumPy's keyword arguments are a trailing options table (SPEC):
  -- np.tri(3, {k = 1, dtype = "float32"}).
  local identity_sig = check.signature { "n", "dtype", required = 1 }
  --- identity(n, dtype): the n x n identity matrix.
  function np.identity(...)
    local a = identity_sig("np.identity", 2, ...)
    local n, dtype = a[1], check.dtype("np.identity", a[2])
    check.whole("np.identity", "n", n, 0)
    return (check.renamed("np.identity", 2, np.eye, n, n, 0, dtype))
  end

  local tri_sig = check.signature { "N", "M", "k", "dtype", required = 1 }
  --- tri(N, M, k, dtype): 1 on and below the k-th diagonal.
  function np.tri(...)
    local a = tri_sig("np.tri", 2, ...)
    local n, m, k = a[1], a[2], a[3]
    if m == nil then m = n end
    return (tri("np.tri", n, m, k or 0, check.dtype("np.tri", a[4]), 2))
  end

  -- The matrix of tril's argument (checked): its last two axes, or twice
  -- the length of a 1-d one, which NumPy broadcasts to a square matrix.
  local function matrix_dims(fname, x, level)
    local s = shape_of(x)
    if #s == 0 then error(fname .. ": input must be at least 1-d (got a 0-d value)", level + 1) end
    if #s == 1 then return s[1], s[1] end
    return s[#s - 1], s[#s]
  end
  local tril_sig = check.signature { "m", "k", first = 2 }
  --- tril(m, k): m with the values above the k-th diagonal set to zero.
  function np.tril(...)
    local a = tril_sig("np.tril", 2, ...)
    local x = check.array("np.tril", a[1])
    local n, m = matrix_dims("np.tril", x, 2)
    return np.where(tri("np.tril", n, m, a[2] or 0, nil, 2), x, 0)
  end
  --- triu(m, k): m with the values below the k-th diagonal set to zero.
  function np.triu(...)
    local a = tril_sig("np.triu", 2, ...)
    local x, k = check.array("np.triu", a[1]), a[2] or 0
    local n, m = matrix_dims("np.triu", x, 2)
    check.whole("np.triu", "k", k)
    return np.where(tri("np.triu", n, m, k - 1, nil, 2), 0, x)
  end

  local diag_sig = check.signature { "v", "k", first = 2 }
  --- diag(v, k): the k-th diagonal of a 2-d array, or a 2-d array with the
  -- 1-d v on its k-th diagonal.
  function np.diag(...)
    local a = diag_sig("np.diag", 2, ...)
    local k = check.whole("np.diag", "k", a[2] or 0)
    local v = check.array("np.diag", a[1])
    local s = shape_of(v)
    if #s == 1 then
      local n = s[1]
      local ak = math.abs(k)
      check.shape("np.diag", "the result's shape", { n + ak, n + ak })
      local d = np.multiply(np.eye(n, n, 0, v.dtype), v)
      if k == 0 then return d end
      if k > 0 then
        d = np.concatenate({ check.zeros("np.diag", { n, ak }, nil, nil, v.dtype), d }, 2)
        return np.concatenate({ d, check.zeros("np.diag", { ak, n + ak }, nil, nil, v.dtype) }, 1)
      end
      d = np.concatenate({ d, check.zeros("np.diag", { n, ak }, nil, nil, v.dtype) }, 2)
      return np.concatenate({ check.zeros("np.diag", { ak, n + ak }, nil, nil, v.dtype), d }, 1)
    elseif #s == 2 then
      local r0, c0 = (k < 0) and -k or 0, (k > 0) and k or 0
      local len = math.min(s[1] - r0, s[2] - c0)
      if len <= 0 then return np.zeros({ 0 }, v.dtype) end
      -- a strided range of the flattened matrix, copied (not a view of v)
      local first = r0 * s[2] + c0 + 1
      return np.copy(np.reshape(v, { -1 })[{ { first, first + (len - 1) * (s[2] + 1), s[2] + 1 } }])
    end
    error(("np.diag: input must be 1-d or 2-d (got %d-d)"):format(#s), 2)
  end

  --- meshgrid(x1, x2, ..., {indexing = "xy" | "ij", sparse = false,
  -- copy = true}): coordinate arrays, by default with NumPy's "xy" indexing
  -- (the first two axes swapped). Each keeps its input's dtype. Full grids
  -- are always new arrays; sparse ones are views of the inputs with
  -- copy = false.
  function np.meshgrid(...)
    local nd = select("#", ...)
    local xs = { ... }
    local indexing, sparse, copy = "xy", false, true
    if nd > 0 and check.is_options(xs[nd]) then
      local opts = xs[nd]
      xs[nd], nd = nil, nd - 1
      for _, key in ipairs(core.keys(opts)) do
        local v = opts[key]
        if key == "indexing" then
          if v ~= "xy" and v ~= "ij" then
            error(("np.meshgrid: indexing must be \"xy\" or \"ij\", got %s")
              :format(type(v) == "string" and ("%q"):format(v) or check.describe(v)), 2)
          end
          indexing = v
        elseif key == "sparse" or key == "copy" then
          if type(v) ~= "boolean" then
            error(("np.meshgrid: %s must be a boolean, got %s"):format(key, check.describe(v)), 2)
          end
          if key == "sparse" then sparse = v else copy = v end
        else
          error(("np.meshgrid: unknown option '%s' (options: indexing, sparse, copy)"):format(key), 2)
        end
      end
    end
    if nd > check.MAX_DIMS then
      error(("np.meshgrid: %d arrays give %d dimensions, at most %d supported")
        :format(nd, nd, check.MAX_DIMS), 2)
    end
    local lens = {}
    for i = 1, nd do
      xs[i] = np.ravel(check.array("np.meshgrid", xs[i])); lens[i] = xs[i].shape[1]
    end
    -- "xy": the first two inputs give the second and first axes
    local swap = indexing == "xy" and nd >= 2
    local out_shape = {}
    for i = 1, nd do out_shape[i] = lens[i] end
    if swap then out_shape[1], out_shape[2] = lens[2], lens[1] end
    check.shape("np.meshgrid", "the result's shape", out_shape)
    local result = {}
    for i = 1, nd do
      local pos = i
      if swap and i <= 2 then pos = 3 - i end
      local shape = {}
      for j = 1, nd do shape[j] = 1 end
      shape[pos] = lens[i]
      result[i] = np.reshape(xs[i], shape)
      if not sparse then
        result[i] = np.add(result[i], check.zeros("np.meshgrid", out_shape, nil, nil, xs[i].dtype))
      elseif copy then
        result[i] = np.copy(result[i]) -- else a view of the input, as NumPy's copy=False
      end
    end
    return unpack(result, 1, nd)
  end
end
