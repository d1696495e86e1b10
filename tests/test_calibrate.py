"""sd.calibrate on validation models: synthetic recovery per method, statistics against the
ordinary-least-squares closed form, reproducibility, interruption, options."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from scipy import stats

import sdmodel as sd
from conftest import MODELS

NP_PATH = MODELS / "validation" / "nelson_phelps.mdl"
TRUE = {"catch_up_rate": 0.08, "frontier_growth_rate": 0.02, "initial_capability": 0.25}
# distant start: every start value is far from the truth
START = {
    "catch_up_rate": (0.3, 0.01, 1.0),
    "frontier_growth_rate": (0.04, 0.0, 0.05),
    "initial_capability": (0.6, 0.01, 1.0),
}
QUICK = {
    "differential_evolution": {"maxiter": 15, "popsize": 8},
    "dual_annealing": {"maxiter": 10},
}

# y = a + b t: least squares on it is ordinary least squares, with closed-form answers
LINEAR_MDL = """{UTF-8}
y=
	intercept + slope * (Time - INITIAL TIME)
	~	Dmnl
	~	A straight line.
	|
intercept=
	1
	~	Dmnl [-10,10]
	~	a
	|
slope=
	0.5
	~	1/Year [-5,5]
	~	b
	|
********************************************************
	.Control
********************************************************~
		Simulation Control Parameters
	|
FINAL TIME  = 30
	~	Year
	~	The final time.
	|
INITIAL TIME  = 0
	~	Year
	~	The initial time.
	|
SAVEPER  = 1
	~	Year [0,?]
	~	Output period.
	|
TIME STEP  = 1
	~	Year [0,?]
	~	The time step.
	|
