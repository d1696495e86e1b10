"""The explorer's server over HTTP (a real uvicorn server on a free port), without a browser.

Oracles: a second engine (PySD runs through ``sd.run_scenarios`` and ``sd.metrics.compare``)
for the series and metrics, ``sd.analysis.percentile_bands`` over an independently assembled
``run_batch`` for the bands, ``sd.analysis.window_sweep`` for the heat map.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import sdmodel as sd
from sdmodel.exceptions import OutputError, ParameterError

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

from sdmodel.explorer import Explorer, State, parse_state, running  # noqa: E402
from sdmodel.explorer.app import serve  # noqa: E402

FISHERY = "tests/data/fishery.mdl"
FISHERY_SCENARIOS = "tests/data/fishery_scenarios.toml"


@pytest.fixture(scope="module")
def fishery(models_dir):
    root = models_dir.parent
    return Explorer.from_path(root / FISHERY, root / FISHERY_SCENARIOS)


@pytest.fixture(scope="module")
def server(fishery):
    with running(fishery) as url:
        yield url


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def get_json(url: str):
    status, body = get(url)
    return status, json.loads(body)


def test_describe_names_levers_ranges_presets_and_metrics(server):
    status, model = get_json(server + "/api/model")
    assert status == 200
    assert model["model"] == "fishery"
    assert [lever["name"] for lever in model["levers"]] == ["quota_reduction", "quota_start_time"]
    quota = model["levers"][0]
    assert (quota["min"], quota["max"], quota["units"]) == (0.0, 1.0, "Dmnl")
    assert [p["name"] for p in model["presets"]] == ["open_access", "early_quota", "late_quota"]
    assert model["presets"][1]["values"] == {"quota_reduction": 0.3, "quota_start_time": 10.0}
    assert model["baseline"] == "open_access"
    assert [m["name"] for m in model["metrics"]][:2] == ["fish_trough", "harvest_50"]
    # carrying_capacity has an open range (100, ?): a constant, not sampled by the bands
    names = {c["name"]: c for c in model["constants"]}
    assert names["carrying_capacity"]["max"] is None
    assert "carrying_capacity" not in model["uncertain"]
    assert set(model["uncertain"]) == {"catchability", "fish_price", "fleet_response",
                                      "regeneration_rate"}


def test_run_matches_pysd_runs_and_compare(server, fishery):
    """Series and metrics of a state equal a second engine's: PySD runs and compare()."""
    status, out = get_json(server + "/api/run?p.quota_reduction=0.4&p.quota_start_time=15"
                           "&out=fish,harvest")
    assert status == 200
    model = fishery.model
    scen = {"baseline": fishery.baseline_params(),
            "current": {"quota_reduction": 0.4, "quota_start_time": 15.0}}
    ds = sd.run_scenarios(model, scen, return_vars=["fish", "harvest", "fleet", "fleet_profit"])
    assert out["time"] == ds["time"].values.tolist()
    for name in ("fish", "harvest"):
        for which in ("baseline", "current"):
            np.testing.assert_allclose(out["series"][name][which],
                                       ds[name].sel(scenario=which).values, rtol=1e-6)
    table = sd.metrics.compare(ds, baseline="baseline", metrics=fishery.metrics)
    for row in out["metrics"]:
        value = table["value"].sel(metric=row["name"])
        expected_current = float(value.sel(scenario="current"))
        expected_base = float(value.sel(scenario="baseline"))
        for got, expected in ((row["current"], expected_current), (row["baseline"], expected_base)):
            if np.isnan(expected):
                assert got is None
            else:
                assert got == pytest.approx(expected, rel=1e-6)
    assert out["bands"] is None and out["sampled"] == []


