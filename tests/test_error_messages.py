"""Bad input gets a typed error from sdmodel.exceptions whose message names the culprit.

Each section pins the messages of one part of the library.
"""

from __future__ import annotations

import pytest

import sdmodel as sd
from sdmodel import exceptions as exc

from conftest import MODELS, TEST_MODELS

NELSON_PHELPS = MODELS / "validation" / "nelson_phelps.mdl"


# --- loading and running (foundation) ---


@pytest.fixture(scope="module")
def np_model():
    return sd.load(NELSON_PHELPS)


def test_missing_model_file(tmp_path):
    with pytest.raises(exc.ModelFileError, match=r"nowhere\.mdl.*does not exist"):
        sd.load(tmp_path / "nowhere.mdl")


def test_unsupported_extension(tmp_path):
    path = tmp_path / "model.txt"
    path.write_text("x = 1")
    with pytest.raises(exc.ModelFileError, match=r"model\.txt.*unsupported extension '\.txt'.*\.mdl"):
        sd.load(path)


def test_unparseable_model_includes_pysd_reason(tmp_path):
    path = tmp_path / "broken.mdl"
    path.write_text("{UTF-8}\nStock = INTEG( (, 1)\n~ Dmnl\n~ |\n")
    with pytest.raises(exc.TranslationError, match=r"broken\.mdl") as info:
        sd.load(path, cache_dir=tmp_path / "cache")
    assert "PySD could not parse" in str(info.value)
    assert info.value.__cause__ is not None
    assert str(info.value.__cause__)[:40] in str(info.value)


def test_unknown_parameter_suggests_close_names(np_model):
    with pytest.raises(exc.ParameterError, match=r"'catchup_rate'.*Did you mean 'catch_up_rate'"):
        np_model.run({"catchup_rate": 0.2})


def test_parameter_of_wrong_shape(np_model):
    with pytest.raises(exc.ParameterError, match=r"'catch_up_rate' has shape \(3,\); expected a number"):
        np_model.run({"catch_up_rate": [0.1, 0.2, 0.3]})


def test_subscripted_parameter_of_wrong_shape():
    model = sd.load(TEST_MODELS / "subscript_2d_arrays" / "test_subscript_2d_arrays.mdl")
    with pytest.raises(exc.ParameterError, match=r"'initial_values' has shape \(2,\).*\(3, 2\)"):
        model.run({"initial_values": [1.0, 2.0]})


def test_non_numeric_and_nan_parameters(np_model):
    with pytest.raises(exc.ParameterError, match=r"'catch_up_rate' must be a number.*str"):
        np_model.run({"catch_up_rate": "fast"})
    with pytest.raises(exc.ParameterError, match=r"'catch_up_rate' is NaN"):
        np_model.run({"catch_up_rate": float("nan")})


def test_final_time_before_initial_time(np_model):
    with pytest.raises(exc.SimulationError, match=r"final_time \(5\) is before initial_time \(10\)"):
        np_model.run(initial_time=10, final_time=5)


@pytest.mark.parametrize("step", [0, -0.25])
def test_non_positive_time_step(np_model, step):
    with pytest.raises(exc.SimulationError, match=r"time_step must be positive"):
        np_model.run(time_step=step)


def test_unknown_return_variable(np_model):
    with pytest.raises(exc.SimulationError, match=r"return variable 'gdp'"):
        np_model.run(return_vars=["gdp"])


def test_time_setting_given_as_parameter(np_model):
    with pytest.raises(exc.ParameterError, match=r"'FINAL TIME' is a time setting"):
        np_model.run({"FINAL TIME": 50})


def test_save_refuses_to_overwrite_when_told(tmp_path):
    import xarray as xr

    target = tmp_path / "x.nc"
    target.write_bytes(b"old")
    with pytest.raises(exc.OutputError, match=r"x\.nc.*exists"):
        sd.save(xr.Dataset({"x": ("time", [1.0])}), target, overwrite=False)


def test_cli_run_bad_assignment(capsys):
    from sdmodel.cli import main

    assert main(["run", str(NELSON_PHELPS), "--set", "catch_up_rate"]) == 2
    assert "expected NAME=VALUE" in capsys.readouterr().err
