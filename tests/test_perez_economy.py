"""The economy of the reference model v2: accounting identities, closed forms and income effects.

Oracles: the national-accounts identities recomputed here from their parts (every step, every
scenario of ``models/perez/scenarios.toml`` and both ends of every documented range, with the
batch engine); the two-sector closed form of the steady state with rents and growth off (derived
in ``models/validation/README.md``, solved here with a root finder); the Corden-Neary result of
the linear case (``models/validation/dependent_economy.mdl``: P = H whatever the windfall).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.optimize import brentq

import sdmodel as sd
from conftest import MODELS
from sdmodel.cli import main as cli_main
from sdmodel.perez.behaviours import sensitivity_parameters
from sdmodel.perez.reference import CONTRACT
from sdmodel.perez.sectors.allocation import ALLOCATION_PARAMS
from sdmodel.scenarios import load_scenarios
from sdmodel.validation import dependent_economy

MDL = MODELS / "perez" / "perez.mdl"
STEP = 0.25
IDENTITY_VARS = (
    "expenditure_gdp", "gdp_at_current_prices", "gdp", "gdi", "gni", "trading_gain",
    "commodity_price", "base_commodity_price", "extraction", "fund_returns",
    "foreign_interest_income", "repatriated_rents", "other_foreign_assets", "sovereign_fund",
    "net_foreign_assets", "current_account", "rent_consumption", "fund_deposits",
    "human_capital_spending", "technologization_spending", "bottom_up_spending", "fiscal_rents",
    "total_employment", "labour_force", "unemployment", "nontradable_price",
    "nontradable_output", "private_consumption", "rent_funded_consumption", "fixed_investment",
    "invested_withdrawals", "other_foreign_income",
)
CONTENTS = {"consumption_nontradable_content": ("private_consumption", "rent_funded_consumption"),
            "investment_nontradable_content": ("fixed_investment",),
            "education_nontradable_content": ("human_capital_spending",),
            "technologization_nontradable_content": ("technologization_spending",),
            "cluster_nontradable_content": ("bottom_up_spending",)}


@pytest.fixture(scope="module")
def model():
    return sd.load(MDL)


def _quiet(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kw)


def _cases(model):
    """Scenarios of scenarios.toml, then every parameter and lever at each end of its range."""
    cases = [dict(v) for v in load_scenarios(MODELS / "perez" / "scenarios.toml").values()]
    ranges = dict(sensitivity_parameters(model))
    for lever, p in ALLOCATION_PARAMS.items():
        ranges[lever.replace(" ", "_")] = (p.low, p.high)
    for py, (lo, hi) in ranges.items():
        for value in (lo, hi):
            case = {"reinvestment_share": 0.4, "fund_share": 0.3, py: value}
            if py == "reinvestment_share":
                case["fund_share"] = 1 - value
            if py == "fund_share":
                case["reinvestment_share"] = 1 - value
            if py in ("human_capital_share", "technologization_share", "bottom_up_share"):
                rest = [s for s in ("human_capital_share", "technologization_share",
                                    "bottom_up_share") if s != py]
                case.update({rest[0]: 1 - value, rest[1]: 0.0})
            if py in ("energy_weight", "metals_weight", "agriculture_weight"):
                rest = [s for s in ("energy_weight", "metals_weight", "agriculture_weight")
                        if s != py]
                case.update({rest[0]: 1 - value, rest[1]: 0.0})
            cases.append(case)
    return cases


@pytest.fixture(scope="module")
def batch(model):
    cases = _cases(model)
    keys = sorted({k for c in cases for k in c})
    cols = {k: np.array([float(c.get(k, model.params[k])) for c in cases]) for k in keys}
    ds = _quiet(model.run_batch, cols, return_vars=list(IDENTITY_VARS), saveper=STEP)
    return cases, ds


def _rel(a, b):
    scale = np.maximum(np.abs(b).max("time"), 1.0)
    return float((np.abs(a - b).max("time") / scale).max())


def test_identities_hold_every_step_in_every_case(model, batch):
    cases, ds = batch
    assert ds.sizes["run"] == len(cases) > 200
    assert np.isfinite(ds["gdp"]).all()
    # expenditure GDP (C + G + I + X - M) = production GDP at current prices
    assert _rel(ds["expenditure_gdp"], ds["gdp_at_current_prices"]) < 1e-9
    # GDI = GDP + trading gain; GNI = GDI - repatriated rents + fund and other foreign income
    gain = (ds["commodity_price"] - ds["base_commodity_price"]) * ds["extraction"]
    assert _rel(ds["gdi"], ds["gdp"] + gain) < 1e-9
    gni = (ds["gdi"] - ds["repatriated_rents"] + ds["fund_returns"]
           + ds["foreign_interest_income"] + ds["other_foreign_income"])
    assert _rel(ds["gni"], gni) < 1e-9
    # current account = change in net foreign assets (Euler step)
    nfa = ds["sovereign_fund"] + ds["other_foreign_assets"]
    assert _rel(ds["net_foreign_assets"], nfa) < 1e-12
    change = nfa.diff("time") / STEP
    ca = ds["current_account"].isel(time=slice(None, -1))
    scale = float(np.abs(ca).max())
    assert float(np.abs(change.values - ca.values).max()) < 1e-9 * scale
    # fiscal allocation = fiscal rents
    alloc = sum(ds[v] for v in ("rent_consumption", "fund_deposits", "human_capital_spending",
                                "technologization_spending", "bottom_up_spending"))
    assert _rel(alloc, ds["fiscal_rents"]) < 1e-9
    # employment never exceeds the labour force; unemployment never negative
    assert float((ds["total_employment"] - ds["labour_force"]).max()) <= 0
    assert float(ds["unemployment"].min()) >= 0


def test_the_nontradable_market_clears(model, batch):
    """p_N Y_N equals spending on non-tradables, recomputed from the spending streams."""
    cases, ds = batch
    demand = 0.0
    for content, streams in CONTENTS.items():
        share = np.array([float(c.get(content, model.params[content])) for c in cases])
        demand = demand + share[:, None] * sum(ds[v].values for v in streams)
    supply = (ds["nontradable_price"] * ds["nontradable_output"]).values
    assert float(np.abs(supply - demand).max() / np.abs(supply).max()) < 1e-9


def _steady(model, params, final=2600):
    """A long run with rents, growth and foreign capital off (the closed-form setting)."""
    off = {"price_boom_scale": 0, "frontier_tfp_growth": 0, "population_growth_rate": 0,
           "schooling_growth": 0, "fdi_share": 0, "initial_foreign_assets_ratio": 0,
           "depletion_cost_effect": 0, "progress_ratio": 1, "initial_reserve_life": 1e5}
    names = ["tradable_output", "nontradable_output", "nontradable_price", "tradable_capital",
             "nontradable_capital", "nontradable_labour_share", "resource_value_added",
             "upgraded_exports", "cluster_output", "net_factor_income", "core_employment",
             "tradable_tfp_index", "nontradable_tfp_index", "human_capital_ratio",
             "initial_tradable_output", "initial_nontradable_output",
             "initial_nontradable_labour_share", "real_exchange_rate"]
    return _quiet(model.run, {**off, **params}, final_time=final, return_vars=names)


def test_steady_state_with_rents_off_is_the_two_sector_closed_form(model):
    """models/validation/README.md, section 7: V = a_T K^alpha M^(1-alpha), K = (1-c)(V+Z)/iota,
    p_N = a_T / a_N, L_N / M = K_N / K = m (V + Z) / V."""
    ds = _steady(model, {})
    end = ds.isel(time=-1)
    p = model.params
    alpha, c, delta, psi = (p["capital_share"], p["consumption_propensity"],
                            p["depreciation_rate"], p["absorption_cost"])
    m = (p["consumption_nontradable_content"] * c
         + p["investment_nontradable_content"] * (1 - c))
    iota = delta / (1 - psi * delta / 2)
    z = float(end["resource_value_added"] + end["upgraded_exports"] + end["cluster_output"]
              + end["net_factor_income"])
    start = ds.isel(time=0)
    lam0 = float(start["initial_nontradable_labour_share"])
    kappa = p["initial_capital_output_ratio"]
    m0 = float(start["core_employment"])
    h = float(end["human_capital_ratio"])
    mm = float(end["core_employment"])

    def a(j, tfp, lab0):
        y0 = float(start[f"initial_{j}_output"])
        return (y0 * float(end[tfp]) / (kappa * y0) ** alpha * (h / (lab0 * m0)) ** (1 - alpha))

    a_t = a("tradable", "tradable_tfp_index", 1 - lam0)
    a_n = a("nontradable", "nontradable_tfp_index", lam0)
    v = brentq(lambda v: v - a_t * ((1 - c) * (v + z) / iota) ** alpha * mm ** (1 - alpha),
               1e6, 1e15, xtol=1e-3, rtol=1e-14)
    k = (1 - c) * (v + z) / iota
    lam = m * (v + z) / v
    assert float(end["nontradable_price"]) == pytest.approx(a_t / a_n, rel=1e-6)
    assert float(end["tradable_capital"] + end["nontradable_capital"]) == pytest.approx(k, rel=1e-6)
    assert float(end["nontradable_labour_share"]) == pytest.approx(lam, rel=1e-6)
    assert float(end["nontradable_capital"]) == pytest.approx(lam * k, rel=1e-6)
    assert float(end["tradable_output"]) == pytest.approx((1 - lam) * v, rel=1e-6)


def test_linear_technology_windfall_leaves_the_nontradable_price_unmoved(model):
    """Corden-Neary, linear case: at rest p_N = A_T / A_N (the validation model's P = H) with
    or without a permanent windfall; only the transition moves it."""
    linear = {"capital_share": 0}
    none = _steady(model, linear)
    windfall = _steady(model, {**linear, "price_boom_scale": 1, "price_scenario": 1})
    for ds in (none, windfall):
        end = ds.isel(time=-1)
        ratio = float(end["tradable_tfp_index"] / end["nontradable_tfp_index"])
        assert float(end["nontradable_price"]) == pytest.approx(ratio, rel=1e-6)
    assert float(windfall["nontradable_price"].sel(time=slice(2003, 2014)).max()) > 1.05
    # more labour in non-tradables with the windfall, as in the closed form's L_N(Q_E)
    assert float(windfall["nontradable_labour_share"].isel(time=-1)) > float(
        none["nontradable_labour_share"].isel(time=-1))
    # the validation model's closed form: P = H whatever the windfall
    for q in (0.0, 0.5):
        assert float(dependent_economy(q)["relative_price"]) == pytest.approx(1.2)


def test_with_diminishing_returns_a_windfall_raises_the_nontradable_price(model):
    ds = _steady(model, {"price_boom_scale": 1}, final=2030)
    assert float(ds["nontradable_price"].sel(time=slice(2003, 2014)).max()) > 1.05


def _run(model, params, **kw):
    return _quiet(model.run, params, **kw)


def test_a_permanent_transfer_raises_gni_per_capita_and_consumption(model):
    none = _run(model, {})
    transfer = _run(model, {"foreign_income_share": 0.03})   # remittances of 3 % of GDP
    for year in (2010, 2030, 2060):
        assert float(transfer["gni_per_capita"].sel(time=year)) > float(
            none["gni_per_capita"].sel(time=year))
        assert float(transfer["consumption"].sel(time=year)) > float(
            none["consumption"].sel(time=year))


def test_a_fund_lowers_early_consumption_and_raises_gni_per_capita_later(model):
    squander = _run(model, {})
    fund = _run(model, {"fund_share": 0.5})
    early = slice(2003, 2014)
    assert float(fund["consumption"].sel(time=early).mean()) < float(
        squander["consumption"].sel(time=early).mean())
    gap = fund["gni_per_capita"] - squander["gni_per_capita"]
    assert float(gap.sel(time=2040)) > 0 and float(gap.sel(time=2060)) > 0
    invested = _run(model, {"fund_share": 0.5, "withdrawal_investment_share": 1})
    assert float(invested["gdp_per_capita"].sel(time=2060)) > float(
        fund["gdp_per_capita"].sel(time=2060))


def test_education_alone_pays_off_within_about_a_decade_of_graduates(model):
    """GDP gained each year exceeds the education spending of that year by the time the first
    graduates (2004 + 6-year delay) have worked about a decade."""
    squander = _run(model, {})
    edu = _run(model, {"reinvestment_share": 0.5, "human_capital_share": 1,
                       "technologization_share": 0, "bottom_up_share": 0})
    gain = edu["gdp"] - squander["gdp"]
    spend = edu["human_capital_spending"]
    assert float(gain.sel(time=2008)) < float(spend.sel(time=2008))
    assert (gain.sel(time=slice(2020, 2060)) > spend.sel(time=slice(2020, 2060))).all()
    assert float(edu["extra_schooling"].sel(time=2020)) > 0.5


def test_reinvestment_start_after_the_run_means_never(model, capsys):
    never = _run(model, {"reinvestment_share": 0.5, "reinvestment_start_year": 2100})
    squander = _run(model, {})
    np.testing.assert_array_equal(never["gdp"].values, squander["gdp"].values)
    assert cli_main(["run", str(MDL), "--final-time", "2003"]) == 0


@pytest.mark.parametrize("start", [1980, 1995, 2010])
def test_the_model_runs_from_any_start_1980_2010(start):
    """Built with that INITIAL TIME, the model starts from the interface constants and reads the
    price data without extrapolating."""
    from conftest import DATA_DIR
    from sdmodel.perez.reference import build_perez

    b = build_perez(data_dir=DATA_DIR, initial_time=start)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = b.compile()
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        ds = m.run({}, return_vars=["gdp_per_capita", "nontradable_price", "expenditure_gdp",
                                    "gdp_at_current_prices"])
    first = ds.isel(time=0)
    assert float(first["gdp_per_capita"]) == pytest.approx(m.params["initial_gdp_per_capita"])
    assert float(first["nontradable_price"]) == pytest.approx(1.0, abs=1e-12)
    assert float(ds["time"][-1]) == 2060
    assert _rel(ds["expenditure_gdp"], ds["gdp_at_current_prices"]) < 1e-9


def test_the_interface_constants_exist_with_their_units(model):
    units = {"initial_population": "Person", "population_growth_rate": "1/Year",
             "initial_labour_force": "Person", "initial_unemployment_rate": "Dmnl",
             "initial_gdp_per_capita": "$/(Person*Year)", "initial_capital_output_ratio": "Year",
             "initial_schooling_years": "Year", "initial_relative_tfp": "Dmnl",
             "frontier_tfp_growth": "1/Year", "resource_output_share": "Dmnl"}
    assert set(CONTRACT) <= set(model.params)
    for py, unit in units.items():
        assert model.units[py] == unit, py
    assert sum(model.params[w] for w in ("energy_weight", "metals_weight",
                                         "agriculture_weight")) == 1
