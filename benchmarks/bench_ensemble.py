"""Ensemble throughput on a two-process LocalCluster against one worker (target >= 1.6x).

Run with ``make bench`` or ``.venv/bin/python -m pytest benchmarks/bench_ensemble.py
--benchmark-only``. Each case runs the same ensemble of the reference model (scalar metrics
only, ``RUNS`` runs in chunks of ``CHUNK``) on a fresh cluster of one or two single-threaded
worker processes; cluster start-up and the workers' first model load are outside the timing.
The speed-up is reported in ``extra_info`` of the two-worker case and printed at the end.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest

import sdmodel as sd

distributed = pytest.importorskip("dask.distributed")

MODELS = Path(__file__).resolve().parents[1] / "models"

RUNS = 200_000
CHUNK = 10_000
METRICS = ["gdp_per_capita@2040", "max(real_exchange_rate)", "non_resource_export_share@2040"]
UNCERTAIN = ["frontier_growth_rate", "catch_up_elasticity", "rent_spending_multiplier", "price_boom_scale"]
_TIMES: dict[int, float] = {}


@pytest.fixture(scope="module")
def reference():
    path = MODELS / "perez" / "perez.mdl"
    if not path.is_file():
        pytest.skip("the reference model is not in the tree")
    model = sd.load(path)
    samples = sd.analysis.latin_hypercube(model, UNCERTAIN, RUNS, seed=1)
    return model, samples


@pytest.mark.parametrize("workers", [1, 2])
def test_ensemble_throughput(benchmark, reference, workers):
    model, samples = reference
    with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster, set_as_default=False) as client:
        # warm-up: every worker loads and compiles the model once
        warm = sd.ensemble(model, samples.iloc[: 2 * workers], chunk_size=1, metrics=METRICS, client=client)
        warm.compute(scheduler=client)

        def run():
            ds = sd.ensemble(model, samples, chunk_size=CHUNK, metrics=METRICS, client=client)
            return ds.compute(scheduler=client)

        result = benchmark.pedantic(run, rounds=2, iterations=1)
    assert result.sizes["run"] == RUNS and np.isfinite(result["gdp_per_capita_2040"].values).all()
    _TIMES[workers] = benchmark.stats.stats.min
    benchmark.extra_info["load_average_1min"] = os.getloadavg()[0]  # other work on the machine
    benchmark.extra_info["runs_per_second"] = RUNS / benchmark.stats.stats.min
    if len(_TIMES) == 2:
        speedup = _TIMES[1] / _TIMES[2]
        benchmark.extra_info["speedup_two_vs_one_worker"] = speedup
        print(f"\nensemble of {RUNS} runs: 1 worker {_TIMES[1]:.2f} s, 2 workers {_TIMES[2]:.2f} s, "
              f"speed-up {speedup:.2f}x (target >= 1.6x)")


def test_ensemble_speedup_interleaved(benchmark, reference):
    """Both clusters alive at once, 1- and 2-worker runs alternated: robust to drifting load."""
    model, samples = reference
    times, chunk_seconds, busy_share = {1: [], 2: []}, {1: [], 2: []}, {1: [], 2: []}
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as one, \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                     dashboard_address=None) as two, \
            distributed.Client(one, set_as_default=False) as c1, \
            distributed.Client(two, set_as_default=False) as c2:
        clients = {1: c1, 2: c2}
        for workers, client in clients.items():
            sd.ensemble(model, samples.iloc[: 2 * workers], chunk_size=1, metrics=METRICS,
                        client=client).compute(scheduler=client)

        def once(workers):
            client = clients[workers]
            with distributed.get_task_stream(client=client) as stream:
                start = time.perf_counter()
                sd.ensemble(model, samples, chunk_size=CHUNK, metrics=METRICS, client=client).compute(scheduler=client)
                wall = time.perf_counter() - start
            busy = sum(s["stop"] - s["start"] for task in stream.data for s in task["startstops"]
                       if s["action"] == "compute")
            times[workers].append(wall)
            chunk_seconds[workers].append(busy / -(-RUNS // CHUNK))
            busy_share[workers].append(busy / (wall * workers))

        def alternate():
            once(1)
            once(2)

        benchmark.pedantic(alternate, rounds=3, iterations=1)
    speedup = min(times[1]) / min(times[2])
    # busy share near 1 with two workers: dask keeps both busy, so a speed-up short of 2x comes
    # from each chunk running slower when two run at once (shared cores, memory bandwidth)
    info = dict(best_1_worker_s=min(times[1]), best_2_workers_s=min(times[2]),
                speedup_two_vs_one_worker=speedup, load_average_1min=os.getloadavg()[0],
                chunk_s_1_worker=min(chunk_seconds[1]), chunk_s_2_workers=min(chunk_seconds[2]),
                worker_busy_share_2_workers=max(busy_share[2]))
    benchmark.extra_info.update(info)
    print(f"\ninterleaved, best of 3: 1 worker {info['best_1_worker_s']:.2f} s, 2 workers "
          f"{info['best_2_workers_s']:.2f} s, speed-up {speedup:.2f}x (target >= 1.6x); seconds per "
          f"chunk {info['chunk_s_1_worker']:.3f} (1 worker) vs {info['chunk_s_2_workers']:.3f} "
          f"(2 workers), workers busy {info['worker_busy_share_2_workers']:.0%} of the time; load "
          f"average {info['load_average_1min']:.1f} on {os.cpu_count()} cores")
