"""Sector 7: the temporary window of opportunity.

Pérez (2010, section VIII): the commodity boom and the reorganisation of global corporations
open "a temporary window of opportunity", "perhaps a decade"; early entrants get a head start
and "ten years later it would not have been possible". The window's openness is 0 before it
opens, jumps to 1 when it opens and then decays exponentially; export-tier entry barriers
(:mod:`sdmodel.perez.sectors.export_ladder`) fall to their base level while it is open and rise back
as it closes: ``B(t) = Bmin + (Bmax - Bmin) (1 - openness(t))``. So the same reinvestment,
started late, buys less upgrading.

Examples
--------
>>> names = window_of_opportunity(b, window_closing_time=10)
"""

from __future__ import annotations

from ._block import Block, Param

__all__ = ["window_of_opportunity", "WINDOW_PARAMS"]

WINDOW_PARAMS: dict[str, Param] = {
    "window opening year": Param(
        2003, "Year", 2000, 2008,
        "Year the window opens: the start of the 2003-2014 commodity super-cycle."),
    "window closing time": Param(
        10, "Year", 5, 20,
        "Time constant of the window's closing (Perez 2010: 'it may be of relatively short "
        "duration, perhaps a decade')."),
}


def window_of_opportunity(
    b,
    *,
    prefix: str = "",
    inputs: dict[str, str] | None = None,
    **params: float,
) -> dict[str, str]:
    """Add the window of opportunity's openness (1 when it opens, decaying toward 0).

    Parameters
    ----------
    b : sdmodel.Builder
        The model being assembled.
    prefix : str, optional
        Prefix for every name the sector creates.
    inputs : dict, optional
        No inputs are read; accepted for symmetry with the other sectors.
    **params : float
        Overrides of :data:`WINDOW_PARAMS` (underscored keys).

    Returns
    -------
    dict
        ``{local name: model name}``, including ``window openness``.

    Examples
    --------
    >>> names = window_of_opportunity(b)
    """
    blk = Block(b, prefix=prefix, inputs=inputs)
    blk.params(WINDOW_PARAMS, {k.replace("_", " "): v for k, v in params.items()})
    blk.aux("window openness",
            "IF THEN ELSE(Time >= {window opening year}, EXP(({window opening year} - Time) / "
            "{window closing time}), 0)",
            units="Dmnl", doc="0 before the window opens, 1 when it opens, then decaying: how "
                              "far entry barriers are lowered.")
    return dict(blk.created)
