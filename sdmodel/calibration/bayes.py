"""Bayesian calibration: posterior sampling of model constants with emcee, runs in batches.

The likelihood treats each observed series ``k`` as the model's value plus independent Gaussian
noise with its own scale ``sigma_k`` (estimated, in the units the residuals are in: the series'
standard deviation with ``normalize="std"``, its own units with ``normalize=None``). The prior
of each ``log sigma_k`` is uniform on ``[log 1e-4, log 10]`` (scale-invariant, Jeffreys-like).

Sampling uses emcee's affine-invariant ensemble sampler with ``vectorize=True``: every step
evaluates all walkers in one ``model.run_batch`` call, so a step costs one vectorized run.
emcee is chosen over a sequential Monte Carlo sampler because it needs no tuning beyond the
walker count and works with any model the batch engine compiles; walkers start in a small ball
around the least-squares optimum (the posterior mode under flat priors) and the first half of
the chain is discarded as burn-in. Walkers serve as ArviZ chains for R-hat and effective sample
size (a conservative reading: walkers are not independent chains).

Examples
--------
>>> import sdmodel as sd
>>> from sdmodel.calibration.priors import Prior
>>> post = sd.calibration.sample_posterior(
...     model, observed, {"catch_up_rate": Prior("uniform", lower=0.01, upper=0.5)},
...     n_steps=400, seed=1)                                          # doctest: +SKIP
>>> post.summary()[["mean", "q05", "q95", "r_hat"]]                  # doctest: +SKIP
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from ..exceptions import CalibrationError
from .objective import PENALTY, Objective
from .observed import prepare_observed
from .priors import Prior, as_priors

__all__ = ["sample_posterior", "PosteriorResult", "LOG_SIGMA_BOUNDS"]

#: Bounds of the uniform prior of each series' log noise scale.
LOG_SIGMA_BOUNDS = (math.log(1e-4), math.log(10.0))
#: A posterior sd below this share of the prior sd counts as "informed by the data".
INFORMED_RATIO = 0.5


@dataclass
class PosteriorResult:
    """Posterior draws of a Bayesian calibration and what they say.

    Attributes
    ----------
    idata : arviz.InferenceData
        ``posterior`` group with one variable per constant and ``sigma_<series>`` per observed
        series (dims ``chain`` = walker, ``draw``); ``sample_stats`` with ``lp``.
    names : list of str
        The sampled constants.
    priors : dict of Prior
    series : list of str
        Observed series names, in the order of their ``sigma_<series>`` variables.
    acceptance : float
        Mean acceptance fraction of the walkers (0.2-0.5 is healthy for emcee).
    nruns : int
        Model runs made by the sampler (walkers x steps).
    elapsed : float
        Wall seconds of sampling.
    """

    idata: Any
    names: list[str]
    priors: dict[str, Prior]
    series: list[str]
    acceptance: float
    nruns: int
    elapsed: float
    objective: Objective = field(repr=False)
    fixed: dict[str, float] = field(default_factory=dict, repr=False)

    @property
    def runs_per_second(self) -> float:
        """Model runs per wall second of sampling."""
        return self.nruns / self.elapsed if self.elapsed > 0 else math.inf

    @property
    def posterior(self) -> xr.Dataset:
        """The posterior draws (dims ``chain``, ``draw``)."""
        return self.idata.posterior

    def draws(self, n: int | None = None, *, seed: int | None = None) -> dict[str, np.ndarray]:
        """Posterior draws of the constants, flattened over walkers (``n`` drawn at random).

        Examples
        --------
        >>> d = post.draws(200, seed=0)                   # doctest: +SKIP
        >>> d["catch_up_rate"].shape                      # doctest: +SKIP
        (200,)
        """
        flat = {k: self.posterior[k].values.reshape(-1) for k in self.names}
        if n is None:
            return flat
        idx = self._draw_index(n, seed)
        return {k: v[idx] for k, v in flat.items()}

    def _draw_index(self, n: int, seed: int | None) -> np.ndarray:
        """Indices of ``n`` random kept draws, flattened over walkers (with replacement only
        when ``n`` exceeds them)."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise CalibrationError(f"n must be a positive integer, got {n!r}")
        total = self.posterior.sizes["chain"] * self.posterior.sizes["draw"]
        return np.random.default_rng(seed).choice(total, size=n, replace=n > total)

    def summary(self) -> pd.DataFrame:
        """Per parameter: posterior mean, sd, 5 % and 95 % quantiles, R-hat, bulk ESS, the
        prior sd and whether the data inform it (posterior sd < half the prior sd)."""
        az = _arviz()
        post = self.posterior
        rows = []
        rhat = az.rhat(post)
        ess = az.ess(post, method="bulk")
        for name in [*self.names, *(f"sigma_{s}" for s in self.series)]:
            v = post[name].values.reshape(-1)
            prior_sd = self.priors[name].sd() if name in self.priors else math.nan
            sd = float(np.std(v))
            rows.append({
                "parameter": name, "mean": float(np.mean(v)), "sd": sd,
                "q05": float(np.quantile(v, 0.05)), "q95": float(np.quantile(v, 0.95)),
                "r_hat": float(rhat[name]), "ess_bulk": float(ess[name]), "prior_sd": prior_sd,
                "informed": bool(sd < INFORMED_RATIO * prior_sd) if name in self.priors else None,
            })
        return pd.DataFrame(rows).set_index("parameter")

    def correlations(self) -> pd.DataFrame:
        """Posterior correlation matrix of the sampled constants."""
        flat = pd.DataFrame(self.draws())
        return flat.corr()

    def report(self) -> str:
        """A readable report: sampler settings and diagnostics, then the table of
        :meth:`summary` with each prior, and which constants the data do not inform."""
        s = self.summary()
        lines = [
            "[[Posterior]]",
            f"    sampler            = emcee ensemble ({self.posterior.sizes['chain']} walkers, "
            f"{self.posterior.sizes['draw']} kept draws each)",
            f"    model runs         = {self.nruns} ({self.runs_per_second:,.0f} runs/s)",
            f"    acceptance         = {self.acceptance:.3f}",
            f"    max R-hat          = {s['r_hat'].max():.3f}",
            f"    min bulk ESS       = {s['ess_bulk'].min():.0f}",
            "[[Parameters]] mean, sd, 90 % interval; prior",
        ]
        for name, row in s.iterrows():
            prior = self.priors[name].describe() if name in self.priors else "log-uniform [1e-4, 10]"
            flag = "" if row["informed"] in (None, True) else "  (not informed by the data)"
            lines.append(
                f"    {name:<28} {row['mean']:.5g} +/- {row['sd']:.3g}  "
                f"[{row['q05']:.5g}, {row['q95']:.5g}]  prior {prior}{flag}"
            )
        weak = [n for n in self.names if not s.loc[n, "informed"]]
        lines.append("[[Identification]]")
        lines.append("    informed by the data: "
                     + (", ".join(n for n in self.names if n not in weak) or "none"))
        lines.append("    not informed (posterior sd >= half the prior sd): "
                     + (", ".join(weak) or "none"))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()

    def predictive(self, n: int = 200, *, seed: int | None = None,
                   quantiles=(0.05, 0.5, 0.95)) -> dict[str, pd.DataFrame]:
        """Posterior predictive bands of every observed series at its observation times.

        ``n`` posterior draws are run in one batch; each simulated series gets its draw's
        observation noise, and the quantiles are taken over draws.

        Returns
        -------
        dict of DataFrame
            ``{series: DataFrame(index=time, columns=["observed", *quantiles])}``.
        """
        idx = self._draw_index(n, seed)  # each draw's constants with its own noise scales
        flat = self.draws()
        X = np.column_stack([flat[k][idx] for k in self.names])
        rng = np.random.default_rng(seed)
        R = self.objective.residuals_batch(X)
        out: dict[str, pd.DataFrame] = {}
        col = 0
        for s in self.objective.series:
            r = R[:, col : col + s.n]
            col += s.n
            factor = s.scale / math.sqrt(s.weight)
            sigma = self.posterior[f"sigma_{s.name}"].values.reshape(-1)[idx]
            sim = s.values + r * factor + rng.standard_normal(r.shape) * (sigma * factor)[:, None]
            times = s.times
            frame = pd.DataFrame({"observed": s.values}, index=pd.Index(times, name="time"))
            for q in quantiles:
                frame[q] = np.quantile(sim, q, axis=0)
            out[s.name] = frame
        return out


