"""sd.load: PySD translation into a content-hash cache, never beside the model file."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import numpy as np
import pytest

import sdmodel as sd

from conftest import MODELS, TEST_MODELS

NELSON_PHELPS = MODELS / "validation" / "nelson_phelps.mdl"
DATA = Path(__file__).parent / "data"


@pytest.fixture
def model_copy(tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    return shutil.copy(NELSON_PHELPS, folder / "np.mdl")


def test_second_load_of_unchanged_file_does_not_retranslate(model_copy, tmp_path):
    cache = tmp_path / "cache"
    first = sd.translate(model_copy, cache_dir=cache)
    stamp = first.module.stat().st_mtime_ns
    second = sd.translate(model_copy, cache_dir=cache)
    assert not first.from_cache and second.from_cache
    assert second.module == first.module and second.module.stat().st_mtime_ns == stamp
    assert len(list(cache.iterdir())) == 1


def test_edited_file_is_retranslated(model_copy, tmp_path):
    cache = tmp_path / "cache"
    before = sd.load(model_copy, cache_dir=cache)
    text = open(model_copy).read().replace("catch up rate=\n\t0.1", "catch up rate=\n\t0.25")
    assert "0.25" in text
    with open(model_copy, "w") as fh:
        fh.write(text)
    after = sd.load(model_copy, cache_dir=cache)
    assert not after.translation.from_cache
    assert after.file_hash != before.file_hash
    assert before.params["catch_up_rate"] == 0.1 and after.params["catch_up_rate"] == 0.25


def test_nothing_is_written_beside_a_read_only_model(model_copy, tmp_path):
    folder = model_copy.parent
    os.chmod(folder, stat.S_IRUSR | stat.S_IXUSR)
    try:
        model = sd.load(model_copy, cache_dir=tmp_path / "cache")
        model.run(final_time=5)
        assert sorted(p.name for p in folder.iterdir()) == ["np.mdl"]
    finally:
        os.chmod(folder, stat.S_IRWXU)
    assert model.translation.module.parent.parent == tmp_path / "cache"


def test_cache_dir_from_environment(model_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("SDMODEL_CACHE_DIR", str(tmp_path / "envcache"))
    translation = sd.translate(model_copy)
    assert translation.module.is_relative_to(tmp_path / "envcache")


def test_macros_translate_into_the_cache(tmp_path):
    path = TEST_MODELS / "macro_multi_macros" / "test_macro_multi_macros.mdl"
    translation = sd.translate(path, cache_dir=tmp_path)
    assert {p.name for p in translation.module.parent.glob("*.py")} >= {"model.py"}
    # the loader resolves the path (../shared may be a symbolic link)
    assert translation.abstract_model.sections[0].path.parent == path.resolve().parent
    assert translation.source == path.resolve()


@pytest.mark.parametrize("suffix", [".xmile", ".stmx"])
def test_xmile_model_against_euler_closed_form(tmp_path, suffix):
    """Teacup cooling, dT/dt = -(T - 70)/10, dt = 0.125: Euler gives T_n = 70 + 110 (1 - dt/10)^n."""
    path = shutil.copy(DATA / "teacup.xmile", tmp_path / f"teacup{suffix}")
    model = sd.load(path, cache_dir=tmp_path / "cache")
    assert model.params == {"characteristic_time": 10.0, "room_temperature": 70.0}
    assert model.units["heat_loss_to_room"] == "Degrees/Minute"
    ds = model.run()
    steps = np.arange(ds.sizes["time"])
    np.testing.assert_allclose(ds["time"].values, 0.125 * steps)
    np.testing.assert_allclose(
        ds["teacup_temperature"].values, 70 + 110 * (1 - 0.0125) ** steps, rtol=1e-12
    )
