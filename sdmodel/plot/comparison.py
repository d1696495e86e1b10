"""A multi-panel figure of chosen variables across scenarios, registered periods shaded.

Examples
--------
>>> import sdmodel as sd
>>> model = sd.load("tests/data/fishery.mdl")
>>> ds = sd.run_scenarios(model, sd.load_scenarios("tests/data/fishery_scenarios.toml"))
>>> fig = sd.plot.compare(ds, baseline="open_access")
>>> [ax.get_title() for ax in fig.axes][:2]
['Fish', 'regeneration']
>>> fig.savefig("comparison.png", dpi=150)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import xarray as xr

from ..exceptions import AnalysisError, ScenarioError, suggest
from .annotations import Period, check_periods, defaults_for

__all__ = ["compare"]

#: Colour-blind-safe colours (Okabe & Ito 2008), and dashes so lines differ in grey print.
COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442")
DASHES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)))
#: Fill colour of shaded periods.
BAND_COLOR = "0.88"
_MAX_DEFAULT_PANELS = 12


def compare(
    ds: xr.Dataset,
    *,
    variables: Sequence[str] | None = None,
    periods: Sequence[Period] | None = None,
    baseline: str | None = None,
    ncols: int | None = None,
    title: str | None = None,
):
    """Plot chosen variables over time, one panel each, one line per scenario.

    Parameters
    ----------
    ds : xarray.Dataset
        Dimensions ``("scenario", "time")`` (from :func:`sdmodel.run_scenarios`); a single run
        with only ``time`` is drawn as one scenario.
    variables : sequence of str, optional
        Variables to plot, one panel each. Default: the panels registered for the dataset's
        model (:func:`sdmodel.plot.register`) that it holds, else up to 12 of its variables
        that change over time.
    periods : sequence of Period or (start, end[, label]), optional
        Periods shaded in every panel and listed in the legend. Default: those registered for
        the dataset's model; ``()`` for none.
    baseline : str, optional
        A scenario drawn in black and listed first.
    ncols : int, optional
        Panels per row (default: 2 for up to four panels, else 3).
    title : str, optional
        Figure title (default: the model name).

    Returns
    -------
    matplotlib.figure.Figure
        Panels titled by each variable's ``long_name`` (its python name if none), y axis
        labelled with its ``units``, x axis with the time unit; one legend, in the first empty
        slot of the grid (an axes without a frame) or else below the panels.

    Raises
    ------
    AnalysisError
        A variable is not in ``ds`` (closest names suggested) or is not over
        ``(scenario, time)``; nothing to plot; a bad period or ``ncols``.
    ScenarioError
        ``baseline`` is not one of the scenarios.

    Examples
    --------
    >>> ds = sd.run_scenarios(perez, {"squander": {}, "reinvest": {"reinvestment_share": 0.5}},
    ...                       return_vars=["gdp_per_capita", "real_exchange_rate"])
    >>> fig = compare(ds, variables=["gdp_per_capita", "real_exchange_rate"])
    >>> [ax.get_title() for ax in fig.axes][:2]
    ['GDP per capita', 'Real exchange rate']
    """
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    ds = _as_scenarios(ds)
    names = _choose(ds, variables)
    scenarios = [str(s) for s in ds["scenario"].values]
    if baseline is not None:
        if baseline not in scenarios:
            raise ScenarioError(
                f"baseline {baseline!r} is not among the scenarios {scenarios}."
                f"{suggest(str(baseline), scenarios)}"
            )
        scenarios.remove(baseline)
        scenarios.insert(0, baseline)
    shaded = check_periods(periods, ds)
    if ncols is None:
        ncols = 1 if len(names) == 1 else 2 if len(names) <= 4 else 3
    if isinstance(ncols, bool) or not isinstance(ncols, int) or ncols < 1:
        raise AnalysisError(f"ncols must be a positive integer, got {ncols!r}")
    ncols = min(ncols, len(names))
    nrows = math.ceil(len(names) / ncols)

    time = ds["time"].values.astype(float)
    tu = ds["time"].attrs.get("units") or ds.attrs.get("time_units") or ""
    fig = Figure(figsize=(4.3 * ncols, 2.9 * nrows + 0.9), layout="constrained")
    axes = fig.subplots(nrows, ncols, sharex=True, squeeze=False).ravel()
    styles = {}
    for i, scenario in enumerate(scenarios):
        if scenario == baseline:
            styles[scenario] = dict(color="black", linestyle="-", linewidth=2.2)
        else:
            k = i - (baseline is not None)
            styles[scenario] = dict(
                color=COLORS[k % len(COLORS)], linestyle=DASHES[k % len(DASHES)], linewidth=1.7
            )
    for k, (ax, name) in enumerate(zip(axes, names)):
        da = ds[name]
        for period in shaded:
            if period.end >= time[0] and period.start <= time[-1]:
                ax.axvspan(period.start, period.end, color=BAND_COLOR, linewidth=0, zorder=0)
        for scenario in scenarios:
            ax.plot(time, da.sel(scenario=scenario).values, label=scenario, **styles[scenario])
        ax.set_title(str(da.attrs.get("long_name") or name), fontsize=10.5)
        ax.set_ylabel(str(da.attrs.get("units") or "Dmnl"), fontsize=9.5)
        if k + ncols >= len(names):  # the lowest panel of its column
            ax.set_xlabel(f"Time ({tu})" if tu else "Time", fontsize=9.5)
            ax.xaxis.set_tick_params(labelbottom=True)
        ax.tick_params(labelsize=8.5)
        ax.grid(True, color="0.92", linewidth=0.6)
        ax.margins(x=0)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    for period in shaded:
        handles.append(Patch(color=BAND_COLOR, label=period.text))
        labels.append(period.text)
    spare = list(axes[len(names):])
    if spare:  # the legend fills the first empty slot of the grid
        spare[0].axis("off")
        spare[0].legend(handles, labels, loc="center", frameon=False, fontsize=10, title="Scenario")
        spare = spare[1:]
    else:
        fig.legend(
            handles, labels, loc="outside lower center", ncols=min(len(labels), 4),
            frameon=False, fontsize=9.5,
        )
    for ax in spare:
        fig.delaxes(ax)
    fig.suptitle(title if title is not None else _default_title(ds), fontsize=12)
    return fig


def _as_scenarios(ds: xr.Dataset) -> xr.Dataset:
    if not isinstance(ds, xr.Dataset):
        raise AnalysisError(f"expected an xarray.Dataset, got {type(ds).__name__}")
    if "time" not in ds.dims:
        raise AnalysisError(
            f"the dataset has no 'time' dimension (dimensions: {tuple(ds.dims)}); expected a "
            "model run or the output of sdmodel.run_scenarios"
        )
    if "scenario" not in ds.dims:
        ds = ds.expand_dims(scenario=[str(ds.attrs.get("model_name", "run"))])
    return ds


def _varies(da: xr.DataArray) -> bool:
    """True when the variable changes over time in some scenario."""
    values = da.transpose("scenario", "time").values
    return bool(np.any(np.nanmax(values, axis=1) > np.nanmin(values, axis=1))) if values.size else False


def _choose(ds: xr.Dataset, variables) -> list[str]:
    if variables is None:
        panels = defaults_for(ds).panels or ()
        names = [v for v in panels if v in ds and set(ds[v].dims) == {"scenario", "time"}]
        if not names:
            names = [
                str(v) for v in ds.data_vars
                if set(ds[v].dims) == {"scenario", "time"} and _varies(ds[v])
            ][:_MAX_DEFAULT_PANELS]
        if not names:
            raise AnalysisError(
                "nothing to plot: the dataset has no variable over (scenario, time) that changes "
                "in time; pass variables=[...]"
            )
        return names
    if isinstance(variables, str):
        variables = [variables]
    names = list(variables)
    if not names:
        raise AnalysisError("variables is empty; expected at least one variable name")
    for name in names:
        if name not in ds:
            raise AnalysisError(
                f"variable {name!r} is not in the dataset.{suggest(str(name), map(str, ds.data_vars))}"
            )
        if set(ds[name].dims) != {"scenario", "time"}:
            raise AnalysisError(
                f"variable {name!r} has dimensions {ds[name].dims}; expected ('scenario', "
                "'time') — select one element of its subscripts first"
            )
    return names


def _default_title(ds: xr.Dataset) -> str:
    name = ds.attrs.get("model_name")
    return f"{name}: scenario comparison" if name else "Scenario comparison"