def sample_posterior(
    model,
    observed,
    priors: Mapping[str, Prior | Mapping],
    *,
    fixed: Mapping[str, float] | None = None,
    n_walkers: int | None = None,
    n_steps: int = 1000,
    burn: int | None = None,
    thin: int = 1,
    seed: int | None = None,
    mapping: Mapping[str, str] | None = None,
    index: Mapping[str, float] | None = None,
    weights: Mapping[str, float] | None = None,
    normalize: str | None = "std",
    initial_time: float | None = None,
    final_time: float | None = None,
    engine: str = "auto",
    progress: bool = False,
) -> PosteriorResult:
    """Sample the posterior of model constants given observed series.

    Parameters
    ----------
    model : sdmodel.Model
    observed
        As for :func:`sdmodel.calibrate`.
    priors : mapping
        ``{constant: Prior}`` (or TOML-style tables, see
        :func:`sdmodel.calibration.priors.as_priors`); their bounds are the parameters' bounds.
    fixed : mapping, optional
        Constants held at given values.
    n_walkers : int, optional
        Ensemble size (default ``max(32, 4 * dim)``, rounded up to even).
    n_steps : int
        Steps per walker.
    burn : int, optional
        Steps discarded at the start (default ``n_steps // 2``).
    thin : int
        Keep every ``thin``-th step.
    seed : int, optional
        Seeds the start ball and the sampler: equal seeds give identical draws.
    mapping, index, weights, normalize, initial_time, final_time
        As for :func:`sdmodel.calibrate`.
    engine : {"auto", "batch", "pysd"}
        Where runs go (``"auto"`` prefers the batch engine).
    progress : bool
        Show emcee's progress bar (on stderr).

    Returns
    -------
    PosteriorResult

    Raises
    ------
    CalibrationError
        Bad priors or sampler settings, a constant the model does not have, too few
        observations.
    """
    import emcee

    pri = as_priors(priors)
    _check_settings(n_walkers=n_walkers, n_steps=n_steps, burn=burn, thin=thin)
    from .parameters import create_params

    names = list(pri)
    create_params(**{n: (float(pri[n].ppf(0.5)), pri[n].lower, pri[n].upper) for n in names}
                  ).check_against(model)
    fixed = _held(model, fixed)
    series, t0, t1 = prepare_observed(
        model, observed, mapping=mapping, weights=weights, normalize=normalize,
        initial_time=initial_time, final_time=final_time, index=index,
    )
    objective = Objective(model, series, names, fixed=fixed, initial_time=t0,
                          final_time=t1, engine=engine)
    if objective.ndata <= len(names) + len(series):
        raise CalibrationError(
            f"{objective.ndata} observations for {len(names)} constants and {len(series)} noise "
            "scales; expected more observations than unknowns"
        )
    p, k = len(names), len(series)
    ndim = p + k
    nw = n_walkers or max(32, 4 * ndim)
    nw += nw % 2
    if nw < 2 * ndim:
        raise CalibrationError(f"n_walkers must be at least 2 x {ndim} unknowns, got {nw}")
    cols = np.cumsum([0] + [s.n for s in series])
    counts = np.array([s.n for s in series], dtype=float)

    def log_prob(theta: np.ndarray) -> np.ndarray:
        theta = np.atleast_2d(theta)
        lp = np.zeros(theta.shape[0])
        for j, name in enumerate(names):
            lp += pri[name].logpdf(theta[:, j])
        logsig = theta[:, p:]
        lp[((logsig < LOG_SIGMA_BOUNDS[0]) | (logsig > LOG_SIGMA_BOUNDS[1])).any(axis=1)] = -np.inf
        ok = np.isfinite(lp)
        if ok.any():
            R = objective.residuals_batch(theta[ok, :p])
            failed = (R == PENALTY).any(axis=1)
            sig2 = np.exp(2 * logsig[ok])
            ss = np.column_stack([np.sum(R[:, a:b] ** 2, axis=1) for a, b in zip(cols, cols[1:])])
            ll = -np.sum(counts * logsig[ok] + 0.5 * ss / sig2, axis=1) - 0.5 * cols[-1] * math.log(2 * math.pi)
            ll[failed] = -np.inf
            lp[ok] += ll
        return lp

    rng = np.random.default_rng(seed)
    p0 = _start_ball(objective, pri, names, series, cols, nw, rng)
    sampler = emcee.EnsembleSampler(nw, ndim, log_prob, vectorize=True)
    sampler.random_state = np.random.RandomState(int(rng.integers(2**31))).get_state()
    started = time.perf_counter()
    sampler.run_mcmc(p0, n_steps, progress=progress)
    elapsed = time.perf_counter() - started
    discard = n_steps // 2 if burn is None else burn
    chain = sampler.get_chain(discard=discard, thin=thin)  # (draw, walker, dim)
    lp = sampler.get_log_prob(discard=discard, thin=thin)
    posterior = {n: chain[:, :, j].T for j, n in enumerate(names)}
    posterior.update({f"sigma_{s.name}": np.exp(chain[:, :, p + i].T) for i, s in enumerate(series)})
    idata = _inference_data(posterior, lp.T, model, names)
    return PosteriorResult(
        idata=idata, names=names, priors=pri, series=[s.name for s in series],
        acceptance=float(np.mean(sampler.acceptance_fraction)), nruns=nw * n_steps,
        elapsed=elapsed, objective=objective, fixed=fixed,
    )


