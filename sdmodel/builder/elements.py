"""Model elements held by :class:`sdmodel.Builder`, and the checks on their parts.

Names compare as Vensim compares them: case-insensitively, with runs of spaces and underscores
folded into one separator (``"Reinvestment share"``, ``"reinvestment_share"`` and
``"REINVESTMENT  SHARE"`` are the same name). :func:`fold` gives that key; for ASCII names
without apostrophes it equals PySD's python name (:func:`python_name`).

Examples
--------
>>> fold("Reinvestment  Share")
'reinvestment_share'
>>> format_number(2000.0), format_number(0.1), format_number(1e-12)
('2000', '0.1', '1e-12')
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from dataclasses import dataclass
from numbers import Real

from ..exceptions import BuilderError

__all__ = [
    "Element",
    "KINDS",
    "CONTROL_NAMES",
    "fold",
    "python_name",
    "reserved_names",
    "check_name",
    "check_unit_text",
    "check_doc",
    "check_equation",
    "check_limits",
    "format_number",
    "number",
]

#: Element kinds, in the order they are described in docs and errors.
KINDS = ("constant", "stock", "flow", "aux", "lookup")

#: Vensim's simulation control names (folded), always defined.
CONTROL_NAMES = {
    "time": "Time",
    "initial_time": "INITIAL TIME",
    "final_time": "FINAL TIME",
    "time_step": "TIME STEP",
    "saveper": "SAVEPER",
}

# A Vensim name the builder accepts: a letter first, then letters, digits, spaces or
# underscores (the unquoted identifiers both Vensim and PySD read the same way).
_NAME = re.compile(r"[^\W\d_][\w ]*", re.UNICODE)
# PySD's parser structures that are not Vensim functions.
_NOT_FUNCTIONS = {"arithmetic", "call", "data", "logic", "lookup", "reference", "subscripts_ref"}


@functools.cache
def reserved_names() -> frozenset[str]:
    """Folded names a variable cannot take: Vensim's word operators and function names.

    Examples
    --------
    >>> {"smooth", "if_then_else", "max", "and"} <= reserved_names()
    True
    """
    from pysd.builders.python.python_functions import functionspace
    from pysd.translators.vensim.vensim_structures import structures

    functions = {k.lower() for k in functionspace} | {
        k for k in structures if not k.endswith("_ops") and k not in _NOT_FUNCTIONS
    }
    return frozenset(functions | {"and", "or", "not", "na"})
_FORBIDDEN_TEXT = {"~": "tilde", "|": "vertical bar"}


def fold(name: str) -> str:
    """Vensim comparison key of a name: lower case, spaces/underscores folded to one ``_``.

    Examples
    --------
    >>> fold("  Capital_stock ") == fold("capital STOCK")
    True
    """
    return "_".join(str(name).replace("_", " ").lower().split())


def python_name(name: str) -> str:
    """PySD's python name of a Vensim name, before PySD adds ``_1`` to a reserved word.

    Same steps as ``pysd.builders.python.namespace.NamespaceManager.make_python_identifier``:
    lower case, whitespace/underscore runs to ``_``, accents dropped, other characters removed.

    Examples
    --------
    >>> python_name("Tobin's  Q"), python_name("Café rate")
    ('tobins_q', 'cafe_rate')
    """
    s = re.sub(r"[\s_]+", "_", str(name).strip().lower())
    s = unicodedata.normalize("NFD", s).encode("ascii", "ignore").decode("utf-8")
    s = re.sub(r"[^0-9a-zA-Z_]", "", s)
    return re.sub(r"_+", "_", s)


def check_name(name: object, *, what: str = "element") -> str:
    """Return ``name`` with its spaces normalised, or raise BuilderError if Vensim cannot use it.

    Examples
    --------
    >>> check_name("capital  stock")
    'capital stock'
    """
    if not isinstance(name, str):
        raise BuilderError(f"{what} name {name!r} is a {type(name).__name__}; expected a str")
    clean = " ".join(name.split())
    if not clean or not _NAME.fullmatch(clean):
        raise BuilderError(
            f"{what} name {name!r} is not a valid Vensim name; expected a letter first, then "
            "letters, digits, spaces or underscores (e.g. 'reinvestment share')"
        )
    key = fold(clean)
    if key in CONTROL_NAMES:
        raise BuilderError(
            f"{what} name {name!r} is Vensim's built-in {CONTROL_NAMES[key]!r}; the builder "
            "defines the simulation control variables itself (pass them to Builder(...))"
        )
    if key in reserved_names():
        raise BuilderError(
            f"{what} name {name!r} is a Vensim function or keyword; expected another name "
            f"(e.g. {clean + ' value'!r})"
        )
    return clean


def _check_text(text: object, *, field: str, owner: str, allow_empty: bool) -> str:
    if not isinstance(text, str):
        raise BuilderError(f"{field} of {owner!r} is a {type(text).__name__}; expected a str")
    if not allow_empty and not text.strip():
        raise BuilderError(f"{field} of {owner!r} is empty; expected a non-empty string")
    return text


def check_unit_text(units: object, *, owner: str) -> str:
    """Validate a Vensim unit string (``"Dmnl"`` for dimensionless); returns it stripped."""
    text = " ".join(_check_text(units, field="units", owner=owner, allow_empty=False).split())
    bad = sorted(set(text) & set("~|[]"))
    if bad:
        raise BuilderError(
            f"units {units!r} of {owner!r} contain {', '.join(map(repr, bad))}; Vensim unit "
            "strings cannot hold '~', '|', '[' or ']' (ranges go in limits=)"
        )
    return text


def check_doc(doc: object, *, owner: str) -> str:
    """Validate a doc string (any text; special characters are escaped when rendered)."""
    return _check_text(doc, field="doc", owner=owner, allow_empty=False)


def check_equation(equation: object, *, owner: str) -> str:
    """Validate an equation string in Vensim syntax; returns it on one line."""
    if isinstance(equation, Real) and not isinstance(equation, bool):
        return format_number(number(equation, what="equation", owner=owner))
    text = " ".join(_check_text(equation, field="equation", owner=owner, allow_empty=False).split())
    for char, label in _FORBIDDEN_TEXT.items():
        if char in text:
            raise BuilderError(
                f"equation of {owner!r} contains a {label} ({char!r}), which ends a Vensim "
                f"element; expected an expression such as 'a * b': {equation!r}"
            )
    return text


def number(value: object, *, what: str, owner: str) -> float:
    """Return ``value`` as a finite float, or raise BuilderError naming ``owner``."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise BuilderError(f"{what} of {owner!r} is {value!r}; expected a finite number")
    value = float(value)
    if not math.isfinite(value):
        raise BuilderError(f"{what} of {owner!r} is {value!r}; expected a finite number")
    return value


