"""Compile PySD's ``AbstractModel`` into a vectorized numpy module (leading run axis).

The syntax tree is the one PySD's own Python builder consumes; subscript ranges, mappings and
python names come from PySD's ``SubscriptManager`` and ``NamespaceManager``, so the batch
engine and PySD agree on every name and dimension. One dispatch table, :data:`EMITTERS`, maps
each syntax-node type to the method that emits its numpy source.

The generated module defines ``initialize(C, _N)`` (returns the state dict),
``evaluate(C, _S, time)`` (returns every variable at ``time``) and ``update(_S, V, dt)`` (one
Euler step), evaluated in dependency order as PySD's lazy, cached evaluation would.

Examples
--------
>>> import sdmodel as sd
>>> model = sd.load("models/validation/nelson_phelps.mdl")
>>> compiled = compile_model(model)
>>> print(compiled.source[:200])
import numpy as np
...
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pysd.builders.python.python_model_builder import ModelBuilder
from pysd.translators.structures import abstract_expressions as ae
from pysd.translators.structures.abstract_model import AbstractControlElement

from ..exceptions import AlgebraicLoopError, UnsupportedConstructError
from .compiled import CompiledModel, Node
from .dims import TIME, Constants, Val, align, merge_dims
from .functions import FUNCTIONS, emit_allocate_available, emit_allocate_by_priority
from .statefuls import KINDS

__all__ = ["compile_model", "CompiledModel", "EMITTERS", "CONTROL"]

CONTROL = ("initial_time", "final_time", "time_step", "saveper")

_STATEFUL = {
    ae.IntegStructure: "integ", ae.SmoothStructure: "smooth", ae.SmoothNStructure: "smooth",
    ae.DelayStructure: "delay", ae.DelayNStructure: "delayn",
    ae.DelayFixedStructure: "delayfixed", ae.TrendStructure: "trend",
    ae.ForecastStructure: "forecast", ae.SampleIfTrueStructure: "sampleiftrue",
    ae.InitialStructure: "initial",
}
_BINARY = {
    "^": "**", "*": "*", "/": "/", "+": "+", "-": "-", "=": "==", "<>": "!=", ">=": ">=",
    ">": ">", "<=": "<=", "<": "<",
}


class _Ctx:
    """Where an expression is being emitted: element, target dims, phase restriction."""

    def __init__(self, element: str, target, deps_init: set, deps_step: set):
        self.element = element
        self.target = target
        self.deps_init = deps_init
        self.deps_step = deps_step
        self.phase: str | None = None  # None: both; "init"/"step": that phase's dependencies

    def use(self, name: str) -> None:
        if self.phase != "step":
            self.deps_init.add(name)
        if self.phase != "init":
            self.deps_step.add(name)


class Compiler:
    """Turn one model's ``AbstractModel`` into numpy source; see :func:`compile_model`.

    ``emitters`` (syntax-node type -> emitter) and ``functions`` (Vensim function -> emitter)
    are the backend's dispatch tables; another backend subclasses and replaces them.
    """

    emitters: dict = {}  # set to EMITTERS below
    functions: dict = FUNCTIONS

    def __init__(self, model):
        am = model.abstract_model
        builder = ModelBuilder(am)
        section = builder.sections[0]
        _name_elements(section)
        self.macros = {}
        for macro in builder.sections[1:]:
            _name_elements(macro)
            self.macros[macro.name] = macro
        self.model = model
        self.subs = section.subscripts
        self.cleanspace = section.namespace.cleanspace
        self.elements = {e.identifier: e for e in section.elements}
        self.dims = {
            py: tuple((d, tuple(self.subs.subscripts[d])) for d in e.subscripts)
            for py, e in self.elements.items()
        }
        self.params = dict(model.params)
        self.consts = Constants()
        self.nodes: dict[str, Node] = {}
        self.stateful: list[tuple[str, str, str]] = []  # (key, kind, element)
        self.lookups: dict[str, Any] = {}  # python name -> pysd element
        self._updates: list[str] = []
        self._macro_calls = 0
        self._all_elements = {y for x in self.subs.subscripts.values() for y in x}

    # ------------------------------------------------------------------ elements
    def compile(self) -> CompiledModel:
        for py, element in self.elements.items():
            if {type(c.ast) for c in element.components} == {ae.LookupsStructure}:
                self.lookups[py] = element
        for py, element in self.elements.items():
            if isinstance(element, AbstractControlElement) or py in CONTROL:
                self._check_control(py, element)
                continue
            if py in self.params or py in self.lookups:
                continue
            try:
                self._element(py, element)
            except (ValueError, KeyError, IndexError) as err:
                # e.g. a mapped-dimension reference the subscript logic cannot align
                raise UnsupportedConstructError(
                    f"{element.name}: the batch compiler cannot compile this equation "
                    f"({type(err).__name__}: {err}); construct: subscripts") from err
        return self._assemble()

    def _check_control(self, py: str, element) -> None:
        """Time settings must be numbers (or other time settings), not model dynamics."""
        if self._fixed(element.components[0].ast):
            return
        raise UnsupportedConstructError(
            f"{element.name}: the time setting is computed from model variables; construct: "
            "dynamic control variable (the batch engine needs fixed time settings)"
        )

    def _fixed(self, ast) -> bool:
        """Numbers, other time settings and arithmetic of them (XMILE's reciprocal dt: 1/4)."""
        if isinstance(ast, (int, float, np.number)):
            return True
        if isinstance(ast, ae.ReferenceStructure):
            return self.cleanspace.get(ast.reference) in CONTROL
        if isinstance(ast, ae.ArithmeticStructure):
            return all(self._fixed(a) for a in ast.arguments)
        return False

    def _element(self, py: str, element) -> None:
        node = Node(py)
        shape = tuple(len(c) for _, c in self.dims[py])
        lines = []
        comps = element.components
        single = len(comps) == 1 and not comps[0].subscripts[1]
        for comp in comps:
            target = self._target(comp.subscripts[0], element.name)
            ctx = _Ctx(element.name, target, node.init_deps, node.step_deps)
            val = self.emit(comp.ast, ctx)
            code = self._fit(val, target, ctx)
            if single and tuple(c for _, c in target) == tuple(c for _, c in self.dims[py]):
                lines.append(f"{py} = {code}")
                break
            if not lines:
                lines.append(f"{py} = np.full((_N, *{shape}), np.nan)")
            index = self._index(py, target)
            if comp.subscripts[1]:
                mask = self.consts.add(self._except_mask(target, comp.subscripts[1]))
                lines.append(f"{py}[{index}] = np.where({mask}, {code}, {py}[{index}])")
            else:
                lines.append(f"{py}[{index}] = {code}")
        node.init = node.step = lines
        self.nodes[py] = node

    def _target(self, subs, element: str):
        coords = self.subs.make_coord_dict(list(subs))
        if len(coords) != len(subs):
            raise UnsupportedConstructError(
                f"{element}: repeated subscript ranges {subs}; construct: repeated dimension"
            )
        return tuple((name, tuple(c)) for name, c in coords.items())

    def _index(self, py: str, target) -> str:
        axes = []
        for (_, full), (_, part) in zip(self.dims[py], target):
            axes.append([full.index(c) for c in part])
        return self.consts.add((slice(None), *np.ix_(*axes)))

    def _except_mask(self, target, excepts) -> np.ndarray:
        mask = np.ones((1, *[len(c) for _, c in target]), dtype=bool)
        for exc in excepts:
            sel: list[Any] = [slice(None)]
            for (_, coords), sub in zip(target, exc):
                if sub in self._all_elements and sub not in self.subs.subscripts:
                    chosen = {sub}
                else:
                    chosen = set(self.subs.subscripts[sub])
                sel.append([i for i, c in enumerate(coords) if c in chosen])
            mask[tuple([sel[0], *np.ix_(*sel[1:])])] = False
        return mask

    def _fit(self, val: Val, target, ctx: _Ctx) -> str:
        """Source for ``val`` as an array of exactly ``(R, *target shape)``."""
        shape = tuple(len(c) for _, c in target)
        if val.scalar:
            return f"_rt.fit({val.code}, {shape})"
        aligned = align(val, target, self.consts, element=ctx.element)
        if val.dims == tuple(target):
            return aligned.code
        return f"_rt.fit({aligned.code}, {shape})"

    # ------------------------------------------------------------------ expressions
    def emit(self, ast, ctx: _Ctx) -> Val:
        emitter = self.emitters.get(type(ast))
        if emitter is None:
            name = type(ast).__name__.replace("Structure", "")
            raise UnsupportedConstructError(
                f"{ctx.element}: construct {name} is not supported by the batch engine"
            )
        return emitter(self, ast, ctx)

    def emit_number(self, ast, ctx: _Ctx) -> Val:
        value = float(ast)
        return Val(repr(value) if np.isfinite(value) else f"float('{value}')", scalar=True)

    def emit_array(self, ast, ctx: _Ctx) -> Val:
        shape = tuple(len(c) for _, c in ctx.target)
        arr = np.asarray(ast, dtype=float).reshape((1, *shape))
        return Val(self.consts.add(arr), ctx.target)

    def emit_operation(self, ast, ctx: _Ctx) -> Val:
        args = [self.emit(a, ctx) for a in ast.arguments]
        ops = list(ast.operators)
        if len(args) == 1:
            op = ops[0]
            if op == "negative":
                return Val(f"(-{args[0].code})", args[0].dims, args[0].scalar)
            if op == ":NOT:":
                return Val(f"np.logical_not({args[0].code})", args[0].dims, args[0].scalar)
            raise UnsupportedConstructError(f"{ctx.element}: unary operator {op!r}")
        dims = merge_dims(args, element=ctx.element)
        scalar = all(a.scalar for a in args)
        codes = [a.code if scalar else align(a, dims, self.consts, element=ctx.element).code
                 for a in args]
        if ops[-1] in (":AND:", ":OR:"):
            code = codes[0]
            for op, right in zip(ops, codes[1:]):
                code = f"{'np.logical_and' if op == ':AND:' else 'np.logical_or'}({code}, {right})"
            return Val(code, dims, scalar)
        parts = [f"({codes[0]})"]
        for op, right in zip(ops, codes[1:]):
            if op not in _BINARY:
                raise UnsupportedConstructError(f"{ctx.element}: operator {op!r}")
            parts.append(f" {_BINARY[op]} ({right})")
        return Val("(" + "".join(parts) + ")", dims, scalar)

    def emit_reference(self, ast, ctx: _Ctx) -> Val:
        ref = ast.reference
        if ref == "time":
            ctx.use(TIME)
            return Val("time", scalar=True)
        if ref not in self.cleanspace:
            return self._subscript_number(ref, ctx)
        py = self.cleanspace[ref]
        if py in CONTROL:
            return Val(py, scalar=True)
        if py in self.lookups:
            raise UnsupportedConstructError(
                f"{ctx.element}: lookup {py!r} used as a variable; construct: lookup reference"
            )
        ctx.use(py)
        return self._select(py, py, ast.subscripts, ctx)

    def _subscript_number(self, ref: str, ctx: _Ctx) -> Val:
        if ref not in self.subs.subscript2num:
            raise UnsupportedConstructError(f"{ctx.element}: unknown reference {ref!r}")
        expr, subs = self.subs.subscript2num[ref]
        value = eval(expr, {"np": np, "_subscript_dict": self.subs.subscripts})  # noqa: S307
        if not subs:
            return Val(repr(float(value)), scalar=True)
        ((name, coords),) = subs.items()
        arr = np.asarray(value, dtype=float).reshape(1, -1)
        return Val(self.consts.add(arr), ((name, tuple(coords)),))

    def _select(self, code: str, py: str, subscripts, ctx: _Ctx) -> Val:
        """Index variable ``py`` (source ``code``) by a reference's subscripts (positional)."""
        own = self.dims[py]
        refs = list(getattr(subscripts, "subscripts", None) or [])
        if not refs:
            return Val(code, own)
        if len(refs) != len(own):
            raise UnsupportedConstructError(
                f"{ctx.element}: reference to {py!r} with {len(refs)} subscripts, the variable has "
                f"{len(own)}; construct: subscript count"
            )
        def_names = [n for n, _ in ctx.target]
        basic: list[str] = [":"]
        takes: list[tuple[int, list[int]]] = []
        dims: list[tuple[str, tuple]] = []
        for (_, coords), sub in zip(own, refs):
            if sub in self._all_elements and sub not in self.subs.subscripts:
                if sub not in coords:
                    raise UnsupportedConstructError(
                        f"{ctx.element}: {sub!r} is not a coordinate of {py!r}")
                basic.append(str(coords.index(sub)))
                continue
            rng = sub[:-1] if sub.endswith("!") else sub
            if rng not in self.subs.subscripts:
                raise UnsupportedConstructError(
                    f"{ctx.element}: unknown subscript {sub!r} in reference to {py!r}")
            sel = tuple(self.subs.subscripts[rng])
            basic.append(":")
            if sel != coords:
                missing = [c for c in sel if c not in coords]
                if missing:
                    raise UnsupportedConstructError(
                        f"{ctx.element}: {py!r} has no coordinates {missing}")
                takes.append((len(dims), [coords.index(c) for c in sel]))
            name = sub
            if not sub.endswith("!") and sub not in def_names:
                for mapped in self.subs.mapping.get(sub, []):
                    if mapped in def_names and mapped not in refs:
                        name, sel = mapped, tuple(self.subs.subscripts[mapped])
                        break
            dims.append((name, sel))
        if any(b != ":" for b in basic):
            code = f"{code}[{', '.join(basic)}]"
        for axis, idx in takes:
            code = f"np.take({code}, {self.consts.add(np.array(idx))}, axis={axis + 1})"
        return Val(code, tuple(dims))

    def emit_call(self, ast, ctx: _Ctx) -> Val:
        name = ast.function.reference
        if name in self.macros:
            return self._macro_call(self.macros[name], ast, ctx)
        if name in self.cleanspace and self.cleanspace[name] in self.lookups:
            return self._lookup_call(self.cleanspace[name], ast, ctx)
        spec = self.functions.get(name)
        if spec is None:
            raise UnsupportedConstructError(
                f"{ctx.element}: function {name.upper().replace('_', ' ')} is not supported by "
                "the batch engine"
            )
        return spec(self, ast.arguments, ctx)

    def _macro_call(self, macro, ast, ctx: _Ctx) -> Val:
        """Inline one call of a macro: its elements become nodes named ``_m<k>_<name>``."""
        if macro.returns:
            raise UnsupportedConstructError(
                f"{ctx.element}: macro {macro.name!r} has extra outputs; construct: MACRO "
                "with several outputs")
        prefix = f"_m{self._macro_calls}_"
        self._macro_calls += 1
        names = {clean: prefix + ident for clean, ident in macro.namespace.cleanspace.items()
                 if clean != "time"}
        for param, arg in zip(macro.params, ast.arguments):
            py = prefix + macro.namespace.namespace[param]
            node = Node(py)
            sub = _Ctx(ctx.element, ctx.target, node.init_deps, node.step_deps)
            sub.phase = ctx.phase
            val = self.emit(arg, sub)
            node.init = node.step = [self._assign(py, val)]
            self.nodes[py] = node
            self.dims[py] = () if val.scalar else val.dims
        saved = (self.cleanspace, self.subs)
        self.cleanspace = {**names, "time": "time"}
        self.subs = macro.subscripts
        try:
            for element in macro.elements:
                py = prefix + element.identifier
                self.dims[py] = tuple(
                    (d, tuple(self.subs.subscripts[d])) for d in element.subscripts)
            for element in macro.elements:
                self._element(prefix + element.identifier, element)
        finally:
            self.cleanspace, self.subs = saved
        out = prefix + macro.name
        if out not in self.nodes:
            raise UnsupportedConstructError(
                f"{ctx.element}: macro {macro.name!r} has no element named as the macro")
        ctx.use(out)
        return Val(out, self.dims[out])

    def _assign(self, py: str, val: Val) -> str:
        """The source line binding ``py`` to ``val`` (a macro argument)."""
        return f"{py} = " + (f"_rt.fit({val.code}, ())" if val.scalar else val.code)

    def emit_inline_lookup(self, ast, ctx: _Ctx) -> Val:
        x = self.emit(ast.argument, ctx)
        table = ast.lookups
        xs = self.consts.add(np.asarray(table.x, dtype=float))
        ys = self.consts.add(np.asarray(table.y, dtype=float))
        return Val(f"_rt.lookup({x.code}, {xs}, {ys}, {table.type!r})", x.dims, x.scalar)

    def _lookup_call(self, py: str, ast, ctx: _Ctx) -> Val:
        element = self.lookups[py]
        (arg,) = ast.arguments
        x = self.emit(arg, ctx)
        kinds = {c.ast.type for c in element.components}
        if len(kinds) != 1 or next(iter(kinds)) not in ("interpolate", "hold_backward",
                                                          "extrapolate"):
            raise UnsupportedConstructError(
                f"{ctx.element}: lookup {py!r} interpolation {sorted(kinds)}; construct: lookup "
                "type")
        kind = next(iter(kinds))
        own = self.dims[py]
        if not own:
            table = element.components[0].ast
            xs = self.consts.add(np.asarray(table.x, dtype=float))
            ys = self.consts.add(np.asarray(table.y, dtype=float))
            return Val(f"_rt.lookup({x.code}, {xs}, {ys}, {kind!r})", x.dims, x.scalar)
        ids = np.full((1, *[len(c) for _, c in own]), -1)
        pairs: list[tuple[np.ndarray, np.ndarray]] = []
        for comp in element.components:
            target = self._target(comp.subscripts[0], element.name)
            index = [[full.index(c) for c in part] for (_, full), (_, part) in zip(own, target)]
            ids[(slice(None), *np.ix_(*index))] = len(pairs)
            pairs.append((np.asarray(comp.ast.x, dtype=float),
                          np.asarray(comp.ast.y, dtype=float)))
        selected = self._select("T", py, ast.function.subscripts, ctx)
        dims = merge_dims([selected, x], element=ctx.element)
        code = align(selected, dims, self.consts, element=ctx.element).code
        sel = eval(code, {"np": np, "T": ids, **self.consts.values})  # noqa: S307
        shape = tuple(len(c) for _, c in dims)
        sel = np.broadcast_to(sel, (1, *shape)).ravel()
        if (sel < 0).any():
            raise UnsupportedConstructError(f"{ctx.element}: lookup {py!r} has undefined cells")
        flat = [pairs[i] for i in sel]
        xcode = self._fit(x, dims, ctx)
        return Val(f"_rt.lookup_cells({xcode}, {self.consts.add(flat)}, {shape}, {kind!r})", dims)

    def emit_stateful(self, ast, ctx: _Ctx) -> Val:
        kind = _STATEFUL[type(ast)]
        if kind == "integ" and ast.non_negative:
            kind = "integ_nonneg"
        spec = KINDS[kind]
        key = f"_s{len(self.stateful)}"
        self.stateful.append((key, kind, ctx.element))
        node = Node(key)
        fmt = {"s": key, "name": ctx.element, "int_init": "False"}
        if kind == "smooth":
            is_int, params = self._int_valued(ast.initial)
            if is_int:
                fmt["int_init"] = f"not (C['_varied'] & {set(params)!r})" if params else "True"
        for arg in spec.init_args + spec.both_args + spec.step_args:
            value = getattr(ast, arg)
            argname = f"{key}_{arg}"
            arg_node = Node(argname)
            sub = _Ctx(ctx.element, ctx.target, arg_node.init_deps, arg_node.step_deps)
            code = self._fit(self.emit(value, sub), ctx.target, sub)
            line = [f"{argname} = {code}"]
            if arg in spec.init_args or arg in spec.both_args:
                arg_node.init = line
            if arg in spec.step_args or arg in spec.both_args:
                arg_node.step = line
            self.nodes[argname] = arg_node
            fmt[f"a_{arg}"] = argname
            fmt[f"v_{arg}"] = f"V[{argname!r}]"
        state = Node(f"{key}__init", init=[t.format(**fmt) for t in spec.init],
                     init_deps={f"{key}_{a}" for a in spec.init_args + spec.both_args})
        self.nodes[state.name] = state
        out = [f"{key} = {spec.output.format(**fmt)}"]
        node.init = node.step = out
        node.init_deps = {state.name, *(f"{key}_{a}" for a in spec.both_args)}
        node.step_deps = {TIME, *(f"{key}_{a}" for a in spec.both_args)}
        self.nodes[key] = node
        ctx.use(key)
        self._updates.extend(t.format(**fmt) for t in spec.update)
        return Val(key, ctx.target)

    def _int_valued(self, ast) -> tuple[bool, frozenset]:
        """Whether PySD evaluates ``ast`` to a Python/numpy integer.

        Returns ``(is_int, constants)``: the value is an integer as long as none of
        ``constants`` (integer constants at their default) is set by the run.
        """
        if isinstance(ast, (bool, np.bool_)):
            return False, frozenset()
        if isinstance(ast, (int, np.integer)):
            return True, frozenset()
        parts: list = []
        if isinstance(ast, ae.ReferenceStructure):
            py = self.cleanspace.get(ast.reference)
            element = self.elements.get(py)
            if py in self.params and element is not None and len(element.components) == 1 \
                    and isinstance(element.components[0].ast, (int, np.integer)):
                return True, frozenset({py})
            return False, frozenset()
        if isinstance(ast, ae.ArithmeticStructure) and set(ast.operators) <= {"+", "-", "*",
                                                                              "negative"}:
            parts = list(ast.arguments)
        elif isinstance(ast, ae.CallStructure) and ast.function.reference in ("min", "max",
                                                                              "abs"):
            parts = list(ast.arguments)
        elif isinstance(ast, ae.CallStructure) and ast.function.reference == "if_then_else":
            parts = list(ast.arguments[1:])
        if not parts:
            return False, frozenset()
        results = [self._int_valued(p) for p in parts]
        if all(r[0] for r in results):
            return True, frozenset().union(*(r[1] for r in results))
        return False, frozenset()

    def emit_game(self, ast, ctx: _Ctx) -> Val:
        return self.emit(ast.expression, ctx)

    # ------------------------------------------------------------------ assembly
    def _order(self, phase: str) -> list[str]:
        present = {n: node for n, node in self.nodes.items() if getattr(node, phase) is not None}
        deps = {n: {d for d in getattr(node, f"{phase}_deps") if d in present}
                for n, node in present.items()}
        done, order = set(), []
        visiting = set()

        def visit(n, path):
            if n in done:
                return
            if n in visiting:
                cycle = path[path.index(n):] + [n]
                raise AlgebraicLoopError(
                    f"model {self.model.name!r}: circular definition at {phase} time: "
                    + " -> ".join(c for c in cycle if not c.startswith("_s"))
                )
            visiting.add(n)
            for d in sorted(deps[n]):
                visit(d, path + [n])
            visiting.discard(n)
            done.add(n)
            order.append(n)

        for n in present:
            visit(n, [])
        return order

    def _statics(self, order: list[str]) -> list[str]:
        """Nodes that do not change during a run (PySD's "run" cache): computed once."""
        static: set[str] = set()
        for n in order:
            node = self.nodes[n]
            if n.startswith("_s") and "_" not in n[2:] or n.endswith("__init"):
                continue
            if node.init != node.step or TIME in node.step_deps:
                continue
            if all(d in static or d not in self.nodes for d in node.step_deps):
                static.add(n)
        return [n for n in order if n in static]

    def _assemble(self) -> CompiledModel:
        step_order = self._order("step")
        statics = self._statics(step_order)
        loaded = set(self.params) | set(statics)
        header = [f"    {c} = C[{c!r}]" for c in CONTROL]
        header += [f"    {p} = C[{p!r}]" for p in self.params]
        lines = ["import numpy as np", "from sdmodel.batch import runtime as _rt", "",
                 "def statics(C, _N):", "    _init = False", *header]
        for n in statics:
            lines += ["    " + ln for ln in self.nodes[n].lines("step")]
        lines += ["    return {" + ", ".join(f"{n!r}: {n}" for n in statics) + "}", ""]
        header += [f"    {p} = C[{p!r}]" for p in statics]
        lines += ["def initialize(C, _N):", "    _S = {}", "    _init = True",
                  "    time = C['initial_time']", *header]
        for n in self._order("init"):
            if n not in loaded:
                lines += ["    " + ln for ln in self.nodes[n].lines("init")]
        lines += ["    return _S", "", "def evaluate(C, _S, time):", "    _N = C['_N']",
                  "    _init = False", *header]
        for n in step_order:
            if n not in loaded:
                lines += ["    " + ln for ln in self.nodes[n].lines("step")]
        outputs = [py for py in self.nodes if not py.startswith("_")]
        step_vals = [n for n, node in self.nodes.items()
                     if n.startswith("_s") and node.step is not None]
        names = [n for n in outputs if n not in loaded] + step_vals
        lines += ["    return {" + ", ".join(f"{n!r}: {n}" for n in names) + "}", "",
                  "def update(_S, V, dt):", "    _S2 = dict(_S)"]
        lines += ["    " + ln for ln in self._updates]
        lines += ["    return _S2", ""]
        source = "\n".join(lines)
        namespace = dict(self.consts.values)
        exec(compile(source, f"<batch:{self.model.name}>", "exec"), namespace)  # noqa: S102
        defaults = {py: _default_array(v, self.dims[py]) for py, v in self.params.items()}
        invariant = [n for n in outputs if n in statics] + list(self.params)
        steps = [(n, self.nodes[n].step, sorted(self.nodes[n].step_deps))
                 for n in step_order if n not in loaded]
        return CompiledModel(source, namespace, dict(self.dims),
                             outputs + list(self.params), defaults,
                             [k for k, _, _ in self.stateful], invariant,
                             steps=steps, header=header, step_vals=step_vals)


def _name_elements(section) -> None:
    """Give a PySD section's elements their python names, as PySD's builder does."""
    for element in section.elements:
        section.namespace.add_to_namespace(element.name)
        element.identifier = section.namespace.namespace[element.name]
        section.subscripts.elements[element.identifier] = element.subscripts


def _default_array(value, dims) -> np.ndarray:
    if not dims:
        return np.array([float(value)])
    arr = value.transpose(*[d for d, _ in dims]) if hasattr(value, "transpose") else value
    return np.asarray(arr, dtype=float)[None, ...]


EMITTERS = {
    float: Compiler.emit_number,
    int: Compiler.emit_number,
    np.float64: Compiler.emit_number,
    np.int64: Compiler.emit_number,
    np.ndarray: Compiler.emit_array,
    ae.ArithmeticStructure: Compiler.emit_operation,
    ae.LogicStructure: Compiler.emit_operation,
    ae.ReferenceStructure: Compiler.emit_reference,
    ae.CallStructure: Compiler.emit_call,
    ae.InlineLookupsStructure: Compiler.emit_inline_lookup,
    ae.GameStructure: Compiler.emit_game,
    ae.AllocateAvailableStructure: emit_allocate_available,
    ae.AllocateByPriorityStructure: emit_allocate_by_priority,
    **{cls: Compiler.emit_stateful for cls in _STATEFUL},
}
Compiler.emitters = EMITTERS


def compile_model(model) -> CompiledModel:
    """Compile ``model`` (an :class:`sdmodel.Model`) for the batch engine.

    Raises
    ------
    UnsupportedConstructError
        The model uses a construct the batch engine cannot compile; the message names the
        element and the construct.
    AlgebraicLoopError
        Variables depend on each other in a cycle.
    """
    return Compiler(model).compile()
