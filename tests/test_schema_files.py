"""Calibration configs and scenario files are checked against their schemas: a misspelt section
or key is refused with the closest valid name, never silently ignored."""

from __future__ import annotations

import pytest

from sdmodel.calibration.config import load_config
from sdmodel.exceptions import CalibrationError, ScenarioError
from sdmodel.scenarios import load_scenarios

CONFIG = """
[model]
path = "m.mdl"
final_time = 2019
[data]
country = "CHL"
[[series]]
source = "wdi"
code = "NY.GDP.PCAP.KD"
variable = "gdp"
[params]
a = { value = 0.3, min = 0.0, max = 1.0 }
[calibration]
method = "differential_evolution"
"""

# (replaced text, replacement, expected message) -- each a misspelling a user makes
CONFIG_CASES = [
    ("[calibration]", "[calibraton]",
     r"unknown section \[calibraton\]; expected one of .*\[calibration\].* "
     r"Did you mean 'calibration'\?"),
    ("final_time", "final_tme",
     r"unknown key 'final_tme' in \[model\]; expected some of 'path', 'initial_time', "
     r"'final_time', 'start_from'\. Did you mean 'final_time'"),
    ('method = "', 'methd = "', r"unknown key 'methd' in \[calibration\].*Did you mean 'method'\?"),
    ('variable = "gdp"', 'variable = "gdp"\nwieght = 2',
     r"unknown key 'wieght' in \[\[series\]\] #1.*Did you mean 'weight'\?"),
    ('country = "CHL"', 'country = "CHL"\nstrat = 1990',
     r"unknown key 'strat' in \[data\].*Did you mean 'start'\?"),
    ('[params]', '[parms]', r"unknown section \[parms\].*Did you mean 'params'\?"),
]


@pytest.mark.parametrize(("old", "new", "message"), CONFIG_CASES)
def test_config_misspelling_names_the_closest_valid_name(tmp_path, old, new, message):
    path = tmp_path / "c.toml"
    assert old in CONFIG
    path.write_text(CONFIG.replace(old, new, 1))
    with pytest.raises(CalibrationError, match=message) as err:
        load_config(path)
    assert "calibration config c.toml" in str(err.value)


def test_the_unchanged_config_loads(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(CONFIG)
    cfg = load_config(path)
    assert cfg.calibration == {"method": "differential_evolution"} and cfg.final_time == 2019


def test_config_wrong_type_names_key_and_value(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(CONFIG.replace("final_time = 2019", 'final_time = "2019x"'))
    with pytest.raises(CalibrationError, match=r"\[model\], key 'final_time'.*got '2019x'"):
        load_config(path)


SCENARIOS = """
baseline = "low"
[metrics.final_x]
variable = "x"
[window]
start_lever = "start"
share_lever = "share"
[low]
description = "Low."
a = 1.0
[high]
inherits = "low"
a = 2.0
"""

SCENARIO_CASES = [
    ("baseline =", "basline =", r"top-level key 'basline'.*Did you mean 'baseline'\?"),
    ("[metrics.final_x]", "[metric.final_x]",
     r"\[metric\].*holds tables \['final_x'\].*Did you mean 'metrics'\?"),
    ('variable = "x"', 'varible = "x"',
     r"unknown key 'varible' in \[metrics.final_x\].*Did you mean 'variable'\?"),
    ('start_lever =', 'start_levr =',
     r"unknown key 'start_levr' in \[window\].*Did you mean 'start_lever'"),
    ('inherits = "low"', 'inherit = "low"',
     r"scenario 'high'.*'inherit'.*Did you mean 'inherits'\?"),
    ('description = "Low."', 'descripton = "Low."',
     r"scenario 'low'.*'descripton'.*Did you mean 'description'\?"),
]


@pytest.mark.parametrize(("old", "new", "message"), SCENARIO_CASES)
def test_scenario_misspelling_names_the_closest_valid_name(tmp_path, old, new, message):
    path = tmp_path / "s.toml"
    assert old in SCENARIOS
    path.write_text(SCENARIOS.replace(old, new, 1))
    with pytest.raises(ScenarioError, match=message):
        load_scenarios(path)


def test_the_unchanged_scenario_file_loads(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(SCENARIOS)
    s = load_scenarios(path)
    assert dict(s) == {"low": {"a": 1.0}, "high": {"a": 2.0}} and s.window["share_lever"] == "share"
