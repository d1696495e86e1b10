"""Bounded downloads: an overall deadline, a size limit and an optional SHA-256 check.

Every download of :mod:`sdmodel.data` goes through :func:`download`. Limits come from the
environment: ``$SDMODEL_DOWNLOAD_DEADLINE`` (seconds for a whole download, default 300) and
``$SDMODEL_DOWNLOAD_MAX_BYTES`` (default 256 MiB). The publishers used here (World Bank API,
Pink Sheet, Penn World Table) publish no checksum; a caller that knows one passes ``sha256``
(e.g. ``$SDMODEL_PWT_SHA256``) and a mismatch is refused.

Examples
--------
>>> deadline_seconds() > 0 and max_download_bytes() > 0
True
"""

from __future__ import annotations

import hashlib
import io
import os
import time
import urllib.error
import urllib.request
from typing import BinaryIO

from ..exceptions import DataError

__all__ = ["download", "deadline_seconds", "max_download_bytes", "MAX_PAGES"]

#: Most pages a paged API answer may have (the World Bank API gives 20 000 rows a page).
MAX_PAGES = 50
_CHUNK = 1 << 16


def _positive(variable: str, default: float) -> float:
    text = os.environ.get(variable, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise DataError(f"${variable}={text!r} is not a positive number")
    return value


def deadline_seconds() -> float:
    """Seconds one whole download may take (``$SDMODEL_DOWNLOAD_DEADLINE``, default 300)."""
    return _positive("SDMODEL_DOWNLOAD_DEADLINE", 300.0)


def max_download_bytes() -> int:
    """Largest download accepted (``$SDMODEL_DOWNLOAD_MAX_BYTES``, default 256 MiB)."""
    return int(_positive("SDMODEL_DOWNLOAD_MAX_BYTES", float(256 * 2**20)))


def download(url: str, what: str, *, timeout: float, out: BinaryIO | None = None,
             sha256: str | None = None, verb: str = "download") -> bytes:
    """Fetch ``url`` within the deadline and size limit; return the body (or write it to ``out``).

    Parameters
    ----------
    url : str
    what : str
        The publisher's name, for messages.
    timeout : float
        Seconds any single network read may wait.
    out : binary file, optional
        Where to stream the body; then ``b""`` is returned.
    sha256 : str, optional
        Expected hex digest of the body.
    verb : str, optional
        How the failure to connect is phrased (``"cannot <verb> the <what>"``).

    Raises
    ------
    DataError
        HTTP error, unreachable server, the deadline passed, the body is larger than the limit,
        or its SHA-256 differs from ``sha256``.
    """
    deadline = time.monotonic() + deadline_seconds()
    limit = max_download_bytes()
    buffer = io.BytesIO()
    sink = out if out is not None else buffer
    digest = hashlib.sha256()
    size = 0
    request = urllib.request.Request(url, headers={"User-Agent": "sdmodel"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise DataError(
                    f"the {what} download {url} announces {int(declared):,} bytes, over the "
                    f"limit of {limit:,} (set SDMODEL_DOWNLOAD_MAX_BYTES to raise it)")
            while chunk := response.read1(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise DataError(
                        f"the {what} download {url} is over the limit of {limit:,} bytes "
                        "(set SDMODEL_DOWNLOAD_MAX_BYTES to raise it)")
                if time.monotonic() > deadline:
                    raise DataError(
                        f"the {what} download {url} took longer than {deadline_seconds():g} s "
                        "(set SDMODEL_DOWNLOAD_DEADLINE to allow more)")
                digest.update(chunk)
                sink.write(chunk)
    except urllib.error.HTTPError as err:
        raise DataError(f"the {what} download answered HTTP {err.code} for {url}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise DataError(
            f"cannot {verb} the {what} ({url}) to fill a missing series: {reason}. "
            "Offline? Put the data in the data directory (argument data_dir or $SDMODEL_DATA)"
        ) from None
    if sha256 is not None and digest.hexdigest() != sha256.strip().lower():
        raise DataError(
            f"the {what} download {url} has SHA-256 {digest.hexdigest()}, not the expected "
            f"{sha256}; refusing it")
    return b"" if out is not None else buffer.getvalue()
