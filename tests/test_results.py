"""sd.save writes netCDF atomically; a round trip keeps values, dimensions and attrs."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

import sdmodel as sd

from conftest import MODELS, TEST_MODELS


def test_round_trip_keeps_values_and_attrs(tmp_path):
    model = sd.load(TEST_MODELS / "subscript_2d_arrays" / "test_subscript_2d_arrays.mdl")
    ds = model.run({"initial_values": model.params["initial_values"] * 3})
    path = sd.save(ds, tmp_path / "sub" / "run.nc")
    with xr.open_dataset(path) as back:
        xr.testing.assert_allclose(back["stock_a"], ds["stock_a"])
        assert back["stock_a"].attrs["units"] == ds["stock_a"].attrs["units"]
        assert back["stock_a"].attrs["long_name"] == "Stock A"
        assert json.loads(back.attrs["parameters"])["initial_values"]["dims"] == list(
            model.params["initial_values"].dims
        )
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["run.nc"]


def test_failed_write_leaves_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "out.nc"
    sd.save(xr.Dataset({"x": ("time", np.arange(3.0))}), target)
    before = target.read_bytes()
    bad = xr.Dataset({"x": ("time", np.array([{"a": 1}, None, 3], dtype=object))})
    with pytest.raises(Exception):
        sd.save(bad, target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out.nc"]


def test_cli_run_prints_stocks_and_writes(tmp_path, capsys):
    from sdmodel.cli import main

    out = tmp_path / "np.nc"
    status = main(["run", str(MODELS / "validation" / "nelson_phelps.mdl"),
                   "--set", "catch_up_rate=0.2", "--final-time", "40", "--out", str(out)])
    text = capsys.readouterr().out
    assert status == 0
    assert "technological_capability" in text and "Dmnl" in text
    with xr.open_dataset(out) as ds:
        assert float(ds["time"][-1]) == 40
        assert json.loads(ds.attrs["parameters"]) == {"catch_up_rate": 0.2}
        final = float(ds["technological_capability"][-1])
    assert f"{final:.6g}" in text


def test_saved_file_has_ordinary_permissions(tmp_path):
    from sdmodel._atomic import default_file_mode

    path = sd.save(xr.Dataset({"x": ("time", [1.0])}), tmp_path / "x.nc")
    assert path.stat().st_mode & 0o777 == default_file_mode()
