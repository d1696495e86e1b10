"""World Bank commodity prices (the Pink Sheet), annual, by year.

Reads ``commodity_prices.csv`` (column ``year`` then one column per series) from the data
directory.

Examples
--------
>>> ds = load_commodity_prices(["copper_usd_t_real"], start=2000, end=2019)   # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import numpy as np
import xarray as xr

from ..exceptions import DataError
from . import _store

__all__ = ["load_commodity_prices", "SOURCE_URL"]

SOURCE_URL = "https://www.worldbank.org/en/research/commodity-markets"
_UNITS = {
    "copper_usd_t": "nominal US$ per metric tonne",
    "crude_oil_avg_usd_bbl": "nominal US$ per barrel",
    "energy_index": "2010 = 100, nominal US$",
    "non_energy_index": "2010 = 100, nominal US$",
    "metals_minerals_index": "2010 = 100, nominal US$",
    "copper_usd_t_real": "constant 2010 US$ per metric tonne",
    "crude_oil_avg_usd_bbl_real": "constant 2010 US$ per barrel",
    "energy_index_real": "2010 = 100, constant 2010 US$",
    "non_energy_index_real": "2010 = 100, constant 2010 US$",
    "metals_minerals_index_real": "2010 = 100, constant 2010 US$",
}


def load_commodity_prices(
    series: str | Iterable[str] | None = None,
    *,
    data_dir: str | os.PathLike | None = None,
    start: int | None = None,
    end: int | None = None,
) -> xr.Dataset:
    """Load annual commodity prices as a Dataset with dim ``year``.

    Parameters
    ----------
    series : str or list of str, optional
        Column names (default: all), e.g. ``"crude_oil_avg_usd_bbl_real"``.
    data_dir : path, optional
        Directory holding ``commodity_prices.csv``.
    start, end : int, optional
        First and last year kept (inclusive).

    Raises
    ------
    DataError
        No file, an unknown series, or no observation in the window.
    """
    names = _store.as_list(series, "series")
    start, end = _store.year_window(start, end)
    base = _store.data_dir(data_dir)
    path = base / "commodity_prices.csv"
    if not path.is_file():
        raise DataError(
            f"no commodity_prices.csv in the data directory {base}; download the annual "
            f"Pink Sheet (CMO-Historical-Data-Annual.xlsx) from {SOURCE_URL} and save it as "
            "commodity_prices.csv (column year, then one column per series)"
        )
    frame = _store.read_csv(path)
    available = [c for c in frame.columns if c != "year"]
    names = names or available
    _store.check_known(names, available, "commodity series", str(path))
    frame = frame.set_index("year").sort_index()
    lo = start if start is not None else int(frame.index.min())
    hi = end if end is not None else int(frame.index.max())
    years = np.arange(lo, hi + 1)
    table = frame.reindex(years)
    ds = xr.Dataset(
        {
            n: xr.DataArray(
                table[n].to_numpy(dtype=float), dims=("year",), coords={"year": years},
                attrs={"units": _UNITS.get(n, ""), "long_name": n,
                       "source": "World Bank Commodity Price Data (Pink Sheet), CC BY 4.0"},
            )
            for n in names
        },
        attrs={"source": "World Bank Pink Sheet"},
    )
    _store.check_not_empty(ds, str(path), allow_missing=False)
    return ds
