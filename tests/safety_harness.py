"""Run one bad input and classify what happened: the shared judge of the fuzz test and the
bad-input catalogue (``tests/safety_catalogue.py``).

An attempt ends in one of four ways:

``ok``
    it returned (the input was accepted);
``typed``
    it raised an :class:`sdmodel.exceptions.SDModelError` (for the command line: exit status 1
    or 2 whose last line of stderr is a one-line ``sdmodel ...`` message, and no traceback);
``raw``
    it raised anything else (a foreign exception), or the command line printed a traceback or
    exited otherwise;
``hang``
    it was still running after the time limit (interrupted by ``SIGALRM``).

Examples
--------
>>> from safety_harness import attempt
>>> attempt(lambda: 1 / 0).kind
'raw'
"""

from __future__ import annotations

import contextlib
import io
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sdmodel.exceptions import SDModelError

__all__ = ["Outcome", "CaseTimeout", "attempt", "run_cli", "time_limit"]


class CaseTimeout(BaseException):
    """Raised in the main thread when an attempt outlives its time limit.

    A ``BaseException`` so that no ``except Exception`` in the library can turn it into a
    typed error and hide a hang.
    """


@dataclass
class Outcome:
    """How one attempt ended (see the module docstring for ``kind``)."""

    kind: str
    error: str = ""
    message: str = ""
    seconds: float = 0.0
    value: object = None
    status: int | None = None

    def line(self) -> str:
        """``kind: Error: first line of the message`` for test failure reports."""
        first = self.message.strip().splitlines()[0] if self.message.strip() else ""
        return f"{self.kind}: {self.error}: {first}"[:400]


@contextlib.contextmanager
def time_limit(seconds: float | None):
    """Raise :class:`CaseTimeout` in the main thread after ``seconds`` of wall time (None: no
    limit of its own, for calls nested in a limited one)."""
    if seconds is None:
        yield
        return

    def _expired(signum, frame):
        raise CaseTimeout(f"still running after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def attempt(fn: Callable[[], object], *, limit: float = 30.0) -> Outcome:
    """Call ``fn()`` under a time limit and classify how it ended."""
    start = time.perf_counter()
    try:
        with time_limit(limit):
            value = fn()
    except CaseTimeout as err:
        return Outcome("hang", "CaseTimeout", str(err), time.perf_counter() - start)
    except SDModelError as err:
        return Outcome("typed", type(err).__name__, str(err), time.perf_counter() - start)
    except Exception as err:  # the defect the judge is for: a foreign exception
        return Outcome("raw", type(err).__name__, str(err), time.perf_counter() - start)
    return Outcome("ok", "", "", time.perf_counter() - start, value=value)


def run_cli(argv: Sequence[str], *, limit: float | None = 30.0) -> Outcome:
    """Run ``sdmodel ARGV`` in this process and classify it as a user would see it.

    ``ok`` is exit status 0; ``typed`` is exit 1 or 2 with a last stderr line starting with
    ``sdmodel`` (argparse's and the commands' one-line messages); anything else, a traceback on
    stderr or an exception escaping ``main`` is ``raw``. ``message`` holds stderr.
    """
    from sdmodel.cli import main

    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    status: int | None = None
    escaped: BaseException | None = None
    try:
        with time_limit(limit), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = main(list(argv))
            except SystemExit as exit_:  # argparse: usage errors (2), --help (0)
                status = exit_.code if isinstance(exit_.code, int) else 1
    except CaseTimeout as exc:
        return Outcome("hang", "CaseTimeout", str(exc), time.perf_counter() - start)
    except Exception as exc:  # escaped main: the user would see a raw traceback
        escaped = exc
    seconds = time.perf_counter() - start
    stderr = err.getvalue()
    if escaped is not None:
        return Outcome("raw", type(escaped).__name__, f"{escaped}\n{stderr}", seconds)
    lines = [line for line in stderr.splitlines() if line.strip()]
    if "Traceback (most recent call last)" in stderr:
        return Outcome("raw", "traceback", stderr, seconds, status=status)
    if status == 0:
        return Outcome("ok", "", stderr, seconds, value=out.getvalue(), status=0)
    if status in (1, 2) and lines and lines[-1].startswith("sdmodel"):
        last = lines[-1]
        kind = last.split(": error: ", 1)[-1].split(":", 1)[0] if ": error: " in last else "usage"
        return Outcome("typed", kind if status == 1 else "usage", last, seconds, status=status)
    return Outcome("raw", f"exit {status}", stderr, seconds, status=status)
