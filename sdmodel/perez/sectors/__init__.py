"""Reusable model sectors: plain functions adding a documented, unit-consistent block to a
:class:`sdmodel.Builder`.

Each sector takes the builder, a ``prefix=""`` for the names it creates, an ``inputs`` mapping
wiring the names it reads from other sectors (default: their unprefixed names) and keyword
overrides of its parameters (defaults, units, plausible ranges and sources live in its
``*_PARAMS`` table). It returns ``{local name: model name}`` of what it created; model names
are the display form of the lower-case local names (``"Human capital"``, ``"GDP per capita"``,
see :func:`sdmodel.perez.sectors._block.display_name`), whose python names stay lower case.
Quantities are in honest units: money in constant US$ (``$``), people in ``Person``.
:func:`sdmodel.perez.build_perez` assembles the ten sectors into the reference model of
Pérez (2010); :mod:`sdmodel.perez.behaviours` checks its behaviours and their sensitivity.

Examples
--------
>>> import sdmodel as sd
>>> b = sd.Builder("hc", initial_time=2000, final_time=2030, time_step=0.25)
>>> b.constant("Effective human capital investment", 2e9, units="$/Year", doc="Education spending.")
'Effective human capital investment'
>>> sorted(sd.perez.sectors.human_capital(b))[:2]
['baseline schooling', 'baseline schooling growth']
"""

from .accounts import national_accounts
from .allocation import rent_allocation
from .bottom_up import bottom_up
from .commodity import commodity_rents
from .economy import economy
from .export_ladder import export_ladder
from . import human_capital as human_capital_module
from .human_capital import human_capital
from .technology import technology
from .window import window_of_opportunity

__all__ = [
    "commodity_rents",
    "rent_allocation",
    "human_capital",
    "technology",
    "export_ladder",
    "window_of_opportunity",
    "bottom_up",
    "economy",
    "national_accounts",
]
