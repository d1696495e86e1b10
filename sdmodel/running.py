"""The one run path: parameter and time-setting checks, the engine, and the PySD run state.

:meth:`sdmodel.Model.run`, :meth:`sdmodel.Model.run_batch` and :func:`sdmodel.run_scenarios`
all come here. A run's parameters are checked by :func:`prepare_params` (names resolved, values
typed and shaped), its time settings by :func:`check_time` and its parameters again by the
model's registered constraints (:mod:`sdmodel.constraints`); then :func:`run` simulates once with
PySD and :func:`run_batch` many times with the batch engine (:mod:`sdmodel.batch`, backend
``"auto"``, ``"fused"`` or ``"numpy"``).

Runs never change the model: :class:`PySDState` puts the PySD model back to its defaults
before each run by setting the constants the previous run changed back to their default values
(a full reload only when a lookup, data or computed variable was replaced, or when the PySD
model was handed out through :attr:`sdmodel.Model.pysd`).

Examples
--------
>>> import sdmodel as sd
>>> model = sd.load("models/validation/nelson_phelps.mdl")              # doctest: +SKIP
>>> check_time(model.time_settings, None, 40, None, None).final_time    # doctest: +SKIP
40.0
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from .exceptions import ParameterError, SimulationError
from .limits import check_steps

__all__ = ["TimeSettings", "CONTROL_VARIABLES", "PySDState", "check_time", "prepare_params",
           "check_return_vars", "run", "run_batch"]

#: PySD's python names of the simulation control variables (not parameters).
CONTROL_VARIABLES = ("initial_time", "final_time", "time_step", "saveper", "time")

_LOG = logging.getLogger(__name__)

#: PySD errors during a run that become :class:`~sdmodel.exceptions.SimulationError`.
_RUN_ERRORS = (ArithmeticError, NotImplementedError, ValueError, KeyError, TypeError)


@dataclass(frozen=True)
class TimeSettings:
    """Simulation time bounds and steps, in the model's time unit."""

    initial_time: float
    final_time: float
    time_step: float
    saveper: float


class PySDState:
    """A PySD model and what the runs changed in it, so each run starts from the defaults.

    Parameters
    ----------
    pysd_model : pysd.py_backend.model.Model
    defaults : mapping
        ``{python name: default value}`` of the model's constants.
    """

    def __init__(self, pysd_model, defaults: Mapping[str, object]):
        self.model = pysd_model
        self._defaults = defaults
        self._changed: set[str] = set()
        self._reload = False

    @property
    def static_time(self) -> bool:
        """Whether the model's time settings are constants (not equations of time)."""
        return all(self._kind(k) in ("Constant", "") for k in ("final_time", "time_step", "saveper"))

    def handed_out(self):
        """The PySD model at its defaults, for a caller that may change it (reloaded next time)."""
        self.restore()
        self._reload = True
        return self.model

    def restore(self) -> None:
        """Undo what the last run changed (constants reset; reload only when needed)."""
        if self._reload:
            self.model.reload()
            self._reload = False
            self._changed.clear()

    def run(self, params: Mapping[str, object], **kwargs: Any) -> pd.DataFrame:
        """One PySD run with ``params`` on top of the defaults (changed constants reset)."""
        if "initial_condition" in kwargs:
            self._reload = True  # a shifted start re-initialises from the file's equations
        self.restore()
        given = {py: self._defaults[py] for py in self._changed - set(params)}
        given.update(params)
        self._changed = set(params)
        if any(py not in self._defaults or self._kind(py) in ("Lookup", "Data") for py in params):
            self._reload = True  # not a constant with a default, or PySD changes the object itself
        if not self.static_time and any(k in kwargs for k in ("final_time", "time_step", "saveper")):
            self._reload = True  # PySD keeps the overrides: the next run needs the equations back
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=FutureWarning)
            return self.model.run(params=given or None, **kwargs)

    def _kind(self, py: str) -> str:
        return str(getattr(getattr(self.model.components, py, None), "type", ""))


