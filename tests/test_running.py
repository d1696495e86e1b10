"""The one run path: runs reset the PySD model instead of reloading it, and give what a fresh
load gives; no module needs another to be imported first (no import cycles); the batch engine
uses only Model's public interface."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import sdmodel as sd
from sdmodel.exceptions import ParameterError

from conftest import MODELS, REPO, TEST_MODELS

NP = MODELS / "validation" / "nelson_phelps.mdl"
SUB2D = TEST_MODELS / "subscript_2d_arrays" / "test_subscript_2d_arrays.mdl"
LOOKUPS = TEST_MODELS / "lookups" / "test_lookups.mdl"
PACKAGE = REPO / "sdmodel"

# (model file, run keywords): each run follows the previous one on the same Model
SEQUENCES = {
    "np": (NP, [
        dict(params={"catch_up_rate": 0.3}, final_time=40),
        dict(),
        dict(params={"frontier_growth_rate": 0.03}, time_step=0.5),
        dict(params={"catch_up_rate": pd.Series([0.1, 0.4], index=[0.0, 100.0])}),
        dict(initial_time=10, params={"Catch Up Rate": 0.05}),
        dict(return_vars=["technological_capability"]),
        dict(params={"world_frontier": 2.0}),  # a computed variable replaced by a number
        dict(),
    ]),
    "sub2d": (SUB2D, [
        dict(params={"initial_values": 2.0}),
        dict(),
        dict(params={"initial_values": np.arange(6.0).reshape(3, 2) + 1}),
        dict(final_time=5),
    ]),
    "lookups": (LOOKUPS, [
        dict(params={"lookup_function_table": pd.Series([0.0, 5.0], index=[0.0, 50.0])}),
        dict(),
        dict(params={"rate": 3.0}),
        dict(),
    ]),
}


@pytest.mark.parametrize("name", sorted(SEQUENCES))
def test_run_sequence_matches_fresh_loads(name):
    path, runs = SEQUENCES[name]
    model = sd.load(path)
    compared = 0
    for kwargs in runs:
        kw = dict(kwargs)
        params = kw.pop("params", None)
        ours = model.run(params, **kw)
        fresh = sd.load(path).run(params, **kw)  # a new PySD model: the oracle
        assert list(ours.data_vars) == list(fresh.data_vars)
        for var in fresh.data_vars:
            np.testing.assert_allclose(ours[var].values, fresh[var].values, rtol=1e-13,
                                       err_msg=f"{name} {kwargs} {var}")
            compared += 1
        xr.testing.assert_identical(ours["time"], fresh["time"])
    assert compared > len(runs)


def test_constant_changes_never_reload_the_pysd_model(monkeypatch):
    model = sd.load(NP)
    reloads = []
    monkeypatch.setattr(model.pysd_state.model, "reload", lambda: reloads.append(1))
    for rate in (0.1, 0.2, 0.3):
        model.run({"catch_up_rate": rate}, final_time=30)
    model.run(time_step=0.25)
    assert reloads == []
    model.pysd  # handed out: the caller may change it, so the next run reloads first
    model.run()
    assert reloads == [1]


def test_bad_parameters_leave_the_model_as_it_was():
    model = sd.load(NP)
    base = model.run()
    with pytest.raises(ParameterError):
        model.run({"catch_up_rate": 0.3, "nonexistent": 1.0})
    xr.testing.assert_identical(model.run(), base)


def _modules() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        if parts[-1] == "__main__":
            continue
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_every_module_imports_on_its_own():
    # each module in a fresh interpreter: an import cycle fails when its other end is first
    names = _modules()
    assert len(names) > 50
    code = ("import importlib, sys\nbad = []\nfor name in sys.argv[1:]:\n"
            "    for m in [k for k in sys.modules if k.startswith('sdmodel')]:\n"
            "        del sys.modules[m]\n"
            "    try:\n        importlib.import_module(name)\n"
            "    except Exception as err:\n        bad.append(f'{name}: {err!r}')\n"
            "print('\\n'.join(bad))")
    done = subprocess.run([sys.executable, "-c", code, *names], capture_output=True, text=True,
                          cwd=REPO, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_batch_engine_uses_no_model_privates():
    tree = ast.parse((PACKAGE / "batch" / "engine.py").read_text())
    private = [node.attr for node in ast.walk(tree)
               if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
               and node.value.id == "model" and node.attr.startswith("_")]
    assert private == []
