-- adlua.doc: documentation strings of the public functions, kept apart
-- from the code. Each file of this folder returns {["np.dot"] = text, ...};
-- a new function gets its docstring by adding an entry to one of them.

local each = require "adlua.each" -- pairs, safe from Debian 12's LuaJIT (docs/luajit.md)
local M = {}

M.sources = { "adlua.doc.autograd", "adlua.doc.numpy", "adlua.doc.plot",
  "adlua.doc.optim_datasets", "adlua.doc.mpi" }

local docs
local function all()
  if docs == nil then
    docs = {}
    for _, mod in ipairs(M.sources) do
      for name, text in each(require(mod)) do docs[name] = text end
    end
  end
  return docs
end

-- The public namespaces, with the prefix their docstrings use.
function M.namespaces()
  local out = {
    { "ad.", require "adlua" },
    { "np.", require "adlua.numpy" },
    { "plt.", require "adlua.plot" },
  }
  -- modules other branches add: documented once they exist
  for _, m in ipairs({ { "optim.", "adlua.optim" }, { "datasets.", "adlua.datasets" },
    { "mpi.", "adlua.mpi" } }) do
    local ok, mod = pcall(require, m[2])
    if ok and type(mod) == "table" then out[#out + 1] = { m[1], mod } end
  end
  return out
end

-- Every public function that exists: name -> function (np.linalg.* and
-- np.random.* included; names starting with _ are private).
function M.public_functions()
  local out = {}
  local function walk(prefix, t, depth)
    for k, v in each(t) do
      if type(k) == "string" and not k:match("^_") then
        if type(v) == "function" then
          out[prefix .. k] = v
        elseif type(v) == "table" and depth == 0 and prefix == "np." then
          walk(prefix .. k .. ".", v, 1)
        end
      end
    end
  end
  for _, ns in ipairs(M.namespaces()) do walk(ns[1], ns[2], 0) end
  return out
end

-- The docstring of a name ("np.dot"), or nil.
function M.get(name)
  return all()[name]
end

-- All docstrings: name -> text.
function M.all()
  return all()
end

-- The public name of a function value, e.g. np.dot -> "np.dot".
function M.name_of(fn)
  local best
  for name, f in each(M.public_functions()) do
    if f == fn and (best == nil or (all()[name] and not all()[best]) or
        (#name < #best and (all()[name] ~= nil) == (all()[best] ~= nil))) then
      best = name
    end
  end
  return best
end

-- help(x): prints the documentation of a function (or a name as a string).
function M.help(x)
  local name = type(x) == "string" and x or M.name_of(x)
  local text = name and all()[name]
  if text == nil then
    if name then
      print(("No documentation for %s."):format(name))
    else
      print("help(f) prints the documentation of an adlua function, e.g. help(np.dot); " ..
        "help(\"ad.grad\") works too. See docs/api.md for them all.")
    end
    return
  end
  local para, example = text:match("^(.-)\n(.*)$")
  print(name)
  print(para or text)
  if example then print("example:"); print(example) end
end

return M
