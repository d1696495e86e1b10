"""`sdmodel calibrate CONFIG`: a TOML config on a validation model and the shared data gives
the same fit as sd.calibrate on series read from the CSV by hand, and writes its outputs."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
import xarray as xr

import sdmodel as sd
from conftest import DATA_DIR, MODELS
from sdmodel.cli import main
from sdmodel.exceptions import CalibrationError

CONFIG = """
name = "kor_catch_up"
[model]
path = "{model}"
initial_time = 1990
final_time = 2019
[data]
country = "KOR"
start = 1990
end = 2019
dir = "{data}"
[[series]]
source = "pwt"
code = "ctfp"
variable = "technological_capability"
scale = 2.0
index_year = 1990
[params]
catch_up_rate = {{ value = 0.3, min = 0.0, max = 1.0 }}
initial_frontier = {{ value = 1.0, min = 0.1, max = 3.0 }}
frontier_growth_rate = {{ value = 0.0, vary = false }}
initial_capability = {{ value = 1.0, vary = false }}
[calibration]
method = "least_squares"
"""


def _ctfp_by_hand(country, start, end):
    with open(DATA_DIR / "pwt.csv", newline="") as fh:
        rows = {int(r["year"]): float(r["ctfp"]) for r in csv.DictReader(fh)
                if r["country"] == country and r["ctfp"]}
    years = np.arange(start, end + 1)
    values = np.array([rows[y] for y in years])
    return years, values


@pytest.fixture()
def config(tmp_path):
    path = tmp_path / "kor.toml"
    path.write_text(CONFIG.format(model=MODELS / "validation" / "nelson_phelps.mdl",
                                  data=DATA_DIR))
    return path


def test_cli_calibrate_writes_outputs_matching_the_api(config, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["calibrate", str(config), "--out", str(out), "--no-progress"]) == 0
    captured = capsys.readouterr()
    assert "[[Variables]]" in captured.out and "wrote figure" in captured.err
    for name in ("params.json", "fit.json", "report.txt", "fit.nc", "fit.png"):
        assert (out / name).stat().st_size > 0
    params = json.loads((out / "params.json").read_text())
    fit = json.loads((out / "fit.json").read_text())
    assert fit["country"] == "KOR" and fit["ndata"] == 30

    years, ctfp = _ctfp_by_hand("KOR", 1990, 2019)
    observed = xr.Dataset({"technological_capability": ("year", 2.0 * ctfp)},
                          coords={"year": years})
    model = sd.load(MODELS / "validation" / "nelson_phelps.mdl")
    direct = sd.calibrate(
        model, observed,
        {"catch_up_rate": (0.3, 0.0, 1.0), "initial_frontier": (1.0, 0.1, 3.0),
         "frontier_growth_rate": dict(value=0.0, vary=False),
         "initial_capability": dict(value=1.0, vary=False)},
        index={"technological_capability": 1990}, initial_time=1990, final_time=2019,
        progress=False,
    )
    for name in ("catch_up_rate", "initial_frontier"):
        assert params[name]["value"] == pytest.approx(direct.values[name], rel=1e-9)
        assert params[name]["stderr"] == pytest.approx(direct.stderr[name], rel=1e-6)
    assert fit["r2"]["pwt:ctfp"] == pytest.approx(direct.r2["technological_capability"],
                                                  rel=1e-9)
    saved = xr.load_dataset(out / "fit.nc")
    np.testing.assert_allclose(
        saved["pwt:ctfp"].sel(source="observed").sel(time=years).values, ctfp / ctfp[0])
    assert saved["pwt:ctfp"].attrs["units"] == "index, 1990 = 1"


def test_cli_bad_config_is_a_typed_error(tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text('[model]\npath = "x.mdl"\n[data]\ncountry = "CHL"\n[params]\n')
    assert main(["calibrate", str(path)]) == 1
    assert "the section [series] is required" in capsys.readouterr().err
    from sdmodel.calibration.config import load_config

    path.write_text(CONFIG.format(model="m.mdl", data=DATA_DIR).replace('"pwt"', '"imf"'))
    with pytest.raises(CalibrationError, match=r"\[\[series\]\] #1, key 'source': Input should be 'wdi', 'pwt' or 'commodity' \(got 'imf'\)"):
        load_config(path)


COUNTRY_CONFIGS = sorted((MODELS.parent / "calibration").glob("*.toml"))


def test_country_configs_are_valid_against_model_and_data():
    """Every shipped config starts from its country's data, names known parameters within
    their documented ranges and series that exist for its country and overlap the model
    (checked without optimising)."""
    from sdmodel.calibration.config import load_config, observed_from_config, start_parameters
    from sdmodel.calibration.observed import prepare_observed
    from sdmodel.calibration.parameters import as_parameters

    countries = set()
    models = {}
    for path in COUNTRY_CONFIGS:
        cfg = load_config(path)
        model = models.setdefault(cfg.model_path, sd.load(cfg.model_path))
        run = start_parameters(cfg, model, data_dir=DATA_DIR)
        assert run.start is not None and run.start.code == cfg.country, path.name
        params = as_parameters(run.params).check_against(model)
        assert 6 <= len(params.varying) <= 10, path.name
        observed, keywords = observed_from_config(cfg, data_dir=DATA_DIR)
        series, t0, t1 = prepare_observed(model, observed, mapping=keywords["mapping"],
                                          weights=keywords["weights"], index=keywords["index"],
                                          initial_time=run.initial_time,
                                          final_time=cfg.final_time)
        # 1990-2019 (Venezuela to 2014), every series observed from 1990
        assert len(series) >= 5 and (t0, cfg.start) == (1990, 1990), path.name
        assert t1 == (2014 if cfg.country == "VEN" else 2019), path.name
        assert all(s.data.ndim == 1 and s.data["time"].values[s.mask][0] == 1990
                   for s in series), path.name
        countries.add(cfg.country)
    assert {"CHL", "VEN", "COL", "BRA", "MEX", "ECU", "NOR", "KOR"} <= countries


def test_chile_calibration_runs_end_to_end(tmp_path):
    out = tmp_path / "chile"
    assert main(["calibrate", str(MODELS.parent / "calibration" / "chile.toml"), "--out",
                 str(out), "--data-dir", str(DATA_DIR), "--no-progress"]) == 0
    fit = json.loads((out / "fit.json").read_text())
    assert fit["country"] == "CHL" and fit["ndata"] == 180 and fit["success"]
    assert (fit["start"], fit["end"]) == (1990, 2019)
    assert fit["engine"] == "batch"  # run_batch takes the 1990 window: no PySD fallback
    assert set(fit["r2"]) == {"wdi:NY.GDP.TOTL.RT.ZS", "wdi:NY.GDP.PCAP.KD",
                              "wdi:NV.IND.MANF.ZS", "wdi:PX.REX.REER", "pwt:hc", "pwt:ctfp"}
    # the fitted rents share is recomputed from the saved simulation: the same R²
    saved = xr.load_dataset(out / "fit.nc")["wdi:NY.GDP.TOTL.RT.ZS"]
    obs = saved.sel(source="observed").values
    sim = saved.sel(source="simulated").values
    keep = np.isfinite(obs)
    r2 = 1 - np.sum((sim[keep] - obs[keep]) ** 2) / np.sum((obs[keep] - obs[keep].mean()) ** 2)
    assert fit["r2"]["wdi:NY.GDP.TOTL.RT.ZS"] == pytest.approx(r2, rel=1e-9)
