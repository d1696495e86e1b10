"""Render PySD syntax-tree nodes back to Vensim-like equation text, for unit messages.

The text is for people reading a unit problem, not for re-parsing: names are shown as the
model writes them, functions in Vensim's upper case, and a lookup table as ``(table)``.

Examples
--------
>>> from pysd.translators.structures import abstract_expressions as ae
>>> node = ae.ArithmeticStructure(["*", "-"], (ae.ReferenceStructure("catch_up_rate"), 2, 1))
>>> render(node, {"catch_up_rate": "catch up rate"})
'catch up rate * 2 - 1'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
from pysd.translators.structures import abstract_expressions as ae

__all__ = ["render"]

_PRECEDENCE = {"^": 4, "*": 3, "/": 3, "+": 2, "-": 2}


def render(node: object, names: Mapping[str, str] | None = None) -> str:
    """Vensim-like text of a syntax-tree node.

    Parameters
    ----------
    node : AbstractSyntax or number
        A node of PySD's ``AbstractModel`` (``component.ast``) or a literal.
    names : mapping, optional
        PySD reference name (``catch_up_rate``) -> name as written in the model.

    Returns
    -------
    str
    """
    return _Renderer(names or {}).text(node)


class _Renderer:
    def __init__(self, names: Mapping[str, str]):
        self.names = names

    def text(self, node: object) -> str:
        for kind in type(node).__mro__:
            if kind in _RENDER:
                return _RENDER[kind](self, node)
        return type(node).__name__

    def operand(self, node: object, parent: int) -> str:
        text = self.text(node)
        if isinstance(node, ae.ArithmeticStructure) and node.operators != ["negative"]:
            if _PRECEDENCE.get(node.operators[0], 0) <= parent:
                return f"({text})"
        if isinstance(node, ae.LogicStructure):
            return f"({text})"
        return text

    def call(self, name: str, *args: object) -> str:
        return f"{name}(" + ", ".join(self.text(arg) for arg in args) + ")"

    def name(self, reference: str) -> str:
        if reference == "time":
            return self.names.get(reference, "Time")
        return self.names.get(reference, reference.replace("_", " "))


def _number(r: _Renderer, node) -> str:
    if isinstance(node, np.ndarray):
        return np.array2string(node, separator=", ", threshold=6)
    if isinstance(node, float) and node.is_integer() and abs(node) < 1e15:
        return str(int(node))
    return str(node)


def _arithmetic(r: _Renderer, node: ae.ArithmeticStructure) -> str:
    if node.operators == ["negative"]:
        return "-" + r.operand(node.arguments[0], 3)
    level = _PRECEDENCE.get(node.operators[0], 0)
    parts = [r.operand(node.arguments[0], level)]
    for op, arg in zip(node.operators, node.arguments[1:]):
        # the right operand of - / ^ binds tighter than a same-level left-to-right chain
        parts.append(f"{op} {r.operand(arg, level if op in '-/^' else level - 1)}")
    return " ".join(parts)


def _logic(r: _Renderer, node: ae.LogicStructure) -> str:
    if node.operators == [":NOT:"]:
        return ":NOT: " + r.operand(node.arguments[0], 5)
    parts = [r.operand(node.arguments[0], 5)]
    for op, arg in zip(node.operators, node.arguments[1:]):
        parts.append(f"{op} {r.operand(arg, 5)}")
    return " ".join(parts)


def _reference(r: _Renderer, node: ae.ReferenceStructure) -> str:
    text = r.name(node.reference)
    if node.subscripts is not None:
        text += r.text(node.subscripts)
    return text


def _subscripts(r: _Renderer, node: ae.SubscriptsReferenceStructure) -> str:
    return "[" + ", ".join(str(s) for s in node.subscripts) + "]"


def _call(r: _Renderer, node: ae.CallStructure) -> str:
    ref = node.function.reference
    shown = r.names.get(ref) or ref.upper().replace("_", " ")
    return r.call(shown, *node.arguments)


def _fields(label: str, *fields: str) -> Callable[[_Renderer, object], str]:
    def show(r: _Renderer, node) -> str:
        return r.call(label, *(getattr(node, f) for f in fields))
    return show


def _ordered(labels: dict[int, str], time_field: str) -> Callable[[_Renderer, object], str]:
    """DELAY1/DELAY3/SMOOTH/SMOOTH3, with the I form only when the initial value differs."""
    def show(r: _Renderer, node) -> str:
        label = labels[node.order]
        if node.initial is node.input:
            return r.call(label, node.input, getattr(node, time_field))
        return r.call(label + "I", node.input, getattr(node, time_field), node.initial)
    return show


def _lookups(r: _Renderer, node: ae.LookupsStructure) -> str:
    points = ", ".join(f"({_number(r, x)}, {_number(r, y)})" for x, y in zip(node.x, node.y))
    return f"({points})"


def _inline_lookups(r: _Renderer, node: ae.InlineLookupsStructure) -> str:
    return f"WITH LOOKUP({r.text(node.argument)}, {_lookups(r, node.lookups)})"


def _external(r: _Renderer, node) -> str:
    return type(node).__name__.replace("Structure", "").upper() + "(...)"


_RENDER: dict[type, Callable[[_Renderer, object], str]] = {
    int: _number,
    float: _number,
    np.number: _number,
    np.ndarray: _number,
    str: lambda r, node: repr(node),
    ae.ArithmeticStructure: _arithmetic,
    ae.LogicStructure: _logic,
    ae.ReferenceStructure: _reference,
    ae.SubscriptsReferenceStructure: _subscripts,
    ae.CallStructure: _call,
    ae.IntegStructure: _fields("INTEG", "flow", "initial"),
    ae.InitialStructure: _fields("INITIAL", "initial"),
    ae.DelayStructure: _ordered({1: "DELAY1", 3: "DELAY3"}, "delay_time"),
    ae.DelayNStructure: _fields("DELAY N", "input", "delay_time", "initial", "order"),
    ae.DelayFixedStructure: _fields("DELAY FIXED", "input", "delay_time", "initial"),
    ae.SmoothStructure: _ordered({1: "SMOOTH", 3: "SMOOTH3"}, "smooth_time"),
    ae.SmoothNStructure: _fields("SMOOTH N", "input", "smooth_time", "initial", "order"),
    ae.TrendStructure: _fields("TREND", "input", "average_time", "initial_trend"),
    ae.ForecastStructure: _fields("FORECAST", "input", "average_time", "horizon"),
    ae.SampleIfTrueStructure: _fields("SAMPLE IF TRUE", "condition", "input", "initial"),
    ae.GameStructure: _fields("GAME", "expression"),
    ae.AllocateAvailableStructure: _fields("ALLOCATE AVAILABLE", "request", "pp", "avail"),
    ae.AllocateByPriorityStructure: _fields(
        "ALLOCATE BY PRIORITY", "request", "priority", "size", "width", "supply"),
    ae.LookupsStructure: _lookups,
    ae.InlineLookupsStructure: _inline_lookups,
    ae.DataStructure: lambda r, node: "(data)",
    ae.GetLookupsStructure: _external,
    ae.GetDataStructure: _external,
    ae.GetConstantsStructure: _external,
}
