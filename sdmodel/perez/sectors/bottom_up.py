"""Sector 8: the bottom-up strand of the dual model: local clusters, employment and poverty.

Pérez (2010, section III): resource-processing industries are skill- and capital-intensive and
"cannot do enough to reduce the gulf between rich and poor"; a bottom-up strand must develop "the
wealth-creating capacity of each part of the territory" through local clusters aimed at niche
markets (tourism, organic and gourmet food, artisan goods) — the "poverty fighters". Here
clusters are a stock of output capacity, built by a baseline formation that keeps them at their
share of a growing economy plus rent-funded bottom-up investment, and declining (faster under
real appreciation: tourism and niche foods are tradable). Modern employment (T, N, R; see
:mod:`sdmodel.perez.sectors.economy`) is a fixed share of the labour force; clusters hire from
the rest at a low output per worker, and whoever they do not hire is unemployed, so employment
never exceeds the labour force. The poverty rate moves with the unemployment rate and GNI per
person, and falls with rent-funded social transfers only while they flow.

Examples
--------
>>> names = bottom_up(b)
"""

from __future__ import annotations

from ._block import Block, Param

__all__ = ["bottom_up", "BOTTOM_UP_PARAMS"]

BOTTOM_UP_PARAMS: dict[str, Param] = {
    "initial cluster share": Param(
        0.033, "Dmnl", 0.02, 0.05,
        "Output of local clusters at the start as a share of GDP (about 3 %: community "
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
    "cluster productivity ratio": Param(
        0.3, "Dmnl", 0.2, 0.5,
        "Output per cluster worker relative to the average output per employed person at the "
        "start: the labour-intensive 'poverty fighters' (informal and small-firm "
        "productivity is 20-50 % of the average in Latin America; IDB 2010, The Age of "
        "Productivity)."),
    "cluster hiring limit": Param(
        0.9, "Dmnl", 0.8, 0.95,
        "Largest share of the workers outside modern employment that clusters can hire "
        "(the rest are frictionally unemployed)."),
    "initial poverty rate": Param(
        0.42, "Dmnl", 0.3, 0.5,
        "Share of the population in poverty at the start (ECLAC: 44 % in Latin America, "
        "2002)."),
    "poverty floor": Param(
        0.05, "Dmnl", 0.02, 0.1,
        "Poverty that jobs and growth alone do not remove (old age, disability, remote "
        "households): the lowest rates in the region are near 5-10 %."),
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
        "Elasticity of the poverty rate (above its floor) to the unemployment rate."),
    "poverty income elasticity": Param(
        0.8, "Dmnl", 0.4, 1.5,
        "Elasticity of the poverty rate (above its floor) to GNI per person (growth "
        "elasticities of moderate poverty of 0.5-2; Ravallion and Chen 1997, Bourguignon "
        "2003)."),
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
        ``world frontier``, ``frontier tfp growth``, ``nontradable tfp index``, ``initial
        gdp``, ``initial labour force``, ``initial unemployment rate``, ``labour force``,
        ``modern employment``, ``rent funded consumption``, ``gdp`` and ``gni per capita``.
    **params : float
        Overrides of :data:`BOTTOM_UP_PARAMS` (underscored keys).

    Returns
    -------
    dict
        ``{local name: model name}``, including ``cluster output``, ``cluster job demand``,
        ``total employment``, ``unemployment rate`` and ``poverty rate``.

    Examples
    --------
    >>> names = bottom_up(b)
    """
    blk = Block(b, prefix=prefix, inputs=inputs)
    blk.params(BOTTOM_UP_PARAMS, {k.replace("_", " "): v for k, v in params.items()})
    blk.aux("initial cluster output", "{initial cluster share} * {initial gdp}", units="$/Year",
            doc="Output of local clusters at the start.")
    blk.flow("cluster formation",
             "({cluster decline rate} + {frontier tfp growth}) * {initial cluster output} * "
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
    blk.aux("cluster output per worker",
            "{cluster productivity ratio} * {initial gdp} / ({initial labour force} * "
            "(1 - {initial unemployment rate})) * {nontradable tfp index}",
            units="$/(Person*Year)", doc="Output per cluster worker: a share of the initial "
                                         "average, growing like service productivity.")
    blk.aux("cluster job demand", "{cluster output} / {cluster output per worker}",
            units="Person", doc="Workers clusters need for their output.")
    blk.aux("job pool", "{labour force} - {modern employment}", units="Person",
            doc="Workers outside modern employment (T, N, R): cluster workers and the "
                "unemployed.")
    blk.aux("cluster employment",
            "MIN({cluster job demand}, {cluster hiring limit} * {job pool})", units="Person",
            doc="Jobs in local clusters, at most the hiring limit of the pool.")
    blk.aux("total employment", "{modern employment} + {cluster employment}", units="Person",
            doc="Employed people; at most the labour force.")
    blk.aux("unemployment", "{labour force} - {total employment}", units="Person",
            doc="Unemployed people (the pool not hired by clusters).")
    blk.aux("unemployment rate", "{unemployment} / {labour force}", units="Dmnl",
            doc="Unemployment over the labour force.")
    blk.aux("employment rate", "{total employment} / {labour force}", units="Dmnl",
            doc="Employment over the labour force (one minus the unemployment rate).")
    blk.aux("social transfers", "{transfer share} * {rent funded consumption}",
            units="$/Year", doc="Rent-funded transfers reaching the poor (only while rents or "
                                "fund payouts flow).")
    blk.aux("transfer ratio", "{social transfers} / {gdp}", units="Dmnl",
            doc="Social transfers relative to GDP.")
    blk.aux("poverty rate",
            "MIN({poverty floor} + ({initial poverty rate} - {poverty floor}) * "
            "({unemployment rate} / INITIAL({unemployment rate})) ^ {poverty elasticity} * "
            "({gni per capita} / INITIAL({gni per capita})) ^ (-{poverty income elasticity}) * "
            "EXP(-{transfer poverty effect} * ({transfer ratio} - INITIAL({transfer ratio}))), 1)",
            units="Dmnl", doc="Share of the population in poverty: a floor plus a part moving "
                              "with unemployment and GNI per person and lowered by rent-funded "
                              "transfers while they last.")
    return dict(blk.created)
