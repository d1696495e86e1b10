"""Window-of-opportunity timing: how the gain from a policy depends on when it starts.

:func:`window_sweep` runs a grid of (start time, share) policies — two levers of the model —
all in one batch together with the baseline scenario, and returns each policy's gain over the
baseline in a metric. :func:`latest_viable_start` reads off, per share, the latest start that
still yields a required gain.

Examples
--------
>>> import sdmodel as sd
>>> model = sd.load("tests/data/window_toy.mdl")
>>> sweep = sd.analysis.window_sweep(model, range(2003, 2031), [0.2, 0.4, 0.6],
...     start_lever="reinvestment_start_year", share_lever="reinvestment_share",
...     metric="gdp_per_capita", year=2040)
>>> sd.analysis.latest_viable_start(sweep, threshold=500.0).values.tolist()
[2015.0, 2025.0, 2029.0]
"""

from __future__ import annotations

from typing import cast

import math
from collections.abc import Mapping, Sequence
from numbers import Real
from pathlib import Path

import numpy as np
import xarray as xr

from ..exceptions import AnalysisError, ParameterError, ScenarioError, suggest
from ..scenarios import load_scenarios, validate_scenarios
from ..metrics import MetricSpec
from ._engine import run_many

__all__ = ["window_sweep", "latest_viable_start", "resolve_scenarios"]


def resolve_scenarios(model, scenarios: Mapping[str, Mapping] | str | Path | None) -> Mapping[str, Mapping]:
    """The scenario set to use: given, read from a TOML path, or the model's ``scenarios.toml``.

    Returns an empty mapping when none is given and the model folder has no ``scenarios.toml``.

    Examples
    --------
    >>> sorted(resolve_scenarios(perez, None))
    ['dual', 'fund', 'reinvest_early', 'reinvest_late', 'squander']
    """
    if scenarios is None:
        beside = Path(model.path).parent / "scenarios.toml"
        return load_scenarios(beside) if beside.is_file() else {}
    if isinstance(scenarios, (str, Path)):
        return load_scenarios(scenarios)
    return scenarios


def _baseline_overrides(model, scenarios, baseline: str | None) -> dict[str, object]:
    if baseline is None:
        return {}
    scenarios = resolve_scenarios(model, scenarios)
    if baseline not in scenarios:
        known = list(scenarios)
        raise ScenarioError(
            f"baseline scenario {baseline!r} is not defined"
            + (f"; the scenarios are {known}.{suggest(baseline, known)}" if known else
               f": no scenarios were given and model {model.name!r} has no scenarios.toml beside "
               "it; pass scenarios= or baseline=None (the model's defaults)")
        )
    return validate_scenarios(model, {baseline: scenarios[baseline]})[baseline]


def _grid_axis(values, what: str) -> np.ndarray:
    if isinstance(values, (str, bytes)):
        raise AnalysisError(f"{what} must be a sequence of numbers, got {values!r}")
    try:
        array = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=float)
    except (TypeError, ValueError):
        raise AnalysisError(f"{what} must be a sequence of numbers, got {values!r}") from None
    if array.ndim != 1:
        raise AnalysisError(f"{what} must be one-dimensional, got shape {array.shape}")
    if array.size == 0:
        raise AnalysisError(f"{what} is empty: the sweep grid has no cells; expected at least one value")
    if not np.isfinite(array).all():
        raise AnalysisError(f"{what} contains NaN or infinite values: {array.tolist()}")
    if np.unique(array).size != array.size:
        raise AnalysisError(f"{what} contains repeated values: {array.tolist()}")
    return array


def _constant(model, name: str, what: str) -> str:
    try:
        py = model.resolve(name, what=what)
    except ParameterError as err:
        raise AnalysisError(str(err)) from None
    if py not in model.params:
        raise AnalysisError(
            f"{what} {name!r} is not a constant of model {model.name!r}; expected one of its "
            f"parameters.{suggest(name, model.params)}"
        )
    return py


