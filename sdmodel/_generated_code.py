"""Model files never run code: what PySD pastes into the module it writes is neutralised and audited.

PySD's Python builder (``pysd/builders/python``) writes model text into the source of the
module it generates. Names and units go through ``repr`` and are safe, but

* an element's documentation (a Vensim comment, an XMILE ``<doc>``) is pasted between
  ``\"\"\"`` quotes unescaped, so a comment containing ``\"\"\"`` ends the docstring and the
  rest of it becomes code;
* the file, sheet and cell arguments of ``GET XLS``/``GET DIRECT`` functions, subscript range
  names, macro names and parameters are pasted between ``'`` quotes unescaped.

Two defences, both applied at translation time:

1. :func:`neutralise` edits the syntax tree before the build: a run of three or more ``"`` in
   documentation becomes the same number of ``'`` (the comment reads the same and can no longer
   close the docstring); the quoted strings above must not contain a quote, backslash, line
   break or NUL (:class:`~sdmodel.exceptions.TranslationError` naming the element otherwise).
2. :func:`audit_module` reads every generated file with :mod:`ast` and refuses anything PySD's
   templates never produce: imports other than PySD's run time, numpy, xarray, scipy and
   pathlib; imports, classes, ``global``, ``with``, ``try`` or ``del`` anywhere; a name that
   is neither defined in the module nor one of a few harmless built-ins (so no ``exec``,
   ``eval``, ``open``, ``getattr`` or ``__import__``); an attribute outside the set PySD's
   templates use (so no ``__class__``, ``system`` or ``write_text``).

Examples
--------
>>> import ast
>>> _audit_tree(ast.parse("__import__('os').system('true')"), "hostile.py")
Traceback (most recent call last):
...
sdmodel.exceptions.TranslationError: hostile.py line 1: the ... is not one PySD's generated code uses; refusing to import code a model file could have injected
"""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path
from typing import Any

from .exceptions import TranslationError

__all__ = ["neutralise", "audit_module", "audit_folder"]

_TRIPLE = re.compile(r'"{3,}')
_UNSAFE = re.compile(r"['\\\r\n\x00]")
#: Fields of the syntax tree that PySD pastes between single quotes unescaped.
_PASTED_FIELDS = {"file", "tab", "x_row_or_col", "cell", "time_row_or_col", "keyword"}

#: Built-in names PySD's templates call or read.
_BUILTINS = {"float", "int", "bool", "len", "sum", "abs", "min", "max", "range", "round",
             "dict", "list", "tuple", "zip", "isinstance", "__file__", "None", "True", "False"}
#: Attributes PySD's templates use (collected from ``pysd/builders/python`` and the source it
#: generated for the 134 PySD test models and sdmodel's own models).
_ATTRIBUTES = {
    "add", "expand_dims", "final_time", "initial_time", "joinpath", "loc", "parent", "rename",
    "reset_coords", "saveper", "stage", "time_step", "transpose", "values", "DataArray",
    "ones_like", "zeros_like", "abs", "arange", "arccos", "arcsin", "arctan", "array", "cos",
    "cosh", "exp", "inf", "interp", "log", "logical_and", "logical_not", "logical_or",
    "maximum", "minimum", "nan", "pi", "power", "random", "sin", "sinh", "sqrt", "tan",
    "tanh", "uniform", "truncexpon", "truncnorm", "rvs",
}
_MODULES = {"numpy", "xarray", "scipy", "scipy.stats", "pathlib", "pysd"}
_FORBIDDEN_NODES = (ast.ClassDef, ast.AsyncFunctionDef, ast.Global, ast.Nonlocal, ast.With,
                    ast.AsyncWith, ast.Try, ast.Delete, ast.Await, ast.Yield, ast.YieldFrom,
                    ast.NamedExpr, ast.Raise, ast.While)


def _element_of(where: list[str]) -> str:
    return " > ".join(where) or "the model"


def _neutralise(obj: Any, where: list[str]) -> None:
    if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
        if isinstance(obj, (list, tuple)):
            for item in obj:
                _neutralise(item, where)
        elif isinstance(obj, dict):
            for key, value in obj.items():
                _check_pasted(key, "a subscript or parameter name", where)
                _neutralise(value, where)
        return
    name = getattr(obj, "name", None)
    here = where + [repr(name)] if isinstance(name, str) else where
    for key, value in vars(obj).items():
        if key == "documentation" and isinstance(value, str):
            setattr(obj, key, _TRIPLE.sub(lambda m: "'" * len(m.group()), value))
        elif key in _PASTED_FIELDS and isinstance(value, str):
            _check_pasted(value, f"its {key!r} argument", here)
        elif key in ("subscripts_dict", "params") and value:
            for item in (value.items() if isinstance(value, dict) else value):
                for text in (item if isinstance(item, tuple) else (item,)):
                    if isinstance(text, str):
                        _check_pasted(text, "a subscript or parameter name", here)
                    elif isinstance(text, (list, tuple)):
                        for sub in text:
                            _check_pasted(sub, "a subscript value", here)
        elif type(obj).__name__ == "AbstractSection" and key == "name":
            _check_pasted(value, "its macro name", here)
        else:
            _neutralise(value, here)


