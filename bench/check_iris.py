#!/usr/bin/python3
"""Checks that adlua's bundled iris data is bit-for-bit scikit-learn's, so both
benchmark peers of W1 train on the very same numbers.

Usage: /usr/bin/python3 bench/check_iris.py [ADLUA]   (default build/adlua)
Loads the data through require("adlua.datasets").load_iris() in the adlua
program and compares every value (printed with 17 significant digits) and the
names. Exit status 0 when identical.
"""
import subprocess
import sys

from sklearn.datasets import load_iris

LUA = r'''
local d = require("adlua.datasets").load_iris()
local s = d.data.shape
io.write(string.format("shape %d %d %d\n", s[1], s[2], d.target.shape[1]))
io.write("features ", table.concat(d.feature_names, "|"), "\n")
io.write("targets ", table.concat(d.target_names, "|"), "\n")
for i = 1, s[1] do
  io.write(string.format("%.17g,%.17g,%.17g,%.17g,%.17g\n", d.data[{i, 1}], d.data[{i, 2}],
                         d.data[{i, 3}], d.data[{i, 4}], d.target[i]))
end
'''


def main():
    adlua = sys.argv[1] if len(sys.argv) > 1 else "build/adlua"
    proc = subprocess.run([adlua, "-e", LUA], capture_output=True, text=True)
    if proc.returncode != 0:
        print("check_iris: %s failed:\n%s" % (adlua, proc.stderr), file=sys.stderr)
        return 1
    lines = proc.stdout.splitlines()
    iris = load_iris()
    expect = ["shape 150 4 150",
              "features " + "|".join(iris.feature_names),
              "targets " + "|".join(str(n) for n in iris.target_names)]
    bad = [(a, b) for a, b in zip(lines[:3], expect) if a != b]
    rows = lines[3:]
    if len(rows) != 150:
        bad.append(("%d rows" % len(rows), "150 rows"))
    for i, row in enumerate(rows[:150]):
        vals = [float(v) for v in row.split(",")]
        if vals[:4] != [float(v) for v in iris.data[i]] or vals[4] != float(iris.target[i]):
            bad.append(("row %d: %s" % (i + 1, row), "sklearn: %s %s" % (list(iris.data[i]), iris.target[i])))
    if bad:
        for got, want in bad[:10]:
            print("check_iris: got %s, want %s" % (got, want), file=sys.stderr)
        return 1
    print("iris: adlua's load_iris() equals scikit-learn's load_iris() bit for bit (150x4, targets, names)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
