"""Run a compiled batch module: Euler integration over N runs at once, as PySD integrates one.

The time loop follows ``pysd.py_backend.model.Model._integrate``: values are saved when
``time - initial_time`` is a multiple of SAVEPER (relative precision 1e-5 of TIME STEP), then
all states advance together, ``time += TIME STEP``, until ``time`` reaches FINAL TIME.

Examples
--------
>>> import numpy as np, sdmodel as sd
>>> model = sd.load("models/validation/nelson_phelps.mdl")
>>> ds = run_batch(model, {"catch_up_rate": np.linspace(0.05, 0.3, 100)})
>>> ds["technological_capability"].dims
('run', 'time')
"""

from __future__ import annotations

from typing import Any

import json
import logging
import warnings
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from functools import lru_cache
from numbers import Integral, Real

import numpy as np
import pandas as pd
import xarray as xr

from ..exceptions import ParameterError, SimulationError, UnsupportedConstructError
from ..results import run_attrs, run_attrs_time_units, variable_attrs
from .compiler import CONTROL, CompiledModel, compile_model
from .fused import STATUS, FusedModel, compile_fused, flag_values
from .kernels import load_kernel
from ..limits import check_runs
from .._progress import bar as progress_bar, step

__all__ = ["run_batch", "simulate", "get_compiled", "get_fused", "sample_times",
           "DEFAULT_CHUNK", "ENGINES"]

#: Backends of :func:`run_batch`: ``"auto"`` is the fused kernel where it compiles the model.
ENGINES = ("auto", "numpy", "fused")
_LOG = logging.getLogger(__name__)

#: Runs integrated together by default (memory grows linearly with it).
DEFAULT_CHUNK = 10_000
_RPREC = 1e-5  # PySD's relative precision for final and saving times
_CACHE: OrderedDict[str, CompiledModel] = OrderedDict()  # file hash -> compiled, most recent last
_CACHE_SIZE = 64
_FUSED: OrderedDict[str, FusedModel | UnsupportedConstructError] = OrderedDict()


def get_fused(model) -> FusedModel:
    """The fused kernel of ``model``, generated once per model file content per process and
    compiled once per machine (numba's on-disk cache, see :mod:`sdmodel.batch.kernels`).

    Raises
    ------
    UnsupportedConstructError
        The fused backend does not compile the model (the message names the construct).
    """
    fused = _FUSED.get(model.file_hash)
    if fused is None:
        try:
            fused = compile_fused(model)
            fused.kernel = load_kernel(model.file_hash, fused.source)
        except UnsupportedConstructError as err:
            fused = err
        _FUSED[model.file_hash] = fused
        while len(_FUSED) > _CACHE_SIZE:
            _FUSED.popitem(last=False)
    _FUSED.move_to_end(model.file_hash)
    if isinstance(fused, UnsupportedConstructError):
        raise fused
    return fused


def _backend(model, engine: str) -> FusedModel | None:
    """The fused kernel to run, or None for the numpy backend (``auto`` logs why)."""
    if engine not in ENGINES:
        raise SimulationError(f"engine must be one of {ENGINES}, got {engine!r}")
    if engine == "numpy":
        return None
    try:
        return get_fused(model)
    except UnsupportedConstructError as err:
        if engine == "fused":
            raise
        _LOG.info("run_batch(%s): numpy backend, the fused backend refuses %s",
                  model.name, err)
        return None


def get_compiled(model) -> CompiledModel:
    """The compiled batch module of ``model``, compiled once per model file content."""
    compiled = _CACHE.get(model.file_hash)
    if compiled is None:
        compiled = compile_model(model)
        _CACHE[model.file_hash] = compiled
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    _CACHE.move_to_end(model.file_hash)
    return compiled


@lru_cache(maxsize=256)
def sample_times(initial: float, final: float, dt: float, saveper: float):
    """PySD's integration times and which of them are saved (memoised: it costs more than
    a small fused run).

    Returns
    -------
    steps : int
        Number of Euler steps.
    saved : tuple of (int, float)
        ``(step index, rounded time)`` of every saved time.
    """
    prec = dt * _RPREC
    digits = -int(np.log10(dt * _RPREC))
    t, k, saved = initial, 0, []
    while True:
        delay = t - initial
        if delay % saveper < prec or -delay % saveper < prec:
            saved.append((k, float(np.round(t, digits))))
        if not t + prec < final:
            break
        t += dt
        k += 1
    return k, tuple(saved)


