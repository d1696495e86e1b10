"""Render builder elements as Vensim ``.mdl`` text.

The layout is Vensim's own: a ``{UTF-8}`` header, one entry per element::

    name=
    	equation
    	~	units [min,max]
    	~	documentation
    	|

the ``.Control`` group (INITIAL TIME, FINAL TIME, TIME STEP, SAVEPER) and a sketch section
(one view with every variable placed on a grid, no arrows) so that Vensim opens the file.
Output is a pure function of the elements: the same builder gives byte-identical text.

Stocks are ``INTEG (inflows - outflows, initial)``. A non-negative stock is rendered as
``INTEG (MAX(inflows - outflows, -stock / TIME STEP), initial)``: the net flow is limited so
that one Euler step cannot take the stock below zero (the flow variables keep their
unconstrained values, as in Stella's non-negative stocks, which limit outflows).

Documentation text cannot hold Vensim's delimiters, so it is escaped as follows: ``~`` becomes
``∼`` (U+223C), ``|`` becomes ``¦`` (U+00A6), ``\\`` becomes ``⧵`` (U+29F5, PySD would read a
backslash as a line break), a run of three double quotes is broken up (it would end PySD's
docstring), other control characters become spaces, and line breaks become Vensim
continuation lines; PySD reads the text back with
whitespace runs folded to one space (see :func:`escape_doc` and :func:`doc_as_read`).

Examples
--------
>>> escape_doc("a|b ~ c")
'a¦b ∼ c'
"""

from __future__ import annotations

import textwrap
import unicodedata
from collections.abc import Sequence

from .elements import Element, format_number

__all__ = ["render", "escape_doc", "doc_as_read", "render_limits"]

_DOC_MAP = str.maketrans({"~": "\u223c", "|": "\u00a6", "\\": "\u29f5"})
_WIDTH = 78
_CONTROL_DOCS = {
    "INITIAL TIME": "The initial time for the simulation.",
    "FINAL TIME": "The final time for the simulation.",
    "TIME STEP": "The time step for the simulation.",
    "SAVEPER": "The frequency with which output is stored.",
}


def escape_doc(doc: str) -> str:
    """Replace the characters Vensim or PySD cannot keep in documentation (see module doc).

    Examples
    --------
    >>> escape_doc("a" + '"' * 3 + "b")
    'a"" "b'
    """
    text = doc.translate(_DOC_MAP)
    text = "".join(
        " " if unicodedata.category(c) == "Cc" and not c.isspace() else c for c in text
    )
    while '"""' in text:
        text = text.replace('"""', '"" "')
    return text


def doc_as_read(doc: str) -> str:
    """The documentation PySD reads back from a rendered element: escaped, spaces folded.

    Examples
    --------
    >>> doc_as_read("Two\\nlines  here")
    'Two lines here'
    """
    return " ".join(escape_doc(doc).split())


def _wrap_doc(doc: str) -> str:
    """Escaped doc as Vensim continuation lines (``\\`` + newline + two tabs)."""
    words = " ".join(escape_doc(doc).split())
    lines = textwrap.wrap(words, width=_WIDTH, break_long_words=False, break_on_hyphens=False)
    return " \\\n\t\t".join(lines)


def render_limits(limits: Sequence[float | None] | None) -> str:
    """Vensim range suffix of a units field: ``" [0,?]"``, ``" [0,1,0.1]"`` or ``""``.

    Examples
    --------
    >>> render_limits((0, None))
    ' [0,?]'
    """
    if limits is None:
        return ""
    return " [" + ",".join("?" if v is None else format_number(v) for v in limits) + "]"


def _entry(lhs: str, equation: str, units: str, limits, doc: str) -> str:
    return (
        f"{lhs}\n\t{equation}\n\t~\t{units}{render_limits(limits)}\n"
        f"\t~\t{_wrap_doc(doc)}\n\t|\n"
    )


