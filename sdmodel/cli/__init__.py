"""The ``sdmodel`` command line.

Each sub-command lives in its own module of this package, exposing ``register(subparsers)``
(adds its parser and sets ``func``) and is listed in :data:`COMMANDS`.

Examples
--------
$ sdmodel run models/validation/nelson_phelps.mdl --set catch_up_rate=0.2 --out out/np.nc
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from ..exceptions import SDModelError
from ._common import EXIT_REFUSED, EXIT_USAGE, UsageError

#: Sub-command modules, in the order ``sdmodel --help`` lists them.
COMMANDS = ["run", "compare", "check-units", "calibrate", "window", "explore"]


def build_parser() -> argparse.ArgumentParser:
    """The top-level argument parser with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="sdmodel",
        description="System-dynamics models for resource-based development (PySD-compiled).",
    )
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"sdmodel {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name.replace('-', '_')}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``sdmodel`` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
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
