"""Unit rules of the built-in functions that PySD parses as calls (``CallStructure``).

Each rule takes the checker, the call node and the already-typed arguments (a list of
:class:`~sdmodel.units.checker.Typed`) and returns the units of the call, reporting problems
through the checker. Functions PySD parses into their own structures (INTEG, DELAY*, SMOOTH*,
TREND, FORECAST, SAMPLE IF TRUE, INITIAL, WITH LOOKUP, ALLOCATE ...) are typed in
:mod:`sdmodel.units.checker` instead.

Bare numbers and PULSE/PULSE TRAIN results are pure numbers that adopt the units their context
requires (as in ``amount * PULSE(5, 1)`` or ``flow = PULSE(5, 1)``).
"""

from __future__ import annotations

from collections.abc import Callable

from pysd.translators.structures import abstract_expressions as ae

__all__ = ["FUNCTIONS"]


def _same(label: str):
    """All arguments must agree; the call has their units."""
    def rule(c, node, args):
        return c.agree(list(zip(node.arguments, args)), f"the arguments of {label}")
    return rule


def _first(c, node, args):
    return args[0]


def _dimensionless(label: str):
    """Every argument must be dimensionless; so is the result."""
    def rule(c, node, args):
        for arg_node, arg in zip(node.arguments, args):
            c.expect_dimensionless(arg_node, arg, f"the argument of {label}")
        return c.known(c.registry.dimensionless)
    return rule


def _if_then_else(c, node, args):
    branches = list(zip(node.arguments[1:], args[1:]))
    return c.agree(branches, "the two branches of IF THEN ELSE")


def _sqrt(c, node, args):
    return c.power_of(node.arguments[0], args[0], 0.5)


def _power(c, node, args):
    return c.power(node.arguments[0], args[0], node.arguments[1], args[1])


def _step(c, node, args):
    c.expect_time(node.arguments[1], args[1], "the step time of STEP")
    return args[0]


def _ramp(c, node, args):
    for arg_node, arg in zip(node.arguments[1:], args[1:]):
        c.expect_time(arg_node, arg, "the start and end times of RAMP")
    slope = args[0]
    if slope.kind != "known" or c.time is None:
        return slope
    return c.known(slope.unit * c.time)


def _pulse(label: str, first_time_arg: int = 0):
    def rule(c, node, args):
        for arg_node, arg in zip(node.arguments[first_time_arg:], args[first_time_arg:]):
            c.expect_time(arg_node, arg, f"the times of {label}")
        return c.number()
    return rule


def _xidz(c, node, args):
    ratio = c.combine(args[0], args[1], "/")
    quotient = ae.ArithmeticStructure(["/"], (node.arguments[0], node.arguments[1]))
    return c.agree([(quotient, ratio), (node.arguments[2], args[2])],
                   "the quotient and the fallback value of XIDZ")


def _zidz(c, node, args):
    return c.combine(args[0], args[1], "/")


def _random(count: int, label: str):
    def rule(c, node, args):
        return c.agree(list(zip(node.arguments[:count], args[:count])), f"the bounds of {label}")
    return rule


def _time_value(c, node, args):
    return c.known(c.time) if c.time is not None else c.unknown()


def _prod(c, node, args):
    if args[0].kind == "known" and not c.registry.is_dimensionless(args[0].unit):
        return c.unchecked(node, "the units of PROD of a dimensional quantity depend on the "
                                 "number of elements")
    return args[0]


def _invert(c, node, args):
    return c.combine(c.number(), args[0], "/")


def _vector_select(c, node, args):
    """VECTOR SELECT(selection, values, missing value, action, error action): values' units."""
    return c.agree(list(zip(node.arguments[1:3], args[1:3])),
                   "the values and the missing value of VECTOR SELECT")


def _number(c, node, args):
    return c.number()


def _unchecked(c, node, args):
    return c.unchecked(node, "this function has no unit rule")


FUNCTIONS: dict[str, Callable] = {
    "if_then_else": _if_then_else,
    "min": _same("MIN"),
    "max": _same("MAX"),
    "modulo": _same("MODULO"),
    "quantum": _same("QUANTUM"),
    "active_initial": _same("ACTIVE INITIAL"),
    "abs": _first,
    "integer": _first,
    "sum": _first,
    "vmin": _first,
    "vmax": _first,
    "vmin_xmile": _first,
    "vmax_xmile": _first,
    "vector_reorder": _first,
    "prod": _prod,
    "exp": _dimensionless("EXP"),
    "ln": _dimensionless("LN"),
    "log": _dimensionless("LOG"),
    **{name: _dimensionless(name.upper()) for name in (
        "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh")},
    "sqrt": _sqrt,
    "power": _power,
    "step": _step,
    "ramp": _ramp,
    "Xramp": _ramp,  # XMILE's RAMP(slope, start)
    "pulse": _pulse("PULSE"),
    "pulse_train": _pulse("PULSE TRAIN"),
    "xidz": _xidz,
    "zidz": _zidz,
    "random_uniform": _random(2, "RANDOM UNIFORM"),
    "random_normal": _random(4, "RANDOM NORMAL"),
    "random_exponential": _random(3, "RANDOM EXPONENTIAL"),
    "random_0_1": _number,
    "get_time_value": _time_value,
    "invert_matrix": _invert,
    "pi": _number,
    "elmcount": _number,
    "vector_sort_order": _number,
    "vector_rank": _number,
    "vector_select": _vector_select,
    "a_function_of": _unchecked,
}
