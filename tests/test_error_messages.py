"""Bad input gets a typed error from sdmodel.exceptions whose message names the culprit.

Each section pins the messages of one part of the library.
"""

from __future__ import annotations

import pytest

import sdmodel as sd
from sdmodel import exceptions as exc

from conftest import MODELS, TEST_MODELS

NELSON_PHELPS = MODELS / "validation" / "nelson_phelps.mdl"


# --- loading and running (foundation) ---


@pytest.fixture(scope="module")
def np_model():
    return sd.load(NELSON_PHELPS)


def test_missing_model_file(tmp_path):
    with pytest.raises(exc.ModelFileError, match=r"nowhere\.mdl.*does not exist"):
        sd.load(tmp_path / "nowhere.mdl")


def test_unsupported_extension(tmp_path):
    path = tmp_path / "model.txt"
    path.write_text("x = 1")
    with pytest.raises(exc.ModelFileError, match=r"model\.txt.*unsupported extension '\.txt'.*\.mdl"):
        sd.load(path)


def test_unparseable_model_includes_pysd_reason(tmp_path):
    path = tmp_path / "broken.mdl"
    path.write_text("{UTF-8}\nStock = INTEG( (, 1)\n~ Dmnl\n~ |\n")
    with pytest.raises(exc.TranslationError, match=r"broken\.mdl") as info:
        sd.load(path, cache_dir=tmp_path / "cache")
    assert "PySD could not parse" in str(info.value)
    assert info.value.__cause__ is not None
    assert str(info.value.__cause__)[:40] in str(info.value)


def test_unknown_parameter_suggests_close_names(np_model):
    with pytest.raises(exc.ParameterError, match=r"'catchup_rate'.*Did you mean 'catch_up_rate'"):
        np_model.run({"catchup_rate": 0.2})


def test_parameter_of_wrong_shape(np_model):
    with pytest.raises(exc.ParameterError, match=r"'catch_up_rate' has shape \(3,\); expected a number"):
        np_model.run({"catch_up_rate": [0.1, 0.2, 0.3]})


def test_subscripted_parameter_of_wrong_shape():
    model = sd.load(TEST_MODELS / "subscript_2d_arrays" / "test_subscript_2d_arrays.mdl")
    with pytest.raises(exc.ParameterError, match=r"'initial_values' has shape \(2,\).*\(3, 2\)"):
        model.run({"initial_values": [1.0, 2.0]})


def test_non_numeric_and_nan_parameters(np_model):
    with pytest.raises(exc.ParameterError, match=r"'catch_up_rate' must be a number.*str"):
        np_model.run({"catch_up_rate": "fast"})
    with pytest.raises(exc.ParameterError, match=r"'catch_up_rate' is NaN"):
        np_model.run({"catch_up_rate": float("nan")})


def test_final_time_before_initial_time(np_model):
    with pytest.raises(exc.SimulationError, match=r"final_time \(5\) is before initial_time \(10\)"):
        np_model.run(initial_time=10, final_time=5)


@pytest.mark.parametrize("step", [0, -0.25])
def test_non_positive_time_step(np_model, step):
    with pytest.raises(exc.SimulationError, match=r"time_step must be positive"):
        np_model.run(time_step=step)


def test_unknown_return_variable(np_model):
    with pytest.raises(exc.SimulationError, match=r"return variable 'gdp'"):
        np_model.run(return_vars=["gdp"])


def test_time_setting_given_as_parameter(np_model):
    with pytest.raises(exc.ParameterError, match=r"'FINAL TIME' is a time setting"):
        np_model.run({"FINAL TIME": 50})


def test_save_refuses_to_overwrite_when_told(tmp_path):
    import xarray as xr

    target = tmp_path / "x.nc"
    target.write_bytes(b"old")
    with pytest.raises(exc.OutputError, match=r"x\.nc.*exists"):
        sd.save(xr.Dataset({"x": ("time", [1.0])}), target, overwrite=False)


def test_cli_run_bad_assignment(capsys):
    from sdmodel.cli import main

    assert main(["run", str(NELSON_PHELPS), "--set", "catch_up_rate"]) == 2
    assert "expected NAME=VALUE" in capsys.readouterr().err


# --- builder (sd.Builder) ---


def _builder(name="m"):
    return sd.Builder(name, initial_time=0, final_time=10, time_step=1)


