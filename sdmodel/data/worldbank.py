"""Downloads from the World Bank Indicators API (v2), with urllib.

Examples
--------
Asks the World Bank API, so not run as a test:

>>> fetch_wdi("NY.GDP.PCAP.KD", ["CHL"])   # doctest: +SKIP
   country  year       indicator         value
"""

from __future__ import annotations

import json
import os
import urllib.parse

import pandas as pd

from ..exceptions import DataError
from ._http import MAX_PAGES, download

__all__ = ["API", "API_ENV", "fetch_wdi"]

API = "https://api.worldbank.org/v2"
#: Environment variable overriding the API base URL (a mirror or a local test server).
API_ENV = "SDMODEL_WORLDBANK_API"
TIMEOUT = 30.0


def fetch_wdi(indicator: str, countries: list[str], *, timeout: float = TIMEOUT) -> pd.DataFrame:
    """Every annual observation of ``indicator`` for ``countries`` (ISO3 codes).

    Returns a DataFrame with columns ``country, year, indicator, value`` (non-null values
    only) and ``attrs["name"]``, the indicator's published name.

    Raises
    ------
    DataError
        The API cannot be reached (offline), or it rejects the indicator or a country.
    """
    path = "/country/{}/indicator/{}".format(
        urllib.parse.quote(";".join(countries), safe=";"), urllib.parse.quote(indicator)
    )
    api = os.environ.get(API_ENV, API).rstrip("/")
    rows, name, page, pages = [], "", 1, 1
    while page <= pages:
        if page > MAX_PAGES:
            raise DataError(
                f"the World Bank API answer for {indicator!r} has {pages} pages, over the limit "
                f"of {MAX_PAGES}; ask for fewer countries at a time")
        url = f"{api}{path}?format=json&per_page=20000&page={page}"
        payload = _get(url, timeout)
        if not isinstance(payload, list) or not payload:
            raise DataError(f"unexpected answer from the World Bank API for {url}")
        meta = payload[0]
        if "message" in meta:
            text = "; ".join(str(m.get("value", m)) for m in meta["message"])
            raise DataError(
                f"the World Bank API rejected indicator {indicator!r} for countries "
                f"{countries}: {text}"
            )
        pages = int(meta.get("pages") or 1)
        for rec in payload[1] if len(payload) > 1 and payload[1] else []:
            name = name or (rec.get("indicator") or {}).get("value", "")
            if rec.get("value") is None:
                continue
            try:
                year = int(rec["date"])
            except (KeyError, ValueError):
                continue
            rows.append((rec.get("countryiso3code") or "", year, indicator, float(rec["value"])))
        page += 1
    frame = pd.DataFrame(rows, columns=["country", "year", "indicator", "value"])
    frame.attrs["name"] = name
    frame = frame.drop_duplicates(["country", "year"], keep="first")
    return frame.sort_values(["country", "year"], ignore_index=True)


def _get(url: str, timeout: float):
    body = download(url, "World Bank API", timeout=timeout, verb="reach")
    try:
        return json.loads(body)
    except ValueError:
        raise DataError(f"the World Bank API returned something that is not JSON for {url}") from None
