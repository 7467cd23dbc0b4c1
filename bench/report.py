#!/usr/bin/python3
"""Reads the JSON lines of bench/run.sh, checks that the engines agree with
each other and with the reference numbers of bench/WORKLOADS.md, and prints
two tables: for W1-W7, per-iteration time of each engine, adlua's speed-up
over each (their time / adlua's), peak resident memory, and the targets of
issue 7; for the array workloads A1-A12, the same for adlua and NumPy with
the target of issue 3 (within 1.5x of NumPy's time).

A table is printed for each family (W, A) with a result in the file; a
workload of that family without any result is listed as not run. When an
engine ran a workload more than once (bench/run.sh's rounds), its run with
the lowest median is the one reported.

Usage: python3 bench/report.py RESULTS.jsonl [--markdown]
Exit status: 0 when every workload that ran has an adlua result and every
check passes (a missing peer is reported, not an error); 1 otherwise.
"""
import json
import math
import sys

PEERS = ("adlua", "torch", "numpy")

# Reference results at the full sizes (bench/WORKLOADS.md); checked only when
# the run used those sizes.
REF_W1 = {"w": [3.042712507, -5.099495972, -0.6933893946], "loss": 9.99422221}
FULL = {"W1": 1000, "W2": 1000, "W3": 10000, "W4": 20, "W5": 50, "W6": 1, "W7": 200}
REF = {
    "W1": (REF_W1, 1e-9),
    "W2": (REF_W1, 1e-9),
    "W3": ({"f": 0.305070862785193, "grad_n100": 1.90233842941334e-05}, 1e-12),
    "W4": ({"loss": 0.277880715051}, 1e-10),
    "W5": ({"loss0": 2.30361186083, "loss": 0.419818188957}, 1e-10),
    "W6": ({"f": -42725.6915649, "g00": 22.4452163925, "gsum": -2310105.7587}, 1e-9),
    "W7": ({"mean": 4.0, "len": 800}, 0),
}
# How close two engines must be, relative, on the same sizes.
AGREE = {"W1": 1e-9, "W2": 1e-9, "W3": 1e-12, "W4": 1e-9, "W5": 1e-9, "W6": 1e-9, "W7": 0}

# The array workloads (bench/adlua_array.lua, bench/numpy_array.py): name,
# default iterations per timed run (a run with others is a short run).
ARRAY = {
    "A1": ("A1 exp(x)", 50), "A2": ("A2 log(p)", 50), "A3": ("A3 tanh(x)", 50),
    "A4": ("A4 x + y", 50), "A5": ("A5 x * 2.5", 50), "A6": ("A6 X + b (1000x1000 + 1000)", 50),
    "A7": ("A7 sum(x)", 200), "A8": ("A8 sum(X, axis 0)", 200), "A9": ("A9 sum(X, axis 1)", 200),
    "A10": ("A10 max(x)", 200), "A11": ("A11 mean(x)", 200), "A12": ("A12 softmax(X) by rows", 50),
}
ARRAY_TOL = 1e-9
ARRAY_TARGET = 1.5

NAMES = {"W1": ("W1 iris_loop", "GD step"), "W2": ("W2 iris_vec", "GD step"),
         "W3": ("W3 scalar_chain", "link"), "W4": ("W4 logreg_big", "GD step"),
         "W5": ("W5 mlp", "SGD step"), "W6": ("W6 matmul", "grad"),
         "W7": ("W7 higher_order", "2nd derivative")}


def fmt_time(s):
    if s is None:
        return "-"
    if s >= 1:
        return "%.3g s" % s
    if s >= 1e-3:
        return "%.3g ms" % (s * 1e3)
    if s >= 1e-6:
        return "%.3g µs" % (s * 1e6)
    return "%.3g ns" % (s * 1e9)


def spi(r):
    return r["sec_per_iter"] if r else None


def dgemm_gflops(by):
    r = by.get("dgemm1000", {}).get("dgemm")
    return r["result"]["gflops"] if r else None


def speedup_gap(a, peer, ratio):
    """What a ratio target peer/adlua >= ratio misses by: the time adlua needs."""
    need = peer / ratio
    return "%.1fx of %gx: needs %s, %.2fx faster" % (peer / a, ratio, fmt_time(need), a / need)


def verdict_of(met, gap, full):
    """met / NOT MET (how far) / n/a, marked when the run was not full size."""
    v = "met" if met else ("NOT MET" if met is False else "n/a")
    if gap:
        v += " (%s)" % gap
    return v if full else v + " (short run)"


