"""Sector 1: the commodity price, resource extraction and resource rents.

Money is in constant US dollars (unit ``$``). The resource is measured by its value at the 2000
world price (unit ``$``: a constant-price volume, as real GDP is), so the commodity price is a
dimensionless index (2000 = 1) and rents are ``(price - unit cost) x extraction``. The price
path is history up to the last year of data (a lookup built from a real series) and one of three
scenario paths after it. Extraction is limited by an extraction capacity (which follows the
expected price with an investment lag) and by a depleting reserve (never more than ``reserves /
minimum depletion time`` a year, so the reserve cannot go negative). The government takes a
share of the rents; foreign owners repatriate their part of the rest.

Examples
--------
>>> import sdmodel as sd
>>> b = sd.Builder("m", initial_time=2000, final_time=2030, time_step=0.25)
>>> names = sd.perez.sectors.commodity_rents(b, history=[(2000, 1.0), (2010, 2.0)])
"""

from __future__ import annotations

from collections.abc import Sequence

from ...exceptions import BuilderError
from ._block import Block, Param

__all__ = ["commodity_rents", "COMMODITY_PARAMS"]

#: Constants of the sector: default, units, plausible range, source.
COMMODITY_PARAMS: dict[str, Param] = {
    "price scenario": Param(
        0, "Dmnl", 0, 2,
        "Future commodity price path after the last year of data: 0 = the boom ends (the "
        "price reverts to its long-run level), 1 = plateau (the price stays at its last "
        "observed level), 2 = second boom (reversion plus a second hump)."),
    "price boom scale": Param(
        1, "Dmnl", 0, 1,
        "Scales the gap between the scenario price and the unit extraction cost: 1 = the "
        "price path as given, 0 = the price held at the unit cost (no boom, no rents)."),
    "long run price": Param(
        1.0, "Dmnl", 0.8, 1.6,
        "Long-run level the price reverts to when the boom ends (index, 2000 = 1). Default: "
        "the pre-boom level; upper end: Perez (2010) expects prices 'to settle at levels "
        "higher than those normal in the past'."),
    "price reversion time": Param(
        5, "Year", 2, 10,
        "Time constant of the price's return to its long-run level after the last year of "
        "data (the 2011-2016 fall in metals prices took about five years)."),
    "second boom amplitude": Param(
        1.0, "Dmnl", 0.3, 2,
        "Height of the second price boom (index points above the reverting path), scenario 2."),
    "second boom peak year": Param(
        2035, "Year", 2030, 2045, "Year the second boom peaks (scenario 2)."),
    "second boom duration": Param(
        4, "Year", 2, 8,
        "Half-width of the second boom (years from peak to exp(-1) of its height)."),
    "base unit extraction cost": Param(
        0.7, "Dmnl", 0.5, 0.85,
        "Unit extraction cost with the reserve intact, as a share of the 2000 price: rents "
        "of about 30 % of resource output value before the boom, i.e. 3.3 % of GDP with "
        "resource output at 11 % of GDP (WDI total natural resource rents in 2000: Chile 4.9 "
        "%, Colombia 5.8 %, Mexico 3.6 %)."),
    "depletion cost effect": Param(
        0.4, "Dmnl", 0, 1,
        "Rise in unit cost (share of the 2000 price) as the reserve is exhausted: poorer, "
        "deeper deposits are mined last."),
    "initial reserves": Param(
        2e12, "$", 1.2e12, 3e12,
        "Reserve valued at the 2000 price (2 trillion $), about 100 years of initial "
        "extraction (proved reserves of 30-60 years of production for copper and oil, which "
        "have been replenished by exploration for decades)."),
    "initial extraction capacity": Param(
        2e10, "$/Year", 2e10, 2e10,
        "Extraction capacity in 2000, valued at the 2000 price: 20 billion $ a year, 11 % of "
        "the initial GDP of about 180 billion $. Fixed: with the other initial outputs it sets "
        "the size of the stylised economy."),
    "minimum depletion time": Param(
        10, "Year", 5, 20,
        "Smallest reserves-to-extraction ratio: extraction never exceeds reserves divided by "
        "this time, so the reserve stays non-negative and extraction tails off."),
    "capacity adjustment time": Param(
        6, "Year", 3, 10,
        "Time for extraction capacity to follow its desired level (mine and field "
        "development lags of 5-10 years)."),
    "price expectation time": Param(
        3, "Year", 1, 5, "Smoothing time of the price that drives capacity investment."),
    "supply elasticity": Param(
        0.5, "Dmnl", 0.2, 1,
        "Long-run elasticity of extraction capacity to the expected price (mining supply "
        "elasticities of 0.3-1 in the literature)."),
    "government take": Param(
        0.5, "Dmnl", 0.3, 0.8,
        "Share of resource rents collected by the state (royalties, taxes, state firms): "
        "around 0.4-0.6 in Latin American mining and oil, 0.78 in Norway's petroleum sector."),
    "foreign ownership share": Param(
        0.5, "Dmnl", 0.2, 0.8,
        "Share of the private (after-tax) rents owned by foreign companies and repatriated."),
}


