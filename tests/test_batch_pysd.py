"""Batch engine against PySD: random perturbations of constants, same trajectories (1e-9).

For each test model the batch compiler accepts and that has constants, 20 parameter
sets (every constant, cell by cell, scaled by a factor drawn in [0.8, 1.2]) are run once through
``run_batch`` and 20 times through PySD; trajectories must agree to 1e-9
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
from sdmodel.results import pysd_output_to_dataset

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
    """Every constant scaled by factors in [0.8, 1.2]: per run, and per cell if subscripted."""
    out = {}
    for name, value in model.params.items():
        arr = np.asarray(value, dtype=float)
        out[name] = arr[None, ...] * rng.uniform(0.8, 1.2, (N_RUNS, *arr.shape))
    return out


def _pysd_params(model, params, run):
    out = {}
    for name, values in params.items():
        default = model.params[name]
        if np.ndim(default) == 0:
            out[name] = float(values[run])
        else:
            out[name] = default.copy(data=values[run])
    return out


def compare(model, seed: int = 0) -> list[str]:
    """Run the perturbation comparison; return the mismatching ``variable@run`` labels."""
    rng = np.random.default_rng(seed)
    params = _perturbations(model, rng)
    if not params:
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ds = model.run_batch(params)
        except ValueError as err:  # e.g. a perturbed allocation priority type PySD refuses too
            return [] if _pysd_refuses(model, params, type(err)) else [f"batch raised {err!r}"]
        bad = []
        compared = 0
        pysd_model = model.pysd
        for run in range(N_RUNS):
            # PySD directly (Model.run would reload the model before every run); each run sets
            # every perturbed constant, so no run inherits another's values.
            frame = pysd_model.run(params=_pysd_params(model, params, run), flatten_output=False)
            ref = pysd_output_to_dataset(frame, model, params={}, settings=model.time_settings)
            for name in ref.data_vars:
                if name not in ds.data_vars:
                    continue
                a = ds[name].isel(run=run).values
                b = ref[name].transpose(*ds[name].isel(run=run).dims).values
                if not np.allclose(a, b, rtol=1e-9, atol=1e-12, equal_nan=True):
                    bad.append(f"{name}@{run}")
                compared += 1
        pysd_model.reload()
    return bad if compared else ["no variable was compared"]


def _pysd_refuses(model, params, error) -> bool:
    """Whether PySD raises ``error`` for at least one of the parameter sets."""
    pysd_model = model.pysd
    try:
        for run in range(N_RUNS):
            try:
                pysd_model.run(params=_pysd_params(model, params, run))
            except error:
                return True
        return False
    finally:
        pysd_model.reload()


def test_the_test_models_are_there():
    assert len(MODEL_FILES) > 10, f"only {len(MODEL_FILES)} test models in {TEST_MODELS}"


@pytest.mark.parametrize("path", MODEL_FILES, ids=[p.parent.name for p in MODEL_FILES])
def test_perturbed_runs_match_pysd(path):
    model = _accepted(path)
    if model is None:
        pytest.skip("not accepted by the batch compiler (counted in test_batch_canonical)")
    if not model.params:
        pytest.skip("no constants to perturb")
    computed = [py for py, kind in model.doc["kind"].items()
                if kind not in ("Constant", "") and py not in ("saveper", "time_step")]
    if not computed:
        pytest.skip("only constants: nothing computed to compare")
    try:
        model.run()
    except SDModelError as err:
        pytest.skip(f"PySD path cannot run it through Model.run: {err}")
    assert compare(model) == []
