"""The reference model of Pérez (2010): rendering, units, data, and the behaviours of DESIGN.md §4.

Runs use the PySD engine (``Model.run``); the sensitivity module (batch engine) is checked
against these in ``test_perez_sensitivity.py``.
"""

from __future__ import annotations

import csv
import warnings

import numpy as np
import pytest

import sdmodel as sd
from conftest import DATA_DIR, MODELS
from sdmodel.perez.reference import build_perez

MDL = MODELS / "perez" / "perez.mdl"
LEVERS = ("reinvestment_share", "reinvestment_start_year", "human_capital_share",
          "technologization_share", "bottom_up_share", "fund_share", "fund_spending_rate",
          "fund_spending_rule", "withdrawal_investment_share", "price_scenario",
          "price_boom_scale")
OUTPUTS = ("gdp_per_capita", "real_exchange_rate", "human_capital", "technological_capability",
           "non_resource_export_share", "export_sophistication", "resource_rents",
           "sovereign_fund", "poverty_rate", "consumption", "gdp", "gdi", "gni",
           "gdi_per_capita", "gni_per_capita", "nontradable_price", "current_account",
           "net_foreign_assets", "unemployment_rate")
REINVEST = {"reinvestment_share": 0.5, "reinvestment_start_year": 2004}
FUND = {"fund_share": 0.5}
BOOM = slice(2003, 2014)
ALLOCATION = ("rent_consumption", "fund_deposits", "human_capital_spending",
              "technologization_spending", "bottom_up_spending")


@pytest.fixture(scope="module")
def model():
    return sd.load(MDL)


