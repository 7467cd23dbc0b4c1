#!/usr/bin/python3
"""Writes tests/c/format_cases.h: arrays and NumPy's str() of each.

Run with an interpreter that has NumPy (Debian: /usr/bin/python3 with
python3-numpy; the expected texts are those of numpy 1.24):

    /usr/bin/python3 scripts/gen_format_cases.py [OUTPUT]

Each case is a base buffer (explicit values, or i * scale for long ones)
and a view of it (shape, strides in elements, offset), so transposed,
reversed, strided and broadcast (0-stride) layouts are covered.  Cases with
print options use np.array2string, which is what str() calls.
"""
import math
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(ROOT, "tests", "c", "format_cases.h")

DEFAULT_OPTS = dict(precision=8, threshold=1000, edgeitems=3, linewidth=75)

cases = []


def add(name, base, view=None, opts=None, iota=None):
    """base: a contiguous 1-d array (the buffer); view(base) -> an ndarray
    sharing its memory.  iota: the base is np.arange(n) * iota (not listed)."""
    base = np.ascontiguousarray(base)
    assert base.ndim == 1 and base.dtype in (np.float64, np.float32)
    v = view(base) if view is not None else base
    if v.shape != () or view is not None:
        assert np.shares_memory(v, base) or v.size == 0 or base.size == 0, name
    item = base.itemsize
    if v.size == 0 or base.size == 0:
        offset = 0
        strides = [0] * v.ndim
    else:
        offset = (v.__array_interface__["data"][0] - base.__array_interface__["data"][0])
        assert offset % item == 0
        offset //= item
        strides = [s // item for s in v.strides]
    o = dict(DEFAULT_OPTS)
    if opts:
        o.update(opts)
    if v.ndim == 0:
        text = str(v)
    elif opts:
        text = np.array2string(v, precision=o["precision"], threshold=o["threshold"],
                               edgeitems=o["edgeitems"], max_line_width=o["linewidth"])
    else:
        text = str(v)
    assert text == np.array2string(v) or v.ndim == 0 or opts
    cases.append(dict(name=name, dtype=1 if base.dtype == np.float32 else 0, base=base,
                      iota=iota, shape=list(v.shape), strides=strides, offset=offset,
                      opts=o, text=text))


def arr(values, dtype=np.float64):
    return np.array(values, dtype=dtype).ravel()


def iota(n, scale, dtype=np.float64):
    return np.arange(n, dtype=np.float64) * scale if dtype == np.float64 else \
        (np.arange(n, dtype=np.float64) * scale).astype(np.float32)


def reshape(*shape):
    return lambda b: b.reshape(shape)


def build():
    rng = np.random.default_rng(20240601)
    nan, inf = float("nan"), float("inf")

    # --- 1-d basics and the choice of digits
    add("integral", arr([1, 2, 3]))
    add("one_element", arr([42]))
    add("unequal_decimals_pad_right", arr([1.5, 2.25]))
    add("last_elem_padded", arr([2.25, 1.5]))
    add("tenths", arr([0.1, 0.2, 0.3]))
    add("thirds_cut_at_precision", arr([1 / 3, 2 / 3, -1 / 7]))
    add("cutoff_rounds_to_integral", arr([1.0000000001, 2]))
    add("cutoff_half_even", arr([0.001953125, 0.005859375, 1.0]))
    add("maxprec_trims", arr([0.5, 0.25, 0.125, 0.0625]))
    add("negatives", arr([-1.5, 2, -3.25, 100]))
    add("negative_zero", arr([-0.0, 1]))
    add("only_negative_zero", arr([-0.0, -0.0]))
    add("zeros", arr([0, 0, 0]))
    add("below_1e8_positional", arr([12345678.5, 99999.25, 20000]))

    # --- scientific notation
    add("sci_small", arr([1e-5, 1]))
    add("sci_ratio", arr([1, 1001]))
    add("sci_big", arr([1e8, 1]))
    add("sci_big_alone", arr([123456789.0]))
    add("sci_mixed_digits", arr([1.5e-5, 1, 123456, -2.75e3]))
    add("sci_3digit_exp", arr([1e-100, 1.0]))
    add("sci_with_nonfinite", arr([1e100, -1.5, nan, -inf]))
    add("sci_ratio_just_1000", arr([1, 1000]))
    add("min_exactly_1e-4", arr([1e-4, 0.05]))
    add("powers_of_two", 2.0 ** np.arange(-1074, 1024, 53))
    add("subnormals", arr([5e-324, 1e-310, 2.2250738585072014e-308]))
    bits = rng.integers(0, 2**63 - 1, size=60, dtype=np.int64)
    vals = bits.view(np.float64)
    vals = vals[np.isfinite(vals)][:48] * np.where(rng.random(48) < 0.5, -1, 1)
    add("random_bit_patterns", vals, reshape(8, 6))

    # --- nan and inf
    add("nan_inf_positional", arr([nan, 1.5, -inf]))
    add("nan_inf_wide", arr([100.5, nan, inf, 2]))
    add("only_nan", arr([nan]))
    add("only_inf", arr([inf, -inf, nan]))

    # --- wrapping, nesting
    add("wrap_1d", np.linspace(0, 1, 30))
    add("wrap_2d_rows", rng.standard_normal(60), reshape(3, 20))
    add("exact_width_1d", iota(18, 1.0) + 0.5)
    add("matrix", iota(6, 1.0), reshape(2, 3))
    add("transposed", iota(6, 1.0), lambda b: b.reshape(2, 3).T)
    add("cube_blank_lines", iota(24, 1.0), reshape(2, 3, 4))
    add("four_d", iota(16, 0.5), reshape(2, 2, 2, 2))
    add("ones_shape", arr([7.25]), reshape(1, 1, 1))
    add("random_3d", rng.standard_normal(2 * 3 * 9), reshape(2, 3, 9))

    # --- strides: negative, step, offset, zero, transposed 3-d
    add("reversed", iota(5, 1.5), lambda b: b[::-1])
    add("neg_step_2d", iota(12, 1.0), lambda b: b.reshape(3, 4)[::-1, ::-2])
    add("offset_slice", iota(20, 0.25), lambda b: b.reshape(4, 5)[1:, 2:])
    add("step_slice", iota(10, 1.0), lambda b: b[1::3])
    add("broadcast_row", arr([1.5, -2, 3, 4.125]), lambda b: np.broadcast_to(b, (3, 4)))
    add("broadcast_col", arr([1, 2, 3]), lambda b: np.broadcast_to(b.reshape(3, 1), (3, 4)))
    add("broadcast_3d", arr([0.5, 1e-5]), lambda b: np.broadcast_to(b, (2, 3, 2)))
    add("transposed_reversed_3d", iota(24, 1.0),
        lambda b: b.reshape(2, 3, 4).transpose(2, 0, 1)[::-1])

    # --- summarising (size > threshold)
    add("summary_1d", iota(2000, 1.0), iota=1.0)
    add("summary_ratio_exactly_1000", iota(1001, 0.5), iota=0.5)
    add("summary_2d", iota(50 * 30, 0.25), reshape(50, 30), iota=0.25)
    add("summary_3d", iota(10 * 10 * 11, 1.0), reshape(10, 10, 11), iota=1.0)
    add("summary_short_axes", iota(2 * 3 * 501, 1.0), reshape(2, 3, 501), iota=1.0)
    b = iota(40, 0.125)
    b[20] = nan  # not printed: must not widen the columns
    add("summary_hidden_nan", b, opts=dict(threshold=10))
    add("summary_transposed", iota(40 * 30, 1.0), lambda b: b.reshape(40, 30).T, iota=1.0)

    # --- print options
    add("opt_precision3", arr([1 / 3, 2.0, 1e-3 * 7]), opts=dict(precision=3))
    add("opt_precision3_sci", arr([1 / 3, 2.0, 1e-7]), opts=dict(precision=3))
    add("opt_precision0", arr([2.5, 3.5, 0.25]), opts=dict(precision=0))
    add("opt_linewidth40", iota(12, 1.25), reshape(2, 6), opts=dict(linewidth=40))
    add("opt_threshold10_edge2", iota(60, 1.0), reshape(5, 12),
        opts=dict(threshold=10, edgeitems=2))
    add("opt_edgeitems0", iota(20, 1.0), opts=dict(threshold=5, edgeitems=0))

    # --- float32
    f32 = np.float32
    add("f32_tenths", arr([0.1, 0.2, 0.3], f32))
    add("f32_thirds", arr([1 / 3, 2 / 3, 100 / 3], f32))
    add("f32_random", rng.standard_normal(12).astype(f32), reshape(3, 4))
    add("f32_ratio_rounds_to_1000", arr([1.0000001, 1000.0001220703125], f32))
    add("f32_1e-4_is_sci", arr([0.0001], f32))
    add("f32_sci", arr([3e38, 1e-45, -1.5], f32))
    add("f32_nan_inf", arr([nan, -inf, 0.5], f32))
    add("f32_summary", iota(1500, 0.5, f32), iota=0.5)

    # --- empty
    add("empty_1d", arr([]))
    add("empty_2x0", arr([]), reshape(2, 0))
    add("empty_3x0x2", arr([]), reshape(3, 0, 2))

    # --- 0-d: NumPy's scalar str()
    for name, x in [("1_5", 1.5), ("ln10", math.log(10)), ("third", 1 / 3),
                    ("point3", 0.1 + 0.2), ("int", 100.0), ("neg_zero", -0.0),
                    ("1e16", 1e16), ("below_1e16", 123456789012345.6),
                    ("1e-5", 1e-5), ("1_5e-5", -1.5e-5), ("1e-4", 1e-4),
                    ("big", 1.7976931348623157e308), ("tiny", 5e-324),
                    ("nan", nan), ("neg_inf", -inf)]:
        add("scalar_" + name, arr([x]), lambda b: b.reshape(()))
    for name, x in [("tenth", 0.1), ("1e-4", 1e-4), ("big", 3e38), ("1e16", 1e16)]:
        add("scalar_f32_" + name, arr([x], f32), lambda b: b.reshape(()))


def c_double(x):
    x = float(x)
    if math.isnan(x):
        return "NAN"
    if math.isinf(x):
        return "-INFINITY" if x < 0 else "INFINITY"
    return x.hex()


def c_string(s):
    out = []
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        else:
            assert 32 <= ord(ch) < 127, repr(s)
            out.append(ch)
    # one C literal per output line, for readable diffs
    return '"' + "".join(out).replace("\\n", '\\n"\n        "') + '"'


def emit(path):
    lines = [
        "/* format_cases.h: generated by scripts/gen_format_cases.py from numpy "
        + np.__version__ + "; do not edit. */",
        "#ifndef FORMAT_CASES_H",
        "#define FORMAT_CASES_H",
        "",
        "#include <math.h>",
        "#include <stdint.h>",
        "",
        "typedef struct {",
        "    const char *name;",
        "    int dtype;             /* 0: float64, 1: float32 */",
        "    int64_t nbase;         /* elements in the base buffer */",
        "    const double *base;    /* its values, or NULL: base[i] = i * iota */",
        "    double iota;",
        "    int ndim;",
        "    int64_t shape[4];",
        "    int64_t strides[4];    /* in elements */",
        "    int64_t offset;",
        "    int precision, threshold, edgeitems, linewidth;",
        "    const char *expected;  /* str() in numpy */",
        "} format_case;",
        "",
    ]
    for i, c in enumerate(cases):
        if c["iota"] is None and c["base"].size:
            vals = [c_double(x) for x in c["base"]]
            lines.append("static const double format_base_%d[] = {" % i)
            for j in range(0, len(vals), 4):
                lines.append("    " + ", ".join(vals[j:j + 4]) + ",")
            lines.append("};")
    lines.append("")
    lines.append("static const format_case format_cases[] = {")
    for i, c in enumerate(cases):
        assert c["iota"] is None or np.array_equal(
            c["base"], iota(c["base"].size, c["iota"], c["base"].dtype.type)), c["name"]
        nd = len(c["shape"])
        assert nd <= 4
        shape = ", ".join(str(s) for s in c["shape"]) or "0"
        strides = ", ".join(str(s) for s in c["strides"]) or "0"
        base = "NULL" if (c["iota"] is not None or not c["base"].size) else "format_base_%d" % i
        o = c["opts"]
        lines.append("    {\"%s\", %d, %d, %s, %s, %d, {%s}, {%s}, %d, %d, %d, %d, %d,"
                     % (c["name"], c["dtype"], c["base"].size, base,
                        c_double(c["iota"] or 0.0), nd, shape, strides, c["offset"],
                        o["precision"], o["threshold"], o["edgeitems"], o["linewidth"]))
        lines.append("        " + c_string(c["text"]) + "},")
    lines.append("};")
    lines.append("")
    lines.append("#define FORMAT_NCASES ((int)(sizeof format_cases / sizeof format_cases[0]))")
    lines.append("")
    lines.append("#endif")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    np.set_printoptions(**{"precision": 8, "threshold": 1000, "edgeitems": 3,
                           "linewidth": 75, "floatmode": "maxprec", "suppress": False,
                           "legacy": False})
    build()
    path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUT
    emit(path)
    print("%d cases written to %s" % (len(cases), path))


if __name__ == "__main__":
    main()
