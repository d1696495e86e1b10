"""Calibration parameters in the manner of lmfit: value, bounds, vary flag and units.

Examples
--------
>>> from sdmodel.calibration import create_params
>>> params = create_params(catch_up_rate=dict(value=0.3, min=0.01, max=1.0),
...                        frontier_growth_rate=(0.0, 0.05))
>>> params["catch_up_rate"].value
0.3
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from numbers import Real
from typing import SupportsFloat, cast

import xarray as xr

from ..exceptions import CalibrationError, ParameterError, SDModelError, suggest

__all__ = ["Parameter", "Parameters", "create_params"]


@dataclass
class Parameter:
    """One model constant to calibrate.

    Parameters
    ----------
    name : str
        The model constant, by original or python name (resolved against the model later).
    value : float, optional
        Start value. ``None`` means the model's default (or the middle of the bounds when the
        default lies outside them).
    min, max : float
        Bounds (``-inf``/``inf`` when open).
    vary : bool
        ``False`` holds the parameter at ``value``.
    units : str
        Filled in from the model when the parameters are checked against it.
    stderr : float or None
        Standard error, set on fitted parameters.
    init_value : float or None
        The start value, set on fitted parameters.

    Examples
    --------
    >>> Parameter("catch_up_rate", 0.2, min=0.0, max=1.0)
    Parameter('catch_up_rate', value=0.2, min=0, max=1, vary=True)
    """

    name: str
    value: float | None = None
    min: float = -math.inf
    max: float = math.inf
    vary: bool = True
    units: str = ""
    stderr: float | None = None
    init_value: float | None = None

    def __post_init__(self) -> None:
        self.name = str(self.name)
        self.min = _number(self.name, "min", self.min, default=-math.inf)
        self.max = _number(self.name, "max", self.max, default=math.inf)
        if self.value is not None:
            self.value = _number(self.name, "value", self.value)
            if math.isinf(self.value):
                raise CalibrationError(
                    f"parameter {self.name!r}: start value must be finite, got {self.value}"
                )
        if not isinstance(self.vary, (bool,)):
            raise CalibrationError(f"parameter {self.name!r}: vary must be True or False")
        self.check_bounds()

    def check_bounds(self) -> None:
        """Raise :class:`CalibrationError` for inverted bounds or a start value outside them."""
        if self.min > self.max or (self.vary and self.min == self.max):
            raise CalibrationError(
                f"parameter {self.name!r} has inverted bounds: min={self.min:g} > "
                f"max={self.max:g}; expected min < max"
                if self.min > self.max
                else f"parameter {self.name!r} has min == max == {self.min:g}; expected min < "
                "max for a varying parameter (use vary=False to hold it fixed)"
            )
        if self.value is not None and not (self.min <= self.value <= self.max):
            raise CalibrationError(
                f"parameter {self.name!r}: start value {self.value:g} is outside its bounds "
                f"[{self.min:g}, {self.max:g}]"
            )

    def __repr__(self) -> str:
        parts = [f"value={self.value:g}" if self.value is not None else "value=None"]
        if self.stderr is not None:
            parts.append(f"+/-{self.stderr:.3g}")
        parts += [f"min={self.min:g}", f"max={self.max:g}", f"vary={self.vary}"]
        return f"Parameter({self.name!r}, {', '.join(parts)})"


class Parameters(Mapping[str, Parameter]):
    """An ordered collection of :class:`Parameter` keyed by name.

    Examples
    --------
    >>> params = Parameters()
    >>> params.add("catch_up_rate", value=0.2, min=0.0, max=1.0)
    >>> params.add("frontier_growth_rate", min=0.0, max=0.05)
    >>> list(params)
    ['catch_up_rate', 'frontier_growth_rate']
    >>> params.valuesdict()["catch_up_rate"]
    0.2
    """

    def __init__(self, items: Mapping[str, Parameter] | None = None) -> None:
        self._items: dict[str, Parameter] = {}
        for name, par in (items or {}).items():
            self[name] = par

    def add(
        self,
        name: str,
        value: float | None = None,
        *,
        min: float = -math.inf,  # noqa: A002 - lmfit's spelling
        max: float = math.inf,  # noqa: A002
        vary: bool = True,
        units: str = "",
    ) -> None:
        """Add (or replace) a parameter."""
        self[name] = Parameter(name, value, min=min, max=max, vary=vary, units=units)

    def __setitem__(self, name: str, par: Parameter) -> None:
        if not isinstance(par, Parameter):
            raise CalibrationError(f"parameter {name!r} must be a Parameter, got {par!r}")
        if par.name != name:
            par = replace(par, name=name)
        self._items[name] = par

    def __getitem__(self, name: str) -> Parameter:
        try:
            return self._items[name]
        except KeyError:
            raise KeyError(f"no parameter {name!r}.{suggest(name, self._items)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def valuesdict(self) -> dict[str, float | None]:
        """``{name: value}`` of every parameter."""
        return {k: p.value for k, p in self._items.items()}

    def copy(self) -> "Parameters":
        return Parameters({k: replace(p) for k, p in self._items.items()})

    @property
    def varying(self) -> list[str]:
        """Names of the parameters with ``vary=True``."""
        return [k for k, p in self._items.items() if p.vary]

    def __repr__(self) -> str:
        return "Parameters([" + ", ".join(repr(p) for p in self._items.values()) + "])"

    def check_against(self, model) -> "Parameters":
        """Resolve names against ``model`` and fill in start values, units and documented limits.

        Returns a new :class:`Parameters` keyed by python name.

        Raises
        ------
        ParameterError
            A name that is not a (scalar) constant of the model.
        CalibrationError
            Bounds outside the model's documented limits ``[min, max]``, or a start value that
            cannot be placed inside the bounds.
        """
        out = Parameters()
        constants = model.params
        doc = model.doc
        for name, par in self._items.items():
            try:
                py = model.resolve(name, what="parameter")
            except SDModelError:
                raise ParameterError(
                    f"calibration parameter {name!r} is not in model {model.name!r}; expected "
                    f"one of its constants.{suggest(name, constants)}"
                ) from None
            if py not in constants:
                kind = doc.at[py, "kind"] if py in doc.index else "control variable"
                raise ParameterError(
                    f"calibration parameter {name!r} is not a constant of model "
                    f"{model.name!r} (it is {kind or 'a control variable'}); expected one of "
                    f"{sorted(constants)}"
                )
            if py in out:
                raise CalibrationError(f"parameter {name!r} is given twice (as {py!r})")
            default = constants[py]
            if isinstance(default, xr.DataArray):
                raise ParameterError(
                    f"calibration parameter {name!r} is subscripted over {default.dims}; only "
                    "scalar constants can be calibrated"
                )
            lo, hi = _limits(doc.at[py, "limits"])
            if (math.isfinite(par.min) and par.min < lo) or (
                math.isfinite(par.max) and par.max > hi
            ):
                raise CalibrationError(
                    f"parameter {name!r}: bounds [{par.min:g}, {par.max:g}] go outside the "
                    f"model's documented range [{lo:g}, {hi:g}] of {py!r}"
                )
            pmin = par.min if math.isfinite(par.min) else lo
            pmax = par.max if math.isfinite(par.max) else hi
            value = par.value
            if value is not None and not pmin <= value <= pmax:
                raise CalibrationError(
                    f"parameter {name!r}: start value {value:g} is outside its bounds "
                    f"[{pmin:g}, {pmax:g}] (the model's documented range of {py!r})"
                )
            if value is None:
                value = float(default)
                if not pmin <= value <= pmax:
                    if not (math.isfinite(pmin) and math.isfinite(pmax)):
                        raise CalibrationError(
                            f"parameter {name!r}: the model default {value:g} is outside the "
                            f"bounds [{pmin:g}, {pmax:g}]; give a start value"
                        )
                    value = 0.5 * (pmin + pmax)
            out[py] = Parameter(
                py, value, min=pmin, max=pmax, vary=par.vary,
                units=par.units or str(model.units.get(py, "")),
            )
        return out


def create_params(**specs: object) -> Parameters:
    """Build :class:`Parameters` from keyword specifications.

    Each keyword is a parameter name; its value is one of

    - a number: the start value, bounds from the model's documented limits;
    - a ``(min, max)`` pair: the bounds, start at the model default (or their middle);
    - a ``(value, min, max)`` triple;
    - a dict with any of ``value, min, max, vary, units``;
    - a :class:`Parameter`.

    Raises
    ------
    CalibrationError
        Inverted bounds, a start value outside its bounds, or an unreadable specification.

    Examples
    --------
    >>> p = create_params(catch_up_rate=(0.01, 1.0), frontier_growth_rate=dict(value=0.02, max=0.05))
    >>> p["catch_up_rate"].min, p["frontier_growth_rate"].value
    (0.01, 0.02)
    """
    return as_parameters(specs)


def as_parameters(specs: object) -> Parameters:
    """Coerce :class:`Parameters`, a mapping of specifications or a list of names."""
    if isinstance(specs, Parameters):
        return specs.copy()
    if isinstance(specs, (list, tuple, set)) and all(isinstance(s, str) for s in specs):
        specs = {s: None for s in specs}
    if not isinstance(specs, Mapping) or not specs:
        raise CalibrationError(
            "params must be a non-empty mapping {name: spec} (number, (min, max), "
            f"(value, min, max), dict or Parameter), got {specs!r}"
        )
    out = Parameters()
    for name, spec in specs.items():
        out[str(name)] = _one(str(name), spec)
    return out


def _one(name: str, spec: object) -> Parameter:
    if isinstance(spec, Parameter):
        return replace(spec, name=name)
    if spec is None:
        return Parameter(name)
    if isinstance(spec, Mapping):
        unknown = set(spec) - {"value", "min", "max", "vary", "units"}
        if unknown:
            raise CalibrationError(
                f"parameter {name!r}: unknown keys {sorted(unknown)}; expected value, min, "
                "max, vary, units"
            )
        return Parameter(name, **spec)
    if isinstance(spec, (tuple, list)):
        if len(spec) == 2:
            return Parameter(name, None, min=spec[0], max=spec[1])
        if len(spec) == 3:
            return Parameter(name, spec[0], min=spec[1], max=spec[2])
    if isinstance(spec, Real) and not isinstance(spec, bool):
        return Parameter(name, float(spec))
    raise CalibrationError(
        f"parameter {name!r}: cannot read specification {spec!r}; expected a number, "
        "(min, max), (value, min, max), a dict or a Parameter"
    )


def _number(name: str, what: str, value: object, *, default: float | None = None) -> float:
    if value is None and default is not None:
        return default
    if isinstance(value, bool) or not isinstance(value, Real) or math.isnan(float(value)):
        raise CalibrationError(f"parameter {name!r}: {what} must be a number, got {value!r}")
    return float(value)


def _limits(limits: object) -> tuple[float, float]:
    lo, hi = -math.inf, math.inf
    if isinstance(limits, (tuple, list)) and len(limits) >= 2:
        if limits[0] is not None and not _isnan(limits[0]):
            lo = float(limits[0])
        if limits[1] is not None and not _isnan(limits[1]):
            hi = float(limits[1])
    return lo, hi


def _isnan(x: object) -> bool:
    try:
        return math.isnan(float(cast(SupportsFloat, x)))  # float() refuses the rest
    except (TypeError, ValueError):
        return True
