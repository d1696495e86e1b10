"""Profile-likelihood intervals for calibrated parameters.

For each parameter the others are re-fitted (least squares) while it is held at values
stepping away from the optimum; the interval ends where the chi-square has risen by
``chi2.ppf(level, 1) * redchi`` (the residual variance is estimated from the fit, as for the
Jacobian standard errors). An end that reaches a bound first is the bound itself.

Examples
--------
>>> low, high = fit.profile(["catch_up_rate"])["catch_up_rate"]
>>> bool(low < fit.values["catch_up_rate"] < high)
True
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, stats

from ..exceptions import CalibrationError

__all__ = ["profile_intervals"]


def profile_intervals(result, names=None, *, level: float = 0.95, max_steps: int = 40):
    """``{name: (low, high)}`` profile-likelihood intervals of a :class:`CalibrationResult`."""
    objective = result.objective
    if objective is None:
        raise CalibrationError("this result holds no objective to profile")
    if not 0 < level < 1:
        raise CalibrationError(f"level must be between 0 and 1, got {level!r}")
    varying = [n for n in objective.names]
    names = list(names) if names is not None else varying
    for n in names:
        if n not in varying:
            raise CalibrationError(f"cannot profile {n!r}: it is not a varying parameter "
                                   f"(varying: {varying})")
    x_best = np.array([result.params[n].value for n in varying])
    lower = np.array([result.params[n].min for n in varying])
    upper = np.array([result.params[n].max for n in varying])
    delta = stats.chi2.ppf(level, 1) * result.redchi
    target = result.chisqr + delta
    out = {}
    for name in names:
        j = varying.index(name)
        se = result.params[name].stderr
        step = se if se and math.isfinite(se) else 0.05 * max(abs(x_best[j]), 1e-3)
        ends = []
        for sign in (-1.0, 1.0):
            ends.append(_walk(objective, x_best, j, sign * step, lower, upper, target,
                              max_steps))
        out[name] = (float(ends[0]), float(ends[1]))
    return out


def _walk(objective, x_best, j, step, lower, upper, target, max_steps):
    others = [i for i in range(len(x_best)) if i != j]
    x_prev = x_best[j]
    x_cur = x_best.copy()
    for _ in range(max_steps):
        v = float(np.clip(x_prev + step, lower[j], upper[j]))
        x_cur[j] = v
        chi = _refit(objective, x_cur, others, lower, upper)
        if chi >= target:
            return _crossing(objective, x_cur, j, others, x_prev, v, lower, upper, target)
        if v in (lower[j], upper[j]):
            return v
        x_prev = v
        step *= 1.5
    return x_prev


def _crossing(objective, x, j, others, a, b, lower, upper, target) -> float:
    """Where the profile chi-square crosses ``target`` between ``a`` and ``b`` (Brent)."""

    def excess(v):
        y = x.copy()
        y[j] = v
        return _refit(objective, y, others, lower, upper) - target

    tol = 1e-6 * max(abs(a), abs(b), 1e-12)
    return optimize.brentq(excess, a, b, xtol=tol) if excess(a) < 0 else a


def _refit(objective, x, others, lower, upper) -> float:
    """Minimise over the parameters ``others`` with ``x[j]`` held; updates ``x`` in place."""
    if not others:
        r = objective.residuals(x)
        return float(r @ r)

    def fun(v):
        y = x.copy()
        y[others] = v
        return objective.residuals(y)

    start = np.clip(x[others], lower[others], upper[others])
    res = optimize.least_squares(fun, start, bounds=(lower[others], upper[others]),
                                 x_scale="jac")
    x[others] = res.x
    return float(res.fun @ res.fun)
