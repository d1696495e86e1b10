"""Prior distributions of calibrated constants, truncated to the parameter's bounds.

A :class:`Prior` is a scipy.stats distribution restricted to ``[lower, upper]`` and renormalised
there, so its log density, draws and quantiles respect the documented range of the constant.

Examples
--------
>>> p = Prior("normal", lower=0.0, upper=1.0, loc=0.1, scale=0.05)
>>> round(float(p.ppf(0.5)), 4)
0.1014
>>> bool(p.logpdf(1.5) == -float("inf"))
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy import stats

from ..exceptions import CalibrationError

__all__ = ["Prior", "DISTRIBUTIONS", "as_priors"]

#: Supported distributions: name -> (scipy.stats distribution, its shape/scale keywords).
DISTRIBUTIONS: dict[str, tuple[object, tuple[str, ...]]] = {
    "uniform": (stats.uniform, ()),
    "normal": (stats.norm, ("loc", "scale")),
    "lognormal": (stats.lognorm, ("median", "sigma")),
    "beta": (stats.beta, ("a", "b")),
    "gamma": (stats.gamma, ("shape", "scale")),
    "halfnormal": (stats.halfnorm, ("scale",)),
}


@dataclass(frozen=True)
class Prior:
    """A distribution truncated to ``[lower, upper]``.

    Parameters
    ----------
    dist : {"uniform", "normal", "lognormal", "beta", "gamma", "halfnormal"}
        ``uniform`` is uniform on the bounds; ``normal`` takes ``loc``, ``scale``;
        ``lognormal`` takes ``median`` and ``sigma`` (of the log); ``beta`` takes ``a``, ``b``
        on ``[lower, upper]`` rescaled to [0, 1]; ``gamma`` takes ``shape``, ``scale``;
        ``halfnormal`` takes ``scale`` (from 0).
    lower, upper : float
        Bounds (finite for ``uniform`` and ``beta``).
    source : str
        Where the prior comes from (a literature reference), shown in reports.
    **shape : float
        The distribution's keywords listed above.

    Examples
    --------
    >>> Prior("uniform", lower=0.0, upper=2.0).logpdf(1.0)
    np.float64(-0.6931471805599453)
    """

    dist: str
    lower: float = -math.inf
    upper: float = math.inf
    source: str = ""
    shape: Mapping[str, float] = field(default_factory=dict)

    def __init__(self, dist: str, *, lower: float = -math.inf, upper: float = math.inf,
                 source: str = "", **shape: float) -> None:
        object.__setattr__(self, "dist", dist)
        object.__setattr__(self, "lower", float(lower))
        object.__setattr__(self, "upper", float(upper))
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "shape", dict(shape))
        self._check()

    # ------------------------------------------------------------------ checks
    def _check(self) -> None:
        if self.dist not in DISTRIBUTIONS:
            raise CalibrationError(
                f"unknown prior distribution {self.dist!r}; expected one of {sorted(DISTRIBUTIONS)}"
            )
        if not (self.lower < self.upper) or math.isnan(self.lower) or math.isnan(self.upper):
            raise CalibrationError(
                f"prior {self.dist!r}: bounds must satisfy lower < upper, got "
                f"[{self.lower}, {self.upper}]"
            )
        expected = set(DISTRIBUTIONS[self.dist][1])
        if set(self.shape) != expected:
            raise CalibrationError(
                f"prior {self.dist!r} takes {sorted(expected) or 'no shape keywords'}, got "
                f"{sorted(self.shape)}"
            )
        for key, value in self.shape.items():
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                raise CalibrationError(f"prior {self.dist!r}: {key} must be a finite number, got {value!r}")
            if key != "loc" and value <= 0:
                raise CalibrationError(f"prior {self.dist!r}: {key} must be > 0, got {value!r}")
        if self.dist in ("uniform", "beta") and not (math.isfinite(self.lower) and math.isfinite(self.upper)):
            raise CalibrationError(f"prior {self.dist!r} needs finite bounds, got [{self.lower}, {self.upper}]")
        if self._mass() <= 0:
            raise CalibrationError(
                f"prior {self.dist!r} {dict(self.shape)} has no mass in [{self.lower}, {self.upper}]"
            )

    # ---------------------------------------------------------------- scipy
    @cached_property
    def frozen(self):
        """The untruncated scipy.stats frozen distribution."""
        s, lo, hi = self.shape, self.lower, self.upper
        if self.dist == "uniform":
            return stats.uniform(loc=lo, scale=hi - lo)
        if self.dist == "normal":
            return stats.norm(loc=s["loc"], scale=s["scale"])
        if self.dist == "lognormal":
            return stats.lognorm(s=s["sigma"], scale=s["median"])
        if self.dist == "beta":
            return stats.beta(s["a"], s["b"], loc=lo, scale=hi - lo)
        if self.dist == "gamma":
            return stats.gamma(s["shape"], scale=s["scale"])
        return stats.halfnorm(scale=s["scale"])

    @cached_property
    def _cdf_bounds(self) -> tuple[float, float]:
        return float(self.frozen.cdf(self.lower)), float(self.frozen.cdf(self.upper))

    def _mass(self) -> float:
        c0, c1 = self._cdf_bounds
        return c1 - c0

    # ---------------------------------------------------------------- density
    def logpdf(self, x):
        """Log density of the truncated prior (``-inf`` outside the bounds)."""
        x = np.asarray(x, dtype=float)
        inside = (x >= self.lower) & (x <= self.upper)
        with np.errstate(divide="ignore"):
            out = np.where(inside, self.frozen.logpdf(np.clip(x, self.lower, self.upper))
                           - math.log(self._mass()), -np.inf)
        return out[()] if out.ndim == 0 else out

    def ppf(self, q):
        """Quantile function of the truncated prior."""
        c0, c1 = self._cdf_bounds
        return np.clip(self.frozen.ppf(c0 + np.asarray(q, dtype=float) * (c1 - c0)), self.lower, self.upper)

    def rvs(self, size: int, rng: np.random.Generator) -> np.ndarray:
        """``size`` independent draws (inverse-CDF sampling with ``rng``)."""
        return np.asarray(self.ppf(rng.uniform(size=size)), dtype=float)

    def sd(self) -> float:
        """Standard deviation of the truncated prior (by quadrature of its quantiles)."""
        q = self.ppf((np.arange(2000) + 0.5) / 2000)
        return float(np.std(q))

    def describe(self) -> str:
        """Short text, e.g. ``normal(loc=0.1, scale=0.05) on [0, 1]``."""
        keys = ", ".join(f"{k}={v:g}" for k, v in self.shape.items())
        return f"{self.dist}({keys}) on [{self.lower:g}, {self.upper:g}]"


def as_priors(specs: Mapping[str, object]) -> dict[str, Prior]:
    """Priors from ``{name: Prior}`` or ``{name: {"dist": ..., "lower": ..., ...}}`` (TOML form).

    Examples
    --------
    >>> as_priors({"phi": {"dist": "uniform", "lower": 0, "upper": 1}})["phi"].describe()
    'uniform() on [0, 1]'
    """
    out: dict[str, Prior] = {}
    if not isinstance(specs, Mapping) or not specs:
        raise CalibrationError(f"priors must be a non-empty mapping of name -> prior, got {specs!r}")
    for name, spec in specs.items():
        if isinstance(spec, Prior):
            out[name] = spec
        elif isinstance(spec, Mapping) and "dist" in spec:
            kw = dict(spec)
            dist = kw.pop("dist")
            try:
                out[name] = Prior(str(dist), **kw)
            except TypeError as err:
                raise CalibrationError(f"prior of {name!r}: {err}") from err
            except CalibrationError as err:
                raise CalibrationError(f"prior of {name!r}: {err}") from err
        else:
            raise CalibrationError(
                f"prior of {name!r} must be a Prior or a table with a 'dist' key, got {spec!r}"
            )
    return out
