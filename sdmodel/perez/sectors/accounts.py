"""Sector 9b: national accounts that close, foreign assets and the real exchange rate.

Output side at constant start-year prices: ``gdp`` = resource volume at the base-year commodity
price less its intermediate inputs (double deflation) + T + upgraded tiers + clusters + N at the
start-year N price (1). Income side (SNA 2008,
15.188, with the import price, the world price of tradables, as the deflator): real gross
domestic income ``gdi = gdp + trading gain``, the trading gain being ``(P - P_0) x extraction``
(only raw commodity prices move against import prices); ``gni = gdi + net factor income`` (fund
returns, interest on other foreign assets and other foreign income such as remittances, less
repatriated rents). Expenditure side at
current prices: household consumption + rent-funded public spending (consumption, transfers and
education) + investment (fixed investment, technologization, clusters) + exports - imports, where
exports are raw commodities, upgraded tiers and export shares of T and cluster output, and
imports the tradable content of spending and the resource sector's inputs, less the T and
cluster output sold at home; it equals
GDP at current prices only if the N market clears. The current account is the trade balance
plus net factor income; net foreign assets are the sovereign fund plus other foreign assets,
which fall by the FDI received (and whose interest is serviced from income).

The real exchange rate (index, start = 1, up = appreciation, as the WDI/IMF REER) corrects
toward an equilibrium ``ln q* = b_P ln(P/P_0) + b_BS ln((A_T/A_N) / start) + b_NFA (NFA/GDP -
start)`` at the half-life of Cashin, Céspedes and Sahay (2004).

Examples
--------
>>> names = national_accounts(b)   # doctest: +SKIP
"""

from __future__ import annotations

from ._block import Block, Param

__all__ = ["national_accounts", "ACCOUNTS_PARAMS"]

ACCOUNTS_PARAMS: dict[str, Param] = {
    "tradables export share": Param(
        0.3, "Dmnl", 0.2, 0.5, "Share of T output exported (the rest is sold at home)."),
    "cluster export share": Param(
        0.3, "Dmnl", 0.1, 0.5, "Share of cluster output sold abroad (tourism, niche food)."),
    "foreign interest rate": Param(
        0.04, "1/Year", 0.02, 0.06,
        "Real return on (or cost of) other foreign assets and liabilities, FDI included "
        "(Lane and Milesi-Ferretti 2007: real yields on external positions of 3-6 %)."),
    "initial foreign assets ratio": Param(
        -0.3, "Dmnl", -0.6, 0.2,
        "Other net foreign assets over GDP at the start (Lane and Milesi-Ferretti External "
        "Wealth of Nations data: Latin America about -30 to -40 % of GDP in 2000)."),
    "foreign income share": Param(
        0, "Dmnl", 0, 0.05,
        "Other foreign income received every year (remittances, aid), a share of the initial "
        "GDP (growing with the frontier and population): a permanent transfer (WDI BX.TRF.PWKR.DT.GD.ZS: 2-3 % of GDP in Mexico, 3-7 % in "
        "Ecuador and Central America). Default 0."),
    "rer half life": Param(
        0.67, "Year", 0.33, 2,
        "Half-life of deviations of the real exchange rate from its equilibrium: about 8 "
        "months for commodity currencies (Cashin, Cespedes and Sahay 2004)."),
    "rer commodity elasticity": Param(
        0.42, "Dmnl", 0.2, 0.8,
        "Long-run elasticity of the real exchange rate to the real price of the country's "
        "commodity exports (Cashin, Cespedes and Sahay 2004: about 0.2-0.8 across commodity "
        "currencies, median about 0.4)."),
    "balassa samuelson elasticity": Param(
        0.5, "Dmnl", 0.2, 1,
        "Elasticity of the real exchange rate to the T/N productivity ratio (1 with Cobb-"
        "Douglas and equal factor shares in theory; panel estimates 0.2-0.7, e.g. Lee and Tang "
        "2007; Ricci, Milesi-Ferretti and Lee 2013)."),
    "rer nfa effect": Param(
        0.2, "Dmnl", 0.05, 0.4,
        "Log real appreciation per unit of net foreign assets over GDP (Lane and Milesi-Ferretti "
        "2004: 0.1-0.3 in developing countries; Ricci et al. 2013: about 0.1-0.2)."),
}


