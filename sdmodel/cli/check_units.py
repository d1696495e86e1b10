"""``sdmodel check-units MODEL [--require-units] [--skip-unchecked] [--synonyms A,B,...]
[--lookup-input LOOKUP=UNITS]``.

Prints every unit problem of a model and exits with status 1 when there is any, 0 when the
units are consistent or the model or a unit string cannot be read (2 for a malformed command line).

Examples
--------
$ sdmodel check-units models/validation/nelson_phelps.mdl
nelson_phelps.mdl: units are consistent
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from ._common import UsageError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check-units", help="check that a model's equations agree with its units")
    p.add_argument("model", help="model file (.mdl, .xmile, .stmx)")
    p.add_argument("--require-units", action="store_true",
                   help="report variables with no declared units")
    p.add_argument("--skip-unchecked", action="store_true",
                   help="do not report constructs whose units cannot be determined")
    p.add_argument("--synonyms", action="append", metavar="A,B,...", default=[],
                   help="unit names meaning the same (repeatable), e.g. --synonyms Widget,Gadget")
    p.add_argument("--lookup-input", action="append", metavar="LOOKUP=UNITS", default=[],
                   help="units of a lookup's input (repeatable), e.g. --lookup-input "
                        "'price table=Year'; other lookups take dimensionless input")
    p.set_defaults(func=check_units_command)


def check_units_command(args: argparse.Namespace) -> int:
    from ..units import check_units

    lookup_inputs = {}
    for item in args.lookup_input:
        name, sep, units = item.partition("=")
        if not sep or not name.strip() or not units.strip():
            raise UsageError(f"--lookup-input {item!r}: expected LOOKUP=UNITS")
        lookup_inputs[name.strip()] = units.strip()
    problems = check_units(
        args.model,
        synonyms=[[name.strip() for name in group.split(",")] for group in args.synonyms],
        lookup_inputs=lookup_inputs,
        require_units=args.require_units,
        include_unchecked=not args.skip_unchecked,
    )
    name = Path(args.model).name
    if not problems:
        print(f"{name}: units are consistent")
        return 0
    for problem in problems:
        print(problem)
        print()
    kinds = Counter(problem.kind for problem in problems)
    summary = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items()))
    variables = len({problem.variable for problem in problems})
    print(f"{name}: {len(problems)} unit problem{'s' if len(problems) != 1 else ''} "
          f"in {variables} variable{'s' if variables != 1 else ''} ({summary})")
    return 1
