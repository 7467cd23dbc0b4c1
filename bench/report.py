#!/usr/bin/python3
"""Reads the JSON lines of bench/run.sh, checks that the peers agree, and
prints one table: per-iteration times, the speed-up torch/adlua and the
targets of issue 2.

Usage: python3 bench/report.py RESULTS.jsonl [--markdown]
Exit status: 0 when every adlua result is there and every check passes
(a missing torch peer is reported, not an error); 1 otherwise.
"""
import json
import math
import sys

# Reference numbers (scripts/gen_reference.py, bench/WORKLOADS.md)
REF_W1 = {"iters": 1000, "w": [3.042712507, -5.099495972, -0.6933893946], "loss": 9.99422221}
REF_W3 = {"iters": 10000, "f": 0.305070862785193, "grad_n100": 1.90233842941334e-05}

WORKLOADS = [
    ("W1", "W1 iris_loop", "GD step", "torch/adlua >= 20x", lambda a, t: t is not None and t / a >= 20),
    ("W3", "W3 scalar_chain", "link", "adlua < 1 µs/link", lambda a, t: a < 1e-6),
]


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


def close(a, b, tol):
    return a is not None and b is not None and abs(a - b) <= tol


def check_w1(recs, checks):
    a, t = recs.get("adlua"), recs.get("torch")
    if a and t:
        if a["iters"] != t["iters"]:
            checks.append((False, "W1: peers ran different step counts (%d, %d)" % (a["iters"], t["iters"])))
        else:
            d = max(abs(x - y) for x, y in zip(a["result"]["w"], t["result"]["w"]))
            checks.append((d <= 1e-9, "W1: final w adlua vs torch, max |diff| = %.3g (<= 1e-9)" % d))
            dl = abs(a["result"]["loss"] - t["result"]["loss"])
            checks.append((dl <= 1e-9 * abs(t["result"]["loss"]),
                           "W1: final loss adlua vs torch, |diff| = %.3g (<= 1e-9 relative)" % dl))
    for peer, r in sorted(recs.items()):
        if r["iters"] == REF_W1["iters"]:
            d = max(abs(x - y) for x, y in zip(r["result"]["w"], REF_W1["w"]))
            checks.append((d <= 1e-9, "W1: %s final w = [%s] vs reference, max |diff| = %.2g (<= 1e-9)"
                           % (peer, ", ".join("%.10g" % v for v in r["result"]["w"]), d)))
            dl = abs(r["result"]["loss"] - REF_W1["loss"])
            checks.append((dl <= 1e-8, "W1: %s final loss = %.10g vs reference %.9g"
                           % (peer, r["result"]["loss"], REF_W1["loss"])))


def check_w3(recs, checks):
    a, t = recs.get("adlua"), recs.get("torch")
    if a and t:
        if a["iters"] != t["iters"]:
            checks.append((False, "W3: peers ran different chain lengths (%d, %d)" % (a["iters"], t["iters"])))
        else:
            d = abs(a["result"]["f"] - t["result"]["f"])
            checks.append((d <= 1e-12, "W3: f adlua vs torch, |diff| = %.3g (<= 1e-12)" % d))
        d = abs(a["result"]["grad_n100"] - t["result"]["grad_n100"])
        checks.append((d <= 1e-12 * abs(t["result"]["grad_n100"]),
                       "W3: grad (100 links) adlua vs torch, |diff| = %.3g (<= 1e-12 relative)" % d))
    for peer, r in sorted(recs.items()):
        res = r["result"]
        if r["iters"] == REF_W3["iters"]:
            checks.append((close(res["f"], REF_W3["f"], 1e-12),
                           "W3: %s f(0.5) = %r vs reference %r" % (peer, res["f"], REF_W3["f"])))
        checks.append((close(res["grad_n100"], REF_W3["grad_n100"], 1e-12 * REF_W3["grad_n100"]),
                       "W3: %s grad (100 links) = %r vs reference %r"
                       % (peer, res["grad_n100"], REF_W3["grad_n100"])))
        g = res["grad"]
        if r["iters"] >= 8000:     # the long chain's gradient underflows to a denormal
            ok = g is not None and 0 <= g < 1e-300
        else:
            ok = g is not None and math.isfinite(g)
        checks.append((ok, "W3: %s grad (%d links) = %r" % (peer, r["iters"], g)))


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
                by.setdefault(rec["workload"], {})[rec["peer"]] = rec

    checks = []
    check_w1(by.get("W1", {}), checks)
    check_w3(by.get("W3", {}), checks)

    rows = []
    for key, name, unit, target, met in WORKLOADS:
        recs = by.get(key, {})
        a, t = recs.get("adlua"), recs.get("torch")
        if a is None:
            checks.append((False, "%s: no adlua result" % key))
        sa = a["sec_per_iter"] if a else None
        st = t["sec_per_iter"] if t else None
        ratio = "%.1fx" % (st / sa) if sa and st else "-"
        if sa is None:
            verdict = "not measured"
        elif key == "W1" and st is None:
            verdict = "unknown (no torch)"
        else:
            verdict = "met" if met(sa, st) else "NOT MET"
            full = {"W1": REF_W1, "W3": REF_W3}[key]["iters"]
            if a["iters"] != full:
                verdict += " (shortened run)"
        iters = "/".join(str(r["iters"]) for r in (a, t) if r)
        rows.append(("%s (per %s)" % (name, unit), iters, fmt_time(sa), fmt_time(st), ratio,
                     "%s: %s" % (target, verdict)))

    head = ("workload", "iters", "adlua", "torch", "speed-up", "target")
    if markdown:
        print("| " + " | ".join(head) + " |")
        print("|---|---:|---:|---:|---:|---|")
        for r in rows:
            print("| " + " | ".join(r) + " |")
    else:
        widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
        line = "  ".join("%%-%ds" % w if i in (0, 5) else "%%%ds" % w for i, w in enumerate(widths))
        print(line % head)
        print("  ".join("-" * w for w in widths))
        for r in rows:
            print(line % r)
    print()
    ok = True
    for passed, msg in checks:
        ok &= passed
        print("%s %s" % ("ok  " if passed else "FAIL", msg))
    for key in ("W1", "W3"):
        for peer, r in sorted(by.get(key, {}).items()):
            e = r.get("env", {})
            print("env %s %s: %s" % (key, peer, ", ".join(
                "%s=%s" % (k, e[k]) for k in ("openblas_corename", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                              "OMP_WAIT_POLICY", "OPENBLAS_CORETYPE", "torch_num_threads", "clock",
                                              "loadavg")
                if e.get(k) is not None)))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
