"""Calibration configs that start the model from a country's data (`[data] country` is
enough): the country's constants held fixed, `[params]` still fitted, the run started in the
config's start year; any country in the data directory with only its code changed."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
import xarray as xr

from conftest import DATA_DIR, MODELS
from country_model import country_growth_model
from sdmodel.calibration.config import (
    CountryRangeWarning,
    load_config,
    run_config,
    start_parameters,
)
from sdmodel.exceptions import CalibrationError
from sdmodel.loading import load
from sdmodel.perez.country import PARAMETERS, country_parameters

CONFIG = """
name = "{name}"
[model]
path = "{model}"
final_time = 1996
[data]
country = "{country}"
start = 1990
end = 1996
dir = "{data}"
[[series]]
source = "wdi"
code = "NY.GDP.PCAP.KD"
variable = "gdp_per_capita"
[params]
catch_up_rate = {{ value = 0.05, min = 0.0, max = 0.5 }}
frontier_tfp_growth = {{ min = 0.0, max = 0.05 }}
[calibration]
method = "least_squares"
"""


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    monkeypatch.setenv("SDMODEL_OFFLINE", "1")


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    return country_growth_model(tmp_path_factory.mktemp("model") / "country_growth.mdl")


def _config(tmp_path, model_path, country, extra=""):
    path = tmp_path / f"{country.lower()}.toml"
    path.write_text(CONFIG.format(name=country.lower(), model=model_path, country=country,
                                  data=DATA_DIR) + extra)
    return path


def _pcap(country):
    with open(DATA_DIR / "wdi.csv", newline="") as fh:
        return {int(r["year"]): float(r["value"]) for r in csv.DictReader(fh)
                if r["country"] == country and r["indicator"] == "NY.GDP.PCAP.KD"}


@pytest.mark.parametrize("country", ["MYS", "IDN"])
def test_config_starts_from_the_country_with_only_its_code(tmp_path, model_path, country):
    cfg = load_config(_config(tmp_path, model_path, country))
    result, paths = run_config(cfg, out_dir=tmp_path / "out", progress=False)
    fit = json.loads(paths["fit"].read_text())
    assert fit["start_from"] == "country" and fit["initial_time"] == 1990
    assert fit["country_parameters"] == pytest.approx(country_parameters(country, 1990,
                                                                         data_dir=DATA_DIR))
    saved = xr.load_dataset(paths["dataset"])["wdi:NY.GDP.PCAP.KD"]
    sim = saved.sel(source="simulated")
    # the first simulated year is the country's own GDP per capita, read from the CSV
    assert float(sim.sel(time=1990)) == pytest.approx(_pcap(country)[1990], rel=1e-12)
    # the listed parameters were fitted; the country's value was the start of the one
    # given without a value
    params = json.loads(paths["params"].read_text())
    assert params["frontier_tfp_growth"]["vary"] and params["catch_up_rate"]["vary"]
    assert params["frontier_tfp_growth"]["init"] == 0.01
    assert not params["initial_gdp_per_capita"]["vary"]
    # the fitted path against the closed form of the model (Euler, dt = 0.25)
    p = fit["country_parameters"]
    k, g = params["catch_up_rate"]["value"], params["frontier_tfp_growth"]["value"]
    t = np.arange(1990, 1997) - 1990.0
    r0 = p["initial_relative_tfp"]
    exact = p["initial_gdp_per_capita"] * (1 - (1 - r0) * np.exp(-k * t)) / r0 * np.exp(g * t)
    np.testing.assert_allclose(sim.sel(time=np.arange(1990, 1997)).values, exact, rtol=2e-3)


def test_params_override_the_country_and_start_year_moves(tmp_path, model_path):
    path = _config(tmp_path, model_path, "CHL").read_text()
    path = path.replace("final_time = 1996", "initial_time = 1992\nfinal_time = 1996")
    path = path.replace("[calibration]", "initial_gdp_per_capita = { value = 1234.0, "
                                         "vary = false }\n[calibration]")
    cfg_path = tmp_path / "chl2.toml"
    cfg_path.write_text(path)
    cfg = load_config(cfg_path)
    run = start_parameters(cfg, load(cfg.model_path))
    assert run.initial_time == 1992 and run.start.start_year == 1992
    assert run.params["initial_gdp_per_capita"] == {"value": 1234.0, "vary": False}
    assert run.held["initial_relative_tfp"] == country_parameters(
        "CHL", 1992, data_dir=DATA_DIR)["initial_relative_tfp"]
    assert set(run.held) == set(PARAMETERS) - {"initial_gdp_per_capita", "frontier_tfp_growth"}
    assert run.params["frontier_tfp_growth"]["value"] == 0.01


def test_country_data_outside_a_documented_range_is_held_and_reported(tmp_path):
    narrow = country_growth_model(tmp_path / "narrow.mdl",
                                  limits={"initial_population": (5e6, 2e8)})
    cfg = load_config(_config(tmp_path, narrow, "NOR"))
    with pytest.warns(CountryRangeWarning, match=r"NOR 1990: .*initial_population = 4\.247e\+06 "
                                                 r"\(documented range \[5e\+06, 2e\+08\]\)"):
        result, paths = run_config(cfg, out_dir=tmp_path / "out", progress=False)
    fit = json.loads(paths["fit"].read_text())
    assert list(fit["outside_documented_range"]) == ["initial_population"]
    assert result.params["initial_population"].value == pytest.approx(4247285.0, rel=1e-6)


def test_start_from_is_checked(tmp_path, model_path):
    path = _config(tmp_path, MODELS / "validation" / "nelson_phelps.mdl", "CHL")
    text = path.read_text().replace("[data]", 'start_from = "country"\n[data]')
    path.write_text(text)
    cfg = load_config(path)
    with pytest.raises(CalibrationError, match=r"needs model 'nelson_phelps' to define the "
                                               r"constants \['initial_population'"):
        start_parameters(cfg, load(cfg.model_path))
    path.write_text(text.replace('"country"', '"data"'))
    with pytest.raises(CalibrationError, match=r"key 'start_from': Input should be 'auto', 'country' or 'model'"):
        load_config(path)
    path.write_text(text.replace("start = 1990", "start = 1990\nbegin = 1980"))
    with pytest.raises(CalibrationError, match=r"unknown key 'begin' in \[data\]"):
        load_config(path)
    path.write_text(text.replace('name = "chl"', 'name = "chl"\nmodle = 1'))
    with pytest.raises(CalibrationError, match=r"unknown section \[modle\].*Did you mean 'model'"):
        load_config(path)
    # auto with a model that has none of the constants: its own start, as before
    path.write_text(text.replace('start_from = "country"\n', ""))
    cfg = load_config(path)
    run = start_parameters(cfg, load(cfg.model_path))
    assert run.start is None and run.initial_time is None and run.params == cfg.params
    assert run.held == {}


def test_calibrate_held_constants_equal_fixed_parameters():
    import sdmodel as sd
    from sdmodel import validation
    from sdmodel.exceptions import ParameterError

    model = load(MODELS / "validation" / "nelson_phelps.mdl")
    t = np.arange(0.0, 31.0)
    truth = dict(catch_up_rate=0.15, frontier_growth_rate=0.02, initial_frontier=1.0,
                 initial_capability=0.25)
    obs = xr.Dataset({"technological_capability": (
        "time", validation.nelson_phelps(t, **truth)["technological_capability"])},
        coords={"time": t})
    fit_params = {"catch_up_rate": (0.1, 0.0, 1.0)}
    held = sd.calibrate(model, obs, fit_params, progress=False, held={
        "initial_capability": 0.25, "frontier_growth_rate": 0.02, "catch_up_rate": 0.9})
    fixed = sd.calibrate(model, obs, {**fit_params,
                                      "initial_capability": dict(value=0.25, vary=False),
                                      "frontier_growth_rate": dict(value=0.02, vary=False)},
                         progress=False)
    assert held.values["catch_up_rate"] == pytest.approx(fixed.values["catch_up_rate"], rel=1e-12)
    assert held.values["catch_up_rate"] == pytest.approx(0.15, rel=0.01)  # params win over held
    assert not held.params["initial_capability"].vary
    with pytest.raises(ParameterError):
        sd.calibrate(model, obs, fit_params, progress=False, held={"world_frontier": 1.0})


def test_reference_model_config_for_another_country_by_its_code(tmp_path):
    """calibration/chile.toml with only the country code changed (and a short run)."""
    chile = (MODELS.parent / "calibration" / "chile.toml").read_text()
    text = (chile.replace('country = "CHL"', 'country = "IDN"')
            .replace('path = "../models/perez/perez.mdl"',
                     f'path = "{MODELS / "perez" / "perez.mdl"}"')
            .replace("final_time = 2019", "final_time = 1995").replace("end = 2019", "end = 1995")
            .replace('method = "differential_evolution"', 'method = "least_squares"')
            .replace("options = { maxiter = 30, popsize = 8 }", "options = { max_nfev = 10 }"))
    path = tmp_path / "indonesia.toml"
    path.write_text(text)
    with pytest.warns(UserWarning, match="IDN has no observation of wdi:PX.REX.REER"):
        result, paths = run_config(load_config(path), out_dir=tmp_path / "out",
                                   data_dir=DATA_DIR, progress=False)
    fit = json.loads(paths["fit"].read_text())
    assert fit["country"] == "IDN" and fit["start_from"] == "country"
    assert fit["missing_series"] == ["wdi:PX.REX.REER"]
    saved = xr.load_dataset(paths["dataset"])["wdi:NY.GDP.PCAP.KD"]
    assert float(saved.sel(source="simulated", time=1990)) == pytest.approx(
        _pcap("IDN")[1990], rel=1e-9)
    assert np.isfinite(saved.sel(source="simulated").values).all()
