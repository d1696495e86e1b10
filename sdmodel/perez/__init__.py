"""The reference model of Pérez (2010): its sectors, assembly, parameter checks and behaviours.

Everything specific to the reference model lives in this subpackage: the sector functions
(:mod:`sdmodel.perez.sectors`), the assembled model and its parameter constraint
(:mod:`sdmodel.perez.reference`) and the checks of its documented behaviours
(:mod:`sdmodel.perez.behaviours`). The model file it renders is ``models/perez/perez.mdl``.

Examples
--------
>>> import sdmodel as sd
>>> sorted(sd.perez.SPLIT_PARAMS)
['bottom_up_share', 'human_capital_share', 'technologization_share']
"""

from . import sectors
from .country import country_data, country_parameters
from .reference import (
    PRICE_SERIES,
    SHARE_PARAMS,
    SPLIT_PARAMS,
    build_perez,
    price_history,
    validate_perez_params,
)

__all__ = [
    "sectors",
    "country_data",
    "country_parameters",
    "build_perez",
    "price_history",
    "validate_perez_params",
    "PRICE_SERIES",
    "SHARE_PARAMS",
    "SPLIT_PARAMS",
]
