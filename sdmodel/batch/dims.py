"""Static subscript bookkeeping for the batch compiler.

An emitted expression is a :class:`Val`: Python source that evaluates to an array of shape
``(R, *len(coords) for each dim)`` (``R`` = number of runs, or 1 when the value is the same for
all runs), together with its dimensions ``((name, coords), ...)``. Combining values aligns them
the way xarray does in PySD's models (union of dimensions in order of appearance, inner join of
coordinates of a shared dimension), but once, at compile time, as plain numpy indexing.

Examples
--------
>>> k = Constants()
>>> a = Val("a", (("dim", ("x", "y")),))
>>> b = Val("b", ())
>>> dims = merge_dims([a, b], element="v")
>>> align(b, dims, k, element="v").code
'b[:, None]'
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..exceptions import UnsupportedConstructError

__all__ = ["Val", "Constants", "merge_dims", "align", "TIME"]

#: Pseudo-dependency of everything that changes during a run (TIME, ACTIVE INITIAL, states).
TIME = "<time>"

Dims = tuple  # tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class Val:
    """Source code of a value and its dimensions.

    ``scalar`` values (numbers, ``time``) have no run axis and broadcast against anything.
    """

    code: str
    dims: Dims = ()
    scalar: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.dims)


class Constants:
    """Module-level constant arrays (index arrays, tables) referenced by generated code."""

    def __init__(self):
        self.values: dict[str, object] = {}

    def add(self, value) -> str:
        """Store ``value``; return the global name the generated code uses for it."""
        name = f"_K{len(self.values)}"
        self.values[name] = value
        return name


def merge_dims(vals, *, element: str) -> Dims:
    """The dimensions of a combination of values (xarray's broadcasting, resolved statically)."""
    merged: dict[str, tuple] = {}
    for val in vals:
        if val.scalar:
            continue
        for name, coords in val.dims:
            if name in merged and merged[name] != coords:
                common = tuple(c for c in merged[name] if c in coords)
                if not common:
                    raise UnsupportedConstructError(
                        f"{element}: values over dimension {name!r} share no coordinates "
                        f"({merged[name]} vs {coords}); construct: subscript alignment"
                    )
                merged[name] = common
            else:
                merged.setdefault(name, coords)
    return tuple(merged.items())


def align(val: Val, target: Dims, consts: Constants, *, element: str) -> Val:
    """Rewrite ``val`` so it broadcasts against arrays over ``target`` (run axis first).

    Raises
    ------
    UnsupportedConstructError
        ``val`` has a dimension ``target`` lacks, or coordinates ``target`` needs are missing.
    """
    if val.scalar or val.dims == tuple(target):
        return Val(val.code, tuple(target), val.scalar)
    tnames = [name for name, _ in target]
    tcoords = dict(target)
    code = val.code
    for axis, (name, coords) in enumerate(val.dims):
        if name not in tcoords:
            raise UnsupportedConstructError(
                f"{element}: an expression has dimension {name!r} that the result over "
                f"{tnames} does not have; construct: subscript range mismatch"
            )
        if coords != tcoords[name]:
            try:
                idx = [coords.index(c) for c in tcoords[name]]
            except ValueError:
                raise UnsupportedConstructError(
                    f"{element}: dimension {name!r} lacks coordinates "
                    f"{sorted(set(tcoords[name]) - set(coords))}; construct: subscript subrange"
                ) from None
            code = f"np.take({code}, {consts.add(np.array(idx))}, axis={axis + 1})"
    present = [n for n in tnames if n in val.names]
    order = [val.names.index(n) for n in present]
    if order != sorted(order):
        perm = (0, *[i + 1 for i in order])
        code = f"{code}.transpose({perm})"
    if len(present) < len(tnames):
        index = ", ".join([":"] + [":" if n in val.names else "None" for n in tnames])
        code = f"{code}[{index}]"
    return Val(code, tuple(target))
