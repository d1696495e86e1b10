"""The batch engine's two backends against each other and against PySD runs.

Run with ``make bench`` or ``nice -n 5 .venv/bin/python -m pytest benchmarks/bench_batch.py
--benchmark-only -s`` (the table printed at the end is the README's). Models: the reference
model ``models/perez/perez.mdl``, ``benchmarks/models/synthetic_100.mdl`` and a generated
chain of ``BENCH_CHAIN_VARS`` (default 1 000) transcendental-free variables
(:mod:`chain`). Each case returns ten variables (the stocks first), so the engines' own
cost is measured, not writing the output.

Cases, all within one run (ratios are what is compared; the machine may be shared, so
CPU time per run is recorded beside wall time): one PySD run (parameters set, no reload);
``run_batch`` with ``engine="numpy"`` and ``engine="fused"`` at N = 1, 90 (a
differential-evolution population) and 10 000; the fused kernel's compile time, cold (empty
kernel cache: code generation and numba compilation) and cached (a new import of the kernel
module, numba loading its machine code from disk); and whether numba vectorises the
transcendental calls (the kernel's assembly searched for SVML calls and packed AVX
arithmetic).

Targets (issue 15): fused / numpy >= 2.5 on the reference model and >= 4 on the chain at
N = 10 000, >= 8 at N = 90; fused at N = 1 >= 20x one PySD run.
"""

from __future__ import annotations

import os
import re
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

import sdmodel as sd
from sdmodel.batch import engine as batch_engine

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from chain import chain_model  # noqa: E402

CHAIN_VARS = int(os.environ.get("BENCH_CHAIN_VARS", "1000"))
MODEL_FILES = {
    "perez": HERE.parent / "models" / "perez" / "perez.mdl",
    "synthetic_100": HERE / "models" / "synthetic_100.mdl",
    "chain": None,  # generated
}
SIZES = (1, 90, 10_000)
ENGINES = ("numpy", "fused")
_WALL: dict[tuple, float] = {}
_CPU: dict[tuple, float] = {}
_INFO: dict[tuple, object] = {}


def _cpu_timed(func):
    """``func`` wrapped to record its CPU time (process time) per call in ``.times``."""

    def timed(*args, **kwargs):
        start = time.process_time()
        result = func(*args, **kwargs)
        timed.times.append(time.process_time() - start)
        return result

    timed.times = []
    return timed


