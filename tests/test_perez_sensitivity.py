"""One-at-a-time sensitivity of the Pérez model's behaviours (recorded in models/perez/README.md).

Every documented parameter (policy levers and scenario switches excepted) is moved to each end
of its range; the behaviours of DESIGN.md section 4 are re-checked. The flips found are findings
about the model, explained in the README; this test keeps the README's list current.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import sdmodel as sd
from conftest import MODELS
from sdmodel.perez.behaviours import BEHAVIOURS, behaviours, sensitivity

#: (parameter, end) -> behaviours that no longer hold; explained in models/perez/README.md.
EXPECTED_FLIPS = {
    ("consumption_nontradable_content", "low"): {"reinvest: less appreciation"},
}


@pytest.fixture(scope="module")
def model():
    return sd.load(MODELS / "perez" / "perez.mdl")


def test_batch_engine_agrees_with_pysd_on_the_model(model):
    params = {"reinvestment_share": 0.5, "fund_share": 0.3, "fund_spending_rule": 1}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = model.run(params)
        batch = model.run_batch({k: np.array([v]) for k, v in params.items()})
    for v in ("gdp_per_capita", "real_exchange_rate", "sovereign_fund", "poverty_rate",
              "export_sophistication"):
        np.testing.assert_allclose(batch[v].isel(run=0).values, ref[v].values, rtol=1e-9,
                                   err_msg=v)


def test_all_behaviours_hold_at_the_defaults(model):
    flags = behaviours(model)
    assert list(flags) == list(BEHAVIOURS)
    assert all(flags.values()), [k for k, v in flags.items() if not v]


@pytest.mark.slow
def test_one_at_a_time_flips_are_the_documented_ones(model):
    table = sensitivity(model)
    assert len(table) > 150   # 80+ parameters x 2 ends, plus the defaults row
    flips = {}
    for _, row in table.iterrows():
        failed = {k for k in BEHAVIOURS if not row[k]}
        if failed:
            flips[(row["parameter"], row["end"])] = failed
    assert flips == EXPECTED_FLIPS
    readme = (MODELS / "perez" / "README.md").read_text(encoding="utf-8")
    for (param, end), _ in EXPECTED_FLIPS.items():
        assert f"`{param}` {end}" in readme, f"README does not explain the flip {param} {end}"
