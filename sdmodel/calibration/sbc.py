"""Simulation-based calibration check of the Bayesian sampler (coverage of known truths).

Truths are drawn from the priors, synthetic observations are simulated from them (the model's
run plus Gaussian noise), the posterior is sampled, and each truth is checked against the
central posterior interval. A calibrated sampler covers the truth in about ``level`` of the
cases; far fewer means overconfident intervals, far more means intervals too wide.

Examples
--------
>>> table = coverage(model, priors, observe, n_datasets=20, seed=1,
...                  sampler_kw=dict(n_steps=400, normalize=None))   # doctest: +SKIP
>>> table["covered"].mean()                                          # doctest: +SKIP
0.9
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import CalibrationError
from .bayes import sample_posterior
from .priors import Prior, as_priors

__all__ = ["coverage"]


def coverage(
    model,
    priors: Mapping[str, Prior | Mapping],
    observe: Callable[[dict[str, float], np.random.Generator], tuple[object, dict[str, float]]],
    *,
    n_datasets: int = 20,
    level: float = 0.9,
    seed: int | None = None,
    sampler_kw: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Coverage of prior-drawn truths by the posterior's central ``level`` intervals.

    Parameters
    ----------
    model : sdmodel.Model
    priors : mapping
        The sampled constants' priors (truths are drawn from them).
    observe : callable
        ``observe(truth, rng) -> (observed, noise)``: the synthetic data for a truth, and the
        true noise scale of each series (``{series: sigma}`` in the residuals' units, checked
        against ``sigma_<series>``; may be empty).
    n_datasets : int
    level : float
        Central interval probability, in (0, 1).
    seed : int, optional
    sampler_kw : mapping, optional
        Keywords of :func:`sdmodel.calibration.sample_posterior` (``n_steps``,
        ``normalize``, ``final_time``, ...).

    Returns
    -------
    pandas.DataFrame
        One row per (dataset, quantity): ``truth``, ``lower``, ``upper``, ``covered``.
    """
    pri = as_priors(priors)
    if isinstance(n_datasets, bool) or not isinstance(n_datasets, int) or n_datasets < 1:
        raise CalibrationError(f"n_datasets must be a positive integer, got {n_datasets!r}")
    if not 0 < level < 1:
        raise CalibrationError(f"level must lie in (0, 1), got {level!r}")
    rng = np.random.default_rng(seed)
    lo_q, hi_q = (1 - level) / 2, (1 + level) / 2
    rows = []
    for i in range(n_datasets):
        truth = {k: float(p.rvs(1, rng)[0]) for k, p in pri.items()}
        observed, noise = observe(truth, rng)
        post = sample_posterior(model, observed, pri, seed=int(rng.integers(2**31)),
                                **dict(sampler_kw or {}))
        targets = {**truth, **{f"sigma_{k}": float(v) for k, v in noise.items()}}
        for name, value in targets.items():
            v = post.posterior[name].values.reshape(-1)
            lower, upper = np.quantile(v, [lo_q, hi_q])
            rows.append({"dataset": i, "quantity": name, "truth": value, "lower": float(lower),
                         "upper": float(upper), "covered": bool(lower <= value <= upper)})
    return pd.DataFrame(rows).set_index(["dataset", "quantity"])
