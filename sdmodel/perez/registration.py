"""What the reference model registers with the generic library (imported by
:mod:`sdmodel.bundled` when a hook is first looked up).

- its parameter constraint, :func:`sdmodel.perez.reference.validate_perez_params` (shares in
  [0, 1], the reinvestment split summing to one, the start year inside the run), for every
  model with its rent-policy levers;
- its comparison metrics (``metrics.toml`` beside this module, the same specs
  ``models/perez/scenarios.toml`` declares) as the default of datasets with its outputs;
- its figure annotations: the 2003-2014 commodity boom shaded, its key outputs as the panels.

Examples
--------
>>> import sdmodel.perez.registration as r
>>> [m.name for m in r.METRICS][:2]
['gdp_per_capita_2030', 'gdp_per_capita_2040']
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from .. import constraints, metrics, plot

#: The reference model's outputs (python names, DESIGN section 4): the comparison panels.
OUTPUTS = (
    "gdp_per_capita",
    "real_exchange_rate",
    "human_capital",
    "technological_capability",
    "non_resource_export_share",
    "export_sophistication",
    "resource_rents",
    "sovereign_fund",
    "poverty_rate",
    "consumption",
)

#: The rent-policy levers whose presence identifies the model for its constraint.
LEVERS = (
    "reinvestment_share", "reinvestment_start_year", "human_capital_share",
    "technologization_share", "bottom_up_share", "fund_share",
)

#: Datasets with these outputs get the reference model's metrics and figure annotations.
IDENTIFYING_OUTPUTS = frozenset({"real_exchange_rate", "sovereign_fund", "export_sophistication",
                                 "non_resource_export_share"})

#: The commodity super-cycle of the model's price history.
BOOM = plot.Period(2003, 2014, "commodity boom")

with open(Path(__file__).with_name("metrics.toml"), "rb") as _f:
    METRICS = tuple(metrics.parse_metrics(tomllib.load(_f), where="sdmodel/perez/metrics.toml").values())

constraints.register(LEVERS, "sdmodel.perez.reference:validate_perez_params")
metrics.register(IDENTIFYING_OUTPUTS, METRICS)
plot.register(IDENTIFYING_OUTPUTS, periods=[BOOM], panels=OUTPUTS)
