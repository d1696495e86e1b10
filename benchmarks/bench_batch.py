"""The batch engine against a loop of PySD runs: cost per run at N = 1, 100 and 10 000.

Run with ``make bench`` or ``.venv/bin/python -m pytest benchmarks/bench_batch.py
--benchmark-only -s``. Models: the synthetic ~100-variable model
(``benchmarks/models/synthetic_100.mdl``: ten sectors with stocks, lookups, IF THEN ELSE,
SMOOTHI and RAMP; 240 Euler steps) and the reference model ``models/perez/perez.mdl`` when it
is in the tree. The PySD case times single PySD runs (PySD's own ``run``, parameters set,
no reload); a loop of N runs costs N times that. Ratios (PySD cost per run / batch cost per
run) and the peak memory of N = 10 000 runs returning 10 variables (tracemalloc) are stored
in ``extra_info`` and printed at the end.

Targets (issue 6): ratio >= 1000 at N = 10 000; ratio >= 0.5 at N = 1 (batch no more than
2x a PySD run); peak memory < 1 GiB. At N = 10 000 returning every variable, writing the
output (hundreds of MB for the reference model) dominates; the 10-variable case shows the
engine's own cost.
"""

from __future__ import annotations

import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pytest

import sdmodel as sd

HERE = Path(__file__).resolve().parent
MODEL_FILES = {
    "synthetic_100": HERE / "models" / "synthetic_100.mdl",
    "perez": HERE.parent / "models" / "perez" / "perez.mdl",
}
SIZES = (1, 100, 10_000)
_PER_RUN: dict[tuple[str, str], float] = {}
_CPU: dict[tuple[str, str], float] = {}
_MEMORY: dict[str, float] = {}


def _cpu_timed(func):
    """``func`` wrapped to record its CPU time (process time) per call in ``.times``.

    The machine may be shared: CPU time is the cost that other processes do not inflate.
    """

    def timed(*args, **kwargs):
        start = time.process_time()
        result = func(*args, **kwargs)
        timed.times.append(time.process_time() - start)
        return result

    timed.times = []
    return timed


