"""Shared helpers of the Python peers of adlua's benchmarks (bench/WORKLOADS.md).

Timing protocol: 1 warm-up run, then 5 timed runs with time.perf_counter
(CLOCK_MONOTONIC); `seconds` is the median of the 5 and `runs` lists them.
Each workload prints exactly one JSON line on stdout.
"""
import ctypes
import json
import os
import platform
import statistics
import sys
import time

WARMUP = 1
RUNS = 5


def iris_xt():
    """The W1 data: X (3,100) = sepal length, sepal width, ones; t (100,) of 0.0/1.0,
    the first 100 rows (classes 0 and 1) of scikit-learn's iris, in order."""
    import numpy as np
    from sklearn.datasets import load_iris
    iris = load_iris()
    assert (iris.target[:100] != 2).all() and (iris.target[100:] == 2).all()
    data = iris.data[:100]
    X = np.stack([data[:, 0], data[:, 1], np.ones(100)])
    t = iris.target[:100].astype(np.float64)
    return X, t


DATA = os.environ.get("BENCH_DATA", "build/bench/data")


def load(name):
    """An input of bench/gen_data.py: raw little-endian float64, C order, its
    shape listed in DATA/data.txt."""
    import numpy as np
    with open(os.path.join(DATA, "data.txt")) as f:
        shapes = {parts[0]: tuple(int(d) for d in parts[1:])
                  for parts in (line.split() for line in f) if parts}
    return np.fromfile(os.path.join(DATA, name + ".f64"), dtype="<f8").reshape(shapes[name])


def reset_peak():
    """Forgets the peak resident memory so far (Linux: "5" into
    /proc/self/clear_refs): the peak reported is that of the timed work."""
    import gc
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def peak_rss_mib():
    """Peak resident memory of this process in MiB (VmHWM)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def timed(run):
    """run() -> result. Returns (median seconds, [5 times], result of the last run)."""
    reset_peak()
    for _ in range(WARMUP):
        result = run()
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times, result


def openblas_corename():
    try:
        lib = ctypes.CDLL("libopenblas.so.0")
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return lib.openblas_get_corename().decode()
    except (OSError, AttributeError):
        return None


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return f.read().split()[0]
    except OSError:
        return None


def env_info(**extra):
    env = {
        "loadavg": loadavg(),
        "python": platform.python_version(),
        "cpu": cpu_model(),
        "ncpu": os.cpu_count(),
        "openblas_corename": openblas_corename(),
        "clock": "time.perf_counter",
    }
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OMP_WAIT_POLICY",
                "OPENBLAS_CORETYPE", "QUICK"):
        env[var] = os.environ.get(var)
    env.update(extra)
    return env


def emit(peer, workload, seconds, iters, runs, result, env, **extra):
    rec = {"peer": peer, "workload": workload, "seconds": seconds, "iters": iters,
           "sec_per_iter": seconds / iters, "runs": runs, "result": result, "env": env,
           "peak_rss_mib": peak_rss_mib()}
    rec.update(extra)
    sys.stdout.write(json.dumps(rec) + "\n")
    sys.stdout.flush()


def int_arg(default):
    """Optional first command-line argument: the number of iterations."""
    if len(sys.argv) > 1:
        n = int(sys.argv[1])
        if n < 1:
            raise SystemExit("%s: iterations must be >= 1" % sys.argv[0])
        return n
    return default
