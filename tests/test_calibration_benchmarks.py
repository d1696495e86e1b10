"""Naive benchmarks against independent computations (scipy's regression, hand algebra)."""

import numpy as np
import pytest
from scipy import stats

from sdmodel.calibration import benchmarks as nb
from sdmodel.exceptions import CalibrationError


def test_loglinear_trend_equals_scipy_regression_on_logs():
    rng = np.random.default_rng(3)
    t = np.arange(1990.0, 2020.0)
    y = np.exp(0.4 + 0.025 * (t - 1990) + rng.normal(0, 0.05, t.size))
    fit = stats.linregress(t, np.log(y))
    expected = np.exp(fit.intercept + fit.slope * np.array([2025.0, 2030.0]))
    assert np.allclose(nb.loglinear_trend(t, y, at=[2025.0, 2030.0]), expected, rtol=1e-10)


def test_random_walk_with_drift_is_last_value_plus_mean_change():
    t = np.array([2000.0, 2001.0, 2002.0, 2003.0])
    y = np.array([1.0, 1.5, 1.2, 2.2])
    mean_change = np.mean(np.diff(y))
    assert np.allclose(nb.random_walk_with_drift(t, y, at=[2005.0]), 2.2 + 2 * mean_change)
    assert np.allclose(nb.random_walk(t, y, at=[2010.0, 2011.0]), [2.2, 2.2])


def test_scores_against_hand_values():
    obs = np.array([1.0, 2.0, 3.0, 4.0])
    pred = obs + np.array([0.5, -0.5, 0.5, -0.5])
    assert nb.rmse(obs, pred) == pytest.approx(0.5)
    assert nb.r_squared(obs, pred) == pytest.approx(1 - 1.0 / 5.0)
    assert nb.r_squared(obs, np.full(4, obs.mean())) == pytest.approx(0.0)


@pytest.mark.parametrize("times, values, message", [
    ([1.0, 2.0, 3.0], [1.0, 2.0], "3 times but 2 values"),
    ([1.0, 1.0, 2.0], [1.0, 2.0, 3.0], "strictly increasing"),
    ([2.0, 1.0, 3.0], [1.0, 2.0, 3.0], "strictly increasing"),
    ([1.0, 2.0, 3.0], [1.0, float("nan"), 3.0], "NaN"),
    ([1.0, 2.0], [1.0, -2.0], "positive"),
])
def test_bad_series_are_refused_by_name(times, values, message):
    with pytest.raises(CalibrationError, match=message):
        nb.loglinear_trend(times, values)


def test_mean_path_refuses_a_time_missing_everywhere():
    with pytest.raises(CalibrationError, match="missing"):
        nb.mean_path([[1.0, float("nan")], [2.0, float("nan")]])
