"""Batch engine against PySD: random perturbations of constants, same trajectories (1e-9).

For each test model the batch compiler accepts and that has scalar constants, 20 parameter
sets (every scalar constant scaled by a factor drawn in [0.8, 1.2]) are run once through
``run_batch`` and 20 times through PySD (``Model.run``); trajectories must agree to 1e-9
relative. The oracle is PySD itself, an independent engine.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from conftest import TEST_MODELS

import sdmodel as sd
from sdmodel.batch import get_compiled
from sdmodel.exceptions import SDModelError

N_RUNS = 20
MODEL_FILES = sorted(TEST_MODELS.glob("*/*.mdl")) if TEST_MODELS.is_dir() else []


def _accepted(path):
    try:
        model = sd.load(path)
        get_compiled(model)
    except SDModelError:
        return None
    return model


def _perturbations(model, rng):
    scalars = {k: v for k, v in model.params.items() if np.ndim(v) == 0}
    return {k: v * rng.uniform(0.8, 1.2, N_RUNS) for k, v in scalars.items()}


def compare(model, seed: int = 0) -> list[str]:
    """Run the perturbation comparison; return the mismatching ``variable@run`` labels."""
    rng = np.random.default_rng(seed)
    params = _perturbations(model, rng)
    if not params:
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = model.run_batch(params)
        bad = []
        for run in range(N_RUNS):
            ref = model.run({k: float(v[run]) for k, v in params.items()})
            for name in ref.data_vars:
                if name not in ds.data_vars:
                    continue
                a = ds[name].isel(run=run).values
                b = ref[name].transpose(*ds[name].isel(run=run).dims).values
                if not np.allclose(a, b, rtol=1e-9, atol=1e-12, equal_nan=True):
                    bad.append(f"{name}@{run}")
    return bad


@pytest.mark.parametrize("path", MODEL_FILES, ids=[p.parent.name for p in MODEL_FILES])
def test_perturbed_runs_match_pysd(path):
    model = _accepted(path)
    if model is None:
        pytest.skip("not accepted by the batch compiler (counted in test_batch_canonical)")
    if not any(np.ndim(v) == 0 for v in model.params.values()):
        pytest.skip("no scalar constants to perturb")
    try:
        model.run()
    except SDModelError as err:
        pytest.skip(f"PySD path cannot run it through Model.run: {err}")
    assert compare(model) == []
