"""Analyses over many runs: window-of-opportunity timing, uncertainty, sensitivity, ensembles.

Every analysis evaluates the model through one batch call per set of runs (see
:mod:`sdmodel.analysis._engine`) and reads per-run metrics from short specs such as
``"gdp_per_capita@2040"`` or ``"max(real_exchange_rate)"`` (see
:mod:`sdmodel.analysis._metrics`).

Examples
--------
>>> import sdmodel as sd
>>> model = sd.load("tests/data/window_toy.mdl")
>>> sweep = sd.analysis.window_sweep(model, [2004, 2010, 2020], [0.2, 0.4],
...                                  start_lever="reinvestment_start_year",
...                                  share_lever="reinvestment_share",
...                                  metric="gdp_per_capita", year=2040)
>>> sd.analysis.latest_viable_start(sweep, threshold=0.0).values.tolist()
[2020.0, 2020.0]
"""

from ._bounds import parameter_bounds
from ._metrics import Metric, parse_metrics
from .ensembles import ModelSpec, check_samples, ensemble
from .sensitivity import Evaluator, FunctionEvaluator, ModelEvaluator, morris, sobol
from .uncertainty import (
    from_calibration,
    from_posterior,
    latin_hypercube,
    multivariate_normal,
    percentile_bands,
    prob_beats,
    scenario_runs,
)
from .window import latest_viable_start, window_sweep

__all__ = [
    "Metric",
    "parse_metrics",
    "parameter_bounds",
    "window_sweep",
    "latest_viable_start",
    "latin_hypercube",
    "multivariate_normal",
    "from_calibration",
    "from_posterior",
    "scenario_runs",
    "percentile_bands",
    "prob_beats",
    "Evaluator",
    "FunctionEvaluator",
    "ModelEvaluator",
    "sobol",
    "morris",
    "ensemble",
    "ModelSpec",
    "check_samples",
]
