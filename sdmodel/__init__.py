"""sdmodel: system-dynamics macro models for resource-based development.

Load Vensim/XMILE models through PySD, run them into xarray Datasets, check their units,
compare policy scenarios, calibrate to country data and run large ensembles.

Examples
--------
>>> import sdmodel as sd
>>> model = sd.load("models/validation/nelson_phelps.mdl")   # doctest: +SKIP
>>> ds = model.run(final_time=50)                             # doctest: +SKIP
>>> sd.save(ds, "out/nelson_phelps.nc")                       # doctest: +SKIP
"""

__version__ = "0.1.0"

from . import exceptions
from .builder import Builder
from . import perez
from .loading import load, translate
from .model import Model
from .results import save
from .units import UnitProblem, check_units
from . import metrics, plot, scenarios
from .scenarios import load_scenarios, run_scenarios
from .calibration import CalibrationResult, Parameter, Parameters, calibrate, create_params
from . import data
from . import analysis
from .analysis import ensemble

__all__ = [
    "__version__",
    "exceptions",
    "load",
    "translate",
    "Model",
    "save",
    "check_units",
    "UnitProblem",
    "run_scenarios",
    "load_scenarios",
    "metrics",
    "plot",
    "Builder",
    "perez",
    "calibrate",
    "Parameter",
    "Parameters",
    "create_params",
    "CalibrationResult",
    "data",
    "analysis",
    "ensemble",
]
