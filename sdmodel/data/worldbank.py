"""Downloads from the World Bank Indicators API (v2), with urllib.

Examples
--------
>>> fetch_wdi("NY.GDP.PCAP.KD", ["CHL"])          # doctest: +SKIP
   country  year       indicator         value
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request

import pandas as pd

from ..exceptions import DataError

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
        url = f"{api}{path}?format=json&per_page=20000&page={page}"
        payload = _get(url, timeout, api)
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


def _get(url: str, timeout: float, api: str):
    request = urllib.request.Request(url, headers={"User-Agent": "sdmodel"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as err:
        raise DataError(f"the World Bank API answered HTTP {err.code} for {url}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise DataError(
            f"cannot reach the World Bank API ({api}) to download a missing series: {reason}. "
            "Offline? Put the data in the data directory (argument data_dir or $SDMODEL_DATA)"
        ) from None
    try:
        return json.loads(body)
    except ValueError:
        raise DataError(f"the World Bank API returned something that is not JSON for {url}") from None
