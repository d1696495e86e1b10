"""Fix, before PySD builds a model, what PySD would refuse or silently misread.

Two passes, each returning the :class:`Change` list it made (a
:class:`~sdmodel.exceptions.PretranslationWarning` names each one when the model is loaded):

* :func:`rewrite_text` works on the model file's text, before PySD parses it:

  - Vensim: an inline ``{comment}`` inside an equation is removed (PySD's grammar stops at
    it); a ``:MACRO:`` block written after the sketch information is moved before the
    equations (PySD ignores everything after the sketch, so the macro's calls would fail);
  - XMILE: a ``<model>`` holding its ``<stock>``/``<flow>``/``<aux>`` elements without the
    ``<variables>`` wrapper (older Stella files) gets the wrapper (PySD finds no variable).

* :func:`fix_tree` works on PySD's syntax tree, before PySD's builder writes the module.
  A negative literal under ``^`` is spelt out as PySD's generated code reads it
  (``-2 ^ 2`` is ``-(2 ^ 2)``, see :func:`_negative_bases`; no warning, no value changes).
  A SMOOTH, SMOOTHI, SMOOTH3(I) or SMOOTH N whose initial value is an integer (a literal
  ``1``, an integer constant, an ``ACTIVE INITIAL(..., 1)``) gets a float initial value.
  PySD holds such a smooth's state in an integer NumPy array, so the first step truncates
  the input (``SMOOTHI(10.5, 4, 1)`` gives 3.25 at the second step instead of Vensim's
  3.375); Vensim has no integers. The rewrite changes no value: ``1`` becomes ``1.0``, a
  reference ``x`` becomes ``x * 1.0``.

Both passes are pure functions of their input, so a cached translation reports the same
changes again (:func:`sdmodel.loading.translate` stores them with the translation).

Examples
--------
>>> text, changes = rewrite_text("x = 1 {one} + 2\\n~~|\\n", "vensim")
>>> text
'x = 1  + 2\\n~~|\\n'
>>> print(changes[0])
x: inline comment {one} removed from the equation
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import numpy as np

from .exceptions import PretranslationWarning

__all__ = ["Change", "rewrite_text", "fix_tree", "warn_changes"]

_SKETCH = "\\\\\\---///"
_MACRO = re.compile(r":MACRO:\s*(?P<name>[^(]+?)\s*\(.*?:END OF MACRO:", re.S | re.I)
_XMILE_VARIABLES = {"stock", "flow", "aux", "group", "module", "gf"}


@dataclass(frozen=True)
class Change:
    """One rewrite: the variable it touched (``""`` for the whole file) and what was done."""

    variable: str
    what: str

    def __str__(self) -> str:
        return f"{self.variable}: {self.what}" if self.variable else self.what


def warn_changes(changes, source) -> None:
    """Issue one :class:`~sdmodel.exceptions.PretranslationWarning` per change.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_changes([Change("x", "1 read as 1.0")], "m.mdl")
    >>> str(caught[0].message)
    "'m.mdl': x: 1 read as 1.0 (sdmodel pre-translation pass, see docs/pysd-limitations.md)"
    """
    for change in changes:
        warnings.warn(
            f"{str(source)!r}: {change} (sdmodel pre-translation pass, see "
            "docs/pysd-limitations.md)", PretranslationWarning, stacklevel=3)


# ---------------------------------------------------------------------------- text pass
def rewrite_text(text: str, kind: str) -> tuple[str, list[Change]]:
    """Rewrite a model file's text so PySD parses what the modelling tool would.

    Parameters
    ----------
    text : str
        The file's content.
    kind : {"vensim", "xmile"}
        The file's language.

    Returns
    -------
    (str, list of Change)
        The text to parse (``text`` itself when nothing changed) and the changes made.

    Examples
    --------
    >>> rewrite_text("x = 2\\n~~|\\n", "vensim")
    ('x = 2\\n~~|\\n', [])
    """
    if kind == "vensim":
        text, moved = _move_macros(text)
        text, stripped = _strip_inline_comments(text)
        return text, moved + stripped
    return _wrap_xmile_variables(text)


def _move_macros(text: str) -> tuple[str, list[Change]]:
    if _SKETCH not in text:
        return text, []
    model, sketch = text.split(_SKETCH, 1)
    macros = list(_MACRO.finditer(sketch))
    if not macros:
        return text, []
    for match in reversed(macros):
        sketch = sketch[:match.start()] + sketch[match.end():]
    block = "\n".join(m.group(0) for m in macros) + "\n"
    head = re.match(r"\s*\{[^}]*\}\s*", model)  # the {UTF-8} marker stays first
    cut = head.end() if head else 0
    new = model[:cut] + block + model[cut:] + _SKETCH + sketch
    changes = [Change("", f"macro {m.group('name').strip()!r} written after the sketch "
                          "information moved before the equations") for m in macros]
    return new, changes


def _strip_inline_comments(text: str) -> tuple[str, list[Change]]:
    sketch = text.find(_SKETCH)
    model, rest = (text, "") if sketch < 0 else (text[:sketch], text[sketch:])
    head = re.match(r"\s*\{[^}]*\}", model)
    cut = head.end() if head else 0
    out: list[str] = [model[:cut]]
    changes: list[Change] = []
    for chunk in re.split(r"(\|)", model[cut:]):
        equation, tilde, rest_of_chunk = chunk.partition("~")
        if "{" not in equation:
            out.append(chunk)
            continue
        cleaned, removed = _remove_braces(equation)
        name = re.split(r"[=(\[:]", cleaned.strip(), maxsplit=1)[0].strip() or "?"
        changes.extend(Change(name, f"inline comment {{{c}}} removed from the equation")
                       for c in removed)
        out.append(cleaned + tilde + rest_of_chunk)
    return "".join(out) + rest, changes


def _remove_braces(equation: str) -> tuple[str, list[str]]:
    """``equation`` without ``{...}`` groups outside quoted names, and the groups' text."""
    out, removed, quoted, depth, start = [], [], False, 0, 0
    for i, char in enumerate(equation):
        if char == '"' and depth == 0:
            quoted = not quoted
        if quoted:
            out.append(char)
            continue
        if char == "{":
            if depth == 0:
                start = i
            depth += 1
        elif char == "}" and depth:
            depth -= 1
            if depth == 0:
                removed.append(equation[start + 1:i].strip())
        elif depth == 0:
            out.append(char)
    return "".join(out), removed


