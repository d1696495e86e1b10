"""Heatmap of a window-of-opportunity sweep: gain by start time and share, periods marked.

Examples
--------
>>> import sdmodel as sd
>>> model = sd.load("models/perez/perez.mdl")
>>> sweep = sd.analysis.window_sweep(model, range(2003, 2031), [0.2, 0.4, 0.6],
...     start_lever="reinvestment_start_year", share_lever="reinvestment_share",
...     metric="gdp_per_capita", year=2040, baseline="squander")
>>> fig = sd.plot.window(sweep, threshold=500, periods=sd.plot.defaults_for(model).periods)
>>> fig.savefig("window.png", dpi=150)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr

from ..exceptions import AnalysisError
from .annotations import Period, check_periods

__all__ = ["window"]


def window(
    sweep: xr.DataArray,
    *,
    periods: Sequence[Period] | None = None,
    threshold: float | None = None,
    title: str | None = None,
):
    """Draw the gain of each (start year, share) cell as a heatmap.

    Parameters
    ----------
    sweep : xarray.DataArray
        From :func:`sdmodel.analysis.window_sweep`, dims ``("start_year", "share")``.
    periods : sequence of Period or (start, end[, label]), optional
        Periods whose first and last times are marked on the start axis (e.g. those
        registered for the model: ``sd.plot.defaults_for(model).periods``). Default: none.
    threshold : float, optional
        Also draw, per share, the latest start year whose gain reaches this value.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        Start year on x, share on y, a diverging colour scale centred on zero gain, a colour
        bar labelled with the metric's units.

    Raises
    ------
    AnalysisError
        ``sweep`` lacks the dims, or a period is not two increasing times.

    Examples
    --------
    >>> sweep = sd.analysis.window_sweep(toy, [2004, 2010, 2020], [0.25, 0.5],
    ...                                  start_lever="reinvestment_start_year",
    ...                                  share_lever="reinvestment_share",
    ...                                  metric="gdp_per_capita", year=2040)
    >>> fig = window(sweep, periods=[(2003, 2014, "commodity boom")])
    """
    from matplotlib.colors import TwoSlopeNorm
    from matplotlib.figure import Figure

    from ..analysis.window import latest_viable_start

    if not isinstance(sweep, xr.DataArray) or {"start_year", "share"} - set(sweep.dims) or sweep.ndim != 2:
        raise AnalysisError("sweep must be the DataArray of window_sweep, with dims ('start_year', 'share')")
    marked = check_periods(() if periods is None else periods, None)
    da = sweep.transpose("share", "start_year")
    starts = da["start_year"].values.astype(float)
    shares = da["share"].values.astype(float)
    values = da.values.astype(float)
    fig = Figure(figsize=(7.5, 4.2), layout="constrained")
    ax = fig.subplots()
    finite = values[np.isfinite(values)]
    vmax = float(np.abs(finite).max()) if finite.size else 1.0
    vmax = vmax or 1.0
    mesh = ax.pcolormesh(_edges(starts), _edges(shares), values, cmap="RdBu",
                         norm=TwoSlopeNorm(vcenter=0.0, vmin=-vmax, vmax=vmax), shading="flat")
    bar = fig.colorbar(mesh, ax=ax)
    units = sweep.attrs.get("units", "")
    bar.set_label(f"gain ({units})" if units else "gain")
    for period in marked:
        for k, t in enumerate((period.start, period.end)):
            ax.axvline(t, color="black", linestyle="--", linewidth=1.2,
                       label=period.text if k == 0 else None)
    if threshold is not None:
        latest = latest_viable_start(sweep, threshold).sel(share=shares).values
        ax.plot(latest, shares, "k^", markersize=6, label=f"latest start with gain >= {threshold:g}")
    ax.set_xlabel(str(sweep.attrs.get("start_lever", "start")))
    ax.set_ylabel(str(sweep.attrs.get("share_lever", "share")))
    ax.set_title(title or sweep.attrs.get("long_name", "gain over the baseline"))
    if marked or threshold is not None:
        ax.legend(loc="upper right", fontsize="small")
    return fig


def _edges(centres: np.ndarray) -> np.ndarray:
    """Cell edges around sorted or unsorted centres (midpoints; half a step beyond the ends)."""
    if centres.size == 1:
        return np.array([centres[0] - 0.5, centres[0] + 0.5])
    mids = (centres[1:] + centres[:-1]) / 2
    return np.concatenate([[2 * centres[0] - mids[0]], mids, [2 * centres[-1] - mids[-1]]])
