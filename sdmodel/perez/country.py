"""A country's own starting point for the reference model, from WDI and Penn World Table data.

:func:`country_parameters` returns the constants (python names) that start the reference model
in a given year 1980-2010 from one country's data; :func:`country_data` returns the same values
with the source of each. The start year itself is not a constant: pass it as the run's
``initial_time``.

How each value is built (``t0`` the start year; PWT = Penn World Table 10.01, WDI = World
Development Indicators, see ``shared/data/README.md``):

========================================  ==================================================
constant                                  source
========================================  ==================================================
``initial_population`` [Person]           PWT ``pop`` (millions) x 1e6 at ``t0``
``population_growth_rate`` [1/Year]       OLS slope of log PWT ``pop`` over ``t0-10 .. t0``
``initial_unemployment_rate`` [Dmnl]      not in the data set: an input (default
                                          :data:`DEFAULT_UNEMPLOYMENT_RATE`)
``initial_labour_force`` [Person]         PWT ``emp`` x 1e6 / (1 - unemployment rate)
``initial_gdp_per_capita`` [$/Person]     WDI ``NY.GDP.PCAP.KD`` (constant 2015 US$) at
                                          ``t0``; fallback below when the country has none
``initial_capital_output_ratio`` [Year]   PWT ``rnna / rgdpna`` at ``t0`` (both constant
                                          2017 national prices)
``initial_schooling_years`` [Year]        PWT ``hc`` at ``t0`` inverted through PWT's
                                          Mincer mapping (:func:`schooling_from_hc`)
``schooling_growth`` [Year/Year]          OLS slope of those years of schooling over
                                          ``t0-10 .. t0``
``initial_relative_tfp`` [Dmnl]           PWT ``ctfp`` (USA = 1) at ``t0``
``frontier_tfp_growth`` [1/Year]          an input (default :data:`DEFAULT_FRONTIER_TFP_GROWTH`)
``resource_output_share`` [Dmnl]          WDI ``NY.GDP.TOTL.RT.ZS`` / 100, mean over
                                          ``t0-2 .. t0+2`` (years observed, at least 3)
``energy_weight``, ``metals_weight``,     oil rents (WDI ``NY.GDP.PETR.RT.ZS``), mineral rents
``agriculture_weight`` [Dmnl]             (``NY.GDP.MINR.RT.ZS``) and the rest of total rents
                                          (``TOTL - PETR - MINR``), each over total rents,
                                          means over ``t0-2 .. t0+2``; they sum to one
========================================  ==================================================

Choices a reader should know about:

- **Unemployment.** The data set has no unemployment series, so the rate is a stated input,
  not data (default 7 %, a round assumption, not an estimate). The labour force is persons
  engaged (PWT ``emp``) grossed up by it.
- **GDP per capita fallback** (Venezuela, the one country without ``NY.GDP.PCAP.KD``): PWT
  ``rgdpna / pop`` (constant 2017 national prices, at 2017 PPPs) times the country's own 2017
  price level ``pl_gdpo`` (PPP -> market exchange rate), times the median over the countries
  that have both series of the ratio of WDI ``NY.GDP.PCAP.KD`` to that quantity in ``t0``
  (a 2017 -> 2015 US$ and definitional factor). Over 1980-2010 that ratio is 0.86-1.19 for
  ten of eleven countries (Nigeria 1.27-1.52), so the fallback level is uncertain by some
  15-30 %; Venezuela's 2017 price level (19.4) reflects its official exchange rate in a
  hyperinflation, which may overstate the level further. The growth path is PWT's.
- **Frontier TFP growth.** The data set has no USA. The frontier drift implied by the data,
  ``d log(rtfpna / ctfp) / dt`` (own-price TFP growth less relative TFP growth), has a
  cross-country median between -1.9 %/yr and +1.7 %/yr depending on the decade, because
  current-PPP relative TFP moves with relative prices; it is too noisy to use. The default
  is an assumed 1 %/yr for world-frontier (US) TFP growth, a round value of the order of the
  post-1973 US business-sector rates discussed by Fernald (2014, "Productivity and Potential
  Output before, during, and after the Great Recession", NBER Macroeconomics Annual); it is an
  input, to be replaced by a better-sourced figure.
- **Commodity basket.** Rents other than oil and minerals (gas, coal and forest rents, which
  the data set does not separate) are assigned to ``agriculture_weight``. For gas and coal
  exporters (Norway, Indonesia, Malaysia) this misplaces energy rents; the table in
  ``calibration/README.md`` lists each country's weights.
- **Windows.** Trends use the ten years up to and including ``t0`` and rent shares the five
  years centred on ``t0``, so a run started at ``t0`` uses at most two years of later data.

Examples
--------
>>> from sdmodel.perez.country import country_parameters
>>> p = country_parameters("CHL", 1990, data_dir="../shared/data")     # doctest: +SKIP
>>> round(p["initial_relative_tfp"], 3), round(p["metals_weight"], 2)  # doctest: +SKIP
(0.631, 0.88)
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

import numpy as np

from ..exceptions import DataError, ParameterError

__all__ = [
    "CountryStart",
    "country_data",
    "country_parameters",
    "schooling_from_hc",
    "hc_from_schooling",
    "PARAMETERS",
    "FIRST_YEAR",
    "LAST_YEAR",
    "DEFAULT_UNEMPLOYMENT_RATE",
    "DEFAULT_FRONTIER_TFP_GROWTH",
]

#: The constants :func:`country_parameters` returns, in a fixed order.
PARAMETERS = (
    "initial_population", "population_growth_rate", "initial_labour_force",
    "initial_unemployment_rate", "initial_gdp_per_capita", "initial_capital_output_ratio",
    "initial_schooling_years", "schooling_growth", "initial_relative_tfp",
    "frontier_tfp_growth", "resource_output_share", "energy_weight", "metals_weight",
    "agriculture_weight",
)
#: Start years supported (trends need ten earlier years, rent shares two later ones).
FIRST_YEAR, LAST_YEAR = 1980, 2010
#: Unemployment rate assumed at the start (the data set has no unemployment series).
DEFAULT_UNEMPLOYMENT_RATE = 0.07
#: Assumed growth of world-frontier TFP (see the module docstring).
DEFAULT_FRONTIER_TFP_GROWTH = 0.01

#: PWT's Mincer returns per year of schooling: s <= 4, 4 < s <= 8, s > 8 (Caselli 2005).
_MINCER_RETURNS = (0.134, 0.101, 0.068)
_TREND_YEARS = 10
_RENT_HALF_WINDOW = 2

_PCAP = "NY.GDP.PCAP.KD"
_RENTS = ("NY.GDP.TOTL.RT.ZS", "NY.GDP.PETR.RT.ZS", "NY.GDP.MINR.RT.ZS")
_PWT = ("pop", "emp", "rnna", "rgdpna", "hc", "ctfp", "pl_gdpo")


@dataclass(frozen=True)
class CountryStart:
    """A country's starting quantities for a run from ``start_year``.

    Attributes
    ----------
    code : str
        ISO 3166-1 alpha-3 code.
    start_year : int
        The run's ``initial_time``.
    parameters : dict
        ``{constant: value}`` for every name in :data:`PARAMETERS`.
    sources : dict
        ``{constant: where the value comes from}``, in words.
    """

    code: str
    start_year: int
    parameters: dict[str, float] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)


def hc_from_schooling(years: float | np.ndarray) -> float | np.ndarray:
    """PWT's human capital index for average years of schooling.

    ``hc = exp(phi(s))`` with ``phi`` piecewise linear: returns 0.134 per year up to 4 years,
    0.101 from 4 to 8 and 0.068 beyond 8 (Feenstra, Inklaar and Timmer 2015, after Caselli
    2005).

    Examples
    --------
    >>> round(float(hc_from_schooling(4.0)), 6) == round(math.exp(0.536), 6)
    True
    """
    s = np.asarray(years, dtype=float)
    r1, r2, r3 = _MINCER_RETURNS
    phi = np.where(s <= 4, r1 * s,
                   np.where(s <= 8, 4 * r1 + r2 * (s - 4), 4 * (r1 + r2) + r3 * (s - 8)))
    out = np.exp(phi)
    return float(out) if out.ndim == 0 else out


def schooling_from_hc(hc: float | np.ndarray) -> float | np.ndarray:
    """Average years of schooling whose PWT human capital index is ``hc`` (inverse mapping).

    Raises
    ------
    DataError
        ``hc`` below 1 (no schooling gives hc = 1) or not finite.

    Examples
    --------
    >>> round(float(schooling_from_hc(hc_from_schooling(9.5))), 9)
    9.5
    """
    h = np.asarray(hc, dtype=float)
    if not np.all(np.isfinite(h)) or np.any(h < 1.0):
        raise DataError(f"PWT hc must be finite and at least 1 (no schooling), got {hc!r}")
    r1, r2, r3 = _MINCER_RETURNS
    phi = np.log(h)
    k1, k2 = 4 * r1, 4 * (r1 + r2)
    s = np.where(phi <= k1, phi / r1, np.where(phi <= k2, 4 + (phi - k1) / r2,
                                                8 + (phi - k2) / r3))
    return float(s) if s.ndim == 0 else s


def country_parameters(code: str, start_year: int, *,
                       data_dir: str | os.PathLike | None = None,
                       unemployment_rate: float = DEFAULT_UNEMPLOYMENT_RATE,
                       frontier_tfp_growth: float = DEFAULT_FRONTIER_TFP_GROWTH,
                       download: bool | None = None) -> dict[str, float]:
    """The reference model's constants that start it in ``start_year`` from a country's data.

    Parameters
    ----------
    code : str
        ISO 3166-1 alpha-3 code of a country in the data directory (case-insensitive).
    start_year : int
        First simulated year, 1980-2010 (also the run's ``initial_time``, which is not
        returned: it is a run setting, not a constant).
    data_dir : path, optional
        Directory with ``wdi.csv`` and ``pwt.csv`` (default ``$SDMODEL_DATA`` or the cache).
    unemployment_rate : float
        Unemployment rate at the start, in [0, 1) (the data set has none).
    frontier_tfp_growth : float
        Growth rate of world-frontier TFP per year (see the module docstring).
    download : bool, optional
        Passed to the data loaders (``None``: download what is missing unless
        ``$SDMODEL_OFFLINE`` is set).

    Returns
    -------
    dict
        ``{constant: value}`` for every name in :data:`PARAMETERS` (see the module docstring
        for the source of each).

    Raises
    ------
    ParameterError
        A start year outside 1980-2010, or an unemployment rate outside [0, 1).
    DataError
        An unknown country, or a series missing or NaN in a year it is needed (the message
        names the country, the year and the series).

    Examples
    --------
    >>> p = country_parameters("NOR", 2000, data_dir="../shared/data")   # doctest: +SKIP
    >>> sorted(p) == sorted(PARAMETERS)                                    # doctest: +SKIP
    True
    """
    return country_data(code, start_year, data_dir=data_dir,
                        unemployment_rate=unemployment_rate,
                        frontier_tfp_growth=frontier_tfp_growth, download=download).parameters


def country_data(code: str, start_year: int, *, data_dir: str | os.PathLike | None = None,
                 unemployment_rate: float = DEFAULT_UNEMPLOYMENT_RATE,
                 frontier_tfp_growth: float = DEFAULT_FRONTIER_TFP_GROWTH,
                 download: bool | None = None) -> CountryStart:
    """:func:`country_parameters` with the source of every value (a :class:`CountryStart`).

    Examples
    --------
    >>> start = country_data("CHL", 1990, data_dir="../shared/data")   # doctest: +SKIP
    >>> start.sources["initial_gdp_per_capita"]                         # doctest: +SKIP
    'WDI NY.GDP.PCAP.KD, CHL 1990 (constant 2015 US$)'
    """
    from .. import data as sdd

    t0 = _start_year(start_year)
    for name, value, ok, expected in (
            ("unemployment_rate", unemployment_rate, lambda v: 0 <= v < 1, "in [0, 1)"),
            ("frontier_tfp_growth", frontier_tfp_growth, lambda v: -0.1 < v < 0.1,
             "a growth rate per year in (-0.1, 0.1)")):
        if (isinstance(value, bool) or not isinstance(value, (int, float))
                or not math.isfinite(value) or not ok(value)):
            raise ParameterError(f"{name} = {value!r}; expected {expected}")
    lo, hi = t0 - _TREND_YEARS, t0 + _RENT_HALF_WINDOW
    pwt = sdd.load_pwt(list(_PWT), code, data_dir=data_dir, start=lo, end=hi,
                       download=download, allow_missing=True)
    ctry = str(pwt["country"].values[0])
    pwt = pwt.sel(country=ctry)
    wdi = sdd.load_wdi([_PCAP, *_RENTS], ctry, data_dir=data_dir, start=lo, end=hi,
                       download=download, allow_missing=True).sel(country=ctry)

    def at(ds, name: str, year: int, source: str) -> float:
        value = float(ds[name].sel(year=year).values)
        if not math.isfinite(value):
            raise DataError(f"{source} {name} for {ctry} has no value in {year}; the start "
                            f"year {t0} needs it")
        return value

    def trend(values: np.ndarray, name: str, source: str) -> float:
        years = np.arange(lo, t0 + 1)
        ok = np.isfinite(values)
        if ok.sum() < _TREND_YEARS // 2 + 1 or not ok[-1]:
            raise DataError(f"{source} {name} for {ctry} has {int(ok.sum())} values in "
                            f"{lo}-{t0}; the trend needs at least {_TREND_YEARS // 2 + 1}, "
                            f"including {t0}")
        return float(np.polyfit(years[ok], values[ok], 1)[0])

    p: dict[str, float] = {}
    src: dict[str, str] = {}
    pop = at(pwt, "pop", t0, "PWT")
    p["initial_population"] = pop * 1e6
    src["initial_population"] = f"PWT pop, {ctry} {t0} (millions x 1e6)"
    p["population_growth_rate"] = trend(np.log(pwt["pop"].sel(year=slice(lo, t0)).values),
                                        "pop", "PWT")
    src["population_growth_rate"] = f"OLS slope of log PWT pop, {ctry} {lo}-{t0}"
    p["initial_unemployment_rate"] = float(unemployment_rate)
    src["initial_unemployment_rate"] = "assumed (the data set has no unemployment series)"
    p["initial_labour_force"] = at(pwt, "emp", t0, "PWT") * 1e6 / (1 - unemployment_rate)
    src["initial_labour_force"] = (f"PWT emp, {ctry} {t0} (millions x 1e6) / (1 - "
                                   "unemployment rate)")
    p["initial_gdp_per_capita"], src["initial_gdp_per_capita"] = _gdp_per_capita(
        wdi, pwt, ctry, t0, at, data_dir=data_dir, download=download)
    p["initial_capital_output_ratio"] = at(pwt, "rnna", t0, "PWT") / at(pwt, "rgdpna", t0, "PWT")
    src["initial_capital_output_ratio"] = f"PWT rnna / rgdpna, {ctry} {t0}"
    p["initial_schooling_years"] = float(schooling_from_hc(at(pwt, "hc", t0, "PWT")))
    src["initial_schooling_years"] = f"PWT hc, {ctry} {t0}, inverted through PWT's Mincer mapping"
    hc = pwt["hc"].sel(year=slice(lo, t0)).values
    if np.any(np.isfinite(hc) & (hc < 1)):
        raise DataError(f"PWT hc for {ctry} is below 1 in {lo}-{t0}; expected an index >= 1")
    p["schooling_growth"] = trend(np.where(np.isfinite(hc), schooling_from_hc(
        np.where(np.isfinite(hc), hc, 1.0)), np.nan), "hc", "PWT")
    src["schooling_growth"] = f"OLS slope of years of schooling from PWT hc, {ctry} {lo}-{t0}"
    p["initial_relative_tfp"] = at(pwt, "ctfp", t0, "PWT")
    src["initial_relative_tfp"] = f"PWT ctfp (USA = 1), {ctry} {t0}"
    p["frontier_tfp_growth"] = float(frontier_tfp_growth)
    src["frontier_tfp_growth"] = "assumed world-frontier TFP growth (see sdmodel.perez.country)"
    shares, where = _rent_shares(wdi, ctry, t0)
    p.update(shares)
    for name in shares:
        src[name] = where
    return CountryStart(ctry, t0, {k: p[k] for k in PARAMETERS}, {k: src[k] for k in PARAMETERS})


def _start_year(start_year) -> int:
    if (isinstance(start_year, bool) or not isinstance(start_year, (int, np.integer, float))
            or not float(start_year).is_integer()
            or not FIRST_YEAR <= start_year <= LAST_YEAR):
        raise ParameterError(
            f"start year {start_year!r} is not supported; expected a whole year "
            f"{FIRST_YEAR}-{LAST_YEAR}")
    return int(start_year)


def _gdp_per_capita(wdi, pwt, ctry: str, t0: int, at, *, data_dir, download):
    """WDI GDP per capita at ``t0``, or the PWT fallback of the module docstring."""
    value = float(wdi[_PCAP].sel(year=t0).values)
    if math.isfinite(value):
        return value, f"WDI {_PCAP}, {ctry} {t0} (constant 2015 US$)"
    from .. import data as sdd

    pl17 = float(sdd.load_pwt("pl_gdpo", ctry, data_dir=data_dir, start=2017, end=2017,
                              download=download, allow_missing=True)["pl_gdpo"].values[0, 0])
    if not math.isfinite(pl17):
        raise DataError(f"WDI {_PCAP} for {ctry} has no value in {t0}, and the PWT fallback "
                        f"needs PWT pl_gdpo for {ctry} in 2017, which is missing")
    own = at(pwt, "rgdpna", t0, "PWT") / at(pwt, "pop", t0, "PWT") * pl17
    ratio = _pcap_ratio(t0, data_dir=data_dir, download=download, exclude=ctry)
    return (own * ratio,
            f"PWT rgdpna / pop, {ctry} {t0}, x its 2017 pl_gdpo ({pl17:.4g}) x the median "
            f"WDI/PWT ratio of the other countries in {t0} ({ratio:.4f}); {ctry} has no WDI "
            f"{_PCAP} in {t0}")


def _pcap_ratio(t0: int, *, data_dir, download, exclude: str) -> float:
    """Median over the data's countries of WDI GDP per capita / (PWT rgdpna/pop x pl_gdpo 2017)."""
    from .. import data as sdd
    from ..data import _store

    frame = _store.read_csv(_store.data_dir(data_dir) / "pwt.csv")
    codes = sorted(set(frame["country"]) - {exclude})
    pwt = sdd.load_pwt(["rgdpna", "pop", "pl_gdpo"], codes, data_dir=data_dir,
                       download=download, allow_missing=True)
    wdi = sdd.load_wdi(_PCAP, codes, data_dir=data_dir, start=t0, end=t0,
                       download=False, allow_missing=True)
    ratios = []
    for c in codes:
        q = pwt.sel(country=c)
        value = float(wdi[_PCAP].sel(country=c, year=t0).values)
        denom = float((q["rgdpna"] / q["pop"]).sel(year=t0).values
                      * q["pl_gdpo"].sel(year=2017).values)
        if math.isfinite(value) and math.isfinite(denom) and denom > 0:
            ratios.append(value / denom)
    if not ratios:
        raise DataError(f"no country in the data directory has both WDI {_PCAP} and PWT "
                        f"rgdpna, pop and pl_gdpo in {t0}; the GDP per capita fallback needs one")
    return float(np.median(ratios))


