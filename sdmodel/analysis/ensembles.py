"""Large ensembles: parameter samples split into chunks run by the batch engine as dask tasks.

Workers never receive a pickled PySD model: each task carries a :class:`ModelSpec` (the model
file's path, content hash and translation cache) and the worker loads the model from it once
per process and thread, from the same translation cache the client used. Workers must therefore
see the model file at the same path: a local cluster always does, a multi-machine cluster needs
a shared file system for the model file. The cache must be private to the user running the
worker (sdmodel refuses a cache owned by another user or writable by others); on other machines
each worker translates the model once into its own cache.

Examples
--------
>>> import sdmodel as sd
>>> from dask.distributed import Client, LocalCluster
>>> model = sd.load("tests/data/window_toy.mdl")
>>> samples = sd.analysis.latin_hypercube(model, {"trend_growth": (0.01, 0.03)}, 2000, seed=1)
>>> with Client(LocalCluster(n_workers=2, threads_per_worker=1, processes=False)) as client:
...     ds = sd.ensemble(model, samples, client=client, store=tmp_path / "runs.zarr", chunk_size=500,
...                      metrics=["gdp_per_capita@2040", "max(capability)"])
...     print(sorted(ds.data_vars), ds.sizes["run"])
['capability_max', 'diverged', 'gdp_per_capita_2040'] 2000
"""

from __future__ import annotations

import os
import sys
import threading
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from .._progress import step
from ..exceptions import (
    AnalysisError,
    ModelFileError,
    OutputError,
    ParameterError,
    SDModelError,
    suggest,
)
from ._engine import run_many
from ._metrics import Metric, parse_metrics
from ..limits import check_runs

__all__ = ["ensemble", "ModelSpec", "check_samples"]


@dataclass(frozen=True)
class ModelSpec:
    """How a worker finds a model: its file, content hash and translation cache.

    Examples
    --------
    >>> spec = ModelSpec.of(model)
    >>> spec.load() is spec.load()
    True
    """

    path: str
    file_hash: str
    cache_dir: str

    @classmethod
    def of(cls, model) -> "ModelSpec":
        """The spec of a loaded model (its cache is the folder holding its translation)."""
        module = Path(model.translation.module)
        return cls(str(model.path), model.file_hash, str(module.parent.parent))

    def load(self):
        """The model, loaded once per process and thread from the translation cache.

        Raises
        ------
        ModelFileError
            The model file changed since the ensemble was set up.
        """
        key = (self, threading.get_ident())
        with _LOCK:
            model = _LOADED.get(key)
        if model is None:
            from ..loading import load

            model = load(self.path, cache_dir=self.cache_dir)
            if model.file_hash != self.file_hash:
                raise ModelFileError(
                    f"model file {self.path!r} changed since the ensemble was set up (hash "
                    f"{model.file_hash[:12]} != {self.file_hash[:12]})"
                )
            with _LOCK:
                _LOADED[key] = model
        return model


_LOADED: dict[tuple[ModelSpec, int], object] = {}
_LOCK = threading.Lock()


