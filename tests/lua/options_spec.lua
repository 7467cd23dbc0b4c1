-- NumPy's keyword arguments as a trailing options table (SPEC) in the
-- functions written in C: a name they do not know (a misspelling, or a
-- NumPy keyword adlua lacks) is an error naming the function and the
-- options it has, never silently ignored; the options they know work.
-- And errors raised in C through a Lua wrapper name the user's line, under
-- LuaJIT and PUC Lua 5.4 alike.

local h = require "tests.lua.helpers"
local np = require "adlua.numpy"

-- The message of the error f raises, without its position.
local function message(f)
  local ok, err = pcall(f)
  assert.is_false(ok, "expected an error, but the call succeeded")
  return (tostring(err):gsub("^[^\n]-:%d+: ", ""))
end

local x
before_each(function() x = np.array({ { 1, 2, 3 }, { 4, 5, 6 } }) end)

describe("reductions in C with an options table", function()
  it("reject a name they do not know, listing the ones they have", function()
    assert.are.equal("np.sum: unknown option 'bogus' (options: axis, keepdims)",
      message(function() return np.sum(x, { axis = 1, bogus = 2 }) end))
    -- NumPy keywords that adlua does not implement
    assert.are.equal("np.mean: unknown option 'dtype' (options: axis, keepdims)",
      message(function() return np.mean(x, { dtype = "float32" }) end))
    assert.are.equal("np.max: unknown option 'initial' (options: axis, keepdims)",
      message(function() return np.max(x, { initial = 10 }) end))
    assert.are.equal("np.min: unknown option 'where' (options: axis, keepdims)",
      message(function() return np.min(x, { where = 1 }) end))
    assert.are.equal("np.max: unknown option 'out' (options: axis, keepdims)",
      message(function() return np.amax(x, { out = x }) end))
    -- a misspelling, as a method, and after a positional axis
    assert.are.equal("np.sum: unknown option 'keepdim' (options: axis, keepdims)",
      message(function() return x:sum({ axis = 2, keepdim = true }) end))
    assert.are.equal("np.sum: unknown option 'keepdim' (options: axis, keepdims)",
      message(function() return np.sum(x, 1, { keepdim = false }) end))
    assert.are.equal("np.mean: unknown option 1 (options: axis, keepdims)",
      message(function() return np.mean(x, 1, { true }) end))
  end)

  it("reject an axis given twice, options before another argument, options in a table of axes", function()
    assert.are.equal("np.sum: axis given twice (as argument 2 and as an option)",
      message(function() return np.sum(x, 1, { axis = 2 }) end))
    assert.are.equal("np.max: the options table must be the last argument, got a boolean after it",
      message(function() return np.max(x, { axis = 1 }, true) end))
    assert.are.equal("np.mean: a table of axes cannot hold the option 'keepdims' " ..
      "(give the options in a table of their own, last)",
      message(function() return np.mean(x, { 1, keepdims = true }) end))
  end)

  it("take axis and keepdims by name, after a positional axis too", function()
    h.assert_array(np.sum(x, { axis = 1, keepdims = true }), { { 5, 7, 9 } })
    h.assert_array(np.sum(x, { axis = 1 }), { 5, 7, 9 })
    h.assert_array(np.mean(x, { axis = -1 }), { 2, 5 })
    h.assert_array(np.max(x, { axis = { 1, 2 }, keepdims = true }), { { 6 } })
    h.assert_array(np.min(x, 2, { keepdims = true }), { { 1 }, { 4 } })
    h.assert_array(np.min(x, 2, { keepdims = false }), { 1, 4 })
    h.assert_array(np.sum(x, nil, { axis = 2 }), { 6, 15 })
    h.assert_array(x:max({ axis = 2, keepdims = true }), { { 3 }, { 6 } })
    assert.are.equal(21, np.sum(x, {}))
    assert.are.equal(3.5, np.mean(x, { keepdims = false }))
    -- positional, as before
    h.assert_array(np.sum(x, 1, true), { { 5, 7, 9 } })
    h.assert_array(np.sum(x, { 2 }), { 6, 15 })
  end)

  it("read {} before keepdims as NumPy's axis=() (nothing reduced), as the Lua reductions do", function()
    h.assert_array(np.sum(x, {}, true), { { 1, 2, 3 }, { 4, 5, 6 } })
    h.assert_array(np.mean(x, {}, { keepdims = true }), { { 1, 2, 3 }, { 4, 5, 6 } })
    h.assert_array(np.prod(x, {}, true), { { 1, 2, 3 }, { 4, 5, 6 } })
    -- np.var(x, axis=()) is 0 everywhere in NumPy
    h.assert_array(np.var(x, {}, true), { { 0, 0, 0 }, { 0, 0, 0 } })
  end)
end)

