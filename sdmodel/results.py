"""Simulation output as :class:`xarray.Dataset`, and atomic writing as netCDF, CSV or Zarr.

Examples
--------
>>> import sdmodel as sd
>>> ds = sd.load("models/validation/nelson_phelps.mdl").run()
>>> sd.save(ds, "out/run.nc")
PosixPath('out/run.nc')
"""

from __future__ import annotations

import csv
import itertools
import json
import os
import warnings
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ._atomic import atomic_path
from .exceptions import OutputError

__all__ = ["pysd_output_to_dataset", "variable_attrs", "run_attrs", "save", "params_to_json",
           "output_format", "to_wide_frame", "FORMATS"]


def variable_attrs(model, py_name: str) -> dict[str, str]:
    """The ``units``, ``long_name`` and ``doc`` attrs of one model variable."""
    return model.variable_attrs(py_name)


def params_to_json(params: Mapping[str, object]) -> str:
    """Serialise parameter overrides (numbers, time series, DataArrays) to JSON text.

    Examples
    --------
    >>> params_to_json({"a": 1.5})
    '{"a": 1.5}'
    """

    def encode(value):
        if isinstance(value, pd.Series):
            return {"time": value.index.tolist(), "values": value.tolist()}
        if isinstance(value, xr.DataArray):
            return {"dims": list(value.dims), "values": value.values.tolist()}
        if isinstance(value, np.ndarray):
            return value.tolist()
        return float(value)

    return json.dumps({k: encode(v) for k, v in params.items()})


def run_attrs(model, *, params: Mapping[str, object], settings, engine: str) -> dict[str, object]:
    """Dataset attrs recording provenance: model file and hash, parameters, versions, time."""
    import pysd

    from ._version import __version__

    return {
        "model_name": model.name,
        "model_file": str(model.path),
        "model_hash": model.file_hash,
        "parameters": params_to_json(params),
        "engine": engine,
        "sdmodel_version": __version__,
        "pysd_version": pysd.__version__,
        "initial_time": settings.initial_time,
        "final_time": settings.final_time,
        "time_step": settings.time_step,
        "saveper": settings.saveper,
        "time_units": run_attrs_time_units(model),
    }


def pysd_output_to_dataset(frame: pd.DataFrame, model, *, params, settings) -> xr.Dataset:
    """Convert PySD's unflattened output (DataArray cells for subscripted variables).

    Parameters
    ----------
    frame : pandas.DataFrame
        ``pysd Model.run(..., flatten_output=False)`` output: one row per saved time, one column
        per variable (original names), float cells or ``xarray.DataArray`` cells.
    model : sdmodel.Model
    params : mapping
        The parameter overrides used (recorded in attrs).
    settings : sdmodel.running.TimeSettings

    Returns
    -------
    xarray.Dataset
    """
    time = frame.index.to_numpy(dtype=float)
    data_vars = {}
    for column in frame.columns:
        py = model.resolve(str(column))
        if py == "time":
            continue
        cells = frame[column].to_numpy()
        first = cells[0]
        attrs = variable_attrs(model, py)
        if isinstance(first, xr.DataArray):
            values = np.stack([np.asarray(c.values, dtype=float) for c in cells])
            coords = {d: first.coords[d].values for d in first.dims}
            data_vars[py] = xr.DataArray(
                values, dims=("time", *first.dims), coords=coords, attrs=attrs
            )
        else:
            data_vars[py] = xr.DataArray(np.asarray(cells, dtype=float), dims=("time",), attrs=attrs)
    ds = xr.Dataset(data_vars, coords={"time": time})
    ds["time"].attrs.update({"units": run_attrs_time_units(model), "long_name": "Time"})
    ds.attrs.update(run_attrs(model, params=params, settings=settings, engine="pysd"))
    return ds


def run_attrs_time_units(model) -> str:
    """The model's time unit (the units of TIME STEP, as Vensim records it)."""
    units = model.units
    return units.get("time_step") or units.get("time") or ""


def _netcdf_safe(attrs: Mapping[str, object]) -> dict[str, object]:
    safe = {}
    for key, value in attrs.items():
        if value is None:
            continue
        if isinstance(value, (bool, np.bool_)):
            value = int(value)
        elif isinstance(value, (dict, list, tuple)) and not (
            isinstance(value, (list, tuple)) and all(isinstance(v, (int, float)) for v in value)
        ):
            value = json.dumps(value, default=str)
        safe[key] = value
    return safe


#: Output formats of :func:`save`, by file extension.
FORMATS = {".nc": "netCDF", ".csv": "CSV (wide, like PySD's)", ".zarr": "Zarr store"}


def output_format(path: str | os.PathLike) -> str:
    """The output format (a key of :data:`FORMATS`) named by ``path``'s extension.

    Raises
    ------
    OutputError
        The extension is not one of :data:`FORMATS`.

    Examples
    --------
    >>> output_format("out/run.CSV")
    '.csv'
    >>> output_format("run.txt")
    Traceback (most recent call last):
    ...
    sdmodel.exceptions.OutputError: output file 'run.txt' has the extension '.txt'; expected one of .nc (netCDF), .csv (CSV (wide, like PySD's)), .zarr (Zarr store)
    """
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        accepted = ", ".join(f"{ext} ({kind})" for ext, kind in FORMATS.items())
        shown = repr(suffix) if suffix else "no extension"
        raise OutputError(
            f"output file {str(path)!r} has {'the extension ' if suffix else ''}{shown}; "
            f"expected one of {accepted}"
        )
    return suffix


