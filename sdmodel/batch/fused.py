"""The fused backend of the batch engine: one numba kernel per model.

:class:`FusedCompiler` walks the same PySD ``AbstractModel`` as the numpy compiler (it
subclasses :class:`~sdmodel.batch.compiler.Compiler`, reusing its element walk, dependency
ordering and run-constant detection) but emits through its own dispatch tables,
:data:`FUSED_EMITTERS` and :data:`FUSED_FUNCTIONS`, *scalar* source for one run. The kernel
(:func:`kernel_source`) runs blocks of runs; per block it initialises the states, computes the
values constant during a run (parameters and what depends on them only) once, then for each
Euler step computes the time-only values once and evaluates every equation of the step in one
loop over the runs of the block, with each run's variables in registers, and advances the
states in the same pass. IF THEN ELSE evaluates only the branch taken. Sub-expressions of
parameters only, or of time only, inside time-varying equations are hoisted out of that loop.

Supported: every construct of the numpy backend on unsubscripted models except the ones
refused by name with :class:`~sdmodel.exceptions.UnsupportedConstructError`: subscripts,
DELAY FIXED, SMOOTH N / DELAY N with an order computed from model variables, VECTOR SELECT,
INVERT MATRIX, ALLOCATE AVAILABLE / BY PRIORITY, reductions (SUM, PROD, VMIN, VMAX), ELMCOUNT.

Examples
--------
>>> import sdmodel as sd
>>> fused = compile_fused(sd.load("models/validation/nelson_phelps.mdl"))
>>> fused.params[:2], fused.outputs[:2]
(['catch_up_rate', 'frontier_growth_rate'], ['technological_capability', 'catch_up'])
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pysd.translators.structures import abstract_expressions as ae

from ..exceptions import UnsupportedConstructError
from .compiled import Node
from .compiler import _STATEFUL, CONTROL, EMITTERS, Compiler, _Ctx
from .dims import TIME, Val

__all__ = ["FusedCompiler", "FusedModel", "compile_fused", "FUSED_EMITTERS",
           "FUSED_FUNCTIONS", "STATUS", "BLOCK"]

#: Runs evaluated together in one pass of a step (their states stay in cache).
BLOCK = 256
#: Bits of the kernel's status: a run needs what the kernel cannot do (checked at init).
STATUS = {1: "DELAY order lowered because DELAY TIME < order * TIME STEP (construct: DELAY "
             "with an effective order below its stated order)"}

_IDENT = re.compile(r"[A-Za-z_][A-Za-z_0-9]*\Z")
_NUMBER = re.compile(r"-?[0-9.eE+-]+\Z|_INF\Z|_NAN\Z|\(-_INF\)\Z")
_BINARY = {
    "^": "**", "*": "*", "/": "/", "+": "+", "-": "-", "=": "==", "<>": "!=", ">=": ">=",
    ">": ">", "<=": "<=", "<": "<",
}
# what a value depends on: literal (same for all runs and steps), parameter-only, time-only
_RANK = {"lit": 0, "par": 1, "time": 1, "dyn": 2}


@dataclass(frozen=True)
class FVal(Val):
    """A scalar expression for one run and what it depends on (``kind``).

    ``kind`` is ``"lit"`` (numbers, time settings), ``"par"`` (parameters and numbers),
    ``"time"`` (TIME and numbers) or ``"dyn"`` (anything else).
    """

    kind: str = "dyn"


def _kind(vals) -> str:
    kinds = {v.kind for v in vals}
    if "dyn" in kinds or {"par", "time"} <= kinds:
        return "dyn"
    return "time" if "time" in kinds else "par" if "par" in kinds else "lit"


@dataclass
class FusedModel:
    """A compiled fused kernel and the layout of its arrays.

    ``params`` are the rows of the parameter array, ``statics`` the rows of the
    run-constant array, ``outputs`` the time-varying variables the kernel can save, and
    ``flags`` the run-time flags (see :func:`FusedCompiler.flag_values`).
    """

    source: str
    params: list
    statics: list
    outputs: list
    flags: list = field(default_factory=list)
    kernel: Any = None


class FusedCompiler(Compiler):
    """Compile an unsubscripted model into one fused numba kernel; see :func:`compile_fused`."""

    functions: dict = {}  # set to FUSED_FUNCTIONS below

    def __init__(self, model):
        super().__init__(model)
        self.slots: list[str] = []  # state locals, one row each of the state array
        self.checks: list[tuple[str, int]] = []  # init-time (condition, status bit)
        self.flag_specs: list[frozenset | bool] = []
        self.tables: list[str] = []  # generated lookup functions
        self.active: dict[str, tuple[str, str]] = {}  # ACTIVE INITIAL token: (init, run)
        self.table_of: dict[str, str] = {}  # lookup element -> its generated function
        self.state_updates: list[tuple[str, str]] = []  # (state local, its next value)
        self._hoisted = 0

    # ------------------------------------------------------------------ elements
    def _element(self, py: str, element) -> None:
        if self.dims[py]:
            raise UnsupportedConstructError(
                f"{element.name}: subscripted variable; construct: subscripts (the fused "
                "backend compiles unsubscripted models)")
        comps = element.components
        if len(comps) != 1 or comps[0].subscripts[1]:
            raise UnsupportedConstructError(
                f"{element.name}: several definitions; construct: multi-component definition")
        node = Node(py)
        ctx = _Ctx(element.name, (), node.init_deps, node.step_deps)
        val = self.emit(comps[0].ast, ctx)
        node.init = node.step = [f"{py} = {val.code}"]
        self.nodes[py] = node

    def _assign(self, py: str, val: Val) -> str:
        return f"{py} = {val.code}"

    # ------------------------------------------------------------------ expressions
    def hoist(self, val: FVal, ctx: _Ctx) -> FVal:
        """Move a non-trivial parameter-only or time-only value into a node of its own.

        The run-constant detection then computes it once per run, and the time-only
        detection once per step for all runs, instead of once per run and step.
        """
        if val.kind not in ("par", "time") or _IDENT.match(val.code) \
                or _NUMBER.match(val.code):
            return val
        name = f"_h{self._hoisted}"
        self._hoisted += 1
        deps = {TIME} if val.kind == "time" else set()
        self.nodes[name] = Node(name, init=[f"{name} = {val.code}"],
                                step=[f"{name} = {val.code}"], init_deps=set(deps),
                                step_deps=set(deps))
        ctx.use(name)
        return FVal(name, kind=val.kind)

    def combine(self, template: str, vals, ctx: _Ctx) -> FVal:
        """``template`` applied to ``vals``; hoists the invariant ones of a time-varying result."""
        kind = _kind(vals)
        if kind == "dyn":
            vals = [self.hoist(v, ctx) for v in vals]
        return FVal(template.format(*(v.code for v in vals)), kind=kind)

    def emit_number(self, ast, ctx: _Ctx) -> FVal:
        value = float(ast)
        if np.isnan(value):
            return FVal("_NAN", kind="lit")
        if np.isinf(value):
            return FVal("_INF" if value > 0 else "(-_INF)", kind="lit")
        return FVal(repr(value), kind="lit")

    def emit_refused(self, ast, ctx: _Ctx) -> FVal:
        name = type(ast).__name__.replace("Structure", "")
        if isinstance(ast, np.ndarray):
            name = "array of values"
        raise UnsupportedConstructError(
            f"{ctx.element}: construct {name} is not supported by the fused backend")

    def emit_operation(self, ast, ctx: _Ctx) -> FVal:
        args = [self.emit(a, ctx) for a in ast.arguments]
        ops = list(ast.operators)
        if len(args) == 1:
            op = ops[0]
            if op == "negative":
                return self.combine("(-{0})", args, ctx)
            if op == ":NOT:":
                return self.combine("({0} == 0)", args, ctx)
            raise UnsupportedConstructError(f"{ctx.element}: unary operator {op!r}")
        if ops[-1] in (":AND:", ":OR:"):
            template = "({0} != 0)"
            for k, op in enumerate(ops, start=1):
                joint = " & " if op == ":AND:" else " | "
                template = f"({template}{joint}({{{k}}} != 0))"
            return self.combine(template, args, ctx)
        template = "({0})"
        for k, op in enumerate(ops, start=1):
            if op not in _BINARY:
                raise UnsupportedConstructError(f"{ctx.element}: operator {op!r}")
            template += f" {_BINARY[op]} ({{{k}}})"
        return self.combine("(" + template + ")", args, ctx)

    def emit_reference(self, ast, ctx: _Ctx) -> FVal:
        ref = ast.reference
        if ref == "time":
            ctx.use(TIME)
            return FVal("time", kind="time")
        if ref not in self.cleanspace:
            raise UnsupportedConstructError(
                f"{ctx.element}: subscript {ref!r} used as a number; construct: subscripts")
        py = self.cleanspace[ref]
        if py in CONTROL:
            return FVal(py, kind="lit")
        if py in self.lookups:
            raise UnsupportedConstructError(
                f"{ctx.element}: lookup {py!r} used as a variable; construct: lookup reference")
        if getattr(ast.subscripts, "subscripts", None) or self.dims.get(py):
            raise UnsupportedConstructError(
                f"{ctx.element}: reference to subscripted {py!r}; construct: subscripts")
        ctx.use(py)
        return FVal(py, kind="par" if py in self.params else "dyn")

    def _macro_call(self, macro, ast, ctx: _Ctx) -> FVal:
        val = super()._macro_call(macro, ast, ctx)
        return FVal(val.code, kind="dyn")

    def _table(self, table_x, table_y, kind: str) -> str:
        """A generated scalar lookup function for one table; returns its name."""
        name = f"_lk{len(self.tables)}"
        xs = [float(v) for v in np.asarray(table_x, dtype=float)]
        ys = [float(v) for v in np.asarray(table_y, dtype=float)]
        self.tables.append(_lookup_source(name, xs, ys, kind))
        return name

    def emit_inline_lookup(self, ast, ctx: _Ctx) -> FVal:
        x = self.emit(ast.argument, ctx)
        table = ast.lookups
        name = self._table(table.x, table.y, table.type)
        return self.combine(f"{name}({{0}})", [x], ctx)

    def _lookup_call(self, py: str, ast, ctx: _Ctx) -> FVal:
        element: Any = self.lookups[py]
        if self.dims[py] or len(element.components) != 1:
            raise UnsupportedConstructError(
                f"{ctx.element}: subscripted lookup {py!r}; construct: subscripts")
        table = element.components[0].ast
        if table.type not in ("interpolate", "hold_backward", "extrapolate"):
            raise UnsupportedConstructError(
                f"{ctx.element}: lookup {py!r} interpolation {table.type!r}; construct: lookup "
                "type")
        (arg,) = ast.arguments
        x = self.emit(arg, ctx)
        if py not in self.table_of:
            self.table_of[py] = self._table(table.x, table.y, table.type)
        return self.combine(f"{self.table_of[py]}({{0}})", [x], ctx)

    def emit_stateful(self, ast, ctx: _Ctx) -> FVal:
        kind = _STATEFUL[type(ast)]
        if kind == "integ" and ast.non_negative:
            kind = "integ_nonneg"
        if kind == "delayfixed":
            raise UnsupportedConstructError(
                f"{ctx.element}: DELAY FIXED is not supported by the fused backend (its pipe "
                "length depends on the run); construct: DELAY FIXED")
        key = f"_s{len(self.stateful)}"
        self.stateful.append((key, kind, ctx.element))
        spec = _FUSED_KINDS[kind]
        order = 1
        if kind in ("smooth", "delay", "delayn"):
            order = self._literal_order(ast, ctx)
        stages = [f"{key}_x{j}" for j in range(order)]
        fmt: dict = {"s": key, "n": order, "x": stages[-1], "x0": stages[0]}
        if kind == "smooth":
            # PySD holds the state as an integer when the initial value is one (see
            # sdmodel.batch.runtime.smooth_step): a flag, unless an integer constant varies
            is_int, consts = self._int_valued(ast.initial)
            fmt["flag"] = (consts if consts else True) if is_int else False
        args = {}
        for arg in spec.init_args + spec.both_args + spec.step_args:
            if arg == "order":
                continue
            argname = f"{key}_{arg}"
            arg_node = Node(argname)
            sub = _Ctx(ctx.element, (), arg_node.init_deps, arg_node.step_deps)
            line = [f"{argname} = {self.emit(getattr(ast, arg), sub).code}"]
            if arg in spec.init_args or arg in spec.both_args:
                arg_node.init = line
            if arg in spec.step_args or arg in spec.both_args:
                arg_node.step = line
            self.nodes[argname] = arg_node
            args[arg] = argname
            fmt[arg] = argname
        init, update = self._state_lines(kind, key, stages, fmt)
        state = Node(f"{key}__init", init=init,
                     init_deps={f"{key}_{a}" for a in spec.init_args + spec.both_args
                                if a != "order"})
        self.nodes[state.name] = state
        node = Node(key)
        node.init = node.step = [f"{key} = {spec.output.format(**fmt)}"]
        node.init_deps = {state.name, *(f"{key}_{a}" for a in spec.both_args)}
        node.step_deps = {TIME, *(f"{key}_{a}" for a in spec.both_args)}
        self.nodes[key] = node
        ctx.use(key)
        self.state_updates.extend(update)
        return FVal(key, kind="dyn")

    def _literal_order(self, ast, ctx: _Ctx) -> int:
        order = ast.order
        if isinstance(order, (int, float, np.number)) and not isinstance(order, bool):
            return int(order)
        raise UnsupportedConstructError(
            f"{ctx.element}: the order of a SMOOTH N / DELAY N is computed from model "
            "variables; construct: computed chain order (the fused backend needs a number)")

    def _state_lines(self, kind: str, key: str, stages: list, fmt: dict):
        """Init lines (defining the state locals) and update lines (writing new states)."""
        n = len(stages)
        if kind in ("integ", "integ_nonneg", "initial", "sampleiftrue"):
            self.slots.append(stages[0])
            init = [f"{stages[0]} = {fmt['initial']}"]
            if kind == "initial":
                return init, []
            new = {
                "integ": f"{stages[0]} + {fmt.get('flow')} * time_step",
                "integ_nonneg": f"_np.maximum({stages[0]} + {fmt.get('flow')} * time_step, 0.0)",
                "sampleiftrue": f"{stages[0]} * 0.0 + ({fmt.get('input')} if "
                                f"{fmt.get('condition')} else {stages[0]})",
            }[kind]
            return init, [(stages[0], new)]
        if kind == "smooth":
            flag = f"{key}_int"
            self.slots.extend(stages + [flag])
            init = [f"{x} = {fmt['initial']}" for x in stages]
            init.append(f"{flag} = _F[{len(self.flag_specs)}]")
            self.flag_specs.append(fmt["flag"])
            inp = fmt["input"]
            targets = [f"(_np.trunc({inp}) if {flag} != 0.0 else {inp})"] + stages[:-1]
            update = [(x, f"{x} + ({t} - {x}) * {n} / {fmt['smooth_time']} * time_step")
                      for x, t in zip(stages, targets)]
            update.append((flag, "0.0"))
            return init, update
        if kind in ("delay", "delayn"):
            d = fmt["delay_time"]
            self.checks.append((f"{n} * time_step > {d}", 1))
            init = [f"{x} = {fmt['initial']} * {d}" for x in stages]
            if kind == "delay":
                self.slots.extend(stages)
                outflow = [f"({x} / {d})" for x in stages]
                update = []
            else:
                times = [f"{key}_t{j}" for j in range(n)]
                self.slots.extend(stages + times)
                init += [f"{t} = {d}" for t in times]
                new_times = [d] + times[:-1]
                outflow = [f"({x} / {t})" for x, t in zip(stages, new_times)]
                update = list(zip(times, new_times))
            inflow = [fmt["input"]] + outflow[:-1]
            update = [(x, f"{x} + ({i} - {o}) * {n} * time_step")
                      for x, i, o in zip(stages, inflow, outflow)] + update
            return init, update
        # trend, forecast
        self.slots.append(stages[0])
        x = stages[0]
        if kind == "trend":
            init = [f"{x} = {fmt['input']} / (1 + {fmt['initial_trend']} * "
                    f"{fmt['average_time']})"]
        else:
            init = [f"{x} = {fmt['input']} / (1 + {fmt['initial_trend']})"]
        return init, [(x, f"{x} + ({fmt['input']} - {x}) / {fmt['average_time']} * time_step")]

    # ------------------------------------------------------------------ assembly
    def compile(self) -> FusedModel:  # type: ignore[override]
        for py, element in self.elements.items():
            if {type(c.ast) for c in element.components} == {ae.LookupsStructure}:
                self.lookups[py] = element
        for py, element in self.elements.items():
            if py in CONTROL or type(element).__name__ == "AbstractControlElement":
                self._check_control(py, element)
                continue
            if py in self.params or py in self.lookups:
                continue
            if self.dims[py]:
                raise UnsupportedConstructError(
                    f"{element.name}: subscripted variable; construct: subscripts (the fused "
                    "backend compiles unsubscripted models)")
            self._element(py, element)
        for py in self.params:
            if self.dims[py]:
                raise UnsupportedConstructError(
                    f"{self.elements[py].name}: subscripted constant; construct: subscripts "
                    "(the fused backend compiles unsubscripted models)")
        return self._assemble_fused()

    def _resolve_phases(self) -> None:
        """Give ACTIVE INITIAL its initial expression at init time, its run expression after
        (each phase's source mentions only what that phase computes)."""
        if not self.active:
            return
        pattern = re.compile("|".join(re.escape(t) for t in self.active))
        for node in self.nodes.values():
            for phase, k in (("init", 0), ("step", 1)):
                lines = getattr(node, phase)
                if lines is not None:
                    resolved = lines
                    while any(pattern.search(ln) for ln in resolved):
                        resolved = [pattern.sub(lambda m: f"({self.active[m.group(0)][k]})", ln)
                                    for ln in resolved]
                    setattr(node, phase, resolved)

    def _assemble_fused(self) -> FusedModel:
        self._resolve_phases()
        step_order = self._order("step")
        init_order = self._order("init")
        statics = self._statics(step_order)
        static_set = set(statics)
        timed: set[str] = set()
        for n in step_order:
            node = self.nodes[n]
            if (n.startswith("_s") and "_" not in n[2:]) or node.init != node.step:
                continue
            if TIME in node.step_deps and all(d == TIME or d in timed for d in node.step_deps):
                timed.add(n)
        time_order = [n for n in step_order if n in timed]
        run_order = [n for n in step_order if n not in timed and n not in static_set]
        params = list(self.params)
        outputs = [py for py in self.nodes if not py.startswith("_") and py not in static_set]
        source = kernel_source(
            params=params, statics=statics, slots=self.slots, outputs=outputs,
            init=[ln for n in init_order for ln in self.nodes[n].init or []],
            static_lines=[ln for n in statics for ln in self.nodes[n].step or []],
            time_lines=[ln for n in time_order for ln in self.nodes[n].step or []],
            run_lines=[ln for n in run_order for ln in self.nodes[n].step or []],
            updates=self.state_updates, checks=self.checks, tables=self.tables,
            name=self.model.name)
        return FusedModel(source, params, statics, outputs, list(self.flag_specs))


def flag_values(fused: FusedModel, varied) -> np.ndarray:
    """The kernel's flags for a batch varying the parameters ``varied``.

    A SMOOTH whose initial value PySD computes as a Python integer keeps an integer state
    (its first input is truncated) unless one of the integer constants it reads is varied.
    """
    varied = set(varied)
    out = np.zeros(max(1, len(fused.flags)))
    for k, spec in enumerate(fused.flags):
        out[k] = float(spec is True or (isinstance(spec, frozenset) and not (spec & varied)))
    return out


def _lookup_source(name: str, xs: list, ys: list, kind: str) -> str:
    """A scalar lookup with ``np.interp``'s arithmetic (and PySD's hold/extrapolate rules)."""
    m = len(xs)
    lines = [f"@_nb.njit(cache=True, error_model='numpy', fastmath=_FASTMATH)",
             f"def {name}(x):",
             f"    _xs = {name}_x",
             f"    _ys = {name}_y"]
    if kind == "hold_backward":
        # PySD: ys[clip(searchsorted(xs, x, 'right') - 1, 0, m - 1)]
        count = " + ".join(f"(x >= {v!r})" for v in xs[1:]) or "0"
        lines += ["    if x != x:", "        return _ys[-1]", f"    return _ys[{count}]"]
    else:
        count = " + ".join(f"(x >= {v!r})" for v in xs[1:-1]) or "0"
        if kind == "interpolate":
            low, high = f"{ys[0]!r}", f"{ys[-1]!r}"
        else:
            low = (f"{ys[0]!r} + ({ys[1]!r} - {ys[0]!r}) / ({xs[1]!r} - {xs[0]!r}) * "
                   f"(x - {xs[0]!r})") if m > 1 else f"{ys[0]!r}"
            high = (f"{ys[-1]!r} + ({ys[-1]!r} - {ys[-2]!r}) / ({xs[-1]!r} - {xs[-2]!r}) * "
                    f"(x - {xs[-1]!r})") if m > 1 else f"{ys[-1]!r}"
        lines += [
            "    if x != x:",
            "        return x",
            f"    if x < {xs[0]!r}:",
            f"        return {low}",
            f"    if x >= {xs[-1]!r}:",
            f"        return {ys[-1]!r} if x == {xs[-1]!r} else {high}",
            f"    j = {count}",
            "    xj = _xs[j]",
            "    yj = _ys[j]",
            "    if xj == x:",
            "        return yj",
            "    slope = (_ys[j + 1] - yj) / (_xs[j + 1] - xj)",
            "    return slope * (x - xj) + yj",
        ]
    head = [f"{name}_x = _np.array({xs!r})", f"{name}_y = _np.array({ys!r})", ""]
    return "\n".join(head + lines) + "\n"


_HELPERS = '''
@_nb.njit(cache=True, error_model='numpy', fastmath=_FASTMATH)
def _xidz(a, b, x):
    if abs(b) < 1e-6:
        return x
    return a / b


@_nb.njit(cache=True, error_model='numpy', fastmath=_FASTMATH)
def _quantum(a, b):
    if b < 1e-6:
        return a
    return b * _np.trunc(a / b)


@_nb.njit(cache=True, error_model='numpy', fastmath=_FASTMATH)
def _pulse(time, start, width, out):
    return out if (start - 1e-6 <= time) & (time < start + width) else 0.0


@_nb.njit(cache=True, error_model='numpy', fastmath=_FASTMATH)
def _pulse_train(time, start, repeat, width, end, out):
    if repeat == 0:
        on = (start - 1e-6 <= time) & (time < start + width)
    else:
        on = (start <= time) & (time < end) & ((time - start + 1e-6) % repeat < width)
    return out if on else 0.0
'''


def kernel_source(*, params, statics, slots, outputs, init, static_lines, time_lines,
                  run_lines, updates, checks, tables, name) -> str:
    """Python source of the kernel module (numba ``@njit(cache=True)`` functions).

    ``kernel(_P, _F, _CI, _CR, _T, _SLOT, _SEL, _OUT, _ST)``: parameters ``(n_params, N)``,
    flags, time settings for initialisation and for the run (initial, final, step, saveper),
    the Euler times, the output slot of each time (-1: not saved), the output rows to save,
    the output array ``(n_saved, n_selected, N)`` and the run-constant array
    ``(n_statics, N)``; returns the status bits of :data:`STATUS`.
    """
    pad = " " * 12
    control = ["initial_time", "final_time", "time_step", "saveper"]
    loads_p = [f"{p} = _P[{j}, _b0 + _i]" for j, p in enumerate(params)]
    loads_st = [f"{s} = _ST[{j}, _b0 + _i]" for j, s in enumerate(statics)]
    loads_s = [f"{s} = _S[{j}, _i]" for j, s in enumerate(slots)]
    slot_row = {s: j for j, s in enumerate(slots)}
    stores = [f"_S[{slot_row[s]}, _i] = {expr}" for s, expr in updates]
    # new states are computed from the old ones first, then stored (order-free updates)
    news = [f"_new{k} = {expr}" for k, (_, expr) in enumerate(updates)]
    stores = [f"_S[{slot_row[s]}, _i] = _new{k}" for k, (s, _) in enumerate(updates)]

    def block(lines, indent):
        return [indent + ln for ln in lines or ["pass"]]

    src = [f"# fused batch kernel of model {name!r}, generated by sdmodel.batch.fused",
           "import numpy as _np", "import numba as _nb", "",
           "_INF = _np.inf", "_NAN = _np.nan", "_FASTMATH = " + repr(FASTMATH), "",
           _HELPERS, *tables, "",
           "@_nb.njit(cache=True, error_model='numpy', fastmath=_FASTMATH)",
           "def kernel(_P, _F, _CI, _CR, _T, _SLOT, _SEL, _OUT, _ST):",
           "    _N = _P.shape[1]",
           f"    _S = _np.empty(({max(1, len(slots))}, {BLOCK}))",
           f"    _W = _np.empty(({max(1, len(outputs))}, {BLOCK}))",
           "    _status = 0",
           f"    for _b0 in range(0, _N, {BLOCK}):",
           f"        _nr = min({BLOCK}, _N - _b0)",
           *[f"        {c} = _CI[{j}]" for j, c in enumerate(control)],
           "        time = initial_time",
           "        _init = True",
           "        for _i in range(_nr):",
           *block(loads_p + init, pad),
           *block([f"_S[{j}, _i] = {s}" for j, s in enumerate(slots)], pad),
           *[ln for cond, bit in checks
             for ln in (f"{pad}if {cond}:", f"{pad}    _status |= {bit}")],
           *[f"        {c} = _CR[{j}]" for j, c in enumerate(control)],
           "        time = initial_time",
           "        for _i in range(_nr):",
           *block(loads_p + static_lines, pad),
           *block([f"_ST[{j}, _b0 + _i] = {s}" for j, s in enumerate(statics)], pad),
           "        _init = False",
           "        for _k in range(_T.shape[0]):",
           "            time = _T[_k]",
           *block(time_lines, pad),
           "            _slot = _SLOT[_k]",
           "            if _slot >= 0:",
           "                for _i in range(_nr):",
           *block(loads_p + loads_st + loads_s + run_lines, pad + "        "),
           *block([f"_W[{j}, _i] = {o}" for j, o in enumerate(outputs)], pad + "        "),
           *block(news + stores, pad + "        "),
           "                for _q in range(_SEL.shape[0]):",
           "                    _row = _SEL[_q]",
           "                    for _i in range(_nr):",
           "                        _OUT[_slot, _q, _b0 + _i] = _W[_row, _i]",
           "            else:",
           "                for _i in range(_nr):",
           *block(loads_p + loads_st + loads_s + run_lines + news + stores, pad + "        "),
           "    return _status", ""]
    return "\n".join(src)


#: numba ``fastmath`` flags of the kernels: none by default (IEEE semantics, as numpy).
FASTMATH: bool | set = False


def _fn(template: str, arity: tuple[int, ...] | None = None, *, timed: bool = False):
    """An emitter applying ``template`` to the emitted arguments; ``{t}``/``{dt}`` are TIME
    and TIME STEP (the value then depends on time)."""

    def emit(comp: FusedCompiler, args, ctx: _Ctx) -> FVal:
        if arity is not None and len(args) not in arity:
            raise UnsupportedConstructError(
                f"{ctx.element}: {template.split('(')[0]} called with {len(args)} arguments")
        vals = [comp.emit(a, ctx) for a in args]
        body = template.replace("{dt}", "time_step")
        if timed:
            ctx.use(TIME)
            vals.append(FVal("time", kind="time"))
            body = body.replace("{t}", "{%d}" % (len(vals) - 1))
        return comp.combine(body, vals, ctx)

    return emit


def _active_initial(comp: FusedCompiler, args, ctx: _Ctx) -> FVal:
    """ACTIVE INITIAL(expr, init): ``init`` while initialising, ``expr`` afterwards."""
    run_expr, init_expr = args
    ctx.use(TIME)
    saved = ctx.phase
    ctx.phase = "step"
    run_val = comp.emit(run_expr, ctx)
    ctx.phase = "init"
    init_val = comp.emit(init_expr, ctx)
    ctx.phase = saved
    token = f"__active{len(comp.active)}__"
    comp.active[token] = (init_val.code, run_val.code)
    return FVal(token, kind="dyn")


def _refuse(what: str):
    def emit(comp, args, ctx):
        raise UnsupportedConstructError(
            f"{ctx.element}: {what} is not supported by the fused backend; construct: {what}")

    return emit


FUSED_FUNCTIONS = {
    "abs": _fn("abs({0})"),
    "power": _fn("(({0}) ** ({1}))"),
    "min": _fn("_np.minimum({0}, {1})"),
    "max": _fn("_np.maximum({0}, {1})"),
    "exp": _fn("_np.exp({0})"),
    "sqrt": _fn("_np.sqrt({0})"),
    "ln": _fn("_np.log({0})"),
    "log": _fn("(_np.log({0}) / _np.log({1}))"),
    "sin": _fn("_np.sin({0})"),
    "cos": _fn("_np.cos({0})"),
    "tan": _fn("_np.tan({0})"),
    "arcsin": _fn("_np.arcsin({0})"),
    "arccos": _fn("_np.arccos({0})"),
    "arctan": _fn("_np.arctan({0})"),
    "sinh": _fn("_np.sinh({0})"),
    "cosh": _fn("_np.cosh({0})"),
    "tanh": _fn("_np.tanh({0})"),
    "integer": _fn("_np.trunc({0})"),
    "modulo": _fn("(({0}) - _quantum({0}, {1}))"),
    "quantum": _fn("_quantum({0}, {1})"),
    "xidz": _fn("_xidz({0}, {1}, {2})"),
    "zidz": _fn("_xidz({0}, {1}, 0.0)"),
    "if_then_else": _fn("(({1}) if ({0}) else ({2}))"),
    "step": _fn("(({0}) * ({t} + {dt} / 2 > ({1})))", (2,), timed=True),
    "ramp": _fn("(({t} + 1e-6 > ({1})) * ({0}) * (_np.minimum({2}, {t}) - ({1})))", (3,),
                timed=True),
    "Xramp": _fn("(({t} + 1e-6 > ({1})) * ({0}) * ({t} - ({1})))", (2,), timed=True),
    "pulse": _fn("_pulse({t}, {0}, {1}, 1.0)", (2,), timed=True),
    "Xpulse": _fn("_pulse({t}, {0}, 0.5 * {dt}, ({1}) / {dt})", (2,), timed=True),
    "pulse_train": _fn("_pulse_train({t}, {0}, {1}, {2}, {3}, 1.0)", (4,), timed=True),
    "Xpulse_train": _fn("_pulse_train({t}, {0}, {1}, 0.5 * {dt}, _INF, ({2}) / {dt})", (3,),
                        timed=True),
    "active_initial": _active_initial,
    "invert_matrix": _refuse("INVERT MATRIX"),
    "vector_select": _refuse("VECTOR SELECT"),
    "elmcount": _refuse("ELMCOUNT"),
    "sum": _refuse("SUM"),
    "prod": _refuse("PROD"),
    "vmin": _refuse("VMIN"),
    "vmax": _refuse("VMAX"),
}
FusedCompiler.functions = FUSED_FUNCTIONS


@dataclass(frozen=True)
class _FusedKind:
    init_args: tuple
    both_args: tuple
    step_args: tuple
    output: str


_FUSED_KINDS = {
    "integ": _FusedKind(("initial",), (), ("flow",), "{x}"),
    "integ_nonneg": _FusedKind(("initial",), (), ("flow",), "{x}"),
    "initial": _FusedKind(("initial",), (), (), "{x}"),
    "smooth": _FusedKind(("initial", "order"), (), ("input", "smooth_time"), "{x}"),
    "delay": _FusedKind(("initial", "order"), ("delay_time",), ("input",), "{x} / {delay_time}"),
    "delayn": _FusedKind(("initial", "order"), ("delay_time",), ("input",),
                         "{x} / {s}_t0"),
    "trend": _FusedKind(("initial_trend",), ("input", "average_time"), (),
                        "_xidz({input} - {x0}, {average_time} * abs({x0}), 0.0)"),
    "forecast": _FusedKind(("initial_trend",), ("input", "average_time", "horizon"), (),
                           "{input} * (1 + _xidz({input} - {x0}, {average_time} * {x0}, 0.0)"
                           " * {horizon})"),
    "sampleiftrue": _FusedKind(("initial",), ("condition", "input"), (),
                               "({input} if {condition} else {x0})"),
}

FUSED_EMITTERS = {
    **EMITTERS,
    float: FusedCompiler.emit_number,
    int: FusedCompiler.emit_number,
    np.float64: FusedCompiler.emit_number,
    np.int64: FusedCompiler.emit_number,
    np.ndarray: FusedCompiler.emit_refused,
    ae.ArithmeticStructure: FusedCompiler.emit_operation,
    ae.LogicStructure: FusedCompiler.emit_operation,
    ae.ReferenceStructure: FusedCompiler.emit_reference,
    ae.InlineLookupsStructure: FusedCompiler.emit_inline_lookup,
    ae.AllocateAvailableStructure: FusedCompiler.emit_refused,
    ae.AllocateByPriorityStructure: FusedCompiler.emit_refused,
    **{cls: FusedCompiler.emit_stateful for cls in _STATEFUL},
}
FusedCompiler.emitters = FUSED_EMITTERS


def compile_fused(model) -> FusedModel:
    """Generate the fused kernel source of ``model`` (an :class:`sdmodel.Model`).

    The kernel itself is compiled and loaded by :func:`sdmodel.batch.kernels.load_kernel`.

    Raises
    ------
    UnsupportedConstructError
        The model uses a construct the fused backend does not compile; the message names the
        element and the construct.
    AlgebraicLoopError
        Variables depend on each other in a cycle.
    """
    return FusedCompiler(model).compile()
