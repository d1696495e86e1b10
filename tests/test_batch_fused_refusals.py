"""What the fused backend refuses, by name, and that nothing the numpy backend compiles is
silently dropped: every function and syntax node of the numpy backend's tables is in the
fused tables, and each construct refused is refused with a typed error naming it (the
numpy backend runs it, and ``engine="auto"`` falls back to it)."""

from __future__ import annotations

import numpy as np
import pytest

import sdmodel as sd
from sdmodel.batch.compiler import EMITTERS, _Ctx
from sdmodel.batch.functions import FUNCTIONS
from sdmodel.batch.fused import FUSED_EMITTERS, FUSED_FUNCTIONS, FusedCompiler
from sdmodel.exceptions import UnsupportedConstructError

TIME = """FINAL TIME = 4\n\t~\t\n\t~\t\n\t|\n\nINITIAL TIME = 0\n\t~\t\n\t~\t\n\t|\n\n
SAVEPER = 1\n\t~\t\n\t~\t\n\t|\n\nTIME STEP = 0.25\n\t~\t\n\t~\t\n\t|\n"""

#: construct -> (equations, parameter varied, what the refusal names)
REFUSED = {
    "DELAY FIXED": ("g = 2\nx = DELAY FIXED(g * Time, 1, g)", "g", "DELAY FIXED"),
    "computed SMOOTH N order": ("g = 2\nk = 3\nx = SMOOTH N(g * Time, 2, 1, k)", "g",
                                "computed chain order"),
    "computed DELAY N order": ("g = 2\nk = 3\nx = DELAY N(g * Time, 2, 1, k)", "g",
                               "computed chain order"),
    "subscripts": ("A: a1, a2\ng[A] = 1, 2\nx[A] = INTEG(g[A], 0)", "g", "subscripts"),
    "SUM": ("A: a1, a2\ng[A] = 1, 2\nx = SUM(g[A!]) * Time", "g", "SUM"),
    "VECTOR SELECT": ("A: a1, a2\ng[A] = 1, 2\nsel[A] = 1, 0\n"
                      "x = VECTOR SELECT(sel[A!], g[A!], 0, 0, 0) * Time", "g",
                      "VECTOR SELECT|subscripts"),
    "lowered DELAY order": ("g = 0.5\nx = DELAY3(Time, g)", "g", "DELAY order lowered"),
}

#: numpy-backend functions the fused tables refuse (all need subscripts or matrices)
REFUSED_FUNCTIONS = {"invert_matrix": "INVERT MATRIX", "vector_select": "VECTOR SELECT",
                     "elmcount": "ELMCOUNT", "sum": "SUM", "prod": "PROD", "vmin": "VMIN",
                     "vmax": "VMAX"}


def _model(tmp_path, equations: str):
    lines = "".join(f"{eq}\n\t~\t\n\t~\t\n\t|\n\n" for eq in equations.splitlines())
    path = tmp_path / "m.mdl"
    path.write_text("{UTF-8}\n" + lines + TIME)
    return sd.load(path)


@pytest.mark.parametrize("construct", list(REFUSED))
def test_refused_by_name_and_run_by_numpy(tmp_path, construct):
    equations, param, named = REFUSED[construct]
    model = _model(tmp_path, equations)
    default = model.params[param]
    values = {param: default * np.array([1.0, 1.25]) if np.ndim(default) == 0
              else np.ones((2, 2))}
    with pytest.raises(UnsupportedConstructError, match=named) as err:
        model.run_batch(values, engine="fused")
    assert "construct" in str(err.value) or "DELAY order" in str(err.value)
    numpy = model.run_batch(values, engine="numpy")
    auto = model.run_batch(values)
    assert auto.attrs["batch_backend"] == "numpy"
    np.testing.assert_array_equal(auto["x"].values, numpy["x"].values)


def test_every_numpy_construct_is_in_the_fused_tables():
    assert set(FUNCTIONS) <= set(FUSED_FUNCTIONS)
    assert set(EMITTERS) <= set(FUSED_EMITTERS)


@pytest.mark.parametrize("name", list(REFUSED_FUNCTIONS))
def test_refused_functions_name_the_construct(name):
    ctx = _Ctx("element", (), set(), set())
    comp = FusedCompiler.__new__(FusedCompiler)
    with pytest.raises(UnsupportedConstructError, match=REFUSED_FUNCTIONS[name]):
        FUSED_FUNCTIONS[name](comp, [], ctx)


def test_the_rest_compiles(tmp_path):
    """The supported functions: one model using all of them runs on the fused backend."""
    model = _model(tmp_path, "\n".join([
        "g = 1.5",
        "a = ABS(g - 3) + POWER(g, 1.3) + MIN(g, 2) + MAX(g, 1) + EXP(g / 10) + SQRT(g)",
        "b = LN(g) + LOG(g, 10) + SIN(g) + COS(g) + TAN(g / 4) + ARCSIN(g / 4) + ARCCOS(g / 4)",
        "c = ARCTAN(g) + SINH(g / 4) + COSH(g / 4) + TANH(g) + INTEGER(g * Time) "
        "+ MODULO(Time, g) + QUANTUM(Time, g)",
        "d = XIDZ(Time, g - 1.5, 7) + ZIDZ(Time, g) + IF THEN ELSE(Time > g, 1, 2) "
        "+ STEP(g, 1) + RAMP(g, 1, 3) + PULSE(1, g) + PULSE TRAIN(1, 0.5, g, 4)",
        "x = INTEG(a + b + c + d, 0)",
    ]))
    values = {"g": np.array([1.5, 2.0, 2.5])}
    fused = model.run_batch(values, engine="fused")
    numpy = model.run_batch(values, engine="numpy")
    assert fused.attrs["batch_backend"] == "fused"
    np.testing.assert_allclose(fused["x"].values, numpy["x"].values, rtol=1e-12)
