"""Ensembles on dask: the same numbers locally, on a two-process LocalCluster and in zarr."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest
import xarray as xr

import sdmodel as sd
from conftest import REPO
from sdmodel.analysis import ensemble
from sdmodel.exceptions import AnalysisError, ModelFileError, OutputError

TOY = REPO / "tests" / "data" / "window_toy.mdl"
METRICS = ["gdp_per_capita@2040", "max(capability)", "gdp_per_capita@end"]


@pytest.fixture(scope="module")
def toy():
    return sd.load(TOY)


@pytest.fixture(scope="module")
def samples():
    rng = np.random.default_rng(7)
    n = 23
    return {
        "reinvestment_share": rng.uniform(0, 1, n),
        "reinvestment_start_year": rng.uniform(2003, 2030, n),
        "Boom Size": rng.uniform(0.5, 3, n),  # original names are accepted too
    }


def _pysd_oracle(model, samples, runs):
    """Separate PySD runs of the given rows, reduced to the metrics by hand."""
    out = []
    for i in runs:
        ds = model.run({k: float(v[i]) for k, v in samples.items()},
                       return_vars=["gdp_per_capita", "capability"])
        out.append((float(ds["gdp_per_capita"].sel(time=2040)), float(ds["capability"].max()),
                    float(ds["gdp_per_capita"].isel(time=-1))))
    return np.array(out)


def test_local_ensemble_matches_separate_runs(toy, samples):
    ds = ensemble(toy, samples, chunk_size=5, metrics=METRICS)
    assert ds["gdp_per_capita_2040"].chunks == ((5, 5, 5, 5, 3),)  # dask-backed, chunked
    assert set(ds.data_vars) >= {"gdp_per_capita_2040", "capability_max", "gdp_per_capita_end"}
    np.testing.assert_array_equal(ds["boom_size"].values, samples["Boom Size"])
    got = ds.compute()
    rows = [0, 6, 22]
    expected = _pysd_oracle(toy, samples, rows)
    actual = np.column_stack([got[n].values[rows] for n in
                              ("gdp_per_capita_2040", "capability_max", "gdp_per_capita_end")])
    np.testing.assert_allclose(actual, expected, rtol=1e-9)
    assert got["gdp_per_capita_2040"].attrs["units"] == "USD/Person"


def test_series_are_kept_whole(toy, samples):
    ds = ensemble(toy, samples, chunk_size=10, metrics=["gdp_per_capita"]).compute()
    assert ds["gdp_per_capita"].dims == ("run", "time") and ds.sizes["time"] == 61
    ref = toy.run({k: float(v[4]) for k, v in samples.items()}, return_vars=["gdp_per_capita"])
    np.testing.assert_allclose(ds["gdp_per_capita"].isel(run=4).values, ref["gdp_per_capita"].values, rtol=1e-9)


def test_store_streams_to_zarr_atomically(toy, samples, tmp_path):
    store = tmp_path / "runs.zarr"
    local = ensemble(toy, samples, chunk_size=7, metrics=METRICS).compute()
    ds = ensemble(toy, samples, chunk_size=7, metrics=METRICS, store=store)
    assert store.is_dir() and sorted(p.name for p in tmp_path.iterdir()) == ["runs.zarr"]
    xr.testing.assert_identical(ds.compute()[METRIC_NAMES], local[METRIC_NAMES])
    # an existing store is refused and left as it was
    before = sorted(p.relative_to(store) for p in store.rglob("*"))
    with pytest.raises(OutputError, match="already exists; pass overwrite=True"):
        ensemble(toy, samples, metrics=METRICS, store=store)
    assert sorted(p.relative_to(store) for p in store.rglob("*")) == before
    # overwrite replaces it, with nothing else left in the folder
    half = {k: v[:10] for k, v in samples.items()}
    ds2 = ensemble(toy, half, chunk_size=4, metrics=METRICS[:1], store=store, overwrite=True)
    assert ds2.sizes["run"] == 10 and sorted(ds2.data_vars) == ["diverged", "gdp_per_capita_2040"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs.zarr"]


METRIC_NAMES = ["gdp_per_capita_2040", "capability_max", "gdp_per_capita_end"]


def test_failed_ensemble_leaves_nothing_behind(samples, tmp_path):
    path = tmp_path / "toy.mdl"
    shutil.copy(TOY, path)
    model = sd.load(path)
    path.write_text(TOY.read_text().replace("0.03\n", "0.04\n"))  # workers must reload: hash differs
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ModelFileError, match="changed since the ensemble was set up"):
        ensemble(model, samples, chunk_size=10, metrics=METRICS, store=out / "runs.zarr")
    assert list(out.iterdir()) == []


@pytest.mark.parametrize(
    "bad, match",
    [
        ({"reinvestment_share": [0.1, np.nan]}, r"'reinvestment_share' is missing \(NaN or infinite\) in 1 run"),
        ({"reinvestmnt_share": [0.1]}, r"unknown parameter 'reinvestmnt_share'.*Did you mean 'reinvestment_share'"),
        ({"gdp_per_capita": [0.1]}, r"'gdp_per_capita' is not a constant"),
        ({"reinvestment_share": [0.1, 0.2], "boom_size": [1.0]}, r"'boom_size' has 1 values, others have 2"),
        ({}, r"samples name no parameter"),
    ],
)
def test_bad_samples(toy, bad, match, tmp_path):
    with pytest.raises(AnalysisError, match=match):
        ensemble(toy, bad, store=tmp_path / "x.zarr")
    assert list(tmp_path.iterdir()) == []


def test_bad_metric_and_chunk_size(toy, samples):
    with pytest.raises(AnalysisError, match=r"metric 'gdp@2040'.*not in model"):
        ensemble(toy, samples, metrics=["gdp@2040"])
    with pytest.raises(AnalysisError, match=r"year 2100 is outside the run"):
        ensemble(toy, samples, metrics=["gdp_per_capita@2100"])
    with pytest.raises(AnalysisError, match="chunk_size must be a positive integer"):
        ensemble(toy, samples, chunk_size=0)


@pytest.fixture(scope="module")
def cluster_client():
    distributed = pytest.importorskip("dask.distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, memory_limit="1GiB")
    client = distributed.Client(cluster, set_as_default=False)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def test_local_cluster_gives_the_same_numbers(toy, samples, cluster_client, tmp_path):
    local = ensemble(toy, samples, chunk_size=6, metrics=METRICS).compute()
    remote = ensemble(toy, samples, chunk_size=6, metrics=METRICS, client=cluster_client)
    xr.testing.assert_identical(remote.compute(scheduler=cluster_client)[METRIC_NAMES],
                                local[METRIC_NAMES])
    # and streamed into a store by the workers
    stored = ensemble(toy, samples, chunk_size=6, metrics=METRICS, client=cluster_client,
                      store=tmp_path / "runs.zarr")
    xr.testing.assert_identical(stored.compute()[METRIC_NAMES], local[METRIC_NAMES])
    # the chunks ran in two other processes, each of which loaded the model from its file
    pids = cluster_client.run(os.getpid)
    assert os.getpid() not in pids.values() and len(set(pids.values())) == 2
    loaded = cluster_client.run(_loaded_model_files)
    assert any(str(TOY) in files for files in loaded.values())


def _loaded_model_files() -> list[str]:
    from sdmodel.analysis.ensembles import _LOADED

    return [spec.path for spec, _ in _LOADED]
