"""Comparison metrics (KPIs) of scenarios, and their differences from a baseline scenario.

:func:`compare` reduces a ``(scenario, time)`` Dataset — the output of
:func:`sdmodel.run_scenarios` — to one number per metric and scenario, plus each scenario's
difference from a baseline scenario. The metrics read the reference model's outputs by their
python names (:data:`OUTPUTS`); another model can map them to its own variables with
``variables=``. A metric whose variable the Dataset lacks is left out and listed, with the
reason, in the result's ``omitted`` attribute.

Definitions (``t0`` is the first saved time, ``H`` the horizon: the last of ``years`` or the
end of the run, whichever is earlier):

- ``gdp_per_capita_<Y>``: GDP per capita at year ``Y`` (linear interpolation between saved
  times).
- ``gdp_per_capita_growth``: average compound growth rate ``(y(H) / y(t0)) ** (1 / (H - t0)) - 1``.
- ``peak_rer_appreciation``: ``max over [t0, H] of rer(t) / rer(t0) - 1``; a rise of the real
  exchange rate index is an appreciation.
- ``<output>_<snapshot_year>`` for the non-resource export share, export sophistication,
  poverty rate, human capital and technological capability.
- ``npv_consumption``: ``sum over saved times t_k in [t0, H] of c(t_k) * dt * (1 + r) ** -(t_k
  - t0)``, with ``dt`` the save period and ``r`` the discount rate per time unit (discrete
  discounting to ``t0``; for annual saves, the textbook sum over years ``t0..H``).
- ``year_gdp_above_baseline``: the first saved time from which GDP per capita stays above the
  baseline's through ``H``; NaN if it never does (and for the baseline itself).

Examples
--------
>>> import sdmodel as sd
>>> ds = sd.run_scenarios(model, sd.load_scenarios("models/perez/scenarios.toml"))  # doctest: +SKIP
>>> table = sd.metrics.compare(ds, baseline="squander")                               # doctest: +SKIP
>>> table["value"].sel(metric="gdp_per_capita_2040", scenario="reinvest_early")       # doctest: +SKIP
>>> print(sd.metrics.format_table(table))                                             # doctest: +SKIP
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from numbers import Real
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ._atomic import atomic_path
from .exceptions import AnalysisError, ScenarioError, suggest

__all__ = ["OUTPUTS", "compare", "format_table", "to_frame", "write_csv"]

#: The reference model's outputs the metrics read (python names, DESIGN section 4).
OUTPUTS = (
    "gdp_per_capita",
    "real_exchange_rate",
    "human_capital",
    "technological_capability",
    "non_resource_export_share",
    "export_sophistication",
    "resource_rents",
    "sovereign_fund",
    "poverty_rate",
    "consumption",
)

#: Outputs reported at the snapshot year, with their descriptions.
_SNAPSHOTS = {
    "non_resource_export_share": "non-resource export share",
    "export_sophistication": "export sophistication",
    "poverty_rate": "poverty rate",
    "human_capital": "human capital",
    "technological_capability": "technological capability",
}

#: Row order of the table (the order of issue 5); dated metrics by their stem.
_ORDER = (
    "gdp_per_capita",
    "gdp_per_capita_growth",
    "peak_rer_appreciation",
    "non_resource_export_share",
    "export_sophistication",
    "poverty_rate",
    "npv_consumption",
    "human_capital",
    "technological_capability",
    "year_gdp_above_baseline",
)

_REL_TOL = 1e-9  # "above the baseline" must exceed it by more than rounding


def compare(
    ds: xr.Dataset,
    *,
    baseline: str,
    years: Sequence[float] = (2030, 2040, 2060),
    discount_rate: float = 0.03,
    snapshot_year: float = 2040,
    variables: Mapping[str, str] | None = None,
) -> xr.Dataset:
    """Compute the comparison metrics of every scenario and their differences from a baseline.

    Parameters
    ----------
    ds : xarray.Dataset
        Dimensions ``("scenario", "time")``, as returned by :func:`sdmodel.run_scenarios`.
    baseline : str
        The scenario the others are compared with (e.g. ``"squander"``).
    years : sequence of float, optional
        Years at which GDP per capita is reported; the last one is the horizon of the growth
        rate, the peak appreciation, the NPV and the overtaking year.
    discount_rate : float, optional
        Discount rate of consumption per time unit (0.03 = 3 %/yr); must exceed -1.
    snapshot_year : float, optional
        The year at which export mix, poverty, human capital and capability are reported.
    variables : mapping, optional
        ``{output: variable in ds}`` for a model whose variables have other names, e.g.
        ``{"gdp_per_capita": "output_per_worker"}``.

    Returns
    -------
    xarray.Dataset
        Variables ``value`` and ``difference`` (``value`` minus the baseline's) with dimensions
        ``("metric", "scenario")``; coordinates ``units`` and ``long_name`` along ``metric``;
        attrs ``baseline``, ``discount_rate``, ``horizon`` and ``omitted`` (``{metric: reason}``
        for each metric that could not be computed). ``table["value"].to_pandas()`` is a
        metrics-by-scenario DataFrame.

    Raises
    ------
    AnalysisError
        ``ds`` has no ``scenario`` dimension or no ``time``; bad ``years``, ``snapshot_year``
        or ``discount_rate``.
    ScenarioError
        ``baseline`` is not one of the scenarios.

    Examples
    --------
    >>> table = compare(ds, baseline="squander", discount_rate=0.05)     # doctest: +SKIP
    >>> table["difference"].to_pandas().round(3)                         # doctest: +SKIP
    """
    _check_dataset(ds, baseline)
    years = _check_years(years)
    if not isinstance(snapshot_year, Real) or isinstance(snapshot_year, bool) or not math.isfinite(snapshot_year):
        raise AnalysisError(f"snapshot_year must be a finite number, got {snapshot_year!r}")
    if (
        not isinstance(discount_rate, Real)
        or isinstance(discount_rate, bool)
        or not math.isfinite(discount_rate)
        or discount_rate <= -1
    ):
        raise AnalysisError(f"discount_rate must be a finite number above -1, got {discount_rate!r}")
    names = {out: out for out in OUTPUTS}
    for out, var in (variables or {}).items():
        if out not in names:
            raise AnalysisError(
                f"variables: {out!r} is not one of the reference outputs; expected one of "
                f"{list(OUTPUTS)}.{suggest(out, OUTPUTS)}"
            )
        names[out] = var

    time = ds["time"].values.astype(float)
    t0, t_end = float(time[0]), float(time[-1])
    horizon = min(max(years), t_end)
    if horizon < t0:
        raise AnalysisError(
            f"years {years} all fall before the run starts ({t0:g}); expected years within "
            f"{t0:g} to {t_end:g}"
        )
    tu = ds["time"].attrs.get("units") or ds.attrs.get("time_units") or "Year"
    rows: list[tuple[str, str, str, xr.DataArray, bool]] = []
    omitted: dict[str, str] = {}

    def series(out: str, *metrics: str) -> xr.DataArray | None:
        """The output as (scenario, time) floats, or None with ``metrics`` marked omitted."""
        var = names[out]
        if var not in ds:
            reason = f"the dataset has no variable {var!r}"
        elif set(ds[var].dims) != {"scenario", "time"}:
            reason = f"{var!r} has dimensions {ds[var].dims}; expected ('scenario', 'time')"
        else:
            return ds[var].transpose("scenario", "time").astype(float)
        omitted.update(dict.fromkeys(metrics, reason))
        return None

    def at(da: xr.DataArray, year: float, metric: str) -> xr.DataArray | None:
        if not t0 <= year <= t_end:
            omitted[metric] = f"year {year:g} is outside the run ({t0:g} to {t_end:g})"
            return None
        return da.interp(time=year) if year not in time else da.sel(time=year)

    def units_of(da: xr.DataArray) -> str:
        return str(da.attrs.get("units", ""))

    gdp_metrics = [f"gdp_per_capita_{year:g}" for year in years]
    gdp = series("gdp_per_capita", *gdp_metrics, "gdp_per_capita_growth", "year_gdp_above_baseline")
    if gdp is not None:
        for year, metric in zip(years, gdp_metrics):
            value = at(gdp, year, metric)
            if value is not None:
                rows.append((metric, f"GDP per capita in {year:g}", units_of(gdp), value, True))
        window = gdp.sel(time=slice(t0, horizon))
        span = float(window["time"][-1]) - t0
        if span <= 0:
            omitted["gdp_per_capita_growth"] = "the run spans a single saved time"
        else:
            y0, yh = window.isel(time=0), window.isel(time=-1)
            ratio = (yh / y0).where((y0 > 0) & (yh > 0))
            rows.append(
                (
                    "gdp_per_capita_growth",
                    f"average growth of GDP per capita {t0:g}-{t0 + span:g}",
                    f"1/{tu}",
                    ratio ** (1.0 / span) - 1.0,
                    True,
                )
            )
        rows.append(
            (
                "year_gdp_above_baseline",
                f"year GDP per capita stays above {baseline!r} (through {horizon:g})",
                tu,
                _overtaking_year(window, baseline),
                False,
            )
        )

    rer = series("real_exchange_rate", "peak_rer_appreciation")
    if rer is not None:
        window = rer.sel(time=slice(t0, horizon))
        rows.append(
            (
                "peak_rer_appreciation",
                f"peak real-exchange-rate appreciation over its {t0:g} level",
                "Dmnl",
                window.max("time") / window.isel(time=0) - 1.0,
                True,
            )
        )

    for out, text in _SNAPSHOTS.items():
        metric = f"{out}_{snapshot_year:g}"
        da = series(out, metric)
        if da is not None:
            value = at(da, snapshot_year, metric)
            if value is not None:
                rows.append((metric, f"{text} in {snapshot_year:g}", units_of(da), value, True))

    cons = series("consumption", "npv_consumption")
    if cons is not None:
        window = cons.sel(time=slice(t0, horizon))
        t = window["time"].values.astype(float)
        dt = np.diff(t, append=t[-1] + (t[-1] - t[-2] if len(t) > 1 else 1.0))
        weights = xr.DataArray(dt * (1.0 + discount_rate) ** -(t - t0), dims="time")
        rows.append(
            (
                "npv_consumption",
                f"NPV of consumption {t0:g}-{t[-1]:g} at {discount_rate:.1%}/{tu}, to {t0:g}",
                _times_time(units_of(cons), tu),
                (window * weights).sum("time"),
                True,
            )
        )

    rows.sort(key=lambda row: _ORDER.index(row[0].rsplit("_", 1)[0] if row[0][-1].isdigit() else row[0]))
    return _assemble(ds, rows, baseline, omitted, discount_rate=discount_rate, horizon=horizon)


def _overtaking_year(gdp: xr.DataArray, baseline: str) -> xr.DataArray:
    base = gdp.sel(scenario=baseline)
    above = (gdp - base) > _REL_TOL * np.maximum(np.abs(base), 1e-300)
    t = gdp["time"].values
    out = []
    for row in above.values:
        if not row[-1]:
            out.append(np.nan)
            continue
        below = np.flatnonzero(~row)
        out.append(float(t[below[-1] + 1]) if below.size else float(t[0]))
    return xr.DataArray(out, dims="scenario", coords={"scenario": gdp["scenario"].values})


def _times_time(units: str, tu: str) -> str:
    """Units of a flow integrated over time: ``'USD/Year'`` -> ``'USD'``."""
    if not units:
        return tu
    if units.endswith(f"/{tu}"):
        return units[: -len(tu) - 1]
    return f"({units})*{tu}"


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


def _check_years(years) -> list[float]:
    if isinstance(years, (str, bytes)) or not isinstance(years, Sequence) or not years:
        raise AnalysisError(f"years must be a non-empty sequence of numbers, got {years!r}")
    for year in years:
        if isinstance(year, bool) or not isinstance(year, Real) or not math.isfinite(year):
            raise AnalysisError(f"years must be finite numbers, got {year!r} in {years!r}")
    return [float(y) for y in years]


def _assemble(ds, rows, baseline, omitted, *, discount_rate, horizon) -> xr.Dataset:
    scenarios = np.array([str(s) for s in ds["scenario"].values], dtype=str)
    n = len(rows)
    values = np.full((n, len(scenarios)), np.nan)
    diffs = np.full((n, len(scenarios)), np.nan)
    base_index = list(scenarios).index(baseline)
    for i, (_, _, _, da, comparable) in enumerate(rows):
        values[i] = np.asarray(da.transpose("scenario").values, dtype=float)
        if comparable:
            diffs[i] = values[i] - values[i, base_index]
    metric = np.array([r[0] for r in rows], dtype=str) if rows else np.array([], dtype=str)
    table = xr.Dataset(
        {
            "value": (("metric", "scenario"), values),
            "difference": (("metric", "scenario"), diffs),
        },
        coords={
            "metric": metric,
            "scenario": scenarios,
            "units": ("metric", np.array([r[2] for r in rows], dtype=object)),
            "long_name": ("metric", np.array([r[1] for r in rows], dtype=object)),
        },
        attrs={
            "baseline": baseline,
            "discount_rate": float(discount_rate),
            "horizon": float(horizon),
            "omitted": dict(omitted),
        },
    )
    table["value"].attrs["long_name"] = "metric value"
    table["difference"].attrs["long_name"] = f"difference from the baseline {baseline!r}"
    return table


def to_frame(table: xr.Dataset) -> pd.DataFrame:
    """The metrics table as one wide DataFrame (for CSV or display).

    Columns: ``description``, ``units``, one value column per scenario, then one
    ``"<scenario> - <baseline>"`` column per other scenario. Index: ``metric``.

    Examples
    --------
    >>> to_frame(compare(ds, baseline="squander")).columns[:3].tolist()   # doctest: +SKIP
    ['description', 'units', 'squander']
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


def format_table(table: xr.Dataset, *, digits: int = 4) -> str:
    """The metrics table as plain text: values per scenario, then differences from the baseline.

    Values keep ``digits`` significant digits; from ``10**digits`` to 1e9 they are shown as
    whole numbers with thousands separators. NaN is shown as ``-`` (e.g. a scenario that never
    stays above the baseline).

    Examples
    --------
    >>> print(format_table(compare(ds, baseline="squander")))   # doctest: +SKIP
    """
    baseline = table.attrs["baseline"]
    scenarios = [str(s) for s in table["scenario"].values]
    others = [s for s in scenarios if s != baseline]

    def fmt(x: float) -> str:
        if not np.isfinite(x):
            return "-"
        if 10**digits <= abs(x) < 1e9:  # whole numbers read better than 1.014e+04
            return f"{x:,.0f}"
        return f"{x:.{digits}g}"

    def block(title: str, column_names: list[str], data: np.ndarray) -> list[str]:
        head = ["metric", "units", *column_names]
        body = [
            [str(m), str(u), *(fmt(v) for v in row)]
            for m, u, row in zip(table["metric"].values, table["units"].values, data)
        ]
        widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
        line = lambda r: "  ".join(  # noqa: E731
            c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))
        )
        return [title, line(head), "  ".join("-" * w for w in widths), *map(line, body)]

    if table.sizes["metric"] == 0:
        lines = ["no metric could be computed"]
    else:
        lines = block("Metrics by scenario", scenarios, table["value"].values)
        if others:
            diff = table["difference"].sel(scenario=others).values
            lines += ["", *block(f"Difference from {baseline!r}", others, diff)]
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
    >>> write_csv(compare(ds, baseline="squander"), "out/metrics.csv")   # doctest: +SKIP
    """
    with atomic_path(path) as tmp:
        to_frame(table).to_csv(tmp)
    return Path(path)
