"""Parameter constraints that a model's equations cannot state (shares summing to one, a start
year inside the run), checked before every run.

A constraint is a callable ``check(model, params, *, initial_time=None, final_time=None)``
raising :class:`~sdmodel.exceptions.ParameterError`; ``params`` maps python names to a number
or, for a batch, a 1-D array with one value per run. :func:`sdmodel.load` attaches the
registered constraints whose required variables the model has, and :meth:`Model.run`,
:meth:`Model.run_batch` and :func:`sdmodel.run_scenarios` call them before simulating. Bundled
models register theirs from their own subpackage (see :mod:`sdmodel.bundled`).

Examples
--------
>>> from sdmodel.constraints import register
>>> from sdmodel.exceptions import ParameterError
>>> def positive_rate(model, params, *, initial_time=None, final_time=None):
...     if params.get("catch_up_rate", 1) <= 0:
...         raise ParameterError("catch_up_rate must be positive")
>>> register(("catch_up_rate",), positive_rate)
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable

__all__ = ["register", "constraints_for", "Constraint"]

Constraint = Callable[..., object]

# (variables a model must have, the check or "module:function" imported on first use)
_REGISTRY: list[tuple[frozenset[str], Constraint | str]] = []


def register(required: Iterable[str], check: Constraint | str) -> None:
    """Attach ``check`` to every model loaded from now on that has all ``required`` variables.

    Parameters
    ----------
    required : iterable of str
        Python names of the constants the check needs.
    check : callable or str
        The constraint, or ``"module:function"`` naming it (imported when first needed).
    """
    _REGISTRY.append((frozenset(required), check))


def _resolve(check: Constraint | str) -> Constraint:
    if callable(check):
        return check
    module, _, name = check.partition(":")
    found: Constraint = getattr(importlib.import_module(module), name)
    return found


def constraints_for(model) -> list[Constraint]:
    """The registered constraints that apply to ``model`` (all their variables are constants)."""
    from .bundled import register_bundled

    register_bundled()
    names = set(model.params)
    return [_resolve(check) for required, check in _REGISTRY if required <= names]
