"""``sdmodel compare``: the table, the three output files, and no partial output on failure."""

from __future__ import annotations

import re
import textwrap

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from conftest import MODELS

import sdmodel as sd
from sdmodel.cli import main

NP = str(MODELS / "validation" / "nelson_phelps.mdl")
PEREZ = MODELS / "perez" / "perez.mdl"
PEREZ_SCENARIOS = MODELS / "perez" / "scenarios.toml"
FILES = {"comparison.png", "comparison.nc", "metrics.csv"}
NP_OPTIONS = ["--no-progress"]
#: A scenario file whose only metric cannot be computed: the command fails after it started.
NO_METRIC = '[a]\n[b]\ncatch_up_rate = 0.2\n[metrics.m]\nvariable = "gdp"\n'



@pytest.fixture()
def toml(tmp_path):
    path = tmp_path / "np.toml"
    path.write_text(
        textwrap.dedent(
            """
            baseline = "slow"
            [slow]
            description = "slow catch-up"
            catch_up_rate = 0.05
            [fast]
            inherits = "slow"
            catch_up_rate = 0.2
            [metrics.technological_capability_40]
            variable = "technological_capability"
            reduce = "at"
            year = 40
            [metrics.catch_up_peak]
            variable = "catch_up"
            reduce = "peak"
            """
        )
    )
    return path


def compare(*args):
    return main(["compare", *map(str, args)])


