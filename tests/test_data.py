"""sdmodel.data loaders on the shared data directory, checked against the CSV files read
with the standard library (the oracle), plus typed errors. No network: download=False."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest

import sdmodel as sd
from conftest import DATA_DIR
from sdmodel.exceptions import DataError


def _wdi_cell(country, year, indicator):
    with open(DATA_DIR / "wdi.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            if (row["country"], row["year"], row["indicator"]) == (country, str(year), indicator):
                return float(row["value"])
    return math.nan


def _pwt_cell(country, year, column):
    with open(DATA_DIR / "pwt.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            if (row["country"], row["year"]) == (country, str(year)):
                return float(row[column]) if row[column] else math.nan
    return math.nan


def test_wdi_cells_match_the_file(data_dir):
    inds = ["NY.GDP.TOTL.RT.ZS", "PX.REX.REER", "NV.IND.MANF.ZS"]
    ds = sd.data.load_wdi(inds, ["CHL", "nor", "KOR"], data_dir=data_dir, start=1990,
                          end=2019, download=False)
    assert dict(ds.sizes) == {"country": 3, "year": 30}
    assert list(ds["country"].values) == ["CHL", "NOR", "KOR"]
    # values checked by eye in wdi.csv, then re-read by the csv module
    assert ds["NY.GDP.TOTL.RT.ZS"].sel(country="CHL", year=2006).item() == 17.34885
    assert ds["PX.REX.REER"].sel(country="NOR", year=1990).item() == 100.91975
    for c, y, i in [("KOR", 2005, "NV.IND.MANF.ZS"), ("CHL", 2014, "PX.REX.REER"),
                    ("NOR", 2019, "NY.GDP.TOTL.RT.ZS")]:
        assert ds[i].sel(country=c, year=y).item() == _wdi_cell(c, y, i)
    # KOR's REER ends in 2021 but starts in 1990; REER is 100 in 2010 everywhere
    assert ds["PX.REX.REER"].sel(year=2010).values.tolist() == pytest.approx([100, 100, 100])
    assert ds["NY.GDP.TOTL.RT.ZS"].attrs["units"] == "% of GDP"


def test_wdi_missing_years_are_nan(data_dir):
    ds = sd.data.load_wdi("PX.REX.REER", ["KOR", "CHL"], data_dir=data_dir, start=1985,
                          end=1992, download=False)
    kor = ds["PX.REX.REER"].sel(country="KOR").values
    assert np.isnan(kor[:5]).all() and np.isfinite(kor[5:]).all()  # KOR starts 1990
    assert np.isfinite(ds["PX.REX.REER"].sel(country="CHL").values).all()


def test_pwt_cells_match_the_file(data_dir):
    ds = sd.data.load_pwt(["hc", "ctfp"], ["KOR", "CHL"], data_dir=data_dir, start=1990,
                          end=2019)
    assert dict(ds.sizes) == {"country": 2, "year": 30}
    assert ds["hc"].sel(country="KOR", year=1990).item() == 2.8466084003448486
    for c, y, v in [("CHL", 2000, "hc"), ("KOR", 2019, "ctfp"), ("CHL", 1995, "ctfp")]:
        assert ds[v].sel(country=c, year=y).item() == _pwt_cell(c, y, v)


def test_commodity_prices_match_the_file(data_dir):
    ds = sd.data.load_commodity_prices(["copper_usd_t", "crude_oil_avg_usd_bbl_real"],
                                       data_dir=data_dir, start=2003, end=2014)
    assert list(ds["year"].values) == list(range(2003, 2015))
    assert ds["copper_usd_t"].sel(year=2008).item() == 6955.87983333333
    assert ds["crude_oil_avg_usd_bbl_real"].sel(year=2008).item() == 94.32116479477
    all_series = sd.data.load_commodity_prices(data_dir=data_dir)
    assert len(all_series.data_vars) == 10 and all_series.sizes["year"] == 65


def test_data_dir_from_the_environment(data_dir, monkeypatch):
    monkeypatch.setenv("SDMODEL_DATA", str(data_dir))
    ds = sd.data.load_pwt("hc", "KOR", start=1990, end=1990)
    assert ds["hc"].item() == 2.8466084003448486


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda d: sd.data.load_wdi("NY.GDP.XXX", "CHL", data_dir=d, download=False),
         "indicator 'NY.GDP.XXX' is not in"),
        (lambda d: sd.data.load_wdi("PX.REX.REER", "ZZZ", data_dir=d, download=False),
         "country 'ZZZ' is not in"),
        (lambda d: sd.data.load_wdi("NY.GDP.PCAP.KD", "VEN", data_dir=d, download=False),
         "no observations .* NY.GDP.PCAP.KD for VEN"),
        (lambda d: sd.data.load_wdi("PX.REX.REER", "KOR", data_dir=d, start=1970, end=1980,
                                    download=False), "no observations .* PX.REX.REER for KOR"),
        (lambda d: sd.data.load_pwt("tfp", "CHL", data_dir=d, download=False),
         "PWT variable 'tfp'"),
        (lambda d: sd.data.load_pwt("hc", "XYZ", data_dir=d, download=False), "country 'XYZ'"),
        (lambda d: sd.data.load_pwt("ctfp", "NGA", data_dir=d, end=1955),
         "no observations .* ctfp for NGA"),
        (lambda d: sd.data.load_commodity_prices("gold", data_dir=d,
                                                   download=False), "commodity series 'gold'"),
        (lambda d: sd.data.load_wdi("PX.REX.REER", "CHL", data_dir=d, start=2000, end=1990,
                                    download=False), "end year 1990 is before start year 2000"),
    ],
)
def test_bad_requests_raise_data_error(data_dir, call, match):
    with pytest.raises(DataError, match=match):
        call(data_dir)


def test_allow_missing_keeps_nan_only_series(data_dir):
    ds = sd.data.load_wdi("NY.GDP.PCAP.KD", ["CHL", "VEN"], data_dir=data_dir, download=False,
                          allow_missing=True)
    assert np.isnan(ds["NY.GDP.PCAP.KD"].sel(country="VEN").values).all()
    assert np.isfinite(ds["NY.GDP.PCAP.KD"].sel(country="CHL").values).any()


def test_missing_files_say_where_to_get_them(tmp_path):
    with pytest.raises(DataError, match="no pwt.csv .* Penn World Table"):
        sd.data.load_pwt("hc", "CHL", data_dir=tmp_path, download=False)
    with pytest.raises(DataError, match="no commodity_prices.csv"):
        sd.data.load_commodity_prices(data_dir=tmp_path, download=False)
    with pytest.raises(DataError, match="not in the WDI data"):
        sd.data.load_wdi("PX.REX.REER", "CHL", data_dir=tmp_path, download=False)


def test_offline_download_is_a_data_error(tmp_path, monkeypatch):
    # an unroutable proxy makes the download fail without touching the network
    monkeypatch.setenv("https_proxy", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    with pytest.raises(DataError, match="cannot reach the World Bank API"):
        sd.data.load_wdi("PX.REX.REER", "CHL", data_dir=tmp_path, download=True)


def test_downloaded_series_are_read_from_the_cache(tmp_path, data_dir):
    # a series cached by an earlier download (same layout the downloader writes) is used
    from sdmodel.data._store import write_csv_atomic
    import pandas as pd

    frame = pd.DataFrame({"country": ["VEN"] * 2, "year": [2000, 2001],
                          "indicator": ["NY.GDP.PCAP.KD"] * 2, "value": [1.5, 2.5]})
    write_csv_atomic(frame, tmp_path / "downloads" / "wdi" / "NY.GDP.PCAP.KD" / "VEN.csv")
    ds = sd.data.load_wdi("NY.GDP.PCAP.KD", "VEN", data_dir=tmp_path, download=False)
    assert ds["NY.GDP.PCAP.KD"].sel(country="VEN").values.tolist() == [1.5, 2.5]


class _FakeWorldBank:
    """A local HTTP server answering like the World Bank API v2 (two pages for VEN)."""

    def __init__(self):
        import http.server
        import json as _json
        import threading

        self.requests = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                outer.requests.append(self.path)
                if "/indicator/NO.SUCH" in self.path:
                    body = [{"message": [{"id": "120", "key": "Invalid value",
                                          "value": "The provided parameter value is not valid"}]}]
                else:
                    page = 2 if "&page=2" in self.path else 1
                    years = [2001, 2000] if page == 1 else [1999, 1998]
                    recs = [{"indicator": {"id": "NY.GDP.PCAP.KD", "value": "GDP per capita"},
                             "country": {"id": "VE", "value": "Venezuela"},
                             "countryiso3code": "VEN", "date": str(y),
                             "value": None if y == 1998 else 1000.0 + y, "unit": ""}
                            for y in years]
                    body = [{"page": page, "pages": 2, "per_page": 2, "total": 4}, recs]
                data = _json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v2"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def world_bank(monkeypatch):
    server = _FakeWorldBank()
    monkeypatch.setenv("SDMODEL_WORLDBANK_API", server.url)
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    yield server
    server.close()


def test_missing_series_is_downloaded_and_cached(tmp_path, world_bank):
    ds = sd.data.load_wdi("NY.GDP.PCAP.KD", "VEN", data_dir=tmp_path, download=True)
    assert ds["NY.GDP.PCAP.KD"].sel(country="VEN").values.tolist() == [2999.0, 3000.0, 3001.0]
    assert len(world_bank.requests) == 2 and "&page=2" in world_bank.requests[1]
    assert "/country/VEN/indicator/NY.GDP.PCAP.KD" in world_bank.requests[0]
    cached = tmp_path / "downloads" / "wdi" / "NY.GDP.PCAP.KD" / "VEN.csv"
    assert cached.is_file()
    again = sd.data.load_wdi("NY.GDP.PCAP.KD", "VEN", data_dir=tmp_path, download=True)
    assert again.equals(ds) and len(world_bank.requests) == 2  # served from the cache


def test_api_rejection_is_a_data_error(tmp_path, world_bank):
    with pytest.raises(DataError, match="rejected indicator 'NO.SUCH'.*not valid"):
        sd.data.load_wdi("NO.SUCH", "VEN", data_dir=tmp_path, download=True)


def test_offline_setting_disables_downloads(tmp_path, data_dir, monkeypatch, world_bank):
    monkeypatch.setenv("SDMODEL_OFFLINE", "1")
    with pytest.raises(DataError, match="NY.GDP.PCAP.KD for VEN"):
        sd.data.load_wdi("NY.GDP.PCAP.KD", "VEN", data_dir=data_dir)
    assert world_bank.requests == []


def test_a_download_that_finds_nothing_is_not_repeated(tmp_path, world_bank):
    from sdmodel.data._store import write_csv_atomic
    import pandas as pd

    empty = pd.DataFrame(columns=["country", "year", "indicator", "value"])
    write_csv_atomic(empty, tmp_path / "downloads" / "wdi" / "NY.GDP.PCAP.KD" / "ARG.csv")
    with pytest.raises(DataError, match="no observations .* NY.GDP.PCAP.KD for ARG"):
        sd.data.load_wdi("NY.GDP.PCAP.KD", "ARG", data_dir=tmp_path, download=True)
    assert world_bank.requests == []
