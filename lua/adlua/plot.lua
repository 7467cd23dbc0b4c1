-- adlua.plot: matplotlib's pyplot names, drawn by gnuplot.
--
-- The module keeps a current figure (a grid of axes, each a list of series
-- and its titles, labels, limits), as pyplot does. Nothing is drawn until
-- savefig or show: then the figure becomes one gnuplot script (data inline
-- as datablocks) that gnuplot reads through a pipe.
--
-- Options are matplotlib's keyword arguments, given as a table; each
-- function implements those that map onto gnuplot and refuses any other
-- name, so that nothing a user asks for is silently ignored.
--
--   local plt = require "adlua.plot"
--   plt.plot(x, y, "r-", {label = "f"}); plt.legend(); plt.savefig("f.png")

local each = require "adlua.each" -- pairs, safe from Debian 12's LuaJIT (docs/luajit.md)

local M = {}

-- matplotlib's colour letters (BASE_COLORS: 'r' is pure red, 'g' is dark green)
local COLORS = {
    b = "#0000ff", g = "#008000", r = "#ff0000", c = "#00bfbf",
    m = "#bf00bf", y = "#bfbf00", k = "#000000", w = "#ffffff",
}
-- matplotlib's default colour cycle (tab:blue, tab:orange, ...; also "C0".."C9")
local CYCLE = { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf" }
-- matplotlib's colour names: the tableau colours and CSS4's (matplotlib's
-- _color_data.CSS4_COLORS); its xkcd: names are not known here.
local NAMED_COLORS = {
    ["tab:blue"] = CYCLE[1], ["tab:orange"] = CYCLE[2], ["tab:green"] = CYCLE[3],
    ["tab:red"] = CYCLE[4], ["tab:purple"] = CYCLE[5], ["tab:brown"] = CYCLE[6],
    ["tab:pink"] = CYCLE[7], ["tab:gray"] = CYCLE[8], ["tab:grey"] = CYCLE[8],
    ["tab:olive"] = CYCLE[9], ["tab:cyan"] = CYCLE[10],
}
for name, hex in ([[
aliceblue f0f8ff antiquewhite faebd7 aqua 00ffff aquamarine 7fffd4 azure f0ffff
beige f5f5dc bisque ffe4c4 black 000000 blanchedalmond ffebcd blue 0000ff
blueviolet 8a2be2 brown a52a2a burlywood deb887 cadetblue 5f9ea0 chartreuse 7fff00
chocolate d2691e coral ff7f50 cornflowerblue 6495ed cornsilk fff8dc crimson dc143c
cyan 00ffff darkblue 00008b darkcyan 008b8b darkgoldenrod b8860b darkgray a9a9a9
darkgreen 006400 darkgrey a9a9a9 darkkhaki bdb76b darkmagenta 8b008b
darkolivegreen 556b2f darkorange ff8c00 darkorchid 9932cc darkred 8b0000
darksalmon e9967a darkseagreen 8fbc8f darkslateblue 483d8b darkslategray 2f4f4f
darkslategrey 2f4f4f darkturquoise 00ced1 darkviolet 9400d3 deeppink ff1493
deepskyblue 00bfff dimgray 696969 dimgrey 696969 dodgerblue 1e90ff firebrick b22222
floralwhite fffaf0 forestgreen 228b22 fuchsia ff00ff gainsboro dcdcdc
ghostwhite f8f8ff gold ffd700 goldenrod daa520 gray 808080 green 008000
greenyellow adff2f grey 808080 honeydew f0fff0 hotpink ff69b4 indianred cd5c5c
indigo 4b0082 ivory fffff0 khaki f0e68c lavender e6e6fa lavenderblush fff0f5
lawngreen 7cfc00 lemonchiffon fffacd lightblue add8e6 lightcoral f08080
lightcyan e0ffff lightgoldenrodyellow fafad2 lightgray d3d3d3 lightgreen 90ee90
lightgrey d3d3d3 lightpink ffb6c1 lightsalmon ffa07a lightseagreen 20b2aa
lightskyblue 87cefa lightslategray 778899 lightslategrey 778899
lightsteelblue b0c4de lightyellow ffffe0 lime 00ff00 limegreen 32cd32 linen faf0e6
magenta ff00ff maroon 800000 mediumaquamarine 66cdaa mediumblue 0000cd
mediumorchid ba55d3 mediumpurple 9370db mediumseagreen 3cb371
mediumslateblue 7b68ee mediumspringgreen 00fa9a mediumturquoise 48d1cc
mediumvioletred c71585 midnightblue 191970 mintcream f5fffa mistyrose ffe4e1
moccasin ffe4b5 navajowhite ffdead navy 000080 oldlace fdf5e6 olive 808000
olivedrab 6b8e23 orange ffa500 orangered ff4500 orchid da70d6 palegoldenrod eee8aa
palegreen 98fb98 paleturquoise afeeee palevioletred db7093 papayawhip ffefd5
peachpuff ffdab9 peru cd853f pink ffc0cb plum dda0dd powderblue b0e0e6
purple 800080 rebeccapurple 663399 red ff0000 rosybrown bc8f8f royalblue 4169e1
saddlebrown 8b4513 salmon fa8072 sandybrown f4a460 seagreen 2e8b57 seashell fff5ee
sienna a0522d silver c0c0c0 skyblue 87ceeb slateblue 6a5acd slategray 708090
slategrey 708090 snow fffafa springgreen 00ff7f steelblue 4682b4 tan d2b48c
teal 008080 thistle d8bfd8 tomato ff6347 turquoise 40e0d0 violet ee82ee
wheat f5deb3 white ffffff whitesmoke f5f5f5 yellow ffff00 yellowgreen 9acd32
]]):gmatch("(%S+) (%x+)") do
    NAMED_COLORS[name] = "#" .. hex
end

-- gnuplot point types for matplotlib's markers (filled where matplotlib's are)
local MARKERS = { ["."] = 0, [","] = 0, o = 7, x = 2, ["+"] = 1, ["*"] = 3, s = 5,
                  d = 13, D = 13, ["^"] = 9, v = 11, p = 15 }
local MARKER_NAMES = ". , o v ^ s p * + x D d, or 'None'"
-- gnuplot dash types for matplotlib's line styles (false: no line)
local DASHES = { ["-"] = 1, ["--"] = 2, [":"] = 3, ["-."] = 4 }
local LINESTYLES = { ["-"] = 1, ["--"] = 2, [":"] = 3, ["-."] = 4, solid = 1,
                     dashed = 2, dotted = 3, dashdot = 4, None = false, none = false,
                     [" "] = false, [""] = false }
-- What draws nothing, as a marker or a line style.
local NONE = { None = true, none = true, [" "] = true, [""] = true }

-- matplotlib's Line2D defaults: 1.5 pt lines, 6 pt markers. gnuplot's
-- default point (ps 1) is about 6 pt wide, so ps = markersize / 6.
local LINEWIDTH, MARKERSIZE = 1.5, 6

-- The base font of every terminal, in points, and matplotlib's named sizes
-- relative to it (font_manager.font_scalings).
local FONT = "DejaVu Sans"
local FONTSIZE = 11
local FONT_SCALINGS = {
    ["xx-small"] = 0.579, ["x-small"] = 0.694, small = 0.833, medium = 1.0,
    large = 1.2, ["x-large"] = 1.44, ["xx-large"] = 1.728, larger = 1.2, smaller = 0.833,
}

-- matplotlib's figure: 100 dots per inch; adlua's default size is 8 x 6 inches.
local DPI, FIGSIZE = 100, { 8, 6 }
local FORMATS = { png = true, svg = true, pdf = true }

