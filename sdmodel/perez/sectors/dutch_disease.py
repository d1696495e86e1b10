"""Sector 6: Dutch disease through the real exchange rate; the other non-resource tradables.

Rents spent at home raise the demand for non-tradables and so their relative price: the real
exchange rate (index, 2000 = 1, higher = appreciation, as the WDI REER) adjusts toward a target
raised by rent-funded spending on non-tradables relative to GDP (the spending effect of Corden
and Neary 1982). Each spending stream has its own non-tradable content: consumption and
education are mostly domestic services, technologization is import-intensive (equipment,
licences, foreign experts), fund deposits are spent abroad. The adjustment half-life is about
eight months (Cashin, Céspedes and Sahay 2004). Appreciation shrinks the other (fabrication)
tradables: their capacity follows a target that falls with appreciation and rises with
capability; it closes fast and rebuilds slowly, and the learning lost while it is small is not
regained (:mod:`sdmodel.perez.sectors.technology`; van Wijnbergen 1984; Krugman 1987).

Examples
--------
>>> names = dutch_disease(b)
"""

from __future__ import annotations

from ._block import Block, Param

__all__ = ["dutch_disease", "DUTCH_DISEASE_PARAMS"]

DUTCH_DISEASE_PARAMS: dict[str, Param] = {
    "rer half life": Param(
        0.67, "Year", 0.33, 2,
        "Half-life of real exchange rate deviations from its target: about 8 months for "
        "commodity currencies (Cashin, Cespedes and Sahay 2004)."),
    "spending effect": Param(
        3, "Dmnl", 1.5, 5,
        "Log real appreciation per unit of rent-funded non-tradable demand / GDP: spending a "
        "windfall of 10 % of GDP, 60 % on non-tradables, appreciates by about 20 % (commodity "
        "currency elasticities to the terms of trade of 0.3-0.5)."),
    "consumption nontradable content": Param(
        0.6, "Dmnl", 0.4, 0.8,
        "Share of rent-funded consumption and transfers spent on non-tradables (the rest "
        "is imports)."),
    "education nontradable content": Param(
        0.7, "Dmnl", 0.5, 0.9,
        "Share of education and training spending on non-tradables (mostly salaries)."),
    "technologization nontradable content": Param(
        0.3, "Dmnl", 0.1, 0.5,
        "Share of technologization spending on non-tradables (most is imported equipment, "
        "licences and foreign expertise)."),
    "cluster nontradable content": Param(
        0.6, "Dmnl", 0.4, 0.8,
        "Share of bottom-up cluster spending on non-tradables (local construction, services)."),
    "initial other tradables": Param(
        4e10, "$/Year", 4e10, 4e10,
        "Output of the other (fabrication) non-resource tradables in 2000: 40 billion $ a "
        "year, 22 % of GDP. Fixed: sets the scale of the stylised economy."),
    "other tradables exchange rate elasticity": Param(
        1.5, "Dmnl", 0.75, 3,
        "Elasticity of desired fabrication capacity to the real exchange rate: price-sensitive "
        "'commodity corner' manufactures (Perez Figure 2) competing with Asia."),
    "other tradables build time": Param(
        8, "Year", 4, 12, "Time to rebuild fabrication capacity toward its target."),
    "other tradables closure time": Param(
        3, "Year", 1, 5, "Time to close fabrication capacity above its target (faster than "
                         "building: hysteresis)."),
}


def dutch_disease(
    b,
    *,
    prefix: str = "",
    inputs: dict[str, str] | None = None,
    **params: float,
) -> dict[str, str]:
    """Add the real exchange rate and the other non-resource tradables.

    Parameters
    ----------
    b : sdmodel.Builder
        The model being assembled.
    prefix : str, optional
        Prefix for every name the sector creates.
    inputs : dict, optional
        Wiring of the spending streams (``rent consumption``, ``fund withdrawals``,
        ``domestic private rents``, ``human capital spending``, ``technologization
        spending``, ``bottom up spending``), ``gdp``, ``technological capability``,
        ``initial capability`` and ``frontier growth rate``.
    **params : float
        Overrides of :data:`DUTCH_DISEASE_PARAMS` (underscored keys).

    Returns
    -------
    dict
        ``{local name: model name}``, including ``real exchange rate`` and
        ``other tradables output``.

    Examples
    --------
    >>> names = dutch_disease(b, spending_effect=2)
    """
    blk = Block(b, prefix=prefix, inputs=inputs)
    blk.params(DUTCH_DISEASE_PARAMS, {k.replace("_", " "): v for k, v in params.items()})
    blk.aux("rent nontradable demand",
            "{consumption nontradable content} * ({rent consumption} + {fund withdrawals} + "
            "{domestic private rents}) + {education nontradable content} * "
            "{human capital spending} + {technologization nontradable content} * "
            "{technologization spending} + {cluster nontradable content} * "
            "{bottom up spending}",
            units="$/Year", doc="Rent-funded demand for non-tradables (fund deposits are spent "
                                "abroad and add nothing).")
    blk.aux("spending pressure", "{rent nontradable demand} / {gdp}", units="Dmnl",
            doc="Rent-funded non-tradable demand relative to GDP.")
    blk.aux("target real exchange rate",
            "EXP({spending effect} * ({spending pressure} - INITIAL({spending pressure})))",
            units="Dmnl", doc="Real exchange rate the spending effect pushes toward, relative "
                              "to the pressure of 2000 (Corden and Neary 1982).")
    blk.aux("rer adjustment time", "{rer half life} / LN(2)", units="Year",
            doc="Time constant of real exchange rate adjustment (half-life / ln 2).")
    blk.flow("rer change",
             "({target real exchange rate} - {real exchange rate}) / {rer adjustment time}",
             units="1/Year", doc="Adjustment of the real exchange rate toward its target.")
    blk.stock("real exchange rate", initial=1, inflows=["rer change"], units="Dmnl",
              doc="Real exchange rate index (2000 = 1; higher = real appreciation).")
    blk.aux("other tradables target",
            "{initial other tradables} * {technological capability} / {initial capability} * "
            "{real exchange rate} ^ (-{other tradables exchange rate elasticity})",
            units="$/Year", doc="Fabrication output sustainable at current productivity and "
                                "exchange rate.")
    blk.flow("other tradables change",
             "{frontier growth rate} * {other tradables output} + IF THEN ELSE("
             "{other tradables target} > {other tradables output}, ({other tradables target} - "
             "{other tradables output}) / {other tradables build time}, "
             "({other tradables target} - {other tradables output}) / "
             "{other tradables closure time})",
             units="$/Year/Year", doc="Capacity grows with the trend (frontier growth) and "
                                      "moves toward the target: built slowly below it, closed "
                                      "fast above it.")
    blk.stock("other tradables output", initial="{initial other tradables}",
              inflows=["other tradables change"], units="$/Year",
              doc="Output of the other (fabrication) non-resource tradables.")
    return dict(blk.created)
