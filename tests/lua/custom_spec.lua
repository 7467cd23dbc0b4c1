-- The user's own primitives (issue 4): ad.primitive, ad.defvjp, ad.defjvp
-- with autograd's convention, in reverse and forward mode, to higher order.

local h = require "tests.lua.helpers"
local np = require "adlua.numpy"
local ad = require "adlua"

describe("primitive with defvjp", function()
  local logsumexp = ad.primitive(function(x)
    local m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))
  end, "logsumexp")
  ad.defvjp(logsumexp, function(ans, x)
    return function(g) return g * np.exp(x - ans) end
  end)
  local x = np.array({ 1, 2, 3 })
  local soft = {}
  do
    local z = math.exp(1) + math.exp(2) + math.exp(3)
    for i = 1, 3 do soft[i] = math.exp(i) / z end
  end

  it("computes its value on plain arguments", function()
    h.assert_number(logsumexp(x), math.log(math.exp(1) + math.exp(2) + math.exp(3)), 1e-14)
  end)

  it("uses the rule in reverse mode", function()
    h.assert_array(ad.grad(logsumexp)(x), soft, 1e-14)
  end)

  it("uses the rule in forward mode", function()
    local _, t = ad.make_jvp(logsumexp)(x)(np.array({ 1, 0, 2 }))
    h.assert_number(t, soft[1] + 2 * soft[3], 1e-14)
  end)

  it("composes to second order (the rule is written with traced operations)", function()
    local H = ad.hessian(logsumexp)(x)
    for i = 1, 3 do
      for j = 1, 3 do
        h.assert_near(H[{ i, j }], (i == j and soft[i] or 0) - soft[i] * soft[j], 1e-13)
      end
    end
    assert.is_true(ad.check_grads(logsumexp, { modes = { "rev", "fwd" }, order = 2 })(x))
  end)

  it("takes several arguments, one maker each", function()
    local mul = ad.primitive(function(a, b) return a * b end, "mul")
    ad.defvjp(mul, function(_, a, b) return function(g) return g * b end end,
      function(_, a, b) return function(g) return g * a end end)
    local ga, gb = ad.grad(function(a, b) return np.sum(mul(a, b)) end, { 1, 2 })(np.array({ 1, 2 }), 3)
    h.assert_array(ga, { 3, 3 }, 0)
    h.assert_number(gb, 3, 0)
  end)
end)

describe("primitive with defjvp only", function()
  local cube = ad.primitive(function(x) return x * x * x end, "cube")
  ad.defjvp(cube, function(g, ans, x) return g * 3 * x * x end)

  it("works in forward mode", function()
    local v, t = ad.make_jvp(cube)(np.array({ 1, 2 }))(np.array({ 1, 0.5 }))
    h.assert_array(v, { 1, 8 }, 0)
    h.assert_array(t, { 3, 6 }, 1e-15)
  end)

  it("works in reverse mode and to second order", function()
    h.assert_number(ad.grad(cube)(2), 12, 1e-14)
    h.assert_number(ad.grad(ad.grad(cube))(2), 12, 1e-13)
    assert.is_true(ad.check_grads(cube, { modes = { "rev", "fwd" }, order = 2 })(np.array({ 0.5, -1 })))
  end)
end)

describe("a defjvp rule that skips its work for a zero tangent", function()
  -- autograd's rules do this (`if anp.any(g)`); reverse mode transposes the
  -- rule, which must not be evaluated at a zero tangent then
  local square = ad.primitive(function(x) return x * x end, "square")
  ad.defjvp(square, function(g, ans, x)
    if ad.value(np.all(np.equal(g, 0))) == 1 then return np.zeros_like(x) end
    return 2 * g * x
  end)

  it("gives the right gradient in reverse mode, to second order", function()
    h.assert_array(ad.grad(function(x) return np.sum(square(x)) end)(np.array({ 1, -2, 3 })),
      { 2, -4, 6 }, 1e-15)
    h.assert_number(ad.grad(ad.grad(function(x) return square(x) end))(1.5), 2, 1e-14)
    assert.is_true(ad.check_grads(square, { modes = { "rev", "fwd" }, order = 2 })(np.array({ 0.5, -1 })))
  end)
end)

describe("a wrong rule", function()
  it("is caught by check_grads", function()
    local bad = ad.primitive(function(x) return np.sin(x) end, "bad_sin")
    ad.defvjp(bad, function(_, x) return function(g) return g * np.sin(x) end end)
    h.assert_error_matches(function() ad.check_grads(bad, { order = 1 })(0.5) end,
      "check_grads: reverse-mode derivative of order 1 doesn't match finite differences")
  end)
end)

describe("errors", function()
  it("a missing rule names the primitive and the argument", function()
    local p = ad.primitive(function(a, b) return a + b end, "plus")
    ad.defvjp(p, function() return function(g) return g end end)
    h.assert_error_matches(function() ad.grad(p, 2)(1, 2) end,
      "plus: no derivative rule for argument 2")
  end)

  it("an error in the user's function is raised, and the engine stays usable", function()
    local p = ad.primitive(function() error("boom", 0) end, "boomer")
    h.assert_error_matches(function() p(1) end, "boom")
    h.assert_error_matches(function() ad.grad(p)(1) end, "boom")
    h.assert_number(ad.grad(np.exp)(0), 1, 0)
  end)

  it("arguments must be arrays or numbers; rules only for primitives", function()
    local p = ad.primitive(function(a) return a end, "ident")
    h.assert_error_matches(function() p("x") end, "ident: argument 1 must be an array or a number, got a string")
    h.assert_error_matches(function() ad.defvjp(np.sin, function() end) end,
      "defvjp: the first argument must be a function made by ad.primitive")
  end)

  it("a rule that is not a function is refused by defvjp and defjvp, at the caller's line", function()
    local p = ad.primitive(function(a, b) return a * b end, "times")
    local msg = h.assert_error_matches(function() ad.defvjp(p, 3) end,
      "defvjp: the vjp maker for argument 1 of times must be a function or nil, got a number")
    assert.truthy(msg:find("custom_spec.lua:", 1, true), msg)
    h.assert_error_matches(function() ad.defjvp(p, nil, "g") end,
      "defjvp: the jvp rule for argument 2 of times must be a function or nil, got a string")
    -- nothing was set by the refused calls: no rule at all
    h.assert_error_matches(function() ad.grad(p)(2, 3) end, "times: no derivative rule for argument 1")
  end)

  it("a maker returning something other than a function names the primitive", function()
    local p = ad.primitive(function(x) return x * x end, "sq")
    ad.defvjp(p, function(_, x) return 2 * x end) -- forgot the function(g)
    h.assert_error_matches(function() ad.grad(p)(3) end,
      "sq: the vjp maker for argument 1 must return a function(g), returned a number")
    h.assert_error_matches(function() ad.make_jvp(p)(3)(1) end, "sq: the vjp maker for argument 1 must return")
    h.assert_number(ad.grad(np.exp)(0), 1, 0)
  end)
end)
