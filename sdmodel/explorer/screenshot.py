"""Take a screenshot of the explorer: ``python -m sdmodel.explorer.screenshot docs/explorer.png``.

Serves the reference model (or ``--model``) on a free port, opens it in headless Chromium,
moves the reinvestment-share lever to 0.5, switches the uncertainty bands on and saves the
full page as PNG. This is how ``docs/explorer.png`` (shown in the README) is made.

Examples
--------
$ python -m sdmodel.explorer.screenshot docs/explorer.png
$ python -m sdmodel.explorer.screenshot out/fishery.png --model tests/data/fishery.mdl \\
      --scenarios tests/data/fishery_scenarios.toml --set quota_reduction=0.3
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .._atomic import atomic_path
from . import Explorer, running
from .browser import chromium, move_slider, open_page, renders, wait_render

#: The reference model, relative to the repository.
DEFAULT_MODEL = Path("models/perez/perez.mdl")


def take(out: str | Path, *, model: str | Path = DEFAULT_MODEL, scenarios=None,
         settings: dict[str, float] | None = None, bands: bool = True,
         size: tuple[int, int] = (1400, 1000)) -> Path:
    """Save a full-page PNG of the explorer of ``model`` with ``settings`` applied.

    Returns the path written (atomically).
    """
    explorer = Explorer.from_path(model, scenarios)
    explorer.warm_up()
    if settings is None:
        settings = {"reinvestment_share": 0.5} if "reinvestment_share" in explorer.levers else {}
    with running(explorer) as url, chromium() as browser:
        page = open_page(browser, url + "/", viewport=size)
        for name, value in settings.items():
            move_slider(page, name, value)
        if bands:
            n = renders(page)
            page.check("#bands")
            wait_render(page, n, "window.explorer.lastRun.bands !== null")
        page.mouse.move(0, 0)
        with atomic_path(out) as tmp:
            page.screenshot(path=str(tmp), full_page=True, type="png")
        page.close()
    return Path(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sdmodel.explorer.screenshot",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("out", help="PNG file to write")
    parser.add_argument("--model", default=str(DEFAULT_MODEL))
    parser.add_argument("--scenarios", default=None)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="move a slider before the screenshot (repeatable)")
    parser.add_argument("--no-bands", action="store_true", help="leave the bands off")
    args = parser.parse_args(argv)
    settings = {}
    for item in args.set:
        name, _, value = item.partition("=")
        try:
            settings[name] = float(value)
        except ValueError:
            parser.error(f"--set {item!r}: expected NAME=NUMBER")
    path = take(args.out, model=args.model, scenarios=args.scenarios,
                settings=settings or None, bands=not args.no_bands)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
