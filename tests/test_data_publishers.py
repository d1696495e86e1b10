"""Downloads of Penn World Table and the Pink Sheet when the data directory lacks a series.

A local HTTP server serves small Excel files written here in each publisher's layout (PWT's
``Data`` sheet; the Pink Sheet's four annual sheets with title, name, unit and code rows and
``..`` for no value); the oracle is the values written into them. No test touches the network:
the download addresses point at the local server, and the offline cases use
``$SDMODEL_OFFLINE`` or an unroutable address.
"""

from __future__ import annotations

import http.server
import threading

import numpy as np
import openpyxl
import pytest

import sdmodel as sd
from sdmodel.data import publishers
from sdmodel.exceptions import DataError

PWT_COLUMNS = ["countrycode", "country", "currency_unit", "year", "rgdpe", "pop", "hc",
               "ctfp", "i_outlier"]


def _pwt_value(iso: str, year: int, var: str) -> float:
    return {"CHL": 1.0, "XKX": 2.0}[iso] + (year - 1990) / 100 + {"rgdpe": 0.1, "pop": 0.2,
                                                                 "hc": 0.3, "ctfp": 0.4}[var]


def _write_pwt(path):
    book = openpyxl.Workbook()
    book.active.title = "Info"
    book.active.append(["Penn World Table, version 10.01"])
    legend = book.create_sheet("Legend")
    legend.append(["Variable name", "Variable definition"])
    data = book.create_sheet("Data")
    data.append(PWT_COLUMNS)
    for iso, name in (("CHL", "Chile"), ("XKX", "Kosovo")):
        for year in (1990, 1991, 1992):
            vals = [_pwt_value(iso, year, v) for v in ("rgdpe", "pop", "hc", "ctfp")]
            if iso == "XKX" and year == 1990:
                vals[2] = None  # an empty cell
            data.append([iso, name, "Peso", year, *vals, "Ordinary"])
    book.save(path)


# (sheet, names row, units row, codes row, values by year)
PINK = {
    "Annual Prices (Nominal)": (["Crude oil, average", "Crude oil, Brent", "Copper"],
                                ["($/bbl)", "($/bbl)", "($/mt)"],
                                ["CRUDE_PETRO", "CRUDE_BRENT", "COPPER"]),
    "Annual Prices (Real)": (["Crude oil, average", "Crude oil, Brent", "Copper"],
                             ["($/bbl)", "($/bbl)", "($/mt)"],
                             ["CRUDE_PETRO", "CRUDE_BRENT", "COPPER"]),
    "Annual Indices (Nominal)": (["Energy", "Non-energy", "Agriculture", "Metals & minerals **"],
                                 ["", "", "", ""], ["iENERGY", "iNONFUEL", "iAGRICULTURE",
                                                    "iMETMIN"]),
    "Annual Indices (Real)": (["Energy", "Non-energy", "Agriculture", "Metals & minerals **"],
                              ["", "", "", ""], ["iENERGY", "iNONFUEL", "iAGRICULTURE",
                                                 "iMETMIN"]),
}
YEARS = (1960, 1961, 1962)


def _pink_value(sheet: str, col: int, year: int):
    if sheet == "Annual Prices (Real)" and col == 2 and year == 1960:
        return ".."  # the Pink Sheet's mark for no value
    return round(10 * (1 + list(PINK).index(sheet)) + col + (year - 1960) / 10, 3)


def _write_pink(path):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for sheet, (names, units, codes) in PINK.items():
        ws = book.create_sheet(sheet)
        ws.append(["World Bank Commodity Price Data (The Pink Sheet)"])
        ws.append(["Annual averages, 1960 to present"])
        ws.append(["Updated on May 02, 2025"])
        ws.append([])
        ws.append([None, *names])
        ws.append([None, *units])
        ws.append([None, *codes])
        for year in YEARS:
            ws.append([str(year) if year == 1961 else year,
                       *[_pink_value(sheet, j, year) for j in range(len(names))]])
    book.save(path)


class _Publisher:
    """A local server answering ``/pwt.xlsx`` and ``/pink.xlsx``; anything else is a 404."""

    def __init__(self, files):
        self.requests: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                outer.requests.append(self.path)
                body = files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("publisher")
    _write_pwt(d / "pwt.xlsx")
    _write_pink(d / "pink.xlsx")
    return {"/pwt.xlsx": (d / "pwt.xlsx").read_bytes(),
            "/pink.xlsx": (d / "pink.xlsx").read_bytes()}


@pytest.fixture()
def publisher(files, monkeypatch):
    server = _Publisher(files)
    monkeypatch.setenv(publishers.PWT_URL_ENV, server.url + "/pwt.xlsx")
    monkeypatch.setenv(publishers.PINK_SHEET_URL_ENV, server.url + "/pink.xlsx")
    monkeypatch.delenv("SDMODEL_OFFLINE", raising=False)
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    yield server
    server.close()


