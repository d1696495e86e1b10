"""Comparison metrics on hand-built Datasets whose answers are known in closed form."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import sdmodel as sd
from sdmodel.exceptions import AnalysisError, ScenarioError

T = np.arange(2000.0, 2061.0)
N = len(T)  # 61 saved years, 2000..2060
SCENARIOS = ["base", "up", "cross", "dip"]


def _var(rows, units, long_name):
    return (("scenario", "time"), np.vstack(rows), {"units": units, "long_name": long_name})


@pytest.fixture()
def ds():
    base = 100 * 1.02 ** (T - 2000)
    up = 100 * 1.03 ** (T - 2000)
    cross = base * (1 + 0.01 * (T - 2025))      # below before 2025, equal in 2025, above after
    dip = base * (1 - 0.01 * (T - 2030))        # above before 2030, below after: never for good
    boom = np.clip(1 - np.abs(T - 2010) / 7, 0, None)  # a triangle peaking in 2010
    data = {
        "gdp_per_capita": _var([base, up, cross, dip], "USD/Person", "GDP per capita"),
        "real_exchange_rate": _var(
            [1 + 0.3 * boom, np.full(N, 2.0), 1.25 + 0.25 * boom, 1 - 0.1 * boom], "Dmnl", "RER"
        ),
        "consumption": _var(
            [np.full(N, 5.0), 5 * 1.03 ** (T - 2000), np.full(N, 5.0), np.full(N, 4.0)],
            "USD/Year", "consumption",
        ),
        "human_capital": _var([0.01 * (T - 2000) + k for k in range(4)], "Dmnl", "H"),
        "technological_capability": _var([np.full(N, 0.5)] * 4, "Dmnl", "A"),
        "non_resource_export_share": _var([0.2 + 0.001 * (T - 2000) * k for k in range(4)], "Dmnl", "x"),
        "export_sophistication": _var([np.full(N, 1.0 + k) for k in range(4)], "Dmnl", "s"),
    }
    out = xr.Dataset(data, coords={"scenario": SCENARIOS, "time": T})
    out["time"].attrs["units"] = "Year"
    return out


def value(table, metric, scenario):
    return float(table["value"].sel(metric=metric, scenario=scenario))


def test_gdp_levels_growth_and_differences(ds):
    table = sd.metrics.compare(ds, baseline="base")
    for year in (2030, 2040, 2060):
        assert value(table, f"gdp_per_capita_{year}", "base") == pytest.approx(100 * 1.02 ** (year - 2000), rel=1e-12)
        assert value(table, f"gdp_per_capita_{year}", "up") == pytest.approx(100 * 1.03 ** (year - 2000), rel=1e-12)
        diff = float(table["difference"].sel(metric=f"gdp_per_capita_{year}", scenario="up"))
        assert diff == pytest.approx(100 * (1.03 ** (year - 2000) - 1.02 ** (year - 2000)), rel=1e-12)
    assert value(table, "gdp_per_capita_growth", "base") == pytest.approx(0.02, rel=1e-12)
    assert value(table, "gdp_per_capita_growth", "up") == pytest.approx(0.03, rel=1e-12)
    assert float(table["difference"].sel(metric="gdp_per_capita_growth", scenario="up")) == pytest.approx(0.01)
    assert (table["difference"].sel(scenario="base").dropna("metric") == 0).all()
    units = dict(zip(table["metric"].values, table["units"].values))
    assert units["gdp_per_capita_2040"] == "USD/Person"
    assert units["gdp_per_capita_growth"] == "1/Year"


def test_interpolated_year():
    t = np.array([2000.0, 2010.0, 2020.0])
    ds = xr.Dataset(
        {"gdp_per_capita": (("scenario", "time"), [[1.0, 2.0, 4.0]], {"units": "USD"})},
        coords={"scenario": ["a"], "time": t},
    )
    table = sd.metrics.compare(ds, baseline="a", years=(2015,))
    assert value(table, "gdp_per_capita_2015", "a") == pytest.approx(3.0)
    # growth over 2000..2015 uses the horizon 2015's last saved time (2010): 2 ** (1/10) - 1
    assert value(table, "gdp_per_capita_growth", "a") == pytest.approx(2 ** 0.1 - 1)


def test_year_gdp_stays_above_baseline(ds):
    table = sd.metrics.compare(ds, baseline="base")
    assert value(table, "year_gdp_above_baseline", "up") == 2001.0     # equal in 2000, above after
    assert value(table, "year_gdp_above_baseline", "cross") == 2026.0  # equal in 2025
    assert np.isnan(value(table, "year_gdp_above_baseline", "dip"))    # falls behind for good
    assert np.isnan(value(table, "year_gdp_above_baseline", "base"))
    assert table["difference"].sel(metric="year_gdp_above_baseline").isnull().all()
    # with "dip" as the baseline, "base" is above it from 2031 on
    assert value(sd.metrics.compare(ds, baseline="dip"), "year_gdp_above_baseline", "base") == 2031.0


def test_peak_real_exchange_rate_appreciation(ds):
    table = sd.metrics.compare(ds, baseline="base")
    assert value(table, "peak_rer_appreciation", "base") == pytest.approx(0.3)
    assert value(table, "peak_rer_appreciation", "up") == 0.0
    assert value(table, "peak_rer_appreciation", "cross") == pytest.approx(0.25 / 1.25)
    assert value(table, "peak_rer_appreciation", "dip") == 0.0  # depreciation only


def test_snapshot_metrics_in_2040(ds):
    table = sd.metrics.compare(ds, baseline="base")
    for k, s in enumerate(SCENARIOS):
        assert value(table, "human_capital_2040", s) == pytest.approx(0.4 + k)
        assert value(table, "non_resource_export_share_2040", s) == pytest.approx(0.2 + 0.04 * k)
        assert value(table, "export_sophistication_2040", s) == 1.0 + k
        assert value(table, "technological_capability_2040", s) == 0.5
    later = sd.metrics.compare(ds, baseline="base", snapshot_year=2050)
    assert value(later, "human_capital_2050", "up") == pytest.approx(1.5)


def test_npv_of_consumption_closed_form(ds):
    r = 0.03
    q = 1 / (1 + r)
    table = sd.metrics.compare(ds, baseline="base", discount_rate=r)
    # constant c over the 61 annual saves 2000..2060: c (1 - q^61) / (1 - q)
    assert value(table, "npv_consumption", "base") == pytest.approx(5 * (1 - q**N) / (1 - q), rel=1e-12)
    # consumption growing at exactly the discount rate: every term is 5
    assert value(table, "npv_consumption", "up") == pytest.approx(5 * N, rel=1e-12)
    assert dict(zip(table["metric"].values, table["units"].values))["npv_consumption"] == "USD"
    assert table.attrs["discount_rate"] == r
    # a shorter horizon and another rate: 31 terms 2000..2030
    short = sd.metrics.compare(ds, baseline="base", years=(2030,), discount_rate=0.05)
    q = 1 / 1.05
    assert value(short, "npv_consumption", "dip") == pytest.approx(4 * (1 - q**31) / (1 - q), rel=1e-12)
    zero = sd.metrics.compare(ds, baseline="base", discount_rate=0.0)
    assert value(zero, "npv_consumption", "base") == pytest.approx(5 * N)


def test_missing_variables_are_omitted_not_crashed(ds):
    table = sd.metrics.compare(ds, baseline="base")
    assert "poverty_rate_2040" not in table["metric"].values
    assert table.attrs["omitted"] == {"poverty_rate_2040": "the dataset has no variable 'poverty_rate'"}
    bare = sd.metrics.compare(ds[["human_capital"]], baseline="base")
    assert list(bare["metric"].values) == ["human_capital_2040"]
    assert {"gdp_per_capita_2030", "gdp_per_capita_growth", "year_gdp_above_baseline",
            "peak_rer_appreciation", "npv_consumption"} <= set(bare.attrs["omitted"])
    text = sd.metrics.format_table(bare)
    assert "Omitted metrics:" in text and "npv_consumption" in text


def test_years_outside_run_and_subscripted_variables_are_omitted(ds):
    table = sd.metrics.compare(ds, baseline="base", years=(2030, 2070))
    assert "gdp_per_capita_2070" in table.attrs["omitted"]
    assert table.attrs["horizon"] == 2060.0
    sub = ds.assign(
        poverty_rate=(("scenario", "time", "region"), np.zeros((4, N, 2)), {"units": "Dmnl"})
    )
    table = sd.metrics.compare(sub, baseline="base")
    assert "dimensions" in table.attrs["omitted"]["poverty_rate_2040"]


def test_variables_mapping_for_another_model(ds):
    renamed = ds.rename({"gdp_per_capita": "output_per_worker"})
    table = sd.metrics.compare(renamed, baseline="base", variables={"gdp_per_capita": "output_per_worker"})
    assert value(table, "gdp_per_capita_2040", "up") == pytest.approx(100 * 1.03**40)


def test_table_exports(ds, tmp_path):
    table = sd.metrics.compare(ds, baseline="base")
    frame = sd.metrics.to_frame(table)
    assert list(frame.columns[:6]) == ["description", "units", "base", "up", "cross", "dip"]
    assert list(frame.columns[6:]) == ["up - base", "cross - base", "dip - base"]
    path = sd.metrics.write_csv(table, tmp_path / "m.csv")
    back = pd.read_csv(path, index_col="metric")
    assert back.loc["gdp_per_capita_2060", "up"] == pytest.approx(100 * 1.03**60)
    assert back.loc["npv_consumption", "units"] == "USD"
    assert [p.name for p in tmp_path.iterdir()] == ["m.csv"]
    text = sd.metrics.format_table(table)
    assert "Difference from 'base'" in text
    # 100 * 1.03**60 = 589.16: four significant digits; large values as whole numbers
    assert " 589.2 " in text
    scaled = table.assign(value=table["value"] * 100)
    assert " 58,916 " in sd.metrics.format_table(scaled)
    assert table["value"].to_pandas().shape == (table.sizes["metric"], 4)


@pytest.mark.parametrize(
    "kwargs, error, pattern",
    [
        (dict(baseline="bas"), ScenarioError, r"baseline 'bas' is not among.*Did you mean 'base'"),
        (dict(baseline="base", discount_rate=-1.0), AnalysisError, "discount_rate"),
        (dict(baseline="base", discount_rate=float("nan")), AnalysisError, "discount_rate"),
        (dict(baseline="base", years=()), AnalysisError, "years"),
        (dict(baseline="base", years=(1990,)), AnalysisError, "before the run starts"),
        (dict(baseline="base", variables={"gdp": "x"}), AnalysisError, r"'gdp' is not.*expected one of"),
    ],
)
def test_bad_requests(ds, kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        sd.metrics.compare(ds, **kwargs)


def test_dataset_without_scenarios(ds):
    with pytest.raises(AnalysisError, match="no 'scenario' dimension"):
        sd.metrics.compare(ds.sel(scenario="base"), baseline="base")
