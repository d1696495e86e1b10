"""Country data for calibration: WDI indicators, Penn World Table, commodity prices.

Loaders return tidy :class:`xarray.Dataset` objects by ``country`` and ``year`` from a data
directory: the ``data_dir`` argument, else ``$SDMODEL_DATA``, else the user cache. Series
missing there are downloaded when online (and cached) unless ``$SDMODEL_OFFLINE`` is set: WDI
from the World Bank API, Penn World Table and the Pink Sheet as the publishers' Excel files
(:mod:`sdmodel.data.publishers`).

Examples
--------
>>> import sdmodel as sd
>>> wdi = sd.data.load_wdi("NY.GDP.TOTL.RT.ZS", ["CHL", "NOR"], start=1990)
>>> pwt = sd.data.load_pwt(["hc", "ctfp"], "CHL", data_dir="../shared/data")
"""

from ._store import data_dir
from .commodities import load_commodity_prices
from .pwt import load_pwt
from .wdi import INDICATORS, load_wdi

__all__ = ["load_wdi", "load_pwt", "load_commodity_prices", "data_dir", "INDICATORS"]
