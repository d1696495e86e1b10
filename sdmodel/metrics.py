"""Comparison metrics (KPIs) of scenarios, declared as specs, and their differences from a baseline.

A metric is a :class:`MetricSpec`: a model variable and how its time path is reduced to one
number per scenario. Specs are declared in a scenario file as ``[metrics.<name>]`` tables::

    [metrics.output_2050]
    variable = "output"
    reduce = "at"
    year = 2050
    label = "Output in year 50"

    [metrics.npv_consumption]
    variable = "consumption"
    reduce = "npv"
    rate = 0.03
    end = 2060

:func:`compare` reduces a ``(scenario, time)`` Dataset — the output of
:func:`sdmodel.run_scenarios` — to one number per metric and scenario, plus each scenario's
difference from the baseline scenario. A metric that cannot be computed (its variable is
missing or subscripted, its year outside the run) is left out and listed, with the reason, in
the result's ``omitted`` attribute.

Reductions (``t0``/``t1``: the spec's ``start``/``end``, by default the first and last saved
times; values between saved times are interpolated linearly):

========================  ========================================================  ==========
``reduce``                value                                                     units
========================  ========================================================  ==========
``final``                 ``y(t1)``                                                 of ``y``
``at``                    ``y(year)``                                               of ``y``
``peak`` / ``trough``     max / min of ``y`` over the saved times in ``[t0, t1]``    of ``y``
``mean``                  mean of ``y`` over the saved times in ``[t0, t1]``         of ``y``
``change``                ``y(t1) - y(t0)``                                         of ``y``
``growth``                ``(y(t1) / y(t0)) ** (1 / (t1 - t0)) - 1``                1/time
``peak_change``           ``max over [t0, t1] of y(t) / y(t0) - 1``                 Dmnl
``npv``                   ``sum over saved t_k in [t0, t1] of y(t_k) dt (1 + rate)   ``y`` x time
                          ** -(t_k - t0)`` (``dt`` the save period: for annual
                          saves the textbook sum over years)
``first_above_baseline``  the first saved time in ``[t0, t1]`` from which ``y``      time
                          stays above the baseline's through ``t1``; NaN if never
                          (and for the baseline itself); no difference column
========================  ========================================================  ==========

A model can register the metrics :func:`compare` uses when none are given (:func:`register`);
otherwise the default is the final value of each variable that changes over time.

Examples
--------
>>> import numpy as np, xarray as xr
>>> t = np.arange(0.0, 11.0)
>>> ds = xr.Dataset({"y": (("scenario", "time"), [1.0 + 0 * t, 1.0 + t])},
...                 coords={"scenario": ["flat", "rising"], "time": t})
>>> specs = [MetricSpec("y_5", "y", "at", year=5), MetricSpec("y_peak", "y", "peak")]
>>> table = compare(ds, metrics=specs, baseline="flat")
>>> table["difference"].sel(scenario="rising").values.tolist()
[5.0, 10.0]
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ._atomic import atomic_path
from .exceptions import AnalysisError, ScenarioError, SDModelError, suggest

__all__ = [
    "MetricSpec",
    "REDUCTIONS",
    "compare",
    "parse_metrics",
    "register",
    "defaults_for",
    "format_table",
    "to_frame",
    "write_csv",
]

#: The reductions of a metric spec, with what each reads: (uses year, uses start/end, uses rate).
REDUCTIONS: dict[str, tuple[bool, bool, bool]] = {
    "final": (False, True, False),
    "at": (True, False, False),
    "peak": (False, True, False),
    "trough": (False, True, False),
    "mean": (False, True, False),
    "change": (False, True, False),
    "growth": (False, True, False),
    "peak_change": (False, True, False),
    "npv": (False, True, True),
    "first_above_baseline": (False, True, False),
}

_REL_TOL = 1e-9  # "above the baseline" must exceed it by more than rounding
_MAX_DEFAULT = 12  # default metrics: final values of at most this many variables


class _Omit(Exception):
    """A metric that cannot be computed on this dataset; the message is the reason."""


@dataclass(frozen=True)
class MetricSpec:
    """One comparison metric: a variable and how its time path is reduced to a number.

    Parameters
    ----------
    name : str
        The metric's name in tables (a row of :func:`compare`).
    variable : str
        Python name of the model variable.
    reduce : str, optional
        One of :data:`REDUCTIONS` (default ``"final"``); see the module docs.
    year : float, optional
        The time of ``reduce="at"`` (required by it, refused by the others).
    start, end : float, optional
        The window of the other reductions (default: the whole run).
    rate : float, optional
        Discount rate per time unit of ``reduce="npv"`` (required by it; above -1).
    label : str, optional
        Description in tables (default: built from the variable's ``long_name``).

    Raises
    ------
    AnalysisError
        An unknown reduction (closest names suggested), a missing ``year``/``rate``, a key the
        reduction does not use, ``start`` after ``end``, or a non-finite number.

    Examples
    --------
    >>> MetricSpec("gdp_2040", "gdp_per_capita", "at", year=2040).describe("GDP per capita")
    'GDP per capita in 2040'
    >>> MetricSpec("x", "y", "peek")
    Traceback (most recent call last):
    ...
    sdmodel.exceptions.AnalysisError: metric 'x': unknown reduce 'peek'; expected one of final, at, peak, trough, mean, change, growth, peak_change, npv, first_above_baseline. Did you mean 'peak'?
    """

    name: str
    variable: str
    reduce: str = "final"
    year: float | None = None
    start: float | None = None
    end: float | None = None
    rate: float | None = None
    label: str | None = None

    def __post_init__(self) -> None:
        culprit = f"metric {self.name!r}"
        for key in ("name", "variable"):
            value = getattr(self, key)
            if not isinstance(value, str) or not value.strip():
                raise AnalysisError(f"{culprit}: {key} must be a non-empty string, got {value!r}")
        if self.reduce not in REDUCTIONS:
            raise AnalysisError(
                f"{culprit}: unknown reduce {self.reduce!r}; expected one of "
                f"{', '.join(REDUCTIONS)}.{suggest(str(self.reduce), REDUCTIONS)}"
            )
        uses_year, uses_window, uses_rate = REDUCTIONS[self.reduce]
        for key, used in (("year", uses_year), ("start", uses_window), ("end", uses_window),
                          ("rate", uses_rate)):
            value = getattr(self, key)
            if value is None:
                continue
            if not used:
                raise AnalysisError(f"{culprit}: reduce={self.reduce!r} does not use {key!r}")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise AnalysisError(f"{culprit}: {key} must be a finite number, got {value!r}")
            object.__setattr__(self, key, float(value))
        if uses_year and self.year is None:
            raise AnalysisError(f"{culprit}: reduce='at' needs year = <time>")
        if uses_rate and (self.rate is None or self.rate <= -1):
            raise AnalysisError(
                f"{culprit}: reduce='npv' needs rate = <discount rate per time unit above -1>, "
                f"got {self.rate!r}"
            )
        if self.start is not None and self.end is not None and self.start >= self.end:
            raise AnalysisError(f"{culprit}: start ({self.start:g}) must be before end ({self.end:g})")

    @property
    def comparable(self) -> bool:
        """False for reductions whose difference from the baseline means nothing."""
        return self.reduce != "first_above_baseline"

    def describe(self, long_name: str, time_units: str = "") -> str:
        """The label, or a description built from the variable's ``long_name``."""
        if self.label:
            return self.label
        span = _span(self.start, self.end)
        if self.reduce == "at":
            return f"{long_name} in {self.year:g}"
        if self.reduce == "final":
            return f"{long_name} at {self.end:g}" if self.end is not None else f"final {long_name}"
        if self.reduce == "npv":
            per = f"/{time_units}" if time_units else ""
            return f"NPV of {long_name}{span} at {self.rate:.1%}{per}"
        if self.reduce == "first_above_baseline":
            return f"first time {long_name} stays above the baseline{span}"
        words = {
            "peak": "peak", "trough": "trough", "mean": "mean", "change": "change in",
            "growth": "average growth of", "peak_change": "peak relative change of",
        }
        return f"{words[self.reduce]} {long_name}{span}"

    def units(self, variable_units: str, time_units: str) -> str:
        """The units of the metric's value."""
        if self.reduce == "growth":
            return f"1/{time_units}" if time_units else "1/time"
        if self.reduce == "peak_change":
            return "Dmnl"
        if self.reduce == "npv":
            return _times_time(variable_units, time_units)
        if self.reduce == "first_above_baseline":
            return time_units
        return variable_units

    def evaluate(self, da: xr.DataArray, *, baseline: xr.DataArray | None = None) -> xr.DataArray:
        """Reduce ``da`` (dims ``time`` plus any others) over time.

        Parameters
        ----------
        da : xarray.DataArray
            The variable, with a ``time`` dimension.
        baseline : xarray.DataArray, optional
            The baseline's path (dim ``time``), needed by ``first_above_baseline``.

        Returns
        -------
        xarray.DataArray
            ``da``'s other dimensions, floats.

        Raises
        ------
        AnalysisError
            The window or year is outside the run, or the baseline is missing.

        Examples
        --------
        >>> da = xr.DataArray([1.0, 2.0, 4.0], dims="time", coords={"time": [0.0, 1.0, 2.0]})
        >>> float(MetricSpec("g", "y", "growth").evaluate(da))
        1.0
        """
        try:
            return self._reduce(da.astype(float), baseline)
        except _Omit as why:
            raise AnalysisError(f"metric {self.name!r}: {why}") from None

    # -------------------------------------------------------------------- reductions
    def _window(self, time: np.ndarray) -> tuple[float, float]:
        t_first, t_last = float(time[0]), float(time[-1])
        t0 = self.start if self.start is not None else t_first
        t1 = self.end if self.end is not None else t_last
        for key, value in (("start", t0), ("end", t1)):
            if not t_first <= value <= t_last:
                raise _Omit(f"{key} {value:g} is outside the run ({t_first:g} to {t_last:g})")
        return t0, t1

    def _reduce(self, da: xr.DataArray, baseline: xr.DataArray | None) -> xr.DataArray:
        time = da["time"].values.astype(float)
        if self.reduce == "at":
            assert self.year is not None
            if not time[0] <= self.year <= time[-1]:
                raise _Omit(f"year {self.year:g} is outside the run ({time[0]:g} to {time[-1]:g})")
            return _at(da, self.year)
        t0, t1 = self._window(time)
        inside = da.sel(time=slice(t0, t1))
        if self.reduce in ("peak", "trough", "mean", "npv", "first_above_baseline", "peak_change") \
                and inside.sizes["time"] == 0:
            raise _Omit(f"no saved time falls within {t0:g} to {t1:g}")
        if self.reduce == "final":
            return _at(da, t1)
        if self.reduce == "peak":
            return inside.max("time")
        if self.reduce == "trough":
            return inside.min("time")
        if self.reduce == "mean":
            return inside.mean("time")
        if self.reduce == "change":
            return _at(da, t1) - _at(da, t0)
        if self.reduce == "growth":
            if t1 <= t0:
                raise _Omit("the run spans a single saved time")
            y0, y1 = _at(da, t0), _at(da, t1)
            return (y1 / y0).where((y0 > 0) & (y1 > 0)) ** (1.0 / (t1 - t0)) - 1.0
        if self.reduce == "peak_change":
            return inside.max("time") / _at(da, t0) - 1.0
        if self.reduce == "npv":
            assert self.rate is not None
            return _npv(inside, self.rate, t0)
        if baseline is None:
            raise _Omit("first_above_baseline needs the baseline's path")
        return _first_above(inside, baseline.sel(time=slice(t0, t1)))


def _span(start: float | None, end: float | None) -> str:
    if start is None and end is None:
        return ""
    if start is None:
        return f" through {end:g}"
    if end is None:
        return f" from {start:g}"
    return f" {start:g}-{end:g}"


def _at(da: xr.DataArray, t: float) -> xr.DataArray:
    """``da`` at time ``t`` (linear interpolation between saved times), without ``time``."""
    if t in da["time"].values:
        out = da.sel(time=t)
    else:
        out = da.interp(time=t)
    return out.drop_vars("time", errors="ignore")


def _npv(window: xr.DataArray, rate: float, t0: float) -> xr.DataArray:
    t = window["time"].values.astype(float)
    step = t[-1] - t[-2] if len(t) > 1 else 1.0
    dt = np.diff(t, append=t[-1] + step)
    weights = xr.DataArray(dt * (1.0 + rate) ** -(t - t0), dims="time", coords={"time": t})
    return (window * weights).sum("time")


def _first_above(window: xr.DataArray, base: xr.DataArray) -> xr.DataArray:
    """First saved time from which ``window`` stays above ``base`` to the end (NaN if never)."""
    above = (window - base) > _REL_TOL * np.maximum(np.abs(base), 1e-300)
    t = window["time"].values.astype(float)

    def first(row: np.ndarray) -> float:
        if not row[-1]:
            return np.nan
        below = np.flatnonzero(~row)
        return float(t[below[-1] + 1]) if below.size else float(t[0])

    return xr.apply_ufunc(
        lambda a: np.apply_along_axis(first, -1, a), above, input_core_dims=[["time"]],
    ).astype(float)


def _times_time(units: str, tu: str) -> str:
    """Units of a flow summed over time: ``'USD/Year'`` -> ``'USD'``."""
    if not units:
        return tu
    if tu and units.endswith(f"/{tu}"):
        return units[: -len(tu) - 1]
    return f"({units})*{tu}" if tu else units


# ----------------------------------------------------------------------------- parsing specs
def parse_metrics(
    tables: Mapping[str, Mapping[str, object]],
    *,
    where: str = "metrics",
    error: type[SDModelError] = ScenarioError,
) -> dict[str, MetricSpec]:
    """Specs from ``{name: {variable = ..., reduce = ..., ...}}`` (a scenario file's ``[metrics]``).

    Raises
    ------
    ScenarioError
        (or ``error``) An unknown key (closest names suggested), a missing ``variable``, a
        wrong type, or a spec :class:`MetricSpec` refuses.

    Examples
    --------
    >>> parse_metrics({"g": {"variable": "gdp", "reduce": "growth", "end": 2060}})["g"].end
    2060.0
    """
    from .schema import MetricTable, validate

    if not isinstance(tables, Mapping):
        raise error(f"{where}: [metrics] must hold tables [metrics.<name>], got {tables!r}")
    specs: dict[str, MetricSpec] = {}
    for name, table in tables.items():
        if not isinstance(table, Mapping):
            raise error(
                f"{where}: metrics.{name} must be a table [metrics.{name}] with variable = ..., "
                f"got {table!r}"
            )
        row = validate(MetricTable, dict(table), where=where, error=error, section=f"metrics.{name}")
        try:
            specs[name] = MetricSpec(name, **row.model_dump())
        except AnalysisError as err:
            raise error(f"{where}: {err}") from None
    return specs


# ----------------------------------------------------------------------- registered defaults
_DEFAULTS: list[tuple[frozenset[str], tuple[MetricSpec, ...]]] = []


def register(required: Iterable[str], specs: Iterable[MetricSpec] | Mapping[str, Mapping]) -> None:
    """Make ``specs`` the default metrics of datasets holding every ``required`` variable.

    Used by a bundled model to declare its metrics (see :func:`defaults_for`); the first
    registration a dataset matches wins.

    Parameters
    ----------
    required : iterable of str
        Python names of variables that identify the model's outputs.
    specs : iterable of MetricSpec, or mapping
        The metrics, or ``{name: table}`` as :func:`parse_metrics` reads them.

    Examples
    --------
    >>> register({"my_output"}, [MetricSpec("my_output_final", "my_output")])
    """
    if isinstance(specs, Mapping):
        specs = parse_metrics(specs, where="registered metrics", error=AnalysisError).values()
    _DEFAULTS.append((frozenset(required), tuple(specs)))


def defaults_for(ds: xr.Dataset) -> list[MetricSpec]:
    """The metrics :func:`compare` uses on ``ds`` when none are given.

    The registered metrics of the first registration whose variables ``ds`` has all of
    (bundled models register theirs when first needed); else the final value of each variable
    over ``(scenario, time)`` that changes over time (at most twelve).

    Examples
    --------
    >>> t = np.arange(3.0)
    >>> ds = xr.Dataset({"k": (("scenario", "time"), [t])}, coords={"scenario": ["a"], "time": t})
    >>> [m.name for m in defaults_for(ds)]
    ['k_final']
    """
    from .bundled import register_bundled

    register_bundled()
    names = set(map(str, ds.data_vars))
    for required, specs in _DEFAULTS:
        if required <= names:
            return list(specs)
    chosen = [
        str(v) for v in ds.data_vars
        if set(ds[v].dims) == {"scenario", "time"} and _varies(ds[v])
    ][:_MAX_DEFAULT]
    return [MetricSpec(f"{v}_final", v, "final") for v in chosen]


def _varies(da: xr.DataArray) -> bool:
    values = np.asarray(da.transpose("scenario", "time").values, dtype=float)
    return bool(values.size) and bool(np.any(np.nanmax(values, axis=1) > np.nanmin(values, axis=1)))


# ----------------------------------------------------------------------------------- compare
def compare(
    ds: xr.Dataset,
    *,
    baseline: str,
    metrics: Iterable[MetricSpec] | Mapping[str, object] | None = None,
) -> xr.Dataset:
    """Compute the metrics of every scenario and their differences from a baseline.

    Parameters
    ----------
    ds : xarray.Dataset
        Dimensions ``("scenario", "time")``, as returned by :func:`sdmodel.run_scenarios`.
    baseline : str
        The scenario the others are compared with.
    metrics : iterable of MetricSpec or mapping, optional
        The metrics (e.g. ``sd.load_scenarios(path).metrics``), or ``{name: table}`` as a
        scenario file's ``[metrics]`` holds them; default :func:`defaults_for`.

    Returns
    -------
    xarray.Dataset
        Variables ``value`` and ``difference`` (``value`` minus the baseline's; NaN for
        ``first_above_baseline``) with dimensions ``("metric", "scenario")``; coordinates
        ``units``, ``long_name`` and ``reduce`` along ``metric``; attrs ``baseline`` and
        ``omitted`` (``{metric: reason}`` for each metric that could not be computed).

    Raises
    ------
    AnalysisError
        ``ds`` has no ``scenario`` dimension or no ``time``; a bad spec.
    ScenarioError
        ``baseline`` is not one of the scenarios.

    Examples
    --------
    >>> t = np.arange(2000.0, 2011.0)
    >>> ds = xr.Dataset({"gdp": (("scenario", "time"), [100 * 1.02 ** (t - 2000),
    ...                                                 100 * 1.03 ** (t - 2000)])},
    ...                 coords={"scenario": ["base", "up"], "time": t})
    >>> table = compare(ds, baseline="base",
    ...                 metrics={"growth": {"variable": "gdp", "reduce": "growth"}})
    >>> round(float(table["value"].sel(metric="growth", scenario="up")), 6)
    0.03
    """
    _check_dataset(ds, baseline)
    specs = _as_specs(metrics, ds)
    tu = str(ds["time"].attrs.get("units") or ds.attrs.get("time_units") or "")
    rows: list[tuple[MetricSpec, str, str, np.ndarray]] = []
    omitted: dict[str, str] = {}
    for spec in specs:
        try:
            rows.append(_row(ds, spec, baseline, tu))
        except _Omit as why:
            omitted[spec.name] = str(why)
    return _assemble(ds, rows, baseline, omitted)


def _as_specs(metrics, ds: xr.Dataset) -> list[MetricSpec]:
    if metrics is None:
        return defaults_for(ds)
    if isinstance(metrics, Mapping):
        if all(isinstance(v, MetricSpec) for v in metrics.values()):
            return list(metrics.values())
        return list(parse_metrics(metrics, error=AnalysisError).values())
    if isinstance(metrics, (str, bytes)) or not isinstance(metrics, Iterable):
        raise AnalysisError(f"metrics must be MetricSpecs or {{name: table}}, got {metrics!r}")
    specs = list(metrics)
    for spec in specs:
        if not isinstance(spec, MetricSpec):
            raise AnalysisError(f"metrics must be MetricSpec objects, got {spec!r}")
    names = [s.name for s in specs]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise AnalysisError(f"metrics {dupes} are given more than once")
    return specs


def _row(ds: xr.Dataset, spec: MetricSpec, baseline: str, tu: str):
    """``(spec, long_name, units, values per scenario)``, or :class:`_Omit`."""
    if spec.variable not in ds:
        raise _Omit(f"the dataset has no variable {spec.variable!r}"
                    f".{suggest(spec.variable, list(map(str, ds.data_vars)))}".rstrip("."))
    da = ds[spec.variable]
    if set(da.dims) != {"scenario", "time"}:
        raise _Omit(f"{spec.variable!r} has dimensions {da.dims}; expected ('scenario', 'time')")
    da = da.transpose("scenario", "time").astype(float)
    value = spec._reduce(da, da.sel(scenario=baseline, drop=True))
    long_name = str(da.attrs.get("long_name") or spec.variable)
    units = spec.units(str(da.attrs.get("units", "")), tu)
    return spec, spec.describe(long_name, tu), units, np.asarray(value.transpose("scenario").values)


def _check_dataset(ds: xr.Dataset, baseline: str) -> None:
    if not isinstance(ds, xr.Dataset):
        raise AnalysisError(f"expected an xarray.Dataset from run_scenarios, got {type(ds).__name__}")
    for dim in ("scenario", "time"):
        if dim not in ds.dims:
            raise AnalysisError(
                f"the dataset has no {dim!r} dimension (dimensions: {tuple(ds.dims)}); expected "
                "the output of sdmodel.run_scenarios with dimensions ('scenario', 'time')"
            )
    scenarios = [str(s) for s in ds["scenario"].values]
    if baseline not in scenarios:
        raise ScenarioError(
            f"baseline {baseline!r} is not among the scenarios {scenarios}."
            f"{suggest(str(baseline), scenarios)}"
        )


def _assemble(ds: xr.Dataset, rows, baseline: str, omitted: dict[str, str]) -> xr.Dataset:
    scenarios = np.array([str(s) for s in ds["scenario"].values], dtype=str)
    values = np.full((len(rows), len(scenarios)), np.nan)
    diffs = np.full((len(rows), len(scenarios)), np.nan)
    base_index = list(scenarios).index(baseline)
    for i, (spec, _, _, row) in enumerate(rows):
        values[i] = row
        if spec.comparable:
            diffs[i] = values[i] - values[i, base_index]
    table = xr.Dataset(
        {
            "value": (("metric", "scenario"), values),
            "difference": (("metric", "scenario"), diffs),
        },
        coords={
            "metric": np.array([r[0].name for r in rows], dtype=str),
            "scenario": scenarios,
            "units": ("metric", np.array([r[2] for r in rows], dtype=object)),
            "long_name": ("metric", np.array([r[1] for r in rows], dtype=object)),
            "reduce": ("metric", np.array([r[0].reduce for r in rows], dtype=object)),
        },
        attrs={"baseline": baseline, "omitted": dict(omitted)},
    )
    table["value"].attrs["long_name"] = "metric value"
    table["difference"].attrs["long_name"] = f"difference from the baseline {baseline!r}"
    return table


# ----------------------------------------------------------------------------------- output
def to_frame(table: xr.Dataset) -> pd.DataFrame:
    """The metrics table as one wide DataFrame (for CSV or display).

    Columns: ``description``, ``units``, one value column per scenario, then one
    ``"<scenario> - <baseline>"`` column per other scenario. Index: ``metric``.

    Examples
    --------
    >>> t = np.arange(3.0)
    >>> ds = xr.Dataset({"k": (("scenario", "time"), [t, 2 * t])},
    ...                 coords={"scenario": ["a", "b"], "time": t})
    >>> to_frame(compare(ds, baseline="a")).columns.tolist()
    ['description', 'units', 'a', 'b', 'b - a']
    """
    baseline = table.attrs["baseline"]
    metrics = pd.Index([str(m) for m in table["metric"].values], name="metric")
    frame = pd.DataFrame(
        {
            "description": [str(x) for x in table["long_name"].values],
            "units": [str(x) for x in table["units"].values],
        },
        index=metrics,
    )
    for scenario in table["scenario"].values:
        frame[str(scenario)] = table["value"].sel(scenario=scenario).values
    for scenario in table["scenario"].values:
        if scenario != baseline:
            frame[f"{scenario} - {baseline}"] = table["difference"].sel(scenario=scenario).values
    return frame


def _fmt(x: float, digits: int) -> str:
    if not np.isfinite(x):
        return "-"
    if 10**digits <= abs(x) < 1e9:  # whole numbers read better than 1.014e+04
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def _block(table: xr.Dataset, title: str, columns: Sequence[str], data: np.ndarray,
           digits: int) -> list[str]:
    head = ["metric", "units", *columns]
    body = [
        [str(m), str(u), *(_fmt(v, digits) for v in row)]
        for m, u, row in zip(table["metric"].values, table["units"].values, data)
    ]
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]

    def line(r: list[str]) -> str:
        return "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))

    return [title, line(head), "  ".join("-" * w for w in widths), *map(line, body)]


