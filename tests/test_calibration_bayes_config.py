"""Bayesian configs: a country config as base, priors per parameter (uniform on the base's
range when not given), posterior outputs published together."""

from __future__ import annotations

import pandas as pd
import pytest
import xarray as xr

from conftest import DATA_DIR
from country_model import country_growth_model
from sdmodel.calibration.bayes_config import is_bayes_config, load_bayes_config, run_bayes_config
from sdmodel.exceptions import CalibrationError

BASE = """
[model]
path = "{model}"
final_time = 2005
[data]
country = "MYS"
start = 1990
end = 2005
dir = "{data}"
[[series]]
source = "wdi"
code = "NY.GDP.PCAP.KD"
variable = "gdp_per_capita"
[params]
catch_up_rate = {{ value = 0.05, min = 0.0, max = 0.5 }}
frontier_tfp_growth = {{ value = 0.01, min = -0.02, max = 0.06 }}
"""


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    monkeypatch.setenv("SDMODEL_OFFLINE", "1")


@pytest.fixture
def base(tmp_path):
    model = country_growth_model(tmp_path / "country_growth.mdl")
    path = tmp_path / "base.toml"
    path.write_text(BASE.format(model=model, data=DATA_DIR))
    return path


def test_bayes_config_samples_and_publishes(base, tmp_path):
    path = tmp_path / "bayes.toml"
    path.write_text('[bayes]\nbase = "base.toml"\nn_steps = 150\nseed = 3\n[priors]\n'
                    'frontier_tfp_growth = { dist = "normal", loc = 0.01, scale = 0.01, lower = -0.02, '
                    'upper = 0.06, source = "US TFP growth about 1 %/yr" }\n')
    assert is_bayes_config(path) and not is_bayes_config(base)
    cfg = load_bayes_config(path)
    assert cfg.priors["catch_up_rate"].describe() == "uniform() on [0, 0.5]"
    post, paths = run_bayes_config(cfg, out_dir=tmp_path / "out")
    summary = pd.read_csv(paths["summary"], index_col=0)
    assert {"catch_up_rate", "frontier_tfp_growth", "sigma_wdi:NY.GDP.PCAP.KD"} <= set(summary.index)
    saved = xr.open_dataset(paths["posterior"], group="posterior")
    assert saved["catch_up_rate"].dims == ("chain", "draw")
    assert "normal(loc=0.01, scale=0.01)" in paths["report"].read_text()
    assert paths["figure"].stat().st_size > 10_000
    # the country's data were held: the first simulated year is its own GDP per capita
    assert post.fixed["initial_gdp_per_capita"] > 0


@pytest.mark.parametrize("text, words", [
    ('[bayes]\nbase = "base.toml"\n[priors]\ncatch_up_rte = { dist = "uniform", lower = 0, upper = 1 }\n',
     "did you mean 'catch_up_rate'?"),
    ('[bayes]\nbase = "base.toml"\nn_step = 10\n', "did you mean 'n_steps'?"),
    ('[bayes]\nbase = "base.toml"\n[priors]\ncatch_up_rate = { dist = "cauchy" }\n', "unknown prior distribution"),
    ('[baye]\n', "did you mean 'bayes'?"),
])
def test_bad_bayes_configs_are_refused(base, tmp_path, text, words):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(CalibrationError) as err:
        load_bayes_config(path)
    assert words in str(err.value)
