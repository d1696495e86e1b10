"""Observed versus simulated series of a calibration, one panel per series.

Examples
--------
>>> fit = sd.calibrate(model, observed, {"catch_up_rate": (0.01, 1)}, progress=False)
>>> fig = sd.plot.fit(fit)
>>> fig.savefig("fit.png", dpi=150)
"""

from __future__ import annotations

import math
import textwrap

import numpy as np

from ..exceptions import AnalysisError

__all__ = ["fit"]


def fit(result, *, ncols: int | None = None, title: str | None = None):
    """Plot each observed series (markers) against the fitted simulation (line).

    Parameters
    ----------
    result : sdmodel.CalibrationResult
    ncols : int, optional
        Panels per row (default 1 for one series, 2 up to four, else 3).
    title : str, optional
        Figure title (default: model, method and chi-square).

    Returns
    -------
    matplotlib.figure.Figure
        One panel per series titled by its ``long_name`` (else its name) with its R², y axis
        in its units;
        subscripted series draw one line per element.

    Raises
    ------
    AnalysisError
        ``result`` is not a calibration result or ``ncols`` is not a positive integer.
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    ds = getattr(result, "fit", None)
    if ds is None or not hasattr(result, "r2"):
        raise AnalysisError(f"plot.fit needs a CalibrationResult, got {type(result).__name__}")
    names = list(ds.data_vars)
    if ncols is None:
        ncols = 1 if len(names) == 1 else 2 if len(names) <= 4 else 3
    if isinstance(ncols, bool) or not isinstance(ncols, int) or ncols < 1:
        raise AnalysisError(f"ncols must be a positive integer, got {ncols!r}")
    ncols = min(ncols, len(names))
    nrows = math.ceil(len(names) / ncols)
    fig = Figure(figsize=(4.3 * ncols, 2.9 * nrows + 0.8), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    time = ds["time"].values.astype(float)
    tu = ds.attrs.get("time_units", "")
    for ax, name in zip(axes, names):
        da = ds[name]
        obs = da.sel(source="observed").values.reshape(len(time), -1)
        sim = da.sel(source="simulated").values.reshape(len(time), -1)
        for j in range(obs.shape[1]):
            keep = np.isfinite(obs[:, j])
            ax.plot(time[keep], obs[keep, j], "o", color="0.25", markersize=3.2,
                    label="observed" if j == 0 else None)
            ax.plot(time, sim[:, j], "-", color="#0072B2", linewidth=1.8,
                    label="simulated" if j == 0 else None)
        r2 = result.r2.get(name, float("nan"))
        label = textwrap.shorten(str(da.attrs.get("long_name") or name), 60, placeholder="...")
        ax.set_title(textwrap.fill(f"{label} (R² = {r2:.3f})", 44), fontsize=10)
        ax.set_ylabel(str(da.attrs.get("units") or ""), fontsize=9)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(f"Time ({tu})" if tu else "Time", fontsize=9)
        ax.tick_params(labelsize=8.5)
        ax.grid(True, color="0.92", linewidth=0.6)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    for ax in axes[len(names):]:
        fig.delaxes(ax)
    axes[0].legend(fontsize=8.5, frameon=False)
    fig.suptitle(title or f"{result.model_name}: {result.method}, chi-square "
                 f"{result.chisqr:.4g}" + (" (interrupted)" if result.interrupted else ""),
                 fontsize=11)
    return fig
