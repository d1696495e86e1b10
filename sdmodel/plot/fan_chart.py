"""Fan chart: percentile bands of each scenario over time (uncertainty of a comparison).

Examples
--------
>>> import sdmodel as sd
>>> runs = sd.analysis.scenario_runs(toy, sd.load_scenarios("tests/data/window_toy_scenarios.toml"),
...                                  {"trend_growth": np.linspace(0.01, 0.03, 20)})
>>> bands = sd.analysis.percentile_bands(runs)
>>> fig = sd.plot.fan(bands, variables=["gdp_per_capita"])
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import xarray as xr

from ..exceptions import AnalysisError, suggest
from .annotations import Period, check_periods
from .comparison import BAND_COLOR, COLORS

__all__ = ["fan"]


def fan(
    bands: xr.Dataset,
    *,
    variables: Sequence[str] | None = None,
    scenarios: Sequence[str] | None = None,
    periods: Sequence[Period] | None = None,
    ncols: int | None = None,
):
    """Shade the percentile bands of each scenario, the median as a line.

    Parameters
    ----------
    bands : xarray.Dataset
        From :func:`sdmodel.analysis.percentile_bands`, dims ``("scenario", "percentile",
        "time")``. Pairs of percentiles symmetric about 50 are shaded, the widest lightest.
    variables : sequence of str, optional
        One panel each (default: every variable).
    scenarios : sequence of str, optional
        Scenarios drawn (default: all).
    periods : sequence of Period, optional
        Periods shaded in every panel (default: those registered for the variables, see
        :func:`sdmodel.plot.register`; ``()`` for none).
    ncols : int, optional

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    AnalysisError
        Not a bands Dataset, or an unknown variable or scenario.

    Examples
    --------
    >>> runs = sd.analysis.scenario_runs(
    ...     toy, sd.load_scenarios("tests/data/window_toy_scenarios.toml"),
    ...     {"trend_growth": np.linspace(0.01, 0.03, 20)}, return_vars=["gdp_per_capita"])
    >>> bands = sd.analysis.percentile_bands(runs)
    >>> fig = fan(bands, variables=["gdp_per_capita"], scenarios=["squander", "reinvest_early"])
    """
    from matplotlib.figure import Figure

    if not isinstance(bands, xr.Dataset) or not {"scenario", "percentile", "time"} <= set(bands.dims):
        raise AnalysisError(
            "bands must be the Dataset of percentile_bands, with dims ('scenario', 'percentile', 'time')"
        )
    names = list(variables) if variables is not None else list(bands.data_vars)
    for name in names:
        if name not in bands.data_vars:
            raise AnalysisError(f"variable {name!r} is not in the bands.{suggest(str(name), map(str, bands.data_vars))}")
    if not names:
        raise AnalysisError("no variable to plot")
    known = [str(s) for s in bands["scenario"].values]
    chosen = list(scenarios) if scenarios is not None else known
    for s in chosen:
        if s not in known:
            raise AnalysisError(f"scenario {s!r} is not in the bands {known}.{suggest(s, known)}")
    shaded = check_periods(periods, bands)
    q = [float(p) for p in bands["percentile"].values]
    pairs = sorted(((lo, 100 - lo) for lo in q if lo < 50 and (100 - lo) in q), key=lambda p: p[0])
    ncols = ncols or (1 if len(names) == 1 else 2)
    nrows = math.ceil(len(names) / ncols)
    fig = Figure(figsize=(5.2 * ncols, 3.3 * nrows + 0.6), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True).ravel()
    time = bands["time"].values.astype(float)
    for ax, name in zip(axes, names):
        for k, s in enumerate(chosen):
            color = COLORS[k % len(COLORS)]
            da = bands[name].sel(scenario=s)
            for j, (lo, hi) in enumerate(pairs):
                ax.fill_between(time, da.sel(percentile=lo).values, da.sel(percentile=hi).values,
                                color=color, alpha=0.12 + 0.18 * j / max(len(pairs), 1), linewidth=0)
            if 50.0 in q:
                ax.plot(time, da.sel(percentile=50.0).values, color=color, linewidth=1.8,
                        label=f"{s} (median)" if ax is axes[0] else None)
        for band in shaded:
            ax.axvspan(band.start, band.end, color=BAND_COLOR, zorder=0,
                       label=band.text if ax is axes[0] else None)
        ax.set_title(bands[name].attrs.get("long_name", name))
        ax.set_ylabel(bands[name].attrs.get("units", ""))
    for ax in axes[len(names):]:
        ax.set_visible(False)
    widest = f"{pairs[0][0]:g}-{pairs[0][1]:g}" if pairs else "no"
    fig.suptitle(f"median and {widest} percentile bands over {bands.attrs.get('n_runs', '?')} runs")
    fig.legend(loc="outside lower center", ncols=min(len(chosen), 4), fontsize="small")
    return fig
