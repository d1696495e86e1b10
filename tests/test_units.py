"""Unit checking: the Vensim unit vocabulary on pint, and check_units over model syntax trees.

Oracles: unit facts (1 Month = 1/12 Year, a quarter is 3 months), equations whose units were
worked out by hand (each model below states which variables are wrong and why), and
deliberately broken variants of the Nelson-Phelps validation model.
"""

from __future__ import annotations

import dataclasses
import math
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from conftest import MODELS, TEST_MODELS
from sdmodel.units import UnitRegistry

import sdmodel as sd
from sdmodel.cli import main
from sdmodel.units import UnitProblem, UnitRegistry

NELSON_PHELPS = MODELS / "validation" / "nelson_phelps.mdl"

CONTROL = """
********************************************************
	.Control
********************************************************~
		Simulation Control Parameters
	|

FINAL TIME  = 10
	~	{t}
	~	The final time for the simulation.
	|

INITIAL TIME  = 0
	~	{t}
	~	The initial time for the simulation.
	|

SAVEPER  = 1
	~	{t} [0,?]
	~	The frequency with which output is stored.
	|

TIME STEP  = 0.25
	~	{t} [0,?]
	~	The time step for the simulation.
	|
"""


def write_mdl(path, equations: list[tuple[str, str, str]], *, time_units="Year", tail=""):
    """A Vensim model from (name, equation, units) triples, written to ``path``.

    A name ending in ``(`` is a lookup (the equation is its table); a name holding ``:`` is a
    subscript range definition.
    """
    body = ""
    for name, eq, units in equations:
        if name.endswith("("):
            body += f"{name}\n\t{eq})\n\t~\t{units}\n\t~\t\n\t|\n\n"
        elif ":" in name:
            body += f"{name}\n\t~\t\n\t~\t\n\t|\n\n"
        else:
            body += f"{name}=\n\t{eq}\n\t~\t{units}\n\t~\t\n\t|\n\n"
    path.write_text("{UTF-8}\n" + body + CONTROL.format(t=time_units) + tail)
    return path


SKETCH = "\\\\\\---/// Sketch information - do not modify\nV300\n///---\\\\\\\n:L<%^E!@\n"


def flagged(problems) -> set[tuple[str, str]]:
    return {(p.variable, p.kind) for p in problems}


# --- the registry ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def reg():
    return UnitRegistry()


@pytest.mark.parametrize("a, b", [
    ("Person", "Persons"), ("Person", "people"), ("PERSON", "person"),
    ("$", "Dollar"), ("$", "dollars"), ("$", "USD"),
    ("Dmnl", "dimensionless"), ("Dmnl", "fraction"), ("Dmnl", "1"), ("Dmnl", "Person/Persons"),
    ("1/Year", "Year^-1"), ("1/Year", "1/yr"), ("1/Year", "fraction/Years"),
    ("Month", "months"), ("Day", "days"), ("Week", "weeks"), ("Quarter", "quarters"),
    ("Widgets/Week", "widget/week"), ("$/(Person*Year)", "$/Person/Year"),
    ("m/s^2", "m/s/s"), ("m^(2)", "m*m"), ("tonnes CO2/Year", "Tonnes  CO2/Year"),
])
def test_vocabulary_equal_units(reg, a, b):
    assert reg.equal(reg.parse(a), reg.parse(b)), (a, b)


@pytest.mark.parametrize("a, b", [
    ("Person", "$"), ("Widget", "Gadget"), ("Person/Year", "Person"), ("Month", "Year"),
    ("Rs", "second"), ("unit", "dimensionless"), ("Dmnl", "percent"), ("Quarter", "Year"),
])
def test_vocabulary_distinct_units(reg, a, b):
    assert not reg.equal(reg.parse(a), reg.parse(b)), (a, b)


def test_time_units_convert_with_their_true_factors(reg):
    assert math.isclose(reg.ratio(reg.parse("Month"), reg.parse("Year")), 1 / 12)
    assert math.isclose(reg.ratio(reg.parse("Quarter"), reg.parse("Month")), 3.0)
    assert math.isclose(reg.ratio(reg.parse("Week"), reg.parse("Day")), 7.0)
    # an unknown word that pint would read through an SI prefix is its own base unit
    assert reg.ratio(reg.parse("Rs"), reg.parse("second")) is None
    assert reg.format(reg.parse("Rs/(Day*Person)")) == "Rs/(Person*Day)"


