"""Calibration configs (TOML): which model, which country series, which parameters, how.

A config names the model file (relative to the config), a country and a year window, the
observed series (WDI, PWT or commodity-price codes mapped to model variables, optionally
rescaled or turned into an index), the parameters with bounds, and the optimiser::

    [model]
    path = "../models/<model>/<model>.mdl"
    initial_time = 1990              # optional overrides of the model's window
    final_time = 2019

    [data]
    country = "CHL"
    start = 1990
    end = 2019
    # dir = "../../shared/data"      # optional; default $SDMODEL_DATA or the user cache

    [[series]]
    source = "wdi"                    # wdi | pwt | commodity
    code = "NY.GDP.TOTL.RT.ZS"
    variable = "100 * resource_rents / gdp"   # model variable or expression compared
    scale = 1.0                       # optional: multiply the data (e.g. 0.01: % -> fraction)
    index_year = 2000                 # optional: compare both as an index (that year = 1)
    weight = 1.0                      # optional
    end = 2014                        # optional: this series' own start/end years

    [params]
    rer_elasticity = { value = 0.5, min = 0.1, max = 2.0 }

    [calibration]
    method = "differential_evolution"
    seed = 1
    options = { maxiter = 50, popsize = 10 }

Examples
--------
>>> cfg = load_config("calibration/chile.toml")                    # doctest: +SKIP
>>> result, paths = run_config(cfg, out_dir="out/chile")          # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import xarray as xr

from .._atomic import safe_component, staged_outputs
from ..exceptions import CalibrationError

__all__ = ["CalibrationConfig", "load_config", "observed_from_config", "run_config"]

_SOURCES = ("wdi", "pwt", "commodity")
_CALIBRATION_KEYS = {"method", "seed", "multistart", "normalize", "transform", "options",
                     "polish", "workers", "engine", "profile"}


@dataclass
class CalibrationConfig:
    """A parsed calibration config (see the module docstring for the file format)."""

    path: Path
    model_path: Path
    country: str
    start: int | None
    end: int | None
    series: list[dict]
    params: dict
    calibration: dict = field(default_factory=dict)
    initial_time: float | None = None
    final_time: float | None = None
    data_dir: Path | None = None
    name: str = ""


def load_config(path: str | os.PathLike) -> CalibrationConfig:
    """Read and check a calibration config.

    Raises
    ------
    CalibrationError
        Unreadable TOML, a missing section or key, an unknown series source or option.
    """
    path = Path(path)
    if path.exists() and not (path.is_file() or path.is_dir()):  # a FIFO would block reading
        raise CalibrationError(f"calibration config {path} is not a regular file; expected a TOML file")
    try:
        raw = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise CalibrationError(f"calibration config {path} does not exist") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise CalibrationError(f"calibration config {path} is not valid TOML: {err}") from None
    except IsADirectoryError:
        raise CalibrationError(f"calibration config {path} is a directory; expected a TOML file") from None
    except OSError as err:
        raise CalibrationError(f"cannot read calibration config {path}: {err.strerror or err}") from None
    where = f"calibration config {path.name}"
    for section in ("model", "data", "series", "params"):
        if section not in raw:
            raise CalibrationError(f"{where} has no [{section}] section")
    model = raw["model"]
    if "path" not in model:
        raise CalibrationError(f"{where}: [model] needs path = \"<model file>\"")
    for key in ("initial_time", "final_time"):
        value = model.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                  or not math.isfinite(value)):
            raise CalibrationError(f"{where}: [model] {key} = {value!r}; expected a finite number")
    data = raw["data"]
    if "country" not in data:
        raise CalibrationError(f"{where}: [data] needs country = \"<ISO3 code>\"")
    series = raw["series"]
    if not isinstance(series, list) or not series:
        raise CalibrationError(f"{where}: expected one or more [[series]] tables")
    for i, s in enumerate(series, 1):
        missing = {"source", "code", "variable"} - set(s)
        if missing:
            raise CalibrationError(f"{where}: series #{i} lacks {sorted(missing)}")
        if s["source"] not in _SOURCES:
            raise CalibrationError(
                f"{where}: series #{i} has source {s['source']!r}; expected one of {_SOURCES}"
            )
        unknown = set(s) - {"source", "code", "variable", "scale", "index_year", "weight",
                            "start", "end"}
        if unknown:
            raise CalibrationError(f"{where}: series #{i} has unknown keys {sorted(unknown)}")
        _check_series_numbers(s, f"{where}: series #{i}")
    cal = dict(raw.get("calibration", {}))
    unknown = set(cal) - _CALIBRATION_KEYS
    if unknown:
        raise CalibrationError(
            f"{where}: unknown [calibration] keys {sorted(unknown)}; expected some of "
            f"{sorted(_CALIBRATION_KEYS)}"
        )
    base = path.parent
    data_dir = data.get("dir")
    return CalibrationConfig(
        path=path, model_path=(base / model["path"]).resolve(), country=str(data["country"]),
        start=data.get("start"), end=data.get("end"), series=series, params=raw["params"],
        calibration=cal, initial_time=model.get("initial_time"),
        final_time=model.get("final_time"),
        data_dir=(base / data_dir).resolve() if data_dir else None,
        name=safe_component(str(raw.get("name", path.stem)), f"{where}: name",
                            error=CalibrationError),
    )


def _check_series_numbers(series: dict, where: str) -> None:
    """``scale`` and ``weight`` finite (weight >= 0, scale != 0), ``index_year`` a year."""
    checks = {"scale": lambda v: v != 0, "weight": lambda v: v >= 0,
              "index_year": lambda v: float(v).is_integer()}
    expected = {"scale": "a finite non-zero number", "weight": "a finite number >= 0",
                "index_year": "a whole year such as 2000"}
    for key, ok in checks.items():
        if key not in series:
            continue
        value = series[key]
        if (isinstance(value, bool) or not isinstance(value, (int, float))
                or not math.isfinite(value) or not ok(value)):
            raise CalibrationError(f"{where} has {key} = {value!r}; expected {expected[key]}")


def observed_from_config(cfg: CalibrationConfig, *, data_dir=None) -> tuple[xr.Dataset, dict]:
    """Load the config's series for its country.

    Returns ``(observed, keywords)``: the observed Dataset (variables named
    ``"<source>:<code>"``, dim ``year``) and the ``mapping``, ``weights`` and ``index``
    keywords of :func:`sdmodel.calibrate`.
    """
    from .. import data as sdd  # the subpackage

    ddir = data_dir if data_dir is not None else cfg.data_dir
    out, mapping, weights, index = {}, {}, {}, {}
    for s in cfg.series:
        kw = dict(data_dir=ddir, start=s.get("start", cfg.start), end=s.get("end", cfg.end))
        if s["source"] == "wdi":
            da = sdd.load_wdi(s["code"], cfg.country, **kw)[s["code"]].sel(country=cfg.country)
        elif s["source"] == "pwt":
            da = sdd.load_pwt(s["code"], cfg.country, **kw)[s["code"]].sel(country=cfg.country)
        else:
            da = sdd.load_commodity_prices(s["code"], **kw)[s["code"]]
        attrs = {"long_name": da.attrs.get("long_name", s["code"]),
                 "units": da.attrs.get("units", "") if "scale" not in s else ""}
        da = da.drop_vars("country", errors="ignore") * float(s.get("scale", 1.0))
        da = da.assign_attrs(attrs)
        key = f"{s['source']}:{s['code']}"
        if key in out:
            raise CalibrationError(f"series {key} is listed twice")
        out[key] = da.assign_attrs(source=s["source"], code=s["code"])
        mapping[key] = s["variable"]
        weights[key] = float(s.get("weight", 1.0))
        if "index_year" in s:
            index[key] = float(s["index_year"])
    return xr.Dataset(out), {"mapping": mapping, "weights": weights, "index": index}


def run_config(cfg: CalibrationConfig, *, out_dir=None, data_dir=None, progress=None):
    """Calibrate as the config says and write the outputs.

    Writes ``params.json`` (values, stderr, bounds, flags), ``fit.json`` (statistics, RMSE
    and R² per series), ``report.txt``, ``fit.nc`` (observed vs simulated) and ``fit.png``
    into ``out_dir`` (default ``<config dir>/out/<config name>``).

    Returns
    -------
    (CalibrationResult, dict of output paths)
    """
    from ..loading import load
    from ..plot.fit_chart import fit as plot_fit
    from ..results import save
    from .calibration import calibrate

    model = load(cfg.model_path)
    observed, keywords = observed_from_config(cfg, data_dir=data_dir)
    cal = dict(cfg.calibration)
    result = calibrate(
        model, observed, cfg.params, initial_time=cfg.initial_time,
        final_time=cfg.final_time, progress=progress, **keywords, **cal,
    )
    out = Path(out_dir) if out_dir is not None else cfg.path.parent / "out" / cfg.name
    fig = plot_fit(result, title=f"{cfg.name} ({cfg.country}): {result.method}")
    names = {"params": "params.json", "fit": "fit.json", "report": "report.txt",
             "dataset": "fit.nc", "figure": "fit.png"}
    with staged_outputs(out) as stage:  # all five published together, or none
        stage.path(names["params"]).write_text(
            json.dumps(params_record(result), indent=2), encoding="utf-8")
        stage.path(names["fit"]).write_text(
            json.dumps(fit_record(result, cfg), indent=2), encoding="utf-8")
        stage.path(names["report"]).write_text(result.report() + "\n", encoding="utf-8")
        save(result.fit, stage.path(names["dataset"]))
        fig.savefig(stage.path(names["figure"]), dpi=130, format="png")
    paths = {key: out / name for key, name in names.items()}
    return result, paths


def params_record(result) -> dict:
    """JSON-ready fitted parameters."""
    return {
        name: {"value": p.value, "stderr": p.stderr, "init": p.init_value, "min": p.min,
               "max": p.max, "vary": p.vary, "units": p.units,
               "at_bound": name in result.at_bound, "unmoved": name in result.unmoved,
               "profile_interval": list(result.intervals[name])
               if name in result.intervals else None}
        for name, p in result.params.items()
    }


def fit_record(result, cfg: CalibrationConfig | None = None) -> dict:
    """JSON-ready fit statistics."""
    rec = {
        "model": result.model_name, "method": result.method, "engine": result.engine,
        "success": result.success, "message": result.message, "interrupted": result.interrupted,
        "nfev": result.nfev, "ndata": result.ndata, "nvarys": result.nvarys,
        "chisqr": result.chisqr, "redchi": result.redchi, "aic": result.aic, "bic": result.bic,
        "rmse": result.rmse, "r2": result.r2, "seed": result.seed,
        "elapsed_s": round(result.elapsed, 3),
    }
    if cfg is not None:
        rec.update(country=cfg.country, config=str(cfg.path), start=cfg.start, end=cfg.end)
    return json.loads(json.dumps(rec, default=float).replace("NaN", "null"))