describe("np.array with an options table", function()
  it("takes NumPy's dtype keyword", function()
    local a = np.array({ 1, 2 }, { dtype = "float32" })
    assert.are.equal("float32", a.dtype)
    h.assert_array(a, { 1, 2 })
    assert.are.equal("float64", np.array({ 1, 2 }, { dtype = "float64" }).dtype)
    assert.are.equal("float64", np.array({ 1, 2 }, {}).dtype)
    assert.are.equal("float64", np.array(np.ones({ 2 }, "float32"), { dtype = "float64" }).dtype)
    -- without a dtype an array keeps its own, as in NumPy
    assert.are.equal("float32", np.array(np.ones({ 2 }, "float32"), {}).dtype)
    assert.are.equal("float32", np.array(2.5, { dtype = "float32" }).dtype)
  end)

  it("rejects other names and bad dtypes", function()
    assert.are.equal("np.array: unknown option 'ndmin' (options: dtype)",
      message(function() return np.array({ 1, 2 }, { ndmin = 2 }) end))
    assert.are.equal("np.array: unknown option 'copy' (options: dtype)",
      message(function() return np.array({ 1, 2 }, { dtype = "float32", copy = false }) end))
    assert.are.equal("np.array: unknown option 1 (options: dtype)",
      message(function() return np.array({ 1, 2 }, { "float32" }) end))
    assert.are.equal('np.array: unknown dtype int32 (use "float64" or "float32")',
      message(function() return np.array({ 1, 2 }, { dtype = "int32" }) end))
  end)
end)

describe("other C functions with an options table", function()
  it("np.linalg.svd: full_matrices and compute_uv by name, others rejected", function()
    -- NumPy: np.linalg.svd([[1,2,3],[4,5,6]], compute_uv=False)
    h.assert_array(np.linalg.svd(x, { compute_uv = false }), { 9.508032000695724, 0.7728696356734843 }, 1e-12)
    local u, s, vt = np.linalg.svd(x, { full_matrices = false })
    assert.are.same({ 2, 2 }, u.shape)
    assert.are.same({ 2 }, s.shape)
    assert.are.same({ 2, 3 }, vt.shape)
    assert.are.equal("np.linalg.svd: unknown option 'hermitian' (options: full_matrices, compute_uv)",
      message(function() return np.linalg.svd(x, { hermitian = true }) end))
    assert.are.equal("np.linalg.svd: unknown option 'full_matrice' (options: full_matrices, compute_uv)",
      message(function() return np.linalg.svd(x, { full_matrice = false }) end))
  end)

  it("np.concatenate and np.stack: axis by name, others rejected", function()
    h.assert_array(np.concatenate({ x, x }, { axis = 2 }),
      { { 1, 2, 3, 1, 2, 3 }, { 4, 5, 6, 4, 5, 6 } })
    assert.are.same({ 2, 3, 2 }, np.stack({ x, x }, { axis = -1 }).shape)
    assert.are.same({ 4, 3 }, np.concatenate({ x, x }, {}).shape)
    assert.are.equal("np.concatenate: unknown option 'out' (options: axis)",
      message(function() return np.concatenate({ x, x }, { out = x }) end))
    assert.are.equal("np.stack: unknown option 'dtype' (options: axis)",
      message(function() return np.stack({ x, x }, { dtype = "float32" }) end))
  end)
end)

describe("np.set_printoptions", function()
  local defaults = { precision = 8, threshold = 1000, edgeitems = 3, linewidth = 75 }
  after_each(function() np.set_printoptions(defaults) end)

  it("prints as NumPy 1.24 with edgeitems, threshold, precision and linewidth", function()
    np.set_printoptions({ edgeitems = 2, threshold = 5 })
    assert.are.equal("[0. 1. ... 8. 9.]", tostring(np.arange(10)))
    -- 4 rows are not more than 2 * edgeitems: nothing summarised
    assert.are.equal("[[ 0.  1.  2.]\n [ 3.  4.  5.]\n [ 6.  7.  8.]\n [ 9. 10. 11.]]",
      tostring(np.reshape(np.arange(12), { 4, 3 })))
    np.set_printoptions({ edgeitems = 1 })
    assert.are.equal("[[ 0. ...  5.]\n ...\n [24. ... 29.]]", tostring(np.reshape(np.arange(30), { 5, 6 })))
    np.set_printoptions({ edgeitems = 3, threshold = 1000, precision = 3, linewidth = 20 })
    assert.are.equal("[0.333 0.667 1.\n 1.333 1.667]", tostring(np.array({ 1 / 3, 2 / 3, 1, 4 / 3, 5 / 3 })))
  end)

  it("rejects NumPy's options that adlua does not implement, and misspellings, changing nothing", function()
    local listed = "(options: precision, threshold, edgeitems, linewidth)"
    for _, name in ipairs({ "suppress", "floatmode", "sign", "nanstr", "infstr", "formatter", "legacy",
      "precission", "edge_items" }) do
      assert.are.equal(("np.set_printoptions: unknown option '%s' %s"):format(name, listed),
        message(function() np.set_printoptions({ precision = 3, [name] = true }) end))
    end
    assert.are.equal("np.set_printoptions: unknown option 1 " .. listed,
      message(function() np.set_printoptions({ 4 }) end))
    assert.are.equal("np.set_printoptions: unknown option of type boolean " .. listed,
      message(function() np.set_printoptions({ [true] = 4 }) end))
    -- the precision given beside the bad name was not applied
    assert.are.equal("[0.33333333]", tostring(np.array({ 1 / 3 })))
  end)
end)