@pytest.fixture(scope="module")
def runs(model):
    scenarios = {
        "squander": {},
        "reinvest": REINVEST,
        "fund": FUND,
        "no boom": {"price_boom_scale": 0},
        **{f"start {y}": {"reinvestment_share": 0.5, "reinvestment_start_year": y}
           for y in (2010, 2016, 2022)},
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {k: model.run(v) for k, v in scenarios.items()}


def test_committed_rendering_is_current():
    text = build_perez(data_dir=DATA_DIR).to_mdl()
    assert text == MDL.read_text(encoding="utf-8"), (
        "models/perez/perez.mdl is stale: run python -m sdmodel.perez.reference "
        "--data-dir ../shared/data --write models/perez/perez.mdl")


def test_units_are_consistent(model):
    assert sd.check_units(model) == []


def test_levers_and_outputs_have_their_names(model):
    assert set(LEVERS) <= set(model.params)
    assert set(OUTPUTS) <= set(model.doc.index)
    ts = model.time_settings
    assert (ts.initial_time, ts.final_time, ts.time_step, ts.saveper) == (2000, 2060, 0.25, 1)
    for py in model.doc.index.drop("time"):
        row = model.doc.loc[py]
        assert row["units"], f"{py} has no units"
        assert row["comment"].strip(), f"{py} has no documentation"


def test_levels_are_in_the_declared_units(model, runs):
    """Money in $ and people in Person: the 2000 levels are those of a mid-sized Latin American
    economy as the WDI reports them (NY.GDP.PCAP.KD, constant US$ per person)."""
    units = model.units
    assert (units["gdp"], units["population"], units["gdp_per_capita"]) == (
        "$/Year", "Person", "$/(Person*Year)")
    y = runs["squander"].sel(time=2000)
    assert 1e7 < float(y["population"]) < 1e8                 # tens of millions of people
    assert 5e10 < float(y["gdp"]) < 5e11                      # tens to hundreds of billions of $
    assert float(y["total_employment"]) < float(y["labour_force"]) < float(y["population"])
    # the stocks start from the interface constants
    assert float(y["gdp_per_capita"]) == pytest.approx(model.params["initial_gdp_per_capita"])
    assert float(y["unemployment_rate"]) == pytest.approx(model.params["initial_unemployment_rate"])
    assert float(y["nontradable_price"]) == pytest.approx(1.0, abs=1e-12)
    assert float(y["resource_rents"] / y["gdp"]) == pytest.approx(
        model.params["resource_output_share"], rel=1e-9)
    capital = float(y["tradable_capital"] + y["nontradable_capital"])
    core = float(y["tradable_output"] + y["nontradable_output"])
    assert capital / core == pytest.approx(model.params["initial_capital_output_ratio"])
    with (DATA_DIR / "wdi.csv").open() as fh:
        wdi = {r["country"]: float(r["value"]) for r in csv.DictReader(fh)
               if r["indicator"] == "NY.GDP.PCAP.KD" and r["year"] == "2000"
               and r["country"] in ("BRA", "CHL", "COL", "ECU", "MEX")}
    assert len(wdi) >= 3, wdi
    assert min(wdi.values()) < float(y["gdp_per_capita"]) < max(wdi.values()), wdi


def test_display_names_are_capitalised_and_python_names_lower_case(model):
    names = model.doc["name"]
    assert names["gdp_per_capita"] == "GDP per capita"
    assert names["real_exchange_rate"] == "Real exchange rate"
    assert names["rer_half_life"] == "RER half life"
    for py, name in names.items():
        assert py == py.lower(), py
        assert name[0].isupper(), f"{py}: display name {name!r} is not capitalised"


def test_price_history_is_the_pink_sheet_series(model, runs):
    with (DATA_DIR / "commodity_prices.csv").open() as fh:
        rows = {int(r["year"]): r for r in csv.DictReader(fh)}
    cols = ("energy_index_real", "metals_minerals_index_real")

    def index(year):
        return np.mean([float(rows[year][c]) / float(rows[2000][c]) for c in cols])

    price = runs["squander"]["commodity_price"]
    for year in (2000, 2003, 2008, 2011, 2016, 2024):
        assert float(price.sel(time=year)) == pytest.approx(index(year), abs=6e-5)
    # the super-cycle: the 2003-2014 mean is well above the 2000-2002 mean
    assert float(price.sel(time=BOOM).mean()) > 1.5 * float(price.sel(time=slice(2000, 2002)).mean())


def test_no_boom_gives_the_same_path_for_every_policy(model):
    base = {"price_boom_scale": 0}
    policies = [REINVEST, FUND, {"reinvestment_share": 0.3, "fund_share": 0.4,
                                 "fund_spending_rule": 1, "withdrawal_investment_share": 0.5,
                                 "human_capital_share": 0.2,
                                 "technologization_share": 0.3, "bottom_up_share": 0.5}]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = model.run(base)
        for policy in policies:
            ds = model.run({**base, **policy})
            for v in ref.data_vars:
                if v in policy:
                    continue
                np.testing.assert_array_equal(ds[v].values, ref[v].values, err_msg=v)
    assert float(np.abs(ref["resource_rents"]).max()) == 0.0


def test_squandering_appreciates_shrinks_tradables_and_leaves_no_lasting_gain(runs):
    s, nb = runs["squander"], runs["no boom"]
    rer = s["real_exchange_rate"]
    assert float(rer.sel(time=BOOM).max()) > 1.05
    assert float(rer.sel(time=2002)) < 1.01
    shrink = s["non_resource_tradable_output"] / nb["non_resource_tradable_output"]
    assert float(shrink.sel(time=BOOM).min()) < 0.95
    # T output falls behind its no-boom path: labour and capital move to non-tradables as the
    # N price rises (it keeps growing in absolute terms with the productivity trend)
    other = s["tradable_output"] / nb["tradable_output"]
    assert float(other.sel(time=BOOM).min()) < 0.97
    assert float(s["nontradable_labour_share"].sel(time=BOOM).max()) > float(
        nb["nontradable_labour_share"].sel(time=BOOM).max())
    # learning-by-doing lost while tradables shrink is not regained (Krugman 1987): cumulative
    # experience stays below the no-boom path to the end, and so does capability
    experience = s["tradable_experience"] / nb["tradable_experience"]
    assert float(experience.sel(time=slice(2010, 2060)).max()) < 0.999
    # (by 2060 capability has caught up: the smaller experience stock grows faster later)
    for year in (2020, 2040):
        assert float(s["technological_capability"].sel(time=year)) < float(
            nb["technological_capability"].sel(time=year))
    # the boom raises income (GDI: the terms-of-trade gain), hardly output at constant prices
    income = s["gdi_per_capita"] / nb["gdi_per_capita"]
    assert float(income.sel(time=BOOM).max()) > float(income.sel(time=2000)) + 0.1
    ratio = s["gdp_per_capita"] / nb["gdp_per_capita"]
    assert float(ratio.sel(time=BOOM).max()) < float(ratio.sel(time=2000)) + 0.02
    for year in (2040, 2050, 2060):
        assert float(ratio.sel(time=year)) <= float(ratio.sel(time=2000))


def test_early_reinvestment_beats_squandering(runs):
    s, r = runs["squander"], runs["reinvest"]
    for v in ("gdp_per_capita", "non_resource_export_share", "export_sophistication",
              "technological_capability", "human_capital"):
        assert float(r[v].sel(time=2040)) > float(s[v].sel(time=2040)), v
    assert float(r["poverty_rate"].sel(time=2040)) < float(s["poverty_rate"].sel(time=2040))
    # changed from the first model (models/perez/README.md): reinvestment raises T productivity,
    # so the Balassa-Samuelson term appreciates the real exchange rate more, not less
    rer = "real_exchange_rate"
    assert float(r[rer].sel(time=2040)) > float(s[rer].sel(time=2040))


def test_gain_falls_as_the_start_moves_past_the_window(runs):
    s = runs["squander"]["gdp_per_capita"].sel(time=2040)
    gains = [float(runs[k]["gdp_per_capita"].sel(time=2040) - s)
             for k in ("reinvest", "start 2010", "start 2016", "start 2022")]
    assert all(a > b for a, b in zip(gains, gains[1:])), gains
    assert gains[-1] > 0


def test_saving_abroad_least_appreciation_lowest_early_consumption_no_capability(runs):
    s, r, f = runs["squander"], runs["reinvest"], runs["fund"]
    # the spending effect: the N price rises least with a fund; the real exchange rate index,
    # whose equilibrium rises with net foreign assets, appreciates most (README)
    peak = {k: float(d["nontradable_price"].sel(time=BOOM).max()) for k, d in
            (("s", s), ("r", r), ("f", f))}
    assert peak["f"] < min(peak["s"], peak["r"])
    rer = {k: float(d["real_exchange_rate"].sel(time=BOOM).max()) for k, d in
           (("s", s), ("f", f))}
    assert rer["f"] > rer["s"]
    early = {k: float(d["consumption"].sel(time=BOOM).mean()) for k, d in
             (("s", s), ("r", r), ("f", f))}
    assert early["f"] < min(early["s"], early["r"])
    cap = "technological_capability"
    fund_gain = float(f[cap].sel(time=2040) - s[cap].sel(time=2040))
    reinvest_gain = float(r[cap].sel(time=2040) - s[cap].sel(time=2040))
    assert abs(fund_gain) < 0.1 * reinvest_gain
    assert float(np.abs(f["extra_schooling"]).max()) == 0.0
    assert float(f["sovereign_fund"].sel(time=2030)) > 0


@pytest.mark.parametrize("policy", [
    {},
    {"reinvestment_share": 0.4, "fund_share": 0.5, "reinvestment_start_year": 2007.3},
    {"reinvestment_share": 0.2, "fund_share": 0.7, "fund_spending_rule": 1,
     "price_scenario": 2, "human_capital_share": 0.6, "technologization_share": 0.1,
     "bottom_up_share": 0.3},
])
def test_stock_flow_accounting_every_step(model, policy):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = model.run(policy, saveper=0.25)
    fiscal = ds["fiscal_rents"].values
    total = sum(ds[v].values for v in ALLOCATION)
    assert np.abs(total - fiscal).max() <= 1e-9 * max(1.0, np.abs(fiscal).max())
    # the fund: Euler integral of deposits + returns - withdrawals, started from zero
    net = (ds["fund_deposits"] + ds["fund_returns"] - ds["fund_withdrawals"]).values * 0.25
    fund = ds["sovereign_fund"].values
    expected = np.concatenate([[0.0], np.cumsum(net)[:-1]])
    assert np.abs(fund - expected).max() <= 1e-9 * max(1.0, np.abs(fund).max())
    assert (fund >= 0).all()
    # reserves: initial minus cumulative extraction, never negative
    reserves = ds["resource_reserves"].values
    mined = np.concatenate([[0.0], np.cumsum(ds["extraction"].values * 0.25)[:-1]])
    np.testing.assert_allclose(reserves, float(ds["initial_reserves"][0]) - mined, rtol=1e-12,
                               atol=1e-9)
    assert reserves.min() >= 0


def test_reserves_stay_non_negative_when_the_resource_runs_out(model):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = model.run({"initial_reserve_life": 12, "minimum_depletion_time": 5,
                        "price_scenario": 1}, saveper=0.25)
    reserves = ds["resource_reserves"].values
    assert reserves.min() >= 0
    assert reserves[-1] < 0.05 * reserves[0]  # it really ran down
    assert float(ds["extraction"].isel(time=-1)) < float(ds["extraction"].max()) * 0.1


def test_price_scenarios_differ_after_the_data(runs, model):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plateau = model.run({"price_scenario": 1}, return_vars=["commodity_price"])
        second = model.run({"price_scenario": 2}, return_vars=["commodity_price"])
    ends = runs["squander"]["commodity_price"]
    last = float(ends.sel(time=2024))
    assert float(plateau["commodity_price"].sel(time=2050)) == pytest.approx(last)
    assert float(ends.sel(time=2050)) == pytest.approx(1.0, abs=0.01)
    assert float(second["commodity_price"].sel(time=2035)) > float(ends.sel(time=2035)) + 0.9


def test_dual_strategy_bottom_up_fights_poverty_top_down_upgrades(model):
    """Pérez's dual model: clusters are the poverty fighters, the top-down half the engine."""
    splits = {"top down": (0.5, 0.5, 0.0), "dual": (0.35, 0.35, 0.3)}
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, (h, t, u) in splits.items():
            out[name] = model.run({"reinvestment_share": 0.5, "human_capital_share": h,
                                   "technologization_share": t, "bottom_up_share": u})
    dual, top = out["dual"], out["top down"]
    for year in (2015, 2030):
        assert float(dual["poverty_rate"].sel(time=year)) < float(top["poverty_rate"].sel(time=year))
        assert float(dual["cluster_employment"].sel(time=year)) > float(
            top["cluster_employment"].sel(time=year))
    for year in (2040, 2060):
        assert float(top["export_sophistication"].sel(time=year)) > float(
            dual["export_sophistication"].sel(time=year))


def test_permanent_income_rule_spends_more_early_and_less_late(model):
    """As the closed-form fiscal rules (DESIGN.md section 5): bird-in-hand spends less early."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bih = model.run({"fund_share": 0.5, "fund_spending_rule": 0})
        pih = model.run({"fund_share": 0.5, "fund_spending_rule": 1})
    w = "fund_withdrawals"
    for year in (2005, 2010):
        assert float(pih[w].sel(time=year)) > float(bih[w].sel(time=year))
    for year in (2040, 2060):
        assert float(pih[w].sel(time=year)) < float(bih[w].sel(time=year))
    # bird-in-hand pays exactly the spending rate times the fund
    np.testing.assert_allclose(bih[w].values, 0.04 * bih["sovereign_fund"].values, rtol=1e-12)


def test_readme_documents_every_parameter_with_its_default_and_range(model):
    readme = (MODELS / "perez" / "README.md").read_text(encoding="utf-8")
    for py, row in model.doc.iterrows():
        if row["kind"] != "Constant" or py not in model.params:
            continue
        lo, hi = row["limits"]
        rng = "fixed" if lo == hi else f"{lo:g} – {hi:g}"
        entry = f"| `{py}` | {model.params[py]:g} | {row['units']} | {rng} |"
        assert entry in readme, f"README lacks or misstates {entry}"


def test_builder_compile_gives_the_same_model(runs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compiled = sd.perez.build_perez(data_dir=DATA_DIR).compile()   # checks units
        ds = compiled.run(REINVEST, return_vars=["gdp_per_capita", "sovereign_fund"])
    np.testing.assert_array_equal(ds["gdp_per_capita"].values,
                                  runs["reinvest"]["gdp_per_capita"].values)
