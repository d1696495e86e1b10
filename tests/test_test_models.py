"""Every Vensim model of ``../shared/test-models`` through sd.load and Model.run, against
Vensim's canonical output (rtol = atol = 1e-5, constants filled down, as PySD's suite does)."""

from __future__ import annotations

import warnings

import pytest

import sdmodel as sd
from sdmodel.canonical import compare_with_canonical, find_canonical, read_canonical

from conftest import TEST_MODELS

# Looser tolerances, with the reason (the same choices as PySD's own integration suite).
TOLERANCE = {
    "allocate_available": 2e-2,  # ALLOCATE AVAILABLE's iterative solution; PySD's suite: 2e-2
    "Roessler_Chaos": 1e-2,  # chaotic: the six-digit rounding of its inputs grows to ~0.6 %
}
KNOWN_PYSD_LIMITATIONS = {
    "Query_file": "uses RANDOM UNIFORM: PySD's random stream is not Vensim's",
}


def _model_files():
    files = sorted(p for p in TEST_MODELS.glob("*/*") if p.suffix.lower() in sd.loading.SUPPORTED)
    params = []
    for path in files:
        folder = path.parent.name
        marks = []
        if folder in KNOWN_PYSD_LIMITATIONS:
            marks.append(pytest.mark.xfail(reason=KNOWN_PYSD_LIMITATIONS[folder], strict=True))
        params.append(pytest.param(path, id=f"{folder}/{path.name}", marks=marks))
    return params


MODEL_FILES = _model_files()


def test_collection_is_complete():
    assert len(MODEL_FILES) >= 80, f"only {len(MODEL_FILES)} test models found in {TEST_MODELS}"


@pytest.mark.parametrize("path", MODEL_FILES)
def test_matches_canonical_output(path):
    canon = read_canonical(find_canonical(path))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = sd.load(path)
        ds = model.run()
    tol = TOLERANCE.get(path.parent.name, 1e-5)
    problems = compare_with_canonical(ds, canon, model, rtol=tol, atol=tol)
    assert not problems, f"{len(problems)} columns differ: " + "; ".join(problems[:5])
    # no translation was written beside the model
    assert not path.with_suffix(".py").exists()
