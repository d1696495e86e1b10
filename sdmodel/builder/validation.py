"""Build-time checks of a builder's model, on PySD's own parse of the rendered text.

References are read from PySD's ``AbstractModel`` (the rendered ``.mdl`` is parsed by
``pysd.translators.vensim.vensim_file.VensimFile``), so the builder has no equation parser of
its own: a name is whatever PySD resolves as a ``ReferenceStructure``, a function call is a
``CallStructure`` (a call of a defined lookup is a reference to it). Names compare as Vensim
compares them (see :func:`sdmodel.builder.elements.fold`).

Checks, in order: lookups used without an input and calls of non-lookups, undefined names and
unknown functions (all listed, with where they are used), stock inflows/outflows that are not
flows, flows attached to no stock, and algebraic loops:
cycles of instantaneous dependencies with no stock or other state (SMOOTH, DELAY, INITIAL) in
them, both while running and while computing initial values.

Examples
--------
>>> import sdmodel as sd
>>> b = sd.Builder("demo", initial_time=0, final_time=1, time_step=1)
>>> b.aux("a", "b + 1", units="Dmnl", doc="A.")
'a'
>>> b.aux("b", "a * 2", units="Dmnl", doc="B.")
'b'
>>> b.to_mdl()
Traceback (most recent call last):
...
sdmodel.exceptions.AlgebraicLoopError: model 'demo' has an algebraic loop with no stock in it: a -> b -> a; ...
"""

from __future__ import annotations

import dataclasses
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from ..exceptions import (
    AlgebraicLoopError,
    BuilderError,
    UndefinedNameError,
    suggest,
)
from .elements import CONTROL_NAMES, Element, fold

__all__ = ["parse", "validate", "dependencies"]

# Structures whose value comes from internal state: their arguments are not needed at the same
# instant while running.
_STATEFUL = {
    "IntegStructure",
    "DelayStructure",
    "DelayNStructure",
    "DelayFixedStructure",
    "SmoothStructure",
    "SmoothNStructure",
    "InitialStructure",
}
# While initialising, a stateful structure needs these fields (not its running input/flow).
_INIT_FIELDS = {
    "IntegStructure": ("initial",),
    "DelayStructure": ("initial", "delay_time"),
    "DelayNStructure": ("initial", "delay_time", "order"),
    "DelayFixedStructure": ("initial", "delay_time"),
    "SmoothStructure": ("initial", "smooth_time"),
    "SmoothNStructure": ("initial", "smooth_time", "order"),
    "InitialStructure": ("initial",),
}


def _parse_text(text: str):
    from pysd.translators.vensim.vensim_file import VensimFile

    with tempfile.TemporaryDirectory(prefix="sdmodel-builder-") as tmp:
        path = Path(tmp) / "model.mdl"
        path.write_text(text, encoding="utf-8")
        parsed = VensimFile(path)
        parsed.parse()
        return parsed.get_abstract_model()


def parse(text: str, *, model_name: str,
          render_one: Callable[[Element], str] | None = None,
          elements: Sequence[Element] = ()) -> dict[str, object]:
    """Parse Vensim text with PySD; returns ``{folded name: AST}`` of the model's elements.

    Parameters
    ----------
    text : str
        The model's Vensim text.
    model_name : str
        For error messages.
    render_one : callable, optional
        Renders a model holding one element; used, when the text does not parse, to find
        which of ``elements`` PySD cannot read.
    elements : sequence of Element
        The elements rendered in ``text``.

    Raises
    ------
    BuilderError
        PySD cannot parse the text (a syntax error in an equation); names the elements and
        includes PySD's reason.
    """
    try:
        abstract = _parse_text(text)
    except Exception as err:  # PySD raises many kinds; keep its reason
        culprits = []
        for element in elements:
            if render_one is None:
                break
            try:
                _parse_text(render_one(element))
            except Exception as one:
                reason = " ".join(str(one).split())
                culprits.append(
                    f"{element.kind} {element.name!r} = {element.equation!r} "
                    f"({type(one).__name__}: {reason})"
                )
        if culprits:
            raise BuilderError(
                f"model {model_name!r}: PySD cannot parse {len(culprits)} equation"
                f"{'s' if len(culprits) > 1 else ''}: " + "; ".join(culprits)
                + ". Expected Vensim syntax, e.g. 'a * (b - c)' or 'IF THEN ELSE(x > 0, 1, 0)'"
            ) from err
        raise BuilderError(
            f"model {model_name!r}: PySD cannot parse the rendered text: "
            f"{type(err).__name__}: {err}"
        ) from err
    asts = {}
    for section in abstract.sections:
        for element in section.elements:
            for component in element.components:
                asts[fold(element.name)] = component.ast
    return asts


