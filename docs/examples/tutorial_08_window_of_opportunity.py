"""
# The window of opportunity

Pérez (2010) argues that a commodity boom opens a window: while it lasts, rents are abundant
and the upper export tiers (processed commodities, specialities, niche products) can still be
entered; after it, their entry barriers rise and the same effort buys less. The reference
model states that as barriers that rise once the window has opened.

A window sweep measures it: for every start year of reinvestment and every share of rents
reinvested, the gain in a metric over the baseline (rents squandered). The whole grid — here
15 start years by 6 shares, 90 runs and the baseline — is one batch run of the model
(`sdmodel.analysis.window_sweep`; `sdmodel window` on the command line).
"""

from pathlib import Path

import numpy as np

import sdmodel as sd
from sdmodel.analysis import latest_viable_start, window_sweep

# The repository root (the tutorials run from any folder).
ROOT = next(p for p in (Path.cwd(), *Path.cwd().parents) if (p / "models" / "perez").is_dir())
model = sd.load(ROOT / "models/perez/perez.mdl")
scenarios = sd.load_scenarios(ROOT / "models/perez/scenarios.toml")
print("window settings of the scenario file:", scenarios.window)

# %%
# The levers and the metric come from the scenario file's `[window]` table; the cells start
# from its baseline scenario (`squander`), with only the start year and the share changed.

window = scenarios.window
sweep = window_sweep(model, np.arange(2002, 2031, 2), [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
                     start_lever=window["start_lever"], share_lever=window["share_lever"],
                     metric=window["metric"], scenarios=scenarios)
print(sweep.attrs["long_name"], f"[{sweep.attrs['units']}]")
print(sweep.sel(share=[0.1, 0.3, 0.6]).to_pandas().round(0))

# %%
# The gain falls as the start moves past the boom: compare, for each share, the gain of
# starting in 2004 with that of starting in 2020.

for share in sweep["share"].values:
    early = float(sweep.sel(start_year=2004, share=share))
    late = float(sweep.sel(start_year=2020, share=share))
    print(f"share {share:.1f}: start 2004 gains {early:7.0f}, start 2020 {late:7.0f} "
          f"({late / early:.0%})")

# %%
# When does the window close? For each share, the latest start year that still gains at least
# a given amount (here 500 $ per person a year by 2040).

THRESHOLD = 500.0
print(latest_viable_start(sweep, THRESHOLD).to_pandas())

# %%
# The heat map: gain by start year (x) and share (y), on a scale centred on zero; the
# commodity boom marked (the period the reference model registers), and the latest start
# year that reaches the threshold for each share.

boom = sd.plot.defaults_for(model).periods
fig = sd.plot.window(sweep, periods=boom, threshold=THRESHOLD,
                     title="gain in GDP per capita by 2040 over squandering")
