"""Sector 9a: the dependent economy: population, labour, capital, production and the N price.

A small open economy with three producing sectors: the resource (R, in
:mod:`sdmodel.perez.sectors.commodity`; its capital is the extraction capacity), non-resource
tradables (T) and non-tradables (N). Tradables are the numeraire (price 1 at the world price,
constant US$); the non-tradable price ``p_N`` is 1 at the start (N output is measured at
start-year prices). T and N produce with Cobb-Douglas technology,

    Y_j = A_j K_j^alpha (h L_j)^(1 - alpha),    j = T, N,

written in ratios to the initial values so that units stay exact: ``A_T`` moves with
technological capability (:mod:`sdmodel.perez.sectors.technology`), ``A_N`` with the world
frontier at a lower rate (Baumol; the Balassa-Samuelson gap), ``h`` is the Mincer human capital
of :mod:`sdmodel.perez.sectors.human_capital`. Capital stocks ``K_T``, ``K_N`` accumulate
investment less depreciation, with absorption costs convex in ``I/K`` (capital formation
``I / (1 + psi/2 I/K)``; van der Ploeg and Venables 2011), and investment goes to the sector
with the higher return. Labour moves toward the sector paying more (adjustment time a few
years). Employment in T, N and R is the modern employment share of the labour force; the rest
is the pool local clusters hire from, and the unemployed (:mod:`sdmodel.perez.sectors.bottom_up`).

The N market clears every step: spending on non-tradables (shares of private consumption out
of national income, of investment, of rent-funded public spending and of fund payouts) equals
the value of N output, ``p_N Y_N``. Because national income contains ``p_N Y_N`` itself, the
value is solved in closed form: ``X = (m (W + NFI - F - R_f) + theta_C G + theta_I (FDI + I_w)
+ R_N) / (1 - m)`` with ``m = theta_C c + theta_I (1 - c)`` (symbols in the element docs).

Examples
--------
>>> names = economy(b)   # doctest: +SKIP
"""

from __future__ import annotations

from ._block import Block, Param

__all__ = ["economy", "ECONOMY_PARAMS", "INTERFACE"]

#: Constants a country's data override (the interface with :mod:`sdmodel.perez.country`).
INTERFACE = (
    "initial population", "population growth rate", "initial labour force",
    "initial unemployment rate", "initial gdp per capita", "initial capital output ratio",
)

