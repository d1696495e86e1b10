"""Ranked bar chart of global sensitivity indices (Sobol S1/ST or Morris mu*).

Examples
--------
>>> import sdmodel as sd
>>> si = sd.analysis.sobol(model, ["catch_up_rate", "frontier_growth_rate"],
...                        metrics=["technological_capability@50"], n=128, seed=1)
>>> fig = sd.plot.sensitivity(si)
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from ..exceptions import AnalysisError, suggest

__all__ = ["sensitivity"]


def sensitivity(indices: xr.Dataset, *, output: str | None = None, top: int | None = None):
    """Bars of each parameter's index for one output, largest first, with confidence whiskers.

    Parameters
    ----------
    indices : xarray.Dataset
        From :func:`sdmodel.analysis.sobol` (bars of ``ST`` with ``S1`` inside) or
        :func:`sdmodel.analysis.morris` (bars of ``mu_star``).
    output : str, optional
        The output shown (default: the first).
    top : int, optional
        Show only the ``top`` largest.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    AnalysisError
        Not a sobol/morris result, or an unknown output.

    Examples
    --------
    >>> si = sd.analysis.sobol(model, ["catch_up_rate", "frontier_growth_rate"],
    ...                        metrics=["technological_capability@50"], n=128, seed=1)
    >>> fig = sensitivity(si, output="technological_capability_50", top=10)
    """
    from matplotlib.figure import Figure

    method = indices.attrs.get("method") if isinstance(indices, xr.Dataset) else None
    if method not in ("sobol", "morris"):
        raise AnalysisError("indices must be the Dataset returned by sdmodel.analysis.sobol or morris")
    outputs = [str(o) for o in indices["output"].values]
    output = outputs[0] if output is None else output
    if output not in outputs:
        raise AnalysisError(f"output {output!r} is not in the indices {outputs}.{suggest(output, outputs)}")
    sel = indices.sel(output=output)
    main = "ST" if method == "sobol" else "mu_star"
    order = np.argsort(-sel[main].values, kind="stable")
    if top is not None:
        order = order[: int(top)]
    params = [str(p) for p in sel["parameter"].values[order]]
    y = np.arange(len(params))[::-1]
    fig = Figure(figsize=(6.5, 0.45 * len(params) + 1.6), layout="constrained")
    ax = fig.subplots()
    ax.barh(y, sel[main].values[order], xerr=sel[f"{main}_conf"].values[order], color="#0072B2",
            alpha=0.55 if method == "sobol" else 0.9, label="total order (ST)" if method == "sobol" else "mu*")
    if method == "sobol":
        ax.barh(y, sel["S1"].values[order], height=0.45, xerr=sel["S1_conf"].values[order],
                color="#D55E00", label="first order (S1)")
        ax.set_xlabel("Sobol index")
    else:
        ax.set_xlabel("mean |elementary effect| (output units per parameter range)")
    ax.set_yticks(y, params)
    ax.set_title(f"{method.capitalize()} sensitivity of {output}")
    ax.legend(loc="lower right", fontsize="small")
    return fig
