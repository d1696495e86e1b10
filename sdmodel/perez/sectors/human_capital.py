"""Sector 3: human capital with an education pipeline.

Enrolment (a baseline that just replaces depreciation, plus what rent-funded education buys)
enters an education pipeline and graduates after a third-order delay of about six years; the
graduates add to a human-capital stock (an index, 2000 = 1) that depreciates as skills become
obsolete and skilled people retire or emigrate. Without extra spending the stock stays at its
initial level.

Examples
--------
>>> names = human_capital(b, education_delay=6)
"""

from __future__ import annotations

from ._block import Block, Param

__all__ = ["human_capital", "HUMAN_CAPITAL_PARAMS"]

HUMAN_CAPITAL_PARAMS: dict[str, Param] = {
    "initial human capital": Param(
        1, "Dmnl", 1, 1,
        "Human capital index in 2000 (= 1 by definition; fixed)."),
    "education delay": Param(
        6, "Year", 3, 10,
        "Average time from enrolment to a skilled graduate (secondary to tertiary and "
        "technical training: 3-10 years); third-order delay."),
    "human capital depreciation rate": Param(
        0.03, "1/Year", 0.01, 0.06,
        "Loss of skills per year through obsolescence, retirement and emigration "
        "(estimates of human-capital depreciation range 1-6 %/yr)."),
    "cost of human capital": Param(
        3e11, "$", 1.5e11, 6e11,
        "Spending that adds one unit to the human capital index (300 billion $): baseline "
        "education spending of about 5 % of the initial GDP (9 billion $ a year) maintains the "
        "index against 3 %/yr depreciation, i.e. 300 billion $ per unit."),
}


def human_capital(
    b,
    *,
    prefix: str = "",
    inputs: dict[str, str] | None = None,
    **params: float,
) -> dict[str, str]:
    """Add the education pipeline and the human-capital stock.

    Parameters
    ----------
    b : sdmodel.Builder
        The model being assembled.
    prefix : str, optional
        Prefix for every name the sector creates.
    inputs : dict, optional
        Wiring of ``effective human capital investment`` ($/Year).
    **params : float
        Overrides of :data:`HUMAN_CAPITAL_PARAMS` (underscored keys).

    Returns
    -------
    dict
        ``{local name: model name}``, including ``human capital`` and
        ``students in education``.

    Examples
    --------
    >>> names = human_capital(b, human_capital_depreciation_rate=0.05)
    """
    blk = Block(b, prefix=prefix, inputs=inputs)
    blk.params(HUMAN_CAPITAL_PARAMS, {k.replace("_", " "): v for k, v in params.items()})
    blk.aux("baseline enrolment",
            "{human capital depreciation rate} * {initial human capital}", units="1/Year",
            doc="Enrolment paid by the ordinary budget: just replaces depreciation, so human "
                "capital stays at its initial level without rent-funded education.")
    blk.flow("enrolment",
             "{baseline enrolment} + {effective human capital investment} / "
             "{cost of human capital}",
             units="1/Year", doc="Human capital entering education per year (index units).")
    blk.flow("graduation",
             "DELAY3I({enrolment}, {education delay}, {baseline enrolment})", units="1/Year",
             doc="Graduates: enrolment after a third-order delay, starting from the baseline "
                 "(rent-funded students enrolled at the start graduate only after the delay).")
    blk.stock("students in education", initial="{baseline enrolment} * {education delay}",
              inflows=["enrolment"], outflows=["graduation"], units="Dmnl",
              doc="The education pipeline: human capital in training (starts in the baseline "
                  "steady state).")
    blk.flow("human capital depreciation",
             "{human capital depreciation rate} * {human capital}", units="1/Year",
             doc="Skills lost per year.")
    blk.stock("human capital", initial="{initial human capital}", inflows=["graduation"],
              outflows=["human capital depreciation"], units="Dmnl",
              doc="Skilled-labour index (2000 = 1), fed by graduates, depreciating.")
    return dict(blk.created)
