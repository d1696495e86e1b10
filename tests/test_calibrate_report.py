"""`python -m sdmodel.calibration.report`: the README's calibration table from the configs'
outputs, checked against R² recomputed here from the saved fit by their formulas."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

from conftest import DATA_DIR
from country_model import country_growth_model
from sdmodel.calibration.report import GDP, calibration_rows, main

CONFIG = """
name = "{name}"
[model]
path = "{model}"
final_time = 2005
[data]
country = "{country}"
start = 1990
end = 2005
dir = "{data}"
[[series]]
source = "wdi"
code = "NY.GDP.PCAP.KD"
variable = "gdp_per_capita"
index_year = 1990
[params]
catch_up_rate = {{ value = 0.05, min = 0.0, max = 0.5 }}
tfp_ceiling = {{ value = 1.0, min = 0.5, max = 3.0 }}
[calibration]
method = "least_squares"
"""


def _r2(o, p):
    return 1 - np.sum((o - p) ** 2) / np.sum((o - o.mean()) ** 2)


def test_report_rows_match_r2_by_hand(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SDMODEL_OFFLINE", "1")
    model = country_growth_model(tmp_path / "m.mdl")
    paths = []
    for country in ("MYS", "CHL"):
        p = tmp_path / f"{country.lower()}.toml"
        p.write_text(CONFIG.format(name=country.lower(), model=model, country=country,
                                   data=DATA_DIR))
        paths.append(p)
    rows = calibration_rows(paths)
    for p in paths:
        name = p.stem
        fit = xr.load_dataset(tmp_path / "out" / name / "fit.nc")[GDP]
        obs = fit.sel(source="observed").values
        sim = fit.sel(source="simulated").values
        t = fit["time"].values.astype(float)
        keep = np.isfinite(obs)
        o, s, t = obs[keep], sim[keep], t[keep]
        assert rows.loc[name, "gdp_r2"] == pytest.approx(_r2(o, s), rel=1e-9)
        b, a = np.polyfit(t, np.log(o), 1)
        assert rows.loc[name, "trend_r2"] == pytest.approx(_r2(o, np.exp(a + b * t)), rel=1e-9)
        assert rows.loc[name, "growth_r2"] == pytest.approx(
            _r2(np.diff(np.log(o)), np.diff(np.log(s))), rel=1e-9)
        params = json.loads((tmp_path / "out" / name / "params.json").read_text())
        hits = [k for k, v in params.items() if v["vary"] and min(
            v["value"] - v["min"], v["max"] - v["value"]) <= 1e-3 * (v["max"] - v["min"])]
        assert rows.loc[name, "at_bound"] == f"{len(hits)}/2"
    out = tmp_path / "table.md"
    assert main([*map(str, paths), "--markdown", str(out)]) == 0
    text = out.read_text()
    assert "| mys | MYS | 1990-2005 |" in text and "log-linear trend R²" in text
    assert text.strip() in capsys.readouterr().out


def test_report_country_table(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SDMODEL_OFFLINE", "1")
    model = country_growth_model(tmp_path / "m.mdl")
    p = tmp_path / "chl.toml"
    p.write_text(CONFIG.format(name="chl", model=model, country="CHL", data=DATA_DIR))
    assert main([str(p), "--countries", "1990", "--data-dir", str(DATA_DIR)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("| country | population (M) |")
    # Chile's 1990 population from pwt.csv, 13.274623 million
    assert "| CHL | 13.3 |" in text
