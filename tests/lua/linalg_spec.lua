-- np.linalg: values against NumPy (tests/fixtures/linalg_ref.lua, frozen by
-- scripts/gen_np_fixtures.py), derivatives to second order, conventions at
-- kinks, and LinAlgError-style errors.

local h = require "tests.lua.helpers"
local np = require "adlua.numpy"
local ad = require "adlua"
local each = require "adlua.each" -- pairs, safe from Debian 12's LuaJIT (docs/luajit.md)
local ref = dofile("tests/fixtures/linalg_ref.lua")

local check = function(f, ...) return ad.check_grads(f, { order = 2 })(...) end

-- Columns of x equal those of want up to sign (eigenvectors, singular vectors).
local function assert_columns_up_to_sign(x, want, tol, what)
  local got = x:totable()
  for j = 1, #want[1] do
    local s = (got[1][j] * want[1][j] < 0) and -1 or 1
    for i = 1, #want do
      assert(h.near(s * got[i][j], want[i][j], tol),
        ("%s: column %d differs from NumPy's: %.17g vs %.17g"):format(what, j, got[i][j], want[i][j]))
    end
  end
end

local function T(t) -- transpose of a nested table
  local r = {}
  for j = 1, #t[1] do
    r[j] = {}
    for i = 1, #t do r[j][i] = t[i][j] end
  end
  return r
end

