"""Parameter ranges for sampling: given explicitly or read from the model's documented limits.

Examples
--------
>>> parameter_bounds(model, ["catch_up_rate"])
{'catch_up_rate': (0.0, 1.0)}
>>> parameter_bounds(model, {"catch_up_rate": (0.05, 0.3)})
{'catch_up_rate': (0.05, 0.3)}
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from ..exceptions import AnalysisError, ParameterError, suggest

__all__ = ["parameter_bounds", "check_bounds"]


def check_bounds(bounds: Mapping[str, Sequence[float]]) -> dict[str, tuple[float, float]]:
    """Validate ``{name: (low, high)}``: finite numbers with ``low < high``.

    Raises
    ------
    AnalysisError
        No parameter, or a range that is not two finite numbers in increasing order.

    Examples
    --------
    >>> check_bounds({"x1": (-3.14, 3.14)})
    {'x1': (-3.14, 3.14)}
    """
    if not isinstance(bounds, Mapping) or not bounds:
        raise AnalysisError(
            f"bounds must be a non-empty mapping {{parameter: (low, high)}}, got {bounds!r}"
        )
    out = {}
    for name, pair in bounds.items():
        try:
            low, high = (float(v) for v in pair)
        except (TypeError, ValueError):
            raise AnalysisError(
                f"range of {name!r} must be two numbers (low, high), got {pair!r}"
            ) from None
        if not (math.isfinite(low) and math.isfinite(high)) or not low < high:
            raise AnalysisError(
                f"range of {name!r} is ({low:g}, {high:g}); expected finite numbers with low < high"
            )
        out[str(name)] = (low, high)
    return out


def parameter_bounds(model, params: Sequence[str] | Mapping[str, Sequence[float] | None]) -> dict[str, tuple[float, float]]:
    """Ranges of model constants, keyed by python name.

    Parameters
    ----------
    model : sdmodel.Model
    params : sequence of names, or mapping ``{name: (low, high) or None}``
        A name without a range takes the documented limits ``[low, high]`` of the model.

    Raises
    ------
    AnalysisError
        No parameter, a name that is not a constant of the model, or a parameter without a range
        whose documented limits are missing or open (``?``).

    Examples
    --------
    >>> parameter_bounds(model, ["catch_up_rate"])
    {'catch_up_rate': (0.0, 1.0)}
    """
    if isinstance(params, str):
        params = [params]
    items = params.items() if isinstance(params, Mapping) else ((p, None) for p in params)
    constants = model.params
    doc = model.doc
    out: dict[str, tuple[float, float]] = {}
    for name, given in items:
        try:
            py = model.resolve(str(name), what="parameter")
        except ParameterError as err:
            raise AnalysisError(str(err)) from None
        if py not in constants:
            raise AnalysisError(
                f"{name!r} is not a constant of model {model.name!r}; only parameters can be "
                f"sampled.{suggest(str(name), constants)}"
            )
        if given is None:
            limits = doc.at[py, "limits"]
            low, high = (limits if isinstance(limits, tuple) and len(limits) == 2 else (math.nan, math.nan))
            low = math.nan if low is None else float(low)
            high = math.nan if high is None else float(high)
            if not (math.isfinite(low) and math.isfinite(high)):
                raise AnalysisError(
                    f"parameter {py!r} of model {model.name!r} has no documented range (limits "
                    f"[{low:g}, {high:g}] in the model file); give one as {{{py!r}: (low, high)}}"
                )
            given = (low, high)
        out.update(check_bounds({py: given}))
    if not out:
        raise AnalysisError("no parameter to sample; expected at least one name")
    return out
