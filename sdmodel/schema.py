"""Schemas of sdmodel's TOML files, validated with pydantic: scenario files and calibration configs.

Every section and key a file may hold is declared here, once. Unknown sections and keys are
refused with the closest valid name (``[calibraton]`` -> "Did you mean 'calibration'?"), wrong
types with the key, what was given and what was expected; errors are the typed errors of
:mod:`sdmodel.exceptions` (:class:`~sdmodel.exceptions.ScenarioError` for scenario files,
:class:`~sdmodel.exceptions.CalibrationError` for calibration configs).

Adding a section is one line in the file's schema, e.g. ``priors: dict[str, PriorTable] | None =
None`` in :class:`CalibrationFile`.

Examples
--------
>>> from sdmodel.schema import CalibrationFile, validate
>>> from sdmodel.exceptions import CalibrationError
>>> raw = {"model": {"path": "m.mdl"}, "data": {"country": "CHL"}, "params": {},
...        "series": [{"source": "wdi", "code": "X", "variable": "x"}],
...        "calibraton": {"method": "differential_evolution"}}
>>> try:
...     validate(CalibrationFile, raw, where="config c.toml", error=CalibrationError)
... except CalibrationError as err:
...     print(err)
config c.toml: unknown section [calibraton]; expected one of [model], [data], [series], [params], [calibration], [name]. Did you mean 'calibration'?
"""

from __future__ import annotations

import typing
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from .exceptions import SDModelError, suggest

__all__ = [
    "Table",
    "MetricTable",
    "WindowTable",
    "ModelSection",
    "DataSection",
    "SeriesTable",
    "CalibrationSection",
    "CalibrationFile",
    "validate",
]

S = TypeVar("S", bound=BaseModel)

Number = Annotated[float, Field(allow_inf_nan=False, strict=True)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Table(BaseModel):
    """A TOML table whose keys are all declared: unknown keys are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# ----------------------------------------------------------------------------- scenario files
class MetricTable(Table):
    """``[metrics.<name>]`` of a scenario file (see :class:`sdmodel.metrics.MetricSpec`)."""

    variable: Name
    reduce: Name = "final"
    year: Number | None = None
    start: Number | None = None
    end: Number | None = None
    rate: Number | None = None
    label: str | None = None


class WindowTable(Table):
    """``[window]`` of a scenario file: defaults of ``sdmodel window`` and :func:`window_sweep`."""

    start_lever: Name | None = None
    share_lever: Name | None = None
    metric: Name | None = None
    year: Number | None = None
    baseline: Name | None = None
    start_years: list[Number] | None = None
    shares: list[Number] | None = None
    threshold: Number | None = None


# ------------------------------------------------------------------------ calibration configs
class ModelSection(Table):
    """``[model]``: the model file (relative to the config) and optional window overrides."""

    path: Name
    initial_time: Number | None = None
    final_time: Number | None = None
    start_from: Literal["auto", "country", "model"] = "auto"


class DataSection(Table):
    """``[data]``: the country (ISO3 code), the years compared and the data folder."""

    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    start: int | None = None
    end: int | None = None
    dir: str | None = None


class SeriesTable(Table):
    """One ``[[series]]``: an observed series and the model variable (or expression) it fits."""

    source: Literal["wdi", "pwt", "commodity"]
    code: Name
    variable: Name
    scale: Number | None = None
    index_year: Number | None = None
    weight: Number | None = None
    start: int | None = None
    end: int | None = None


class CalibrationSection(Table):
    """``[calibration]``: keywords of :func:`sdmodel.calibrate`."""

    method: Name | None = None
    seed: int | None = None
    multistart: int | None = None
    normalize: str | None = None
    transform: str | dict[str, str] | None = None
    options: dict[str, Any] | None = None
    polish: bool | None = None
    workers: int | None = None
    engine: Name | None = None
    profile: bool | None = None


class CalibrationFile(Table):
    """A calibration config (see :mod:`sdmodel.calibration.config`)."""

    model: ModelSection
    data: DataSection
    series: Annotated[list[SeriesTable], Field(min_length=1)]
    params: dict[str, Any]
    calibration: CalibrationSection = CalibrationSection()
    name: str | None = None


# --------------------------------------------------------------------------------- validation
def validate(
    schema: type[S],
    data: object,
    *,
    where: str,
    error: type[SDModelError],
    section: str | None = None,
) -> S:
    """Validate ``data`` (a parsed TOML table) against ``schema``.

    Parameters
    ----------
    schema : type of pydantic.BaseModel
        One of the schemas of this module.
    data : object
        The parsed TOML.
    where : str
        The culprit, for messages (e.g. ``"scenario file 'a.toml'"``).
    error : type
        The :class:`~sdmodel.exceptions.SDModelError` subclass raised.
    section : str, optional
        The TOML table ``data`` is (e.g. ``"metrics.gdp"``), when it is not the whole file.

    Returns
    -------
    An instance of ``schema``.

    Raises
    ------
    error
        The first problem found: an unknown section or key (closest valid names suggested), a
        missing key, or a value of the wrong type.

    Examples
    --------
    >>> from sdmodel.exceptions import ScenarioError
    >>> validate(MetricTable, {"variable": "gdp", "reduce": "at", "year": 2040},
    ...          where="f.toml", error=ScenarioError).year
    2040.0
    """
    try:
        return schema.model_validate(data)
    except ValidationError as err:
        raise error(describe(err, schema, where, section=section)) from None


def describe(
    err: ValidationError, schema: type[BaseModel], where: str, *, section: str | None = None
) -> str:
    """One sentence for the first problem of a pydantic ``ValidationError``.

    An unknown name comes first: a misspelt key is also reported missing, and the misspelling is
    the culprit.
    """
    errors = err.errors()
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = tuple(first["loc"])
    key = str(loc[-1]) if loc else ""
    parent = loc[:-1]
    outer = (section,) if section else ()
    at = _where_in(outer + parent)
    if first["type"] == "extra_forbidden":
        valid = _fields_at(schema, parent)
        if not parent and not section:
            listed = ", ".join(f"[{name}]" for name in valid)
            return f"{where}: unknown section [{key}]; expected one of {listed}.{suggest(key, valid)}"
        return (
            f"{where}: unknown key {key!r} in {at}; expected some of "
            f"{', '.join(map(repr, valid))}.{suggest(key, valid)}"
        )
    if first["type"] == "missing":
        what = f"section [{key}]" if not parent and not section else f"key {key!r} in {at}"
        return f"{where}: the {what} is required"
    given = first.get("input")
    return f"{where}: {_where_in(outer + loc)}: {first['msg']} (got {given!r})"


def _where_in(loc: tuple) -> str:
    """``("series", 0, "source")`` -> ``"[[series]] #1, key 'source'"``."""
    if not loc:
        return "the file"
    parts = []
    head, rest = loc[0], loc[1:]
    if rest and isinstance(rest[0], int):
        parts.append(f"[[{head}]] #{rest[0] + 1}")
        rest = rest[1:]
    else:
        parts.append(f"[{head}]")
    if rest:
        parts.append(f"key {'.'.join(map(str, rest))!r}")
    return ", ".join(parts)


def _fields_at(schema: type[BaseModel], loc: tuple) -> list[str]:
    """The declared keys of the table at ``loc`` inside ``schema``."""
    model: Any = schema
    for part in loc:
        if isinstance(part, int) or not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return []
        model = _table_type(field.annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _table_type(annotation: Any) -> Any:
    """The schema class inside ``X``, ``X | None``, ``list[X]`` or ``Annotated[list[X], ...]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _table_type(arg)
        if found is not None:
            return found
    return None
