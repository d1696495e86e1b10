"""``sd.calibrate``: fit model constants to observed series with scipy optimisers.

Examples
--------
>>> import sdmodel as sd
>>> model = sd.load("models/validation/nelson_phelps.mdl")
>>> fit = sd.calibrate(model, observed, {"catch_up_rate": (0.01, 1.0)}, seed=1, progress=False)
>>> print(fit.report())
[[Calibration]] nelson_phelps
...
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from numbers import Integral

import numpy as np
import pandas as pd
import xarray as xr

from .._progress import bar as progress_bar

from ..exceptions import CalibrationError, ParameterError, SDModelError
from .backends import GLOBAL, Space, canonical_method, polish as _polish, run_method
from .objective import Objective, StopCalibration, prepare_observed
from .parameters import Parameter, Parameters, as_parameters
from .result import (
    CalibrationResult,
    covariance_from_jacobian,
    fit_dataset,
    jacobian,
    series_stats,
)

__all__ = ["calibrate"]


def calibrate(
    model,
    observed,
    params,
    *,
    method: str = "least_squares",
    weights: Mapping[str, float] | None = None,
    normalize: str | None = "std",
    transform: str | Mapping[str, str] | None = None,
    seed: int | None = None,
    multistart: int = 1,
    callback: Callable | None = None,
    workers: int = 1,
    mapping: Mapping[str, str] | None = None,
    index: Mapping[str, float] | None = None,
    initial_time: float | None = None,
    final_time: float | None = None,
    options: Mapping[str, object] | None = None,
    polish: bool = True,
    engine: str = "auto",
    progress: bool = False,
    profile: bool = False,
    held: Mapping[str, float] | None = None,
) -> CalibrationResult:
    """Fit model constants to observed series.

    Parameters
    ----------
    model : sdmodel.Model
    observed : xarray.Dataset, DataArray, pandas DataFrame (wide or tidy) or mapping of Series
        Observed series named after model variables (or matched through ``mapping``), with a
        ``time`` or ``year`` coordinate in the model's time unit. NaNs are ignored.
    params : Parameters or mapping
        The constants to fit: ``{name: (min, max)}``, ``{name: (value, min, max)}``,
        ``{name: dict(value=, min=, max=, vary=)}``, numbers (start values) or
        :class:`Parameters`. Start values default to the model's defaults.
    method : str
        ``"least_squares"`` (trust-region reflective), ``"minimize"``/``"L-BFGS-B"``,
        ``"Nelder-Mead"``, ``"Powell"``, ``"differential_evolution"`` (populations evaluated
        together, through ``model.run_batch`` when the model has it) or ``"dual_annealing"``.
    weights : mapping, optional
        ``{series: weight}`` multiplying each series' share of the sum of squares.
    normalize : {"std", "mean", None}
        Divide each series' residuals by its standard deviation (default), mean magnitude,
        or nothing.
    transform : {None, "log"} or mapping
        Search in log space (all varying parameters, or those mapped to ``"log"``).
    seed : int, optional
        Seeds the stochastic methods and the multistart draws; equal seeds give identical
        results.
    multistart : int
        Run the optimiser from this many starts (the given start, then uniform draws within
        the bounds) and keep the best.
    callback : callable, optional
        ``callback(params, chisqr, nfev)`` after every model evaluation; return True to stop
        (the best result so far is returned, marked ``interrupted``).
    workers : int
        Processes for evaluating populations and Jacobians with PySD (each loads the model
        file itself); 1 runs in this process. Unused when runs go through ``run_batch``,
        which evaluates a whole population in one vectorized call.
    mapping : mapping, optional
        ``{data series name: model variable}`` where names differ. A target may be an
        expression of model variables, e.g. ``"100 * resource_rents / gdp"``.
    index : mapping, optional
        ``{data series name: base time}``: fit the series as an index, observed and simulated
        each divided by their own value at the base time (levels in different units).
    initial_time, final_time : float, optional
        Simulated window (default: the model's initial time to the last observation).
    options : mapping, optional
        Passed to the scipy function (``max_nfev``; ``maxiter``, ``popsize``, ``tol``; ...).
    polish : bool
        Refine global methods' best point with least squares.
    engine : {"auto", "batch", "pysd"}
        Where runs go; ``"auto"`` prefers ``model.run_batch``.
    progress : bool, optional
        Show a progress bar of the model runs on stderr (default: none, nothing printed).
    profile : bool
        Also compute 95 % profile-likelihood intervals.
    held : mapping, optional
        ``{constant: value}`` held in every run and not checked against the constant's
        documented range (data, such as a country's starting point from
        :func:`sdmodel.perez.country.country_parameters`); a constant also in ``params`` is
        taken from ``params``. Held values appear in the result's ``params`` with
        ``vary=False``.

    Returns
    -------
    CalibrationResult

    Raises
    ------
    ParameterError
        A parameter that is not a scalar constant of the model.
    CalibrationError
        Inverted bounds, a start value outside its bounds, bounds beyond the model's documented
        limits, an unknown method or option, a series matching no model variable.
    DataError
        An all-NaN observed series or one that does not overlap the simulated window.

    Examples
    --------
    >>> fit = sd.calibrate(model, observed, {"catch_up_rate": (0.01, 1.0)},
    ...                    method="differential_evolution", seed=1, progress=False)
    >>> round(fit.values["catch_up_rate"], 2)
    0.08
    """
    started = time.perf_counter()
    method = canonical_method(method)
    _check_keywords(seed=seed, options=options, polish=polish, profile=profile)
    pars = _with_held(as_parameters(params).check_against(model), model, held)
    series, t0, t1 = prepare_observed(
        model, observed, mapping=mapping, weights=weights, normalize=normalize,
        initial_time=initial_time, final_time=final_time, index=index,
    )
    names = pars.varying
    if not names:
        raise CalibrationError("no parameter varies; expected at least one with vary=True")
    ndata = sum(s.n for s in series)
    if ndata <= len(names):
        raise CalibrationError(
            f"{ndata} observations for {len(names)} varying parameters; expected more "
            "observations than parameters"
        )
    if isinstance(multistart, bool) or not isinstance(multistart, Integral) or multistart < 1:
        raise CalibrationError(f"multistart must be an integer >= 1, got {multistart!r}")
    if isinstance(workers, bool) or not isinstance(workers, Integral) or workers < 1:
        raise CalibrationError(f"workers must be an integer >= 1, got {workers!r}")
    if callback is not None and not callable(callback):
        raise CalibrationError(f"callback must be callable, got {callback!r}")
    space = Space.build(
        names, [pars[n].min for n in names], [pars[n].max for n in names], transform
    )
    if multistart > 1 and not space.finite():
        raise CalibrationError("multistart > 1 needs finite bounds for every varying parameter")
    x0 = np.array([pars[n].value for n in names], dtype=float)
    fixed = {n: float(p.value) for n, p in pars.items() if not p.vary}

    bar = progress_bar(progress=progress, desc=f"calibrate {model.name}", unit="run")
    objective = Objective(
        model, series, names, fixed=fixed, initial_time=t0, final_time=t1, engine=engine,
        callback=callback, progress=bar, workers=int(workers),
    )
    rng = np.random.default_rng(seed)
    lo, hi = space.bounds
    starts = [space.to_internal(x0)] + [rng.uniform(lo, hi) for _ in range(multistart - 1)]
    seeds = [seed] + [int(rng.integers(2**32)) for _ in range(multistart - 1)]
    best: tuple[float, bool, str] | None = None
    interrupted, stop_note = False, ""
    try:
        for u0, start_seed in zip(starts, seeds):
            try:
                outcome = run_method(method, space, objective, u0, seed=start_seed,
                                     options=dict(options or {}))
            except (TypeError, ValueError) as err:
                if isinstance(err, SDModelError):
                    raise
                raise CalibrationError(
                    f"method {method!r} refused the options {dict(options or {})!r}: "
                    f"{type(err).__name__}: {err}"
                ) from err
            message, u_end = outcome.message, outcome.u
            if method in GLOBAL and polish:
                refined = _polish(space, objective, outcome.u)
                message += f"; polished with least_squares ({refined.message})"
                u_end = refined.u
            chi = objective.chisqr(space.to_natural(u_end)) if multistart > 1 else 0.0
            if best is None or chi < best[0]:
                best = (chi, outcome.success, message)
    except KeyboardInterrupt:
        interrupted, stop_note = True, "interrupted (KeyboardInterrupt)"
    except StopCalibration:
        interrupted, stop_note = True, "stopped by the callback"
    finally:
        bar.close()
        objective.callback = None
        objective.progress = None
        objective.close()
    if objective.best_x is None:
        raise CalibrationError("the calibration was stopped before any model run finished")
    x = objective.best_x.copy()
    if interrupted:
        success = False
        message = f"{stop_note} after {objective.nfev} runs; best parameters so far"
        if best is not None:
            message += f" (completed starts: {best[2]})"
    else:
        success, message = best[1], best[2]
        if multistart > 1:
            message = f"best of {multistart} starts: {message}"
    try:
        return _build_result(
            model, objective, pars, names, x, method=method, success=success,
            message=message, interrupted=interrupted, seed=seed, started=started,
            profile=profile,
        )
    finally:
        objective.close()  # the statistics' runs may have started workers again


def _build_result(model, objective, pars: Parameters, names, x, *, method, success, message,
                  interrupted, seed, started, profile) -> CalibrationResult:
    lower = np.array([pars[n].min for n in names])
    upper = np.array([pars[n].max for n in names])
    p = len(names)
    cov = None
    if interrupted:
        r0 = objective.residuals(x)
    else:
        r0, J = jacobian(objective, x, lower, upper)
    chisqr = float(r0 @ r0)
    n = objective.ndata
    redchi = chisqr / (n - p)
    if not interrupted:
        cov = covariance_from_jacobian(J, redchi)
    stderr = np.sqrt(np.diag(cov)) if cov is not None else np.full(p, np.nan)
    fitted = Parameters()
    for name, par in pars.items():
        if par.vary:
            i = names.index(name)
            se = float(stderr[i]) if np.isfinite(stderr[i]) else None
            fitted[name] = replace(par, value=float(x[i]), stderr=se, init_value=par.value)
        else:
            fitted[name] = replace(par, init_value=par.value)
    width = np.where(np.isfinite(upper - lower), upper - lower, np.maximum(np.abs(x), 1.0))
    at_bound = [nm for i, nm in enumerate(names)
                if min(abs(x[i] - lower[i]), abs(upper[i] - x[i])) <= 1e-6 * width[i]]
    start = np.array([pars[nm].value for nm in names], dtype=float)
    unmoved = [nm for i, nm in enumerate(names)
               if abs(x[i] - start[i]) <= 1e-8 * max(abs(start[i]), 1e-12)]
    covariance = correlation = None
    if cov is not None:
        covariance = pd.DataFrame(cov, index=names, columns=names)
        d = np.sqrt(np.diag(cov))
        correlation = pd.DataFrame(cov / np.outer(d, d), index=names, columns=names)
    best_run = objective.simulate(x)
    rmse, r2 = series_stats(objective, best_run)
    fit = fit_dataset(objective, best_run)
    safe = max(chisqr, 1e-300) / n
    result = CalibrationResult(
        params=fitted, method=method, success=success, message=message,
        nfev=objective.nfev, ndata=n, nvarys=p, chisqr=chisqr, redchi=redchi,
        aic=n * math.log(safe) + 2 * p, bic=n * math.log(safe) + math.log(n) * p,
        covariance=covariance, correlation=correlation, at_bound=at_bound, unmoved=unmoved,
        rmse=rmse, r2=r2, fit=fit, interrupted=interrupted, model_name=model.name, seed=seed,
        engine="batch" if objective.use_batch else "pysd",
        elapsed=time.perf_counter() - started, residual=r0, objective=objective,
    )
    if profile and not interrupted:
        result.profile()
    return result


def _with_held(pars: Parameters, model, held: Mapping[str, float] | None) -> Parameters:
    """``pars`` plus the ``held`` constants not in it, as fixed parameters (any finite value)."""
    if held is None:
        return pars
    if not isinstance(held, Mapping):
        raise CalibrationError(f"held must be a mapping {{constant: value}}, got {held!r}")
    held_pars = Parameters()
    for name, value in held.items():
        held_pars[name] = Parameter(name, value, vary=False)
    checked = Parameters()
    constants = model.params
    for name, par in held_pars.items():
        py = model.resolve(name, what="parameter")
        if py not in constants or isinstance(constants[py], xr.DataArray):
            raise ParameterError(
                f"held constant {name!r} is not a scalar constant of model {model.name!r}")
        if py not in pars:
            checked[py] = replace(par, name=py, units=str(model.units.get(py, "")))
    out = Parameters()
    for name, par in [*pars.items(), *checked.items()]:
        out[name] = par
    return out


def _check_keywords(*, seed, options, polish, profile=False) -> None:
    """Refuse keyword values of the wrong type before any model run."""
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0):
        raise CalibrationError(f"seed must be None or a non-negative integer, got {seed!r}")
    if options is not None and (not isinstance(options, Mapping)
                                or not all(isinstance(k, str) for k in options)):
        raise CalibrationError(
            f"options must be a mapping of option names to values, got {options!r}")
    if not isinstance(polish, (bool, np.bool_)):
        raise CalibrationError(f"polish must be True or False, got {polish!r}")
    if not isinstance(profile, (bool, np.bool_)):
        raise CalibrationError(f"profile must be True or False, got {profile!r}")
