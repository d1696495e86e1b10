"""The :class:`Model` facade over a PySD model: parameters, units, documentation and runs.

Examples
--------
>>> import sdmodel as sd
>>> model = sd.load("models/validation/nelson_phelps.mdl")          # doctest: +SKIP
>>> ds = model.run(params={"catch_up_rate": 0.2}, final_time=40)     # doctest: +SKIP
>>> ds["technological_capability"].attrs["units"]                    # doctest: +SKIP
'Dmnl'
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from numbers import Real
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .constraints import constraints_for
from .exceptions import ParameterError, SimulationError, suggest
from .limits import check_steps
from .loading import Translation
from .results import pysd_output_to_dataset

__all__ = ["Model", "TimeSettings", "CONTROL_VARIABLES"]

#: PySD's python names of the simulation control variables (not parameters).
CONTROL_VARIABLES = ("initial_time", "final_time", "time_step", "saveper", "time")


@dataclass(frozen=True)
class TimeSettings:
    """Simulation time bounds and steps, in the model's time unit."""

    initial_time: float
    final_time: float
    time_step: float
    saveper: float


class Model:
    """A translated system-dynamics model, ready to run.

    Built by :func:`sdmodel.load` (or :meth:`sdmodel.Builder.compile`); not usually constructed
    directly.

    Parameters
    ----------
    pysd_model : pysd.py_backend.model.Model
        The loaded PySD model.
    translation : sdmodel.loading.Translation
        Where it came from (file, hash, cached module, PySD ``AbstractModel``).

    Attributes
    ----------
    path : pathlib.Path
        The model file.
    file_hash : str
        SHA-256 of the model file.
    abstract_model : AbstractModel
        PySD's syntax tree of the model, shared by the PySD and batch engines.

    Examples
    --------
    >>> model = sd.load("models/validation/nelson_phelps.mdl")   # doctest: +SKIP
    >>> sorted(model.params)                                      # doctest: +SKIP
    ['catch_up_rate', 'frontier_growth_rate', ...]
    """

    def __init__(self, pysd_model, translation: Translation):
        self._pysd = pysd_model
        self._translation = translation
        self._dirty = False  # True once a run changed components or control variables
        self._doc = _build_doc(pysd_model)
        self._names = dict(zip(self._doc["name"], self._doc.index))
        self._folded = {_fold(name): py for name, py in self._names.items()}
        self._defaults = {
            py: _copy_value(pysd_model[py])
            for py in self._doc.index[self._doc["kind"] == "Constant"]
            if py not in CONTROL_VARIABLES
        }
        self._time = self.time_settings
        #: Checks run on every parameter set before a run (see :mod:`sdmodel.constraints`).
        self.constraints = constraints_for(self)

    # ------------------------------------------------------------------ metadata
    @property
    def path(self) -> Path:
        return self._translation.source

    @property
    def file_hash(self) -> str:
        return self._translation.file_hash

    @property
    def abstract_model(self):
        return self._translation.abstract_model

    @property
    def translation(self) -> Translation:
        return self._translation

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def pysd(self):
        """The underlying PySD model, restored to its defaults."""
        self._restore()
        return self._pysd

    @property
    def params(self) -> dict[str, float | xr.DataArray]:
        """``{python_name: default value}`` of the model's constants (control variables excluded)."""
        return {k: _copy_value(v) for k, v in self._defaults.items()}

    @property
    def units(self) -> dict[str, str]:
        """``{python_name: unit string as written in the model}`` for every variable."""
        return {py: row.units for py, row in self._doc.iterrows()}

    @property
    def doc(self) -> pd.DataFrame:
        """One row per variable, indexed by python name.

        Columns: ``name`` (original), ``units``, ``limits`` (min, max), ``comment``, ``kind``
        (Constant, Stateful, Auxiliary, Lookup, Data...), ``subtype`` and ``subscripts``.
        """
        return self._doc.copy()

    @property
    def time_settings(self) -> TimeSettings:
        """The model's own time settings (as written in the file)."""
        if hasattr(self, "_time"):
            return self._time
        t = self._pysd.time
        return TimeSettings(
            float(t.initial_time()), float(t.final_time()), float(t.time_step()), float(t.saveper())
        )

    def resolve(self, name: str, *, what: str = "variable") -> str:
        """Return the python name of a variable given by its original or python name.

        Raises
        ------
        ParameterError
            Nothing in the model has that name; the closest names are suggested.

        Examples
        --------
        >>> model.resolve("Catch Up Rate")   # doctest: +SKIP
        'catch_up_rate'
        """
        if name in self._doc.index:
            return name
        if name in self._names:
            return self._names[name]
        key = _fold(str(name))
        if key in self._folded:
            return self._folded[key]
        raise ParameterError(
            f"{what} {name!r} is not in model {self.name!r}.{suggest(name, self._doc.index)}"
        )

    def __repr__(self) -> str:
        t = self._time
        return (
            f"<sdmodel.Model {self.name!r}: {len(self._doc)} variables, {len(self._defaults)} "
            f"constants, time {t.initial_time:g}..{t.final_time:g} step {t.time_step:g}>"
        )

    def _repr_html_(self) -> str:
        import html

        t = self._time
        rows = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in cells) + "</tr>"
            for cells in (
                (py, row["name"], row["kind"], row["units"], self._defaults.get(py, ""), row["comment"][:80])
                for py, row in self._doc.iterrows()
                if py not in CONTROL_VARIABLES
            )
        )
        return (
            f"<div><b>sdmodel.Model</b> {html.escape(self.name)} &mdash; time "
            f"{t.initial_time:g}..{t.final_time:g}, step {t.time_step:g} "
            f"{html.escape(self.units.get('time_step', ''))}<table><thead><tr><th>python name</th>"
            "<th>name</th><th>kind</th><th>units</th><th>default</th><th>doc</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></div>"
        )

    # ------------------------------------------------------------------ running
    def run(
        self,
        params: Mapping[str, object] | None = None,
        *,
        initial_time: float | None = None,
        final_time: float | None = None,
        time_step: float | None = None,
        saveper: float | None = None,
        return_vars: Iterable[str] | None = None,
    ) -> xr.Dataset:
        """Simulate the model with PySD and return an :class:`xarray.Dataset`.

        Parameters
        ----------
        params : mapping, optional
            ``{name: value}`` by original or python name. A value is a number, a pandas Series
            indexed by time (a time-series input), or for a subscripted constant an
            ``xarray.DataArray`` (or array of the variable's shape). Runs do not change the
            model: every run starts from the defaults.
        initial_time, final_time, time_step, saveper : float, optional
            Override the model's time settings.
        return_vars : iterable of str, optional
            Variables to return (default: all of PySD's default outputs).

        Returns
        -------
        xarray.Dataset
            Dimension ``time`` plus any subscript dimensions; each variable has ``units``,
            ``long_name`` and ``doc`` attrs; the Dataset's attrs record the model file, hash,
            parameters and versions.

        Raises
        ------
        ParameterError
            Unknown parameter, or a value of the wrong type or shape.
        SimulationError
            Inconsistent time settings or unknown return variables.

        Examples
        --------
        >>> ds = model.run({"catch_up_rate": 0.2}, final_time=40)   # doctest: +SKIP
        """
        settings = self._check_time(initial_time, final_time, time_step, saveper)
        prepared = self.prepare_params(params)
        self.check_constraints(
            prepared, initial_time=settings.initial_time, final_time=settings.final_time
        )
        columns = self._check_return_vars(return_vars)
        self._restore()
        self._dirty = True
        kwargs = dict(params=prepared or None, return_columns=columns, flatten_output=False)
        given = {"final_time": final_time, "time_step": time_step, "saveper": saveper}
        kwargs.update({k: getattr(settings, k) for k, v in given.items() if v is not None})
        if time_step is not None and saveper is None:
            kwargs["saveper"] = settings.saveper
        if initial_time is not None:
            kwargs["initial_condition"] = (settings.initial_time, {})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=FutureWarning)
            try:
                frame = self._pysd.run(**kwargs)
            except (ArithmeticError, NotImplementedError, ValueError, KeyError, TypeError) as err:
                raise SimulationError(
                    f"model {self.name!r} failed during the PySD run: "
                    f"{type(err).__name__}: {err}"
                ) from err
        return pysd_output_to_dataset(frame, self, params=prepared, settings=settings)

    def run_batch(self, params=None, *, return_vars=None, saveper=None, chunk_size=None,
                  initial_time=None, final_time=None, engine="auto",
                  n_runs=None) -> xr.Dataset:
        """Simulate N parameter sets at once with the vectorized batch engine.

        Parameters
        ----------
        params : mapping or pandas.DataFrame
            ``{name: array of length N}`` (original or python names; a subscripted constant
            takes ``(N,)`` or ``(N, *shape)``), or a DataFrame with one row per run. Constants
            not given keep their defaults.
        return_vars : iterable of str, optional
            Variables to return (default: all).
        saveper : float, optional
            Saving interval (default: the model's SAVEPER).
        chunk_size : int, optional
            Runs integrated together (bounds memory; default 10 000).
        initial_time, final_time : float, optional
            Override the model's window as :meth:`run` does: the model initialises at
            ``initial_time``.
        engine : {"auto", "fused", "numpy"}, optional
            Backend: one compiled numba kernel per model (``"fused"``), the vectorized numpy
            module (``"numpy"``), or fused where it compiles the model (default; the refused
            construct is logged). See :func:`sdmodel.batch.run_batch`.
        n_runs : int, optional
            Number of runs. Without ``params`` (or with an empty mapping) it runs the
            defaults ``n_runs`` times, so a model with no constants can be run; with
            ``params`` it must equal their length.

        Returns
        -------
        xarray.Dataset
            Dimensions ``("run", "time", *subscripts)``; the sampled parameter values are
            ``run`` coordinates; a boolean ``diverged`` variable flags runs with NaN/inf.

        Raises
        ------
        ParameterError
            Unknown or non-constant parameter, unequal lengths, N = 0, non-numeric values.
        SimulationError
            Inconsistent time settings.
        UnsupportedConstructError
            The model uses a construct the batch compiler does not support.

        Examples
        --------
        >>> ds = model.run_batch({"catch_up_rate": np.linspace(0.05, 0.3, 100)})  # doctest: +SKIP
        """
        from .batch import run_batch

        if self.constraints:
            settings = self._check_time(initial_time, final_time, None, saveper)
            frame = params if isinstance(params, pd.DataFrame) else None
            given = dict(frame.items()) if frame is not None else dict(params or {})
            self.check_constraints(
                {k: np.asarray(v) for k, v in given.items()},
                initial_time=settings.initial_time, final_time=settings.final_time,
            )
        return run_batch(self, params, return_vars=return_vars, saveper=saveper,
                         chunk_size=chunk_size, initial_time=initial_time,
                         final_time=final_time, engine=engine, n_runs=n_runs)

    def check_constraints(
        self,
        params: Mapping[str, object],
        *,
        initial_time: float | None = None,
        final_time: float | None = None,
    ) -> None:
        """Run the model's :attr:`constraints` on a parameter set (numbers or per-run arrays).

        Raises
        ------
        ParameterError
            From the first constraint the parameters break.
        """
        for check in self.constraints:
            check(self, params, initial_time=initial_time, final_time=final_time)

    def prepare_params(self, params: Mapping[str, object] | None) -> dict[str, object]:
        """Validate parameter overrides and key them by python name.

        Raises
        ------
        ParameterError
            Unknown name (with suggestions), non-numeric value, NaN, or wrong shape.
        """
        if params is None:
            return {}
        if not isinstance(params, Mapping):
            raise ParameterError(
                f"params must be a mapping of names to values, got {type(params).__name__}"
            )
        prepared: dict[str, object] = {}
        for name, value in params.items():
            py = self.resolve(str(name), what="parameter")
            if py in CONTROL_VARIABLES:
                raise ParameterError(
                    f"{name!r} is a time setting: pass it as the {py}= keyword instead"
                )
            if py in prepared:
                first = next(k for k in params if self.resolve(str(k), what="parameter") == py)
                raise ParameterError(
                    f"parameter {py!r} is given twice, as {str(first)!r} and {str(name)!r}; "
                    "Vensim folds case, spaces and underscores, so both name the same constant"
                )
            prepared[py] = self._check_value(py, value)
        return prepared

    def _check_value(self, py: str, value: object) -> object:
        dims = self._dims(py)
        if isinstance(value, pd.Series):
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
                    f"time series for {py!r} has the time {dup} more than once; expected "
                    "each time once")
            if not times.is_monotonic_increasing:
                raise ParameterError(
                    f"time series for {py!r} has unsorted times; expected increasing times "
                    "(sort it with series.sort_index())")
            return value
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
        default = self._defaults.get(py)
        shape = tuple(default.shape) if isinstance(default, xr.DataArray) else ()
        if not dims or array.shape != shape:
            raise ParameterError(
                f"value for {py!r} has shape {array.shape}; expected a number"
                + (f" or an array of shape {shape} over {dims}" if dims else "")
            )
        return xr.DataArray(array, coords=default.coords, dims=default.dims)

    def _dims(self, py: str) -> tuple[str, ...]:
        default = self._defaults.get(py)
        if isinstance(default, xr.DataArray):
            return tuple(default.dims)
        subs = self._doc.at[py, "subscripts"]
        return tuple(subs) if isinstance(subs, list) else ()

    def _check_time(self, initial_time, final_time, time_step, saveper) -> TimeSettings:
        base = self._time
        values = {}
        for key, given in [
            ("initial_time", initial_time),
            ("final_time", final_time),
            ("time_step", time_step),
            ("saveper", saveper),
        ]:
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

    def _check_return_vars(self, return_vars) -> list[str] | None:
        if return_vars is None:
            return None
        if isinstance(return_vars, str):
            return_vars = [return_vars]
        names = []
        for name in return_vars:
            try:
                names.append(self.resolve(str(name), what="return variable"))
            except ParameterError as err:
                raise SimulationError(str(err)) from None
        if not names:
            raise SimulationError("return_vars is empty; expected at least one variable name")
        return names

    def _restore(self) -> None:
        """Bring the PySD model back to its defaults after a run that changed it."""
        if self._dirty:
            self._pysd.reload()
            self._dirty = False


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
    if explicit and (abs(ratio - round(ratio)) > 1e-6 * max(1.0, ratio) or round(ratio) < 1):
        raise SimulationError(
            f"saveper ({saveper:g}) is not a whole multiple of time_step ({dt:g}); PySD would "
            "save on a different grid. Expected saveper = k * time_step for a whole k >= 1 "
            "(saveper is the model's own when not given)"
        )
    check_steps(values["initial_time"], values["final_time"], dt)


def _fold(name: str) -> str:
    """Vensim's name equivalence: case, quotes, underscores and runs of spaces folded."""
    return " ".join(name.strip().strip('"').lower().replace("_", " ").split())


def _copy_value(value):
    if isinstance(value, xr.DataArray):
        return value.copy()
    return float(value)


def _build_doc(pysd_model) -> pd.DataFrame:
    raw = pysd_model.doc
    doc = pd.DataFrame(
        {
            "name": raw["Real Name"].to_numpy(),
            "units": raw["Units"].fillna("").astype(str).to_numpy(),
            "limits": raw["Limits"].to_numpy(),
            "comment": raw["Comment"].fillna("").astype(str).to_numpy(),
            "kind": raw["Type"].fillna("").astype(str).to_numpy(),
            "subtype": raw["Subtype"].fillna("").astype(str).to_numpy(),
            "subscripts": raw["Subscripts"].to_numpy(),
        },
        index=pd.Index(raw["Py Name"].to_numpy(), name="python_name"),
    )
    return doc
