"""Downloads of whole files from their publishers: Penn World Table and the Pink Sheet.

Used by :func:`~sdmodel.data.load_pwt` and :func:`~sdmodel.data.load_commodity_prices` when
the data directory lacks a series and downloads are allowed (not ``$SDMODEL_OFFLINE``). The
publisher's Excel file is fetched with urllib, converted to the CSV layout of the data
directory (``pwt.csv``; ``commodity_prices.csv``) and cached under ``<data dir>/downloads``
(the raw file beside it). The addresses can be overridden by ``$SDMODEL_PWT_URL`` and
``$SDMODEL_PINK_SHEET_URL`` (a mirror, or a local server in tests).

Examples
--------
Downloads from the publisher, so not run as a test:

>>> frame = fetch_pwt(Path("downloads/pwt"))   # doctest: +SKIP
>>> frame.columns[:4].tolist()                # doctest: +SKIP
['country', 'year', 'rgdpe', 'rgdpo']
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..exceptions import DataError
from . import _store
from ._http import download

__all__ = [
    "PWT_URL", "PWT_URL_ENV", "PINK_SHEET_URL", "PINK_SHEET_URL_ENV", "fetch_pwt",
    "fetch_pink_sheet", "parse_pwt", "parse_pink_sheet", "cached", "download_allowed",
]

#: Penn World Table 10.01, Excel file, from the Groningen Growth and Development Centre.
PWT_URL = "https://www.rug.nl/ggdc/docs/pwt1001.xlsx"
PWT_URL_ENV = "SDMODEL_PWT_URL"
#: World Bank Commodity Price Data (the Pink Sheet), annual historical file.
PINK_SHEET_URL = ("https://thedocs.worldbank.org/en/doc/5d903e848db1d1b83e0ec8f744e55570-"
                  "0350012021/related/CMO-Historical-Data-Annual.xlsx")
PINK_SHEET_URL_ENV = "SDMODEL_PINK_SHEET_URL"
TIMEOUT = 120.0

#: Pink Sheet columns of ``commodity_prices.csv``: (sheet kind, accepted headers or codes).
PINK_COLUMNS = {
    "copper_usd_t": ("Prices", ("copper", "COPPER")),
    "crude_oil_avg_usd_bbl": ("Prices", ("crude oil, average", "CRUDE_PETRO")),
    "energy_index": ("Indices", ("energy", "iENERGY")),
    "non_energy_index": ("Indices", ("non-energy", "iNONFUEL")),
    "metals_minerals_index": ("Indices", ("metals & minerals", "iMETMIN")),
}


def download_allowed(download: bool | None) -> bool:
    """``download`` if given, else True unless ``$SDMODEL_OFFLINE`` is set."""
    return (not os.environ.get("SDMODEL_OFFLINE")) if download is None else bool(download)


def cached(base: Path, kind: str, name: str) -> Path | None:
    """A converted download ``downloads/<kind>/<name>`` of data directory ``base``, if any."""
    for d in _store.downloaded_dirs(base):
        path = d / kind / name
        if path.is_file():
            return path
    return None


def fetch_pwt(target: Path, *, timeout: float = TIMEOUT) -> pd.DataFrame:
    """Download PWT, convert it to ``target/pwt.csv`` (``country, year, <variables>``).

    Raises
    ------
    DataError
        Offline or refused (HTTP error), or the file is not PWT's Excel layout.
    """
    url = os.environ.get(PWT_URL_ENV, PWT_URL)
    raw = _fetch(url, target / "pwt.xlsx", "Penn World Table", timeout)
    frame = parse_pwt(raw)
    _store.write_csv_atomic(frame, target / "pwt.csv")
    return frame


def fetch_pink_sheet(target: Path, *, timeout: float = TIMEOUT) -> pd.DataFrame:
    """Download the annual Pink Sheet, convert it to ``target/commodity_prices.csv``.

    Raises
    ------
    DataError
        Offline or refused (HTTP error), or the file is not the Pink Sheet's layout.
    """
    url = os.environ.get(PINK_SHEET_URL_ENV, PINK_SHEET_URL)
    raw = _fetch(url, target / "CMO-Historical-Data-Annual.xlsx", "World Bank Pink Sheet",
                 timeout)
    frame = parse_pink_sheet(raw)
    _store.write_csv_atomic(frame, target / "commodity_prices.csv")
    return frame


def parse_pwt(path: Path) -> pd.DataFrame:
    """PWT's Excel file (sheet ``Data``: ``countrycode, country, currency_unit, year, ...``)
    as ``country`` (ISO3), ``year`` and every numeric variable."""
    try:
        raw = pd.read_excel(path, sheet_name="Data", engine="openpyxl")
    except (ValueError, KeyError, OSError) as err:  # no Data sheet, not an xlsx file
        raise DataError(f"{path} is not Penn World Table's Excel file (sheet 'Data' with "
                        f"countrycode, year, ...): {err}") from None
    if not {"countrycode", "year"} <= set(raw.columns):
        raise DataError(f"{path}: sheet 'Data' lacks countrycode/year columns; found "
                        f"{list(raw.columns)[:8]}")
    skip = {"countrycode", "country", "currency_unit", "year"}
    numeric = [c for c in raw.columns if c not in skip and not str(c).startswith("i_")
               and pd.api.types.is_numeric_dtype(raw[c])]
    frame = raw[["countrycode", "year", *numeric]].rename(columns={"countrycode": "country"})
    frame = frame.assign(year=frame["year"].astype(int))
    return frame.sort_values(["country", "year"], ignore_index=True)


def parse_pink_sheet(path: Path) -> pd.DataFrame:
    """The Pink Sheet's annual workbook as the columns of ``commodity_prices.csv``.

    Sheets ``Annual Prices (Nominal|Real)`` and ``Annual Indices (Nominal|Real)``: title rows,
    then header rows (names, units, codes), then one row per year (year in the first column;
    ``..`` or empty for no value). A column is found by its name or code in the header rows.
    """
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises several unrelated types for a bad file
        raise DataError(f"{path} is not the Pink Sheet's Excel file: {err}") from None
    try:
        series: dict[str, pd.Series] = {}
        sheets: dict[str, list[tuple]] = {}
        for column, (kind, aliases) in PINK_COLUMNS.items():
            for real in (False, True):
                sheet = f"Annual {kind} ({'Real' if real else 'Nominal'})"
                if sheet not in book.sheetnames:
                    raise DataError(f"{path} has no sheet {sheet!r}; found {book.sheetnames}")
                if sheet not in sheets:
                    sheets[sheet] = [tuple(r) for r in book[sheet].iter_rows(values_only=True)]
                name = f"{column}_real" if real else column
                series[name] = _pink_column(sheets[sheet], aliases, f"{path} [{sheet}]")
    finally:
        book.close()
    frame = pd.DataFrame(series)
    frame = frame.dropna(how="all").sort_index()
    frame.index.name = "year"
    return frame.reset_index()[["year", *[c for c in _pink_order() if c in frame.columns]]]


def _pink_order() -> list[str]:
    return [*PINK_COLUMNS, *(f"{c}_real" for c in PINK_COLUMNS)]


def _fold(text) -> str:
    """Header text without footnote marks, case or spacing: ``'Metals & minerals **'`` ->
    ``'metals&minerals'``."""
    return re.sub(r"[\s*]+|\(.*?\)$|[a-z]/$", "", str(text).strip().lower()).rstrip(",")


def _year(cell) -> int | None:
    try:
        value = float(str(cell).strip())
    except (TypeError, ValueError):
        return None
    return int(value) if value.is_integer() and 1800 <= value <= 2200 else None


def _pink_column(rows: list[tuple], aliases, where: str) -> pd.Series:
    first = next((i for i, r in enumerate(rows) if r and _year(r[0]) is not None), None)
    if first is None:
        raise DataError(f"{where}: no row starting with a year; expected annual data")
    wanted = {_fold(a) for a in aliases}
    col = next((j for r in rows[:first] for j, cell in enumerate(r)
                if cell is not None and _fold(cell) in wanted), None)
    if col is None:
        raise DataError(f"{where}: no column headed {' or '.join(map(repr, aliases))}")
    values = {}
    for r in rows[first:]:
        year = _year(r[0]) if r else None
        if year is None:
            continue
        cell = r[col] if col < len(r) else None
        try:
            values[year] = float(cell) if cell is not None else np.nan
        except (TypeError, ValueError):  # '..', '…' or empty: no value
            values[year] = np.nan
    return pd.Series(values, dtype=float)


def _fetch(url: str, dest: Path, what: str, timeout: float) -> Path:
    """Stream ``url`` to ``dest`` atomically, within the limits of :mod:`sdmodel.data._http`.

    ``$SDMODEL_<KIND>_SHA256`` (e.g. ``SDMODEL_PWT_SHA256``), when set, must match: the
    publishers give no checksum of their own.
    """
    from .._atomic import atomic_path
    from ..exceptions import OutputError

    expected = os.environ.get(f"SDMODEL_{dest.stem.upper()}_SHA256") or None
    try:
        with atomic_path(dest) as tmp, open(tmp, "wb") as fh:
            download(url, what, timeout=timeout, out=fh, sha256=expected)
    except OutputError as err:
        raise DataError(f"cannot save the {what} download to {dest}: {err}") from None
    return dest
