"""Exact solutions of the closed-form validation models in ``models/validation/``.

Each function returns the exact path of one validation model, vectorised over time, as a
dict keyed by the python names of the model's variables, so that a simulated Dataset can be
compared with it name by name. Keyword arguments carry the model's parameter names and
defaults. Derivations are in ``models/validation/README.md``.

Examples
--------
>>> import numpy as np
>>> from sdmodel import validation
>>> exact = validation.nelson_phelps(np.array([0.0, 10.0]))
>>> exact["technological_capability"].round(4)
array([0.3   , 0.8008])
>>> validation.model_path("fiscal_rules").name
'fiscal_rules.mdl'
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

from .exceptions import ModelFileError, ParameterError, suggest

__all__ = [
    "MODELS",
    "model_path",
    "hartwick",
    "nelson_phelps",
    "logistic_catch_up",
    "capability_threshold",
    "capability_crossing_time",
    "fiscal_rules",
    "dependent_economy",
]

#: Directory holding the validation model files.
VALIDATION_DIR = Path(__file__).resolve().parents[1] / "models" / "validation"

#: Names of the validation models (file stems in ``models/validation/``).
MODELS = (
    "hartwick",
    "nelson_phelps",
    "logistic_catch_up",
    "capability_threshold",
    "fiscal_rules",
    "dependent_economy",
)


def model_path(name: str) -> Path:
    """Return the path of a validation model file.

    Parameters
    ----------
    name : str
        One of :data:`MODELS`, e.g. ``"hartwick"`` (a ``.mdl`` suffix is accepted).

    Returns
    -------
    pathlib.Path
        ``models/validation/<name>.mdl``.

    Raises
    ------
    ModelFileError
        Unknown name (the closest names are suggested) or the file is missing.

    Examples
    --------
    >>> model_path("hartwick").name
    'hartwick.mdl'
    """
    stem = str(name).removesuffix(".mdl")
    if stem not in MODELS:
        raise ModelFileError(
            f"no validation model named {name!r}; expected one of {', '.join(MODELS)}."
            f"{suggest(stem, MODELS)}"
        )
    path = VALIDATION_DIR / f"{stem}.mdl"
    if not path.is_file():
        raise ModelFileError(f"validation model file {path} is missing")
    return path


def _time(t: ArrayLike, initial_time: float) -> np.ndarray:
    """Elapsed time since the initial time, as a float array."""
    return np.asarray(t, dtype=float) - float(initial_time)


def _positive(**values: float) -> None:
    for key, value in values.items():
        if not value > 0:
            raise ParameterError(f"{key} must be positive, got {value!r}")


def hartwick(
    t: ArrayLike,
    *,
    capital_elasticity: float = 0.3,
    resource_elasticity: float = 0.1,
    initial_capital: float = 1.0,
    initial_reserve: float = 5.0,
    depreciation_rate: float = 0.0,
    reference_capital: float = 1.0,
    reference_extraction: float = 1.0,
    reference_output: float = 1.0,
    capital_per_unit_output: float = 1.0,
    initial_time: float = 0.0,
) -> dict[str, np.ndarray]:
    """Hartwick path of the Dasgupta-Heal-Solow economy (model ``hartwick``).

    With ``Y = K^a R^b`` (inputs scaled by their reference levels), all rents ``b Y``
    reinvested and no depreciation, output stays at the maximal constant level
    ``Y* = [(a - b) S0]^(b/(1-b)) K0^((a-b)/(1-b))``, consumption at ``C* = (1 - b) Y*``,
    ``K(t) = K0 + b Y* t``, ``R(t) = (Y* K^-a)^(1/b)`` and ``S(t) = S0 (K0/K(t))^((a-b)/b)``,
    so cumulative extraction tends to ``S0``.

    Parameters
    ----------
    t : array_like
        Times (years).
    capital_elasticity, resource_elasticity : float
        ``a`` and ``b``; the path exists only for ``0 < b < a`` and ``a + b <= 1``.
    initial_capital, initial_reserve : float
        ``K0`` and ``S0``.
    depreciation_rate : float
        Must be 0: with depreciation there is no closed form.
    reference_capital, reference_extraction, reference_output, capital_per_unit_output : float
        Reference levels and capital per unit of output invested (1 in the textbook case).
    initial_time : float
        Time at which the stocks equal ``K0`` and ``S0``.

    Returns
    -------
    dict of str to numpy.ndarray
        ``capital``, ``resource_reserve``, ``extraction``, ``output``, ``consumption``,
        ``cumulative_extraction`` and ``maximal_constant_consumption``, each shaped like ``t``.

    Raises
    ------
    ParameterError
        ``b >= a``, non-positive elasticities or stocks, or a non-zero depreciation rate.

    Examples
    --------
    >>> exact = hartwick([0.0, 10.0])
    >>> exact["capital"], exact["resource_reserve"], exact["consumption"]
    (array([1., 2.]), array([5.  , 1.25]), array([0.9, 0.9]))
    """
    a, b = float(capital_elasticity), float(resource_elasticity)
    _positive(
        resource_elasticity=b,
        initial_capital=initial_capital,
        initial_reserve=initial_reserve,
        reference_capital=reference_capital,
        reference_extraction=reference_extraction,
        reference_output=reference_output,
        capital_per_unit_output=capital_per_unit_output,
    )
    if not a > b:
        raise ParameterError(
            f"capital_elasticity ({a:g}) must exceed resource_elasticity ({b:g}): otherwise "
            "no constant consumption is sustainable (cumulative extraction diverges)"
        )
    if a + b > 1:
        raise ParameterError(f"capital_elasticity + resource_elasticity must be <= 1, got {a + b:g}")
    if depreciation_rate != 0:
        raise ParameterError(
            f"depreciation_rate must be 0 for the exact Hartwick path, got {depreciation_rate!r}"
        )
    tau = _time(t, initial_time)
    scaled_reserve = (
        initial_reserve * capital_per_unit_output * reference_output
        / (reference_extraction * reference_capital)
    )
    k0 = initial_capital / reference_capital
    y_star = (
        reference_output
        * ((a - b) * scaled_reserve) ** (b / (1 - b))
        * k0 ** ((a - b) / (1 - b))
    )
    capital = initial_capital + capital_per_unit_output * b * y_star * tau
    reserve = initial_reserve * (initial_capital / capital) ** ((a - b) / b)
    extraction = reference_extraction * (
        y_star / (reference_output * (capital / reference_capital) ** a)
    ) ** (1 / b)
    consumption = np.full_like(tau, (1 - b) * y_star)
    return {
        "capital": capital,
        "resource_reserve": reserve,
        "extraction": extraction,
        "output": np.full_like(tau, y_star),
        "consumption": consumption,
        "cumulative_extraction": initial_reserve - reserve,
        "maximal_constant_consumption": consumption.copy(),
    }


def nelson_phelps(
    t: ArrayLike,
    *,
    catch_up_rate: float = 0.1,
    frontier_growth_rate: float = 0.015,
    initial_frontier: float = 1.0,
    initial_capability: float = 0.3,
    initial_time: float = 0.0,
) -> dict[str, np.ndarray]:
    """Nelson-Phelps catch-up to an exponentially growing frontier (model ``nelson_phelps``).

    ``dA/dt = Phi (T0 e^(lambda t) - A)`` has
    ``A(t) = Phi T0/(Phi+lambda) e^(lambda t) + (A0 - Phi T0/(Phi+lambda)) e^(-Phi t)``.

    Parameters
    ----------
    t : array_like
        Times (years).
    catch_up_rate : float
        ``Phi``, share of the gap closed per year (``Phi + lambda`` must not be 0).
    frontier_growth_rate : float
        ``lambda``.
    initial_frontier, initial_capability : float
        ``T0`` and ``A0`` at the initial time.
    initial_time : float
        Time origin of the exponentials.

    Returns
    -------
    dict of str to numpy.ndarray
        ``technological_capability`` (A) and ``world_frontier`` (T).

    Examples
    --------
    >>> exact = nelson_phelps([0.0, 1000.0])
    >>> ratio = exact["technological_capability"] / exact["world_frontier"]
    >>> round(float(ratio[1]), 4)   # tends to Phi/(Phi + lambda)
    0.8696
    """
    phi, lam = float(catch_up_rate), float(frontier_growth_rate)
    if phi + lam == 0:
        raise ParameterError("catch_up_rate + frontier_growth_rate must not be 0")
    tau = _time(t, initial_time)
    level = phi * initial_frontier / (phi + lam)
    capability = level * np.exp(lam * tau) + (initial_capability - level) * np.exp(-phi * tau)
    return {
        "technological_capability": capability,
        "world_frontier": initial_frontier * np.exp(lam * tau),
    }


def logistic_catch_up(
    t: ArrayLike,
    *,
    domestic_innovation_rate: float = 0.01,
    catch_up_rate: float = 0.05,
    leader_growth_rate: float = 0.02,
    initial_domestic_productivity: float = 0.2,
    initial_leader_productivity: float = 1.0,
    initial_time: float = 0.0,
) -> dict[str, np.ndarray]:
    """Logistic (Benhabib-Spiegel) catch-up (model ``logistic_catch_up``).

    With ``dA/dt = A (g_i + c (1 - A/A_m))`` and ``dA_m/dt = g_m A_m``, the relative level
    ``x = A/A_m`` solves ``dx/dt = x (a - c x)``, ``a = g_i - g_m + c``:
    ``x(t) = K / (1 + (K/x0 - 1) e^(-a t))`` with ``K = a/c``, written here as
    ``x0 e^(a t) / (1 + c x0 (e^(a t) - 1)/a)`` so that ``a = 0`` is covered. The follower falls
    behind (``x -> 0``) iff ``a <= 0``: exponentially when ``a < 0``, as ``x0/(1 + c x0 t)`` when
    ``a = 0``.

    Parameters
    ----------
    t : array_like
        Times (years).
    domestic_innovation_rate, catch_up_rate, leader_growth_rate : float
        ``g_i``, ``c`` (positive) and ``g_m``.
    initial_domestic_productivity, initial_leader_productivity : float
        ``A0`` and ``A_m0`` (positive).
    initial_time : float
        Time origin.

    Returns
    -------
    dict of str to numpy.ndarray
        ``relative_productivity``, ``domestic_productivity``, ``leader_productivity``.

    Examples
    --------
    >>> exact = logistic_catch_up([0.0, 2000.0])
    >>> exact["relative_productivity"].round(4)   # tends to K = a/c = 0.8
    array([0.2, 0.8])
    """
    c = float(catch_up_rate)
    _positive(
        catch_up_rate=c,
        initial_domestic_productivity=initial_domestic_productivity,
        initial_leader_productivity=initial_leader_productivity,
    )
    a = domestic_innovation_rate - leader_growth_rate + c
    tau = _time(t, initial_time)
    x0 = initial_domestic_productivity / initial_leader_productivity
    growth = np.expm1(a * tau) / a if a != 0 else tau
    relative = x0 * np.exp(a * tau) / (1 + c * x0 * growth)
    leader = initial_leader_productivity * np.exp(leader_growth_rate * tau)
    return {
        "relative_productivity": relative,
        "domestic_productivity": relative * leader,
        "leader_productivity": leader,
    }


def capability_crossing_time(
    *,
    investment_rate: float = 0.1,
    capability_depreciation_rate: float = 0.05,
    entry_barrier: float = 1.5,
    initial_capability: float = 0.2,
    investment_start_time: float = 5.0,
    initial_time: float = 0.0,
) -> float:
    """Time at which capability reaches the entry barrier (model ``capability_threshold``).

    Capability decays from ``C0`` until investment starts at ``s``, so
    ``C_s = C0 e^(-delta (s - t0))``; from then ``dC/dt = I - delta C`` reaches ``Cbar`` after
    ``t* = -(1/delta) ln((I/delta - Cbar)/(I/delta - C_s))``, which exists iff ``I/delta > Cbar``.

    Parameters
    ----------
    investment_rate, capability_depreciation_rate : float
        ``I`` (non-negative) and ``delta`` (positive).
    entry_barrier, initial_capability : float
        ``Cbar`` and ``C0``; ``C0`` must be below ``Cbar``.
    investment_start_time, initial_time : float
        ``s`` and ``t0`` (a start before ``t0`` counts as ``t0``).

    Returns
    -------
    float
        ``s + t*``, or ``inf`` when ``I/delta <= Cbar``.

    Examples
    --------
    >>> round(capability_crossing_time(), 3)
    31.104
    >>> capability_crossing_time(investment_rate=0.07)
    inf
    """
    delta = float(capability_depreciation_rate)
    _positive(capability_depreciation_rate=delta)
    if investment_rate < 0:
        raise ParameterError(f"investment_rate must be non-negative, got {investment_rate!r}")
    if not initial_capability < entry_barrier:
        raise ParameterError(
            f"initial_capability ({initial_capability:g}) must be below entry_barrier "
            f"({entry_barrier:g})"
        )
    start = max(float(investment_start_time), float(initial_time))
    level = investment_rate / delta
    if level <= entry_barrier:
        return math.inf
    at_start = initial_capability * math.exp(-delta * (start - initial_time))
    return start - math.log((level - entry_barrier) / (level - at_start)) / delta


def capability_threshold(
    t: ArrayLike,
    *,
    investment_rate: float = 0.1,
    capability_depreciation_rate: float = 0.05,
    entry_barrier: float = 1.5,
    initial_capability: float = 0.2,
    investment_start_time: float = 5.0,
    window_close_time: float = 40.0,
    initial_time: float = 0.0,
) -> dict[str, np.ndarray]:
    """Capability path and entry outcome (model ``capability_threshold``).

    ``C(t) = C0 e^(-delta (t - t0))`` before the start ``s`` and
    ``C(t) = I/delta + (C_s - I/delta) e^(-delta (t - s))`` after; entry succeeds iff the
    crossing time (:func:`capability_crossing_time`) is before the window closes.

    Parameters
    ----------
    t : array_like
        Times (years).
    investment_rate, capability_depreciation_rate, entry_barrier, initial_capability : float
        ``I``, ``delta``, ``Cbar`` and ``C0``.
    investment_start_time, window_close_time, initial_time : float
        ``s``, the window's close and ``t0``.

    Returns
    -------
    dict of str to numpy.ndarray
        ``capability``; ``barrier_crossing_time`` (the crossing time once crossed, else the
        current time, as in the model); ``entry_succeeded`` (1.0 from the crossing on if it
        precedes the window's close, else 0.0).

    Examples
    --------
    >>> exact = capability_threshold([0.0, 30.0, 40.0])
    >>> exact["entry_succeeded"]
    array([0., 0., 1.])
    """
    crossing = capability_crossing_time(
        investment_rate=investment_rate,
        capability_depreciation_rate=capability_depreciation_rate,
        entry_barrier=entry_barrier,
        initial_capability=initial_capability,
        investment_start_time=investment_start_time,
        initial_time=initial_time,
    )
    delta = float(capability_depreciation_rate)
    times = np.asarray(t, dtype=float)
    start = max(float(investment_start_time), float(initial_time))
    level = investment_rate / delta
    at_start = initial_capability * math.exp(-delta * (start - initial_time))
    capability = np.where(
        times < start,
        initial_capability * np.exp(-delta * (times - initial_time)),
        level + (at_start - level) * np.exp(-delta * (times - start)),
    )
    crossed = times >= crossing
    return {
        "capability": capability,
        "barrier_crossing_time": np.minimum(times, crossing),
        "entry_succeeded": (crossed & (crossing < window_close_time)).astype(float),
    }


def fiscal_rules(
    t: ArrayLike,
    *,
    fund_return_rate: float = 0.04,
    windfall_rate: float = 1.0,
    windfall_duration: float = 12.0,
    initial_fund: float = 2.0,
    initial_time: float = 0.0,
) -> dict[str, np.ndarray]:
    """Fund and spending paths under the bird-in-hand and permanent-income rules.

    A windfall ``R`` per year over ``[0, T)`` flows into a fund earning ``r``;
    ``dF/dt = R(t) + r F - spending``. Bird-in-hand spends ``r F``, so ``F_B = F0 + W(t)``
    with ``W(t) = R min(t, T)``, and spending ``r (F0 + W)`` plateaus at ``r F0 + r R T``.
    Permanent income spends ``c = r F0 + R (1 - e^(-rT))`` throughout, giving
    ``F_P(t) = F0 + (R/r) (e^(-r (T - min(t, T))) - e^(-rT))``, constant after ``T``.

    Parameters
    ----------
    t : array_like
        Times (years).
    fund_return_rate : float
        ``r`` (non-negative; ``r = 0`` is the limit case).
    windfall_rate, windfall_duration, initial_fund : float
        ``R``, ``T`` and ``F0``.
    initial_time : float
        Start of the windfall.

    Returns
    -------
    dict of str to numpy.ndarray
        ``windfall``, ``cumulative_windfall``, ``bird_in_hand_fund``,
        ``bird_in_hand_spending``, ``permanent_income_fund``, ``permanent_income_spending``.

    Examples
    --------
    >>> exact = fiscal_rules([0.0, 50.0])
    >>> exact["bird_in_hand_spending"].round(4), exact["permanent_income_spending"].round(4)
    (array([0.08, 0.56]), array([0.4612, 0.4612]))
    """
    r, rate, duration = float(fund_return_rate), float(windfall_rate), float(windfall_duration)
    if r < 0 or duration < 0:
        raise ParameterError(
            f"fund_return_rate and windfall_duration must be non-negative, got {r!r}, {duration!r}"
        )
    tau = _time(t, initial_time)
    received = np.clip(tau, 0.0, duration)
    cumulative = rate * received
    bird_fund = initial_fund + cumulative
    # (R/r)(e^(-r(T-s)) - e^(-rT)) = R e^(-rT) expm1(r s)/r, which tends to R s as r -> 0
    accrued = np.expm1(r * received) / r if r > 0 else received
    permanent_fund = initial_fund + rate * math.exp(-r * duration) * accrued
    annuity = -math.expm1(-r * duration) if r > 0 else 0.0
    return {
        "windfall": np.where((tau >= 0) & (tau < duration), rate, 0.0),
        "cumulative_windfall": cumulative,
        "bird_in_hand_fund": bird_fund,
        "bird_in_hand_spending": r * bird_fund,
        "permanent_income_fund": permanent_fund,
        "permanent_income_spending": np.full_like(tau, r * initial_fund + rate * annuity),
    }


def dependent_economy(
    resource_windfall: ArrayLike = 0.3,
    *,
    non_tradable_labour_requirement: float = 1.2,
    elasticity_of_substitution: float = 0.5,
) -> dict[str, np.ndarray]:
    """Steady state of the linear Corden-Neary dependent economy (model ``dependent_economy``).

    Tradables ``Q_T = L_T``, non-tradables ``Q_N = L_N/H``, ``L_T + L_N = 1``, a windfall
    ``Q_E`` of tradables, CES preferences with equal weights and elasticity ``eps``. Equal
    wages fix the relative price at ``P = H`` whatever the windfall, and market clearing
    ``P^eps = (L_T + Q_E)/Q_N`` gives ``L_N = (1 + Q_E)/(1 + H^(eps-1))``, feasible iff
    ``Q_E <= H^(eps-1)``.

    Parameters
    ----------
    resource_windfall : array_like
        ``Q_E``, one or several windfall sizes (non-negative).
    non_tradable_labour_requirement : float
        ``H`` (positive).
    elasticity_of_substitution : float
        ``eps`` (positive).

    Returns
    -------
    dict of str to numpy.ndarray
        ``non_tradable_labour``, ``tradable_labour``, ``relative_price``, ``wage_gap``,
        shaped like ``resource_windfall``.

    Raises
    ------
    ParameterError
        A windfall beyond the feasibility bound ``H^(eps-1)`` (no interior equilibrium: the
        whole labour force would move to non-tradables and ``P`` would exceed ``H``), or a
        negative windfall, or non-positive ``H`` or ``eps``.

    Examples
    --------
    >>> eq = dependent_economy([0.0, 0.3])
    >>> eq["non_tradable_labour"].round(4), eq["relative_price"]
    (array([0.5228, 0.6796]), array([1.2, 1.2]))
    """
    h, eps = float(non_tradable_labour_requirement), float(elasticity_of_substitution)
    _positive(non_tradable_labour_requirement=h, elasticity_of_substitution=eps)
    windfall = np.asarray(resource_windfall, dtype=float)
    if np.any(windfall < 0) or np.any(np.isnan(windfall)):
        raise ParameterError(f"resource_windfall must be non-negative, got {windfall}")
    bound = h ** (eps - 1)
    too_big = windfall > bound
    if np.any(too_big):
        raise ParameterError(
            f"resource_windfall {windfall[too_big].tolist()} exceeds the feasibility bound "
            f"H^(eps-1) = {bound:.6g} (H = {h:g}, eps = {eps:g}): no interior equilibrium; "
            "every worker would move to non-tradables and the relative price would rise above H"
        )
    non_tradable = (1 + windfall) / (1 + bound)
    return {
        "non_tradable_labour": non_tradable,
        "tradable_labour": 1 - non_tradable,
        "relative_price": np.full_like(windfall, h),
        "wage_gap": np.zeros_like(windfall),
    }
