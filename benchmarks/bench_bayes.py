"""Runs per second of the Bayesian sampler (emcee, vectorized through ``run_batch``).

Run with ``.venv/bin/python -m pytest benchmarks/bench_bayes.py --benchmark-only``. The sampler
fits the Nelson-Phelps validation model (two constants and a noise scale, 32 walkers, 150
steps); the baseline is the same number of runs made by the batch engine in one call, the
engine's raw throughput. ``extra_info`` holds the sampler's runs per second and its ratio to
the baseline (the share of time spent outside the model: emcee, priors, residuals, one batch
call per half-ensemble).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import sdmodel as sd
from sdmodel.calibration.bayes import sample_posterior
from sdmodel.calibration.priors import Prior

NP_PATH = Path(__file__).resolve().parents[1] / "models" / "validation" / "nelson_phelps.mdl"
PRIORS = {"catch_up_rate": Prior("uniform", lower=0.02, upper=0.4),
          "frontier_growth_rate": Prior("uniform", lower=0.0, upper=0.04)}
WALKERS, STEPS = 32, 150
_RATE: dict[str, float] = {}


@pytest.fixture(scope="module")
def problem():
    model = sd.load(NP_PATH)
    t = np.arange(0.0, 31.0, 2.0)
    ds = model.run({"catch_up_rate": 0.12, "frontier_growth_rate": 0.02}, final_time=30)
    y = ds["technological_capability"].sel(time=t).values
    y = y + 0.02 * np.random.default_rng(0).standard_normal(t.size)
    observed = xr.Dataset({"technological_capability": ("time", y)}, coords={"time": t})
    model.run_batch({"catch_up_rate": np.array([0.1, 0.2])})  # compile once
    return model, observed


def test_sampler(benchmark, problem):
    model, observed = problem
    post = benchmark.pedantic(
        lambda: sample_posterior(model, observed, PRIORS, n_walkers=WALKERS, n_steps=STEPS, seed=1,
                                 normalize=None, final_time=30), rounds=3, iterations=1)
    _RATE["sampler"] = post.nruns / post.elapsed
    benchmark.extra_info["runs_per_second"] = round(_RATE["sampler"])


def test_one_batch_call_baseline(benchmark, problem):
    model, _ = problem
    n = WALKERS * STEPS
    rng = np.random.default_rng(2)
    params = {"catch_up_rate": rng.uniform(0.02, 0.4, n), "frontier_growth_rate": rng.uniform(0, 0.04, n)}
    benchmark.pedantic(lambda: model.run_batch(params, return_vars=["technological_capability"]),
                       rounds=3, iterations=1)
    _RATE["baseline"] = n / benchmark.stats.stats.min
    benchmark.extra_info["runs_per_second"] = round(_RATE["baseline"])
    if "sampler" in _RATE:
        benchmark.extra_info["sampler_share_of_engine_throughput"] = round(_RATE["sampler"] / _RATE["baseline"], 4)
        print(f"\nsampler {_RATE['sampler']:,.0f} runs/s; one batch call {_RATE['baseline']:,.0f} runs/s")
