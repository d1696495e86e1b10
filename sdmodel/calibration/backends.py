"""scipy optimisers behind :func:`sdmodel.calibrate`, in the internal parameter space.

The internal space is the natural one, or the logarithm for parameters transformed by
``transform="log"``. Every back-end minimises the chi-square of the objective's residuals
(the sum of squared, normalised and weighted residuals) and evaluates parameter sets in
batches where it can: finite-difference Jacobians and differential-evolution populations go
through :meth:`Objective.residuals_batch` (one ``run_batch`` call when the model has it).

Examples
--------
>>> canonical_method("Minimize"), canonical_method("differential_evolution")
('L-BFGS-B', 'differential_evolution')
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from ..exceptions import CalibrationError

__all__ = ["METHODS", "Space", "Outcome", "canonical_method", "run_method", "polish"]

#: Accepted method names (case-insensitive) -> canonical name.
METHODS = {
    "least_squares": "least_squares",
    "minimize": "L-BFGS-B",
    "l-bfgs-b": "L-BFGS-B",
    "nelder-mead": "Nelder-Mead",
    "powell": "Powell",
    "differential_evolution": "differential_evolution",
    "dual_annealing": "dual_annealing",
}
GLOBAL = ("differential_evolution", "dual_annealing")
_STEP = math.sqrt(np.finfo(float).eps)


def canonical_method(method: str) -> str:
    """Return the canonical name of ``method`` or raise :class:`CalibrationError`."""
    key = str(method).lower().replace(" ", "_")
    if key not in METHODS:
        raise CalibrationError(
            f"unknown calibration method {method!r}; expected one of "
            f"{sorted(set(METHODS.values()) | {'minimize'})}"
        )
    return METHODS[key]


@dataclass
class Space:
    """Internal coordinates: ``u = log(x)`` for log-transformed parameters, else ``u = x``."""

    log: np.ndarray  # bool per varying parameter
    lower: np.ndarray  # natural bounds
    upper: np.ndarray

    @classmethod
    def build(cls, names, lower, upper, transform) -> "Space":
        lower = np.asarray(lower, dtype=float)
        upper = np.asarray(upper, dtype=float)
        if transform is None:
            log = np.zeros(len(names), dtype=bool)
        elif transform == "log":
            log = np.ones(len(names), dtype=bool)
        elif isinstance(transform, Mapping):
            unknown = set(transform) - set(names)
            if unknown:
                raise CalibrationError(
                    f"transform names {sorted(unknown)}, which are not varying parameters "
                    f"{list(names)}"
                )
            for k, v in transform.items():
                if v not in ("log", None):
                    raise CalibrationError(f"transform of {k!r} must be 'log' or None, got {v!r}")
            log = np.array([transform.get(n) == "log" for n in names], dtype=bool)
        else:
            raise CalibrationError(
                f"transform must be None, 'log' or a mapping {{name: 'log'}}, got {transform!r}"
            )
        for n, lg, lo in zip(names, log, lower):
            if lg and not lo > 0:
                raise CalibrationError(
                    f"parameter {n!r} is log-transformed but its lower bound is {lo:g}; "
                    "expected min > 0"
                )
        return cls(log, lower, upper)

    def to_internal(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        return np.where(self.log, np.log(np.where(self.log, x, 1.0)), x)

    def to_natural(self, u: np.ndarray) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        x = np.where(self.log, np.exp(np.where(self.log, u, 0.0)), u)
        return np.clip(x, self.lower, self.upper)

    @property
    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Internal bounds."""
        with np.errstate(divide="ignore"):
            lo = np.where(self.log, np.log(np.where(self.log, self.lower, 1.0)), self.lower)
            hi = np.where(self.log, np.log(np.where(self.log, self.upper, 1.0)), self.upper)
        return lo, hi

    def finite(self) -> bool:
        lo, hi = self.bounds
        return bool(np.isfinite(lo).all() and np.isfinite(hi).all())


@dataclass
class Outcome:
    """What a back-end returns: internal optimum, success, message, iterations."""

    u: np.ndarray
    success: bool
    message: str
    nit: int | None = None