def _net_flow(element: Element) -> str:
    terms = [*element.inflows]
    text = " + ".join(terms)
    for out in element.outflows:
        text = f"{text} - {out}" if text else f"-{out}"
    return text or "0"


def _render_element(element: Element) -> str:
    if element.kind == "stock":
        net = _net_flow(element)
        if element.non_negative:
            net = f"MAX({net}, -{element.name} / TIME STEP)"
        equation = f"{net},\n\t\t{element.equation})"
        return _entry(f"{element.name}= INTEG (", equation, element.units, element.limits,
                      element.doc)
    if element.kind == "lookup":
        (x0, _), (x1, _) = element.points[0], element.points[-1]
        ys = [y for _, y in element.points]
        box = (f"[({format_number(x0)},{format_number(min(ys))})-"
               f"({format_number(x1)},{format_number(max(ys))})]")
        pts = ",".join(f"({format_number(x)},{format_number(y)})" for x, y in element.points)
        return _entry(f"{element.name}(", f"{box},{pts})", element.units, element.limits,
                      element.doc)
    return _entry(f"{element.name}=", element.equation, element.units, element.limits,
                  element.doc)


def _control(time_units: str, settings: dict[str, float]) -> str:
    head = (
        "********************************************************\n"
        "\t.Control\n"
        "********************************************************~\n"
        "\t\tSimulation Control Parameters\n"
        "\t|\n"
    )
    parts = [head]
    for name in ("FINAL TIME", "INITIAL TIME", "SAVEPER", "TIME STEP"):
        limits = (0, None) if name in ("SAVEPER", "TIME STEP") else None
        parts.append(_entry(f"{name}  =", format_number(settings[name]), time_units, limits,
                            _CONTROL_DOCS[name]))
    return "\n".join(parts)


def _sketch(elements: Sequence[Element]) -> str:
    """One Vensim view: every element placed on a grid (stocks as boxes), no arrows."""
    lines = [
        "\\\\\\---/// Sketch information - do not modify anything except names",
        "V300  Do not put anything below this section - it will be ignored",
        "*View 1",
        "$192-192-192,0,Times New Roman|12||0-0-0|0-0-0|0-0-255|-1--1--1|-1--1--1|96,96,100,0",
    ]
    columns = 5
    for i, element in enumerate(elements):
        x = 150 + 200 * (i % columns)
        y = 100 + 80 * (i // columns)
        if element.kind == "stock":
            lines.append(f"10,{i + 1},{element.name},{x},{y},40,20,3,3,0,0,0,0,0,0")
        else:
            width = max(20, 3 * len(element.name))
            lines.append(f"10,{i + 1},{element.name},{x},{y},{width},8,8,3,0,0,0,0,0,0")
    lines.append("///---\\\\\\")
    return "\n".join(lines) + "\n"


def render(elements: Sequence[Element], *, time_units: str, settings: dict[str, float]) -> str:
    """Vensim text of a model: header, elements in order, control group, sketch.

    Parameters
    ----------
    elements : sequence of Element
        The model's elements, rendered in this order.
    time_units : str
        Units of the control variables.
    settings : dict
        ``{"INITIAL TIME": ..., "FINAL TIME": ..., "TIME STEP": ..., "SAVEPER": ...}``.

    Returns
    -------
    str

    Examples
    --------
    >>> from sdmodel.builder.elements import Element
    >>> text = render([Element("a", "constant", "1", "Dmnl", "A constant.")],
    ...               time_units="Year", settings={"INITIAL TIME": 0, "FINAL TIME": 1,
    ...                                            "TIME STEP": 1, "SAVEPER": 1})
    >>> text.splitlines()[:4]
    ['{UTF-8}', 'a=', '\\t1', '\\t~\\tDmnl']
    """
    body = "\n".join(_render_element(e) for e in elements)
    return "{UTF-8}\n" + body + "\n" + _control(time_units, settings) + "\n" + _sketch(elements)

