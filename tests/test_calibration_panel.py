"""Panel calibration on the Nelson-Phelps validation model: units differ by their starting
capability (fixed per unit), share the frontier's growth and have their own catch-up rates."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import sdmodel as sd
from sdmodel.calibration.panel import PanelUnit, calibrate_panel
from sdmodel.exceptions import CalibrationError

from conftest import MODELS

NP_PATH = MODELS / "validation" / "nelson_phelps.mdl"
TRUTH = {"A": (0.2, 0.08), "B": (0.3, 0.12), "C": (0.5, 0.16)}  # unit: (A0, phi)
LAMBDA = 0.02
TIMES = np.arange(0.0, 31.0)


@pytest.fixture(scope="module")
def np_model():
    return sd.load(NP_PATH)


def units(model, noise=0.0, seed=0):
    rng = np.random.default_rng(seed)
    out = {}
    for code, (a0, phi) in TRUTH.items():
        ds = model.run({"initial_capability": a0, "catch_up_rate": phi, "frontier_growth_rate": LAMBDA},
                       final_time=30)
        y = ds["technological_capability"].sel(time=TIMES).values + noise * rng.standard_normal(TIMES.size)
        obs = xr.Dataset({"technological_capability": ("time", y)}, coords={"time": TIMES})
        out[code] = PanelUnit(obs, fixed={"initial_capability": a0})
    return out


def test_shared_and_specific_constants_are_recovered(np_model):
    fit = calibrate_panel(np_model, units(np_model), shared={"frontier_growth_rate": (0.0, 0.05)},
                          specific={"catch_up_rate": (0.01, 0.5)})
    assert fit.shared["frontier_growth_rate"] == pytest.approx(LAMBDA, rel=1e-5)
    for code, (_, phi) in TRUTH.items():
        assert fit.specific[code]["catch_up_rate"] == pytest.approx(phi, rel=1e-5)
        assert fit.unit_stats[code]["r2"]["technological_capability"] == pytest.approx(1.0, abs=1e-9)
    assert fit.at_bounds == []
    assert set(fit.values) == {"frontier_growth_rate", "catch_up_rate[A]", "catch_up_rate[B]", "catch_up_rate[C]"}
    assert "catch_up_rate[B]" in fit.report()


def test_strong_pooling_gives_the_shared_fit(np_model):
    data = units(np_model, noise=0.01, seed=3)
    pooled = calibrate_panel(np_model, data, shared={"frontier_growth_rate": (0.0, 0.05)},
                             specific={"catch_up_rate": (0.01, 0.5)}, pooling={"catch_up_rate": 1e-7})
    common = calibrate_panel(np_model, data, shared={"frontier_growth_rate": (0.0, 0.05),
                                                     "catch_up_rate": (0.01, 0.5)})
    for code in TRUTH:
        assert pooled.specific[code]["catch_up_rate"] == pytest.approx(common.shared["catch_up_rate"], rel=1e-4)
    assert pooled.means["catch_up_rate"] == pytest.approx(common.shared["catch_up_rate"], rel=1e-4)
    # weak pooling leaves the units free: it is the unpooled fit
    free = calibrate_panel(np_model, data, shared={"frontier_growth_rate": (0.0, 0.05)},
                           specific={"catch_up_rate": (0.01, 0.5)})
    weak = calibrate_panel(np_model, data, shared={"frontier_growth_rate": (0.0, 0.05)},
                           specific={"catch_up_rate": (0.01, 0.5)}, pooling={"catch_up_rate": 1e3})
    for code in TRUTH:
        assert weak.specific[code]["catch_up_rate"] == pytest.approx(free.specific[code]["catch_up_rate"], rel=1e-4)


@pytest.mark.parametrize("kwargs, words", [
    (dict(shared={"catch_up_rate": (0.01, 0.5)}, specific={"catch_up_rate": (0.01, 0.5)}), "both shared and specific"),
    (dict(specific={"catch_up_rate": (0.01, 0.5)}, pooling={"frontier_growth_rate": 0.1}), "is not a varying specific"),
    (dict(specific={"catch_up_rate": (0.01, 0.5)}, pooling={"catch_up_rate": 0.0}), "must be a finite number > 0"),
    (dict(shared={"initial_capability": (0.1, 0.9)}), "fixes ['initial_capability']"),
    (dict(), "no constant varies"),
])
def test_bad_panels_are_refused(np_model, kwargs, words):
    with pytest.raises(CalibrationError) as err:
        calibrate_panel(np_model, units(np_model), **kwargs)
    assert words in str(err.value)


def test_a_single_unit_is_not_a_panel(np_model):
    one = dict(list(units(np_model).items())[:1])
    with pytest.raises(CalibrationError, match="at least two units"):
        calibrate_panel(np_model, one, shared={"frontier_growth_rate": (0.0, 0.05)})


def test_leave_one_out_against_the_mean_path(np_model):
    from sdmodel.calibration.panel import leave_one_out

    data = units(np_model, noise=0.005, seed=1)
    table = leave_one_out(np_model, data, shared={"frontier_growth_rate": (0.0, 0.05)},
                          specific={"catch_up_rate": (0.01, 0.5)})
    assert list(table.index.get_level_values("unit")) == ["A", "B", "C"]
    # the benchmark for B is the average of A's and C's observed paths: recompute it by hand
    obs = {c: u.observed["technological_capability"].values for c, u in data.items()}
    bench_b = (obs["A"] + obs["C"]) / 2
    expected = float(np.sqrt(np.mean((obs["B"] - bench_b) ** 2)))
    assert table.loc[("B", "technological_capability"), "rmse_mean_path"] == pytest.approx(expected, rel=1e-12)
    # the units differ by their (known, fixed) starting capability: the model, which is told
    # it, predicts each left-out unit better than the others' average path does
    assert table["beats_benchmark"].all()
    with pytest.raises(CalibrationError, match="at least three units"):
        leave_one_out(np_model, dict(list(data.items())[:2]), shared={"frontier_growth_rate": (0.0, 0.05)})
