"""Bayesian calibration configs (TOML): a country config's model, series and parameters, with
priors, sampled with :func:`sdmodel.calibration.sample_posterior`.

Every parameter of the base's ``[params]`` is sampled; ``[priors]`` gives its prior (with its
source), and a parameter without one gets a uniform prior on the base's ``[min, max]``::

    name = "chile_bayes"

    [bayes]
    base = "chile.toml"
    n_steps = 2000
    n_walkers = 48           # optional (default max(32, 4 x unknowns))
    seed = 1

    [priors]
    rer_half_life = { dist = "lognormal", median = 0.75, sigma = 0.4, lower = 0.33,
                      upper = 2.0, source = "Cashin, Cespedes & Sahay (2004): half-lives 0.5-1 yr" }

Outputs: ``posterior.nc`` (the ArviZ InferenceData), ``summary.csv`` (mean, sd, 90 %
interval, R-hat, ESS, prior sd, informed), ``report.txt`` and ``posterior.png`` (predictive
bands and marginals), published together.

Examples
--------
>>> cfg = load_bayes_config("calibration/chile_bayes.toml")       # doctest: +SKIP
>>> post, paths = run_bayes_config(cfg, out_dir="out/chile_bayes")  # doctest: +SKIP
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from .._atomic import safe_component, staged_outputs
from ..exceptions import CalibrationError
from .config import CalibrationConfig, load_config, observed_from_config, start_parameters
from .panel_config import _has_table, _known, _read_toml
from .priors import Prior, as_priors

__all__ = ["BayesConfig", "load_bayes_config", "run_bayes_config", "is_bayes_config"]

_TOP_KEYS = {"name", "bayes", "priors"}
_BAYES_KEYS = {"base", "n_steps", "n_walkers", "burn", "thin", "seed", "normalize"}


@dataclass
class BayesConfig:
    """A parsed Bayesian config (see the module docstring)."""

    path: Path
    base: CalibrationConfig
    priors: dict[str, Prior]
    sampler: dict = field(default_factory=dict)
    name: str = ""


def is_bayes_config(path: str | os.PathLike) -> bool:
    """Whether the TOML file at ``path`` is a Bayesian config (has a ``[bayes]`` table)."""
    return _has_table(path, "bayes")


def load_bayes_config(path: str | os.PathLike) -> BayesConfig:
    """Read and check a Bayesian config and its base config.

    Raises
    ------
    CalibrationError
        Unreadable TOML, unknown keys, a prior for a parameter the base does not fit, a bad
        prior or sampler setting.
    """
    path = Path(path)
    where = f"Bayesian config {path.name}"
    raw = _read_toml(path, where)
    _known(raw, _TOP_KEYS, f"{where}: top level")
    bayes = raw.get("bayes")
    if not isinstance(bayes, dict) or "base" not in bayes:
        raise CalibrationError(f"{where} needs a [bayes] table with base = \"<country config>.toml\"")
    _known(bayes, _BAYES_KEYS, f"{where}: [bayes]")
    base = load_config((path.parent / bayes["base"]).resolve())
    given = raw.get("priors", {})
    _known(given, set(base.params), f"{where}: [priors] (parameters of the base's [params])")
    specs = {}
    for name, spec in base.params.items():
        if name in given:
            specs[name] = given[name]
        elif isinstance(spec, dict) and "min" in spec and "max" in spec:
            specs[name] = {"dist": "uniform", "lower": spec["min"], "upper": spec["max"],
                           "source": "uniform on the base config's documented range"}
        else:
            raise CalibrationError(
                f"{where}: parameter {name!r} has no prior and no min/max in the base config; "
                "expected a [priors] entry or finite bounds")
    try:
        priors = as_priors(specs)
    except CalibrationError as err:
        raise CalibrationError(f"{where}: {err}") from None
    sampler = {k: v for k, v in bayes.items() if k != "base"}
    return BayesConfig(path=path, base=base, priors=priors, sampler=sampler,
                       name=safe_component(str(raw.get("name", path.stem)), f"{where}: name",
                                           error=CalibrationError))


def run_bayes_config(cfg: BayesConfig, *, out_dir=None, data_dir=None, progress: bool = False):
    """Sample the posterior as the config says and write the outputs.

    Returns
    -------
    (PosteriorResult, dict of output paths)
    """
    from ..loading import load
    from ..plot.posterior_chart import posterior as plot_posterior
    from .bayes import sample_posterior
    from .config import CountryRangeWarning

    model = load(cfg.base.model_path)
    observed, keywords = observed_from_config(cfg.base, data_dir=data_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CountryRangeWarning)
        run = start_parameters(cfg.base, model, data_dir=data_dir)
    names = {k: model.resolve(k, what="parameter") for k in cfg.priors}
    priors = {names[k]: p for k, p in cfg.priors.items()}
    post = sample_posterior(model, observed, priors, fixed=run.held or None,
                            initial_time=run.initial_time, final_time=cfg.base.final_time,
                            progress=progress, **keywords, **cfg.sampler)
    out = Path(out_dir) if out_dir is not None else cfg.path.parent / "out" / cfg.name
    files = {"posterior": "posterior.nc", "summary": "summary.csv", "report": "report.txt",
             "figure": "posterior.png"}
    fig = plot_posterior(post, n=200, seed=0)
    with staged_outputs(out) as stage:
        post.idata.to_netcdf(str(stage.path(files["posterior"])))
        post.summary().to_csv(stage.path(files["summary"]))
        stage.path(files["report"]).write_text(post.report() + "\n", encoding="utf-8")
        fig.savefig(stage.path(files["figure"]), dpi=130, format="png")
    return post, {k: out / v for k, v in files.items()}