describe("errors of C functions called through Lua wrappers", function()
  local src = debug.getinfo(1, "S").short_src

  -- The message of the error that f raises, and the line it marks as the
  -- one of the call (f sets it with here() on the line of the call).
  local line
  local function here() line = debug.getinfo(2, "l").currentline end
  local function at(f)
    local ok, err = pcall(f)
    assert.is_false(ok, "expected an error, but the call succeeded")
    return err, ("%s:%d: "):format(src, line)
  end

  it("name the user's line, not the wrapper's", function()
    local msg, where
    -- a C reduction through the Lua front of the array methods
    msg, where = at(function() here(); local r = x:sum({ axis = 1, bogus = 2 }); return r end)
    assert.are.equal(where .. "np.sum: unknown option 'bogus' (options: axis, keepdims)", msg)
    -- the C reduction called by name, directly
    msg, where = at(function() here(); local r = np.max(x, 3); return r end)
    assert.are.equal(where .. "np.max: axis 3 is out of bounds for array of dimension 2 " ..
      "(axes are 1-based; -1 is the last)", msg)
    -- C functions that a Lua function of adlua calls last (indexing.lua,
    -- products.lua, linalg.lua, random.lua): PUC Lua keeps the caller's
    -- frame for such a tail call, LuaJIT does not
    msg, where = at(function() here(); local r = np.take(x, { 9 }); return r end)
    assert.are.equal(where .. "np.take: index 9 is out of bounds for axis 1 with size 6 (indices are 1-based)", msg)
    msg, where = at(function() here(); local r = np.matmul(x, x); return r end)
    assert.are.equal(where .. "np.matmul: shapes (2,3) and (2,3) not aligned: 3 (axis 2) ~= 2 (axis 1)", msg)
    msg, where = at(function() here(); local r = np.linalg.eigh("abc"); return r end)
    assert.are.equal(where .. "np.linalg.eigh: expected an array, a number or a nested table of numbers " ..
      "for argument 1, got string", msg)
    msg, where = at(function() here(); np.random.seed(x) end)
    assert.are.equal(where .. "np.random.seed: seed must be a whole number, got array", msg)
    -- a C error in the middle of a composition (numpy_compose.lua)
    msg, where = at(function() here(); local r = np.clip(x, { 1, 2 }, 5); return r end)
    assert.truthy(msg:find(where .. "np.maximum: operands could not be broadcast together with shapes (2,3) (2,)", 1, true), msg)
  end)

  it("name the user's line in the adlua program too, whose modules are embedded", function()
    local bin = os.getenv("ADLUA_BIN")
    if bin == nil or bin == "" then bin = "build/adlua" end
    local script = h.tmpname(".lua")
    h.write_file(script, table.concat({
      'local np = require "adlua.numpy"',
      "local x = np.zeros({ 2, 3 })",
      "local ok, e = pcall(function() local r = np.take(x, { 9 }); return r end)",
      "print(e)",
      "ok, e = pcall(function() local r = x:sum({ bogus = 1 }); return r end)",
      "print(e)",
    }, "\n"))
    local out, err, code = h.run(h.shell_quote(bin) .. " " .. h.shell_quote(script))
    assert.are.equal(0, code, err)
    assert.are.equal(
      script .. ":3: np.take: index 9 is out of bounds for axis 1 with size 6 (indices are 1-based)\n" ..
      script .. ":5: np.sum: unknown option 'bogus' (options: axis, keepdims)\n", out)
  end)

  it("name the line of a function the user passed to adlua, when the error is raised there", function()
    local ad = require "adlua"
    local msg, where = at(function()
      return ad.grad(function(v)
        here(); local r = np.sum(v, 5); return r
      end)(x)
    end)
    assert.are.equal(where .. "np.sum: axis 5 is out of bounds for array of dimension 2 " ..
      "(axes are 1-based; -1 is the last)", msg)
  end)
end)
