"""Numerical helpers called by compiled batch modules, reproducing PySD's function semantics.

Every array carries a leading run axis (length N, or 1 for values shared by all runs) followed
by its subscript axes; ``time`` and ``dt`` are Python floats. The helpers mirror
``pysd.py_backend.functions`` and ``pysd.py_backend.statefuls`` element by element, so a batch
of runs gives the same numbers as the same runs made one by one with PySD.

Examples
--------
>>> import numpy as np
>>> step(5.0, np.array([2.0]), 4.9, 1.0)
array([2.])
>>> xidz(np.array([1.0, 1.0]), np.array([0.0, 2.0]), 7.0)
array([7. , 0.5])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..exceptions import UnsupportedConstructError

__all__ = [
    "SMALL_VENSIM", "step", "ramp", "pulse", "pulse_train", "xidz", "zidz", "integer",
    "quantum", "modulo", "vector_select", "allocate_available", "allocate_by_priority", "lookup", "lookup_cells", "fit", "full", "chain_order", "delay_order",
    "fixed_delay_order", "smooth_step", "delay_step", "delayn_step", "fixed_delay_step",
]

#: What PySD (after Vensim) treats as zero.
SMALL_VENSIM = 1e-6


def step(time: float, value, tstep, time_step: float):
    """Vensim STEP: ``value`` from ``tstep`` on (PySD compares ``time + dt/2 > tstep``)."""
    return value * (time + time_step / 2 > tstep)


def ramp(time: float, slope, start, finish=None):
    """Vensim RAMP: zero before ``start``, then ``slope * (min(time, finish) - start)``."""
    final = time if finish is None else np.minimum(finish, time)
    return (time + SMALL_VENSIM > start) * slope * (final - start)


def pulse(time: float, start, width, time_step: float, magnitude=None):
    """Vensim PULSE (single pulse) as PySD's ``pulse(time, start, width=...)``."""
    width = 0.5 * time_step if width is None else width
    out = 1.0 if magnitude is None else magnitude / time_step
    on = (start - SMALL_VENSIM <= time) & (time < start + width)
    return np.where(on, out, 0.0)


def pulse_train(time: float, start, repeat_time, width, end, time_step: float, magnitude=None):
    """Vensim PULSE TRAIN as PySD's ``pulse(time, start, repeat_time, width, end=...)``."""
    width = 0.5 * time_step if width is None else width
    out = 1.0 if magnitude is None else magnitude / time_step
    single = (start - SMALL_VENSIM <= time) & (time < start + width)
    active = start <= time
    if end is not None:
        active = active & (time < end)
    safe = np.where(repeat_time == 0, 1.0, repeat_time)
    repeated = active & ((time - start + SMALL_VENSIM) % safe < width)
    return np.where(np.where(repeat_time == 0, single, repeated), out, 0.0)


def xidz(numerator, denominator, x):
    """Vensim XIDZ: ``numerator / denominator``, or ``x`` where ``|denominator| < 1e-6``."""
    small = np.abs(denominator) < SMALL_VENSIM
    return np.where(small, x, numerator / np.where(small, 1.0, denominator))


def zidz(numerator, denominator):
    """Vensim ZIDZ: ``numerator / denominator``, or 0 where ``|denominator| < 1e-6``."""
    return xidz(numerator, denominator, 0.0)


def integer(x):
    """Vensim INTEGER: the integer part (truncation toward zero)."""
    return np.trunc(x)


def quantum(a, b):
    """Vensim QUANTUM: ``b * INTEGER(a / b)``, or ``a`` where ``b < 1e-6``."""
    small = b < SMALL_VENSIM
    return np.where(small, a, b * np.trunc(a / np.where(small, 1.0, b)))


def modulo(x, m):
    """Vensim MODULO as PySD computes it: ``x - QUANTUM(x, m)``."""
    return x - quantum(x, m)


