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
from .bayes import PosteriorResult, sample_posterior
from .panel import PanelResult, PanelUnit, calibrate_panel, leave_one_out
from .priors import Prior
from .result import CalibrationResult

__all__ = ["calibrate", "Parameter", "Parameters", "create_params", "CalibrationResult",
           "sample_posterior", "PosteriorResult", "Prior", "calibrate_panel", "PanelUnit",
           "PanelResult", "leave_one_out"]
