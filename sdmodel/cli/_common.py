"""Pieces the sub-commands share: the usage error (exit status 2)."""

from __future__ import annotations

__all__ = ["UsageError", "EXIT_OK", "EXIT_REFUSED", "EXIT_USAGE"]

EXIT_OK = 0
#: Input refused by the library (a typed error of :mod:`sdmodel.exceptions`).
EXIT_REFUSED = 1
#: A command line that cannot be acted on (as argparse exits).
EXIT_USAGE = 2


class UsageError(Exception):
    """A command line that is incomplete or inconsistent (exit status 2, like argparse)."""
