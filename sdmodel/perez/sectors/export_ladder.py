"""Sector 5: export-mix upgrading from raw commodities to processed, speciality and niche exports.

Pérez (2010, Figures 1-3): the export profile moves up from commodities (high volume, thin
margins, price pressure) to processed commodities, specialities and niche or custom products
(higher unit values, margins protected by quality and knowledge). Each tier has two stocks:
*market access*, the share of the world tier market in whose value networks the country's
producers are inside, won only by *entry* — which needs effective capability above the tier's
entry barrier, low while the window of opportunity is open and high once it has closed (see
:mod:`sdmodel.perez.sectors.window`) — and slowly lost; and *export capacity* (annual export value
added), seeded by entrants and grown by incumbents toward the market they have access to, who
only need the tier's base barrier ("the benefits of that early entry and success have been
multiplied"); capacity shrinks by exit. Entry, expansion and exit respond to the real exchange
rate, less for higher tiers (specialities and niches compete on quality more than on price).
The tiers start in their steady state.

Examples
--------
>>> names = export_ladder(b)
"""

from __future__ import annotations

from ._block import Block, Param

__all__ = ["export_ladder", "LADDER_PARAMS", "TIERS", "tier_params"]

#: The tiers above raw commodities, bottom to top.
TIERS = ("processed", "speciality", "niche")

# (market potential, share of initial GDP; base barrier, closed barrier, exchange rate
# elasticity, unit value)
_TIER_DEFAULTS = {
    "processed": (0.16, 0.34, 0.42, 1.0, 1.5),
    "speciality": (0.13, 0.44, 0.56, 0.6, 3),
    "niche": (0.09, 0.50, 0.64, 0.3, 5),
}
_TIER_TEXT = {
    "processed": "processed commodities (refined metals, pulp, processed foods)",
    "speciality": "specialities (special alloys and chemicals, premium foods, engineering "
                  "services to process industries)",
    "niche": "niche and custom products (custom materials, biotech inputs, gourmet and "
             "certified products, knowledge-intensive services)",
}


def tier_params(tier: str) -> dict[str, Param]:
    """Parameter table of one export tier (market potential, barriers, elasticity, unit value)."""
    pot, base, closed, elast, value = _TIER_DEFAULTS[tier]
    text = _TIER_TEXT[tier]
    return {
        f"{tier} market potential": Param(
            pot, "Dmnl", pot * 0.5, pot * 2,
            f"World market for {text} open to the country, in value added a year as a share "
            f"of the initial GDP ({pot:g}; grows with the frontier). Stylised: sets the tier's "
            "ceiling at a few % of GDP."),
        f"{tier} base barrier": Param(
            base, "Dmnl", base - 0.04, base + 0.04,
            f"Effective capability needed to produce {tier} exports while the window is open, "
            "and by incumbents. Stylised, ordered with the tiers (Perez Figure 1)."),
        f"{tier} closed barrier": Param(
            closed, "Dmnl", closed - 0.04, closed + 0.06,
            f"Entry barrier of the {tier} tier before the window opens and after it closes "
            "(competitors and global corporations' networks filled; Perez 2010, section VIII)."),
        f"{tier} exchange rate elasticity": Param(
            elast, "Dmnl", elast * 0.5, elast * 2,
            f"Elasticity of {tier} entry, expansion and exit to the real exchange rate; lower "
            "for higher tiers, whose margins are protected by quality (Perez Figure 2)."),
        f"{tier} unit value": Param(
            value, "Dmnl", value * 0.75, value * 1.5,
            f"Unit value of {tier} exports relative to raw commodities (Perez Figures 2-3: "
            "margins rise toward the speciality and niche corners)."),
    }


LADDER_PARAMS: dict[str, Param] = {
    "entry rate": Param(
        0.05, "1/Year", 0.025, 0.1,
        "Share of a tier's not yet accessed world market whose value networks new producers "
        "enter per year when they meet the entry barrier."),
    "access loss rate": Param(
        0.02, "1/Year", 0.01, 0.05,
        "Share of value-network positions lost per year (contracts not renewed, global "
        "corporations switching suppliers)."),
    "entrant scale": Param(
        0.3, "Dmnl", 0.1, 0.6,
        "Export capacity new producers bring, as a share of the market positions they win; "
        "incumbents' expansion fills the rest."),
    "expansion rate": Param(
        0.15, "1/Year", 0.08, 0.25,
        "Maximum growth rate of incumbents' export capacity (logistic toward the market)."),
    "exit rate": Param(
        0.06, "1/Year", 0.03, 0.1,
        "Share of a tier's capacity lost per year at the initial exchange rate (firm exit "
        "rates of 5-10 %/yr)."),
    "barrier width": Param(
        0.03, "Dmnl", 0.02, 0.05,
        "Spread of capability across firms: the logistic width of the share of potential "
        "entrants that meet a barrier."),
}
for _tier in TIERS:
    LADDER_PARAMS.update(tier_params(_tier))