def lookup(x, xs: np.ndarray, ys: np.ndarray, kind: str):
    """Evaluate a one-table lookup at ``x`` with PySD's interpolation and extrapolation rules.

    ``interpolate`` holds the end values outside the table; ``extrapolate`` (XMILE) continues
    the end segments linearly; ``hold_backward`` takes the last point at or before ``x``.
    """
    if kind == "interpolate":
        return np.interp(x, xs, ys)
    if kind == "hold_backward":
        idx = np.clip(np.searchsorted(xs, x, side="right") - 1, 0, len(xs) - 1)
        return ys[idx]
    out = np.interp(x, xs, ys)
    lo = ys[0] + (ys[1] - ys[0]) / (xs[1] - xs[0]) * (x - xs[0])
    hi = ys[-1] + (ys[-1] - ys[-2]) / (xs[-1] - xs[-2]) * (x - xs[-1])
    return np.where(x < xs[0], lo, np.where(x > xs[-1], hi, out))


def lookup_cells(x, tables: list, shape: tuple, kind: str):
    """Evaluate a subscripted lookup: one table per cell of ``shape`` (row-major)."""
    x = np.asarray(x, dtype=float)
    x = np.broadcast_to(x, (x.shape[0] if x.ndim else 1, *shape))
    out = np.empty(x.shape)
    for k, (xs, ys) in enumerate(tables):
        cell: tuple[Any, ...] = tuple(np.unravel_index(k, shape)) if shape else ()
        out[(slice(None), *cell)] = lookup(x[(slice(None), *cell)], xs, ys, kind)
    return out


def fit(value, shape: tuple):
    """``value`` broadcast to ``(R, *shape)`` (R = its run-axis length, 1 for a number)."""
    value = np.asarray(value)
    if value.ndim == 0:
        value = value.reshape((1,) * (len(shape) + 1))
    return np.broadcast_to(value, (value.shape[0], *shape))


def vector_select(sel, expr, axes: tuple, missing, action, error_action):
    """Vensim VECTOR SELECT as PySD's ``vector_select``, reducing over ``axes``."""
    action = _uniform(action, "numerical action", "VECTOR SELECT")
    error_action = _uniform(error_action, "error action", "VECTOR SELECT")
    zeros = (sel == 0).all(axis=axes)
    if error_action in (1, 3) and np.any(zeros):
        raise FloatingPointError("All the values of selection_array are 0...")
    if error_action in (2, 3) and np.any((sel != 0).sum(axis=axes) > 1):
        raise FloatingPointError("More than one non-zero values in selection_array...")
    if action in range(5):
        array = np.where(sel == 0, np.nan, sel * expr)
    elif action == 5:
        array = np.where(sel == 0, np.nan, expr ** sel)
    elif action in range(6, 11):
        array = np.where(sel == 0, np.nan, expr)
    else:
        raise ValueError(f"Invalid argument value 'numerical_action={action}'. "
                         "'numerical_action' must be 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 or 10.")
    reductions: dict[int, Callable[..., Any]] = {
        0: np.nansum, 6: np.nansum, 1: np.nanprod, 5: np.nanprod, 7: np.nanprod,
        2: np.nanmin, 8: np.nanmin, 3: np.nanmax, 9: np.nanmax, 4: np.nanmean, 10: np.nanmean}
    reduce = reductions[int(action)]
    return np.where(zeros, missing, reduce(array, axis=axes))


def _runs(*arrays):
    n = max(np.shape(a)[0] for a in arrays)
    return [np.broadcast_to(a, (n, *np.shape(a)[1:])) for a in arrays]


def allocate_available(request, pp, avail):
    """Vensim ALLOCATE AVAILABLE with PySD's own 1-d algorithm, run by run.

    ``request`` is over (base..., claimants), ``pp`` over (base..., claimants, pprofile) and
    ``avail`` over (base...). PySD raises on negative requests or availability; here those
    runs get NaN (and are reported as diverged).
    """
    from pysd.py_backend.allocation import _allocate_available_1d

    request, pp, avail = _runs(request, pp, avail)
    out = np.full(request.shape, np.nan)
    bad = (request < 0).reshape(request.shape[0], -1).any(axis=1) | \
        (avail < 0).reshape(avail.shape[0], -1).any(axis=1)
    for comb in np.ndindex(avail.shape):
        if not bad[comb[0]]:
            out[comb] = _allocate_available_1d(request[comb], pp[comb], float(avail[comb]))
    return out


