"""The outcome of a calibration: fitted parameters, uncertainty, fit statistics, report.

Standard errors come from the Jacobian of the normalised residuals at the optimum (central
differences in natural units): ``cov = redchi * inv(J'J)``, as lmfit does with
``scale_covar=True``. Information criteria follow lmfit: ``aic = n ln(chisqr/n) + 2p``,
``bic = n ln(chisqr/n) + ln(n) p``.

Examples
--------
>>> fit = sd.calibrate(model, observed, {"catch_up_rate": (0.01, 1)}, progress=False)
>>> print(fit.report())
[[Calibration]] nelson_phelps
...
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

from .parameters import Parameters

__all__ = ["CalibrationResult", "jacobian", "fit_dataset", "series_stats"]


@dataclass(eq=False)
class CalibrationResult:
    """Fitted parameters and how well they fit.

    Attributes
    ----------
    params : Parameters
        Fitted values with ``stderr`` and ``init_value`` set (held parameters included).
    method : str
    success : bool
        The optimiser's own verdict (False when interrupted).
    message : str
    nfev : int
        Model evaluations (runs), including Jacobians and polishing.
    ndata, nvarys : int
        Observed points used and parameters varied.
    chisqr, redchi, aic, bic : float
        Sum of squared normalised residuals, ``chisqr / (ndata - nvarys)``, information criteria.
    covariance, correlation : pandas.DataFrame or None
        Over the varying parameters; None when the Jacobian is singular or not computed.
    at_bound, unmoved : list of str
        Varying parameters ending within 1e-6 of a bound (relative to the bound width), or
        not moved from their start value.
    rmse, r2 : dict
        Per observed series, in the series' own units.
    fit : xarray.Dataset
        One variable per observed series with dims ``("source", "time", ...)``, ``source`` in
        ``["observed", "simulated"]``.
    engine : str
        ``"batch"`` when runs went through ``model.run_batch``, else ``"pysd"``.
    interrupted : bool
        True when Ctrl-C or the callback stopped the calibration; the result holds the best
        parameters found so far.
    intervals : dict
        ``{name: (low, high)}`` profile-likelihood intervals, filled by :meth:`profile`.
    """

    params: Parameters
    method: str
    success: bool
    message: str
    nfev: int
    ndata: int
    nvarys: int
    chisqr: float
    redchi: float
    aic: float
    bic: float
    covariance: pd.DataFrame | None
    correlation: pd.DataFrame | None
    at_bound: list[str]
    unmoved: list[str]
    rmse: dict[str, float]
    r2: dict[str, float]
    fit: xr.Dataset
    interrupted: bool = False
    engine: str = "pysd"
    model_name: str = ""
    seed: object = None
    elapsed: float = 0.0
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)
    residual: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)
    objective: object = field(default=None, repr=False, compare=False)

    @property
    def values(self) -> dict[str, float | None]:
        """``{name: fitted value}`` (None only for a held parameter given without a value)."""
        return {k: p.value for k, p in self.params.items()}

    @property
    def stderr(self) -> dict[str, float | None]:
        """``{name: standard error}`` (None for held parameters or a singular Jacobian)."""
        return {k: p.stderr for k, p in self.params.items()}

    def profile(self, names=None, *, level: float = 0.95, max_steps: int = 40):
        """Profile-likelihood intervals; stores and returns ``{name: (low, high)}``.

        See :func:`sdmodel.calibration.profile.profile_intervals`.
        """
        from .profile import profile_intervals

        self.intervals.update(profile_intervals(self, names, level=level, max_steps=max_steps))
        return {k: self.intervals[k] for k in (names or self.params.varying)}

    # -------------------------------------------------------------- display
    def report(self, *, min_correl: float = 0.1) -> str:
        """Text report in the style of lmfit's ``fit_report``."""
        lines = [f"[[Calibration]] {self.model_name}"]
        stat = [
            ("method", f"{self.method} (engine: {self.engine})"),
            ("# function evals", self.nfev),
            ("# data points", self.ndata),
            ("# variables", self.nvarys),
            ("chi-square", f"{self.chisqr:.6g}"),
            ("reduced chi-square", f"{self.redchi:.6g}"),
            ("Akaike info crit", f"{self.aic:.6g}"),
            ("Bayesian info crit", f"{self.bic:.6g}"),
            ("success", self.success),
            ("message", self.message),
        ]
        if self.interrupted:
            stat.append(("interrupted", "True (best parameters found so far)"))
        lines += [f"    {k:<19}= {v}" for k, v in stat]
        lines.append("[[Variables]]")
        width = max(len(k) for k in self.params) + 1
        for name, p in self.params.items():
            text = f"    {name + ':':<{width + 1}} {p.value:<12.6g}"
            if not p.vary:
                text += " (fixed)"
            elif p.stderr is not None and math.isfinite(p.stderr):
                rel = f" ({abs(p.stderr / p.value):.2%})" if p.value else ""
                text += f" +/- {p.stderr:<10.4g}{rel}"
            else:
                text += " +/- (not estimated)"
            if p.vary:
                text += f" (init = {p.init_value:.6g})"
            text += f" [{p.min:g}, {p.max:g}]"
            if p.units:
                text += f" {p.units}"
            flags = [f for f, names in (("AT BOUND", self.at_bound), ("UNMOVED", self.unmoved))
                     if name in names]
            if flags:
                text += "  <- " + ", ".join(flags)
            lines.append(text)
        if self.intervals:
            lines.append("[[Profile-likelihood intervals]]")
            for name, (lo, hi) in self.intervals.items():
                lines.append(f"    {name + ':':<{width + 1}} [{lo:.6g}, {hi:.6g}]")
        lines.append("[[Fit by series]]")
        for name in self.rmse:
            lines.append(f"    {name + ':':<{width + 1}} RMSE = {self.rmse[name]:.4g}, "
                         f"R^2 = {self.r2[name]:.4f}")
        if self.correlation is not None:
            pairs = _correlations(self.correlation, min_correl)
            if pairs:
                lines.append(f"[[Correlations]] (unreported correlations are < {min_correl:.3f})")
                lines += [f"    C({a}, {b}) = {c:+.4f}" for a, b, c in pairs]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()

    def _repr_html_(self) -> str:
        from .._repr import calibration_html

        return calibration_html(self)


