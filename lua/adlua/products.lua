-- adlua.products: inner, tensordot, einsum, trace and a batched matmul,
-- written as compositions of dot/reshape/transpose/take/sum so that they
-- differentiate to any order.
local core = require "adlua.core"
local check = require "adlua.argcheck"
local unpack = table.unpack or unpack -- Lua 5.4 has only table.unpack

return function(np)
  local is_array = core.is_array
  local matmul2 = np.matmul -- the C matmul of 1-d and 2-d operands
  local shape_of = check.shape_of

  -- x as an array or a number (a 0-d value), or an error naming fname.
  local function as_array(x, fname)
    return (check.array(fname or "np.einsum", x, 3)) -- no tail call: level counts this frame
  end

  local shape_str = check.shape_str

  local function norm_axis(fname, a, n)
    return (check.axis(fname, a, n, 3)) -- no tail call: level counts this frame
  end

  local function prod(t, from, to)
    local p = 1
    for i = from or 1, to or #t do p = p * t[i] end
    return p
  end

  --- np.tensordot(a, b, axes): axes a number N (the last N of a with the
  -- first N of b, default 2) or {{a axes}, {b axes}} (1-based).
  function np.tensordot(a, b, axes)
    a, b = as_array(a, "np.tensordot"), as_array(b, "np.tensordot")
    local sa, sb = shape_of(a), shape_of(b)
    local ax_a, ax_b = {}, {}
    axes = axes == nil and 2 or axes
    if type(axes) == "number" then
      check.whole("np.tensordot", "axes", axes, 0)
      if axes > #sa or axes > #sb then
        error(("np.tensordot: cannot sum over %s axes of shapes %s and %s")
          :format(check.fmt(axes), shape_str(sa), shape_str(sb)), 2)
      end
      for i = 1, axes do ax_a[i], ax_b[i] = #sa - axes + i, i end
    else
      if type(axes) ~= "table" or is_array(axes) or #axes ~= 2 then
        error(("np.tensordot: axes must be a whole number or a table {axes of a, axes of b}, got %s")
          :format(check.describe(axes)), 2)
      end
      local la = check.is_list(axes[1]) and axes[1] or { axes[1] }
      local lb = check.is_list(axes[2]) and axes[2] or { axes[2] }
      if #la ~= #lb then error("np.tensordot: shape-mismatch for sum", 2) end
      for i = 1, #la do
        ax_a[i], ax_b[i] = norm_axis("np.tensordot", la[i], #sa), norm_axis("np.tensordot", lb[i], #sb)
      end
    end
    local in_a, in_b = {}, {}
    for i = 1, #ax_a do
      if sa[ax_a[i]] ~= sb[ax_b[i]] then
        error(("np.tensordot: shape-mismatch for sum: shapes %s and %s, axis %d (length %d) ~= axis %d (length %d)")
          :format(shape_str(sa), shape_str(sb), ax_a[i], sa[ax_a[i]], ax_b[i], sb[ax_b[i]]), 2)
      end
      in_a[ax_a[i]], in_b[ax_b[i]] = true, true
    end
    local perm_a, perm_b, free_a, free_b, out = {}, {}, {}, {}, {}
    for i = 1, #sa do if not in_a[i] then perm_a[#perm_a + 1] = i; free_a[#free_a + 1] = sa[i] end end
    for i = 1, #ax_a do perm_a[#perm_a + 1] = ax_a[i] end
    for i = 1, #ax_b do perm_b[#perm_b + 1] = ax_b[i] end
    for i = 1, #sb do if not in_b[i] then perm_b[#perm_b + 1] = i; free_b[#free_b + 1] = sb[i] end end
    local k = 1
    for i = 1, #ax_a do k = k * sa[ax_a[i]] end
    local ma = np.reshape(#sa > 0 and np.transpose(a, perm_a) or a, { prod(free_a), k })
    local mb = np.reshape(#sb > 0 and np.transpose(b, perm_b) or b, { k, prod(free_b) })
    for _, n in ipairs(free_a) do out[#out + 1] = n end
    for _, n in ipairs(free_b) do out[#out + 1] = n end
    return np.reshape(np.dot(ma, mb), out)
  end

  --- np.inner(a, b): sum over the last axes of both (a product for scalars).
  function np.inner(a, b)
    if type(a) == "number" or type(b) == "number" then return np.multiply(a, b) end
    a, b = as_array(a, "np.inner"), as_array(b, "np.inner")
    if a.ndim == 0 or b.ndim == 0 then return a * b end
    local na, nb = a.shape[a.ndim], b.shape[b.ndim]
    if na ~= nb then
      error(("np.inner: shapes %s and %s not aligned: %d (axis %d) ~= %d (axis %d)")
        :format(shape_str(a.shape), shape_str(b.shape), na, a.ndim, nb, b.ndim), 2)
    end
    return np.tensordot(a, b, { { -1 }, { -1 } })
  end

  --- np.trace(x, offset, axis1, axis2): sum of a diagonal (default the main
  -- one of axes 1 and 2).
  function np.trace(x, offset, axis1, axis2)
    x = as_array(x, "np.trace")
    offset = check.whole("np.trace", "offset", offset or 0)
    if type(x) == "number" or x.ndim < 2 then
      error("np.trace: diag requires an array of at least two dimensions", 2)
    end
    axis1 = norm_axis("np.trace", axis1 or 1, x.ndim)
    axis2 = norm_axis("np.trace", axis2 or 2, x.ndim)
    if axis1 == axis2 then error("np.trace: axis1 and axis2 cannot be the same", 2) end
    local moved = np.moveaxis(x, { axis1, axis2 }, { -2, -1 })
    local s = moved.shape
    local n, m = s[#s - 1], s[#s]
    local pos = {}
    for i = math.max(1, 1 - offset), math.min(n, m - offset) do
      pos[#pos + 1] = (i - 1) * m + i + offset
    end
    local lead = {}
    for i = 1, #s - 2 do lead[i] = s[i] end
    if #pos == 0 then return #lead == 0 and 0 or np.zeros(lead) end
    lead[#lead + 1] = n * m
    local flat = np.reshape(moved, lead)
    return np.sum(core.take(flat, core.array(pos), #lead), -1)
  end

  --- np.matmul(a, b): NumPy's matmul; stacks of matrices broadcast.
  function np.matmul(a, b)
    if type(a) == "table" and not is_array(a) then a = core.array(a) end
    if type(b) == "table" and not is_array(b) then b = core.array(b) end
    -- the C matmul checks and multiplies everything but stacks of matrices
    if not (is_array(a) and is_array(b)) or (a.ndim <= 2 and b.ndim <= 2)
      or a.ndim == 0 or b.ndim == 0 then
      return matmul2(a, b)
    end
    local va, vb, shape_a, shape_b = a.ndim == 1, b.ndim == 1, a.shape, b.shape
    if va then a = np.reshape(a, { 1, a.shape[1] }) end
    if vb then b = np.reshape(b, { b.shape[1], 1 }) end
    local sa, sb = a.shape, b.shape
    if sa[#sa] ~= sb[#sb - 1] then
      error(("np.matmul: shapes %s and %s not aligned: %d (axis %d) ~= %d (axis %d)")
        :format(shape_str(shape_a), shape_str(shape_b), sa[#sa], #shape_a, sb[#sb - 1],
          math.max(#shape_b - 1, 1)), 2)
    end
    -- the stack axes (all but the last two) broadcast against each other
    for i = 1, math.min(#sa, #sb) - 2 do
      local p, q = sa[#sa - 1 - i], sb[#sb - 1 - i]
      if p ~= q and p ~= 1 and q ~= 1 then
        local stack_a, stack_b = { unpack(sa, 1, #sa - 2) }, { unpack(sb, 1, #sb - 2) }
        error(("np.matmul: operands could not be broadcast together: shapes %s and %s have stacks %s and %s")
          :format(shape_str(shape_a), shape_str(shape_b), shape_str(stack_a), shape_str(stack_b)), 2)
      end
    end
    -- (..., n, k, 1) * (..., 1, k, m) summed over k: broadcasting does the batches
    local r = check.renamed("np.matmul", 2, function()
      return np.sum(np.expand_dims(a, -1) * np.expand_dims(b, -3), -2)
    end)
    if va then r = np.squeeze(r, -2) end
    if vb then r = np.squeeze(r, -1) end
    return r
  end

  --- np.einsum(spec, a, b, ...): explicit ("ij,jk->ik") or implicit
  -- ("ij,jk": the letters used once, in order) subscripts, no ellipsis.
  -- Each operand is moved to a common order of letters and the product is
  -- summed over the letters not in the output.
  function np.einsum(spec, ...)
    local ops = { ... }
    if type(spec) ~= "string" then error("np.einsum: the first argument must be a subscripts string", 2) end
    spec = spec:gsub("%s", "")
    local lhs, rhs = spec:match("^(.-)%->(.*)$")
    if not lhs then lhs = spec end
    local terms = {}
    for t in (lhs .. ","):gmatch("([^,]*),") do terms[#terms + 1] = t end
    if #terms ~= #ops then
      error(("np.einsum: %d subscripts for %d operands"):format(#terms, #ops), 2)
    end
    local size, count, letters = {}, {}, {}
    for i, t in ipairs(terms) do
      if t:find("[^%a]") then error("np.einsum: subscripts are letters (no ellipsis)", 2) end
      ops[i] = as_array(ops[i])
      local shape = shape_of(ops[i])
      if #t ~= #shape then
        error(("np.einsum: operand %d has %d axes but subscripts '%s'"):format(i, #shape, t), 2)
      end
      for j = 1, #t do
        local c = t:sub(j, j)
        if size[c] and size[c] ~= shape[j] and size[c] ~= 1 and shape[j] ~= 1 then
          error(("np.einsum: size of label '%s' for operand %d (%d) does not match previous terms (%d)")
            :format(c, i, shape[j], size[c]), 2)
        end
        if not size[c] then letters[#letters + 1] = c end
        size[c] = math.max(size[c] or 1, shape[j])
        count[c] = (count[c] or 0) + 1
      end
    end
    if not rhs then
      local once = {}
      for _, c in ipairs(letters) do if count[c] == 1 then once[#once + 1] = c end end
      table.sort(once)
      rhs = table.concat(once)
    end
    -- the common order: output letters first, then the summed ones
    local order, pos = {}, {}
    for j = 1, #rhs do
      local c = rhs:sub(j, j)
      if not size[c] then error(("np.einsum: output label '%s' is not in the inputs"):format(c), 2) end
      if pos[c] then error(("np.einsum: output label '%s' repeated"):format(c), 2) end
      order[#order + 1] = c; pos[c] = #order
    end
    for _, c in ipairs(letters) do if not pos[c] then order[#order + 1] = c; pos[c] = #order end end
    local product
    for i, t in ipairs(terms) do
      local x = ops[i]
      -- repeated letters in one term (a diagonal): take it first
      local seen, j = {}, 1
      while j <= #t do
        local c = t:sub(j, j)
        if seen[c] then
          local k = seen[c]
          x = np.moveaxis(x, { k, j }, { -2, -1 })
          local s = x.shape
          local n, dpos = s[#s], {}
          for d = 1, n do dpos[d] = (d - 1) * n + d end
          local lead = {}
          for q = 1, #s - 2 do lead[q] = s[q] end
          lead[#lead + 1] = n * n
          x = core.take(np.reshape(x, lead), core.array(dpos), #lead)
          t = t:sub(1, k - 1) .. t:sub(k + 1, j - 1) .. t:sub(j + 1) .. c
          x = x -- the diagonal axis is now last, labelled c
          seen = {}
          j = 1
        else
          seen[c] = j
          j = j + 1
        end
      end
      -- transpose to the common order and insert axes of length 1
      local perm, shape = {}, {}
      local at = {}
      for q = 1, #t do at[t:sub(q, q)] = q end
      for _, c in ipairs(order) do
        if at[c] then perm[#perm + 1] = at[c] end
      end
      if #perm > 1 then x = np.transpose(x, perm) end
      local xs, k = shape_of(x), 1
      for q, c in ipairs(order) do
        if at[c] then shape[q] = xs[k]; k = k + 1 else shape[q] = 1 end
      end
      if #shape > 0 then x = np.reshape(x, shape) end
      product = product and product * x or x
    end
    local summed = {}
    for q = #rhs + 1, #order do summed[#summed + 1] = q end
    if #summed > 0 then product = np.sum(product, summed) end
    if #rhs == 0 and is_array(product) and product.ndim > 0 then product = np.sum(product) end
    return product
  end
end