def _walk(node) -> Iterator[tuple[str, str]]:
    """Yield ``("ref", name)`` and ``("call", function)`` for every name under ``node``."""
    if node is None or isinstance(node, (str, bytes, int, float, bool)):
        return
    if isinstance(node, (list, tuple)):
        for item in node:
            yield from _walk(item)
        return
    kind = type(node).__name__
    if kind == "ReferenceStructure":
        yield "ref", node.reference
        return
    if kind == "CallStructure":
        yield "call", node.function.reference
        yield from _walk(node.arguments)
        return
    if dataclasses.is_dataclass(node):
        for field in dataclasses.fields(node):
            yield from _walk(getattr(node, field.name))


def dependencies(ast, *, initial: bool) -> set[str]:
    """Folded names ``ast`` needs at the same instant (running, or at initialisation)."""
    out: set[str] = set()

    def visit(node):
        if node is None or isinstance(node, (str, bytes, int, float, bool)):
            return
        if isinstance(node, (list, tuple)):
            for item in node:
                visit(item)
            return
        kind = type(node).__name__
        if kind == "ReferenceStructure":
            out.add(fold(node.reference))
            return
        if kind == "CallStructure":
            out.add(fold(node.function.reference))
            visit(node.arguments)
            return
        if kind in _STATEFUL:
            if initial:
                for field in _INIT_FIELDS[kind]:
                    visit(getattr(node, field, None))
            return
        if dataclasses.is_dataclass(node):
            for field in dataclasses.fields(node):
                visit(getattr(node, field.name))

    visit(ast)
    return out


def _spelling(key: str, equation: str) -> str:
    """How the equation spells the folded name ``key`` (PySD's AST keeps only the fold)."""
    pattern = r"(?<![\w'])" + r"[\s_]+".join(map(re.escape, key.split("_"))) + r"(?![\w'])"
    match = re.search(pattern, equation, flags=re.IGNORECASE)
    return match.group(0) if match else key


def _known_functions() -> set[str]:
    from pysd.builders.python.python_functions import functionspace

    return {name.lower() for name in functionspace}


def _check_names(model_name: str, elements: Mapping[str, Element], asts: Mapping) -> None:
    defined = set(elements) | set(CONTROL_NAMES)
    functions = _known_functions()
    undefined: dict[str, list[str]] = {}
    unknown_calls: dict[str, list[str]] = {}
    misuse: list[str] = []
    for key, element in elements.items():
        for what, name in _walk(asts.get(key)):
            ref = fold(name)
            target = elements.get(ref)
            if target is not None:
                if what == "ref" and target.kind == "lookup":
                    misuse.append(f"the lookup {target.name!r} is used without an input in "
                                  f"{element.name!r}; expected {target.name}(x)")
                elif what == "call" and target.kind != "lookup":
                    misuse.append(f"the {target.kind} {target.name!r} is called like a "
                                  f"function in {element.name!r}; only lookups take an input")
                continue
            if ref in defined or ref in functions:
                continue
            found = undefined if what == "ref" else unknown_calls
            found.setdefault(_spelling(ref, element.equation), []).append(element.name)
    if misuse:
        raise BuilderError(f"model {model_name!r}: " + "; ".join(sorted(set(misuse))))
    if not undefined and not unknown_calls:
        return
    candidates = [e.name for e in elements.values()]
    parts = []
    for label, found in (("", undefined), ("function ", unknown_calls)):
        for name in sorted(found):
            users = ", ".join(repr(u) for u in sorted(set(found[name])))
            hint = suggest(name, candidates).strip()
            hint = f"; {hint[0].lower()}{hint[1:]}" if hint else ""
            parts.append(f"{label}{name!r} (used in {users}{hint})")
    count = len(parts)
    raise UndefinedNameError(
        f"model {model_name!r} references {count} undefined name{'s' if count > 1 else ''}: "
        + ", ".join(parts)
        + ". Expected each to be defined with constant(), stock(), flow(), aux() or lookup()"
        " (functions: a Vensim function known to PySD, or a lookup)"
    )


