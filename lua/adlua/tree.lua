-- adlua.tree: parameters organised as (nested) Lua tables.
--
-- A tree is a number, an array, or a table (list-like, map-like or both)
-- of trees.  flatten(tree) lays the leaves out in one vector and returns
-- unflatten, which rebuilds a tree of the same structure from any vector
-- of that length -- with traced operations, so a traced vector gives a
-- traced tree (this is how grad & co differentiate with respect to tables).
-- Order: list part 1..n first, then the other keys sorted by their text.
local core = require "adlua.core"
local np = require "adlua.numpy"
local argcheck = require "adlua.argcheck"

local M = {}
local is_array = core.is_array
local unpack = unpack or table.unpack

local function keys_of(t)
  local n, keys, other = #t, {}, {}
  for i = 1, n do keys[i] = i end
  for _, k in ipairs(core.keys(t)) do -- keys taken in C, safe from Debian 12's LuaJIT (docs/luajit.md)
    if not (type(k) == "number" and k >= 1 and k <= n and k == math.floor(k)) then
      other[#other + 1] = k
    end
  end
  table.sort(other, function(a, b)
    if type(a) ~= type(b) then return type(a) < type(b) end
    return tostring(a) < tostring(b)
  end)
  for _, k in ipairs(other) do keys[#keys + 1] = k end
  return keys
end
M.keys_of = keys_of

--- Whether x is a table of parameters (not an array).
function M.is_tree(x) return type(x) == "table" and not is_array(x) end

--- map(f, tree, ...): f applied to the leaves of tree (and the leaves at
--- the same places of the other trees), in a tree of the same structure.
function M.map(f, tree, ...)
  if M.is_tree(tree) then
    local out, others = {}, { ... }
    for _, k in ipairs(keys_of(tree)) do
      local sub = {}
      for j, o in ipairs(others) do sub[j] = o[k] end
      out[k] = M.map(f, tree[k], unpack(sub, 1, #others))
    end
    return out
  end
  return f(tree, ...)
end

local function leaves(tree, acc, fname)
  if M.is_tree(tree) then
    for _, k in ipairs(keys_of(tree)) do leaves(tree[k], acc, fname) end
  elseif type(tree) == "number" or is_array(tree) then
    acc[#acc + 1] = tree
  else
    error(("%s: parameters must be numbers, arrays or tables of them, got a %s")
      :format(fname, type(tree)), 0)
  end
  return acc
end

--- flatten(tree): vector, unflatten.
function M.flatten(tree)
  return M.flatten_as("flatten", tree)
end

--- flatten_as(fname, tree): flatten(tree), its errors naming fname (for
--- the functions that flatten their arguments: grad & co).
function M.flatten_as(fname, tree)
  local parts, specs = {}, {}
  for i, leaf in ipairs(leaves(tree, {}, fname)) do
    if type(leaf) == "number" then
      parts[i], specs[i] = np.full({ 1 }, leaf), { size = 1 }
    else
      parts[i], specs[i] = np.reshape(leaf, { -1 }), { size = leaf.size, shape = leaf.shape }
    end
  end
  local vector = #parts == 0 and np.zeros({ 0 }) or np.concatenate(parts)
  local total = 0
  for _, s in ipairs(specs) do total = total + s.size end
  local function unflatten(v)
    local pos = 0
    local function build(t)
      if M.is_tree(t) then
        local out = {}
        for _, k in ipairs(keys_of(t)) do out[k] = build(t[k]) end
        return out
      end
      local leaf = t
      if type(leaf) == "number" then
        pos = pos + 1
        return v[pos]
      end
      if leaf.size == 0 then return np.zeros(leaf.shape, leaf.dtype) end -- no range to slice
      local piece = np.reshape(v[{ { pos + 1, pos + leaf.size } }], leaf.shape)
      pos = pos + leaf.size
      -- a float32 leaf among float64 ones (the vector is float64) comes
      -- back float32: the tree keeps its form, gradients their argument's
      if piece.dtype ~= leaf.dtype then piece = np.astype(piece, leaf.dtype) end
      return piece
    end
    if not is_array(v) or v.ndim ~= 1 then
      error(("unflatten: expected a vector (a 1-d array) of %d numbers, got %s")
        :format(total, argcheck.describe(v)), 2)
    end
    if v.size ~= total then
      error(("unflatten: expected a vector of %d numbers, got %d"):format(total, v.size), 2)
    end
    return build(tree)
  end
  return vector, unflatten
end

return M
