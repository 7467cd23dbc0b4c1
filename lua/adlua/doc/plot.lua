-- Docstrings of adlua.plot (often `plt`), matplotlib's names.
return {
["plt.figure"] = [=[
figure(opts) starts a new, empty figure and makes it current. opts: figsize = {w, h} in inches (default {8, 6}), dpi (dots per inch of PNG files and windows, default 100: a PNG has figsize times dpi pixels, its text, lines and markers scaled with dpi as in matplotlib); any other option is an error, and so is a figure number (there is one current figure).
    plt.figure({figsize = {8, 4}, dpi = 150})]=],
["plt.plot"] = [=[
plot(x, y, fmt, opts) draws lines and/or markers through the points; x and y are arrays or Lua tables, plot(y) uses 0..n-1 for x, a 2-d y gives one line per column. fmt is matplotlib's "[color][marker][line]" ("r-", "bo", "--"; a marker alone draws no line). opts, matplotlib's keywords, take precedence over fmt: label (a list for a 2-d y; a label starting with _ stays out of the legend), color or c (a letter b g r c m y k w, a name such as "orange" or "tab:blue", "C0".."C9", "#rrggbb", "#rrggbbaa", a grey level "0.5", or {r, g, b[, a]} in 0..1), alpha (0..1), linewidth or lw (points, default 1.5), linestyle or ls ("-", "--", "-.", ":", "solid", "dashed", "dashdot", "dotted", "None"), marker (. , o v ^ s p * + x D d, "None"), markersize or ms (points, default 6); any other option is an error. A line given no colour takes the next of matplotlib's colour cycle.
    plt.plot(x, np.sin(x), "r--", {label = "sin", lw = 2, marker = "o", ms = 4})]=],
["plt.scatter"] = [=[
scatter(x, y, opts) draws markers at the points. opts: s (a marker's area in points^2, default 36, or one per point), c (a colour as plot's, or one colour per point; numbers to colour-map are not supported), color (one colour, instead of c), marker (as plot's, default "o"), alpha, label; any other option is an error.
    plt.scatter({1, 2, 3}, {3, 1, 2}, {s = 80, c = "r", label = "data"})]=],
["plt.hist"] = [=[
hist(x, bins, opts) draws a histogram of the values of x in bins equal bins (default 10) or between the edges of a list, bars rising from 0, and returns the bar heights and the bin edges as Lua tables. opts: bins, range = {lo, hi}, density (heights = counts / (n * bin width), as numpy), weights, color (a colour as plot's), label; any other option is an error.
    local counts, edges = plt.hist({1, 2, 2, 3}, 3)]=],
["plt.xlabel"] = [=[
xlabel(text, opts) sets the label of the x axis of the current axes. opts: fontsize or size (points, or "small", "large", ... relative to the 11-point font), color or c (a colour as plot's); any other option is an error.
    plt.xlabel("step")]=],
["plt.ylabel"] = [=[
ylabel(text, opts) sets the label of the y axis of the current axes (opts as xlabel's).
    plt.ylabel("loss")]=],
["plt.title"] = [=[
title(text, opts) sets the title of the current axes (opts as xlabel's: fontsize, color).
    plt.title("Training loss", {fontsize = "large"})]=],
["plt.legend"] = [=[
legend(labels, opts) shows the legend of the current axes, naming the lines by their labels (or by the given table of labels, in order; labels starting with _ are left out). opts: loc, matplotlib's location ("upper right", "lower left", "center right", "lower center", ..., or its code 0..10; "best" is upper right), title, frameon (false: no box), fontsize; any other option is an error.
    plt.legend({loc = "lower left"})]=],
["plt.grid"] = [=[
grid(visible, opts) shows (true) or hides (false) the grid lines of the current axes at the major tics; grid() toggles them, as in matplotlib. opts: axis ("both", "x", "y"), which ("major" only), and the lines' color or c, linestyle or ls, linewidth or lw, alpha, which also turn the grid on (one style for both axes); any other option is an error.
    plt.grid()]=],
["plt.xlim"] = [=[
xlim(lo, hi) sets the range of the x axis (finite limits; lo > hi reverses the axis; a range of one value is widened as matplotlib does: xlim(2, 2) draws 1.9..2.1).
    plt.xlim(-4, 4)]=],
["plt.ylim"] = [=[
ylim(lo, hi) sets the range of the y axis (as xlim).
    plt.ylim(0, 1)]=],
["plt.subplot"] = [=[
subplot(rows, cols, index, opts) selects (creating) the index-th axes, counted from 1 row by row, of a rows x cols grid; subplot(211) works too. opts: title, xlabel, ylabel, xlim = {lo, hi}, ylim, set on those axes; any other option is an error.
    plt.subplot(2, 1, 2, {title = "loss"})]=],
["plt.savefig"] = [=[
savefig(path, opts) draws the current figure with gnuplot into a PNG, SVG or PDF file chosen by the path's extension (a path without one gets .png, as in matplotlib), and returns the path. opts: format ("png", "svg" or "pdf", over the extension), dpi (of a PNG, default the figure's; SVG and PDF are vector drawings that dpi does not change, as in matplotlib); any other option is an error. The file is written only once gnuplot has drawn the figure: on failure an existing file is left as it was.
    plt.savefig("out/loss.png", {dpi = 200})]=],
["plt.show"] = [=[
show(opts) opens a window where a display and an interactive gnuplot exist (figsize times dpi pixels when the figure gives them); otherwise (or with {text = true}) draws the figure as text in the terminal and returns that text. text is the only option.
    plt.show()]=],
["plt.close"] = [=[
close() forgets the current figure (also close("all") or close(fig)); the next drawing starts a new one.
    plt.close()]=],
}
