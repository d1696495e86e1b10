"""Sobol and Morris through one code path: SALib's Ishigami function first, then a model."""

from __future__ import annotations

import numpy as np
import pytest

import sdmodel as sd
from conftest import REPO
from sdmodel.analysis import FunctionEvaluator, ModelEvaluator, morris, sobol
from sdmodel.exceptions import AnalysisError

TOY = REPO / "tests" / "data" / "window_toy.mdl"
PI_BOX = {f"x{i}": (-np.pi, np.pi) for i in (1, 2, 3)}


def _ishigami_analytic(a=7.0, b=0.1):
    """Closed-form Sobol indices of the Ishigami function (Saltelli et al. 2008)."""
    var = 0.5 + a**2 / 8 + b * np.pi**4 / 5 + b**2 * np.pi**8 / 18
    v1 = 0.5 + b * np.pi**4 / 5 + b**2 * np.pi**8 / 50
    v2 = a**2 / 8
    v13 = b**2 * np.pi**8 * 8 / 225
    s1 = np.array([v1, v2, 0.0]) / var
    st = np.array([v1 + v13, v2, v13]) / var
    return s1, st, v13 / var


@pytest.fixture(scope="module")
def toy():
    return sd.load(TOY)


def test_ishigami_sobol_matches_the_analytic_indices():
    from SALib.test_functions import Ishigami

    si = sobol(FunctionEvaluator(Ishigami.evaluate), PI_BOX, n=1024, second_order=True, seed=3)
    s1, st, s13 = _ishigami_analytic()
    tol = dict(atol=5e-2, rtol=1e-1)  # SALib's own regression tolerances (test_regression.py)
    np.testing.assert_allclose(si["S1"].sel(output="y").values, s1, **tol)
    np.testing.assert_allclose(si["ST"].sel(output="y").values, st, **tol)
    s2 = si["S2"].sel(output="y")
    np.testing.assert_allclose(
        [float(s2.sel(parameter="x1", parameter2=p)) for p in ("x2", "x3")] +
        [float(s2.sel(parameter="x2", parameter2="x3"))], [0.0, s13, 0.0], **tol)
    assert si.attrs["n_evaluations"] == 1024 * 8
    assert (si["S1_conf"] > 0).all()


def test_morris_on_a_linear_function_gives_slope_times_range():
    f = FunctionEvaluator(lambda X: np.column_stack([2.0 * X[:, 0] - 0.5 * X[:, 2], X[:, 1] ** 2]),
                          outputs=("lin", "sq"))
    mo = morris(f, {"a": (0.0, 3.0), "b": (1.0, 2.0), "c": (-1.0, 1.0)}, trajectories=10, seed=1)
    lin = mo.sel(output="lin")
    np.testing.assert_allclose(lin["mu_star"].values, [6.0, 0.0, 1.0], atol=1e-9)
    np.testing.assert_allclose(lin["mu"].values, [6.0, 0.0, -1.0], atol=1e-9)
    np.testing.assert_allclose(lin["sigma"].values, [0.0, 0.0, 0.0], atol=1e-9)
    assert mo["mu_star"].sel(output="sq", parameter="b") > 0


def test_model_evaluator_reproduces_separate_runs(toy):
    ev = ModelEvaluator(toy, ["gdp_per_capita@2040", "max(capability)"], {"reinvestment_share": 0.4})
    X = np.array([[1.0, 0.02], [2.5, 0.005], [0.6, 0.03]])
    Y = ev(X, ["boom_size", "capability_decay_rate"])
    for row, (boom, decay) in zip(Y, X):
        ds = toy.run({"reinvestment_share": 0.4, "boom_size": boom, "capability_decay_rate": decay},
                     return_vars=["gdp_per_capita", "capability"])
        np.testing.assert_allclose(row, [float(ds["gdp_per_capita"].sel(time=2040)),
                                         float(ds["capability"].max())], rtol=1e-9)


def test_model_sobol_finds_the_parameters_that_matter(toy):
    # no reinvestment: rents and the boom cannot move GDP per capita, trend growth does it all
    si = sobol(toy, ["boom_size", "rent_base", "trend_growth"], metrics=["gdp_per_capita@2040"],
               overrides={"reinvestment_share": 0.0}, n=256, seed=2)
    st = si["ST"].sel(output="gdp_per_capita_2040")
    np.testing.assert_allclose(st.sel(parameter=["boom_size", "rent_base"]).values, 0.0, atol=1e-12)
    assert float(st.sel(parameter="trend_growth")) == pytest.approx(1.0, abs=0.05)
    mo = morris(toy, {"boom_size": None, "reinvestment_effectiveness": (1.0, 3.0)},
                metrics=["capability@2040"], overrides={"reinvestment_share": 0.5}, seed=1)
    assert (mo["mu_star"] > 0).all() and list(mo["parameter"].values) == ["boom_size",
                                                                         "reinvestment_effectiveness"]


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda m: sobol(m, ["boom_size"], metrics=["gdp_per_capita@2040"], n=100), r"power of two"),
        (lambda m: sobol(m, ["boom_size"], metrics=["gdp_per_capita"]), r"time series"),
        (lambda m: sobol(m, ["boom_size"]), r"metrics= is required"),
        (lambda m: sobol(m, ["gdp_per_capita"], metrics=["gdp_per_capita@2040"]), r"not a constant"),
        (lambda m: sobol(m, {"boom_size": (2, 1)}, metrics=["gdp_per_capita@2040"]), r"low < high"),
        (lambda m: sobol(m, ["boom_size"], metrics=["gdp_per_capita@2040"],
                         overrides={"boom_size": 1.0}, n=8), r"both sampled and fixed"),
        (lambda m: morris(m, ["boom_size"], metrics=["gdp_per_capita@2040"], levels=3), r"even integer"),
    ],
)
def test_sensitivity_bad_input(toy, call, match):
    with pytest.raises(AnalysisError, match=match):
        call(toy)
