"""The ``sdmodel`` command line.

Each sub-command lives in its own module of this package, exposing ``register(subparsers)``
(adds its parser and sets ``func``) and is listed in :data:`COMMANDS`. Sub-command modules
import the library only inside their command functions, so ``sdmodel --help`` and
``sdmodel --version`` stay fast.

Results go to standard output; messages and progress bars to standard error. Exit status 0 on
success, 1 when the library refuses the input (a typed error of :mod:`sdmodel.exceptions`), 2
for a command line that cannot be acted on.

Examples
--------
$ sdmodel run models/validation/nelson_phelps.mdl --set catch_up_rate=0.2 -o out/np.csv
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from .._version import __version__
from ..exceptions import SDModelError
from ._common import EXIT_REFUSED, EXIT_USAGE, UsageError, logging_to_stderr

#: Sub-command modules, in the order ``sdmodel --help`` lists them.
COMMANDS = ["run", "compare", "check-units", "calibrate", "window", "backtest", "explore"]


def _add_verbosity(parser: argparse.ArgumentParser, *, default: object) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", action="store_true", default=default,
                       help="print only results and errors (no messages, no progress bars)")
    group.add_argument("-v", "--verbose", action="count", default=default,
                       help="also print debug messages")
    parser.add_argument("--no-progress", action="store_true", default=default,
                        help="no progress bars (they are shown only when stderr is a terminal)")


def build_parser() -> argparse.ArgumentParser:
    """The top-level argument parser with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="sdmodel",
        description="System-dynamics models for resource-based development (PySD-compiled).",
    )
    parser.add_argument("--version", action="version", version=f"sdmodel {__version__}")
    _add_verbosity(parser, default=None)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name.replace('-', '_')}").register(sub)
    for command in sub.choices.values():  # `sdmodel run -q ...` as well as `sdmodel -q run ...`
        _add_verbosity(command, default=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``sdmodel`` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    args.no_progress = bool(args.no_progress)
    try:
        with logging_to_stderr(quiet=bool(args.quiet), verbose=int(args.verbose or 0)):
            return int(args.func(args) or 0)
    except UsageError as err:
        print(f"sdmodel {args.command}: usage error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except SDModelError as err:
        print(f"sdmodel {args.command}: error: {type(err).__name__}: {err}", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        print(f"sdmodel {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into a reader that stopped (e.g. `| head`)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
