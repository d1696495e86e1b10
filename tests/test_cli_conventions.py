"""Command-line and output conventions: format from the extension, PySD's wide CSV, -o,
--return-columns, python -m sdmodel, fast --version/--help, results on stdout, messages on
stderr, --quiet/--verbose."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import sdmodel as sd
from sdmodel.cli import main
from sdmodel.exceptions import OutputError

from conftest import MODELS, REPO, TEST_MODELS

NP = MODELS / "validation" / "nelson_phelps.mdl"
SUB2D = TEST_MODELS / "subscript_2d_arrays" / "test_subscript_2d_arrays.mdl"


@pytest.fixture(scope="module")
def sub2d():
    return sd.load(SUB2D)


def test_csv_is_the_wide_csv_pysd_writes(sub2d, tmp_path):
    # oracle: PySD's own writer, run on the same translated module
    import pysd

    ds = sub2d.run()
    ours = sd.save(ds, tmp_path / "ours.csv")
    theirs = tmp_path / "pysd.csv"
    pysd.load(str(sub2d.translation.module)).run(output_file=str(theirs))
    a = pd.read_csv(ours, index_col="Time")
    b = pd.read_csv(theirs, index_col="Time")
    shared = [c for c in b.columns if c in a.columns]
    subscripted = [c for c in shared if "[" in c]
    assert subscripted, "no subscripted column was compared"
    assert set(ds.data_vars) and all(f"{ds[v].attrs['long_name']}" in " ".join(a.columns)
                                     for v in ds.data_vars)
    assert set(a.columns) <= set(b.columns), set(a.columns) - set(b.columns)
    np.testing.assert_allclose(a[shared].to_numpy(), b[shared].to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(a.index.to_numpy(), b.index.to_numpy())


def test_extension_picks_the_format_and_others_are_refused(tmp_path):
    ds = xr.Dataset({"x": (("time", "dim"), [[1.0, 2.0], [3.0, 4.0]])},
                    coords={"time": [0.0, 1.0], "dim": ["a", "b"]}, attrs={"flag": True})
    with xr.open_dataset(sd.save(ds, tmp_path / "x.nc")) as back:
        xr.testing.assert_equal(back["x"], ds["x"])
    with xr.open_zarr(sd.save(ds, tmp_path / "x.zarr"), consolidated=False) as back:
        xr.testing.assert_equal(back["x"].load(), ds["x"])
    assert (tmp_path / "x.csv").exists() is False
    sd.save(ds, tmp_path / "x.csv")
    assert (tmp_path / "x.csv").read_text().splitlines() == ["Time,x[a],x[b]", "0.0,1.0,2.0",
                                                             "1.0,3.0,4.0"]
    for bad in ("x.txt", "x", "x.nc4", "x.csv.gz"):
        with pytest.raises(OutputError) as err:
            sd.save(ds, tmp_path / bad)
        assert ".nc" in str(err.value) and ".csv" in str(err.value) and ".zarr" in str(err.value)
        assert repr(str(tmp_path / bad)) in str(err.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.csv", "x.nc", "x.zarr"]


def test_zarr_store_is_replaced_whole_and_refused_without_overwrite(tmp_path):
    target = tmp_path / "s.zarr"
    sd.save(xr.Dataset({"a": ("time", [1.0])}), target)
    sd.save(xr.Dataset({"b": ("time", [2.0, 3.0])}), target)
    with xr.open_zarr(target, consolidated=False) as back:
        assert list(back.data_vars) == ["b"]
    with pytest.raises(OutputError, match="exists"):
        sd.save(xr.Dataset({"c": ("time", [2.0])}), target, overwrite=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.zarr"]


def test_run_csv_output_and_return_columns(tmp_path, capsys):
    out = tmp_path / "np.csv"
    status = main(["run", str(NP), "--final-time", "20", "--return-columns",
                   "Technological Capability,frontier_growth_rate", "-o", str(out)])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    frame = pd.read_csv(out, index_col="Time")
    assert list(frame.columns) == ["Technological Capability", "frontier growth rate"]
    ds = sd.load(NP).run(final_time=20)
    np.testing.assert_allclose(frame["Technological Capability"].to_numpy(),
                               ds["technological_capability"].to_numpy(), rtol=1e-12)
    assert "technological_capability" in captured.out and "wrote" not in captured.out
    assert f"wrote {out}" in captured.err


def test_run_refuses_an_unknown_extension_before_running(tmp_path, capsys):
    out = tmp_path / "np.txt"
    assert main(["run", str(NP), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "OutputError" in err and "'.txt'" in err and ".zarr" in err
    assert not out.exists()


def test_quiet_keeps_results_and_drops_messages(tmp_path, capsys):
    out = tmp_path / "np.nc"
    assert main(["run", str(NP), "--final-time", "10", "-o", str(out), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert "technological_capability" in captured.out and captured.err == ""
    assert main(["-q", "run", str(NP), "--final-time", "10"]) == 0
    assert capsys.readouterr().err == ""


def test_verbose_adds_debug_messages(capsys):
    assert main(["run", str(NP), "--final-time", "10", "-v"]) == 0
    assert "run(nelson_phelps): PySD, 0 overrides" in capsys.readouterr().err
    assert main(["run", str(NP), "--final-time", "10"]) == 0
    assert "PySD, 0 overrides" not in capsys.readouterr().err
    # the command leaves the library's logger as it was: no handler, records reach the root
    import logging

    assert logging.getLogger("sdmodel").handlers == [] and logging.getLogger("sdmodel").propagate


def test_empty_return_columns_is_a_usage_error(capsys):
    assert main(["run", str(NP), "--return-columns", " , "]) == 2
    assert "usage error" in capsys.readouterr().err


def _cli(*args, code="import sys; from sdmodel.cli import main; sys.exit(main(sys.argv[1:]))"):
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          cwd=REPO, timeout=120)


def test_python_m_sdmodel_and_version():
    done = subprocess.run([sys.executable, "-m", "sdmodel", "--version"], capture_output=True,
                          text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == f"sdmodel {sd.__version__}"
    bad = subprocess.run([sys.executable, "-m", "sdmodel", "run"], capture_output=True,
                         text=True, cwd=REPO, timeout=120)
    assert bad.returncode == 2 and "usage:" in bad.stderr


@pytest.mark.parametrize("flag", ["--version", "--help"])
def test_version_and_help_import_nothing_heavy(flag):
    # the 0.5 s CPU budget, checked without timing: none of the heavy libraries is imported
    code = ("import sys\nfrom sdmodel.cli import main\ntry:\n    main([%r])\nexcept SystemExit:\n"
            "    pass\nprint(sorted(m for m in ('numpy', 'pandas', 'xarray', 'pysd', 'scipy', "
            "'matplotlib', 'pydantic') if m in sys.modules))" % flag)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
