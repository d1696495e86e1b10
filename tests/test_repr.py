"""Notebook reprs, parsed as HTML: a model grouped by kind in collapsible sections with counts,
a calibration result as lmfit's fit report, a scenario set as a table."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pytest

import sdmodel as sd
from sdmodel._repr import GROUPS

from conftest import MODELS, REPO

FISHERY = REPO / "tests" / "data" / "fishery.mdl"
FISHERY_SCENARIOS = REPO / "tests" / "data" / "fishery_scenarios.toml"
PEREZ = MODELS / "perez" / "perez.mdl"
NP = MODELS / "validation" / "nelson_phelps.mdl"


class Tree(HTMLParser):
    """Collects <details> sections (summary text and table rows) and <h2> headings in order."""

    def __init__(self, text: str):
        super().__init__()
        self.sections: list[dict] = []  # {"summary": str, "rows": [[cell, ...]], "open": bool}
        self.headings: list[str] = []
        self.tables: list[list[list[str]]] = []
        self._stack: list[str] = []
        self._text = ""
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag == "br":  # a void element
            return
        self._stack.append(tag)
        if tag == "details":
            self.sections.append({"summary": "", "rows": [], "open": "open" in dict(attrs)})
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        self._text = ""

    def handle_endtag(self, tag):
        assert self._stack and self._stack[-1] == tag, (self._stack, tag)  # well formed
        self._stack.pop()
        if tag in ("td", "th"):
            self.tables[-1][-1].append(self._text.strip())
        elif tag == "summary":
            self.sections[-1]["summary"] = self._text.strip()
        elif tag == "h2":
            self.headings.append(self._text.strip())
        elif tag == "table" and "details" in self._stack:
            self.sections[-1]["rows"] = self.tables[-1][1:]

    def handle_data(self, data):
        self._text += data


def _stock_names(mdl_text: str) -> set[str]:
    """Names defined as INTEG(...) in a Vensim file, read from the text (the oracle)."""
    return {m.group(1).strip() for m in re.finditer(r"^([^=\n~]+?)\s*=\s*INTEG\s*\(", mdl_text,
                                                    flags=re.M)}


def test_model_repr_groups_collapsible_with_counts():
    model = sd.load(FISHERY)
    tree = Tree(model._repr_html_())
    assert [s["summary"].split(" (")[0].lower() for s in tree.sections] == list(GROUPS)
    for section in tree.sections:
        count = int(re.search(r"\((\d+)\)$", section["summary"]).group(1))
        assert count == len(section["rows"])
    by_group = {s["summary"].split(" (")[0].lower(): s["rows"] for s in tree.sections}
    stocks = {row[1] for row in by_group["stocks"]}
    assert stocks == _stock_names(FISHERY.read_text()) and stocks
    constants = {row[0] for row in by_group["levers"] + by_group["parameters"]}
    assert constants == set(model.params)
    for row in by_group["parameters"]:  # the default column is the model's default
        assert float(row[2]) == pytest.approx(model.params[row[0]], rel=1e-5)
    shown = sum(len(rows) for rows in by_group.values())
    assert shown == len(model.doc) - 5  # every variable but the control variables and time


def test_reference_model_levers_are_their_own_group():
    from sdmodel.perez.registration import LEVERS

    tree = Tree(sd.load(PEREZ)._repr_html_())
    levers = next(s for s in tree.sections if s["summary"].startswith("Levers"))
    assert levers["open"] and set(LEVERS) <= {row[0] for row in levers["rows"]}
    parameters = next(s for s in tree.sections if s["summary"].startswith("Parameters"))
    assert not set(LEVERS) & {row[0] for row in parameters["rows"]}


def test_calibration_repr_is_lmfits_report_layout():
    model = sd.load(NP)
    truth = {"catch_up_rate": 0.12, "initial_capability": 0.3}
    observed = model.run(truth, final_time=60, return_vars=["technological_capability"])
    observed = observed[["technological_capability"]].assign_attrs({})
    rng = np.random.default_rng(3)
    observed = observed * (1 + 0.01 * rng.standard_normal(observed.sizes["time"]))
    fit = sd.calibrate(model, observed, {"catch_up_rate": (0.3, 0.01, 1.0),
                                         "initial_capability": (0.5, 0.01, 1.0)})
    tree = Tree(fit._repr_html_())
    assert tree.headings[:2] == ["Fit Statistics", "Variables"]
    assert tree.headings[-1] == "Fit by series"
    stats = dict(row for row in tree.tables[0])
    assert int(stats["# function evals"]) == fit.nfev and int(stats["# data points"]) == fit.ndata
    assert float(stats["chi-square"]) == pytest.approx(fit.chisqr, rel=1e-5)
    header, *rows = tree.tables[1]
    assert header[:5] == ["name", "value", "standard error", "relative error", "initial value"]
    compared = 0
    for row in rows:
        p = fit.params[row[0]]
        assert float(row[1]) == pytest.approx(p.value, rel=1e-5)
        assert float(row[2]) == pytest.approx(p.stderr, rel=1e-5)
        compared += 1
    assert compared == 2
    if "Correlations" in tree.headings:
        assert "unreported correlations" in fit._repr_html_()


def test_scenario_set_repr_is_a_table():
    scenarios = sd.load_scenarios(FISHERY_SCENARIOS)
    tree = Tree(scenarios._repr_html_())
    header, *rows = tree.tables[0]
    assert header == ["scenario", "quota_reduction", "quota_start_time", "description"]
    assert [row[0] for row in rows] == ["open_access (baseline)", "early_quota", "late_quota"]
    compared = 0
    for row, name in zip(rows, scenarios):
        for column, cell in zip(header[1:-1], row[1:-1]):
            value = scenarios[name].get(column)
            assert (cell == "") if value is None else float(cell) == value
            compared += 1
        assert row[-1] == scenarios.descriptions[name]
    assert compared == 6
