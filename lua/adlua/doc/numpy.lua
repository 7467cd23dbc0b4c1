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
  round = "x rounded to the nearest whole number, halves to even (constant for gradients; round(x, decimals) rounds to that many decimals)",
  around = "the same as np.round",
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

local reductions = {
  sum = "the sum", mean = "the arithmetic mean", prod = "the product", max = "the largest value",
  min = "the smallest value", amax = "the largest value (same as max)", amin = "the smallest value (same as min)",
  var = "the variance (ddof 0)", std = "the standard deviation (ddof 0)",
  logsumexp = "log(sum(exp(x))) computed without overflow", all = "1 if every value is nonzero",
  any = "1 if some value is nonzero", argmax = "the 1-based position of the largest value",
  argmin = "the 1-based position of the smallest value", cumsum = "the running sums",
}
for name, what in each(reductions) do
  d["np." .. name] = ("%s(x, axis, keepdims) returns %s of x over all values, or along axis (1-based, negative counts from the end; a table of axes works too); keepdims keeps the reduced axis with length 1. An options table {axis = ..., keepdims = ...} works too. A whole-array result is a Lua number outside a trace.\n    np.%s(np.array({{1, 2}, {3, 4}}), 1)"):format(name, what, name)
end

local more = {
  array = [=[array(t, dtype) makes an array from nested Lua tables of numbers (or a number), float64 unless dtype is "float32" (or t holds only float32 arrays).
    np.array({{1, 2}, {3, 4}})]=],
  asarray = [=[asarray(x, dtype) returns x when it is already an array, else array(x).
    np.asarray({1, 2, 3})]=],
  zeros = [=[zeros(shape, dtype) returns a new array of zeros; shape is a number or a table.
    np.zeros({2, 3})]=],
  ones = [=[ones(shape, dtype) returns a new array of ones; shape is a number or a table.
    np.ones(3)]=],
  empty = [=[empty(shape, dtype) returns a new array whose values are not set (zeros here).
    np.empty({2, 2})]=],
  full = [=[full(shape, value, dtype) returns a new array filled with value.
    np.full({2, 2}, 7)]=],
  zeros_like = [=[zeros_like(x, dtype) returns zeros of x's shape and dtype (or the dtype given).
    np.zeros_like(np.ones(3))]=],
  ones_like = [=[ones_like(x, dtype) returns ones of x's shape and dtype (or the dtype given).
    np.ones_like(np.zeros({2, 2}))]=],
  full_like = [=[full_like(x, value, dtype) returns an array of x's shape and dtype (or the dtype given) filled with value.
    np.full_like(np.zeros(3), 5)]=],
  arange = [=[arange(stop) / arange(start, stop, step) returns evenly spaced values in [start, stop), NumPy's values (arange(3) is 0, 1, 2); a last argument "float32" gives float32.
    np.arange(-4.0, 4.0, 0.01)]=],
  linspace = [=[linspace(start, stop, num, endpoint, dtype) returns num evenly spaced values from start to stop inclusive (num defaults to 50); dtype "float32" gives float32.
    np.linspace(0, 1, 5)]=],
  eye = [=[eye(n, m, k, dtype) returns the n x m (default n x n) identity matrix (ones on the k-th diagonal); a last argument "float32" gives float32.
    np.eye(3)]=],
  identity = [=[identity(n) returns the n x n identity matrix.
    np.identity(2)]=],
  diag = [=[diag(v) builds a square matrix with v on the diagonal, or extracts the diagonal of a matrix.
    np.diag(np.array({1, 2}))]=],
  tri = [=[tri(n, m, k) returns a matrix with ones at and below the k-th diagonal.
    np.tri(3)]=],
  tril = [=[tril(m, k) returns m with the values above the k-th diagonal set to zero.
    np.tril(np.ones({3, 3}))]=],
  triu = [=[triu(m, k) returns m with the values below the k-th diagonal set to zero.
    np.triu(np.ones({3, 3}))]=],
  meshgrid = [=[meshgrid(x, y) returns coordinate matrices X, Y for vectors x and y ("xy" indexing).
    local X, Y = np.meshgrid(np.arange(3), np.arange(2))]=],
  astype = [=[astype(x, dtype) (or x:astype(dtype)) returns a copy of x converted to dtype, "float64" or "float32" (float64 to float32 rounds to nearest); differentiable: the gradient is converted back to x's dtype.
    local y = np.ones(3):astype("float32")]=],
  copy = [=[copy(x) returns a new array with x's values (differentiable: its gradient passes through).
    local y = np.copy(x)]=],
  clip = [=[clip(x, lo, hi) limits the values of x to [lo, hi]; the gradient is zero where clipped.
    np.clip(np.array({-2, 0, 2}), -1, 1)]=],
  where = [=[where(cond, x, y) takes x where cond is nonzero and y elsewhere, with broadcasting; differentiable in x and y.
    np.where(x:gt(0), x, 0)]=],
  dot = [=[dot(a, b) is the dot product of vectors, the matrix product of 2-d arrays, and NumPy's sum over the last axis of a and the second-to-last of b otherwise.
    np.dot(np.ones({2, 3}), np.ones(3))   --> [3. 3.]]=],
  matmul = [=[matmul(a, b) is the matrix product, broadcasting over leading (batch) axes.
    np.matmul(np.eye(2), np.ones({2, 2}))]=],
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
  reshape = [=[reshape(x, shape) returns x with a new shape of the same size (one -1 entry is inferred); also x:reshape(shape).
    np.reshape(np.arange(6), {2, 3})]=],
  ravel = [=[ravel(x) returns x as a 1-d array.
    np.ravel(np.ones({2, 2}))]=],
  transpose = [=[transpose(x, axes) reverses the axes (or permutes them as given, 1-based); x.T is the same.
    np.transpose(np.ones({2, 3})).shape   --> {3, 2}]=],
  swapaxes = [=[swapaxes(x, a, b) exchanges two axes (1-based).
    np.swapaxes(x, 1, 2)]=],
  moveaxis = [=[moveaxis(x, source, destination) moves one axis to a new position (1-based).
    np.moveaxis(x, 1, -1)]=],
  squeeze = [=[squeeze(x, axis) removes axes of length 1 (all, or the given one).
    np.squeeze(np.ones({1, 3})).shape   --> {3}]=],
  expand_dims = [=[expand_dims(x, axis) inserts an axis of length 1 at position axis.
    np.expand_dims(np.ones(3), 1).shape   --> {1, 3}]=],
  concatenate = [=[concatenate(arrays, axis) joins a table of arrays along an existing axis (default 1).
    np.concatenate({np.ones(2), np.zeros(3)})]=],
  stack = [=[stack(arrays, axis) joins a table of same-shaped arrays along a new axis (default 1).
    np.stack({np.ones(2), np.zeros(2)}).shape   --> {2, 2}]=],
  vstack = [=[vstack(arrays) stacks arrays as rows (along axis 1).
    np.vstack({np.ones(2), np.zeros(2)})]=],
  hstack = [=[hstack(arrays) joins arrays as columns (along axis 2, or 1 for vectors).
    np.hstack({np.ones(2), np.zeros(2)})]=],
  split = [=[split(x, sections, axis) splits x into equal sections, or at the given 1-based indices; returns a table of arrays.
    np.split(np.arange(6), 3)]=],
  tile = [=[tile(x, reps) repeats the whole of x reps times along each axis.
    np.tile(np.array({1, 2}), 2)]=],
  ["repeat"] = [=[repeat(x, n, axis) repeats each element n times.
    np["repeat"](np.array({1, 2}), 2)]=],
  broadcast_to = [=[broadcast_to(x, shape) returns x broadcast to shape (its gradient sums back).
    np.broadcast_to(np.ones(3), {2, 3})]=],
  flip = [=[flip(x, axis) reverses the order of the values along axis (or all axes).
    np.flip(np.arange(3))]=],
  roll = [=[roll(x, shift, axis) shifts the values cyclically.
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
  allclose = [=[allclose(a, b, rtol, atol) is true when |a - b| <= atol + rtol*|b| everywhere (defaults 1e-5, 1e-8).
    np.allclose(np.ones(2), np.ones(2) + 1e-9)   --> true]=],
  array_equal = [=[array_equal(a, b) is true when a and b have the same shape and values.
    np.array_equal(np.ones(2), np.ones(2))   --> true]=],
  set_printoptions = [=[set_printoptions(opts) sets how arrays print: precision (digits), threshold (sizes summarised beyond), linewidth.
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
