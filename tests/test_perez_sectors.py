"""Sectors of the Pérez model checked alone against closed forms, and the prefix option."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import sdmodel as sd
from conftest import MODELS


def _compile(b):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return b.compile()


def _run(model, params=None, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.run(params, **kw)


def _schooling_inputs(b, spending):
    b.aux("effective human capital investment", spending, units="$/Year",
          doc="Education spending.")
    b.constant("gdp per capita", 5000, units="$/(Person*Year)", doc="Held constant.")
    b.constant("labour force", 1e7, units="Person", doc="Held constant.")
    b.constant("one year", 1, units="Year", doc="One year.")


def test_schooling_reaches_its_closed_form_steady_state_and_h_is_the_pwt_mapping():
    b = sd.Builder("hc", initial_time=0, final_time=300, time_step=0.25)
    _schooling_inputs(b, "1e9 * STEP(1, 10)")
    sd.perez.sectors.human_capital(b, human_capital_depreciation_rate=0.05,
                                   schooling_growth=0, initial_schooling_years=6)
    model = _compile(b)
    assert sd.check_units(model) == []
    ds = _run(model)
    extra = ds["extra_schooling"]
    # before the spending starts nothing is added; a year after, the third-order delay of 6
    # years has let through only ~1.4 % of the enrolment
    np.testing.assert_array_equal(extra.sel(time=slice(0, 10)).values, 0.0)
    enrol = 1e9 / (0.4 * 5000 * 1e7)                 # years of schooling bought per year
    assert 0 < float(extra.sel(time=11)) < 0.02 * enrol
    # steady state: graduation = enrolment = depreciation x extra
    assert float(extra.isel(time=-1)) == pytest.approx(enrol / 0.05, rel=1e-6)
    # the pipeline holds enrolment x delay (Little's law)
    assert float(ds["students_in_education"].isel(time=-1)) == pytest.approx(enrol * 6, rel=1e-6)
    s = ds["schooling_years"].values
    h = ds["human_capital"].values
    expected = np.exp([sd.perez.sectors.human_capital_module.mincer(x) for x in s])
    np.testing.assert_allclose(h, expected, rtol=1e-12)
    # the PWT mapping: 0.134 a year to 4 years, 0.101 to 8, 0.068 beyond
    mincer = sd.perez.sectors.human_capital_module.mincer
    assert mincer(4) == pytest.approx(0.536) and mincer(10) == pytest.approx(1.076)


def test_technology_without_learning_is_nelson_phelps():
    b = sd.Builder("np", initial_time=0, final_time=60, time_step=0.25)
    for name, value, units in (("human capital ratio", 1.5, "Dmnl"), ("one year", 1, "Year"),
                               ("effective technologization", 0, "$/Year"),
                               ("non resource tradable output", 1e10, "$/Year")):
        b.constant(name, value, units=units, doc="Input held constant.")
    sd.perez.sectors.technology(b, progress_ratio=1.0, initial_relative_tfp=0.4,
                                frontier_tfp_growth=0.015, catch_up_elasticity=1)
    ds = _run(_compile(b), saveper=1)
    lam = 0.015
    phi = 1.5 * lam * 0.4 / 0.6   # phi0 (balanced with b = 0) scaled by H^1
    t = ds["time"].values
    exact = phi / (phi + lam) * np.exp(lam * t) + (0.4 - phi / (phi + lam)) * np.exp(-phi * t)
    err = np.abs(ds["technological_capability"].values - exact).max()
    assert err < 2e-3, err   # Euler at TIME STEP 0.25 (relative error below 0.2 %)
    ds_fine = _run(_compile(b), time_step=0.125, saveper=1)
    err_fine = np.abs(ds_fine["technological_capability"].values - exact).max()
    assert 1.7 < err / err_fine < 2.3   # Euler: first order


def test_window_openness_is_the_documented_exponential():
    b = sd.Builder("w", initial_time=2000, final_time=2040, time_step=0.25)
    sd.perez.sectors.window_of_opportunity(b, window_opening_year=2003, window_closing_time=10)
    ds = _run(_compile(b))
    for year in (2000, 2002):
        assert float(ds["window_openness"].sel(time=year)) == 0.0
    for year in (2003, 2013, 2033):
        assert float(ds["window_openness"].sel(time=year)) == pytest.approx(
            math.exp(-(year - 2003) / 10), rel=1e-12)


def test_prefixes_give_independent_copies():
    b = sd.Builder("two", initial_time=0, final_time=30, time_step=0.25)
    b.constant("gdp per capita", 5000, units="$/(Person*Year)", doc="Held constant.")
    b.constant("labour force", 1e7, units="Person", doc="Held constant.")
    b.constant("one year", 1, units="Year", doc="One year.")
    for region, spend in (("north", 0.0), ("south", 2e9)):
        inv = b.constant(f"{region} education", spend, units="$/Year", doc="Education spending.")
        names = sd.perez.sectors.human_capital(
            b, prefix=region, inputs={"effective human capital investment": inv,
                                      "gdp per capita": "gdp per capita",
                                      "labour force": "labour force", "one year": "one year"})
        assert names["human capital"] == f"{region.capitalize()} human capital"
    ds = _run(_compile(b))
    north, south = ds["north_human_capital"], ds["south_human_capital"]
    assert float(ds["north_extra_schooling"].isel(time=-1)) == 0.0
    assert float(south.isel(time=-1)) > 1.1 * float(north.isel(time=-1))


def test_the_window_drives_part_of_the_late_start_penalty():
    """With a window that never closes, a late start loses much less upgrading."""
    model = sd.load(MODELS / "perez" / "perez.mdl")
    ratio = {}
    for closing in (10.0, 1e6):
        base = _run(model, {"window_closing_time": closing})
        gain = {}
        for start in (2004, 2022):
            ds = _run(model, {"window_closing_time": closing, "reinvestment_share": 0.5,
                              "reinvestment_start_year": start})
            gain[start] = float(ds["export_sophistication"].sel(time=2040)
                                - base["export_sophistication"].sel(time=2040))
        assert gain[2004] > gain[2022] > 0
        ratio[closing] = gain[2022] / gain[2004]
    # measured: a 2022 start keeps 12 % of the 2004 gain with the window, 26 % without it
    assert ratio[10.0] < 0.6 * ratio[1e6]


def test_education_spending_from_the_first_day_still_waits_for_graduates():
    b = sd.Builder("hc0", initial_time=0, final_time=20, time_step=0.25)
    _schooling_inputs(b, "2e9")
    sd.perez.sectors.human_capital(b, human_capital_depreciation_rate=0.05)
    ds = _run(_compile(b))
    # the pipeline starts empty; rent-funded students graduate only after the delay
    assert float(ds["students_in_education"].sel(time=0)) == 0.0
    assert 0 <= float(ds["extra_schooling"].sel(time=1)) < 2e-3
    assert float(ds["extra_schooling"].sel(time=20)) > 0.5
