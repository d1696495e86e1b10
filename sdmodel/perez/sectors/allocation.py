"""Sector 2: allocation of fiscal rents (the policy levers) and the sovereign fund.

Fiscal rents are split exactly into five flows: consumption and imports ("squandering"),
deposits in a sovereign fund abroad, and reinvestment, itself split into human capital,
technologization and bottom-up clusters. Reinvestment starts in ``reinvestment start year``;
before that its share is consumed. The fund earns a world return and pays out to the budget by a
spending rule: bird-in-hand (a fixed rate of the fund) or permanent income (the same rate of the
fund plus the present value of the fund's share of the rents still in the ground, at the
long-run price). Reinvestment meets an absorptive
capacity (van der Ploeg and Venables 2011): spending faster than the economy can absorb has
diminishing effect, and the capacity grows with human capital ("investing to invest").

The identities: ``rent consumption + fund deposits + human capital spending + technologization
spending + bottom up spending = fiscal rents`` (when ``fund share + reinvestment share <= 1``
and the three split shares sum to one, which :func:`sdmodel.perez.reference.validate_perez_params`
checks), and ``sovereign fund = deposits + returns - withdrawals`` integrated.

Examples
--------
>>> names = rent_allocation(b)
"""

from __future__ import annotations

from ._block import Block, Param

__all__ = ["rent_allocation", "ALLOCATION_PARAMS", "LEVERS"]

#: Policy levers: their ranges are hard bounds (validated), not plausible ranges.
LEVERS = (
    "reinvestment share", "reinvestment start year", "human capital share",
    "technologization share", "bottom up share", "fund share", "fund spending rate",
    "fund spending rule", "withdrawal investment share",
)

ALLOCATION_PARAMS: dict[str, Param] = {
    "reinvestment share": Param(
        0, "Dmnl", 0, 1,
        "Policy lever: share of fiscal rents reinvested (human capital, technologization, "
        "bottom-up clusters) from the start year on. Default 0: rents are consumed, the "
        "pattern Perez (2010) warns against ('superficial growth and increased imports for "
        "consumption')."),
    "reinvestment start year": Param(
        2004, "Year", 2000, 2060,
        "Policy lever: first year rents are reinvested (before it the reinvestment share is "
        "consumed). Not before the run starts; a year after the run's end means reinvestment "
        "never starts."),
    "human capital share": Param(
        0.4, "Dmnl", 0, 1,
        "Policy lever: share of reinvested rents spent on education and training. The "
        "three split shares must sum to one."),
    "technologization share": Param(
        0.4, "Dmnl", 0, 1,
        "Policy lever: share of reinvested rents spent on technologization (R&D, "
        "technology transfer, specialised suppliers, Perez's 'technologization')."),
    "bottom up share": Param(
        0.2, "Dmnl", 0, 1,
        "Policy lever: share of reinvested rents spent on local clusters (the bottom-up half "
        "of Perez's dual strategy)."),
    "fund share": Param(
        0, "Dmnl", 0, 1,
        "Policy lever: share of fiscal rents deposited in a sovereign fund abroad. "
        "fund share + reinvestment share must not exceed one."),
    "fund spending rate": Param(
        0.04, "1/Year", 0, 0.1,
        "Policy lever: share of the fund (bird-in-hand) or of fund plus subsoil wealth "
        "(permanent income) paid to the budget each year: 4 % in Norway's 2001 fiscal rule, "
        "3 % since 2017."),
    "fund spending rule": Param(
        0, "Dmnl", 0, 1,
        "Policy lever: 0 = bird-in-hand (spend the rate times the fund), 1 = permanent "
        "income (the rate times fund plus the fund's share of rents in the ground)."),
    "withdrawal investment share": Param(
        0, "Dmnl", 0, 1,
        "Policy lever: share of the fund's payouts invested in domestic (T and N) capital "
        "instead of consumed: 'park abroad, invest as capacity grows' (van der Ploeg and "
        "Venables 2011). Default 0: payouts are consumed."),
    "fund return rate": Param(
        0.04, "1/Year", 0.02, 0.06,
        "Real return of the fund abroad (Norway's fund: about 4 % real since 1998)."),
    "minimum drawdown time": Param(
        2, "Year", 1, 5,
        "The permanent-income rule never pays out more than the fund divided by this time."),
    "absorptive capacity ratio": Param(
        0.05, "Dmnl", 0.02, 0.1,
        "Reinvestment the economy can absorb at half efficiency, as a share of GDP at the "
        "initial human capital (public investment scaling-up studies find returns fall "
        "sharply above increases of 2-5 % of GDP; van der Ploeg and Venables 2011)."),
    "absorptive capacity elasticity": Param(
        1, "Dmnl", 0.5, 2,
        "Elasticity of absorptive capacity to human capital ('investing to invest')."),
}


