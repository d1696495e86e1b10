"""Global sensitivity analysis with SALib: Sobol indices and Morris elementary effects.

An analysis samples a box of parameter ranges, evaluates an :class:`Evaluator` on the whole
sample at once, and analyses each output. A model is wrapped in :class:`ModelEvaluator` (one
batch call per sample, per-run metrics such as ``"gdp_per_capita@2040"``); any vectorised
function — SALib's Ishigami test function included — in :class:`FunctionEvaluator`. Both go
through exactly the same sampling, evaluation and analysis code.

Examples
--------
>>> from SALib.test_functions import Ishigami
>>> import numpy as np
>>> f = FunctionEvaluator(Ishigami.evaluate)
>>> si = sobol(f, {"x1": (-np.pi, np.pi), "x2": (-np.pi, np.pi), "x3": (-np.pi, np.pi)},
...            n=1024, seed=1)
>>> si["S1"].sel(output="y").round(1).values.tolist()
[0.3, 0.4, 0.0]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Integral
from typing import Protocol, runtime_checkable

import numpy as np
import xarray as xr

from ..exceptions import AnalysisError
from ._bounds import check_bounds, parameter_bounds
from ._engine import run_many
from ._metrics import parse_metrics

__all__ = ["Evaluator", "FunctionEvaluator", "ModelEvaluator", "sobol", "morris"]


@runtime_checkable
class Evaluator(Protocol):
    """Anything that maps a sample matrix to outputs.

    ``outputs`` names the outputs; calling it with ``X`` of shape ``(N, k)`` (columns in the
    order of ``parameters``) returns ``Y`` of shape ``(N, len(outputs))``.
    """

    outputs: tuple[str, ...]

    def __call__(self, X: np.ndarray, parameters: Sequence[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class FunctionEvaluator:
    """A vectorised function ``f(X) -> Y`` as an :class:`Evaluator`.

    Parameters
    ----------
    func : callable
        Takes ``X`` of shape ``(N, k)``; returns ``(N,)`` or ``(N, len(outputs))``.
    outputs : tuple of str, optional
        Output names (default ``("y",)``).

    Examples
    --------
    >>> FunctionEvaluator(lambda X: X.sum(axis=1))(np.ones((2, 3)), ["a", "b", "c"])
    array([[3.],
           [3.]])
    """

    func: Callable[[np.ndarray], np.ndarray]
    outputs: tuple[str, ...] = ("y",)

    def __call__(self, X: np.ndarray, parameters: Sequence[str]) -> np.ndarray:
        Y = np.asarray(self.func(X), dtype=float)
        return Y.reshape(X.shape[0], len(self.outputs))


@dataclass
class ModelEvaluator:
    """A model, with per-run metrics as outputs, as an :class:`Evaluator`.

    Parameters
    ----------
    model : sdmodel.Model
    metrics : sequence of str
        Scalar metric specs, e.g. ``["gdp_per_capita@2040", "max(real_exchange_rate)"]``.
    overrides : mapping, optional
        Fixed parameter overrides applied to every run (e.g. a scenario's); sampled parameters
        must not be among them.

    Examples
    --------
    >>> ev = ModelEvaluator(model, ["technological_capability@50"])
    >>> ev(np.array([[0.1], [0.2]]), ["catch_up_rate"]).shape
    (2, 1)
    """

    model: object
    metrics: Sequence[str]
    overrides: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self):
        self._metrics = parse_metrics(self.model, self.metrics)
        series = [m.name for m in self._metrics if not m.scalar]
        if series:
            raise AnalysisError(
                f"metrics {series} are time series; sensitivity needs one number per run, e.g. "
                f"'{series[0]}@2040' or 'max({series[0]})'"
            )
        self.overrides = self.model.prepare_params(self.overrides)
        self.outputs = tuple(m.name for m in self._metrics)

    def __call__(self, X: np.ndarray, parameters: Sequence[str]) -> np.ndarray:
        clash = sorted(set(parameters) & set(self.overrides))
        if clash:
            raise AnalysisError(f"parameters {clash} are both sampled and fixed by the overrides")
        params = dict(self.overrides)
        params.update({p: X[:, i] for i, p in enumerate(parameters)})
        ds = run_many(self.model, params, n=X.shape[0],
                      return_vars=sorted({m.variable for m in self._metrics}))
        columns = []
        for m in self._metrics:
            values = m.evaluate(ds)
            if values.ndim != 1:
                raise AnalysisError(f"metric {m.name!r} is subscripted (dims {values.dims}); expected a scalar")
            columns.append(values.values)
        return np.column_stack(columns)


def _setup(target, bounds, metrics, overrides) -> tuple[Evaluator, dict[str, tuple[float, float]]]:
    """The evaluator and validated ranges, for a model or an evaluator."""
    if isinstance(target, Evaluator):
        if metrics is not None or overrides:
            raise AnalysisError("metrics= and overrides= apply to a model, not to an evaluator")
        return target, check_bounds(bounds)
    if not hasattr(target, "run") or not hasattr(target, "params"):
        raise AnalysisError(
            f"expected an sdmodel.Model or an Evaluator, got {type(target).__name__}"
        )
    if metrics is None:
        raise AnalysisError("metrics= is required for a model, e.g. ['gdp_per_capita@2040']")
    return ModelEvaluator(target, metrics, overrides or {}), parameter_bounds(target, bounds)


def _evaluate(evaluator: Evaluator, X: np.ndarray, names: list[str]) -> np.ndarray:
    Y = np.asarray(evaluator(X, names), dtype=float)
    if Y.shape != (X.shape[0], len(evaluator.outputs)):
        raise AnalysisError(
            f"the evaluator returned shape {Y.shape}; expected {(X.shape[0], len(evaluator.outputs))}"
        )
    bad = ~np.isfinite(Y)
    if bad.any():
        out, count = np.flatnonzero(bad.any(axis=0)), int(bad.any(axis=1).sum())
        raise AnalysisError(
            f"outputs {[evaluator.outputs[i] for i in out]} are NaN or infinite in {count} of "
            f"{Y.shape[0]} runs; narrow the parameter ranges"
        )
    return Y


def _positive_int(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise AnalysisError(f"{what} must be a positive integer, got {value!r}")
    return int(value)


def sobol(
    target,
    bounds,
    *,
    metrics: Sequence[str] | None = None,
    overrides: Mapping[str, object] | None = None,
    n: int = 1024,
    second_order: bool = False,
    seed: int | None = None,
    conf_level: float = 0.95,
    num_resamples: int = 100,
) -> xr.Dataset:
    """Sobol first-order and total indices (Saltelli sampling, SALib's estimators).

    Parameters
    ----------
    target : sdmodel.Model or Evaluator
    bounds : mapping or sequence
        ``{parameter: (low, high)}``; for a model, names alone take its documented limits.
    metrics : sequence of str
        For a model: the scalar outputs (e.g. ``"gdp_per_capita@2040"``).
    overrides : mapping, optional
        For a model: fixed parameter values in every run (e.g. a scenario's levers).
    n : int, optional
        Base sample size (a power of two); ``n * (k + 2)`` evaluations (``n * (2k + 2)`` with
        ``second_order``).
    second_order : bool, optional
        Also estimate second-order indices ``S2``.
    seed : int, optional
    conf_level : float, optional
        Confidence level of the bootstrap intervals.
    num_resamples : int, optional
        Bootstrap resamples.

    Returns
    -------
    xarray.Dataset
        ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` with dims ``("output", "parameter")``; with
        ``second_order`` also ``S2``, ``S2_conf`` with dims ``("output", "parameter",
        "parameter2")``. Attrs: ``method``, ``n``, ``n_evaluations``, ``seed``.

    Raises
    ------
    AnalysisError
        Bad bounds, metrics, sizes, or non-finite outputs.

    Examples
    --------
    >>> si = sobol(model, ["frontier_growth_rate", "catch_up_rate"],
    ...            metrics=["technological_capability@50"], n=256, seed=1)
    >>> sorted(si.data_vars)
    ['S1', 'S1_conf', 'ST', 'ST_conf']
    """
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    evaluator, box = _setup(target, bounds, metrics, overrides)
    n = _positive_int(n, "n")
    if n & (n - 1):
        raise AnalysisError(f"n must be a power of two for Sobol sequences, got {n}")
    _check_level(conf_level)
    names = list(box)
    problem = {"num_vars": len(names), "names": names, "bounds": [list(box[p]) for p in names]}
    X = sample.sample(problem, n, calc_second_order=second_order, seed=seed)
    Y = _evaluate(evaluator, X, names)
    outputs = list(evaluator.outputs)
    keys = ["S1", "S1_conf", "ST", "ST_conf"] + (["S2", "S2_conf"] if second_order else [])
    arrays: dict[str, list] = {k: [] for k in keys}
    for j in range(len(outputs)):
        si = analyze.analyze(problem, Y[:, j], calc_second_order=second_order,
                             num_resamples=num_resamples, conf_level=conf_level, seed=seed)
        for k in keys:
            arrays[k].append(np.asarray(si[k], dtype=float))
    data = {
        k: (("output", "parameter", "parameter2") if k.startswith("S2") else ("output", "parameter"),
            np.stack(v))
        for k, v in arrays.items()
    }
    coords = {"output": outputs, "parameter": names}
    if second_order:
        coords["parameter2"] = names
    ds = xr.Dataset(data, coords=coords)
    ds["S1"].attrs["long_name"] = "first-order Sobol index"
    ds["ST"].attrs["long_name"] = "total-order Sobol index"
    ds.attrs.update(method="sobol", n=n, n_evaluations=int(X.shape[0]),
                    seed=-1 if seed is None else int(seed), conf_level=float(conf_level))
    return ds


def morris(
    target,
    bounds,
    *,
    metrics: Sequence[str] | None = None,
    overrides: Mapping[str, object] | None = None,
    trajectories: int = 20,
    levels: int = 4,
    seed: int | None = None,
    conf_level: float = 0.95,
    num_resamples: int = 100,
) -> xr.Dataset:
    """Morris elementary effects (screening): ``mu``, ``mu_star``, ``sigma``.

    Parameters
    ----------
    target, bounds, metrics, overrides
        As in :func:`sobol`.
    trajectories : int, optional
        Number of trajectories; ``trajectories * (k + 1)`` evaluations.
    levels : int, optional
        Grid levels (even).
    seed, conf_level, num_resamples
        As in :func:`sobol`.

    Returns
    -------
    xarray.Dataset
        ``mu``, ``mu_star``, ``sigma``, ``mu_star_conf`` with dims ``("output", "parameter")``;
        elementary effects are in output units per unit of parameter range.

    Examples
    --------
    >>> mo = morris(model, ["catch_up_rate", "frontier_growth_rate"],
    ...             metrics=["technological_capability@50"], seed=1)
    >>> sorted(mo.data_vars)
    ['mu', 'mu_star', 'mu_star_conf', 'sigma']
    """
    from SALib.analyze import morris as analyze
    from SALib.sample import morris as sample

    evaluator, box = _setup(target, bounds, metrics, overrides)
    trajectories = _positive_int(trajectories, "trajectories")
    levels = _positive_int(levels, "levels")
    if levels < 2 or levels % 2:
        raise AnalysisError(f"levels must be an even integer >= 2, got {levels}")
    _check_level(conf_level)
    names = list(box)
    problem = {"num_vars": len(names), "names": names, "bounds": [list(box[p]) for p in names]}
    X = sample.sample(problem, trajectories, num_levels=levels, seed=seed)
    Y = _evaluate(evaluator, X, names)
    keys = ["mu", "mu_star", "sigma", "mu_star_conf"]
    arrays: dict[str, list] = {k: [] for k in keys}
    for j in range(len(evaluator.outputs)):
        si = analyze.analyze(problem, X, Y[:, j], num_resamples=num_resamples,
                             conf_level=conf_level, num_levels=levels, seed=seed)
        for k in keys:
            arrays[k].append(np.asarray(si[k], dtype=float))
    ds = xr.Dataset(
        {k: (("output", "parameter"), np.stack(v)) for k, v in arrays.items()},
        coords={"output": list(evaluator.outputs), "parameter": names},
    )
    ds["mu_star"].attrs["long_name"] = "mean absolute elementary effect"
    ds.attrs.update(method="morris", trajectories=trajectories, levels=levels,
                    n_evaluations=int(X.shape[0]), seed=-1 if seed is None else int(seed),
                    conf_level=float(conf_level))
    return ds


def _check_level(conf_level) -> None:
    if isinstance(conf_level, bool) or not isinstance(conf_level, (int, float)) or not 0 < conf_level < 1 \
            or not math.isfinite(conf_level):
        raise AnalysisError(f"conf_level must be between 0 and 1, got {conf_level!r}")
