-- Docstrings of adlua.numpy (often `np`), keyed by name. Helpers adding
-- functions add an entry here (or in another file of this folder).
local each = require "adlua.each" -- pairs, safe from Debian 12's LuaJIT (docs/luajit.md)
local d = {}

-- Elementwise functions of one argument share a pattern: name, math, example.
local unary = {
  abs = "the absolute value |x|", negative = "-x", sign = "the sign of x (-1, 0 or 1; nan stays nan)",
  exp = "e^x", exp2 = "2^x", expm1 = "e^x - 1, accurate for small x", log = "the natural logarithm",
  log2 = "the base-2 logarithm", log10 = "the base-10 logarithm", log1p = "log(1 + x), accurate for small x",
  sqrt = "the square root", square = "x^2", reciprocal = "1/x",
  sin = "the sine (radians)", cos = "the cosine (radians)", tan = "the tangent (radians)",
  arcsin = "the inverse sine", arccos = "the inverse cosine", arctan = "the inverse tangent",
  sinh = "the hyperbolic sine", cosh = "the hyperbolic cosine", tanh = "the hyperbolic tangent",
  arcsinh = "the inverse hyperbolic sine", arccosh = "the inverse hyperbolic cosine",
  arctanh = "the inverse hyperbolic tangent", sinc = "sin(pi x)/(pi x), 1 at 0",
  floor = "the largest whole number <= x (constant for gradients)",
  ceil = "the smallest whole number >= x (constant for gradients)",
  rint = "x rounded to the nearest whole number, halves to even (constant for gradients)",
  isnan = "1 where x is NaN, else 0", isinf = "1 where x is infinite, else 0",
  isfinite = "1 where x is finite, else 0",
}
for name, what in each(unary) do
  d["np." .. name] = ("%s(x) returns %s, elementwise, for an array or a number (a Lua number in, a Lua number out). Differentiable to any order where the function is smooth.\n    np.%s(np.array({0.5, 2}))"):format(name, what, name)
end

local binary = {
  add = "x + y", subtract = "x - y", multiply = "x * y", divide = "x / y", true_divide = "x / y",
  power = "x raised to the power y", maximum = "the larger of x and y (NaN wins)",
  minimum = "the smaller of x and y (NaN wins)", arctan2 = "the angle of the point (y=x1, x=x2)",
  hypot = "sqrt(x^2 + y^2)", logaddexp = "log(exp(x) + exp(y)) without overflow",
  mod = "the remainder of x / y with the sign of y",
  remainder = "the same as np.mod: the remainder of x / y with the sign of y",
  equal = "1 where x == y, else 0", not_equal = "1 where x ~= y, else 0", less = "1 where x < y, else 0",
  less_equal = "1 where x <= y, else 0", greater = "1 where x > y, else 0",
  greater_equal = "1 where x >= y, else 0",
}
for name, what in each(binary) do
  d["np." .. name] = ("%s(x, y) returns %s, elementwise with NumPy's broadcasting; either may be a Lua number.\n    np.%s(np.array({1, 2}), 3)"):format(name, what, name)
end

-- Reductions of (x, axis, keepdims) over one axis or a table of them:
-- what each returns, and what an empty reduction gives. All of them, in C
-- or in Lua, read axis and keepdims from an options table and refuse
-- other names.
local reductions = {
  sum = { "the sum", "0 for an empty reduction" },
  mean = { "the arithmetic mean", "nan for an empty reduction" },
  max = { "the largest value", "an empty reduction is an error" },
  min = { "the smallest value", "an empty reduction is an error" },
  amax = { "the largest value (the same as np.max)", "an empty reduction is an error" },
  amin = { "the smallest value (the same as np.min)", "an empty reduction is an error" },
  prod = { "the product", "1 for an empty reduction" },
  logsumexp = { "log(sum(exp(x))) computed without overflow", "-inf for an empty reduction, as SciPy" },
  all = { "1 if every value is nonzero, else 0", "1 for an empty reduction, NumPy's True" },
  any = { "1 if some value is nonzero, else 0", "0 for an empty reduction, NumPy's False" },
}
for name, r in each(reductions) do
  local opts = "An options table {axis = ..., keepdims = ...} works too (other names are errors)."
  d["np." .. name] = ("%s(x, axis, keepdims) returns %s, over all values of x or along axis (1-based, negative counts from the end) or a table of axes; keepdims keeps the reduced axes with length 1; %s. %s A whole-array result is a Lua number outside a trace.\n    np.%s(np.array({{1, 2}, {3, 4}}), 1)"):format(name, r[1], r[2], opts, name)
