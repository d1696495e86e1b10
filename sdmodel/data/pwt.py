"""Penn World Table 10.01 variables by country and year.

Reads ``pwt.csv`` (columns ``country, year`` then one column per variable) from the data
directory. PWT has no query API: when the file is missing, or lacks a requested variable or
country, the whole PWT 10.01 Excel file is downloaded from the publisher when allowed
(:mod:`sdmodel.data.publishers`), converted and cached; offline, the error says where to get it.

Examples
--------
>>> ds = load_pwt(["hc", "ctfp"], ["KOR", "CHL"], start=1990, end=2019)
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import numpy as np
import xarray as xr

from ..exceptions import DataError
from . import _store

__all__ = ["load_pwt", "VARIABLES", "SOURCE_URL"]

SOURCE_URL = "https://www.rug.nl/ggdc/productivity/pwt/"
#: PWT variables in the shared data set: column -> (definition, unit).
VARIABLES = {
    "hc": ("Human capital index, based on years of schooling and returns to education", "index"),
    "rnna": ("Capital stock at constant 2017 national prices", "million 2017 US$"),
    "rgdpna": ("Real GDP at constant 2017 national prices", "million 2017 US$"),
    "pop": ("Population", "millions"),
    "emp": ("Number of persons engaged", "millions"),
    "ctfp": ("TFP level at current PPPs", "USA = 1"),
    "rtfpna": ("TFP at constant national prices", "2017 = 1"),
    "csh_x": ("Share of merchandise exports at current PPPs", "fraction of CGDPo"),
    "pl_gdpo": ("Price level of CGDPo (PPP/XR)", "price level of USA GDPo in 2017 = 1"),
    "xr": ("Exchange rate, market and estimated", "national currency per US$"),
}


def load_pwt(
    variables: str | Iterable[str],
    countries: str | Iterable[str],
    *,
    data_dir: str | os.PathLike | None = None,
    start: int | None = None,
    end: int | None = None,
    download: bool | None = None,
    allow_missing: bool = False,
) -> xr.Dataset:
    """Load PWT variables for countries as a Dataset with dims ``(country, year)``.

    Parameters
    ----------
    variables : str or list of str
        PWT column names, e.g. ``"hc"``, ``"ctfp"``.
    countries : str or list of str
        ISO3 codes (case-insensitive).
    data_dir : path, optional
        Directory holding ``pwt.csv`` (default ``$SDMODEL_DATA`` or the user cache).
    start, end : int, optional
        First and last year kept (inclusive).
    download : bool, optional
        Download PWT from the publisher when the data directory lacks the file, a variable
        or a country. ``None`` (default) downloads unless ``$SDMODEL_OFFLINE`` is set.
    allow_missing : bool
        Keep NaN-only series instead of raising (as long as something was found).

    Raises
    ------
    DataError
        No ``pwt.csv`` (and no download), an unknown variable or country, a series with no
        observation, or no network when a download is needed.
    """
    names = _store.as_list(variables, "variables")
    ctrs = _store.country_codes(countries)
    start, end = _store.year_window(start, end)
    base = _store.data_dir(data_dir)
    path = base / "pwt.csv"
    frame = _store.read_csv(path) if path.is_file() else None
    if frame is None or not _covers(frame, names, ctrs):
        path, frame = _downloaded(base, path, frame, download)
    where = f"{path}"
    _store.check_known(names, [c for c in frame.columns if c not in ("country", "year")],
                       "PWT variable", where)
    _store.check_known(ctrs, frame["country"].unique(), "country", where)
    sel = frame[frame["country"].isin(ctrs)]
    lo = start if start is not None else int(sel["year"].min())
    hi = end if end is not None else int(sel["year"].max())
    years = np.arange(lo, hi + 1)
    out = {}
    for name in names:
        table = sel.pivot(index="country", columns="year", values=name)
        table = table.reindex(index=ctrs, columns=years).astype(float)
        long_name, unit = VARIABLES.get(name, (name, ""))
        out[name] = xr.DataArray(
            table.to_numpy(), dims=("country", "year"),
            coords={"country": ctrs, "year": years},
            attrs={"long_name": long_name, "units": unit,
                   "source": "Penn World Table 10.01, GGDC (CC BY 4.0)"},
        )
    ds = xr.Dataset(out, attrs={"source": "Penn World Table 10.01"})
    _store.check_not_empty(ds, where, allow_missing=allow_missing)
    return ds


def _covers(frame, names: list[str], countries: list[str]) -> bool:
    return set(names) <= set(frame.columns) and set(countries) <= set(frame["country"])


def _downloaded(base, path, frame, download):
    """The cached download of PWT, fetched first when allowed; else the local file (whose
    gaps the caller then reports), or DataError when there is none."""
    from . import publishers

    found = publishers.cached(base, "pwt", "pwt.csv")
    if found is None and publishers.download_allowed(download):
        target = _store.download_dir(base) / "pwt"
        publishers.fetch_pwt(target)
        found = target / "pwt.csv"
    if found is not None:
        return found, _store.read_csv(found)
    if frame is not None:
        return path, frame
    raise DataError(
        f"no pwt.csv in the data directory {base}; download Penn World Table 10.01 from "
        f"{SOURCE_URL} and save the variables as pwt.csv (columns country, year, "
        "<variables>), or point data_dir/$SDMODEL_DATA at a directory that has it "
        "(downloads are off: download=False or $SDMODEL_OFFLINE)"
    )
