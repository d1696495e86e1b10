"""Calibration configs (TOML): which model, which country series, which parameters, how.

A config names the model file (relative to the config), a country and a year window, the
observed series (WDI, PWT or commodity-price codes mapped to model variables, optionally
rescaled or turned into an index), the parameters with bounds, and the optimiser::

    [model]
    path = "../models/<model>/<model>.mdl"
    initial_time = 1990              # optional overrides of the model's window
    final_time = 2019
    start_from = "auto"              # optional: "country" | "model" | "auto" (below)

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

**Starting from the country's data.** With ``start_from = "country"`` the model starts in
``[model] initial_time`` (default ``[data] start``) from the country's own data: the constants
of :func:`sdmodel.perez.country.country_parameters` (population, labour force, GDP per
capita, capital-output ratio, schooling, relative TFP, resource share, commodity basket, ...)
are held at the country's values, except those listed in ``[params]``, which are fitted (a
``[params]`` entry without ``value`` starts at the country's value). The model must define
every one of those constants. ``"model"`` runs from the model's own initial values;
``"auto"`` (the default) is ``"country"`` when the model defines those constants and
``"model"`` when it defines none of them. So a config starts from any country in the data
directory with only ``[data] country`` changed.

Examples
--------
>>> cfg = load_config("calibration/chile.toml")
>>> cfg.country, cfg.start, cfg.end, len(cfg.series)
('CHL', 1990, 2019, 6)
>>> cfg.calibration.update(options={"maxiter": 2, "popsize": 2}, polish=False)  # a small budget
>>> result, paths = run_config(cfg, out_dir="out/chile")
>>> sorted(p.name for p in paths.values())
['fit.json', 'fit.nc', 'fit.png', 'params.json', 'report.txt']
"""

from __future__ import annotations

import json
import math
import os
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xarray as xr

from .._atomic import safe_component, staged_outputs
from .._progress import step
from ..exceptions import CalibrationError, SDModelError
from ..schema import CalibrationFile, validate

__all__ = ["CalibrationConfig", "RunStart", "CountryRangeWarning", "MissingSeriesWarning",
           "load_config",
           "observed_from_config", "start_parameters", "run_config"]

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
    start_from: str = "auto"


def load_config(path: str | os.PathLike) -> CalibrationConfig:
    """Read and check a calibration config.

    Raises
    ------
    CalibrationError
        Unreadable TOML; a missing section or key; an unknown section, key, series source or
        option (validated against :class:`sdmodel.schema.CalibrationFile`, the closest valid
        name suggested: ``[calibraton]`` -> "Did you mean 'calibration'?").
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
    validate(CalibrationFile, raw, where=where, error=CalibrationError)
    model, data, series = raw["model"], raw["data"], raw["series"]
    start_from = model.get("start_from", "auto")
    for i, s in enumerate(series, 1):
        _check_series_numbers(s, f"{where}: series #{i}")
    cal = dict(raw.get("calibration", {}))
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
        start_from=start_from,
    )


def _refuse_unknown(table, known: set[str], where: str) -> None:
    if not isinstance(table, dict):
        raise CalibrationError(f"{where} must be a table, got {table!r}")
    unknown = set(table) - known
    if unknown:
        raise CalibrationError(
            f"{where} has unknown keys {sorted(unknown)}; expected some of {sorted(known)}")


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
    keywords of :func:`sdmodel.calibrate`. A country series with no observation in the
    window (e.g. Indonesia's REER) is left out with a :class:`MissingSeriesWarning` and listed
    in the Dataset's ``missing_series`` attribute, so a config runs for any country with only
    its code changed.

    Raises
    ------
    DataError
        An unknown country or series, or no observation for any of the config's series.
    """
    from .. import data as sdd  # the subpackage
    from ..exceptions import DataError

    ddir = data_dir if data_dir is not None else cfg.data_dir
    out, mapping, weights, index = {}, {}, {}, {}
    missing: list[str] = []
    for s in cfg.series:
        kw: dict[str, Any] = dict(data_dir=ddir, start=s.get("start", cfg.start), end=s.get("end", cfg.end))
        key = f"{s['source']}:{s['code']}"
        try:
            if s["source"] == "wdi":
                da = sdd.load_wdi(s["code"], cfg.country, **kw)[s["code"]].sel(
                    country=cfg.country)
            elif s["source"] == "pwt":
                da = sdd.load_pwt(s["code"], cfg.country, **kw)[s["code"]].sel(
                    country=cfg.country)
            else:
                da = sdd.load_commodity_prices(s["code"], **kw)[s["code"]]
        except DataError as err:
            # the loaders' message for a known series and country without observations
            if s["source"] == "commodity" or not str(err).startswith("no observations"):
                raise
            missing.append(key)
            warnings.warn(f"calibration config {cfg.path.name}: {cfg.country} has no "
                          f"observation of {key} in the window; the series is left out",
                          MissingSeriesWarning, stacklevel=2)
            continue
        attrs = {"long_name": da.attrs.get("long_name", s["code"]),
                 "units": da.attrs.get("units", "") if "scale" not in s else ""}
        da = da.drop_vars("country", errors="ignore") * float(s.get("scale", 1.0))
        da = da.assign_attrs(attrs)
        if key in out:
            raise CalibrationError(f"series {key} is listed twice")
        out[key] = da.assign_attrs(source=s["source"], code=s["code"])
        mapping[key] = s["variable"]
        weights[key] = float(s.get("weight", 1.0))
        if "index_year" in s:
            index[key] = float(s["index_year"])
    if not out:
        raise DataError(f"calibration config {cfg.path.name}: {cfg.country} has no "
                        f"observation of any of its series {missing}")
    observed = xr.Dataset(out, attrs={"missing_series": missing})
    return observed, {"mapping": mapping, "weights": weights, "index": index}


