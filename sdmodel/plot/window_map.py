"""Heatmap of a window-of-opportunity sweep: gain by start year and share, boom years marked.

Examples
--------
>>> import sdmodel as sd
>>> sweep = sd.analysis.window_sweep(model, range(2003, 2031), [0.2, 0.4, 0.6])   # doctest: +SKIP
>>> fig = sd.plot.window(sweep, threshold=500)                                   # doctest: +SKIP
>>> fig.savefig("window.png", dpi=150)                                           # doctest: +SKIP
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np
import xarray as xr

from ..exceptions import AnalysisError

__all__ = ["window"]


def window(
    sweep: xr.DataArray,
    *,
    boom: tuple[float, float] | None = (2003, 2014),
    threshold: float | None = None,
    title: str | None = None,
):
    """Draw the gain of each (start year, share) cell as a heatmap.

    Parameters
    ----------
    sweep : xarray.DataArray
        From :func:`sdmodel.analysis.window_sweep`, dims ``("start_year", "share")``.
    boom : (float, float) or None, optional
        First and last boom year, marked on the start-year axis; ``None`` for none.
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
        ``sweep`` lacks the dims, or ``boom`` is not two increasing years.

    Examples
    --------
    >>> fig = window(sweep, boom=(2003, 2014))   # doctest: +SKIP
    """
    from matplotlib.colors import TwoSlopeNorm
    from matplotlib.figure import Figure

    from ..analysis.window import latest_viable_start

    if not isinstance(sweep, xr.DataArray) or {"start_year", "share"} - set(sweep.dims) or sweep.ndim != 2:
        raise AnalysisError("sweep must be the DataArray of window_sweep, with dims ('start_year', 'share')")
    if boom is not None:
        ok = (len(boom) == 2 and all(isinstance(b, Real) and math.isfinite(b) for b in boom)
              and boom[0] <= boom[1])
        if not ok:
            raise AnalysisError(f"boom must be (first year, last year), got {boom!r}")
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
    if boom is not None:
        for k, year in enumerate(boom):
            ax.axvline(year, color="black", linestyle="--", linewidth=1.2,
                       label=f"commodity boom {boom[0]:g}-{boom[1]:g}" if k == 0 else None)
    if threshold is not None:
        latest = latest_viable_start(sweep, threshold).sel(share=shares).values
        ax.plot(latest, shares, "k^", markersize=6, label=f"latest start with gain >= {threshold:g}")
    ax.set_xlabel(f"start of reinvestment ({sweep.attrs.get('start_param', 'start year')})")
    ax.set_ylabel(sweep.attrs.get("share_param", "share"))
    ax.set_title(title or sweep.attrs.get("long_name", "gain over the baseline"))
    if boom is not None or threshold is not None:
        ax.legend(loc="upper right", fontsize="small")
    return fig


def _edges(centres: np.ndarray) -> np.ndarray:
    """Cell edges around sorted or unsorted centres (midpoints; half a step beyond the ends)."""
    if centres.size == 1:
        return np.array([centres[0] - 0.5, centres[0] + 0.5])
    mids = (centres[1:] + centres[:-1]) / 2
    return np.concatenate([[2 * centres[0] - mids[0]], mids, [2 * centres[-1] - mids[-1]]])
