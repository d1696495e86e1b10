"""Pieces the sub-commands share: exit statuses, the usage error, messages and progress.

Results go to standard output; messages (``wrote ...``), warnings and progress bars go to
standard error, through the ``sdmodel`` logger, whose level ``--quiet`` (warnings only) and
``--verbose`` (debug) set.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["UsageError", "EXIT_OK", "EXIT_REFUSED", "EXIT_USAGE", "logging_to_stderr", "say",
           "show_progress", "LOG"]

EXIT_OK = 0
#: Input refused by the library (a typed error of :mod:`sdmodel.exceptions`).
EXIT_REFUSED = 1
#: A command line that cannot be acted on (as argparse exits).
EXIT_USAGE = 2

#: The logger messages of the command line go through (to standard error).
LOG = logging.getLogger("sdmodel")


class UsageError(Exception):
    """A command line that is incomplete or inconsistent (exit status 2, like argparse)."""


class _StderrHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is when a record is emitted (so capture works)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:  # logging must never raise
            self.handleError(record)


@contextmanager
def logging_to_stderr(*, quiet: bool = False, verbose: int = 0) -> Iterator[None]:
    """Send the ``sdmodel`` logger to stderr while a command runs: INFO by default, WARNING
    when quiet, DEBUG when verbose. The logger is as it was afterwards."""
    level = logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    before = (LOG.level, LOG.propagate)
    LOG.addHandler(handler)
    LOG.setLevel(level)
    LOG.propagate = False
    try:
        yield
    finally:
        LOG.removeHandler(handler)
        LOG.setLevel(before[0])
        LOG.propagate = before[1]


def say(message: str) -> None:
    """A message for the user (standard error; hidden by ``--quiet``)."""
    LOG.info(message)


def show_progress(args: argparse.Namespace) -> bool:
    """Progress bars: on unless ``--quiet``/``--no-progress``, and only when stderr is a terminal."""
    if getattr(args, "quiet", False) or getattr(args, "no_progress", False):
        return False
    return sys.stderr.isatty()
