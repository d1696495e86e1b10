"""Named scenarios: parameter overrides run side by side along a ``scenario`` dimension.

A scenario is a name and a mapping of parameter overrides. :func:`run_scenarios` runs each one
(every run starts from the model's defaults) and stacks the results into one Dataset with
dimensions ``(scenario, time)``. :func:`load_scenarios` reads a set of scenarios from TOML, where
a scenario may inherit the overrides of another and change some of them.

Scenario files
--------------
Each top-level table is a scenario; its keys are parameter overrides (original or python names)
except three reserved keys. Three top-level names are not scenarios: ``baseline``, the
``[metrics.<name>]`` tables (the comparison metrics, see :mod:`sdmodel.metrics`) and
``[window]`` (defaults of a window sweep: ``start_lever``, ``share_lever``, ``metric``,
``year``, ``baseline``, ``start_years``, ``shares``, ``threshold``)::

    baseline = "squander"          # optional: the scenario others are compared with

    [metrics.gdp_2040]
    variable = "gdp_per_capita"
    reduce = "at"
    year = 2040

    [window]
    start_lever = "reinvestment_start_year"
    share_lever = "reinvestment_share"
    metric = "gdp_2040"

    [base]
    abstract = true                # a template: inherited from, never run itself
    description = "Defaults shared by every scenario."
    fund_spending_rate = 0.04

    [squander]
    inherits = "base"              # start from base's overrides, then apply these
    description = "Rents consumed and imported."
    reinvestment_share = 0.0

    [reinvest_late]
    inherits = "squander"
    reinvestment_share = 0.4
    reinvestment_start_year = 2018

A value is a number, an array of numbers (a subscripted constant, in the order of its
subscripts), or a table ``{time = [...], values = [...]}`` (a time-series input). Inheritance is
resolved parent first: a child's overrides replace its parent's for the same key, the parent's
others are kept. ``description`` and ``abstract`` are not inherited.

Examples
--------
>>> import sdmodel as sd
>>> model = sd.load("models/validation/nelson_phelps.mdl")
>>> ds = sd.run_scenarios(model, {"slow": {"catch_up_rate": 0.05},
...                               "fast": {"catch_up_rate": 0.2}})
>>> ds["technological_capability"].dims
('scenario', 'time')
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from numbers import Real
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .exceptions import ParameterError, ScenarioError, suggest
from .metrics import MetricSpec, parse_metrics
from .results import params_to_json
from .schema import WindowTable, validate

__all__ = ["ScenarioSet", "load_scenarios", "run_scenarios", "validate_scenarios"]

#: Keys of a scenario table that are not parameter overrides.
RESERVED_KEYS = ("inherits", "description", "abstract")

#: Top-level names of a scenario file that are not scenarios.
SECTIONS = ("baseline", "metrics", "window")


@dataclass(frozen=True)
class ScenarioSet(Mapping):
    """Scenarios read from a file: a read-only mapping ``{name: {parameter: value}}``.

    Inheritance is already resolved; abstract (template) scenarios are left out.

    Attributes
    ----------
    scenarios : dict
        ``{name: {parameter: value}}`` in file order.
    descriptions : dict
        ``{name: description}`` (empty string when the file gives none).
    baseline : str or None
        The file's ``baseline`` key, if any.
    source : pathlib.Path or None
        The file read.
    metrics : dict
        ``{name: MetricSpec}`` from the file's ``[metrics.<name>]`` tables (empty if none).
    window : dict
        The file's ``[window]`` settings that are given (empty if none).

    Examples
    --------
    >>> s = ScenarioSet({"a": {"x": 1.0}})
    >>> list(s), s["a"]
    (['a'], {'x': 1.0})
    """

    scenarios: dict[str, dict[str, object]]
    descriptions: dict[str, str] = field(default_factory=dict)
    baseline: str | None = None
    source: Path | None = None
    metrics: dict[str, MetricSpec] = field(default_factory=dict)
    window: dict[str, object] = field(default_factory=dict)

    def __getitem__(self, name: str) -> dict[str, object]:
        return self.scenarios[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.scenarios)

    def __len__(self) -> int:
        return len(self.scenarios)

    def _repr_html_(self) -> str:
        from ._repr import scenarios_html

        return scenarios_html(self)


def load_scenarios(path: str | os.PathLike) -> ScenarioSet:
    """Read scenarios from a TOML file and resolve their inheritance.

    Parameters
    ----------
    path : path-like
        A TOML file laid out as described in :mod:`sdmodel.scenarios`.

    Returns
    -------
    ScenarioSet
        The runnable (non-abstract) scenarios, each with its full set of overrides.

    Raises
    ------
    ScenarioError
        The file is missing or not valid TOML; a scenario inherits from one that is not defined
        or inherits from itself through a cycle; a key or value has the wrong type; or no
        runnable scenario is defined.

    Examples
    --------
    >>> s = load_scenarios("tests/data/fishery_scenarios.toml")
    >>> s["late_quota"]["quota_start_time"], s.baseline, list(s.metrics)[:2]
    (40.0, 'open_access', ['fish_trough', 'harvest_50'])
    """
    path = Path(path)
    if path.exists() and not (path.is_file() or path.is_dir()):  # a FIFO would block open()
        raise ScenarioError(f"scenario file {str(path)!r} is not a regular file; expected a TOML file")
    try:
        with open(path, "rb") as f:
            raw = tomllib.load(f)
    except FileNotFoundError:
        raise ScenarioError(f"scenario file {str(path)!r} does not exist") from None
    except IsADirectoryError:
        raise ScenarioError(f"scenario file {str(path)!r} is a directory, expected a TOML file")
    except OSError as err:
        raise ScenarioError(f"cannot read scenario file {str(path)!r}: {err}") from err
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(f"scenario file {str(path)!r} is not valid TOML: {err}") from None
    except UnicodeDecodeError as err:
        raise ScenarioError(
            f"scenario file {str(path)!r} is not UTF-8 text (byte {err.start}); TOML files "
            "must be UTF-8") from None
    where = f"in {str(path)!r}"

    baseline = raw.pop("baseline", None)
    if baseline is not None and not isinstance(baseline, str):
        raise ScenarioError(f"'baseline' {where} must be a scenario name (a string), got {baseline!r}")
    metrics = parse_metrics(raw.pop("metrics", {}), where=f"scenario file {str(path)!r}")
    window = validate(WindowTable, raw.pop("window", {}), where=f"scenario file {str(path)!r}",
                      error=ScenarioError, section="window").model_dump(exclude_none=True)
    tables = _scenario_tables(raw, where)

    resolved: dict[str, dict[str, object]] = {}
    for name in tables:
        _resolve(name, tables, resolved, chain=(), where=where)
    scenarios = {
        name: resolved[name] for name, table in tables.items() if not _is_abstract(name, table, where)
    }
    if not scenarios:
        raise ScenarioError(
            f"no scenario is defined {where}: expected at least one table [name] that is not "
            "abstract"
        )
    if baseline is not None and baseline not in scenarios:
        raise ScenarioError(
            f"baseline {baseline!r} {where} is not one of its scenarios "
            f"{sorted(scenarios)}.{suggest(baseline, scenarios)}"
        )
    descriptions = {}
    for name in scenarios:
        text = tables[name].get("description", "")
        if not isinstance(text, str):
            raise ScenarioError(f"scenario {name!r} {where}: 'description' must be a string")
        descriptions[name] = text
    return ScenarioSet(scenarios, descriptions, baseline, path, metrics, window)


def _scenario_tables(raw: dict, where: str) -> dict[str, dict]:
    """The scenario tables of a file; a misspelt section name is refused, not run."""
    tables: dict[str, dict] = {}
    for name, table in raw.items():
        if not isinstance(table, dict):
            raise ScenarioError(
                f"top-level key {name!r} {where} is not a scenario table: expected "
                f"[{name}] with parameter overrides, or one of {', '.join(map(repr, SECTIONS))}."
                f"{suggest(name, SECTIONS)}"
            )
        nested = [k for k, v in table.items() if isinstance(v, dict) and set(v) != {"time", "values"}]
        hint = suggest(name, SECTIONS)
        if nested and hint:
            raise ScenarioError(
                f"[{name}] {where} holds tables {nested}, so it is not a scenario; expected one "
                f"of the sections {', '.join(map(repr, SECTIONS))}.{hint}"
            )
        tables[name] = table
    return tables


def _is_abstract(name: str, table: dict, where: str) -> bool:
    flag = table.get("abstract", False)
    if not isinstance(flag, bool):
        raise ScenarioError(f"scenario {name!r} {where}: 'abstract' must be true or false, got {flag!r}")
    return flag


def _resolve(name, tables, resolved, *, chain, where) -> dict[str, object]:
    """Overrides of ``name`` with its ancestors' applied first (memoised in ``resolved``)."""
    if name in resolved:
        return resolved[name]
    if name in chain:
        cycle = " -> ".join((*chain[chain.index(name):], name))
        raise ScenarioError(f"scenarios {where} inherit in a cycle: {cycle}")
    table = tables[name]
    parent = table.get("inherits")
    own = {k: _convert(name, k, v, where) for k, v in table.items() if k not in RESERVED_KEYS}
    if parent is None:
        merged = own
    else:
        if not isinstance(parent, str):
            raise ScenarioError(
                f"scenario {name!r} {where}: 'inherits' must be a scenario name, got {parent!r}"
            )
        if parent not in tables:
            raise ScenarioError(
                f"scenario {name!r} {where} inherits from {parent!r}, which is not defined."
                f"{suggest(parent, tables) or ' Defined: ' + ', '.join(map(repr, tables)) + '.'}"
            )
        merged = dict(_resolve(parent, tables, resolved, chain=(*chain, name), where=where))
        merged.update(own)
    resolved[name] = merged
    return merged