def test_builder_lists_every_undefined_name():
    b = _builder()
    b.constant("growth rate", 0.02, units="1/Year", doc="g.")
    b.aux("output", "capitl * growth rate + labor", units="$/Year", doc="Y.")
    b.aux("wages", "labor share * output + mystery(1)", units="$/Year", doc="W.")
    with pytest.raises(exc.UndefinedNameError) as info:
        b.to_mdl()
    msg = str(info.value)
    assert "references 4 undefined names" in msg
    assert "'capitl' (used in 'output')" in msg
    assert "'labor' (used in 'output')" in msg
    assert "'labor share' (used in 'wages')" in msg
    assert "function 'mystery' (used in 'wages')" in msg


def test_builder_undefined_stock_flow_and_suggestion():
    b = _builder()
    b.constant("capital", 1, units="$", doc="K.")
    b.aux("output", "capitol * 2", units="$", doc="Y.")
    with pytest.raises(exc.UndefinedNameError, match=r"'capitol' \(used in 'output'; did you "
                                                     r"mean 'capital'\?\)"):
        b.to_mdl()
    b2 = _builder()
    b2.stock("capital", initial=1, inflows=["investment"], units="$", doc="K.")
    with pytest.raises(exc.UndefinedNameError, match=r"'investment' \(used in 'capital'\)"):
        b2.compile(check_units=False)


def test_builder_duplicate_names_fold_case_spaces_underscores():
    b = _builder()
    b.constant("Capital Stock", 1, units="$", doc="K.")
    with pytest.raises(exc.DuplicateNameError,
                       match=r"aux 'capital_STOCK' duplicates the constant 'Capital Stock'"):
        b.aux("capital_STOCK", "2", units="$", doc="again")
    with pytest.raises(exc.DuplicateNameError, match=r"lists the flow 'F' twice \(as inflow and outflow\)"):
        b.stock("s", initial=0, inflows=["f"], outflows=["F"], units="$", doc="S.")


def test_builder_algebraic_loop_names_the_cycle():
    b = _builder()
    b.aux("a", "b + 1", units="Dmnl", doc="A.")
    b.aux("b", "2 * c", units="Dmnl", doc="B.")
    b.aux("c", "a / 3", units="Dmnl", doc="C.")
    b.aux("d", "a", units="Dmnl", doc="D.")
    with pytest.raises(exc.AlgebraicLoopError,
                       match=r"algebraic loop with no stock in it: a -> b -> c -> a"):
        b.to_mdl()


def test_builder_flow_attached_to_no_stock():
    b = _builder()
    b.stock("s", initial=0, inflows=["in"], units="$", doc="S.")
    b.flow("in", "1", units="$/Year", doc="In.")
    b.flow("leak", "0.1 * s", units="$/Year", doc="Leak.")
    with pytest.raises(exc.BuilderError, match=r"flow attached to no stock: 'leak'"):
        b.to_mdl()


def test_builder_stock_inflow_that_is_not_a_flow():
    b = _builder()
    b.stock("s", initial=0, inflows=["rate"], units="$", doc="S.")
    b.aux("rate", "1", units="$/Year", doc="R.")
    with pytest.raises(exc.BuilderError, match=r"lists 'rate' as a flow, but it is an aux"):
        b.to_mdl()


@pytest.mark.parametrize("initial", [None, "", "  "])
def test_builder_stock_without_initial_value(initial):
    with pytest.raises(exc.BuilderError, match=r"stock 'capital' has no initial value"):
        _builder().stock("capital", initial=initial, units="$", doc="K.")


@pytest.mark.parametrize(
    "name", ["2nd stock", "a-b", "x|y", "", "Time", "initial_time", "and", "Smooth", "MAX",
             "tobin's q", 3]
)
def test_builder_invalid_names(name):
    with pytest.raises(exc.BuilderError, match=r"name"):
        _builder().constant(name, 1, units="Dmnl", doc="x")


def test_builder_bad_parts():
    b = _builder()
    with pytest.raises(exc.BuilderError, match=r"units '\$ \[0,1\]' of 'k' contain"):
        b.constant("k", 1, units="$ [0,1]", doc="K.")
    with pytest.raises(exc.BuilderError, match=r"doc of 'k' is empty"):
        b.constant("k", 1, units="$", doc="")
    with pytest.raises(exc.BuilderError, match=r"value of 'k' is nan; expected a finite"):
        b.constant("k", float("nan"), units="$", doc="K.")
    with pytest.raises(exc.BuilderError, match=r"limits of 'k' are \(2, 1\); expected min <="):
        b.constant("k", 1, units="$", doc="K.", limits=(2, 1))
    with pytest.raises(exc.BuilderError, match=r"x values of lookup 'f' .* strictly increasing"):
        b.lookup("f", [(0, 0), (0, 1)], units="Dmnl", doc="F.")
    with pytest.raises(exc.BuilderError, match=r"equation of 'g' contains a vertical bar"):
        b.aux("g", "1 | 2", units="Dmnl", doc="G.")
    with pytest.raises(exc.BuilderError, match=r"inflows of stock 's' is the string 'f'"):
        b.stock("s", initial=0, inflows="f", units="$", doc="S.")