describe("np.linalg values (NumPy's)", function()
  local A, S, R = np.array(ref.a), np.array(ref.spd), np.array(ref.rect)

  it("inv, solve, det, slogdet", function()
    h.assert_array(np.linalg.inv(A), ref.inv, 1e-12)
    h.assert_array(np.linalg.solve(A, np.array(ref.b)), ref.solve_vec, 1e-12)
    h.assert_array(np.linalg.solve(A, np.array(ref.bm)), ref.solve_mat, 1e-12)
    h.assert_number(np.linalg.det(A), ref.det, 1e-12)
    local sign, logdet = np.linalg.slogdet(A)
    h.assert_number(sign, ref.slogdet_sign, 0)
    h.assert_number(logdet, ref.slogdet_logdet, 1e-12)
  end)

  it("cholesky gives the lower factor, zeros above", function()
    h.assert_array(np.linalg.cholesky(S), ref.cholesky, 1e-12)
  end)

  it("eigh returns w ascending and v (two values)", function()
    local n = select("#", np.linalg.eigh(S))
    assert.equal(2, n)
    local w, v = np.linalg.eigh(S)
    h.assert_array(w, ref.eigh_w, 1e-12)
    assert_columns_up_to_sign(v, ref.eigh_v, 1e-10, "eigh v")
  end)

  it("svd returns u, s, vt; full_matrices and compute_uv as NumPy's", function()
    local u, s, vt = np.linalg.svd(R, false)
    h.assert_shape(u, { 3, 3 })
    h.assert_shape(vt, { 3, 5 })
    h.assert_array(s, ref.svd_s, 1e-12)
    assert_columns_up_to_sign(u, ref.svd_u, 1e-10, "svd u")
    assert_columns_up_to_sign(vt.T, T(ref.svd_vt), 1e-10, "svd vt")
    local _, sf, vtf = np.linalg.svd(R) -- full_matrices=True by default
    h.assert_shape(vtf, { 5, 5 })
    h.assert_array(sf, ref.svd_s, 1e-12)
    h.assert_array(np.linalg.svd(R.T, { compute_uv = false }), ref.svd_tall_s, 1e-12)
    assert.equal(1, select("#", np.linalg.svd(R, true, false)))
    -- u diag(s) vt rebuilds the matrix
    h.assert_close(np.dot(u * s, vt), R, 1e-12)
  end)

  it("norm: vector, matrix and axis orders", function()
    local b, v3 = np.array(ref.b), np.array({ 1, 0, 2 })
    local n = ref.norm
    h.assert_number(np.linalg.norm(A), n.fro, 1e-12)
    h.assert_number(np.linalg.norm(A, "fro"), n.fro, 1e-12)
    h.assert_number(np.linalg.norm(b), n.vec2, 1e-12)
    h.assert_number(np.linalg.norm(b, 1), n.vec1, 1e-12)
    h.assert_number(np.linalg.norm(b, np.inf), n.vecinf, 1e-12)
    h.assert_number(np.linalg.norm(b, -np.inf), n.vecminf, 1e-12)
    h.assert_number(np.linalg.norm(v3, 0), n.vec0, 0)
    h.assert_number(np.linalg.norm(b, 3), n.vec3, 1e-12)
    h.assert_number(np.linalg.norm(A, 1), n.mat1, 1e-12)
    h.assert_number(np.linalg.norm(A, -1), n.matm1, 1e-12)
    h.assert_number(np.linalg.norm(A, np.inf), n.matinf, 1e-12)
    h.assert_number(np.linalg.norm(A, 2), n.mat2, 1e-12)
    h.assert_number(np.linalg.norm(A, -2), n.matm2, 1e-12)
    h.assert_number(np.linalg.norm(A, "nuc"), n.nuc, 1e-12)
    h.assert_array(np.linalg.norm(R, nil, 1), n.axis1, 1e-12)
    h.assert_array(np.linalg.norm(R, { axis = -1 }), n.axis2, 1e-12)
    h.assert_array(np.linalg.norm(R, { axis = 2, keepdims = true }), n.axis2_keep, 1e-12)
    h.assert_array(np.linalg.norm(R, 1, 2), n.rows1, 1e-12)
  end)

  it("norm 2, -2, nuc over reversed axes (the transposed matrix) and over stacks", function()
    -- NumPy 1.24: np.linalg.norm(A, ord, (1, 0)) and (-1, -2)
    local A = np.array({ { 1, 2, 3 }, { 4, 5, 6 } })
    local want = { [2] = 9.508032000695724, [-2] = 0.772869635673485, nuc = 10.28090163636921 }
    for ord, v in each(want) do
      h.assert_number(np.linalg.norm(A, ord, { 2, 1 }), v, 1e-14)
      h.assert_number(np.linalg.norm(A, ord, { -1, -2 }), v, 1e-14)
      h.assert_array(np.linalg.norm(A, ord, { 2, 1 }, true), { { v } }, 1e-14)
    end
    -- a stack: x = np.cos(np.arange(24.)**2).reshape(2,3,4)
    local X = np.cos(np.arange(24) ^ 2):reshape(2, 3, 4)
    local stacks = {
      { 2, { 1, 3 }, { 1.722999708650148, 1.821921803498527, 1.557832745814238 }, { 1, 3, 1 } },
      { 2, { 3, 1 }, { 1.7229997086501478, 1.8219218034985267, 1.5578327458142378 }, { 1, 3, 1 } },
      { 2, { 3, 2 }, { 1.7189570182648395, 1.7818763966686064 }, { 2, 1, 1 } },
      { -2, { 1, 3 }, { 1.1087414798625197, 1.2026972234860227, 0.7646093593049782 }, { 1, 3, 1 } },
      { -2, { 2, 1 }, { 0.8249223739119578, 0.33160576215027016, 0.8530032569317035, 0.6310717306541875 },
        { 1, 1, 4 } },
      { "nuc", { 3, 2 }, { 4.1904792756409055, 4.094520126497827 }, { 2, 1, 1 } },
      { "nuc", { -1, 1 }, { 2.8317411885126678, 3.0246190269845497, 2.322442105119216 }, { 1, 3, 1 } },
    }
    for _, c in ipairs(stacks) do
      local what = ("ord %s axis {%d,%d}"):format(tostring(c[1]), c[2][1], c[2][2])
      h.assert_array(np.linalg.norm(X, c[1], c[2]), c[3], 1e-14, what)
      h.assert_array(np.linalg.norm(X, c[1], c[2], true), c[3], 1e-14, what, c[4])
    end
    h.assert_array(np.linalg.norm(np.zeros({ 0, 2, 2 }), 2, { 2, 3 }), {}, 0, nil, { 0 })
    assert.equal("float32", np.linalg.norm(X:astype("float32"), 2, { 3, 1 }).dtype)
  end)

  it("accepts non-contiguous views and nested tables", function()
    h.assert_array(np.linalg.inv(np.array(T(ref.a)).T), ref.inv, 1e-12)
    h.assert_number(np.linalg.det({ { 1, 2 }, { 3, 4 } }), -2, 1e-14)
  end)

  it("singular matrices: det 0, slogdet (0, -inf), as NumPy", function()
    local Z = np.array({ { 1, 2 }, { 2, 4 } })
    h.assert_number(np.linalg.det(Z), 0, 0)
    local sign, logdet = np.linalg.slogdet(Z)
    assert.equal(0, sign)
    assert.equal(-math.huge, logdet)
  end)

  it("0x0 matrices", function()
    h.assert_shape(np.linalg.inv(np.zeros({ 0, 0 })), { 0, 0 })
    h.assert_number(np.linalg.det(np.zeros({ 0, 0 })), 1, 0)
  end)
end)