def rent_allocation(
    b,
    *,
    prefix: str = "",
    inputs: dict[str, str] | None = None,
    **params: float,
) -> dict[str, str]:
    """Add the rent allocation, the absorptive capacity and the sovereign fund.

    Parameters
    ----------
    b : sdmodel.Builder
        The model being assembled.
    prefix : str, optional
        Prefix for every name the sector creates.
    inputs : dict, optional
        Wiring of the names read from other sectors: ``fiscal rents``, ``gdp``,
        ``human capital ratio``, ``government take``,
        ``long run price``, ``price boom scale``, ``unit extraction cost``, ``resource reserves``, ``extraction``. By default the
        unprefixed names of the other sectors.
    **params : float
        Overrides of :data:`ALLOCATION_PARAMS` (underscored keys).

    Returns
    -------
    dict
        ``{local name: model name}``; the allocation flows are ``rent consumption``,
        ``fund deposits``, ``human capital spending``, ``technologization spending``,
        ``bottom up spending``; the effective (absorbed) streams are ``effective human capital
        investment``, ``effective technologization``, ``effective bottom up investment``.

    Examples
    --------
    >>> names = rent_allocation(b, reinvestment_share=0.5)
    """
    blk = Block(b, prefix=prefix, inputs=inputs)
    blk.params(ALLOCATION_PARAMS, {k.replace("_", " "): v for k, v in params.items()})
    blk.aux("reinvestment active",
            "IF THEN ELSE(Time >= {reinvestment start year}, 1, 0)", units="Dmnl",
            doc="1 from the reinvestment start year on, else 0.")
    blk.aux("reinvested rents",
            "{fiscal rents} * {reinvestment share} * {reinvestment active}", units="$/Year",
            doc="Fiscal rents reinvested this year.")
    blk.aux("human capital spending", "{reinvested rents} * {human capital share}",
            units="$/Year", doc="Allocation flow: rents spent on education and training.")
    blk.aux("technologization spending", "{reinvested rents} * {technologization share}",
            units="$/Year", doc="Allocation flow: rents spent on technologization.")
    blk.aux("bottom up spending", "{reinvested rents} * {bottom up share}", units="$/Year",
            doc="Allocation flow: rents spent on local clusters.")
    blk.flow("fund deposits", "{fiscal rents} * {fund share}", units="$/Year",
             doc="Allocation flow: rents saved abroad in the sovereign fund.")
    blk.aux("rent consumption",
            "{fiscal rents} * (1 - {fund share} - {reinvestment share} * "
            "{reinvestment active})",
            units="$/Year", doc="Allocation flow: rents spent on public consumption, transfers "
                                "and imports (squandering).")
    blk.flow("fund returns", "{fund return rate} * {sovereign fund}", units="$/Year",
             doc="Real return earned abroad by the fund.")
    blk.aux("subsoil fund wealth",
            "{fund share} * {government take} * {price boom scale} * MAX({long run price} - "
            "{unit extraction cost}, 0) * {extraction} * (1 - EXP(-{fund return rate} * ZIDZ({resource reserves}, "
            "{extraction}))) / {fund return rate}",
            units="$", doc="The fund's claim on rents still in the ground: the present value, "
                           "at the fund's return, of extracting the reserve at the current rate "
                           "and selling it at the long-run price (as Chile's structural balance "
                           "rule values copper at a long-run reference price), scaled like the "
                           "price itself by the price boom scale.")
    blk.flow("fund withdrawals",
             "IF THEN ELSE({fund spending rule} < 0.5, {fund spending rate} * {sovereign fund}, "
             "MIN({fund spending rate} * ({sovereign fund} + {subsoil fund wealth}), "
             "{sovereign fund} / {minimum drawdown time}))",
             units="$/Year", doc="Payments from the fund to the budget by the chosen spending "
                                 "rule, consumed or (withdrawal investment share) invested.")
    blk.stock("sovereign fund", initial=0, inflows=["fund deposits", "fund returns"],
              outflows=["fund withdrawals"], units="$",
              doc="Financial wealth held abroad: deposits + returns - withdrawals.")
    blk.aux("absorptive capacity",
            "{absorptive capacity ratio} * {gdp} * {human capital ratio} ^ "
            "{absorptive capacity elasticity}",
            units="$/Year", doc="Reinvestment absorbed at half efficiency; grows with GDP and "
                                "human capital.")
    blk.aux("absorption efficiency",
            "1 / (1 + {reinvested rents} / {absorptive capacity})", units="Dmnl",
            doc="Share of reinvestment that builds capacity; the rest is lost to bottlenecks "
                "and higher prices of non-tradables (van der Ploeg and Venables 2011).")
    blk.aux("effective human capital investment",
            "{human capital spending} * {absorption efficiency}", units="$/Year",
            doc="Education spending that builds human capital.")
    blk.aux("effective technologization",
            "{technologization spending} * {absorption efficiency}", units="$/Year",
            doc="Technologization spending that builds capability.")
    blk.aux("effective bottom up investment",
            "{bottom up spending} * {absorption efficiency}", units="$/Year",
            doc="Cluster spending that builds local capacity.")
    return dict(blk.created)
