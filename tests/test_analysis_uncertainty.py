"""Uncertainty: Latin hypercube and normal sampling, scenario bands, win probabilities."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sdmodel as sd
from conftest import MODELS, REPO
from sdmodel.analysis import (
    latin_hypercube,
    multivariate_normal,
    percentile_bands,
    prob_beats,
    scenario_runs,
)
from sdmodel.exceptions import AnalysisError, ScenarioError

TOY = REPO / "tests" / "data" / "window_toy.mdl"
TOY_SCENARIOS = REPO / "tests" / "data" / "window_toy_scenarios.toml"


@pytest.fixture(scope="module")
def toy():
    return sd.load(TOY)


@pytest.fixture(scope="module")
def scenarios():
    return sd.load_scenarios(TOY_SCENARIOS)


def test_latin_hypercube_is_stratified_within_documented_limits(toy):
    n = 40
    frame = latin_hypercube(toy, ["boom_size", "Trend Growth"], n, seed=4)
    assert list(frame.columns) == ["boom_size", "trend_growth"]
    for col, (low, high) in {"boom_size": (0.5, 3.0), "trend_growth": (0.0, 0.04)}.items():
        x = frame[col].to_numpy()
        assert ((x >= low) & (x <= high)).all()
        strata = np.floor((x - low) / (high - low) * n).astype(int)
        assert sorted(strata) == list(range(n))  # one sample in each of the n strata
    custom = latin_hypercube(toy, {"boom_size": (1.0, 1.5)}, 10, seed=1)
    assert custom["boom_size"].between(1.0, 1.5).all()


def test_latin_hypercube_needs_a_documented_range():
    model = sd.load(MODELS / "validation" / "nelson_phelps.mdl")
    with pytest.raises(AnalysisError, match=r"'initial_frontier' .* has no documented range"):
        latin_hypercube(model, ["initial_frontier"], 10)


def test_multivariate_normal_recovers_mean_and_covariance():
    cov = pd.DataFrame([[0.04, 0.01], [0.01, 0.09]], index=["b", "a"], columns=["b", "a"])
    n = 40_000
    frame = multivariate_normal({"a": 1.0, "b": -2.0}, cov, n, seed=5)
    se = np.sqrt(np.array([0.09, 0.04]) / n)
    np.testing.assert_allclose(frame.mean().to_numpy(), [1.0, -2.0], atol=5 * se.max())
    np.testing.assert_allclose(frame.cov().loc[["a", "b"], ["a", "b"]].to_numpy(),
                               [[0.09, 0.01], [0.01, 0.04]], atol=0.004)
    clipped = multivariate_normal({"a": 0.5}, [[1.0]], 1000, seed=1, bounds={"a": (0.0, 1.0)})
    assert clipped["a"].between(0.0, 1.0).all()
    with pytest.raises(AnalysisError, match="not positive semi-definite"):
        multivariate_normal({"a": 0.0, "b": 0.0}, [[1.0, 2.0], [2.0, 1.0]], 5)


def test_scenario_runs_bands_and_probabilities_match_pysd(toy, scenarios):
    samples = latin_hypercube(toy, ["boom_size", "trend_growth", "capability_decay_rate"], 12, seed=9)
    runs = scenario_runs(toy, scenarios, samples, return_vars=["gdp_per_capita", "capability"])
    assert runs["gdp_per_capita"].dims == ("scenario", "run", "time")
    # the oracle: every (scenario, sample) as its own PySD run
    oracle = {
        name: np.stack([
            toy.run({**scenarios[name], **row.to_dict()}, return_vars=["gdp_per_capita"])["gdp_per_capita"].values
            for _, row in samples.iterrows()
        ])
        for name in ("squander", "reinvest_late")
    }
    for name, paths in oracle.items():
        np.testing.assert_allclose(runs["gdp_per_capita"].sel(scenario=name).values, paths, rtol=1e-9)
    bands = percentile_bands(runs, percentiles=(10, 50, 90))
    assert bands["gdp_per_capita"].dims == ("scenario", "percentile", "time")
    np.testing.assert_allclose(bands["gdp_per_capita"].sel(scenario="reinvest_late").values,
                               np.percentile(oracle["reinvest_late"], [10, 50, 90], axis=0), rtol=1e-9)
    t = list(runs["time"].values).index(2040)
    late, base = oracle["reinvest_late"][:, t], oracle["squander"][:, t]
    p = prob_beats(toy, runs, "reinvest_late", "squander",
                   metrics=["gdp_per_capita@2040", "gdp_per_capita@2010", "max(capability)"],
                   lower_is_better=["max(capability)"])
    assert float(p.sel(metric="gdp_per_capita_2040")) == np.mean(late > base) == 1.0
    assert float(p.sel(metric="gdp_per_capita_2010")) == 0.0  # tied before the late start
    assert float(p.sel(metric="capability_max")) == 0.0  # more capability, "lower is better"
    reverse = prob_beats(toy, runs, "squander", "reinvest_early", metrics=["gdp_per_capita@2040"])
    assert float(reverse.item()) == 0.0


def test_uncertainty_bad_input(toy, scenarios):
    with pytest.raises(AnalysisError, match=r"also set by scenario 'squander'"):
        scenario_runs(toy, scenarios, {"reinvestment_share": [0.1, 0.2]})
    with pytest.raises(AnalysisError, match=r"'boom_size' is missing"):
        scenario_runs(toy, scenarios, {"boom_size": [1.0, np.nan]})
    runs = scenario_runs(toy, scenarios, {"boom_size": [1.0, 2.0]}, return_vars=["gdp_per_capita"])
    with pytest.raises(ScenarioError, match=r"Did you mean 'squander'"):
        prob_beats(toy, runs, "reinvest_early", "squandr")
    with pytest.raises(AnalysisError, match=r"needs variable 'capability'"):
        prob_beats(toy, runs, "reinvest_early", "squander", metrics=["capability@2040"])
    with pytest.raises(AnalysisError, match=r"percentiles must be"):
        percentile_bands(runs, percentiles=(50, 120))
    with pytest.raises(AnalysisError, match=r"n must be a positive integer"):
        latin_hypercube(toy, ["boom_size"], 0)


def test_samples_from_a_calibration_follow_its_covariance():
    model = sd.load(MODELS / "validation" / "nelson_phelps.mdl")
    truth = model.run({"catch_up_rate": 0.15}, return_vars=["technological_capability"])
    rng = np.random.default_rng(1)
    series = truth["technological_capability"].to_series()
    observed = {"technological_capability": series * (1 + 0.01 * rng.standard_normal(series.size))}
    fit = sd.calibrate(model, observed, {"catch_up_rate": (0.01, 0.5), "frontier_growth_rate": (0.0, 0.05)},
                       seed=1, progress=False)
    from sdmodel.analysis import from_calibration

    n = 20_000
    frame = from_calibration(fit, n, seed=3)
    cov = fit.covariance.loc[list(frame.columns), list(frame.columns)].to_numpy()
    mean = np.array([fit.values[c] for c in frame.columns])
    np.testing.assert_allclose(frame.mean().to_numpy(), mean, atol=5 * np.sqrt(np.diag(cov) / n).max())
    np.testing.assert_allclose(frame.cov().to_numpy(), cov, rtol=0.1, atol=1e-3 * np.abs(cov).max())
    fit.covariance = None
    with pytest.raises(AnalysisError, match="the calibration has no covariance"):
        from_calibration(fit, 10)
