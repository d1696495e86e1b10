"""Figure annotations a model registers: shaded periods and its default panels.

A model with a notable period (a commodity boom, a policy regime) registers it once with
:func:`register`; :func:`sdmodel.plot.compare`, :func:`sdmodel.plot.fan` and
:func:`sdmodel.plot.window` then draw it on figures of that model's outputs when no
``periods=`` are given. Registrations are matched by variables: the first registration whose
``required`` variables a dataset (or model) has all of applies.

Examples
--------
>>> Period(2003, 2014, "commodity boom").text
'commodity boom 2003-2014'
>>> defaults_for({"x", "y"}).periods
()
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from numbers import Real

from ..exceptions import AnalysisError

__all__ = ["Period", "FigureDefaults", "register", "defaults_for", "check_periods", "names_of"]


@dataclass(frozen=True)
class Period:
    """A period shaded on time axes (or marked on a start-year axis).

    Parameters
    ----------
    start, end : float
        First and last time of the period (``start < end``).
    label : str, optional
        Legend text; the period is appended.

    Raises
    ------
    AnalysisError
        Non-finite or decreasing times.
    """

    start: float
    end: float
    label: str = ""

    def __post_init__(self) -> None:
        ok = all(isinstance(b, Real) and not isinstance(b, bool) and math.isfinite(b)
                 for b in (self.start, self.end))
        if not ok or not self.start < self.end:
            raise AnalysisError(
                f"a period must be (start, end) with finite start < end, got "
                f"({self.start!r}, {self.end!r})"
            )
        object.__setattr__(self, "start", float(self.start))
        object.__setattr__(self, "end", float(self.end))

    @property
    def text(self) -> str:
        """Legend text: the label and the period."""
        span = f"{self.start:g}-{self.end:g}"
        return f"{self.label} {span}" if self.label else span


@dataclass(frozen=True)
class FigureDefaults:
    """What a model registered: periods to shade and the variables drawn by default."""

    periods: tuple[Period, ...] = ()
    panels: tuple[str, ...] | None = None


_REGISTRY: list[tuple[frozenset[str], FigureDefaults]] = []


def register(
    required: Iterable[str],
    *,
    periods: Iterable[Period] = (),
    panels: Sequence[str] | None = None,
) -> None:
    """Register the figure annotations of datasets that hold every ``required`` variable.

    Parameters
    ----------
    required : iterable of str
        Python names of variables identifying the model.
    periods : iterable of Period, optional
        Periods shaded on its figures.
    panels : sequence of str, optional
        Variables :func:`sdmodel.plot.compare` draws by default (those present).

    Examples
    --------
    >>> register({"my_stock"}, periods=[Period(10, 20, "drought")])
    """
    shaded = tuple(periods)
    for period in shaded:
        if not isinstance(period, Period):
            raise AnalysisError(f"periods must be sdmodel.plot.Period objects, got {period!r}")
    panel_names = tuple(panels) if panels is not None else None
    _REGISTRY.append((frozenset(required), FigureDefaults(shaded, panel_names)))


def names_of(source: object) -> set[str]:
    """Variable names of a Dataset, a Model (its ``doc`` index) or an iterable of names."""
    if hasattr(source, "data_vars"):
        return {str(v) for v in source.data_vars}
    if hasattr(source, "doc") and hasattr(source, "params"):
        return {str(v) for v in source.doc.index}
    if isinstance(source, Iterable):
        return {str(v) for v in source}
    return set()


def defaults_for(source: object) -> FigureDefaults:
    """The registered annotations of ``source`` (a Dataset, a Model or names), or none."""
    from ..bundled import register_bundled

    register_bundled()
    names = names_of(source)
    for required, found in _REGISTRY:
        if required <= names:
            return found
    return FigureDefaults()


def check_periods(periods: object, source: object) -> tuple[Period, ...]:
    """``periods`` as Period objects; ``None`` means those registered for ``source``.

    Raises
    ------
    AnalysisError
        Neither Period objects nor ``(start, end[, label])`` tuples.

    Examples
    --------
    >>> check_periods([(0, 10, "ramp")], None)
    (Period(start=0.0, end=10.0, label='ramp'),)
    """
    if periods is None:
        return defaults_for(source).periods
    if isinstance(periods, Period):
        return (periods,)
    if isinstance(periods, (str, bytes)) or not isinstance(periods, Iterable):
        raise AnalysisError(f"periods must be a sequence of Period objects, got {periods!r}")
    out = []
    for period in periods:
        if isinstance(period, Period):
            out.append(period)
        elif isinstance(period, Sequence) and not isinstance(period, str) and len(period) in (2, 3):
            out.append(Period(*period))
        else:
            raise AnalysisError(
                f"periods must be Period objects or (start, end[, label]) tuples, got {period!r}"
            )
    return tuple(out)