def _check_pasted(text: Any, what: str, where: list[str]) -> None:
    if isinstance(text, str) and _UNSAFE.search(text):
        raise TranslationError(
            f"{_element_of(where)}: {what} {text!r} contains a quote, backslash, line break or "
            "NUL; PySD would paste it unescaped into Python source, so the model is refused"
        )


def neutralise(abstract_model: Any) -> Any:
    """Make the text PySD pastes into generated source harmless, in place; return the tree.

    Raises
    ------
    TranslationError
        A string PySD pastes between single quotes (external file/sheet/cell, subscript or
        macro name) contains a quote, backslash, line break or NUL.

    Examples
    --------
    >>> from pysd.translators.structures.abstract_model import AbstractElement
    >>> el = AbstractElement("x", [], documentation="say " + '"' * 3 + "; import os")
    >>> neutralise(el).documentation
    "say '''; import os"
    """
    _neutralise(abstract_model, [])
    return abstract_model


class _Auditor(ast.NodeVisitor):
    def __init__(self, source: str, defined: set[str]):
        self.source = source
        self.defined = defined

    def refuse(self, node: ast.AST, what: str) -> None:
        raise TranslationError(
            f"{self.source} line {getattr(node, 'lineno', '?')}: {what}; refusing to import code "
            "a model file could have injected"
        )

    def generic_visit(self, node: ast.AST) -> None:
        if isinstance(node, _FORBIDDEN_NODES):
            self.refuse(node, f"a {type(node).__name__} statement is not one PySD generates")
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            self.refuse(node, "an import inside a function is not one PySD generates")
        super().generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load) and node.id not in self.defined | _BUILTINS:
            self.refuse(node, f"the name {node.id!r} is not one PySD's generated code uses")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr not in _ATTRIBUTES:
            self.refuse(node, f"the attribute {node.attr!r} is not one PySD's generated code uses")
        self.visit(node.value)


def _imported_module_ok(module: str) -> bool:
    return module in _MODULES or module.startswith("pysd.py_backend")


def _audit_tree(tree: ast.Module, source: str) -> None:
    defined: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            defined.add(node.id)
        elif isinstance(node, ast.FunctionDef):
            defined.add(node.name)
        elif isinstance(node, ast.arg):
            defined.add(node.arg)
    for node in tree.body:  # a macro's parameters: PySD's Macro binds them at run time
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "_params"
                and isinstance(node.value, ast.Dict)):
            defined.update(v.value for v in node.value.values
                           if isinstance(v, ast.Constant) and isinstance(v.value, str)
                           and v.value.isidentifier() and not v.value.startswith("__"))
    auditor = _Auditor(source, defined)
    for statement in tree.body:
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                if not _imported_module_ok(alias.name):
                    auditor.refuse(statement, f"the import of {alias.name!r} is not one PySD generates")
                defined.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(statement, ast.ImportFrom):
            if statement.level or not _imported_module_ok(statement.module or ""):
                auditor.refuse(statement, f"the import from {statement.module!r} is not one PySD generates")
            defined.update(alias.asname or alias.name for alias in statement.names)
        elif isinstance(statement, (ast.Assign, ast.FunctionDef, ast.Expr)):
            auditor.visit(statement)
        else:
            auditor.refuse(statement, f"a top-level {type(statement).__name__} is not one PySD generates")


def audit_module(path: str | Path) -> None:
    """Refuse (``TranslationError``) a generated module holding code PySD's templates never write.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "ok.py"
    >>> _ = f.write_text("import numpy as np\\nx = np.exp(1.0)\\n")
    >>> audit_module(f)
    """
    path = Path(path)
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (SyntaxError, ValueError, UnicodeDecodeError) as err:
        raise TranslationError(f"the module PySD generated, {path.name}, is not valid Python: {err}") from err
    _audit_tree(tree, path.name)


def audit_folder(folder: str | Path) -> None:
    """:func:`audit_module` on every ``.py`` file under ``folder`` (``__pycache__`` aside)."""
    for path in sorted(Path(folder).rglob("*.py")):
        if "__pycache__" not in path.parts:
            audit_module(path)
