"""A generated 1 000-variable stock-flow chain for the batch benchmarks.

Every tenth variable is a stock draining towards its predecessor, the others are weighted
averages, MIN/MAX and IF THEN ELSE of the two variables before them, with ten constants as
parameters: ~3 000 additions, multiplications, divisions and comparisons per Euler step and
no transcendental function (``exp=True`` adds one EXP to every auxiliary, for measuring
what a transcendental call costs). Values stay between the constants' range, so no run
overflows.

Examples
--------
>>> text = chain_model(20)
>>> text.count("INTEG(")
2
"""

from __future__ import annotations

__all__ = ["chain_model"]

N_CONST = 10


def _aux(i: int, exp: bool) -> str:
    a, b, k = f"v{i - 1}", f"v{i - 2}", f"k{i % N_CONST}"
    form = i % 3
    if form == 0:
        body = f"({a} + {k} * {b}) / (1 + {k})"
    elif form == 1:
        body = f"IF THEN ELSE({a} > {b}, 0.7 * {a} + 0.3 * {k}, 0.5 * ({b} + {k}))"
    else:
        body = f"0.5 * MIN({a}, {k} + 1) + 0.5 * MAX({b}, {k})"
    if exp:
        body = f"({body}) * EXP(-0.01 * {a})"
    return body


def chain_model(n_vars: int = 1000, *, exp: bool = False) -> str:
    """Vensim text of a chain of ``n_vars`` variables (``v0`` ... plus ten constants)."""
    eqs = [f"k{j} = {0.5 + 0.1 * j:.1f}" for j in range(N_CONST)]
    for i in range(n_vars):
        if i % 10 == 0:
            source = f"v{i - 1}" if i else "k0"
            eqs.append(f"v{i} = INTEG(({source} - v{i}) / (2 + k{(i // 10) % N_CONST}), 1)")
        elif i == 1:
            eqs.append("v1 = 0.5 * (v0 + k1)")
        else:
            eqs.append(f"v{i} = {_aux(i, exp)}")
    eqs += ["FINAL TIME = 60", "INITIAL TIME = 0", "SAVEPER = 1", "TIME STEP = 0.25"]
    return "{UTF-8}\n" + "".join(f"{e}\n\t~\t\n\t~\t\n\t|\n\n" for e in eqs)