class MissingSeriesWarning(UserWarning):
    """A config's series has no observation for its country and is left out."""


@dataclass
class RunStart:
    """How a config's runs start (see :func:`start_parameters`).

    Attributes
    ----------
    params : dict
        The config's ``[params]`` (entries without a value start at the country's value).
    held : dict
        ``{constant: value}`` of the country's data held fixed (empty when starting from the
        model); passed to :func:`sdmodel.calibrate` as ``held``.
    initial_time : float or None
        The run's start (None: the model's).
    start : CountryStart or None
        The country's starting point with its sources.
    outside : dict
        ``{constant: (value, min, max)}`` of held values outside the model's documented range.
    """

    params: dict
    held: dict
    initial_time: float | None
    start: Any = None
    outside: dict = field(default_factory=dict)


def start_parameters(cfg: CalibrationConfig, model, *, data_dir=None) -> RunStart:
    """The parameters and start of a config's runs (``start_from``; see the module docstring).

    Starting from the country, every constant of
    :func:`~sdmodel.perez.country.country_parameters` not in ``[params]`` is held at the
    country's value (data are not refused for lying outside a constant's documented range;
    such values are listed in ``outside`` and warned about).

    Raises
    ------
    CalibrationError
        ``start_from`` is ``"country"`` (or ``"auto"`` with some of the constants) and the
        model lacks some, or no start year is given.
    ParameterError, DataError
        From :func:`~sdmodel.perez.country.country_data` (start year outside 1980-2010, a
        series missing for the country and year).

    Examples
    --------
    >>> run = start_parameters(cfg, model, data_dir="../shared/data")   # doctest: +SKIP
    >>> run.initial_time, run.held["initial_population"]                # doctest: +SKIP
    (1990.0, 13274623.0)
    """
    from ..perez.country import PARAMETERS, country_data

    where = f"calibration config {cfg.path.name}"
    constants = model.params
    present = [n for n in PARAMETERS if n in constants]
    mode = cfg.start_from
    if mode == "auto":
        mode = "country" if present else "model"
    if mode == "model":
        return RunStart(dict(cfg.params), {}, cfg.initial_time)
    missing = [n for n in PARAMETERS if n not in constants]
    if missing:
        raise CalibrationError(
            f"{where}: starting from {cfg.country}'s data (start_from = "
            f"{cfg.start_from!r}) needs model {model.name!r} to define the constants "
            f"{missing}; expected all of {list(PARAMETERS)} (or [model] start_from = \"model\")")
    year = cfg.initial_time if cfg.initial_time is not None else cfg.start
    if year is None:
        raise CalibrationError(
            f"{where}: starting from {cfg.country}'s data needs a start year; expected "
            "[data] start or [model] initial_time")
    start = country_data(cfg.country, int(year), data_dir=data_dir if data_dir is not None
                         else cfg.data_dir)
    python = {key: _python_name(model, key) for key in cfg.params}
    held = {name: value for name, value in start.parameters.items()
            if name not in python.values()}
    params = {}
    for key, spec in cfg.params.items():
        if isinstance(spec, dict) and "value" not in spec and python[key] in start.parameters:
            spec = {**spec, "value": start.parameters[python[key]]}
        params[key] = spec
    outside = {}
    for name, value in held.items():
        lo, hi = _documented_range(model, name)
        if not lo <= value <= hi:
            outside[name] = (value, lo, hi)
    if outside:
        text = "; ".join(f"{n} = {v:.4g} (documented range [{lo:g}, {hi:g}])"
                         for n, (v, lo, hi) in outside.items())
        warnings.warn(f"{cfg.country} {start.start_year}: data outside model "
                      f"{model.name!r}'s documented ranges, held anyway: {text}",
                      CountryRangeWarning, stacklevel=2)
    return RunStart(params, held, float(start.start_year), start, outside)


