"""World Development Indicators by country and year.

Reads ``wdi.csv`` (columns ``country, year, indicator, value``; one row per observation) from
the data directory, plus any series downloaded before. A requested series that is in neither
is downloaded from the World Bank API when allowed, and cached.

Examples
--------
>>> ds = load_wdi(["NY.GDP.TOTL.RT.ZS", "PX.REX.REER"], ["CHL", "NOR"], start=1990, end=2019)
>>> round(ds["NY.GDP.TOTL.RT.ZS"].sel(country="CHL", year=2006).item(), 2)
17.35
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ..exceptions import DataError
from . import _store
from .worldbank import fetch_wdi

__all__ = ["load_wdi", "INDICATORS"]

#: Indicators documented in the shared data set: code -> (name, unit).
INDICATORS = {
    "NY.GDP.TOTL.RT.ZS": ("Total natural resources rents", "% of GDP"),
    "NY.GDP.PETR.RT.ZS": ("Oil rents", "% of GDP"),
    "NY.GDP.MINR.RT.ZS": ("Mineral rents", "% of GDP"),
    "NY.GDP.PCAP.KD": ("GDP per capita", "constant 2015 US$"),
    "NV.IND.MANF.ZS": ("Manufacturing, value added", "% of GDP"),
    "PX.REX.REER": ("Real effective exchange rate index", "index, 2010 = 100"),
    "NY.GDP.MKTP.KD.ZG": ("GDP growth", "annual %"),
    "NE.EXP.GNFS.ZS": ("Exports of goods and services", "% of GDP"),
    "TX.VAL.TECH.MF.ZS": ("High-technology exports", "% of manufactured exports"),
    "GB.XPD.RSDV.GD.ZS": ("Research and development expenditure", "% of GDP"),
    "SE.TER.ENRR": ("School enrollment, tertiary", "% gross"),
}
_COLUMNS = ["country", "year", "indicator", "value"]


def load_wdi(
    indicators: str | Iterable[str],
    countries: str | Iterable[str],
    *,
    data_dir: str | os.PathLike | None = None,
    start: int | None = None,
    end: int | None = None,
    download: bool | None = None,
    allow_missing: bool = False,
) -> xr.Dataset:
    """Load WDI indicators for countries as a Dataset with dims ``(country, year)``.

    Parameters
    ----------
    indicators : str or list of str
        WDI codes, e.g. ``"NY.GDP.TOTL.RT.ZS"``; one data variable each.
    countries : str or list of str
        ISO 3166-1 alpha-3 codes (case-insensitive).
    data_dir : path, optional
        Directory holding ``wdi.csv`` (default ``$SDMODEL_DATA`` or the user cache).
    start, end : int, optional
        First and last year kept (inclusive).
    download : bool, optional
        Download series missing from the data directory from the World Bank API. ``None``
        (default) downloads unless ``$SDMODEL_OFFLINE`` is set.
    allow_missing : bool
        Keep requested series that have no observation (all NaN) instead of raising, as long
        as something was found.

    Returns
    -------
    xarray.Dataset
        Variables named by indicator code with ``units``, ``long_name`` and ``source`` attrs;
        NaN where there is no observation.

    Raises
    ------
    DataError
        Unknown indicator or country (not in the data and not downloadable), a series with no
        observation in the window, or no network when a download is needed.
    """
    inds = _store.as_list(indicators, "indicators")
    ctrs = _store.country_codes(countries)
    start, end = _store.year_window(start, end)
    base = _store.data_dir(data_dir)
    if download is None:
        download = not os.environ.get("SDMODEL_OFFLINE")
    frame = _local(base)
    names: dict[str, str] = {}
    have = set(zip(frame["indicator"], frame["country"])) if len(frame) else set()
    have |= _downloaded_pairs(base)  # a download that found nothing is not repeated
    missing = [(i, c) for i in inds for c in ctrs if (i, c) not in have]
    if missing:
        if not download:
            _explain_missing(missing, frame, base, allow_missing=allow_missing)
        else:
            fetched = _download(missing, base, names)
            frame = pd.concat([frame, fetched], ignore_index=True) if len(fetched) else frame
    sel = frame[frame["indicator"].isin(inds) & frame["country"].isin(ctrs)]
    if start is not None:
        sel = sel[sel["year"] >= start]
    if end is not None:
        sel = sel[sel["year"] <= end]
    ds = _to_dataset(sel, inds, ctrs, start, end, names)
    _store.check_not_empty(ds, f"WDI data under {base}", allow_missing=allow_missing)
    return ds


def _local(base: Path) -> pd.DataFrame:
    parts = []
    path = base / "wdi.csv"
    if path.is_file():
        frame = _store.read_csv(path)
        lacking = set(_COLUMNS) - set(frame.columns)
        if lacking:
            raise DataError(f"{path} lacks columns {sorted(lacking)}; expected {_COLUMNS}")
        parts.append(frame[_COLUMNS])
    for d in _store.downloaded_dirs(base):
        for f in sorted((d / "wdi").glob("*/*.csv")):
            parts.append(_store.read_csv(f, required=_COLUMNS)[_COLUMNS])
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in
                             zip(_COLUMNS, ["str", "int64", "str", "float64"])})
    frame = pd.concat(parts, ignore_index=True)
    return frame.drop_duplicates(["country", "year", "indicator"], keep="first")


def _downloaded_pairs(base: Path) -> set[tuple[str, str]]:
    pairs = set()
    for d in _store.downloaded_dirs(base):
        for f in (d / "wdi").glob("*/*.csv"):
            pairs.add((f.parent.name, f.stem))
    return pairs


def _explain_missing(missing, frame: pd.DataFrame, base: Path, *, allow_missing: bool) -> None:
    known_ind = set(frame["indicator"]) if len(frame) else set()
    known_ctr = set(frame["country"]) if len(frame) else set()
    where = f"the WDI data under {base}"
    _store.check_known([i for i, _ in missing], known_ind, "indicator", where)
    _store.check_known([c for _, c in missing], known_ctr, "country", where)
    if allow_missing:
        return
    text = ", ".join(f"{i} for {c}" for i, c in missing)
    raise DataError(
        f"no observations in {where} for {text}; expected at least one value per requested "
        "series (download=True fetches it from the World Bank API; allow_missing=True keeps "
        "NaN-only series)"
    )


def _download(missing, base: Path, names: dict[str, str]) -> pd.DataFrame:
    target = _store.download_dir(base) / "wdi"
    by_ind: dict[str, list[str]] = {}
    for i, c in missing:
        by_ind.setdefault(i, []).append(c)
    frames = []
    for ind, ctrs in by_ind.items():
        got = fetch_wdi(ind, ctrs)
        names[ind] = got.attrs.get("name", "")
        for c in ctrs:
            part = got[got["country"] == c][_COLUMNS]
            _store.write_csv_atomic(part, target / _safe(ind) / f"{c}.csv")
            frames.append(part)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=_COLUMNS)


def _safe(code: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in code)


def _to_dataset(sel, inds, ctrs, start, end, names) -> xr.Dataset:
    years = sel["year"].astype(int)
    lo = start if start is not None else (int(years.min()) if len(years) else 0)
    hi = end if end is not None else (int(years.max()) if len(years) else -1)
    year_index = np.arange(lo, hi + 1)
    out = {}
    for ind in inds:
        part = sel[sel["indicator"] == ind]
        table = part.pivot(index="country", columns="year", values="value")
        table = table.reindex(index=ctrs, columns=year_index).astype(float)
        name, unit = INDICATORS.get(ind, (names.get(ind, ind), ""))
        out[ind] = xr.DataArray(
            table.to_numpy(), dims=("country", "year"),
            coords={"country": ctrs, "year": year_index},
            attrs={"long_name": name, "units": unit,
                   "source": "World Bank, World Development Indicators (CC BY 4.0)"},
        )
    return xr.Dataset(out, attrs={"source": "World Bank WDI"})