def test_builder_lookup_and_function_misuse():
    b = _builder()
    b.lookup("effect", [(0, 0), (1, 1)], units="Dmnl", doc="E.")
    b.aux("a", "effect * 2", units="Dmnl", doc="A.")
    b.aux("c", "a(2)", units="Dmnl", doc="C.")
    with pytest.raises(exc.BuilderError) as info:
        b.to_mdl()
    assert str(info.value) == (
        "model 'm': the aux 'a' is called like a function in 'c'; only lookups take an input; "
        "the lookup 'effect' is used without an input in 'a'; expected effect(x)"
    )


def test_builder_bad_time_settings():
    with pytest.raises(exc.SimulationError, match=r"final_time 2000.0 of model 'm' is not "
                                                  r"after initial_time 2060.0"):
        sd.Builder("m", initial_time=2060, final_time=2000, time_step=1)
    with pytest.raises(exc.SimulationError, match=r"time_step of model 'm' is 0.0; expected > 0"):
        sd.Builder("m", initial_time=0, final_time=1, time_step=0)
    with pytest.raises(exc.SimulationError, match=r"saveper 0.1 .* below time_step 0.25"):
        sd.Builder("m", initial_time=0, final_time=1, time_step=0.25, saveper=0.1)


def test_builder_syntax_error_names_the_element():
    b = _builder()
    b.aux("fine", "MAX(1, 2)", units="Dmnl", doc="F.")
    b.aux("broken", "1 + * 2", units="Dmnl", doc="B.")
    with pytest.raises(exc.BuilderError, match=r"cannot parse 1 equation: aux 'broken' = "
                                               r"'1 \+ \* 2'"):
        b.to_mdl()


def test_builder_unknown_unit_is_refused():
    b = _builder()
    b.stock("s", initial=0, inflows=["f"], units="Widget", doc="S.")
    b.flow("f", "1", units="Widget/Year", doc="F.")
    b.constant("k", 1, units="Widget/Year", doc="K.")
    b.aux("bad", "k * 2", units="Florb^^/Year", doc="Unknown unit.")
    with pytest.raises(exc.UnitError, match=r"variable 'bad': cannot understand the unit string "
                                             r"'Florb\^\^/Year'"):
        b.compile()


def test_builder_refuses_inconsistent_units_and_names_them():
    b = _builder()
    b.stock("water", initial=0, inflows=["rain"], units="Litre", doc="S.")
    b.flow("rain", "water / 2", units="Litre", doc="A flow declared in stock units.")
    with pytest.raises(exc.UnitError, match=r"(?s)1 unit problem:.*water \[mismatch\]: the net "
                                             r"flow `rain`.*check_units=False"):
        b.compile()
    b.compile(check_units=False)  # told otherwise, it compiles


# --- scenario comparison (scenarios, metrics, plot.compare, sdmodel compare) ---


def _scenario_file(tmp_path, text):
    path = tmp_path / "scenarios.toml"
    path.write_text(text)
    return path


def test_scenario_unknown_parameter_names_scenario_and_suggests(np_model):
    with pytest.raises(
        exc.ScenarioError,
        match=r"scenario 'fast': unknown parameter 'catchup_rate'; model 'nelson_phelps' has no "
        r"constant of that name\. Did you mean 'catch_up_rate'",
    ):
        sd.run_scenarios(np_model, {"slow": {}, "fast": {"catchup_rate": 0.2}})


def test_scenario_override_of_a_computed_variable(np_model):
    with pytest.raises(exc.ScenarioError, match=r"scenario 'a': 'catch_up' is not a constant"):
        sd.run_scenarios(np_model, {"a": {"catch_up": 0.2}})


def test_scenario_bad_value(np_model):
    with pytest.raises(exc.ScenarioError, match=r"scenario 'a': value for 'catch_up_rate' must be a number"):
        sd.run_scenarios(np_model, {"a": {"catch_up_rate": "high"}})


def test_empty_scenario_set(np_model):
    with pytest.raises(exc.ScenarioError, match=r"scenario set is empty"):
        sd.run_scenarios(np_model, {})


def test_scenario_inherits_from_missing_one(tmp_path):
    path = _scenario_file(tmp_path, '[base]\nx = 1\n[late]\ninherits = "bse"\n')
    with pytest.raises(
        exc.ScenarioError, match=r"scenario 'late' in .* inherits from 'bse', which is not defined\. Did you mean 'base'"
    ):
        sd.load_scenarios(path)