class CountryRangeWarning(UserWarning):
    """A country's starting value lies outside the model's documented range of the constant."""


def _documented_range(model, name: str) -> tuple[float, float]:
    from .parameters import _limits

    return _limits(model.doc.at[name, "limits"]) if name in model.doc.index else (
        -math.inf, math.inf)


def _python_name(model, key: str) -> str:
    """The python name of parameter ``key`` (itself when unknown: the parameter checks say so)."""
    try:
        return model.resolve(key, what="parameter")
    except SDModelError:
        return key


def run_config(cfg: CalibrationConfig, *, out_dir=None, data_dir=None, progress: bool = False):
    """Calibrate as the config says and write the outputs.

    Writes ``params.json`` (values, stderr, bounds, flags), ``fit.json`` (statistics, RMSE
    and R² per series), ``report.txt``, ``fit.nc`` (observed vs simulated) and ``fit.png``
    into ``out_dir`` (default ``<config dir>/out/<config name>``).

    ``progress`` shows progress bars on stderr (translation, model runs, writing).

    Returns
    -------
    (CalibrationResult, dict of output paths)
    """
    from ..loading import load
    from ..plot.fit_chart import fit as plot_fit
    from ..results import save
    from .calibration import calibrate

    model = load(cfg.model_path, progress=progress)
    observed, keywords = observed_from_config(cfg, data_dir=data_dir)
    run = start_parameters(cfg, model, data_dir=data_dir)
    cal = dict(cfg.calibration)
    result = calibrate(
        model, observed, run.params, held=run.held or None, initial_time=run.initial_time,
        final_time=cfg.final_time, progress=progress, **keywords, **cal,
    )
    out = Path(out_dir) if out_dir is not None else cfg.path.parent / "out" / cfg.name
    fig = plot_fit(result, title=f"{cfg.name} ({cfg.country}): {result.method}")
    names = {"params": "params.json", "fit": "fit.json", "report": "report.txt",
             "dataset": "fit.nc", "figure": "fit.png"}
    with step(f"writing {out}", progress=progress), \
            staged_outputs(out) as stage:  # all five published together, or none
        stage.path(names["params"]).write_text(
            json.dumps(params_record(result), indent=2), encoding="utf-8")
        stage.path(names["fit"]).write_text(
            json.dumps(fit_record(result, cfg, run) | {
                "missing_series": list(observed.attrs.get("missing_series", []))},
                indent=2), encoding="utf-8")
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


def fit_record(result, cfg: CalibrationConfig | None = None, run: RunStart | None = None) -> dict:
    """JSON-ready fit statistics (and the country's starting constants, when ``run`` has)."""
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
    start = run.start if run is not None else None
    rec["start_from"] = "model" if start is None else "country"
    if start is not None and run is not None:
        rec["initial_time"] = start.start_year
        rec["country_parameters"] = dict(start.parameters)
        rec["country_sources"] = dict(start.sources)
        rec["outside_documented_range"] = {n: list(v) for n, v in run.outside.items()}
    return json.loads(json.dumps(rec, default=float).replace("NaN", "null"))