def format_table(table: xr.Dataset, *, digits: int = 4) -> str:
    """The metrics table as plain text: values per scenario, then differences from the baseline.

    Values keep ``digits`` significant digits; from ``10**digits`` to 1e9 they are shown as
    whole numbers with thousands separators. NaN is shown as ``-`` (e.g. a scenario that never
    stays above the baseline).

    Examples
    --------
    >>> t = np.arange(3.0)
    >>> ds = xr.Dataset({"k": (("scenario", "time"), [t, 2 * t])},
    ...                 coords={"scenario": ["a", "b"], "time": t})
    >>> print(format_table(compare(ds, baseline="a")).splitlines()[3])
    k_final  ...
    """
    baseline = table.attrs["baseline"]
    scenarios = [str(s) for s in table["scenario"].values]
    others = [s for s in scenarios if s != baseline]
    if table.sizes["metric"] == 0:
        lines = ["no metric could be computed"]
    else:
        lines = _block(table, "Metrics by scenario", scenarios, table["value"].values, digits)
        if others:
            diff = table["difference"].sel(scenario=others).values
            lines += ["", *_block(table, f"Difference from {baseline!r}", others, diff, digits)]
        lines += ["", "Definitions:"]
        lines += [f"  {m}: {d}" for m, d in zip(table["metric"].values, table["long_name"].values)]
    omitted = table.attrs.get("omitted") or {}
    if omitted:
        lines += ["", "Omitted metrics:"]
        lines += [f"  {m}: {reason}" for m, reason in omitted.items()]
    return "\n".join(lines)


def write_csv(table: xr.Dataset, path: str | os.PathLike) -> Path:
    """Write :func:`to_frame` of the table to CSV atomically (temporary file, then rename).

    Raises
    ------
    OutputError
        The file cannot be written.

    Examples
    --------
    >>> ds = sd.run_scenarios(toy, sd.load_scenarios("tests/data/window_toy_scenarios.toml"))
    >>> write_csv(compare(ds, baseline="squander"), "out/metrics.csv").name
    'metrics.csv'
    """
    with atomic_path(path) as tmp:
        to_frame(table).to_csv(tmp)
    return Path(path)