def _correlations(corr: pd.DataFrame, min_correl: float) -> list[tuple[str, str, float]]:
    names = list(corr.index)
    pairs = [
        (a, b, float(corr.loc[a, b]))
        for i, a in enumerate(names)
        for b in names[i + 1:]
        if abs(corr.loc[a, b]) >= min_correl
    ]
    return sorted(pairs, key=lambda t: -abs(t[2]))


def jacobian(objective, x: np.ndarray, lower: np.ndarray, upper: np.ndarray):
    """Residuals at ``x`` and their Jacobian by central differences (one batch of 2p runs).

    A step that would leave the bounds becomes one-sided.
    """
    x = np.asarray(x, dtype=float)
    p = len(x)
    width = np.where(np.isfinite(upper - lower), upper - lower, 1.0)
    h = 1e-5 * np.maximum(np.abs(x), 1e-2 * width)
    h = np.maximum(h, 1e-10)
    up = np.minimum(x + h, upper)
    down = np.maximum(x - h, lower)
    X = np.vstack([x[None, :], np.tile(x, (p, 1)), np.tile(x, (p, 1))])
    X[1 + np.arange(p), np.arange(p)] = up
    X[1 + p + np.arange(p), np.arange(p)] = down
    R = objective.residuals_batch(X)
    r0 = R[0]
    J = (R[1:1 + p] - R[1 + p:]) / (up - down)[:, None]
    return r0, J.T


def covariance_from_jacobian(J: np.ndarray, redchi: float) -> np.ndarray | None:
    """``redchi * inv(J'J)``, or None when ``J'J`` is singular."""
    jtj = J.T @ J
    if not np.all(np.isfinite(jtj)):
        return None
    try:
        cond = np.linalg.cond(jtj)
    except np.linalg.LinAlgError:
        return None
    if not math.isfinite(cond) or cond > 1e14:
        return None
    return np.linalg.inv(jtj) * redchi


def series_stats(objective, ds: xr.Dataset) -> tuple[dict[str, float], dict[str, float]]:
    """Per-series RMSE and R² (unnormalised) of one simulation ``ds`` (from
    :meth:`Objective.simulate`)."""
    rmse, r2 = {}, {}
    for s in objective.series:
        sim = objective._at_observations(s, s.simulated(ds).expand_dims("run"))[0]
        obs = s.values
        ss_res = float(np.sum((sim - obs) ** 2))
        ss_tot = float(np.sum((obs - obs.mean()) ** 2))
        rmse[s.name] = math.sqrt(ss_res / len(obs))
        r2[s.name] = 1.0 - ss_res / ss_tot if ss_tot > 0 else float("nan")
    return rmse, r2


def fit_dataset(objective, ds: xr.Dataset) -> xr.Dataset:
    """Observed and simulated series side by side (dim ``source``) from one simulation."""
    out = {}
    for s in objective.series:
        sim = s.simulated(ds)
        if s.expr is not None:
            sim.attrs = {"long_name": s.var, "units": ""}
        times = np.union1d(sim["time"].values, s.data["time"].values)
        sim_u = sim.interp(time=times) if len(times) != sim.sizes["time"] else sim
        obs_u = s.data.reindex(time=times)
        extra = [d for d in s.data.dims if d != "time"]
        if extra:
            sim_u = sim_u.sel({d: s.data[d].values for d in extra})
        pair = xr.concat(
            [obs_u.transpose("time", *extra), sim_u.transpose("time", *extra)],
            dim=pd.Index(["observed", "simulated"], name="source"),
            coords="minimal", compat="override", join="outer",
        )
        pair.attrs = {**ds[s.needs[0]].attrs, **sim.attrs, "model_variable": s.var,
                      "scale": s.scale, "weight": s.weight}
        for key in ("long_name", "units"):  # the data's own description, when it has one
            if s.data.attrs.get(key):
                pair.attrs[key] = s.data.attrs[key]
        if s.index_time is not None:
            pair.attrs["units"] = f"index, {s.index_time:g} = 1"
        out[s.name] = pair.drop_vars([c for c in pair.coords if c not in pair.dims])
    fit = xr.Dataset(out)
    fit.attrs = {k: v for k, v in ds.attrs.items()}
    return fit