def test_missing_pwt_is_downloaded_converted_and_cached(tmp_path, publisher):
    ds = sd.data.load_pwt(["hc", "ctfp"], ["CHL", "XKX"], data_dir=tmp_path)
    assert ds["year"].values.tolist() == [1990, 1991, 1992]
    for iso in ("CHL", "XKX"):
        for year in (1990, 1991, 1992):
            for var in ("hc", "ctfp"):
                got = float(ds[var].sel(country=iso, year=year))
                if (iso, year, var) == ("XKX", 1990, "hc"):
                    assert np.isnan(got)
                else:
                    assert got == pytest.approx(_pwt_value(iso, year, var), rel=1e-12)
    assert publisher.requests == ["/pwt.xlsx"]
    csv = tmp_path / "downloads" / "pwt" / "pwt.csv"
    assert csv.read_text().splitlines()[0] == "country,year,rgdpe,pop,hc,ctfp"  # no i_ flags
    again = sd.data.load_pwt("pop", "CHL", data_dir=tmp_path)
    assert float(again["pop"].sel(country="CHL", year=1992)) == pytest.approx(1.22)
    assert publisher.requests == ["/pwt.xlsx"]  # served from the cache


def test_pwt_variable_missing_locally_is_downloaded(tmp_path, publisher):
    (tmp_path / "pwt.csv").write_text("country,year,hc\nCHL,1990,9.0\n")
    local = sd.data.load_pwt("hc", "CHL", data_dir=tmp_path)
    assert local["hc"].values.tolist() == [[9.0]] and publisher.requests == []
    ds = sd.data.load_pwt("rgdpe", "CHL", data_dir=tmp_path)
    assert float(ds["rgdpe"].sel(country="CHL", year=1991)) == pytest.approx(1.11)
    assert publisher.requests == ["/pwt.xlsx"]
    with pytest.raises(DataError, match="PWT variable 'tfp' is not in"):
        sd.data.load_pwt("tfp", "CHL", data_dir=tmp_path)  # not in PWT either


def test_missing_pink_sheet_is_downloaded_converted_and_cached(tmp_path, publisher):
    ds = sd.data.load_commodity_prices(data_dir=tmp_path)
    assert ds["year"].values.tolist() == list(YEARS)
    expected = {
        "crude_oil_avg_usd_bbl": ("Annual Prices (Nominal)", 0),
        "copper_usd_t": ("Annual Prices (Nominal)", 2),
        "crude_oil_avg_usd_bbl_real": ("Annual Prices (Real)", 0),
        "copper_usd_t_real": ("Annual Prices (Real)", 2),
        "energy_index": ("Annual Indices (Nominal)", 0),
        "non_energy_index": ("Annual Indices (Nominal)", 1),
        "metals_minerals_index": ("Annual Indices (Nominal)", 3),
        "energy_index_real": ("Annual Indices (Real)", 0),
        "non_energy_index_real": ("Annual Indices (Real)", 1),
        "metals_minerals_index_real": ("Annual Indices (Real)", 3),
    }
    assert set(ds.data_vars) == set(expected)
    for name, (sheet, col) in expected.items():
        for year in YEARS:
            want = _pink_value(sheet, col, year)
            got = float(ds[name].sel(year=year))
            if want == "..":
                assert np.isnan(got), name
            else:
                assert got == pytest.approx(want, rel=1e-12), (name, year)
    assert publisher.requests == ["/pink.xlsx"]
    assert (tmp_path / "downloads" / "pinksheet" / "commodity_prices.csv").is_file()
    sd.data.load_commodity_prices("copper_usd_t", data_dir=tmp_path)
    assert publisher.requests == ["/pink.xlsx"]


def test_offline_setting_disables_the_downloads(tmp_path, publisher, monkeypatch):
    monkeypatch.setenv("SDMODEL_OFFLINE", "1")
    with pytest.raises(DataError, match="no pwt.csv .*downloads are off"):
        sd.data.load_pwt("hc", "CHL", data_dir=tmp_path)
    with pytest.raises(DataError, match="no commodity_prices.csv .*downloads are off"):
        sd.data.load_commodity_prices(data_dir=tmp_path)
    assert publisher.requests == []


def test_unreachable_or_refused_download_is_a_data_error(tmp_path, publisher, monkeypatch):
    monkeypatch.setenv(publishers.PWT_URL_ENV, "http://127.0.0.1:9/pwt.xlsx")  # nothing there
    with pytest.raises(DataError, match="cannot download the Penn World Table .*Offline"):
        sd.data.load_pwt("hc", "CHL", data_dir=tmp_path)
    monkeypatch.setenv(publishers.PINK_SHEET_URL_ENV, publisher.url + "/gone.xlsx")
    with pytest.raises(DataError, match="Pink Sheet download answered HTTP 404"):
        sd.data.load_commodity_prices(data_dir=tmp_path)
    assert not list((tmp_path / "downloads").rglob("*.csv"))  # nothing half-written


def test_a_file_in_another_layout_is_a_data_error(tmp_path, files, monkeypatch):
    server = _Publisher({"/pwt.xlsx": files["/pink.xlsx"], "/pink.xlsx": files["/pwt.xlsx"]})
    try:
        monkeypatch.setenv(publishers.PWT_URL_ENV, server.url + "/pwt.xlsx")
        monkeypatch.setenv(publishers.PINK_SHEET_URL_ENV, server.url + "/pink.xlsx")
        monkeypatch.delenv("SDMODEL_OFFLINE", raising=False)
        monkeypatch.setenv("no_proxy", "127.0.0.1")
        with pytest.raises(DataError, match="not Penn World Table's Excel file"):
            sd.data.load_pwt("hc", "CHL", data_dir=tmp_path)
        with pytest.raises(DataError, match="has no sheet 'Annual Prices"):
            sd.data.load_commodity_prices(data_dir=tmp_path)
    finally:
        server.close()
