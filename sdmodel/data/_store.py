"""Where country data live: the data directory, the download cache, request checking.

The data directory is the ``data_dir`` argument, else ``$SDMODEL_DATA``, else the user cache
(``$XDG_CACHE_HOME/sdmodel/data``, ``~/.cache/sdmodel/data``; ``%LOCALAPPDATA%`` on Windows).
Downloads go to ``<data dir>/downloads`` when the data directory is writable, else to the
user cache.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import overload

import numpy as np
import pandas as pd
import xarray as xr

from .._atomic import atomic_path
from ..exceptions import DataError, suggest

__all__ = ["data_dir", "download_dir", "as_list", "year_window", "check_not_empty"]


def user_cache_dir() -> Path:
    """The default data directory in the user's cache."""
    if sys.platform.startswith("win"):
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
        return base / "sdmodel" / "cache" / "data"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "sdmodel" / "data"
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "sdmodel" / "data"


def data_dir(path: str | os.PathLike | None = None) -> Path:
    """Resolve the data directory: argument, ``$SDMODEL_DATA`` or the user cache.

    Examples
    --------
    >>> data_dir("/tmp/x")
    PosixPath('/tmp/x')
    """
    if path is not None:
        return Path(path).expanduser()
    env = os.environ.get("SDMODEL_DATA")
    return Path(env).expanduser() if env else user_cache_dir()


def download_dir(base: Path) -> Path:
    """Where downloaded series are cached for data directory ``base``."""
    target = base / "downloads"
    if _writable(base):
        return target
    return user_cache_dir() / "downloads"


def downloaded_dirs(base: Path) -> list[Path]:
    """Download caches to read, most specific first."""
    dirs = [base / "downloads", user_cache_dir() / "downloads"]
    return list(dict.fromkeys(d for d in dirs if d.is_dir()))


def _writable(path: Path) -> bool:
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".probe-"):
            return True
    except OSError:
        return False


def write_csv_atomic(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` to ``path`` through a temporary file and ``os.replace``."""
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False)


#: Columns of the data files that hold text; every other column must be numeric.
TEXT_COLUMNS = frozenset({"country", "indicator"})


@functools.lru_cache(maxsize=16)
def _read_csv_cached(path: str, mtime: float, size: int) -> pd.DataFrame:
    frame = pd.read_csv(path)
    _check_frame(frame, path)
    return frame


def _check_frame(frame: pd.DataFrame, path: str) -> None:
    """A ``year`` column of whole years; every column but the text ones numeric."""
    if "year" not in frame.columns:
        raise DataError(f"{path} has no 'year' column; its columns are {list(frame.columns)}")
    for column in frame.columns:
        if column in TEXT_COLUMNS:
            continue
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() & frame[column].notna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(
                f"{path}: column {column!r} has the non-numeric value "
                f"{frame[column].iloc[row]!r} on data row {row + 1}; expected a number or an "
                "empty cell"
            )
        frame[column] = values
    years = frame["year"].to_numpy(dtype=float)
    if not np.isfinite(years).all() or (years != np.round(years)).any():
        raise DataError(f"{path}: column 'year' must hold whole years with no empty cell")
    frame["year"] = years.astype("int64")
    keys = [c for c in ("country", "indicator", "year") if c in frame.columns]
    twice = frame.duplicated(subset=keys, keep="first")
    if twice.any():
        row = int(np.flatnonzero(twice.to_numpy())[0])
        where = ", ".join(f"{k}={frame[k].iloc[row]!r}" for k in keys)
        raise DataError(
            f"{path}: data row {row + 1} repeats an earlier row's {'/'.join(keys)} ({where}); "
            "expected one row per key"
        )


def read_csv(path: Path, *, required: Iterable[str] = ()) -> pd.DataFrame:
    """Read a data CSV, memoised on its path, modification time and size (do not mutate).

    Raises
    ------
    DataError
        The file is unreadable (permissions, encoding, CSV syntax), lacks a ``year`` column or
        a ``required`` one, or holds a non-numeric cell outside the text columns.
    """
    try:
        st = path.stat()
        frame = _read_csv_cached(str(path), st.st_mtime, st.st_size)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as err:
        if isinstance(err, DataError):
            raise
        raise DataError(f"cannot read {path}: {err}") from None
    except OSError as err:
        raise DataError(f"cannot read {path}: {err.strerror or err}") from None
    lacking = [c for c in required if c not in frame.columns]
    if lacking:
        raise DataError(f"{path} lacks the columns {lacking}; its columns are {list(frame.columns)}")
    return frame


@overload
def as_list(value: None, what: str) -> None: ...


@overload
def as_list(value: str | Iterable[str], what: str) -> list[str]: ...


def as_list(value: str | Iterable[str] | None, what: str) -> list[str] | None:
    """A name or list of names as a list of str (None stays None)."""
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    try:
        out = [str(v) for v in value]
    except TypeError:
        raise DataError(f"{what} must be a name or a list of names, got {value!r}") from None
    if not out:
        raise DataError(f"{what} is empty; expected at least one name")
    return out


_COUNTRY = re.compile(r"[A-Z0-9]{2,3}")


def country_codes(countries: str | Iterable[str] | None) -> list[str]:
    """Country codes in upper case, each 2-3 letters or digits (ISO3 or a WDI aggregate).

    The codes name files of the download cache, so anything else (``'../x'``) is refused.

    Examples
    --------
    >>> country_codes(["chl", "NOR"])
    ['CHL', 'NOR']
    """
    codes = [str(c).strip().upper() for c in as_list(countries, "countries") or []]
    for code in codes:
        if not _COUNTRY.fullmatch(code):
            raise DataError(
                f"country code {code!r} is not valid; expected an ISO 3166 alpha-3 code such as "
                "'CHL' (2-3 letters or digits)"
            )
    if not codes:
        raise DataError("countries is empty; expected at least one ISO3 code")
    return codes


def year_window(start, end) -> tuple[int | None, int | None]:
    """Validate the ``start``/``end`` years."""
    for name, v in (("start", start), ("end", end)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, np.integer))):
            raise DataError(f"{name} must be a year (int), got {v!r}")
    if start is not None and end is not None and end < start:
        raise DataError(f"end year {end} is before start year {start}")
    return start, end


def check_known(requested: list[str], known: Iterable[str], what: str, where: str) -> None:
    """Raise DataError naming the first requested name not in ``known``."""
    known = list(known)
    for name in requested:
        if name not in known:
            raise DataError(
                f"{what} {name!r} is not in {where}.{suggest(name, known)} Available: "
                f"{', '.join(sorted(known))}"
            )


def check_not_empty(ds: xr.Dataset, where: str, *, allow_missing: bool) -> None:
    """Raise DataError for a requested series (variable x country) with no observation."""
    empty = []
    for var in ds.data_vars:
        da = ds[var]
        if "country" in da.dims:
            for c in da["country"].values:
                if not np.isfinite(da.sel(country=c).values).any():
                    empty.append(f"{var} for {c}")
        elif not np.isfinite(da.values).any():
            empty.append(str(var))
    total = sum(ds[v].sizes.get("country", 1) for v in ds.data_vars)
    if empty and (not allow_missing or len(empty) == total):
        years = ds["year"].values
        span = f"{years.min()}-{years.max()}" if len(years) else "the requested years"
        raise DataError(
            f"no observations in {where} for {', '.join(empty)} in {span}; expected at least "
            "one value per requested series (allow_missing=True keeps NaN-only series)"
        )
