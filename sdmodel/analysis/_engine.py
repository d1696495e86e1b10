"""Run many parameter sets of a model at once: the batch engine, or PySD when it cannot.

Every analysis funnels its runs through :func:`run_many`, so a sweep, a sensitivity study and an
ensemble chunk all evaluate the model the same way: one ``Model.run_batch`` call for the whole
set. A model the batch compiler does not accept (:class:`UnsupportedConstructError`) is run
instead as a loop of PySD runs, with a warning, giving the same Dataset layout.

Examples
--------
>>> ds = run_many(model, {"catch_up_rate": np.array([0.1, 0.2])}, n=2,
...               return_vars=["technological_capability"])
>>> ds["technological_capability"].dims
('run', 'time')
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import xarray as xr

from ..exceptions import AnalysisError, UnsupportedConstructError

__all__ = ["run_many", "broadcast_params"]


def broadcast_params(params: Mapping[str, object], n: int) -> dict[str, object]:
    """Give every scalar override one value per run; arrays must already have ``n`` values.

    Non-scalar values (time series, subscripted arrays) are passed through unchanged: they are
    the same for every run.

    Examples
    --------
    >>> broadcast_params({"a": 1.0, "b": np.array([1.0, 2.0])}, 2)["a"]
    array([1., 1.])
    """
    out: dict[str, object] = {}
    for name, value in params.items():
        if isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool):
            out[name] = np.full(n, float(value))
        elif isinstance(value, np.ndarray) and value.ndim == 1 and value.shape[0] == n:
            out[name] = value.astype(float)
        else:
            out[name] = value
    return out


def run_many(
    model,
    params: Mapping[str, object],
    *,
    n: int,
    return_vars: Sequence[str] | None = None,
    saveper: float | None = None,
) -> xr.Dataset:
    """Run ``n`` parameter sets of ``model`` and return a Dataset with dims ``("run", "time")``.

    Parameters
    ----------
    model : sdmodel.Model
    params : mapping
        ``{python_name: value}``; a 1-D array of length ``n`` gives one value per run, anything
        else is the same in every run.
    n : int
        Number of runs.
    return_vars : sequence of str, optional
        Variables to keep (default: all).
    saveper : float, optional
        Save period (default: the model's).

    Returns
    -------
    xarray.Dataset
        Dimension ``run`` (0..n-1) first, then ``time`` and any subscript dimensions.

    Examples
    --------
    >>> ds = run_many(model, {"catch_up_rate": np.linspace(0.1, 0.2, 5)}, n=5)
    """
    if n < 1:
        raise AnalysisError(f"no runs to evaluate (n={n}); expected at least one parameter set")
    params = broadcast_params(params, n)
    try:
        return model.run_batch(params, return_vars=return_vars, saveper=saveper)
    except UnsupportedConstructError as err:
        warnings.warn(
            f"the batch engine cannot compile model {model.name!r} ({err}); running "
            f"{n} PySD runs one by one instead",
            RuntimeWarning,
            stacklevel=3,
        )
    return _pysd_loop(model, params, n=n, return_vars=return_vars, saveper=saveper)


def _pysd_loop(model, params, *, n, return_vars, saveper) -> xr.Dataset:
    """The PySD engine, one run per parameter set, stacked along ``run``."""
    per_run = {k: v for k, v in params.items() if isinstance(v, np.ndarray) and v.ndim == 1 and v.shape[0] == n}
    fixed = {k: v for k, v in params.items() if k not in per_run}
    runs = []
    for i in range(n):
        overrides = dict(fixed)
        overrides.update({k: float(v[i]) for k, v in per_run.items()})
        runs.append(model.run(overrides, saveper=saveper, return_vars=return_vars))
    ds = xr.concat(runs, dim="run", data_vars="all", coords="minimal", join="exact",
                   combine_attrs="override")
    ds = ds.assign_coords(run=np.arange(n))
    ds = ds.assign_coords({k: ("run", v) for k, v in per_run.items()})
    ds.attrs.pop("parameters", None)
    return ds