def _convert(scenario: str, key: str, value: object, where: str) -> object:
    """A TOML value as a parameter override: float, list of floats or a time-indexed Series."""
    culprit = f"scenario {scenario!r} {where}: parameter {key!r}"
    if isinstance(value, bool):
        raise ScenarioError(f"{culprit} is a boolean; expected a number."
                            f"{suggest(key, RESERVED_KEYS)}")
    if isinstance(value, Real):
        return float(value)
    if isinstance(value, list):
        if not value or not all(isinstance(v, Real) and not isinstance(v, bool) for v in value):
            raise ScenarioError(f"{culprit} must be a non-empty array of numbers, got {value!r}")
        return [float(v) for v in value]
    if isinstance(value, dict):
        if set(value) != {"time", "values"}:
            raise ScenarioError(
                f"{culprit}: a table value must be a time series {{time = [...], values = [...]}}, "
                f"got keys {sorted(value)}"
            )
        time, values = value["time"], value["values"]
        ok = all(
            isinstance(seq, list) and seq and all(isinstance(v, Real) and not isinstance(v, bool) for v in seq)
            for seq in (time, values)
        )
        if not ok or len(time) != len(values):
            raise ScenarioError(
                f"{culprit}: 'time' and 'values' must be arrays of numbers of the same length"
            )
        return pd.Series([float(v) for v in values], index=[float(t) for t in time])
    hint = suggest(key, RESERVED_KEYS) if isinstance(value, (str, bool)) else ""
    raise ScenarioError(
        f"{culprit} is {type(value).__name__} {value!r}; expected a number, an array of numbers "
        f"or a time series table, or one of the keys {', '.join(map(repr, RESERVED_KEYS))}.{hint}"
    )


