"""The closed-form validation models (``models/validation/``, DESIGN.md section 5).

Three kinds of oracle: the exact-solution functions of :mod:`sdmodel.validation` are checked
against scipy (an adaptive ODE solver, quadrature, a planner's optimum), never against the
models; the models, run by PySD with Euler's method, are checked against the exact solutions,
with an error bound at TIME STEP 0.25 and first-order convergence (the maximum error roughly
halves when the step halves); and the behaviours the formulas predict (C* = 0.9, falling
behind iff a <= 0, entry iff the barrier is crossed before the window closes, bird-in-hand
spends less early and more late, P = H whatever the windfall) are checked on the models.
"""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest
from scipy.integrate import quad, solve_ivp
from scipy.optimize import minimize_scalar

import sdmodel as sd
from sdmodel import validation as val
from sdmodel.exceptions import ModelFileError, ParameterError
from sdmodel.model import CONTROL_VARIABLES

EXACT = {
    "hartwick": val.hartwick,
    "nelson_phelps": val.nelson_phelps,
    "logistic_catch_up": val.logistic_catch_up,
    "capability_threshold": val.capability_threshold,
    "fiscal_rules": val.fiscal_rules,
}


@pytest.fixture(scope="module")
def models() -> dict[str, sd.Model]:
    return {name: sd.load(val.model_path(name)) for name in val.MODELS}


def exact_for(name: str, model: sd.Model, times, params=None) -> dict[str, np.ndarray]:
    """The exact solution at the model's parameters (defaults plus ``params``)."""
    func = EXACT[name]
    accepted = inspect.signature(func).parameters
    values = {**model.params, **(params or {})}
    values["initial_time"] = model.time_settings.initial_time
    return func(times, **{k: v for k, v in values.items() if k in accepted})


def max_error(model, name, variable, time_step, params=None) -> float:
    ds = model.run(params, time_step=time_step, saveper=1)
    exact = exact_for(name, model, ds["time"].to_numpy(), params)[variable]
    return float(np.max(np.abs(ds[variable].to_numpy() - exact)))


# ---------------------------------------------------------------- files and signatures
def test_every_model_file_exists_and_loads(models):
    assert set(models) == set(val.MODELS)
    for name, model in models.items():
        assert model.time_settings.time_step == 0.25
        assert model.units["time_step"] == "Year"
        undocumented = [py for py, row in model.doc.iterrows()
                        if py not in CONTROL_VARIABLES and not (row.units and row.comment)]
        assert undocumented == [], f"{name}: variables without units or comment"


def test_model_path_accepts_the_suffix_and_rejects_unknown_names():
    # the messages are pinned in test_error_messages.py
    assert val.model_path("hartwick.mdl") == val.model_path("hartwick")
    with pytest.raises(ModelFileError):
        val.model_path("perez")