def _wrap_xmile_variables(text: str) -> tuple[str, list[Change]]:
    from lxml import etree

    try:
        root = etree.fromstring(text.encode("utf-8"),
                                parser=etree.XMLParser(encoding="utf-8", recover=True))
    except etree.XMLSyntaxError:
        return text, []  # PySD reports the unreadable file
    if root is None:
        return text, []
    changes: list[Change] = []
    for model in root.iter("{*}model"):
        children = [c for c in model if isinstance(c.tag, str)]
        if any(etree.QName(c).localname == "variables" for c in children):
            continue
        moved = [c for c in children if etree.QName(c).localname in _XMILE_VARIABLES]
        if not moved:
            continue
        wrapper = etree.Element(etree.QName(model).namespace and
                                f"{{{etree.QName(model).namespace}}}variables" or "variables")
        model.insert(model.index(moved[0]), wrapper)
        wrapper.extend(moved)
        changes.append(Change("", f"XMILE <model> without <variables>: its {len(moved)} "
                                  "variable elements wrapped in <variables>"))
    if not changes:
        return text, []
    return etree.tostring(root, encoding="unicode"), changes


# ---------------------------------------------------------------------------- tree pass
def _clean(name: str) -> str:
    return re.sub(r"[\s_]+", "_", name.strip().strip('"')).lower()


def fix_tree(abstract_model) -> list[Change]:
    """Give every smooth with an integer initial value a float one, in place.

    Parameters
    ----------
    abstract_model : pysd.translators.structures.abstract_model.AbstractModel

    Returns
    -------
    list of Change

    Examples
    --------
    >>> from pysd.translators.structures import abstract_expressions as ae
    >>> from pysd.translators.structures.abstract_model import (
    ...     AbstractComponent, AbstractElement, AbstractModel, AbstractSection)
    >>> smooth = ae.SmoothStructure(ae.ReferenceStructure("u"), 4, 1, 1)
    >>> el = AbstractElement("s", [AbstractComponent(((), ()), smooth)])
    >>> sec = AbstractSection("__main__", None, "__main__", [], [], (), (el,), (), (),
    ...                       False, None)
    >>> [str(c) for c in fix_tree(AbstractModel(None, (sec,)))], smooth.initial
    (['s: SMOOTH initial value 1 is an integer; read as 1.0'], 1.0)
    """
    from pysd.translators.structures import abstract_expressions as ae

    changes: list[Change] = []
    for section in abstract_model.sections:
        elements = {_clean(e.name): e for e in section.elements}
        for element in section.elements:
            for component in element.components:
                component.ast = _negative_bases(component.ast, ae)
                for node in _walk(component.ast):
                    if isinstance(node, (ae.SmoothStructure, ae.SmoothNStructure)):
                        change = _float_initial(node, element.name, elements, ae)
                        if change:
                            changes.append(change)
    return changes


