"""HTML representations for notebooks: models, calibration results and scenario sets.

* :func:`model_html` -- a model's variables grouped by kind (levers, parameters, stocks,
  outputs), each group a collapsible ``<details>`` with its count;
* :func:`calibration_html` -- a calibration result laid out as lmfit's HTML fit report (Fit
  Statistics, Variables, Correlations), plus the fit by series;
* :func:`scenarios_html` -- a scenario set as one table, a row per scenario and a column per
  parameter it overrides.

Examples
--------
>>> from sdmodel.scenarios import ScenarioSet
>>> "<table" in scenarios_html(ScenarioSet({"a": {"x": 1.0}}))
True
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

__all__ = ["model_html", "calibration_html", "scenarios_html", "model_groups", "GROUPS"]

#: The groups of :func:`model_html`, in display order.
GROUPS = ("levers", "parameters", "stocks", "outputs")

_CONTROL = ("initial_time", "final_time", "time_step", "saveper", "time")


def _table(header: Sequence[str], rows: Iterable[Sequence[object]], *, cls: str = "") -> str:
    head = "".join(f"<th>{escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(_text(v))}</td>" for v in row) + "</tr>"
                   for row in rows)
    attr = f' class="{cls}"' if cls else ""
    return f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _text(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, xr.DataArray):
        return str(np.round(value.values, 6).tolist())
    if isinstance(value, pd.Series):
        return f"time series ({len(value)} points, {value.index[0]:g}..{value.index[-1]:g})"
    return "" if value is None else str(value)


# ------------------------------------------------------------------------------------ models
def model_groups(model) -> dict[str, list[str]]:
    """Python names by group: ``levers`` (constants documented as a policy lever),
    ``parameters`` (the other constants), ``stocks`` (stateful variables: levels, delays,
    smooths) and ``outputs`` (every other computed variable, lookup or data series).

    Examples
    --------
    >>> groups = model_groups(sd.load("tests/data/fishery.mdl"))   # doctest: +SKIP
    >>> groups["stocks"]                                            # doctest: +SKIP
    ['fish', 'fleet']
    """
    doc = model.doc
    constants = set(model.defaults)
    groups: dict[str, list[str]] = {name: [] for name in GROUPS}
    for py, row in doc.iterrows():
        if py in _CONTROL:
            continue
        if py in constants:
            lever = "lever" in str(row["comment"]).lower()
            groups["levers" if lever else "parameters"].append(py)
        elif row["kind"] == "Stateful":
            groups["stocks"].append(py)
        else:
            groups["outputs"].append(py)
    return groups


def model_html(model) -> str:
    """A model for a notebook: time settings, then each group collapsible with its count."""
    t = model.time_settings
    doc = model.doc
    time_units = model.units.get("time_step", "")
    defaults = model.defaults
    groups = model_groups(model)
    counts = ", ".join(f"{len(groups[g])} {g}" for g in GROUPS)
    parts = [
        f"<div class='sdmodel-model'><b>sdmodel.Model</b> {escape(model.name)} "
        f"<code>{escape(str(model.path))}</code><br>time {t.initial_time:g} to "
        f"{t.final_time:g}, step {t.time_step:g}, saved every {t.saveper:g} "
        f"{escape(time_units)}; {counts}"
    ]
    for group in GROUPS:
        names = groups[group]
        if group in ("levers", "parameters"):
            header: tuple[str, ...] = ("python name", "name", "default", "units", "limits", "doc")
            rows: list[tuple[object, ...]] = [(py, doc.at[py, "name"], defaults[py], doc.at[py, "units"],
                     _limits(doc.at[py, "limits"]), doc.at[py, "comment"]) for py in names]
        else:
            header = ("python name", "name", "kind", "units", "doc")
            rows = [(py, doc.at[py, "name"], doc.at[py, "subtype"] if group == "stocks"
                     else doc.at[py, "kind"], doc.at[py, "units"], doc.at[py, "comment"])
                    for py in names]
        opened = " open" if group == "levers" and names else ""
        parts.append(f"<details class='sdmodel-{group}'{opened}><summary>{group.capitalize()} "
                     f"({len(names)})</summary>{_table(header, rows)}</details>")
    parts.append("</div>")
    return "".join(parts)


def _limits(limits: object) -> str:
    if not isinstance(limits, (tuple, list)) or all(v is None for v in limits):
        return ""
    return "[" + ", ".join("" if v is None else f"{v:g}" for v in limits) + "]"


# ------------------------------------------------------------------------------- calibration
def calibration_html(result, *, min_correl: float = 0.1) -> str:
    """A :class:`~sdmodel.calibration.CalibrationResult` as lmfit's HTML fit report."""
    stats = [
        ("fitting method", f"{result.method} (engine: {result.engine})"),
        ("# function evals", result.nfev),
        ("# data points", result.ndata),
        ("# variables", result.nvarys),
        ("chi-square", result.chisqr),
        ("reduced chi-square", result.redchi),
        ("Akaike info crit.", result.aic),
        ("Bayesian info crit.", result.bic),
        ("success", result.success),
        ("message", result.message),
    ]
    if result.interrupted:
        stats.append(("interrupted", "True (best parameters found so far)"))
    parts = ["<h2>Fit Statistics</h2>", _rows_table(stats)]
    rows: list[Sequence[Any]] = []
    for name, p in result.params.items():
        se = p.stderr if p.stderr is not None and math.isfinite(p.stderr) else None
        rel = f"({abs(se / p.value):.2%})" if se is not None and p.value else ""
        flags = ", ".join(f for f, names in (("at bound", result.at_bound),
                                              ("unmoved", result.unmoved)) if name in names)
        rows.append((name, p.value, "" if se is None else se, rel,
                     p.init_value if p.init_value is not None else p.value, p.min, p.max,
                     p.vary, p.units, flags))
    parts += ["<h2>Variables</h2>",
              _table(("name", "value", "standard error", "relative error", "initial value",
                      "min", "max", "vary", "units", "flags"), rows)]
    if result.intervals:
        parts += ["<h2>Profile-likelihood intervals</h2>",
                  _table(("name", "low", "high"),
                         [(k, lo, hi) for k, (lo, hi) in result.intervals.items()])]
    if result.correlation is not None:
        pairs = _pairs(result.correlation, min_correl)
        if pairs:
            parts += [f"<h2>Correlations</h2><p>(unreported correlations are "
                      f"&lt; {min_correl:.3f})</p>",
                      _table(("parameter 1", "parameter 2", "correlation"),
                             [(a, b, f"{c:+.4f}") for a, b, c in pairs])]
    parts += ["<h2>Fit by series</h2>",
              _table(("series", "RMSE", "R²"),
                     [(k, result.rmse[k], f"{result.r2[k]:.4f}") for k in result.rmse])]
    return f"<div class='sdmodel-calibration'>{''.join(parts)}</div>"


