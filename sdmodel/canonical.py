"""Compare runs with Vensim's own output files (``output.tab`` / ``output.csv``).

Vensim writes one column per variable (``Name[elem1,elem2]`` for subscripted ones) and one row
per saved time, constants in the first row only. These helpers read such a file with PySD's
reader, pick the same columns out of an sdmodel Dataset, and compare them as PySD's own test
suite does (constants filled down, ``|actual - expected| <= atol + rtol * |expected|``).

Examples
--------
>>> import sdmodel as sd
>>> from sdmodel.canonical import read_canonical, compare_with_canonical
>>> canon = read_canonical("../shared/test-models/SIR/output.csv")
>>> model = sd.load("../shared/test-models/SIR/SIR.mdl")
>>> compare_with_canonical(model.run(), canon, model)
[]
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .exceptions import DataError, ParameterError

__all__ = ["read_canonical", "find_canonical", "dataset_columns", "compare_with_canonical"]

_COLUMN = re.compile(r"^(?P<name>[^\[]+?)\s*(\[(?P<subs>.*)\])?\s*$")


def find_canonical(model_file: str | os.PathLike) -> Path:
    """The ``output.csv`` or ``output.tab`` beside a model file.

    Raises
    ------
    DataError
        Neither file exists.
    """
    folder = Path(model_file).parent
    for name in ("output.csv", "output.tab"):
        if (folder / name).is_file():
            return folder / name
    raise DataError(f"no canonical output (output.csv or output.tab) beside {str(model_file)!r}")


def read_canonical(path: str | os.PathLike) -> pd.DataFrame:
    """Read a Vensim output file; constant columns (first row only) are filled down.

    Returns
    -------
    pandas.DataFrame
        Indexed by time (float), one column per written variable.
    """
    from pysd.py_backend.utils import detect_encoding, load_outputs

    path = Path(path)
    frame = load_outputs(path, encoding=detect_encoding(path))
    frame = frame.apply(pd.to_numeric, errors="coerce")
    constant = frame.iloc[1:].isna().all().to_numpy() & frame.iloc[:1].notna().all().to_numpy()
    frame.loc[:, constant] = frame.loc[:, constant].ffill()
    return frame


def dataset_columns(ds: xr.Dataset, model, columns, *, missing: str = "raise") -> pd.DataFrame:
    """Vensim-named columns (``Name[a,b]``) taken from a Dataset of one run.

    Parameters
    ----------
    ds : xarray.Dataset
        A run with dimension ``time`` (and subscript dimensions).
    model : sdmodel.Model
        Resolves original names to the Dataset's python names.
    columns : iterable of str
        Vensim column names.
    missing : {"raise", "skip"}, optional
        What to do with a column naming a variable the model does not define (an XMILE
        translation of a Vensim test can lack helper variables its canonical output holds)
        or the Dataset does not hold (a batch run keeps no time settings): raise (default)
        or leave the column out.

    Returns
    -------
    pandas.DataFrame
        Indexed by the Dataset's time, one column per requested name.

    Raises
    ------
    DataError
        A column names a variable (unless ``missing="skip"``) or element the Dataset does
        not hold.
    """
    if missing not in ("raise", "skip"):
        raise ParameterError(f"missing must be 'raise' or 'skip', got {missing!r}")
    out = {}
    for column in columns:
        match = _COLUMN.match(column)
        if match is None:
            raise DataError(f"column {column!r} is not a variable name or name[a,b]")
        name, subs = match.group("name"), match.group("subs")
        try:
            py = model.resolve(name)
        except ParameterError as err:
            if missing == "skip":
                continue
            raise DataError(f"canonical column {column!r}: {err}") from None
        if py not in ds:
            if missing == "skip":
                continue
            raise DataError(f"canonical column {column!r}: {py!r} is not in the Dataset")
        var = ds[py]
        if subs:
            elements = [e.strip().strip('"') for e in subs.split(",")]
            dims = [d for d in var.dims if d != "time"]
            if len(dims) != len(elements):
                raise DataError(
                    f"canonical column {column!r} gives {len(elements)} subscripts; "
                    f"{py!r} has dimensions {tuple(dims)}"
                )
            try:
                var = var.sel({d: e for d, e in zip(dims, elements)})
            except KeyError as err:
                raise DataError(f"canonical column {column!r}: no element {err}") from None
        out[column] = np.broadcast_to(np.asarray(var.values, dtype=float), (ds.sizes["time"],))
    return pd.DataFrame(out, index=pd.Index(ds["time"].values, name="time"))


def compare_with_canonical(
    ds: xr.Dataset, canon: pd.DataFrame, model, *, rtol: float = 1e-5, atol: float = 1e-5,
    missing: str = "raise",
) -> list[str]:
    """Columns of ``canon`` that the run does not reproduce, with the first time they differ.

    Times present in both are compared; NaN matches NaN. ``missing`` is passed to
    :func:`dataset_columns` (``"skip"`` compares only the variables the model defines).

    Returns
    -------
    list of str
        ``[]`` when every column is close; otherwise one readable line per differing column.
    """
    actual = dataset_columns(ds, model, canon.columns, missing=missing)
    times = canon.index.intersection(actual.index)
    if len(times) == 0:
        raise DataError("the run and the canonical output share no saved times")
    actual = actual.loc[times]
    expected = canon.loc[times]
    problems = []
    for column in actual.columns:
        a = actual[column].to_numpy()
        e = expected[column].to_numpy()
        close = (np.abs(a - e) <= atol + rtol * np.abs(e)) | (np.isnan(a) & np.isnan(e))
        if not close.all():
            first = int(np.argmin(close))
            problems.append(
                f"{column}: at time {times[first]:g} got {a[first]:.8g}, expected {e[first]:.8g}"
            )
    return problems
