"""Batch engine against the canonical outputs of the SDXorg test models (rtol = atol = 1e-5).

Every test model the batch compiler accepts is run as N = 3 identical runs; each run must
match the canonical output the way PySD's own suite checks it (tab/csv read with PySD's
``load_outputs``, constant columns forward-filled, ``assert_frames_close``). The acceptance
rate over the models that load through the PySD path must stay at or above 90 %.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import TEST_MODELS

import sdmodel as sd
from sdmodel.batch import get_compiled
from sdmodel.batch.engine import simulate
from sdmodel.exceptions import SDModelError, UnsupportedConstructError

MODEL_FILES = sorted(TEST_MODELS.glob("*/*.mdl")) if TEST_MODELS.is_dir() else []


def canonical(path: Path) -> pd.DataFrame:
    """The canonical output next to ``path``, read as PySD's test suite reads it."""
    from pysd.py_backend.utils import detect_encoding, load_outputs

    folder = path.parent
    out = folder / "output.csv" if (folder / "output.csv").is_file() else folder / "output.tab"
    frame = load_outputs(out, encoding=detect_encoding(out))
    nan_cols = np.isnan(frame.iloc[1:, :]).all().values
    if len(frame) > 1:
        frame.loc[:, nan_cols] = frame.loc[:, nan_cols].iloc[0].values
    return frame


def _column_value(model, ds, column: str, run: int):
    match = re.fullmatch(r"(.*?)(\[(.*)\])?", column.strip())
    name, subs = match.group(1), match.group(3)
    py = model.pysd._namespace.get(name) or model.pysd._namespace.get(name.strip('"'))
    if py is None or py not in ds.variables:
        return None
    arr = ds[py].isel(run=run)
    if arr.ndim == 0:
        return pd.Series(float(arr), index=ds["time"].values)
    if subs:
        # match each coordinate to the dimension holding it (dimension order may differ)
        selection = {}
        for coord in (s.strip() for s in subs.split(",")):
            dim = next(d for d in arr.dims[1:]
                       if d not in selection and coord in arr[d].values)
            selection[dim] = coord
        arr = arr.sel(selection)
    return arr.to_series()


def batch_frame(model, ds, columns, run: int) -> pd.DataFrame:
    """Run ``run`` of a batch Dataset as a frame with the canonical file's column names."""
    data = {}
    for column in columns:
        series = _column_value(model, ds, column, run)
        if series is not None:
            data[column] = series
    return pd.DataFrame(data)


def check_canonical(path: Path, n: int = 3) -> int:
    """Run ``path`` as ``n`` identical batch runs and compare each with its canonical output.

    Returns the number of compared columns; raises AssertionError on a mismatch.
    """
    from pysd.tools.benchmarking import assert_frames_close

    model = sd.load(path)
    get_compiled(model)
    expected = canonical(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = simulate(model, {}, n)
    for run in range(n):
        actual = batch_frame(model, ds, expected.columns, run)
        assert not actual.empty, f"{path.name}: no canonical column maps to a batch variable"
        times = actual.index.intersection(expected.index)
        assert len(times) > 0, f"{path.name}: no common time"
        assert_frames_close(actual.loc[times], expected.loc[times, actual.columns],
                            rtol=1e-5, atol=1e-5)
    return len(actual.columns)


def survey() -> dict[str, str]:
    """``{model folder: status}``.

    Status is ``pass``, ``unsupported: ...`` (the compiler refuses it), ``pysd: ...`` (it does
    not load through the PySD path), ``pysd-differs`` (PySD itself misses the canonical output
    and the batch engine reproduces PySD) or ``mismatch: ...``.
    """
    status = {}
    for path in MODEL_FILES:
        try:
            model = sd.load(path)
        except SDModelError as err:
            status[path.parent.name] = f"pysd: {err}"
            continue
        try:
            get_compiled(model)
        except (UnsupportedConstructError, SDModelError) as err:
            status[path.parent.name] = f"unsupported: {err}"
            continue
        try:
            check_canonical(path)
            status[path.parent.name] = "pass"
        except Exception as err:  # noqa: BLE001 - a survey records every failure
            if not pysd_matches_canonical(model, path) and batch_matches_pysd(model):
                status[path.parent.name] = "pysd-differs: PySD misses the canonical output too"
            else:
                status[path.parent.name] = f"mismatch: {type(err).__name__}: {str(err)[:300]}"
    return status


def pysd_matches_canonical(model, path: Path) -> bool:
    """Whether PySD's own run of ``model`` matches the canonical output (rtol = atol = 1e-5)."""
    from pysd.tools.benchmarking import assert_frames_close

    expected = canonical(path)
    columns = [c for c in expected.columns if c.split("[")[0] in model.pysd._namespace]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = model.pysd.run(return_columns=columns)
    model.pysd.reload()
    times = out.index.intersection(expected.index)
    try:
        cols = out.columns.intersection(expected.columns)
        assert_frames_close(out.loc[times, cols], expected.loc[times, cols], rtol=1e-5, atol=1e-5)
    except AssertionError:
        return False
    return True


def batch_matches_pysd(model) -> bool:
    """Whether the batch engine reproduces ``model.run()`` to 1e-9 relative."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = simulate(model, {}, 2)
        ref = model.run()
    for name in ref.data_vars:
        if name in ds and not np.allclose(ds[name].isel(run=1).values, ref[name].values,
                                          rtol=1e-9, atol=1e-12, equal_nan=True):
            return False
    return True


@pytest.fixture(scope="module")
def statuses():
    assert MODEL_FILES, "no test models found (is ../shared/test-models there?)"
    return survey()


def test_acceptance_rate(statuses):
    loaded = [k for k, v in statuses.items() if not v.startswith("pysd:")]
    accepted = [k for k in loaded if not statuses[k].startswith("unsupported:")]
    assert len(accepted) >= 0.9 * len(loaded), {
        k: v for k, v in statuses.items() if v.startswith("unsupported:")}


def test_accepted_models_match_canonical(statuses):
    bad = {k: v for k, v in statuses.items() if v.startswith("mismatch:")}
    assert not bad, bad