def test_bands_match_percentiles_of_an_independent_batch(server, fishery):
    status, out = get_json(server + "/api/run?p.quota_reduction=0.3&out=fish&bands=1")
    assert status == 200
    assert out["n_band_runs"] == 200
    assert out["sampled"] == sorted(fishery.uncertain)
    samples = sd.analysis.latin_hypercube(fishery.model, fishery.uncertain, 200, seed=1)
    params = {k: samples[k].to_numpy() for k in samples}
    params["quota_reduction"] = np.full(200, 0.3)
    with pytest.warns(RuntimeWarning, match="NaN or infinity"):  # wide ranges: some runs blow up
        runs = fishery.model.run_batch(params, return_vars=["fish"])
    bands = sd.analysis.percentile_bands(runs, percentiles=(5, 50, 95))["fish"]
    for key, q in (("p5", 5), ("p50", 50), ("p95", 95)):
        np.testing.assert_allclose(np.asarray(out["bands"]["fish"][key], dtype=float),
                                   bands.sel(percentile=q).values, rtol=1e-9, equal_nan=True)
    # the band metrics bracket the spread: p5 <= p95 for every metric that has them
    for row in out["metrics"]:
        if row.get("p5") is not None and row.get("p95") is not None:
            assert row["p5"] <= row["p95"]


def test_window_heat_map_is_the_window_sweep(server, fishery):
    status, out = get_json(server + "/api/window")
    assert status == 200
    sweep = sd.analysis.window_sweep(
        fishery.model, [0, 10, 20, 30, 40, 60], [0.1, 0.3, 0.5], start_lever="quota_start_time",
        share_lever="quota_reduction", metric="fish_trough", scenarios=FISHERY_SCENARIOS)
    assert out["start_years"] == [0, 10, 20, 30, 40, 60]
    assert out["shares"] == [0.1, 0.3, 0.5]
    np.testing.assert_allclose(np.asarray(out["gain"]), sweep.values, rtol=1e-12)
    assert out["start_lever"] == "quota_start_time" and out["share_lever"] == "quota_reduction"


def test_downloads_hold_the_runs_drawn(server, tmp_path):
    query = "p.quota_reduction=0.2&out=fish,fleet&bands=1"
    _, out = get_json(server + "/api/run?" + query)
    status, body = get(server + "/api/download.csv?" + query)
    assert status == 200
    frame = pd.read_csv(io.BytesIO(body), index_col="time")
    assert list(frame.columns[:2]) == ["fish[baseline]", "fish[current]"]
    np.testing.assert_allclose(frame["fish[current]"], out["series"]["fish"]["current"], rtol=1e-15)
    np.testing.assert_allclose(frame["fleet[p95]"], out["bands"]["fleet"]["p95"], rtol=1e-15)
    status, body = get(server + "/api/download.nc?" + query)
    assert status == 200
    path = tmp_path / "runs.nc"
    path.write_bytes(body)
    with xr.open_dataset(path) as ds:
        np.testing.assert_allclose(ds["fish"].sel(scenario="current"),
                                   out["series"]["fish"]["current"], rtol=1e-15)
        np.testing.assert_allclose(ds["fleet_band"].sel(percentile=5.0),
                                   out["bands"]["fleet"]["p5"], rtol=1e-15)
        assert ds["fish"].attrs["units"] == "Ton"


@pytest.mark.parametrize("query, culprit", [
    ("p.quota_reductoin=0.3", "quota_reductoin"),
    ("p.quota_reduction=abc", "quota_reduction"),
    ("p.quota_reduction=nan", "quota_reduction"),
    ("out=nosuch", "nosuch"),
    ("out=quota_reduction", "quota_reduction"),
    ("color=red", "color"),
])
def test_refused_states_answer_400_naming_the_culprit(server, query, culprit):
    status, body = get_json(server + "/api/run?" + query)
    assert status == 400
    assert body["error"] == "ParameterError"
    assert culprit in body["message"]


def test_unknown_download_format_is_404(server):
    status, body = get_json(server + "/api/download.xlsx")
    assert status == 404 and "csv or nc" in body["message"]


def test_page_and_assets_are_served_from_the_packages(server):
    status, page = get(server + "/")
    assert status == 200 and b"/static/plotly.min.js" in page
    assert b"http" not in page.replace(b'http-equiv', b'')  # no CDN or other host
    status, script = get(server + "/static/plotly.min.js")
    assert status == 200 and len(script) > 1_000_000 and b"plotly.js" in script[:2000]
    status, js = get(server + "/static/explorer.js")
    assert status == 200 and b"/api/run" in js