def run_batch(
    model,
    params: Mapping[str, object] | pd.DataFrame,
    *,
    return_vars: Iterable[str] | None = None,
    saveper: float | None = None,
    chunk_size: int | None = None,
    initial_time: float | None = None,
    final_time: float | None = None,
    engine: str = "auto",
    progress: bool = False,
    n_runs: int | None = None,
) -> xr.Dataset:
    """Simulate ``N`` parameter sets at once; see :meth:`sdmodel.Model.run_batch`.

    ``engine`` is ``"fused"`` (one compiled numba kernel per model), ``"numpy"`` (the
    vectorized numpy module) or ``"auto"`` (fused where it compiles the model, otherwise
    numpy, with the refused construct logged at INFO level on ``sdmodel.batch.engine``).
    Both give the same numbers (to rounding; tested to 1e-12 relative).
    """
    compiled = get_compiled(model)
    settings = model.check_time(initial_time, final_time, None, saveper)
    values, n = _runs(model, compiled, params, n_runs)
    check_runs(n)
    return simulate(model, values, n, return_vars=return_vars, saveper=saveper,
                    chunk_size=chunk_size, initial_time=initial_time, final_time=final_time,
                    settings=settings, engine=engine, progress=progress)


def simulate(model, values: dict, n: int, *, return_vars=None, saveper=None,
             chunk_size=None, initial_time=None, final_time=None,
             settings=None, engine: str = "auto", progress: bool = False) -> xr.Dataset:
    """Run ``n`` runs with validated ``values`` ({python name: array (n, *shape)}).

    ``values`` may be empty: ``n`` identical runs at the defaults. ``initial_time`` and
    ``final_time`` override the model's window as PySD's ``run(initial_condition=(t, {}))``
    (what :meth:`sdmodel.Model.run` uses) does: stocks and other stateful initial values are
    computed at the model's own INITIAL TIME, then the run starts from that state at ``t``
    with INITIAL TIME = ``t``. ``settings`` are the already checked time settings.
    ``progress`` shows the compilation (first time) and the runs on stderr.
    """
    compiled = get_compiled(model)
    if settings is None:
        settings = model.check_time(initial_time, final_time, None, saveper)
    names = [py for py in _return_vars(model, compiled, return_vars) if py not in values]
    chunk = DEFAULT_CHUNK if chunk_size is None else _chunk(chunk_size)
    steps, saved = sample_times(settings.initial_time, settings.final_time,
                                settings.time_step, settings.saveper)
    with step(f"{model.name}: compiling the batch kernel",
              progress=progress and engine != "numpy" and model.file_hash not in _FUSED):
        fused = _backend(model, engine)
    if fused is not None:
        with step(f"{model.name}: {n} runs (fused kernel)", progress=progress):
            out = _run_fused(model, fused, values, n, names, steps, saved, settings, engine)
        if out is not None:
            finite = np.ones(n, dtype=bool)
            for arr in out.values():
                finite &= np.isfinite(arr).reshape(n, -1).all(axis=1)
            _LOG.debug("run_batch(%s): fused backend, %d runs", model.name, n)
            ds = _dataset(model, compiled, out, saved, values, settings, names, finite)
            ds.attrs["batch_backend"] = "fused"
            return ds
    _LOG.debug("run_batch(%s): numpy backend, %d runs", model.name, n)
    shapes = {py: tuple(len(c) for _, c in compiled.dims[py]) for py in names}
    # time-major buffers: each saved step writes one contiguous block; values constant during
    # a run are stored once per run and broadcast over time at the end
    invariant = set(compiled.invariant)
    out = {py: np.empty((len(saved), n, *shapes[py])) for py in names if py not in invariant}
    fixed = {py: np.empty((n, *shapes[py])) for py in names if py in invariant}
    finite = np.ones(n, dtype=bool)
    control = {
        "initial_time": settings.initial_time, "final_time": settings.final_time,
        "time_step": settings.time_step, "saveper": settings.saveper,
    }
    # PySD initialises the statefuls at the model's own initial time, then moves the clock
    own_start = model.time_settings.initial_time
    shifted = settings.initial_time != own_start
    runs = progress_bar(total=n, progress=progress, desc=f"{model.name} batch", unit="run")
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        consts = dict(compiled.constants)
        consts.update({py: v[start:stop] for py, v in values.items()})
        consts.update(control, _N=stop - start, _varied=set(values))
        init_consts = dict(consts, initial_time=own_start) if shifted else consts
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            consts.update(compiled.statics(consts, stop - start))
            if shifted:
                init_consts.update(compiled.statics(init_consts, stop - start))
        for py, arr in fixed.items():
            arr[start:stop] = consts[py]
        finite[start:stop] = _integrate(compiled, consts, init_consts, steps, saved, settings,
                                        {py: a[:, start:stop] for py, a in out.items()})
        runs.update(stop - start)
    runs.close()
    for py, arr in fixed.items():
        finite &= np.isfinite(arr).reshape(n, -1).all(axis=1)
    out = {py: np.moveaxis(a, 0, 1) for py, a in out.items()}
    out.update({py: np.broadcast_to(a[:, None], (n, len(saved), *a.shape[1:]))
                for py, a in fixed.items()})
    ds = _dataset(model, compiled, out, saved, values, settings, names, finite)
    ds.attrs["batch_backend"] = "numpy"
    return ds