def test_scenario_inheritance_cycle(tmp_path):
    path = _scenario_file(tmp_path, '[a]\ninherits = "c"\n[b]\ninherits = "a"\n[c]\ninherits = "b"\n')
    with pytest.raises(exc.ScenarioError, match=r"inherit in a cycle: a -> c -> b -> a"):
        sd.load_scenarios(path)


def test_scenario_file_without_scenarios(tmp_path):
    with pytest.raises(exc.ScenarioError, match=r"no scenario is defined in .*scenarios\.toml"):
        sd.load_scenarios(_scenario_file(tmp_path, "# nothing\n"))


def test_metrics_baseline_not_among_scenarios(np_model):
    ds = sd.run_scenarios(np_model, {"squander": {}, "fund": {"catch_up_rate": 0.2}}, progress=False)
    with pytest.raises(
        exc.ScenarioError, match=r"baseline 'squandr' is not among the scenarios \['squander', 'fund'\]\. Did you mean 'squander'"
    ):
        sd.metrics.compare(ds, baseline="squandr")
    with pytest.raises(exc.ScenarioError, match=r"baseline 'none'"):
        sd.plot.compare(ds, baseline="none")
    with pytest.raises(exc.AnalysisError, match=r"variable 'catchup' is not in the dataset\. Did you mean 'catch_up'"):
        sd.plot.compare(ds, variables=["catchup"])


def test_cli_compare_unwritable_output_dir(tmp_path, capsys):
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    path = _scenario_file(tmp_path, "[a]\n")
    from sdmodel.cli import main

    status = main(["compare", str(NELSON_PHELPS), "--scenarios", str(path), "--out", str(blocker / "out")])
    assert status == 1
    assert f"error: OutputError: cannot write into output folder '{blocker / 'out'}'" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker", "scenarios.toml"]


# --- unit checking (sd.check_units) ---


def _np_with_units(tmp_path, units: str):
    """Nelson-Phelps with the units of 'catch up rate' (1/Year) replaced."""
    text = NELSON_PHELPS.read_text()
    assert text.count("\t1/Year [0,1]") == 1
    path = tmp_path / "np_units.mdl"
    path.write_text(text.replace("\t1/Year [0,1]", f"\t{units} [0,1]"))
    return path


@pytest.mark.parametrize("units, reason", [
    ("1//Year", "unexpected '/'"),
    ("1/(Year", "a '(' is not closed"),
    ("Person*", "it ends where a unit was expected"),
    ("2*Person", "the number 2 is not a unit"),
])
def test_unparseable_unit_names_variable_and_string(tmp_path, units, reason):
    with pytest.raises(exc.UnitError) as info:
        sd.check_units(_np_with_units(tmp_path, units))
    assert str(info.value).startswith(
        f"variable 'catch up rate': cannot understand the unit string {units!r}: {reason}")


def test_unknown_unit_refused_when_not_defining_new_units(tmp_path):
    path = _np_with_units(tmp_path, "1/Yeer")
    assert sd.check_units(path) != []  # by default 'Yeer' is a new unit: 1/Yeer is not 1/Year
    with pytest.raises(exc.UnitError) as info:
        sd.check_units(path, define_unknown=False)
    assert str(info.value) == (
        "variable 'catch up rate': cannot understand the unit string '1/Yeer': unknown unit "
        "'Yeer': neither a Vensim unit nor one of pint's (define_unknown=False refuses new "
        "units). Did you mean 'year', 'yr'?")


def test_bad_lookup_input_units_name_the_lookup():
    with pytest.raises(exc.UnitError, match=r"variable 'demand f': cannot understand the unit "
                                            r"string '\$/': it ends where a unit was expected"):
        sd.check_units(NELSON_PHELPS, lookup_inputs={"demand f": "$/"})
    with pytest.raises(exc.UnitError) as info:
        sd.check_units(NELSON_PHELPS, lookup_inputs={"catch up": "Dmnl"})
    assert str(info.value) == ("lookup_inputs names 'catch up', which is not a lookup of the "
                               "model (its lookups: none).")


def test_cli_check_units_unparseable_unit(tmp_path, capsys):
    from sdmodel.cli import main

    assert main(["check-units", str(_np_with_units(tmp_path, "1//Year"))]) == 1
    assert ("sdmodel check-units: error: UnitError: variable 'catch up rate': cannot understand "
            "the unit string '1//Year'") in capsys.readouterr().err


# --- validation models (sdmodel.validation) ---


