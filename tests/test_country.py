"""`sdmodel.perez.country`: a country's starting constants, checked against values read from
the CSV files by hand (csv module, not the loaders) and against PWT's own hc formula."""

from __future__ import annotations

import csv
import math
import shutil

import numpy as np
import pytest

from conftest import DATA_DIR
from sdmodel.exceptions import DataError, ParameterError
from sdmodel.perez.country import (
    PARAMETERS,
    country_data,
    country_parameters,
    hc_from_schooling,
    schooling_from_hc,
)

COUNTRIES = ("ARG", "BRA", "CHL", "COL", "ECU", "IDN", "KOR", "MEX", "MYS", "NGA", "NOR", "VEN")


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    monkeypatch.setenv("SDMODEL_OFFLINE", "1")


def _pwt(country: str) -> dict[int, dict[str, float]]:
    with open(DATA_DIR / "pwt.csv", newline="") as fh:
        return {int(r["year"]): {k: float(v) for k, v in r.items()
                                 if k not in ("country", "year") and v}
                for r in csv.DictReader(fh) if r["country"] == country}


def _wdi(country: str, indicator: str) -> dict[int, float]:
    with open(DATA_DIR / "wdi.csv", newline="") as fh:
        return {int(r["year"]): float(r["value"]) for r in csv.DictReader(fh)
                if r["country"] == country and r["indicator"] == indicator}


def _slope(x, y) -> float:
    x, y = np.asarray(x, float), np.asarray(y, float)
    return float(((x - x.mean()) * (y - y.mean())).sum() / ((x - x.mean()) ** 2).sum())


def test_pwt_hc_formula_at_its_kinks_and_round_trip():
    # PWT 10 documentation: phi(s) = 0.134 s (s <= 4), 0.134*4 + 0.101 (s - 4) (4 < s <= 8),
    # 0.134*4 + 0.101*4 + 0.068 (s - 8) (s > 8); hc = exp(phi)
    assert hc_from_schooling(0.0) == 1.0
    assert hc_from_schooling(2.0) == pytest.approx(math.exp(0.268), rel=1e-12)
    assert hc_from_schooling(6.0) == pytest.approx(math.exp(0.536 + 0.202), rel=1e-12)
    assert hc_from_schooling(11.0) == pytest.approx(math.exp(0.94 + 0.204), rel=1e-12)
    s = np.linspace(0.0, 16.0, 321)
    np.testing.assert_allclose(schooling_from_hc(hc_from_schooling(s)), s, atol=1e-12)
    # continuous and increasing across the kinks
    assert np.all(np.diff(hc_from_schooling(s)) > 0)
    # the observed indices map into plausible schooling and back exactly
    hc = np.array([v["hc"] for v in _pwt("CHL").values() if "hc" in v])
    np.testing.assert_allclose(hc_from_schooling(schooling_from_hc(hc)), hc, rtol=1e-12)
    with pytest.raises(DataError, match="at least 1"):
        schooling_from_hc(0.9)


def test_chile_1990_matches_the_csv_by_hand():
    p = country_parameters("chl", 1990, data_dir=DATA_DIR)
    assert list(p) == list(PARAMETERS)
    pwt = _pwt("CHL")
    years = range(1980, 1991)
    assert p["initial_population"] == pytest.approx(pwt[1990]["pop"] * 1e6, rel=1e-12)
    assert p["population_growth_rate"] == pytest.approx(
        _slope(years, [math.log(pwt[y]["pop"]) for y in years]), rel=1e-9)
    assert p["initial_labour_force"] == pytest.approx(pwt[1990]["emp"] * 1e6 / 0.93, rel=1e-12)
    assert p["initial_unemployment_rate"] == 0.07
    assert p["initial_gdp_per_capita"] == _wdi("CHL", "NY.GDP.PCAP.KD")[1990]
    assert p["initial_capital_output_ratio"] == pytest.approx(
        pwt[1990]["rnna"] / pwt[1990]["rgdpna"], rel=1e-12)
    assert hc_from_schooling(p["initial_schooling_years"]) == pytest.approx(pwt[1990]["hc"],
                                                                            rel=1e-12)
    assert p["schooling_growth"] == pytest.approx(
        _slope(years, [schooling_from_hc(pwt[y]["hc"]) for y in years]), rel=1e-9)
    assert p["initial_relative_tfp"] == pwt[1990]["ctfp"]
    window = range(1988, 1993)
    total = np.mean([_wdi("CHL", "NY.GDP.TOTL.RT.ZS")[y] for y in window])
    oil = np.mean([_wdi("CHL", "NY.GDP.PETR.RT.ZS")[y] for y in window])
    mineral = np.mean([_wdi("CHL", "NY.GDP.MINR.RT.ZS")[y] for y in window])
    assert p["resource_output_share"] == pytest.approx(total / 100, rel=1e-12)
    assert p["energy_weight"] == pytest.approx(oil / total, rel=1e-12)
    assert p["metals_weight"] == pytest.approx(mineral / total, rel=1e-12)
    assert p["agriculture_weight"] == pytest.approx((total - oil - mineral) / total, rel=1e-9)
    assert p["metals_weight"] > 0.8  # a copper economy