def _rows_table(rows: Sequence[tuple[str, object]]) -> str:
    body = "".join(f"<tr><td>{escape(k)}</td><td>{escape(_text(v))}</td></tr>" for k, v in rows)
    return f"<table><tbody>{body}</tbody></table>"


def _pairs(corr: pd.DataFrame, min_correl: float) -> list[tuple[str, str, float]]:
    names = list(corr.index)
    found = [(a, b, float(corr.loc[a, b])) for i, a in enumerate(names) for b in names[i + 1:]
             if abs(float(corr.loc[a, b])) >= min_correl]
    return sorted(found, key=lambda item: -abs(item[2]))


# --------------------------------------------------------------------------------- scenarios
def scenarios_html(scenarios) -> str:
    """A scenario set as a table: one row per scenario, one column per overridden parameter."""
    names = list(scenarios)
    params = list(dict.fromkeys(k for n in names for k in scenarios[n]))
    descriptions = getattr(scenarios, "descriptions", {}) or {}
    baseline = getattr(scenarios, "baseline", None)
    header = ("scenario", *params, "description")
    rows = [((f"{n} (baseline)" if n == baseline else n),
             *(scenarios[n].get(k, "") for k in params), descriptions.get(n, ""))
            for n in names]
    source = getattr(scenarios, "source", None)
    caption = (f"<b>{len(names)} scenarios</b>"
               + (f" from <code>{escape(str(source))}</code>" if source else "")
               + (f", {len(scenarios.metrics)} metrics" if getattr(scenarios, "metrics", None)
                  else ""))
    return f"<div class='sdmodel-scenarios'>{caption}{_table(header, rows)}</div>"