def _walk(ast):
    stack = [ast]
    while stack:
        node = stack.pop()
        yield node
        if hasattr(node, "__dataclass_fields__"):
            stack.extend(v for v in vars(node).values()
                         if hasattr(v, "__dataclass_fields__") or isinstance(v, (list, tuple)))
        elif isinstance(node, (list, tuple)):
            stack.extend(node)


def _negative_bases(ast, ae):
    """Spell out how a negative literal under ``^`` is read: ``-2 ^ 2`` is ``-(2 ^ 2)``.

    PySD's parser folds the sign into the number (the tree says ``(-2) ^ 2``) but its
    builder writes ``-2**2``, which Python, like Vensim, reads as ``-(2**2)`` = -4; the batch
    engine follows the tree. The rewritten tree states what PySD's module computes, so
    PySD's numbers do not change and both engines agree (``30 ^ -30 ^ -c`` is
    ``30 ^ -(30 ^ -c)``, not NaN).
    """
    if isinstance(ast, (list, tuple)):
        return type(ast)(_negative_bases(a, ae) for a in ast)
    if not hasattr(ast, "__dataclass_fields__"):
        return ast
    for key, value in vars(ast).items():
        if hasattr(value, "__dataclass_fields__") or isinstance(value, (list, tuple)):
            setattr(ast, key, _negative_bases(value, ae))
    if not (isinstance(ast, ae.ArithmeticStructure) and ast.operators
            and set(ast.operators) == {"^"}):
        return ast
    args = list(ast.arguments)
    for i, arg in enumerate(args[:-1]):
        if isinstance(arg, (int, float, np.number)) and not isinstance(arg, bool) and arg < 0:
            tail = _negative_bases(
                ae.ArithmeticStructure(list(ast.operators[i:]), (-arg, *args[i + 1:])), ae)
            negated = ae.ArithmeticStructure(["negative"], (tail,))
            if i == 0:
                return negated
            return ae.ArithmeticStructure(list(ast.operators[:i]), (*args[:i], negated))
    return ast


def _float_initial(node, name: str, elements: dict, ae) -> Change | None:
    initial = node.initial
    if not _int_valued(initial, elements, ae, set()):
        return None
    if isinstance(initial, (int, np.integer)):
        node.initial = float(initial)
        shown, new = str(initial), repr(float(initial))
    else:
        node.initial = ae.ArithmeticStructure(["*"], (initial, 1.0))
        shown = _show(initial)
        new = f"{shown} * 1.0"
    return Change(name, f"SMOOTH initial value {shown} is an integer; read as {new}")


def _show(ast) -> str:
    if hasattr(ast, "reference") and not hasattr(ast, "arguments"):
        return str(ast.reference)
    if hasattr(ast, "function"):
        return f"{ast.function.reference.upper()}(...)"
    return type(ast).__name__.replace("Structure", "").lower()


def _int_valued(ast, elements: dict, ae, seen: set) -> bool:
    """Whether PySD evaluates ``ast`` to an integer during initialization."""
    if isinstance(ast, (bool, np.bool_)):
        return False
    if isinstance(ast, (int, np.integer)):
        return True
    if isinstance(ast, ae.ReferenceStructure):
        key = _clean(ast.reference)
        element = elements.get(key)
        if element is None or key in seen or len(element.components) != 1 or ast.subscripts:
            return False
        return _int_valued(element.components[0].ast, elements, ae, seen | {key})
    if isinstance(ast, ae.ArithmeticStructure):
        return (set(ast.operators) <= {"+", "-", "*", "negative"}
                and all(_int_valued(a, elements, ae, seen) for a in ast.arguments))
    if isinstance(ast, ae.CallStructure):
        function = ast.function.reference
        if function == "active_initial":
            return _int_valued(ast.arguments[1], elements, ae, seen)
        if function in ("min", "max", "abs"):
            return all(_int_valued(a, elements, ae, seen) for a in ast.arguments)
        if function == "if_then_else":
            return all(_int_valued(a, elements, ae, seen) for a in ast.arguments[1:])
    return False