describe("np.linalg derivatives (check_grads, order 2)", function()
  local B = np.array({ { 1.5, 0.3, -0.2 }, { 0.1, 2.0, 0.4 }, { -0.3, 0.2, 1.2 } })
  local S = np.array(ref.spd)
  local W = np.array({ { 1, 2, 3 }, { 4, 5, 7 }, { 2, 1, 9 } })

  it("inv (also of a transposed view)", function()
    check(function(x) return np.sum(np.linalg.inv(x) * W) end, B)
    check(function(x) return np.sum(np.linalg.inv(x.T) * W) end, B)
  end)

  it("solve, in a and in b (vector and matrix b)", function()
    check(function(a, b) return np.sum(np.linalg.solve(a, b) * np.array({ 1, -2, 3 })) end,
      B, np.array({ 1, 2, 3 }))
    check(function(a, b) return np.sum(np.linalg.solve(a, b) * b) end,
      B, np.array({ { 1, 2 }, { 3, 4 }, { 5, 6 } }))
  end)

  it("det and slogdet", function()
    check(np.linalg.det, B)
    check(function(x) local _, l = np.linalg.slogdet(x); return l end, B)
    -- d det / dA = det(A) inv(A)^T
    local g = ad.grad(np.linalg.det)(B)
    h.assert_close(g, np.linalg.det(B) * np.linalg.inv(B).T, 1e-12)
  end)

  it("cholesky (its gradient reads the lower triangle, as its value does)", function()
    check(function(x) return np.sum(np.linalg.cholesky(x) * W) end, S[{ { 1, 3 }, { 1, 3 } }])
    local g = ad.grad(function(x) return np.sum(np.linalg.cholesky(x) * W) end)(S[{ { 1, 3 }, { 1, 3 } }])
    local t = g:totable()
    assert.equal(0, t[1][2]); assert.equal(0, t[1][3]); assert.equal(0, t[2][3])
  end)

  it("eigh: eigenvalues and (sign-free functions of) eigenvectors", function()
    check(function(x) local w = np.linalg.eigh(x); return np.sum(w * np.array({ 1, 2, 3, 4 })) end, S)
    check(function(x)
      local w, v = np.linalg.eigh(x)
      return np.sum(w) + np.sum(v * v * np.array(ref.a))
    end, S)
  end)

  it("eigh with UPLO=\"U\" reads (and differentiates) the upper triangle", function()
    local M = np.array({ { 2, 1, 0.5 }, { 99, 3, 0.2 }, { 99, 99, 1 } })
    local w = np.linalg.eigh(M, "U")
    h.assert_array(w, np.linalg.eigh(M.T):totable(), 1e-14)
    local g = ad.grad(function(x) local e = np.linalg.eigh(x, "U"); return np.sum(e * np.array({ 1, 2, 3 })) end)(M)
    local t = g:totable()
    assert.equal(0, t[2][1]); assert.equal(0, t[3][1]); assert.equal(0, t[3][2])
    check(function(x) local e = np.linalg.eigh(x, "U"); return np.sum(e * np.array({ 1, 2, 3 })) end, M)
  end)

  it("eigh of a function of eigenvalues only is finite at repeated eigenvalues", function()
    local g = ad.grad(function(x) local w = np.linalg.eigh(x); return np.sum(w * w) end)(np.eye(3))
    h.assert_array(g, { { 2, 0, 0 }, { 0, 2, 0 }, { 0, 0, 2 } }, 1e-12)
  end)

  it("svd (full_matrices=false): square, wide and tall", function()
    check(function(x) local _, s = np.linalg.svd(x, false); return np.sum(s) end, W)
    local R = np.array(ref.rect)
    local P3, P5 = np.array(ref.a)[{ { 1, 3 }, { 1, 3 } }], np.ones({ 5, 5 }) + np.eye(5)
    local f = function(x)
      local u, s, vt = np.linalg.svd(x, false)
      local m, n = x.shape[1], x.shape[2]
      local Pm = m == 3 and P3 or P5
      local Pn = n == 3 and P3 or P5
      return np.sum(s * s) + np.sum(np.dot(u, u.T) * Pm) + np.sum(np.dot(vt.T, vt) * Pn)
        + np.sum(np.dot(u * s, vt) * x)
    end
    check(f, R)
    check(f, R.T)
  end)

  it("norm: 2-norm, Frobenius, 1, inf, nuc, over an axis", function()
    check(function(x) return np.linalg.norm(x) end, B)
    check(function(x) return np.linalg.norm(x, 1) end, np.array({ 1, -2, 3 }))
    check(function(x) return np.linalg.norm(x, np.inf) end, np.array({ 1, -5, 3 }))
    check(function(x) return np.linalg.norm(x, "nuc") end, B)
    check(function(x) return np.sum(np.linalg.norm(x, nil, 2) * np.array({ 1, 2, 3 })) end, B)
  end)

  it("norm 2, -2, nuc over reversed axes and stacks, both modes", function()
    -- the gradient over axes {2, 1}: torch.linalg.matrix_norm(A.T, ord)'s
    local A = np.array({ { 1, 2, 3 }, { 4, 5, 6 } })
    local want = {
      [2] = { { 0.16560170243494424, 0.21877438814955075, 0.27194707386415723 },
              { 0.395387895028975, 0.5223421229663032, 0.6492963509036315 } },
      [-2] = { { -0.7433935292599222, -0.10365769304514759, 0.5360781431696269 },
               { 0.31135812596271584, 0.04341531608472071, -0.22452749379327436 } },
      nuc = { { -0.577791826824978, 0.11511669510440316, 0.8080252170337842 },
              { 0.7067460209916908, 0.5657574390510239, 0.4247688571103571 } },
    }
    local X = np.cos(np.arange(24) ^ 2):reshape(2, 3, 4)
    local both = function(f, x) return ad.check_grads(f, { modes = { "rev", "fwd" }, order = 2 })(x) end
    for ord, g in each(want) do
      h.assert_array(ad.grad(function(x) return np.linalg.norm(x, ord, { 2, 1 }) end)(A), g, 1e-12)
      both(function(x) return np.linalg.norm(x, ord, { -1, -2 }) end, A)
      both(function(x) return np.sum(np.linalg.norm(x, ord, { 3, 1 }) * np.array({ 1, 2, 3 })) end, X)
      both(function(x) return np.sum(np.linalg.norm(x, ord, { 2, 3 }, true) * np.array({ 2, -1 }):reshape(2, 1, 1)) end, X)
    end
  end)

  it("the gradient of norm at 0 is 0, with no NaN at any order", function()
    local g = ad.grad(function(x) return np.linalg.norm(x) end)(np.zeros({ 3 }))
    h.assert_array(g, { 0, 0, 0 }, 0)
    local g2 = ad.grad(function(x)
      return np.sum(ad.grad(function(y) return np.linalg.norm(y) end)(x))
    end)(np.zeros({ 3 }))
    h.assert_all(g2, function(v) return v == v end, "second order is not NaN")
    local g1 = ad.grad(function(x) return np.linalg.norm(x, 1) + np.linalg.norm(x, "fro") end)(np.zeros({ 2, 2 }))
    h.assert_array(g1, { { 0, 0 }, { 0, 0 } }, 0)
  end)
end)