def _check_flows(model_name: str, elements: Mapping[str, Element]) -> None:
    attached: set[str] = set()
    for element in elements.values():
        if element.kind != "stock":
            continue
        for flow in (*element.inflows, *element.outflows):
            target = elements.get(fold(flow))
            if target is None:
                raise UndefinedNameError(
                    f"stock {element.name!r} of model {model_name!r} has the flow {flow!r}, "
                    f"which is not defined; expected a name declared with flow()"
                    f"{suggest(flow, [e.name for e in elements.values() if e.kind == 'flow'])}"
                )
            if target.kind != "flow":
                raise BuilderError(
                    f"stock {element.name!r} of model {model_name!r} lists {flow!r} as a flow, "
                    f"but it is {'an' if target.kind == 'aux' else 'a'} {target.kind}; expected a name declared with flow()"
                )
            attached.add(target.key)
    loose = [e.name for e in elements.values() if e.kind == "flow" and e.key not in attached]
    if loose:
        raise BuilderError(
            f"model {model_name!r} has flow{'s' if len(loose) > 1 else ''} attached to no "
            f"stock: {', '.join(map(repr, loose))}; expected each flow to be listed in the "
            "inflows= or outflows= of a stock (use aux() for a rate that fills no stock)"
        )


def _find_cycle(graph: Mapping[str, set[str]]) -> list[str] | None:
    """A cycle in ``graph`` as a node list (first node repeated at the end), or None."""
    color: dict[str, int] = {}
    for start in sorted(graph):
        if color.get(start):
            continue
        stack = [(start, iter(sorted(graph[start])))]
        path = [start]
        color[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                color[node] = 2
                stack.pop()
                path.pop()
                continue
            if child not in graph:
                continue
            if color.get(child) == 1:
                return path[path.index(child):] + [child]
            if not color.get(child):
                color[child] = 1
                path.append(child)
                stack.append((child, iter(sorted(graph[child]))))
    return None


def _check_loops(model_name: str, elements: Mapping[str, Element], asts: Mapping) -> None:
    for initial, when in ((False, ""), (True, " while computing initial values")):
        graph = {
            key: dependencies(asts.get(key), initial=initial) & set(elements)
            for key in elements
        }
        cycle = _find_cycle(graph)
        if cycle:
            names = " -> ".join(elements[k].name for k in cycle)
            raise AlgebraicLoopError(
                f"model {model_name!r} has an algebraic loop with no stock in it{when}: "
                f"{names}; expected every feedback loop to pass through a stock (or a "
                "SMOOTH/DELAY)"
            )


def validate(model_name: str, elements: Sequence[Element], text: str, *,
             render_one: Callable[[Element], str] | None = None) -> None:
    """Run every build-time check on the rendered ``text`` of ``elements``.

    Raises
    ------
    UndefinedNameError, BuilderError, AlgebraicLoopError
    """
    by_key = {e.key: e for e in elements}
    asts = parse(text, model_name=model_name, render_one=render_one, elements=elements)
    _check_names(model_name, by_key, asts)
    _check_flows(model_name, by_key)
    _check_loops(model_name, by_key, asts)
