"""Arithmetic of model variables compared with an observed series, e.g. rents as % of GDP.

Expressions are parsed with :mod:`ast` and may use model variable names (original names in
backquotes are not supported: use python names), numbers, ``+ - * / **``, unary minus and the
functions ``log, exp, sqrt, abs``. Nothing else is evaluated.

Examples
--------
>>> expr = Expression.parse("100 * resource_rents / gdp", lambda n: n)
>>> expr.names
('gdp', 'resource_rents')
>>> expr.evaluate({"resource_rents": 2.0, "gdp": 50.0})
4.0
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from ..exceptions import CalibrationError

__all__ = ["Expression"]

_FUNCS = {"log": np.log, "exp": np.exp, "sqrt": np.sqrt, "abs": np.abs}
_BINOPS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}


@dataclass(frozen=True)
class Expression:
    """A parsed expression over model variables (python names)."""

    text: str
    tree: ast.Expression
    names: tuple[str, ...]

    @classmethod
    def parse(cls, text: str, resolve: Callable[[str], str]) -> "Expression":
        """Parse ``text``; ``resolve`` maps each name to a model python name (or raises)."""
        try:
            tree = ast.parse(str(text), mode="eval")
        except SyntaxError as err:
            raise CalibrationError(f"cannot parse expression {text!r}: {err.msg}") from None
        names: list[str] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCS:
                    raise CalibrationError(
                        f"expression {text!r}: only the functions {sorted(_FUNCS)} are allowed"
                    )
                if len(node.args) != 1 or node.keywords:
                    raise CalibrationError(f"expression {text!r}: functions take one argument")
            elif isinstance(node, ast.Name):
                continue
            elif not isinstance(node, (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant,
                                       ast.Load, ast.USub, ast.UAdd, *_BINOPS)):
                raise CalibrationError(
                    f"expression {text!r}: {type(node).__name__} is not allowed; expected "
                    "arithmetic of variable names and numbers"
                )
        call_names = {n.func.id for n in ast.walk(tree)
                      if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id not in call_names:
                py = resolve(node.id)
                node.id = py
                if py not in names:
                    names.append(py)
        if not names:
            raise CalibrationError(f"expression {text!r} names no model variable")
        return cls(str(text), tree, tuple(sorted(names)))

    def evaluate(self, values: Mapping[str, object]):
        """Evaluate with ``values`` (numbers, arrays or DataArrays) for the names."""
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return _eval(self.tree.body, values)


def _eval(node, values):
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise CalibrationError(f"constant {node.value!r} is not a number")
        return float(node.value)
    if isinstance(node, ast.Name):
        return values[node.id]
    if isinstance(node, ast.BinOp):
        return _BINOPS[type(node.op)](_eval(node.left, values), _eval(node.right, values))
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, values)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.Call):
        return _FUNCS[node.func.id](_eval(node.args[0], values))
    raise CalibrationError(f"cannot evaluate {ast.dump(node)}")  # pragma: no cover