def validate_scenarios(
    model, scenarios: Mapping[str, Mapping[str, object]], *, check: Callable | None = None
) -> dict[str, dict]:
    """Check every scenario against a model before anything runs.

    Parameters
    ----------
    model : sdmodel.Model
    scenarios : mapping
        ``{name: {parameter: value}}``.
    check : callable, optional
        A model-specific check ``check(model, overrides)`` raising :class:`ParameterError`
        for an inconsistent parameter set, on top of the model's registered constraints
        (:mod:`sdmodel.constraints`).

    Returns
    -------
    dict
        ``{name: {python_name: value}}``, the overrides as :meth:`Model.prepare_params` returns
        them.

    Raises
    ------
    ScenarioError
        The set is empty, a name is not a non-empty string, a scenario is not a mapping, or a
        scenario names a parameter the model lacks (with the closest constants suggested), a
        variable that is not a constant, or a value of the wrong type or shape, or ``check``
        refuses it.

    Examples
    --------
    >>> validate_scenarios(model, {"a": {"Catch Up Rate": 0.2}})
    {'a': {'catch_up_rate': 0.2}}
    """
    if not isinstance(scenarios, Mapping):
        raise ScenarioError(
            f"scenarios must be a mapping {{name: {{parameter: value}}}}, got {type(scenarios).__name__}"
        )
    if not scenarios:
        raise ScenarioError("the scenario set is empty; expected at least one named scenario")
    constants = model.params
    candidates = [*constants, *model.doc.loc[list(constants), "name"]]
    prepared = {}
    for name, overrides in scenarios.items():
        if not isinstance(name, str) or not name.strip():
            raise ScenarioError(f"scenario names must be non-empty strings, got {name!r}")
        if not isinstance(overrides, Mapping):
            raise ScenarioError(
                f"scenario {name!r} must map parameter names to values, got "
                f"{type(overrides).__name__}"
            )
        for key in overrides:
            try:
                py = model.resolve(str(key), what="parameter")
            except ParameterError:
                raise ScenarioError(
                    f"scenario {name!r}: unknown parameter {key!r}; model {model.name!r} has no "
                    f"constant of that name.{suggest(str(key), candidates)}"
                ) from None
            if py not in constants:
                kind = str(model.doc.at[py, "kind"]).lower() or "computed variable"
                raise ScenarioError(
                    f"scenario {name!r}: {key!r} is not a constant of model {model.name!r} "
                    f"(it is a {kind}); expected one of its parameters."
                    f"{suggest(str(key), candidates)}"
                )
        try:
            prepared[name] = model.prepare_params(overrides)
            model.check_constraints(prepared[name])
            if check is not None:
                check(model, prepared[name])
        except ParameterError as err:
            raise ScenarioError(f"scenario {name!r}: {err}") from None
    return prepared


