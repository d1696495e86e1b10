"""Uncertainty bands for scenario comparisons.

Parameters are sampled from their documented ranges (:func:`latin_hypercube`) or from a
calibration's estimate and covariance (:func:`multivariate_normal`); every scenario is run with
the same samples (:func:`scenario_runs`, common random numbers), so runs pair across scenarios.
:func:`percentile_bands` summarises each scenario over time and :func:`prob_beats` gives the
probability that one scenario beats another on each metric.

Examples
--------
>>> import sdmodel as sd
>>> model = sd.load("tests/data/window_toy.mdl")
>>> samples = sd.analysis.latin_hypercube(
...     model, {"trend_growth": (0.01, 0.03), "reinvestment_effectiveness": (0.5, 1.5)}, 200, seed=1)
>>> runs = sd.analysis.scenario_runs(model, sd.load_scenarios("tests/data/window_toy_scenarios.toml"),
...                                  samples, return_vars=["gdp_per_capita"])
>>> bands = sd.analysis.percentile_bands(runs)
>>> sd.analysis.prob_beats(model, runs, "reinvest_early", "squander",
...                        metrics=["gdp_per_capita@2040"]).values.tolist()
[1.0]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from numbers import Integral

import numpy as np
import pandas as pd
import xarray as xr

from ..exceptions import AnalysisError, ScenarioError, suggest
from ..scenarios import validate_scenarios
from ._bounds import parameter_bounds
from ._engine import run_many
from ._metrics import parse_metrics
from .ensembles import check_samples
from ..limits import check_runs

__all__ = [
    "latin_hypercube",
    "multivariate_normal",
    "from_calibration",
    "from_posterior",
    "scenario_runs",
    "percentile_bands",
    "prob_beats",
]


def _n(n) -> int:
    if isinstance(n, bool) or not isinstance(n, Integral) or n < 1:
        raise AnalysisError(f"n must be a positive integer number of samples, got {n!r}")
    return check_runs(int(n))


def latin_hypercube(model, params, n: int, *, seed: int | None = None) -> pd.DataFrame:
    """Latin hypercube sample of parameters over their ranges (``scipy.stats.qmc``).

    Parameters
    ----------
    model : sdmodel.Model
    params : sequence of names, or mapping ``{name: (low, high) or None}``
        Names alone take the model's documented limits.
    n : int
        Number of samples (each range is cut into ``n`` strata, one sample in each).
    seed : int, optional

    Returns
    -------
    pandas.DataFrame
        One row per sample, one column per parameter (python names).

    Raises
    ------
    AnalysisError
        Unknown parameter, missing range, bad ``n``.

    Examples
    --------
    >>> latin_hypercube(model, {"catch_up_rate": (0.05, 0.3)}, 100, seed=1).shape
    (100, 1)
    """
    from scipy.stats import qmc

    box = parameter_bounds(model, params)
    n = _n(n)
    unit = qmc.LatinHypercube(d=len(box), seed=seed).random(n)
    low = np.array([b[0] for b in box.values()])
    high = np.array([b[1] for b in box.values()])
    return pd.DataFrame(qmc.scale(unit, low, high), columns=list(box))


def multivariate_normal(
    mean: Mapping[str, float] | pd.Series,
    cov,
    n: int,
    *,
    seed: int | None = None,
    bounds: Mapping[str, Sequence[float]] | None = None,
) -> pd.DataFrame:
    """Samples of a multivariate normal, e.g. a calibration's estimate and covariance.

    Parameters
    ----------
    mean : mapping or pandas.Series
        ``{parameter: mean}`` (e.g. ``fit.values``).
    cov : array-like or pandas.DataFrame
        Covariance matrix in the order of ``mean`` (a DataFrame is re-ordered by its labels;
        e.g. ``fit.covariance``).
    n : int
    seed : int, optional
    bounds : mapping, optional
        ``{parameter: (low, high)}``: samples outside are clipped to the range (a calibrated
        share stays a share).

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    AnalysisError
        Shapes that do not match, a covariance that is not symmetric positive semi-definite, or
        non-finite values.

    Examples
    --------
    >>> multivariate_normal({"a": 1.0, "b": 2.0}, [[0.1, 0.0], [0.0, 0.2]], 3, seed=1).shape
    (3, 2)
    """
    mean = pd.Series(mean, dtype=float)
    if mean.empty:
        raise AnalysisError("mean names no parameter; expected {parameter: value}")
    names = [str(k) for k in mean.index]
    if isinstance(cov, pd.DataFrame):
        missing = [p for p in names if p not in cov.index or p not in cov.columns]
        if missing:
            raise AnalysisError(f"covariance has no row/column for {missing}; it has {list(cov.columns)}")
        matrix = cov.loc[names, names].to_numpy(dtype=float)
    else:
        matrix = np.asarray(cov, dtype=float)
    k = len(names)
    if matrix.shape != (k, k):
        raise AnalysisError(f"covariance has shape {matrix.shape}; expected ({k}, {k}) for parameters {names}")
    if not (np.isfinite(matrix).all() and np.isfinite(mean.to_numpy()).all()):
        raise AnalysisError("mean and covariance must be finite (a calibration without a covariance gives None/NaN)")
    if not np.allclose(matrix, matrix.T, rtol=1e-8, atol=1e-12):
        raise AnalysisError("covariance is not symmetric")
    eig = np.linalg.eigvalsh(matrix)
    if eig.min() < -1e-10 * max(1.0, abs(eig.max())):
        raise AnalysisError(f"covariance is not positive semi-definite (smallest eigenvalue {eig.min():.3g})")
    rng = np.random.default_rng(seed)
    draws = rng.multivariate_normal(mean.to_numpy(), matrix, size=_n(n), method="eigh")
    frame = pd.DataFrame(draws, columns=names)
    for p, pair in (bounds or {}).items():
        if p not in frame:
            raise AnalysisError(f"bounds name {p!r}, which is not sampled.{suggest(p, names)}")
        frame[p] = frame[p].clip(float(pair[0]), float(pair[1]))
    return frame


def from_calibration(fit, n: int, *, seed: int | None = None) -> pd.DataFrame:
    """Samples of the fitted parameters from a calibration's estimate and covariance.

    The varying parameters are drawn from a multivariate normal with the fitted values as mean
    and ``fit.covariance`` as covariance, then clipped to each parameter's calibration bounds.

    Parameters
    ----------
    fit : sdmodel.CalibrationResult
    n : int
    seed : int, optional

    Raises
    ------
    AnalysisError
        The calibration has no covariance (a singular Jacobian, or a method that gives none).

    Examples
    --------
    >>> fit = sd.calibrate(model, observed, {"catch_up_rate": (0.01, 0.5)}, progress=False)
    >>> from_calibration(fit, 1000, seed=1).columns.tolist()
    ['catch_up_rate']
    """
    cov = getattr(fit, "covariance", None)
    if cov is None or not hasattr(fit, "params"):
        raise AnalysisError(
            "the calibration has no covariance (singular Jacobian or none computed); sample "
            "from documented ranges with latin_hypercube instead"
        )
    names = [str(k) for k in cov.columns]
    mean = {k: float(fit.params[k].value) for k in names}
    bounds = {k: (fit.params[k].min, fit.params[k].max) for k in names}
    return multivariate_normal(mean, cov, n, seed=seed, bounds=bounds)


def from_posterior(post, n: int, *, seed: int | None = None) -> pd.DataFrame:
    """``n`` draws of the sampled constants from a Bayesian calibration's posterior.

    Draws are taken at random (with replacement only if ``n`` exceeds the kept draws) from all
    walkers, so their joint distribution, correlations included, is the posterior's. Feed them
    to :func:`scenario_runs` to compare policies under the posterior.

    Parameters
    ----------
    post : sdmodel.calibration.PosteriorResult
    n : int
    seed : int, optional

    Examples
    --------
    >>> post = sd.calibration.sample_posterior(model, observed, priors, seed=1)   # doctest: +SKIP
    >>> runs = scenario_runs(model, scenarios, from_posterior(post, 300, seed=2))  # doctest: +SKIP
    """
    if not hasattr(post, "draws") or not hasattr(post, "names"):
        raise AnalysisError(f"expected a PosteriorResult (sdmodel.calibration.sample_posterior), got {type(post).__name__}")
    return pd.DataFrame(post.draws(_n(n), seed=seed))


def scenario_runs(
    model,
    scenarios: Mapping[str, Mapping[str, object]],
    samples,
    *,
    return_vars: Sequence[str] | None = None,
    saveper: float | None = None,
) -> xr.Dataset:
    """Run every scenario with every sample: dims ``("scenario", "run", "time")``.

    Run ``i`` uses sample ``i`` in every scenario (common random numbers), so runs pair across
    scenarios. Each scenario is one batch call.

    Parameters
    ----------
    model : sdmodel.Model
    scenarios : mapping
        ``{name: {parameter: value}}``, e.g. from :func:`sdmodel.load_scenarios`.
    samples : pandas.DataFrame or mapping
        The uncertain parameters, one row per run; they must not be scenario levers.
    return_vars : sequence of str, optional
    saveper : float, optional

    Raises
    ------
    AnalysisError
        Bad samples, or a sampled parameter a scenario also sets.
    ScenarioError
        A bad scenario.

    Examples
    --------
    >>> runs = scenario_runs(model, {"a": {}, "b": {"catch_up_rate": 0.2}},
    ...                      {"frontier_growth_rate": [0.01, 0.02]})
    """
    params, n = check_samples(model, samples)
    prepared = validate_scenarios(model, scenarios)
    for name, overrides in prepared.items():
        clash = sorted(set(overrides) & set(params))
        if clash:
            raise AnalysisError(
                f"sampled parameters {clash} are also set by scenario {name!r}; sample only "
                "parameters the scenarios leave alone"
            )
    runs = []
    for name, overrides in prepared.items():
        ds = run_many(model, {**overrides, **params}, n=n, return_vars=return_vars, saveper=saveper)
        runs.append(ds.drop_vars([c for c in ds.coords if c not in ds.dims]))
    out = xr.concat(runs, dim="scenario", join="exact", combine_attrs="override")
    out = out.assign_coords(scenario=list(prepared), run=np.arange(n))
    out = out.assign_coords({p: ("run", v) for p, v in params.items()})
    out.attrs.pop("parameters", None)
    return out


def percentile_bands(runs: xr.Dataset, *, percentiles: Sequence[float] = (5, 25, 50, 75, 95)) -> xr.Dataset:
    """Percentiles over runs of every variable: dims ``("scenario", "percentile", "time")``.

    Parameters
    ----------
    runs : xarray.Dataset
        With a ``run`` dimension, e.g. from :func:`scenario_runs` or :func:`sdmodel.ensemble`.
    percentiles : sequence of float, optional
        In ``[0, 100]`` (linear interpolation between order statistics, numpy's default).

    Examples
    --------
    >>> runs = scenario_runs(model, {"a": {}, "b": {"catch_up_rate": 0.2}},
    ...                      {"frontier_growth_rate": [0.01, 0.015, 0.02]})
    >>> percentile_bands(runs, percentiles=(10, 50, 90))["technological_capability"].dims
    ('scenario', 'percentile', 'time')
    """
    if not isinstance(runs, xr.Dataset) or "run" not in runs.dims:
        raise AnalysisError("runs must be an xarray.Dataset with a 'run' dimension (see scenario_runs)")
    q = np.asarray(list(percentiles), dtype=float)
    if q.ndim != 1 or q.size == 0 or not np.isfinite(q).all() or (q < 0).any() or (q > 100).any():
        raise AnalysisError(f"percentiles must be a non-empty sequence of numbers in [0, 100], got {percentiles!r}")
    numeric = [v for v in runs.data_vars if np.issubdtype(runs[v].dtype, np.number)]
    data = runs[numeric].drop_vars([c for c in runs.coords if c not in runs.dims and "run" in runs[c].dims])
    bands = data.quantile(q / 100.0, dim="run").rename(quantile="percentile")
    bands = bands.assign_coords(percentile=q)
    bands = bands.transpose(*[d for d in ("scenario", "percentile") if d in bands.dims], ...)
    for v in numeric:
        bands[v].attrs = dict(runs[v].attrs)
    bands.attrs = dict(runs.attrs, n_runs=int(runs.sizes["run"]))
    return bands


def prob_beats(
    model,
    runs: xr.Dataset,
    scenario: str,
    other: str,
    *,
    metrics: Sequence[str] | str = ("gdp_per_capita@2040",),
    lower_is_better: Sequence[str] = (),
) -> xr.DataArray:
    """Probability that ``scenario`` beats ``other`` on each metric, over paired runs.

    Run ``i`` of both scenarios used the same sample, so the probability is the share of runs in
    which the metric of ``scenario`` is strictly better than that of ``other`` (ties do not
    count as beating).

    Parameters
    ----------
    model : sdmodel.Model
        The model the runs came from (to read the metric specs).
    runs : xarray.Dataset
        From :func:`scenario_runs`, holding the metrics' variables.
    scenario, other : str
    metrics : sequence of str, optional
        Scalar metric specs.
    lower_is_better : sequence of str, optional
        Metric specs (or result names) for which lower values are better (e.g. the poverty rate).

    Returns
    -------
    xarray.DataArray
        Dims ``("metric",)``, values in [0, 1].

    Raises
    ------
    ScenarioError
        A scenario not in ``runs``.
    AnalysisError
        A bad metric, a time-series metric, or a variable the runs do not hold.

    Examples
    --------
    >>> runs = scenario_runs(model, {"slow": {"catch_up_rate": 0.05}, "fast": {}},
    ...                      {"frontier_growth_rate": [0.01, 0.015, 0.02]})
    >>> prob_beats(model, runs, "fast", "slow", metrics=["technological_capability@50"],
    ...            lower_is_better=[]).values.tolist()
    [1.0]
    """
    if not isinstance(runs, xr.Dataset) or not {"scenario", "run"} <= set(runs.dims):
        raise AnalysisError("runs must be the Dataset of scenario_runs, with dims ('scenario', 'run', ...)")
    names = [str(s) for s in runs["scenario"].values]
    for s in (scenario, other):
        if s not in names:
            raise ScenarioError(f"scenario {s!r} is not in the runs {names}.{suggest(str(s), names)}")
    parsed = parse_metrics(model, metrics)
    lower = set()
    for spec in lower_is_better:
        lower.add(spec if spec in {m.name for m in parsed} else parse_metrics(model, [spec])[0].name)
    values = []
    for m in parsed:
        if not m.scalar:
            raise AnalysisError(f"metric {m.name!r} is a time series; expected e.g. '{m.name}@2040'")
        if m.variable not in runs:
            raise AnalysisError(
                f"metric {m.name!r} needs variable {m.variable!r}, which the runs do not hold; "
                "add it to return_vars"
            )
        a = m.evaluate(runs.sel(scenario=scenario)).values
        b = m.evaluate(runs.sel(scenario=other)).values
        wins = a < b if m.name in lower else a > b
        values.append(float(np.mean(wins)))
    return xr.DataArray(
        values,
        dims="metric",
        coords={"metric": [m.name for m in parsed]},
        name="probability",
        attrs={"long_name": f"probability that {scenario!r} beats {other!r}",
               "n_runs": int(runs.sizes["run"])},
    )
