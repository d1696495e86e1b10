"""Calibration of model constants to observed series (scipy optimisers, lmfit-style results).

Examples
--------
>>> import sdmodel as sd
>>> params = sd.create_params(catch_up_rate=(0.01, 1.0), frontier_growth_rate=(0.0, 0.05))
>>> fit = sd.calibrate(model, observed, params, method="least_squares", progress=False)
>>> print(fit.report())
[[Calibration]] nelson_phelps
...
"""

from .calibration import calibrate
from .parameters import Parameter, Parameters, create_params
from .result import CalibrationResult

__all__ = ["calibrate", "Parameter", "Parameters", "create_params", "CalibrationResult"]