def test_venezuela_gdp_per_capita_fallback_by_hand():
    start = country_data("VEN", 2000, data_dir=DATA_DIR)
    pwt = {c: _pwt(c) for c in COUNTRIES}
    ratios = [_wdi(c, "NY.GDP.PCAP.KD")[2000]
              / (pwt[c][2000]["rgdpna"] / pwt[c][2000]["pop"] * pwt[c][2017]["pl_gdpo"])
              for c in COUNTRIES if c != "VEN"]
    expected = (pwt["VEN"][2000]["rgdpna"] / pwt["VEN"][2000]["pop"]
                * pwt["VEN"][2017]["pl_gdpo"] * float(np.median(ratios)))
    assert start.parameters["initial_gdp_per_capita"] == pytest.approx(expected, rel=1e-12)
    assert "no WDI NY.GDP.PCAP.KD" in start.sources["initial_gdp_per_capita"]
    assert start.parameters["energy_weight"] > 0.9  # an oil economy


@pytest.mark.parametrize("year", [1980, 1995, 2010])
def test_every_country_and_start_year(year):
    for code in COUNTRIES:
        p = country_parameters(code, year, data_dir=DATA_DIR)
        assert all(math.isfinite(v) for v in p.values()), code
        weights = [p["energy_weight"], p["metals_weight"], p["agriculture_weight"]]
        assert all(0 <= w <= 1 for w in weights) and sum(weights) == pytest.approx(1, abs=1e-12)
        assert 0 < p["resource_output_share"] < 1 and p["initial_labour_force"] > 0, code
        assert 0 < p["initial_schooling_years"] < 16 and 0 < p["initial_relative_tfp"] < 2


def test_refusals_name_country_year_and_series(tmp_path):
    with pytest.raises(ParameterError, match="start year 1979"):
        country_parameters("CHL", 1979, data_dir=DATA_DIR)
    with pytest.raises(ParameterError, match="start year 2000.5"):
        country_parameters("CHL", 2000.5, data_dir=DATA_DIR)
    with pytest.raises(ParameterError, match="unemployment_rate"):
        country_parameters("CHL", 2000, data_dir=DATA_DIR, unemployment_rate=1.0)
    with pytest.raises(DataError, match="'ATL'"):
        country_parameters("ATL", 2000, data_dir=DATA_DIR, download=False)
    # a copy of the data with Chile's 2000 capital stock blanked
    for name in ("wdi.csv", "commodity_prices.csv"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    lines = (DATA_DIR / "pwt.csv").read_text().splitlines()
    header = lines[0].split(",")
    col = header.index("rnna")
    for i, line in enumerate(lines):
        if line.startswith("CHL,2000,"):
            cells = line.split(",")
            cells[col] = ""
            lines[i] = ",".join(cells)
    (tmp_path / "pwt.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=r"PWT rnna for CHL has no value in 2000"):
        country_parameters("CHL", 2000, data_dir=tmp_path, download=False)
    assert country_parameters("CHL", 2001, data_dir=tmp_path, download=False)


def test_the_constants_are_the_reference_model_contract():
    from sdmodel.perez.reference import CONTRACT

    assert PARAMETERS == CONTRACT
