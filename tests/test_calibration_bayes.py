"""Bayesian calibration: priors against scipy, posterior sampling against known truths.

The simulation-based calibration check draws true constants from the prior, simulates noisy
data from the Nelson-Phelps validation model (closed form A(t) = T(t) - (T0 - A0) e^{-phi t}
plus the frontier's drift, run through the model), samples the posterior and counts how often the 90 % interval
holds the truth: a calibrated sampler covers it in about 90 % of cases.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr
from scipy import stats

import sdmodel as sd
from sdmodel.calibration.bayes import sample_posterior
from sdmodel.calibration.priors import Prior, as_priors
from sdmodel.exceptions import CalibrationError, ParameterError

from conftest import MODELS

NP_PATH = MODELS / "validation" / "nelson_phelps.mdl"
PRIORS = {
    "catch_up_rate": Prior("uniform", lower=0.02, upper=0.4),
    "frontier_growth_rate": Prior("uniform", lower=0.0, upper=0.04),
}
TIMES = np.arange(0.0, 31.0, 2.0)
NOISE = 0.03


@pytest.fixture(scope="module")
def np_model():
    return sd.load(NP_PATH)


def synthetic(model, truth, rng, times=TIMES) -> xr.Dataset:
    ds = model.run(truth, final_time=30)
    clean = ds["technological_capability"].sel(time=times).values
    return xr.Dataset({"technological_capability": ("time", clean + NOISE * rng.standard_normal(times.size))},
                      coords={"time": times})


# ------------------------------------------------------------------ priors
@pytest.mark.parametrize("prior, reference", [
    (Prior("normal", lower=-1.0, upper=2.0, loc=0.5, scale=1.0),
     stats.truncnorm(-1.5, 1.5, loc=0.5, scale=1.0)),
    (Prior("uniform", lower=2.0, upper=5.0), stats.uniform(2.0, 3.0)),
    (Prior("beta", lower=0.0, upper=2.0, a=2.0, b=3.0), stats.beta(2.0, 3.0, scale=2.0)),
])
def test_prior_density_matches_scipy(prior, reference):
    x = np.linspace(prior.lower + 1e-6, prior.upper - 1e-6, 17)
    np.testing.assert_allclose(prior.logpdf(x), reference.logpdf(x), rtol=1e-10)
    np.testing.assert_allclose(prior.ppf([0.1, 0.5, 0.9]), reference.ppf([0.1, 0.5, 0.9]), rtol=1e-8)
    assert prior.sd() == pytest.approx(reference.std(), rel=1e-3)


def test_truncated_lognormal_integrates_to_one():
    p = Prior("lognormal", lower=0.05, upper=3.0, median=0.5, sigma=0.8)
    x = np.linspace(0.05, 3.0, 200001)
    assert np.trapezoid(np.exp(p.logpdf(x)), x) == pytest.approx(1.0, abs=1e-6)
    assert p.logpdf(3.5) == -math.inf and p.logpdf(0.01) == -math.inf


def test_prior_draws_follow_the_distribution():
    p = Prior("gamma", lower=0.0, upper=10.0, shape=2.0, scale=0.5)
    draws = p.rvs(4000, np.random.default_rng(0))
    assert stats.kstest(draws, lambda x: stats.gamma(2.0, scale=0.5).cdf(x)).pvalue > 0.01


@pytest.mark.parametrize("kwargs, words", [
    (dict(dist="cauchy"), "unknown prior distribution 'cauchy'"),
    (dict(dist="normal", lower=0, upper=1, loc=0.5), "takes ['loc', 'scale']"),
    (dict(dist="uniform", lower=1, upper=0), "lower < upper"),
    (dict(dist="uniform", lower=0), "needs finite bounds"),
    (dict(dist="normal", lower=10, upper=11, loc=0, scale=1e-3), "no mass"),
    (dict(dist="gamma", lower=0, upper=1, shape=-1, scale=1), "shape must be > 0"),
])
def test_bad_priors_are_refused(kwargs, words):
    with pytest.raises(CalibrationError) as err:
        as_priors({"phi": kwargs})
    assert words in str(err.value) and "'phi'" in str(err.value)


# ------------------------------------------------------------------ sampling
def test_posterior_concentrates_on_the_truth_and_reports(np_model):
    truth = {"catch_up_rate": 0.15, "frontier_growth_rate": 0.02}
    obs = synthetic(np_model, truth, np.random.default_rng(11))
    post = sample_posterior(np_model, obs, PRIORS, n_steps=500, seed=2, normalize=None, final_time=30)
    s = post.summary()
    for name, value in truth.items():
        assert s.loc[name, "q05"] - 3 * s.loc[name, "sd"] < value < s.loc[name, "q95"] + 3 * s.loc[name, "sd"]
        assert s.loc[name, "informed"]
    # the noise scale is estimated near the one used to make the data
    assert 0.5 * NOISE < s.loc["sigma_technological_capability", "mean"] < 2 * NOISE
    assert post.posterior["catch_up_rate"].dims == ("chain", "draw")
    assert 0.15 < post.acceptance < 0.8
    assert "not informed" in post.report() and "R-hat" in post.report()
    # equal seeds give identical draws
    again = sample_posterior(np_model, obs, PRIORS, n_steps=500, seed=2, normalize=None, final_time=30)
    np.testing.assert_array_equal(again.draws()["catch_up_rate"], post.draws()["catch_up_rate"])


def test_predictive_bands_cover_the_observations(np_model):
    obs = synthetic(np_model, {"catch_up_rate": 0.1, "frontier_growth_rate": 0.015},
                    np.random.default_rng(5))
    post = sample_posterior(np_model, obs, PRIORS, n_steps=300, seed=1, normalize=None, final_time=30)
    band = post.predictive(300, seed=0)["technological_capability"]
    inside = (band["observed"] >= band[0.05]) & (band["observed"] <= band[0.95])
    assert inside.mean() >= 0.75
    np.testing.assert_allclose(band.index.values, TIMES)


def test_a_constant_the_data_cannot_see_is_reported_uninformed(np_model):
    # over the first four years the frontier's growth moves A by about phi * lambda * t^2 / 2
    # (< 0.02), below the noise: the data cannot see it, while the catch-up rate shows at once
    obs = synthetic(np_model, {"catch_up_rate": 0.1, "frontier_growth_rate": 0.02},
                    np.random.default_rng(3), times=np.arange(0.0, 5.0))
    post = sample_posterior(np_model, obs, PRIORS, n_steps=300, seed=1, normalize=None, final_time=4)
    assert not post.summary().loc["frontier_growth_rate", "informed"]
    assert "frontier_growth_rate" in post.report().split("not informed")[-1]


@pytest.mark.parametrize("kwargs, exc, words", [
    (dict(n_steps=1), CalibrationError, "n_steps must be an integer >= 2"),
    (dict(burn=500, n_steps=100), CalibrationError, "burn must be an integer in [0, n_steps)"),
    (dict(n_walkers=3), CalibrationError, "n_walkers must be at least"),
    (dict(thin=0), CalibrationError, "thin must be"),
])
def test_bad_sampler_settings_are_refused(np_model, kwargs, exc, words):
    obs = synthetic(np_model, {"catch_up_rate": 0.1, "frontier_growth_rate": 0.02},
                    np.random.default_rng(0))
    with pytest.raises(exc) as err:
        sample_posterior(np_model, obs, PRIORS, normalize=None, final_time=30, **kwargs)
    assert words in str(err.value)


def test_unknown_constant_is_refused(np_model):
    obs = synthetic(np_model, {"catch_up_rate": 0.1, "frontier_growth_rate": 0.02},
                    np.random.default_rng(0))
    with pytest.raises((ParameterError, CalibrationError)) as err:
        sample_posterior(np_model, obs, {"catch_up_rte": Prior("uniform", lower=0, upper=1)},
                         normalize=None, final_time=30)
    assert "catch_up_rte" in str(err.value)


@pytest.mark.slow
def test_simulation_based_calibration_coverage(np_model):
    """Truths drawn from the prior, 20 synthetic data sets: the 90 % intervals of the two
    constants and the noise scale hold the truth in 80-98 % of the 60 cases."""
    from sdmodel.calibration.sbc import coverage

    def observe(truth, rng):
        return synthetic(np_model, truth, rng), {"technological_capability": NOISE}

    table = coverage(np_model, PRIORS, observe, n_datasets=20, seed=2026,
                     sampler_kw=dict(n_steps=400, normalize=None, final_time=30))
    assert len(table) == 60
    rate = float(table["covered"].mean())
    assert 0.80 <= rate <= 0.98, f"90 % intervals covered the truth in {rate:.0%} of cases"
    # each truth was drawn inside its prior's bounds
    for name, prior in PRIORS.items():
        truths = table.xs(name, level="quantity")["truth"]
        assert ((truths >= prior.lower) & (truths <= prior.upper)).all()


def test_scenarios_compared_under_the_posterior(np_model):
    obs = synthetic(np_model, {"catch_up_rate": 0.1, "frontier_growth_rate": 0.02},
                    np.random.default_rng(8))
    post = sample_posterior(np_model, obs, PRIORS, n_steps=200, seed=4, normalize=None, final_time=30)
    draws = sd.analysis.from_posterior(post, 150, seed=1)
    assert list(draws.columns) == list(PRIORS) and len(draws) == 150
    runs = sd.analysis.scenario_runs(np_model, {"laggard": {"initial_capability": 0.2},
                                                "leader": {"initial_capability": 0.5}}, draws,
                                     return_vars=["technological_capability"])
    np.testing.assert_allclose(runs["catch_up_rate"].values, draws["catch_up_rate"].values)
    # dA/dt = phi (T - A) is linear in A: the leader stays ahead by (0.5 - 0.2) e^{-phi t} > 0
    # in every draw
    p = sd.analysis.prob_beats(np_model, runs, "leader", "laggard",
                               metrics=["technological_capability@10"])
    assert p.values.tolist() == [1.0]
    gap = (runs["technological_capability"].sel(scenario="leader", time=10)
           - runs["technological_capability"].sel(scenario="laggard", time=10)).values
    np.testing.assert_allclose(gap, 0.3 * (1 - 0.25 * draws["catch_up_rate"].values) ** 40, rtol=1e-9)
    with pytest.raises(sd.exceptions.AnalysisError, match="expected a PosteriorResult"):
        sd.analysis.from_posterior({"catch_up_rate": [0.1]}, 10)


def test_posterior_figure(np_model, tmp_path):
    obs = synthetic(np_model, {"catch_up_rate": 0.1, "frontier_growth_rate": 0.02},
                    np.random.default_rng(9))
    post = sample_posterior(np_model, obs, PRIORS, n_steps=100, seed=0, normalize=None, final_time=30)
    fig = sd.plot.posterior(post, n=50, seed=0)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["technological_capability", "catch_up_rate",
                                                  "frontier_growth_rate"]
    # the band panel draws the observations it was given
    np.testing.assert_allclose(visible[0].lines[-1].get_ydata(), obs["technological_capability"].values)
    fig.savefig(tmp_path / "posterior.png")
    assert (tmp_path / "posterior.png").stat().st_size > 10_000
    with pytest.raises(sd.exceptions.AnalysisError, match="needs a PosteriorResult"):
        sd.plot.posterior(object())