local INSTALL_HINT = "gnuplot not found: adlua.plot draws with gnuplot; " ..
    "install it with `sudo apt install gnuplot-nox` (or `make setup`)"

---------------------------------------------------------------------------
-- Values: arrays, tables or numbers to plain Lua lists of numbers
---------------------------------------------------------------------------

local function is_array(v)
    local t = type(v)
    if t ~= "userdata" and t ~= "table" and t ~= "cdata" then return false end
    local ok, shape = pcall(function() return v.shape end)
    return ok and type(shape) == "table"
end

local function flat(v)
    if v[1] == nil then return {} end
    if type(v[1]) == "table" and not is_array(v[1]) then
        local out = {}
        for _, row in ipairs(v) do
            for _, x in ipairs(flat(row)) do out[#out + 1] = x end
        end
        return out
    end
    local out = {}
    for i, x in ipairs(v) do out[i] = tonumber(x) end
    return out
end

-- The plain Lua value of an array (nested tables), or v itself.
local function plain(v)
    if not is_array(v) then return v end
    local ok, ad = pcall(require, "adlua")
    if ok and ad.value then v = ad.value(v) end
    if type(v) == "number" then return v end
    return v:totable()
end

-- A list of numbers from an array (any shape, flattened), a Lua table or a number.
local function tolist(v, fname, what)
    if type(v) == "number" then return { v } end
    if is_array(v) then
        v = plain(v)
        if type(v) == "number" then return { v } end
        return flat(v)
    end
    if type(v) == "table" then return flat(v) end
    error(string.format("%s: %s must be an array, a table or a number, got %s",
        fname, what, type(v)), 3)
end

-- Column lists of a 2-d array or table of rows: plot(x, Y) draws one line per column.
local function columns(v)
    local rows
    if is_array(v) then
        if v.ndim ~= 2 then return nil end
        rows = v:totable()
    elseif type(v) == "table" and type(v[1]) == "table" and not is_array(v[1]) then
        rows = v
    else
        return nil
    end
    local cols = {}
    for j = 1, #rows[1] do
        cols[j] = {}
        for i = 1, #rows do cols[j][i] = tonumber(rows[i][j]) end
    end
    return cols
end

local function finite(v)
    return type(v) == "number" and v == v and v ~= math.huge and v ~= -math.huge
end

-- Whether v is an options table (a Lua table that is not a list): f(x, opts).
local function is_options(v)
    return type(v) == "table" and not is_array(v) and v[1] == nil
end

---------------------------------------------------------------------------
-- Options. The checks return nil and a message; the public function raises
-- it (raise, at its caller's line).
---------------------------------------------------------------------------

-- Raises "fname: err" at the line that called the public function calling raise.
local function raise(fname, err)
    if err then error(fname .. ": " .. err, 3) end
end

-- opts (nil: none) checked against the names of supported, a list.
local function check_options(opts, supported)
    if opts == nil then return {} end
    if type(opts) ~= "table" or is_array(opts) then
        return nil, "opts must be a table of options, got " .. (is_array(opts) and "an array" or type(opts))
    end
    local known = {}
    for _, name in ipairs(supported) do known[name] = true end
    for k in each(opts) do
        if not known[k] then
            return nil, string.format("unknown option '%s' (supported: %s)", tostring(k),
                table.concat(supported, ", "))
        end
    end
    return opts
end

-- opts[name] or opts[alias] (matplotlib's short names: lw, ls, ms, c), not both.
local function aliased(opts, name, alias)
    if opts[name] ~= nil and opts[alias] ~= nil then
        return nil, string.format("got both '%s' and '%s', which are aliases of one another",
            name, alias)
    end
    if opts[name] ~= nil then return opts[name] end
    return opts[alias]
end

local function byte(v) return string.format("%02x", math.floor(v * 255 + 0.5)) end

local COLOR_HELP = "a colour letter b g r c m y k w, a name such as 'orange' or 'tab:blue', " ..
    "'C0'..'C9', '#rrggbb', '#rrggbbaa', a grey level such as '0.5', or {r, g, b[, a]} in 0..1"

-- A matplotlib colour (colors.to_rgba's forms) as "#rrggbb" and its alpha
-- (nil when the colour gives none), and true for "none" (transparent, which
-- an alpha option does not change); nil and a message when v is not one.
-- what names the option in messages.
local function parse_color(v, what)
    if type(v) == "string" then
        if v:lower() == "none" then return "#000000", 0, true end
        local hex = COLORS[v] or NAMED_COLORS[v] or (#v > 1 and NAMED_COLORS[v:lower()])
        if hex then return hex end
        local n = v:match("^C(%d+)$")
        if n then return CYCLE[tonumber(n) % #CYCLE + 1] end
        if v:match("^#%x+$") then
            local h = v:sub(2):lower()
            if #h == 3 or #h == 4 then h = h:gsub(".", "%0%0") end
            if #h == 6 then return "#" .. h end
            if #h == 8 then return "#" .. h:sub(1, 6), tonumber(h:sub(7, 8), 16) / 255 end
        end
        local grey = v:match("^%s*[%d.]+%s*$") and tonumber(v)
        if grey and grey >= 0 and grey <= 1 then
            local b = byte(grey)
            return "#" .. b .. b .. b
        end
        return nil, string.format("%s '%s' is not a colour (give %s)", what, v, COLOR_HELP)
    end
    local t = plain(v)
    if type(t) == "table" and (#t == 3 or #t == 4) then
        local ok = true
        for i = 1, #t do
            if type(t[i]) ~= "number" or not (t[i] >= 0 and t[i] <= 1) then ok = false end
        end
        if ok then return "#" .. byte(t[1]) .. byte(t[2]) .. byte(t[3]), t[4] end
    end
    if type(t) == "table" then
        return nil, string.format("%s as a table must be {r, g, b} or {r, g, b, a} with " ..
            "values in 0..1 (or give %s)", what, COLOR_HELP)
    end
    return nil, string.format("%s must be a colour, got %s (give %s)", what, type(v), COLOR_HELP)
end

-- alpha (nil: none given) checked as matplotlib does.
local function check_alpha(a)
    if a == nil then return nil end
    if type(a) ~= "number" then
        return nil, "alpha must be a number between 0 and 1" ..
            ((type(a) == "table" or is_array(a)) and " (an alpha per point is not supported)" or
            ", got " .. type(a))
    end
    if not (a >= 0 and a <= 1) then
        return nil, "alpha must be between 0 and 1, got " .. tostring(a)
    end
    return a
end

-- A size option: a finite number >= 0 (or > 0 when positive).
local function check_size(v, what, positive)
    if v == nil then return nil end
    if not finite(v) or v < 0 or (positive and v == 0) then
        return nil, string.format("%s must be a %s number, got %s", what,
            positive and "positive" or "non-negative", tostring(v))
    end
    return v
end

-- gnuplot's colour for "#rrggbb" and alpha: "#AArrggbb" with AA the
-- transparency (255 - 255 alpha) when not opaque.
local function gp_color(hex, alpha)
    if alpha == nil or alpha >= 1 then return hex end
    return "#" .. byte(1 - alpha) .. hex:sub(2)
end

-- The same as a number, for gnuplot's "lc rgb variable" column.
local function gp_color_number(hex, alpha)
    return tonumber(gp_color(hex, alpha):sub(2), 16)
end

-- A font size option: points, or matplotlib's names ("large") relative to
-- the terminals' font.
local function font_size(v, what)
    if v == nil then return nil end
    if type(v) == "string" and FONT_SCALINGS[v] then return FONTSIZE * FONT_SCALINGS[v] end
    if finite(v) and v > 0 then return v end
    return nil, string.format("%s must be a positive number of points or one of xx-small, " ..
        "x-small, small, medium, large, x-large, xx-large, larger, smaller; got %s",
        what, tostring(v))
end

-- The colour, alpha, line and marker of Line2D's options (plot, grid):
-- {color, alpha, dash (false: no line), width, marker (false: none), ps}
-- with nil for what opts does not give.
local function line_style(opts)
    local st = {}
    local v, err = aliased(opts, "color", "c")
    if err then return nil, err end
    if v ~= nil then
        st.color, st.alpha, st.none = parse_color(v, "color")
        if not st.color then return nil, st.alpha end
    end
    if opts.alpha ~= nil then
        v, err = check_alpha(opts.alpha)
        if err then return nil, err end
        if not st.none then st.alpha = v end -- replaces the colour's own, as matplotlib
    end
    v, err = aliased(opts, "linewidth", "lw")
    if err then return nil, err end
    st.width, err = check_size(v, "linewidth")
    if err then return nil, err end
    v, err = aliased(opts, "linestyle", "ls")
    if err then return nil, err end
    if v ~= nil then
        st.dash = LINESTYLES[v]
        if st.dash == nil then
            return nil, string.format("linestyle %s is not supported (supported: '-', '--', " ..
                "'-.', ':', 'solid', 'dashed', 'dashdot', 'dotted', 'None')",
                type(v) == "string" and ("'" .. v .. "'") or ("as a " .. type(v)))
        end
    end
    if opts.marker ~= nil then
        if NONE[opts.marker] then
            st.marker = false
        else
            st.marker = MARKERS[opts.marker]
            if st.marker == nil then
                return nil, string.format("marker '%s' is not supported (supported: %s)",
                    tostring(opts.marker), MARKER_NAMES)
            end
        end
    end
    v, err = aliased(opts, "markersize", "ms")
    if err then return nil, err end
    v, err = check_size(v, "markersize")
    if err then return nil, err end
    if v then st.ps = v / MARKERSIZE end
    return st
end

---------------------------------------------------------------------------
-- Figure state
---------------------------------------------------------------------------

local fig -- the current figure

local function new_axes()
    -- cycles: matplotlib's two colour cycles, one for lines (plot), one for
    -- patches and collections (hist, scatter); each advances only for a
    -- series given no colour
    return { series = {}, legend = false, gridx = false, gridy = false,
             cycles = { lines = 0, patches = 0 } }
end

local function new_figure(opts)
    opts = opts or {}
    fig = { rows = 1, cols = 1, axes = { new_axes() }, current = 1,
            size = opts.figsize, dpi = opts.dpi }
    return fig
end

local function gca()
    if fig == nil then new_figure() end
    local ax = fig.axes[fig.current]
    if ax == nil then
        ax = new_axes()
        fig.axes[fig.current] = ax
    end
    return ax
end

--- fmt: "[color][marker][line]" in any order, as matplotlib reads it.
local function parse_fmt(fmt, fname)
    local style = {}
    if fmt == nil then return style end
    local s, i = fmt, 1
    while i <= #s do
        local two, one = s:sub(i, i + 1), s:sub(i, i)
        if DASHES[two] then
            style.dash = DASHES[two]; i = i + 2
        elseif DASHES[one] then
            style.dash = DASHES[one]; i = i + 1
        elseif COLORS[one] then
            style.color = COLORS[one]; i = i + 1
        elseif MARKERS[one] then
            style.marker = MARKERS[one]; i = i + 1
        else
            error(string.format("%s: unrecognized character '%s' in format string '%s'",
                fname, one, fmt), 3)
        end
    end
    return style
end

-- Adds series s to ax, coloured by the cycle ("lines" or "patches") when it
-- has no colour of its own.
local function add_series(ax, s, cycle)
    if s.color == nil and s.colors == nil then
        local n = ax.cycles[cycle]
        s.color = CYCLE[n % #CYCLE + 1]
        ax.cycles[cycle] = n + 1
    end
    ax.series[#ax.series + 1] = s
end

---------------------------------------------------------------------------
-- pyplot's functions
---------------------------------------------------------------------------

local FIGURE_OPTIONS = { "figsize", "dpi" }

-- figsize = {w, h} in inches: the list, or nil and a message.
local function check_figsize(v)
    if v == nil then return nil end
    local t = plain(v)
    if type(t) ~= "table" or #t ~= 2 or not (finite(t[1]) and finite(t[2]) and t[1] > 0 and t[2] > 0) then
        return nil, "figsize must be {width, height}, two positive numbers of inches"
    end
    return { t[1], t[2] }
end

--- figure(opts?): starts a new figure; opts: figsize = {w, h} in inches,
-- dpi (dots per inch of PNG output and windows, default 100).
function M.figure(opts)
    if opts ~= nil and not is_options(opts) then
        error("plot.figure: expected figure(opts), opts a table such as {figsize = {8, 4}}, got "
            .. (type(opts) == "number" and "a number (numbered figures are not supported: " ..
            "there is one current figure)" or type(opts)), 2)
    end
    local o, err = check_options(opts, FIGURE_OPTIONS)
    raise("plot.figure", err)
    local size, dpi
    size, err = check_figsize(o.figsize)
    raise("plot.figure", err)
    dpi, err = check_size(o.dpi, "dpi", true)
    raise("plot.figure", err)
    new_figure({ figsize = size, dpi = dpi })
    return fig
end

-- The text setters' work (title, xlabel, ylabel): nil or a message.
local TEXT_OPTIONS = { "fontsize", "size", "color", "c" }
local function set_text(ax, field, text, opts)
    if text ~= nil and type(text) ~= "string" and type(text) ~= "number" then
        return "expected a string, got " .. type(text)
    end
    local o, err = check_options(opts, TEXT_OPTIONS)
    if err then return err end
    local style = {}
    local v
    v, err = aliased(o, "fontsize", "size")
    if err then return err end
    style.font, err = font_size(v, "fontsize")
    if err then return err end
    v, err = aliased(o, "color", "c")
    if err then return err end
    if v ~= nil then
        local hex, alpha = parse_color(v, "color")
        if not hex then return alpha end
        style.color = gp_color(hex, alpha)
    end
    ax[field] = text and tostring(text) or nil
    ax[field .. "_style"] = style
end

-- matplotlib's widening of a range too narrow to draw (Locator.nonsingular:
-- mtransforms.nonsingular with expander 0.05): xlim(2, 2) draws [1.9, 2.1].
local function nonsingular(lo, hi)
    local swapped = hi < lo
    if swapped then lo, hi = hi, lo end
    local big = math.max(math.abs(lo), math.abs(hi))
    if big < 1e6 / 1e-15 * 2.2250738585072014e-308 then
        lo, hi = -0.05, 0.05
    elseif hi - lo <= big * 1e-15 then
        lo, hi = lo - 0.05 * math.abs(lo), hi + 0.05 * math.abs(hi)
    end
    if swapped then lo, hi = hi, lo end
    return lo, hi
end

-- The limits' work (xlim, ylim): nil or a message.
local function set_limits(ax, field, lo, hi)
    if type(lo) == "table" and not is_array(lo) and hi == nil then
        for k in each(lo) do
            if k ~= 1 and k ~= 2 then
                return string.format("unknown option '%s' (expected %s(lo, hi) or %s({lo, hi}))",
                    tostring(k), field, field)
            end
        end
        lo, hi = lo[1], lo[2]
    end
    if type(lo) ~= "number" or type(hi) ~= "number" then
        return string.format("expected two numbers (%s(lo, hi))", field)
    end
    if not finite(lo) or not finite(hi) then
        return string.format("limits must be finite, got %s and %s", tostring(lo), tostring(hi))
    end
    ax[field] = { nonsingular(lo, hi) }
end

local SUBPLOT_OPTIONS = { "title", "xlabel", "ylabel", "xlim", "ylim" }

local function whole(v) return finite(v) and v % 1 == 0 end

--- subplot(rows, cols, index, opts?): selects (creating) the index-th axes,
-- 1-based row-major as in matplotlib; subplot(221) also works. opts: title,
-- xlabel, ylabel, xlim = {lo, hi}, ylim, set on the selected axes.
function M.subplot(rows, cols, index, opts)
    if opts == nil and index == nil and is_options(cols) then cols, opts = nil, cols end
    if rows == nil and cols == nil then rows = 111 end
    if cols == nil and whole(rows) and rows >= 111 and rows <= 999 then
        rows, cols, index = math.floor(rows / 100), math.floor(rows / 10) % 10, rows % 10
    end
    if not (whole(rows) and whole(cols) and whole(index) and rows >= 1 and cols >= 1) then
        error("plot.subplot: expected (rows, cols, index) of positive whole numbers, " ..
            "e.g. subplot(2, 1, 1) or subplot(211)", 2)
    end
    if index < 1 or index > rows * cols then
        error(string.format("plot.subplot: index %d out of range 1..%d for a %dx%d grid",
            index, rows * cols, rows, cols), 2)
    end
    local o, err = check_options(opts, SUBPLOT_OPTIONS)
    raise("plot.subplot", err)
    -- the options' settings, checked before anything changes
    local settings = {}
    for _, name in ipairs({ "title", "xlabel", "ylabel" }) do
        if o[name] ~= nil then
            err = set_text(settings, name, o[name])
            raise("plot.subplot", err and (name .. ": " .. err))
        end
    end
    for _, name in ipairs({ "xlim", "ylim" }) do
        if o[name] ~= nil then
            if type(o[name]) == "table" then
                err = set_limits(settings, name, o[name])
            else
                err = "expected {lo, hi}, two numbers"
            end
            raise("plot.subplot", err and (name .. ": " .. err))
        end
    end
    if fig == nil then new_figure() end
    if fig.rows ~= rows or fig.cols ~= cols then
        -- a new grid: keep the first axes' contents only when it was empty
        fig.rows, fig.cols = rows, cols
        local first = fig.axes[1]
        fig.axes = {}
        if first and #first.series > 0 and index ~= 1 then fig.axes[1] = first end
    end
    fig.current = index
    local ax = gca()
    for k, v in each(settings) do ax[k] = v end
    return ax
end

local PLOT_OPTIONS = { "color", "c", "alpha", "label", "linewidth", "lw", "linestyle", "ls",
                       "marker", "markersize", "ms" }

--- plot(y) | plot(x, y, fmt?, opts?): lines (and/or markers) through the
-- points. opts: color (c), alpha, label, linewidth (lw), linestyle (ls),
-- marker, markersize (ms); they take precedence over fmt, as in matplotlib.
function M.plot(x, y, fmt, opts, ...)
    if type(y) == "string" or (y == nil) or (type(y) == "table" and not is_array(y)
            and y[1] == nil and next(y) ~= nil) then
        -- plot(y), plot(y, fmt), plot(y, opts)
        x, y, fmt, opts = nil, x, y, fmt
    end
    if type(fmt) == "table" and opts == nil and is_options(fmt) then fmt, opts = nil, fmt end
    if select("#", ...) > 0 or (fmt ~= nil and type(fmt) ~= "string") then
        error("plot.plot: expected plot(x, y, fmt?, opts?) with fmt a string and opts a table " ..
            "(several lines in one call are not supported: call plot once per line)", 2)
    end
    if y == nil then error("plot.plot: nothing to plot (expected plot(x, y, fmt?, opts?))", 2) end
    local o, err = check_options(opts, PLOT_OPTIONS)
    raise("plot.plot", err)
    local st
    st, err = line_style(o)
    raise("plot.plot", err)
    local style = parse_fmt(fmt, "plot.plot")
    local ycols = columns(y) or { tolist(y, "plot.plot", "y") }
    local xs
    if x ~= nil then
        xs = tolist(x, "plot.plot", "x")
    else
        xs = {}
        for i = 1, #ycols[1] do xs[i] = i - 1 end -- matplotlib's default x: 0..n-1
    end
    local labels = o.label
    if type(labels) == "table" and not is_array(labels) then
        if #labels ~= #ycols then
            error(string.format("plot.plot: label must be a string, or a list of one label " ..
                "per line: got %d for %d lines", #labels, #ycols), 2)
        end
    elseif labels ~= nil and type(labels) ~= "string" and type(labels) ~= "number" then
        error("plot.plot: label must be a string, got " .. type(labels), 2)
    end
    -- fmt's marker alone draws no line, as matplotlib; options override fmt
    local dash = st.dash
    if dash == nil then dash = style.dash or (style.marker == nil and 1) or false end
    local marker = st.marker
    if marker == nil then marker = style.marker or false end
    local ax = gca()
    for j, ys in ipairs(ycols) do
        if #xs ~= #ys then
            error(string.format("plot.plot: x and y must have the same length, got %d and %d",
                #xs, #ys), 2)
        end
        local label = labels
        if type(label) == "table" then label = label[j] end
        add_series(ax, {
            kind = "lines", x = xs, y = ys, label = label ~= nil and tostring(label) or nil,
            color = st.color or style.color, alpha = st.alpha,
            lines = dash ~= false, dash = dash or nil, width = st.width or LINEWIDTH,
            marker = marker or nil, ps = st.ps,
        }, "lines")
    end
end

local SCATTER_OPTIONS = { "s", "c", "color", "marker", "alpha", "label" }

-- scatter's s (matplotlib: the marker's area in points^2) as gnuplot's
-- point size, one for all points (a number) or one per point (a list).
local function scatter_sizes(s, n)
    if s == nil then return nil end
    if type(s) == "number" then
        local v, err = check_size(s, "s")
        if err then return nil, err end
        return math.sqrt(v) / MARKERSIZE
    end
    local t = plain(s)
    if type(t) ~= "table" then
        return nil, "s must be a number or one number per point, got " .. type(s)
    end
    t = flat(t)
    if #t == 1 then return scatter_sizes(t[1], n) end
    if #t ~= n then
        return nil, string.format("s must be a number or one number per point, got %d sizes " ..
            "for %d points", #t, n)
    end
    local sizes = {}
    for i, v in ipairs(t) do
        local _, err = check_size(v, "s")
        if err then return nil, err .. " (point " .. i .. ")" end
        sizes[i] = math.sqrt(v) / MARKERSIZE
    end
    return nil, nil, sizes
end

-- scatter's c: one colour ("#rrggbb" and alpha), or one per point (a list
-- of {"#rrggbb", alpha}). matplotlib takes n numbers for n points as values
-- to colour-map, which adlua does not do.
local function scatter_colors(c, n)
    if type(c) == "string" then
        local hex, alpha, none = parse_color(c, "c")
        if not hex then return nil, alpha end
        return { hex, alpha, none }
    end
    local t = plain(c)
    if type(t) ~= "table" then
        return nil, "c must be a colour or one colour per point, got " .. type(c)
    end
    if #t == n and n > 0 and type(t[1]) == "number" then
        return nil, "c as numbers to colour-map (one per point) is not supported; give a colour " ..
            "(c = \"r\"), or one colour per point (for one RGB colour, color = {r, g, b})"
    end
    if #t == 3 or #t == 4 then
        local hex, alpha = parse_color(t, "c")
        if hex then return { hex, alpha } end
    end
    if #t == 1 then return scatter_colors(t[1], n) end
    if #t ~= n then
        return nil, string.format("c must be a colour or one colour per point, got %d for %d points",
            #t, n)
    end
    local colors = {}
    for i, v in ipairs(t) do
        local hex, alpha, none = parse_color(v, "c")
        if not hex then return nil, alpha .. " (point " .. i .. ")" end
        colors[i] = { hex, alpha, none }
    end
    return nil, nil, colors
end

--- scatter(x, y, opts?): markers at the points. opts: s (marker area in
-- points^2, default 36; one per point allowed), c (a colour, or one per
-- point), color, marker (default "o"), alpha, label.
function M.scatter(x, y, opts, ...)
    if select("#", ...) > 0 or (opts ~= nil and not is_options(opts)) then
        error("plot.scatter: expected scatter(x, y, opts?) with opts a table: give s and c " ..
            "as options ({s = 20, c = \"r\"})", 2)
    end
    local o, err = check_options(opts, SCATTER_OPTIONS)
    raise("plot.scatter", err)
    local xs, ys = tolist(x, "plot.scatter", "x"), tolist(y, "plot.scatter", "y")
    if #xs ~= #ys then
        error(string.format("plot.scatter: x and y must be the same size, got %d and %d",
            #xs, #ys), 2)
    end
    if o.c ~= nil and o.color ~= nil then
        error("plot.scatter: give c or color, not both", 2)
    end
    local one, colors, ps, sizes, alpha
    if o.c ~= nil then
        one, err, colors = scatter_colors(o.c, #xs)
        raise("plot.scatter", err)
    elseif o.color ~= nil then
        local hex, a, none = parse_color(o.color, "color")
        raise("plot.scatter", not hex and a or nil)
        one = { hex, a, none }
    end
    ps, err, sizes = scatter_sizes(o.s, #xs)
    raise("plot.scatter", err)
    alpha, err = check_alpha(o.alpha)
    raise("plot.scatter", err)
    local marker = MARKERS[o.marker or "o"]
    if marker == nil then
        error(string.format("plot.scatter: marker '%s' is not supported (supported: %s)",
            tostring(o.marker), (MARKER_NAMES:gsub(", or 'None'", ""))), 2)
    end
    if o.label ~= nil and type(o.label) ~= "string" and type(o.label) ~= "number" then
        error("plot.scatter: label must be a string, got " .. type(o.label), 2)
    end
    local s = {
        kind = "lines", x = xs, y = ys, lines = false, marker = marker, ps = ps, sizes = sizes,
        label = o.label ~= nil and tostring(o.label) or nil,
    }
    -- alpha replaces the colours' own, except for "none" (as matplotlib)
    if one then s.color, s.alpha = one[1], (alpha == nil or one[3]) and one[2] or alpha end
    if colors then
        s.colors = {}
        for i, cl in ipairs(colors) do
            s.colors[i] = gp_color_number(cl[1], (alpha == nil or cl[3]) and cl[2] or alpha)
        end
    elseif not one then
        s.alpha = alpha
    end
    add_series(gca(), s, "patches")
end

-- hist's options; matplotlib's others (cumulative, histtype, log, ...) are
-- rejected rather than ignored.
local HIST_OPTIONS = { "bins", "range", "density", "weights", "color", "label" }

-- The bin edges for `bins` (a count or a list of edges) over the values xs,
-- as numpy.histogram computes them; nil and a message when they cannot be.
local function hist_edges(xs, bins, range)
    if type(bins) == "table" then
        if #bins < 2 then return nil, "bins must list at least 2 edges" end
        for i, e in ipairs(bins) do
            if type(e) ~= "number" or e ~= e or e == math.huge or e == -math.huge then
                return nil, "bin edges must be finite numbers"
            end
            if i > 1 and e < bins[i - 1] then return nil, "bin edges must increase" end
        end
        return bins
    end
    if type(bins) ~= "number" or bins < 1 or bins % 1 ~= 0 then
        return nil, "bins must be a positive whole number or a list of edges"
    end
    local lo, hi
    if range ~= nil then
        if type(range) ~= "table" or type(range[1]) ~= "number" or type(range[2]) ~= "number" then
            return nil, "range must be {lo, hi}"
        end
        lo, hi = range[1], range[2]
        if lo ~= lo or hi ~= hi or math.abs(lo) == math.huge or math.abs(hi) == math.huge then
            return nil, "range must be finite"
        end
        if lo > hi then return nil, "range must be {lo, hi} with lo <= hi" end
    elseif #xs == 0 then
        lo, hi = 0, 1 -- numpy's range for no values
    else
        lo, hi = math.huge, -math.huge
        for _, v in ipairs(xs) do
            if v == v then lo, hi = math.min(lo, v), math.max(hi, v) end -- NaN: skipped
        end
        if lo > hi then return nil, "x has no values other than NaN (give opts.range)" end
        if lo == -math.huge or hi == math.huge then
            return nil, "x has infinite values (give opts.range)"
        end
    end
    if lo == hi then lo, hi = lo - 0.5, hi + 0.5 end
    local edges, step = {}, (hi - lo) / bins -- numpy.linspace(lo, hi, bins + 1)
    for i = 0, bins - 1 do edges[i + 1] = i * step + lo end
    edges[bins + 1] = hi
    return edges
end

-- The bin of v, edges[1] <= v <= edges[#edges]: the last k with edges[k] <= v,
-- the last bin including its right edge (numpy.histogram's rule).
local function bin_of(edges, v)
    local nb = #edges - 1
    if v >= edges[nb + 1] then return nb end
    local lo, hi = 1, nb
    while lo < hi do
        local mid = math.floor((lo + hi + 1) / 2)
        if edges[mid] <= v then lo = mid else hi = mid - 1 end
    end
    return lo
end

--- hist(x, bins?, opts?): histogram of x in `bins` equal bins (default 10)
-- or between the edges of a list; opts: bins, range = {lo, hi}, density,
-- weights, color, label. Returns the bar heights and the edges as Lua tables.
function M.hist(x, bins, opts)
    if opts == nil and type(bins) == "table" and not is_array(bins) and bins[1] == nil then
        bins, opts = nil, bins -- hist(x, opts)
    end
    if opts ~= nil and type(opts) ~= "table" then
        error("plot.hist: opts must be a table, got " .. type(opts), 2)
    end
    local err
    opts, err = check_options(opts, HIST_OPTIONS)
    raise("plot.hist", err)
    if bins ~= nil and opts.bins ~= nil then
        error("plot.hist: bins given twice (as an argument and as opts.bins)", 2)
    end
    bins = bins or opts.bins or 10
    if is_array(bins) or type(bins) == "table" then bins = tolist(bins, "plot.hist", "bins") end
    local xs = tolist(x, "plot.hist", "x")
    local ws
    if opts.weights ~= nil then
        ws = tolist(opts.weights, "plot.hist", "weights")
        if #ws ~= #xs then
            error(string.format("plot.hist: weights must have the length of x, got %d and %d",
                #ws, #xs), 2)
        end
    end
    local hex, alpha
    if opts.color ~= nil then
        hex, alpha = parse_color(opts.color, "color")
        raise("plot.hist", not hex and alpha or nil)
    end
    local edges
    edges, err = hist_edges(xs, bins, opts.range)
    if not edges then error("plot.hist: " .. err, 2) end
    local nb = #edges - 1
    local heights = {}
    for i = 1, nb do heights[i] = 0 end
    for i, v in ipairs(xs) do
        if v >= edges[1] and v <= edges[nb + 1] then -- NaN and values outside: not counted
            local k = bin_of(edges, v)
            heights[k] = heights[k] + (ws and ws[i] or 1)
        end
    end
    local centers, widths = {}, {}
    for i = 1, nb do
        centers[i] = (edges[i] + edges[i + 1]) / 2
        widths[i] = edges[i + 1] - edges[i]
    end
    if opts.density then
        -- numpy.histogram(density=True): counts / width / total, so the bars' area is 1
        local total = 0
        for i = 1, nb do total = total + heights[i] end
        for i = 1, nb do heights[i] = heights[i] / widths[i] / total end
    end
    add_series(gca(), {
        kind = "boxes", x = centers, y = heights, w = widths, color = hex, alpha = alpha,
        label = opts.label and tostring(opts.label) or nil,
    }, "patches")
    return heights, edges
end

--- title(text, opts?), xlabel(text, opts?), ylabel(text, opts?): opts:
-- fontsize (size: points, or "large" & co.), color (c).
local function setter(name)
    M[name] = function(text, opts)
        raise("plot." .. name, set_text(gca(), name, text, opts))
    end
end
setter("title")
setter("xlabel")
setter("ylabel")

--- xlim(lo, hi), ylim(lo, hi): a range of one value is widened as matplotlib
-- does (xlim(2, 2) draws 1.9..2.1); lo > hi reverses the axis.
local function limits(name)
    M[name] = function(lo, hi)
        raise("plot." .. name, set_limits(gca(), name, lo, hi))
    end
end
limits("xlim")
limits("ylim")

local GRID_OPTIONS = { "axis", "which", "color", "c", "linestyle", "ls", "linewidth", "lw",
                       "alpha" }

--- grid(visible?, opts?): grid lines at the major tics; grid() toggles them,
-- as in matplotlib. opts: axis ("both", "x", "y"), which ("major"), and the
-- lines' color (c), linestyle (ls), linewidth (lw), alpha, which turn the
-- grid on (one style for both axes' lines).
function M.grid(visible, opts)
    if opts == nil and is_options(visible) then visible, opts = nil, visible end
    if visible ~= nil and type(visible) ~= "boolean" then
        error("plot.grid: visible must be true, false or nil (to toggle), got " .. type(visible), 2)
    end
    local o, err = check_options(opts, GRID_OPTIONS)
    raise("plot.grid", err)
    local axis, which = o.axis or "both", o.which or "major"
    if type(which) == "string" then which = which:lower() end
    if axis ~= "both" and axis ~= "x" and axis ~= "y" then
        error(string.format("plot.grid: axis must be 'both', 'x' or 'y', got %s", tostring(axis)), 2)
    end
    if which ~= "major" then
        error(string.format("plot.grid: which = '%s' is not supported (adlua draws major tics " ..
            "only: which = 'major')", tostring(which)), 2)
    end
    local st
    st, err = line_style(o)
    raise("plot.grid", err)
    if st.dash == false then
        error("plot.grid: linestyle 'None' is not supported (grid(false) hides the grid)", 2)
    end
    local ax = gca()
    local styled = st.color or st.alpha or st.dash or st.width
    if styled then
        visible = true -- line properties turn the grid on, as in matplotlib
        local gs = ax.grid_style or {}
        for _, k in ipairs({ "color", "alpha", "dash", "width" }) do
            if st[k] ~= nil then gs[k] = st[k] end
        end
        ax.grid_style = gs
    end
    if axis ~= "y" then
        if visible == nil then ax.gridx = not ax.gridx else ax.gridx = visible end
    end
    if axis ~= "x" then
        if visible == nil then ax.gridy = not ax.gridy else ax.gridy = visible end
    end
end

-- matplotlib's legend locations (names and codes) as gnuplot key positions;
-- "best" (matplotlib's search for the emptiest corner) is upper right.
local LEGEND_POS = {
    best = "top right", ["upper right"] = "top right", ["upper left"] = "top left",
    ["lower left"] = "bottom left", ["lower right"] = "bottom right",
    right = "right center", ["center left"] = "left center",
    ["center right"] = "right center", ["lower center"] = "bottom center",
    ["upper center"] = "top center", center = "center center",
}
local LEGEND_CODES = { [0] = "best", "upper right", "upper left", "lower left", "lower right",
                       "right", "center left", "center right", "lower center", "upper center",
                       "center" }
local LEGEND_OPTIONS = { "loc", "title", "frameon", "fontsize" }

--- legend(labels?, opts?): shows the legend; labels (a table) name the
-- series in order. opts: loc (a name or code), title, frameon, fontsize.
function M.legend(labels, opts)
    if opts == nil and is_options(labels) then labels, opts = nil, labels end
    if labels ~= nil and (type(labels) ~= "table" or is_array(labels)) then
        error("plot.legend: labels must be a table of strings, got " ..
            (is_array(labels) and "an array" or type(labels)), 2)
    end
    local o, err = check_options(opts, LEGEND_OPTIONS)
    raise("plot.legend", err)
    local loc = o.loc
    if type(loc) == "number" then loc = LEGEND_CODES[loc] or loc end
    if loc ~= nil and not LEGEND_POS[loc] then
        error(string.format("plot.legend: loc %s is not supported (supported: best, upper right, " ..
            "upper left, lower left, lower right, right, center left, center right, lower center, " ..
            "upper center, center, or their codes 0..10)", type(o.loc) == "table" and
            "as a table (a position)" or ("'" .. tostring(o.loc) .. "'")), 2)
    end
    if o.frameon ~= nil and type(o.frameon) ~= "boolean" then
        error("plot.legend: frameon must be true or false, got " .. type(o.frameon), 2)
    end
    if o.title ~= nil and type(o.title) ~= "string" and type(o.title) ~= "number" then
        error("plot.legend: title must be a string, got " .. type(o.title), 2)
    end
    local font
    font, err = font_size(o.fontsize, "fontsize")
    raise("plot.legend", err)
    local ax = gca()
    if labels then
        for i, s in ipairs(ax.series) do
            if labels[i] ~= nil then s.label = tostring(labels[i]) end
        end
    end
    ax.legend = { pos = LEGEND_POS[loc or "best"], box = o.frameon ~= false,
                  title = o.title ~= nil and tostring(o.title) or nil, font = font }
end

--- close(fig?): forgets the current figure (close(), close("all") or close(fig)).
function M.close(which)
    if which ~= nil and which ~= "all" and not (type(which) == "table" and which.axes) then
        error("plot.close: expected close(), close(\"all\") or close(fig), got " ..
            (type(which) == "string" and ("'" .. which .. "'") or type(which)), 2)
    end
    fig = nil
end
---------------------------------------------------------------------------
-- gnuplot script
---------------------------------------------------------------------------

local function quote(s)
    -- a gnuplot double-quoted string (terminals are noenhanced, so _ and ^
    -- in labels show as typed)
    s = s:gsub('[\\"]', "\\%0"):gsub("\n", "\\n")
    return '"' .. s .. '"'
end

local function num(v)
    if v ~= v then return "NaN" end
    if v == math.huge then return "Inf" end
    if v == -math.huge then return "-Inf" end
    return string.format("%.17g", v)
end

local function within(v, lim)
    return v >= math.min(lim[1], lim[2]) and v <= math.max(lim[1], lim[2])
end

-- matplotlib's autoscaled range of data from lo to hi: 5% margins.
local function margins(lo, hi)
    lo, hi = nonsingular(lo, hi)
    local pad = 0.05 * (hi - lo)
    return { lo - pad, hi + pad }
end

-- The x and y ranges given to gnuplot ({lo, hi}, or nil to autoscale): the
-- user's limits; {0, 1} for an axis with no point to draw (matplotlib draws
-- empty axes, gnuplot cannot autoscale nothing); for bars, a y range from 0
-- (gnuplot would start at the lowest bar) with matplotlib's 5% margin beyond;
-- the range of all the data when no point lies within the other axis' limits
-- (gnuplot autoscales over those points only, and fails on none).
local function axes_ranges(ax)
    local xlo, xhi, lo, hi = math.huge, -math.huge, math.huge, -math.huge
    local bars, inx, iny = false, false, false
    for _, s in ipairs(ax.series) do
        if s.kind == "boxes" then bars = true end
        for i = 1, #s.x do
            local x, y = s.x[i], s.y[i]
            if finite(x) and finite(y) then
                xlo, xhi = math.min(xlo, x), math.max(xhi, x)
                lo, hi = math.min(lo, y), math.max(hi, y)
                inx = inx or (ax.xlim ~= nil and within(x, ax.xlim))
                iny = iny or (ax.ylim ~= nil and within(y, ax.ylim))
            end
        end
    end
    local empty = lo > hi
    local xrange = ax.xlim or (empty and { 0, 1 }) or nil
    local yrange = ax.ylim or (empty and { 0, 1 }) or nil
    if yrange == nil and bars then
        lo, hi = math.min(lo, 0), math.max(hi, 0)
        local pad = 0.05 * (hi - lo)
        if pad == 0 then
            yrange = { 0, 1 }
        else
            yrange = { lo < 0 and lo - pad or lo, hi > 0 and hi + pad or hi }
        end
    elseif yrange == nil and not inx and ax.xlim then
        yrange = margins(lo, hi)
    end
    if xrange == nil and not iny and ax.ylim then xrange = margins(xlo, xhi) end
    return xrange, yrange
end

-- " font ',N'" for a size in points, or "".
local function font(size)
    return size and string.format(" font ',%s'", num(size)) or ""
end

-- "set title ..." (xlabel, ylabel) with the text's style, or "unset title".
local function text_line(ax, field)
    if not ax[field] then return "unset " .. field end
    local st = ax[field .. "_style"] or {}
    return "set " .. field .. " " .. quote(ax[field]) .. font(st.font)
        .. (st.color and (" textcolor rgb '" .. st.color .. "'") or "")
end

local function grid_line(ax)
    if not (ax.gridx or ax.gridy) then return "unset grid" end
    local st = ax.grid_style or {}
    return string.format("set grid %sxtics %sytics lc rgb '%s'%s%s", ax.gridx and "" or "no",
        ax.gridy and "" or "no", gp_color(st.color or "#cccccc", st.alpha),
        st.width and (" lw " .. num(st.width)) or "", st.dash and (" dt " .. st.dash) or "")
end

local function key_line(ax)
    local k = ax.legend
    if not k then return "unset key" end
    return "set key " .. k.pos .. (k.box and " box opaque" or " nobox noopaque")
        .. (k.title and (" title " .. quote(k.title)) or "") .. font(k.font)
end

-- The plot spec of series s, its data in datablock name: x y [width] [point
-- size] [colour] columns.
local function series_spec(s, name, title)
    local cols, using = 2, "1:2"
    local function column()
        cols = cols + 1
        using = using .. ":" .. cols
    end
    if s.kind == "boxes" then
        column()
        return string.format("%s using %s with boxes lc rgb '%s' %s", name, using,
            gp_color(s.color, s.alpha), title)
    end
    local ps = ""
    if s.marker then
        if s.sizes then
            column()
            ps = " ps variable"
        elseif s.ps then
            ps = " ps " .. num(s.ps)
        end
    end
    local color = "lc rgb '" .. gp_color(s.color or "#000000", s.alpha) .. "'"
    if s.colors then
        column()
        color = "lc rgb variable"
    end
    if s.lines and s.marker then
        return string.format("%s using %s with linespoints %s lw %s dt %d pt %d%s %s",
            name, using, color, num(s.width or LINEWIDTH), s.dash or 1, s.marker, ps, title)
    elseif s.lines then
        return string.format("%s using %s with lines %s lw %s dt %d %s",
            name, using, color, num(s.width or LINEWIDTH), s.dash or 1, title)
    elseif s.marker then
        return string.format("%s using %s with points %s pt %d%s %s", name, using, color,
            s.marker, ps, title)
    end
    -- no line and no marker: matplotlib draws nothing (but scales the axes to it)
    return string.format("%s using %s with points %s pt ' ' %s", name, using, color, title)
end

local function axes_script(out, ax, nblock)
    out[#out + 1] = "reset"
    out[#out + 1] = "set border lc rgb '#333333'"
    out[#out + 1] = "set tics nomirror"
    out[#out + 1] = text_line(ax, "title")
    out[#out + 1] = text_line(ax, "xlabel")
    out[#out + 1] = text_line(ax, "ylabel")
    local xrange, yrange = axes_ranges(ax)
    out[#out + 1] = xrange and string.format("set xrange [%s:%s]", num(xrange[1]), num(xrange[2]))
        or "set autoscale x"
    out[#out + 1] = yrange and string.format("set yrange [%s:%s]", num(yrange[1]), num(yrange[2]))
        or "set autoscale y"
    out[#out + 1] = grid_line(ax)
    out[#out + 1] = key_line(ax)
    out[#out + 1] = "set style fill solid 0.6 border -1"
    if #ax.series == 0 then
        out[#out + 1] = "plot NaN notitle"
        return nblock
    end
    local parts = {}
    for _, s in ipairs(ax.series) do
        nblock = nblock + 1
        local name = "$d" .. nblock
        local rows = { name .. " << EOD" }
        for i = 1, #s.x do
            local row = num(s.x[i]) .. " " .. num(s.y[i])
            if s.w then row = row .. " " .. num(s.w[i]) end
            if s.sizes then row = row .. " " .. num(s.sizes[i]) end
            if s.colors then row = row .. " " .. num(s.colors[i]) end
            rows[#rows + 1] = row
        end
        rows[#rows + 1] = "EOD"
        table.insert(out, 1, table.concat(rows, "\n"))
        -- matplotlib leaves labels starting with "_" out of the legend
        local shown = ax.legend and s.label and s.label:sub(1, 1) ~= "_"
        parts[#parts + 1] = series_spec(s, name, shown and ("title " .. quote(s.label)) or "notitle")
    end
    out[#out + 1] = "plot " .. table.concat(parts, ", \\\n     ")
    return nblock
end

-- The whole figure as a gnuplot script for a terminal line and an output.
local function script(terminal, output)
    if fig == nil then new_figure() end
    local head = { "set terminal " .. terminal }
    if output then head[#head + 1] = "set output '" .. output:gsub("'", "''") .. "'" end
    local body, blocks = {}, {}
    local nblock = 0
    local multi = fig.rows * fig.cols > 1
    if multi then body[#body + 1] = string.format("set multiplot layout %d,%d", fig.rows, fig.cols) end
    for i = 1, fig.rows * fig.cols do
        local ax = fig.axes[i]
        if ax or not multi then
            local part = {}
            nblock = axes_script(part, ax or new_axes(), nblock)
            -- datablocks must be defined before multiplot starts
            while part[1] and part[1]:match("^%$d%d+ << EOD") do
                blocks[#blocks + 1] = table.remove(part, 1)
            end
            for _, l in ipairs(part) do body[#body + 1] = l end
        elseif multi then
            body[#body + 1] = "set multiplot next"
        end
    end
    if multi then body[#body + 1] = "unset multiplot" end
    if output then body[#body + 1] = "set output" end
    -- "reset" would forget the terminal, so it comes first, once
    local lines = {}
    for _, l in ipairs(blocks) do lines[#lines + 1] = l end
    for _, l in ipairs(head) do lines[#lines + 1] = l end
    for _, l in ipairs(body) do
        if l ~= "reset" then lines[#lines + 1] = l end
    end
    return table.concat(lines, "\n") .. "\n"
end
M._script = script -- for tests and for curious users

---------------------------------------------------------------------------
-- Running gnuplot
---------------------------------------------------------------------------

local function shell_quote(s)
    return "'" .. s:gsub("'", "'\\''") .. "'"
end

local function slurp(path)
    local f = io.open(path, "rb")
    if not f then return "" end
    local s = f:read("*a")
    f:close()
    return s
end

-- The gnuplot executable. Called by the public functions themselves, so that
-- the error (level 3) names the line of the user's code that called them.
local function gnuplot_command(fname)
    local cmd = os.getenv("ADLUA_GNUPLOT") or "gnuplot"
    local probe = io.popen("command -v " .. shell_quote(cmd) .. " 2>/dev/null")
    local found = probe and probe:read("*l")
    if probe then probe:close() end
    if not found or found == "" then error(fname .. ": " .. INSTALL_HINT, 3) end
    return found
end

-- Runs gnuplot on the script: true and gnuplot's standard output, or false
-- and its messages. Failure is gnuplot's exit status only: it also prints
-- "line N: warning: ..." (e.g. for an empty data set) on plots that succeed.
local function run(exe, text)
    local gp, out, err = os.tmpname(), os.tmpname(), os.tmpname()
    local f = io.open(gp, "wb")
    if not f then return false, "cannot write the script to " .. gp end
    f:write(text)
    f:close()
    local status = os.execute(string.format("%s %s >%s 2>%s", shell_quote(exe),
        shell_quote(gp), shell_quote(out), shell_quote(err)))
    local stdout, stderr = slurp(out), slurp(err)
    os.remove(gp); os.remove(out); os.remove(err)
    -- os.execute: the status number (LuaJIT), or true/nil (Lua 5.2+)
    if status == true or status == 0 then return true, stdout end
    return false, (stderr ~= "" and stderr or stdout)
end

-- The first interactive terminal this gnuplot has (gnuplot-nox has none).
local function window_terminal(exe)
    local probe = io.popen(shell_quote(exe) .. " -e 'set terminal' 2>&1")
    local list = probe and probe:read("*a") or ""
    if probe then probe:close() end
    for _, t in ipairs({ "qt", "wxt", "x11" }) do
        if list:find("\n%s*" .. t .. "%s") then return t end
    end
    return nil
end

local function round(v) return math.max(1, math.floor(v + 0.5)) end

-- The gnuplot terminal of format ("png", "svg", "pdf") for the figure's size
-- in inches at dpi: PNG in pixels, its fonts, lines and markers scaled with
-- dpi as matplotlib scales them; SVG (at 100 units per inch) and PDF are
-- vector drawings that dpi does not change, as in matplotlib.
local function terminal(format, size, dpi)
    size = size or FIGSIZE
    local base = string.format("noenhanced font '%s,%d'", FONT, FONTSIZE)
    if format == "pdf" then
        return string.format("pdfcairo size %sin,%sin %s", num(size[1]), num(size[2]), base)
    elseif format == "svg" then
        return string.format("svg size %d,%d %s background '#ffffff'", round(size[1] * DPI),
            round(size[2] * DPI), base)
    end
    local t = string.format("pngcairo size %d,%d %s", round(size[1] * dpi), round(size[2] * dpi), base)
    if dpi ~= DPI then
        local f = num(dpi / DPI)
        -- (dashes follow the line width)
        t = t .. string.format(" fontscale %s linewidth %s pointscale %s", f, f, f)
    end
    return t
end
M._terminal = terminal -- for tests

local SAVEFIG_OPTIONS = { "dpi", "format" }

--- savefig(path, opts?): writes the figure as PNG, SVG or PDF, by the path's
-- extension (".png" is added to a path with none, as matplotlib does).
-- opts: format (overrides the extension), dpi (PNG only; default the
-- figure's, 100). gnuplot draws into a temporary file beside path, copied
-- over path only when gnuplot succeeds: on failure an existing file is left
-- as it was.
function M.savefig(path, opts)
    if type(path) ~= "string" then
        error("plot.savefig: expected a file path ending in .png, .svg or .pdf", 2)
    end
    local o, err = check_options(opts, SAVEFIG_OPTIONS)
    raise("plot.savefig", err)
    local format = o.format
    if format ~= nil then
        if type(format) ~= "string" or not FORMATS[format:lower()] then
            error(string.format("plot.savefig: unsupported format '%s' (supported: png, svg, pdf)",
                tostring(format)), 2)
        end
        format = format:lower()
    else
        local ext = path:match("[^/]*$"):match("^.+%.([^.]*)$")
        if ext == nil or ext == "" then
            -- matplotlib's default format, its extension added
            format, path = "png", path:gsub("%.*$", "") .. ".png"
        else
            format = ext:lower()
            if not FORMATS[format] then
                error(string.format("plot.savefig: unsupported format '%s' in '%s' " ..
                    "(supported: png, svg, pdf)", ext, path), 2)
            end
        end
    end
    local dpi = o.dpi
    if dpi == nil or dpi == "figure" then
        dpi = fig and fig.dpi or DPI
    else
        dpi, err = check_size(dpi, "dpi", true)
        raise("plot.savefig", err)
    end
    local exe = gnuplot_command("plot.savefig")
    local term = terminal(format, fig and fig.size, dpi)
    -- a unique name in path's directory: where path can be written, so can it
    local unique = os.tmpname()
    os.remove(unique)
    local dir, base = path:match("^(.-)([^/]*)$")
    local part = string.format("%s.%s.%s.part", dir, base, unique:match("[^/]*$"))
    local f, msg = io.open(part, "wb")
    if not f then
        error(string.format("plot.savefig: cannot write '%s' (%s)", path,
            msg and msg:match("[^:]*$"):gsub("^%s+", "") or "?"), 2)
    end
    f:close()
    local ok, out = run(exe, script(term, part))
    if not ok then
        os.remove(part)
        error("plot.savefig: gnuplot failed: " .. out, 2)
    end
    -- copied, not renamed, over path: a symbolic link or a file's permissions
    -- stay as they were, and a file that cannot be written is not touched
    local src = io.open(part, "rb")
    local bytes = src and src:read("*a")
    if src then src:close() end
    os.remove(part)
    local dst, wmsg = io.open(path, "wb")
    local written = dst and bytes and dst:write(bytes)
    if dst then dst:close() end
    if not written then
        error(string.format("plot.savefig: cannot write '%s' (%s)", path,
            wmsg and wmsg:match("[^:]*$"):gsub("^%s+", "") or "?"), 2)
    end
    return path
end

--- show(opts?): opens a window where a display exists (sized by the
-- figure's figsize and dpi when given); otherwise draws the figure as text
-- in the terminal ({text = true} forces text). Returns the text.
function M.show(opts)
    local o, err = check_options(opts, { "text" })
    raise("plot.show", err)
    local exe = gnuplot_command("plot.show")
    local display = os.getenv("DISPLAY")
    if not o.text and display and display ~= "" then
        local window = window_terminal(exe)
        if window then
            local term = window .. " persist"
            if fig and (fig.size or fig.dpi) then
                local size, dpi = fig.size or FIGSIZE, fig.dpi or DPI
                term = string.format("%s size %d,%d", term, round(size[1] * dpi), round(size[2] * dpi))
            end
            local ok, out = run(exe, script(term, nil))
            if not ok then error("plot.show: gnuplot failed: " .. out, 2) end
            return nil
        end
    end
    local cols = tonumber(os.getenv("COLUMNS")) or 79
    local rows = tonumber(os.getenv("LINES")) or 24
    local ok, text = run(exe, script(string.format("dumb noenhanced size %d,%d", cols, rows - 1), nil))
    if not ok then error("plot.show: gnuplot failed: " .. text, 2) end
    io.write(text)
    io.flush()
    return text
end

return M
