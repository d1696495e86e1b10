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


def test_human_capital_reaches_its_closed_form_steady_state():
    b = sd.Builder("hc", initial_time=0, final_time=200, time_step=0.25)
    b.aux("effective human capital investment", "3e9 * STEP(1, 10)", units="$/Year",
          doc="Education spending from year 10 on.")
    sd.perez.sectors.human_capital(b, human_capital_depreciation_rate=0.05, cost_of_human_capital=2e11)
    model = _compile(b)
    assert sd.check_units(model) == []
    ds = _run(model)
    hc = ds["human_capital"]
    # before the spending starts the pipeline replaces depreciation exactly
    np.testing.assert_allclose(hc.sel(time=slice(0, 10)).values, 1.0, rtol=1e-12)
    # third-order delay of 6 years: a year after the start only ~1.4 % of the extra
    # enrolment has graduated, so human capital has barely moved
    assert 0 < float(hc.sel(time=11)) - 1 < 2e-3
    enrol = 0.05 + 3e9 / 2e11
    # steady state: graduation = enrolment = depreciation * H  ->  H* = enrolment / rate
    assert float(hc.isel(time=-1)) == pytest.approx(enrol / 0.05, rel=1e-4)
    # the pipeline holds enrolment x delay (Little's law) in both steady states
    pipe = ds["students_in_education"]
    assert float(pipe.sel(time=5)) == pytest.approx(0.05 * 6.0, rel=1e-9)
    assert float(pipe.isel(time=-1)) == pytest.approx(enrol * 6.0, rel=1e-6)


def test_technology_without_learning_is_nelson_phelps():
    b = sd.Builder("np", initial_time=0, final_time=60, time_step=0.25)
    for name, value, units in (("human capital", 1.5, "Dmnl"), ("initial human capital", 1, "Dmnl"),
                               ("effective technologization", 0, "$/Year"),
                               ("non resource tradable output", 1e10, "$/Year")):
        b.constant(name, value, units=units, doc="Input held constant.")
    sd.perez.sectors.technology(b, progress_ratio=1.0, initial_capability=0.4,
                          frontier_growth_rate=0.015, catch_up_elasticity=1)
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
    for region, spend in (("north", 0.0), ("south", 6e9)):
        inv = b.constant(f"{region} education", spend, units="$/Year", doc="Education spending.")
        names = sd.perez.sectors.human_capital(
            b, prefix=region, inputs={"effective human capital investment": inv})
        assert names["human capital"] == f"{region.capitalize()} human capital"
    ds = _run(_compile(b))
    assert float(ds["north_human_capital"].isel(time=-1)) == pytest.approx(1.0, abs=1e-12)
    assert float(ds["south_human_capital"].isel(time=-1)) > 1.2


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
    b.constant("effective human capital investment", 3e9, units="$/Year", doc="From the start.")
    sd.perez.sectors.human_capital(b, human_capital_depreciation_rate=0.05, cost_of_human_capital=2e11)
    ds = _run(_compile(b))
    # the pipeline starts at the baseline steady state; rent-funded students graduate later
    assert float(ds["students_in_education"].sel(time=0)) == pytest.approx(0.05 * 6, rel=1e-12)
    assert 0 <= float(ds["human_capital"].sel(time=1)) - 1 < 2e-3
    assert float(ds["human_capital"].sel(time=20)) - 1 > 0.05
