"""Shared plumbing of the sector functions: name prefixes, wiring and parameter tables.

A sector adds its elements through a :class:`Block`, which prefixes every name the sector
defines and resolves the ``{braced}`` names in equations: a name the sector was told to wire to
(its ``inputs``) becomes that name, any other braced name is one of the sector's own and gets
the prefix. Parameters are declared in a table of :class:`Param` (default, units, plausible
range, source), so the documented range of every constant lives next to its default.

Local names (the keys of ``inputs``, of the returned name maps and of the parameter tables)
are lower case; the model names the sectors create are their display form
(:func:`display_name`: capitalised, acronyms in capitals, e.g. ``"GDP per capita"``,
``"RER half life"``). Vensim and PySD fold case, so the python names stay lower case
(``gdp_per_capita``) and a reference in any case finds the element.

Examples
--------
>>> from sdmodel.builder import Builder
>>> b = Builder("demo", initial_time=0, final_time=1, time_step=1)
>>> blk = Block(b, prefix="a ", inputs={"price": "world price"})
>>> blk.eq("{rate} * {price}")
'A rate * world price'
>>> display_name("gdp per capita"), display_name("rer half life")
('GDP per capita', 'RER half life')
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ...exceptions import BuilderError

__all__ = ["Param", "Block", "check_prefix", "display_name", "ACRONYMS"]

_BRACED = re.compile(r"\{([^{}]+)\}")
#: Words written in capitals in display names.
ACRONYMS = ("gdp", "rer")
_ACRONYM = re.compile(r"\b(" + "|".join(ACRONYMS) + r")\b")


def display_name(name: str) -> str:
    """The display form of a model name: acronyms in capitals, the first letter capitalised.

    Only case changes, so the Vensim name folds to the same key and PySD's python name (lower
    case) is unchanged.

    Examples
    --------
    >>> display_name("real exchange rate")
    'Real exchange rate'
    """
    name = _ACRONYM.sub(lambda m: m.group(1).upper(), name)
    return name[:1].upper() + name[1:]


@dataclass(frozen=True)
class Param:
    """A sector constant: default, units, plausible range and the source of both.

    Attributes
    ----------
    default : float
        Default value.
    units : str
        Vensim unit string.
    low, high : float
        Plausible range (rendered as the Vensim range; used by the sensitivity check).
    doc : str
        Meaning, and the source or reasoning behind the default and range.
    """

    default: float
    units: str
    low: float
    high: float
    doc: str


def check_prefix(prefix: object) -> str:
    """Return a valid name prefix (empty or text ending in a space/underscore)."""
    if not isinstance(prefix, str):
        raise BuilderError(f"prefix {prefix!r} is a {type(prefix).__name__}; expected a str")
    if prefix and prefix[-1] not in " _":
        prefix += " "
    return prefix


class Block:
    """Adds one sector's elements to a builder with a name prefix and wired inputs.

    Parameters
    ----------
    builder : sdmodel.Builder
        The model being assembled.
    prefix : str
        Prepended to every name the sector defines (``""`` for none).
    inputs : mapping of str to str
        ``{local name: model name}`` of the variables the sector reads from other sectors.
    """

    def __init__(self, builder, *, prefix: str = "", inputs: Mapping[str, str] | None = None):
        self.b = builder
        self.prefix = check_prefix(prefix)
        self.inputs = dict(inputs or {})
        self.created: dict[str, str] = {}

    def name(self, local: str) -> str:
        """The model name of a local name (an input's wiring as given, or the display form of
        the prefixed own name)."""
        if local in self.inputs:
            return self.inputs[local]
        return display_name(f"{self.prefix}{local}")

    def eq(self, text: str) -> str:
        """Resolve the ``{braced}`` names of an equation."""
        return _BRACED.sub(lambda m: self.name(m.group(1)), text)

    def _record(self, local: str, full: str) -> str:
        self.created[local] = full
        return full

    def params(self, table: Mapping[str, Param], values: Mapping[str, float]) -> None:
        """Add the constants of a parameter table, overriding defaults by ``values``."""
        unknown = set(values) - set(table)
        if unknown:
            raise BuilderError(
                f"unknown sector parameter(s) {sorted(unknown)}; expected some of {sorted(table)}"
            )
        for local, p in table.items():
            value = values.get(local, p.default)
            self._record(local, self.b.constant(
                self.name(local), value, units=p.units, doc=p.doc, limits=(p.low, p.high)
            ))

    def constant(self, local: str, value: float, *, units: str, doc: str, limits=None) -> str:
        """Add a constant outside the parameter table (e.g. one generated from data)."""
        return self._record(local, self.b.constant(
            self.name(local), value, units=units, doc=doc, limits=limits
        ))

    def aux(self, local: str, equation: str, *, units: str, doc: str, limits=None) -> str:
        return self._record(local, self.b.aux(
            self.name(local), self.eq(equation), units=units, doc=doc, limits=limits
        ))

    def flow(self, local: str, equation: str, *, units: str, doc: str) -> str:
        return self._record(local, self.b.flow(
            self.name(local), self.eq(equation), units=units, doc=doc
        ))

    def stock(self, local: str, *, initial: str | float, inflows=(), outflows=(), units: str,
              doc: str, non_negative: bool = False) -> str:
        init = self.eq(initial) if isinstance(initial, str) else initial
        return self._record(local, self.b.stock(
            self.name(local), initial=init, inflows=[self.name(f) for f in inflows],
            outflows=[self.name(f) for f in outflows], units=units, doc=doc,
            non_negative=non_negative,
        ))

    def lookup(self, local: str, points, *, units: str, input_units: str, doc: str) -> str:
        return self._record(local, self.b.lookup(
            self.name(local), points, units=units, input_units=input_units, doc=doc
        ))
