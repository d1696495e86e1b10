"""Sector 9: macro accounts: GDP, population, consumption, imports and exports.

GDP is resource value added (at the world price, so it includes terms-of-trade gains) plus the
upgraded export tiers, the other tradables, local clusters and non-tradables. Non-tradable output
is demand-determined: a multiple of the income earned in tradables other than rents, plus the
rent-funded demand for non-tradables (so squandered rents raise GDP only while they flow).
Consumption is private consumption out of disposable income plus rent-funded public consumption
and fund payouts; imports are the tradable content of spending.

Examples
--------
>>> names = macro_accounts(b)
"""

from __future__ import annotations

from ._block import Block, Param

__all__ = ["macro_accounts", "MACRO_PARAMS"]

MACRO_PARAMS: dict[str, Param] = {
    "nontradable income ratio": Param(
        1.5, "Dmnl", 1.2, 1.8,
        "Non-tradable output per $ of non-rent tradable income (non-tradables are about 55-60 "
        "% of GDP in Latin America)."),
    "rent spending multiplier": Param(
        1, "Dmnl", 0.8, 1.5,
        "Non-tradable output per $ of rent-funded non-tradable demand (below 1 if part of it "
        "only raises prices; above 1 with Keynesian second-round effects)."),
    "initial population": Param(
        4e7, "Person", 4e7, 4e7,
        "Population in 2000: 40 million (a mid-sized Latin American economy). Fixed: sets the "
        "scale."),
    "initial population growth": Param(
        0.011, "1/Year", 0.008, 0.014,
        "Population growth in 2000 (Latin America about 1.3 %/yr in 2000 and 0.9 %/yr in "
        "2020, UN World Population Prospects)."),
    "demographic transition time": Param(
        35, "Year", 25, 50,
        "Time constant of the decline of population growth (UN WPP: Latin American "
        "population growth falls toward zero by about 2055)."),
    "private consumption propensity": Param(
        0.65, "Dmnl", 0.55, 0.75,
        "Private consumption per $ of private disposable income (WDI: household consumption "
        "of 60-70 % of GDP in Latin America)."),
    "other tradables export share": Param(
        0.3, "Dmnl", 0.2, 0.5, "Share of fabrication output exported."),
    "cluster export share": Param(
        0.3, "Dmnl", 0.1, 0.5, "Share of cluster output sold abroad (tourism, niche food)."),
}


def macro_accounts(
    b,
    *,
    prefix: str = "",
    inputs: dict[str, str] | None = None,
    **params: float,
) -> dict[str, str]:
    """Add GDP, non-tradables, population, GDP per capita, consumption, imports and exports.

    Parameters
    ----------
    b : sdmodel.Builder
        The model being assembled.
    prefix : str, optional
        Prefix for every name the sector creates.
    inputs : dict, optional
        Wiring of ``resource value added``, ``resource rents``, ``fiscal rents``,
        ``repatriated rents``, ``upgraded exports``, ``other tradables output``,
        ``cluster output``, ``rent nontradable demand``, ``rent consumption``,
        ``fund withdrawals``, the reinvestment spending streams and the non-tradable contents.
    **params : float
        Overrides of :data:`MACRO_PARAMS` (underscored keys).

    Returns
    -------
    dict
        ``{local name: model name}``, including ``GDP``, ``gdp per capita``, ``consumption``,
        ``imports``, ``total exports``, ``non resource export share`` and
        ``non resource tradable output``.

    Examples
    --------
    >>> names = macro_accounts(b)
    """
    blk = Block(b, prefix=prefix, inputs=inputs)
    blk.params(MACRO_PARAMS, {k.replace("_", " "): v for k, v in params.items()})
    blk.aux("non resource tradable output", "{upgraded exports} + {other tradables output}",
            units="$/Year", doc="Output of the top-down non-resource tradables (upgraded "
                                "exports and fabrication): the base of learning-by-doing.")
    blk.aux("non rent tradable income",
            "{resource value added} - {resource rents} + {non resource tradable output} + "
            "{cluster output}",
            units="$/Year", doc="Income from tradables other than rents (resource sector "
                                "costs are wages and local inputs).")
    blk.aux("nontradable output",
            "{nontradable income ratio} * {non rent tradable income} + "
            "{rent spending multiplier} * {rent nontradable demand}",
            units="$/Year", doc="Demand-determined non-tradable output.")
    blk.aux("GDP",
            "{resource value added} + {non resource tradable output} + {cluster output} + "
            "{nontradable output}",
            units="$/Year", doc="Gross domestic product, constant $ a year (resource output "
                                "at the world price).")
    blk.aux("population growth rate",
            "{initial population growth} * EXP((INITIAL TIME - Time) / "
            "{demographic transition time})",
            units="1/Year", doc="Population growth, declining with the demographic transition.")
    blk.flow("population change", "{population growth rate} * {population}",
             units="Person/Year", doc="Net population growth.")
    blk.stock("population", initial="{initial population}", inflows=["population change"],
              units="Person", doc="Population.")
    blk.aux("gdp per capita", "{GDP} / {population}", units="$/(Person*Year)",
            doc="GDP per person, constant $ a year (comparable with WDI NY.GDP.PCAP.KD; about "
                "4 500 in 2000).")
    blk.aux("consumption",
            "{private consumption propensity} * ({GDP} - {fiscal rents} - {repatriated rents})"
            " + {rent consumption} + {fund withdrawals}",
            units="$/Year", doc="Private consumption out of disposable income plus rent-funded "
                                "public consumption and fund payouts.")
    blk.aux("imports",
            "(1 - {consumption nontradable content}) * {consumption} + (1 - "
            "{education nontradable content}) * {human capital spending} + (1 - "
            "{technologization nontradable content}) * {technologization spending} + (1 - "
            "{cluster nontradable content}) * {bottom up spending}",
            units="$/Year", doc="Imports: the tradable content of consumption and of "
                                "reinvestment.")
    blk.aux("total exports",
            "{resource value added} + {upgraded exports} + {other tradables export share} * "
            "{other tradables output} + {cluster export share} * {cluster output}",
            units="$/Year", doc="Exports: raw commodities, upgraded tiers, part of fabrication "
                                "and of cluster output.")
    blk.aux("non resource export share",
            "({total exports} - {resource value added}) / {total exports}", units="Dmnl",
            doc="Share of exports other than raw commodities.")
    return dict(blk.created)
