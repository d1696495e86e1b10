"""
# Building a model in Python, with units

`sd.Builder` writes a stock-flow model element by element, renders valid Vensim text and
compiles it like any model file; `sd.check_units` checks every equation with pint.

The model: a sovereign fund that receives a rectangular windfall and spends by the
bird-in-hand rule (spending = return x fund).
"""



import matplotlib.pyplot as plt

import sdmodel as sd


b = sd.Builder("fund", initial_time=0, final_time=40, time_step=0.25)
b.constant("windfall", 10, units="$/Year", doc="Resource revenue while the boom lasts.")
b.constant("boom length", 10, units="Year", doc="Years the windfall lasts.")
b.constant("return rate", 0.04, units="1/Year", doc="Real return on the fund's assets.")
b.aux("deposits", "IF THEN ELSE(Time < boom length, windfall, 0)", units="$/Year",
      doc="Windfall saved in the fund.")
b.flow("spending", "return rate * fund", units="$/Year", doc="Bird-in-hand rule.")
b.flow("inflow", "deposits + return rate * fund", units="$/Year", doc="Deposits and returns.")
b.stock("fund", initial=0, inflows=["inflow"], outflows=["spending"], units="$",
        doc="The fund's assets.")
print(b.to_mdl()[:300])

# %%
# Units are checked when the model compiles; a problem names the variable and both units.
# Here there is none.

model = b.compile()
print(sd.check_units(model))

# %%
# A mistake is caught: spending in dollars instead of dollars per year.

bad = sd.Builder("bad", initial_time=0, final_time=10, time_step=1)
bad.constant("return rate", 0.04, units="1/Year", doc="Return.")
bad.constant("level", 5, units="$", doc="A level, not a flow.")
bad.flow("spending", "level", units="$/Year", doc="Wrongly a stock quantity.")
bad.stock("fund", initial=0, outflows=["spending"], units="$", doc="Assets.")
problems = sd.check_units(bad.compile(check_units=False))
for problem in problems:
    print(problem)

# %%
ds = model.run()
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(ds["time"], ds["fund"], label="fund ($)")
ax2 = ax.twinx()
ax2.plot(ds["time"], ds["spending"], "--", color="C1", label="spending ($/Year), right axis")
ax.set_xlabel("year")
ax.set_ylabel(ds["fund"].attrs["units"])
ax2.set_ylabel(ds["spending"].attrs["units"])
fig.legend(loc="upper left", bbox_to_anchor=(0.12, 0.95))
fig.tight_layout()
