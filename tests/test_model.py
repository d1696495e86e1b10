"""The Model facade: parameters, units, documentation and runs as xarray Datasets.

Oracles: the Nelson-Phelps closed form for a run's values, PySD's own run for subscripts.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import sdmodel as sd

from conftest import MODELS, TEST_MODELS

NELSON_PHELPS = MODELS / "validation" / "nelson_phelps.mdl"
SUBSCRIPTS = TEST_MODELS / "subscript_2d_arrays" / "test_subscript_2d_arrays.mdl"


@pytest.fixture(scope="module")
def np_model():
    return sd.load(NELSON_PHELPS)


def euler_nelson_phelps(phi, lam, a0, t0, dt, times):
    """Euler steps of dA/dt = phi (T0 e^(lam t) - A), an independent oracle of the engine."""
    a, t, out = a0, 0.0, {}
    for _ in range(int(round(times[-1] / dt)) + 1):
        out[round(t, 9)] = a
        a += dt * phi * (t0 * np.exp(lam * t) - a)
        t += dt
    return np.array([out[round(x, 9)] for x in times])


def test_params_units_doc(np_model):
    assert np_model.params == {
        "catch_up_rate": 0.1,
        "frontier_growth_rate": 0.015,
        "initial_capability": 0.3,
        "initial_frontier": 1.0,
    }
    assert np_model.units["catch_up_rate"] == "1/Year"
    doc = np_model.doc
    assert doc.loc["technological_capability", "name"] == "Technological Capability"
    assert doc.loc["technological_capability", "subtype"] == "Integ"
    assert tuple(doc.loc["catch_up_rate", "limits"]) == (0.0, 1.0)
    assert "Nelson and" in doc.loc["technological_capability", "comment"]


def test_run_values_and_attrs(np_model):
    ds = np_model.run({"Catch Up Rate": 0.2}, final_time=30)
    times = ds["time"].values
    assert times[0] == 0 and times[-1] == 30 and ds.sizes["time"] == 31
    expected = euler_nelson_phelps(0.2, 0.015, 0.3, 1.0, 0.25, times)
    np.testing.assert_allclose(ds["technological_capability"].values, expected, rtol=1e-12)
    var = ds["technological_capability"]
    assert var.attrs["units"] == "Dmnl"
    assert var.attrs["long_name"] == "Technological Capability"
    assert "Nelson and Phelps" in var.attrs["doc"]
    assert ds["time"].attrs["units"] == "Year"
    assert json.loads(ds.attrs["parameters"]) == {"catch_up_rate": 0.2}
    assert ds.attrs["model_hash"] == np_model.file_hash
    assert ds.attrs["pysd_version"] and ds.attrs["sdmodel_version"] == sd.__version__


def test_runs_do_not_leak_parameters(np_model):
    changed = np_model.run({"catch_up_rate": 0.5}, final_time=10, time_step=0.125)
    default = np_model.run(final_time=10)
    fresh = sd.load(NELSON_PHELPS).run(final_time=10)
    xr.testing.assert_identical(default["technological_capability"], fresh["technological_capability"])
    assert not np.allclose(changed["technological_capability"], default["technological_capability"])
    assert np_model.params["catch_up_rate"] == 0.1


def test_time_settings_and_return_vars(np_model):
    ds = np_model.run(
        initial_time=10, final_time=20, time_step=0.5, saveper=2, return_vars=["catch_up"]
    )
    assert list(ds.data_vars) == ["catch_up"]
    np.testing.assert_array_equal(ds["time"].values, np.arange(10, 21, 2))
    assert ds.attrs["time_step"] == 0.5 and ds.attrs["saveper"] == 2


def test_time_series_parameter(np_model):
    series = pd.Series([0.0, 0.4], index=[0.0, 100.0])
    ds = np_model.run({"catch_up_rate": series}, final_time=5, return_vars=["catch_up_rate"])
    np.testing.assert_allclose(ds["catch_up_rate"].values, 0.004 * ds["time"].values)


def test_subscripted_variables_keep_their_dimensions():
    model = sd.load(SUBSCRIPTS)
    ds = model.run()
    stock = ds["stock_a"]
    assert stock.dims == ("time", "One Dimensional Subscript", "Second Dimension Subscript")
    assert list(stock.coords["One Dimensional Subscript"].values) == ["Entry 1", "Entry 2", "Entry 3"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        flat = model.pysd.run(return_columns=["Stock A"])
    np.testing.assert_allclose(stock.sel({"One Dimensional Subscript": "Entry 2",
                                          "Second Dimension Subscript": "Column 1"}).values,
                               flat["Stock A[Entry 2,Column 1]"].values, rtol=1e-12)


def test_subscripted_parameter_as_dataarray_and_array():
    model = sd.load(SUBSCRIPTS)
    default = model.params["initial_values"]
    doubled = model.run({"initial_values": default * 2}, return_vars=["stock_a"])
    as_array = model.run({"initial_values": default.values * 2}, return_vars=["stock_a"])
    base = model.run(return_vars=["stock_a"])
    np.testing.assert_allclose(doubled["stock_a"].isel(time=0), 2 * base["stock_a"].isel(time=0))
    xr.testing.assert_allclose(doubled["stock_a"], as_array["stock_a"])


def test_html_repr_lists_constants(np_model):
    html = np_model._repr_html_()
    assert "catch_up_rate" in html and "1/Year" in html and "<table>" in html
