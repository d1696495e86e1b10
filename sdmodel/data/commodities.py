"""World Bank commodity prices (the Pink Sheet), annual, by year.

Reads ``commodity_prices.csv`` (column ``year`` then one column per series) from the data
directory. When the file is missing or lacks a requested series, the annual Pink Sheet workbook
is downloaded from the World Bank when allowed (:mod:`sdmodel.data.publishers`), converted to
the same columns and cached.

Examples
--------
>>> ds = load_commodity_prices(["copper_usd_t_real"], start=2000, end=2019)
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
    download: bool | None = None,
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
    download : bool, optional
        Download the Pink Sheet when the data directory lacks the file or a series. ``None``
        (default) downloads unless ``$SDMODEL_OFFLINE`` is set.

    Raises
    ------
    DataError
        No file (and no download), an unknown series, no observation in the window, or no
        network when a download is needed.
    """
    names = _store.as_list(series, "series")
    start, end = _store.year_window(start, end)
    base = _store.data_dir(data_dir)
    path = base / "commodity_prices.csv"
    frame = _store.read_csv(path) if path.is_file() else None
    if frame is None or not set(names or ()) <= set(frame.columns):
        path, frame = _downloaded(base, path, frame, download)
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


def _downloaded(base, path, frame, download):
    """The cached download of the Pink Sheet, fetched first when allowed; else the local file
    (whose gaps the caller then reports), or DataError when there is none."""
    from . import publishers

    found = publishers.cached(base, "pinksheet", "commodity_prices.csv")
    if found is None and publishers.download_allowed(download):
        target = _store.download_dir(base) / "pinksheet"
        publishers.fetch_pink_sheet(target)
        found = target / "commodity_prices.csv"
    if found is not None:
        return found, _store.read_csv(found)
    if frame is not None:
        return path, frame
    raise DataError(
        f"no commodity_prices.csv in the data directory {base}; download the annual "
        f"Pink Sheet (CMO-Historical-Data-Annual.xlsx) from {SOURCE_URL} and save it as "
        "commodity_prices.csv (column year, then one column per series) (downloads are off: "
        "download=False or $SDMODEL_OFFLINE)"
    )
