"""Figures of the analyses and the ``sdmodel window`` command."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import sdmodel as sd
from conftest import REPO
from sdmodel.cli import main
from sdmodel.exceptions import AnalysisError

TOY = REPO / "tests" / "data" / "window_toy.mdl"
TOY_SCENARIOS = REPO / "tests" / "data" / "window_toy_scenarios.toml"


@pytest.fixture(scope="module")
def toy():
    return sd.load(TOY)


@pytest.fixture(scope="module")
def sweep(toy):
    return sd.analysis.window_sweep(toy, [2003, 2008, 2015, 2025], [0.2, 0.5, 0.8], scenarios=TOY_SCENARIOS,
                                    start_lever="reinvestment_start_year",
                                    share_lever="reinvestment_share", metric="gdp_per_capita", year=2040)


def test_window_heatmap_shows_the_sweep(sweep):
    fig = sd.plot.window(sweep, threshold=1000.0, periods=[(2003, 2014, "boom")])
    ax = fig.axes[0]
    mesh = ax.collections[0]
    np.testing.assert_allclose(np.asarray(mesh.get_array()).reshape(3, 4),
                               sweep.transpose("share", "start_year").values)
    boom_lines = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert sorted(line.get_xdata()[0] for line in boom_lines) == [2003, 2014]
    marker = next(line for line in ax.get_lines() if line.get_marker() == "^")
    expected = sd.analysis.latest_viable_start(sweep, 1000.0).values
    np.testing.assert_array_equal(marker.get_xdata(), expected)
    assert "USD/Person" in fig.axes[1].get_ylabel()
    assert ax.get_xlabel() == "reinvestment_start_year" and ax.get_ylabel() == "reinvestment_share"
    plain = sd.plot.window(sweep)
    assert not [line for line in plain.axes[0].get_lines() if line.get_linestyle() == "--"]
    with pytest.raises(AnalysisError, match="period must be"):
        sd.plot.window(sweep, periods=[(2014, 2003)])


def test_fan_chart_and_sensitivity_bars(toy):
    samples = sd.analysis.latin_hypercube(toy, ["boom_size", "trend_growth"], 30, seed=2)
    runs = sd.analysis.scenario_runs(toy, sd.load_scenarios(TOY_SCENARIOS), samples,
                                     return_vars=["gdp_per_capita"])
    bands = sd.analysis.percentile_bands(runs)
    fig = sd.plot.fan(bands, scenarios=["squander", "reinvest_early"], periods=[(2003, 2014)])
    ax = fig.axes[0]
    median = [line for line in ax.get_lines()][1]
    np.testing.assert_allclose(median.get_ydata(),
                               bands["gdp_per_capita"].sel(scenario="reinvest_early", percentile=50).values)
    assert len(ax.collections) == 2 * 2  # two band pairs (5-95, 25-75) per scenario
    with pytest.raises(AnalysisError, match="Did you mean 'squander'"):
        sd.plot.fan(bands, scenarios=["squandr"])

    from SALib.test_functions import Ishigami

    box = {f"x{i}": (-np.pi, np.pi) for i in (1, 2, 3)}
    si = sd.analysis.sobol(sd.analysis.FunctionEvaluator(Ishigami.evaluate), box, n=256, seed=1)
    fig = sd.plot.sensitivity(si)
    ax = fig.axes[0]
    by_height = sorted(zip(ax.get_yticks(), (t.get_text() for t in ax.get_yticklabels())), reverse=True)
    st = si["ST"].sel(output="y").to_series()
    assert [name for _, name in by_height] == list(st.sort_values(ascending=False).index)  # largest on top
    widths = sorted(p.get_width() for p in ax.patches[:3])
    np.testing.assert_allclose(widths, np.sort(st.values))


def test_window_command_writes_sweep_and_figure(tmp_path, capsys, sweep):
    out = tmp_path / "out"
    code = main(["window", str(TOY), "--scenarios", str(TOY_SCENARIOS), "--start-years", "2003",
                 "2008", "2015:2025:10", "--shares", "0.2:0.8:0.3", "--threshold", "1000",
                 "--out", str(out)])
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == ["window.nc", "window.png"]
    with xr.open_dataset(out / "window.nc") as ds:
        np.testing.assert_allclose(ds["gain"].values, sweep.values, rtol=1e-12)
        np.testing.assert_array_equal(ds["latest_viable_start"].values,
                                      sd.analysis.latest_viable_start(sweep, 1000.0).values)
    text = capsys.readouterr().out
    assert "latest start with a gain of at least 1000 USD/Person" in text


def test_window_command_bad_input_writes_nothing(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["window", str(TOY), "--scenarios", str(TOY_SCENARIOS), "--start-years", "1990:2010:5",
                 "--shares", "0.5", "--out", str(out)])
    assert code == 1 and not out.exists()
    assert "AnalysisError: start years [1990.0, 1995.0] are outside the run" in capsys.readouterr().err
    code = main(["window", str(TOY), "--scenarios", str(TOY_SCENARIOS), "--start-years", "2010:2000",
                 "--shares", "0.5", "--out", str(out)])
    assert code == 2 and not out.exists()
