"""A model that is not the reference model: `sdmodel compare` and `sdmodel window` on a fishery.

The fishery (tests/data/fishery.mdl, years 0-100) declares its own metrics and window settings
in its scenario file. The tables must hold numbers that separate PySD runs reproduce, and
nothing of the reference model (its metrics, its levers, its commodity boom) may appear in the
tables or figures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from conftest import REPO

import sdmodel as sd
from sdmodel.cli import main

FISHERY = REPO / "tests" / "data" / "fishery.mdl"
SCENARIOS = REPO / "tests" / "data" / "fishery_scenarios.toml"
#: Words of the reference model that must not leak into another model's outputs.
REFERENCE_WORDS = ("boom", "gdp", "squander", "reinvest", "2003", "2014", "commodity", "perez")


@pytest.fixture(scope="module")
def model():
    return sd.load(FISHERY)


@pytest.fixture(scope="module")
def scenarios():
    return sd.load_scenarios(SCENARIOS)


def _texts(fig) -> list[str]:
    """Every piece of text of a figure: titles, labels, tick labels, legend entries."""
    return [t.get_text() for t in fig.findobj(match=lambda a: hasattr(a, "get_text"))]


def _assert_nothing_of_the_reference_model(texts):
    texts = [t.lower() for t in texts]
    assert texts
    for word in REFERENCE_WORDS:
        assert not [t for t in texts if word in t], word


def test_the_file_declares_metrics_and_window(scenarios):
    assert list(scenarios.metrics) == ["fish_trough", "harvest_50", "mean_harvest", "npv_profit",
                                       "fleet_peak", "fish_recovered"]
    assert scenarios.window["start_lever"] == "quota_start_time"
    assert scenarios.baseline == "open_access"


def test_compare_command_tables_and_figure(tmp_path, capsys, model, scenarios):
    out = tmp_path / "out"
    assert main(["compare", str(FISHERY), "--scenarios", str(SCENARIOS), "--out", str(out),
                 "--no-progress"]) == 0
    printed = capsys.readouterr().out
    _assert_nothing_of_the_reference_model([printed])
    frame = pd.read_csv(out / "metrics.csv", index_col="metric")
    assert list(frame.index) == list(scenarios.metrics)
    assert frame[["open_access", "early_quota", "late_quota"]].notna().to_numpy().sum() == 17  # the baseline never overtakes itself

    # oracles: separate PySD runs of each scenario, reduced by hand
    runs = {name: model.run(scenarios[name]) for name in scenarios}
    t = runs["open_access"]["time"].values
    for name, ds in runs.items():
        fish, harvest = ds["fish"].values, ds["harvest"].values
        assert frame.loc["fish_trough", name] == pytest.approx(fish.min(), rel=1e-12)
        assert frame.loc["harvest_50", name] == pytest.approx(harvest[t == 50][0], rel=1e-12)
        assert frame.loc["mean_harvest", name] == pytest.approx(harvest[t <= 50].mean(), rel=1e-12)
        npv = (ds["fleet_profit"].values * 1.05 ** -t).sum()  # annual saves: dt = 1
        assert frame.loc["npv_profit", name] == pytest.approx(npv, rel=1e-12)
        assert frame.loc["fleet_peak", name] == pytest.approx(ds["fleet"].values.max(), rel=1e-12)
    base = runs["open_access"]["fish"].values
    for name in ("early_quota", "late_quota"):
        above = runs[name]["fish"].values > base * (1 + 1e-9)
        first = t[np.flatnonzero(~above)[-1] + 1]
        assert frame.loc["fish_recovered", name] == first
    assert frame.loc["fish_recovered", "early_quota"] < frame.loc["fish_recovered", "late_quota"]
    assert frame.loc["fish_trough", "early_quota - open_access"] > 0
    assert frame.loc["npv_profit", "units"] == "USD" and frame.loc["fish_recovered", "units"] == "Year"

    import matplotlib.image

    image = matplotlib.image.imread(out / "comparison.png")
    assert image.shape[0] > 500 and image.std() > 0
    with xr.open_dataset(out / "comparison.nc") as saved:
        assert list(saved["scenario"].values) == ["open_access", "early_quota", "late_quota"]
    ds = sd.run_scenarios(model, scenarios, progress=False)
    fig = sd.plot.compare(ds, variables=["fish", "harvest", "fleet_profit", "fleet"],
                          baseline="open_access")
    assert not [p for ax in fig.axes for p in ax.patches]  # no shaded period
    _assert_nothing_of_the_reference_model(_texts(fig))


def test_window_command_from_the_window_table(tmp_path, capsys, model, scenarios):
    out = tmp_path / "out"
    assert main(["window", str(FISHERY), "--scenarios", str(SCENARIOS), "--threshold", "50",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    _assert_nothing_of_the_reference_model([printed])
    with xr.open_dataset(out / "window.nc") as saved:
        gain = saved["gain"].load()
    assert gain.shape == (6, 3) and np.isfinite(gain.values).all()
    assert gain.attrs["start_lever"] == "quota_start_time" and gain.attrs["metric"] == "fish_trough"
    # oracle: one cell as a separate PySD run, against the baseline's own run
    cell = model.run({"quota_reduction": 0.3, "quota_start_time": 10})["fish"].values.min()
    base = model.run(scenarios["open_access"])["fish"].values.min()
    assert float(gain.sel(start_year=10, share=0.3)) == pytest.approx(cell - base, rel=1e-9)
    # a quota started after the trough cannot raise it
    np.testing.assert_allclose(gain.sel(start_year=[30, 40, 60]).values, 0.0, atol=1e-9)
    sweep = sd.analysis.window_sweep(model, [0, 10, 20, 30, 40, 60], [0.1, 0.3, 0.5],
                                     start_lever="quota_start_time", share_lever="quota_reduction",
                                     metric="fish_trough", scenarios=scenarios)
    fig = sd.plot.window(sweep, periods=sd.plot.defaults_for(model).periods, threshold=50)
    assert [line for line in fig.axes[0].get_lines() if line.get_linestyle() == "--"] == []
    _assert_nothing_of_the_reference_model(_texts(fig))


def test_window_command_options_override_the_table(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["window", str(FISHERY), "--scenarios", str(SCENARIOS), "--metric", "harvest",
                 "--year", "50", "--start-years", "0:40:20", "--shares", "0.5", "--out", str(out)]) == 0
    with xr.open_dataset(out / "window.nc") as saved:
        assert saved["gain"].shape == (3, 1) and saved["gain"].attrs["metric"] == "harvest_50"


def test_window_command_without_levers_is_a_usage_error(tmp_path, capsys):
    path = tmp_path / "s.toml"
    path.write_text('[a]\n[metrics.m]\nvariable = "fish"\n')
    assert main(["window", str(FISHERY), "--scenarios", str(path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "--start-lever, --share-lever, --metric, --start-years, --shares" in err
