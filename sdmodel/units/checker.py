"""Check the units of a model by walking PySD's ``AbstractModel`` syntax trees.

Every equation's right-hand side is typed bottom-up through one dispatch table,
:data:`HANDLERS` (``{syntax node type: handler}``); calls of built-in functions follow the
rules of :mod:`sdmodel.units.functions`. The rules, as a modeller using Vensim's *Units Check*
knows them:

- terms of a sum, the two sides of a comparison, IF THEN ELSE branches and MIN/MAX arguments
  must have equal units (same dimension *and* a factor of 1: Month and Year differ);
- products and quotients combine units; a power needs a dimensionless exponent, and a
  dimensional base needs a literal exponent (``area^0.5`` is m when area is m^2; with a
  variable exponent the power is reported as ``unchecked``);
- a stock's net flow has the stock's units per time unit (the units of ``TIME STEP``) and its
  initial value the stock's units;
- delays and smooths keep the units of their input; their delay time is in time units and
  their initial value in the input's units; TREND is per time unit;
- EXP, LN, LOG, SIN, ... take dimensionless arguments and return a pure number;
- a lookup maps its input to its declared units; the input must be dimensionless (Vensim's
  rule) unless declared through ``lookup_inputs``;
- a reference has the units of its variable (whatever its subscripts); ``Time`` has the time
  unit; a subscript range used as a value is a number.

**Bare numbers** adopt the units their context requires. In a sum, comparison, IF THEN ELSE
branch or MIN/MAX a number takes the units of the other operands, so ``1 - x`` with ``x`` in
Dmnl and ``x + 5`` with ``x`` in Person are fine; in a product or quotient a number is
dimensionless, so ``x * 2`` keeps the units of ``x`` and ``1 / delay`` is per time unit; an
equation that is only a number (a constant) has its declared units. PULSE and PULSE TRAIN
results, data and external constants behave the same way.

Variables with no declared units are *unknown*: anything they touch is not checked (with
``require_units=True`` each is reported as a problem of kind ``undeclared``). A construct whose
units cannot be determined is reported once as a problem of kind ``unchecked`` (unless
``include_unchecked=False``) and is not checked further; the walk never fails on a model PySD
can parse.

Examples
--------
>>> import sdmodel as sd
>>> sd.check_units("models/validation/nelson_phelps.mdl")
[]
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast
from pathlib import Path

import numpy as np
import pint
from pysd.translators.structures import abstract_expressions as ae

from ..exceptions import UnitError, suggest
from .functions import FUNCTIONS
from .problems import UnitProblem
from .registry import UnitRegistry, read_synonyms
from .render import render

__all__ = ["check_units", "Typed", "HANDLERS"]

#: Control elements whose units give the model's time unit, in order of preference.
_TIME_ELEMENTS = ("time_step", "final_time", "initial_time", "saveper")
_COMPARISONS = {"=", "<>", "<", "<=", ">", ">="}


@dataclass(frozen=True)
class Typed:
    """The units of a sub-expression.

    ``kind`` is ``"known"`` (``unit`` holds a :class:`pint.Unit`), ``"number"`` (a bare
    number: adopts the units its context requires, dimensionless in products) or
    ``"unknown"`` (not determined: undeclared, or already reported; never checked).
    """

    kind: str
    unit: pint.Unit | None = None

    @property
    def u(self) -> pint.Unit:
        """The unit of a ``"known"`` sub-expression."""
        if self.unit is None:
            raise TypeError(f"a {self.kind!r} sub-expression has no unit")
        return self.unit


@dataclass
class _Element:
    name: str
    unit: pint.Unit | None
    element: Any  # pysd's AbstractElement
    is_lookup: bool


def check_units(
    model,
    *,
    synonyms: Iterable[Iterable[str]] = (),
    lookup_inputs: Mapping[str, str] | None = None,
    require_units: bool = False,
    include_unchecked: bool = True,
    define_unknown: bool = True,
) -> list[UnitProblem]:
    """Check that a model's equations agree with their declared units.

    Parameters
    ----------
    model : sdmodel.Model, path-like or AbstractModel
        A loaded model, a model file (translated through the cache, not run), or PySD's
        ``AbstractModel``.
    synonyms : iterable of iterable of str, optional
        Extra groups of unit names meaning the same (each name means its group's first),
        added to the ``22:`` synonym lines of a ``.mdl`` file.
    lookup_inputs : mapping, optional
        Lookup name (as in the model, or its Python name) -> units of its input. Lookups not
        listed take dimensionless input.
    require_units : bool, default False
        Report every variable without declared units (kind ``"undeclared"``).
    include_unchecked : bool, default True
        Report constructs whose units cannot be determined (kind ``"unchecked"``).
    define_unknown : bool, default True
        Make an unknown unit word a new base unit (Vensim's behaviour); when False it raises.

    Returns
    -------
    list of UnitProblem
        In model order; empty when the units are consistent.

    Raises
    ------
    UnitError
        A declared unit string cannot be parsed (or holds an unknown word with
        ``define_unknown=False``); the message names the variable and the string.

    Examples
    --------
    >>> problems = check_units("models/validation/nelson_phelps.mdl")
    >>> problems
    []
    """
    abstract_model, source = _abstract_model(model)
    groups = _file_synonyms(source) + [list(g) for g in synonyms]
    registry = UnitRegistry(synonyms=groups, define_unknown=define_unknown)
    checker = _Checker(abstract_model, registry, lookup_inputs=lookup_inputs or {},
                       require_units=require_units)
    problems = checker.run()
    if not include_unchecked:
        problems = [p for p in problems if p.kind != "unchecked"]
    return problems


def _abstract_model(model) -> tuple[object, Path | None]:
    """PySD's AbstractModel of ``model`` and the model file it comes from."""
    if hasattr(model, "abstract_model"):
        return model.abstract_model, Path(model.path) if getattr(model, "path", None) else None
    if isinstance(model, (str, os.PathLike)):
        from ..loading import translate

        translation = translate(model)
        return translation.abstract_model, translation.source
    if hasattr(model, "sections"):
        return model, Path(getattr(model, "original_path", "") or "") or None
    raise TypeError(f"check_units expects an sdmodel.Model, a model file or a PySD "
                    f"AbstractModel, not {type(model).__name__}")


def _file_synonyms(path: Path | None) -> list[list[str]]:
    """Synonym groups of a ``.mdl`` file (read from the file itself: a cached translation
    may record the path of another file with the same content)."""
    if path is None or path.suffix.lower() != ".mdl" or not path.is_file():
        return []
    return read_synonyms(path.read_text(encoding="utf-8", errors="replace"))


def _key(name: str) -> str:
    """PySD's reference form of a name (``Catch up Rate`` -> ``catch_up_rate``)."""
    return name.lower().replace(" ", "_")


class _Checker:
    """One pass over a model; handlers report into :attr:`problems`."""

    def __init__(self, abstract_model, registry: UnitRegistry, *,
                 lookup_inputs: Mapping[str, str], require_units: bool):
        self.model = abstract_model
        self.registry = registry
        self.require_units = require_units
        self.problems: list[UnitProblem] = []
        self._seen: set[UnitProblem] = set()
        main = abstract_model.sections[0]
        self.macros = {_key(s.name) for s in abstract_model.sections[1:]}
        self.elements = self._namespace(main)
        self.time = self._time_unit()
        self._time_skipped = False
        self.lookup_inputs = {}
        lookups = [info.name for info in self.elements.values() if info.is_lookup]
        for name, text in lookup_inputs.items():
            self.lookup_inputs[_key(name)] = registry.parse(text, variable=name)
            if not (_key(name) in self.elements and self.elements[_key(name)].is_lookup):
                raise UnitError(f"lookup_inputs names {name!r}, which is not a lookup of the "
                                f"model (its lookups: {', '.join(lookups) or 'none'})."
                                + suggest(name, lookups))
        self.current: _Element | None = None
        self.equation = ""

    # -- setup -----------------------------------------------------------------------------
    def _namespace(self, section) -> dict[str, _Element]:
        elements = {}
        for element in section.elements:
            unit = self.registry.parse(element.units or "", variable=element.name)
            is_lookup = any(isinstance(c.ast, (ae.LookupsStructure, ae.GetLookupsStructure))
                            for c in element.components)
            elements[_key(element.name)] = _Element(element.name, unit, element, is_lookup)
        self.subscripts = set()
        for subscript_range in section.subscripts:
            self.subscripts.add(_key(subscript_range.name))
            if isinstance(subscript_range.subscripts, list):
                self.subscripts.update(_key(str(s)) for s in subscript_range.subscripts)
        self.params = {_key(p) for p in section.params}
        self.names = {key: info.name for key, info in elements.items()}
        return elements

    def _time_unit(self) -> pint.Unit | None:
        for key in _TIME_ELEMENTS:
            info = self.elements.get(key)
            if info is not None and info.unit is not None:
                return info.unit
        return None

    # -- the walk --------------------------------------------------------------------------
    def run(self) -> list[UnitProblem]:
        for index, section in enumerate(self.model.sections):
            if index:
                self.elements = self._namespace(section)
            for info in self.elements.values():
                self.check_element(info)
        if self._time_skipped:
            self.current, self.equation = None, ""
            self.report("unchecked", "a time unit", "(not declared)",
                        "TIME STEP (and the other control variables) declare no units, so "
                        "stock-flow, delay-time and time-argument units were not checked",
                        variable="TIME STEP")
        return self.problems

    def check_element(self, info: _Element) -> None:
        self.current = info
        if info.unit is None and self.require_units:
            self.equation = info.name
            self.report("undeclared", "declared units", "(not declared)",
                        f"{info.name} has no units")
        if info.is_lookup:
            return
        for component in info.element.components:
            subscripts = component.subscripts[0] if component.subscripts else []
            lhs = info.name + (f"[{', '.join(subscripts)}]" if subscripts else "")
            self.equation = f"{lhs} = {render(component.ast, self.names)}"
            try:
                found = self.type(component.ast)
            except Exception as err:  # never fail a whole check on one equation
                self.report("unchecked", "-", "-", f"internal error while checking: "
                            f"{type(err).__name__}: {err}")
                continue
            if info.unit is not None and found.kind == "known":
                if not self.registry.equal(found.u, info.unit):
                    self.report("mismatch", self.fmt(info.unit), self.fmt(found.u),
                                f"the right-hand side has units {self.fmt(found.u)} but "
                                f"{info.name} is declared in {self.fmt(info.unit)}"
                                + self._factor_note(found.u, info.unit))

    def type(self, node) -> Typed:
        """The units of a syntax-tree node (dispatch on its type)."""
        for kind in type(node).__mro__:
            handler = HANDLERS.get(kind)
            if handler is not None:
                return handler(self, node)
        return self.unchecked(node, f"no unit rule for {type(node).__name__}")

    # -- results and reports ---------------------------------------------------------------
    def known(self, unit: pint.Unit) -> Typed:
        return Typed("known", unit)

    def number(self) -> Typed:
        return Typed("number")

    def unknown(self) -> Typed:
        return Typed("unknown")

    def fmt(self, unit: pint.Unit | None) -> str:
        return self.registry.format(unit)

    def report(self, kind: str, expected: str, found: str, explanation: str, *,
               variable: str | None = None) -> None:
        name = variable or (self.current.name if self.current else "(model)")
        problem = UnitProblem(name, self.equation, expected, found, explanation, kind)
        if problem not in self._seen:
            self._seen.add(problem)
            self.problems.append(problem)

    def unchecked(self, node, why: str) -> Typed:
        self.report("unchecked", "-", "-", f"`{render(node, self.names)}`: {why}; its units "
                    f"are not checked")
        return self.unknown()

    def _factor_note(self, a: pint.Unit, b: pint.Unit) -> str:
        ratio = self.registry.ratio(a, b)
        if ratio is None:
            return ""
        return f" (the same dimension, but 1 {self.fmt(a)} = {ratio:.6g} {self.fmt(b)})"

    # -- rules shared by handlers and function rules ---------------------------------------
    def agree(self, operands: list[tuple[object, Typed]], what: str) -> Typed:
        """Operands that must have equal units; bare numbers adopt them."""
        first = None
        for node, typed in operands:
            if typed.kind != "known":
                continue
            if first is None:
                first = (node, typed)
            elif not self.registry.equal(typed.u, first[1].u):
                self.report("inconsistent", self.fmt(first[1].u), self.fmt(typed.u),
                            f"{what} must have equal units: "
                            f"`{render(first[0], self.names)}` is {self.fmt(first[1].u)} "
                            f"but `{render(node, self.names)}` is {self.fmt(typed.u)}"
                            + self._factor_note(typed.u, first[1].u))
                return self.unknown()
        if first is not None:
            return first[1]
        if any(typed.kind == "unknown" for _, typed in operands):
            return self.unknown()
        return self.number()

    def expect(self, node, typed: Typed, unit: pint.Unit, what: str) -> None:
        """Report an ``argument`` problem when ``typed`` is known and is not ``unit``."""
        if typed.kind == "known" and not self.registry.equal(typed.u, unit):
            self.report("argument", self.fmt(unit), self.fmt(typed.u),
                        f"{what} `{render(node, self.names)}` should be in {self.fmt(unit)} "
                        f"but is in {self.fmt(typed.u)}" + self._factor_note(typed.u, unit))

    def expect_dimensionless(self, node, typed: Typed, what: str) -> None:
        self.expect(node, typed, self.registry.dimensionless, what)

    def expect_time(self, node, typed: Typed, what: str) -> None:
        if self.time is None:
            self._time_skipped = self._time_skipped or typed.kind == "known"
            return
        self.expect(node, typed, self.time, what)

    def combine(self, a: Typed, b: Typed, op: str) -> Typed:
        """Units of ``a * b`` or ``a / b`` (numbers are dimensionless here)."""
        if "unknown" in (a.kind, b.kind):
            return self.unknown()
        if a.kind == b.kind == "number":
            return self.number()
        ua = a.u if a.kind == "known" else self.registry.dimensionless
        ub = b.u if b.kind == "known" else self.registry.dimensionless
        return self.known(ua * ub if op == "*" else ua / ub)

    def power(self, base_node, base: Typed, exp_node, exponent: Typed) -> Typed:
        """Units of ``base ^ exponent``."""
        self.expect_dimensionless(exp_node, exponent, "the exponent")
        if base.kind != "known":
            return base
        if self.registry.is_dimensionless(base.u):
            return self.known(self.registry.dimensionless)
        value = self.constant(exp_node)
        if value is None:
            return self.unchecked(
                ae.ArithmeticStructure(["^"], (base_node, exp_node)),
                f"the base is in {self.fmt(base.u)} and the exponent is not a literal number")
        return self.power_of(base_node, base, value)

    def power_of(self, node, base: Typed, value: float) -> Typed:
        if base.kind != "known":
            return base
        return self.known(cast(pint.Unit, base.u ** value))  # pint types powers as PlainUnit

    def constant(self, node, depth: int = 0) -> float | None:
        """The value of an expression of literal numbers, else None.

        References to constants are not folded: their values change with parameters, and so
        would the units of a power of a dimensional base.
        """
        if depth > 20:
            return None
        if isinstance(node, (int, float, np.number)) and not isinstance(node, bool):
            return float(node)
        if isinstance(node, ae.ArithmeticStructure):
            folded = [self.constant(arg, depth + 1) for arg in node.arguments]
            values = [v for v in folded if v is not None]
            if len(values) != len(folded):
                return None
            if node.operators == ["negative"]:
                return -values[0]
            result: float | None = values[0]
            for op, value in zip(node.operators, values[1:]):
                result = _apply(op, result, value) if result is not None else None
            return result
        return None

    def lookup_call(self, info: _Element, node, argument: Typed) -> Typed:
        declared = self.lookup_inputs.get(_key(info.name))
        if info.unit is not None or declared is not None:
            wanted = declared if declared is not None else self.registry.dimensionless
            how = "its declared input" if declared is not None else (
                "dimensionless (Vensim's rule; scale it by a reference value or declare the "
                "input with lookup_inputs=)")
            self.expect(node.arguments[0], argument, wanted,
                        f"the input of lookup {info.name} must be {how}:")
        return self.known(info.unit) if info.unit is not None else self.unknown()


def _apply(op: str, a: float, b: float) -> float | None:
    try:
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            return a / b
        if op == "^":
            result = a ** b
            return result if isinstance(result, float) else None
    except (OverflowError, ZeroDivisionError):
        return None
    return None


# -- handlers: one per syntax-node type ------------------------------------------------------
def _number(c: _Checker, node) -> Typed:
    return c.number()


def _reference(c: _Checker, node: ae.ReferenceStructure) -> Typed:
    info = c.elements.get(node.reference)
    if info is not None:
        if info.is_lookup:
            return c.unknown()
        return c.known(info.unit) if info.unit is not None else c.unknown()
    if node.reference == "time":
        return c.known(c.time) if c.time is not None else c.unknown()
    if node.reference in c.subscripts:
        return c.number()
    if node.reference in c.params:  # a macro's parameter
        return c.unknown()
    return c.unchecked(node, "not a variable of the model")


def _arithmetic(c: _Checker, node: ae.ArithmeticStructure) -> Typed:
    args = [c.type(arg) for arg in node.arguments]
    ops = node.operators
    if ops == ["negative"]:
        return args[0]
    if set(ops) <= {"+", "-"}:
        return c.agree(list(zip(node.arguments, args)), f"the terms of `{render(node, c.names)}`")
    result, left = args[0], node.arguments[0]
    for op, arg_node, arg in zip(ops, node.arguments[1:], args[1:]):
        if op in ("*", "/"):
            result = c.combine(result, arg, op)
        elif op == "^":
            result = c.power(left, result, arg_node, arg)
        else:  # a mixed chain (not produced by the Vensim translator): pairwise sums
            result = c.agree([(left, result), (arg_node, arg)],
                             f"the terms of `{render(node, c.names)}`")
        left = ae.ArithmeticStructure([op], (left, arg_node))
    return result


def _logic(c: _Checker, node: ae.LogicStructure) -> Typed:
    args = [c.type(arg) for arg in node.arguments]
    if set(node.operators) & _COMPARISONS:
        c.agree(list(zip(node.arguments, args)),
                f"the two sides of `{render(node, c.names)}`")
    return c.known(c.registry.dimensionless)


def _call(c: _Checker, node: ae.CallStructure) -> Typed:
    name = node.function.reference
    args = [c.type(arg) for arg in node.arguments]
    info = c.elements.get(name)
    if info is not None and info.is_lookup and args:
        return c.lookup_call(info, node, args[0])
    if name in c.macros:
        return c.unchecked(node, "macro calls are not unit-checked")
    rule = FUNCTIONS.get(name)
    if rule is None:
        return c.unchecked(node, f"{name.upper().replace('_', ' ')} has no unit rule")
    if len(args) < _arity(name):
        return c.unchecked(node, "unexpected number of arguments")
    return rule(c, node, args)


def _arity(name: str) -> int:
    return {"if_then_else": 3, "xidz": 3, "step": 2, "power": 2, "zidz": 2, "ramp": 2,
            "pulse": 1, "random_uniform": 2, "random_normal": 4,
            "random_exponential": 3, "vector_select": 3}.get(name, 0 if name in ("pi", "random_0_1") else 1)


def _integ(c: _Checker, node: ae.IntegStructure) -> Typed:
    flow, initial = c.type(node.flow), c.type(node.initial)
    current = c.current
    if current is None or current.unit is None:
        return c.unknown()
    stock = current.unit
    c.expect(node.initial, initial, stock, "the initial value")
    if c.time is None:
        c._time_skipped = c._time_skipped or flow.kind == "known"
    elif flow.kind == "known":
        wanted = stock / c.time
        if not c.registry.equal(flow.u, wanted):
            c.report("mismatch", c.fmt(wanted), c.fmt(flow.u),
                     f"the net flow `{render(node.flow, c.names)}` of stock {current.name} "
                     f"is in {c.fmt(flow.u)}; a stock in {c.fmt(stock)} needs flows in "
                     f"{c.fmt(wanted)} (stock units per time unit)"
                     + c._factor_note(flow.u, wanted))
    return c.known(stock)


def _delayed(time_field: str, label: str) -> Callable[[_Checker, object], Typed]:
    """DELAY*/SMOOTH*: output in the input's units; delay time in time units."""
    def handler(c: _Checker, node) -> Typed:
        value, initial = c.type(node.input), c.type(node.initial)
        delay_node = getattr(node, time_field)
        c.expect_time(delay_node, c.type(delay_node), f"the delay time of {label}")
        order = getattr(node, "order", None)
        if order is not None and not isinstance(order, (int, float)):
            c.expect_dimensionless(order, c.type(order), f"the order of {label}")
        return c.agree([(node.input, value), (node.initial, initial)],
                       f"the input and the initial value of {label}")
    return handler


def _trend(c: _Checker, node: ae.TrendStructure) -> Typed:
    c.type(node.input)
    c.expect_time(node.average_time, c.type(node.average_time), "the average time of TREND")
    per_time = c.known(c.registry.dimensionless / c.time) if c.time is not None else c.unknown()
    if c.time is not None:
        c.expect(node.initial_trend, c.type(node.initial_trend), per_time.u,
                 "the initial trend of TREND")
    return per_time


def _forecast(c: _Checker, node: ae.ForecastStructure) -> Typed:
    value = c.type(node.input)
    for field in ("average_time", "horizon"):
        c.expect_time(getattr(node, field), c.type(getattr(node, field)),
                      f"the {field.replace('_', ' ')} of FORECAST")
    if c.time is not None:
        c.expect(node.initial_trend, c.type(node.initial_trend),
                 c.registry.dimensionless / c.time, "the initial trend of FORECAST")
    return value


def _sample_if_true(c: _Checker, node: ae.SampleIfTrueStructure) -> Typed:
    c.type(node.condition)
    return c.agree([(node.input, c.type(node.input)), (node.initial, c.type(node.initial))],
                   "the input and the initial value of SAMPLE IF TRUE")


def _inline_lookup(c: _Checker, node: ae.InlineLookupsStructure) -> Typed:
    argument = c.type(node.argument)
    if c.current is not None and c.current.unit is not None:
        c.expect_dimensionless(node.argument, argument,
                               "the input of WITH LOOKUP must be dimensionless (Vensim's rule):")
        return c.known(c.current.unit)
    return c.unknown()


def _allocate_available(c: _Checker, node: ae.AllocateAvailableStructure) -> Typed:
    c.type(node.pp)
    return c.agree([(node.request, c.type(node.request)), (node.avail, c.type(node.avail))],
                   "the requests and the availability of ALLOCATE AVAILABLE")


def _allocate_by_priority(c: _Checker, node: ae.AllocateByPriorityStructure) -> Typed:
    c.agree([(node.priority, c.type(node.priority)), (node.width, c.type(node.width))],
            "the priorities and the width of ALLOCATE BY PRIORITY")
    c.type(node.size)
    return c.agree([(node.request, c.type(node.request)), (node.supply, c.type(node.supply))],
                   "the requests and the supply of ALLOCATE BY PRIORITY")


#: The dispatch table: syntax-node type -> handler(checker, node) -> Typed.
HANDLERS: dict[type, Callable[[_Checker, Any], Typed]] = {
    int: _number,
    float: _number,
    np.number: _number,
    np.ndarray: _number,
    str: _number,
    ae.ReferenceStructure: _reference,
    ae.ArithmeticStructure: _arithmetic,
    ae.LogicStructure: _logic,
    ae.CallStructure: _call,
    ae.IntegStructure: _integ,
    ae.DelayStructure: _delayed("delay_time", "DELAY"),
    ae.DelayNStructure: _delayed("delay_time", "DELAY N"),
    ae.DelayFixedStructure: _delayed("delay_time", "DELAY FIXED"),
    ae.SmoothStructure: _delayed("smooth_time", "SMOOTH"),
    ae.SmoothNStructure: _delayed("smooth_time", "SMOOTH N"),
    ae.TrendStructure: _trend,
    ae.ForecastStructure: _forecast,
    ae.SampleIfTrueStructure: _sample_if_true,
    ae.InitialStructure: lambda c, node: c.type(node.initial),
    ae.GameStructure: lambda c, node: c.type(node.expression),
    ae.InlineLookupsStructure: _inline_lookup,
    ae.AllocateAvailableStructure: _allocate_available,
    ae.AllocateByPriorityStructure: _allocate_by_priority,
    ae.DataStructure: _number,
    ae.GetDataStructure: _number,
    ae.GetConstantsStructure: _number,
    ae.LookupsStructure: lambda c, node: c.unknown(),
    ae.GetLookupsStructure: lambda c, node: c.unknown(),
}