def _integrate(compiled, consts, init_consts, steps, saved, settings, out) -> np.ndarray:
    dt = settings.time_step
    n = consts["_N"]
    saved_at = dict(saved)
    slot = {k: i for i, (k, _) in enumerate(saved)}
    finite = np.ones(n, dtype=bool)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        state = compiled.initialize(init_consts, n)
        save_eval = compiled.evaluator(out)
        step_eval = compiled.evaluator(())
        t = settings.initial_time
        for k in range(steps + 1):
            values = (save_eval if k in saved_at else step_eval)(consts, state, t)
            if k in saved_at:
                i = slot[k]
                for py, arr in out.items():
                    value = values[py]
                    arr[i] = value
                    # checked while the value is in cache; a sum is non-finite when any term
                    # is (or on overflow, which the exact check then clears)
                    if not np.isfinite(np.add.reduce(value, axis=None)):
                        finite &= np.isfinite(arr[i]).reshape(n, -1).all(axis=1)
            if k == steps:
                break
            state = compiled.update(state, values, dt)
            t += dt
    return finite


def _run_fused(model, fused: FusedModel, values, n, names, steps, saved, settings,
               engine) -> dict | None:
    """Outputs ``{name: (n, n_saved)}`` from the fused kernel; None to fall back to numpy."""
    P = np.empty((len(fused.params), n))
    defaults = get_compiled(model).constants  # model.params copies every value per call
    for j, py in enumerate(fused.params):
        P[j] = values[py] if py in values else defaults[py]
    own_start = model.time_settings.initial_time
    run_control = np.array([settings.initial_time, settings.final_time, settings.time_step,
                            settings.saveper])
    init_control = run_control.copy()
    init_control[0] = own_start
    times = np.empty(steps + 1)
    t = settings.initial_time
    for k in range(steps + 1):  # the float additions of PySD's (and the numpy backend's) clock
        times[k] = t
        t += settings.time_step
    slots = np.full(steps + 1, -1, dtype=np.int64)
    for i, (k, _) in enumerate(saved):
        slots[k] = i
    row = {py: j for j, py in enumerate(fused.outputs)}
    varying = [py for py in names if py in row]
    sel = np.array([row[py] for py in varying], dtype=np.int64)
    out = np.empty((len(saved), len(sel), n))
    statics = np.empty((len(fused.statics), n))
    status = fused.kernel(P, flag_values(fused, values), init_control, run_control, times,
                          slots, sel, out, statics)
    if status:
        reasons = "; ".join(msg for bit, msg in STATUS.items() if status & bit)
        if engine == "fused":
            raise UnsupportedConstructError(f"model {model.name!r}: {reasons}")
        _LOG.info("run_batch(%s): numpy backend, the fused backend refuses %s", model.name,
                  reasons)
        return None
    result = {py: out[:, q, :].T for q, py in enumerate(varying)}
    fixed = {py: statics[j] for j, py in enumerate(fused.statics)}
    fixed.update({py: P[j] for j, py in enumerate(fused.params)})
    for py in names:
        if py not in result:
            result[py] = np.broadcast_to(fixed[py][:, None], (n, len(saved)))
    return result


def _chunk(chunk_size) -> int:
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) \
            or chunk_size < 1:
        raise SimulationError(f"chunk_size must be a positive integer, got {chunk_size!r}")
    return int(chunk_size)


def _runs(model, compiled, params, n_runs) -> tuple[dict[str, np.ndarray], int]:
    """``_prepare``'s result, or ``({}, n_runs)`` for identical runs of the defaults."""
    if n_runs is not None and (isinstance(n_runs, bool) or not isinstance(n_runs, Integral)
                               or n_runs < 1):
        raise ParameterError(f"n_runs must be a positive integer, got {n_runs!r}")
    if n_runs is not None and (params is None or len(params) == 0):
        return {}, int(n_runs)
    if params is None:
        raise ParameterError("give params (one array of length N per varied constant) or "
                             "n_runs (N runs of the defaults)")
    values, n = _prepare(model, compiled, params)
    if n_runs is not None and n_runs != n:
        raise ParameterError(f"n_runs = {n_runs} but the parameter arrays give {n} runs")
    return values, n