end
for _, name in ipairs({ "var", "std" }) do
  local what = name == "var" and "the variance: the sum of squared deviations from the mean divided by max(n - ddof, 0) (ddof defaults to 0; inf, or nan where all values are equal, once ddof >= n, as NumPy)"
    or "the standard deviation, sqrt(var) with the same ddof (its gradient is infinite where all values are equal)"
  d["np." .. name] = ("%s(x, axis, keepdims, ddof) returns %s, over all values or along axis (1-based, negative from the end) or a table of axes; keepdims keeps the reduced axes with length 1. An options table {axis = ..., keepdims = ..., ddof = ...} works too (other names are errors).\n    np.%s(np.array({{1, 2}, {3, 5}}), {axis = 1, ddof = 1})"):format(name, what, name)
end
for _, name in ipairs({ "argmax", "argmin" }) do
  local what, ans = "largest", "[2. 1.]"
  if name == "argmin" then what, ans = "smallest", "[1. 2.]" end
  d["np." .. name] = ("%s(x, axis, keepdims) returns the 1-based position of the first %s value (a NaN counts as the %s, as in NumPy) in the flattened x, or along one axis (1-based, negative from the end; not a table of axes); keepdims keeps that axis with length 1. An options table {axis = ..., keepdims = ...} works too. An empty array is an error. A constant for gradients.\n    np.%s(np.array({{1, 5}, {7, 2}}), 2)   --> %s"):format(name, what, what, name, ans)
end
d["np.cumsum"] = [=[cumsum(x, axis, dtype) returns the running sums along one axis (1-based, negative from the end; not a table of axes), or of the flattened x when axis is nil; dtype ("float64" or "float32") converts x first. An options table {axis = ..., dtype = ...} works too (other names are errors). An empty x gives an empty result. Differentiable to any order.
    np.cumsum(np.array({{1, 2}, {3, 4}}), 2)   --> [[1. 3.] [3. 7.]]]=]

