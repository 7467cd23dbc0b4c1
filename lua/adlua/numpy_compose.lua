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
  -- sqrt(x^2 + y^2) scaled by max(|x|, |y|) so that large inputs do not
  -- overflow; at (0, 0) the scale is replaced by 1 and the gradient is 0.
  function np.hypot(x, y)
    local ax, ay = np.abs(x), np.abs(y)
    local m = np.maximum(ax, ay)
    local zero = np.equal(m, 0)
    local s = np.where(zero, 1, m)
    -- Away from (0, 0) the sum is at least 1; at (0, 0) sqrt sees 1, not 0,
    -- so no infinite derivative meets the zero of the where.
    local q = np.where(zero, 1, np.add(np.square(np.divide(ax, s)), np.square(np.divide(ay, s))))
    return np.where(zero, 0, np.multiply(s, np.sqrt(q)))
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
  --- round(x, decimals): half to even, as NumPy (scaled by 10^decimals).
  function np.round(x, decimals)
    decimals = decimals or 0
    check.whole("np.round", "decimals", decimals)
    if decimals == 0 then return np.rint(x) end
    local scale = 10 ^ decimals
    return np.divide(np.rint(np.multiply(core.value(x), scale)), scale)
  end
  np.around = np.round
  --- mod(x, y): NumPy's remainder (the sign of y). Its derivative is autograd's:
  -- 1 with respect to x and -floor(x / y) with respect to y.
  function np.mod(x, y)
    local v = core.remainder_value(x, y)
    local dx = np.subtract(x, core.value(x))
    local dy = np.subtract(y, core.value(y))
    local q = np.floor(np.divide(core.value(x), core.value(y)))
    return np.add(v, np.subtract(dx, np.multiply(q, dy)))
  end
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
  local function options(axis, keepdims)
    if type(axis) == "table" and not is_array(axis) and (axis.axis ~= nil or axis.keepdims ~= nil) then
      return axis.axis, axis.keepdims
    end
    return axis, keepdims
  end

  --- any(x, axis, keepdims): 1 where some element along the axis is nonzero.
  function np.any(x, axis, keepdims)
    axis, keepdims = options(axis, keepdims)
    return np.max(np.not_equal(np.asarray(x), 0), axis, keepdims)
  end
  --- all(x, axis, keepdims): 1 where every element along the axis is nonzero.
  function np.all(x, axis, keepdims)
    axis, keepdims = options(axis, keepdims)
    return np.min(np.not_equal(np.asarray(x), 0), axis, keepdims)
  end

  local function count(x, axis)
    local shape = shape_of(x)
    if axis == nil then
      local n = 1
      for _, d in ipairs(shape) do n = n * d end
      return n
    end
    local n = 1
    for _, a in ipairs(type(axis) == "table" and axis or { axis }) do
      n = n * shape[a < 0 and #shape + a + 1 or a]
    end
    return n
  end

  --- var(x, axis, keepdims, ddof): mean squared deviation (divided by n - ddof).
  function np.var(x, axis, keepdims, ddof)
    if type(axis) == "table" and not is_array(axis)
        and (axis.axis ~= nil or axis.keepdims ~= nil or axis.ddof ~= nil) then
      axis, keepdims, ddof = axis.axis, axis.keepdims, axis.ddof
    end
    if ddof ~= nil and type(ddof) ~= "number" then
      error(("np.var: ddof must be a number, got %s"):format(check.describe(ddof)), 2)
    end
    x = np.asarray(x)
    -- np.mean checks the axes before count reads them
    local d = np.subtract(x, np.mean(x, axis, true))
    local n = count(x, axis) - (ddof or 0)
    return np.divide(np.sum(np.square(d), axis, keepdims), n)
  end
  --- std(x, axis, keepdims, ddof): sqrt of var (gradient infinite at zero spread).
  function np.std(x, axis, keepdims, ddof)
    return np.sqrt(np.var(x, axis, keepdims, ddof))
  end

  --- logsumexp(x, axis, keepdims): log(sum(exp(x))) without overflow.
  function np.logsumexp(x, axis, keepdims)
    axis, keepdims = options(axis, keepdims)
    x = np.asarray(x)
    local m = np.max(x, axis, true)
    -- An infinite max would give inf - inf; shift by 0 there instead.
    m = np.where(np.isfinite(m), m, 0)
    local r = np.add(np.log(np.sum(np.exp(np.subtract(x, m)), axis, true)), m)
    if keepdims then return r end
    if axis == nil then return np.reshape(r, {}) end
    return np.squeeze(r, axis)
  end

  -- Moves 1-based `axis` of x to the end; returns the moved array and the
  -- permutation that undoes it.
  local function axis_to_end(x, axis, fname)
    local nd = ndim_of(x)
    if type(axis) ~= "number" or axis % 1 ~= 0 then
      error(("%s: axis must be an integer (got %s)"):format(fname, tostring(axis)), 3)
    end
    local a = axis < 0 and nd + axis + 1 or axis
    if a < 1 or a > nd then
      error(("%s: axis %s is out of bounds for array of dimension %d"):format(fname, check.fmt(axis), nd), 3)
    end
    local perm, inverse = {}, {}
    for i = 1, nd do if i ~= a then perm[#perm + 1] = i end end
    perm[#perm + 1] = a
    for i, p in ipairs(perm) do inverse[p] = i end
    return np.transpose(x, perm), inverse, a
  end

  --- prod(x, axis, keepdims): product along an axis (all elements by default).
  -- A running product of slices, so zeros give exact gradients.
  function np.prod(x, axis, keepdims)
    axis, keepdims = options(axis, keepdims)
    x = np.asarray(x)
    if axis == nil then
      local flat = np.ravel(x)
      local r = 1
      for i = 1, count(x) do r = np.multiply(r, flat[i]) end
      if keepdims then
        local ones = {}
        for i = 1, ndim_of(x) do ones[i] = 1 end
        return np.reshape(np.asarray(r), ones)
      end
      return r
    end
    local moved, _, a = axis_to_end(x, axis, "np.prod")
    local ms = moved.shape
    local n = ms[#ms]
    local idx = {}
    for i = 1, #ms - 1 do idx[i] = {} end
    local r = np.ones(#ms > 1 and { unpack(ms, 1, #ms - 1) } or {}, x.dtype)
    for i = 1, n do
      idx[#ms] = i
      r = np.multiply(r, moved[idx])
    end
    if keepdims then
      local shape = {}
      for i, d in ipairs(shape_of(x)) do shape[i] = (i == a) and 1 or d end
      return np.reshape(r, shape)
    end
    return r
  end

  --- cumsum(x, axis): running sums along an axis (of the flattened array by
  -- default), as a product with a triangular matrix of ones.
  function np.cumsum(x, axis)
    x = np.asarray(x)
    if axis == nil then x = np.ravel(x); axis = 1 end
    local moved, inverse = axis_to_end(x, axis, "np.cumsum")
    local ms = moved.shape
    local n = ms[#ms]
    local upper = np.triu(np.ones({ n, n }, x.dtype))
    local r = np.reshape(np.dot(np.reshape(moved, { -1, n }), upper), ms)
    return np.transpose(r, inverse)
  end

  -- First 1-based position of the extreme value along an axis.
  local function arg_extreme(fname, reduce, x, axis, keepdims)
    axis, keepdims = options(axis, keepdims)
    x = np.asarray(x)
    if axis == nil then
      x = np.ravel(x); axis = 1
    end
    local moved, inverse = axis_to_end(x, axis, fname)
    local ms = moved.shape
    local n = ms[#ms]
    if n == 0 then error(fname .. ": attempt to get " .. fname:sub(4) .. " of an empty sequence", 3) end
    local extreme = reduce(moved, #ms, true)
    local positions = np.add(np.arange(n), 1)
    -- A NaN counts as the extreme, as in NumPy.
    local hit = np.add(np.equal(moved, extreme), np.isnan(moved))
    local r = np.min(np.where(hit, positions, math.huge), #ms, true)
    r = np.transpose(r, inverse)
    if keepdims then return r end
    return np.squeeze(r, axis)
  end
  function np.argmax(x, axis, keepdims) return arg_extreme("np.argmax", np.max, x, axis, keepdims) end
  function np.argmin(x, axis, keepdims) return arg_extreme("np.argmin", np.min, x, axis, keepdims) end

  --- allclose(a, b, rtol, atol): |a - b| <= atol + rtol * |b| everywhere
  -- (NaNs are never close). Returns a Lua boolean.
  function np.allclose(a, b, rtol, atol)
    rtol, atol = rtol or 1e-5, atol or 1e-8
    local ok = np.less_equal(np.abs(np.subtract(a, b)), np.add(atol, np.multiply(rtol, np.abs(b))))
    return core.value(np.all(ok)) == 1
  end
  --- array_equal(a, b): same shape and equal elements. Returns a Lua boolean.
  function np.array_equal(a, b)
    local sa, sb = shape_of(a), shape_of(b)
    if #sa ~= #sb then return false end
    for i = 1, #sa do if sa[i] ~= sb[i] then return false end end
    return core.value(np.all(np.equal(a, b))) == 1
  end

  -- creation ------------------------------------------------------------------
  function np.identity(n)
    check.whole("np.identity", "n", n, 0)
    return check.renamed("np.identity", 2, np.eye, n)
  end

  -- tri's matrix, its arguments checked (level: as seen by the caller).
  local function tri(fname, n, m, k, level)
    check.whole(fname, "N", n, 0, nil, level + 1)
    check.whole(fname, "M", m, 0, nil, level + 1)
    check.whole(fname, "k", k, nil, nil, level + 1)
    check.shape(fname, "the shape", { n, m }, level + 1)
    if n == 0 or m == 0 then return np.zeros({ n, m }) end
    -- k beyond the matrix gives the same as k at its edge (and stays exact)
    k = math.max(math.min(k, m), -n)
    return check.renamed(fname, level + 1, function()
      local rows = np.reshape(np.add(np.arange(n), k), { n, 1 })
      return np.greater_equal(rows, np.reshape(np.arange(m), { 1, m }))
    end)
  end

  --- tri(n, m, k): 1 on and below the k-th diagonal.
  function np.tri(n, m, k)
    if m == nil then m = n end
    return tri("np.tri", n, m, k or 0, 2)
  end
  local function last2(fname, x)
    local s = shape_of(check.array(fname, x, 3))
    if #s < 2 then error(("%s: input must be at least 2-d (got %d-d)"):format(fname, #s), 3) end
    return s[#s - 1], s[#s]
  end
  function np.tril(x, k)
    local n, m = last2("np.tril", x)
    return np.where(tri("np.tril", n, m, k or 0, 2), x, 0)
  end
  function np.triu(x, k)
    local n, m = last2("np.triu", x)
    if k ~= nil then check.whole("np.triu", "k", k) end
    return np.where(tri("np.triu", n, m, (k or 0) - 1, 2), 0, x)
  end

  --- diag(v, k): the k-th diagonal of a 2-d array, or a 2-d array with the
  -- 1-d v on its k-th diagonal.
  function np.diag(v, k)
    k = check.whole("np.diag", "k", k or 0)
    v = check.array("np.diag", v)
    local s = shape_of(v)
    if #s == 1 then
      local n = s[1]
      local a = math.abs(k)
      check.shape("np.diag", "the result's shape", { n + a, n + a })
      local d = np.multiply(np.eye(n, n, 0, v.dtype), v)
      if k == 0 then return d end
      if k > 0 then
        d = np.concatenate({ check.zeros("np.diag", { n, a }, nil, nil, v.dtype), d }, 2)
        return np.concatenate({ d, check.zeros("np.diag", { a, n + a }, nil, nil, v.dtype) }, 1)
      end
      d = np.concatenate({ d, check.zeros("np.diag", { n, a }, nil, nil, v.dtype) }, 2)
      return np.concatenate({ check.zeros("np.diag", { a, n + a }, nil, nil, v.dtype), d }, 1)
    elseif #s == 2 then
      local r0, c0 = (k < 0) and -k or 0, (k > 0) and k or 0
      local len = math.min(s[1] - r0, s[2] - c0)
      if len <= 0 then return np.zeros({ 0 }) end
      local sub = v[{ { r0 + 1, r0 + len }, { c0 + 1, c0 + len } }]
      return np.sum(np.multiply(sub, np.eye(len)), 2)
    end
    error(("np.diag: input must be 1-d or 2-d (got %d-d)"):format(#s), 2)
  end

  --- meshgrid(x1, x2, ...): coordinate arrays with NumPy's default "xy"
  -- indexing (the first two axes swapped).
  function np.meshgrid(...)
    local nd = select("#", ...)
    local xs = { ... }
    if nd > check.MAX_DIMS then
      error(("np.meshgrid: %d arrays give %d dimensions, at most %d supported")
        :format(nd, nd, check.MAX_DIMS), 2)
    end
    local lens = {}
    for i = 1, nd do
      xs[i] = np.ravel(check.array("np.meshgrid", xs[i])); lens[i] = xs[i].shape[1]
    end
    local out_shape = {}
    for i = 1, nd do out_shape[i] = lens[i] end
    if nd >= 2 then out_shape[1], out_shape[2] = lens[2], lens[1] end
    check.shape("np.meshgrid", "the result's shape", out_shape)
    local result = {}
    for i = 1, nd do
      local pos = i
      if nd >= 2 and i <= 2 then pos = 3 - i end
      local shape = {}
      for j = 1, nd do shape[j] = 1 end
      shape[pos] = lens[i]
      result[i] = np.add(np.reshape(xs[i], shape), check.zeros("np.meshgrid", out_shape))
    end
    return unpack(result)
  end
end
