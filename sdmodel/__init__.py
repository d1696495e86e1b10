"""sdmodel: system-dynamics macro models for resource-based development.

Load Vensim/XMILE models through PySD, run them into xarray Datasets, check their units,
compare policy scenarios, calibrate to country data and run large ensembles.

The public names are imported on first use (so ``sdmodel --version`` stays fast): ``sd.load``
imports the loader, ``sd.plot`` the figures, and so on. Bundled models are reached by name
(see :mod:`sdmodel.bundled`).

Examples
--------
>>> import sdmodel as sd
>>> model = sd.load("models/validation/nelson_phelps.mdl")
>>> ds = model.run(final_time=50)
>>> float(ds["time"][-1])
50.0
"""

from __future__ import annotations

import importlib
from typing import Any

from . import exceptions
from ._version import __version__

#: ``{public name: (module, attribute)}``, imported on first access.
_NAMES = {
    "load": ("loading", "load"),
    "translate": ("loading", "translate"),
    "Model": ("model", "Model"),
    "save": ("results", "save"),
    "check_units": ("units", "check_units"),
    "UnitProblem": ("units", "UnitProblem"),
    "run_scenarios": ("scenarios", "run_scenarios"),
    "load_scenarios": ("scenarios", "load_scenarios"),
    "Builder": ("builder", "Builder"),
    "calibrate": ("calibration", "calibrate"),
    "Parameter": ("calibration", "Parameter"),
    "Parameters": ("calibration", "Parameters"),
    "create_params": ("calibration", "create_params"),
    "CalibrationResult": ("calibration", "CalibrationResult"),
    "ensemble": ("analysis", "ensemble"),
    "MetricSpec": ("metrics", "MetricSpec"),
}

#: Subpackages and modules reachable as attributes.
_MODULES = ("metrics", "plot", "scenarios", "data", "analysis", "calibration", "constraints",
            "schema", "batch", "units", "results", "loading", "model", "builder",
            "bundled")

__all__ = ["__version__", "exceptions", *_NAMES, *_MODULES]


def __getattr__(name: str) -> Any:
    if name in _NAMES:
        module, attribute = _NAMES[name]
        value = getattr(importlib.import_module(f".{module}", __name__), attribute)
    elif name in _MODULES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        from .bundled import BUNDLED

        if name not in BUNDLED:
            raise AttributeError(f"module 'sdmodel' has no attribute {name!r}")
        value = importlib.import_module(BUNDLED[name])
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    from .bundled import BUNDLED

    return sorted({*globals(), *__all__, *BUNDLED})
