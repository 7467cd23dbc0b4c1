-- luacheck's settings (Debian's lua-check), for `make lint` (scripts/lint.sh).
exclude_files = { "build*/**" }
std = "max" -- the modules run on LuaJIT and on PUC Lua 5.4
max_line_length = 120
ignore = {
    "212", -- unused argument: callbacks keep their signatures (autograd's maker(ans, x, y))
    "431", -- shadowing an upvalue: loss functions name parameters after the data they get
    "581", -- `not (x <= y)`: comparisons written to be true for NaN, on purpose
}
-- reference values, docstrings and data come in long lines
files["tests/lua"] = { std = "+busted", max_line_length = false }
files["tests/fixtures"] = { max_line_length = false }
files["lua/adlua/doc"] = { max_line_length = false }
files["lua/adlua/datasets"] = { max_line_length = false }
files["tests/lua/plot_spec.lua"] = { globals = { "io", "os" } } -- it stubs io.write and os.getenv a moment
