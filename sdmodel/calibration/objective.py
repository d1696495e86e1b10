"""The residual function of a calibration: parameter sets -> model runs -> residuals.

Runs go through ``model.run_batch`` (one call per batch of parameter sets) when the model has
it and the calibration window allows, else through PySD runs (optionally in worker
processes). Residuals are those of :mod:`sdmodel.calibration.observed`.

Examples
--------
>>> series, t0, t1 = prepare_observed(model, observed, final_time=60)
>>> objective = Objective(model, series, ["catch_up_rate"], fixed={}, initial_time=0,
...                       final_time=60)
>>> objective.residuals_batch(np.array([[0.1], [0.2]])).shape
(2, 61)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from ..exceptions import CalibrationError, UnsupportedConstructError
from .observed import Series, prepare_observed

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from ..model import Model

__all__ = ["Series", "prepare_observed", "Objective", "StopCalibration", "PENALTY"]

#: Residual assigned to a simulated value that is NaN or infinite (a failed run).
PENALTY = 1e6


class StopCalibration(Exception):
    """Raised inside the objective when the callback asks the calibration to stop."""


class Objective:
    """Residuals of parameter sets against observed series, by batch.

    Parameters
    ----------
    model : sdmodel.Model
    series : list of Series
    names : list of str
        Python names of the varying parameters, in the order of the parameter vector.
    fixed : mapping
        Values of the parameters held fixed.
    initial_time, final_time : float
        The simulated window.
    engine : {"auto", "batch", "pysd"}
        ``"auto"`` uses ``model.run_batch`` when the model has it.
    callback : callable, optional
        ``callback(params: dict, chisqr: float, nfev: int)`` after each evaluation; a true
        return value stops the calibration (best result so far is returned).
    progress : tqdm progress bar or None
    """

    def __init__(
        self,
        model,
        series: list[Series],
        names: list[str],
        *,
        fixed: Mapping[str, float],
        initial_time: float,
        final_time: float,
        engine: str = "auto",
        callback: Callable | None = None,
        progress=None,
        workers: int = 1,
    ) -> None:
        if engine not in ("auto", "batch", "pysd"):
            raise CalibrationError(f"engine must be 'auto', 'batch' or 'pysd', got {engine!r}")
        settings = model.time_settings
        # run_batch without time keywords simulates the model's own window: usable when ours
        # lies inside it
        self._batch_time_kw = _accepts_time(getattr(model, "run_batch", None))
        fits_window = self._batch_time_kw or (
            abs(initial_time - settings.initial_time) <= 1e-9
            and final_time <= settings.final_time + 1e-9
        )
        if engine == "batch" and not hasattr(model, "run_batch"):
            raise CalibrationError(f"engine='batch' but model {model.name!r} has no run_batch")
        if engine == "batch" and not fits_window:
            raise CalibrationError(
                f"engine='batch' simulates the model's own window {settings.initial_time:g}-"
                f"{settings.final_time:g}; the calibration needs {initial_time:g}-"
                f"{final_time:g} (use engine='pysd' or change the model's time settings)"
            )
        self.model = model
        self.series = series
        self.names = list(names)
        self.fixed = dict(fixed)
        self.initial_time = initial_time
        self.final_time = final_time
        self.use_batch = engine == "batch" or (
            engine == "auto" and hasattr(model, "run_batch") and fits_window
        )
        self.engine = engine
        self.callback = callback
        self.progress = progress
        self.nfev = 0
        self.best_x: np.ndarray | None = None
        self.best_chisqr = math.inf
        self._index_cache: dict[tuple, tuple] = {}
        self.ndata = sum(s.n for s in series)
        self.return_vars = sorted({v for s in series for v in s.needs})
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def close(self) -> None:
        """Shut down the worker processes, if any."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    # -------------------------------------------------------------- evaluation
    def residuals(self, x: np.ndarray) -> np.ndarray:
        """Residual vector of one parameter vector (natural units)."""
        return self.residuals_batch(np.asarray(x, dtype=float)[None, :])[0]

    def chisqr(self, x: np.ndarray) -> float:
        r = self.residuals(x)
        return float(r @ r)

    def residuals_batch(self, X: np.ndarray) -> np.ndarray:
        """Residuals of ``k`` parameter vectors (rows of ``X``): array ``(k, ndata)``."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        sims = self._simulate(X)
        out = np.empty((X.shape[0], self.ndata))
        col = 0
        for s in self.series:
            sim = self._at_observations(s, s.simulated(sims))
            res = (sim - s.values) / s.scale * math.sqrt(s.weight)
            out[:, col : col + s.n] = res
            col += s.n
        bad = ~np.isfinite(out)
        if bad.any():
            out[bad] = PENALTY
        self._record(X, out)
        return out

    def simulate(self, x: np.ndarray) -> xr.Dataset:
        """One run at natural parameter vector ``x`` over the calibration window (dim
        ``time``), through the same engine as the calibration."""
        if self.use_batch:
            params = {k: np.array([v]) for k, v in self.param_dict(x).items()}
            extra = (
                {"initial_time": self.initial_time, "final_time": self.final_time}
                if self._batch_time_kw else {}
            )
            ds = self.model.run_batch(params, return_vars=self.return_vars, **extra)
            ds = ds[self.return_vars].isel(run=0, drop=True)
            ds = ds.drop_vars([c for c in ds.coords if c not in ds.dims])
            times = ds["time"].values
            keep = (times >= self.initial_time - 1e-9) & (times <= self.final_time + 1e-9)
            return ds.isel(time=np.flatnonzero(keep))
        return self.model.run(
            self.param_dict(x),
            initial_time=self.initial_time,
            final_time=self.final_time,
            return_vars=self.return_vars,
        )

    def param_dict(self, x: np.ndarray) -> dict[str, float]:
        out = dict(self.fixed)
        out.update({n: float(v) for n, v in zip(self.names, x)})
        return out

    def _simulate(self, X: np.ndarray) -> dict[str, xr.DataArray]:
        time_kw = {"initial_time": self.initial_time, "final_time": self.final_time}
        if self.use_batch:
            params = {n: np.full(X.shape[0], v) for n, v in self.fixed.items()}
            params.update({n: X[:, i].copy() for i, n in enumerate(self.names)})
            try:
                extra = time_kw if self._batch_time_kw else {}
                ds = self.model.run_batch(params, return_vars=self.return_vars, **extra)
            except UnsupportedConstructError:
                if self.engine == "batch":
                    raise
                self.use_batch = False  # the batch compiler refuses this model: use PySD
            else:
                return {v: ds[v].transpose("run", "time", ...) for v in self.return_vars}
        param_sets = [self.param_dict(x) for x in X]
        if self.workers > 1 and len(param_sets) > 1:
            runs = self._run_parallel(param_sets, time_kw)
        else:
            runs = [
                self.model.run(p, return_vars=self.return_vars, **time_kw) for p in param_sets
            ]
        return {
            v: xr.concat([r[v] for r in runs], dim="run").transpose("run", "time", ...)
            for v in self.return_vars
        }

    def _run_parallel(self, param_sets: list[dict], time_kw: dict) -> list[xr.Dataset]:
        if self._pool is None:
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(
                self.workers, initializer=_worker_init, initargs=(str(self.model.path),)
            )
        chunks = np.array_split(np.arange(len(param_sets)), min(self.workers, len(param_sets)))
        jobs = [
            self._pool.submit(_worker_runs, [param_sets[i] for i in c], self.return_vars, time_kw)
            for c in chunks
        ]
        return [ds for job in jobs for ds in job.result()]

    def _at_observations(self, s: Series, sim: xr.DataArray) -> np.ndarray:
        extra = [d for d in s.data.dims if d != "time"]
        if extra:
            sim = sim.sel({d: s.data[d].values for d in extra}).transpose("run", "time", *extra)
        i0, i1, w = self._time_index(s, sim["time"].values)
        arr = sim.values
        vals = arr[:, i0] * (1 - w.reshape((1, -1) + (1,) * (arr.ndim - 2)))
        vals = vals + arr[:, i1] * w.reshape((1, -1) + (1,) * (arr.ndim - 2))
        return vals.reshape(arr.shape[0], -1)[:, s.mask]

    def _time_index(self, s: Series, sim_times: np.ndarray):
        key = (s.name, len(sim_times), float(sim_times[0]), float(sim_times[-1]))
        cached = self._index_cache.get(key)
        if cached is not None:
            return cached
        obs_t = s.data["time"].values.astype(float)
        i1 = np.searchsorted(sim_times, obs_t - 1e-9).clip(0, len(sim_times) - 1)
        i0 = (i1 - 1).clip(0)
        exact = np.abs(sim_times[i1] - obs_t) <= 1e-9
        span = sim_times[i1] - sim_times[i0]
        with np.errstate(divide="ignore", invalid="ignore"):
            w = np.where(exact | (span == 0), 1.0, (obs_t - sim_times[i0]) / span)
        self._index_cache[key] = (i0, i1, w.clip(0, 1))
        return i0, i1, w.clip(0, 1)

    def _record(self, X: np.ndarray, R: np.ndarray) -> None:
        chis = np.einsum("ij,ij->i", R, R)
        for x, chi in zip(X, chis):
            self.nfev += 1
            if chi < self.best_chisqr:
                self.best_chisqr = float(chi)
                self.best_x = x.copy()
            if self.callback is not None and self.callback(
                self.param_dict(x), float(chi), self.nfev
            ):
                raise StopCalibration
        if self.progress is not None:
            self.progress.update(len(X))
            self.progress.set_postfix_str(f"best chi2={self.best_chisqr:.4g}", refresh=False)


def _accepts_time(run_batch) -> bool:
    """Whether ``run_batch`` takes ``initial_time`` and ``final_time`` keywords."""
    if run_batch is None:
        return False
    import inspect

    try:
        names = inspect.signature(run_batch).parameters
    except (TypeError, ValueError):
        return False
    return "initial_time" in names and "final_time" in names


_WORKER_MODEL: Model | None = None  # set in each worker process by _worker_init


def _worker_init(path: str) -> None:
    """Load the model once in each worker process."""
    global _WORKER_MODEL
    from ..loading import load

    _WORKER_MODEL = load(path)


def _worker_runs(param_sets: list[dict], return_vars: list[str], time_kw: dict):
    if _WORKER_MODEL is None:
        raise RuntimeError("_worker_runs runs only in a worker started with _worker_init")
    return [_WORKER_MODEL.run(p, return_vars=return_vars, **time_kw) for p in param_sets]