def test_validation_model_path_unknown_name():
    from sdmodel import validation

    with pytest.raises(exc.ModelFileError, match=r"no validation model named 'hartwik'; "
                                                 r"expected one of hartwick, .* Did you mean "
                                                 r"'hartwick'\?"):
        validation.model_path("hartwik")


def test_validation_exact_solutions_refuse_parameters_without_closed_form():
    from sdmodel import validation

    with pytest.raises(exc.ParameterError, match=r"capital_elasticity \(0.1\) must exceed "
                                                 r"resource_elasticity \(0.2\)"):
        validation.hartwick([0.0], capital_elasticity=0.1, resource_elasticity=0.2)
    with pytest.raises(exc.ParameterError, match=r"depreciation_rate must be 0 for the exact "
                                                 r"Hartwick path, got 0.02"):
        validation.hartwick([0.0], depreciation_rate=0.02)
    with pytest.raises(exc.ParameterError, match=r"catch_up_rate must be positive, got 0.0"):
        validation.logistic_catch_up([0.0], catch_up_rate=0.0)
    with pytest.raises(exc.ParameterError, match=r"initial_capability \(2\) must be below "
                                                 r"entry_barrier \(1.5\)"):
        validation.capability_crossing_time(initial_capability=2.0)
    with pytest.raises(exc.ParameterError, match=r"resource_windfall \[1.0\] exceeds the "
                                                 r"feasibility bound H\^\(eps-1\) = 0.912871 "
                                                 r"\(H = 1.2, eps = 0.5\)"):
        validation.dependent_economy([0.5, 1.0])


# --- calibration and data (sd.calibrate, sdmodel.data) ---


def _observed_capability(model, **run_kw):
    ds = model.run({"catch_up_rate": 0.08}, final_time=40,
                   return_vars=["technological_capability"], **run_kw)
    return ds[["technological_capability"]]


def _calibrate_without_running(model, observed, params, **kw):
    """sd.calibrate must refuse before its first model run: the callback sees no run."""
    runs = []
    try:
        sd.calibrate(model, observed, params, callback=lambda *a: runs.append(a),
                     progress=False, **kw)
    finally:
        assert runs == [], "an optimisation started before the input was checked"


def test_calibrate_series_matching_no_variable(np_model):
    obs = _observed_capability(np_model).rename(technological_capability="tech_capabilty")
    with pytest.raises(exc.CalibrationError,
                       match=r"series 'tech_capabilty' matches no variable of model "
                             r"'nelson_phelps'.*mapping=.*Did you mean"):
        _calibrate_without_running(np_model, obs, {"catch_up_rate": (0.01, 1.0)})


def test_calibrate_series_without_overlapping_years(np_model):
    obs = _observed_capability(np_model).assign_coords(time=lambda d: d["time"] + 500)
    with pytest.raises(exc.DataError,
                       match=r"'technological_capability' \(500-540\) has no observation inside "
                             r"the simulated window 0-100"):
        _calibrate_without_running(np_model, obs, {"catch_up_rate": (0.01, 1.0)})


def test_calibrate_all_nan_series(np_model):
    obs = _observed_capability(np_model) * float("nan")
    with pytest.raises(exc.DataError, match=r"'technological_capability' is all NaN"):
        _calibrate_without_running(np_model, obs, {"catch_up_rate": (0.01, 1.0)})


def test_calibrate_inverted_bounds(np_model):
    obs = _observed_capability(np_model)
    with pytest.raises(exc.CalibrationError,
                       match=r"'catch_up_rate' has inverted bounds: min=0.5 > max=0.1"):
        _calibrate_without_running(np_model, obs, {"catch_up_rate": (0.5, 0.1)})


def test_calibrate_parameter_that_is_not_a_constant(np_model):
    obs = _observed_capability(np_model)
    with pytest.raises(exc.ParameterError,
                       match=r"'world_frontier' is not a constant of model 'nelson_phelps' "
                             r"\(it is Auxiliary\)"):
        _calibrate_without_running(np_model, obs, {"world_frontier": (0.1, 2.0)})
    with pytest.raises(exc.ParameterError,
                       match=r"'catchup_rate' is not in model.*Did you mean 'catch_up_rate'"):
        _calibrate_without_running(np_model, obs, {"catchup_rate": (0.1, 0.5)})


def test_calibrate_start_outside_bounds(np_model):
    obs = _observed_capability(np_model)
    with pytest.raises(exc.CalibrationError,
                       match=r"'catch_up_rate': start value 0.9 is outside its bounds \[0.01, 0.5\]"):
        _calibrate_without_running(np_model, obs, {"catch_up_rate": (0.9, 0.01, 0.5)})


