"""Bounds on the work one call may ask for, each configurable by an environment variable.

=====================  ===========================  ==========================================
limit                  variable                     default
=====================  ===========================  ==========================================
steps per run          ``SDMODEL_MAX_STEPS``        10 000 000 Euler steps
runs per call          ``SDMODEL_MAX_RUNS``         10 000 000 parameter sets (batch, samples)
model file size        ``SDMODEL_MAX_MODEL_BYTES``  16 MiB
=====================  ===========================  ==========================================

Beyond a limit a :class:`~sdmodel.exceptions.LimitError` names the request, the limit and the
variable that raises it.

Examples
--------
>>> from sdmodel import limits
>>> limits.check_steps(0.0, 100.0, 0.25)
400
>>> limits.check_runs(10**12)
Traceback (most recent call last):
...
sdmodel.exceptions.LimitError: 1000000000000 runs in one call is over the limit of 10000000 (set SDMODEL_MAX_RUNS to raise it)
"""

from __future__ import annotations

import math
import os

from .exceptions import LimitError

__all__ = ["max_steps", "max_runs", "max_model_bytes", "check_steps", "check_runs"]

_DEFAULTS = {
    "SDMODEL_MAX_STEPS": 10_000_000,
    "SDMODEL_MAX_RUNS": 10_000_000,
    "SDMODEL_MAX_MODEL_BYTES": 16 * 2**20,
}


def _limit(variable: str) -> int:
    text = os.environ.get(variable, "").strip()
    if not text:
        return _DEFAULTS[variable]
    try:
        value = int(float(text))
    except (ValueError, OverflowError):  # not a number, NaN, or infinite
        value = 0
    if value < 1:
        raise LimitError(f"${variable}={text!r} is not a positive whole number")
    return value


def max_steps() -> int:
    """Largest number of integration steps one run may take (``$SDMODEL_MAX_STEPS``)."""
    return _limit("SDMODEL_MAX_STEPS")


def max_runs() -> int:
    """Largest number of runs (parameter sets) one call may ask for (``$SDMODEL_MAX_RUNS``)."""
    return _limit("SDMODEL_MAX_RUNS")


def max_model_bytes() -> int:
    """Largest model file accepted for translation (``$SDMODEL_MAX_MODEL_BYTES``).

    PySD's parser needs several hundred times a file's size in memory.
    """
    return _limit("SDMODEL_MAX_MODEL_BYTES")


def check_steps(initial_time: float, final_time: float, time_step: float) -> int:
    """Return the number of steps of a run, or raise :class:`LimitError` over the limit."""
    steps = math.ceil((final_time - initial_time) / time_step - 1e-9)
    limit = max_steps()
    if steps > limit:
        raise LimitError(
            f"a run from {initial_time:g} to {final_time:g} with time_step {time_step:g} takes "
            f"{steps:,} steps, over the limit of {limit:,} (set SDMODEL_MAX_STEPS to raise it)"
        )
    return max(steps, 0)


def check_runs(n: int) -> int:
    """Return ``n``, or raise :class:`LimitError` when over :func:`max_runs`."""
    limit = max_runs()
    if n > limit:
        raise LimitError(
            f"{n} runs in one call is over the limit of {limit} (set SDMODEL_MAX_RUNS to raise it)"
        )
    return n
