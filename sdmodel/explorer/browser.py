"""Drive the explorer page in headless Chromium (Playwright): for the tests, benchmark, screenshot.

Playwright's own browser downloads are not used: it drives the system's Chromium
(Debian's ``chromium`` package, ``/usr/bin/chromium``; ``$SDMODEL_CHROMIUM`` names another).

Examples
--------
>>> from sdmodel.explorer.browser import chromium, open_page, move_slider   # doctest: +SKIP
>>> with chromium() as browser:                                              # doctest: +SKIP
...     page = open_page(browser, url)
...     move_slider(page, "reinvestment_share", 0.3)["total_ms"]
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["chromium_path", "chromium", "open_page", "wait_render", "move_slider", "chart_traces"]

#: Seconds a page may take to answer (the first batch run of a model compiles it).
TIMEOUT_S = 120


def chromium_path() -> Path | None:
    """The system Chromium: ``$SDMODEL_CHROMIUM``, else ``/usr/bin/chromium`` or one on PATH."""
    given = os.environ.get("SDMODEL_CHROMIUM")
    if given:
        return Path(given) if Path(given).is_file() else None
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


@contextmanager
def chromium() -> Iterator[object]:
    """A headless Chromium browser (Playwright ``Browser``), closed on exit.

    Raises
    ------
    FileNotFoundError
        No system Chromium (install Debian's ``chromium``: ``make browser``).
    """
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        raise FileNotFoundError(
            "no Chromium found at /usr/bin/chromium (or $SDMODEL_CHROMIUM); install it with "
            "`make browser` (apt-get install -y chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(path), headless=True)
        try:
            yield browser
        finally:
            browser.close()


def wait_render(page, after: int, condition: str = "true") -> dict:
    """Wait until the page has finished more than ``after`` redraws and ``condition`` (JS) holds.

    Returns the last redraw's latency ``{total_ms, server_ms, fetch_ms, draw_ms}``.
    """
    page.wait_for_function(
        f"() => window.explorer && window.explorer.renders > {int(after)} && ({condition})",
        timeout=TIMEOUT_S * 1000)
    return page.evaluate("window.explorer.lastLatency")


def open_page(browser, url: str, *, viewport: tuple[int, int] = (1400, 1000)):
    """A new page on ``url``, returned once it has drawn its first charts and the heat map.

    ``browser`` is a Playwright ``Browser`` (each page in a fresh context) or a
    ``BrowserContext`` (pages share its cache: plotly.js is fetched and compiled once).
    """
    if hasattr(browser, "contexts"):  # a Browser: a fresh context of that size
        page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    else:
        page = browser.new_page()
        page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    page.goto(url, timeout=TIMEOUT_S * 1000)
    wait_render(page, 0, "window.explorer.windowData !== null || window.explorer.model.window === null")
    return page


def renders(page) -> int:
    """Redraws the page has finished."""
    return int(page.evaluate("window.explorer.renders"))


def move_slider(page, name: str, value: float) -> dict:
    """Move the slider of a constant to ``value`` and wait for the redraw it causes.

    Returns the redraw's latency (see :func:`wait_render`).
    """
    before = renders(page)
    page.fill(f"#slider-{name}", repr(float(value)) if not float(value).is_integer() else str(int(value)))
    return wait_render(page, before,
                       f"window.explorer.lastRun.state.params[{name!r}] === {float(value)!r}")


def chart_traces(page, output: str) -> dict[str, list]:
    """``{baseline, current, p5, p50, p95: y values}`` of one output's chart as drawn."""
    return page.evaluate(
        """(name) => Object.fromEntries(document.getElementById('charts').data
             .filter((t) => t.meta.startsWith(name + ':'))
             .map((t) => [t.meta.slice(name.length + 1), t.y]))""", output)
