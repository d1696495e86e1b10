"""Typed errors raised by sdmodel.

Every error derives from :class:`SDModelError`. Messages name the culprit (a file, a variable,
a parameter, a scenario) and say what was expected, in the manner of scipy's error messages.

Examples
--------
>>> import sdmodel as sd
>>> try:
...     sd.load("missing.mdl")
... except sd.exceptions.ModelFileError as err:
...     print(type(err).__name__)
ModelFileError
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "SDModelError",
    "ModelFileError",
    "TranslationError",
    "ParameterError",
    "SimulationError",
    "UnitError",
    "BuilderError",
    "UndefinedNameError",
    "DuplicateNameError",
    "AlgebraicLoopError",
    "UnsupportedConstructError",
    "DataError",
    "CalibrationError",
    "ScenarioError",
    "OutputError",
    "AnalysisError",
    "CacheError",
    "CacheWarning",
    "PretranslationWarning",
    "ModelWarning",
    "LimitError",
    "suggest",
]


class SDModelError(Exception):
    """Base class of every error raised by sdmodel."""


class ModelFileError(SDModelError, OSError):
    """A model file is missing, unreadable or of an unsupported kind."""


class TranslationError(SDModelError):
    """PySD could not translate or build a model file (its own reason is included)."""


class ParameterError(SDModelError, ValueError):
    """An unknown parameter, or a parameter value of the wrong type, shape or range."""


class SimulationError(SDModelError, ValueError):
    """Invalid simulation settings (time bounds, time step, return variables) or a failed run."""


class UnitError(SDModelError, ValueError):
    """A unit string that cannot be understood, or units refused as inconsistent."""


class BuilderError(SDModelError, ValueError):
    """An invalid model definition given to :class:`sdmodel.Builder`."""


class UndefinedNameError(BuilderError):
    """Equations reference names that are not defined in the model."""


class DuplicateNameError(BuilderError):
    """A name is defined twice (names are compared as Vensim does: case and spaces folded)."""


class AlgebraicLoopError(BuilderError):
    """A cycle of auxiliaries or flows with no stock in it."""


class UnsupportedConstructError(SDModelError):
    """The batch compiler does not support a construct; names the element and the construct."""


class DataError(SDModelError, ValueError):
    """Missing, malformed or NaN-only data, or data that does not overlap the model."""


class CalibrationError(SDModelError, ValueError):
    """An invalid calibration set-up (bounds, start values, observed series, method)."""


class ScenarioError(SDModelError, ValueError):
    """An invalid scenario definition (unknown parameter, missing parent, inheritance cycle)."""


class OutputError(SDModelError, OSError):
    """An output file or directory that cannot be written."""


class AnalysisError(SDModelError, ValueError):
    """An invalid analysis request (empty grid, years outside the run, unknown metric)."""


class CacheError(ModelFileError):
    """The translation cache is not private to the user, or cannot be created or written."""


class CacheWarning(UserWarning):
    """A cache entry was not trusted (foreign owner, loose permissions, damaged) and is rebuilt."""


class PretranslationWarning(UserWarning):
    """sdmodel rewrote part of a model before PySD translated it (the change is named)."""


class ModelWarning(UserWarning):
    """A model loads but something in it is ignored or suspicious (the culprit is named)."""


class LimitError(SDModelError, ValueError):
    """A request beyond a configured limit (steps or runs per call, model file size)."""


def suggest(name: str, candidates: Iterable[str], *, n: int = 3) -> str:
    """Return a "did you mean" clause listing the candidates closest to ``name``.

    Parameters
    ----------
    name : str
        The unrecognised name.
    candidates : iterable of str
        The valid names.
    n : int, optional
        At most this many suggestions.

    Returns
    -------
    str
        ``" Did you mean 'a', 'b'?"``, or ``""`` when nothing is close.

    Examples
    --------
    >>> suggest("reinvestmnt_share", ["reinvestment_share", "fund_share"])
    " Did you mean 'reinvestment_share'?"
    """
    candidates = list(candidates)
    close = difflib.get_close_matches(name, candidates, n=n, cutoff=0.6)
    if not close:
        folded = {c.lower().replace(" ", "_"): c for c in candidates}
        close = [
            folded[c]
            for c in difflib.get_close_matches(
                name.lower().replace(" ", "_"), list(folded), n=n, cutoff=0.6
            )
        ]
    if not close:
        return ""
    return " Did you mean " + ", ".join(repr(c) for c in close) + "?"
