"""A Bayesian calibration's figure: posterior predictive bands of every observed series, and
each constant's posterior against its prior.

Examples
--------
>>> post = sd.calibration.sample_posterior(model, observed, priors, seed=1)   # doctest: +SKIP
>>> fig = sd.plot.posterior(post, n=300, seed=0)                            # doctest: +SKIP
>>> fig.savefig("posterior.png", dpi=150)                                   # doctest: +SKIP
"""

from __future__ import annotations

import math
import textwrap

import numpy as np

from ..exceptions import AnalysisError

__all__ = ["posterior"]


def posterior(post, *, n: int = 200, seed: int | None = None, ncols: int = 3):
    """Plot predictive 5-95 % bands and medians over the observations, then one panel per
    constant with its posterior histogram and its prior density.

    Parameters
    ----------
    post : sdmodel.calibration.PosteriorResult
    n : int
        Posterior draws run for the predictive bands (one batch).
    seed : int, optional
    ncols : int
        Panels per row.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    AnalysisError
        ``post`` is not a posterior result or ``ncols`` is not a positive integer.
    """
    from matplotlib.figure import Figure

    if not hasattr(post, "predictive") or not hasattr(post, "priors"):
        raise AnalysisError(f"plot.posterior needs a PosteriorResult, got {type(post).__name__}")
    if isinstance(ncols, bool) or not isinstance(ncols, int) or ncols < 1:
        raise AnalysisError(f"ncols must be a positive integer, got {ncols!r}")
    bands = post.predictive(n, seed=seed)
    panels = len(bands) + len(post.names)
    ncols = min(ncols, panels)
    nrows = math.ceil(panels / ncols)
    fig = Figure(figsize=(4.2 * ncols, 2.9 * nrows + 0.6), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, (name, frame) in zip(axes, bands.items()):
        t = frame.index.values.astype(float)
        ax.fill_between(t, frame[0.05], frame[0.95], color="#0072B2", alpha=0.25, linewidth=0,
                        label="5-95 % predictive")
        ax.plot(t, frame[0.5], "-", color="#0072B2", linewidth=1.6, label="median")
        ax.plot(t, frame["observed"], "o", color="0.25", markersize=3.2, label="observed")
        ax.set_title(textwrap.fill(name, 40), fontsize=10)
        ax.legend(fontsize=7.5, frameon=False)
    draws = post.draws()
    for ax, name in zip(axes[len(bands):], post.names):
        prior = post.priors[name]
        v = draws[name]
        ax.hist(v, bins=40, density=True, color="#D55E00", alpha=0.6, label="posterior")
        lo, hi = float(prior.ppf(0.001)), float(prior.ppf(0.999))
        x = np.linspace(lo, hi, 300)
        ax.plot(x, np.exp(prior.logpdf(x)), "-", color="0.3", linewidth=1.2, label="prior")
        ax.set_title(textwrap.fill(name, 40), fontsize=10)
        ax.legend(fontsize=7.5, frameon=False)
    for ax in axes[panels:]:
        ax.set_visible(False)
    for ax in axes[:panels]:
        ax.tick_params(labelsize=8.5)
        ax.grid(True, color="0.92", linewidth=0.6)
    return fig