class _Problem:
    """Adapts an Objective to functions of the internal vector, caching the last residual."""

    def __init__(self, space: Space, objective) -> None:
        self.space = space
        self.obj = objective
        self._last: tuple[np.ndarray, np.ndarray] | None = None

    def residuals(self, u: np.ndarray) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        if self._last is not None and np.array_equal(self._last[0], u):
            return self._last[1]
        r = self.obj.residuals(self.space.to_natural(u))
        self._last = (u.copy(), r)
        return r

    def chisqr(self, u: np.ndarray) -> float:
        r = self.residuals(u)
        return float(r @ r)

    def chisqr_batch(self, U: np.ndarray) -> np.ndarray:
        """Chi-square of each column of ``U`` (shape ``(p, S)``, scipy's vectorized layout)."""
        X = self.space.to_natural(np.asarray(U, dtype=float).T)
        R = self.obj.residuals_batch(X)
        return np.einsum("ij,ij->i", R, R)

    def jacobian(self, u: np.ndarray) -> np.ndarray:
        """Forward-difference Jacobian of the residuals, all steps in one batch."""
        u = np.asarray(u, dtype=float)
        r0 = self.residuals(u)
        lo, hi = self.space.bounds
        h = _STEP * np.maximum(1.0, np.abs(u))
        h = np.where(u + h > hi, -h, h)
        U = u[None, :] + np.diag(h)
        R = self.obj.residuals_batch(self.space.to_natural(U))
        return ((R - r0[None, :]) / h[:, None]).T

    def value_and_grad(self, u: np.ndarray) -> tuple[float, np.ndarray]:
        r = self.residuals(u)
        J = self.jacobian(u)
        return float(r @ r), 2.0 * J.T @ r


def run_method(
    method: str, space: Space, objective, u0: np.ndarray, *, seed, options: Mapping
) -> Outcome:
    """Run one optimiser from ``u0`` (internal coordinates).

    ``options`` are passed to the scipy function (e.g. ``max_nfev`` for least_squares,
    ``maxiter``/``popsize`` for differential_evolution, ``maxiter`` for dual_annealing,
    solver ``options`` for minimize).
    """
    problem = _Problem(space, objective)
    lo, hi = space.bounds
    options = dict(options)
    if method in GLOBAL and not space.finite():
        raise CalibrationError(
            f"method {method!r} needs finite bounds for every varying parameter; give min "
            "and max (or document limits in the model)"
        )
    _check_options(method, options)
    if method == "least_squares":
        res = optimize.least_squares(
            problem.residuals, u0, jac=problem.jacobian, bounds=(lo, hi),
            x_scale=options.pop("x_scale", "jac"), **options,
        )
        return Outcome(res.x, bool(res.success), str(res.message), int(res.nfev))
    if method == "L-BFGS-B":
        res = optimize.minimize(
            problem.value_and_grad, u0, jac=True, method="L-BFGS-B",
            bounds=list(zip(lo, hi)), options=options or None,
        )
        return Outcome(res.x, bool(res.success), str(res.message), int(res.get("nit", 0)))
    if method in ("Nelder-Mead", "Powell"):
        res = optimize.minimize(
            problem.chisqr, u0, method=method, bounds=list(zip(lo, hi)),
            options=options or None,
        )
        return Outcome(res.x, bool(res.success), str(res.message), int(res.get("nit", 0)))
    if method == "differential_evolution":
        res = optimize.differential_evolution(
            problem.chisqr_batch, list(zip(lo, hi)), x0=u0, rng=seed, polish=False,
            vectorized=True, updating="deferred", **options,
        )
        return Outcome(res.x, bool(res.success), str(res.message), int(res.nit))
    if method == "dual_annealing":
        res = optimize.dual_annealing(
            problem.chisqr, list(zip(lo, hi)), x0=u0, rng=seed, **options
        )
        return Outcome(res.x, bool(res.success), _message(res), int(res.nit))
    raise CalibrationError(f"unknown calibration method {method!r}")  # pragma: no cover


#: Keywords sdmodel sets itself, per method.
_RESERVED = {
    "least_squares": {"fun", "x0", "jac", "bounds", "args", "kwargs"},
    "L-BFGS-B": set(),
    "Nelder-Mead": set(),
    "Powell": set(),
    "differential_evolution": {"func", "bounds", "x0", "rng", "seed", "polish", "vectorized",
                               "updating", "args", "workers"},
    "dual_annealing": {"func", "bounds", "x0", "rng", "seed", "args"},
}


def _check_options(method: str, options: Mapping) -> None:
    """Reject option names the scipy function does not take, or that sdmodel sets itself."""
    import inspect

    if method in ("L-BFGS-B", "Nelder-Mead", "Powell"):
        return  # solver options: scipy warns about unknown ones itself
    func = {"least_squares": optimize.least_squares,
            "differential_evolution": optimize.differential_evolution,
            "dual_annealing": optimize.dual_annealing}[method]
    accepted = set(inspect.signature(func).parameters) - _RESERVED[method]
    for key in options:
        if key not in accepted:
            raise CalibrationError(
                f"option {key!r} is not accepted for method {method!r}; expected some of "
                f"{sorted(accepted)}"
            )


def polish(space: Space, objective, u0: np.ndarray) -> Outcome:
    """A least-squares refinement from the best point of a global search."""
    return run_method("least_squares", space, objective, u0, seed=None, options={})


def _message(res) -> str:
    msg = res.message
    return "; ".join(msg) if isinstance(msg, (list, tuple)) else str(msg)