def export_ladder(
    b,
    *,
    prefix: str = "",
    inputs: dict[str, str] | None = None,
    **params: float,
) -> dict[str, str]:
    """Add the three upgraded export tiers and the export sophistication index.

    Parameters
    ----------
    b : sdmodel.Builder
        The model being assembled.
    prefix : str, optional
        Prefix for every name the sector creates.
    inputs : dict, optional
        Wiring of ``effective capability``, ``initial gdp``, ``world frontier``, ``window openness``,
        ``real exchange rate`` and ``resource exports`` (raw commodity exports).
    **params : float
        Overrides of :data:`LADDER_PARAMS` (underscored keys).

    Returns
    -------
    dict
        ``{local name: model name}``, including ``<tier> exports`` for each of :data:`TIERS`,
        ``upgraded exports`` and ``export sophistication``.

    Examples
    --------
    >>> names = export_ladder(b)
    >>> names["niche exports"]
    'Niche exports'
    """
    blk = Block(b, prefix=prefix, inputs=inputs)
    blk.params(LADDER_PARAMS, {k.replace("_", " "): v for k, v in params.items()})
    for tier in TIERS:
        t = tier
        blk.aux(f"{t} market", f"{{{t} market potential}} * {{initial gdp}} * {{world frontier}}",
                units="$/Year",
                doc=f"World market for {t} exports open to the country, growing with the "
                    "frontier.")
        blk.aux(f"{t} entry barrier",
                f"{{{t} base barrier}} + ({{{t} closed barrier}} - {{{t} base barrier}}) * "
                "(1 - {window openness})",
                units="Dmnl", doc=f"Capability a new {t} producer needs: the base barrier while "
                                  "the window is open, rising to the closed barrier as it "
                                  "closes.")
        blk.aux(f"{t} entry feasibility",
                f"1 / (1 + EXP(({{{t} entry barrier}} - {{effective capability}}) / "
                "{barrier width}))",
                units="Dmnl", doc=f"Share of potential {t} entrants that meet the entry barrier.")
        blk.aux(f"{t} incumbent feasibility",
                f"1 / (1 + EXP(({{{t} base barrier}} - {{effective capability}}) / "
                "{barrier width}))",
                units="Dmnl", doc=f"Share of {t} incumbents able to keep up (base barrier).")
        blk.aux(f"{t} competitiveness",
                f"{{real exchange rate}} ^ (-{{{t} exchange rate elasticity}})", units="Dmnl",
                doc=f"Price competitiveness of {t} exports: falls with real appreciation.")
        blk.flow(f"{t} access gain",
                 f"{{entry rate}} * (1 - {{{t} market access}}) * {{{t} entry feasibility}} * "
                 f"{{{t} competitiveness}}",
                 units="1/Year", doc=f"Positions in {t} value networks won per year by new "
                                     "producers that meet the entry barrier.")
        blk.flow(f"{t} access loss", f"{{access loss rate}} * {{{t} market access}}",
                 units="1/Year", doc=f"Positions in {t} value networks lost per year.")
        blk.aux(f"{t} initial access",
                f"{{entry rate}} * {{{t} entry feasibility}} / ({{entry rate}} * "
                f"{{{t} entry feasibility}} + {{access loss rate}})",
                units="Dmnl", doc=f"Steady-state {t} market access at the initial barrier and "
                                  "exchange rate; the initial value.")
        blk.stock(f"{t} market access", initial=f"{{{t} initial access}}",
                  inflows=[f"{t} access gain"], outflows=[f"{t} access loss"], units="Dmnl",
                  doc=f"Share of the world {t} market in whose value networks the country's "
                      "producers are inside (suppliers, allies, brands): won only by entry, so "
                      "only while capability beats the entry barrier.")
        blk.flow(f"{t} entry",
                 f"{{entrant scale}} * {{{t} access gain}} * {{{t} market}}",
                 units="$/Year/Year", doc=f"Export capacity new {t} producers bring with the "
                                          "positions they win.")
        blk.flow(f"{t} expansion",
                 f"{{expansion rate}} * {{{t} exports}} * (1 - {{{t} exports}} / "
                 f"({{{t} market access}} * {{{t} market}})) * {{{t} incumbent feasibility}} * "
                 f"{{{t} competitiveness}}",
                 units="$/Year/Year", doc=f"Growth of incumbents' {t} capacity, logistic toward "
                                          "the market they have access to.")
        blk.flow(f"{t} exit", f"{{exit rate}} * {{{t} exports}} / {{{t} competitiveness}}",
                 units="$/Year/Year", doc=f"{t.capitalize()} capacity lost, more under "
                                          "appreciation.")
        p = f"{{expansion rate}} * {{{t} incumbent feasibility}}"
        a = f"{{{t} initial access}}"
        seed = f"{{entrant scale}} * {{entry rate}} * {{{t} entry feasibility}} * (1 - {a})"
        blk.aux(f"{t} initial share",
                f"(({p} - {{exit rate}}) + SQRT(({p} - {{exit rate}}) ^ 2 + 4 * {p} / {a} * "
                f"{seed})) / (2 * {p} / {a})",
                units="Dmnl", doc=f"Steady-state share of the world {t} market supplied at the "
                                  "initial access and exchange rate (positive root of entry + "
                                  "expansion = exit); used for the initial value.")
        blk.stock(f"{t} exports", initial=f"{{{t} initial share}} * {{{t} market}}",
                  inflows=[f"{t} entry", f"{t} expansion"], outflows=[f"{t} exit"],
                  units="$/Year", doc=f"Export capacity of {_TIER_TEXT[t]}, in $ a year of value "
                                      "added.")
    blk.aux("upgraded exports", " + ".join(f"{{{t} exports}}" for t in TIERS), units="$/Year",
            doc="Exports above raw commodities (processed + specialities + niches).")
    weighted = " + ".join(f"{{{t} unit value}} * {{{t} exports}}" for t in TIERS)
    blk.aux("export sophistication",
            f"({{resource exports}} + {weighted}) / ({{resource exports}} + "
            "{upgraded exports})",
            units="Dmnl", doc="Value-weighted average unit value of resource-based exports "
                              "(raw commodities = 1): rises as the mix moves up the ladder.")
    return dict(blk.created)