def commodity_rents(
    b,
    *,
    history: Sequence[tuple[float, float]],
    prefix: str = "",
    source: str = "a real annual commodity price series",
    **params: float,
) -> dict[str, str]:
    """Add the commodity price, extraction, reserves and resource rents.

    Parameters
    ----------
    b : sdmodel.Builder
        The model being assembled.
    history : sequence of (year, index)
        Observed price index (2000 = 1) by year; becomes the lookup ``price history``. The last
        year is where the scenario paths start.
    prefix : str, optional
        Prefix for every name the sector creates.
    source : str, optional
        Source of ``history``, written into its documentation.
    **params : float
        Overrides of the defaults in :data:`COMMODITY_PARAMS` (keys are the Vensim names with
        underscores, e.g. ``government_take=0.6``).

    Returns
    -------
    dict
        ``{local name: model name}`` of every element created; outputs other sectors read are
        ``commodity price``, ``resource rents``, ``fiscal rents``, ``repatriated rents``,
        ``domestic private rents``, ``resource value added``, ``unit extraction cost``,
        ``expected price`` and ``resource reserves``.

    Examples
    --------
    >>> names = commodity_rents(b, history=[(2000, 1.0), (2010, 2.0)])
    >>> names["resource rents"]
    'Resource rents'
    """
    points = [(float(x), float(y)) for x, y in history]
    if len(points) < 2:
        raise BuilderError(f"price history has {len(points)} point(s); expected at least 2")
    blk = Block(b, prefix=prefix)
    blk.params(COMMODITY_PARAMS, {k.replace("_", " "): v for k, v in params.items()})
    last_year, last_price = points[-1]
    blk.lookup(
        "price history", points, units="Dmnl", input_units="Dmnl",
        doc=f"Observed commodity price index, annual averages, 2000 = 1: {source}. Built from "
            f"the data when the model is generated; {int(points[0][0])}-{int(last_year)}. "
            "Its input is the calendar year as a number (Time / one year), as Vensim wants "
            "lookup inputs dimensionless.")
    blk.constant("one year", 1, units="Year", doc="One year: turns Time into the "
                 "dimensionless calendar year the price history lookup reads.", limits=(1, 1))
    blk.constant("last price year", last_year, units="Year",
                 doc="Last year of the observed price series; scenario paths start here. "
                     "Generated from the data.", limits=(last_year, last_year))
    blk.constant("last observed price", last_price, units="Dmnl",
                 doc="Price index in the last year of data (2000 = 1). Generated from the data.",
                 limits=(last_price, last_price))
    blk.aux("reverting price",
            "{long run price} + ({last observed price} - {long run price}) * "
            "EXP(({last price year} - Time) / {price reversion time})",
            units="Dmnl", doc="Scenario 0 path: the price returns exponentially to its "
                              "long-run level after the last year of data.")
    blk.aux("second boom",
            "{second boom amplitude} * EXP(-(((Time - {second boom peak year}) / "
            "{second boom duration}) ^ 2))",
            units="Dmnl", doc="Scenario 2: a bell-shaped second boom added to the reverting "
                              "path.")
    blk.aux("scenario price",
            "IF THEN ELSE(Time <= {last price year}, {price history}(Time / {one year}), "
            "IF THEN ELSE({price scenario} < 0.5, {reverting price}, "
            "IF THEN ELSE({price scenario} < 1.5, {last observed price}, "
            "{reverting price} + {second boom})))",
            units="Dmnl", doc="History up to the last year of data, then the chosen scenario.")
    blk.aux("commodity price",
            "{unit extraction cost} + {price boom scale} * ({scenario price} - "
            "{unit extraction cost})",
            units="Dmnl", doc="World price of the resource (index, 2000 = 1); equals the unit "
                              "cost when the price boom scale is 0.")
    blk.aux("expected price", "SMOOTH({commodity price}, {price expectation time})",
            units="Dmnl", doc="Price expected by investors in extraction capacity.")
    blk.aux("unit extraction cost",
            "{base unit extraction cost} + {depletion cost effect} * (1 - {resource reserves} "
            "/ {initial reserves})",
            units="Dmnl", doc="Cost per unit of resource (share of the 2000 price), rising as "
                              "the reserve is depleted.")
    blk.aux("desired extraction capacity",
            "{initial extraction capacity} * ({expected price} / INITIAL({commodity price})) ^ "
            "{supply elasticity}",
            units="$/Year", doc="Capacity investors aim for (valued at the 2000 price): "
                                "constant-elasticity supply response to the expected price "
                                "relative to the initial price.")
    blk.flow("capacity change",
             "({desired extraction capacity} - {extraction capacity}) / "
             "{capacity adjustment time}",
             units="$/Year/Year", doc="Net investment in extraction capacity (negative when "
                                      "capacity is retired).")
    blk.stock("extraction capacity", initial="{initial extraction capacity}",
              inflows=["capacity change"], units="$/Year",
              doc="Capacity to extract the resource, valued at the 2000 price.")
    blk.flow("extraction",
             "MIN({extraction capacity}, {resource reserves} / {minimum depletion time})",
             units="$/Year", doc="Resource extracted per year, valued at the 2000 price: "
                                 "capacity-limited, and never more than reserves / minimum "
                                 "depletion time.")
    blk.stock("resource reserves", initial="{initial reserves}", outflows=["extraction"],
              units="$", doc="Remaining reserve valued at the 2000 price; cannot go negative "
                             "because extraction is at most reserves / minimum depletion time.")
    blk.aux("resource value added", "{commodity price} * {extraction}", units="$/Year",
            doc="Value of resource output at the world price (raw commodity exports).")
    blk.aux("resource rents",
            "MAX({commodity price} - {unit extraction cost}, 0) * {extraction}",
            units="$/Year", doc="Rents: (price - unit cost) x extraction, zero when the price "
                                "does not cover the cost.")
    blk.aux("fiscal rents", "{government take} * {resource rents}", units="$/Year",
            doc="Rents collected by the state; the policy levers allocate them.")
    blk.aux("repatriated rents",
            "(1 - {government take}) * {foreign ownership share} * {resource rents}",
            units="$/Year", doc="After-tax rents of foreign owners, sent abroad.")
    blk.aux("domestic private rents",
            "(1 - {government take}) * (1 - {foreign ownership share}) * {resource rents}",
            units="$/Year", doc="After-tax rents of domestic owners, spent at home.")
    return dict(blk.created)
