"""A small growth model that defines every constant of ``sdmodel.perez.country.PARAMETERS``,
for tests of configs that start from a country's data (the reference model's own are tested
with it once it defines them)."""

from __future__ import annotations

from pathlib import Path

import sdmodel as sd

_CONSTANTS = {
    # name: (default, units, limits)
    "initial_population": (1e7, "Person", (1, 2e9)),
    "population_growth_rate": (0.01, "1/Year", (-0.1, 0.1)),
    "initial_labour_force": (4e6, "Person", (1, 2e9)),
    "initial_unemployment_rate": (0.07, "Dmnl", (0, 0.99)),
    "initial_gdp_per_capita": (5000.0, "Dollar/Person", (1, 2e5)),
    "initial_capital_output_ratio": (3.0, "Year", (0.1, 20)),
    "initial_schooling_years": (8.0, "Year", (0, 20)),
    "schooling_growth": (0.1, "Dmnl", (-1, 1)),
    "initial_relative_tfp": (0.6, "Dmnl", (0.01, 3)),
    "frontier_tfp_growth": (0.01, "1/Year", (-0.1, 0.1)),
    "resource_output_share": (0.05, "Dmnl", (0, 1)),
    "energy_weight": (0.5, "Dmnl", (0, 1)),
    "metals_weight": (0.3, "Dmnl", (0, 1)),
    "agriculture_weight": (0.2, "Dmnl", (0, 1)),
}


def country_growth_model(path: Path, *, initial_time: float = 1990,
                         final_time: float = 2019, limits: dict | None = None) -> Path:
    """Write the model to ``path``: relative TFP converges to ``tfp_ceiling`` at
    ``catch_up_rate``, the frontier grows at ``frontier_tfp_growth``, and GDP per capita is
    ``initial_gdp_per_capita`` times relative TFP over its initial value times the frontier.
    ``limits`` replaces documented ranges of the constants."""
    b = sd.Builder("country_growth", initial_time=initial_time, final_time=final_time,
                   time_step=0.25, saveper=1)
    for name, (value, units, rng) in _CONSTANTS.items():
        b.constant(name, value, units=units, doc=f"Country starting constant {name}.",
                   limits=(limits or {}).get(name, rng))
    b.constant("catch_up_rate", 0.05, units="1/Year", doc="Speed of convergence of relative TFP.",
               limits=(0, 1))
    b.constant("tfp_ceiling", 1.0, units="Dmnl", doc="Relative TFP converged to.",
               limits=(0.1, 3))
    b.flow("tfp_catch_up", "catch_up_rate * (tfp_ceiling - relative_tfp)", units="1/Year",
           doc="Convergence of relative TFP.")
    b.stock("relative_tfp", initial="initial_relative_tfp", inflows=["tfp_catch_up"],
            units="Dmnl", doc="TFP relative to the frontier.")
    b.flow("frontier_growth", "frontier * frontier_tfp_growth", units="1/Year",
           doc="Growth of the frontier index.")
    b.stock("frontier", initial=1.0, inflows=["frontier_growth"], units="Dmnl",
            doc="Frontier TFP, 1 at the start.")
    b.flow("population_increase", "population * population_growth_rate", units="Person/Year",
           doc="Population growth.")
    b.stock("population", initial="initial_population", inflows=["population_increase"],
            units="Person", doc="Population.")
    b.aux("gdp_per_capita",
          "initial_gdp_per_capita * relative_tfp / initial_relative_tfp * frontier",
          units="Dollar/Person", doc="GDP per capita.")
    b.aux("rents_share",
          "resource_output_share * (energy_weight + metals_weight + agriculture_weight)",
          units="Dmnl", doc="Resource rents over GDP.")
    b.aux("employment",
          "initial_labour_force * (1 - initial_unemployment_rate) * population / "
          "initial_population", units="Person", doc="Employment.")
    b.aux("capital_per_worker",
          "initial_capital_output_ratio * gdp_per_capita * population / employment",
          units="Dollar*Year/Person", doc="Capital per worker.")
    b.aux("schooling",
          "initial_schooling_years + schooling_growth * (Time - INITIAL TIME)", units="Year",
          doc="Years of schooling.")
    return b.write(path)