def check_time(base: TimeSettings, initial_time, final_time, time_step, saveper) -> TimeSettings:
    """The time settings of a run: ``base`` with the given overrides, checked.

    Raises
    ------
    SimulationError
        A setting that is not a finite number, a non-positive step, a window that ends before
        it starts, a step longer than the run, a SAVEPER off the step grid, or too many steps.

    Examples
    --------
    >>> check_time(TimeSettings(0, 10, 1, 1), None, 20, 0.5, None)
    TimeSettings(initial_time=0, final_time=20.0, time_step=0.5, saveper=1)
    """
    values: dict[str, float] = {}
    for key, given in [("initial_time", initial_time), ("final_time", final_time),
                       ("time_step", time_step), ("saveper", saveper)]:
        if given is None:
            values[key] = getattr(base, key)
            continue
        if isinstance(given, bool) or not isinstance(given, Real) or not math.isfinite(given):
            raise SimulationError(f"{key} must be a finite number, got {given!r}")
        values[key] = float(given)
    if time_step is not None and saveper is None:
        values["saveper"] = max(values["time_step"], base.saveper)
    if values["time_step"] <= 0:
        raise SimulationError(f"time_step must be positive, got {values['time_step']:g}")
    if values["saveper"] <= 0:
        raise SimulationError(f"saveper must be positive, got {values['saveper']:g}")
    if values["final_time"] < values["initial_time"]:
        raise SimulationError(
            f"final_time ({values['final_time']:g}) is before initial_time "
            f"({values['initial_time']:g}); expected final_time >= initial_time"
        )
    _check_grid(values, explicit=time_step is not None or saveper is not None)
    return TimeSettings(**values)


def _check_grid(values: dict[str, float], *, explicit: bool) -> None:
    """Refuse time settings PySD would silently reinterpret, and runs over the step limit."""
    span = values["final_time"] - values["initial_time"]
    dt, saveper = values["time_step"], values["saveper"]
    if span > 0 and dt > span * (1 + 1e-9):
        raise SimulationError(
            f"time_step ({dt:g}) is longer than the run ({values['initial_time']:g} to "
            f"{values['final_time']:g}); expected time_step <= final_time - initial_time"
        )
    ratio = saveper / dt
    if abs(ratio - round(ratio)) > 1e-6 * max(1.0, ratio) or round(ratio) < 1:
        whose = ("saveper is the model's own when not given" if explicit
                 else "both are the model file's SAVEPER and TIME STEP")
        raise SimulationError(
            f"saveper ({saveper:g}) is not a whole multiple of time_step ({dt:g}); PySD would "
            "save on a different grid. Expected saveper = k * time_step for a whole k >= 1 "
            f"({whose})"
        )
    check_steps(values["initial_time"], values["final_time"], dt)


def prepare_params(model, params: Mapping[str, object] | None) -> dict[str, object]:
    """Validate parameter overrides for ``model`` and key them by python name.

    Raises
    ------
    ParameterError
        Unknown name (with suggestions), a time setting, a constant given twice, non-numeric
        value, NaN or infinity, or wrong shape.
    """
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise ParameterError(
            f"params must be a mapping of names to values, got {type(params).__name__}"
        )
    defaults = model.defaults
    prepared: dict[str, object] = {}
    for name, value in params.items():
        py = model.resolve(str(name), what="parameter")
        if py in CONTROL_VARIABLES:
            raise ParameterError(
                f"{name!r} is a time setting: pass it as the {py}= keyword instead"
            )
        if py in prepared:
            first = next(k for k in params if model.resolve(str(k), what="parameter") == py)
            raise ParameterError(
                f"parameter {py!r} is given twice, as {str(first)!r} and {str(name)!r}; "
                "Vensim folds case, spaces and underscores, so both name the same constant"
            )
        prepared[py] = _check_value(py, value, defaults.get(py), _dims(model, py, defaults))
    return prepared


def _dims(model, py: str, defaults: Mapping[str, object]) -> tuple[str, ...]:
    default = defaults.get(py)
    if isinstance(default, xr.DataArray):
        return tuple(str(d) for d in default.dims)
    return model.subscripts_of(py)


def _check_series(py: str, value: pd.Series) -> pd.Series:
    if not np.issubdtype(value.dtype, np.number):
        raise ParameterError(f"time series for {py!r} must be numeric, got {value.dtype}")
    if value.isna().any():
        raise ParameterError(f"time series for {py!r} contains NaN")
    if not np.isfinite(value.to_numpy(dtype=float)).all():
        raise ParameterError(f"time series for {py!r} contains an infinite value")
    times = pd.Index(value.index)
    if not np.issubdtype(times.dtype, np.number):
        raise ParameterError(
            f"time series for {py!r} must be indexed by numeric times, got {times.dtype}")
    if times.has_duplicates:
        dup = times[times.duplicated()][0]
        raise ParameterError(
            f"time series for {py!r} has the time {dup} more than once; expected each time once")
    if not times.is_monotonic_increasing:
        raise ParameterError(
            f"time series for {py!r} has unsorted times; expected increasing times "
            "(sort it with series.sort_index())")
    return value