def allocate_by_priority(request, priority, width, supply):
    """Vensim ALLOCATE BY PRIORITY with PySD's own 1-d algorithm, run by run.

    ``request`` and ``priority`` are over (base..., claimants), ``width`` and ``supply`` over
    (base...). Runs PySD would refuse (negative request or supply, width <= 0) get NaN.
    """
    from pysd.py_backend.allocation import _allocate_by_priority_1d

    request, priority, width, supply = _runs(request, priority, width, supply)
    out = np.full(request.shape, np.nan)
    n = request.shape[0]
    bad = (request < 0).reshape(n, -1).any(axis=1) | (width <= 0).reshape(n, -1).any(axis=1) \
        | (supply < 0).reshape(n, -1).any(axis=1)
    for comb in np.ndindex(supply.shape):
        if not bad[comb[0]]:
            out[comb] = _allocate_by_priority_1d(request[comb], priority[comb],
                                                 float(width[comb]), float(supply[comb]))
    return out


def full(value, n: int):
    """``value`` as a writable array with a run axis of length ``n``."""
    value = np.asarray(value, dtype=float)
    if value.ndim == 0:
        value = value.reshape(1)
    return np.array(np.broadcast_to(value, (n, *value.shape[1:])), dtype=float)


def _uniform(value, what: str, name: str) -> float:
    arr = np.unique(np.asarray(value, dtype=float))
    if arr.size != 1:
        raise UnsupportedConstructError(
            f"{name}: the {what} differs between runs ({arr.min():g}..{arr.max():g}); the batch "
            "engine needs one value for all runs (run those groups separately)"
        )
    return float(arr[0])


def chain_order(order, name: str) -> int:
    """The integer order of a SMOOTH N chain (the same for every run)."""
    return int(_uniform(order, "order", name))


def delay_order(order, delay_time, time_step: float, name: str) -> int:
    """DELAY order as PySD sets it: cast to int, lowered while ``order * dt > min(delay)``."""
    k = int(_uniform(order, "order", name))
    dmin = np.asarray(delay_time, dtype=float)
    dmin = dmin.reshape(dmin.shape[0], -1).min(axis=1) if dmin.ndim else dmin
    orders = []
    for d in np.atleast_1d(dmin):
        j = k
        while j * time_step > d:
            j -= 1
        orders.append(j)
    return int(_uniform(orders, "effective order (delay time smaller than order * TIME STEP)",
                        name))


def fixed_delay_order(delay_time, time_step: float, name: str) -> int:
    """DELAY FIXED pipe length as PySD sets it: ``round(max(delay / dt, 1) + 1e-6)``."""
    d = _uniform(delay_time, "delay time", name)
    return int(round(max(d / time_step, 1) + SMALL_VENSIM))


def smooth_step(state, inp, smooth_time, order: int, dt: float, int_state: bool = False):
    """One Euler step of a SMOOTH chain; ``state`` has the stage axis first.

    ``int_state`` reproduces a PySD quirk: when a smooth's initial value is a Python integer
    (an integer literal, or an integer constant left at its default), PySD keeps the state in
    an integer array, so the input of the first step is truncated toward zero.
    """
    targets = np.roll(state, 1, axis=0)
    targets[0] = np.trunc(inp) if int_state else inp
    return state + (targets - state) * order / smooth_time * dt


def delay_step(state, inp, delay_time, order: int, dt: float):
    """One Euler step of a DELAY chain (material delay of ``order`` stages)."""
    outflows = state / delay_time
    inflows = np.roll(outflows, 1, axis=0)
    inflows[0] = inp
    return state + (inflows - outflows) * order * dt


def delayn_step(state, times, inp, delay_time, order: int, dt: float):
    """One Euler step of a DELAY N chain; returns the new ``(state, times)``."""
    times = np.roll(times, 1, axis=0)
    times[0] = delay_time
    outflows = state / times
    inflows = np.roll(outflows, 1, axis=0)
    inflows[0] = inp
    return state + (inflows - outflows) * order * dt, times


def fixed_delay_step(pipe, pointer: int, inp):
    """Advance a DELAY FIXED pipe; returns the new ``(pipe, pointer)``; output is pipe[pointer]."""
    pipe = pipe.copy()
    pipe[pointer] = inp
    return pipe, (pointer + 1) % pipe.shape[0]
