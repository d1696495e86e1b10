"""The reference model of Pérez (2010): the ten sectors assembled, and its input checks.

``build_perez`` returns a :class:`sdmodel.Builder` holding the whole model; the commodity price
history is read from the World Bank Pink Sheet series in ``commodity_prices.csv`` (see
:func:`price_history`). ``validate_perez_params`` checks a parameter set before a run (shares
in [0, 1], split shares and basket weights summing to one, fund + reinvestment shares at most
one, a finite reinvestment start year; a start after the run's end means "never"). The committed rendering is ``models/perez/perez.mdl``; regenerate it with::

    python -m sdmodel.perez.reference --data-dir ../shared/data --write models/perez/perez.mdl

Examples
--------
>>> from sdmodel.perez.reference import build_perez
>>> b = build_perez(data_dir="../shared/data")
>>> model = b.compile()
>>> ds = model.run({"reinvestment_share": 0.5})
"""

from __future__ import annotations

import argparse
import csv
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..builder import Builder
from ..exceptions import DataError, ParameterError
from .sectors.accounts import national_accounts
from .sectors.allocation import rent_allocation
from .sectors.bottom_up import bottom_up
from .sectors.commodity import BASKET, commodity_rents
from .sectors.economy import economy
from .sectors.export_ladder import export_ladder
from .sectors.human_capital import human_capital
from .sectors.technology import technology
from .sectors.window import window_of_opportunity

__all__ = [
    "build_perez",
    "price_history",
    "price_histories",
    "CONTRACT",
    "validate_perez_params",
    "PRICE_SERIES",
    "SHARE_PARAMS",
    "SPLIT_PARAMS",
    "WEIGHT_PARAMS",
    "main",
]

#: Columns of ``commodity_prices.csv`` behind the basket's three lookups (see BASKET).
PRICE_SERIES = ("energy_index_real", "metals_minerals_index_real", "non_energy_index_real")
#: The constants a country's data override (python names): the interface with
#: :mod:`sdmodel.perez.country`; the model's stocks start from them.
CONTRACT = (
    "initial_population", "population_growth_rate", "initial_labour_force",
    "initial_unemployment_rate", "initial_gdp_per_capita", "initial_capital_output_ratio",
    "initial_schooling_years", "schooling_growth", "initial_relative_tfp",
    "frontier_tfp_growth", "resource_output_share", "energy_weight", "metals_weight",
    "agriculture_weight",
)
#: Parameters that are shares and must lie in [0, 1].
SHARE_PARAMS = (
    "reinvestment_share", "human_capital_share", "technologization_share", "bottom_up_share",
    "fund_share", "government_take", "foreign_ownership_share", "withdrawal_investment_share",
    "energy_weight", "metals_weight", "agriculture_weight",
)
#: The split of reinvested rents: must sum to one.
SPLIT_PARAMS = ("human_capital_share", "technologization_share", "bottom_up_share")
#: The commodity basket weights: must sum to one.
WEIGHT_PARAMS = ("energy_weight", "metals_weight", "agriculture_weight")
_PINK_SHEET = ("World Bank Pink Sheet, MUV-deflated, 2010 = 100, rebased to 2000 = 1; World "
               "Bank Commodity Price Data, CMO-Historical-Data-Annual.xlsx, updated 2 May "
               "2025, CC BY 4.0")


def _data_dir(data_dir) -> Path:
    if data_dir is None:
        data_dir = os.environ.get("SDMODEL_DATA")
    if data_dir is None:
        raise DataError(
            "no data directory: pass data_dir= (the folder holding commodity_prices.csv) or set "
            "SDMODEL_DATA"
        )
    return Path(data_dir)


