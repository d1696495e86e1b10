"""The bad-input catalogue (tests/safety_catalogue.py) ends with 0 raw, 0 silent and 0 hang,
and each defect it found is pinned here on its own."""

from __future__ import annotations

import os

import numpy as np
import pytest

import sdmodel as sd
from sdmodel import exceptions as exc

from conftest import DATA_DIR, MODELS, REPO

NELSON_PHELPS = MODELS / "validation" / "nelson_phelps.mdl"
TEACUP = REPO / "tests" / "data" / "teacup.xmile"


@pytest.mark.slow
def test_catalogue_has_no_raw_silent_or_hung_case():
    import safety_catalogue

    results = safety_catalogue.run_all()
    bad = [f"#{r.number} {r.case.area}: {r.case.text}: {r.outcome}: {r.error}: {r.message[:300]}"
           for r in results if r.outcome != "good"]
    counts = safety_catalogue.counts(results)
    assert counts["raw"] == counts["silent"] == counts["hang"] == 0, "\n".join(bad)
    assert counts["good"] == len(results) >= 250


def test_catalogue_table_in_the_docs_is_complete():
    """docs/safety.md is the generated table of every case, with its counts."""
    import safety_catalogue

    text = (REPO / "docs" / "safety.md").read_text()
    rows = [line for line in text.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert len(rows) == len(safety_catalogue.CASES)
    assert f"**{len(rows)} inputs" in text and "0 raw, 0 silent, 0 hang" in text


# --- defects found by the catalogue ---


@pytest.fixture(scope="module")
def np_model():
    return sd.load(NELSON_PHELPS)


def _np_variant(tmp_path, old, new):
    text = NELSON_PHELPS.read_text()
    assert old in text
    path = tmp_path / "np.mdl"
    path.write_text(text.replace(old, new, 1))
    return sd.load(path, cache_dir=tmp_path / "cache")


def test_algebraic_loop_is_a_simulation_error_not_a_recursion_error(tmp_path):
    model = _np_variant(tmp_path, "initial frontier * EXP", "world frontier * EXP")
    with pytest.raises(exc.SimulationError, match=r"depends on itself with no stock"):
        model.run(final_time=2)


def test_model_files_own_saveper_off_the_time_step_grid_is_refused(tmp_path):
    model = _np_variant(tmp_path, "SAVEPER  = 1", "SAVEPER  = 0.3")
    with pytest.raises(exc.SimulationError, match=r"saveper \(0.3\) is not a whole multiple of "
                                                  r"time_step \(0.25\).*model file's SAVEPER"):
        model.run(final_time=3)
    assert model.run(final_time=3, saveper=0.5)["time"].values.tolist() == [0, 0.5, 1, 1.5, 2,
                                                                             2.5, 3]


def test_malformed_xmile_is_refused_not_recovered(tmp_path):
    path = tmp_path / "m.xmile"
    path.write_text(TEACUP.read_text().replace("</model>", "</modle>"))
    with pytest.raises(exc.TranslationError, match=r"not well-formed XML: Opening and ending "
                                                   r"tag mismatch"):
        sd.load(path, cache_dir=tmp_path / "cache")


def test_xmile_entity_declarations_are_refused(tmp_path):
    path = tmp_path / "m.xmile"
    path.write_text(TEACUP.read_text().replace(
        '<?xml version="1.0" encoding="utf-8"?>',
        '<?xml version="1.0" encoding="utf-8"?><!DOCTYPE xmile [<!ENTITY e "x">]>'))
    with pytest.raises(exc.TranslationError, match=r"declares XML entities"):
        sd.load(path, cache_dir=tmp_path / "cache")


def test_vendor_namespace_prefixes_are_still_accepted():
    """Stella files use an undeclared isee: prefix; that is not refused."""
    path = (DATA_DIR.parent / "test-models-xmile" / "exp__test_exp_xmile" / "test_exp.xmile")
    if not path.is_file():
        pytest.skip("shared XMILE test models missing")
    assert "isee:" in path.read_text()
    from sdmodel.loading import _check_xml

    _check_xml(path)


@pytest.mark.parametrize("name, keys", [("pwt.csv", "country/year"),
                                        ("wdi.csv", "country/indicator/year")])
def test_duplicated_rows_in_data_files_are_refused(tmp_path, name, keys):
    for csv in ("wdi.csv", "pwt.csv", "commodity_prices.csv"):
        (tmp_path / csv).write_text((DATA_DIR / csv).read_text())
    lines = (DATA_DIR / name).read_text().splitlines()
    row = next(line for line in lines if line.startswith("KOR,2000,"))
    (tmp_path / name).write_text("\n".join(lines + [row]) + "\n")
    with pytest.raises(exc.DataError, match=rf"repeats an earlier row's {keys} \(country='KOR'"):
        if name == "pwt.csv":
            sd.data.load_pwt("ctfp", "KOR", data_dir=tmp_path, download=False)
        else:
            sd.data.load_wdi("NY.GDP.PCAP.KD", "KOR", data_dir=tmp_path, download=False)


@pytest.mark.parametrize("text", ["1e400", "inf", "nan"])
def test_limit_variable_beyond_float_range(monkeypatch, text):
    from sdmodel import limits

    monkeypatch.setenv("SDMODEL_MAX_RUNS", text)
    with pytest.raises(exc.LimitError, match=r"SDMODEL_MAX_RUNS=.* is not a positive whole"):
        limits.max_runs()


def test_window_range_with_too_many_values_is_refused_before_allocating():
    from sdmodel.cli.window import parse_values

    with pytest.raises(exc.LimitError, match=r"range '0:1e9:1e-9' gives 1e\+18 values, over "
                                             r"the limit"):
        parse_values(["0:1e9:1e-9"], "--start-years")
    assert parse_values(["0:1:0.5"], "--shares") == [0.0, 0.5, 1.0]


def test_calibrate_profile_must_be_a_boolean(np_model):
    obs = np_model.run(final_time=20, return_vars=["technological_capability"])
    with pytest.raises(exc.CalibrationError, match=r"profile must be True or False, got 3"):
        sd.calibrate(np_model, obs[["technological_capability"]], {"catch_up_rate": (0.01, 1.0)},
                     profile=3, progress=False)


@pytest.mark.parametrize("value", ['"2019"', "inf", "true"])
def test_config_time_bounds_must_be_numbers(tmp_path, value):
    from sdmodel.calibration.config import load_config

    path = tmp_path / "c.toml"
    path.write_text(f'[model]\npath = "{NELSON_PHELPS}"\nfinal_time = {value}\n[data]\n'
                    'country = "KOR"\n[[series]]\nsource = "pwt"\ncode = "ctfp"\n'
                    'variable = "technological_capability"\n[params]\n')
    with pytest.raises(exc.CalibrationError, match=r"\[model\], key 'final_time': Input "
                                                   r"should be a (valid|finite) number"):
        load_config(path)


def test_fifo_as_model_file_is_refused(tmp_path):
    fifo = tmp_path / "m.mdl"
    os.mkfifo(fifo)
    with pytest.raises(exc.ModelFileError, match=r"is not a file"):
        sd.load(fifo, cache_dir=tmp_path / "cache")
    assert np.isfinite(sd.load(NELSON_PHELPS).run(final_time=1)["catch_up"].values).all()
