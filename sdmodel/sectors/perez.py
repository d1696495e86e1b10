"""The reference model of Pérez (2010): the nine sectors assembled, and its input checks.

``build_perez`` returns a :class:`sdmodel.Builder` holding the whole model; the commodity price
history is read from the World Bank Pink Sheet series in ``commodity_prices.csv`` (see
:func:`price_history`). ``validate_perez_params`` checks a parameter set before a run (shares
in [0, 1], split shares summing to one, fund + reinvestment shares at most one, start year
inside the run). The committed rendering is ``models/perez/perez.mdl``; regenerate it with::

    python -m sdmodel.sectors.perez --data-dir ../shared/data --write models/perez/perez.mdl

Examples
--------
>>> from sdmodel.sectors.perez import build_perez
>>> b = build_perez(data_dir="../shared/data")        # doctest: +SKIP
>>> model = b.compile()                                # doctest: +SKIP
>>> ds = model.run({"reinvestment_share": 0.5})        # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import csv
import math
import os
from collections.abc import Mapping
from pathlib import Path

from ..builder import Builder
from ..exceptions import DataError, ParameterError
from .allocation import rent_allocation
from .bottom_up import bottom_up
from .commodity import commodity_rents
from .dutch_disease import dutch_disease
from .export_ladder import export_ladder
from .human_capital import human_capital
from .macro import macro_accounts
from .technology import technology
from .window import window_of_opportunity

__all__ = [
    "build_perez",
    "price_history",
    "validate_perez_params",
    "PRICE_SERIES",
    "SHARE_PARAMS",
    "SPLIT_PARAMS",
    "main",
]

#: Columns of ``commodity_prices.csv`` averaged into the resource price index.
PRICE_SERIES = ("energy_index_real", "metals_minerals_index_real")
#: Parameters that are shares and must lie in [0, 1].
SHARE_PARAMS = (
    "reinvestment_share", "human_capital_share", "technologization_share", "bottom_up_share",
    "fund_share", "government_take", "foreign_ownership_share",
)
#: The split of reinvested rents: must sum to one.
SPLIT_PARAMS = ("human_capital_share", "technologization_share", "bottom_up_share")
_PRICE_SOURCE = (
    "equally weighted mean of the World Bank Pink Sheet real energy and real metals and "
    "minerals price indices (MUV-deflated, 2010 = 100, rebased to 2000 = 1), World Bank "
    "Commodity Price Data, CMO-Historical-Data-Annual.xlsx, updated 2 May 2025, CC BY 4.0"
)


def _data_dir(data_dir) -> Path:
    if data_dir is None:
        data_dir = os.environ.get("SDMODEL_DATA")
    if data_dir is None:
        raise DataError(
            "no data directory: pass data_dir= (the folder holding commodity_prices.csv) or set "
            "SDMODEL_DATA"
        )
    return Path(data_dir)


def price_history(data_dir=None, *, start: int = 2000) -> list[tuple[float, float]]:
    """Annual resource price index from ``commodity_prices.csv``, ``start`` year = 1.

    The index is the mean of the real energy and real metals-and-minerals indices
    (:data:`PRICE_SERIES`), each rebased to ``start`` = 1, rounded to 4 decimals.

    Raises
    ------
    DataError
        Missing file, missing columns, or no row for the start year.

    Examples
    --------
    >>> price_history("../shared/data")[:2]    # doctest: +SKIP
    [(2000.0, 1.0), (2001.0, 0.9297)]
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
    if start not in by_year:
        raise DataError(f"{str(path)!r} has no row for {start}; expected annual data from it")
    base = {c: float(by_year[start][c]) for c in PRICE_SERIES}
    points = []
    for year in sorted(y for y in by_year if y >= start):
        value = sum(float(by_year[year][c]) / base[c] for c in PRICE_SERIES) / len(PRICE_SERIES)
        points.append((float(year), round(value, 4)))
    return points


