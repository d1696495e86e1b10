"""
# Calibrating a country

A calibration config (`calibration/chile.toml`) names the model, a country and years, the
observed series — World Bank WDI and Penn World Table codes, each mapped to a model variable or
an expression of model variables, some compared as an index (2000 = 1) — and the parameters to
fit with their documented ranges. `sdmodel calibrate calibration/chile.toml` runs it as
written; here we run it from Python with a small optimizer budget (the config's own budget is
about ten times larger), keep the last five years out of the fit, and put the model beside the
naive benchmarks a fit has to beat (`sdmodel.calibration.benchmarks`).

The data are read from the folder named by `SDMODEL_DATA` (`make docs` points it at the
shared data folder, `../shared/data`).
"""

import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import sdmodel as sd
from sdmodel.calibration import benchmarks as bm
from sdmodel.calibration.config import load_config, observed_from_config, start_parameters

# The repository root (the tutorials run from any folder), and the data folder.
ROOT = next(p for p in (Path.cwd(), *Path.cwd().parents) if (p / "calibration").is_dir())
DATA = Path(os.environ.get("SDMODEL_DATA", ROOT.parent / "shared" / "data"))

cfg = load_config(ROOT / "calibration/chile.toml")
observed, keywords = observed_from_config(cfg, data_dir=DATA)
print(f"{cfg.country}, {cfg.start}-{cfg.end}: {list(observed.data_vars)}")
for series, target in keywords["mapping"].items():
    index = keywords["index"].get(series)
    print(f"  {series:22s} -> {target}" + (f"  (index, {index:g} = 1)" if index else ""))

# %%
# Fit on 1990-2014 and keep 2015-2019 for an out-of-sample check. Differential evolution
# evaluates each generation's population in one batch run of the model; 12 generations of
# 3 candidates per parameter show the workflow, they do not settle every parameter (the
# report's standard errors and correlations say which ones the data leave loose).

HOLDOUT = 2015
fit_data = observed.sel(year=slice(None, HOLDOUT - 1))
model = sd.load(cfg.model_path)
# the model starts in 1990 from Chile's own data (population, capital, schooling, TFP, rents,
# commodity basket: sdmodel.perez.country_parameters), held fixed while [params] are fitted
start = start_parameters(cfg, model, data_dir=DATA)
result = sd.calibrate(model, fit_data, start.params, held=start.held, initial_time=start.initial_time,
                      final_time=cfg.final_time, method="differential_evolution", seed=1,
                      options={"maxiter": 12, "popsize": 3}, polish=False, progress=False,
                      **keywords)
print(result.report())

# %%
# Which parameters ended at a bound of their range, and which barely moved from their start
# (both worth a look before reading anything into the values).

print("at a bound:", result.at_bound)
print("unmoved:", result.unmoved)

# %%
# ## The naive benchmarks
#
# In sample, a two-parameter log-linear trend (`log y = a + b t`) is the benchmark of a
# growing series; out of sample, a random walk with drift (the last value plus the average
# change). For GDP per capita (an index, 2000 = 1): the model's run with the fitted values,
# continued to 2019, against both.

run = model.run(params=result.values, initial_time=start.initial_time, final_time=cfg.final_time,
                return_vars=["gdp_per_capita"])
years = run["time"].values
simulated = run["gdp_per_capita"].values / run["gdp_per_capita"].sel(time=2000).item()
key = next(k for k, target in keywords["mapping"].items() if target == "gdp_per_capita")
gdp = observed[key]
gdp = (gdp / gdp.sel(year=2000)).dropna("year")
t_all, y_all = gdp["year"].values.astype(float), gdp.values
inside, outside = t_all < HOLDOUT, t_all >= HOLDOUT
model_at = np.interp(t_all, years, simulated)

trend_in = bm.loglinear_trend(t_all[inside], y_all[inside])
trend_out = bm.loglinear_trend(t_all[inside], y_all[inside], at=t_all[outside])
walk_out = bm.random_walk_with_drift(t_all[inside], y_all[inside], t_all[outside], log=True)

rows = [
    ("in sample, R²", bm.r_squared(y_all[inside], model_at[inside]),
     bm.r_squared(y_all[inside], trend_in), float("nan")),
    ("out of sample, RMSE", bm.rmse(y_all[outside], model_at[outside]),
     bm.rmse(y_all[outside], trend_out), bm.rmse(y_all[outside], walk_out)),
]
print(f"{'GDP per capita':22s} {'model':>8s} {'trend':>8s} {'RW+drift':>9s}")
for label, *scores in rows:
    print(f"{label:22s} " + " ".join(f"{s:8.3f}" for s in scores))

# %%
# A model that does not beat these benchmarks adds no forecasting skill on this series, however
# good its fit looks; its use is the counterfactual (what another rent policy would have done),
# which no trend can answer.
#
# The fit of every series (markers: data, line: the fitted run; each panel's R² in its
# title), and, beside it, GDP per capita with the benchmarks over the fit window and the
# held-out years.

fig_fit = sd.plot.fit(result, title=f"{cfg.name} ({cfg.country}), fitted on {cfg.start}-{HOLDOUT - 1}")

fig, ax = plt.subplots(figsize=(6.5, 4))
ax.plot(t_all, y_all, "ko", ms=4, label="observed (WDI)")
ax.plot(years, simulated, "C0-", label="model, fitted values")
ax.plot(t_all[inside], trend_in, "C1--", label="log-linear trend (in sample)")
ax.plot(t_all[outside], trend_out, "C1:", label="log-linear trend, extrapolated")
ax.plot(t_all[outside], walk_out, "C2-.", label="random walk with drift")
ax.axvspan(HOLDOUT - 0.5, t_all[-1] + 0.5, color="0.9", zorder=0, label="held out")
ax.set_xlabel("year")
ax.set_ylabel("GDP per capita (2000 = 1)")
ax.set_title(f"{cfg.country}: the model against the naive benchmarks")
ax.legend(fontsize=8)
fig.tight_layout()