ECONOMY_PARAMS: dict[str, Param] = {
    "initial population": Param(
        4e7, "Person", 5e6, 2e8,
        "Interface constant: population at the start (default 40 million, a mid-sized Latin "
        "American economy in 2000; WDI SP.POP.TOTL)."),
    "population growth rate": Param(
        0.011, "1/Year", 0, 0.03,
        "Interface constant: population growth at the start (Latin America about 1.3 %/yr in "
        "2000 and 0.9 %/yr in 2020, UN World Population Prospects); it declines with the "
        "demographic transition."),
    "demographic transition time": Param(
        35, "Year", 25, 50,
        "Time constant of the decline of population growth (UN WPP: Latin American population "
        "growth falls toward zero by about 2055)."),
    "initial labour force": Param(
        1.8e7, "Person", 2e6, 1e8,
        "Interface constant: labour force at the start (45 % of the population; WDI "
        "SL.TLF.TOTL.IN, PWT emp / (1 - unemployment)). Grows with the population."),
    "initial unemployment rate": Param(
        0.08, "Dmnl", 0.03, 0.2,
        "Interface constant: unemployment rate at the start (ILO modelled estimate, WDI "
        "SL.UEM.TOTL.ZS: Latin America about 8-10 % in 2000)."),
    "initial gdp per capita": Param(
        6000, "$/(Person*Year)", 1000, 60000,
        "Interface constant: GDP per person at the start, constant 2015 US$ (WDI "
        "NY.GDP.PCAP.KD; 2000: Colombia 4 017, Brazil 7 330, Mexico 9 080)."),
    "initial capital output ratio": Param(
        3, "Year", 1.5, 5,
        "Interface constant: capital stock over GDP at the start (PWT 10.01 rnna / rgdpna: "
        "2.5-3.5 for Latin American economies), applied to the T and N sectors (the resource "
        "sector's capital is its extraction capacity; clusters and export tiers have their own "
        "capacity stocks)."),
    "capital share": Param(
        0.38, "Dmnl", 0.3, 0.45,
        "alpha, the capital share of value added in T and N: one minus the PWT 10.01 labour "
        "share labsh (0.5-0.65 in Latin America; Gollin 2002 finds 0.65-0.8 with self-employment "
        "income, so alpha 0.3-0.4). alpha = 0 gives linear technology (the Corden-Neary case)."),
    "depreciation rate": Param(
        0.05, "1/Year", 0.03, 0.07,
        "Depreciation of T and N capital (PWT 10.01 delta: 4-5 %/yr on average)."),
    "absorption cost": Param(
        2, "Year", 0.5, 5,
        "psi of the convex installation cost: capital formation = I / (1 + psi/2 I/K), so "
        "investing faster than the capital stock can absorb wastes a rising share (van der "
        "Ploeg and Venables 2011; q-theory adjustment costs of 2-10 per unit of I/K in annual "
        "data, the low end here because the cost is a share of investment)."),
    "capital allocation elasticity": Param(
        2, "Dmnl", 0.5, 5,
        "Elasticity of the N share of new investment to the N/T return ratio."),
    "labour adjustment time": Param(
        5, "Year", 2, 10,
        "Time for labour to move between T and N by the wage gap: dL_N/L_N = (1 - L_N) ln(w_N / "
        "w_T) / time; sectoral mobility costs of several years' wages (Artuc, Chaudhuri and "
        "McLaren 2010)."),
    "resource employment share": Param(
        0.02, "Dmnl", 0.01, 0.05,
        "Share of modern employment in mining and oil (ILO: 1-3 % in Chile, Peru, Colombia)."),
    "service productivity share": Param(
        0.4, "Dmnl", 0.25, 0.55,
        "N productivity grows at this share of the frontier's growth (Baumol: services lag; "
        "the Balassa-Samuelson gap)."),
    "consumption propensity": Param(
        0.8, "Dmnl", 0.7, 0.88,
        "c: household and ordinary government consumption per $ of private national income "
        "(WDI NE.CON.TOTL.ZS: about 80 % of GDP in Latin America); the rest is saved and "
        "invested at home."),
    "fdi share": Param(
        0.02, "Dmnl", 0, 0.05,
        "Foreign direct investment in T and N capital, share of GDP (WDI "
        "BX.KLT.DINV.WD.GD.ZS: 2-4 % in Latin America); it is a foreign liability."),
    "consumption nontradable content": Param(
        0.6, "Dmnl", 0.4, 0.8,
        "theta_C: share of consumption (private, and rent-funded public consumption and "
        "transfers) spent on non-tradables (services are 55-60 % of household spending)."),
    "investment nontradable content": Param(
        0.5, "Dmnl", 0.3, 0.7,
        "theta_I: share of fixed investment spent on non-tradables (construction is about half "
        "of gross fixed capital formation; equipment is imported)."),
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
}


