"""The batch engine's run_batch contract: shapes, coordinates, chunking, divergence, inputs.

Oracles: PySD runs of the same parameter sets (``Model.run``) and closed-form solutions of
small models written for the test.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from conftest import MODELS, TEST_MODELS

import sdmodel as sd
from sdmodel.batch import compile_model, get_compiled

NELSON_PHELPS = MODELS / "validation" / "nelson_phelps.mdl"

DECAY = """{UTF-8}
stock = INTEG(-outflow, initial)
\t~\tunits
\t~\t|
outflow = stock * rate
\t~\tunits/Year
\t~\t|
rate = 0.1
\t~\t1/Year
\t~\t|
initial = 100
\t~\tunits
\t~\t|
blowup = 1 / (stock - 50)
\t~\t
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


@pytest.fixture(scope="module")
def np_model():
    return sd.load(NELSON_PHELPS)


@pytest.fixture()
def decay(tmp_path):
    path = tmp_path / "decay.mdl"
    path.write_text(DECAY)
    return sd.load(path)


def test_dims_coords_and_attrs(np_model):
    rates = np.linspace(0.05, 0.3, 7)
    ds = np_model.run_batch({"Catch Up Rate": rates})
    var = ds["technological_capability"]
    assert var.dims == ("run", "time")
    assert var.shape == (7, len(np_model.run()["time"]))
    np.testing.assert_array_equal(ds["catch_up_rate"].values, rates)
    assert ds["catch_up_rate"].dims == ("run",)
    assert var.attrs["long_name"] == "Technological Capability"
    assert var.attrs["units"] == np_model.units["technological_capability"]
    assert ds.attrs["engine"] == "batch"
    assert not ds["diverged"].any()


def test_each_run_equals_a_pysd_run(np_model):
    rates = np.array([0.02, 0.1, 0.4])
    growth = np.array([0.0, 0.015, 0.03])
    ds = np_model.run_batch({"catch_up_rate": rates, "frontier growth rate": growth})
    for i in range(3):
        ref = np_model.run({"catch_up_rate": rates[i], "frontier_growth_rate": growth[i]})
        for name in ("technological_capability", "catch_up", "world_frontier"):
            np.testing.assert_allclose(ds[name].isel(run=i), ref[name], rtol=1e-9)


def test_closed_form_exponential_decay(decay):
    rates = np.array([0.05, 0.1, 0.2])
    ds = decay.run_batch({"rate": rates}, return_vars=["stock"])
    t = ds["time"].values
    # Euler with dt = 0.5: stock(t) = 100 * (1 - 0.5 r)^(2t)
    expected = 100 * (1 - 0.5 * rates[:, None]) ** (2 * t[None, :])
    np.testing.assert_allclose(ds["stock"].values, expected, rtol=1e-12)
    assert list(ds.data_vars) == ["stock", "diverged"]


def test_saveper_sampling(decay):
    ds = decay.run_batch({"rate": [0.1]}, saveper=2.5)
    np.testing.assert_allclose(ds["time"].values, [0, 2.5, 5, 7.5, 10])
    ref = decay.run({"rate": 0.1}, saveper=2.5)
    np.testing.assert_allclose(ds["stock"].isel(run=0), ref["stock"], rtol=1e-12)


def test_chunking_gives_the_same_result(np_model):
    rates = np.linspace(0.01, 0.5, 25)
    whole = np_model.run_batch({"catch_up_rate": rates})
    chunked = np_model.run_batch({"catch_up_rate": rates}, chunk_size=4)
    xr.testing.assert_identical(whole.drop_attrs(), chunked.drop_attrs())


def test_dataframe_input(np_model):
    frame = pd.DataFrame({"catch_up_rate": [0.1, 0.2], "initial_capability": [0.2, 0.4]})
    ds = np_model.run_batch(frame)
    ref = np_model.run({"catch_up_rate": 0.2, "initial_capability": 0.4})
    np.testing.assert_allclose(ds["technological_capability"].isel(run=1),
                               ref["technological_capability"], rtol=1e-9)


