"""Measure a 1 000 000-run ensemble of the reference model streamed into a zarr store.

Not a CI test: a measurement for the record (issue 8). Starts a ``LocalCluster`` of single-
threaded worker processes, samples the uncertain parameters by Latin hypercube, runs
:func:`sdmodel.ensemble` keeping only scalar metrics, and polls every worker process's resident
memory (RSS, via psutil, every 0.1 s) to report the peak. Afterwards it reopens the store,
checks its size, and re-runs a few random rows through ``Model.run`` (PySD) to compare.

Usage::

    .venv/bin/python benchmarks/measure_ensemble_1m.py --runs 1000000 --workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil

import sdmodel as sd

REFERENCE = Path(__file__).resolve().parents[1] / "models" / "perez" / "perez.mdl"
METRICS = ["gdp_per_capita@2040", "max(real_exchange_rate)", "non_resource_export_share@2040",
           "poverty_rate@2040", "sovereign_fund@end"]
UNCERTAIN = ["frontier_growth_rate", "catch_up_elasticity", "rent_spending_multiplier",
             "price_boom_scale", "reinvestment_share", "reinvestment_start_year"]


class PeakRSS:
    """Poll the resident memory of some processes in a background thread."""

    def __init__(self, pids, interval=0.1):
        self.procs = {pid: psutil.Process(pid) for pid in pids}
        self.peak = {pid: 0 for pid in pids}
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self):
        while not self._stop.is_set():
            for pid, proc in self.procs.items():
                try:
                    self.peak[pid] = max(self.peak[pid], proc.memory_info().rss)
                except psutil.Error:
                    pass
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def main(argv=None) -> dict:
    from dask.distributed import Client, LocalCluster

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--store", default=None, help="zarr store (default: a temporary folder)")
    parser.add_argument("--json", default=None, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)

    model = sd.load(REFERENCE)
    samples = sd.analysis.latin_hypercube(model, UNCERTAIN, args.runs, seed=1)
    tmp = None
    if args.store is None:
        tmp = tempfile.mkdtemp(prefix="sdmodel-ensemble-")
        store = Path(tmp) / "runs.zarr"
    else:
        store = Path(args.store)
    driver = psutil.Process()
    try:
        with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                          dashboard_address=None, memory_limit="8GiB") as cluster, \
                Client(cluster, set_as_default=False) as client:
            pids = list(client.run(os.getpid).values())
            with PeakRSS(pids + [driver.pid]) as rss:
                start = time.perf_counter()
                ds = sd.ensemble(model, samples, client=client, chunk_size=args.chunk,
                                 metrics=METRICS, store=store, overwrite=True)
                elapsed = time.perf_counter() - start
        size = sum(f.stat().st_size for f in store.rglob("*") if f.is_file())
        check = ds.isel(run=np.random.default_rng(2).choice(args.runs, 3, replace=False)).compute()
        worst = 0.0
        for i in range(3):
            row = {p: float(check[p].values[i]) for p in UNCERTAIN}
            ref = model.run(row, return_vars=["gdp_per_capita"])["gdp_per_capita"].sel(time=2040)
            worst = max(worst, abs(float(check["gdp_per_capita_2040"].values[i]) / float(ref) - 1))
        figures = {
            "runs": args.runs,
            "chunk_size": args.chunk,
            "workers": args.workers,
            "seconds": round(elapsed, 2),
            "runs_per_second": round(args.runs / elapsed, 1),
            "peak_worker_rss_MiB": {str(pid): round(rss.peak[pid] / 2**20, 1) for pid in pids},
            "peak_worker_rss_max_MiB": round(max(rss.peak[p] for p in pids) / 2**20, 1),
            "peak_driver_rss_MiB": round(rss.peak[driver.pid] / 2**20, 1),
            "store_MiB": round(size / 2**20, 2),
            "store_runs": int(ds.sizes["run"]),
            "store_variables": sorted(ds.data_vars),
            "finite_share_gdp_2040": float(np.isfinite(ds["gdp_per_capita_2040"]).mean().compute()),
            "max_rel_diff_vs_pysd_3_rows": worst,
        }
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(figures, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main()