def national_accounts(
    b,
    *,
    prefix: str = "",
    inputs: dict[str, str] | None = None,
    **params: float,
) -> dict[str, str]:
    """Add GDP (constant prices), GDI, GNI, the expenditure side, foreign assets and the RER.

    Parameters
    ----------
    b : sdmodel.Builder
        The model being assembled.
    prefix : str, optional
        Prefix for every name the sector creates.
    inputs : dict, optional
        Wiring of the names read from the economy, commodity, allocation, ladder and cluster
        sectors (default: their unprefixed names).
    **params : float
        Overrides of :data:`ACCOUNTS_PARAMS` (underscored keys).

    Returns
    -------
    dict
        ``{local name: model name}``, including ``gdp``, ``gdi``, ``gni``, their per-capita
        forms, ``expenditure gdp``, ``current account``, ``net foreign assets``,
        ``consumption``, ``non resource export share`` and ``real exchange rate``.

    Examples
    --------
    >>> names = national_accounts(b)   # doctest: +SKIP
    """
    blk = Block(b, prefix=prefix, inputs=inputs)
    blk.params(ACCOUNTS_PARAMS, {k.replace("_", " "): v for k, v in params.items()})
    a = blk.aux
    # --- output and income at constant prices
    a("GDP",
      "{base commodity price} * {extraction} - {resource inputs} + {tradable output} + "
      "{upgraded exports} + {cluster output} + {nontradable output}",
      units="$/Year", doc="Real GDP at constant start-year prices (resource volume at the "
                          "base-year commodity price less inputs at the import price, N at "
                          "p_N = 1: double deflation); comparable with WDI NY.GDP.MKTP.KD.")
    a("trading gain", "({commodity price} - {base commodity price}) * {extraction}",
      units="$/Year", doc="Terms-of-trade gain: resource exports at the current price less at "
                          "the base-year price, both deflated by the import price.")
    a("gdi", "{GDP} + {trading gain}", units="$/Year",
      doc="Real gross domestic income = GDP + trading gain.")
    a("gni", "{gdi} + {net factor income}", units="$/Year",
      doc="Real gross national income = GDI - repatriated rents + fund returns + interest on "
          "other foreign assets.")
    for name, what in (("gdp", "GDP"), ("gdi", "gdi"), ("gni", "gni")):
        a(f"{name} per capita", f"{{{what}}} / {{population}}", units="$/(Person*Year)",
          doc=f"{name.upper()} per person, constant $ a year"
              + (" (comparable with WDI NY.GDP.PCAP.KD)." if name == "gdp" else "."))
    # --- expenditure side at current prices
    a("consumption", "{private consumption} + {rent funded consumption}", units="$/Year",
      doc="Household and ordinary government consumption plus rent-funded public consumption, "
          "transfers and consumed fund payouts.")
    a("public rent spending", "{rent funded consumption} + {human capital spending}",
      units="$/Year", doc="G: public spending paid from rents and fund payouts (consumption, "
                          "transfers and education).")
    a("investment",
      "{fixed investment} + {technologization spending} + {bottom up spending}",
      units="$/Year", doc="I: fixed investment in T and N, technologization and clusters.")
    a("tradable absorption",
      "(1 - {consumption nontradable content}) * {consumption} + "
      "(1 - {investment nontradable content}) * {fixed investment} + "
      "(1 - {education nontradable content}) * {human capital spending} + "
      "(1 - {technologization nontradable content}) * {technologization spending} + "
      "(1 - {cluster nontradable content}) * {bottom up spending}",
      units="$/Year", doc="Spending on tradables.")
    a("total exports",
      "{resource exports} + {upgraded exports} + {tradables export share} * "
      "{tradable output} + {cluster export share} * {cluster output}",
      units="$/Year", doc="Exports: raw commodities, upgraded tiers, part of T and of cluster "
                          "output.")
    a("imports",
      "{tradable absorption} + {resource inputs} - (1 - {tradables export share}) * "
      "{tradable output} - (1 - {cluster export share}) * {cluster output}",
      units="$/Year", doc="Imports: spending on tradables not met by home sales of T and "
                          "cluster output, and the resource sector's inputs.")
    a("expenditure gdp",
      "{private consumption} + {public rent spending} + {investment} + {total exports} - "
      "{imports}",
      units="$/Year", doc="C + G + I + X - M at current prices; equals GDP at current prices "
                          "(the identity test).")
    a("trade balance", "{total exports} - {imports}", units="$/Year", doc="X - M.")
    a("current account", "{trade balance} + {net factor income}", units="$/Year",
      doc="Trade balance plus net factor income.")
    a("non resource export share",
      "({total exports} - {resource exports}) / {total exports}", units="Dmnl",
      doc="Share of exports other than raw commodities.")
    a("non resource tradable output", "{upgraded exports} + {tradable output}", units="$/Year",
      doc="T output and upgraded tiers: the base of learning-by-doing.")
    # --- foreign assets
    blk.flow("fdi liabilities", "{fdi}", units="$/Year",
             doc="Foreign claims created by FDI.")
    blk.stock("other foreign assets", initial="{initial foreign assets ratio} * {initial gdp} * {one year}",
              outflows=["fdi liabilities"], units="$",
              doc="Net foreign assets other than the fund (negative: net debt and FDI "
                  "liabilities); interest on them is paid or received out of income.")
    a("other foreign income",
      "{foreign income share} * {initial gdp} * {world frontier} * {population} / "
      "{initial population}",
      units="$/Year", doc="Transfers received from abroad (remittances, aid), counted in "
                          "national income: exogenous, the share of the initial GDP growing "
                          "with the frontier and the population.")
    a("foreign interest income", "{foreign interest rate} * {other foreign assets}",
      units="$/Year", doc="Interest on other foreign assets (negative when they are "
                          "liabilities).")
    a("net foreign assets", "{sovereign fund} + {other foreign assets}", units="$",
      doc="NFA: the fund plus other foreign assets.")
    a("nfa ratio", "{net foreign assets} / {gdp at current prices}", units="Year",
      doc="NFA over GDP at current prices (years of GDP).")
    # --- real exchange rate
    a("equilibrium log rer",
      "{rer commodity elasticity} * LN({commodity price} / {base commodity price}) + "
      "{balassa samuelson elasticity} * LN({tradable tfp index} / {nontradable tfp index}) + "
      "{rer nfa effect} * ({nfa ratio} - INITIAL({nfa ratio})) / {one year}",
      units="Dmnl", doc="ln q*: the own commodity price, the Balassa-Samuelson productivity "
                        "gap and net foreign assets over GDP, relative to the start.")
    a("rer adjustment time", "{rer half life} / LN(2)", units="Year",
      doc="Time constant of the error correction (half-life / ln 2).")
    blk.flow("rer change",
             "{real exchange rate} * ({equilibrium log rer} - LN({real exchange rate})) / "
             "{rer adjustment time}",
             units="1/Year", doc="Error correction of ln q toward ln q*.")
    blk.stock("real exchange rate", initial=1, inflows=["rer change"], units="Dmnl",
              doc="Real exchange rate index (start = 1; higher = real appreciation).")
    return dict(blk.created)
