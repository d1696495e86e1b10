"""Sector 4: technological capability catching up to a moving world frontier.

Capability ``A`` (frontier in 2000 = 1) closes the gap to a frontier growing at ``lambda``
(Nelson and Phelps 1966: ``dA/dt = phi(H) (T - A)``, the catch-up speed rising with human
capital, Benhabib and Spiegel 1994), is raised by spillovers from a resource-specific capability
and by learning-by-doing in non-resource tradables: capability grows
with the growth of cumulative tradable output at the learning-curve exponent
``b = -log2(progress ratio)`` (an 80 % progress ratio gives b = 0.32). Cumulative experience is
never lost, so tradable output that does not happen during a boom (Dutch disease) is learning
that is never regained (van Wijnbergen 1984; Krugman 1987). The base catch-up speed is set so
that the economy without rents stays on a balanced path (``A/T`` constant).

Rent-funded technologization builds a *resource-specific* capability (targeted R&D, engineering
and supplier development in the resource-based activities: Pérez's "technologization"), more
effective with more human capital; it becomes obsolete at a few % a year and spills over into
economy-wide capability. What the export tiers require (``effective capability``) is relative
capability scaled by human capital plus this specific capability.

Examples
--------
>>> names = technology(b, progress_ratio=0.8)
"""

from __future__ import annotations

from ._block import Block, Param

__all__ = ["technology", "TECHNOLOGY_PARAMS"]

TECHNOLOGY_PARAMS: dict[str, Param] = {
    "frontier tfp growth": Param(
        0.01, "1/Year", 0.005, 0.015,
        "Interface constant: growth of the world technology frontier's TFP (PWT 10.01 rtfpna "
        "of the USA: about 0.5-1 %/yr since 1990); labour productivity on the frontier grows "
        "at this over one minus the capital share."),
    "initial relative tfp": Param(
        0.55, "Dmnl", 0.3, 0.9,
        "Interface constant: TFP at the start relative to the frontier (PWT 10.01 ctfp, USA = "
        "1: 0.4-0.8 for Latin American resource exporters in 2000)."),
    "reference capability": Param(
        0.4, "Dmnl", 0.4, 0.4,
        "Effective capability of the economy at the start on the scale of the export "
        "ladder's entry barriers (fixed: the barriers are calibrated on it; the ladder's "
        "redesign is issue #13)."),
    "catch up elasticity": Param(
        1, "Dmnl", 0.5, 2,
        "Elasticity of the catch-up speed to human capital (Nelson-Phelps phi(H); "
        "Benhabib and Spiegel 1994 find the catch-up term rises with schooling)."),
    "progress ratio": Param(
        0.8, "Dmnl", 0.7, 0.9,
        "Learning curve: unit cost falls to this ratio with each doubling of cumulative "
        "output (about 80 % in manufacturing learning-curve studies)."),
    "cost of specific capability": Param(
        2.5e11, "$", 1.25e11, 5e11,
        "Technologization spending that adds one unit of capability specific to the "
        "resource-based activities (250 billion $; targeted R&D, engineering centres, supplier "
        "development): a sustained effort of 1 % of the initial GDP (1.8 billion $ a year) for "
        "a decade buys about 0.07 before obsolescence and absorption losses, near the distance "
        "between two tiers of the export ladder."),
    "specific capability obsolescence": Param(
        0.05, "1/Year", 0.02, 0.1,
        "Share of resource-specific capability made obsolete per year by the moving "
        "frontier (knowledge depreciation of 5-15 %/yr in R&D capital studies)."),
    "spillover rate": Param(
        0.05, "1/Year", 0.02, 0.1,
        "Rate at which resource-specific capability spills over into economy-wide capability "
        "(Perez: lateral innovations from mining and processing into other industries; Walker "
        "and Jourdan 2003)."),
    "skill complementarity": Param(
        0.5, "Dmnl", 0, 1,
        "Elasticity of the effect of technologization to human capital: technology "
        "transfer needs skilled people to absorb it (Perez: 'the whole proposal hinges on a "
        "gigantic effort in education')."),
    "human capital weight": Param(
        0.5, "Dmnl", 0.25, 1,
        "Elasticity of effective capability (what export tiers require) to human capital."),
}