def _rent_shares(wdi, ctry: str, t0: int) -> tuple[dict[str, float], str]:
    years = np.arange(t0 - _RENT_HALF_WINDOW, t0 + _RENT_HALF_WINDOW + 1)
    total, oil, minerals = (wdi[c].sel(year=years).values for c in _RENTS)
    ok = np.isfinite(total) & np.isfinite(oil) & np.isfinite(minerals)
    if ok.sum() < 3:
        raise DataError(
            f"WDI rents ({', '.join(_RENTS)}) for {ctry} have {int(ok.sum())} complete years in "
            f"{years[0]}-{years[-1]}; the start year {t0} needs at least 3")
    t, o, m = total[ok].mean(), oil[ok].mean(), minerals[ok].mean()
    where = (f"WDI {', '.join(_RENTS)}, {ctry}, means over {', '.join(map(str, years[ok]))}")
    if t <= 0:
        raise DataError(f"WDI {_RENTS[0]} for {ctry} averages {t:g} % of GDP around {t0}; "
                        "the commodity basket needs positive rents")
    energy, metals = min(max(o / t, 0.0), 1.0), min(max(m / t, 0.0), 1.0)
    metals = min(metals, 1.0 - energy)
    return ({"resource_output_share": t / 100.0, "energy_weight": energy,
             "metals_weight": metals, "agriculture_weight": 1.0 - energy - metals}, where)
