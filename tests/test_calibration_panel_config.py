"""Panel configs: a country config as the base, several countries, shared and specific
parameters; each country starts from its own data as its single-country config would."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from conftest import DATA_DIR
from country_model import country_growth_model
from sdmodel.calibration.config import load_config, run_config
from sdmodel.calibration.panel_config import is_panel_config, load_panel_config, run_panel_config
from sdmodel.exceptions import CalibrationError

BASE = """
name = "base"
[model]
path = "{model}"
final_time = 2005
[data]
country = "CHL"
start = 1990
end = 2005
dir = "{data}"
[[series]]
source = "wdi"
code = "NY.GDP.PCAP.KD"
variable = "gdp_per_capita"
[params]
catch_up_rate = {{ value = 0.05, min = 0.0, max = 0.5 }}
frontier_tfp_growth = {{ value = 0.01, min = -0.02, max = 0.05 }}
[calibration]
method = "least_squares"
"""
COUNTRIES = ["CHL", "MYS", "IDN"]


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    monkeypatch.setenv("SDMODEL_OFFLINE", "1")


@pytest.fixture
def base(tmp_path_factory):
    folder = tmp_path_factory.mktemp("panel")
    model = country_growth_model(folder / "country_growth.mdl")
    path = folder / "base.toml"
    path.write_text(BASE.format(model=model, data=DATA_DIR))
    return path


def _panel(base, text):
    path = base.parent / "panel.toml"
    path.write_text(f'name = "p"\n[panel]\nbase = "{base.name}"\ncountries = {json.dumps(COUNTRIES)}\n' + text)
    return path


def test_all_specific_panel_equals_the_single_country_fits(base, tmp_path):
    path = _panel(base, "[specific]\ncatch_up_rate = { value = 0.05, min = 0.0, max = 0.5 }\n"
                        "frontier_tfp_growth = { value = 0.01, min = -0.02, max = 0.05 }\n")
    assert is_panel_config(path) and not is_panel_config(base)
    fit, paths = run_panel_config(load_panel_config(path), out_dir=tmp_path / "panel")
    for code in COUNTRIES:
        single = base.parent / f"{code}.toml"
        single.write_text(base.read_text().replace('country = "CHL"', f'country = "{code}"'))
        alone, _ = run_config(load_config(single), out_dir=tmp_path / code, progress=False)
        for name in ("catch_up_rate", "frontier_tfp_growth"):
            assert fit.specific[code][name] == pytest.approx(alone.values[name], rel=1e-3, abs=1e-6)
    units = pd.read_csv(paths["units"])
    assert sorted(units["unit"]) == sorted(COUNTRIES)
    assert json.loads(paths["params"].read_text())["countries"] == COUNTRIES
    assert "catch_up_rate[MYS]" in paths["report"].read_text()


def test_shared_and_pooled_panel_writes_leave_one_out(base, tmp_path):
    path = _panel(base, "[specific]\ncatch_up_rate = { value = 0.05, min = 0.0, max = 0.5, pooling = 0.05 }\n")
    cfg = load_panel_config(path)
    assert set(cfg.shared) == {"frontier_tfp_growth"} and cfg.pooling == {"catch_up_rate": 0.05}
    fit, paths = run_panel_config(cfg, out_dir=tmp_path / "out", leave_one_out=True)
    assert "catch_up_rate[mean]" in fit.values and set(fit.shared) == {"frontier_tfp_growth"}
    loo = pd.read_csv(paths["loo"])
    assert sorted(loo["unit"]) == sorted(COUNTRIES)
    assert {"rmse_model", "rmse_mean_path", "beats_benchmark"} <= set(loo.columns)


@pytest.mark.parametrize("text, words", [
    ("[specific]\ncatch_up_rte = { min = 0, max = 1 }\n", "did you mean 'catch_up_rate'?"),
    ("[specific]\ncatch_up_rate = { min = 0, max = 1, pooling = -1 }\n", "expected a finite number > 0"),
    ("[specfic]\n", "did you mean 'specific'?"),
])
def test_bad_panel_configs_are_refused(base, text, words):
    with pytest.raises(CalibrationError) as err:
        load_panel_config(_panel(base, text))
    assert words in str(err.value)


def test_a_panel_needs_two_distinct_countries(base):
    path = base.parent / "one.toml"
    path.write_text(f'[panel]\nbase = "{base.name}"\ncountries = ["CHL", "CHL"]\n')
    with pytest.raises(CalibrationError, match="lists a country twice"):
        load_panel_config(path)