def test_diverging_runs_are_flagged(decay):
    # r = 1 gives 100 * (1 - 0.5) = 50 at t = 0.5 -> division by zero in 'blowup' (saved when
    # SAVEPER = TIME STEP); the other rates never hit 50 exactly
    with pytest.warns(RuntimeWarning, match=r"^1 of 3 runs of 'decay' produced NaN or infinity "
                                            r"\(first: \[1\]\)"):
        ds = decay.run_batch({"rate": [0.1, 1.0, 0.2]}, saveper=0.5)
    np.testing.assert_array_equal(ds["diverged"].values, [False, True, False])
    assert np.isinf(ds["blowup"].isel(run=1)).any()


def test_subscripted_parameter_per_run_and_broadcast():
    model = sd.load(TEST_MODELS / "subscript_2d_arrays" / "test_subscript_2d_arrays.mdl")
    default = model.params["rate_a"]
    values = np.stack([default.values * 0.9, default.values * 1.1])
    ds = model.run_batch({"rate_a": values})
    for i in range(2):
        ref = model.run({"rate_a": default.copy(data=values[i])})
        for name in ref.data_vars:
            if name in ds.data_vars:
                np.testing.assert_allclose(
                    ds[name].isel(run=i).transpose(*ref[name].dims), ref[name], rtol=1e-9)
    scaled = model.run_batch({"rate_a": [0.5, 1.0]})  # one value per run for every cell
    assert scaled["rate_a"].dims == ("run", *default.dims)


def test_compiled_once_per_model(np_model):
    first = get_compiled(np_model)
    np_model.run_batch({"catch_up_rate": [0.1]})
    assert get_compiled(np_model) is first
    assert "def update" in first.source


def test_compiler_source_is_numpy_only(np_model):
    compiled = compile_model(np_model)
    assert "xr." not in compiled.source and "pysd" not in compiled.source


def test_run_batch_at_defaults_one_run(np_model):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = np_model.run_batch({"catch_up_rate": [np_model.params["catch_up_rate"]]})
    ref = np_model.run()
    np.testing.assert_allclose(ds["technological_capability"].isel(run=0),
                               ref["technological_capability"], rtol=1e-9)


SMOOTH_INT = """{UTF-8}
smoothed = SMOOTHI(input, smooth time, reference)
\t~\t
\t~\t|
input = 6.3 + gain * Time
\t~\t
\t~\t|
gain = 0.5
\t~\t
\t~\t|
smooth time = 2
\t~\t
\t~\t|
reference = 5
\t~\t
\t~\t|
literal = SMOOTH3I(input, 3, 2)
\t~\t
\t~\t|
FINAL TIME = 5
\t~\t
\t~\t|
INITIAL TIME = 0
\t~\t
\t~\t|
SAVEPER = 0.25
\t~\t
\t~\t|
TIME STEP = 0.25
\t~\t
\t~\t|
"""


@pytest.mark.parametrize("varied", ["gain", "reference"])
def test_smooth_with_integer_initial_follows_pysd(tmp_path, varied):
    """PySD holds a smooth whose initial value is an integer in an integer array (its first
    step truncates the input); the batch engine reproduces that, unless the integer constant
    is set by the run (then PySD's state is a float array too)."""
    path = tmp_path / "smooth_int.mdl"
    path.write_text(SMOOTH_INT)
    model = sd.load(path)
    values = np.array([0.9, 1.0, 1.2]) * model.params[varied]
    ds = model.run_batch({varied: values})
    for i, value in enumerate(values):
        ref = model.run({varied: float(value)})
        for name in ("smoothed", "literal"):
            np.testing.assert_allclose(ds[name].isel(run=i), ref[name], rtol=1e-9)