WORDS = ["Person", "$", "Year", "Month", "Day", "Dmnl", "Widget", "tonnes CO2", "kg", "m",
         "Quarter", "Rs", "percent", "acre"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(WORDS), st.integers(-3, 3).filter(bool)),
                min_size=1, max_size=4))
def test_format_parses_back_to_the_same_unit(reg, factors):
    text = "*".join(f"({word})^{power}" for word, power in factors)
    unit = reg.parse(text)
    expected = reg.parse("1")
    for word, power in factors:
        expected = expected * reg.parse(word) ** power
    assert reg.equal(unit, expected)
    assert reg.equal(reg.parse(reg.format(unit)), unit), reg.format(unit)


def test_synonym_groups_and_formatting():
    reg = UnitRegistry(synonyms=[["Widget", "Gadget", "Gizmo"]])
    assert reg.equal(reg.parse("Gadgets/Month"), reg.parse("Widget/Month"))
    assert reg.format(reg.parse("Gizmo/Month")) == "Widget/Month"
    assert reg.format(reg.parse("Persons/Persons/Day")) == "1/Day"
    assert reg.format(reg.parse("Dmnl")) == "Dmnl"
    assert reg.parse("") is None and reg.parse("   ") is None


# --- correct models --------------------------------------------------------------------------
def test_correct_models_have_no_problems():
    assert sd.check_units(NELSON_PHELPS) == []
    assert sd.check_units(TEST_MODELS / "SIR" / "SIR.mdl") == []
    # the model's own units check: its constants and flows are all declared
    assert sd.check_units(NELSON_PHELPS, require_units=True) == []


def test_a_large_consistent_test_model_and_a_broken_copy(test_models_dir, tmp_path):
    # Query_file declares units for 139 variables (Rs, Stoves, Shop, Day, ... and a
    # dimensionless lookup input Time/UnitConversionFactor): consistent as written
    source = test_models_dir / "Query_file" / "Query_file.mdl"
    assert sd.check_units(source) == []
    old = "GST Expenses=\n\t(GSTReceived-GSTPaid)*Sales\n\t~\tRs/Day"
    text = source.read_text()
    assert text.count(old) == 1
    broken = tmp_path / "Query_file.mdl"
    broken.write_text(text.replace(old, old[:-4]))  # declared Rs instead of Rs/Day
    problems = sd.check_units(broken)
    # its own equation, and the sum that uses it with other Rs/Day terms
    assert flagged(problems) == {("GST Expenses", "mismatch"), ("Expenses", "inconsistent")}
    assert (problems[0].variable, problems[0].expected, problems[0].found) == \
        ("GST Expenses", "Rs", "Rs/Day")


def test_xmile_model_and_a_broken_copy(tmp_path):
    source = MODELS.parent / "tests" / "data" / "teacup.xmile"
    assert sd.check_units(source) == []
    text = source.read_text()
    old = '<aux name="Characteristic Time"><eqn>10</eqn><units>Minutes</units>'
    assert text.count(old) == 1
    broken = tmp_path / "teacup.xmile"
    broken.write_text(text.replace(old, old.replace("Minutes", "Degrees")))
    problems = sd.check_units(broken)
    assert flagged(problems) == {("Heat Loss to Room", "mismatch")}
    assert (problems[0].expected, problems[0].found) == ("degree/Minute", "Dmnl")


@pytest.mark.parametrize("path", sorted(MODELS.glob("**/*.mdl")),
                         ids=lambda p: str(p.relative_to(MODELS)))
def test_shipped_models_are_unit_consistent(path):
    assert [str(p) for p in sd.check_units(path, require_units=True)] == []


def test_check_units_accepts_a_loaded_model():
    assert sd.check_units(sd.load(NELSON_PHELPS)) == []


