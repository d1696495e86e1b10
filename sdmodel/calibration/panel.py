"""Pooled (panel) calibration: several units (countries) fitted at once.

Each unit has its own observed series and its own fixed constants (for example a country's
starting point from :func:`sdmodel.perez.country_parameters`). Constants are either *shared*
(one value for every unit) or *specific* (one value per unit). A specific constant may be
*pooled*: its unit values are drawn around a common mean ``mu`` with scale ``tau``, which adds
the residuals ``(theta_unit - mu) / tau`` to the sum of squares (a Gaussian random effect; the
fit is the posterior mode under a flat prior on ``mu``). ``tau`` is given, in the constant's
units: small values pull the units together, large ones leave them free.

The stacked residual vector is minimised with the same optimisers as :func:`sdmodel.calibrate`
(each unit's runs go through ``model.run_batch`` in one call per evaluation).

Examples
--------
>>> units = {c: PanelUnit(obs[c], fixed=sd.perez.country_parameters(c, 1990))
...          for c in ("CHL", "COL")}                                        # doctest: +SKIP
>>> fit = calibrate_panel(model, units, shared={"frontier_tfp_growth": (0.0, 0.03)},
...                       specific={"catch_up_rate": (0.01, 0.3)},
...                       pooling={"catch_up_rate": 0.05})                   # doctest: +SKIP
>>> print(fit.report())                                                      # doctest: +SKIP
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..exceptions import CalibrationError
from .backends import GLOBAL, Space, canonical_method, run_method
from .objective import Objective
from .observed import prepare_observed
from .parameters import Parameters, as_parameters
from .benchmarks import mean_path, rmse
from .result import covariance_from_jacobian, jacobian, series_stats

__all__ = ["PanelUnit", "PanelResult", "calibrate_panel", "leave_one_out"]


@dataclass
class PanelUnit:
    """One unit of a panel: its observed series and the constants it holds fixed.

    Parameters
    ----------
    observed
        As for :func:`sdmodel.calibrate` (a Dataset, DataFrame or mapping of series).
    fixed : mapping
        Constants set for this unit only (its starting point).
    initial_time, final_time : float, optional
        The unit's simulated window (default: the model's start to the last observation).
    """

    observed: object
    fixed: Mapping[str, float] = field(default_factory=dict)
    initial_time: float | None = None
    final_time: float | None = None


class _PanelObjective:
    """Stacked residuals of every unit, plus the pooling residuals (duck-types Objective)."""

    def __init__(self, units: dict[str, Objective], shared: list[str], specific: list[str],
                 pooling: Mapping[str, float]) -> None:
        self.units = units
        self.shared = shared
        self.specific = specific
        self.pooled = [n for n in specific if n in pooling]
        self.tau = np.array([float(pooling[n]) for n in self.pooled])
        self.codes = list(units)
        self.nfev = 0
        self.best_x: np.ndarray | None = None
        self.best_chisqr = math.inf

    # flat vector: shared | specific per unit (unit-major) | means of pooled
    def names(self) -> list[str]:
        out = list(self.shared)
        out += [f"{n}[{c}]" for c in self.codes for n in self.specific]
        out += [f"{n}[mean]" for n in self.pooled]
        return out

    def unit_block(self, X: np.ndarray, i: int) -> np.ndarray:
        s, k = len(self.shared), len(self.specific)
        return np.hstack([X[:, :s], X[:, s + i * k : s + (i + 1) * k]])

    def residuals_batch(self, X: np.ndarray) -> np.ndarray:
        X = np.atleast_2d(np.asarray(X, dtype=float))
        parts = [obj.residuals_batch(self.unit_block(X, i)) for i, obj in enumerate(self.units.values())]
        if self.pooled:
            s, k = len(self.shared), len(self.specific)
            mu = X[:, s + len(self.codes) * k :]
            for i in range(len(self.codes)):
                block = X[:, s + i * k : s + (i + 1) * k]
                theta = block[:, [self.specific.index(n) for n in self.pooled]]
                parts.append((theta - mu) / self.tau)
        R = np.hstack(parts)
        chi = np.einsum("ij,ij->i", R, R)
        self.nfev += X.shape[0]
        j = int(np.argmin(chi))
        if chi[j] < self.best_chisqr:
            self.best_chisqr, self.best_x = float(chi[j]), X[j].copy()
        return R

    def residuals(self, x: np.ndarray) -> np.ndarray:
        return self.residuals_batch(np.asarray(x, dtype=float)[None, :])[0]

    def chisqr(self, x: np.ndarray) -> float:
        r = self.residuals(x)
        return float(r @ r)


@dataclass
class PanelResult:
    """Result of :func:`calibrate_panel`.

    Attributes
    ----------
    shared : dict
        Shared constants' estimates.
    specific : dict
        ``{unit: {constant: estimate}}``.
    means : dict
        Estimated means of the pooled constants.
    values : dict
        Every estimate under its flat name (``name``, ``name[unit]``, ``name[mean]``).
    stderr : dict
        Standard errors from the Jacobian at the optimum (None where it is singular).
    correlations : DataFrame or None
    at_bounds : list of str
        Flat names of estimates within 0.1 % of the bound width of a bound.
    unit_stats : dict
        ``{unit: {"r2": {series: R2}, "rmse": {series: RMSE}}}`` of the fitted runs.
    """

    shared: dict[str, float]
    specific: dict[str, dict[str, float]]
    means: dict[str, float]
    values: dict[str, float]
    stderr: dict[str, float | None]
    correlations: pd.DataFrame | None
    at_bounds: list[str]
    unit_stats: dict[str, dict[str, dict[str, float]]]
    chisqr: float
    ndata: int
    nfev: int
    method: str
    success: bool
    message: str
    elapsed: float

    def report(self, *, min_correl: float = 0.5) -> str:
        """lmfit-style text report: fit statistics, estimates with errors, bounds, correlations
        and each unit's per-series R²."""
        lines = [
            "[[Panel fit statistics]]",
            f"    # units            = {len(self.specific) or len(self.unit_stats)}",
            f"    # fitting method   = {self.method}",
            f"    # function evals   = {self.nfev}",
            f"    # data points      = {self.ndata}",
            f"    # variables        = {len(self.values)}",
            f"    chi-square         = {self.chisqr:.6g}",
            f"    success            = {self.success} ({self.message})",
            "[[Estimates]]",
        ]
        for name, v in self.values.items():
            se = self.stderr.get(name)
            err = f" +/- {se:.3g}" if se is not None and math.isfinite(se) else " +/- (not estimated)"
            flag = "  (at bound)" if name in self.at_bounds else ""
            lines.append(f"    {name:<34} = {v:.6g}{err}{flag}")
        if self.correlations is not None:
            pairs = [(a, b, float(self.correlations.loc[a, b]))
                     for i, a in enumerate(self.correlations.index)
                     for b in self.correlations.index[i + 1:]
                     if abs(self.correlations.loc[a, b]) >= min_correl]
            if pairs:
                lines.append(f"[[Correlations]] (|corr| >= {min_correl})")
                lines += [f"    C({a}, {b}) = {c:+.3f}" for a, b, c in sorted(pairs, key=lambda t: -abs(t[2]))]
        lines.append("[[Units]] R2 by series")
        for unit, st in self.unit_stats.items():
            r2 = ", ".join(f"{k} {v:.3f}" for k, v in st["r2"].items())
            lines.append(f"    {unit:<8} {r2}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()


def calibrate_panel(
    model,
    units: Mapping[str, PanelUnit],
    *,
    shared: object = None,
    specific: object = None,
    pooling: Mapping[str, float] | None = None,
    method: str = "least_squares",
    seed: int | None = None,
    options: Mapping[str, object] | None = None,
    mapping: Mapping[str, str] | None = None,
    index: Mapping[str, float] | None = None,
    weights: Mapping[str, float] | None = None,
    normalize: str | None = "std",
    engine: str = "auto",
) -> PanelResult:
    """Fit shared and unit-specific constants to several units' data at once.

    Parameters
    ----------
    model : sdmodel.Model
    units : mapping
        ``{unit name: PanelUnit}``, at least two.
    shared, specific : Parameters or mapping, optional
        Constants with one value for all units / one per unit, in any form
        :func:`sdmodel.create_params` takes (``{name: (min, max)}``, ...). At least one in all.
    pooling : mapping, optional
        ``{specific constant: tau}``: pool those units' values around a common estimated mean
        with scale ``tau`` (> 0, the constant's units).
    method, seed, options
        As for :func:`sdmodel.calibrate`.
    mapping, index, weights, normalize
        As for :func:`sdmodel.calibrate`, applied to every unit.
    engine : {"auto", "batch", "pysd"}

    Returns
    -------
    PanelResult

    Raises
    ------
    CalibrationError
        Fewer than two units, a constant both shared and specific (or fixed by a unit), a
        pooled constant that is not specific, a non-positive ``tau``, too few observations.
    """
    started = time.perf_counter()
    method = canonical_method(method)
    sh = as_parameters(shared or {}).check_against(model) if shared else Parameters()
    sp = as_parameters(specific or {}).check_against(model) if specific else Parameters()
    pooling = dict(pooling or {})
    _check_panel(units, sh, sp, pooling)
    shared_names, specific_names = sh.varying, sp.varying
    objectives: dict[str, Objective] = {}
    for code, unit in units.items():
        series, t0, t1 = prepare_observed(
            model, unit.observed, mapping=mapping, weights=weights, normalize=normalize,
            initial_time=unit.initial_time, final_time=unit.final_time, index=index,
        )
        fixed = {**{n: float(p.value) for n, p in {**sh, **sp}.items()
                    if not p.vary and p.value is not None},
                 **{k: float(v) for k, v in unit.fixed.items()}}
        objectives[code] = Objective(model, series, shared_names + specific_names, fixed=fixed,
                                     initial_time=t0, final_time=t1, engine=engine)
    panel = _PanelObjective(objectives, shared_names, specific_names, pooling)
    names = panel.names()
    lower = ([sh[n].min for n in shared_names] + [sp[n].min for _ in units for n in specific_names]
             + [sp[n].min for n in panel.pooled])
    upper = ([sh[n].max for n in shared_names] + [sp[n].max for _ in units for n in specific_names]
             + [sp[n].max for n in panel.pooled])
    x0 = np.array([sh[n].value for n in shared_names] + [sp[n].value for _ in units for n in specific_names]
                  + [sp[n].value for n in panel.pooled], dtype=float)
    ndata = sum(o.ndata for o in objectives.values()) + len(panel.pooled) * len(units)
    if ndata <= len(names):
        raise CalibrationError(f"{ndata} observations for {len(names)} estimates; expected more observations")
    space = Space.build(names, lower, upper, None)
    outcome = run_method(method, space, panel, space.to_internal(x0), seed=seed, options=dict(options or {}))
    u = outcome.u
    message = outcome.message
    if method in GLOBAL:
        refined = run_method("least_squares", space, panel, u, seed=None, options={})
        u, message = refined.u, message + f"; polished with least_squares ({refined.message})"
    x = space.to_natural(u)
    return _result(panel, model, names, x, np.array(lower, float), np.array(upper, float),
                   method=method, success=outcome.success, message=message, ndata=ndata,
                   started=started)


def _check_panel(units, sh: Parameters, sp: Parameters, pooling: Mapping[str, float]) -> None:
    if not isinstance(units, Mapping) or len(units) < 2:
        raise CalibrationError(f"a panel needs at least two units, got {len(units) if isinstance(units, Mapping) else units!r}")
    for code, unit in units.items():
        if not isinstance(unit, PanelUnit):
            raise CalibrationError(f"unit {code!r} must be a PanelUnit, got {type(unit).__name__}")
        clash = sorted(set(unit.fixed) & (set(sh.varying) | set(sp.varying)))
        if clash:
            raise CalibrationError(f"unit {code!r} fixes {clash}, which the panel also fits")
    both = sorted(set(sh) & set(sp))
    if both:
        raise CalibrationError(f"constants {both} are both shared and specific; expected one of the two")
    if not sh.varying and not sp.varying:
        raise CalibrationError("no constant varies; expected at least one shared or specific constant")
    for name, tau in pooling.items():
        if name not in sp.varying:
            raise CalibrationError(f"pooled constant {name!r} is not a varying specific constant {sp.varying}")
        if isinstance(tau, bool) or not isinstance(tau, (int, float)) or not math.isfinite(tau) or tau <= 0:
            raise CalibrationError(f"pooling scale of {name!r} must be a finite number > 0, got {tau!r}")


def _result(panel: _PanelObjective, model, names, x, lower, upper, *, method, success, message,
            ndata, started) -> PanelResult:
    r0, J = jacobian(panel, x, lower, upper)
    chisqr = float(r0 @ r0)
    dof = max(ndata - len(names), 1)
    cov = covariance_from_jacobian(J, chisqr / dof)
    if cov is not None:
        se = np.sqrt(np.clip(np.diag(cov), 0, None))
        stderr: dict[str, float | None] = dict(zip(names, map(float, se)))
        with np.errstate(invalid="ignore", divide="ignore"):
            corr = cov / np.outer(se, se)
        correlations = pd.DataFrame(corr, index=names, columns=names)
    else:
        stderr, correlations = dict.fromkeys(names), None
    width = np.where(np.isfinite(upper - lower), upper - lower, np.inf)
    at_bounds = [n for n, v, lo, hi, w in zip(names, x, lower, upper, width)
                 if math.isfinite(w) and (v - lo <= 1e-3 * w or hi - v <= 1e-3 * w)]
    values = dict(zip(names, map(float, x)))
    s = len(panel.shared)
    unit_stats = {}
    for i, (code, obj) in enumerate(panel.units.items()):
        xi = panel.unit_block(x[None, :], i)[0]
        rmse, r2 = series_stats(obj, obj.simulate(xi))
        unit_stats[code] = {"r2": r2, "rmse": rmse}
    k = len(panel.specific)
    return PanelResult(
        shared={n: values[n] for n in panel.shared},
        specific={c: dict(zip(panel.specific, map(float, x[s + i * k : s + (i + 1) * k])))
                  for i, c in enumerate(panel.codes)},
        means={n: values[f"{n}[mean]"] for n in panel.pooled},
        values=values, stderr=stderr, correlations=correlations, at_bounds=at_bounds,
        unit_stats=unit_stats, chisqr=chisqr, ndata=ndata, nfev=panel.nfev, method=method,
        success=success, message=message, elapsed=time.perf_counter() - started,
    )


def leave_one_out(model, units: Mapping[str, PanelUnit], **panel_kw) -> pd.DataFrame:
    """Predict each unit from a panel fitted to the others, against the mean-path benchmark.

    For every unit, the panel is fitted without it (same keywords as :func:`calibrate_panel`);
    the left-out unit is then run with the shared estimates and, for its specific constants,
    the pooled mean (or the average of the other units' estimates when not pooled), its own
    fixed constants kept. The benchmark predicts it by the average observed path of the
    others (:func:`sdmodel.calibration.benchmarks.mean_path`), on the same compared quantity.

    Parameters
    ----------
    model : sdmodel.Model
    units : mapping
        At least three units.
    **panel_kw
        ``shared``, ``specific``, ``pooling``, ``method``, ... as for :func:`calibrate_panel`.

    Returns
    -------
    pandas.DataFrame
        One row per (unit, series): ``rmse_model``, ``rmse_mean_path``, ``n`` and
        ``beats_benchmark`` (model RMSE <= benchmark RMSE).

    Examples
    --------
    >>> leave_one_out(model, units, shared={"frontier_growth_rate": (0, 0.05)},
    ...               specific={"catch_up_rate": (0.01, 0.5)})              # doctest: +SKIP
    """
    if len(units) < 3:
        raise CalibrationError(f"leave-one-out needs at least three units, got {len(units)}")
    rows = []
    for code in units:
        others = {c: u for c, u in units.items() if c != code}
        fit = calibrate_panel(model, others, **panel_kw)
        specific = {n: fit.means.get(n, float(np.mean([v[n] for v in fit.specific.values()])))
                    for n in next(iter(fit.specific.values()), {})}
        names = list(fit.shared) + list(specific)
        x = np.array([*fit.shared.values(), *specific.values()], dtype=float)
        target = _unit_objective(model, code, units[code], names, panel_kw)
        r = target.residuals(x)
        col = 0
        for s in target.series:
            sim = s.values + r[col : col + s.n] * s.scale / math.sqrt(s.weight)
            col += s.n
            bench = mean_path([_observed_like(model, s, units[c], panel_kw) for c in others])
            ok = np.isfinite(bench)
            rows.append({
                "unit": code, "series": s.name, "n": int(s.n),
                "rmse_model": rmse(s.values, sim),
                "rmse_mean_path": rmse(s.values[ok], bench[ok]) if ok.any() else math.nan,
            })
    out = pd.DataFrame(rows).set_index(["unit", "series"])
    out["beats_benchmark"] = out["rmse_model"] <= out["rmse_mean_path"]
    return out


def _unit_objective(model, code, unit: PanelUnit, names, panel_kw) -> Objective:
    series, t0, t1 = prepare_observed(
        model, unit.observed, mapping=panel_kw.get("mapping"), weights=panel_kw.get("weights"),
        normalize=panel_kw.get("normalize", "std"), initial_time=unit.initial_time,
        final_time=unit.final_time, index=panel_kw.get("index"),
    )
    return Objective(model, series, names, fixed=dict(unit.fixed), initial_time=t0,
                     final_time=t1, engine=panel_kw.get("engine", "auto"))


def _observed_like(model, target_series, unit: PanelUnit, panel_kw) -> np.ndarray:
    """Another unit's observed values of the same series at the target's observation times
    (NaN where it has none)."""
    series, _, _ = prepare_observed(
        model, unit.observed, mapping=panel_kw.get("mapping"), normalize=None,
        initial_time=unit.initial_time, final_time=unit.final_time, index=panel_kw.get("index"),
    )
    match = [s for s in series if s.name == target_series.name]
    times = target_series.times
    if not match:
        return np.full(times.size, np.nan)
    other = match[0].data
    return np.array([float(other.sel(time=t).values) if t in other["time"].values else np.nan
                     for t in times])
