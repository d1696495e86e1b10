"""Comparison metrics on hand-built Datasets whose answers are known in closed form."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import sdmodel as sd
from sdmodel.exceptions import AnalysisError, ScenarioError
from sdmodel.metrics import MetricSpec

T = np.arange(2000.0, 2061.0)
N = len(T)  # 61 saved years, 2000..2060
SCENARIOS = ["base", "up", "cross", "dip"]

#: The metrics the tests read, declared as a scenario file's [metrics] tables would be.
TABLES = {
    **{f"gdp_per_capita_{y}": {"variable": "gdp_per_capita", "reduce": "at", "year": y}
       for y in (2030, 2040, 2060)},
    "gdp_per_capita_growth": {"variable": "gdp_per_capita", "reduce": "growth"},
    "peak_rer_appreciation": {"variable": "real_exchange_rate", "reduce": "peak_change"},
    **{f"{v}_2040": {"variable": v, "reduce": "at", "year": 2040}
       for v in ("non_resource_export_share", "export_sophistication", "poverty_rate",
                 "human_capital", "technological_capability")},
    "npv_consumption": {"variable": "consumption", "reduce": "npv", "rate": 0.03},
    "year_gdp_above_baseline": {"variable": "gdp_per_capita", "reduce": "first_above_baseline"},
}
SPECS = sd.metrics.parse_metrics(TABLES)


def _var(rows, units, long_name):
    return (("scenario", "time"), np.vstack(rows), {"units": units, "long_name": long_name})


@pytest.fixture()
def ds():
    base = 100 * 1.02 ** (T - 2000)
    up = 100 * 1.03 ** (T - 2000)
    cross = base * (1 + 0.01 * (T - 2025))      # below before 2025, equal in 2025, above after
    dip = base * (1 - 0.01 * (T - 2030))        # above before 2030, below after: never for good
    peak = np.clip(1 - np.abs(T - 2010) / 7, 0, None)  # a triangle peaking in 2010
    data = {
        "gdp_per_capita": _var([base, up, cross, dip], "USD/Person", "GDP per capita"),
        "real_exchange_rate": _var(
            [1 + 0.3 * peak, np.full(N, 2.0), 1.25 + 0.25 * peak, 1 - 0.1 * peak], "Dmnl", "RER"
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


def compare(ds, baseline="base", **changes):
    """compare() with SPECS, some replaced: ``changes`` maps a metric name to a spec or None."""
    specs = {**SPECS, **changes}
    return sd.metrics.compare(ds, baseline=baseline,
                              metrics=[s for s in specs.values() if s is not None])


def value(table, metric, scenario):
    return float(table["value"].sel(metric=metric, scenario=scenario))


def test_gdp_levels_growth_and_differences(ds):
    table = compare(ds)
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
    table = sd.metrics.compare(ds, baseline="a", metrics=[
        MetricSpec("y_2015", "gdp_per_capita", "at", year=2015),
        MetricSpec("g", "gdp_per_capita", "growth", end=2015),
        MetricSpec("f", "gdp_per_capita", "final", end=2005),
        MetricSpec("c", "gdp_per_capita", "change", start=2005, end=2015),
    ])
    assert value(table, "y_2015", "a") == pytest.approx(3.0)
    # growth over 2000..2015 reads the interpolated 2015 value: 3 ** (1/15) - 1
    assert value(table, "g", "a") == pytest.approx(3 ** (1 / 15) - 1)
    assert value(table, "f", "a") == pytest.approx(1.5)
    assert value(table, "c", "a") == pytest.approx(3.0 - 1.5)


def test_year_gdp_stays_above_baseline(ds):
    table = compare(ds)
    assert value(table, "year_gdp_above_baseline", "up") == 2001.0     # equal in 2000, above after
    assert value(table, "year_gdp_above_baseline", "cross") == 2026.0  # equal in 2025
    assert np.isnan(value(table, "year_gdp_above_baseline", "dip"))    # falls behind for good
    assert np.isnan(value(table, "year_gdp_above_baseline", "base"))
    assert table["difference"].sel(metric="year_gdp_above_baseline").isnull().all()
    # with "dip" as the baseline, "base" is above it from 2031 on
    assert value(compare(ds, baseline="dip"), "year_gdp_above_baseline", "base") == 2031.0
    # within a window ending in 2028, "dip" is above "base" from the start
    short = compare(ds, year_gdp_above_baseline=MetricSpec(
        "year_gdp_above_baseline", "gdp_per_capita", "first_above_baseline", end=2028))
    assert value(short, "year_gdp_above_baseline", "dip") == 2000.0


def test_peak_real_exchange_rate_appreciation(ds):
    table = compare(ds)
    assert value(table, "peak_rer_appreciation", "base") == pytest.approx(0.3)
    assert value(table, "peak_rer_appreciation", "up") == 0.0
    assert value(table, "peak_rer_appreciation", "cross") == pytest.approx(0.25 / 1.25)
    assert value(table, "peak_rer_appreciation", "dip") == 0.0  # depreciation only


def test_snapshot_metrics_in_2040(ds):
    table = compare(ds)
    for k, s in enumerate(SCENARIOS):
        assert value(table, "human_capital_2040", s) == pytest.approx(0.4 + k)
        assert value(table, "non_resource_export_share_2040", s) == pytest.approx(0.2 + 0.04 * k)
        assert value(table, "export_sophistication_2040", s) == 1.0 + k
        assert value(table, "technological_capability_2040", s) == 0.5
    later = compare(ds, human_capital_2050=MetricSpec("human_capital_2050", "human_capital", "at", year=2050))
    assert value(later, "human_capital_2050", "up") == pytest.approx(1.5)


def test_peak_trough_and_mean_over_a_window(ds):
    table = sd.metrics.compare(ds, baseline="base", metrics=sd.metrics.parse_metrics({
        "peak": {"variable": "real_exchange_rate", "reduce": "peak", "start": 2005, "end": 2020},
        "trough": {"variable": "real_exchange_rate", "reduce": "trough", "start": 2005, "end": 2020},
        "mean": {"variable": "human_capital", "reduce": "mean", "start": 2010, "end": 2020},
    }))
    assert value(table, "peak", "base") == pytest.approx(1.3)
    assert value(table, "trough", "dip") == pytest.approx(0.9)
    assert value(table, "trough", "base") == pytest.approx(1.0)   # the triangle ends in 2017
    # mean of 0.01 * (t - 2000) + k over the 11 saved years 2010..2020
    assert value(table, "mean", "cross") == pytest.approx(0.15 + 2)


def test_npv_of_consumption_closed_form(ds):
    r = 0.03
    q = 1 / (1 + r)
    table = compare(ds)
    # constant c over the 61 annual saves 2000..2060: c (1 - q^61) / (1 - q)
    assert value(table, "npv_consumption", "base") == pytest.approx(5 * (1 - q**N) / (1 - q), rel=1e-12)
    # consumption growing at exactly the discount rate: every term is 5
    assert value(table, "npv_consumption", "up") == pytest.approx(5 * N, rel=1e-12)
    assert dict(zip(table["metric"].values, table["units"].values))["npv_consumption"] == "USD"
    # a shorter horizon and another rate: 31 terms 2000..2030
    short = compare(ds, npv_consumption=MetricSpec("npv_consumption", "consumption", "npv",
                                                   rate=0.05, end=2030))
    q = 1 / 1.05
    assert value(short, "npv_consumption", "dip") == pytest.approx(4 * (1 - q**31) / (1 - q), rel=1e-12)
    # discounted to a later start: 2010..2060 are 51 terms of constant c
    later = compare(ds, npv_consumption=MetricSpec("npv_consumption", "consumption", "npv",
                                                   rate=0.05, start=2010))
    assert value(later, "npv_consumption", "base") == pytest.approx(5 * (1 - q**51) / (1 - q), rel=1e-12)
    zero = compare(ds, npv_consumption=MetricSpec("npv_consumption", "consumption", "npv", rate=0.0))
    assert value(zero, "npv_consumption", "base") == pytest.approx(5 * N)


def test_missing_variables_are_omitted_not_crashed(ds):
    table = compare(ds)
    assert "poverty_rate_2040" not in table["metric"].values
    assert table.attrs["omitted"] == {"poverty_rate_2040": "the dataset has no variable 'poverty_rate'"}
    bare = compare(ds[["human_capital"]])
    assert list(bare["metric"].values) == ["human_capital_2040"]
    assert {"gdp_per_capita_2030", "gdp_per_capita_growth", "year_gdp_above_baseline",
            "peak_rer_appreciation", "npv_consumption"} <= set(bare.attrs["omitted"])
    text = sd.metrics.format_table(bare)
    assert "Omitted metrics:" in text and "npv_consumption" in text


def test_years_outside_run_and_subscripted_variables_are_omitted(ds):
    table = compare(ds, gdp_per_capita_2070=MetricSpec("gdp_per_capita_2070", "gdp_per_capita",
                                                       "at", year=2070))
    assert "outside the run" in table.attrs["omitted"]["gdp_per_capita_2070"]
    sub = ds.assign(
        poverty_rate=(("scenario", "time", "region"), np.zeros((4, N, 2)), {"units": "Dmnl"})
    )
    table = compare(sub)
    assert "dimensions" in table.attrs["omitted"]["poverty_rate_2040"]


def test_default_metrics_are_final_values_of_changing_variables(ds):
    table = sd.metrics.compare(ds[["gdp_per_capita", "technological_capability"]], baseline="base")
    assert list(table["metric"].values) == ["gdp_per_capita_final"]   # capability is constant
    assert value(table, "gdp_per_capita_final", "up") == pytest.approx(100 * 1.03**60)


def test_table_exports(ds, tmp_path):
    table = compare(ds)
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


def test_bad_baseline(ds):
    with pytest.raises(ScenarioError, match=r"baseline 'bas' is not among.*Did you mean 'base'"):
        compare(ds, baseline="bas")


@pytest.mark.parametrize(
    "table, pattern",
    [
        ({"variable": "x", "reduce": "npv", "rate": -1.0}, r"needs rate"),
        ({"variable": "x", "reduce": "npv"}, r"needs rate"),
        ({"variable": "x", "reduce": "at"}, r"needs year"),
        ({"variable": "x", "reduce": "peak", "year": 2040}, r"does not use 'year'"),
        ({"variable": "x", "reduce": "growth", "start": 2040, "end": 2030}, r"must be before end"),
        ({"variable": "x", "reduce": "peek"}, r"unknown reduce 'peek'.*Did you mean 'peak'"),
        ({"variable": "x", "reduction": "peak"}, r"unknown key 'reduction'.*Did you mean 'reduce'"),
        ({"reduce": "peak"}, r"key 'variable' in \[metrics.m\] is required"),
        ({"variable": "x", "year": "soon", "reduce": "at"}, r"\[metrics.m\], key 'year'"),
    ],
)
def test_bad_specs_are_refused(table, pattern):
    with pytest.raises(ScenarioError, match=pattern):
        sd.metrics.parse_metrics({"m": table})


def test_metrics_given_as_tables_and_duplicates(ds):
    table = sd.metrics.compare(ds, baseline="base", metrics={"hc": {"variable": "human_capital", "reduce": "at", "year": 2040}})
    assert value(table, "hc", "dip") == pytest.approx(3.4)
    with pytest.raises(AnalysisError, match="more than once"):
        sd.metrics.compare(ds, baseline="base", metrics=[SPECS["npv_consumption"]] * 2)


def test_dataset_without_scenarios(ds):
    with pytest.raises(AnalysisError, match="no 'scenario' dimension"):
        sd.metrics.compare(ds.sel(scenario="base"), baseline="base")
