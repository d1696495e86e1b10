"""Window-of-opportunity sweeps: the batch grid against separate PySD scenario runs."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import sdmodel as sd
from conftest import REPO
from sdmodel.analysis import latest_viable_start, window_sweep
from sdmodel.exceptions import AnalysisError, ScenarioError

TOY = REPO / "tests" / "data" / "window_toy.mdl"
TOY_SCENARIOS = REPO / "tests" / "data" / "window_toy_scenarios.toml"
LEVERS = dict(start_lever="reinvestment_start_year", share_lever="reinvestment_share")
GDP_2040 = dict(LEVERS, metric="gdp_per_capita", year=2040)


@pytest.fixture(scope="module")
def toy():
    return sd.load(TOY)


@pytest.fixture(scope="module")
def scenarios():
    return sd.load_scenarios(TOY_SCENARIOS)


def _gain_by_run_scenarios(model, scenarios, cells, *, metric, year):
    """The oracle: each cell as its own scenario, run by PySD through run_scenarios."""
    base = dict(scenarios["squander"])
    named = {"squander": base}
    for start, share in cells:
        named[f"{start}-{share}"] = {**base, "reinvestment_start_year": start, "reinvestment_share": share}
    ds = sd.run_scenarios(model, named, return_vars=[metric], progress=False)
    at = ds[metric].interp(time=year) if year not in ds["time"] else ds[metric].sel(time=year)
    return {cell: float(at.sel(scenario=f"{cell[0]}-{cell[1]}") - at.sel(scenario="squander")) for cell in cells}


@pytest.mark.parametrize("year", [2040, 2041.5])
def test_sweep_cells_match_separate_scenario_runs(toy, scenarios, year):
    starts, shares = [2003, 2008, 2015, 2030, 2045], [0.1, 0.35, 0.8]
    sweep = window_sweep(toy, starts, shares, **LEVERS, metric="gdp_per_capita", year=year, scenarios=scenarios)
    assert sweep.dims == ("start_year", "share") and sweep.shape == (5, 3)
    cells = [(2003, 0.1), (2015, 0.35), (2045, 0.8), (2030, 0.1)]
    expected = _gain_by_run_scenarios(toy, scenarios, cells, metric="gdp_per_capita", year=year)
    for (start, share), gain in expected.items():
        got = float(sweep.sel(start_year=start, share=share))
        assert got == pytest.approx(gain, rel=1e-9, abs=1e-9 * sweep.attrs["baseline_value"])
    # starting after the comparison year buys nothing
    if year < 2045:
        np.testing.assert_allclose(sweep.sel(start_year=2045).values, 0.0, atol=1e-9)
    assert sweep.attrs["units"] == "USD/Person" and sweep.attrs["baseline"] == "squander"


def test_sweep_is_one_batch_call(toy, scenarios, monkeypatch):
    calls = []
    original = type(toy).run_batch

    def counting(self, params, **kwargs):
        calls.append(len(next(iter(params.values()))))
        return original(self, params, **kwargs)

    monkeypatch.setattr(type(toy), "run_batch", counting)
    window_sweep(toy, [2004, 2010, 2020], [0.2, 0.4], **GDP_2040, scenarios=scenarios)
    assert calls == [3 * 2 + 1]  # the grid and the baseline, together


def test_sweep_without_baseline_uses_defaults(toy):
    sweep = window_sweep(toy, [2004], [0.5], **GDP_2040, baseline=None, scenarios={})
    ref = toy.run(return_vars=["gdp_per_capita"])["gdp_per_capita"].sel(time=2040)
    cell = toy.run({"reinvestment_start_year": 2004, "reinvestment_share": 0.5},
                   return_vars=["gdp_per_capita"])["gdp_per_capita"].sel(time=2040)
    assert float(sweep.item()) == pytest.approx(float(cell - ref), rel=1e-9)


def test_latest_viable_start_reads_the_grid():
    sweep = xr.DataArray(
        [[5.0, 9.0, 1.0], [3.0, 7.0, 0.5], [1.0, 4.0, 0.2], [2.5, 1.0, 0.1]],
        dims=("start_year", "share"),
        coords={"start_year": [2004, 2010, 2016, 2022], "share": [0.2, 0.4, 0.6]},
    )
    latest = latest_viable_start(sweep, 2.0)
    # 0.2: viable in 2004, 2010 and again in 2022 -> 2022; 0.4: up to 2016; 0.6: never
    np.testing.assert_array_equal(latest.values, [2022.0, 2016.0, np.nan])
    assert latest.dims == ("share",)


def test_latest_viable_start_on_a_toy_sweep_decreases_with_threshold(toy, scenarios):
    sweep = window_sweep(toy, np.arange(2003, 2041, 1.0), [0.5], **GDP_2040, scenarios=scenarios)
    gains = sweep.sel(share=0.5).values
    assert np.all(np.diff(gains) < 0)  # the window closes: later starts buy less
    low, high = (float(latest_viable_start(sweep, t).item()) for t in (gains[20], gains[5]))
    assert low == 2003 + 20 and high == 2003 + 5


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(start_years=[1990, 2010], shares=[0.5]), AnalysisError, r"start years \[1990.0\] are outside the run"),
        (dict(start_years=[], shares=[0.5]), AnalysisError, r"start_years is empty"),
        (dict(start_years=[2010], shares=[]), AnalysisError, r"shares is empty"),
        (dict(start_years=[2010], shares=[0.5], metric="gdp_per_capta"), AnalysisError, r"gdp_per_capita"),
        (dict(start_years=[2010], shares=[0.5], year=2070), AnalysisError, r"year 2070 is outside the run"),
        (dict(start_years=[2010], shares=[0.5], baseline="squandr"), ScenarioError, r"Did you mean 'squander'"),
        (dict(start_years=[2010], shares=[0.5], share_lever="fund_share"), AnalysisError, r"fund_share"),
        (dict(start_years=[2010], shares=[0.5], metric="fish"), AnalysisError, r"'fish'.*declares the metrics"),
        (dict(start_years=[2010], shares=[0.5], year=None,
              metric=sd.metrics.MetricSpec("over", "gdp_per_capita", "first_above_baseline")),
         AnalysisError, r"no difference from the baseline"),
    ],
)
def test_sweep_bad_input(toy, scenarios, kwargs, error, match):
    with pytest.raises(error, match=match):
        window_sweep(toy, scenarios=scenarios, **{**GDP_2040, **kwargs})


def test_sweep_of_a_declared_metric_and_of_a_final_value(toy, scenarios):
    """A metric of the scenario file by name, and a bare variable at the end of the run."""
    declared = window_sweep(toy, [2004, 2030], [0.5], **LEVERS, metric="gdp_per_capita_2040",
                            scenarios=scenarios)
    at_2040 = window_sweep(toy, [2004, 2030], [0.5], **GDP_2040, scenarios=scenarios)
    np.testing.assert_allclose(declared.values, at_2040.values, rtol=1e-12)
    final = window_sweep(toy, [2004], [0.5], **LEVERS, metric="gdp_per_capita", scenarios=scenarios)
    expected = _gain_by_run_scenarios(toy, scenarios, [(2004, 0.5)], metric="gdp_per_capita", year=2060)
    assert float(final.item()) == pytest.approx(expected[(2004, 0.5)], rel=1e-9)
    assert final.attrs["reduce"] == "final" and final.attrs["start_lever"] == "reinvestment_start_year"


def test_model_the_batch_compiler_rejects_runs_through_pysd(tmp_path, scenarios):
    # a SAVEPER computed from a model constant: PySD runs it, the batch compiler does not
    text = TOY.read_text().replace(
        "SAVEPER  = 1\n", "SAVEPER  = save period\n\t~\tYear\n\t~\tSave period.\n\t|\n\nsave period = 1\n")
    path = tmp_path / "toy_dynamic_saveper.mdl"
    path.write_text(text)
    model = sd.load(path)
    with pytest.warns(RuntimeWarning, match="the batch engine cannot compile .* 3 PySD runs one by one"):
        sweep = window_sweep(model, [2004, 2020], [0.5], **GDP_2040, scenarios=scenarios)
    expected = _gain_by_run_scenarios(model, scenarios, [(2004, 0.5), (2020, 0.5)],
                                      metric="gdp_per_capita", year=2040)
    for (start, share), gain in expected.items():
        assert float(sweep.sel(start_year=start, share=share)) == pytest.approx(gain, rel=1e-12)


PEREZ = REPO / "models" / "perez" / "perez.mdl"


def test_reference_model_sweep_matches_run_scenarios():
    model = sd.load(PEREZ)
    scenarios = sd.load_scenarios(PEREZ.parent / "scenarios.toml")
    sweep = window_sweep(model, [2004, 2018], [0.3, 0.6], **LEVERS, metric="gdp_per_capita_2040",
                         scenarios=scenarios)
    expected = _gain_by_run_scenarios(model, scenarios, [(2004, 0.6), (2018, 0.3)],
                                      metric="gdp_per_capita", year=2040)
    for (start, share), gain in expected.items():
        got = float(sweep.sel(start_year=start, share=share))
        assert got == pytest.approx(gain, rel=1e-9, abs=1e-9 * abs(sweep.attrs["baseline_value"]))
