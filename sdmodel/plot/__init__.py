"""Matplotlib figures: scenario comparison, window map, fan chart, sensitivity and fit charts.

Each figure function lives in its own module of this package and returns a
:class:`matplotlib.figure.Figure` without touching pyplot's global state. A model registers
the periods shaded on its figures and its default panels with :func:`register`.

Examples
--------
>>> import sdmodel as sd
>>> ds = sd.run_scenarios(model, {"slow": {"catch_up_rate": 0.05}, "fast": {"catch_up_rate": 0.2}})
>>> fig = sd.plot.compare(ds)
>>> fig.savefig("comparison.png", dpi=150)
"""

from .annotations import FigureDefaults, Period, defaults_for, register
from .comparison import compare
from .window_map import window
from .fan_chart import fan
from .sensitivity_chart import sensitivity
from .fit_chart import fit
from .posterior_chart import posterior

__all__ = [
    "compare", "fit", "posterior", "window", "fan", "sensitivity",
    "Period", "FigureDefaults", "register", "defaults_for",
]
