"""The explorer in a real browser: headless Debian Chromium driven by Playwright.

The page is served by a real uvicorn server on a free port; the test moves sliders and clicks
as a user would and reads what the page drew (plotly's trace data, the metric table's cells)
against ``run_batch`` of the same settings assembled here from the scenario file, percentile
bands from ``sd.analysis.percentile_bands``, the heat map from ``sd.analysis.window_sweep``.
Chromium comes from the system (``make browser`` installs Debian's ``chromium``).
"""

from __future__ import annotations

import base64
import urllib.parse

import numpy as np
import pytest

import sdmodel as sd

pytest.importorskip("starlette")
pytest.importorskip("playwright.sync_api")

from sdmodel.explorer import Explorer, running  # noqa: E402
from sdmodel.explorer.browser import (  # noqa: E402
    chart_traces, chromium, chromium_path, move_slider, open_page, renders, wait_render)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser():
    if chromium_path() is None:
        pytest.skip("no system Chromium (/usr/bin/chromium): run `make browser`")
    with chromium() as b:
        context = b.new_context()  # the tests' pages share its cache (plotly.js loads once)
        yield context
        context.close()


@pytest.fixture(scope="module")
def perez(models_dir):
    ex = Explorer.from_path(models_dir / "perez" / "perez.mdl")
    ex.warm_up()
    with running(ex) as url:
        yield ex, url


@pytest.fixture(scope="module")
def fishery(models_dir):
    root = models_dir.parent
    ex = Explorer.from_path(root / "tests/data/fishery.mdl", root / "tests/data/fishery_scenarios.toml")
    ex.warm_up()
    with running(ex) as url:
        yield ex, url