def test_docstring_examples_run():
    import doctest

    result = doctest.testmod(val, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 10 and result.failed == 0


@pytest.mark.parametrize("name", [*EXACT, "dependent_economy"])
def test_exact_function_defaults_are_the_model_defaults(models, name):
    func = EXACT.get(name, val.dependent_economy)
    defaults = {
        k: p.default for k, p in inspect.signature(func).parameters.items()
        if p.default is not inspect.Parameter.empty and k != "initial_time"
    }
    params = models[name].params
    assert set(defaults) <= set(params)
    assert {k: params[k] for k in defaults} == defaults
    if name != "dependent_economy":  # its speed and start do not change the steady state
        assert set(params) <= set(defaults)


# ---------------------------------------------------------------- exact solutions vs scipy
def _ode(rhs, y0, t_end, times):
    sol = solve_ivp(rhs, (0.0, t_end), y0, t_eval=times, rtol=1e-11, atol=1e-12, max_step=0.5)
    assert sol.success
    return sol.y


def test_hartwick_maximal_consumption_by_quadrature():
    """C* is the (1-b) Y for which the Hartwick extraction path integrates to exactly S0."""
    exact = val.hartwick([0.0])
    assert exact["maximal_constant_consumption"][0] == pytest.approx(0.9, abs=1e-12)
    for a, b, k0, s0 in [(0.3, 0.1, 1.0, 5.0), (0.35, 0.05, 2.0, 3.0), (0.4, 0.15, 0.5, 10.0)]:
        y = val.hartwick([0.0], capital_elasticity=a, resource_elasticity=b,
                         initial_capital=k0, initial_reserve=s0)["output"][0]
        total = quad(lambda t: (y * (k0 + b * y * t) ** -a) ** (1 / b), 0, np.inf, limit=500)[0]
        assert total == pytest.approx(s0, rel=1e-8)
        # a slightly higher output would need more than the reserve
        y_up = 1.001 * y
        more = quad(lambda t: (y_up * (k0 + b * y_up * t) ** -a) ** (1 / b), 0, np.inf,
                    limit=500)[0]
        assert more > s0


def test_hartwick_path_solves_the_closed_loop_ode():
    """Extraction set from the current stocks (as in the model) follows the exact path."""
    a, b = 0.3, 0.1

    def rhs(t, y):
        k, s = y
        out = ((a - b) * s) ** (b / (1 - b)) * k ** ((a - b) / (1 - b))
        return [b * out, -(out * k**-a) ** (1 / b)]

    times = np.linspace(0, 200, 41)
    k, s = _ode(rhs, [1.0, 5.0], 200, times)
    exact = val.hartwick(times)
    np.testing.assert_allclose(k, exact["capital"], rtol=1e-8)
    np.testing.assert_allclose(s, exact["resource_reserve"], rtol=1e-6)
    # Hotelling's rule holds on the path: the resource price F_R = bY/R grows at F_K = aY/K
    fine = np.linspace(0, 200, 20001)
    path = val.hartwick(fine)
    growth = np.gradient(np.log(b * path["output"] / path["extraction"]), fine, edge_order=2)
    np.testing.assert_allclose(growth, a * path["output"] / path["capital"], rtol=1e-4)
    # cumulative extraction tends to S0
    far = val.hartwick([1e3, 1e5])["cumulative_extraction"]
    assert 5.0 - far[0] < 1e-3 and 5.0 - far[1] < 1e-7


def test_nelson_phelps_solves_its_ode():
    phi, lam = 0.1, 0.015
    times = np.linspace(0, 100, 21)
    (a,) = _ode(lambda t, y: [phi * (np.exp(lam * t) - y[0])], [0.3], 100, times)
    np.testing.assert_allclose(a, val.nelson_phelps(times)["technological_capability"], rtol=1e-9)


@pytest.mark.parametrize("g_i, c, g_m", [(0.01, 0.05, 0.02), (0.0, 0.01, 0.02), (0.01, 0.01, 0.02)])
def test_logistic_catch_up_solves_its_ode(g_i, c, g_m):
    """Catching up (a > 0), falling behind (a < 0) and the boundary a = 0 (also behind)."""
    times = np.linspace(0, 150, 31)

    def rhs(t, y):
        return [y[0] * (g_i + c * (1 - y[0] / y[1])), g_m * y[1]]

    dom, lead = _ode(rhs, [0.2, 1.0], 150, times)
    exact = val.logistic_catch_up(times, domestic_innovation_rate=g_i, catch_up_rate=c,
                                  leader_growth_rate=g_m)
    np.testing.assert_allclose(dom / lead, exact["relative_productivity"], rtol=1e-8)
    np.testing.assert_allclose(dom, exact["domestic_productivity"], rtol=1e-8)


def test_logistic_limit_is_k_or_zero():
    far = [5000.0]
    assert val.logistic_catch_up(far)["relative_productivity"][0] == pytest.approx(0.8)
    behind = val.logistic_catch_up(far, domestic_innovation_rate=0.0, catch_up_rate=0.01)
    assert behind["relative_productivity"][0] < 1e-20


def test_capability_path_and_crossing_time_solve_the_ode():
    times = np.linspace(0, 60, 61)

    def rhs(t, y):
        return [(0.1 if t >= 5 else 0.0) - 0.05 * y[0]]

    (path,) = _ode(rhs, [0.2], 60, times)
    np.testing.assert_allclose(path, val.capability_threshold(times)["capability"], rtol=1e-8)
    crossing = val.capability_crossing_time()
    # crossing by root finding on the exact path
    level = val.capability_threshold([crossing - 1e-9, crossing + 1e-9])["capability"]
    assert level[0] < 1.5 < level[1]
    assert crossing == pytest.approx(5 + 20 * math.log((2 - 0.2 * math.exp(-0.25)) / 0.5))


def test_capability_unreachable_and_refused_cases():
    assert val.capability_crossing_time(investment_rate=0.075) == math.inf  # I/delta = 1.5
    assert val.capability_threshold([100.0], investment_rate=0.07)["entry_succeeded"][0] == 0
    with pytest.raises(ParameterError):  # the model assumes the entrant starts below the barrier
        val.capability_crossing_time(initial_capability=2.0)


@pytest.mark.parametrize("r", [0.04, 0.0])
def test_fiscal_fund_paths_solve_their_odes(r):
    r_, big_r, dur, f0 = r, 1.0, 12.0, 2.0
    exact = val.fiscal_rules(np.linspace(0, 50, 51), fund_return_rate=r)
    spend_p = exact["permanent_income_spending"][0]
    times = np.linspace(0, 50, 51)

    def rhs(t, y):
        inflow = big_r if t < dur else 0.0
        return [inflow + r_ * y[0] - r_ * y[0], inflow + r_ * y[1] - spend_p]

    head = times <= dur
    bird, perm = _ode(rhs, [f0, f0], dur, times[head])
    np.testing.assert_allclose(bird, exact["bird_in_hand_fund"][head], rtol=1e-9)
    np.testing.assert_allclose(perm, exact["permanent_income_fund"][head], rtol=1e-9)
    # permanent-income spending is the annuity of fund + windfall: the fund is then constant
    np.testing.assert_allclose(exact["permanent_income_fund"][~head], perm[-1], rtol=1e-9)
    if r > 0:
        assert spend_p == pytest.approx(r * perm[-1], rel=1e-9)


def test_dependent_economy_is_the_planners_optimum():
    """Competitive equilibrium = maximum of CES utility over the labour split."""
    checked = 0
    for h, eps in [(1.2, 0.5), (0.8, 2.0), (1.5, 1.5), (0.9, 0.3)]:
        for q in [0.0, 0.3, 0.7]:
            if q > h ** (eps - 1):
                continue
            rho = (eps - 1) / eps

            def minus_utility(l_n):
                return -(((1 - l_n + q) ** rho + (l_n / h) ** rho) ** (1 / rho))

            best = minimize_scalar(minus_utility, bounds=(1e-9, 1), method="bounded",
                                   options={"xatol": 1e-12}).x
            eq = val.dependent_economy(q, non_tradable_labour_requirement=h,
                                       elasticity_of_substitution=eps)
            assert eq["non_tradable_labour"] == pytest.approx(best, abs=1e-6)
            checked += 1
            # the marginal rate of substitution equals the price H
            c_t, c_n = 1 - eq["non_tradable_labour"] + q, eq["non_tradable_labour"] / h
            assert (c_t / c_n) ** (1 / eps) == pytest.approx(h, rel=1e-9)
    assert checked >= 6


def test_dependent_economy_refuses_infeasible_windfalls():
    at_bound = val.dependent_economy(1.2 ** -0.5)  # Q_E = H^(eps-1): everyone in N
    assert at_bound["non_tradable_labour"] == pytest.approx(1.0)
    with pytest.raises(ParameterError, match="feasibility bound"):
        val.dependent_economy([0.5, 1.0])
    with pytest.raises(ParameterError, match=r"non-negative"):
        val.dependent_economy(-0.1)


# ---------------------------------------------------------------- models vs exact solutions
CONVERGENCE = [
    # model, variable, bound on the max error at TIME STEP 0.25 over the default horizon
    ("hartwick", "resource_reserve", 0.06),
    ("hartwick", "capital", 0.15),
    ("hartwick", "consumption", 0.008),
    ("nelson_phelps", "technological_capability", 0.003),
    ("logistic_catch_up", "relative_productivity", 0.002),
    ("capability_threshold", "capability", 0.005),
    ("fiscal_rules", "permanent_income_fund", 0.3),
]


@pytest.mark.parametrize("name, variable, bound", CONVERGENCE,
                         ids=[f"{n}-{v}" for n, v, _ in CONVERGENCE])
def test_euler_error_is_bounded_and_first_order(models, name, variable, bound):
    coarse = max_error(models[name], name, variable, 0.25)
    fine = max_error(models[name], name, variable, 0.125)
    assert 0 < coarse < bound
    assert 1.7 < coarse / fine < 2.3, f"error ratio {coarse / fine:.3f}"


def test_logistic_model_falls_behind_iff_a_not_positive(models):
    model = models["logistic_catch_up"]
    params = {"domestic_innovation_rate": 0.0, "catch_up_rate": 0.01}  # a = -0.01
    ds = model.run(params)
    assert ds["falling_behind"].to_numpy().max() == 1
    assert ds["long_run_relative_productivity"].to_numpy()[0] == 0
    x = ds["relative_productivity"].to_numpy()
    assert np.all(np.diff(x) < 0)
    assert max_error(model, "logistic_catch_up", "relative_productivity", 0.25, params) < 1e-3
    boundary = {"domestic_innovation_rate": 0.01, "catch_up_rate": 0.01}  # a = 0: x -> 0 too
    ds = model.run(boundary, final_time=400, saveper=100)
    assert ds["falling_behind"].to_numpy().max() == 1
    x_far = float(ds["relative_productivity"].isel(time=-1))
    assert x_far == pytest.approx(0.2 / (1 + 0.01 * 0.2 * 400), rel=5e-3)
    default = model.run()
    assert default["falling_behind"].to_numpy().max() == 0
    assert default["relative_productivity"].to_numpy()[-1] == pytest.approx(0.8, abs=0.05)


def test_hartwick_model_keeps_consumption_and_exhausts_the_reserve_only_asymptotically(models):
    model = models["hartwick"]
    ds = model.run(final_time=1000, saveper=50)
    assert ds["maximal_constant_consumption"].to_numpy()[0] == pytest.approx(0.9, abs=1e-12)
    reserve = ds["resource_reserve"].to_numpy()
    assert np.all(reserve > 0) and np.all(np.diff(reserve) < 0)
    # cumulative extraction tends to S0 = 5 (exactly 5 - 5/101^2 = 4.9995 at t = 1000)
    assert ds["cumulative_extraction"].to_numpy()[-1] == pytest.approx(5.0, abs=2e-3)
    # output identity: the model's Y = K^a R^b equals the sustainable output it aimed at
    np.testing.assert_allclose(ds["output"], ds["sustainable_output"], rtol=1e-12)


def test_hartwick_model_with_depreciation_consumption_falls(models):
    ds = models["hartwick"].run({"depreciation_rate": 0.02}, final_time=100)
    consumption = ds["consumption"].to_numpy()
    assert consumption[-1] < 0.7 * consumption[0]
    assert np.all(ds["resource_reserve"].to_numpy() > 0)


CAPABILITY_CASES = {
    "early start, entry": {},
    "late start, window missed": {"investment_start_time": 15.0},
    "barrier unreachable": {"investment_rate": 0.07},
}


@pytest.mark.parametrize("params", CAPABILITY_CASES.values(), ids=list(CAPABILITY_CASES))
def test_capability_model_entry_flag_and_crossing_time(models, params):
    model = models["capability_threshold"]
    ds = model.run(params, saveper=0.25)
    times = ds["time"].to_numpy()
    exact = exact_for("capability_threshold", model, times, params)
    crossing = val.capability_crossing_time(
        **{k: v for k, v in {**model.params, **params}.items() if k != "window_close_time"}
    )
    entered = ds["entry_succeeded"].to_numpy()
    assert entered[-1] == exact["entry_succeeded"][-1]
    assert entered[-1] == (crossing < model.params["window_close_time"])
    assert ds["barrier_reachable"].to_numpy()[0] == (crossing < math.inf)
    simulated = ds["barrier_crossing_time"].to_numpy()[-1]
    if crossing == math.inf:
        assert simulated == times[-1]
    else:  # Euler crosses within one step of the exact time (0.25 years here)
        assert abs(simulated - crossing) <= 0.25


def test_fiscal_model_bird_in_hand_is_exact_and_spends_less_early_more_late(models):
    model = models["fiscal_rules"]
    ds = model.run(saveper=0.25)
    exact = exact_for("fiscal_rules", model, ds["time"].to_numpy())
    # Euler is exact here: the bird-in-hand fund's net flow is the piecewise-constant windfall
    for var in ("cumulative_windfall", "bird_in_hand_fund", "bird_in_hand_spending",
                "permanent_income_spending", "windfall"):
        np.testing.assert_allclose(ds[var], exact[var], rtol=1e-12, atol=1e-12, err_msg=var)
    bird = ds["bird_in_hand_spending"].to_numpy()
    perm = ds["permanent_income_spending"].to_numpy()
    t = ds["time"].to_numpy()
    r, f0, big_r, dur = 0.04, 2.0, 1.0, 12.0
    assert bird[-1] == pytest.approx(r * f0 + r * big_r * dur, rel=1e-12)
    assert perm[0] == pytest.approx(r * f0 + big_r * (1 - math.exp(-r * dur)), rel=1e-12)
    assert np.all(bird[t < 5] < perm[t < 5]) and np.all(bird[t >= dur] > perm[t >= dur])


WINDFALLS = [0.0, 0.2, 0.5, 0.8, 0.9]


@pytest.mark.parametrize("windfall", WINDFALLS)
def test_dependent_economy_steady_state_is_the_closed_form(models, windfall):
    ds = models["dependent_economy"].run({"resource_windfall": windfall})
    exact = val.dependent_economy(windfall)
    final = ds.isel(time=-1)
    assert float(final["non_tradable_labour"]) == pytest.approx(
        float(exact["non_tradable_labour"]), abs=1e-6)
    assert float(final["relative_price"]) == pytest.approx(1.2, abs=1e-6)  # P = H
    assert float(final["wage_gap"]) == pytest.approx(0.0, abs=1e-6)
    assert ds["windfall_feasible"].to_numpy().min() == 1
    assert ds["non_tradable_labour"].to_numpy().max() < 1


@pytest.mark.parametrize("windfall", [1.0, 1.5])
def test_dependent_economy_infeasible_windfall_is_reported_not_hidden(models, windfall):
    ds = models["dependent_economy"].run({"resource_windfall": windfall})
    assert ds["windfall_feasible"].to_numpy().max() == 0
    labour = ds["non_tradable_labour"].to_numpy()
    assert labour.max() <= 1.0 and labour[-1] == pytest.approx(1.0, abs=1e-12)
    # the corner: all labour in non-tradables, P = (H Q_E)^(1/eps) > H
    price = float(ds["relative_price"].isel(time=-1))
    assert price == pytest.approx((1.2 * windfall) ** 2, rel=1e-9) and price > 1.2
    with pytest.raises(ParameterError, match="feasibility bound"):
        val.dependent_economy(windfall)


# ---------------------------------------------------------------- units
@pytest.mark.parametrize("name", val.MODELS)
def test_validation_models_have_consistent_units(models, name):
    assert sd.check_units(models[name]) == []


# ---------------------------------------------------------------- the batch engine
BATCH_CASES = [
    # model, swept parameter, values, variable, bound on the max error at TIME STEP 0.25
    ("logistic_catch_up", "domestic_innovation_rate", [0.0, 0.01, 0.02, 0.03],
     "relative_productivity", 0.005),
    ("nelson_phelps", "catch_up_rate", [0.05, 0.1, 0.2], "technological_capability", 0.008),
    ("hartwick", "initial_reserve", [3.0, 5.0, 8.0], "resource_reserve", 0.1),
    ("capability_threshold", "investment_start_time", [0.0, 5.0, 15.0], "capability", 0.005),
    ("fiscal_rules", "windfall_duration", [4.0, 8.0, 12.0], "permanent_income_fund", 0.3),
]


@pytest.mark.parametrize("name, param, values, variable, bound", BATCH_CASES,
                         ids=[c[0] for c in BATCH_CASES])
def test_batch_engine_matches_the_closed_forms(models, name, param, values, variable, bound):
    model = models[name]
    ds = model.run_batch({param: np.array(values)}, return_vars=[variable])
    times = ds["time"].to_numpy()
    for i, value in enumerate(values):
        exact = exact_for(name, model, times, {param: value})[variable]
        error = np.max(np.abs(ds[variable].isel(run=i).to_numpy() - exact))
        assert error < bound, f"{param}={value}: error {error:.3g}"


def test_batch_engine_dependent_economy_steady_states(models):
    model = models["dependent_economy"]
    windfalls = np.array([*WINDFALLS, 1.0, 1.5])
    ds = model.run_batch({"resource_windfall": windfalls},
                         return_vars=["non_tradable_labour", "windfall_feasible"])
    final = ds.isel(time=-1)
    feasible = windfalls <= 1.2 ** -0.5
    np.testing.assert_allclose(final["non_tradable_labour"].to_numpy()[feasible],
                               val.dependent_economy(windfalls[feasible])["non_tradable_labour"],
                               atol=1e-6)
    np.testing.assert_array_equal(final["windfall_feasible"].to_numpy(), feasible.astype(float))
    np.testing.assert_allclose(final["non_tradable_labour"].to_numpy()[~feasible], 1.0,
                               atol=1e-12)