def window_sweep(
    model,
    start_years: Sequence[float],
    shares: Sequence[float],
    *,
    start_lever: str,
    share_lever: str,
    metric: str | MetricSpec,
    year: float | None = None,
    baseline: str | None = None,
    scenarios: Mapping[str, Mapping] | str | Path | None = None,
) -> xr.DataArray:
    """Gain over the baseline of applying each share of a policy from each start time.

    Every grid cell is the baseline scenario with ``start_lever`` and ``share_lever`` set to the
    cell's values. The whole grid and the baseline are evaluated in one ``run_batch`` call.

    Parameters
    ----------
    model : sdmodel.Model
    start_years : sequence of float
        Start times of the policy (values of ``start_lever``); each must lie within the run.
    shares : sequence of float
        Values of ``share_lever``.
    start_lever, share_lever : str
        The two constants swept (python or original names).
    metric : str or MetricSpec
        What is compared: a metric spec, the name of a metric the scenario file declares
        (``[metrics.<name>]``), or a model variable (its value at ``year``, or its final value
        when ``year`` is not given).
    year : float, optional
        With a variable name as ``metric``: the time at which it is compared (linear
        interpolation between saved times).
    baseline : str, optional
        The scenario the gains are measured against and the cells start from. Default: the
        scenario file's ``baseline``, else the model's defaults.
    scenarios : mapping, path or None, optional
        ``{name: {parameter: value}}`` or a scenario TOML file; default: ``scenarios.toml``
        beside the model file.

    Returns
    -------
    xarray.DataArray
        ``gain`` with dims ``("start_year", "share")``: the metric in the cell minus the
        baseline's. Attrs: ``metric``, ``variable``, ``reduce``, ``baseline``,
        ``baseline_value``, ``units``, ``long_name``, ``start_lever``, ``share_lever``,
        ``model``.

    Raises
    ------
    AnalysisError
        An empty or non-numeric grid, start times outside the run, a metric or lever the model
        lacks, a year outside the run, or a metric without a difference
        (``first_above_baseline``).
    ScenarioError
        The baseline is not among the scenarios.

    Examples
    --------
    >>> sweep = window_sweep(toy, [2004, 2010, 2020], [0.25, 0.5],
    ...                      start_lever="reinvestment_start_year",
    ...                      share_lever="reinvestment_share", metric="gdp_per_capita",
    ...                      year=2040, scenarios="tests/data/window_toy_scenarios.toml")
    >>> round(float(sweep.sel(start_year=2004, share=0.5)), 1)
    3891.8
    """
    starts = _grid_axis(start_years, "start_years")
    share_values = _grid_axis(shares, "shares")
    t = model.time_settings
    outside = starts[(starts < t.initial_time) | (starts > t.final_time)]
    if outside.size:
        raise AnalysisError(
            f"start years {outside.tolist()} are outside the run of model {model.name!r} "
            f"({t.initial_time:g} to {t.final_time:g}); expected start years within it"
        )
    resolved = resolve_scenarios(model, scenarios)
    spec = _metric_spec(model, metric, year, resolved)
    start_py = _constant(model, start_lever, "start_lever")
    share_py = _constant(model, share_lever, "share_lever")
    if baseline is None:
        baseline = getattr(resolved, "baseline", None)
    base = _baseline_overrides(model, resolved, baseline)

    grid_start, grid_share = np.meshgrid(starts, share_values, indexing="ij")
    n_cells = grid_start.size
    params = dict(base)
    # run 0 is the baseline itself, runs 1.. are the grid cells (start_year-major)
    first = {py: float(cast(float, base.get(py, model.defaults[py]))) for py in (start_py, share_py)}
    params[start_py] = np.concatenate([[first[start_py]], grid_start.ravel()])
    params[share_py] = np.concatenate([[first[share_py]], grid_share.ravel()])
    ds = run_many(model, params, n=n_cells + 1, return_vars=[spec.variable])
    da = ds[spec.variable]
    if set(da.dims) != {"run", "time"}:
        raise AnalysisError(
            f"metric {spec.name!r}: {spec.variable!r} is subscripted (dims {da.dims}); expected a "
            "scalar variable"
        )
    values = spec.evaluate(da, baseline=da.isel(run=0, drop=True)).values.astype(float)
    gain = (values[1:] - values[0]).reshape(grid_start.shape)
    tu = str(ds["time"].attrs.get("units") or ds.attrs.get("time_units") or "")
    units = spec.units(str(da.attrs.get("units", "")), tu)
    against = f"{baseline!r}" if baseline is not None else "the model's defaults"
    described = spec.describe(str(da.attrs.get("long_name") or spec.variable), tu)
    return xr.DataArray(
        gain,
        dims=("start_year", "share"),
        coords={"start_year": starts, "share": share_values},
        name="gain",
        attrs={
            "metric": spec.name,
            "variable": spec.variable,
            "reduce": spec.reduce,
            "baseline": baseline if baseline is not None else "",
            "baseline_value": float(values[0]),
            "units": units,
            "long_name": f"gain in {described} over {against}",
            "start_lever": start_py,
            "share_lever": share_py,
            "model": model.name,
        },
    )