"""


@pytest.fixture(scope="module")
def np_model():
    return sd.load(NP_PATH)


@pytest.fixture(scope="module")
def synthetic(np_model):
    """Nelson-Phelps capability with known parameters plus 2 % multiplicative noise."""
    ds = np_model.run(TRUE, final_time=60, return_vars=["technological_capability"])
    rng = np.random.default_rng(20261129)
    noise = 1 + 0.02 * rng.standard_normal(ds.sizes["time"])
    return (ds[["technological_capability"]] * noise).assign_attrs({})


@pytest.fixture(scope="module")
def linear(tmp_path_factory):
    path = tmp_path_factory.mktemp("linear") / "line.mdl"
    path.write_text(LINEAR_MDL)
    model = sd.load(path)
    t = np.arange(0.0, 31.0)
    rng = np.random.default_rng(7)
    y = 2.0 + 0.3 * t + 0.4 * rng.standard_normal(t.size)
    y[[3, 17]] = np.nan  # gaps are masked
    observed = xr.Dataset({"y": ("time", y)}, coords={"time": t})
    return model, observed


def _ols(observed):
    t = observed["time"].values
    y = observed["y"].values
    keep = np.isfinite(y)
    X = np.column_stack([np.ones(keep.sum()), t[keep]])
    beta, *_ = np.linalg.lstsq(X, y[keep], rcond=None)
    resid = y[keep] - X @ beta
    n, p = X.shape
    s2 = resid @ resid / (n - p)
    cov = s2 * np.linalg.inv(X.T @ X)
    return beta, cov, resid, n, p


@pytest.mark.parametrize(
    "method",
    ["least_squares", "L-BFGS-B", "Nelder-Mead", "Powell", "differential_evolution",
     "dual_annealing"],
)
def test_synthetic_recovery(np_model, synthetic, method):
    fit = sd.calibrate(np_model, synthetic, START, method=method, seed=1,
                       options=QUICK.get(method), progress=False)
    assert not fit.interrupted
    # the global searches run on a small budget here (maxiter), then least squares polishes
    assert fit.success or ("maximum number of iteration" in fit.message.lower()
                           and "termination condition is satisfied" in fit.message)
    for name, true in TRUE.items():
        p = fit.params[name]
        assert p.stderr is not None and p.stderr > 0
        assert abs(p.value - true) <= 2 * p.stderr, (name, p.value, p.stderr, true)
        assert abs(p.value - true) <= 0.10 * abs(p.value), (name, p.value, true)
        assert p.init_value == START[name][0]
    assert fit.r2["technological_capability"] > 0.99
    assert fit.at_bound == [] and fit.unmoved == []


def test_statistics_match_ordinary_least_squares(linear):
    model, observed = linear
    fit = sd.calibrate(model, observed, {"intercept": (0.0, -10, 10), "slope": (0.0, -5, 5)},
                       normalize=None, progress=False)
    beta, cov, resid, n, p = _ols(observed)
    assert fit.ndata == n == 29 and fit.nvarys == p
    assert fit.values["intercept"] == pytest.approx(beta[0], rel=1e-7)
    assert fit.values["slope"] == pytest.approx(beta[1], rel=1e-7)
    assert fit.stderr["intercept"] == pytest.approx(math.sqrt(cov[0, 0]), rel=1e-5)
    assert fit.stderr["slope"] == pytest.approx(math.sqrt(cov[1, 1]), rel=1e-5)
    corr = cov[0, 1] / math.sqrt(cov[0, 0] * cov[1, 1])
    assert fit.correlation.loc["intercept", "slope"] == pytest.approx(corr, rel=1e-5)
    chisqr = float(resid @ resid)
    assert fit.chisqr == pytest.approx(chisqr, rel=1e-9)
    assert fit.redchi == pytest.approx(chisqr / (n - p), rel=1e-9)
    assert fit.aic == pytest.approx(n * math.log(chisqr / n) + 2 * p, rel=1e-9)
    assert fit.bic == pytest.approx(n * math.log(chisqr / n) + math.log(n) * p, rel=1e-9)
    y = observed["y"].values[np.isfinite(observed["y"].values)]
    assert fit.rmse["y"] == pytest.approx(math.sqrt(chisqr / n), rel=1e-9)
    assert fit.r2["y"] == pytest.approx(1 - chisqr / np.sum((y - y.mean()) ** 2), rel=1e-9)


def test_profile_intervals_of_a_linear_model_are_the_wald_intervals(linear):
    # for a model linear in its parameters the profile chi-square is exactly quadratic
    model, observed = linear
    fit = sd.calibrate(model, observed, {"intercept": (0.0, -10, 10), "slope": (0.0, -5, 5)},
                       normalize=None, progress=False, profile=True)
    z = math.sqrt(stats.chi2.ppf(0.95, 1))
    for name in ("intercept", "slope"):
        lo, hi = fit.intervals[name]
        p = fit.params[name]
        assert lo == pytest.approx(p.value - z * p.stderr, rel=1e-3, abs=1e-6)
        assert hi == pytest.approx(p.value + z * p.stderr, rel=1e-3, abs=1e-6)
    assert "Profile-likelihood intervals" in fit.report()


def test_normalized_residuals_are_scaled_by_each_series_std(np_model, synthetic):
    fit = sd.calibrate(np_model, synthetic, {"catch_up_rate": (0.01, 1.0)}, progress=False)
    pair = fit.fit["technological_capability"]
    obs = pair.sel(source="observed").values
    sim = pair.sel(source="simulated").values
    keep = np.isfinite(obs)
    expected = np.sum(((sim[keep] - obs[keep]) / obs[keep].std()) ** 2)
    assert fit.chisqr == pytest.approx(expected, rel=1e-9)
    assert fit.fit.sizes["source"] == 2


def test_zero_weight_equals_leaving_the_series_out(np_model, synthetic):
    frontier = np_model.run({"frontier_growth_rate": 0.03}, final_time=60,
                            return_vars=["world_frontier"])["world_frontier"]
    both = synthetic.assign(world_frontier=frontier)
    params = {"catch_up_rate": (0.2, 0.01, 1.0), "frontier_growth_rate": (0.03, 0.0, 0.05)}
    alone = sd.calibrate(np_model, synthetic, params, progress=False)
    weighted = sd.calibrate(np_model, both, params, weights={"world_frontier": 0.0},
                            progress=False)
    for name in params:
        assert weighted.values[name] == pytest.approx(alone.values[name], rel=1e-6)
    assert weighted.rmse["world_frontier"] > 0  # still reported


def test_tidy_frame_with_mapping_and_gaps(np_model, synthetic):
    series = synthetic["technological_capability"].to_series()
    series.iloc[::3] = np.nan
    tidy = pd.DataFrame({"year": series.index, "variable": "tfp", "value": series.values,
                         "country": "CHL"})
    fit = sd.calibrate(np_model, tidy, START, mapping={"tfp": "Technological Capability"},
                       progress=False)
    assert fit.ndata == int(series.notna().sum())
    for name, true in TRUE.items():
        assert abs(fit.values[name] - true) <= 2 * fit.stderr[name]
    assert list(fit.fit.data_vars) == ["tfp"]


def test_log_transform_recovers_the_same_optimum(np_model, synthetic):
    plain = sd.calibrate(np_model, synthetic, START, progress=False)
    logged = sd.calibrate(np_model, synthetic, START, transform={"catch_up_rate": "log"},
                          progress=False)
    for name in TRUE:
        assert logged.values[name] == pytest.approx(plain.values[name], rel=1e-4)


@pytest.mark.parametrize("method, options", [
    ("differential_evolution", {"maxiter": 5, "popsize": 6}),
    ("dual_annealing", {"maxiter": 3}),
])
def test_seed_gives_bit_for_bit_identical_results(np_model, synthetic, method, options):
    kw = dict(method=method, seed=5, options=options, polish=False, progress=False)
    a = sd.calibrate(np_model, synthetic, START, **kw)
    b = sd.calibrate(np_model, synthetic, START, **kw)
    assert a.values == b.values and a.nfev == b.nfev and a.chisqr == b.chisqr


def test_multistart_keeps_the_best_start(np_model, synthetic):
    fit = sd.calibrate(np_model, synthetic, START, multistart=3, seed=2, progress=False)
    single = sd.calibrate(np_model, synthetic, START, progress=False)
    assert fit.message.startswith("best of 3 starts")
    assert fit.chisqr <= single.chisqr * (1 + 1e-9)


def test_callback_stop_returns_best_so_far(np_model, synthetic):
    seen = []

    def callback(params, chisqr, nfev):
        seen.append(chisqr)
        return nfev >= 7

    fit = sd.calibrate(np_model, synthetic, START, callback=callback, progress=False)
    assert fit.interrupted and not fit.success
    assert len(seen) == 7
    assert fit.chisqr == pytest.approx(min(seen), rel=1e-12)
    assert "stopped by the callback" in fit.message
    assert "interrupted" in fit.report()


def test_keyboard_interrupt_returns_best_so_far(np_model, synthetic):
    import signal

    seen = []

    def callback(params, chisqr, nfev):
        seen.append(chisqr)
        if nfev == 12:  # Ctrl-C: Python's own SIGINT handler raises KeyboardInterrupt
            signal.raise_signal(signal.SIGINT)

    fit = sd.calibrate(np_model, synthetic, START, method="Nelder-Mead", callback=callback,
                       progress=False)
    assert fit.interrupted and "KeyboardInterrupt" in fit.message
    assert fit.chisqr == pytest.approx(min(seen), rel=1e-12)
    assert all(p.stderr is None for p in fit.params.values())


def test_flags_at_bound_and_unmoved(np_model, synthetic):
    # the frontier alone says nothing about the catch-up rate: it stays put, no stderr
    frontier = np_model.run({"frontier_growth_rate": 0.02}, final_time=60,
                            return_vars=["world_frontier"])
    fit = sd.calibrate(np_model, frontier, {"catch_up_rate": (0.3, 0.01, 1.0),
                                            "frontier_growth_rate": (0.01, 0.0, 0.015)},
                       progress=False)
    assert fit.unmoved == ["catch_up_rate"]
    assert fit.at_bound == ["frontier_growth_rate"]
    assert fit.values["frontier_growth_rate"] == pytest.approx(0.015)
    assert fit.stderr["catch_up_rate"] is None
    text = fit.report()
    assert "AT BOUND" in text and "UNMOVED" in text and "not estimated" in text


def test_fixed_parameter_and_report_html(np_model, synthetic):
    params = sd.create_params(
        catch_up_rate=(0.3, 0.01, 1.0),
        frontier_growth_rate=dict(value=0.02, min=0.0, max=0.05, vary=False),
        initial_capability=(0.6, 0.01, 1.0),
    )
    fit = sd.calibrate(np_model, synthetic, params, progress=False)
    assert fit.values["frontier_growth_rate"] == 0.02 and fit.nvarys == 2
    assert "(fixed)" in fit.report()
    html = fit._repr_html_()
    assert "<table>" in html and "catch_up_rate" in html
    assert fit.params["catch_up_rate"].units == "1/Year"


def test_progress_bar_is_shown_when_asked(np_model, synthetic, capsys):
    sd.calibrate(np_model, synthetic, {"catch_up_rate": (0.01, 1.0)}, progress=True)
    assert "calibrate nelson_phelps" in capsys.readouterr().err


def test_workers_give_the_same_result_as_one_process(np_model, synthetic):
    kw = dict(method="differential_evolution", seed=3, options={"maxiter": 3, "popsize": 5},
              polish=False, progress=False, engine="pysd")
    one = sd.calibrate(np_model, synthetic, START, **kw)
    two = sd.calibrate(np_model, synthetic, START, workers=2, **kw)
    assert one.values == two.values


def test_batch_engine_gives_the_pysd_fit(np_model, synthetic):
    kw = dict(method="differential_evolution", seed=4, options={"maxiter": 4, "popsize": 6},
              progress=False)
    batch = sd.calibrate(np_model, synthetic, START, engine="batch", **kw)
    pysd = sd.calibrate(np_model, synthetic, START, engine="pysd", **kw)
    assert (batch.engine, pysd.engine) == ("batch", "pysd")
    for name in TRUE:
        assert batch.values[name] == pytest.approx(pysd.values[name], rel=1e-6)


def test_batch_engine_over_a_shifted_window_gives_the_pysd_fit(np_model, synthetic):
    # the data relabelled 10 years later and simulated from t = 10: run_batch must take the
    # window (no fallback to PySD runs) and agree with PySD runs over the same window
    shifted = synthetic.assign_coords(time=synthetic["time"] + 10)
    kw = dict(method="differential_evolution", seed=4, options={"maxiter": 3, "popsize": 5},
              progress=False, initial_time=10, final_time=70)
    batch = sd.calibrate(np_model, shifted, START, engine="auto", **kw)
    pysd = sd.calibrate(np_model, shifted, START, engine="pysd", **kw)
    assert (batch.engine, pysd.engine) == ("batch", "pysd")
    assert float(batch.fit["time"][0]) == 10
    for name in TRUE:
        assert batch.values[name] == pytest.approx(pysd.values[name], rel=1e-6)
    assert batch.chisqr == pytest.approx(pysd.chisqr, rel=1e-6)


def test_plot_fit_draws_observed_and_simulated(np_model, synthetic):
    fit = sd.calibrate(np_model, synthetic, {"catch_up_rate": (0.01, 1.0)}, progress=False)
    fig = sd.plot.fit(fit)
    (ax,) = fig.axes
    assert "R² =" in ax.get_title()
    observed, simulated = ax.get_lines()
    np.testing.assert_allclose(observed.get_ydata(),
                               synthetic["technological_capability"].values)
    assert len(simulated.get_xdata()) == synthetic.sizes["time"]


def test_expression_of_model_variables(np_model):
    # the gap to the frontier, T - A, observed with noise; fitted through an expression
    ds = np_model.run(TRUE, final_time=60, return_vars=["technological_capability",
                                                         "world_frontier"])
    gap = ds["world_frontier"] - ds["technological_capability"]
    noise = 1 + 0.02 * np.random.default_rng(3).standard_normal(gap.size)
    observed = xr.Dataset({"gap": gap * noise})
    fit = sd.calibrate(np_model, observed, START, progress=False,
                       mapping={"gap": "world_frontier - technological_capability"})
    for name, true in TRUE.items():
        assert abs(fit.values[name] - true) <= 2 * fit.stderr[name], name
    simulated = fit.fit["gap"].sel(source="simulated")
    rerun = np_model.run(fit.values, final_time=60)
    np.testing.assert_allclose(
        simulated.values, (rerun["world_frontier"] - rerun["technological_capability"]).values,
        rtol=1e-12)


def test_index_compares_shapes_not_levels(np_model, synthetic):
    # data in other units (x 3.7): as an index over year 0 the fit is unchanged
    scaled = synthetic * 3.7
    params = {"catch_up_rate": (0.3, 0.01, 1.0), "frontier_growth_rate": (0.04, 0.0, 0.05),
              "initial_capability": dict(value=0.25, vary=False)}
    fit = sd.calibrate(np_model, scaled, params, index={"technological_capability": 0},
                       progress=False)
    plain = sd.calibrate(np_model, synthetic, params, index={"technological_capability": 0},
                         progress=False)
    for name in ("catch_up_rate", "frontier_growth_rate"):
        assert fit.values[name] == pytest.approx(plain.values[name], rel=1e-8)
        assert fit.values[name] == pytest.approx(TRUE[name], rel=0.1)
    rerun = np_model.run(fit.values, final_time=60)["technological_capability"].values
    np.testing.assert_allclose(
        fit.fit["technological_capability"].sel(source="simulated").values,
        rerun / rerun[0], rtol=1e-12)
    observed = fit.fit["technological_capability"].sel(source="observed").values
    np.testing.assert_allclose(observed, scaled["technological_capability"].values
                               / scaled["technological_capability"].values[0])
    assert fit.fit["technological_capability"].attrs["units"] == "index, 0 = 1"


def test_expression_and_index_errors(np_model, synthetic):
    obs = synthetic.rename(technological_capability="gap")
    with pytest.raises(sd.exceptions.CalibrationError,
                       match=r"expression 'world_frontir - 1' uses 'world_frontir'.*Did you mean"):
        sd.calibrate(np_model, obs, START, mapping={"gap": "world_frontir - 1"})
    with pytest.raises(sd.exceptions.CalibrationError, match=r"Attribute is not allowed"):
        sd.calibrate(np_model, obs, START, mapping={"gap": "world_frontier.real + 1"})
    with pytest.raises(sd.exceptions.CalibrationError,
                       match=r"index base time 500 of series 'technological_capability' is "
                             r"outside the simulated window"):
        sd.calibrate(np_model, synthetic, START, index={"technological_capability": 500})


def test_tidy_wdi_style_frame(np_model, synthetic):
    # the layout of wdi.csv: country, year, indicator, value; one country
    series = synthetic["technological_capability"].to_series()
    tidy = pd.DataFrame({"country": "KOR", "year": series.index.astype(int),
                         "indicator": "technological_capability", "value": series.values})
    from_tidy = sd.calibrate(np_model, tidy, START, progress=False)
    from_dataset = sd.calibrate(np_model, synthetic, START, progress=False)
    assert from_tidy.values == from_dataset.values
    two = pd.concat([tidy, tidy.assign(country="CHL")])
    with pytest.raises(sd.exceptions.CalibrationError,
                       match=r"several values in column 'country'.*select one"):
        sd.calibrate(np_model, two, START)