def check_samples(model, samples) -> tuple[dict[str, np.ndarray], int]:
    """Validate a sample table and key it by python name.

    Parameters
    ----------
    model : sdmodel.Model
    samples : pandas.DataFrame or mapping
        One row per run (columns are parameters), or ``{parameter: 1-D array}``.

    Returns
    -------
    (dict, int)
        ``{python_name: float array}`` and the number of runs.

    Raises
    ------
    AnalysisError
        No samples, an unknown or non-constant parameter (closest names suggested), arrays of
        different lengths, non-numeric values, or missing values (NaN).

    Examples
    --------
    >>> check_samples(model, {"catch_up_rate": [0.1, 0.2]})
    ({'catch_up_rate': array([0.1, 0.2])}, 2)
    """
    if isinstance(samples, pd.DataFrame):
        columns = {str(c): samples[c].to_numpy() for c in samples.columns}
    elif isinstance(samples, Mapping):
        columns = {str(k): v for k, v in samples.items()}
    else:
        raise AnalysisError(
            "samples must be a pandas DataFrame (one row per run) or a mapping {parameter: "
            f"array}}, got {type(samples).__name__}"
        )
    if not columns:
        raise AnalysisError("samples name no parameter; expected at least one column")
    constants = model.params
    out: dict[str, np.ndarray] = {}
    n = None
    for name, values in columns.items():
        try:
            py = model.resolve(name, what="sampled parameter")
        except ParameterError:
            raise AnalysisError(
                f"samples: unknown parameter {name!r}; model {model.name!r} has no constant of "
                f"that name.{suggest(name, constants)}"
            ) from None
        if py not in constants:
            raise AnalysisError(
                f"samples: {name!r} is not a constant of model {model.name!r} (it is computed by "
                f"the model); expected one of its parameters.{suggest(name, constants)}"
            )
        if py in out:
            raise AnalysisError(f"samples: parameter {py!r} is given twice")
        try:
            array = np.asarray(values, dtype=float)
        except (TypeError, ValueError):
            raise AnalysisError(f"samples: column {name!r} is not numeric") from None
        if array.ndim != 1:
            raise AnalysisError(f"samples: column {name!r} must be one-dimensional, got shape {array.shape}")
        missing = np.flatnonzero(~np.isfinite(array))
        if missing.size:
            raise AnalysisError(
                f"samples: parameter {name!r} is missing (NaN or infinite) in {missing.size} "
                f"run(s), first at run {int(missing[0])}; every run needs a value"
            )
        if n is not None and array.shape[0] != n:
            raise AnalysisError(
                f"samples: column {name!r} has {array.shape[0]} values, others have {n}; "
                "expected one value per run in every column"
            )
        n = array.shape[0]
        out[py] = array
    if not n:
        raise AnalysisError("samples have no rows; expected at least one run")
    return out, check_runs(int(n))


def _evaluate(model, params, n, metrics: Sequence[Metric] | None, saveper) -> xr.Dataset:
    """Run ``n`` parameter sets and keep only the requested metrics (or every variable)."""
    return_vars = None if metrics is None else sorted({m.variable for m in metrics})
    ds = run_many(model, params, n=n, return_vars=return_vars, saveper=saveper)
    if metrics is not None:
        kept = {m.name: m.evaluate(ds) for m in metrics}
        if "diverged" in ds.data_vars and "diverged" not in kept:
            kept["diverged"] = ds["diverged"]
        ds = xr.Dataset(kept, attrs=ds.attrs)
    return ds.drop_vars([c for c in ds.coords if c not in ds.dims])


def _run_chunk(spec: ModelSpec, params, n, metrics, saveper) -> dict[str, np.ndarray]:
    """A dask task: load the model from its spec and evaluate one chunk of runs."""
    ds = _evaluate(spec.load(), params, n, metrics, saveper)
    return {str(name): np.ascontiguousarray(ds[name].values) for name in ds.data_vars}


def _clean_attrs(attrs: Mapping) -> dict:
    """Attributes that zarr and netCDF can store (strings and numbers)."""
    return {
        str(k): v
        for k, v in attrs.items()
        if isinstance(v, (str, int, float, np.integer, np.floating)) and not isinstance(v, bool)
    }


