"""Matplotlib figures: scenario comparison (:func:`compare`).

Each figure function lives in its own module of this package and returns a
:class:`matplotlib.figure.Figure` without touching pyplot's global state.

Examples
--------
>>> import sdmodel as sd
>>> fig = sd.plot.compare(ds)                  # doctest: +SKIP
>>> fig.savefig("comparison.png", dpi=150)     # doctest: +SKIP
"""

from .comparison import compare
from .window_map import window
from .fan_chart import fan
from .sensitivity_chart import sensitivity
from .fit_chart import fit

__all__ = ["compare", "fit", "window", "fan", "sensitivity"]
