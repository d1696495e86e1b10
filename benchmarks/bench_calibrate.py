"""The same differential-evolution calibration through ``run_batch`` and through PySD runs
(target: batch at least 50 times faster).

Run with ``make bench`` or ``.venv/bin/python -m pytest benchmarks/bench_calibrate.py
--benchmark-only``. Both cases fit four structural parameters of the reference model to
synthetic series (2000-2019) with a fixed seed and a fixed number of generations, no polish;
the fitted values agree, so the work is the same. The ratio is reported in ``extra_info``
of the PySD case and printed at the end.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import sdmodel as sd

MODELS = Path(__file__).resolve().parents[1] / "models"
START = {"rer_commodity_elasticity": (0.3, 0.2, 0.8), "rer_half_life": (0.5, 0.33, 2.0),
         "base_unit_extraction_cost": (0.8, 0.5, 0.85),
         "supply_elasticity": (0.3, 0.2, 1.0)}
MAPPING = {"rer": "real_exchange_rate", "rents": "100 * resource_rents / gdp"}
OPTIONS = {"maxiter": 2, "popsize": 15}  # scipy's default 60 sets a generation, 3 generations
_TIMES: dict[str, float] = {}
_VALUES: dict[str, dict] = {}


@pytest.fixture(scope="module")
def problem():
    path = MODELS / "perez" / "perez.mdl"
    if not path.is_file():
        pytest.skip("the reference model is not in the tree")
    model = sd.load(path)
    ds = model.run({"rer_commodity_elasticity": 0.5, "rer_half_life": 1.0}, final_time=2019)
    rng = np.random.default_rng(1)
    observed = xr.Dataset({
        "rer": ds["real_exchange_rate"] * (1 + 0.02 * rng.standard_normal(ds.sizes["time"])),
        "rents": 100 * ds["resource_rents"] / ds["gdp"]
                 * (1 + 0.02 * rng.standard_normal(ds.sizes["time"])),
    })
    model.run_batch({"rer_commodity_elasticity": np.array([0.4, 0.6])})  # warm-up: compile once
    return model, observed


@pytest.mark.parametrize("engine", ["batch", "pysd"])
def test_differential_evolution_calibration(benchmark, problem, engine):
    model, observed = problem

    def run():
        return sd.calibrate(model, observed, START, mapping=MAPPING,
                            method="differential_evolution", seed=1, options=OPTIONS,
                            polish=False, engine=engine, progress=False)

    fit = benchmark.pedantic(run, rounds=1 if engine == "pysd" else 3, iterations=1)
    _TIMES[engine] = benchmark.stats.stats.min
    _VALUES[engine] = fit.values
    benchmark.extra_info["model_runs"] = fit.nfev
    benchmark.extra_info["load_average_1min"] = os.getloadavg()[0]
    if len(_TIMES) == 2:
        ratio = _TIMES["pysd"] / _TIMES["batch"]
        benchmark.extra_info["batch_speedup"] = ratio
        print(f"\ncalibration through run_batch is {ratio:.1f} times faster than through PySD")
        for name, value in _VALUES["batch"].items():
            assert value == pytest.approx(_VALUES["pysd"][name], rel=1e-6)


# ---------------------------------------------------------------- fused vs numpy backend
CHILE = Path(__file__).resolve().parents[1] / "calibration" / "chile.toml"
DATA = Path(os.environ.get("SDMODEL_DATA", Path(__file__).resolve().parents[2] / "shared"
                           / "data"))
CHILE_OPTIONS = {"maxiter": 3, "popsize": 10}  # 90 runs a generation (nine parameters)
_CHILE: dict[str, float] = {}


@pytest.mark.parametrize("backend", ["fused", "numpy"])
def test_chile_calibration_by_backend(benchmark, backend):
    """``calibration/chile.toml`` end to end (data loaded once, no outputs written) with
    differential evolution on a small fixed budget, through ``run_batch`` with each backend
    (the model's ``run_batch`` bound to the backend). Target: fused >= 5x numpy."""
    from functools import partial

    from sdmodel.calibration.config import load_config, observed_from_config

    if not CHILE.is_file() or not DATA.is_dir():
        pytest.skip("chile.toml or the data directory is missing")
    cfg = load_config(CHILE)
    observed, keywords = observed_from_config(cfg, data_dir=DATA)
    model = sd.load(cfg.model_path)
    model.run_batch = partial(model.run_batch, engine=backend)
    model.run_batch({"spending_effect": np.array([2.0, 3.0])})  # compile outside the timing
    cal = {**cfg.calibration, "options": CHILE_OPTIONS, "polish": False, "progress": False}

    def run():
        return sd.calibrate(model, observed, cfg.params, initial_time=cfg.initial_time,
                            final_time=cfg.final_time, engine="batch", **keywords, **cal)

    fit = benchmark.pedantic(run, rounds=2 if backend == "fused" else 1, iterations=1)
    _CHILE[backend] = benchmark.stats.stats.min
    _VALUES[f"chile_{backend}"] = fit.values
    benchmark.extra_info["model_runs"] = fit.nfev
    if len(_CHILE) == 2:
        ratio = _CHILE["numpy"] / _CHILE["fused"]
        benchmark.extra_info["fused_speedup"] = ratio
        print(f"\nchile calibration ({fit.nfev} runs): fused {_CHILE['fused']:.2f} s, numpy "
              f"{_CHILE['numpy']:.2f} s, fused {ratio:.1f}x faster")
        for name, value in _VALUES["chile_fused"].items():
            assert value == pytest.approx(_VALUES["chile_numpy"][name], rel=1e-6)