def check_limits(limits: object, *, owner: str) -> tuple[float | None, ...] | None:
    """Validate ``(min, max)`` or ``(min, max, step)``; ``None`` entries mean unbounded."""
    if limits is None:
        return None
    if not isinstance(limits, (tuple, list)) or len(limits) not in (2, 3):
        raise BuilderError(
            f"limits of {owner!r} are {limits!r}; expected (min, max) or (min, max, step)"
        )
    out = tuple(
        None if v is None else number(v, what="a limit", owner=owner) for v in limits
    )
    lo, hi = out[0], out[1]
    if lo is not None and hi is not None and lo > hi:
        raise BuilderError(f"limits of {owner!r} are {limits!r}; expected min <= max")
    if len(out) == 3 and (out[2] is None or out[2] <= 0):
        raise BuilderError(f"limits of {owner!r} are {limits!r}; expected a positive step")
    return out


def format_number(value: float) -> str:
    """Shortest text that reads back as exactly ``value`` (integers without ``.0``).

    Examples
    --------
    >>> format_number(-3.0), format_number(0.25), format_number(1e20)
    ('-3', '0.25', '1e+20')
    """
    value = float(value)
    if value == 0:
        return "0"
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


@dataclass(frozen=True)
class Element:
    """One model element as the builder holds it.

    Attributes
    ----------
    name : str
        Original spelling (spaces normalised).
    kind : str
        One of :data:`KINDS`.
    equation : str
        Vensim expression: the value of a constant, the rate of a flow, the auxiliary's formula;
        for a stock its initial value; empty for a lookup.
    units, doc : str
        Unit string and documentation.
    limits : tuple or None
        ``(min, max)`` or ``(min, max, step)``; ``None`` means unbounded.
    inflows, outflows : tuple of str
        A stock's flows (names as given).
    non_negative : bool
        A stock kept from going below zero (see :func:`sdmodel.builder.rendering.render`).
    points : tuple of (float, float)
        A lookup's points, sorted by x.
    input_units : str
        A lookup's input units.
    """

    name: str
    kind: str
    equation: str
    units: str
    doc: str
    limits: tuple[float | None, ...] | None = None
    inflows: tuple[str, ...] = ()
    outflows: tuple[str, ...] = ()
    non_negative: bool = False
    points: tuple[tuple[float, float], ...] = ()
    input_units: str = ""

    @property
    def key(self) -> str:
        """The folded name, Vensim's comparison key (see :func:`python_name` for PySD's)."""
        return fold(self.name)