def technology(
    b,
    *,
    prefix: str = "",
    inputs: dict[str, str] | None = None,
    **params: float,
) -> dict[str, str]:
    """Add the world frontier, capability catch-up, technologization and learning-by-doing.

    Parameters
    ----------
    b : sdmodel.Builder
        The model being assembled.
    prefix : str, optional
        Prefix for every name the sector creates.
    inputs : dict, optional
        Wiring of ``human capital ratio``, ``one year``, ``effective
        technologization`` ($/Year) and ``non resource tradable output`` ($/Year).
    **params : float
        Overrides of :data:`TECHNOLOGY_PARAMS` (underscored keys).

    Returns
    -------
    dict
        ``{local name: model name}``, including ``technological capability``,
        ``world frontier``, ``relative capability`` and ``effective capability``.

    Examples
    --------
    >>> names = technology(b)
    """
    blk = Block(b, prefix=prefix, inputs=inputs)
    blk.params(TECHNOLOGY_PARAMS, {k.replace("_", " "): v for k, v in params.items()})
    blk.aux("world frontier", "EXP({frontier tfp growth} * (Time - INITIAL TIME))",
            units="Dmnl", doc="World technology frontier T (2000 = 1), growing at lambda.")
    blk.aux("learning exponent", "-LN({progress ratio}) / LN(2)", units="Dmnl",
            doc="Learning-curve exponent b = -log2(progress ratio).")
    blk.aux("base catch up rate",
            "{frontier tfp growth} * (1 - {learning exponent}) * {initial relative tfp} / "
            "(1 - {initial relative tfp})",
            units="1/Year", doc="Nelson-Phelps phi at the initial human capital, set so that "
                                "without rents capability keeps a constant ratio to the "
                                "frontier (catch-up plus learning equals frontier growth).")
    blk.aux("catch up rate",
            "{base catch up rate} * {human capital ratio} ^ {catch up elasticity}",
            units="1/Year", doc="phi(H): share of the gap to the frontier closed per year.")
    blk.flow("catch up", "{catch up rate} * ({world frontier} - {technological capability})",
             units="1/Year", doc="Nelson-Phelps catch-up: phi(H) (T - A).")
    blk.flow("specific capability building",
             "{effective technologization} / {cost of specific capability} * "
             "{human capital ratio} ^ {skill complementarity}",
             units="1/Year", doc="Resource-specific capability bought by rent-funded "
                                 "technologization, more effective with more human capital.")
    blk.flow("specific capability obsolescence flow",
             "{specific capability obsolescence} * {specific capability}", units="1/Year",
             doc="Resource-specific capability made obsolete by the moving frontier.")
    blk.stock("specific capability", initial=0, inflows=["specific capability building"],
              outflows=["specific capability obsolescence flow"], units="Dmnl",
              doc="Technological capability specific to resource-based processing, "
                  "specialities and niches (Perez's 'technologization'), in units of relative "
                  "capability; zero without a targeted effort.")
    blk.flow("technologization",
             "{spillover rate} * {specific capability}",
             units="1/Year", doc="Spillover of resource-specific capability into economy-wide "
                                 "capability (knowledge is non-rival: the specific stock is "
                                 "not drawn down).")
    blk.flow("tradable experience growth", "{non resource tradable output}", units="$/Year",
             doc="Non-resource tradable output adds to cumulative experience.")
    blk.stock("tradable experience",
              initial="{non resource tradable output} / MAX({frontier tfp growth}, 0.001 / {one year})",
              inflows=["tradable experience growth"], units="$",
              doc="Cumulative non-resource tradable output (learning-by-doing experience); "
                  "starts as if output had grown with the frontier (growth floored at 0.1 %/yr, so a run "
                  "without frontier growth starts with finite experience). Never lost.")
    blk.flow("learning by doing",
             "{learning exponent} * {technological capability} * "
             "{non resource tradable output} / {tradable experience}",
             units="1/Year", doc="Learning curve: capability grows at b times the growth rate "
                                 "of cumulative tradable output (Krugman 1987).")
    blk.stock("technological capability", initial="{initial relative tfp}",
              inflows=["catch up", "technologization", "learning by doing"], units="Dmnl",
              doc="Domestic capability A (world frontier in 2000 = 1).")
    blk.aux("relative capability", "{technological capability} / {world frontier}",
            units="Dmnl", doc="Capability relative to the moving frontier, A/T.")
    blk.aux("effective capability",
            "{reference capability} * {relative capability} / {initial relative tfp} * "
            "{human capital ratio} ^ {human capital weight} + {specific capability}",
            units="Dmnl", doc="Capability that resource-based export tiers require: technology "
                              "relative to the frontier (on the ladder's scale: the "
                              "reference capability at the start) scaled by human capital, "
                              "plus the resource-specific capability.")
    return dict(blk.created)