def _params(model, n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Scalar constants perturbed by +-20 % (one value per run), leaving out those the
    model's constraints do not allow to move on their own (e.g. shares that must sum to 1)."""
    rng = np.random.default_rng(seed)
    out = {}
    for k, v in model.params.items():
        if np.ndim(v) == 0:
            values = v * rng.uniform(0.8, 1.2, n)
            try:
                model.check_constraints({k: values})
            except sd.exceptions.ParameterError:
                continue
            out[k] = values
    return out


@pytest.fixture(scope="module", params=list(MODEL_FILES))
def model(request):
    path = MODEL_FILES[request.param]
    if not path.is_file():
        pytest.skip(f"{path} is not in the tree")
    loaded = sd.load(path)
    loaded.run_batch(_params(loaded, 2))  # compile once, outside the timings
    return request.param, loaded


def test_pysd_run(benchmark, model):
    name, m = model
    pysd_model = m.pysd
    params = _params(m, 1)
    one = {k: float(v[0]) for k, v in params.items()}

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pysd_model.run(params=one)

    cpu = _cpu_timed(run)
    benchmark.pedantic(cpu, rounds=3, iterations=1)
    pysd_model.reload()
    _PER_RUN[(name, "pysd")] = benchmark.stats.stats.min
    _CPU[(name, "pysd")] = min(cpu.times)
    benchmark.extra_info["cost_per_run_s"] = benchmark.stats.stats.min
    benchmark.extra_info["cpu_per_run_s"] = min(cpu.times)


@pytest.mark.parametrize("n", SIZES)
def test_batch_run(benchmark, model, n):
    name, m = model
    params = _params(m, n)
    rounds = 3 if n < 10_000 else 1
    cpu = _cpu_timed(m.run_batch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        benchmark.pedantic(cpu, args=(params,), rounds=rounds, iterations=1)
    per_run = benchmark.stats.stats.min / n
    _PER_RUN[(name, f"batch_{n}")] = per_run
    _CPU[(name, f"batch_{n}")] = min(cpu.times) / n
    benchmark.extra_info["cost_per_run_s"] = per_run
    benchmark.extra_info["cpu_per_run_s"] = min(cpu.times) / n
    if (name, "pysd") in _PER_RUN:
        benchmark.extra_info["speedup_vs_pysd"] = _PER_RUN[(name, "pysd")] / per_run
        benchmark.extra_info["cpu_speedup_vs_pysd"] = _CPU[(name, "pysd")] / _CPU[
            (name, f"batch_{n}")]


def _ten_vars(m) -> list[str]:
    """Ten output variables: the stocks first (a typical calibration or sensitivity set)."""
    kinds = m.doc["kind"]
    ordered = list(m.doc.index[kinds == "Stateful"]) + list(m.doc.index[kinds == "Auxiliary"])
    return ordered[:10]


def test_batch_run_ten_vars(benchmark, model):
    """N = 10 000 returning 10 variables (the output no longer dominates the cost)."""
    name, m = model
    params = _params(m, 10_000)
    cpu = _cpu_timed(m.run_batch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        benchmark.pedantic(cpu, args=(params,), kwargs={"return_vars": _ten_vars(m)},
                           rounds=2, iterations=1)
    _PER_RUN[(name, "batch_10000_10vars")] = benchmark.stats.stats.min / 10_000
    _CPU[(name, "batch_10000_10vars")] = min(cpu.times) / 10_000
    benchmark.extra_info["cost_per_run_s"] = benchmark.stats.stats.min / 10_000
    if (name, "pysd") in _PER_RUN:
        benchmark.extra_info["speedup_vs_pysd"] = _PER_RUN[(name, "pysd")] / (
            benchmark.stats.stats.min / 10_000)


def test_batch_peak_memory(benchmark, model):
    """Peak traced memory of 10 000 runs returning 10 variables."""
    name, m = model
    params = _params(m, 10_000)
    names = _ten_vars(m)

    def run():
        tracemalloc.start()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m.run_batch(params, return_vars=names)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak

    peak = benchmark.pedantic(run, rounds=1, iterations=1)
    _MEMORY[name] = peak / 2**20
    benchmark.extra_info["peak_memory_mib"] = _MEMORY[name]
    benchmark.extra_info["return_vars"] = len(names)


def teardown_module():
    lines = ["", "batch engine vs PySD (cost per run, wall | CPU; ratio = PySD / batch):"]
    for name in MODEL_FILES:
        pysd = _PER_RUN.get((name, "pysd"))
        if pysd is None:
            continue
        pysd_cpu = _CPU[(name, "pysd")]
        lines.append(f"  {name}: one PySD run {pysd * 1e3:.2f} ms | {pysd_cpu * 1e3:.2f} ms")
        for n in SIZES:
            batch = _PER_RUN.get((name, f"batch_{n}"))
            if batch is not None:
                cpu = _CPU[(name, f"batch_{n}")]
                lines.append(f"    N={n:>6}: {batch * 1e3:9.4f} | {cpu * 1e3:9.4f} ms per run, "
                             f"ratio {pysd / batch:9.1f} | {pysd_cpu / cpu:9.1f}")
        batch = _PER_RUN.get((name, "batch_10000_10vars"))
        if batch is not None:
            cpu = _CPU[(name, "batch_10000_10vars")]
            lines.append(f"    N= 10000, 10 return vars: {batch * 1e3:9.4f} | {cpu * 1e3:9.4f} ms "
                         f"per run, ratio {pysd / batch:9.1f} | {pysd_cpu / cpu:9.1f}")
        if name in _MEMORY:
            lines.append(f"    peak memory N=10000, 10 return vars: {_MEMORY[name]:.1f} MiB")
    print("\n".join(lines))
