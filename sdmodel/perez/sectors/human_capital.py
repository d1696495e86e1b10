"""Sector 3: schooling, the education pipeline and Mincer human capital.

Average years of schooling of the labour force ``s`` follow a baseline trend (``schooling
growth``, before any policy) plus the extra schooling bought by rent-funded education: spending
buys school years of the labour force at a cost per year and per member of the labour force (a
share of GDP per person); the extra years reach the labour force after a third-order delay of
about six years (from enrolment to graduates at work) and leave it as schooled workers retire.
Human capital per worker is the Penn World Table mapping of schooling (Caselli 2005; PWT 9-10,
``hc``): ``h = exp(phi(s))`` with Mincer returns 13.4 % for the first 4 years, 10.1 % for the
next 4 and 6.8 % beyond 8 (Psacharopoulos 1994). ``h`` enters production (labour-augmenting,
:mod:`sdmodel.perez.sectors.economy`).

Examples
--------
>>> names = human_capital(b, education_delay=6)
"""

from __future__ import annotations

from ._block import Block, Param

__all__ = ["human_capital", "HUMAN_CAPITAL_PARAMS", "mincer"]

#: (years up to which the return applies, return per year) of the PWT mapping.
MINCER = ((4.0, 0.134), (8.0, 0.101), (float("inf"), 0.068))

HUMAN_CAPITAL_PARAMS: dict[str, Param] = {
    "initial schooling years": Param(
        7.5, "Year", 4, 12,
        "Interface constant: average years of schooling of the population 25+ at the start "
        "(Barro and Lee 2013: Latin America about 7 in 2000; PWT hc inverted by the Mincer "
        "mapping)."),
    "schooling growth": Param(
        0.08, "Dmnl", 0, 0.15,
        "Interface constant: baseline trend of schooling, years per year, before any policy "
        "(Barro-Lee: Latin America gained about 0.8-1 year per decade 1990-2010)."),
    "education delay": Param(
        6, "Year", 3, 10,
        "Average time from rent-funded enrolment to graduates in the labour force (secondary to "
        "tertiary and technical training: 3-10 years); third-order delay."),
    "human capital depreciation rate": Param(
        0.025, "1/Year", 0.01, 0.06,
        "Share of the extra schooling leaving the labour force per year (retirement after a "
        "working life of about 40 years, obsolescence and emigration)."),
    "schooling cost share": Param(
        0.4, "Dmnl", 0.2, 0.8,
        "Full cost of one more year of schooling per member of the labour force, as a share of "
        "GDP per person: direct spending per secondary student of 15-20 % of GDP per person "
        "(Latin America, UNESCO UIS; tertiary more) plus a student's foregone earnings of about "
        "20 % (young part-time earners; students are not taken out of the labour force in the model, so their lost "
        "output is charged here). With Mincer returns of 7-13 % the policy then pays its cost "
        "back in about a decade of graduates at work."),
}


def mincer(years: float) -> float:
    """The exponent phi(s) of the PWT schooling-to-human-capital mapping.

    Examples
    --------
    >>> round(mincer(10.0), 3)
    1.076
    """
    total, lower = 0.0, 0.0
    for upper, rate in MINCER:
        total += rate * max(min(years, upper) - lower, 0.0)
        lower = upper
    return total


def human_capital(
    b,
    *,
    prefix: str = "",
    inputs: dict[str, str] | None = None,
    **params: float,
) -> dict[str, str]:
    """Add schooling, the education pipeline and human capital.

    Parameters
    ----------
    b : sdmodel.Builder
        The model being assembled.
    prefix : str, optional
        Prefix for every name the sector creates.
    inputs : dict, optional
        Wiring of ``effective human capital investment`` ($/Year), ``gdp per capita`` and
        ``labour force``.
    **params : float
        Overrides of :data:`HUMAN_CAPITAL_PARAMS` (underscored keys).

    Returns
    -------
    dict
        ``{local name: model name}``, including ``schooling years``, ``human capital`` and
        ``students in education``.

    Examples
    --------
    >>> names = human_capital(b, human_capital_depreciation_rate=0.05)
    """
    blk = Block(b, prefix=prefix, inputs=inputs)
    blk.params(HUMAN_CAPITAL_PARAMS, {k.replace("_", " "): v for k, v in params.items()})
    blk.flow("baseline schooling growth", "{schooling growth}", units="Dmnl",
             doc="Years of schooling added per year by the baseline trend.")
    blk.stock("baseline schooling", initial="{initial schooling years}",
              inflows=["baseline schooling growth"], units="Year",
              doc="Schooling of the labour force without rent-funded education.")
    blk.aux("schooling year cost",
            "{schooling cost share} * {gdp per capita} * {labour force}", units="$/Year",
            doc="Spending a year that adds one year of schooling to the whole labour force "
                "(per year of schooling).")
    blk.flow("enrolment", "{effective human capital investment} / {schooling year cost}",
             units="Dmnl", doc="Years of schooling of the labour force bought per year.")
    blk.flow("graduation", "DELAY3I({enrolment}, {education delay}, 0)", units="Dmnl",
             doc="Extra schooling reaching the labour force: enrolment after a third-order "
                 "delay.")
    blk.stock("students in education", initial=0, inflows=["enrolment"],
              outflows=["graduation"], units="Year",
              doc="The education pipeline: extra schooling in training.")
    blk.flow("schooling depreciation", "{human capital depreciation rate} * {extra schooling}",
             units="Dmnl", doc="Extra schooling leaving the labour force.")
    blk.stock("extra schooling", initial=0, inflows=["graduation"],
              outflows=["schooling depreciation"], units="Year",
              doc="Years of schooling of the labour force added by rent-funded education.")
    blk.aux("schooling years", "{baseline schooling} + {extra schooling}", units="Year",
            doc="Average years of schooling of the labour force, s.")
    terms, lower = [], 0.0
    for upper, rate in MINCER:
        hi = "{schooling years}" if upper == float("inf") else f"MIN({{schooling years}}, {upper:g} * {{one year}})"
        terms.append(f"{rate:g} * MAX({hi} - {lower:g} * {{one year}}, 0)")
        lower = upper
    blk.aux("mincer exponent", "(" + " + ".join(terms) + ") / {one year}", units="Dmnl",
            doc="phi(s): 0.134 per year of schooling up to 4, 0.101 from 4 to 8, 0.068 beyond "
                "(the PWT mapping; Psacharopoulos 1994).")
    blk.aux("human capital", "EXP({mincer exponent})", units="Dmnl",
            doc="Human capital per worker h = exp(phi(s)), the PWT hc index.")
    return dict(blk.created)
