"""The fused kernels' exp, log and pow against numpy's (the oracle), in ulp, and their
special values against C's pow/exp/log as numpy computes them."""

from __future__ import annotations

import numba as nb
import numpy as np
import pytest

from sdmodel.batch.vmath import vexp, vlog, vpow


@nb.njit(error_model="numpy")
def _exp(x, out):
    for i in range(x.shape[0]):
        out[i] = vexp(x[i])


@nb.njit(error_model="numpy")
def _log(x, out):
    for i in range(x.shape[0]):
        out[i] = vlog(x[i])


@nb.njit(error_model="numpy")
def _pow(x, y, out):
    for i in range(x.shape[0]):
        out[i] = vpow(x[i], y[i])


def ulps(got, want) -> np.ndarray:
    """Distance in units of the last place of ``want`` (0 where both agree, NaN included)."""
    same = (got == want) | (np.isnan(got) & np.isnan(want))
    with np.errstate(invalid="ignore"):
        dist = np.abs(got - want) / np.spacing(np.abs(want))
    return np.where(same, 0.0, dist)


def apply(func, *args):
    out = np.empty_like(args[0])
    func(*args, out)
    return out


RNG = np.random.default_rng(7)


def test_exp_within_two_ulp():
    x = np.concatenate([RNG.uniform(-745, 709.7, 200_000), RNG.uniform(-1, 1, 50_000),
                        RNG.uniform(-745.13, -708, 1000)])  # subnormal results too
    assert ulps(apply(_exp, x), np.exp(x)).max() <= 2


def test_log_within_two_ulp():
    x = np.concatenate([np.exp(RNG.uniform(-700, 700, 200_000)), RNG.uniform(0.5, 2, 50_000),
                        RNG.uniform(0, 1e-308, 1000)])  # subnormal arguments too
    assert ulps(apply(_log, x), np.log(x)).max() <= 2


def test_pow_within_its_bound():
    x = np.concatenate([RNG.uniform(0, 10, 100_000), RNG.uniform(-3, 3, 2000)])
    y = np.concatenate([RNG.uniform(-5, 5, 100_000), np.round(RNG.uniform(-5, 5, 2000))])
    with np.errstate(all="ignore"):
        want = np.power(x, y)
        bound = 2 + 2 * np.abs(y * np.log(np.abs(x)))
    assert (ulps(apply(_pow, x, y), want) <= bound).all()


@pytest.mark.parametrize("x", [0.0, -0.0, np.inf, -np.inf, np.nan, -1.0, 710.0, -746.0,
                               709.78, -745.13])
def test_exp_log_special_values(x):
    arr = np.array([x])
    with np.errstate(all="ignore"):
        for func, ref in ((_exp, np.exp), (_log, np.log)):
            got, want = apply(func, arr)[0], ref(arr)[0]
            assert (got == want or np.isnan(got) and np.isnan(want)), (func, x, got, want)


BASES = [0.0, -0.0, -2.0, -2.0, -2.0, np.inf, -np.inf, -np.inf, np.nan, 1.0, np.nan, 0.0,
         -0.0, 2.0, 0.5, -1.0, -1.0, 3.0, np.inf, 0.0, -0.0, -np.inf]
EXPONENTS = [2.0, 3.0, 3.0, 0.5, 2.0, -1.0, 3.0, 2.0, 0.0, np.nan, 2.0, -1.0, -3.0, np.inf,
             np.inf, np.inf, -np.inf, -np.inf, 0.0, 0.0, 0.5, -3.0]


def test_pow_special_values_as_c():
    x, y = np.array(BASES), np.array(EXPONENTS)
    with np.errstate(all="ignore"):
        want = np.power(x, y)
    got = apply(_pow, x, y)
    assert ulps(got, want).max() <= 2, np.c_[x, y, got, want]
    finite = np.isfinite(want) & (want != 0)
    zero_or_inf = ~np.isnan(want) & ~finite
    assert (np.signbit(got[zero_or_inf]) == np.signbit(want[zero_or_inf])).all()
    assert (np.isnan(got) == np.isnan(want)).all()