def test_compare_writes_three_files_and_prints_table(tmp_path, toml, capsys):
    out = tmp_path / "out"
    assert compare(NP, "--scenarios", toml, "--out", out, *NP_OPTIONS) == 0
    captured = capsys.readouterr()
    printed = captured.out
    assert {p.name for p in out.iterdir()} == FILES
    for name in FILES:  # messages on stderr, the results (the table) on stdout
        assert f"wrote {out / name}" in captured.err and "wrote" not in printed
    assert "Metrics by scenario" in printed and "Difference from 'slow'" in printed

    # the table's number is the capability in year 40 of a separate run with the fast rate
    model = sd.load(NP)
    expected = float(model.run({"catch_up_rate": 0.2})["technological_capability"].sel(time=40))
    frame = pd.read_csv(out / "metrics.csv", index_col="metric")
    assert frame.loc["technological_capability_40", "fast"] == pytest.approx(expected, rel=1e-12)
    assert f"{expected:.4g}" in printed
    with xr.open_dataset(out / "comparison.nc") as ds:
        assert list(ds["scenario"].values) == ["slow", "fast"]
        np.testing.assert_allclose(
            ds["technological_capability"].sel(scenario="fast", time=40), expected, rtol=1e-12
        )
    assert (out / "comparison.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_existing_outputs_are_replaced(tmp_path, toml, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "metrics.csv").write_text("old")
    (out / "notes.txt").write_text("mine")
    assert compare(NP, "--scenarios", toml, "--out", out, *NP_OPTIONS, "--baseline", "fast") == 0
    assert {p.name for p in out.iterdir()} == FILES | {"notes.txt"}
    assert (out / "metrics.csv").read_text().startswith("metric,")
    assert "fast - slow" not in (out / "metrics.csv").read_text()  # baseline given on the command line
    assert "slow - fast" in (out / "metrics.csv").read_text()


def _bad_file(tmp_path, text):
    path = tmp_path / "bad.toml"
    path.write_text(textwrap.dedent(text))
    return path


@pytest.mark.parametrize(
    "text, extra, error, pattern",
    [
        ("[a]\ncatch_up_rat = 0.2\n", [], "ScenarioError",
         r"scenario 'a': unknown parameter 'catch_up_rat'.*Did you mean 'catch_up_rate'"),
        ('[a]\ninherits = "base"\n', [], "ScenarioError", r"inherits from 'base', which is not defined"),
        ('[a]\ninherits = "b"\n[b]\ninherits = "a"\n', [], "ScenarioError", r"a -> b -> a"),
        ("", [], "ScenarioError", r"no scenario is defined"),
        ("[a]\n[b]\n", ["--baseline", "c"], "ScenarioError", r"--baseline 'c' is not among"),
        (NO_METRIC, [], "AnalysisError", r"no metric could be computed \(m: the dataset has no variable 'gdp'"),
        (NO_METRIC, ["--metric", "n"], "ScenarioError", r"--metric 'n' is not a metric of .* declares \['m'\]"),
        ('[a]\n[metric.m]\nvariable = "x"\n', [], "ScenarioError", r"\[metric\] .* Did you mean 'metrics'"),
        ('[a]\n[metrics.m]\nvariable = "x"\nreduce = "peek"\n', [], "ScenarioError", r"Did you mean 'peak'"),
    ],
)
def test_bad_input_is_a_typed_error_and_leaves_nothing(tmp_path, capsys, text, extra, error, pattern):
    out = tmp_path / "out"
    status = compare(NP, "--scenarios", _bad_file(tmp_path, text), "--out", out, "--no-progress", *extra)
    assert status == 1
    err = capsys.readouterr().err
    assert f"error: {error}:" in err
    assert re.search(pattern, err), err
    assert not out.exists()


def test_failure_removes_the_parent_folders_it_created(tmp_path, capsys):
    out = tmp_path / "new" / "deeper" / "out"
    assert compare(NP, "--scenarios", _bad_file(tmp_path, NO_METRIC), "--out", out, "--no-progress") == 1
    assert not (tmp_path / "new").exists()


def test_failure_in_existing_folder_leaves_it_as_it_was(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "comparison.png").write_bytes(b"old figure")
    assert compare(NP, "--scenarios", _bad_file(tmp_path, NO_METRIC), "--out", out, "--no-progress") == 1
    assert [p.name for p in out.iterdir()] == ["comparison.png"]  # no staging folder, no new file
    assert (out / "comparison.png").read_bytes() == b"old figure"


def test_failure_while_writing_leaves_no_partial_files(tmp_path, toml, capsys, monkeypatch):
    def refuse(table, path):  # the third file cannot be written, after the first two were
        raise sd.exceptions.OutputError(f"cannot write {str(path)!r}: disk full")

    monkeypatch.setattr(sd.metrics, "write_csv", refuse)
    out = tmp_path / "out"
    assert compare(NP, "--scenarios", toml, "--out", out, *NP_OPTIONS) == 1
    assert "OutputError" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("where", ["file", "under_file"])
def test_unwritable_output_folder(tmp_path, toml, capsys, where):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    out = blocker if where == "file" else blocker / "out"
    assert compare(NP, "--scenarios", toml, "--out", out, "--no-progress") == 1
    err = capsys.readouterr().err
    assert "error: OutputError:" in err and repr(str(out)) in err, err
    assert blocker.read_text() == "a file, not a folder"
    assert {p.name for p in tmp_path.iterdir()} == {"blocker", "np.toml"}


def test_reference_model_main_job(tmp_path, capsys):
    out = tmp_path / "out"
    assert compare(PEREZ, "--scenarios", PEREZ_SCENARIOS, "--out", out, "--no-progress") == 0
    printed = capsys.readouterr().out
    assert {p.name for p in out.iterdir()} == FILES
    frame = pd.read_csv(out / "metrics.csv", index_col="metric")
    for metric in ("gdp_per_capita_2030", "gdp_per_capita_2040", "gdp_per_capita_2060",
                   "gdp_per_capita_growth", "peak_rer_appreciation", "non_resource_export_share_2040",
                   "export_sophistication_2040", "poverty_rate_2040", "npv_consumption",
                   "human_capital_2040", "technological_capability_2040", "year_gdp_above_baseline"):
        assert metric in frame.index, metric
    assert "Omitted metrics" not in printed
    # a number of the table against a separate run of that scenario
    model = sd.load(PEREZ)
    early = sd.load_scenarios(PEREZ_SCENARIOS)["reinvest_early"]
    gdp = model.run(early, return_vars=["gdp_per_capita"])["gdp_per_capita"].sel(time=2040)
    assert frame.loc["gdp_per_capita_2040", "reinvest_early"] == pytest.approx(float(gdp), rel=1e-12)


def test_reference_model_scenarios_are_checked_before_running(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text("[squander]\n[lopsided]\nreinvestment_share = 0.5\nhuman_capital_share = 0.9\n")
    out = tmp_path / "out"
    assert compare(PEREZ, "--scenarios", path, "--out", out, "--no-progress") == 1
    err = capsys.readouterr().err
    assert "error: ScenarioError: scenario 'lopsided': human_capital_share (0.9)" in err, err
    assert "expected the split of reinvested rents to sum to 1" in err
    assert not out.exists()
