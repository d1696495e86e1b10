"""
# The reference model: its sectors and the links between them

`models/perez/perez.mdl` is a system-dynamics rendering of Carlota Pérez's (2010) strategy for
resource-based development. It runs from 2000 to 2060 in years (TIME STEP 0.25) and is built
from sectors, each a function of `sdmodel.perez.sectors` adding its stocks, flows and
documented constants to a `sd.Builder`:

1. **Commodity boom and resource rents**: a real price index (the 2003-2014 super-cycle from
   the World Bank Pink Sheet, then a scenario path), extraction limited by capacity and a
   depleting reserve, rents = (price - unit cost) x output, the government's take.
2. **Rent allocation** (the policy levers): fiscal rents consumed, saved in a sovereign fund,
   or reinvested — split between human capital, technologization and bottom-up clusters —
   with diminishing returns beyond the economy's absorptive capacity.
3. **Human capital**: an education pipeline with a multi-year delay feeding a skilled-labour
   stock that depreciates.
4. **Technological capability**: Nelson-Phelps catch-up towards a moving world frontier, raised
   by technologization and by learning-by-doing in non-resource tradables.
5. **Export-mix upgrading** (Pérez's figures 1-3): processed commodities, specialities and
   niche products, each tier entered once capability exceeds its entry barrier.
6. **Dutch disease**: a real exchange rate pushed up by the domestic spending of rents, which
   shrinks the other tradables and the experience they accumulate.
7. **Window of opportunity**: entry barriers that rise after the boom opens the window.
8. **Bottom-up (dual) model**: labour-intensive local clusters, employment and poverty.
9. **Macro accounts**: GDP, population, GDP per capita, consumption, imports.

This tutorial loads the model, lists the outputs every scenario comparison reports, and draws
its structure: which sector each stock and variable belongs to, and which sectors read which. The
diagram is computed from the model's equations (the dependency graph PySD records), not drawn
by hand, so it follows the model as it changes.
"""

import importlib
from collections import Counter
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyArrowPatch
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

import sdmodel as sd

# The repository root (the tutorials run from any folder).
ROOT = next(p for p in (Path.cwd(), *Path.cwd().parents) if (p / "models" / "perez").is_dir())
model = sd.load(ROOT / "models/perez/perez.mdl")
print(model)

# %%
# The outputs every comparison of rent policies reports, with their units and definitions as
# the model documents them.

OUTPUTS = ["gdp_per_capita", "real_exchange_rate", "human_capital", "technological_capability",
           "non_resource_export_share", "export_sophistication", "resource_rents",
           "sovereign_fund", "poverty_rate", "consumption"]
doc = model.doc
for name in OUTPUTS:
    row = doc.loc[name]
    print(f"{name:27s} [{row['units']}] {str(row['comment']).splitlines()[0][:70]}")

# %%
# A run with the default parameters: rents follow the commodity price through the boom
# (shaded), the spending of rents appreciates the real exchange rate, and both fall back as
# the price does.

ds = model.run(return_vars=OUTPUTS)
fig_run = sd.plot.compare(ds, variables=["resource_rents", "real_exchange_rate",
                                         "gdp_per_capita", "technological_capability"],
                          title="reference model, default parameters")

# %%
# ## Which sector each element belongs to
#
# PySD records, for every variable, the variables its equation reads
# (`model.pysd.dependencies`; a stock reads its flows and its initial value). Each sector
# module declares its constants in a parameter table (`*_PARAMS`, with default, units, range
# and source). An element belongs to the sector whose table declares the nearest constants it
# reads: its own parameters, or those of the elements it reads, and so on.

deps = model.pysd.dependencies
HIDDEN = {"time", "time_step", "initial_time", "final_time", "saveper"}


def reads(name: str) -> set[str]:
    """The elements ``name`` reads (a stateful element's step and initial equations)."""
    d = deps.get(name) or {}
    if "step" in d or "initial" in d:
        d = {**d.get("step", {}), **d.get("initial", {})}
    return set(d) - HIDDEN