# --- deliberately broken variants of Nelson-Phelps -------------------------------------------
def _variant(tmp_path, old: str, new: str):
    text = NELSON_PHELPS.read_text()
    assert text.count(old) == 1, old
    path = tmp_path / "variant.mdl"
    path.write_text(text.replace(old, new))
    return sd.check_units(path)


def test_flow_declared_in_stock_units_is_caught(tmp_path):
    problems = _variant(tmp_path, "~\tDmnl/Year", "~\tDmnl")
    # the flow's own equation (1/Year * Dmnl) disagrees with its units, and the stock's net
    # flow is then in stock units rather than stock units per Year
    assert flagged(problems) == {("catch up", "mismatch"), ("Technological Capability", "mismatch")}
    flow = next(p for p in problems if p.variable == "catch up")
    assert (flow.expected, flow.found) == ("Dmnl", "1/Year")
    stock = next(p for p in problems if p.variable == "Technological Capability")
    assert (stock.expected, stock.found) == ("1/Year", "Dmnl")
    assert "catch up" in stock.explanation


def test_sum_of_mismatched_units_is_caught(tmp_path):
    problems = _variant(tmp_path, "catch up rate * (world frontier - Technological Capability)",
                        "catch up rate * world frontier - Technological Capability")
    assert flagged(problems) == {("catch up", "inconsistent")}
    (problem,) = problems
    assert {problem.expected, problem.found} == {"1/Year", "Dmnl"}
    assert "Technological Capability" in problem.explanation
    assert problem.equation.startswith("catch up = ")


def test_exp_of_a_dimensional_quantity_is_caught(tmp_path):
    problems = _variant(tmp_path, "EXP(frontier growth rate * (Time - INITIAL TIME))",
                        "EXP(frontier growth rate)")
    assert flagged(problems) == {("world frontier", "argument")}
    (problem,) = problems
    assert (problem.expected, problem.found) == ("Dmnl", "1/Year")
    assert "EXP" in problem.explanation and "frontier growth rate" in problem.explanation


def test_stock_initial_value_in_wrong_units_is_caught(tmp_path):
    problems = _variant(tmp_path, "initial capability=\n\t0.3\n\t~\tDmnl",
                        "initial capability=\n\t0.3\n\t~\tPerson")
    assert flagged(problems) == {("Technological Capability", "argument")}


# --- the rules, one hand-worked model ------------------------------------------------------
RULES = [
    # name, equation, units -- comments say what the checker must conclude
    ("population", "INTEG(births - deaths, initial population)", "Person"),
    ("initial population", "1000", "Persons"),                      # a bare constant adopts
    ("births", "population * birth rate", "Person/Year"),
    ("birth rate", "0.03", "1/Year"),
    ("deaths", "DELAY1(births, lifetime)", "People/Year"),           # delays keep units
    ("lifetime", "70", "Years"),
    ("survival", "1 - death share", "Dmnl"),                         # 1 adopts Dmnl
    ("death share", "0.01", "fraction"),
    ("double births", "births * 2", "Person/Year"),                  # 2 is dimensionless
    ("smoothed births", "SMOOTH3(births, lifetime / 2)", "Person/Year"),
    ("crowding", "MIN(1, population / capacity)", "Dmnl"),
    ("capacity", "5000", "Person"),
    ("effect", "effect table(crowding)", "Dmnl"),                    # dimensionless input: ok
    ("effect table(", "[(0,0)-(2,1)],(0,1),(1,0.5),(2,0)", "Dmnl"),
    ("switch", "IF THEN ELSE(Time > 5, births, deaths)", "Person/Year"),
    ("growth", "TREND(population, lifetime, 0)", "1/Year"),
    ("root", "area ^ 0.5", "m"),                                     # constant exponent
    ("area", "100", "m*m"),
    ("ramp up", "RAMP(birth rate, 2, 8)", "Dmnl"),                    # 1/Year * Year
    ("stepped", "STEP(capacity, 3)", "Person"),
    # wrong, each for one reason:
    ("bad sum", "population + births", "Person"),                    # Person + Person/Year
    ("bad compare", "IF THEN ELSE(population > lifetime, 1, 0)", "Dmnl"),  # Person vs Year
    ("bad branches", "IF THEN ELSE(Time > 5, population, births)", "Person"),
    ("bad max", "MAX(capacity, lifetime)", "Person"),
    ("bad delay time", "SMOOTH(births, capacity)", "Person/Year"),   # delay time in Person
    ("bad ln", "LN(population)", "Dmnl"),
    ("bad lookup input", "effect table(population)", "Dmnl"),       # input not dimensionless
    ("bad declared", "population / lifetime", "Person"),            # is Person/Year
    ("monthly", "births / 12", "Person/Month"),                      # Year is not Month
    ("variable power", "population ^ death share", "Person"),        # exponent not constant
    ("mystery", "GET TIME VALUE(0, 0, 0) + UNKNOWN FUNCTION(1)", "Year"),
]
RULES_FLAGGED = {
    ("bad sum", "inconsistent"), ("bad compare", "inconsistent"),
    ("bad branches", "inconsistent"), ("bad max", "inconsistent"),
    ("bad delay time", "argument"), ("bad ln", "argument"), ("bad lookup input", "argument"),
    ("bad declared", "mismatch"), ("monthly", "mismatch"), ("variable power", "unchecked"),
    ("mystery", "unchecked"),
}


