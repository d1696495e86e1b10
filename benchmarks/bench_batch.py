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
2x a PySD run); peak memory < 1 GiB.
"""

from __future__ import annotations

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
_MEMORY: dict[str, float] = {}


def _params(model, n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Every scalar constant perturbed by +-20 % (one value per run)."""
    rng = np.random.default_rng(seed)
    return {k: v * rng.uniform(0.8, 1.2, n) for k, v in model.params.items()
            if np.ndim(v) == 0}


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

    benchmark.pedantic(run, rounds=3, iterations=1)
    pysd_model.reload()
    _PER_RUN[(name, "pysd")] = benchmark.stats.stats.min
    benchmark.extra_info["cost_per_run_s"] = benchmark.stats.stats.min


@pytest.mark.parametrize("n", SIZES)
def test_batch_run(benchmark, model, n):
    name, m = model
    params = _params(m, n)
    rounds = 3 if n < 10_000 else 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        benchmark.pedantic(m.run_batch, args=(params,), rounds=rounds, iterations=1)
    per_run = benchmark.stats.stats.min / n
    _PER_RUN[(name, f"batch_{n}")] = per_run
    benchmark.extra_info["cost_per_run_s"] = per_run
    if (name, "pysd") in _PER_RUN:
        benchmark.extra_info["speedup_vs_pysd"] = _PER_RUN[(name, "pysd")] / per_run


def test_batch_peak_memory(benchmark, model):
    """Peak traced memory of 10 000 runs returning 10 variables."""
    name, m = model
    params = _params(m, 10_000)
    names = [v for v in m.doc.index[m.doc["kind"] == "Stateful"]][:10]

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
    lines = ["", "batch engine vs PySD (cost per run; ratio = PySD / batch):"]
    for name in MODEL_FILES:
        pysd = _PER_RUN.get((name, "pysd"))
        if pysd is None:
            continue
        lines.append(f"  {name}: one PySD run {pysd * 1e3:.2f} ms")
        for n in SIZES:
            batch = _PER_RUN.get((name, f"batch_{n}"))
            if batch is not None:
                lines.append(f"    N={n:>6}: {batch * 1e3:9.4f} ms per run, ratio "
                             f"{pysd / batch:10.1f}")
        if name in _MEMORY:
            lines.append(f"    peak memory N=10000, 10 return vars: {_MEMORY[name]:.1f} MiB")
    print("\n".join(lines))
