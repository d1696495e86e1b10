"""Vensim built-in functions for the batch compiler: ``{PySD function name: emitter}``.

Names are those PySD's translator puts in ``CallStructure.function.reference`` (see
``pysd.builders.python.python_functions.functionspace``). Each emitter receives the compiler,
the argument syntax trees and the emission context, and returns a :class:`~.dims.Val`.

Examples
--------
>>> sorted(FUNCTIONS)[:4]
['Xpulse', 'Xpulse_train', 'Xramp', 'abs']
"""

from __future__ import annotations

import numpy as np
from pysd.translators.structures import abstract_expressions as ae

from ..exceptions import UnsupportedConstructError
from .dims import TIME, Val, align, merge_dims

__all__ = ["FUNCTIONS", "emit_allocate_available", "emit_allocate_by_priority"]


def _nary(template: str, *, arity: tuple[int, ...] | None = None):
    """An emitter applying ``template`` (``{0}``, ``{1}``...) to aligned arguments."""

    def emit(comp, args, ctx):
        if arity is not None and len(args) not in arity:
            raise UnsupportedConstructError(
                f"{ctx.element}: {template.split('(')[0]} called with {len(args)} arguments")
        vals = [comp.emit(a, ctx) for a in args]
        dims = merge_dims(vals, element=ctx.element)
        scalar = all(v.scalar for v in vals)
        codes = [v.code if scalar else align(v, dims, comp.consts, element=ctx.element).code
                 for v in vals]
        return Val(template.format(*codes), dims, scalar)

    return emit


def _reduce(func: str):
    """SUM/PROD/VMIN/VMAX over the dimensions marked ``!`` (all dimensions when none are)."""

    def emit(comp, args, ctx):
        val = comp.emit(args[0], ctx)
        if val.scalar or not val.dims:
            return val
        marked = [i for i, (name, _) in enumerate(val.dims) if name.endswith("!")]
        axes = marked or list(range(len(val.dims)))
        keep = tuple(d for i, d in enumerate(val.dims) if i not in axes)
        axis = tuple(i + 1 for i in axes)
        return Val(f"np.{func}({val.code}, axis={axis})", keep)

    return emit


def _vector_select(comp, args, ctx):
    """VECTOR SELECT(selection, expression, missing, numerical action, error action)."""
    sel, expr, missing, action, error = (comp.emit(a, ctx) for a in args)
    dims = merge_dims([sel, expr], element=ctx.element)
    codes = [comp._fit(v, dims, ctx) for v in (sel, expr)]
    axes = tuple(i + 1 for i, (name, _) in enumerate(dims) if name.endswith("!"))
    keep = tuple(d for d in dims if not d[0].endswith("!"))
    miss = missing.code if missing.scalar else align(missing, keep, comp.consts,
                                                     element=ctx.element).code
    return Val(f"_rt.vector_select({codes[0]}, {codes[1]}, {axes}, {miss}, {action.code}, "
               f"{error.code})", keep)


def emit_allocate_available(comp, ast, ctx):
    """ALLOCATE AVAILABLE(request[..., claimant], pp[..., claimant, pprofile], avail)."""
    pp = ast.pp
    _check_profiles(comp, comp.cleanspace[pp.reference], ctx)
    own = comp.dims[comp.cleanspace[pp.reference]]
    subs = list(pp.subscripts.subscripts[:-1]) + [own[-1][0]]  # as PySD's builder does
    pp = ae.ReferenceStructure(pp.reference, ae.SubscriptsReferenceStructure(subs))
    request, prof, avail = (comp.emit(a, ctx) for a in (ast.request, pp, ast.avail))
    dims = merge_dims([request, prof, avail], element=ctx.element)
    last, pp_dim = request.dims[-1][0], prof.dims[-1][0]
    base = tuple(d for d in dims if d[0] not in (last, pp_dim))
    full = dict(dims)
    claim = base + ((last, full[last]),)
    codes = (comp._fit(request, claim, ctx),
             comp._fit(prof, claim + ((pp_dim, full[pp_dim]),), ctx),
             comp._fit(avail, base, ctx))
    return Val(f"_rt.allocate_available({', '.join(codes)})", claim)


#: Priority profile types PySD's ALLOCATE AVAILABLE raises NotImplementedError on.
_UNIMPLEMENTED_PROFILES = {0: "fixed quantity", 5: "constant elasticity"}


def _check_profiles(comp, py: str, ctx) -> None:
    """Refuse at compile time the profile types PySD cannot allocate (it fails mid-run)."""
    if py not in comp.params:
        return  # computed profiles: the run reports them
    values = comp.params[py]
    if hasattr(values, "transpose"):
        values = values.transpose(*[d for d, _ in comp.dims[py]])
    values = np.asarray(values, dtype=float)
    types = {int(t) for t in values.reshape(-1, values.shape[-1])[:, 0] if t == int(t)}
    for ptype in sorted(types & set(_UNIMPLEMENTED_PROFILES)):
        raise UnsupportedConstructError(
            f"{ctx.element}: ALLOCATE AVAILABLE priority profile {py!r} has type {ptype} "
            f"({_UNIMPLEMENTED_PROFILES[ptype]}), which PySD does not implement; expected a "
            "profile type 1 to 4 (rectangular, triangular, normal, exponential)")