def test_parse_state_reads_the_url_form():
    state = parse_state({"p.a": "1.5", "out": "x,y", "bands": "1"})
    assert state == State(params={"a": 1.5}, outputs=("x", "y"), bands=True)
    assert parse_state({"bands": "0"}).bands is False


def test_serve_refuses_a_public_host_without_allow_remote(fishery):
    with pytest.raises(ParameterError, match="0.0.0.0.*allow_remote"):
        serve(fishery, host="0.0.0.0", port=0)


def test_a_taken_port_is_an_output_error(fishery, server):
    port = int(urllib.parse.urlsplit(server).port)
    with pytest.raises(OutputError, match=f"{port}.*another --port"):
        serve(fishery, port=port)


def test_state_params_override_the_defaults_not_the_baseline(fishery):
    """A state names values relative to the model's defaults: {} is the defaults, not the baseline."""
    params, n, sampled = fishery.batch_params(fishery.check_state(State()))
    assert n == 2 and sampled == []
    assert params["quota_reduction"].tolist() == [0.0, 0.0]
    state = fishery.check_state(State(params={"Quota Reduction": 0.5}))
    assert dict(state.params) == {"quota_reduction": 0.5}
    params, _, _ = fishery.batch_params(state)
    assert params["quota_reduction"].tolist() == [0.0, 0.5]


def test_cli_registers_explore_and_version_stays_light():
    code = ("import sys; from sdmodel.cli import main\n"
            "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('starlette', 'uvicorn', 'plotly', 'sdmodel.explorer') "
            "if m in sys.modules]\nprint(heavy)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip().endswith("[]")
    result = subprocess.run(
        [sys.executable, "-c", "from sdmodel.cli import main; main(['explore', '--help'])"],
        capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "--scenarios" in result.stdout and "--open" in result.stdout


def test_a_model_without_scenarios_has_constants_default_metrics_and_no_window(models_dir):
    ex = Explorer.from_path(models_dir / "validation" / "nelson_phelps.mdl")
    model = ex.describe()
    assert model["levers"] == [] and model["presets"] == [] and model["baseline"] is None
    assert model["window"] is None and ex.window() is None
    assert {c["name"] for c in model["constants"]} == set(ex.model.params)
    assert [m["name"] for m in model["metrics"]] == [
        "technological_capability_final", "catch_up_final", "world_frontier_final"]
    out = ex.run(State(params={"catch_up_rate": 0.2}, outputs=("technological_capability",),
                       bands=True))
    # a constant set by hand is held fixed: the bands vary only the other ranged constant
    assert out["sampled"] == ["frontier_growth_rate"]
    ds = ex.model.run_batch({"catch_up_rate": np.array([ex.model.params["catch_up_rate"], 0.2])})
    np.testing.assert_allclose(out["series"]["technological_capability"]["current"],
                               ds["technological_capability"].isel(run=1), rtol=1e-12)
    final = float(ds["technological_capability"].isel(run=1, time=-1))
    assert out["metrics"][0]["current"] == pytest.approx(final, rel=1e-12)


def test_window_axes_default_to_the_levers_documented_ranges(models_dir):
    """The reference model's [window] gives no grid: 7 start years and 7 shares over the ranges."""
    ex = Explorer.from_path(models_dir / "perez" / "perez.mdl")
    out = ex.window()
    assert out["start_years"] == np.linspace(2000, 2060, 7).tolist()
    assert out["shares"] == np.linspace(0, 1, 7).tolist()
    sweep = sd.analysis.window_sweep(
        ex.model, out["start_years"], out["shares"], start_lever="reinvestment_start_year",
        share_lever="reinvestment_share", metric="gdp_per_capita_2040",
        scenarios=models_dir / "perez" / "scenarios.toml")
    np.testing.assert_allclose(np.asarray(out["gain"]), sweep.values, rtol=1e-12)
    # reinvesting at 2004 beats starting after the boom, for every positive share
    gain = np.asarray(out["gain"])
    assert np.all(gain[0, 1:] > gain[3, 1:])
