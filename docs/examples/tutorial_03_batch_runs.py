"""
# Thousands of runs at once: the batch engine

`model.run_batch` compiles the model's PySD syntax tree into vectorized code and integrates
many parameter sets together, returning a Dataset with a leading `run` dimension. It gives the
same numbers as a loop of `model.run` calls; here we check that on a few runs, then use 2 000
Latin-hypercube samples of the catch-up model to draw the spread of capability paths.
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import qmc

import sdmodel as sd

# The repository root (the tutorials run from any folder).
ROOT = next(p for p in (Path.cwd(), *Path.cwd().parents) if (p / "models" / "validation").is_dir())
model = sd.load(ROOT / "models/validation/nelson_phelps.mdl")

# %%
# Two uncertain parameters, sampled over their documented ranges.

sampler = qmc.LatinHypercube(d=2, seed=7)
lower, upper = [0.02, 0.005], [0.3, 0.03]
samples = qmc.scale(sampler.random(2000), lower, upper)
params = {"catch_up_rate": samples[:, 0], "frontier_growth_rate": samples[:, 1]}
batch = model.run_batch(params, return_vars=["technological_capability", "world_frontier"])
print(batch["technological_capability"].dims, batch.sizes)

# %%
# The batch engine agrees with separate PySD runs.

for i in (0, 999, 1999):
    single = model.run(params={k: float(v[i]) for k, v in params.items()})
    gap = np.max(np.abs(batch["technological_capability"].isel(run=i).values
                        - single["technological_capability"].values))
    print(f"run {i}: largest difference from model.run = {gap:.1e}")

# %%
# Relative capability A/T: its 5-95 % and 25-75 % bands over the samples.

relative = batch["technological_capability"] / batch["world_frontier"]
q = relative.quantile([0.05, 0.25, 0.5, 0.75, 0.95], dim="run")
t = relative["time"].values
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.fill_between(t, q.sel(quantile=0.05), q.sel(quantile=0.95), alpha=0.25, label="5-95 %")
ax.fill_between(t, q.sel(quantile=0.25), q.sel(quantile=0.75), alpha=0.45, label="25-75 %")
ax.plot(t, q.sel(quantile=0.5), label="median")
ax.set_xlabel("year")
ax.set_ylabel("capability relative to the frontier")
ax.legend(loc="lower right")
fig.tight_layout()
