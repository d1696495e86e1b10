"""
# Loading and running a Vensim model

Load a Vensim `.mdl` file, look at its parameters and units, run it into an `xarray.Dataset`
and check the run against the model's closed-form solution.

The model is Nelson and Phelps' (1966) catch-up: domestic capability `A` closes a share `phi`
of its gap to a world frontier `T(t) = T0 exp(lambda t)` every year,
`dA/dt = phi (T - A)`, which has the exact solution
`A(t) = phi T0/(phi + lambda) e^(lambda t) + (A0 - phi T0/(phi + lambda)) e^(-phi t)`.
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import sdmodel as sd

# The repository root (the tutorials run from any folder).
ROOT = next(p for p in (Path.cwd(), *Path.cwd().parents) if (p / "models" / "validation").is_dir())

model = sd.load(ROOT / "models/validation/nelson_phelps.mdl")
print(model.params)
print(model.units["catch_up_rate"])

# %%
# `run` returns an `xarray.Dataset` with one variable per model variable; the units and the
# original names are in each variable's attributes. Parameters are overridden per run, and a
# run never changes the next one.

ds = model.run(params={"catch_up_rate": 0.2}, final_time=60)
capability = ds["technological_capability"]
print(capability.attrs["units"], capability.attrs["long_name"])

# %%
# The closed form, with the same parameters, and the Euler error of the run
# (TIME STEP 0.25 years).

phi, lam, a0, t0 = 0.2, model.params["frontier_growth_rate"], model.params["initial_capability"], 1.0
t = ds["time"].values
exact = phi * t0 / (phi + lam) * np.exp(lam * t) + (a0 - phi * t0 / (phi + lam)) * np.exp(-phi * t)
print(f"largest relative error: {np.max(np.abs(capability.values / exact - 1)):.2%}")

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(t, ds["world_frontier"], label="world frontier T")
ax.plot(t, capability, label="capability A (model, Euler)")
ax.plot(t, exact, "k:", label="closed form")
ax.set_xlabel("year")
ax.set_ylabel("productivity (frontier at t=0 = 1)")
ax.legend()
fig.tight_layout()
