"""Sector 1: the commodity price, resource extraction and resource rents.

Money is in constant US dollars (unit ``$``). The resource is measured by its value at the 2000
world price (unit ``$``: a constant-price volume, as real GDP is), so the commodity price is a
dimensionless index (2000 = 1) and rents are ``(price - unit cost) x extraction``. The country's
own price is a basket: ``energy weight``, ``metals weight`` and ``agriculture weight`` (summing to
one) over three real price lookups (World Bank Pink Sheet, each 2000 = 1), history up to the
last year of data and one of three scenario paths after it. The initial extraction is set by
the resource rents' share of GDP at the start (``resource output share``, WDI
NY.GDP.TOTL.RT.ZS / 100) with the initial price and unit cost; the initial reserve by a
reserve life. Extraction is limited by an extraction capacity (the resource sector's
capital, which follows the expected price with an investment lag; its cost is inside the unit
extraction cost) and by a depleting reserve (never more than ``reserves /
minimum depletion time`` a year, so the reserve cannot go negative). The government takes a
share of the rents; foreign owners repatriate their part of the rest.

Examples
--------
>>> import sdmodel as sd
>>> b = sd.Builder("m", initial_time=2000, final_time=2030, time_step=0.25)
>>> h = dict.fromkeys(("energy", "metals", "agriculture"), [(2000, 1.0), (2010, 2.0)])
>>> names = sd.perez.sectors.commodity_rents(b, histories=h, sources=dict.fromkeys(h, "x"))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ...exceptions import BuilderError
from ._block import Block, Param

__all__ = ["commodity_rents", "COMMODITY_PARAMS", "BASKET"]

#: The commodity basket: keys of the three price lookups (and of their weights).
BASKET = ("energy", "metals", "agriculture")
_BASKET_TEXT = {"energy": "energy", "metals": "metals and minerals",
                "agriculture": "non-energy commodity"}

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
    "energy weight": Param(
        0.5, "Dmnl", 0, 1,
        "Interface constant: weight of the real energy price index in the country's own "
        "commodity price (oil and gas exporters: about 1). Default: the equally weighted "
        "energy and metals basket of a mixed exporter. The three weights sum to one."),
    "metals weight": Param(
        0.5, "Dmnl", 0, 1,
        "Interface constant: weight of the real metals and minerals price index (copper "
        "exporters: about 1)."),
    "agriculture weight": Param(
        0, "Dmnl", 0, 1,
        "Interface constant: weight of the real non-energy (agriculture, fertilizer, metals) "
        "price index, for agricultural exporters."),
    "resource output share": Param(
        0.045, "Dmnl", 0.01, 0.12,
        "Interface constant: resource rents as a share of GDP at the start (WDI "
        "NY.GDP.TOTL.RT.ZS / 100; 2000: Chile 4.9 %, Colombia 5.8 %, Mexico 3.6 %). With the "
        "initial price and unit cost it sets the initial extraction. Above about 0.15, with the "
        "default unit cost and non-tradable contents, resource value added and the N market "
        "leave no room for T output at the start (initial tradable output < 0): oil economies "
        "need a lower base unit extraction cost (rents are 50-70 % of oil output value)."),
    "base unit extraction cost": Param(
        0.7, "Dmnl", 0.5, 0.85,
        "Unit extraction cost with the reserve intact, as a share of the initial price (pure "
        "scenario price at the start): rents of about 30 % of resource output value, so "
        "resource output is about 15 % of GDP when rents are 4.5 % of it."),
    "resource input share": Param(
        0.6, "Dmnl", 0.4, 0.8,
        "Share of the unit extraction cost that is intermediate inputs (the rest is wages and "
        "normal capital income): intermediate consumption is 40-60 % of gross output in mining "
        "and oil in national input-output tables (OECD IOTs), most of the cost below the rent."),
    "depletion cost effect": Param(
        0.4, "Dmnl", 0, 1,
        "Rise in unit cost (share of the initial price) as the reserve is exhausted: poorer, "
        "deeper deposits are mined last."),
    "initial reserve life": Param(
        100, "Year", 60, 150,
        "Initial reserve in years of initial extraction: proved reserves of 30-60 years of "
        "production for copper and oil, which exploration has replenished for decades, so "
        "the ultimately recoverable reserve is larger."),
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
    histories: Mapping[str, Sequence[tuple[float, float]]],
    sources: Mapping[str, str],
    prefix: str = "",
    inputs: dict[str, str] | None = None,
    **params: float,
) -> dict[str, str]:
    """Add the commodity price, extraction, reserves and resource rents.

    Parameters
    ----------
    b : sdmodel.Builder
        The model being assembled.
    histories : mapping of str to sequence of (year, index)
        ``{"energy" | "metals" | "agriculture": [(year, index 2000 = 1), ...]}``, the same
        years in each; they become the lookups ``<key> price history``. The last year is where
        the scenario paths start.
    sources : mapping of str to str
        Source of each series, written into its documentation.
    prefix : str, optional
        Prefix for every name the sector creates.
    inputs : dict, optional
        Wiring of ``initial gdp`` ($/Year, from the economy sector).
    **params : float
        Overrides of the defaults in :data:`COMMODITY_PARAMS` (keys are the Vensim names with
        underscores, e.g. ``government_take=0.6``).

    Returns
    -------
    dict
        ``{local name: model name}`` of every element created; outputs other sectors read are
        ``commodity price``, ``resource rents``, ``fiscal rents``, ``repatriated rents``,
        ``domestic private rents``, ``resource exports``, ``resource inputs``, ``resource value
        added``, ``unit extraction cost``,
        ``expected price`` and ``resource reserves``.

    Examples
    --------
    >>> h = [(2000, 1.0), (2010, 2.0)]
    >>> names = commodity_rents(b, histories=dict.fromkeys(BASKET, h), sources=dict.fromkeys(BASKET, 'x'))
    >>> names["resource rents"]                                       
    'Resource rents'
    """
    series = {k: [(float(x), float(y)) for x, y in v] for k, v in histories.items()}
    if set(series) != set(BASKET):
        raise BuilderError(f"price histories {sorted(series)}; expected {list(BASKET)}")
    years = [x for x, _ in series[BASKET[0]]]
    if len(years) < 2 or any([x for x, _ in v] != years for v in series.values()):
        raise BuilderError("price histories must hold the same years, at least two")
    blk = Block(b, prefix=prefix, inputs=inputs)
    blk.params(COMMODITY_PARAMS, {k.replace("_", " "): v for k, v in params.items()})
    last_year = years[-1]
    for key in BASKET:
        blk.lookup(
            f"{key} price history", series[key], units="Dmnl", input_units="Dmnl",
            doc=f"Observed real {_BASKET_TEXT[key]} price index, annual averages, 2000 = 1: "
                f"{sources[key]}. Built from the data when the model is generated; "
                f"{int(years[0])}-{int(last_year)}. Its input is the calendar year as a number "
                "(Time / one year), as Vensim wants lookup inputs dimensionless.")
    blk.constant("one year", 1, units="Year", doc="One year: turns Time into the "
                 "dimensionless calendar year the price history lookups read.", limits=(1, 1))
    blk.constant("last price year", last_year, units="Year",
                 doc="Last year of the observed price series; scenario paths start here. "
                     "Generated from the data.", limits=(last_year, last_year))
    basket = " + ".join(f"{{{k} weight}} * {{{k} price history}}(%s)" for k in BASKET)
    blk.aux("price history", basket % (("Time / {one year}",) * 3), units="Dmnl",
            doc="The country's own commodity price index (2000 = 1): the basket of the three "
                "real price lookups weighted by the energy, metals and agriculture weights.")
    blk.aux("last observed price", basket % (("{last price year} / {one year}",) * 3),
            units="Dmnl", doc="The basket price in the last year of data (2000 = 1).")
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
            "IF THEN ELSE(Time <= {last price year}, {price history}, "
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
    blk.aux("initial scenario price", "INITIAL({scenario price})", units="Dmnl",
            doc="The basket price at the start of the run (2000 = 1), before the boom scale.")
    blk.aux("unit extraction cost",
            "{initial scenario price} * ({base unit extraction cost} + {depletion cost effect} "
            "* (1 - {resource reserves} / {initial reserves}))",
            units="Dmnl", doc="Cost per unit of resource (index, 2000 = 1), a share of the "
                              "initial price rising as the reserve is depleted.")
    blk.aux("initial extraction capacity",
            "{resource output share} * {initial gdp} / ((1 - {base unit extraction cost}) * "
            "{initial scenario price})",
            units="$/Year", doc="Extraction at the start, valued at the 2000 price: the rents "
                                "share of GDP over the unit rent at the initial price.")
    blk.aux("initial reserves", "{initial reserve life} * {initial extraction capacity}",
            units="$", doc="Reserve at the start, valued at the 2000 price.")
    blk.aux("base commodity price", "INITIAL({commodity price})", units="Dmnl",
            doc="The commodity price at the start: the base-year price at which the resource "
                "volume enters GDP at constant prices.")
    blk.aux("desired extraction capacity",
            "{initial extraction capacity} * ({expected price} / {base commodity price}) ^ "
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
    blk.aux("resource exports", "{commodity price} * {extraction}", units="$/Year",
            doc="Value of resource output at the world price (raw commodity exports).")
    blk.aux("resource inputs", "{resource input share} * {unit extraction cost} * {extraction}",
            units="$/Year", doc="Intermediate inputs of the resource sector (tradables, "
                                "imported: equipment services, fuel, reagents).")
    blk.aux("resource value added", "{resource exports} - {resource inputs}", units="$/Year",
            doc="Value added of the resource sector at the current price: output less "
                "intermediate inputs (wages, capital income and rents).")
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