def run_scenarios(
    model,
    scenarios: Mapping[str, Mapping[str, object]],
    *,
    final_time: float | None = None,
    return_vars=None,
    progress: bool = False,
    check: Callable | None = None,
) -> xr.Dataset:
    """Run each scenario and stack the results along a ``scenario`` dimension.

    Every scenario is checked before the first run, so a bad one fails fast.

    Parameters
    ----------
    model : sdmodel.Model
    scenarios : mapping
        ``{name: {parameter: value}}`` (parameters by original or python name), e.g. a
        :class:`ScenarioSet` from :func:`load_scenarios`.
    final_time : float, optional
        Simulation end time (default: the model's).
    return_vars : iterable of str, optional
        Variables to keep (default: all of PySD's default outputs).
    progress : bool, optional
        Show a progress bar of the scenarios on stderr (default: none, nothing printed).
    check : callable, optional
        A model-specific check of each scenario's parameters (see :func:`validate_scenarios`).

    Returns
    -------
    xarray.Dataset
        Dimensions ``("scenario", "time")`` plus any subscript dimensions. Coordinates along
        ``scenario``: ``overrides`` (each scenario's overrides as JSON text) and ``description``
        (when ``scenarios`` is a :class:`ScenarioSet`). Attrs: the model's provenance,
        ``scenarios`` (all overrides as JSON) and ``baseline`` when the set names one.

    Raises
    ------
    ScenarioError
        An empty set or a bad scenario (see :func:`validate_scenarios`).
    SimulationError
        Bad ``final_time`` or ``return_vars``.

    Examples
    --------
    >>> ds = run_scenarios(model, {"slow": {"catch_up_rate": 0.05},
    ...                            "fast": {"catch_up_rate": 0.2}})
    >>> ds.sizes["scenario"]
    2
    """
    from ._progress import bar as progress_bar

    prepared = validate_scenarios(model, scenarios, check=check)
    names = list(prepared)
    bar = progress_bar(names, progress=progress, desc=f"{model.name} scenarios", unit="scenario")
    runs = []
    try:
        for name in bar:
            bar.set_postfix_str(name, refresh=False)
            runs.append(model.run(prepared[name], final_time=final_time, return_vars=return_vars))
    finally:
        bar.close()
    ds = xr.concat(runs, dim="scenario", data_vars="all", coords="minimal", join="exact",
                   combine_attrs="override")
    ds = ds.assign_coords(scenario=np.array(names, dtype=str))
    overrides = {name: json.loads(params_to_json(prepared[name])) for name in names}
    ds = ds.assign_coords(overrides=("scenario", [json.dumps(overrides[n]) for n in names]))
    ds["overrides"].attrs["long_name"] = "parameter overrides of each scenario (JSON)"
    descriptions = getattr(scenarios, "descriptions", None)
    if descriptions:
        ds = ds.assign_coords(description=("scenario", [descriptions.get(n, "") for n in names]))
    ds.attrs.pop("parameters", None)
    ds.attrs["scenarios"] = json.dumps(overrides)
    baseline = getattr(scenarios, "baseline", None)
    if baseline:
        ds.attrs["baseline"] = baseline
    return ds