def targets(key, recs, by):
    """(text, met or None when it cannot be judged, how far from the target
    when it is not met, else "")."""
    a, t, n = (spi(recs.get(p)) for p in PEERS)
    mem = lambda p: recs[p].get("peak_rss_mib") if p in recs else None  # noqa: E731
    if a is None:
        return "not measured", False, ""
    if key == "W1":
        met = (t / a >= 30) if t else None
        return "torch/adlua >= 30x", met, speedup_gap(a, t, 30) if met is False else ""
    if key == "W2":
        met = (a / n <= 1.5) if n else None
        return "adlua/numpy <= 1.5", met, "%.2fx NumPy's time" % (a / n) if met is False else ""
    if key == "W3":
        gaps = []
        if a > 0.3e-6:
            gaps.append("%s per link: %.2fx over 0.3 µs" % (fmt_time(a), a / 0.3e-6))
        if t and t / a < 100:
            gaps.append(speedup_gap(a, t, 100))
        met = not gaps if t else (a <= 0.3e-6 and None)
        return "<= 0.3 µs/link, torch/adlua >= 100x", met, "; ".join(gaps)
    if key in ("W4", "W5"):
        text = "adlua/numpy <= 1.1, faster than torch, peak mem <= torch's"
        if not (n and t):
            return text, None, ""
        gaps = []
        if a / n > 1.1:
            gaps.append("%.2fx NumPy's time" % (a / n))
        if a >= t:
            gaps.append("%.2fx torch's time" % (a / t))
        if (mem("adlua") or 0) > (mem("torch") or 0):
            gaps.append("peak %.0f MiB against torch's %.0f" % (mem("adlua"), mem("torch") or 0))
        return text, not gaps, "; ".join(gaps)
    if key == "W6":
        g = dgemm_gflops(by)
        if not g:
            return ">= 85% of dgemm", None, ""
        frac = 2 * 2 * 1000 ** 3 / a / 1e9 / g       # two 1000^3 GEMMs
        return (">= 85%% of dgemm (%.0f%% of %.0f GFLOP/s)" % (100 * frac, g), frac >= 0.85,
                "" if frac >= 0.85 else "%.0f points short" % (100 * (0.85 - frac)))
    if key == "W7":
        met = (t / a >= 5) if t else None
        return "torch/adlua >= 5x", met, speedup_gap(a, t, 5) if met is False else ""
    return "-", None, ""


def rel_close(x, y, tol):
    if isinstance(x, list):
        return all(rel_close(u, v, tol) for u, v in zip(x, y)) and len(x) == len(y)
    if x is None or y is None:
        return False
    if tol == 0:
        return x == y
    return abs(x - y) <= tol * max(abs(x), abs(y), 1e-300)


def checks_for(key, recs, checks):
    ref, tol = REF[key]
    items = sorted(recs.items())
    for peer, r in items:
        res = r["result"]
        if r["iters"] == FULL[key]:
            for k, v in ref.items():
                ok = rel_close(res.get(k), v, tol if tol else 0)
                checks.append((ok, "%s: %s %s = %s vs reference %s" % (key, peer, k, res.get(k), v)))
        if key == "W3":
            g = res.get("grad")
            ok = g is not None and (0 <= g < 1e-300 if r["iters"] >= 8000 else math.isfinite(g))
            checks.append((ok, "W3: %s grad (%d links) = %r" % (peer, r["iters"], g)))
    # engines against each other, on the fields both report, at equal sizes
    for i, (p1, r1) in enumerate(items):
        for p2, r2 in items[i + 1:]:
            if r1["iters"] != r2["iters"]:
                checks.append((False, "%s: %s and %s ran different sizes (%d, %d)"
                               % (key, p1, p2, r1["iters"], r2["iters"])))
                continue
            common = sorted(set(r1["result"]) & set(r2["result"]))
            if key == "W3" and r1["iters"] >= 8000:
                common = [k for k in common if k != "grad"]     # a denormal, checked above
            bad = [k for k in common
                   if not rel_close(r1["result"][k], r2["result"][k], AGREE[key])]
            checks.append((not bad, "%s: %s vs %s agree on %s%s" % (
                key, p1, p2, ", ".join(common), (" (within %g relative)" % AGREE[key])
                if AGREE[key] else " (exactly)") + ("; DIFFER: %s" % bad if bad else "")))


def print_table(head, rows, markdown):
    if markdown:
        print("| " + " | ".join(head) + " |")
        print("|---|" + "---:|" * (len(head) - 2) + "---|")
        for r in rows:
            print("| " + " | ".join(r) + " |")
    else:
        widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
        line = "  ".join("%%-%ds" % w if i in (0, len(head) - 1) else "%%%ds" % w
                         for i, w in enumerate(widths))
        print(line % head)
        print("  ".join("-" * w for w in widths))
        for r in rows:
            print(line % r)