def _prepare(model, compiled, params) -> tuple[dict[str, np.ndarray], int]:
    """Validate ``params``: ``{python name: array (N, *shape)}`` and N."""
    if isinstance(params, pd.DataFrame):
        params = {str(c): params[c].to_numpy() for c in params.columns}
    if not isinstance(params, Mapping):
        raise ParameterError(
            "params must be a mapping of parameter names to arrays of length N, or a "
            f"pandas DataFrame with one row per run; got {type(params).__name__}")
    if not params:
        raise ParameterError("params is empty; give at least one parameter array of length N "
                             "(N = number of runs)")
    values, lengths = {}, {}
    for name, raw in params.items():
        py = model.resolve(str(name), what="parameter")
        if py in CONTROL:
            raise ParameterError(f"{name!r} is a time setting, not a parameter that can vary "
                                 "between runs")
        if py not in compiled.constants:
            raise ParameterError(
                f"{name!r} is not a constant of model {model.name!r} (it is computed by the "
                "model); only constants can be varied by run_batch")
        if isinstance(raw, (str, bytes)) or (isinstance(raw, Real) and not isinstance(raw, bool)):
            raise ParameterError(
                f"value for {name!r} must be an array with one value per run, got "
                f"{type(raw).__name__} {raw!r}")
        try:
            arr = np.asarray(raw)
            if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
                raise TypeError(arr.dtype)
            arr = arr.astype(float)
        except (TypeError, ValueError):
            raise ParameterError(
                f"values for {name!r} must be numeric, got {np.asarray(raw).dtype} "
                "array") from None
        shape = compiled.constants[py].shape[1:]
        if arr.ndim == 0 or (arr.shape[1:] != shape and not (arr.ndim == 1 and shape)):
            raise ParameterError(
                f"values for {name!r} have shape {arr.shape}; expected (N,)"
                + (f" or (N, *{shape}) for its dimensions" if shape else ""))
        if arr.shape[0] == 0:
            raise ParameterError(f"values for {name!r} are empty: N = 0 runs; give at least one "
                                 "value")
        if np.isnan(arr).any():
            raise ParameterError(f"values for {name!r} contain NaN (run "
                                 f"{int(np.argwhere(np.isnan(arr))[0][0])})")
        if arr.ndim == 1 and shape:
            arr = np.broadcast_to(arr.reshape(-1, *([1] * len(shape))), (arr.shape[0], *shape))
        values[py] = arr
        lengths[name] = arr.shape[0]
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{k!r}: {v}" for k, v in lengths.items())
        raise ParameterError(f"parameter arrays have unequal lengths ({detail}); every "
                             "parameter needs one value per run")
    return values, next(iter(lengths.values()))


def _return_vars(model, compiled, return_vars) -> list[str]:
    if return_vars is None:
        return [py for py in compiled.outputs if py in model.variables]
    if isinstance(return_vars, str):
        return_vars = [return_vars]
    names = []
    for name in return_vars:
        try:
            py = model.resolve(str(name), what="return variable")
        except ParameterError as err:
            raise SimulationError(str(err)) from None
        if py not in compiled.outputs:
            raise SimulationError(
                f"return variable {name!r} is not a time-varying variable of the model "
                "(lookups and control variables are not returned)")
        names.append(py)
    if not names:
        raise SimulationError("return_vars is empty; expected at least one variable name")
    return names


def _memo(compiled, key, build):
    if key not in compiled.memo:
        compiled.memo[key] = build()
    return compiled.memo[key]


def _dataset(model, compiled, out, saved, values, settings, names, finite) -> xr.Dataset:
    n = len(finite)
    coords: dict[str, Any] = {"run": np.arange(n), "time": np.array([t for _, t in saved])}
    for py, arr in values.items():
        dims = compiled.dims[py]
        for d, c in dims:
            coords.setdefault(d, list(c))
        coords[py] = (("run", *[d for d, _ in dims]), np.asarray(arr))
    data = {}
    for py in names:
        dims = compiled.dims[py]
        for d, c in dims:
            coords.setdefault(d, list(c))
        attrs = _memo(compiled, ("attrs", py), lambda py=py: variable_attrs(model, py))
        data[py] = (("run", "time", *[d for d, _ in dims]), out[py], dict(attrs))
    data["diverged"] = (("run",), ~finite, {"long_name": "run produced NaN or infinity",
                                            "units": ""})
    ds = xr.Dataset(data, coords=coords)
    time_units = _memo(compiled, "time_units", lambda: run_attrs_time_units(model))
    ds["time"].attrs.update({"units": time_units, "long_name": "Time"})
    attrs = _memo(compiled, ("run_attrs", str(model.path), settings),
                  lambda: run_attrs(model, params={}, settings=settings, engine="batch"))
    ds.attrs.update(attrs)
    # the sampled values are the run coordinates; attrs only name them
    ds.attrs["parameters"] = json.dumps(sorted(values))
    bad = np.flatnonzero(~finite)
    if bad.size:
        warnings.warn(
            f"{bad.size} of {n} runs of {model.name!r} produced NaN or infinity (first: "
            f"{bad[:10].tolist()}); see the 'diverged' variable", RuntimeWarning, stacklevel=5)
    return ds