def to_wide_frame(ds: xr.Dataset) -> pd.DataFrame:
    """A Dataset as PySD's flat output: a ``Time`` index and one column per variable and cell.

    Columns are named by the variables' ``long_name`` (the model's original names, as PySD
    names them) or their python names; a variable with dimensions besides ``time``
    (subscripts, ``scenario``, ``run``) has one column per cell, ``name[a,b]`` with the
    coordinate values in dimension order. Variables without a ``time`` dimension repeat their
    value on every row, as PySD writes constants.

    Examples
    --------
    >>> ds = xr.Dataset({"x": ("time", [1.0, 2.0]),
    ...                  "y": (("time", "dim"), [[1.0, 2.0], [3.0, 4.0]])},
    ...                 coords={"time": [0.0, 1.0], "dim": ["a", "b"]})
    >>> list(to_wide_frame(ds).columns)
    ['x', 'y[a]', 'y[b]']
    """
    if "time" not in ds.dims:
        raise OutputError("a wide (CSV) output needs a 'time' dimension; the Dataset has "
                          f"dimensions {tuple(ds.dims)}")
    time = ds["time"].to_numpy()
    columns: dict[str, np.ndarray] = {}
    for name, da in ds.data_vars.items():
        label = str(da.attrs.get("long_name") or name)
        if "time" not in da.dims:
            da = da.expand_dims(time=time)
        other = [d for d in da.dims if d != "time"]
        values = da.transpose("time", *other).to_numpy()
        if not other:
            columns[label] = values
            continue
        flat = values.reshape(len(time), -1)
        cells = itertools.product(*(da[d].to_numpy() for d in other))  # row-major, as reshape
        for j, cell in enumerate(cells):
            columns[f"{label}[{','.join(str(c) for c in cell)}]"] = flat[:, j]
    return pd.DataFrame(columns, index=pd.Index(time, name="Time"))


def save(ds: xr.Dataset, path: str | os.PathLike, *, overwrite: bool = True) -> Path:
    """Write a Dataset atomically, in the format its extension names.

    ``.nc`` netCDF (attributes netCDF cannot hold -- dicts, booleans, None -- are stored as
    JSON text, integers, or dropped), ``.csv`` wide like PySD's output (see
    :func:`to_wide_frame`; PySD's CSV writer replaces the comma between subscripts with ``;``,
    and so does this one, so the file has one column per cell), ``.zarr`` a Zarr store (a
    folder). An interrupted write never leaves a half-written output at ``path``: files go
    through a temporary file beside the target, a Zarr store through a staging folder.

    Parameters
    ----------
    ds : xarray.Dataset
    path : path-like
        Target file (``.nc``, ``.csv``) or store (``.zarr``); its folder is created if needed.
    overwrite : bool, optional
        Refuse to replace an existing output when False.

    Returns
    -------
    pathlib.Path
        The written path.

    Raises
    ------
    OutputError
        The extension is not ``.nc``, ``.csv`` or ``.zarr``; the folder cannot be created or
        written; or the output exists and ``overwrite`` is False.

    Examples
    --------
    >>> save(xr.Dataset({"x": ("time", [1.0, 2.0])}), tmp_path / "x.nc").name
    'x.nc'
    """
    kind = output_format(path)
    path = Path(path)
    if kind == ".zarr":
        return _save_zarr(ds, path, overwrite=overwrite)
    if kind == ".csv":
        frame = to_wide_frame(ds)
        frame.columns = [c.replace(",", ";") for c in frame.columns]
        with atomic_path(path, overwrite=overwrite) as tmp:
            frame.to_csv(tmp, index_label="Time", quoting=csv.QUOTE_NONE, escapechar="\\")
        return path
    with atomic_path(path, overwrite=overwrite) as tmp:
        _netcdf_clean(ds).to_netcdf(tmp)
    return path


def _netcdf_clean(ds: xr.Dataset) -> xr.Dataset:
    clean = ds.copy(deep=False)
    clean.attrs = _netcdf_safe(ds.attrs)
    for name in clean.variables:
        clean[name].attrs = _netcdf_safe(ds[name].attrs)
    return clean


def _save_zarr(ds: xr.Dataset, path: Path, *, overwrite: bool) -> Path:
    from ._atomic import staged_outputs

    try:
        import zarr  # noqa: F401
    except ImportError:
        raise OutputError(f"cannot write {str(path)!r}: .zarr output needs the zarr package "
                          "(pip install zarr); .nc and .csv need nothing more") from None
    if path.exists() and not overwrite:
        raise OutputError(f"output {str(path)!r} exists; pass overwrite=True to replace it")
    clean = _netcdf_clean(ds)
    for name in clean.variables:
        clean[name].encoding = {}
    with staged_outputs(path.parent) as stage:
        try:
            with warnings.catch_warnings():  # string coordinates have no Zarr v3 spec yet
                warnings.filterwarnings("ignore", message=".*does not have a Zarr V3 spec")
                clean.to_zarr(stage.path(path.name), mode="w", consolidated=False)
        except (ValueError, TypeError) as err:
            raise OutputError(f"cannot write the Zarr store {str(path)!r}: {err}") from err
    return path