def _check_value(py: str, value: object, default: object, dims: tuple[str, ...]) -> object:
    if isinstance(value, pd.Series):
        return _check_series(py, value)
    if isinstance(value, xr.DataArray):
        unknown = set(value.dims) - set(dims)
        if unknown:
            raise ParameterError(
                f"value for {py!r} has dimensions {value.dims}; expected a subset of {dims}"
            )
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Real, np.ndarray, list, tuple)):
        raise ParameterError(
            f"value for {py!r} must be a number, a time-indexed pandas Series or an "
            f"xarray.DataArray, got {type(value).__name__} {value!r}"
        )
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(f"value for {py!r} is not numeric: {value!r}") from None
    if np.isnan(array).any():
        raise ParameterError(f"value for {py!r} is NaN")
    if not np.isfinite(array).all():
        raise ParameterError(f"value for {py!r} is infinite; expected a finite number")
    if array.ndim == 0:
        return float(array)
    if not isinstance(default, xr.DataArray) or array.shape != default.shape:
        shape = tuple(default.shape) if isinstance(default, xr.DataArray) else ()
        raise ParameterError(
            f"value for {py!r} has shape {array.shape}; expected a number"
            + (f" or an array of shape {shape} over {dims}" if dims else "")
        )
    return xr.DataArray(array, coords=default.coords, dims=default.dims)


def check_return_vars(model, return_vars: Iterable[str] | str | None) -> list[str] | None:
    """Python names of the variables a run returns (None: PySD's default outputs).

    Raises
    ------
    SimulationError
        An unknown name (with suggestions) or an empty selection.
    """
    if return_vars is None:
        return None
    if isinstance(return_vars, str):
        return_vars = [return_vars]
    names = []
    for name in return_vars:
        try:
            names.append(model.resolve(str(name), what="return variable"))
        except ParameterError as err:
            raise SimulationError(str(err)) from None
    if not names:
        raise SimulationError("return_vars is empty; expected at least one variable name")
    return names


def run(model, params: Mapping[str, object] | None = None, *, initial_time=None,
        final_time=None, time_step=None, saveper=None, return_vars=None) -> xr.Dataset:
    """One PySD run of ``model``; see :meth:`sdmodel.Model.run`."""
    from .results import pysd_output_to_dataset

    settings = check_time(model.time_settings, initial_time, final_time, time_step, saveper)
    prepared = prepare_params(model, params)
    model.check_constraints(
        prepared, initial_time=settings.initial_time, final_time=settings.final_time
    )
    columns = check_return_vars(model, return_vars)
    kwargs: dict[str, Any] = dict(return_columns=columns, flatten_output=False)
    if model.pysd_state.static_time:
        kwargs.update(final_time=settings.final_time, time_step=settings.time_step,
                      saveper=settings.saveper)
    else:
        # the model's time settings are equations of time (PySD evaluates them during the
        # run): pass only those given, which PySD then keeps until the next reload
        given = {"final_time": final_time, "time_step": time_step, "saveper": saveper}
        kwargs.update({k: getattr(settings, k) for k, v in given.items() if v is not None})
        if time_step is not None and saveper is None:
            kwargs["saveper"] = settings.saveper
    if initial_time is not None:
        kwargs["initial_condition"] = (settings.initial_time, {})
    _LOG.debug("run(%s): PySD, %d overrides, time %g to %g step %g", model.name, len(prepared),
               settings.initial_time, settings.final_time, settings.time_step)
    try:
        frame = model.pysd_state.run(prepared, **kwargs)
    except RecursionError:
        raise SimulationError(
            f"model {model.name!r} failed during the PySD run: the equations call one "
            "another without end (a variable that depends on itself with no stock in "
            "between, an algebraic loop); expected every loop to pass through a stock"
        ) from None
    except _RUN_ERRORS as err:
        raise SimulationError(
            f"model {model.name!r} failed during the PySD run: {type(err).__name__}: {err}"
        ) from err
    return pysd_output_to_dataset(frame, model, params=prepared, settings=settings)


def run_batch(model, params=None, *, return_vars=None, saveper=None, chunk_size=None,
              initial_time=None, final_time=None, engine: str = "auto",
              progress: bool = False, n_runs: int | None = None) -> xr.Dataset:
    """Many runs of ``model`` with the batch engine; see :meth:`sdmodel.Model.run_batch`."""
    from . import batch

    if model.constraints:
        settings = check_time(model.time_settings, initial_time, final_time, None, saveper)
        given = dict(params.items()) if isinstance(params, pd.DataFrame) else dict(params or {})
        model.check_constraints(
            {k: np.asarray(v) for k, v in given.items()},
            initial_time=settings.initial_time, final_time=settings.final_time,
        )
    return batch.run_batch(model, params, return_vars=return_vars, saveper=saveper,
                           chunk_size=chunk_size, initial_time=initial_time,
                           final_time=final_time, engine=engine, progress=progress,
                           n_runs=n_runs)
