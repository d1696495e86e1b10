"""The registry of bundled models: subpackages that register their hooks when first needed.

A bundled model declares what is specific to it — parameter constraints
(:func:`sdmodel.constraints.register`), default comparison metrics
(:func:`sdmodel.metrics.register`) and figure annotations (:func:`sdmodel.plot.register`) — in a
registration module of its own subpackage. This registry is the only place outside those
subpackages that names them; :func:`register_bundled` imports each ``<package>.registration``
module once, the first time a constraint, metric default or annotation is looked up, and
``sdmodel.<name>`` gives the package itself (e.g. the reference model's sector functions).

Examples
--------
>>> register_bundled()
>>> sorted(BUNDLED)
['perez']
"""

from __future__ import annotations

import importlib

__all__ = ["BUNDLED", "register_bundled"]

#: ``{name: package}`` of every bundled model; each package has a ``registration`` module.
BUNDLED: dict[str, str] = {
    "perez": "sdmodel.perez",
}

_done: set[str] = set()


def register_bundled() -> None:
    """Import the registration module of every bundled model not registered yet."""
    for name, package in BUNDLED.items():
        if name not in _done:
            _done.add(name)
            importlib.import_module(f"{package}.registration")