def _metric_spec(model, metric, year, scenarios) -> MetricSpec:
    """The sweep's metric: a spec, a declared metric's name, or a variable at ``year``/final."""
    if isinstance(metric, MetricSpec):
        if year is not None:
            raise AnalysisError("year= applies to a variable name as metric, not to a MetricSpec")
        spec = metric
    else:
        if not isinstance(metric, str) or not metric.strip():
            raise AnalysisError(f"metric must be a variable or metric name, got {metric!r}")
        declared = getattr(scenarios, "metrics", None) or {}
        if metric in declared and year is None:
            spec = declared[metric]
        else:
            try:
                variable = model.resolve(metric, what="metric variable")
            except ParameterError as err:
                known = f" The scenario file declares the metrics {sorted(declared)}." if declared else ""
                raise AnalysisError(f"metric {metric!r}: {err}{known}") from None
            if year is not None and (isinstance(year, bool) or not isinstance(year, Real)
                                     or not math.isfinite(year)):
                raise AnalysisError(f"year must be a finite number, got {year!r}")
            spec = (MetricSpec(f"{variable}_{year:g}", variable, "at", year=float(year))
                    if year is not None
                    else MetricSpec(f"{variable}_final", variable, "final"))
    try:
        model.resolve(spec.variable, what="metric variable")
    except ParameterError as err:
        raise AnalysisError(f"metric {spec.name!r}: {err}") from None
    if not spec.comparable:
        raise AnalysisError(
            f"metric {spec.name!r} (reduce={spec.reduce!r}) has no difference from the baseline; "
            "a window sweep needs a metric whose gain is a difference"
        )
    t = model.time_settings
    for key in ("year", "start", "end"):
        value = getattr(spec, key)
        if value is not None and not t.initial_time <= value <= t.final_time:
            raise AnalysisError(
                f"metric {spec.name!r}: {key} {value:g} is outside the run of model "
                f"{model.name!r} ({t.initial_time:g} to {t.final_time:g})"
            )
    return spec


def latest_viable_start(sweep: xr.DataArray, threshold: float) -> xr.DataArray:
    """Per share, the latest start year whose gain is at least ``threshold``.

    Parameters
    ----------
    sweep : xarray.DataArray
        The result of :func:`window_sweep`.
    threshold : float
        The smallest gain that counts as worthwhile (in the metric's units).

    Returns
    -------
    xarray.DataArray
        Dims ``("share",)``; NaN for a share no start year reaches the threshold with.

    Raises
    ------
    AnalysisError
        ``sweep`` lacks the ``start_year``/``share`` dims, or ``threshold`` is not a number.

    Examples
    --------
    >>> sweep = window_sweep(toy, [2004, 2020], [0.5], start_lever="reinvestment_start_year",
    ...                      share_lever="reinvestment_share", metric="gdp_per_capita", year=2040)
    >>> latest_viable_start(sweep, threshold=0.0).values.tolist()
    [2020.0]
    """
    if not isinstance(sweep, xr.DataArray) or {"start_year", "share"} - set(sweep.dims):
        raise AnalysisError(
            "sweep must be the DataArray returned by window_sweep, with dims ('start_year', "
            f"'share'); got {type(sweep).__name__}"
            + (f" with dims {sweep.dims}" if isinstance(sweep, xr.DataArray) else "")
        )
    if isinstance(threshold, bool) or not isinstance(threshold, Real) or not math.isfinite(threshold):
        raise AnalysisError(f"threshold must be a finite number, got {threshold!r}")
    starts = sweep["start_year"]
    viable = sweep >= threshold
    out = starts.where(viable).max("start_year", skipna=True)
    out.name = "latest_viable_start"
    out.attrs = {
        "threshold": float(threshold),
        "units": str(sweep["start_year"].attrs.get("units", "Year")),
        "long_name": f"latest start year with a gain of at least {threshold:g}",
    }
    return out