def array_rows(by, checks, not_run):
    """The rows of the array table (A1-A12), adding their agreement checks."""
    rows = []
    present = [k for k in ARRAY if k in by]
    for key in ARRAY if present else ():
        recs = {p: r for p, r in by.get(key, {}).items() if p in ("adlua", "numpy")}
        if not recs:
            not_run.append(key)
            continue
        name, full = ARRAY[key]
        a, n = spi(recs.get("adlua")), spi(recs.get("numpy"))
        if a is None:
            checks.append((False, "%s: no adlua result" % key))
        if "adlua" in recs and "numpy" in recs:
            r1, r2 = recs["adlua"], recs["numpy"]
            if r1["iters"] != r2["iters"]:
                checks.append((False, "%s: adlua and numpy ran different sizes (%d, %d)"
                               % (key, r1["iters"], r2["iters"])))
            common = sorted(set(r1["result"]) & set(r2["result"]))
            bad = [k for k in common
                   if not rel_close(r1["result"][k], r2["result"][k], ARRAY_TOL)]
            missing = sorted(set(r1["result"]) ^ set(r2["result"]))
            checks.append((bool(common) and not bad and not missing,
                           "%s: adlua vs numpy agree on %s (within %g relative)%s%s" % (
                               key, ", ".join(common), ARRAY_TOL,
                               "; DIFFER: %s" % bad if bad else "",
                               "; only one reports %s" % missing if missing else "")))
        if a and n:
            q = a / n
            if q <= ARRAY_TARGET:
                verdict = "met (%.2fx NumPy's time)" % q
            else:
                verdict = "NOT MET (%.2fx NumPy's time: %.2fx too slow)" % (q, q / ARRAY_TARGET)
        else:
            verdict = "n/a"
        if "adlua" in recs and recs["adlua"]["iters"] != full:
            verdict += " (short run)"
        iters = "/".join(str(recs[p]["iters"]) if p in recs else "-" for p in ("adlua", "numpy"))
        mem = "/".join("%.0f" % recs[p]["peak_rss_mib"] if p in recs and recs[p].get("peak_rss_mib")
                       else "-" for p in ("adlua", "numpy"))
        rows.append((name, iters, fmt_time(a), fmt_time(n),
                     "%.2fx" % (n / a) if a and n else "-", mem,
                     "within %gx of NumPy: %s" % (ARRAY_TARGET, verdict)))
    return rows


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    markdown = "--markdown" in sys.argv
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    by = {}
    with open(args[0]) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                rec = json.loads(line)
                # several rounds (bench/run.sh BENCH_ROUNDS): each
                # engine's fastest median is kept
                seen = by.setdefault(rec["workload"], {}).get(rec["peer"])
                if seen is None or rec["seconds"] < seen["seconds"]:
                    by[rec["workload"]][rec["peer"]] = rec

    checks = []
    rows = []
    not_run = []
    wkeys = ("W1", "W2", "W3", "W4", "W5", "W6", "W7")
    if not any(k in by for k in list(wkeys) + list(ARRAY)):
        print("report: no workload results in %s" % args[0], file=sys.stderr)
        return 1
    for key in wkeys if any(k in by for k in wkeys) else ():
        recs = {p: r for p, r in by.get(key, {}).items() if p in PEERS}
        if not recs:
            not_run.append(key)
            continue
        jit = by.get(key, {}).get("adlua_jit")
        if "adlua" not in recs:
            checks.append((False, "%s: no adlua result" % key))
        if key == "W2" and "adlua" in recs and "adlua" in by.get("W1", {}):
            r1, r2 = by["W1"]["adlua"], recs["adlua"]
            if r1["iters"] == r2["iters"]:
                ok = rel_close(r1["result"]["w"], r2["result"]["w"], 1e-9)
                checks.append((ok, "W2: adlua's final w equals its W1 result within 1e-9 relative"))
        # the bound of bench/scalar_tape_w3.lua computes W3 too: its results are checked
        extra = {p: by[key][p] for p in ("adlua_jit", "scalar_tape") if p in by.get(key, {})}
        checks_for(key, dict(recs, **extra), checks)
        a = spi(recs.get("adlua"))
        times = [fmt_time(spi(recs.get(p))) for p in PEERS]
        ratios = []
        for p in PEERS[1:]:
            o = spi(recs.get(p))
            ratios.append("%.2fx" % (o / a) if a and o else "-")
        mem = "/".join("%.0f" % recs[p]["peak_rss_mib"] if p in recs and recs[p].get("peak_rss_mib")
                       else "-" for p in PEERS)
        text, met, gap = targets(key, recs, by)
        verdict = verdict_of(met, gap, "adlua" not in recs or recs["adlua"]["iters"] == FULL[key])
        iters = "/".join(str(recs[p]["iters"]) if p in recs else "-" for p in PEERS)
        name, unit = NAMES[key]
        rows.append(("%s (per %s)" % (name, unit), iters, *times, *ratios, mem,
                     "%s: %s" % (text, verdict)))
        if jit:
            # the same workload replayed by ad.jit (docs/jit.md), against the same peers
            j, t = spi(jit), spi(recs.get("torch"))
            # issue 7 sets a replay target for W1 only; other rows are for information
            met = ((t / j >= 100) if t else None) if key == "W1" else None
            verdict = verdict_of(met, speedup_gap(j, t, 100) if met is False else "",
                                 jit["iters"] == FULL[key])
            rows.append(("%s, ad.jit (per %s)" % (name, unit),
                         "/".join([str(jit["iters"])] + iters.split("/")[1:]),
                         fmt_time(j), *times[1:],
                         *["%.2fx" % (spi(recs[p]) / j) if p in recs else "-" for p in PEERS[1:]],
                         "/".join(["%.0f" % jit["peak_rss_mib"] if jit.get("peak_rss_mib") else "-"]
                                  + mem.split("/")[1:]),
                         "torch/adlua >= 100x: %s" % verdict if key == "W1"
                         else "(replay of the same workload, no target)"))

    head = ("workload", "iters a/t/n", "adlua", "torch", "numpy", "torch/adlua", "numpy/adlua",
            "peak MiB a/t/n", "target")
    if rows:
        print_table(head, rows, markdown)
        print()
    arows = array_rows(by, checks, not_run)
    if arows:
        print_table(("array workload (per operation, 10^6 float64)", "iters a/n", "adlua", "numpy",
                     "numpy/adlua", "peak MiB a/n", "target"), arows, markdown)
        print()
    if not_run:
        print("not run: %s" % " ".join(not_run))
    for n in (1000, 2000):
        r = by.get("dgemm%d" % n, {}).get("dgemm")
        if r:
            print("BLAS limit: cblas_dgemm n=%d: %s, %.1f GFLOP/s (core %s, %s threads)" % (
                n, fmt_time(r["seconds"]), r["result"]["gflops"], r["env"]["openblas_corename"],
                r["env"]["openblas_threads"]))
    floor = by.get("W3", {}).get("lua_floor")
    if floor:
        f, a, t = spi(floor), spi(by["W3"].get("adlua")), spi(by["W3"].get("torch"))
        print("Lua C API floor (bench/lua_floor.c): W3's chain on values whose operations only "
              "return a new userdata: %s per link%s%s" % (
                  fmt_time(f), "; adlua's W3 %s (%.2fx the floor's time)" % (fmt_time(a), a / f)
                  if a else "", "; 100x PyTorch's W3 needs %s" % fmt_time(t / 100) if t else ""))
    tape = by.get("W3", {}).get("scalar_tape")
    if tape:
        s, a = spi(tape), spi(by["W3"].get("adlua"))
        print("Without a userdata per operation (bench/scalar_tape_w3.lua): W3 forward and backward "
              "with boxes as Lua tables and a tape of numbers reached through the FFI: %s per link%s"
              % (fmt_time(s), "; adlua's W3 (scalar boxes) takes %.2fx its time" % (a / s) if a else ""))
    ok = True
    for passed, msg in checks:
        ok &= passed
        print("%s %s" % ("ok  " if passed else "FAIL", msg))
    envs = {}
    for key, recs in sorted(by.items()):
        for peer, r in recs.items():
            e = r.get("env", {})
            desc = ", ".join("%s=%s" % (k, e[k]) for k in (
                "openblas_corename", "OPENBLAS_CORETYPE", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                "OMP_WAIT_POLICY", "torch_num_threads", "openblas_threads") if e.get(k) is not None)
            envs.setdefault((peer, desc), []).append(key)
            if e.get("openblas_corename") and by.get("dgemm1000", {}).get("dgemm") and \
                    e["openblas_corename"] != by["dgemm1000"]["dgemm"]["env"]["openblas_corename"]:
                ok = False
                print("FAIL %s %s ran on OpenBLAS core %s, dgemm on %s" % (
                    key, peer, e["openblas_corename"], by["dgemm1000"]["dgemm"]["env"]["openblas_corename"]))
    for (peer, desc), keys in sorted(envs.items()):
        print("env %s (%s): %s" % (peer, " ".join(keys), desc))
    loads = [float(r["env"]["loadavg"]) for recs in by.values() for r in recs.values()
             if r.get("env", {}).get("loadavg")]
    if loads:
        print("load average when the processes started: %.2f-%.2f%s" % (
            min(loads), max(loads), " (other work was running: times may be inflated)"
            if max(loads) >= 1 else ""))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
