"""Progress bars on standard error (tqdm), shared by long library calls and the command line.

``progress=False`` (the library's default) shows nothing and prints nothing; ``progress=True``
shows a bar on ``sys.stderr``. The command line passes ``True`` unless ``--quiet`` is given or
standard error is not a terminal.

Examples
--------
>>> for _ in bar(range(3), progress=False, desc="runs"):
...     pass
>>> with step("writing", progress=False):
...     pass
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["bar", "step", "check_progress"]

#: Seconds between redraws of a one-step bar (:func:`step`).
REFRESH = 0.5


def check_progress(progress: object) -> bool:
    """``progress`` as a bool; anything but True/False is refused (a ``TypeError``).

    Examples
    --------
    >>> check_progress(True)
    True
    """
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be True or False, got {progress!r}")
    return progress


def bar(iterable: Iterable | None = None, *, progress: bool, desc: str,
        total: int | None = None, unit: str = "it") -> Any:
    """A tqdm bar on stderr (disabled, printing nothing, when ``progress`` is False)."""
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc, unit=unit, file=sys.stderr,
                disable=not check_progress(progress), leave=False, dynamic_ncols=True)


@contextmanager
def step(desc: str, *, progress: bool) -> Iterator[None]:
    """Show ``desc`` and the elapsed time on stderr while one long step (no count) runs."""
    if not check_progress(progress):
        yield
        return
    from tqdm.auto import tqdm

    shown = tqdm(total=None, desc=desc, file=sys.stderr, leave=False,
                 bar_format="{desc} [{elapsed}]", dynamic_ncols=True)
    done = threading.Event()

    def redraw() -> None:
        while not done.wait(REFRESH):
            shown.refresh()

    thread = threading.Thread(target=redraw, name="sdmodel-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        shown.close()