def price_histories(data_dir=None, *, base: int = 2000,
                    start: int | None = None) -> dict[str, list[tuple[float, float]]]:
    """The three real price indices of ``commodity_prices.csv``, each ``base`` year = 1.

    Returns ``{"energy" | "metals" | "agriculture": [(year, index), ...]}`` (columns
    :data:`PRICE_SERIES` in that order), rounded to 4 decimals, for every year of the file
    from ``start`` on (default: its first year, 1960 in the shared data).

    Raises
    ------
    DataError
        Missing file, missing columns, no row for the base year, or no row from ``start`` on.

    Examples
    --------
    >>> price_histories("../shared/data", start=2000)["energy"][:1]
    [(2000.0, 1.0)]
    """
    path = _data_dir(data_dir) / "commodity_prices.csv"
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    except FileNotFoundError:
        raise DataError(f"commodity price file {str(path)!r} does not exist") from None
    missing = [c for c in ("year", *PRICE_SERIES) if rows and c not in rows[0]]
    if not rows or missing:
        raise DataError(f"{str(path)!r} lacks the column(s) {missing}; expected {PRICE_SERIES}")
    by_year = {int(r["year"]): r for r in rows}
    if base not in by_year:
        raise DataError(f"{str(path)!r} has no row for {base}; expected annual data including "
                        "the index base year")
    first = min(by_year) if start is None else int(start)
    years = sorted(y for y in by_year if y >= first)
    if len(years) < 2:
        raise DataError(f"{str(path)!r} has {len(years)} row(s) from {first} on; expected "
                        "annual data for at least two years")
    out = {}
    for key, col in zip(BASKET, PRICE_SERIES):
        base_value = float(by_year[base][col])
        out[key] = [(float(y), round(float(by_year[y][col]) / base_value, 4)) for y in years]
    return out


def price_history(data_dir=None, *, base: int = 2000, start: int | None = None,
                  weights: Mapping[str, float] | None = None) -> list[tuple[float, float]]:
    """The basket price index: :func:`price_histories` weighted by ``weights``.

    ``weights`` maps ``energy``, ``metals``, ``agriculture`` to weights (default 0.5 / 0.5 /
    0, the model's default basket); each series is rounded before weighting, as in the model.

    Examples
    --------
    >>> price_history("../shared/data", start=2000)[:1]    # doctest: +SKIP
    [(2000.0, 1.0)]
    """
    w = {"energy": 0.5, "metals": 0.5, "agriculture": 0.0, **(weights or {})}
    series = price_histories(data_dir, base=base, start=start)
    years = [x for x, _ in series["energy"]]
    return [(x, sum(w[k] * series[k][i][1] for k in BASKET)) for i, x in enumerate(years)]


def build_perez(*, data_dir=None, initial_time: float = 2000, final_time: float = 2060,
                time_step: float = 0.25) -> Builder:
    """Assemble the reference model of Pérez's resource-based development strategy.

    Parameters
    ----------
    data_dir : path, optional
        Folder with ``commodity_prices.csv`` (default: ``$SDMODEL_DATA``). The price history
        lookup holds every year of the file (index 2000 = 1), so runs may start before 2000.
    initial_time, final_time, time_step : float, optional
        Simulation control (years); 2000-2060 by 0.25 by default, output every year.

    Returns
    -------
    sdmodel.Builder
        The model, ready for ``to_mdl()``, ``write()`` or ``compile()``.

    Examples
    --------
    >>> b = build_perez(data_dir="../shared/data")
    >>> "Reinvestment share" in b.names
    True
    """
    histories = price_histories(data_dir, base=2000)
    sources = {k: f"column {c} of commodity_prices.csv ({_PINK_SHEET})"
               for k, c in zip(BASKET, PRICE_SERIES)}
    b = Builder("perez", initial_time=initial_time, final_time=final_time,
                time_step=time_step, time_units="Year", saveper=1)
    gdp = {"gdp": "GDP"}
    commodity_rents(b, histories=histories, sources=sources)
    rent_allocation(b, inputs=gdp)
    human_capital(b)
    technology(b)
    window_of_opportunity(b)
    export_ladder(b)
    bottom_up(b, inputs=gdp)
    economy(b, inputs=gdp)
    national_accounts(b)
    return b


