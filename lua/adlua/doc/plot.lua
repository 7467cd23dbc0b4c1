-- Docstrings of adlua.plot (often `plt`), matplotlib's names.
return {
["plt.figure"] = [=[
figure(opts) starts a new, empty figure and makes it current; opts.figsize = {w, h} in inches (100 pixels each in PNG and SVG).
    plt.figure({figsize = {8, 4}})]=],
["plt.plot"] = [=[
plot(x, y, fmt, opts) draws lines and/or markers through the points; x and y are arrays or Lua tables, plot(y) uses 0..n-1 for x, a 2-d y gives one line per column. fmt is matplotlib's "[color][marker][line]" ("r-", "bo", "--"); opts.label names the line in the legend, opts.color and opts.linewidth style it.
    plt.plot(x, np.sin(x), "r--", {label = "sin"})]=],
["plt.scatter"] = [=[
scatter(x, y, opts) draws markers at the points (opts: label, color, marker).
    plt.scatter({1, 2, 3}, {3, 1, 2}, {label = "data"})]=],
["plt.hist"] = [=[
hist(x, bins, opts) draws a histogram of the values of x in bins equal bins (default 10) or between the edges of a list, bars rising from 0, and returns the bar heights and the bin edges as Lua tables. opts: bins, range = {lo, hi}, density (heights = counts / (n * bin width), as numpy), weights, color, label; any other option is an error.
    local counts, edges = plt.hist({1, 2, 2, 3}, 3)]=],
["plt.xlabel"] = [=[
xlabel(text) sets the label of the x axis of the current axes.
    plt.xlabel("step")]=],
["plt.ylabel"] = [=[
ylabel(text) sets the label of the y axis of the current axes.
    plt.ylabel("loss")]=],
["plt.title"] = [=[
title(text) sets the title of the current axes.
    plt.title("Training loss")]=],
["plt.legend"] = [=[
legend(labels, opts) shows the legend of the current axes, naming the lines by their labels (or by the given table of labels, in order); opts.loc is matplotlib's location ("upper right", "lower left", "center right", ...).
    plt.legend({loc = "lower left"})]=],
["plt.grid"] = [=[
grid(on) turns grid lines on (default) or off (grid(false)).
    plt.grid()]=],
["plt.xlim"] = [=[
xlim(lo, hi) sets the range of the x axis (finite limits; lo > hi reverses the axis; a range of one value is widened as matplotlib does: xlim(2, 2) draws 1.9..2.1).
    plt.xlim(-4, 4)]=],
["plt.ylim"] = [=[
ylim(lo, hi) sets the range of the y axis (as xlim).
    plt.ylim(0, 1)]=],
["plt.subplot"] = [=[
subplot(rows, cols, index) selects (creating) the index-th axes, counted from 1 row by row, of a rows x cols grid; subplot(211) works too.
    plt.subplot(2, 1, 2)]=],
["plt.savefig"] = [=[
savefig(path) draws the current figure with gnuplot into a PNG, SVG or PDF file chosen by the path's extension, and returns the path. The file is written only once gnuplot has drawn the figure: on failure an existing file is left as it was.
    plt.savefig("out/loss.png")]=],
["plt.show"] = [=[
show(opts) opens a window where a display and an interactive gnuplot exist; otherwise (or with {text = true}) draws the figure as text in the terminal and returns that text.
    plt.show()]=],
["plt.close"] = [=[
close() forgets the current figure; the next drawing starts a new one.
    plt.close()]=],
}
