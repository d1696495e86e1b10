"""Simulation output as :class:`xarray.Dataset`, and atomic netCDF writing.

Examples
--------
>>> import sdmodel as sd
>>> ds = sd.load("models/validation/nelson_phelps.mdl").run()
>>> sd.save(ds, "out/run.nc")
PosixPath('out/run.nc')
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ._atomic import atomic_path

__all__ = ["pysd_output_to_dataset", "variable_attrs", "run_attrs", "save", "params_to_json"]


def variable_attrs(model, py_name: str) -> dict[str, str]:
    """The ``units``, ``long_name`` and ``doc`` attrs of one model variable."""
    row = model._doc.loc[py_name]
    return {"units": row.units, "long_name": row["name"], "doc": row.comment}


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
    settings : sdmodel.model.TimeSettings

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


def save(ds: xr.Dataset, path: str | os.PathLike, *, overwrite: bool = True) -> Path:
    """Write a Dataset to netCDF atomically (temporary file in the same folder, then rename).

    An interrupted write never leaves a half-written file at ``path``. Attributes netCDF cannot
    hold (dicts, booleans, None) are stored as JSON text, integers, or dropped.

    Parameters
    ----------
    ds : xarray.Dataset
    path : path-like
        Target ``.nc`` file; its folder is created if needed.
    overwrite : bool, optional
        Refuse to replace an existing file when False.

    Returns
    -------
    pathlib.Path
        The written path.

    Raises
    ------
    OutputError
        The folder cannot be created or written, or the file exists and ``overwrite`` is False.

    Examples
    --------
    >>> save(xr.Dataset({"x": ("time", [1.0, 2.0])}), tmp_path / "x.nc").name
    'x.nc'
    """
    clean = ds.copy(deep=False)
    clean.attrs = _netcdf_safe(ds.attrs)
    for name in clean.variables:
        clean[name].attrs = _netcdf_safe(ds[name].attrs)
    with atomic_path(path, overwrite=overwrite) as tmp:
        clean.to_netcdf(tmp)
    return Path(path)
