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
- ``b``: a new, empty ``sd.Builder`` (2000-2060, TIME STEP 0.25), for the sector functions;
- ``observed``: observations of ``technological_capability`` made from ``model`` with
  ``catch_up_rate = 0.08`` and 1 % multiplicative noise (seeded), and ``fit``: the calibration
  of ``catch_up_rate`` to them;
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


@pytest.fixture(scope="session")
def _doctest_fit(_doctest_models):
    import numpy as np
    import xarray as xr

    import sdmodel as sd

    model = _doctest_models["model"]
    truth = model.run(params={"catch_up_rate": 0.08})["technological_capability"]
    noise = np.random.default_rng(1).normal(0.0, 0.01, truth.size)
    observed = xr.Dataset({"technological_capability": truth * (1 + noise)})
    fit = sd.calibrate(model, observed, {"catch_up_rate": (0.01, 1.0)}, progress=False)
    return {"observed": observed, "fit": fit}


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
    namespace = dict(np=np, xr=xr, sd=sd, shared_data=data, tmp_path=tmp_path,
                     b=sd.Builder("example", initial_time=2000, final_time=2060, time_step=0.25),
                     **request.getfixturevalue("_doctest_models"))
    source = "\n".join(example.source for example in request.node.dtest.examples)
    if "observed" in source or "fit" in source:
        namespace.update(request.getfixturevalue("_doctest_fit"))
    request.getfixturevalue("doctest_namespace").update(namespace)
    monkeypatch.chdir(work)
    monkeypatch.setenv("SDMODEL_DATA", str(data))