@pytest.fixture(scope="module")
def rules_model(tmp_path_factory):
    path = write_mdl(tmp_path_factory.mktemp("rules") / "rules.mdl", RULES)
    with warnings.catch_warnings():  # PySD warns that UNKNOWN FUNCTION is not implemented
        warnings.simplefilter("ignore", UserWarning)
        sd.translate(path)
    return path


def test_rules_flag_exactly_the_wrong_equations(rules_model):
    problems = sd.check_units(rules_model)
    assert flagged(problems) == RULES_FLAGGED
    by_name = {p.variable: p for p in problems}
    assert (by_name["bad declared"].expected, by_name["bad declared"].found) == \
        ("Person", "Person/Year")
    assert "1 Person/Year = 0.0833333 Person/Month" in by_name["monthly"].explanation
    assert by_name["bad delay time"].expected == "Year"
    assert "effect table" in by_name["bad lookup input"].explanation


def test_unchecked_constructs_can_be_left_out(rules_model):
    problems = sd.check_units(rules_model, include_unchecked=False)
    assert flagged(problems) == {f for f in RULES_FLAGGED if f[1] != "unchecked"}


def test_declared_lookup_input(tmp_path):
    path = write_mdl(tmp_path / "lookup.mdl", [
        ("demand", "demand f(price)", "Widget/Month"),
        ("demand f(", "[(0,0)-(20,1000)],(0,1000),(5,100),(20,1)", "Widget/Month"),
        ("price", "5", "$/Widget"),
    ], time_units="Month")
    assert flagged(sd.check_units(path)) == {("demand", "argument")}
    assert sd.check_units(path, lookup_inputs={"demand f": "$/Widgets"}) == []
    with pytest.raises(sd.exceptions.UnitError, match=r"'demand g'.*Did you mean 'demand f'"):
        sd.check_units(path, lookup_inputs={"demand g": "$/Widgets"})


def test_cli_lookup_input_and_synonyms(tmp_path, capsys):
    path = write_mdl(tmp_path / "cli_lookup.mdl", [
        ("demand", "demand f(price)", "Gadget/Month"),
        ("demand f(", "[(0,0)-(20,1000)],(0,1000),(5,100),(20,1)", "Widget/Month"),
        ("price", "5", "$/Widget"),
    ], time_units="Month")
    assert main(["check-units", str(path)]) == 1
    out = capsys.readouterr().out
    assert "demand [argument]" in out and "demand [mismatch]" in out
    assert main(["check-units", str(path), "--lookup-input", "demand f=$/Widget",
                 "--synonyms", "Widget,Gadget"]) == 0
    assert main(["check-units", str(path), "--lookup-input", "demand f"]) == 2
    assert "--lookup-input 'demand f': expected LOOKUP=UNITS" in capsys.readouterr().err


