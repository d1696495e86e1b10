"""Progress bars go to stderr when asked (progress=True) and nothing is printed otherwise."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import sdmodel as sd
from sdmodel._progress import bar, check_progress, step
from sdmodel.analysis import ensemble

from conftest import MODELS, REPO

NP = MODELS / "validation" / "nelson_phelps.mdl"
TOY = REPO / "tests" / "data" / "window_toy.mdl"


@pytest.fixture(scope="module")
def np_model():
    return sd.load(NP)


@pytest.mark.parametrize("engine", ["numpy", "fused"])
def test_run_batch_progress_on_stderr_only_when_asked(np_model, capsys, engine):
    params = {"catch_up_rate": np.linspace(0.05, 0.3, 50)}
    quiet = np_model.run_batch(params, engine=engine)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    shown = np_model.run_batch(params, engine=engine, progress=True)
    captured = capsys.readouterr()
    assert captured.out == "" and "nelson_phelps" in captured.err
    xr.testing.assert_identical(quiet, shown)  # the bar changes nothing


def test_scenarios_and_calibration_keywords_default_to_silence(np_model, capsys):
    sd.run_scenarios(np_model, {"a": {}, "b": {"catch_up_rate": 0.2}})
    assert capsys.readouterr().err == ""
    sd.run_scenarios(np_model, {"a": {}}, progress=True)
    assert "scenarios" in capsys.readouterr().err


def test_first_translation_shows_progress_cached_load_does_not(tmp_path, capsys):
    source = tmp_path / f"np_{tmp_path.name}.mdl"  # new content: a first translation
    source.write_text(NP.read_text() + f"\n{{ {tmp_path.name} }}\n")
    cache = tmp_path / "cache"
    sd.load(source, cache_dir=cache, progress=True)
    assert f"translating {source.name} with PySD" in capsys.readouterr().err
    sd.load(source, cache_dir=cache, progress=True)
    assert capsys.readouterr().err == ""


def test_ensemble_store_progress(tmp_path, capsys):
    toy = sd.load(TOY)
    samples = {"reinvestment_share": np.linspace(0, 1, 8)}
    ensemble(toy, samples, chunk_size=4, metrics=["gdp_per_capita@2040"],
             store=tmp_path / "a.zarr")
    assert capsys.readouterr().err == ""
    ensemble(toy, samples, chunk_size=4, metrics=["gdp_per_capita@2040"],
             store=tmp_path / "b.zarr", progress=True)
    captured = capsys.readouterr()
    assert "100%" in captured.err and captured.out == ""


def test_helpers(capsys):
    assert list(bar(range(3), progress=True, desc="counting")) == [0, 1, 2]
    with step("waiting", progress=True):
        pass
    err = capsys.readouterr().err
    assert "counting" in err and "waiting" in err
    with pytest.raises(TypeError, match="progress must be True or False"):
        check_progress(None)
