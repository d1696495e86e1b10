"""A pint unit registry that understands the unit strings written in Vensim models.

Vensim unit strings are products and quotients of unit *words*: ``Person/Year``,
``$/(Person*Year)``, ``1/Month``, ``Dmnl``, ``tonnes CO2/Year``, ``m/s^2``. A word may hold
spaces and symbols (``$``, ``%``). :class:`UnitRegistry` parses such a string into a
:class:`pint.Unit`, resolving each word in this order:

1. the model's own synonyms (Vensim's *Units Equiv* groups, the ``22:`` lines of a ``.mdl``
   file, or ``synonyms=`` given by the caller): every name of a group means its first name;
2. the built-in Vensim vocabulary (:data:`VOCABULARY`): ``Dmnl``/``dimensionless``/
   ``fraction``/``1`` are dimensionless; ``Person``/``Persons``/``people`` one base unit;
   ``$``/``Dollar``/``USD`` another; ``Year``/``yr``, ``Month``, ``Quarter``, ``Week``,
   ``Day``, ``Hour``, ``Minute``, ``Second`` are pint's time units (a quarter is 3 months);
3. pint's own units, by exact name, symbol or plural (``kg``, ``m``, ``acre``, ``tonne``,
   ``kWh``, ``kilogram``), then case-folded for names of four letters or more (``Meters``).
   A match that pint only finds through an abbreviated SI prefix (``Rs`` would be
   *ronna-second*, ``unit`` *micro-nit*) is refused unless it is a common prefixed symbol
   (:data:`PREFIXED`), offset temperature units are refused (they cannot be multiplied), and
   so are the symbols of :data:`NOT_FROM_PINT` (``C`` is a temperature or carbon in system
   dynamics models, never pint's coulomb);
4. otherwise a new base unit, one per word with case and plural folded (``Widget``,
   ``widgets`` and ``Widgets`` are the same unit), shown as first written. With
   ``define_unknown=False`` an unknown word raises :class:`~sdmodel.exceptions.UnitError`.

Plural and case variants are equal (``Persons`` is ``Person``, ``days`` is ``Day``), unlike
Vensim's literal rule, because modellers rarely mean them to differ.

Examples
--------
>>> reg = UnitRegistry()
>>> reg.format(reg.parse("Persons/Person/Day"))
'1/Day'
>>> reg.format(reg.parse("$/(people*yr)"))
'$/(Person*Year)'
>>> reg.equal(reg.parse("Widgets/Month"), reg.parse("widget/month"))
True
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import cast

import pint

from ..exceptions import UnitError, suggest

__all__ = ["UnitRegistry", "VOCABULARY", "PREFIXED", "NOT_FROM_PINT", "read_synonyms", "fold"]

#: Built-in Vensim-style unit words (case-folded, singular) -> pint expression, or ``None``
#: for the model-specific base units named in :data:`_BASES`.
VOCABULARY: dict[str, str] = {
    "dmnl": "dimensionless",
    "dimensionless": "dimensionless",
    "fraction": "dimensionless",
    "unitless": "dimensionless",
    "1": "dimensionless",
    "person": "sd_person",
    "people": "sd_person",
    "$": "sd_dollar",
    "dollar": "sd_dollar",
    "usd": "sd_dollar",
    "year": "year",
    "yr": "year",
    "month": "month",
    "mo": "month",
    "quarter": "sd_quarter",
    "week": "week",
    "wk": "week",
    "day": "day",
    "hour": "hour",
    "hr": "hour",
    "minute": "minute",
    "second": "second",
    "sec": "second",
    "percent": "percent",
    "%": "percent",
}

#: Units the vocabulary defines in pint, with their definition and how they are shown.
_BASES = {"sd_person": "Person", "sd_dollar": "$"}
_DERIVED = {"sd_quarter": ("3 * month", "Quarter")}
_TIME_NAMES = {name: name.capitalize() for name in
               ("year", "month", "week", "day", "hour", "minute", "second")}

#: SI-prefixed pint symbols accepted as unit words (other prefix matches are refused).
PREFIXED = frozenset(
    "km cm mm um nm kg mg ug ml kl kW MW GW TW kWh MWh GWh TWh kJ MJ GJ TJ PJ EJ kt Mt Gt "
    "kPa MPa kHz MHz GHz".split()
)

#: Words pint would read as a unit system dynamics models do not mean by them (exact case).
NOT_FROM_PINT = {"C": "coulomb"}

_TOKEN = re.compile(r"\s*(?:(?P<op>[*/^()])|(?P<num>[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?(?![\w$%]))"
                    r"|(?P<word>[^*/^()]+))")


def fold(word: str) -> str:
    """Case-fold a unit word, collapse its spaces and drop an English plural ending.

    Examples
    --------
    >>> [fold(w) for w in ("Persons", "Issues", "Days", "Bus", "Process", "Tonnes  CO2")]
    ['person', 'issue', 'day', 'bus', 'process', 'tonnes co2']
    """
    key = " ".join(word.split()).casefold()
    if len(key) > 3 and key.endswith("ies"):
        return key[:-3] + "y"
    if len(key) > 3 and key.endswith("es") and re.search(r"(s|x|ch|sh)es$", key):
        return key[:-2]
    if len(key) > 2 and key.endswith("s") and not re.search(r"(ss|us|is)$", key):
        return key[:-1]
    return key


def read_synonyms(text: str) -> list[list[str]]:
    """The unit synonym groups (``22:`` lines) of a Vensim ``.mdl`` file's settings section.

    Examples
    --------
    >>> read_synonyms("V300\\n:L<%^E!@\\n22:$,Dollar,Dollars,$s\\n22:Hour,Hours\\n")
    [['$', 'Dollar', 'Dollars', '$s'], ['Hour', 'Hours']]
    """
    groups = []
    for line in re.findall(r"^22:(.*)$", text, flags=re.MULTILINE):
        names = [name.strip() for name in line.split(",") if name.strip()]
        if names:
            groups.append(names)
    return groups


@lru_cache(maxsize=1)
def _pint_registry() -> pint.UnitRegistry:
    """The shared pint registry (its base units are added as words are met)."""
    ureg: pint.UnitRegistry = pint.UnitRegistry(autoconvert_offset_to_baseunit=False)
    for name in _BASES:
        ureg.define(f"{name} = [{name}]")
    for name, (definition, _shown) in _DERIVED.items():
        ureg.define(f"{name} = {definition}")
    return ureg


class UnitRegistry:
    """Parse and compare the unit strings of one model.

    Parameters
    ----------
    synonyms : iterable of iterable of str, optional
        Groups of unit names that mean the same; each name means the group's first name.
    define_unknown : bool, default True
        Make an unknown word a new base unit (Vensim's behaviour); when False an unknown word
        raises :class:`~sdmodel.exceptions.UnitError`.

    Examples
    --------
    >>> reg = UnitRegistry(synonyms=[["Widget", "Gadget"]])
    >>> reg.equal(reg.parse("Gadgets/Week"), reg.parse("Widget/Week"))
    True
    >>> reg.format(reg.parse("Widget") / reg.parse("Week"))
    'Widget/Week'
    """

    def __init__(self, *, synonyms: Iterable[Iterable[str]] = (), define_unknown: bool = True):
        self.ureg = _pint_registry()
        self.define_unknown = define_unknown
        self._synonyms: dict[str, str] = {}
        for group in synonyms:
            names = [str(name) for name in group]
            for name in names[1:]:
                if fold(name) != fold(names[0]):
                    self._synonyms[fold(name)] = names[0]
        self._words: dict[str, pint.Unit] = {}
        self._display: dict[str, str] = dict(_BASES)
        self._display.update({name: shown for name, (_d, shown) in _DERIVED.items()})
        self._display.update(_TIME_NAMES)
        self.dimensionless = self.ureg.dimensionless

    # -- parsing ---------------------------------------------------------------------------
    def parse(self, text: str, *, variable: str | None = None) -> pint.Unit | None:
        """Parse a unit string; ``None`` for an empty one (units not declared).

        Parameters
        ----------
        text : str
            A Vensim unit string, without its ``[min, max]`` range.
        variable : str, optional
            The variable it belongs to, named in error messages.

        Raises
        ------
        UnitError
            The string does not parse, or holds an unknown word and ``define_unknown`` is
            False.

        Examples
        --------
        >>> reg = UnitRegistry()
        >>> reg.format(reg.parse("m/s^2")), reg.parse("  ") is None
        ('meter/Second^2', True)
        """
        if not text or not text.strip():
            return None
        try:
            return _Parser(self, text).parse()
        except UnitError as err:
            owner = f"variable {variable!r}: " if variable else ""
            raise UnitError(f"{owner}cannot understand the unit string {text!r}: {err}") from None

    def word(self, word: str) -> pint.Unit:
        """The unit of one word (see the module docstring for the resolution order)."""
        key = fold(word)
        if key in self._words:
            return self._words[key]
        target = self._synonyms.get(key) or self._synonyms.get(" ".join(word.split()).casefold())
        unit: pint.Unit | None
        if target is not None:
            unit = self.word(target)
        else:
            unit = self._builtin(word, key)
        if unit is None:
            if not self.define_unknown:
                known = list(dict.fromkeys([*VOCABULARY, *self._words]))
                raise UnitError(f"unknown unit {word.strip()!r}: neither a Vensim unit nor one of "
                                f"pint's (define_unknown=False refuses new units)."
                                f"{suggest(key, known)}")
            unit = self._define(word, key)
        self._words[key] = unit
        return unit

    def _builtin(self, word: str, key: str) -> pint.Unit | None:
        raw = " ".join(word.split()).casefold()
        for name in (raw, key):
            if name in VOCABULARY:
                return self.ureg.Unit(VOCABULARY[name])
        word = word.strip()
        for candidate in (word, word.lower() if len(word) > 3 else None):
            unit = self._pint_word(candidate) if candidate else None
            if unit is not None:
                return unit
        return None

    def _pint_word(self, word: str) -> pint.Unit | None:
        if not re.fullmatch(r"[A-Za-z_]\w*", word) or word in NOT_FROM_PINT:
            return None
        try:
            candidates = self.ureg.parse_unit_name(word)
        except Exception:  # pint raises several kinds for odd names
            return None
        if not candidates:
            return None
        prefix, name, _suffix = candidates[0]
        # a prefix is accepted spelled out (kilogram) or in a common symbol (kg), never
        # guessed from a short word (Rs is not ronna-second, unit is not micro-nit)
        if name.startswith("sd_") or (prefix and not word.startswith(prefix)
                                      and word not in PREFIXED):
            return None
        unit = self.ureg.Unit(prefix + name)
        try:
            self.ureg.Quantity(1.0, unit) * self.ureg.Quantity(1.0, "second")
        except pint.errors.OffsetUnitCalculusError:
            return None
        return unit

    def _define(self, word: str, key: str) -> pint.Unit:
        ident = "sd_" + re.sub(r"[^a-z0-9]", lambda m: f"x{ord(m.group()):x}_", key)
        if ident not in self._display:
            if ident not in self.ureg:
                self.ureg.define(f"{ident} = [{ident}]")
            self._display[ident] = " ".join(word.split())
        return self.ureg.Unit(ident)

    # -- comparing and showing -------------------------------------------------------------
    def ratio(self, a: pint.Unit, b: pint.Unit) -> float | None:
        """How many ``b`` one ``a`` is; ``None`` when their dimensions differ.

        Examples
        --------
        >>> reg = UnitRegistry()
        >>> reg.ratio(reg.parse("Month"), reg.parse("Year"))
        0.08333333333333333
        """
        return _ratio(self.ureg, a, b)

    def equal(self, a: pint.Unit, b: pint.Unit) -> bool:
        """True when ``a`` and ``b`` are the same unit (same dimension and a factor of 1)."""
        ratio = self.ratio(a, b)
        return ratio is not None and math.isclose(ratio, 1.0, rel_tol=1e-9)

    def is_dimensionless(self, unit: pint.Unit) -> bool:
        """True for a pure number with a factor of 1 (``Month/Year`` is not: it is 1/12)."""
        return self.equal(unit, self.dimensionless)

    def format(self, unit: pint.Unit | None) -> str:
        """Show a unit the way a modeller writes it: ``$/(Person*Year)``, ``1/Day``, ``Dmnl``.

        Examples
        --------
        >>> reg = UnitRegistry()
        >>> reg.format(reg.parse("Dmnl")), reg.format(None)
        ('Dmnl', '(not declared)')
        """
        if unit is None:
            return "(not declared)"
        up: list[str] = []
        down: list[str] = []
        for name, power in sorted(unit._units.items(), key=lambda item: _sort_key(item[0])):
            shown = self._display.get(name, name)
            if " " in shown:
                shown = f"({shown})"
            exponent = float(power.real)  # pint keeps exponents as real numbers
            (up if exponent > 0 else down).append(_power(shown, abs(exponent)))
        if not up and not down:
            return "Dmnl"
        top = "*".join(up) if up else "1"
        if not down:
            return top
        bottom = down[0] if len(down) == 1 else "(" + "*".join(down) + ")"
        return f"{top}/{bottom}"


def _sort_key(name: str) -> tuple[int, str]:
    return (0 if name.startswith("sd_") else 1, name)


def _power(name: str, power: float) -> str:
    if power == 1:
        return name
    if float(power).is_integer():
        return f"{name}^{int(power)}"
    return f"{name}^{power:g}"


@lru_cache(maxsize=4096)
def _ratio(ureg: pint.UnitRegistry, a: pint.Unit, b: pint.Unit) -> float | None:
    if a == b:
        return 1.0
    try:
        return float(ureg.Quantity(1.0, a).to(b).magnitude)
    except pint.errors.DimensionalityError:
        return None


class _Parser:
    """Recursive descent over ``expr := term (('*'|'/') term)*``,
    ``term := factor ('^' number)?``, ``factor := '(' expr ')' | number | word``."""

    def __init__(self, registry: UnitRegistry, text: str):
        self.registry = registry
        self.text = text
        self.tokens = self._tokenize(text)
        self.pos = 0

    @staticmethod
    def _tokenize(text: str) -> list[tuple[str, str]]:
        tokens: list[tuple[str, str]] = []
        pos = 0
        text = text.strip()
        while pos < len(text):
            match = _TOKEN.match(text, pos)
            if match is None or match.end() == pos or match.lastgroup is None:
                break  # only trailing blanks are left
            kind = match.lastgroup
            value = match.group(kind).strip()
            if value:
                tokens.append((kind, value))
            pos = match.end()
        return tokens

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _take(self) -> tuple[str, str]:
        token = self._peek()
        if token is None:
            raise UnitError("it ends where a unit was expected")
        self.pos += 1
        return token

    def parse(self) -> pint.Unit:
        unit = self._expr()
        left = self._peek()
        if left is not None:
            raise UnitError(f"unexpected {left[1]!r}")
        return unit

    def _expr(self) -> pint.Unit:
        unit = self._term()
        while self._peek() in (("op", "*"), ("op", "/")):
            op = self._take()[1]
            other = self._term()
            unit = unit * other if op == "*" else unit / other
        return unit

    def _term(self) -> pint.Unit:
        unit = self._factor()
        if self._peek() == ("op", "^"):
            self._take()
            unit = cast(pint.Unit, unit ** self._exponent())  # pint types powers as PlainUnit
        return unit

    def _exponent(self) -> float:
        kind, value = self._take()
        if (kind, value) == ("op", "("):
            exponent = self._exponent()
            if self._peek() != ("op", ")"):
                raise UnitError("expected ')' after the exponent")
            self._take()
            return exponent
        if kind != "num":
            raise UnitError(f"the exponent {value!r} is not a number")
        return float(value)

    def _factor(self) -> pint.Unit:
        kind, value = self._take()
        if (kind, value) == ("op", "("):
            unit = self._expr()
            if self._peek() != ("op", ")"):
                raise UnitError("a '(' is not closed")
            self._take()
            return unit
        if kind == "num":
            if float(value) != 1.0:
                raise UnitError(f"the number {value} is not a unit (only 1, as in 1/Year)")
            return self.registry.dimensionless
        if kind == "word":
            return self.registry.word(value)
        raise UnitError(f"unexpected {value!r}")
