"""The calibration table of ``calibration/README.md``, computed from the configs' outputs.

For each config, reads ``<config dir>/out/<name>/fit.nc`` and ``params.json`` (running the
calibration first with ``--run``, or when they are missing) and reports, on the quantity each
series is compared as (level or index):

- GDP per capita R² of the model, beside the R² of a two-parameter log-linear trend
  ``log y = a + b t`` fitted to the same observed years;
- R² of annual GDP per capita growth rates (``diff log y``, consecutive observed years);
- REER R² (and, from ``fit.json``, the R² of the other series of the country configs);
- fitted parameters at a bound: within 0.1 % of the parameter's range from a bound.

With ``--backtest YEAR`` it also runs (or reads, ``<name>-backtest-YEAR/backtest.csv``) the
backtest split at YEAR and tabulates GDP per capita RMSE after the split against a random
walk with drift, and REER RMSE against a random walk.

Run from the repository root::

    SDMODEL_DATA=../shared/data python -m sdmodel.calibration.report calibration/*.toml \\
        [--run] [--backtest 2009] [--markdown calibration/table.md]
    SDMODEL_DATA=../shared/data python -m sdmodel.calibration.report calibration/*.toml \\
        --countries 1990          # the countries' starting constants (no calibration)

Examples
--------
>>> rows = calibration_rows(["calibration/chile.toml"])   # doctest: +SKIP
>>> print(markdown_table(rows))                           # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .benchmarks import growth_rates, loglinear_trend, r_squared

__all__ = ["calibration_rows", "backtest_rows", "country_rows", "markdown_table", "main",
           "GDP", "REER"]

GDP = "wdi:NY.GDP.PCAP.KD"
REER = "wdi:PX.REX.REER"
#: The other series of the country configs: ``{column: series}`` (R² from ``fit.json``).
OTHER_SERIES = {"rents_r2": "wdi:NY.GDP.TOTL.RT.ZS", "manufacturing_r2": "wdi:NV.IND.MANF.ZS",
                "hc_r2": "pwt:hc", "tfp_r2": "pwt:ctfp"}
#: A parameter is "at a bound" within this share of its range from one.
BOUND_SHARE = 1e-3


def _out_dir(cfg) -> Path:
    return cfg.path.parent / "out" / cfg.name


def _pair(fit: xr.Dataset, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    if name not in fit:
        return None
    da = fit[name]
    t = da["time"].values.astype(float)
    obs = da.sel(source="observed").values.astype(float)
    sim = da.sel(source="simulated").values.astype(float)
    keep = np.isfinite(obs) & np.isfinite(sim)
    return t[keep], obs[keep], sim[keep]


def _growth_r2(t, obs, sim) -> float:
    annual = np.diff(t) == 1
    if annual.sum() < 3 or np.any(obs <= 0) or np.any(sim <= 0):
        return math.nan
    _, g_obs = growth_rates(t, obs)
    _, g_sim = growth_rates(t, sim)
    return r_squared(g_obs[annual], g_sim[annual])


def _at_bound(params: dict) -> tuple[list[str], int]:
    varying = {k: v for k, v in params.items() if v["vary"]}
    hits = []
    for name, p in varying.items():
        lo, hi = p["min"], p["max"]
        if not (math.isfinite(lo) and math.isfinite(hi)):
            continue
        if min(p["value"] - lo, hi - p["value"]) <= BOUND_SHARE * (hi - lo):
            hits.append(name)
    return hits, len(varying)


def calibration_rows(configs, *, run: bool = False, data_dir=None) -> pd.DataFrame:
    """One row per config: the R² of the README table (see the module docstring).

    Examples
    --------
    >>> calibration_rows(["calibration/chile.toml"]).loc["chile", "gdp_r2"]   # doctest: +SKIP
    """
    from .config import load_config, run_config

    rows = {}
    for path in configs:
        cfg = load_config(path)
        out = _out_dir(cfg)
        if run or not (out / "fit.nc").is_file():
            run_config(cfg, out_dir=out, data_dir=data_dir, progress=False)
        fit = xr.load_dataset(out / "fit.nc")
        params = json.loads((out / "params.json").read_text())
        record = json.loads((out / "fit.json").read_text())
        row = {"country": cfg.country, "years": f"{record.get('start')}-{record.get('end')}",
               "start_from": record.get("start_from", "model")}
        gdp = _pair(fit, GDP)
        if gdp is not None:
            t, obs, sim = gdp
            row["gdp_r2"] = r_squared(obs, sim)
            row["trend_r2"] = r_squared(obs, loglinear_trend(t, obs))
            row["growth_r2"] = _growth_r2(t, obs, sim)
        reer = _pair(fit, REER)
        if reer is not None:
            row["reer_r2"] = r_squared(reer[1], reer[2])
        for key, series in OTHER_SERIES.items():
            value = record.get("r2", {}).get(series)
            row[key] = math.nan if value is None else float(value)
        hits, n = _at_bound(params)
        row["at_bound"] = f"{len(hits)}/{n}"
        row["at_bound_names"] = ", ".join(hits)
        row["chisqr"] = record["chisqr"]
        row["runs"] = record["nfev"]
        rows[cfg.name] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def backtest_rows(configs, split: int, *, run: bool = False, data_dir=None) -> pd.DataFrame:
    """One row per config: GDP per capita and REER RMSE after ``split`` against benchmarks."""
    from .backtest import backtest_config, write_backtest
    from .config import load_config

    rows = {}
    for path in configs:
        cfg = load_config(path)
        out = cfg.path.parent / "out" / f"{cfg.name}-backtest-{split}"
        if run or not (out / "backtest.csv").is_file():
            write_backtest(backtest_config(cfg, split, data_dir=data_dir, progress=False), out)
        scores = pd.read_csv(out / "backtest.csv", index_col="series")
        row: dict[str, Any] = {"country": cfg.country}
        if GDP in scores.index:
            s = scores.loc[GDP]
            row.update(gdp_model=s["rmse_model"], gdp_rw_drift=s["rmse_random_walk_drift"],
                       gdp_trend=s["rmse_loglinear_trend"],
                       gdp_wins=bool(s["rmse_model"] <= s["rmse_random_walk_drift"]))
        if REER in scores.index:
            s = scores.loc[REER]
            row.update(reer_model=s["rmse_model"], reer_rw=s["rmse_random_walk"],
                       reer_wins=bool(s["rmse_model"] <= s["rmse_random_walk"]))
        rows[cfg.name] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def country_rows(codes, year: int, *, data_dir=None) -> pd.DataFrame:
    """The starting constants of :func:`sdmodel.perez.country.country_parameters` for each
    country in ``year`` (population and labour force in millions).

    Examples
    --------
    >>> country_rows(["CHL", "NOR"], 1990, data_dir="../shared/data")   # doctest: +SKIP
    """
    from ..perez.country import country_parameters

    rows = {}
    for code in codes:
        p = country_parameters(code, year, data_dir=data_dir)
        p["initial_population"] /= 1e6
        p["initial_labour_force"] /= 1e6
        rows[code] = p
    return pd.DataFrame.from_dict(rows, orient="index")


COUNTRY_COLUMNS = {
    "initial_population": "population (M)", "population_growth_rate": "pop. growth",
    "initial_labour_force": "labour force (M)", "initial_gdp_per_capita": "GDP pc (2015 US$)",
    "initial_capital_output_ratio": "K/Y", "initial_schooling_years": "schooling (yr)",
    "schooling_growth": "schooling trend (yr/yr)", "initial_relative_tfp": "TFP (USA = 1)",
    "resource_output_share": "rents / GDP", "energy_weight": "energy w.",
    "metals_weight": "metals w.", "agriculture_weight": "other (agric.) w.",
}


def _fmt(v) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (float, np.floating)):
        x = float(v)
        return "—" if not math.isfinite(x) else f"{x:.3g}" if abs(x) < 1000 else f"{x:.0f}"
    return "—" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)


def markdown_table(frame: pd.DataFrame, columns: dict[str, str] | None = None, *,
                   index_name: str = "config") -> str:
    """A markdown table of ``frame`` (``columns``: ``{column: header}``, default all).

    Examples
    --------
    >>> print(markdown_table(pd.DataFrame({"a": [0.5]}, index=["x"])))
    | config | a |
    | --- | ---: |
    | x | 0.5 |
    """
    columns = columns or {c: c for c in frame.columns}
    head = f"| {index_name} | " + " | ".join(columns.values()) + " |"
    rule = "| --- | " + " | ".join("---:" for _ in columns) + " |"
    lines = [head, rule]
    for name, row in frame.iterrows():
        cells = [_fmt(row.get(c)) if c in row.index else "—" for c in columns]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


CALIBRATION_COLUMNS = {
    "country": "country", "years": "years", "gdp_r2": "GDP per capita R²",
    "trend_r2": "log-linear trend R²", "growth_r2": "growth-rate R²", "reer_r2": "REER R²",
    "rents_r2": "rents R²", "manufacturing_r2": "manuf. R²", "hc_r2": "hc R²",
    "tfp_r2": "TFP R²", "at_bound": "at bound", "runs": "runs",
}
BACKTEST_COLUMNS = {
    "country": "country", "gdp_model": "GDP pc RMSE model", "gdp_rw_drift": "RW + drift",
    "gdp_trend": "log-linear trend", "gdp_wins": "model ≤ RW + drift",
    "reer_model": "REER RMSE model", "reer_rw": "RW", "reer_wins": "model ≤ RW",
}


def main(argv: list[str] | None = None) -> int:
    """Command line: print (and optionally write) the calibration and backtest tables."""
    from .._atomic import write_text_atomic

    parser = argparse.ArgumentParser(prog="python -m sdmodel.calibration.report",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("configs", nargs="+", help="calibration configs (.toml)")
    parser.add_argument("--run", action="store_true", help="re-run every calibration")
    parser.add_argument("--backtest", type=int, default=None, metavar="YEAR",
                        help="also the backtest table, split at YEAR")
    parser.add_argument("--data-dir", default=None, metavar="DIR")
    parser.add_argument("--markdown", default=None, metavar="FILE",
                        help="write the tables to FILE as well")
    parser.add_argument("--countries", type=int, default=None, metavar="YEAR",
                        help="only the table of the configs' countries' starting constants "
                             "in YEAR (no calibration)")
    args = parser.parse_args(argv)
    if args.countries is not None:
        from .config import load_config

        codes = list(dict.fromkeys(load_config(c).country for c in args.configs))
        text = markdown_table(country_rows(codes, args.countries, data_dir=args.data_dir),
                              COUNTRY_COLUMNS, index_name="country")
        print(text)
        if args.markdown:
            write_text_atomic(args.markdown, text + "\n")
        return 0
    rows = calibration_rows(args.configs, run=args.run, data_dir=args.data_dir)
    text = markdown_table(rows, CALIBRATION_COLUMNS)
    names = "\n".join(f"- {n}: {r['at_bound_names']}" for n, r in rows.iterrows()
                      if r["at_bound_names"])
    if names:
        text += "\n\nParameters at a bound:\n\n" + names
    if args.backtest is not None:
        bt = backtest_rows(args.configs, args.backtest, run=args.run, data_dir=args.data_dir)
        text += (f"\n\nBacktest, fit to {args.backtest}, predict the rest (RMSE on the "
                 "compared quantity):\n\n" + markdown_table(bt, BACKTEST_COLUMNS))
    print(text)
    if args.markdown:
        write_text_atomic(args.markdown, text + "\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
