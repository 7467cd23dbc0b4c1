-- adlua.plot: matplotlib's pyplot names, drawn by gnuplot.
--
-- The module keeps a current figure (a grid of axes, each a list of series
-- and its titles, labels, limits), as pyplot does. Nothing is drawn until
-- savefig or show: then the figure becomes one gnuplot script (data inline
-- as datablocks) that gnuplot reads through a pipe.
--
--   local plt = require "adlua.plot"
--   plt.plot(x, y, "r-", {label = "f"}); plt.legend(); plt.savefig("f.png")

local M = {}

local COLORS = {
    b = "#1f77b4", g = "#2ca02c", r = "#d62728", c = "#17becf",
    m = "#9467bd", y = "#bcbd22", k = "#000000", w = "#ffffff",
}
-- matplotlib's default colour cycle, used when fmt names no colour
local CYCLE = { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf" }
-- gnuplot point types for matplotlib's markers
local MARKERS = { ["."] = 0, o = 7, x = 2, ["+"] = 1, ["*"] = 3, s = 5,
                  d = 13, D = 13, ["^"] = 9, v = 11 }
-- gnuplot dash types for matplotlib's line styles
local DASHES = { ["-"] = 1, ["--"] = 2, [":"] = 3, ["-."] = 4 }

local TERMINALS = {
    png = "pngcairo size 800,600 noenhanced font 'DejaVu Sans,11'",
    svg = "svg size 800,600 noenhanced font 'DejaVu Sans,11' background '#ffffff'",
    pdf = "pdfcairo size 8in,6in noenhanced font 'DejaVu Sans,11'",
}

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

-- A list of numbers from an array (any shape, flattened), a Lua table or a number.
local function tolist(v, fname, what)
    if type(v) == "number" then return { v } end
    if is_array(v) then
        local ok, ad = pcall(require, "adlua")
        if ok and ad.value then v = ad.value(v) end
        if type(v) == "number" then return { v } end
        return flat(v:flatten():totable())
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

---------------------------------------------------------------------------
-- Figure state
---------------------------------------------------------------------------

local fig -- the current figure

local function new_axes()
    return { series = {}, grid = false, legend = false }
end

local function new_figure(opts)
    opts = opts or {}
    local size = opts.figsize
    fig = { rows = 1, cols = 1, axes = { new_axes() }, current = 1,
            size = size and { size[1], size[2] } or nil }
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

local function add_series(ax, s)
    if s.color == nil then
        s.color = CYCLE[(#ax.series % #CYCLE) + 1]
    end
    ax.series[#ax.series + 1] = s
    if s.label then ax.has_labels = true end
end

---------------------------------------------------------------------------
-- pyplot's functions
---------------------------------------------------------------------------

--- figure(opts?): starts a new figure ({figsize = {w, h}} in inches).
function M.figure(opts)
    new_figure(opts)
    return fig
end

--- subplot(rows, cols, index): selects (creating) the index-th axes, 1-based
-- row-major as in matplotlib; subplot(221) also works.
function M.subplot(rows, cols, index)
    if cols == nil and type(rows) == "number" and rows >= 111 then
        rows, cols, index = math.floor(rows / 100), math.floor(rows / 10) % 10, rows % 10
    end
    if type(rows) ~= "number" or type(cols) ~= "number" or type(index) ~= "number" then
        error("plot.subplot: expected (rows, cols, index), e.g. subplot(2, 1, 1)", 2)
    end
    if index < 1 or index > rows * cols then
        error(string.format("plot.subplot: index %d out of range 1..%d for a %dx%d grid",
            index, rows * cols, rows, cols), 2)
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
    return gca()
end

--- plot(y) | plot(x, y, fmt?, opts?): lines (and/or markers) through the points.
function M.plot(x, y, fmt, opts)
    if type(y) == "string" or (y == nil) or (type(y) == "table" and not is_array(y)
            and y[1] == nil and next(y) ~= nil) then
        -- plot(y), plot(y, fmt), plot(y, opts)
        x, y, fmt, opts = nil, x, y, fmt
    end
    if type(fmt) == "table" then fmt, opts = nil, fmt end
    opts = opts or {}
    if y == nil then error("plot.plot: nothing to plot (expected plot(x, y, fmt?, opts?))", 2) end
    local style = parse_fmt(fmt, "plot.plot")
    local ycols = columns(y) or { tolist(y, "plot.plot", "y") }
    local xs
    if x ~= nil then
        xs = tolist(x, "plot.plot", "x")
    else
        xs = {}
        for i = 1, #ycols[1] do xs[i] = i - 1 end -- matplotlib's default x: 0..n-1
    end
    local ax = gca()
    for j, ys in ipairs(ycols) do
        if #xs ~= #ys then
            error(string.format("plot.plot: x and y must have the same length, got %d and %d",
                #xs, #ys), 2)
        end
        local label = opts.label
        if type(label) == "table" then label = label[j] end
        if label ~= nil then label = tostring(label) end
        add_series(ax, {
            kind = "lines", x = xs, y = ys, label = label,
            color = (opts.color and (COLORS[opts.color] or opts.color)) or style.color,
            marker = style.marker, dash = style.dash,
            lines = style.dash ~= nil or style.marker == nil or opts.linestyle ~= nil,
            width = opts.linewidth or 1.5,
        })
    end
end

--- scatter(x, y, opts?): markers only ({label, color, marker = "o"}).
function M.scatter(x, y, opts)
    opts = opts or {}
    local xs, ys = tolist(x, "plot.scatter", "x"), tolist(y, "plot.scatter", "y")
    if #xs ~= #ys then
        error(string.format("plot.scatter: x and y must be the same size, got %d and %d",
            #xs, #ys), 2)
    end
    add_series(gca(), {
        kind = "lines", x = xs, y = ys, lines = false,
        marker = MARKERS[opts.marker or "o"] or 7,
        color = opts.color and (COLORS[opts.color] or opts.color) or nil,
        label = opts.label and tostring(opts.label) or nil,
    })
end

-- hist's options; matplotlib's others (cumulative, histtype, log, ...) are
-- rejected rather than ignored.
local HIST_OPTIONS = { bins = true, range = true, density = true, weights = true,
                       color = true, label = true }

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
    opts = opts or {}
    for k in pairs(opts) do
        if not HIST_OPTIONS[k] then
            error(string.format("plot.hist: unknown option '%s' (supported: bins, range, " ..
                "density, weights, color, label)", tostring(k)), 2)
        end
    end
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
    local edges, err = hist_edges(xs, bins, opts.range)
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
        kind = "boxes", x = centers, y = heights, w = widths,
        color = opts.color and (COLORS[opts.color] or opts.color) or nil,
        label = opts.label and tostring(opts.label) or nil,
    })
    return heights, edges
end

local function setter(name, field)
    M[name] = function(text)
        if text ~= nil and type(text) ~= "string" and type(text) ~= "number" then
            error(string.format("plot.%s: expected a string, got %s", name, type(text)), 2)
        end
        gca()[field] = text and tostring(text) or nil
    end
end
--- title(s), xlabel(s), ylabel(s)
setter("title", "title")
setter("xlabel", "xlabel")
setter("ylabel", "ylabel")

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

local function limits(name, field)
    M[name] = function(lo, hi)
        if type(lo) == "table" then lo, hi = lo[1], lo[2] end
        if type(lo) ~= "number" or type(hi) ~= "number" then
            error(string.format("plot.%s: expected two numbers (%s(lo, hi))", name, name), 2)
        end
        if lo ~= lo or hi ~= hi or math.abs(lo) == math.huge or math.abs(hi) == math.huge then
            error(string.format("plot.%s: limits must be finite, got %s and %s",
                name, tostring(lo), tostring(hi)), 2)
        end
        gca()[field] = { nonsingular(lo, hi) }
    end
end
--- xlim(lo, hi), ylim(lo, hi): a range of one value is widened as matplotlib
-- does (xlim(2, 2) draws 1.9..2.1); lo > hi reverses the axis.
limits("xlim", "xlim")
limits("ylim", "ylim")

--- grid(on?): grid lines (on by default when called).
function M.grid(on)
    gca().grid = on ~= false
end

--- legend(labels?, opts?): shows the legend; labels (a table) name the series in order.
function M.legend(labels, opts)
    local ax = gca()
    if type(labels) == "table" and labels[1] ~= nil then
        for i, s in ipairs(ax.series) do
            if labels[i] ~= nil then s.label = tostring(labels[i]) end
        end
    elseif type(labels) == "table" then
        opts = labels
    end
    ax.legend = true
    ax.legend_loc = opts and opts.loc or nil
end

--- close(): forgets the current figure.
function M.close()
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

local LEGEND_POS = {
    ["upper right"] = "top right", ["upper left"] = "top left",
    ["lower left"] = "bottom left", ["lower right"] = "bottom right",
    ["center"] = "center center", ["center right"] = "right center",
    ["center left"] = "left center", best = "top right",
}

local function finite(v)
    return v == v and v ~= math.huge and v ~= -math.huge
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

local function axes_script(out, ax, nblock)
    out[#out + 1] = "reset"
    out[#out + 1] = "set border lc rgb '#333333'"
    out[#out + 1] = "set tics nomirror"
    out[#out + 1] = ax.title and ("set title " .. quote(ax.title)) or "unset title"
    out[#out + 1] = ax.xlabel and ("set xlabel " .. quote(ax.xlabel)) or "unset xlabel"
    out[#out + 1] = ax.ylabel and ("set ylabel " .. quote(ax.ylabel)) or "unset ylabel"
    local xrange, yrange = axes_ranges(ax)
    out[#out + 1] = xrange and string.format("set xrange [%s:%s]", num(xrange[1]), num(xrange[2]))
        or "set autoscale x"
    out[#out + 1] = yrange and string.format("set yrange [%s:%s]", num(yrange[1]), num(yrange[2]))
        or "set autoscale y"
    out[#out + 1] = ax.grid and "set grid lc rgb '#cccccc'" or "unset grid"
    if ax.legend then
        out[#out + 1] = "set key " .. (LEGEND_POS[ax.legend_loc or "best"] or "top right")
            .. " box opaque"
    else
        out[#out + 1] = "unset key"
    end
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
            rows[#rows + 1] = num(s.x[i]) .. " " .. num(s.y[i]) .. (s.w and (" " .. num(s.w[i])) or "")
        end
        rows[#rows + 1] = "EOD"
        table.insert(out, 1, table.concat(rows, "\n"))
        local title = (ax.legend and s.label) and ("title " .. quote(s.label)) or "notitle"
        local color = "lc rgb '" .. s.color .. "'"
        local spec
        if s.kind == "boxes" then
            spec = string.format("%s using 1:2:3 with boxes %s %s", name, color, title)
        elseif s.lines and s.marker then
            spec = string.format("%s using 1:2 with linespoints %s lw %s dt %d pt %d %s",
                name, color, num(s.width or 1.5), s.dash or 1, s.marker, title)
        elseif s.lines then
            spec = string.format("%s using 1:2 with lines %s lw %s dt %d %s",
                name, color, num(s.width or 1.5), s.dash or 1, title)
        else
            spec = string.format("%s using 1:2 with points %s pt %d %s", name, color,
                s.marker or 7, title)
        end
        parts[#parts + 1] = spec
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

--- savefig(path): writes the figure as PNG, SVG or PDF, by the path's extension.
-- gnuplot draws into a temporary file beside path, copied over path only
-- when gnuplot succeeds: on failure an existing file is left as it was.
function M.savefig(path)
    if type(path) ~= "string" then
        error("plot.savefig: expected a file path ending in .png, .svg or .pdf", 2)
    end
    local ext = (path:match("%.(%w+)$") or ""):lower()
    local terminal = TERMINALS[ext]
    if not terminal then
        error(string.format("plot.savefig: unsupported format '%s' in '%s' " ..
            "(supported: png, svg, pdf)", ext, path), 2)
    end
    local exe = gnuplot_command("plot.savefig")
    local size = fig and fig.size
    if size then
        if ext == "pdf" then
            terminal = terminal:gsub("size [^ ]+", string.format("size %gin,%gin", size[1], size[2]))
        else
            terminal = terminal:gsub("size [^ ]+", string.format("size %d,%d", size[1] * 100, size[2] * 100))
        end
    end
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
    local ok, out = run(exe, script(terminal, part))
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

--- show(opts?): opens a window where a display exists; otherwise draws the
-- figure as text in the terminal ({text = true} forces text). Returns the text.
function M.show(opts)
    opts = opts or {}
    local exe = gnuplot_command("plot.show")
    local display = os.getenv("DISPLAY")
    if not opts.text and display and display ~= "" then
        local window = window_terminal(exe)
        if window then
            local ok, out = run(exe, script(window .. " persist", nil))
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