def test_calibrate_bounds_beyond_documented_limits(np_model):
    obs = _observed_capability(np_model)
    with pytest.raises(exc.CalibrationError,
                       match=r"'frontier_growth_rate': bounds \[0, 0.2\] go outside the model's "
                             r"documented range \[0, 0.05\]"):
        _calibrate_without_running(np_model, obs, {"frontier_growth_rate": (0.0, 0.2)})


def test_calibrate_unknown_method_and_option(np_model):
    obs = _observed_capability(np_model)
    with pytest.raises(exc.CalibrationError, match=r"unknown calibration method 'bfgs'"):
        _calibrate_without_running(np_model, obs, {"catch_up_rate": (0.01, 1.0)}, method="bfgs")
    with pytest.raises(exc.CalibrationError,
                       match=r"option 'generations' is not accepted for method "
                             r"'differential_evolution'"):
        _calibrate_without_running(np_model, obs, {"catch_up_rate": (0.01, 1.0)},
                                   method="differential_evolution",
                                   options={"generations": 3})


def test_calibrate_global_method_needs_finite_bounds(np_model):
    obs = _observed_capability(np_model)
    with pytest.raises(exc.CalibrationError, match=r"needs finite bounds"):
        _calibrate_without_running(np_model, obs, {"initial_frontier": 1.0},
                                   method="dual_annealing")


def test_data_unknown_country_and_indicator(data_dir):
    with pytest.raises(exc.DataError, match=r"country 'CHI' is not in .*Did you mean 'CHL'"):
        sd.data.load_wdi("PX.REX.REER", "CHI", data_dir=data_dir, download=False)
    with pytest.raises(exc.DataError, match=r"indicator 'PX.REX.RER' is not in .*Did you mean"):
        sd.data.load_wdi("PX.REX.RER", "CHL", data_dir=data_dir, download=False)


def test_data_nan_only_request(data_dir):
    with pytest.raises(exc.DataError, match=r"no observations .* PX\.REX\.REER for ECU"):
        sd.data.load_wdi("PX.REX.REER", "ECU", data_dir=data_dir, download=False)


# --- reference model of Pérez (sdmodel.perez.reference) ---

@pytest.fixture(scope="module")
def perez_model():
    return sd.load(MODELS / "perez" / "perez.mdl")


@pytest.mark.parametrize("params, message", [
    ({"fund_share": 1.2}, r"fund_share = 1\.2 is outside \[0, 1\]; expected a share"),
    ({"reinvestment_share": -0.1}, r"reinvestment_share = -0\.1 is outside \[0, 1\]"),
    ({"government_take": 1.5}, r"government_take = 1\.5 is outside \[0, 1\]"),
    ({"human_capital_share": 0.5, "technologization_share": 0.4, "bottom_up_share": 0.3},
     r"human_capital_share \(0\.5\) \+ technologization_share \(0\.4\) \+ bottom_up_share "
     r"\(0\.3\) = 1\.2; expected the split of reinvested rents to sum to 1"),
    ({"reinvestment_share": 0.6, "fund_share": 0.6},
     r"fund_share \(0\.6\) \+ reinvestment_share \(0\.6\) = 1\.2; expected at most 1"),
    ({"reinvestment_start_year": float("nan")},
     r"reinvestment_start_year = nan is not a finite year; expected a calendar year"),
    ({"Reinvestment Start Year": float("inf")}, r"reinvestment_start_year = inf is not a finite"),
    ({"energy_weight": 0.6, "metals_weight": 0.6},
     r"energy_weight \(0\.6\) \+ metals_weight \(0\.6\) \+ agriculture_weight \(0\) = 1\.2; "
     r"expected the commodity basket weights to sum to 1"),
])
def test_perez_bad_policy_parameters(perez_model, params, message):
    from sdmodel.perez.reference import validate_perez_params

    with pytest.raises(exc.ParameterError, match=message):
        validate_perez_params(perez_model, params)


def test_perez_unknown_parameter_and_valid_set(perez_model):
    from sdmodel.perez.reference import validate_perez_params

    with pytest.raises(exc.ParameterError, match=r"'reinvest_share' is not in model 'perez'.*"
                                                 r"Did you mean 'reinvestment_share'"):
        validate_perez_params(perez_model, {"reinvest_share": 0.5})
    values = validate_perez_params(perez_model, {"reinvestment_share": 0.5, "fund_share": 0.5})
    assert values["reinvestment_share"] == 0.5 and values["human_capital_share"] == 0.4


def test_perez_missing_price_data(tmp_path):
    from sdmodel.perez.reference import build_perez

    with pytest.raises(exc.DataError, match=r"commodity_prices\.csv' does not exist"):
        build_perez(data_dir=tmp_path)
    (tmp_path / "commodity_prices.csv").write_text("year,copper_usd_t\n2000,1\n")
    with pytest.raises(exc.DataError, match=r"lacks the column\(s\) \['energy_index_real'"):
        build_perez(data_dir=tmp_path)


