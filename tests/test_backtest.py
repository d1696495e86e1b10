"""`sdmodel backtest`: fit up to a split year, predict the rest, score against naive
benchmarks. Synthetic data from the Nelson-Phelps closed form (known parameters) and a config on
the shared data, with benchmarks recomputed here by their formulas."""

from __future__ import annotations

import csv
import json

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import sdmodel as sd
from conftest import DATA_DIR, MODELS
from sdmodel import validation
from sdmodel.calibration.backtest import backtest
from sdmodel.cli import main
from sdmodel.exceptions import CalibrationError

TRUE = dict(catch_up_rate=0.12, frontier_growth_rate=0.02, initial_frontier=1.0,
            initial_capability=0.3)


@pytest.fixture(scope="module")
def model():
    return sd.load(MODELS / "validation" / "nelson_phelps.mdl")


def _rmse(a, b):
    return float(np.sqrt(np.mean((np.asarray(a) - np.asarray(b)) ** 2)))


def test_known_model_beats_naive_benchmarks_out_of_sample(model):
    t = np.arange(0.0, 41.0)
    capability = validation.nelson_phelps(t, **TRUE)["technological_capability"]
    observed = xr.Dataset({"technological_capability": ("time", capability)},
                          coords={"time": t})
    bt = backtest(model, observed, {"catch_up_rate": (0.05, 0.0, 1.0),
                                    "frontier_growth_rate": (0.01, 0.0, 0.05),
                                    "initial_frontier": dict(value=1.0, vary=False),
                                    "initial_capability": dict(value=0.3, vary=False)},
                  split=20, final_time=40, progress=False)
    assert bt.fit.values["catch_up_rate"] == pytest.approx(0.12, rel=0.02)
    assert bt.fit.values["frontier_growth_rate"] == pytest.approx(0.02, rel=0.02)
    row = bt.scores.loc["technological_capability"]
    assert (row["n_fit"], row["n_test"]) == (21, 20)
    fit_y, test_t, test_y = capability[:21], t[21:], capability[21:]
    # benchmarks by their formulas
    assert row["rmse_random_walk"] == pytest.approx(_rmse(test_y, fit_y[-1]), rel=1e-12)
    g = (np.log(fit_y[-1]) - np.log(fit_y[0])) / 20
    assert row["rmse_random_walk_drift"] == pytest.approx(
        _rmse(test_y, fit_y[-1] * np.exp(g * (test_t - 20))), rel=1e-9)
    b, a = np.polyfit(t[:21], np.log(fit_y), 1)
    assert row["rmse_loglinear_trend"] == pytest.approx(
        _rmse(test_y, np.exp(a + b * test_t)), rel=1e-9)
    assert row["drift"] == "log"
    # the model's prediction is the truth up to Euler error (dt = 0.25), far below the benchmarks
    assert row["rmse_model"] < 0.01 < min(row["rmse_random_walk"], row["rmse_random_walk_drift"])
    assert row["beats"] == "random_walk,random_walk_drift,loglinear_trend"
    path = bt.paths["technological_capability"]
    np.testing.assert_allclose(path.sel(source="model", time=test_t).values, test_y, rtol=0.01)
    assert np.isnan(path.sel(source="random_walk", time=t[:21]).values).all()
    assert "RMSE" in bt.table()


def test_split_outside_the_window_is_refused(model):
    t = np.arange(0.0, 11.0)
    observed = xr.Dataset({"technological_capability": (
        "time", validation.nelson_phelps(t, **TRUE)["technological_capability"])},
        coords={"time": t})
    with pytest.raises(CalibrationError, match="split year 10 is not inside the window 0-10"):
        backtest(model, observed, {"catch_up_rate": (0.0, 1.0)}, split=10, progress=False)
    with pytest.raises(CalibrationError, match="index base year 8 is after the split 5"):
        backtest(model, observed, {"catch_up_rate": (0.0, 1.0)}, split=5,
                 index={"technological_capability": 8}, progress=False)


CONFIG = """
name = "kor_np"
[model]
path = "{model}"
initial_time = 1990
final_time = 2019
start_from = "model"
[data]
country = "KOR"
start = 1990
end = 2019
dir = "{data}"
[[series]]
source = "pwt"
code = "ctfp"
variable = "technological_capability"
index_year = 1990
[params]
catch_up_rate = {{ value = 0.3, min = 0.0, max = 1.0 }}
initial_frontier = {{ value = 1.0, min = 0.1, max = 3.0 }}
frontier_growth_rate = {{ value = 0.0, vary = false }}
initial_capability = {{ value = 1.0, vary = false }}
[calibration]
method = "least_squares"
"""


def test_cli_backtest_writes_table_json_and_figure(tmp_path, capsys):
    path = tmp_path / "kor.toml"
    path.write_text(CONFIG.format(model=MODELS / "validation" / "nelson_phelps.mdl",
                                  data=DATA_DIR))
    out = tmp_path / "bt"
    assert main(["backtest", str(path), "--split", "2009", "--out", str(out),
                 "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "Backtest: fit 1990-2009, predict 2010-2019" in printed
    for name in ("backtest.csv", "backtest.json", "backtest.png"):
        assert (out / name).stat().st_size > 0
    scores = pd.read_csv(out / "backtest.csv", index_col="series")
    row = scores.loc["pwt:ctfp"]
    with open(DATA_DIR / "pwt.csv", newline="") as fh:
        ctfp = {int(r["year"]): float(r["ctfp"]) for r in csv.DictReader(fh)
                if r["country"] == "KOR" and r["ctfp"]}
    index = {y: v / ctfp[1990] for y, v in ctfp.items()}
    test = np.array([index[y] for y in range(2010, 2020)])
    assert (row["n_fit"], row["n_test"]) == (20, 10)
    assert row["rmse_random_walk"] == pytest.approx(_rmse(test, index[2009]), rel=1e-9)
    record = json.loads((out / "backtest.json").read_text())
    assert record["split"] == 2009 and record["country"] == "KOR"
    assert record["params"]["catch_up_rate"]["vary"]
    assert main(["backtest", str(path), "--split", "20x9"]) == 2