def test_subscripts_and_file_synonyms(tmp_path):
    path = write_mdl(tmp_path / "subs.mdl", [
        ("region: north, south", "", ""),
        ("stock[region]", "INTEG(inflow[region], 10)", "Gadget"),
        ("inflow[region]", "rate[region] * stock[region]", "Widgets/Month"),
        ("rate[region]", "0.1, 0.2", "1/Month"),
        ("total", "SUM(stock[region!])", "Widget"),
    ], time_units="Month", tail=SKETCH + "22:Widget,Gadget\n")
    assert sd.check_units(path) == []
    unsynonymed = tmp_path / "plain.mdl"
    unsynonymed.write_text(path.read_text().replace("22:Widget,Gadget\n", ""))
    assert flagged(sd.check_units(unsynonymed)) == {
        ("stock", "mismatch"), ("inflow", "mismatch"), ("total", "mismatch")}


def test_require_units_and_undeclared_time(tmp_path):
    path = write_mdl(tmp_path / "bare.mdl", [
        ("level", "INTEG(inflow, 1)", "Widget"),
        ("inflow", "0.5", "Widget/Year"),
        ("helper", "level * 2", ""),
    ], time_units="")
    problems = sd.check_units(path, require_units=True)
    kinds = flagged(problems)
    assert ("helper", "undeclared") in kinds
    assert ("TIME STEP", "unchecked") in kinds   # no time unit: stock-flow units unchecked


# --- every model of the SDXorg test-models collection ------------------------------------
#: Models with real unit problems, each checked by hand (see the report of issue 3).
KNOWN_INCONSISTENT = {
    "active_initial_circular", "euler_step_vs_saveper", "except", "smooth_and_stock",
    "subscript_copy", "subscript_mapping_vensim", "subscripted_trend", "trend",
    # macro calls are reported as unchecked
    "macro_cross_reference", "macro_expression", "macro_multi_macros",
    "macro_trailing_definition",
}


def test_every_test_model_is_checked_without_failing(test_models_dir):
    paths = sorted(test_models_dir.glob("*/*.mdl"))
    assert len(paths) >= 80
    inconsistent = set()
    for path in paths:
        problems = sd.check_units(path)
        assert all(isinstance(p, UnitProblem) for p in problems)
        assert not [p for p in problems if "internal error" in p.explanation], path
        if problems:
            inconsistent.add(path.parent.name)
    assert inconsistent == KNOWN_INCONSISTENT
    assert len(paths) - len(inconsistent) == 70


def test_known_problem_of_a_test_model(test_models_dir):
    problems = sd.check_units(test_models_dir / "subscript_mapping_vensim" /
                              "test_subscript_mapping_vensim.mdl")
    assert flagged(problems) == {("POPULATION", "mismatch")}
    assert {(p.expected, p.found) for p in problems} == {("Person/Month", "Person/Year")}


# --- the problem type and the command line -------------------------------------------------
def test_unit_problem_is_frozen_and_readable():
    problem = UnitProblem("x", "x = a + b", "Person", "$", "terms differ", kind="inconsistent")
    with pytest.raises(dataclasses.FrozenInstanceError):
        problem.variable = "y"
    text = str(problem)
    assert text.splitlines()[0] == "x [inconsistent]: terms differ"
    assert "x = a + b" in text and "Person" in text and "$" in text


def test_cli_exit_status(tmp_path, capsys):
    assert main(["check-units", str(NELSON_PHELPS)]) == 0
    assert "units are consistent" in capsys.readouterr().out
    broken = tmp_path / "broken.mdl"
    broken.write_text(NELSON_PHELPS.read_text().replace("EXP(frontier growth rate * (Time - "
                                                        "INITIAL TIME))", "EXP(frontier growth rate)"))
    assert main(["check-units", str(broken)]) == 1
    out = capsys.readouterr().out
    assert "world frontier [argument]" in out and "1 unit problem in 1 variable" in out


def test_c_is_not_read_as_coulomb():
    """``C`` in a system dynamics model is a temperature or carbon, never pint's coulomb."""
    reg = UnitRegistry()
    c = reg.parse("C/Year")
    assert reg.format(c) == "C/Year"
    assert c.dimensionality != reg.parse("coulomb/Year").dimensionality
    assert reg.parse("C/C") == reg.parse("Dmnl")