def metric_cells(page) -> dict[str, dict[str, float | None]]:
    """``{metric: {current, baseline, difference}}`` as the table holds them (exact values)."""
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('#metrics tbody tr')]
        .map((tr) => [tr.dataset.metric, Object.fromEntries(['current', 'baseline', 'difference']
            .map((c) => { const td = tr.querySelector('td.' + c);
                          return [c, td && td.dataset.value !== undefined ? Number(td.dataset.value) : null]; }))]))""")


def expected_metrics(ex, ds):
    """The metrics of runs 0 (baseline) and 1 (current) by ``compare`` on a scenario Dataset."""
    scen = ds.isel(run=[0, 1]).drop_vars([c for c in ds.coords if c not in ds.dims])
    scen = scen.rename(run="scenario").assign_coords(scenario=["baseline", "current"])
    return sd.metrics.compare(scen, baseline="baseline", metrics=ex.metrics)


def check_metrics(page, ex, ds):
    table = expected_metrics(ex, ds)
    cells = metric_cells(page)
    assert set(cells) == set(map(str, table["metric"].values))
    for name, row in cells.items():
        for col, scenario in (("current", "current"), ("baseline", "baseline")):
            expected = float(table["value"].sel(metric=name, scenario=scenario))
            if np.isnan(expected):
                assert row[col] is None, (name, col)
            else:
                assert row[col] == pytest.approx(expected, rel=1e-12), (name, col)
        diff = float(table["difference"].sel(metric=name, scenario="current"))
        if not np.isnan(diff):
            assert row["difference"] == pytest.approx(diff, rel=1e-9, abs=1e-9), name


def test_slider_redraws_chart_and_metrics_to_run_batch_values(browser, perez):
    ex, url = perez
    page = open_page(browser, url + "/")
    before = chart_traces(page, "gdp_per_capita")["current"]
    latency = move_slider(page, "reinvestment_share", 0.3)
    assert latency["total_ms"] > 0 and latency["server_ms"] > 0
    # the oracle: the baseline scenario and the baseline with the lever moved, in one batch
    scen = sd.load_scenarios(ex.model.path.parent / "scenarios.toml")
    base = dict(scen[scen.baseline])
    params = {k: np.array([float(v), float(v)]) for k, v in base.items()}
    params["reinvestment_share"] = np.array([float(base["reinvestment_share"]), 0.3])
    ds = ex.model.run_batch(params)
    for output in ("gdp_per_capita", "real_exchange_rate"):
        drawn = chart_traces(page, output)
        np.testing.assert_allclose(drawn["baseline"], ds[output].isel(run=0), rtol=1e-12)
        np.testing.assert_allclose(drawn["current"], ds[output].isel(run=1), rtol=1e-12)
    assert not np.allclose(before, chart_traces(page, "gdp_per_capita")["current"])
    check_metrics(page, ex, ds)
    gdp_2040 = metric_cells(page)["gdp_per_capita_2040"]
    assert gdp_2040["difference"] > 0  # reinvesting from 2004 raises GDP per capita by 2040
    page.close()


def test_preset_button_sets_the_levers_of_its_scenario(browser, perez):
    ex, url = perez
    page = open_page(browser, url + "/")
    n = renders(page)
    page.click("#presets button[data-name=dual]")
    wait_render(page, n, "window.explorer.lastRun.state.params.bottom_up_share === 0.3")
    scen = sd.load_scenarios(ex.model.path.parent / "scenarios.toml")
    values = page.evaluate("window.explorer.values")
    for key, value in scen["dual"].items():
        assert values[key] == value
    assert page.input_value("#num-bottom_up_share") == "0.3"
    names = sorted(set(scen["squander"]) | set(scen["dual"]))
    ds = ex.model.run_batch({k: np.array([scen["squander"].get(k, ex.model.params[k]),
                                          scen["dual"].get(k, ex.model.params[k])]) for k in names})
    np.testing.assert_allclose(chart_traces(page, "gdp_per_capita")["current"],
                               ds["gdp_per_capita"].isel(run=1), rtol=1e-12)
    assert page.get_attribute("#presets button[data-name=dual]", "class") == "active"
    page.close()


def test_bands_are_the_percentiles_of_a_latin_hypercube_batch(browser, perez):
    ex, url = perez
    page = open_page(browser, url + "/")
    move_slider(page, "reinvestment_share", 0.4)
    n = renders(page)
    page.check("#bands")
    wait_render(page, n, "window.explorer.lastRun.bands !== null")
    assert page.evaluate("window.explorer.lastRun.n_band_runs") == 200
    # the oracle: 200 Latin-hypercube samples of every non-lever constant with a documented
    # range (seed 1), at the page's lever settings, in one run_batch; percentiles by xarray
    levers = page.evaluate("window.explorer.lastRun.state.params")
    doc = ex.model.doc
    ranged = [py for py in ex.model.params if py not in levers
              and isinstance(doc.at[py, "limits"], tuple)
              and all(v is not None and np.isfinite(v) for v in doc.at[py, "limits"])
              and doc.at[py, "limits"][0] < doc.at[py, "limits"][1]
              and _alone_allowed(ex.model, py, doc.at[py, "limits"])]
    assert sorted(ranged) == page.evaluate("window.explorer.lastRun.sampled")
    samples = sd.analysis.latin_hypercube(ex.model, [p for p in ex.model.params if p in ranged],
                                          200, seed=1)
    params = {k: samples[k].to_numpy() for k in samples}
    params.update({k: np.full(200, v) for k, v in levers.items()})
    runs = ex.model.run_batch(params, return_vars=["gdp_per_capita", "real_exchange_rate"])
    bands = sd.analysis.percentile_bands(runs, percentiles=(5, 50, 95))
    for output in ("gdp_per_capita", "real_exchange_rate"):
        drawn = chart_traces(page, output)
        for key, q in (("p5", 5), ("p50", 50), ("p95", 95)):
            np.testing.assert_allclose(drawn[key], bands[output].sel(percentile=q), rtol=1e-9)
        assert np.all(np.asarray(drawn["p5"]) <= np.asarray(drawn["p95"]))
    assert page.is_visible("#bands-note")
    page.close()


def test_a_shared_url_restores_the_state(browser, perez):
    ex, url = perez
    page = open_page(browser, url + "/")
    move_slider(page, "reinvestment_start_year", 2012)
    move_slider(page, "reinvestment_share", 0.6)
    n = renders(page)
    page.check("#bands")
    wait_render(page, n, "window.explorer.lastRun.bands !== null")
    shared = page.url
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(shared).fragment)
    assert query["p.reinvestment_share"] == ["0.6"] and query["bands"] == ["1"]
    drawn = chart_traces(page, "gdp_per_capita")
    metrics = metric_cells(page)
    page.close()
    context = browser.browser.new_context()  # a fresh visitor: nothing carried over but the URL
    other = context.new_page()
    other.goto(shared)
    wait_render(other, 0, "window.explorer.lastRun.bands !== null")
    assert other.input_value("#num-reinvestment_start_year") == "2012"
    assert other.input_value("#slider-reinvestment_share") == "0.6"
    assert other.is_checked("#bands")
    assert chart_traces(other, "gdp_per_capita") == drawn
    assert metric_cells(other) == metrics
    marker = other.evaluate("document.getElementById('window').data[1]")
    assert (marker["x"], marker["y"]) == ([2012], [0.6])
    context.close()


def test_charts_export_as_png_and_downloads_follow_the_state(browser, perez):
    ex, url = perez
    page = open_page(browser, url + "/")
    move_slider(page, "reinvestment_share", 0.2)
    data_url = page.evaluate(
        "Plotly.toImage(document.getElementById('charts'), {format: 'png'})")
    assert data_url.startswith("data:image/png;base64,")
    assert base64.b64decode(data_url.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    href = page.get_attribute("#download-csv", "href")
    assert "p.reinvestment_share=0.2" in href
    with page.expect_download() as info:
        page.click("#download-nc")
    assert info.value.suggested_filename == "perez_explorer.nc"
    page.close()


def test_fishery_model_works_with_its_own_levers_metrics_and_window(browser, fishery):
    ex, url = fishery
    page = open_page(browser, url + "/")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    assert page.text_content("#model-name") == "fishery"
    move_slider(page, "quota_reduction", 0.25)
    move_slider(page, "quota_start_time", 30)
    ds = ex.model.run_batch({"quota_reduction": np.array([0.0, 0.25]),
                             "quota_start_time": np.array([20.0, 30.0])})
    np.testing.assert_allclose(chart_traces(page, "fish")["current"], ds["fish"].isel(run=1),
                               rtol=1e-12)
    check_metrics(page, ex, ds)
    heat = page.evaluate("document.getElementById('window').data")
    sweep = sd.analysis.window_sweep(
        ex.model, [0, 10, 20, 30, 40, 60], [0.1, 0.3, 0.5], start_lever="quota_start_time",
        share_lever="quota_reduction", metric="fish_trough",
        scenarios=ex.model.path.parent / "fishery_scenarios.toml")
    np.testing.assert_allclose(np.asarray(heat[0]["z"], dtype=float), sweep.values.T, rtol=1e-12)
    assert (heat[1]["x"], heat[1]["y"]) == ([30], [0.25])
    origin = urllib.parse.urlsplit(url).netloc
    assert requests and all(urllib.parse.urlsplit(r).netloc == origin for r in requests)
    page.close()


def test_page_loads_nothing_from_outside(browser, fishery):
    _, url = fishery
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url + "/")
    wait_render(page, 0, "window.explorer.windowData !== null")
    origin = urllib.parse.urlsplit(url).netloc
    assert {urllib.parse.urlsplit(r).netloc for r in requests} == {origin}
    assert any(r.endswith("/static/plotly.min.js") for r in requests)
    page.close()


def test_a_refused_setting_shows_the_error_and_keeps_the_charts(browser, perez):
    ex, url = perez
    page = open_page(browser, url + "/")
    drawn = chart_traces(page, "gdp_per_capita")
    page.fill("#num-bottom_up_share", "0.4")
    page.dispatch_event("#num-bottom_up_share", "change")
    page.wait_for_function("window.explorer.lastError !== null")
    assert "sum to 1" in page.text_content("#error")
    assert chart_traces(page, "gdp_per_capita") == drawn
    page.close()


def _alone_allowed(model, py, limits) -> bool:
    """Whether the model's constraints accept ``py`` at both ends of its range, the others at
    their defaults (the basket weights, which must sum to one, are not)."""
    try:
        model.check_constraints({py: np.array(limits, dtype=float)})
    except sd.exceptions.ParameterError:
        return False
    return True