local more = {
  array = [=[array(t, dtype) makes an array from nested Lua tables of numbers and arrays (or a number), float64 unless dtype is "float32" (also {dtype = ...}; or t holds only float32 arrays). Traced values in t make the result differentiable in them, as autograd's np.array([x, x**2]), and array(x) of an array is a copy; a table with keys other than its positions 1..n is an error. Of an array x, x:item() gives the value of a one-element array as a Lua number, x:item(i) the i-th value of the flattened x (1-based, negative from the end) and x:item(i, j, ...) (or x:item({i, j, ...})) the value at one index per axis, as NumPy's item(*args).
    np.array({{1, 2}, {3, 4}})]=],
  asarray = [=[asarray(x, dtype) returns x when it is already an array (of dtype, when one is given: otherwise a converted copy), else array(x, dtype). The dtype may be given as an option: asarray(x, {dtype = "float32"}); other options are errors.
    np.asarray({1, 2, 3})]=],
  zeros = [=[zeros(shape, dtype) returns a new array of zeros; shape is a number or a table, dtype "float64" (default) or "float32", given last or as an option {dtype = ...} (other options are errors).
    np.zeros({2, 3}, {dtype = "float32"})]=],
  ones = [=[ones(shape, dtype) returns a new array of ones; shape is a number or a table, dtype "float64" (default) or "float32", given last or as an option {dtype = ...} (other options are errors).
    np.ones(3)]=],
  empty = [=[empty(shape, dtype) returns a new array whose values are not set (zeros here); dtype given last or as an option {dtype = ...} (other options are errors).
    np.empty({2, 2})]=],
  full = [=[full(shape, fill_value, dtype) returns a new array filled with fill_value: a number, or an array (or nested table) broadcast to shape as NumPy does; the result has dtype if given, else fill_value's dtype (float64 for a number). Options {fill_value = ..., dtype = ...} work too (other names are errors).
    np.full({2, 2}, np.array({1, 2}))   --> [[1. 2.] [1. 2.]]]=],
  zeros_like = [=[zeros_like(x, dtype) returns zeros of x's shape and dtype, or of the dtype given; options {dtype = ..., shape = ...} give another dtype or shape (other names are errors).
    np.zeros_like(np.ones(3), {shape = {2, 3}})]=],
  ones_like = [=[ones_like(x, dtype) returns ones of x's shape and dtype, or of the dtype given; options {dtype = ..., shape = ...} give another dtype or shape (other names are errors).
    np.ones_like(np.zeros({2, 2}))]=],
  full_like = [=[full_like(x, fill_value, dtype) returns an array of x's shape and dtype (or the dtype given) filled with fill_value, a number or an array broadcast to that shape; options {dtype = ..., shape = ...} give another dtype or shape (other names are errors).
    np.full_like(np.zeros(3), 5)]=],
  arange = [=[arange(stop) / arange(start, stop, step, dtype) returns evenly spaced values in [start, stop), NumPy's values (arange(3) is 0, 1, 2); a last argument "float32" gives float32. Options {start, stop, step, dtype} work too: by name start defaults to 0 and step to 1, and a lone start with a step is the stop (arange(5, {step = 2}) is 0, 2, 4); other names are errors.
    np.arange(-4.0, 4.0, 0.01)]=],
  linspace = [=[linspace(start, stop, num, endpoint, dtype) returns num (default 50) evenly spaced values from start to stop, stop included unless endpoint is false; dtype "float32" gives float32. Options {num, endpoint, dtype, retstep} work too (other names are errors); with retstep = true it also returns the spacing (nan when there is none), as NumPy.
    local x, step = np.linspace(0, 1, 5, {endpoint = false, retstep = true})]=],
  eye = [=[eye(N, M, k, dtype) returns the N x M (default N x N) matrix with ones on the k-th diagonal (default 0, the main one; k > 0 above it); a last argument "float32" gives float32. Options {M, k, dtype} work too (other names are errors).
    np.eye(3, {k = 1})]=],
  identity = [=[identity(n, dtype) returns the n x n identity matrix, float64 or float32 (dtype given last or as an option {dtype = ...}).
    np.identity(2)]=],
  diag = [=[diag(v, k) builds a square matrix with the 1-d v on its k-th diagonal (default 0; k > 0 above the main one), or returns a copy of the k-th diagonal of a 2-d v; keeps v's dtype. An option {k = ...} works too.
    np.diag(np.array({1, 2}))]=],
  tri = [=[tri(N, M, k, dtype) returns the N x M (default N x N) matrix with ones at and below the k-th diagonal (default 0) and zeros above, float64 or float32. Options {M, k, dtype} work too (other names are errors).
    np.tri(3, {k = -1})]=],
  tril = [=[tril(m, k) returns m with the values above the k-th diagonal (default 0) set to zero, on the last two axes; a 1-d m is first repeated into a square matrix, as NumPy. An option {k = ...} works too. Differentiable in m.
    np.tril(np.ones({3, 3}), -1)]=],
  triu = [=[triu(m, k) returns m with the values below the k-th diagonal (default 0) set to zero, on the last two axes; a 1-d m is first repeated into a square matrix, as NumPy. An option {k = ...} works too. Differentiable in m.
    np.triu(np.array({1, 2, 3}))   --> [[1. 2. 3.] [0. 2. 3.] [0. 0. 3.]]]=],
  meshgrid = [=[meshgrid(x1, x2, ..., opts) returns one coordinate array per input (each flattened first), with NumPy's default "xy" indexing (the first two axes swapped: X, Y of vectors x, y have shape (#y, #x)). Options: indexing ("xy" or "ij"), sparse (true: arrays of length-1 axes that broadcast instead of full grids), copy (default true; false leaves sparse results views of the inputs, as NumPy; full grids are new arrays either way); other names are errors. Each result keeps its input's dtype.
    local X, Y = np.meshgrid(np.arange(3), np.arange(2), {indexing = "ij"})]=],
  astype = [=[astype(x, dtype) (or x:astype(dtype)) returns a copy of x converted to dtype, "float64" or "float32" (float64 to float32 rounds to nearest); differentiable: the gradient is converted back to x's dtype.
    local y = np.ones(3):astype("float32")]=],
  copy = [=[copy(x) returns a new array with x's values (differentiable: its gradient passes through).
    local y = np.copy(x)]=],
  clip = [=[clip(x, lo, hi) limits the values of x to [lo, hi]; the gradient is zero where clipped.
    np.clip(np.array({-2, 0, 2}), -1, 1)]=],
  where = [=[where(cond, x, y) takes x where cond is nonzero and y elsewhere, with broadcasting; differentiable in x and y.
    np.where(x:gt(0), x, 0)]=],
  dot = [=[dot(a, b) is the dot product of vectors, the matrix product of 2-d arrays, a product by a number for 0-d operands, and NumPy's sum over the last axis of a and the second-to-last of b otherwise (the only axis of a 1-d b): np.dot of shapes (2,3,4) and (4,5) has shape (2,3,5), of (2,3,4) and (6,4,5) shape (2,3,6,5). Differentiable to any order.
    np.dot(np.ones({2, 3}), np.ones(3))   --> [3. 3.]]=],
  matmul = [=[matmul(a, b) is the matrix product; stacks of matrices (more than 2 axes) broadcast over their leading axes, and a 1-d operand is a vector (its axis dropped from the result). Shapes whose last axes do not align, or whose stacks do not broadcast, are an error naming both shapes.
    np.matmul(np.ones({2, 2, 3}), np.ones({3, 4})).shape   --> {2, 2, 4}]=],
  outer = [=[outer(a, b) returns the matrix a_i * b_j of two vectors.
    np.outer(np.array({1, 2}), np.array({3, 4}))]=],
  inner = [=[inner(a, b) sums the products over the last axes of a and b.
    np.inner(np.ones(3), np.ones(3))]=],
  tensordot = [=[tensordot(a, b, axes) sums products over the given axes (a number n: the last n of a with the first n of b).
    np.tensordot(np.ones({2, 3}), np.ones({3, 4}), 1)]=],
  einsum = [=[einsum(spec, ...) evaluates Einstein summation, e.g. "ij,jk->ik".
    np.einsum("ij,jk->ik", a, b)]=],
  trace = [=[trace(m) returns the sum of the diagonal.
    np.trace(np.eye(3))   --> 3]=],
  reshape = [=[reshape(x, shape, order) returns x with a new shape of the same size (one entry may be -1, inferred). order "C" (default: the last axis varies fastest) or "F" (the first fastest, column-major), as NumPy; "A" is "C" (adlua arrays read as row-major), "K" is an error. Also x:reshape(shape) and x:reshape(2, 3), the order last or as an option {order = "F"}.
    np.reshape(np.arange(6), {2, 3}, "F")   --> [[0. 2. 4.] [1. 3. 5.]]]=],
  ravel = [=[ravel(x, order) returns x as a 1-d array (a view when x is contiguous), in row-major order ("C", default; also "A" and "K") or column-major ("F"); the order may be an option {order = ...}. x:ravel(order) is the same; x:flatten(order) always returns a copy.
    np.ravel(np.array({{1, 2}, {3, 4}}), "F")   --> [1. 3. 2. 4.]]=],
  transpose = [=[transpose(x, axes) reverses the axes (or permutes them as the table axes lists them, 1-based); x.T reverses them too, and x:transpose(2, 1) takes the axes one by one, as NumPy's x.transpose(1, 0).
    np.transpose(np.ones({2, 3})).shape   --> {3, 2}]=],
  swapaxes = [=[swapaxes(x, a, b) exchanges two axes (1-based).
    np.swapaxes(x, 1, 2)]=],
  moveaxis = [=[moveaxis(x, source, destination) moves one axis to a new position (1-based).
    np.moveaxis(x, 1, -1)]=],
  squeeze = [=[squeeze(x, axis) removes axes of length 1 (all, or the given one).
    np.squeeze(np.ones({1, 3})).shape   --> {3}]=],
  expand_dims = [=[expand_dims(x, axis) inserts an axis of length 1 at position axis.
    np.expand_dims(np.ones(3), 1).shape   --> {1, 3}]=],
  concatenate = [=[concatenate(arrays, axis) joins a table of arrays along an existing axis (default 1; also {axis = ...}).
    np.concatenate({np.ones(2), np.zeros(3)})]=],
  stack = [=[stack(arrays, axis) joins a table of same-shaped arrays along a new axis (default 1; also {axis = ...}).
    np.stack({np.ones(2), np.zeros(2)}).shape   --> {2, 2}]=],
  vstack = [=[vstack(arrays) stacks arrays as rows (along axis 1).
    np.vstack({np.ones(2), np.zeros(2)})]=],
  hstack = [=[hstack(arrays) joins arrays as columns (along axis 2, or 1 for vectors).
    np.hstack({np.ones(2), np.zeros(2)})]=],
  split = [=[split(x, sections, axis) splits x along axis (default 1) into sections equal parts, or at the cut numbers in a table or 1-d array, which are NumPy's (the count of entries before each cut): {2, 3} gives entries 1..2, 3..3 and 4..n. Part i is NumPy's x[c(i-1):c(i)], so a cut below the previous one gives an empty part and the next part starts at that lower cut; negative cuts count from the end. Returns a table of arrays; differentiable.
    np.split(np.arange(10), {5, 3})   --> {[0 .. 4], [], [3 .. 9]}]=],
  tile = [=[tile(x, reps) repeats the whole of x reps times along each axis.
    np.tile(np.array({1, 2}), 2)]=],
  ["repeat"] = [=[repeat(x, n, axis) repeats each element n times.
    np["repeat"](np.array({1, 2}), 2)]=],
  broadcast_to = [=[broadcast_to(x, shape) returns x broadcast to shape (its gradient sums back).
    np.broadcast_to(np.ones(3), {2, 3})]=],
  flip = [=[flip(x, axis) reverses the order of the values along axis (or all axes).
    np.flip(np.arange(3))]=],
  roll = [=[roll(x, shift, axis) shifts the values cyclically along axis (1-based), or over the flattened x when axis is nil. shift and axis may be tables (NumPy's tuples), broadcast against each other: roll(x, {1, 2}, {1, 2}) shifts axis 1 by 1 and axis 2 by 2; shifts of a repeated axis add up.
    np.roll(np.arange(4), 1)]=],
  take = [=[take(x, idx, axis) gathers values at 1-based indices; the gradient adds up repeated indices.
    np.take(np.arange(5), np.array({1, 1, 3}))]=],
  index_update = [=[index_update(x, idx, v) returns a copy of x with x[idx] replaced by v: the differentiable form of assignment.
    np.index_update(np.zeros(3), 2, 5)]=],
  index_add = [=[index_add(x, idx, v) returns a copy of x with v added at x[idx] (repeated indices add up).
    np.index_add(np.zeros(3), 2, 5)]=],
  sort = [=[sort(x, axis) returns the values sorted along axis (default the last).
    np.sort(np.array({3, 1, 2}))]=],
  argsort = [=[argsort(x, axis) returns the 1-based positions that sort x.
    np.argsort(np.array({3, 1, 2}))   --> [2 3 1]]=],
  nonzero = [=[nonzero(x) returns, per axis, an array of the 1-based positions of the nonzero values.
    np.nonzero(np.array({0, 5, 0, 7}))]=],
  allclose = [=[allclose(a, b, rtol, atol, equal_nan) is true when np.isclose(a, b, rtol, atol, equal_nan) holds everywhere (a and b broadcast; true for empty arrays). Returns a Lua boolean; the options {rtol = ..., atol = ..., equal_nan = ...} work too.
    np.allclose(np.array({100}), np.array({101}), {rtol = 0.01})   --> true]=],
  array_equal = [=[array_equal(a1, a2, equal_nan) is true when a1 and a2 have the same shape and values; with equal_nan true, NaNs in the same places count as equal. Returns a Lua boolean; {equal_nan = true} works too.
    np.array_equal(np.array({1, 0/0}), np.array({1, 0/0}), true)   --> true]=],
  set_printoptions = [=[set_printoptions(opts) sets how arrays print: precision (digits), threshold (sizes summarised beyond), edgeitems (values shown at each end when summarised), linewidth; other names are errors.
    np.set_printoptions({precision = 4})]=],
  save = [=[save(path, x) writes x to a .npy file that NumPy reads.
    np.save("w.npy", w)]=],
  load = [=[load(path) reads a .npy file (an array) or a .npz file (a table of arrays).
    local w = np.load("w.npy")]=],
  savez = [=[savez(path, tree) writes a (nested) table of arrays to a .npz file.
    np.savez("params.npz", {w = w, b = b})]=],
  loadtxt = [=[loadtxt(path, opts) reads numbers from a text or CSV file; opts as NumPy's keywords: delimiter, skiprows, usecols, comments (a marker of any length or a list of them), max_rows, unpack, ndmin, dtype ("float64" or "float32"); any other option is an error.
    np.loadtxt("data.csv", {delimiter = ","})]=],
  savetxt = [=[savetxt(path, x, opts) writes a 1-d or 2-d array as text; opts as NumPy's: fmt (one format, one per column, or a whole row such as "%.1f|%.2f"), delimiter, newline, header, footer, comments. A failed call leaves an existing file as it was.
    np.savetxt("x.csv", x, {delimiter = ","})]=],
  isclose = [=[isclose(a, b, rtol, atol, equal_nan) returns 1 where a and b are close, else 0, as NumPy's: |a - b| <= atol + rtol*|b| where both are finite (defaults rtol 1e-5, atol 1e-8; not symmetric), an infinity is close only to the same infinity, and NaN to NaN only when equal_nan is true. The options {rtol = ..., atol = ..., equal_nan = ...} work too. A constant for gradients.
    np.isclose(np.array({1, math.huge, 0/0}), np.array({1 + 1e-9, math.huge, 0/0}), {equal_nan = true})   --> [1. 1. 1.]]=],
  round = [=[round(x, decimals) rounds to the given number of decimals (default 0; negative: tens, hundreds, ...), halves to even, with NumPy's arithmetic: rint(x * 10^decimals) / 10^decimals, or rint(x / 10^-decimals) * 10^-decimals for negative decimals, so the same doubles as NumPy (round(2.675, 2) is 2.68). A constant for gradients.
    np.round(np.array({0.125, 2.5, 1234}), {decimals = 2})]=],
  around = [=[around(x, decimals) is the same as np.round: rounds to the given number of decimals, halves to even, with NumPy's arithmetic. A constant for gradients.
    np.around(2.675, 2)   --> 2.68]=],
}
for name, text in each(more) do d["np." .. name] = text end

local linalg = {
  inv = "inv(a) returns the inverse of a square matrix.\n    np.linalg.inv(np.eye(2) * 2)",
  solve = "solve(a, b) returns x with a x = b.\n    np.linalg.solve(np.eye(2), np.ones(2))",
  det = "det(a) returns the determinant.\n    np.linalg.det(np.eye(3))   --> 1",
  slogdet = "slogdet(a) returns sign, log|det a| without overflow.\n    local s, l = np.linalg.slogdet(a)",
  cholesky = "cholesky(a) returns the lower triangular L with L L^T = a, for a symmetric positive definite a.\n    np.linalg.cholesky(np.eye(2))",
  eigh = "eigh(a) returns the eigenvalues (ascending) and eigenvectors (columns) of a symmetric matrix.\n    local w, v = np.linalg.eigh(a)",
  svd = "svd(a) returns u, s, vt with a = u diag(s) vt.\n    local u, s, vt = np.linalg.svd(a)",
  norm = "norm(x, ord, axis) returns the vector 2-norm (or the given ord) or the Frobenius norm of a matrix.\n    np.linalg.norm(np.array({3, 4}))   --> 5",
}
for name, text in each(linalg) do d["np.linalg." .. name] = text end

local random = {
  seed = "seed(n) sets the seed of np.random, so that runs are reproducible; seed() reseeds from the system's entropy, as NumPy's seed(None).\n    np.random.seed(0)",
  rand = "rand(d1, d2, ...) returns uniform values in [0, 1) of the given shape.\n    np.random.rand(2, 3)",
  randn = "randn(d1, d2, ...) returns standard normal values of the given shape.\n    np.random.randn(3)",
  normal = "normal(loc, scale, shape) returns normal values.\n    np.random.normal(0, 0.1, {2, 2})",
  uniform = "uniform(low, high, shape) returns uniform values in [low, high).\n    np.random.uniform(-1, 1, 3)",
  randint = "randint(low, high, shape) returns whole numbers in [low, high); low and high may be arrays, broadcast against each other and shape.\n    np.random.randint(0, 10, 5)",
  permutation = "permutation(n) returns 1..n in random order (usable as indices), or a shuffled copy of an array.\n    np.random.permutation(5)",
  shuffle = "shuffle(x) shuffles x in place along axis 1.\n    np.random.shuffle(x)",
  choice = "choice(a, size, replace) draws size values from the array a, with replacement unless replace is false.\n    np.random.choice(np.arange(10), 3)",
}
for name, text in each(random) do d["np.random." .. name] = text end

return d
