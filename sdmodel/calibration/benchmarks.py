"""Naive benchmarks a fitted or forecasting model must beat, and the scores that compare them.

A model's fit means little on its own: a two-parameter log-linear trend fits most GDP series
well in sample, and a random walk with drift is hard to beat out of sample. Each function here
computes one such benchmark from the same observations the model sees, so a table can put the
model's score beside it.

- :func:`loglinear_trend` — ``log y = a + b t`` by least squares (in sample, or extrapolated
  to other times).
- :func:`random_walk` — the last observed value, held (out of sample).
- :func:`random_walk_with_drift` — the last value plus the average change over the fit window
  times the horizon (out of sample), in levels or in logs.
- :func:`mean_path` — the mean over several series of their paths (leave-one-out benchmark for
  a panel).
- :func:`r_squared`, :func:`rmse`, :func:`growth_rates` — the scores.

Every function takes 1-D arrays of times and values, refuses NaN, unsorted or duplicated times
and arrays of different lengths with :class:`~sdmodel.exceptions.CalibrationError`.

Examples
--------
>>> import numpy as np
>>> from sdmodel.calibration.benchmarks import loglinear_trend, r_squared
>>> t = np.arange(1990.0, 2000.0)
>>> y = 2.0 * np.exp(0.03 * (t - 1990))
>>> bool(np.allclose(loglinear_trend(t, y), y))
True
>>> float(r_squared(y, loglinear_trend(t, y)))
1.0
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..exceptions import CalibrationError

__all__ = [
    "loglinear_trend",
    "random_walk",
    "random_walk_with_drift",
    "mean_path",
    "r_squared",
    "rmse",
    "growth_rates",
]

FloatArray = NDArray[np.float64]


def _series(times: ArrayLike, values: ArrayLike, *, what: str = "series") -> tuple[FloatArray, FloatArray]:
    t = np.asarray(times, dtype=float)
    y = np.asarray(values, dtype=float)
    if t.ndim != 1 or y.ndim != 1:
        raise CalibrationError(f"{what}: expected 1-D times and values, got shapes {t.shape} and {y.shape}")
    if t.shape != y.shape:
        raise CalibrationError(f"{what}: {t.size} times but {y.size} values; expected one value per time")
    if t.size < 2:
        raise CalibrationError(f"{what}: at least 2 observations are needed, got {t.size}")
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(y))):
        raise CalibrationError(f"{what}: NaN or infinite entries; drop missing years first")
    if np.any(np.diff(t) <= 0):
        raise CalibrationError(f"{what}: times must be strictly increasing (sorted, no duplicates)")
    return t, y


def _positive(y: FloatArray, what: str) -> None:
    if np.any(y <= 0):
        raise CalibrationError(f"{what}: a log benchmark needs positive values, the minimum is {y.min():g}")


def loglinear_trend(times: ArrayLike, values: ArrayLike, at: ArrayLike | None = None) -> FloatArray:
    """Fit ``log y = a + b t`` by ordinary least squares and evaluate it.

    Parameters
    ----------
    times, values : array_like
        The observations (1-D, same length, values positive).
    at : array_like, optional
        Times at which to evaluate the trend; default ``times`` (the in-sample fit).

    Returns
    -------
    ndarray
        ``exp(a + b t)`` at ``at``.

    Examples
    --------
    >>> loglinear_trend([0.0, 1.0, 2.0], [1.0, 2.0, 4.0], at=[3.0]).round(6).tolist()
    [8.0]
    """
    t, y = _series(times, values, what="log-linear trend")
    _positive(y, "log-linear trend")
    slope, intercept = np.polyfit(t, np.log(y), 1)
    where = t if at is None else np.asarray(at, dtype=float)
    return np.exp(intercept + slope * where)


def random_walk(times: ArrayLike, values: ArrayLike, at: ArrayLike) -> FloatArray:
    """The random-walk forecast: the last observed value at every later time.

    Examples
    --------
    >>> random_walk([0.0, 1.0], [1.0, 3.0], at=[2.0, 5.0]).tolist()
    [3.0, 3.0]
    """
    _, y = _series(times, values, what="random walk")
    return np.full(np.shape(np.asarray(at, dtype=float)), y[-1])


def random_walk_with_drift(times: ArrayLike, values: ArrayLike, at: ArrayLike, *,
                           log: bool = False) -> FloatArray:
    """The random walk with drift: ``y_T + (t - T) * drift``, drift from the fit window.

    The drift is the average change per time unit over the observations,
    ``(y_T - y_0) / (T - t_0)`` (the maximum-likelihood drift of a Gaussian random walk);
    with ``log=True`` the walk is in ``log y`` (a constant growth rate).

    Examples
    --------
    >>> random_walk_with_drift([0.0, 1.0, 2.0], [1.0, 2.0, 3.0], at=[4.0]).tolist()
    [5.0]
    >>> random_walk_with_drift([0.0, 1.0], [1.0, 2.0], at=[3.0], log=True).round(6).tolist()
    [8.0]
    """
    t, y = _series(times, values, what="random walk with drift")
    if log:
        _positive(y, "random walk with drift (log)")
        y = np.log(y)
    drift = (y[-1] - y[0]) / (t[-1] - t[0])
    path = y[-1] + (np.asarray(at, dtype=float) - t[-1]) * drift
    return np.exp(path) if log else path


def mean_path(paths: Sequence[ArrayLike]) -> FloatArray:
    """The mean, time by time, of several series observed at the same times (NaN ignored).

    The leave-one-country-out benchmark: predict a country by the average observed path of
    the others.

    Examples
    --------
    >>> mean_path([[1.0, 2.0], [3.0, float("nan")]]).tolist()
    [2.0, 2.0]
    """
    stack = np.asarray([np.asarray(p, dtype=float) for p in paths])
    if stack.ndim != 2 or stack.shape[0] == 0:
        raise CalibrationError("mean path: expected one or more series of equal length")
    if np.any(np.all(np.isnan(stack), axis=0)):
        raise CalibrationError("mean path: every series is missing at some time")
    return np.nanmean(stack, axis=0)


def _pair(observed: ArrayLike, predicted: ArrayLike) -> tuple[FloatArray, FloatArray]:
    o = np.asarray(observed, dtype=float)
    p = np.asarray(predicted, dtype=float)
    if o.shape != p.shape:
        raise CalibrationError(f"observed has shape {o.shape} but predicted {p.shape}; expected equal")
    if o.size == 0 or not (np.all(np.isfinite(o)) and np.all(np.isfinite(p))):
        raise CalibrationError("observed and predicted must be non-empty and finite")
    return o, p


def r_squared(observed: ArrayLike, predicted: ArrayLike) -> float:
    """``1 - SS_res / SS_tot``: the share of the variance around the observed mean explained.

    Negative when the prediction does worse than the observed mean; NaN when the observations
    are constant.

    Examples
    --------
    >>> r_squared([1.0, 2.0, 3.0], [2.0, 2.0, 2.0])
    0.0
    """
    o, p = _pair(observed, predicted)
    ss_tot = float(np.sum((o - o.mean()) ** 2))
    if ss_tot == 0:
        return float("nan")
    return 1.0 - float(np.sum((o - p) ** 2)) / ss_tot


def rmse(observed: ArrayLike, predicted: ArrayLike) -> float:
    """Root-mean-square error.

    Examples
    --------
    >>> round(rmse([0.0, 0.0], [3.0, 4.0]) ** 2, 9)
    12.5
    """
    o, p = _pair(observed, predicted)
    return float(np.sqrt(np.mean((o - p) ** 2)))


def growth_rates(times: ArrayLike, values: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Log growth rates per time unit between consecutive observations.

    Returns the end time of each interval and ``diff(log y) / diff(t)``.

    Examples
    --------
    >>> t, g = growth_rates([0.0, 1.0, 3.0], [1.0, 2.0, 8.0])
    >>> t.tolist(), g.round(6).tolist()
    ([1.0, 3.0], [0.693147, 0.693147])
    """
    t, y = _series(times, values, what="growth rates")
    _positive(y, "growth rates")
    return t[1:], np.diff(np.log(y)) / np.diff(t)
