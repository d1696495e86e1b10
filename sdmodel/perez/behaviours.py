"""The behaviours the Pérez reference model must show, and a one-at-a-time sensitivity check.

:func:`behaviours` runs the policy scenarios below for one parameter set (with the batch
engine, all at once) and returns which of the behaviours of DESIGN.md section 4 hold.
:func:`sensitivity` moves every documented parameter (not the policy levers or scenario
switches) to each end of its range, one at a time, and tabulates the behaviours. Run as a
script to print the table::

    python -m sdmodel.perez.behaviours models/perez/perez.mdl

Examples
--------
>>> import sdmodel as sd
>>> model = sd.load("models/perez/perez.mdl")
>>> behaviours(model)
{'no boom: identical paths': True, ...}
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from .sectors.allocation import LEVERS

__all__ = ["SCENARIOS", "START_YEARS", "BEHAVIOURS", "MARGINS", "behaviours", "sensitivity",
           "sensitivity_parameters"]

REINVEST = {"reinvestment_share": 0.5, "reinvestment_start_year": 2004}
FUND = {"fund_share": 0.5}
#: Start years of the window-timing sweep (reinvestment share 0.5).
START_YEARS = (2004, 2010, 2016, 2022)
#: Scenario name -> lever settings (on top of the parameter set examined).
SCENARIOS: dict[str, dict[str, float]] = {
    "squander": {},
    "reinvest": dict(REINVEST),
    "fund": dict(FUND),
    **{f"start {y}": {"reinvestment_share": 0.5, "reinvestment_start_year": y}
       for y in START_YEARS[1:]},
    "no boom squander": {"price_boom_scale": 0},
    "no boom reinvest": {"price_boom_scale": 0, **REINVEST},
    "no boom fund": {"price_boom_scale": 0, **FUND},
}
_VARS = ("gdp_per_capita", "gdi_per_capita", "real_exchange_rate", "non_resource_export_share",
         "non_resource_tradable_output", "technological_capability", "consumption",
         "human_capital", "poverty_rate", "export_sophistication", "sovereign_fund",
         "resource_reserves")
_ALLOC = ("rent_consumption", "fund_deposits", "human_capital_spending",
          "technologization_spending", "bottom_up_spending", "fiscal_rents")
_FUND = ("sovereign_fund", "fund_deposits", "fund_returns", "fund_withdrawals")
#: Behaviour names, in the order of DESIGN.md section 4.
BEHAVIOURS = (
    "no boom: identical paths",
    "squander: appreciation in the boom",
    "squander: non-resource tradables shrink",
    "squander: no lasting GDP gain",
    "reinvest: higher GDP per capita 2040",
    "reinvest: higher non-resource export share 2040",
    "reinvest: less appreciation",
    "later start: smaller gain",
    "fund: least appreciation",
    "fund: lowest early consumption",
    "fund: no capability gain by itself",
    "allocation adds up",
    "fund identity",
    "reserves non-negative",
)
BOOM = (2003, 2014)


def _at(da, year):
    return da.sel(time=year).values


def _boom_max(da):
    return da.sel(time=slice(*BOOM)).max("time").values


#: What each behaviour's margin measures (the behaviour holds iff its margin is > 0).
MARGINS = (
    "tolerance minus the largest difference between policies",
    "peak real exchange rate 2003-14 minus 1.01",
    "0.99 minus the lowest boom-time ratio of non-resource tradables to the no-boom path",
    "smaller of: boom gain in GDI pc ratio to no boom above 2000's + 0.02; 2000 GDP pc ratio minus 2040 ratio",
    "GDP per capita 2040, reinvest minus squander ($ per person a year)",
    "non-resource export share 2040, reinvest minus squander",
    "peak real exchange rate 2003-14, squander minus reinvest",
    "smallest drop in the 2040 GDP pc gain between successive start years ($ per person a year)",
    "peak real exchange rate 2003-14, min(squander, reinvest) minus fund",
    "mean consumption 2003-14, min(squander, reinvest) minus fund ($/yr)",
    "capability 2040: a tenth of reinvestment's gain minus the fund's gain",
    "tolerance minus the largest allocation residual",
    "tolerance minus the largest fund identity residual",
    "smallest reserve ($ at the 2000 price) plus 1e-9",
)


def _margins(res: Mapping[str, xr.Dataset],
             fine: Mapping[str, xr.Dataset]) -> dict[str, np.ndarray]:
    """Margin of each behaviour (> 0 iff it holds), from yearly and quarter-step results."""
    s, r, f = res["squander"], res["reinvest"], res["fund"]
    nb = res["no boom squander"]
    out: dict[str, Any] = {}
    worst = 0.0
    for other in ("no boom reinvest", "no boom fund"):
        for v in _VARS:
            diff = abs(res[other][v] - nb[v]).max("time").values
            scale = 1 + abs(nb[v]).max("time").values
            worst = np.maximum(worst, diff / scale)
    out[BEHAVIOURS[0]] = 1e-9 - worst
    rer = "real_exchange_rate"
    out[BEHAVIOURS[1]] = _boom_max(s[rer]) - 1.01
    ratio = (s["non_resource_tradable_output"] / nb["non_resource_tradable_output"])
    out[BEHAVIOURS[2]] = 0.99 - ratio.sel(time=slice(*BOOM)).min("time").values
    gdp = "gdp_per_capita"
    g = s[gdp] / nb[gdp]
    income = s["gdi_per_capita"] / nb["gdi_per_capita"]
    out[BEHAVIOURS[3]] = np.minimum(_boom_max(income) - _at(income, 2000) - 0.02,
                                    _at(g, 2000) - _at(g, 2040) + 1e-12)
    out[BEHAVIOURS[4]] = _at(r[gdp], 2040) - _at(s[gdp], 2040)
    nres = "non_resource_export_share"
    out[BEHAVIOURS[5]] = _at(r[nres], 2040) - _at(s[nres], 2040)
    out[BEHAVIOURS[6]] = _boom_max(s[rer]) - _boom_max(r[rer])
    gains = [_at(r[gdp], 2040) - _at(s[gdp], 2040)] + [
        _at(res[f"start {y}"][gdp], 2040) - _at(s[gdp], 2040) for y in START_YEARS[1:]]
    out[BEHAVIOURS[7]] = np.min(-np.diff(np.stack(gains), axis=0), axis=0)
    out[BEHAVIOURS[8]] = np.minimum(_boom_max(s[rer]), _boom_max(r[rer])) - _boom_max(f[rer])
    early = {k: res[k]["consumption"].sel(time=slice(*BOOM)).mean("time").values
             for k in ("squander", "reinvest", "fund")}
    out[BEHAVIOURS[9]] = np.minimum(early["squander"], early["reinvest"]) - early["fund"]
    cap = "technological_capability"
    fund_gain = _at(f[cap], 2040) - _at(s[cap], 2040)
    reinvest_gain = _at(r[cap], 2040) - _at(s[cap], 2040)
    out[BEHAVIOURS[10]] = 0.1 * reinvest_gain - fund_gain
    alloc, fund_err, reserves = 0.0, 0.0, np.inf
    for ds in fine.values():
        total = sum(ds[v] for v in _ALLOC[:-1])
        scale = 1 + abs(ds["fiscal_rents"]).max("time").values
        alloc = np.maximum(alloc, abs(total - ds["fiscal_rents"]).max("time").values / scale)
        dt = float(ds["time"][1] - ds["time"][0])
        net = (ds["fund_deposits"] + ds["fund_returns"] - ds["fund_withdrawals"]) * dt
        integrated = net.cumsum("time").shift(time=1, fill_value=0.0)
        fund = ds["sovereign_fund"]
        fund_err = np.maximum(fund_err, abs(fund - integrated).max("time").values
                              / (1 + abs(fund).max("time").values))
        reserves = np.minimum(reserves, ds["resource_reserves"].min("time").values)
    out[BEHAVIOURS[11]] = 1e-9 - alloc
    out[BEHAVIOURS[12]] = 1e-9 - fund_err
    out[BEHAVIOURS[13]] = reserves + 1e-9
    return out


def _evaluate(res: Mapping[str, xr.Dataset],
              fine: Mapping[str, xr.Dataset]) -> dict[str, np.ndarray]:
    """Behaviour flags: a behaviour holds iff its margin is positive."""
    return {k: np.asarray(m) > 0 for k, m in _margins(res, fine).items()}


def _run_all(model, cases: list[dict[str, float]]):
    """Run every scenario for every case with the batch engine (one batch per scenario)."""
    n = len(cases)
    keys = sorted({k for c in cases for k in c})
    res, fine = {}, {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, levers in SCENARIOS.items():
            cols = {k: np.array([c.get(k, model.params[k]) for c in cases], dtype=float)
                    for k in keys}
            for k, v in levers.items():
                cols[k] = np.full(n, float(v))
            if not cols:
                cols = {"price_boom_scale": np.full(n, model.params["price_boom_scale"])}
            res[name] = model.run_batch(cols, return_vars=list(_VARS))
            if name in ("squander", "reinvest", "fund"):
                fine[name] = model.run_batch(
                    cols, return_vars=list(_ALLOC + _FUND[1:] + ("sovereign_fund",
                                                                 "resource_reserves")),
                    saveper=model.time_settings.time_step)
    return res, fine


def behaviours(model, params: Mapping[str, float] | None = None) -> dict[str, bool]:
    """Which behaviours of DESIGN.md section 4 hold for one parameter set.

    Parameters
    ----------
    model : sdmodel.Model
        The compiled Pérez model.
    params : mapping, optional
        Non-lever parameter overrides (python names); the scenarios set the levers.

    Returns
    -------
    dict
        ``{behaviour: bool}`` in the order of :data:`BEHAVIOURS`.

    Examples
    --------
    >>> [name for name, holds in behaviours(perez).items() if not holds]
    ['reinvest: less appreciation', 'fund: least appreciation']
    """
    res, fine = _run_all(model, [dict(params or {})])
    flags = _evaluate(res, fine)
    return {k: bool(np.asarray(flags[k]).reshape(-1)[0]) for k in BEHAVIOURS}


def sensitivity_parameters(model) -> dict[str, tuple[float, float]]:
    """``{python name: (low, high)}`` of every parameter with a documented range.

    Policy levers, the price scenario switches, the commodity basket weights (a country's data,
    constrained to sum to one) and fixed constants (low == high) are left out.
    """
    skip = ({lev.replace(" ", "_") for lev in LEVERS} | {"price_scenario", "price_boom_scale"}
            | {"energy_weight", "metals_weight", "agriculture_weight"})
    out = {}
    for py, row in model.doc.iterrows():
        if row["kind"] != "Constant" or py in skip or py not in model.params:
            continue
        lo, hi = row["limits"]
        if lo is None or hi is None or not np.isfinite([lo, hi]).all() or lo == hi:
            continue
        out[py] = (float(lo), float(hi))
    return out


def sensitivity(model) -> pd.DataFrame:
    """One-at-a-time check: every parameter at each end of its range, behaviours tabulated.

    Returns
    -------
    pandas.DataFrame
        One row per (parameter, end) plus a ``(default)`` row; columns ``parameter``, ``end``,
        ``value``, one boolean column per behaviour and one ``margin: <behaviour>`` column per
        behaviour (see :data:`MARGINS`; positive iff the behaviour holds).

    Examples
    --------
    >>> table = sensitivity(perez)
    >>> len(table) > 0
    True
    """
    ranges = sensitivity_parameters(model)
    rows: list[tuple[str, str, float, dict[str, float]]] = [("(default)", "", float("nan"), {})]
    for py, (lo, hi) in ranges.items():
        rows.append((py, "low", lo, {py: lo}))
        rows.append((py, "high", hi, {py: hi}))
    res, fine = _run_all(model, [case for *_, case in rows])
    margins = _margins(res, fine)
    table = pd.DataFrame({"parameter": [r[0] for r in rows], "end": [r[1] for r in rows],
                          "value": [r[2] for r in rows]})
    for k in BEHAVIOURS:
        table[k] = np.broadcast_to(np.asarray(margins[k]) > 0, (len(rows),))
    for k in BEHAVIOURS:
        table[f"margin: {k}"] = np.broadcast_to(np.asarray(margins[k], dtype=float),
                                                (len(rows),))
    return table


def main(argv=None) -> int:
    """Print the flips of the one-at-a-time sensitivity check (markdown)."""
    from ..loading import load

    parser = argparse.ArgumentParser(prog="python -m sdmodel.perez.behaviours")
    parser.add_argument("model", help="the Pérez model file (models/perez/perez.mdl)")
    args = parser.parse_args(argv)
    model = load(args.model)
    table = sensitivity(model)
    flags = table[list(BEHAVIOURS)]
    print(f"{len(table) - 1} one-at-a-time cases ({(len(table) - 1) // 2} parameters x 2 ends);"
          f" all behaviours hold in {int(flags.all(axis=1).sum()) - 1} of them.\n")
    print("| parameter | end | value | behaviours that flip |")
    print("| --- | --- | --- | --- |")
    for _, row in table[~flags.all(axis=1)].iterrows():
        flipped = ", ".join(k for k in BEHAVIOURS if not row[k])
        print(f"| {row['parameter']} | {row['end']} | {row['value']:g} | {flipped} |")
    print("\n| behaviour | margin measures | at the defaults | smallest | case |")
    print("| --- | --- | --- | --- | --- |")
    for k, what in zip(BEHAVIOURS, MARGINS):
        col = table[f"margin: {k}"]
        i = int(col.iloc[1:].idxmin())
        case = f"`{table.at[i, 'parameter']}` {table.at[i, 'end']}"
        print(f"| {k} | {what} | {col.iloc[0]:.3g} | {col.at[i]:.3g} | {case} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
