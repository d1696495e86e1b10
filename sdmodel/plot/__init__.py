"""Matplotlib figures: scenario comparison (:func:`compare`).

Each figure function lives in its own module of this package and returns a
:class:`matplotlib.figure.Figure` without touching pyplot's global state.

Examples
--------
>>> import sdmodel as sd
>>> fig = sd.plot.compare(ds)                  # doctest: +SKIP
>>> fig.savefig("comparison.png", dpi=150)     # doctest: +SKIP
"""

from .compare import compare
from .window import window
from .fan import fan
from .sensitivity import sensitivity
from .fit import fit

__all__ = ["compare", "fit", "window", "fan", "sensitivity"]