def inputs(name: str) -> set[str]:
    """The model variables ``name`` reads, seen through stateful helpers (``_integ_x``, delays)."""
    out, todo = set(), list(reads(name))
    while todo:
        r = todo.pop()
        if r.startswith("_"):
            todo.extend(reads(r) - out)
        else:
            out.add(r)
    return out


owner = {}  # {constant: sector}
for function in sd.perez.sectors.__all__:
    module = importlib.import_module(getattr(sd.perez.sectors, function).__module__)
    for table in (getattr(module, a) for a in module.__all__ if a.endswith("_PARAMS")):
        for local in table:
            owner[model.resolve(local)] = function


def sector_of(name: str) -> str | None:
    frontier, seen = [name], {name}
    while frontier:
        found = Counter(owner[r] for x in frontier for r in reads(x) if r in owner)
        if found:
            return found.most_common(1)[0][0]
        frontier = [r for x in frontier for r in reads(x) if r not in seen]
        seen.update(frontier)
    return None


variables = [k for k in deps if not k.startswith("_") and k not in model.params and k not in HIDDEN]
sector = {v: s for v in variables if (s := sector_of(v)) is not None}
stocks = {v for v in variables if any(k.startswith("_integ_") for k in deps[v])}
sectors = list(sd.perez.sectors.__all__)
for s in sectors:
    mine = sorted(v for v in sector if sector[v] == s)
    print(f"{s:22s} {len(mine):3d} variables; stocks: {', '.join(sorted(stocks & set(mine))) or '-'}")

# %%
# ## Links between sectors
#
# Sector *a* → sector *b* when an equation of *b* reads a variable of *a*; the weight of the
# link is how many such reads there are. Sectors that reach each other through links in both
# directions form feedback loops (the strongly connected parts of the graph).

links = Counter()
for v, s in sector.items():
    for r in inputs(v):
        if r in sector and sector[r] != s:
            links[sector[r], s] += 1
print(f"{len(links)} links between {len(sectors)} sectors, {sum(links.values())} reads in all")

index = {s: i for i, s in enumerate(sectors)}
rows, cols = zip(*((index[a], index[b]) for a, b in links))
graph = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(sectors), len(sectors)))
n_parts, part = connected_components(graph, directed=True, connection="strong")
loop = [s for s in sectors if sum(part == part[index[s]]) > 1]
print(f"sectors in a feedback loop together: {', '.join(loop)}")

# %%
# The diagram: one box per sector (with its stocks), an arrow per link, wider for more reads;
# boxes in a feedback loop together are blue.

angle = {s: np.pi / 2 - 2 * np.pi * i / len(sectors) for i, s in enumerate(sectors)}
xy = {s: np.array([np.cos(a), np.sin(a)]) for s, a in angle.items()}
fig, ax = plt.subplots(figsize=(9, 8))
for (a, b), n in sorted(links.items()):
    ax.add_patch(FancyArrowPatch(xy[a], xy[b], connectionstyle="arc3,rad=0.12", arrowstyle="-|>",
                                 mutation_scale=12, shrinkA=30, shrinkB=30,
                                 lw=0.6 + 1.2 * np.log1p(n), color="0.35", alpha=0.75))
    mid = (xy[a] + xy[b]) / 2 + 0.06 * np.array([xy[b][1] - xy[a][1], xy[a][0] - xy[b][0]])
    ax.text(*mid, str(n), fontsize=7, ha="center", va="center", color="0.2",
            bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.8))
for s in sectors:
    held = sorted(doc.loc[v, "name"] if v in doc.index else v for v in stocks if sector.get(v) == s)
    text = s.replace("_", " ") + ("\n" + "\n".join(held) if held else "")
    ax.text(*xy[s], text, ha="center", va="center", fontsize=8,
            bbox=dict(boxstyle="round,pad=0.4", ec="k",
                      fc="#cfe2f3" if s in loop else "#eeeeee"))
ax.set_xlim(-1.45, 1.45)
ax.set_ylim(-1.3, 1.3)
ax.set_aspect("equal")
ax.axis("off")
ax.set_title(f"{model.name}: sectors and the links between them, computed from the equations\n"
             "(arrow a → b: equations of b read variables of a; number: how many reads)",
             fontsize=10)
fig.tight_layout()
