"""Panel calibration configs (TOML): one country config's model, series and parameters, fitted
to several countries at once.

A panel config names a single-country config as its base and lists the countries; every
parameter of the base's ``[params]`` is shared unless ``[specific]`` makes it country-specific
(optionally pooled around a common mean with scale ``pooling``)::

    name = "panel8"

    [panel]
    base = "chile.toml"                          # model, window, series, [params]
    countries = ["BRA", "CHL", "COL", "ECU", "KOR", "MEX", "NOR", "VEN"]

    [specific]                                   # one value per country
    catch_up_elasticity = { value = 1.0, min = 0.5, max = 2.0, pooling = 0.3 }

    [calibration]                                # optional
    method = "least_squares"                     # or differential_evolution, ...
    seed = 1
    options = { max_nfev = 200 }

Each country starts from its own data exactly as the base config does for its country
(:func:`sdmodel.calibration.config.start_parameters`).

Examples
--------
>>> cfg = load_panel_config("calibration/panel.toml")             # doctest: +SKIP
>>> fit, paths = run_panel_config(cfg, out_dir="out/panel")       # doctest: +SKIP
>>> print(fit.report())                                           # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .._atomic import safe_component, staged_outputs
from ..exceptions import CalibrationError
from .config import CalibrationConfig, load_config, observed_from_config, start_parameters

__all__ = ["PanelConfig", "load_panel_config", "panel_units", "run_panel_config", "is_panel_config"]

_TOP_KEYS = {"name", "panel", "specific", "calibration"}
_PANEL_KEYS = {"base", "countries"}
_SPEC_KEYS = {"value", "min", "max", "pooling"}
_CALIBRATION_KEYS = {"method", "seed", "options", "normalize", "engine"}


@dataclass
class PanelConfig:
    """A parsed panel config (see the module docstring)."""

    path: Path
    base: CalibrationConfig
    countries: list[str]
    shared: dict
    specific: dict
    pooling: dict[str, float] = field(default_factory=dict)
    calibration: dict = field(default_factory=dict)
    name: str = ""


def is_panel_config(path: str | os.PathLike) -> bool:
    """Whether the TOML file at ``path`` is a panel config (has a ``[panel]`` table)."""
    return _has_table(path, "panel")


def _has_table(path: str | os.PathLike, table: str) -> bool:
    try:
        return table in tomllib.loads(Path(path).read_text())
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return False


def _read_toml(path: Path, where: str) -> dict:
    """The TOML table at ``path``; a CalibrationError naming ``where`` when it cannot be read."""
    try:
        return tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise CalibrationError(f"{where} does not exist") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise CalibrationError(f"{where} is not valid TOML: {err}") from None
    except OSError as err:
        raise CalibrationError(f"cannot read {where}: {err.strerror or err}") from None


def load_panel_config(path: str | os.PathLike) -> PanelConfig:
    """Read and check a panel config and its base config.

    Raises
    ------
    CalibrationError
        Unreadable TOML, unknown sections or keys, fewer than two countries, a specific
        parameter the base does not fit, a bad pooling scale.
    """
    path = Path(path)
    where = f"panel config {path.name}"
    raw = _read_toml(path, where)
    _known(raw, _TOP_KEYS, f"{where}: top level")
    panel = raw.get("panel")
    if not isinstance(panel, dict):
        raise CalibrationError(f"{where} has no [panel] table")
    _known(panel, _PANEL_KEYS, f"{where}: [panel]")
    if "base" not in panel:
        raise CalibrationError(f"{where}: [panel] needs base = \"<country config>.toml\"")
    countries = panel.get("countries")
    if (not isinstance(countries, list) or len(countries) < 2
            or not all(isinstance(c, str) for c in countries)):
        raise CalibrationError(f"{where}: [panel] countries must list at least two ISO3 codes, got {countries!r}")
    if len(set(countries)) != len(countries):
        raise CalibrationError(f"{where}: [panel] countries lists a country twice: {countries}")
    base = load_config((path.parent / panel["base"]).resolve())
    specific_raw = raw.get("specific", {})
    _known(specific_raw, set(base.params), f"{where}: [specific] (parameters of the base's [params])")
    specific, pooling = {}, {}
    for key, spec in specific_raw.items():
        if not isinstance(spec, dict):
            raise CalibrationError(f"{where}: [specific] {key} must be a table such as {{ min = 0, max = 1 }}")
        _known(spec, _SPEC_KEYS, f"{where}: [specific] {key}")
        if "pooling" in spec:
            tau = spec["pooling"]
            if isinstance(tau, bool) or not isinstance(tau, (int, float)) or not math.isfinite(tau) or tau <= 0:
                raise CalibrationError(f"{where}: [specific] {key} pooling = {tau!r}; expected a finite number > 0")
            pooling[key] = float(tau)
        specific[key] = {k: v for k, v in spec.items() if k != "pooling"}
    cal = dict(raw.get("calibration", {}))
    _known(cal, _CALIBRATION_KEYS, f"{where}: [calibration]")
    return PanelConfig(
        path=path, base=base, countries=[c.upper() for c in countries],
        shared={k: v for k, v in base.params.items() if k not in specific},
        specific=specific, pooling=pooling, calibration=cal,
        name=safe_component(str(raw.get("name", path.stem)), f"{where}: name", error=CalibrationError),
    )


def _known(table, known: set[str], where: str) -> None:
    import difflib

    if not isinstance(table, dict):
        raise CalibrationError(f"{where} must be a table, got {table!r}")
    for key in table:
        if key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise CalibrationError(f"{where} has unknown key {key!r}{hint}; expected some of {sorted(known)}")


def panel_units(cfg: PanelConfig, model, *, data_dir=None, countries=None):
    """The panel's units: each country's observed series and held starting constants.

    Returns
    -------
    (dict of PanelUnit, dict)
        The units and the ``mapping``/``weights``/``index`` keywords shared by all.
    """
    from .panel import PanelUnit

    units: dict[str, PanelUnit] = {}
    keywords: dict = {}
    fitted = {**cfg.shared, **cfg.specific}
    for code in countries or cfg.countries:
        one = dataclasses.replace(cfg.base, country=code, params=fitted, name=code.lower())
        observed, keywords = observed_from_config(one, data_dir=data_dir)
        run = start_parameters(one, model, data_dir=data_dir)
        units[code] = PanelUnit(observed, fixed=dict(run.held), initial_time=run.initial_time,
                                final_time=cfg.base.final_time)
    return units, keywords


def run_panel_config(cfg: PanelConfig, *, out_dir=None, data_dir=None, leave_one_out: bool = False):
    """Fit the panel and write ``params.json``, ``units.csv`` (R² and RMSE per country and
    series), ``report.txt`` and, with ``leave_one_out``, ``loo.csv`` (each country predicted
    from the others against the mean-path benchmark), all published together.

    Returns
    -------
    (PanelResult, dict of output paths)
    """
    import warnings

    import pandas as pd

    from ..loading import load
    from .config import CountryRangeWarning
    from .panel import calibrate_panel
    from .panel import leave_one_out as loo

    model = load(cfg.base.model_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CountryRangeWarning)
        units, keywords = panel_units(cfg, model, data_dir=data_dir)
    kw = dict(shared=cfg.shared or None, specific=cfg.specific or None, pooling=cfg.pooling or None,
              **keywords, **cfg.calibration)
    fit = calibrate_panel(model, units, **kw)
    rows = [{"unit": u, "series": s, "r2": st["r2"][s], "rmse": st["rmse"][s]}
            for u, st in fit.unit_stats.items() for s in st["r2"]]
    out = Path(out_dir) if out_dir is not None else cfg.path.parent / "out" / cfg.name
    names = {"params": "params.json", "units": "units.csv", "report": "report.txt"}
    loo_table = loo(model, units, **kw) if leave_one_out else None
    if loo_table is not None:
        names["loo"] = "loo.csv"
    with staged_outputs(out) as stage:
        record = {"values": fit.values, "stderr": fit.stderr, "at_bounds": fit.at_bounds,
                  "countries": cfg.countries, "method": fit.method, "success": fit.success,
                  "chisqr": fit.chisqr, "ndata": fit.ndata, "nfev": fit.nfev,
                  "max_abs_correlation": _max_corr(fit)}
        stage.path(names["params"]).write_text(
            json.dumps(record, indent=2, default=float).replace("NaN", "null"), encoding="utf-8")
        pd.DataFrame(rows).to_csv(stage.path(names["units"]), index=False)
        stage.path(names["report"]).write_text(fit.report() + "\n", encoding="utf-8")
        if loo_table is not None:
            loo_table.to_csv(stage.path(names["loo"]))
    return fit, {k: out / v for k, v in names.items()}


def _max_corr(fit) -> float | None:
    import numpy as np

    if fit.correlations is None:
        return None
    c = fit.correlations.values.copy()
    np.fill_diagonal(c, 0.0)
    return float(np.nanmax(np.abs(c)))