def test_perez_sector_bad_parameter_name():
    b = sd.Builder("m", initial_time=2000, final_time=2010, time_step=0.25)
    with pytest.raises(exc.BuilderError, match=r"unknown sector parameter\(s\) \['educaton "
                                               r"delay'\]"):
        sd.perez.sectors.human_capital(b, educaton_delay=5)


def test_perez_batch_and_run_window_checks(perez_model):
    from sdmodel.perez.reference import validate_perez_params

    with pytest.raises(exc.ParameterError, match=r"fund_share = 1\.5 \(run 2\) is outside "
                                                 r"\[0, 1\]"):
        validate_perez_params(perez_model, {"fund_share": [0.0, 0.5, 1.5]})
    with pytest.raises(exc.ParameterError, match=r"= 1\.1 \(run 1\); expected the split"):
        validate_perez_params(perez_model, {"human_capital_share": [0.4, 0.5]})
    with pytest.raises(exc.ParameterError, match=r"different lengths"):
        validate_perez_params(perez_model, {"fund_share": [0.1, 0.2],
                                            "reinvestment_share": [0.1, 0.2, 0.3]})
    # a start after the run's end is allowed: reinvestment never starts
    validate_perez_params(perez_model, {"reinvestment_start_year": 2045}, final_time=2040)
    with pytest.raises(exc.ParameterError, match=r"= nan \(run 1\) is not a finite year"):
        validate_perez_params(perez_model, {"reinvestment_start_year": [2004, float("nan")]})


def test_perez_constraints_stop_every_engine_before_running(perez_model, monkeypatch):
    """sd.load attaches the reference model's checks; run, run_batch and run_scenarios use them."""
    import sdmodel.batch

    def no_simulation(*args, **kwargs):
        raise AssertionError("a simulation started")

    monkeypatch.setattr(perez_model.pysd, "run", no_simulation)
    monkeypatch.setattr(sdmodel.batch, "run_batch", no_simulation)
    split = {"human_capital_share": 0.5, "technologization_share": 0.4, "bottom_up_share": 0.3}
    with pytest.raises(exc.ParameterError, match=r"= 1\.2; expected the split"):
        perez_model.run(split)
    with pytest.raises(exc.ParameterError, match=r"'reinvestment_start_year' is infinite"):
        perez_model.run({"reinvestment_start_year": float("inf")}, final_time=2040)
    with pytest.raises(exc.ParameterError, match=r"fund_share = 1\.5 \(run 1\) is outside"):
        perez_model.run_batch({"fund_share": [0.2, 1.5]})
    with pytest.raises(exc.ScenarioError, match=r"scenario 'bad': .*= 1\.2; expected the split"):
        sd.run_scenarios(perez_model, {"ok": {}, "bad": split})


# --- analysis (window sweeps, uncertainty, sensitivity, ensembles) ---

_WINDOW_TOY = MODELS.parent / "tests" / "data" / "window_toy.mdl"
_WINDOW_SCENARIOS = MODELS.parent / "tests" / "data" / "window_toy_scenarios.toml"
_LEVERS = dict(start_lever="reinvestment_start_year", share_lever="reinvestment_share")


@pytest.fixture(scope="module")
def window_toy():
    return sd.load(_WINDOW_TOY)


def test_window_sweep_start_years_outside_the_run(window_toy):
    with pytest.raises(exc.AnalysisError, match=r"^start years \[1999.0, 2061.0\] are outside the run "
                                                r"of model 'window_toy' \(2000 to 2060\); expected "
                                                r"start years within it$"):
        sd.analysis.window_sweep(window_toy, [1999, 2010, 2061], [0.5], scenarios=_WINDOW_SCENARIOS,
                                 **_LEVERS, metric="gdp_per_capita")


def test_window_sweep_empty_grid(window_toy):
    with pytest.raises(exc.AnalysisError, match=r"^shares is empty: the sweep grid has no cells; "
                                                r"expected at least one value$"):
        sd.analysis.window_sweep(window_toy, [2010], [], scenarios=_WINDOW_SCENARIOS, **_LEVERS,
                                 metric="gdp_per_capita")


def test_window_sweep_metric_the_model_lacks(window_toy):
    with pytest.raises(exc.AnalysisError, match=r"^metric 'gdp_per_head': metric variable "
                                                r"'gdp_per_head' is not in model 'window_toy'\. "
                                                r"Did you mean 'gdp_per_capita'"):
        sd.analysis.window_sweep(window_toy, [2010], [0.5], metric="gdp_per_head",
                                 scenarios=_WINDOW_SCENARIOS, **_LEVERS)


