"""The analyses reach the fused backend through ``run_batch``'s default ``engine="auto"``.

Each analysis runs on a real model; the batch engine logs (DEBUG, ``sdmodel.batch.engine``)
which backend integrated each batch, and every batch of these unsubscripted models must have
gone through the fused kernel.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sdmodel as sd
from sdmodel.analysis.ensembles import ensemble
from sdmodel.analysis.sensitivity import sobol
from sdmodel.analysis.window import window_sweep

ROOT = Path(__file__).resolve().parent.parent
NP_PATH = ROOT / "models" / "validation" / "nelson_phelps.mdl"
PEREZ = ROOT / "models" / "perez" / "perez.mdl"


def backends(caplog) -> set[str]:
    return {rec.getMessage().split(": ")[1].split(" backend")[0] for rec in caplog.records
            if rec.name == "sdmodel.batch.engine" and " backend" in rec.getMessage()}


@pytest.fixture
def debug_log(caplog):
    caplog.set_level(logging.DEBUG, logger="sdmodel.batch.engine")
    return caplog


def test_run_batch_defaults_to_fused_and_says_so(debug_log):
    model = sd.load(NP_PATH)
    ds = model.run_batch({"catch_up_rate": np.array([0.1, 0.2])})
    assert ds.attrs["batch_backend"] == "fused"
    assert model.run_batch({"catch_up_rate": np.array([0.1])},
                           engine="numpy").attrs["batch_backend"] == "numpy"
    assert backends(debug_log) == {"fused", "numpy"}


def test_calibration_uses_fused(debug_log):
    model = sd.load(NP_PATH)
    truth = model.run({"catch_up_rate": 0.12}, final_time=40,
                      return_vars=["technological_capability"])
    fit = sd.calibrate(model, truth[["technological_capability"]].assign_attrs({}),
                       {"catch_up_rate": (0.05, 0.01, 0.5)}, progress=False)
    assert fit.params["catch_up_rate"].value == pytest.approx(0.12, rel=1e-4)
    assert backends(debug_log) == {"fused"}


def test_sensitivity_and_ensembles_use_fused(debug_log):
    model = sd.load(NP_PATH)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sobol(model, {"catch_up_rate": (0.05, 0.3), "frontier_growth_rate": (0.01, 0.03)},
              metrics=["technological_capability@50"], n=16, seed=0)
    samples = pd.DataFrame({"catch_up_rate": np.linspace(0.05, 0.3, 20)})
    ensemble(model, samples, chunk_size=10).compute()
    assert backends(debug_log) == {"fused"}


def test_window_sweep_uses_fused(debug_log):
    model = sd.load(PEREZ)
    sweep = window_sweep(model, [2005, 2010], [0.1, 0.2], start_lever="reinvestment_start_year",
                         share_lever="reinvestment_share", metric="gdp_per_capita", year=2040)
    assert np.isfinite(sweep.values).all()
    assert backends(debug_log) == {"fused"}