def emit_allocate_by_priority(comp, ast, ctx):
    """ALLOCATE BY PRIORITY(request[..., claimant], priority[..., claimant], size, width,
    supply); ``size`` is not used (as in PySD)."""
    vals = [comp.emit(a, ctx) for a in (ast.request, ast.priority, ast.width, ast.supply)]
    dims = merge_dims(vals, element=ctx.element)
    last = vals[0].dims[-1][0]
    base = tuple(d for d in dims if d[0] != last)
    claim = base + ((last, dict(dims)[last]),)
    codes = [comp._fit(v, t, ctx) for v, t in zip(vals, (claim, claim, base, base))]
    return Val(f"_rt.allocate_by_priority({', '.join(codes)})", claim)


def _elmcount(comp, args, ctx):
    """ELMCOUNT(range): the number of elements of a subscript range."""
    val = comp.emit(args[0], ctx)
    if val.scalar or len(val.dims) != 1:
        raise UnsupportedConstructError(f"{ctx.element}: ELMCOUNT needs a subscript range")
    return Val(repr(float(len(val.dims[0][1]))), scalar=True)


def _active_initial(comp, args, ctx):
    """ACTIVE INITIAL(expr, init): ``init`` while initialising, ``expr`` afterwards."""
    run_expr, init_expr = args
    ctx.use(TIME)  # its value depends on the phase, never computed once for the run
    saved = ctx.phase
    ctx.phase = "step"
    run_val = comp.emit(run_expr, ctx)
    ctx.phase = "init"
    init_val = comp.emit(init_expr, ctx)
    ctx.phase = saved
    dims = merge_dims([run_val, init_val], element=ctx.element)
    if run_val.scalar and init_val.scalar:
        return Val(f"({init_val.code} if _init else {run_val.code})", scalar=True)
    a = comp._fit(run_val, dims, ctx)
    b = comp._fit(init_val, dims, ctx)
    return Val(f"({b} if _init else {a})", dims)


def _invert_matrix(comp, args, ctx):
    """INVERT MATRIX over the value's last two dimensions (numpy batches the run axis)."""
    val = comp.emit(args[0], ctx)
    if val.scalar or len(val.dims) < 2:
        raise UnsupportedConstructError(
            f"{ctx.element}: INVERT MATRIX needs a value over two dimensions")
    return Val(f"np.linalg.inv({val.code})", val.dims)


def _time(template: str, arity: tuple[int, ...]):
    """Functions of time; ``{t}`` and ``{dt}`` are the current time and TIME STEP."""
    inner = _nary(template.replace("{t}", "time").replace("{dt}", "time_step"), arity=arity)

    def emit(comp, args, ctx):
        ctx.use(TIME)
        return inner(comp, args, ctx)

    return emit


FUNCTIONS = {
    "abs": _nary("np.abs({0})"),
    "power": _nary("np.power({0}, {1})"),
    "min": _nary("np.minimum({0}, {1})"),
    "max": _nary("np.maximum({0}, {1})"),
    "exp": _nary("np.exp({0})"),
    "sqrt": _nary("np.sqrt({0})"),
    "ln": _nary("np.log({0})"),
    "log": _nary("(np.log({0}) / np.log({1}))"),
    "sin": _nary("np.sin({0})"),
    "cos": _nary("np.cos({0})"),
    "tan": _nary("np.tan({0})"),
    "arcsin": _nary("np.arcsin({0})"),
    "arccos": _nary("np.arccos({0})"),
    "arctan": _nary("np.arctan({0})"),
    "sinh": _nary("np.sinh({0})"),
    "cosh": _nary("np.cosh({0})"),
    "tanh": _nary("np.tanh({0})"),
    "integer": _nary("_rt.integer({0})"),
    "modulo": _nary("_rt.modulo({0}, {1})"),
    "quantum": _nary("_rt.quantum({0}, {1})"),
    "xidz": _nary("_rt.xidz({0}, {1}, {2})"),
    "zidz": _nary("_rt.zidz({0}, {1})"),
    "if_then_else": _nary("np.where({0}, {1}, {2})"),
    "step": _time("_rt.step({t}, {0}, {1}, {dt})", (2,)),
    "ramp": _time("_rt.ramp({t}, {0}, {1}, {2})", (3,)),
    "Xramp": _time("_rt.ramp({t}, {0}, {1})", (2,)),
    "pulse": _time("_rt.pulse({t}, {0}, {1}, {dt})", (2,)),
    "Xpulse": _time("_rt.pulse({t}, {0}, None, {dt}, magnitude={1})", (2,)),
    "pulse_train": _time("_rt.pulse_train({t}, {0}, {1}, {2}, {3}, {dt})", (4,)),
    "Xpulse_train": _time("_rt.pulse_train({t}, {0}, {1}, None, None, {dt}, magnitude={2})",
                          (3,)),
    "active_initial": _active_initial,
    "invert_matrix": _invert_matrix,
    "vector_select": _vector_select,
    "elmcount": _elmcount,
    "sum": _reduce("sum"),
    "prod": _reduce("prod"),
    "vmin": _reduce("min"),
    "vmax": _reduce("max"),
}