def _params(model, n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Scalar constants perturbed by +-10 % (one value per run), leaving out those the
    model's constraints do not allow to move on their own."""
    rng = np.random.default_rng(seed)
    out = {}
    for k, v in model.params.items():
        if np.ndim(v) == 0:
            values = v * rng.uniform(0.9, 1.1, n)
            try:
                model.check_constraints({k: values})
            except sd.exceptions.ParameterError:
                continue
            out[k] = values
    return out


def _ten_vars(m) -> list[str]:
    kinds = m.doc["kind"]
    ordered = list(m.doc.index[kinds == "Stateful"]) + list(m.doc.index[kinds == "Auxiliary"])
    return ordered[:10]


@pytest.fixture(scope="module", params=list(MODEL_FILES))
def model(request, tmp_path_factory):
    path = MODEL_FILES[request.param]
    if path is None:
        path = tmp_path_factory.mktemp("chain") / f"chain_{CHAIN_VARS}.mdl"
        path.write_text(chain_model(CHAIN_VARS))
    if not path.is_file():
        pytest.skip(f"{path} is not in the tree")
    loaded = sd.load(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for engine in ENGINES:  # compile once, outside the timings
            loaded.run_batch(_params(loaded, 2), engine=engine)
    return request.param, loaded


def test_pysd_run(benchmark, model):
    name, m = model
    pysd_model = m.pysd
    one = {k: float(v[0]) for k, v in _params(m, 1).items()}

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pysd_model.run(params=one, return_columns=_ten_vars(m))

    cpu = _cpu_timed(run)
    benchmark.pedantic(cpu, rounds=3 if name == "perez" else 1, iterations=1)
    pysd_model.reload()
    _WALL[(name, "pysd")] = benchmark.stats.stats.min
    _CPU[(name, "pysd")] = min(cpu.times)
    benchmark.extra_info["cpu_per_run_s"] = min(cpu.times)


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("engine", ENGINES)
def test_batch_run(benchmark, model, engine, n):
    name, m = model
    params = _params(m, n)
    cpu = _cpu_timed(m.run_batch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = benchmark.pedantic(cpu, args=(params,),
                                kwargs={"return_vars": _ten_vars(m), "engine": engine},
                                rounds=5 if n < 10_000 else 1, iterations=1)
    assert ds.attrs["batch_backend"] == engine
    _WALL[(name, engine, n)] = benchmark.stats.stats.min / n
    _CPU[(name, engine, n)] = min(cpu.times) / n
    benchmark.extra_info["cpu_per_run_s"] = min(cpu.times) / n


def test_fused_one_run_three_params(benchmark, model):
    """N = 1 varying three parameters (as a calibration or a scenario does): the Dataset of
    ``run_batch`` carries one coordinate per varied parameter, which at N = 1 costs more
    than the kernel."""
    name, m = model
    params = dict(list(_params(m, 1).items())[:3])
    cpu = _cpu_timed(m.run_batch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        benchmark.pedantic(cpu, args=(params,),
                           kwargs={"return_vars": _ten_vars(m), "engine": "fused"},
                           rounds=20, iterations=1)
    _CPU[(name, "fused_1_three")] = min(cpu.times)
    benchmark.extra_info["cpu_per_run_s"] = min(cpu.times)


def test_fused_compile_time(benchmark, model, tmp_path, monkeypatch):
    """Cold: empty kernel cache (generation + numba compilation); cached: a fresh import of
    the kernel module, numba loading the machine code it stored on disk."""
    name, m = model
    monkeypatch.setenv("SDMODEL_CACHE_DIR", str(tmp_path))
    params = {k: v[:1] for k, v in _params(m, 1).items()}

    def first_run():
        batch_engine._FUSED.pop(m.file_hash, None)
        for key in [k for k in sys.modules if k.startswith("_sdmodel_fused_")]:
            del sys.modules[key]
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m.run_batch(params, engine="fused", return_vars=_ten_vars(m))
        return time.perf_counter() - start

    cold = benchmark.pedantic(first_run, rounds=1, iterations=1)
    # the kernel's assembly (only freshly compiled code can be inspected): SVML calls
    # (vectorised transcendental functions) and packed double arithmetic on 256/512-bit
    # registers against scalar double arithmetic
    asm = "\n".join(batch_engine.get_fused(m).kernel.inspect_asm().values())
    cached = min(first_run() for _ in range(2))
    _INFO[(name, "compile_cold_s")] = cold
    _INFO[(name, "compile_cached_s")] = cached
    benchmark.extra_info.update(compile_cold_s=cold, compile_cached_s=cached)
    packed = len(re.findall(r"\bv(?:add|mul|sub|div)pd\s+%[yz]mm", asm))
    scalar = len(re.findall(r"\bv(?:add|mul|sub|div)sd\b", asm))
    _INFO[(name, "simd")] = (asm.count("svml"), packed, scalar)
    benchmark.extra_info.update(svml_calls=asm.count("svml"), packed_ops=packed,
                                scalar_ops=scalar)


def test_batch_peak_memory(benchmark, model):
    """Peak traced memory of 10 000 runs returning 10 variables (issue 6: < 1 GiB)."""
    import tracemalloc

    name, m = model
    params = _params(m, 10_000)

    def run():
        tracemalloc.start()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m.run_batch(params, return_vars=_ten_vars(m))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak

    peak = benchmark.pedantic(run, rounds=1, iterations=1)
    _INFO[(name, "peak_mib")] = peak / 2**20
    benchmark.extra_info["peak_memory_mib"] = peak / 2**20


def _ratio(num, den):
    return f"{num / den:.1f}x" if num and den else "-"


def teardown_module():
    lines = ["", "| model | one PySD run | N | numpy µs/run | fused µs/run | fused / numpy "
             "| fused vs PySD | compile cold / cached |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name in MODEL_FILES:
        pysd = _CPU.get((name, "pysd"))
        for n in SIZES:
            numpy, fused = _CPU.get((name, "numpy", n)), _CPU.get((name, "fused", n))
            if numpy is None and fused is None:
                continue
            cold = _INFO.get((name, "compile_cold_s"))
            cached = _INFO.get((name, "compile_cached_s"))
            compiled = f"{cold:.1f} s / {cached:.2f} s" if cold is not None else "-"
            lines.append(
                f"| {name} | {pysd * 1e3:.1f} ms | {n} | {numpy * 1e6:.1f} | {fused * 1e6:.1f} "
                f"| {_ratio(numpy, fused)} | {_ratio(pysd, fused)} | {compiled} |"
                if pysd and numpy and fused else f"| {name} | - | {n} | - | - | - | - | - |")
    for name in MODEL_FILES:
        three, pysd = _CPU.get((name, "fused_1_three")), _CPU.get((name, "pysd"))
        if three and pysd:
            lines.append(f"{name}: fused N = 1 varying three parameters {three * 1e6:.0f} µs, "
                         f"{_ratio(pysd, three)} one PySD run")
    for name in MODEL_FILES:
        if (name, "peak_mib") in _INFO:
            lines.append(f"{name}: peak memory of N = 10 000 (auto backend, 10 variables) "
                         f"{_INFO[(name, 'peak_mib')]:.0f} MiB")
    for name in MODEL_FILES:
        if (name, "simd") in _INFO:
            svml, packed, scalar = _INFO[(name, "simd")]
            lines.append(f"{name} kernel: {svml} SVML calls, {packed} packed AVX ops, "
                         f"{scalar} scalar ops")
    lines.append("(CPU time per run; load average at the end: "
                 f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print("\n".join(lines))
