"""The result type of unit checking: :class:`UnitProblem`."""

from __future__ import annotations

import html
from dataclasses import dataclass

__all__ = ["UnitProblem", "KINDS"]

#: Kinds of problem, and what each means.
KINDS = {
    "mismatch": "an equation's units differ from the units declared for its variable "
                "(for a stock: its net flow is not in stock units per time unit)",
    "inconsistent": "operands that must have equal units do not (terms of a sum, the two "
                    "sides of a comparison, IF THEN ELSE branches, MIN/MAX arguments)",
    "argument": "a function argument has the wrong units (EXP of a dimensional quantity, a "
                "delay time not in time units, a lookup input that is not its declared input)",
    "unchecked": "a construct whose units cannot be determined (a macro call, a function "
                 "with no unit rule, a power of a dimensional quantity by a variable exponent)",
    "undeclared": "a variable with no units (reported only with require_units=True)",
}


@dataclass(frozen=True)
class UnitProblem:
    """One unit problem found by :func:`sdmodel.check_units`.

    Attributes
    ----------
    variable : str
        The variable whose equation holds the problem, as named in the model.
    equation : str
        Its equation, ``name = right-hand side`` (rendered from PySD's syntax tree).
    expected : str
        The units the context requires (e.g. the declared units, ``Dmnl`` for an EXP argument).
    found : str
        The units the expression has.
    explanation : str
        What is wrong, naming the sub-expression at fault.
    kind : str
        One of :data:`KINDS`.

    Examples
    --------
    >>> p = UnitProblem("sales", "sales = price + volume", "$", "Widget",
    ...                 "terms of a sum must have equal units", kind="inconsistent")
    >>> print(p)
    sales [inconsistent]: terms of a sum must have equal units
        equation: sales = price + volume
        expected: $
        found:    Widget
    """

    variable: str
    equation: str
    expected: str
    found: str
    explanation: str
    kind: str = "mismatch"

    def __str__(self) -> str:
        return (f"{self.variable} [{self.kind}]: {self.explanation}\n"
                f"    equation: {self.equation}\n"
                f"    expected: {self.expected}\n"
                f"    found:    {self.found}")

    def _repr_html_(self) -> str:
        cells = (self.variable, self.kind, self.explanation, self.equation, self.expected,
                 self.found)
        return "<table><tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + \
            "</tr></table>"
