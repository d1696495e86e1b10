"""Doctests of ``sdmodel`` (``--doctest-modules``): run from the repository root, with fixtures.

Every docstring example runs in a temporary folder laid out like a checkout beside the shared
folder (``models/``, ``tests/``, ``calibration/`` linked from the repository, ``../shared``
from the shared folder), so the paths in the examples are as a user would write them in the
repository root, and any ``out/`` files an example writes go to the temporary folder. The
names below are in every example's namespace:

- ``np``, ``xr``, ``sd``: numpy, xarray and sdmodel;
- ``model``: the Nelson-Phelps catch-up model (``models/validation/nelson_phelps.mdl``);
- ``perez``: the reference model (``models/perez/perez.mdl``);
- ``toy``: the small rent-policy model of the window tests (``tests/data/window_toy.mdl``);
- ``shared_data``: the shared data folder (``$SDMODEL_DATA``, else ``../shared/data``);
- ``tmp_path``: a fresh temporary folder.

Models are loaded once per session (translations are cached by content hash in
``.cache/sdmodel``, as for the test suite).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent
os.environ.setdefault("SDMODEL_CACHE_DIR", str(REPO / ".cache" / "sdmodel"))
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def _doctest_models():
    import sdmodel as sd

    return {
        "model": sd.load(REPO / "models/validation/nelson_phelps.mdl"),
        "perez": sd.load(REPO / "models/perez/perez.mdl"),
        "toy": sd.load(REPO / "tests/data/window_toy.mdl"),
    }


@pytest.fixture(autouse=True)
def _doctest_setup(request):
    """For doctest items only: the namespace and a working folder laid out like a checkout."""
    if type(request.node).__name__ != "DoctestItem":
        return
    import numpy as np
    import xarray as xr

    import sdmodel as sd

    tmp_path = request.getfixturevalue("tmp_path")
    monkeypatch = request.getfixturevalue("monkeypatch")
    shared = Path(os.environ.get("SDMODEL_SHARED", REPO.parent / "shared"))
    data = Path(os.environ.get("SDMODEL_DATA", shared / "data"))
    work = tmp_path / "repo"
    work.mkdir()
    for name in ("models", "tests", "calibration"):
        (work / name).symlink_to(REPO / name, target_is_directory=True)
    (tmp_path / "shared").symlink_to(shared, target_is_directory=True)
    request.getfixturevalue("doctest_namespace").update(
        np=np, xr=xr, sd=sd, shared_data=data, tmp_path=tmp_path,
        **request.getfixturevalue("_doctest_models"))
    monkeypatch.chdir(work)
    monkeypatch.setenv("SDMODEL_DATA", str(data))
