"""Scenario sets: TOML inheritance, and run_scenarios against separate Model.run calls."""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pandas as pd
import pytest
from conftest import MODELS

import sdmodel as sd
from sdmodel.exceptions import ScenarioError

PEREZ = MODELS / "perez" / "perez.mdl"
PEREZ_SCENARIOS = MODELS / "perez" / "scenarios.toml"


@pytest.fixture(scope="module")
def np_model():
    return sd.load(MODELS / "validation" / "nelson_phelps.mdl")


def write(tmp_path, text: str, name: str = "s.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


# ---------------------------------------------------------------- run_scenarios vs Model.run
def test_run_scenarios_equals_separate_runs(np_model):
    scenarios = {
        "slow": {"catch_up_rate": 0.05},
        "fast": {"Catch Up Rate": 0.2, "initial capability": 0.5},  # original names work too
        "defaults": {},
    }
    ds = sd.run_scenarios(np_model, scenarios, final_time=60, progress=False)
    assert list(ds["scenario"].values) == ["slow", "fast", "defaults"]
    assert ds["technological_capability"].dims == ("scenario", "time")
    assert ds.sizes["time"] == 61
    for name, overrides in scenarios.items():
        single = np_model.run(overrides, final_time=60)
        for var in single.data_vars:
            np.testing.assert_array_equal(ds[var].sel(scenario=name).values, single[var].values)
        assert ds[var].attrs["units"] == single[var].attrs["units"]
    # the scenarios really differ, so equality above is not vacuous
    final = ds["technological_capability"].isel(time=-1)
    assert final.sel(scenario="fast") > final.sel(scenario="defaults") > final.sel(scenario="slow")


def test_overrides_recorded_per_scenario(np_model):
    ds = sd.run_scenarios(
        np_model, {"a": {"Catch Up Rate": 0.2}, "b": {}}, return_vars=["technological_capability"],
        progress=False,
    )
    assert list(ds.data_vars) == ["technological_capability"]
    assert json.loads(str(ds["overrides"].sel(scenario="a").values)) == {"catch_up_rate": 0.2}
    assert json.loads(str(ds["overrides"].sel(scenario="b").values)) == {}
    assert json.loads(ds.attrs["scenarios"]) == {"a": {"catch_up_rate": 0.2}, "b": {}}
    assert ds.attrs["model_name"] == "nelson_phelps"
    assert "parameters" not in ds.attrs  # per-run attr replaced by the per-scenario record


def test_saved_comparison_round_trips(np_model, tmp_path):
    import xarray as xr

    ds = sd.run_scenarios(np_model, {"a": {"catch_up_rate": 0.2}, "b": {}}, progress=False)
    path = sd.save(ds, tmp_path / "c.nc")
    with xr.open_dataset(path) as back:
        assert list(back["scenario"].values) == ["a", "b"]
        np.testing.assert_array_equal(
            back["technological_capability"].values, ds["technological_capability"].values
        )
        assert json.loads(str(back["overrides"].values[0])) == {"catch_up_rate": 0.2}


def test_run_scenarios_from_file_records_descriptions_and_baseline(np_model, tmp_path):
    path = write(
        tmp_path,
        """
        baseline = "slow"
        [slow]
        description = "Slow catch-up."
        catch_up_rate = 0.05
        [fast]
        inherits = "slow"
        catch_up_rate = 0.2
        """,
    )
    scenarios = sd.load_scenarios(path)
    ds = sd.run_scenarios(np_model, scenarios, progress=False)
    assert list(ds["description"].values) == ["Slow catch-up.", ""]
    assert ds.attrs["baseline"] == "slow"
    np.testing.assert_array_equal(
        ds["technological_capability"].sel(scenario="fast").values,
        np_model.run({"catch_up_rate": 0.2})["technological_capability"].values,
    )


def test_progress_bar_shown_when_asked_and_silent_when_not(np_model, capsys):
    sd.run_scenarios(np_model, {"a": {}, "b": {}}, progress=True)
    assert "nelson_phelps scenarios" in capsys.readouterr().err
    sd.run_scenarios(np_model, {"a": {}, "b": {}}, progress=False)
    assert capsys.readouterr().err == ""
    sd.run_scenarios(np_model, {"a": {}, "b": {}})  # default: no bar
    assert capsys.readouterr().err == ""


def test_bad_scenario_fails_before_any_run(np_model, monkeypatch):
    calls = []
    monkeypatch.setattr(np_model, "run", lambda *a, **k: calls.append(a))
    with pytest.raises(ScenarioError, match="'late'.*'catch_up_rat'"):
        sd.run_scenarios(np_model, {"early": {}, "late": {"catch_up_rat": 0.3}})
    assert calls == []


def test_model_specific_check_runs_on_every_scenario(np_model):
    seen = []

    def slow_only(model, params):
        seen.append(dict(params))
        if params.get("catch_up_rate", 0.1) > 0.15:
            raise sd.exceptions.ParameterError(f"catch_up_rate = {params['catch_up_rate']:g} is too fast")

    ds = sd.run_scenarios(np_model, {"a": {}, "b": {"catch_up_rate": 0.05}}, check=slow_only, progress=False)
    assert seen == [{}, {"catch_up_rate": 0.05}] and ds.sizes["scenario"] == 2
    with pytest.raises(ScenarioError, match=r"scenario 'c': catch_up_rate = 0.2 is too fast"):
        sd.run_scenarios(np_model, {"a": {}, "c": {"Catch Up Rate": 0.2}}, check=slow_only)


# ---------------------------------------------------------------- TOML inheritance
def test_inheritance_resolves_as_documented(tmp_path):
    path = write(
        tmp_path,
        """
        baseline = "child"

        [base]
        abstract = true
        description = "template"
        a = 1
        b = 2.5

        [child]
        inherits = "base"
        description = "the child"
        b = 3
        c = 4

        [grandchild]
        inherits = "child"
        a = 10
        "Name With Spaces" = 0.5
        series = { time = [2000, 2010], values = [1, 2] }
        vector = [1, 2, 3]
        """,
    )
    s = sd.load_scenarios(path)
    assert list(s) == ["child", "grandchild"]  # abstract base is not run
    assert s["child"] == {"a": 1.0, "b": 3.0, "c": 4.0}
    g = s["grandchild"]
    assert {k: g[k] for k in ("a", "b", "c", "Name With Spaces", "vector")} == {
        "a": 10.0, "b": 3.0, "c": 4.0, "Name With Spaces": 0.5, "vector": [1.0, 2.0, 3.0]
    }
    pd.testing.assert_series_equal(g["series"], pd.Series([1.0, 2.0], index=[2000.0, 2010.0]))
    assert s.descriptions == {"child": "the child", "grandchild": ""}  # not inherited
    assert s.baseline == "child"
    assert s.source == path
    assert all(isinstance(v, float) for v in s["child"].values())


def test_parent_defined_after_child(tmp_path):
    path = write(tmp_path, '[late]\ninherits = "early"\nx = 2\n[early]\nx = 1\ny = 5\n')
    assert dict(sd.load_scenarios(path)) == {"late": {"x": 2.0, "y": 5.0}, "early": {"x": 1.0, "y": 5.0}}


@pytest.mark.parametrize(
    "text, pattern",
    [
        ('[a]\ninherits = "nope"\n', r"'a'.*inherits from 'nope', which is not defined"),
        ('[a]\ninherits = "bb"\n[b]\n', r"Did you mean 'b'"),
        ('[a]\ninherits = "b"\n[b]\ninherits = "a"\n', r"cycle: a -> b -> a"),
        ('[a]\ninherits = "a"\n', r"cycle: a -> a"),
        ("", r"no scenario is defined"),
        ("[a]\nabstract = true\nx = 1\n", r"no scenario is defined"),
        ("x = 1\n", r"top-level key 'x'.*not a scenario table"),
        ('baseline = "z"\n[a]\n', r"baseline 'z'.*not one of its scenarios"),
        ("[a]\nx = true\n", r"'a'.*'x' is a boolean"),
        ('[a]\nx = "high"\n', r"'a'.*'x' is str"),
        ("[a]\nx = { time = [1, 2], values = [1] }\n", r"same length"),
        ("[a\n", r"not valid TOML"),
    ],
)
def test_bad_scenario_files(tmp_path, text, pattern):
    with pytest.raises(ScenarioError, match=pattern):
        sd.load_scenarios(write(tmp_path, text))


def test_missing_scenario_file(tmp_path):
    with pytest.raises(ScenarioError, match="does not exist"):
        sd.load_scenarios(tmp_path / "none.toml")


# ---------------------------------------------------------------- the reference model
def test_reference_scenarios_file_is_documented():
    s = sd.load_scenarios(PEREZ_SCENARIOS)
    assert {"squander", "reinvest_early", "reinvest_late", "fund", "dual"} <= set(s)
    assert s.baseline == "squander"
    assert all(s.descriptions[name] for name in s)
    early, late = s["reinvest_early"], s["reinvest_late"]
    assert early["reinvestment_start_year"] == 2004 and late["reinvestment_start_year"] == 2018
    assert {k: v for k, v in late.items() if k != "reinvestment_start_year"} == {
        k: v for k, v in early.items() if k != "reinvestment_start_year"
    }


def test_reference_model_scenarios_equal_separate_runs():
    model = sd.load(PEREZ)
    scenarios = sd.load_scenarios(PEREZ_SCENARIOS)
    outputs = list(sd.perez.registration.OUTPUTS)
    ds = sd.run_scenarios(model, scenarios, return_vars=outputs, progress=False)
    assert ds.sizes["scenario"] == len(scenarios)
    for name in scenarios:
        single = model.run(scenarios[name], return_vars=outputs)
        for var in outputs:
            np.testing.assert_array_equal(ds[var].sel(scenario=name).values, single[var].values)
    gdp = ds["gdp_per_capita"].sel(time=2040)
    assert float(gdp.sel(scenario="reinvest_early")) != float(gdp.sel(scenario="squander"))
