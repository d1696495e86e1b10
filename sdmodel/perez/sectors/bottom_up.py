"""Sector 8: the bottom-up strand of the dual model: local clusters, employment and poverty.

Pérez (2010, section III): resource-processing industries are skill- and capital-intensive and
"cannot do enough to reduce the gulf between rich and poor"; a bottom-up strand must develop "the
wealth-creating capacity of each part of the territory" through local clusters aimed at niche
markets (tourism, organic and gourmet food, artisan goods) — the "poverty fighters". Here
clusters are a stock of output capacity, built by a baseline formation that keeps them at their
share of a growing economy plus rent-funded bottom-up investment, and declining (faster under
real appreciation: tourism and niche foods are tradable). Employment is output times labour
intensity in each activity: clusters employ many people per unit of output, resource extraction
and upgraded exports few, and labour intensity falls with productivity. The poverty rate moves
with the share of the labour force without a decent job, and falls with rent-funded social
transfers only while they flow.

Examples
--------
>>> names = bottom_up(b)
"""

from __future__ import annotations

from ._block import Block, Param

__all__ = ["bottom_up", "BOTTOM_UP_PARAMS"]

BOTTOM_UP_PARAMS: dict[str, Param] = {
    "initial cluster output": Param(
        6e9, "$/Year", 4e9, 8e9,
        "Output of local clusters in 2000 (6 billion $ a year, about 3 % of GDP: community "
        "tourism, artisan and niche food producers)."),
    "cluster capital productivity": Param(
        0.4, "1/Year", 0.2, 0.6,
        "Annual cluster output per $ invested (capital-output ratio of about 2.5 for "
        "labour-intensive local activities)."),
    "cluster decline rate": Param(
        0.08, "1/Year", 0.05, 0.12,
        "Share of cluster capacity lost per year at the initial exchange rate (small firms' "
        "exit rates)."),
    "cluster exchange rate elasticity": Param(
        0.5, "Dmnl", 0.25, 1,
        "Elasticity of cluster decline to the real exchange rate (tourism and niche food "
        "exports are partly tradable)."),
    "resource labour intensity": Param(
        1e-5, "Person*Year/$", 5e-6, 2e-5,
        "Jobs per $ a year of resource output in 2000: one job per $100 000 of output a year "
        "in mining and oil."),
    "upgraded labour intensity": Param(
        3e-5, "Person*Year/$", 2e-5, 5e-5,
        "Jobs per $ a year of processed, speciality and niche exports (one job per about "
        "$33 000 of output a year): skill- and capital-intensive process industries."),
    "other tradables labour intensity": Param(
        6e-5, "Person*Year/$", 4e-5, 8e-5,
        "Jobs per $ a year of fabrication output (one job per about $17 000 of output a "
        "year)."),
    "cluster labour intensity": Param(
        2.5e-4, "Person*Year/$", 1.5e-4, 3.5e-4,
        "Jobs per $ a year of cluster output (one job per $4 000 of output a year): the "
        "labour-intensive 'poverty fighters'."),
    "nontradable labour intensity": Param(
        8e-5, "Person*Year/$", 6e-5, 1e-4,
        "Jobs per $ a year of non-tradable output (one job per $12 500 of output a year)."),
    "modern productivity elasticity": Param(
        0.7, "Dmnl", 0.5, 0.9,
        "Elasticity of labour productivity in resource, upgraded and fabrication activities "
        "to technological capability (part of output growth comes from more workers)."),
    "service productivity share": Param(
        0.4, "Dmnl", 0.25, 0.55,
        "Labour productivity in non-tradables and clusters grows at this share of the "
        "frontier's growth (Baumol: services lag)."),
    "participation rate": Param(
        0.45, "Dmnl", 0.45, 0.45,
        "Labour force per person (ILO: about 45 % of the population in Latin America). "
        "Fixed: only the employment rate's level depends on it."),
    "labour market friction": Param(
        8, "Dmnl", 4, 16,
        "Exponent n of the smooth cap of the employment rate, e = x / (1 + x^n)^(1/n) with x = "
        "jobs / labour force: frictional unemployment keeps e below 1 as labour demand "
        "approaches the labour force (higher n: a sharper cap)."),
    "initial poverty rate": Param(
        0.42, "Dmnl", 0.3, 0.5,
        "Share of the population in poverty in 2000 (ECLAC: 44 % in Latin America, 2002)."),
    "poverty floor": Param(
        0.05, "Dmnl", 0.02, 0.1,
        "Poverty that jobs alone do not remove (old age, disability, remote households): "
        "the lowest rates in the region are near 5-10 %."),
    "transfer share": Param(
        0.2, "Dmnl", 0.1, 0.4,
        "Share of rent-funded public consumption (and fund payouts) reaching the poor as "
        "social transfers (conditional cash transfers, pensions)."),
    "transfer poverty effect": Param(
        10, "Dmnl", 5, 20,
        "Proportional fall in poverty per unit of transfers / GDP: transfers of 1 % of GDP "
        "lower the poverty rate by about 10 % (Latin American conditional cash transfer "
        "programmes of 0.3-0.5 % of GDP lowered poverty by a few points)."),
    "poverty elasticity": Param(
        0.8, "Dmnl", 0.5, 1.2,
        "Elasticity of the poverty rate to the share of the labour force without a decent "
        "job."),
}