def validate_perez_params(model, params: Mapping[str, object] | None = None, *,
                          initial_time: float | None = None,
                          final_time: float | None = None) -> dict[str, np.ndarray | float]:
    """Check a parameter set of the Pérez model before a run; return the effective values.

    ``params`` override the model's defaults (by original or python name, as in
    :meth:`sdmodel.Model.run`); a value may be a number or, for a batch of runs, a 1-D array
    (as in :meth:`sdmodel.Model.run_batch`; every run is checked). Checked: every share in
    :data:`SHARE_PARAMS` lies in [0, 1]; the split shares (:data:`SPLIT_PARAMS`) sum to one
    (1e-9), and so do the commodity basket weights (:data:`WEIGHT_PARAMS`); ``fund_share +
    reinvestment_share <= 1``; ``reinvestment_start_year`` a finite year: before the run starts it
    means reinvesting from the start, after its end never (so ``initial_time`` and
    ``final_time``, accepted as every constraint's, change nothing here).

    Returns
    -------
    dict
        ``{python name: value}`` of the checked parameters (floats, or arrays for a batch).

    Raises
    ------
    ParameterError
        Naming the parameter(s), the value(s), the run (for a batch) and what was expected.

    Examples
    --------
    >>> validate_perez_params(perez, {"fund_share": 1.2})
    Traceback (most recent call last):
    ...
    sdmodel.exceptions.ParameterError: fund_share = 1.2 is outside [0, 1]; ...
    """
    checked = (*SHARE_PARAMS, "reinvestment_start_year")
    values: dict[str, np.ndarray] = {py: np.asarray(model.params[py], dtype=float)
                                     for py in checked}
    for name, value in (params or {}).items():
        py = model.resolve(str(name), what="parameter")
        if py not in values:
            continue
        if isinstance(value, pd.Series):
            value = value.to_numpy()
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise ParameterError(f"value for {py!r} must be a number or a 1-D array of numbers, "
                                 f"got {type(value).__name__} {value!r}") from None
        if arr.ndim > 1:
            raise ParameterError(f"value for {py!r} has shape {arr.shape}; expected a number or "
                                 "a 1-D array (one value per run)")
        values[py] = arr
    try:
        shapes = np.broadcast_shapes(*(v.shape for v in values.values()))
    except ValueError:
        lengths = {k: v.shape for k, v in values.items() if v.ndim}
        raise ParameterError(f"batch parameter arrays have different lengths {lengths}; "
                             "expected one value per run in each") from None

    def where(mask) -> str:
        if not shapes:
            return ""
        return f" (run {int(np.flatnonzero(np.broadcast_to(mask, shapes))[0])})"

    def pick(v, mask):
        v = np.broadcast_to(v, shapes)
        return float(v[np.flatnonzero(np.broadcast_to(mask, shapes))[0]] if shapes else v)

    for py in SHARE_PARAMS:
        bad = ~((values[py] >= 0.0) & (values[py] <= 1.0))
        if bad.any():
            raise ParameterError(f"{py} = {pick(values[py], bad):g}{where(bad)} is outside "
                                 "[0, 1]; expected a share between 0 and 1")
    for group, what in ((SPLIT_PARAMS, "the split of reinvested rents"),
                        (WEIGHT_PARAMS, "the commodity basket weights")):
        total = sum(values[p] for p in group)
        bad = np.abs(total - 1.0) > 1e-9
        if bad.any():
            parts = " + ".join(f"{p} ({pick(values[p], bad):g})" for p in group)
            raise ParameterError(f"{parts} = {pick(total, bad):g}{where(bad)}; expected {what} "
                                 "to sum to 1")
    both = values["fund_share"] + values["reinvestment_share"]
    bad = both > 1.0 + 1e-12
    if bad.any():
        raise ParameterError(
            f"fund_share ({pick(values['fund_share'], bad):g}) + reinvestment_share "
            f"({pick(values['reinvestment_share'], bad):g}) = {pick(both, bad):g}{where(bad)}; "
            "expected at most 1 (the rest of fiscal rents is consumed)")
    start = values["reinvestment_start_year"]
    bad = ~np.isfinite(start)
    if bad.any():
        raise ParameterError(
            f"reinvestment_start_year = {pick(start, bad):g}{where(bad)} is not a finite year; "
            "expected a calendar year (before the run: reinvesting from its start; after its "
            "end: never)")
    return {k: (float(v) if v.ndim == 0 else v) for k, v in values.items()}


def main(argv=None) -> int:
    """Command line: render the model (``--write PATH``) or print it."""
    parser = argparse.ArgumentParser(
        prog="python -m sdmodel.perez.reference",
        description="Render the reference model of Perez (2010) as Vensim text.")
    parser.add_argument("--data-dir", default=None,
                        help="folder with commodity_prices.csv (default $SDMODEL_DATA)")
    parser.add_argument("--write", metavar="PATH", default=None,
                        help="write the .mdl here (atomically); default: print it")
    args = parser.parse_args(argv)
    b = build_perez(data_dir=args.data_dir)
    if args.write:
        path = b.write(args.write)
        print(f"wrote {path} ({len(b.names)} elements)")
    else:
        print(b.to_mdl(), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
