"""Synthetic recovery on the reference model, for each method: data generated with known
structural parameters plus 2 % noise, calibrated from a distant start through the batch
engine (budgets and tolerances kept small so the file stays quick; the global searches are
polished by least squares)."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import sdmodel as sd
from conftest import MODELS

PEREZ = MODELS / "perez" / "perez.mdl"
pytestmark = pytest.mark.skipif(not PEREZ.is_file(), reason="no reference model yet")

TRUE = {"rer_commodity_elasticity": 0.5, "rer_half_life": 1.0, "base_unit_extraction_cost": 0.65,
        "price_boom_scale": 0.7}
START = {"rer_commodity_elasticity": (0.3, 0.2, 0.8), "rer_half_life": (0.5, 0.33, 2.0),
         "base_unit_extraction_cost": (0.8, 0.5, 0.85),
         "price_boom_scale": (0.4, 0.0, 1.0)}
MAPPING = {"rer": "real_exchange_rate", "rents": "100 * resource_rents / gdp",
           "manufacturing": "100 * other_tradables_output / gdp"}


@pytest.fixture(scope="module")
def perez():
    return sd.load(PEREZ)


@pytest.fixture(scope="module")
def observed(perez):
    ds = perez.run(TRUE, final_time=2019)
    rng = np.random.default_rng(1)
    series = {
        "rer": ds["real_exchange_rate"],
        "rents": 100 * ds["resource_rents"] / ds["gdp"],
        "manufacturing": 100 * ds["other_tradables_output"] / ds["gdp"],
    }
    return xr.Dataset({k: v * (1 + 0.02 * rng.standard_normal(v.size))
                       for k, v in series.items()})


@pytest.mark.slow
@pytest.mark.parametrize("method, options", [
    ("least_squares", None),
    ("L-BFGS-B", None),
    ("Nelder-Mead", {"xatol": 1e-4, "fatol": 1e-4, "adaptive": True}),
    ("Powell", {"xtol": 1e-3, "ftol": 1e-3}),
    ("differential_evolution", {"maxiter": 10, "popsize": 6}),
    ("dual_annealing", {"maxiter": 5}),
])
def test_reference_model_synthetic_recovery(perez, observed, method, options):
    fit = sd.calibrate(perez, observed, START, mapping=MAPPING, method=method, seed=1,
                       options=options, progress=False)
    assert not fit.interrupted and fit.at_bound == []
    if hasattr(perez, "run_batch"):
        assert fit.engine == "batch"
    for name, true in TRUE.items():
        p = fit.params[name]
        assert abs(p.value - true) <= 2 * p.stderr, (name, p.value, p.stderr)
        assert abs(p.value - true) <= 0.10 * abs(p.value), (name, p.value)
    assert min(fit.r2.values()) > 0.9