def bottom_up(
    b,
    *,
    prefix: str = "",
    inputs: dict[str, str] | None = None,
    **params: float,
) -> dict[str, str]:
    """Add local clusters, employment by activity, the employment rate and the poverty rate.

    Parameters
    ----------
    b : sdmodel.Builder
        The model being assembled.
    prefix : str, optional
        Prefix for every name the sector creates.
    inputs : dict, optional
        Wiring of ``effective bottom up investment``, ``real exchange rate``,
        ``world frontier``, ``frontier growth rate``, ``technological capability``,
        ``initial capability``,
        ``extraction``, ``upgraded exports``, ``other tradables output``,
        ``nontradable output``, ``population``, ``rent consumption``, ``fund withdrawals``
        and ``gdp``.
    **params : float
        Overrides of :data:`BOTTOM_UP_PARAMS` (underscored keys).

    Returns
    -------
    dict
        ``{local name: model name}``, including ``cluster output``, ``total employment``,
        ``employment rate`` and ``poverty rate``.

    Examples
    --------
    >>> names = bottom_up(b)
    """
    blk = Block(b, prefix=prefix, inputs=inputs)
    blk.params(BOTTOM_UP_PARAMS, {k.replace("_", " "): v for k, v in params.items()})
    blk.flow("cluster formation",
             "({cluster decline rate} + {frontier growth rate}) * {initial cluster output} * "
             "{world frontier} + "
             "{effective bottom up investment} * {cluster capital productivity}",
             units="$/Year/Year", doc="New cluster capacity: a baseline keeping clusters at "
                                      "their share of a growing economy, plus what rent-funded "
                                      "bottom-up investment builds.")
    blk.flow("cluster decline",
             "{cluster decline rate} * {cluster output} * {real exchange rate} ^ "
             "{cluster exchange rate elasticity}",
             units="$/Year/Year", doc="Cluster capacity lost, more under real appreciation.")
    blk.stock("cluster output", initial="{initial cluster output}",
              inflows=["cluster formation"], outflows=["cluster decline"], units="$/Year",
              doc="Output of local clusters (the bottom-up half of the dual model).")
    blk.aux("modern productivity",
            "({technological capability} / {initial capability}) ^ "
            "{modern productivity elasticity}",
            units="Dmnl", doc="Labour productivity in resource, upgraded and fabrication "
                              "activities relative to 2000.")
    blk.aux("service productivity", "{world frontier} ^ {service productivity share}",
            units="Dmnl", doc="Labour productivity in non-tradables and clusters relative to "
                              "2000.")
    blk.aux("cluster employment",
            "{cluster output} * {cluster labour intensity} / {service productivity}",
            units="Person", doc="Jobs in local clusters.")
    blk.aux("top down employment",
            "({resource labour intensity} * {extraction} + {upgraded labour intensity} * "
            "{upgraded exports} + {other tradables labour intensity} * "
            "{other tradables output}) / {modern productivity}",
            units="Person", doc="Jobs in resource extraction, upgraded exports and "
                                "fabrication.")
    blk.aux("nontradable employment",
            "{nontradable output} * {nontradable labour intensity} / {service productivity}",
            units="Person", doc="Jobs in non-tradables.")
    blk.aux("total employment",
            "{cluster employment} + {top down employment} + {nontradable employment}",
            units="Person", doc="Decent jobs in the economy.")
    blk.aux("labour force", "{participation rate} * {population}", units="Person",
            doc="Labour force.")
    blk.aux("labour demand ratio", "{total employment} / {labour force}", units="Dmnl",
            doc="Decent jobs offered per member of the labour force.")
    blk.aux("employment rate",
            "{labour demand ratio} / (1 + {labour demand ratio} ^ {labour market friction}) ^ "
            "(1 / {labour market friction})",
            units="Dmnl", doc="Share of the labour force in decent jobs (the rest are unemployed "
                              "or informal): the labour demand ratio, smoothly capped below 1 "
                              "by frictional unemployment.")
    blk.aux("social transfers", "{transfer share} * ({rent consumption} + {fund withdrawals})",
            units="$/Year", doc="Rent-funded transfers reaching the poor (only while rents or "
                                "fund payouts flow).")
    blk.aux("transfer ratio", "{social transfers} / {gdp}", units="Dmnl",
            doc="Social transfers relative to GDP.")
    blk.aux("poverty rate",
            "MIN({poverty floor} + ({initial poverty rate} - {poverty floor}) * ((1 - "
            "{employment rate}) / (1 - INITIAL({employment rate}))) ^ {poverty elasticity} * "
            "EXP(-{transfer poverty effect} * ({transfer ratio} - INITIAL({transfer ratio}))), 1)",
            units="Dmnl", doc="Share of the population in poverty: a floor plus a part moving "
                              "with the share of the labour force without a decent job and "
                              "lowered by rent-funded transfers while they last.")
    return dict(blk.created)