def test_ensemble_samples_with_missing_values(window_toy):
    with pytest.raises(exc.AnalysisError, match=r"^samples: parameter 'boom_size' is missing \(NaN "
                                                r"or infinite\) in 2 run\(s\), first at run 1; "
                                                r"every run needs a value$"):
        sd.ensemble(window_toy, {"boom_size": [1.0, float("nan"), float("nan")]})


def test_ensemble_samples_with_unknown_parameters(window_toy):
    with pytest.raises(exc.AnalysisError, match=r"^samples: unknown parameter 'bom_size'; model "
                                                r"'window_toy' has no constant of that name\. Did "
                                                r"you mean 'boom_size'\?$"):
        sd.ensemble(window_toy, {"bom_size": [1.0]})


def test_ensemble_store_exists(window_toy, tmp_path):
    store = tmp_path / "runs.zarr"
    store.mkdir()
    with pytest.raises(exc.OutputError, match=r"store '.*runs\.zarr' already exists; pass "
                                              r"overwrite=True to replace it$"):
        sd.ensemble(window_toy, {"boom_size": [1.0]}, store=store)
    assert list(tmp_path.iterdir()) == [store] and list(store.iterdir()) == []


def test_sampling_a_parameter_without_documented_range():
    model = sd.load(MODELS / "validation" / "nelson_phelps.mdl")
    with pytest.raises(exc.AnalysisError, match=r"^parameter 'initial_capability' of model "
                                                r"'nelson_phelps' has no documented range"):
        sd.analysis.latin_hypercube(model, ["initial_capability"], 10)


# --- batch engine (Model.run_batch) ---


def test_batch_unequal_lengths_name_every_parameter(np_model):
    import numpy as np

    with pytest.raises(exc.ParameterError, match=r"^parameter arrays have unequal lengths "
                                                 r"\('catch_up_rate': 3, 'initial_frontier': 2\)"):
        np_model.run_batch({"catch_up_rate": np.ones(3), "initial_frontier": np.ones(2)})


def test_batch_parameter_that_is_not_a_constant(np_model):
    with pytest.raises(exc.ParameterError, match=r"^'world frontier' is not a constant of model "
                                                 r"'nelson_phelps' \(it is computed by the model\)"):
        np_model.run_batch({"world frontier": [1.0, 2.0]})


def test_batch_unknown_parameter_suggests(np_model):
    with pytest.raises(exc.ParameterError, match=r"^parameter 'catch_up_rte' is not in model "
                                                 r"'nelson_phelps'\. Did you mean 'catch_up_rate'"):
        np_model.run_batch({"catch_up_rte": [0.1]})


def test_batch_zero_runs(np_model):
    with pytest.raises(exc.ParameterError, match=r"^values for 'catch_up_rate' are empty: N = 0 "
                                                 r"runs"):
        np_model.run_batch({"catch_up_rate": []})


@pytest.mark.parametrize("value", [["a", "b"], [True, False], 0.3, "0.3"])
def test_batch_non_numeric_or_scalar_values(np_model, value):
    with pytest.raises(exc.ParameterError, match=r"^values? for 'catch_up_rate' must be "):
        np_model.run_batch({"catch_up_rate": value})


def test_batch_nan_value_names_the_run(np_model):
    with pytest.raises(exc.ParameterError, match=r"^values for 'catch_up_rate' contain NaN "
                                                 r"\(run 1\)"):
        np_model.run_batch({"catch_up_rate": [0.1, float("nan")]})


def test_batch_time_setting_as_parameter(np_model):
    with pytest.raises(exc.ParameterError, match=r"^'TIME STEP' is a time setting"):
        np_model.run_batch({"TIME STEP": [1.0, 0.5]})


def test_batch_unsupported_construct_names_element_and_construct():
    model = sd.load(TEST_MODELS / "Query_file" / "Query_file.mdl")
    with pytest.raises(exc.UnsupportedConstructError, match=r"^kWhPerStovePerDay: function RANDOM "
                                                            r"UNIFORM is not supported by the "
                                                            r"batch engine$"):
        model.run_batch({"accountants": [1.0]})


def test_batch_dynamic_time_settings_are_refused():
    model = sd.load(TEST_MODELS / "control_vars" / "test_control_vars.mdl")
    with pytest.raises(exc.UnsupportedConstructError, match=r"^FINAL TIME: the time setting is "
                                                            r"computed from model variables"):
        model.run_batch({"anything": [1.0]})
