"""Issue-8 analyses of the reference model, printed for the record (not a CI test).

Window sweep of reinvestment start year x share against ``squander``; latest viable start per
share; Sobol indices of GDP per capita in 2040 over uncertain structural parameters (under
``reinvest_early``); and, over a Latin hypercube of the same parameters, the probability that
``reinvest_early`` beats ``squander`` on each reported metric.

Usage::

    .venv/bin/python benchmarks/measure_reference_analyses.py
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

import sdmodel as sd

REFERENCE = Path(__file__).resolve().parents[1] / "models" / "perez" / "perez.mdl"
UNCERTAIN = ["frontier_growth_rate", "catch_up_elasticity", "rent_spending_multiplier",
             "price_boom_scale", "human_capital_depreciation_rate", "progress_ratio",
             "fund_return_rate", "poverty_elasticity"]
METRICS = ["gdp_per_capita@2040", "non_resource_export_share@2040", "max(real_exchange_rate)",
           "poverty_rate@2040", "human_capital@2040"]
LOWER_IS_BETTER = ["max(real_exchange_rate)", "poverty_rate@2040"]


def main() -> None:
    model = sd.load(REFERENCE)
    scenarios = sd.load_scenarios(REFERENCE.parent / "scenarios.toml")

    t = time.perf_counter()
    sweep = sd.analysis.window_sweep(model, np.arange(2003, 2031, 3.0), [0.2, 0.4, 0.6, 0.8],
                                     start_lever="reinvestment_start_year",
                                     share_lever="reinvestment_share",
                                     metric="gdp_per_capita_2040", scenarios=scenarios)
    print(f"window sweep ({sweep.size} cells + baseline, one batch call, "
          f"{time.perf_counter() - t:.2f} s): {sweep.attrs['long_name']} ({sweep.attrs['units']})")
    print(sweep.to_pandas().round(3).to_string())
    threshold = float(sweep.max()) / 2
    latest = sd.analysis.latest_viable_start(sweep, threshold)
    print(f"latest start with a gain >= {threshold:.3g}:", dict(zip(latest["share"].values.tolist(),
                                                                     latest.values.tolist())))

    present = [p for p in UNCERTAIN if p in model.params]
    t = time.perf_counter()
    si = sd.analysis.sobol(model, present, metrics=METRICS[:1], overrides=scenarios["reinvest_early"],
                           n=512, seed=1)
    print(f"\nSobol, {si.attrs['n_evaluations']} runs ({time.perf_counter() - t:.1f} s), "
          "GDP per capita 2040 under reinvest_early:")
    print(si[["S1", "S1_conf", "ST", "ST_conf"]].sel(output="gdp_per_capita_2040").to_dataframe()
          .drop(columns="output").sort_values("ST", ascending=False).round(3).to_string())

    samples = sd.analysis.latin_hypercube(model, present, 2000, seed=2)
    runs = sd.analysis.scenario_runs(
        model, {k: scenarios[k] for k in ("squander", "reinvest_early", "reinvest_late")}, samples,
        return_vars=sorted({m.variable for m in sd.analysis.parse_metrics(model, METRICS)}))
    for name in ("reinvest_early", "reinvest_late"):
        p = sd.analysis.prob_beats(model, runs, name, "squander", metrics=METRICS,
                                   lower_is_better=LOWER_IS_BETTER)
        print(f"\nP({name} beats squander) over {runs.sizes['run']} LHS samples:")
        print(p.to_pandas().round(3).to_string())


if __name__ == "__main__":
    main()