-- Forward mode runs the forward rules of core/linalg_rules.c (cholesky,
-- eigh, svd: JAX's formulas); they once were the transposed reverse rules,
-- whose vector terms are skipped when the incoming gradient is zero (every
-- tangent of v, u and vt came out 0 when that seed was zero).  The Jacobian's
-- forward side still transposes the reverse sweep (the last test).
describe("np.linalg forward mode (make_jvp against central differences)", function()
  local S = np.array(ref.spd)
  local R = np.array(ref.rect)
  local D = np.array({ { 0.3, -1.2, 0.5, 0.8 }, { 0.7, 0.2, -0.4, 1.1 }, { -0.6, 0.9, 0.1, -0.3 },
    { 1.0, -0.5, 0.6, 0.4 } })
  local function fd(f, x, v)
    local eps = 1e-6
    return (f(x + eps * v) - f(x - eps * v)) / (2 * eps)
  end
  local function assert_jvp(f, x, v, what)
    local value, jv = ad.make_jvp(f)(x)(v)
    h.assert_close(value, f(x), 0, what .. ": value")
    h.assert_close(jv, fd(f, x, v), 1e-6, what .. ": J v")
    assert(np.max(np.abs(jv)) > 1e-3, what .. ": J v is (nearly) zero")
  end

  it("eigh: eigenvalues and eigenvectors (lower and upper triangle)", function()
    assert_jvp(function(x) return np.linalg.eigh(x) end, S, D, "w")
    -- sign-free functions of the eigenvectors: v * v, and v itself (LAPACK's
    -- signs do not flip between x - eps v and x + eps v)
    assert_jvp(function(x) local _, v = np.linalg.eigh(x); return v * v end, S, D, "v * v")
    assert_jvp(function(x) local _, v = np.linalg.eigh(x); return v end, S, D, "v")
    assert_jvp(function(x) local _, v = np.linalg.eigh(x, "U"); return v * v end, S, D, "v * v (U)")
    assert_jvp(function(x) local w, v = np.linalg.eigh(x); return np.dot(v * w, v.T) end, S, D, "v w v^T")
  end)

  it("svd: u, s and vt of wide, tall and square matrices", function()
    local wide_v = np.cos(np.reshape(np.arange(15), { 3, 5 }))
    for _, case in ipairs({ { R, wide_v, "wide" }, { R.T, wide_v.T, "tall" }, { S, D, "square" } }) do
      local x, v, what = case[1], case[2], case[3]
      assert_jvp(function(z) local _, s = np.linalg.svd(z, false); return s end, x, v, what .. " s")
      assert_jvp(function(z) local u = np.linalg.svd(z, false); return u * u end, x, v, what .. " u * u")
      assert_jvp(function(z) local _, _, vt = np.linalg.svd(z, false); return vt * vt end, x, v,
        what .. " vt * vt")
      assert_jvp(function(z) local u, s, vt = np.linalg.svd(z, false); return np.dot(u * s, vt) end, x, v,
        what .. " u s vt")
    end
  end)

  it("jacobian's forward side (more outputs than inputs) of eigenvectors", function()
    -- 16 outputs of 2 inputs: the Jacobian is built column by column by
    -- sweeping the recorded sweep, the same transposition as make_jvp
    local function f(p)
      local m = S + p[1] * D + p[2] * D.T
      local _, v = np.linalg.eigh(m)
      return v * v
    end
    local p = np.array({ 0.1, -0.2 })
    local J = ad.jacobian(f)(p)
    h.assert_shape(J, { 4, 4, 2 })
    for j = 1, 2 do
      local e = np.zeros({ 2 }); e[j] = 1
      h.assert_close(J[{ {}, {}, j }], fd(f, p, e), 1e-6, "column " .. j)
    end
  end)

  it("check_grads in forward mode to order 2: eigh, svd and the other decompositions", function()
    local fwd = function(f, ...) return ad.check_grads(f, { modes = { "fwd" }, order = 2 })(...) end
    local W = np.array(ref.a)
    fwd(function(x) local _, v = np.linalg.eigh(x); return np.sum(v * v * W) end, S)
    fwd(function(x) local u, s, vt = np.linalg.svd(x, false); return np.dot(u * u, s) + np.sum(vt * vt) end, R)
    fwd(function(x) return np.linalg.inv(x) * W end, S)
    fwd(function(x) return np.linalg.solve(x, np.array({ 1, 2, 3, 4 })) end, S)
    fwd(np.linalg.det, S)
    fwd(function(x) local _, l = np.linalg.slogdet(x); return l end, S)
    fwd(function(x) return np.linalg.cholesky(x) * W end, S)
    fwd(function(x) return np.linalg.norm(x, "nuc") + np.linalg.norm(x, 2) end, R)
  end)
end)

describe("np.linalg errors", function()
  it("a singular matrix is a LinAlgError, not garbage", function()
    h.assert_error_matches(function() np.linalg.inv(np.array({ { 1, 2 }, { 2, 4 } })) end,
      "np.linalg.inv: Singular matrix")
    h.assert_error_matches(function() np.linalg.solve(np.zeros({ 2, 2 }), np.ones({ 2 })) end,
      "np.linalg.solve: Singular matrix")
  end)

  it("cholesky of a matrix that is not positive definite", function()
    h.assert_error_matches(function() np.linalg.cholesky(np.array({ { 1, 2 }, { 2, 1 } })) end,
      "np.linalg.cholesky: Matrix is not positive definite")
  end)

  it("shapes: 1-d, non-square, stacks, mismatched b", function()
    h.assert_error_matches(function() np.linalg.inv(np.ones({ 3 })) end,
      "np.linalg.inv: 1-dimensional array given. Array must be at least two-dimensional")
    h.assert_error_matches(function() np.linalg.det(np.ones({ 2, 3 })) end,
      { "np.linalg.det: Last 2 dimensions of the array must be square", "(2,3)" })
    h.assert_error_matches(function() np.linalg.eigh(np.ones({ 2, 3, 3 })) end,
      { "np.linalg.eigh: stacks of matrices are not supported", "(2,3,3)" })
    h.assert_error_matches(function() np.linalg.solve(np.eye(3), np.ones({ 4 })) end,
      { "np.linalg.solve:", "(3,3)", "(4,)" })
  end)

  it("infs and NaNs in the iterative decompositions", function()
    local bad = np.array({ { 1, 0 / 0 }, { 0 / 0, 1 } })
    h.assert_error_matches(function() np.linalg.eigh(bad) end,
      "np.linalg.eigh: array must not contain infs or NaNs")
    h.assert_error_matches(function() np.linalg.svd(bad) end,
      "np.linalg.svd: array must not contain infs or NaNs")
  end)

  it("norm's bad orders and axes", function()
    h.assert_error_matches(function() np.linalg.norm(np.ones({ 2, 2 }), "bad") end,
      "np.linalg.norm: invalid norm order bad for matrices")
    h.assert_error_matches(function() np.linalg.norm(np.ones({ 2 }), nil, 3) end,
      "np.linalg.norm: axis 3 is out of bounds")
  end)

  it("full_matrices=true has no gradient for a non-square matrix", function()
    h.assert_error_matches(function()
      ad.grad(function(x) local _, s = np.linalg.svd(x); return np.sum(s) end)(np.ones({ 2, 3 }))
    end, "full_matrices=false")
  end)

  it("an error in the gradient (det of a singular matrix) names inv", function()
    h.assert_error_matches(function() ad.grad(np.linalg.det)(np.zeros({ 2, 2 })) end,
      "linalg.inv: Singular matrix")
  end)
end)