def economy(
    b,
    *,
    prefix: str = "",
    inputs: dict[str, str] | None = None,
    **params: float,
) -> dict[str, str]:
    """Add population, labour, T and N capital and production, and the N market.

    Parameters
    ----------
    b : sdmodel.Builder
        The model being assembled.
    prefix : str, optional
        Prefix for every name the sector creates.
    inputs : dict, optional
        Wiring of the names read from other sectors (default: their unprefixed names):
        ``human capital``, ``technological capability``, ``initial relative tfp``, ``world
        frontier``, ``resource value added``, ``upgraded exports``, ``cluster output``,
        ``cluster job demand``, ``fiscal rents``, ``fund returns``, ``repatriated rents``,
        ``foreign interest income``, ``other foreign income``, ``rent consumption``, ``fund withdrawals``,
        ``withdrawal investment share``, ``human capital spending``, ``technologization
        spending``, ``bottom up spending``, ``gdp``.
    **params : float
        Overrides of :data:`ECONOMY_PARAMS` (underscored keys).

    Returns
    -------
    dict
        ``{local name: model name}``, including ``tradable output``, ``nontradable output``,
        ``nontradable price``, ``fixed investment``, ``private consumption``, ``gdp at current
        prices``, ``labour force`` and ``modern employment``.

    Examples
    --------
    >>> names = economy(b, capital_share=0.35)   # doctest: +SKIP
    """
    blk = Block(b, prefix=prefix, inputs=inputs)
    blk.params(ECONOMY_PARAMS, {k.replace("_", " "): v for k, v in params.items()})
    a = blk.aux
    # --- population and labour
    a("initial gdp", "{initial population} * {initial gdp per capita}", units="$/Year",
      doc="GDP at the start, constant US$ a year.")
    a("population growth",
      "{population growth rate} * EXP((INITIAL TIME - Time) / {demographic transition time})",
      units="1/Year", doc="Population growth, declining with the demographic transition.")
    blk.flow("population change", "{population growth} * {population}", units="Person/Year",
             doc="Net population growth.")
    blk.stock("population", initial="{initial population}", inflows=["population change"],
              units="Person", doc="Population.")
    a("labour force", "{initial labour force} * {population} / {initial population}",
      units="Person", doc="Labour force: a constant share of the population.")
    a("modern employment share",
      "1 - {initial unemployment rate} - INITIAL({cluster job demand}) / {initial labour force}",
      units="Dmnl", doc="Share of the labour force employed in T, N and R: what neither the "
                        "initial clusters nor the initially unemployed hold.")
    a("modern employment", "{modern employment share} * {labour force}", units="Person",
      doc="Employment in the resource sector, tradables and non-tradables.")
    a("resource employment", "{resource employment share} * {modern employment}",
      units="Person", doc="Employment in mining and oil.")
    a("core employment", "{modern employment} - {resource employment}", units="Person",
      doc="Employment shared by T and N.")
    # --- the N market at the start (p_N = 1) fixes the initial structure
    a("marginal nontradable share",
      "{consumption nontradable content} * {consumption propensity} + "
      "{investment nontradable content} * (1 - {consumption propensity})",
      units="Dmnl", doc="m: share of a $ of private income spent on non-tradables (consumed "
                        "or invested).")
    a("net factor income",
      "{fund returns} + {foreign interest income} + {other foreign income} - "
      "{repatriated rents}", units="$/Year",
      doc="NFI: net income from abroad (fund returns, interest on other foreign assets and "
          "other foreign income, less the foreign owners' rents).")
    a("initial nontradable output",
      "INITIAL({marginal nontradable share} * ({initial gdp} + {net factor income} - "
      "{fiscal rents}) + {consumption nontradable content} * {fiscal rents} + "
      "{investment nontradable content} * {fdi share} * {initial gdp})",
      units="$/Year", doc="N output at the start: the N market cleared at p_N = 1 with the "
                          "initial national income, fiscal rents spent on consumption (no "
                          "policy yet) and no fund.")
    a("initial tradable output",
      "{initial gdp} - INITIAL({resource value added} + {upgraded exports} + {cluster output})"
      " - {initial nontradable output}",
      units="$/Year", doc="T output at the start: what the other sectors leave of the initial "
                          "GDP (must be positive).")
    a("initial nontradable labour share",
      "{initial nontradable output} / ({initial nontradable output} + "
      "{initial tradable output})",
      units="Dmnl", doc="N share of T and N labour at the start: equal wages at p_N = 1 with "
                        "equal capital shares make labour proportional to value added.")
    blk.flow("labour reallocation",
             "{nontradable labour share} * (1 - {nontradable labour share}) * "
             "LN({nontradable wage} / {tradable wage}) / {labour adjustment time}",
             units="1/Year", doc="Labour moves toward the sector paying more.")
    blk.stock("nontradable labour share", initial="{initial nontradable labour share}",
              inflows=["labour reallocation"], units="Dmnl",
              doc="L_N / (L_T + L_N); stays inside (0, 1).")
    a("nontradable labour", "{nontradable labour share} * {core employment}", units="Person",
      doc="L_N.")
    a("tradable labour", "(1 - {nontradable labour share}) * {core employment}", units="Person",
      doc="L_T.")
    # --- capital
    for j, init in (("tradable", "{initial tradable output}"),
                    ("nontradable", "{initial nontradable output}")):
        blk.flow(f"{j} capital formation",
                 f"{{{j} investment}} / (1 + {{absorption cost}} / 2 * {{{j} investment}} / "
                 f"{{{j} capital}})",
                 units="$/Year", doc=f"Capital added in {j}s: investment less the convex "
                                     "absorption cost.")
        blk.flow(f"{j} depreciation", f"{{depreciation rate}} * {{{j} capital}}",
                 units="$/Year", doc=f"Depreciation of {j} capital.")
        blk.stock(f"{j} capital", initial=f"{{initial capital output ratio}} * {init}",
                  inflows=[f"{j} capital formation"], outflows=[f"{j} depreciation"],
                  units="$", doc=f"K of {j}s (constant $), from the capital-output ratio.")
    # --- production
    a("human capital ratio", "{human capital} / INITIAL({human capital})", units="Dmnl",
      doc="h / h at the start.")
    a("tradable tfp index", "{technological capability} / {initial relative tfp}",
      units="Dmnl", doc="A_T relative to the start: moves with technological capability.")
    a("nontradable tfp index", "{world frontier} ^ {service productivity share}", units="Dmnl",
      doc="A_N relative to the start: the frontier at the service productivity share.")
    for j, tfp in (("tradable", "tradable tfp index"), ("nontradable", "nontradable tfp index")):
        labour0 = ("(1 - {initial nontradable labour share})" if j == "tradable"
                   else "{initial nontradable labour share}")
        a(f"{j} output",
          f"{{initial {j} output}} * {{{tfp}}} * ({{{j} capital}} / INITIAL({{{j} capital}})) "
          f"^ {{capital share}} * ({{human capital ratio}} * {{{j} labour}} / ({labour0} * "
          "INITIAL({core employment}))) ^ (1 - {capital share})",
          units="$/Year", doc=f"Y of {j}s at start-year prices: A K^alpha (h L)^(1 - alpha) "
                              "in ratios to the start.")
    a("other tradables output", "{tradable output}", units="$/Year",
      doc="Alias of tradable output (the fabrication sector of the first model).")
    a("tradable wage", "(1 - {capital share}) * {tradable output} / {tradable labour}",
      units="$/(Person*Year)", doc="w_T: marginal product of labour in tradables.")
    a("nontradable wage",
      "(1 - {capital share}) * {nontradable price} * {nontradable output} / "
      "{nontradable labour}",
      units="$/(Person*Year)", doc="w_N = p_N x marginal product of labour in non-tradables.")
    a("return ratio",
      "({nontradable price} * {nontradable output} / {nontradable capital}) / "
      "({tradable output} / {tradable capital})",
      units="Dmnl", doc="Return on N capital over return on T capital.")
    a("nontradable investment share",
      "{nontradable capital} * {return ratio} ^ {capital allocation elasticity} / "
      "({nontradable capital} * {return ratio} ^ {capital allocation elasticity} + "
      "{tradable capital})",
      units="Dmnl", doc="Share of fixed investment going to N: the capital share, tilted "
                        "toward the higher return.")
    a("nontradable investment", "{nontradable investment share} * {fixed investment}",
      units="$/Year", doc="Investment in N capital.")
    a("tradable investment", "(1 - {nontradable investment share}) * {fixed investment}",
      units="$/Year", doc="Investment in T capital.")
    # --- spending and the N market
    a("tradable value added",
      "{resource value added} + {tradable output} + {upgraded exports} + {cluster output}",
      units="$/Year", doc="W: value added at world prices (resource at the current price).")
    a("rent funded consumption",
      "{rent consumption} + (1 - {withdrawal investment share}) * {fund withdrawals}",
      units="$/Year", doc="G: public consumption and transfers paid from rents and fund "
                          "payouts.")
    a("invested withdrawals", "{withdrawal investment share} * {fund withdrawals}",
      units="$/Year", doc="I_w: fund payouts invested in T and N capital.")
    a("fdi", "{fdi share} * {gdp}", units="$/Year",
      doc="FDI: foreign direct investment in T and N capital.")
    a("rent nontradable demand",
      "{consumption nontradable content} * {rent funded consumption} + "
      "{investment nontradable content} * {invested withdrawals} + "
      "{education nontradable content} * {human capital spending} + "
      "{technologization nontradable content} * {technologization spending} + "
      "{cluster nontradable content} * {bottom up spending}",
      units="$/Year", doc="Rent-funded demand for non-tradables (fund deposits are spent "
                          "abroad and add nothing).")
    a("nontradable spending",
      "({marginal nontradable share} * ({tradable value added} + {net factor income} - "
      "{fiscal rents} - {fund returns}) + {investment nontradable content} * {fdi} + "
      "{rent nontradable demand}) / (1 - {marginal nontradable share})",
      units="$/Year", doc="X = p_N Y_N: the value of N output that clears the N market, solved "
                          "in closed form (national income contains X).")
    a("nontradable price", "{nontradable spending} / {nontradable output}", units="Dmnl",
      doc="p_N: price of non-tradables in tradables (1 at the start), clearing the N market.")
    a("gdp at current prices", "{tradable value added} + {nontradable spending}",
      units="$/Year", doc="GDP at current prices, in tradables (constant US$ of world goods).")
    a("private income",
      "{gdp at current prices} + {net factor income} - {fiscal rents} - {fund returns}",
      units="$/Year", doc="National income at current prices other than the state's rents and "
                          "the fund's returns (households, firms, ordinary government).")
    a("private consumption", "{consumption propensity} * {private income}", units="$/Year",
      doc="Household and ordinary government consumption.")
    a("domestic saving", "(1 - {consumption propensity}) * {private income}", units="$/Year",
      doc="Saving out of private income, invested at home.")
    a("fixed investment", "{domestic saving} + {fdi} + {invested withdrawals}", units="$/Year",
      doc="Investment in T and N capital: domestic saving, FDI and invested fund payouts.")
    return dict(blk.created)