def _held(model, fixed: Mapping[str, float] | None) -> dict[str, float]:
    """The held constants (any finite value, as ``calibrate(held=)``): scalar constants of
    the model, not range-checked."""
    from .calibration import _with_held
    from .parameters import Parameters

    held = _with_held(Parameters(), model, fixed)
    return {n: float(p.value) for n, p in held.items() if p.value is not None}


def _check_settings(*, n_walkers, n_steps, burn, thin) -> None:
    for name, value, low in (("n_steps", n_steps, 2), ("thin", thin, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise CalibrationError(f"{name} must be an integer >= {low}, got {value!r}")
    if n_walkers is not None and (isinstance(n_walkers, bool) or not isinstance(n_walkers, int)):
        raise CalibrationError(f"n_walkers must be an integer, got {n_walkers!r}")
    if burn is not None and (isinstance(burn, bool) or not isinstance(burn, int)
                             or not 0 <= burn < n_steps):
        raise CalibrationError(f"burn must be an integer in [0, n_steps), got {burn!r}")


def _start_ball(objective, pri, names, series, cols, nw, rng) -> np.ndarray:
    """Walkers around the least-squares optimum of the constants (from the prior median),
    noise scales at the residual standard deviations there."""
    from scipy.optimize import least_squares

    lo = np.array([pri[n].lower for n in names])
    hi = np.array([pri[n].upper for n in names])
    x0 = np.array([float(pri[n].ppf(0.5)) for n in names])
    fit = least_squares(objective.residuals, x0, bounds=(lo, hi), method="trf", max_nfev=200 * len(names))
    r = objective.residuals(fit.x)
    spread = _spread(fit.jac, r, np.array([pri[n].sd() for n in names]))
    centre = np.clip(fit.x, lo, hi)
    X = centre + spread * rng.standard_normal((nw, len(names)))
    X = np.clip(X, lo + 1e-9 * (hi - lo), hi - 1e-9 * (hi - lo))
    rms = np.array([max(np.sqrt(np.mean(r[a:b] ** 2)), 2e-4) for a, b in zip(cols, cols[1:])])
    S = np.log(rms) + 0.05 * rng.standard_normal((nw, len(series)))
    return np.column_stack([X, np.clip(S, *LOG_SIGMA_BOUNDS)])


def _arviz():
    """arviz, imported without its FutureWarning about the coming 1.0 refactor."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        import arviz

    return arviz


def _spread(jac: np.ndarray, r: np.ndarray, prior_sd: np.ndarray) -> np.ndarray:
    """Half the least-squares standard errors (Gauss-Newton, from the Jacobian), each at most
    a tenth of the prior sd: the walkers start dispersed on the scale of the posterior."""
    dof = max(r.size - jac.shape[1], 1)
    try:
        cov = np.linalg.pinv(jac.T @ jac) * float(r @ r) / dof
        se = np.sqrt(np.clip(np.diag(cov), 0, None))
    except np.linalg.LinAlgError:
        se = np.full(jac.shape[1], np.inf)
    return np.where(np.isfinite(se) & (se > 0), np.minimum(0.5 * se, 0.1 * prior_sd), 1e-3 * prior_sd)


def _inference_data(posterior: dict, lp: np.ndarray, model, names):
    return _arviz().from_dict(
        posterior=posterior, sample_stats={"lp": lp},
        attrs={"model": getattr(model, "name", ""), "sampler": "emcee", "constants": ",".join(names)},
    )