def build_perez(*, data_dir=None, initial_time: float = 2000, final_time: float = 2060,
                time_step: float = 0.25) -> Builder:
    """Assemble the reference model of Pérez's resource-based development strategy.

    Parameters
    ----------
    data_dir : path, optional
        Folder with ``commodity_prices.csv`` (default: ``$SDMODEL_DATA``).
    initial_time, final_time, time_step : float, optional
        Simulation control (years); 2000-2060 by 0.25 by default, output every year.

    Returns
    -------
    sdmodel.Builder
        The model, ready for ``to_mdl()``, ``write()`` or ``compile()``.

    Examples
    --------
    >>> b = build_perez(data_dir="../shared/data")   # doctest: +SKIP
    >>> "reinvestment share" in b.names              # doctest: +SKIP
    True
    """
    history = price_history(data_dir, start=int(initial_time))
    b = Builder("perez", initial_time=initial_time, final_time=final_time,
                time_step=time_step, time_units="Year", saveper=1)
    commodity_rents(b, history=history, source=_PRICE_SOURCE)
    rent_allocation(b, inputs={"gdp": "GDP"})
    human_capital(b)
    technology(b)
    window_of_opportunity(b)
    export_ladder(b)
    dutch_disease(b, inputs={"gdp": "GDP"})
    bottom_up(b, inputs={"gdp": "GDP"})
    macro_accounts(b)
    return b


def validate_perez_params(model, params: Mapping[str, object] | None = None) -> dict[str, float]:
    """Check a parameter set of the Pérez model before a run; return the effective values.

    ``params`` override the model's defaults (by original or python name, as in
    :meth:`sdmodel.Model.run`). Checked: every share in :data:`SHARE_PARAMS` lies in [0, 1];
    the split shares (:data:`SPLIT_PARAMS`) sum to one (1e-9); ``fund_share +
    reinvestment_share <= 1``; ``reinvestment_start_year`` inside the run.

    Raises
    ------
    ParameterError
        Naming the parameter(s), the value(s) and what was expected.

    Examples
    --------
    >>> validate_perez_params(model, {"fund_share": 1.2})   # doctest: +SKIP
    Traceback (most recent call last):
    ...
    sdmodel.exceptions.ParameterError: fund_share = 1.2 is outside [0, 1]; ...
    """
    values = {k: v for k, v in model.params.items() if isinstance(v, float)}
    for py, value in model.prepare_params(params).items():
        if not isinstance(value, float):
            raise ParameterError(f"{py} must be a single number for the Pérez model checks, "
                                 f"got {type(value).__name__}")
        values[py] = value
    for py in SHARE_PARAMS:
        v = values[py]
        if not 0.0 <= v <= 1.0:
            raise ParameterError(f"{py} = {v:g} is outside [0, 1]; expected a share between 0 "
                                 "and 1")
    total = math.fsum(values[p] for p in SPLIT_PARAMS)
    if abs(total - 1.0) > 1e-9:
        parts = " + ".join(f"{p} ({values[p]:g})" for p in SPLIT_PARAMS)
        raise ParameterError(f"{parts} = {total:g}; expected the split of reinvested rents to "
                             "sum to 1")
    if values["fund_share"] + values["reinvestment_share"] > 1.0 + 1e-12:
        raise ParameterError(
            f"fund_share ({values['fund_share']:g}) + reinvestment_share "
            f"({values['reinvestment_share']:g}) = "
            f"{values['fund_share'] + values['reinvestment_share']:g}; expected at most 1 (the "
            "rest of fiscal rents is consumed)")
    t = model.time_settings
    start = values["reinvestment_start_year"]
    if not t.initial_time <= start <= t.final_time:
        raise ParameterError(
            f"reinvestment_start_year = {start:g} is outside the run "
            f"[{t.initial_time:g}, {t.final_time:g}]; expected a year inside it")
    return values


def main(argv=None) -> int:
    """Command line: render the model (``--write PATH``) or print it."""
    parser = argparse.ArgumentParser(
        prog="python -m sdmodel.sectors.perez",
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
