"""run_batch over a window other than the model's own (``initial_time``/``final_time``).

Oracle: PySD runs with the same window (``Model.run(initial_time=..., final_time=...)``,
i.e. PySD's ``initial_condition=(t, {})``: stateful initial values are computed at the
model's own INITIAL TIME, then the run starts from that state at ``t`` with INITIAL TIME =
``t``), on a validation model whose equations read ``Time - INITIAL TIME``, on the reference
model (whose price lookup reads ``Time``) and on a model whose initial values read the
clock; and the closed form of Euler decay started at a shifted time.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import MODELS

import sdmodel as sd
from sdmodel.batch import run_batch
from sdmodel.exceptions import ParameterError, SimulationError

NELSON_PHELPS = MODELS / "validation" / "nelson_phelps.mdl"
PEREZ = MODELS / "perez" / "perez.mdl"

DECAY = """{UTF-8}
stock = INTEG(-stock * rate, 100)
\t~\tunits
\t~\t|
rate = 0.1
\t~\t1/Year
\t~\t|
FINAL TIME = 10
\t~\tYear
\t~\t|
INITIAL TIME = 0
\t~\tYear
\t~\t|
SAVEPER = 1
\t~\tYear
\t~\t|
TIME STEP = 0.5
\t~\tYear
\t~\t|
"""

CLOCK = """{UTF-8}
stock = INTEG(growth, Time + 2 * INITIAL TIME)
\t~\tYear
\t~\t|
growth = 1 + rate * (Time - INITIAL TIME) + 0 * marker
\t~\t
\t~\t|
rate = 0.01
\t~\t1/Year
\t~\t|
marker = INITIAL(Time)
\t~\tYear
\t~\t|
smoothed = SMOOTH(Time, 3)
\t~\tYear
\t~\t|
offset = INITIAL TIME + 1
\t~\tYear
\t~\t|
FINAL TIME = 20
\t~\tYear
\t~\t|
INITIAL TIME = 0
\t~\tYear
\t~\t|
SAVEPER = 1
\t~\tYear
\t~\t|
TIME STEP = 0.25
\t~\tYear
\t~\t|
"""


@pytest.fixture(scope="module")
def np_model():
    return sd.load(NELSON_PHELPS)


@pytest.fixture(scope="module")
def perez():
    return sd.load(PEREZ)


@pytest.mark.parametrize("window", [(10.0, 35.0), (-5.0, 20.0), (0.0, 12.0), (40.0, 40.0)])
def test_shifted_window_equals_pysd_validation_model(np_model, window):
    t0, t1 = window
    rates = np.array([0.03, 0.2])
    growth = np.array([0.01, 0.025])
    ds = np_model.run_batch({"catch_up_rate": rates, "frontier_growth_rate": growth},
                            initial_time=t0, final_time=t1)
    np.testing.assert_allclose(ds["time"].values, np.arange(t0, t1 + 1))
    for i in range(2):
        ref = np_model.run({"catch_up_rate": rates[i], "frontier_growth_rate": growth[i]},
                           initial_time=t0, final_time=t1)
        for name in ("technological_capability", "catch_up", "world_frontier"):
            np.testing.assert_allclose(ds[name].isel(run=i), ref[name], rtol=1e-9, atol=1e-12)


def test_only_one_end_given(np_model):
    late = np_model.run_batch({"catch_up_rate": [0.1]}, initial_time=60)
    assert late["time"].values[[0, -1]].tolist() == [60, 100]
    ref = np_model.run({"catch_up_rate": 0.1}, initial_time=60)
    np.testing.assert_allclose(late["world_frontier"].isel(run=0), ref["world_frontier"],
                               rtol=1e-9)
    short = run_batch(np_model, {"catch_up_rate": [0.1]}, final_time=7)
    assert short["time"].values[[0, -1]].tolist() == [0, 7]


@pytest.mark.parametrize("window", [(1990.0, 2019.0), (2005.0, 2030.0)])
def test_shifted_window_equals_pysd_reference_model(perez, window):
    t0, t1 = window
    params = {"rer_commodity_elasticity": np.array([0.2, 0.8]),
              "progress_ratio": np.array([0.75, 0.9]),
              "reinvestment_start_year": np.array([t0, t0 + 5])}
    names = ["gdp", "gdp_per_capita", "real_exchange_rate", "human_capital",
             "relative_capability", "resource_rents", "tradable_output", "nontradable_price"]
    ds = perez.run_batch(params, initial_time=t0, final_time=t1, return_vars=names)
    assert ds["time"].values[0] == t0 and ds["time"].values[-1] == t1
    for i in range(2):
        ref = perez.run({k: float(v[i]) for k, v in params.items()}, initial_time=t0,
                        final_time=t1, return_vars=names)
        for name in names:
            np.testing.assert_allclose(ds[name].isel(run=i), ref[name], rtol=1e-9, atol=1e-12,
                                       err_msg=name)


def test_closed_form_decay_from_shifted_start(tmp_path):
    path = tmp_path / "decay.mdl"
    path.write_text(DECAY)
    model = sd.load(path)
    rates = np.array([0.05, 0.2])
    ds = model.run_batch({"rate": rates}, initial_time=3, final_time=8)
    t = ds["time"].values
    np.testing.assert_allclose(t, np.arange(3, 9))
    expected = 100 * (1 - 0.5 * rates[:, None]) ** (2 * (t[None, :] - 3))
    np.testing.assert_allclose(ds["stock"].values, expected, rtol=1e-12)


@pytest.mark.parametrize("kw", [dict(initial_time=20, final_time=10), dict(final_time=-1),
                                dict(initial_time=float("nan")), dict(initial_time="1990"),
                                dict(final_time=True)])
def test_bad_window_is_refused(np_model, kw):
    with pytest.raises(SimulationError, match="final_time|initial_time"):
        np_model.run_batch({"catch_up_rate": [0.1]}, **kw)
    with pytest.raises(SimulationError, match="final_time|initial_time"):
        run_batch(np_model, {"catch_up_rate": [0.1]}, **kw)


def test_constraints_run_with_the_requested_window(perez):
    # a start year before or after the requested window is accepted (from the start / never);
    # a non-finite one is refused whatever the window
    with pytest.raises(ParameterError, match="not a finite year"):
        perez.run_batch({"reinvestment_start_year": np.array([np.nan])}, initial_time=2015,
                        final_time=2030)
    ds = perez.run_batch({"reinvestment_start_year": np.array([2010.0, 2040.0])},
                         initial_time=2015, final_time=2030, return_vars=["gdp"])
    assert ds["time"].values[0] == 2015


@pytest.mark.parametrize("window", [(5.0, 15.0), (-4.0, 6.0)])
def test_initial_values_reading_the_clock_follow_pysd(tmp_path, window):
    path = tmp_path / "clock.mdl"
    path.write_text(CLOCK)
    model = sd.load(path)
    names = ["stock", "growth", "marker", "smoothed", "offset"]
    rates = np.array([0.01, 0.05])
    ds = model.run_batch({"rate": rates}, return_vars=names, initial_time=window[0],
                         final_time=window[1])
    for i in range(2):
        ref = model.run({"rate": rates[i]}, return_vars=names, initial_time=window[0],
                        final_time=window[1])
        for name in names:
            np.testing.assert_allclose(ds[name].isel(run=i), ref[name], rtol=1e-12,
                                       err_msg=name)
    # PySD's semantics: statefuls initialised at the model's own start (0), clock moved after
    assert ds["marker"].isel(run=0).values[0] == 0.0
    assert ds["offset"].isel(run=0).values[0] == window[0] + 1
