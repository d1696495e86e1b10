"""The :class:`Model` facade over a PySD model: parameters, units, documentation and runs.

Examples
--------
>>> import sdmodel as sd
>>> model = sd.load("models/validation/nelson_phelps.mdl")
>>> ds = model.run(params={"catch_up_rate": 0.2}, final_time=40)
>>> ds["technological_capability"].attrs["units"]
'Dmnl'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

import pandas as pd
import xarray as xr

from . import running
from .constraints import constraints_for
from .exceptions import ParameterError, suggest
from .running import CONTROL_VARIABLES, PySDState, TimeSettings

if TYPE_CHECKING:
    from .loading import Translation

__all__ = ["Model", "TimeSettings", "CONTROL_VARIABLES"]


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
    >>> model = sd.load("models/validation/nelson_phelps.mdl")
    >>> sorted(model.params)
    ['catch_up_rate', 'frontier_growth_rate', ...]
    """

    def __init__(self, pysd_model, translation: Translation):
        self._translation = translation
        self._doc = _build_doc(pysd_model)
        self._names = dict(zip(self._doc["name"], self._doc.index))
        self._folded = {_fold(name): py for name, py in self._names.items()}
        self._defaults = {
            py: _copy_value(pysd_model[py])
            for py in self._doc.index[self._doc["kind"] == "Constant"]
            if py not in CONTROL_VARIABLES
        }
        t = pysd_model.time
        self._time = TimeSettings(float(t.initial_time()), float(t.final_time()),
                                  float(t.time_step()), float(t.saveper()))
        #: The PySD model and what runs changed in it (see :class:`sdmodel.running.PySDState`).
        self.pysd_state = PySDState(pysd_model, self._defaults)
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
        """The underlying PySD model, restored to its defaults.

        The caller may change it; the next run of this :class:`Model` reloads it first.
        """
        return self.pysd_state.handed_out()

    @property
    def params(self) -> dict[str, float | xr.DataArray]:
        """``{python_name: default value}`` of the model's constants (control variables excluded)."""
        return {k: _copy_value(v) for k, v in self._defaults.items()}

    @property
    def defaults(self) -> Mapping[str, float | xr.DataArray]:
        """Read-only view of the constants' defaults (no copies: do not modify the arrays)."""
        return MappingProxyType(self._defaults)

    @property
    def variables(self) -> pd.Index:
        """The python names of every variable (the index of :attr:`doc`)."""
        return self._doc.index

    def subscripts_of(self, py_name: str) -> tuple[str, ...]:
        """The subscript ranges a variable is defined over (empty for a scalar)."""
        subs = self._doc.at[py_name, "subscripts"]
        return tuple(subs) if isinstance(subs, list) else ()

    def variable_attrs(self, py_name: str) -> dict[str, str]:
        """The ``units``, ``long_name`` and ``doc`` attrs of one variable (by python name)."""
        row = self._doc.loc[py_name]
        return {"units": row.units, "long_name": row["name"], "doc": row.comment}

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
        return self._time

    def check_time(self, initial_time=None, final_time=None, time_step=None,
                   saveper=None) -> TimeSettings:
        """The time settings of a run with these overrides (see :func:`sdmodel.running.check_time`)."""
        return running.check_time(self._time, initial_time, final_time, time_step, saveper)

    def resolve(self, name: str, *, what: str = "variable") -> str:
        """Return the python name of a variable given by its original or python name.

        Raises
        ------
        ParameterError
            Nothing in the model has that name; the closest names are suggested.

        Examples
        --------
        >>> model.resolve("Catch Up Rate")
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
        from ._repr import model_html

        return model_html(self)

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
        >>> ds = model.run({"catch_up_rate": 0.2}, final_time=40)
        """
        return running.run(self, params, initial_time=initial_time, final_time=final_time,
                           time_step=time_step, saveper=saveper, return_vars=return_vars)

    def run_batch(self, params=None, *, return_vars=None, saveper=None, chunk_size=None,
                  initial_time=None, final_time=None, engine="auto",
                  progress: bool = False, n_runs=None) -> xr.Dataset:
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
        progress : bool, optional
            Show the kernel compilation (first time) and the runs on stderr.
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
        >>> ds = model.run_batch({"catch_up_rate": np.linspace(0.05, 0.3, 100)})
        """
        return running.run_batch(self, params, return_vars=return_vars, saveper=saveper,
                                 chunk_size=chunk_size, initial_time=initial_time,
                                 final_time=final_time, engine=engine, progress=progress,
                                 n_runs=n_runs)

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
        return running.prepare_params(self, params)


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