def ensemble(
    model,
    samples,
    *,
    client=None,
    chunk_size: int = 10_000,
    store: str | os.PathLike | None = None,
    metrics: Sequence[str] | str | None = None,
    overwrite: bool = False,
    saveper: float | None = None,
    progress: bool = False,
) -> xr.Dataset:
    """Run one model over many parameter samples, chunk by chunk, as dask tasks.

    Parameters
    ----------
    model : sdmodel.Model
    samples : pandas.DataFrame or mapping
        One row per run (see :func:`check_samples`); parameters not sampled keep their defaults.
    client : dask.distributed.Client, optional
        Run the chunks on its cluster (the model is reloaded on each worker from its file and
        translation cache). Default: dask's local scheduler, when the result is computed.
    chunk_size : int, optional
        Runs per task (each task is one ``run_batch`` call).
    store : path-like, optional
        A zarr store to stream the results into, chunk by chunk, so an ensemble larger than
        memory completes. Written under a temporary name and renamed when complete.
    metrics : sequence of str, optional
        What to keep per run (specs of :mod:`sdmodel.analysis._metrics`, e.g.
        ``"gdp_per_capita@2040"``); default: every variable's whole time path.
    overwrite : bool, optional
        Replace an existing ``store``; refused otherwise.
    saveper : float, optional
        Save period of the runs (default: the model's).
    progress : bool, optional
        Show the computation of a ``store`` on stderr (dask's progress bar on the local
        scheduler, the elapsed time on a ``client``). Without ``store`` nothing is computed
        here, so nothing is shown.

    Returns
    -------
    xarray.Dataset
        Dask-backed, dims ``("run", ...)``; the sampled values are coordinates along ``run``.
        With ``store``, the Dataset is opened lazily from the finished store; with ``client``
        and no store it is persisted on the cluster (read it back through that client: it is
        the default client, or ``ds.compute(scheduler=client)``).

    Raises
    ------
    AnalysisError
        Bad samples (see :func:`check_samples`), a bad metric, or a bad ``chunk_size``.
    OutputError
        ``store`` exists and ``overwrite`` is False, or cannot be written.

    Examples
    --------
    >>> ds = ensemble(model, {"catch_up_rate": np.linspace(0.05, 0.3, 5_000)},
    ...               metrics=["technological_capability@50"], chunk_size=1_000)
    >>> round(float(ds["technological_capability_50"].mean().compute()), 3)
    1.913
    """
    import dask
    import dask.array as dsa

    params, n = check_samples(model, samples)
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, Integral) or chunk_size < 1:
        raise AnalysisError(f"chunk_size must be a positive integer, got {chunk_size!r}")
    parsed = None if metrics is None else parse_metrics(model, metrics)
    target = None
    if store is not None:
        target = Path(store).expanduser().absolute()
        if (target.exists() or target.is_symlink()) and not overwrite:
            raise OutputError(
                f"store {str(target)!r} already exists; pass overwrite=True to replace it"
            )
        if not target.parent.is_dir():
            raise OutputError(f"cannot write store {str(target)!r}: its folder does not exist")

    # one local run gives the layout (dims, coordinates, units) of every chunk's result
    probe = _evaluate(model, {k: v[:1] for k, v in params.items()}, 1, parsed, saveper)
    spec = ModelSpec.of(model)
    bounds = list(range(0, n, int(chunk_size))) + [n]
    task = dask.delayed(_run_chunk)
    results = [
        task(spec, {k: v[a:b] for k, v in params.items()}, b - a, parsed, saveper,
             dask_key_name=f"sdmodel-chunk-{spec.file_hash[:8]}-{uuid.uuid4().hex[:8]}-{i}")
        for i, (a, b) in enumerate(zip(bounds[:-1], bounds[1:]))
    ]
    variables = {}
    for name, da in probe.data_vars.items():
        rest = da.shape[1:]
        blocks = [
            dsa.from_delayed(r[name], shape=(b - a, *rest), dtype=da.dtype)
            for r, a, b in zip(results, bounds[:-1], bounds[1:])
        ]
        variables[name] = xr.Variable(da.dims, dsa.concatenate(blocks, axis=0), attrs=_clean_attrs(da.attrs))
    coords = {d: probe[d] for d in probe.dims if d != "run" and d in probe.coords}
    coords["run"] = np.arange(n)
    coords.update({k: ("run", v) for k, v in params.items()})
    attrs = _clean_attrs(probe.attrs)
    attrs.pop("parameters", None)  # the probe's, not the ensemble's: the samples are coordinates
    ds = xr.Dataset(variables, coords=coords, attrs=attrs)
    ds.attrs.update(model_name=model.name, model_file=str(model.path), model_hash=model.file_hash,
                    n_runs=n, chunk_size=int(chunk_size))
    if target is None:
        return client.persist(ds) if client is not None else ds
    return _write_store(ds, target, client=client, overwrite=overwrite, progress=progress)


def _write_store(ds: xr.Dataset, target: Path, *, client, overwrite: bool,
                 progress: bool = False) -> xr.Dataset:
    """Stream ``ds`` into a zarr store in a staging folder beside ``target``, then publish it."""
    import dask

    from .._atomic import staged_outputs

    with staged_outputs(target.parent) as stage:
        staging = stage.path(target.name)
        try:
            delayed = ds.to_zarr(staging, mode="w", compute=False, consolidated=False)
            if client is not None:
                with step(f"ensemble: writing {target.name}", progress=progress):
                    client.compute(delayed).result()
            elif progress:
                from dask.diagnostics import ProgressBar

                with ProgressBar(out=sys.stderr):
                    dask.compute(delayed)
            else:
                dask.compute(delayed)
        except SDModelError:
            raise
        except OSError as err:
            raise OutputError(f"cannot write store {str(target)!r}: {err}") from err
        if (target.exists() or target.is_symlink()) and not overwrite:  # appeared meanwhile
            raise OutputError(f"store {str(target)!r} already exists; pass overwrite=True to replace it")
    return xr.open_zarr(target, consolidated=False)
