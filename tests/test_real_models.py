"""Defects found with real published models, each on a minimal model in ``tests/data/``.

Expected values are Vensim's semantics worked by hand or in closed form (Euler integration,
no integer arithmetic), never a value the code under test computed.
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest

import sdmodel as sd
from sdmodel.exceptions import ModelWarning, PretranslationWarning, TranslationError

DATA = Path(__file__).parent / "data"


def _load(path, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = sd.load(path, **kwargs)
    return model, [str(w.message) for w in caught if w.category is PretranslationWarning]


# ------------------------------------------------------------------ smooth integer initial
def _smooth_expected(times):
    """SMOOTH by Euler with dt = 1, time 4: s(k) = u - (u - s0) * 0.75**k."""
    k = np.asarray(times)
    return {
        "perceived_input": 10.5 - 9.5 * 0.75 ** k,
        "perceived_input_from_constant": 10.5 - 9.5 * 0.75 ** k,
        "perceived_input_float": 10.5 - 9.5 * 0.75 ** k,
        "perceived_scaled_input": 5.25 - 4.25 * 0.75 ** k,
    }


def test_smooth_with_integer_initial_value_follows_vensim():
    model, changes = _load(DATA / "smooth_int_init.mdl")
    ds = model.run()
    for name, expected in _smooth_expected(ds["time"].values).items():
        np.testing.assert_allclose(ds[name].values, expected, rtol=1e-12, err_msg=name)
    # the pre-translation pass names each smooth it changed, and only those
    assert len(changes) == 3, changes
    assert any("'perceived input'" in c or "perceived input:" in c for c in changes)
    assert any("perceived scaled input" in c for c in changes)
    assert any("perceived input from constant" in c for c in changes)
    assert not any("perceived input float" in c for c in changes)


def test_smooth_change_warnings_repeat_from_the_cache(tmp_path):
    _, first = _load(DATA / "smooth_int_init.mdl", cache_dir=tmp_path)
    model, second = _load(DATA / "smooth_int_init.mdl", cache_dir=tmp_path)
    assert model.translation.from_cache
    assert first == second and len(second) == 3


def test_smooth_with_integer_initial_value_batch_engine_agrees():
    model, _ = _load(DATA / "smooth_int_init.mdl")
    batch = model.run_batch({"share": [0.5, 0.5]}, engine="numpy")
    for name, expected in _smooth_expected(batch["time"].values).items():
        np.testing.assert_allclose(batch[name].values, np.stack([expected] * 2), rtol=1e-12,
                                   err_msg=name)


# ------------------------------------------------------------------ text pass
def test_inline_comment_and_macro_after_the_sketch():
    model, changes = _load(DATA / "inline_comment_macro.mdl")
    ds = model.run()
    assert np.all(ds["base"].values == 3.0)
    assert np.all(ds["doubled"].values == 6.0)
    assert any("inline comment {an inline comment Vensim ignores}" in c for c in changes)
    assert any("macro 'double'" in c for c in changes)


def test_xmile_model_without_variables_wrapper():
    model, changes = _load(DATA / "bare_variables.stmx")
    ds = model.run()
    np.testing.assert_allclose(ds["accumulation"].values, 2 + 0.5 * ds["time"].values,
                               rtol=1e-12)
    assert any("<variables>" in c for c in changes)


# ------------------------------------------------------------------ external files
def test_external_files_are_read_beside_the_model(tmp_path):
    model, _ = _load(DATA / "external" / "external_files.mdl")
    ds = model.run()
    np.testing.assert_allclose(ds["y"].values, 2.5 * 10 * ds["time"].values)
    # the same model text in another folder reads that folder's files
    copy = tmp_path / "copy"
    shutil.copytree(DATA / "external", copy)
    (copy / "consts.csv").write_text("name,value\nalpha,4\n")
    other, _ = _load(copy / "external_files.mdl")
    assert other.file_hash == model.file_hash
    np.testing.assert_allclose(other.run()["y"].values, 4 * 10 * ds["time"].values)
    # and keeps reading them after a run that changed the model (PySD reloads its module)
    other.run(params={"alpha": 1.0})
    np.testing.assert_allclose(other.run()["y"].values, 4 * 10 * ds["time"].values)


# ------------------------------------------------------------------ typed errors
@pytest.mark.parametrize("file, variable, construct", [
    ("gamma_ln.mdl", "log gamma", "GAMMA LN"),
    ("get_time_value.mdl", "elapsed", "GET TIME VALUE"),
])
def test_unimplemented_function_is_a_typed_error_naming_the_variable(file, variable, construct,
                                                                     tmp_path):
    with warnings.catch_warnings(record=True) as caught, pytest.raises(TranslationError) as err:
        warnings.simplefilter("always")
        sd.load(DATA / file, cache_dir=tmp_path)
    message = str(err.value)
    assert repr(variable) in message and file in message
    assert construct in message.upper().replace("_", " ")
    if construct == "GAMMA LN":  # also named when translated
        assert any(repr(variable) in str(w.message) and "GAMMA LN" in str(w.message)
                   for w in caught if w.category is ModelWarning)


def test_model_translated_to_nothing_warns():
    with pytest.warns(ModelWarning, match="no model variable"):
        sd.load(DATA / "only_time_settings.mdl")


# ------------------------------------------------------------------ batch engine
@pytest.mark.parametrize("engine", ["numpy", "fused"])
def test_negative_literal_under_a_power_follows_vensim(engine):
    model = sd.load(DATA / "negative_power.mdl")
    c = np.array([0.5, 2.0])
    batch = model.run_batch({"exponent": c}, engine=engine)
    np.testing.assert_allclose(batch["power_of_power"].values[:, 0], 30.0 ** -(30.0 ** -c),
                               rtol=1e-12)
    np.testing.assert_allclose(batch["negative_square"].values, -4.0)
    ds = model.run()
    np.testing.assert_allclose(ds["power_of_power"].values, 30.0 ** -(30.0 ** -0.5), rtol=1e-12)
    np.testing.assert_allclose(ds["negative_square"].values, -4.0)


@pytest.mark.parametrize("engine", ["numpy", "fused"])
def test_xmile_reciprocal_dt_runs_in_the_batch_engine(engine):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = sd.load(DATA / "reciprocal_dt.xmile")
    assert model.time_settings.time_step == 0.25
    batch = model.run_batch(n_runs=1, engine=engine)
    np.testing.assert_allclose(batch["time"].values, np.arange(41) * 0.25)
    np.testing.assert_allclose(batch["accumulation"].values[0], 2 + 0.5 * batch["time"].values)


@pytest.mark.parametrize("engine", ["numpy", "fused"])
def test_run_batch_takes_a_run_count_for_a_model_without_constants(engine):
    model = sd.load(DATA / "no_constants.mdl")
    batch = model.run_batch(n_runs=3, engine=engine)
    t = batch["time"].values
    assert batch.sizes["run"] == 3
    np.testing.assert_allclose(batch["stock"].values, np.stack([1 + t * (t - 1) / 2] * 3))


def test_run_batch_run_count_is_checked():
    model = sd.load(DATA / "negative_power.mdl")
    with pytest.raises(sd.exceptions.ParameterError, match="n_runs = 3 but"):
        model.run_batch({"exponent": [0.5, 1.0]}, n_runs=3)
    with pytest.raises(sd.exceptions.ParameterError, match="positive integer"):
        model.run_batch(n_runs=0)
    with pytest.raises(sd.exceptions.ParameterError, match="or n_runs"):
        model.run_batch()
    with pytest.raises(sd.exceptions.ParameterError, match="params is empty"):
        model.run_batch({})


@pytest.mark.parametrize("engine", ["numpy", "fused", "auto"])
def test_allocate_with_a_profile_pysd_lacks_is_refused_at_compile_time(engine):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = sd.load(DATA / "allocate_fixed_quantity.mdl")
    with pytest.raises(sd.exceptions.UnsupportedConstructError,
                       match=r"shipments: .*'priority' has type 0 \(fixed quantity\)"):
        model.run_batch(n_runs=1, engine=engine)


def test_mapped_dimension_reference_in_both_engines():
    model = sd.load(DATA / "mapped_dimension.mdl")
    expected = 10 * np.outer(1 + np.arange(3.0), [1.0, 2.0, 3.0])  # d = 10 c (1 + t)
    np.testing.assert_allclose(model.run()["d"].values, expected)
    batch = model.run_batch(n_runs=2, engine="numpy")
    np.testing.assert_allclose(batch["d"].values, np.stack([expected] * 2))
