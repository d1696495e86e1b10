"""The reference model's commodity price history covers the whole data series (1960-latest).

Oracles: the Pink Sheet file itself (the index recomputed here from ``commodity_prices.csv``)
and a model rendered with the history cut at 2000 (the default 2000-2060 run must not see the
earlier years at all).
"""

from __future__ import annotations

import csv
import warnings

import numpy as np
import pytest
from conftest import DATA_DIR, MODELS

import sdmodel as sd
from sdmodel.exceptions import DataError, ParameterError
from sdmodel.perez.sectors.commodity import commodity_rents
from sdmodel.perez.reference import (PRICE_SERIES, build_perez, price_histories, price_history,
                                     validate_perez_params)

MDL = MODELS / "perez" / "perez.mdl"


@pytest.fixture(scope="module")
def rows():
    with (DATA_DIR / "commodity_prices.csv").open() as fh:
        return {int(r["year"]): r for r in csv.DictReader(fh)}


def _index(rows, year):
    """The default basket: half energy, half metals (weights 0.5 / 0.5 / 0)."""
    return np.mean([float(rows[year][c]) / float(rows[2000][c]) for c in PRICE_SERIES[:2]])


@pytest.fixture(scope="module")
def model():
    return sd.load(MDL)


def test_history_spans_the_file_with_2000_as_base(rows):
    points = price_history(DATA_DIR)
    assert [int(x) for x, _ in points] == sorted(rows)
    assert dict(points)[2000.0] == 1.0
    for year in (1960, 1974, 1980, 1990, 1998, 2008, max(rows)):
        assert dict(points)[float(year)] == pytest.approx(_index(rows, year), abs=5e-5)
    assert price_history(DATA_DIR, start=1990)[0][0] == 1990.0
    assert price_history(DATA_DIR, start=1990)[10] == (2000.0, 1.0)


def test_history_errors(tmp_path, rows):
    (tmp_path / "commodity_prices.csv").write_text(
        "year," + ",".join(PRICE_SERIES) + "\n1999,1,1,1\n2001,2,2,2\n")
    with pytest.raises(DataError, match="no row for 2000"):
        price_history(tmp_path)
    with pytest.raises(DataError, match="at least two years"):
        price_history(DATA_DIR, start=max(rows))


def test_a_1990_start_reads_the_data_without_extrapolating(model, rows):
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # PySD warns when a lookup extrapolates
        ds = model.run({"price_boom_scale": 1.0, "reinvestment_start_year": 1995},
                       initial_time=1990, final_time=2019, return_vars=["commodity_price",
                                                                        "scenario_price"])
    for year in range(1990, 2020):
        assert float(ds["scenario_price"].sel(time=year)) == pytest.approx(
            _index(rows, year), abs=5e-5)
    assert float(ds["scenario_price"].sel(time=1998)) < 0.75  # the pre-boom trough


def test_default_run_does_not_depend_on_the_years_before_2000(model):
    full = build_perez(data_dir=DATA_DIR)
    assert full.to_mdl() == MDL.read_text()
    # the commodity sector with the lookup cut at 2000 (as rendered before the history was
    # extended) against the same sector with the whole history
    b = sd.Builder("perez", initial_time=2000, final_time=2060, time_step=0.25,
                   time_units="Year", saveper=1)
    full = price_histories(DATA_DIR)
    cut = {k: [(x, y) for x, y in v if x >= 2000] for k, v in full.items()}
    sources = dict.fromkeys(full, "the Pink Sheet")
    b.constant("initial gdp", 2.4e11, units="$/Year", doc="Held constant.")
    commodity_rents(b, histories=cut, sources=sources)
    cut_model = b.compile()
    b2 = sd.Builder("perez", initial_time=2000, final_time=2060, time_step=0.25,
                    time_units="Year", saveper=1)
    b2.constant("initial gdp", 2.4e11, units="$/Year", doc="Held constant.")
    commodity_rents(b2, histories=full, sources=sources)
    full_model = b2.compile()
    a, c = cut_model.run(), full_model.run()
    for v in a.data_vars:
        np.testing.assert_array_equal(a[v].values, c[v].values, err_msg=v)


def test_start_year_before_or_after_the_run_is_accepted_and_nan_refused(model):
    validate_perez_params(model, {"reinvestment_start_year": 1995})   # reinvesting from the start
    validate_perez_params(model, {"reinvestment_start_year": 2100})   # never
    with pytest.raises(ParameterError, match="not a finite year"):
        validate_perez_params(model, {"reinvestment_start_year": float("nan")})
    with pytest.raises(ParameterError, match="not a finite year"):
        model.run_batch({"reinvestment_start_year": np.array([2004.0, np.inf])})


def test_basket_weights_must_sum_to_one(model):
    with pytest.raises(ParameterError, match="commodity basket weights"):
        validate_perez_params(model, {"energy_weight": 0.7})
    validate_perez_params(model, {"energy_weight": 0.0, "metals_weight": 1.0})
    series = price_histories(DATA_DIR)
    copper = price_history(DATA_DIR, weights={"energy": 0, "metals": 1})
    assert copper == [(x, y) for x, y in series["metals"]]
