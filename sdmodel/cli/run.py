"""``sdmodel run MODEL [--set NAME=VALUE ...] [--final-time T] [--return-columns A,B] [-o FILE]``.

Prints the final values of the stocks (or of the ``--return-columns``) on standard output and
writes the run to ``FILE`` in the format its extension names: ``.nc`` (netCDF), ``.csv`` (wide,
like PySD's) or ``.zarr`` (see :func:`sdmodel.save`).
"""

from __future__ import annotations

import argparse

from .._progress import step
from ._common import UsageError, say, show_progress


def parse_assignments(items: list[str] | None) -> dict[str, float]:
    """Parse ``NAME=VALUE`` strings into a parameter mapping.

    Examples
    --------
    >>> parse_assignments(["catch_up_rate=0.2"])
    {'catch_up_rate': 0.2}
    """
    params: dict[str, float] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--set {item!r}: expected NAME=VALUE")
        try:
            params[name.strip()] = float(value)
        except ValueError:
            raise UsageError(
                f"--set {item!r}: the value {value!r} is not a number"
            ) from None
    return params


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run a model and print the final values of its stocks")
    p.add_argument("model", help="model file (.mdl, .xmile, .stmx)")
    p.add_argument("--set", action="append", metavar="NAME=VALUE", help="override a constant")
    p.add_argument("--final-time", type=float, default=None, help="simulation end time")
    p.add_argument("--return-columns", default=None, metavar="A,B,...",
                   help="variables to return (comma-separated; default: all), as PySD's "
                        "return_columns")
    p.add_argument("-o", "--out", default=None, metavar="FILE",
                   help="write the run: .nc (netCDF), .csv (wide, like PySD's) or .zarr")
    p.set_defaults(func=run_command)


def parse_columns(text: str | None) -> list[str] | None:
    """``"a,b"`` -> ``["a", "b"]`` (None when not given).

    Examples
    --------
    >>> parse_columns("Stock A, flow b")
    ['Stock A', 'flow b']
    """
    if text is None:
        return None
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise UsageError(f"--return-columns {text!r}: expected one or more names separated by commas")
    return names


def run_command(args: argparse.Namespace) -> int:
    import sdmodel as sd
    from sdmodel.results import output_format

    if args.out:
        output_format(args.out)  # refuse an unknown extension before the run
    columns = parse_columns(args.return_columns)
    progress = show_progress(args)
    model = sd.load(args.model, progress=progress)
    ds = model.run(parse_assignments(args.set), final_time=args.final_time, return_vars=columns)
    say(f"{model.name}: {ds.sizes['time']} saved times, "
        f"{ds['time'].values[0]:g} to {ds['time'].values[-1]:g} {ds['time'].attrs['units']}")
    if columns is None:
        shown = [py for py in model.doc.index[model.doc["subtype"] == "Integ"] if py in ds]
        print("Final values of the stocks:")
    else:
        shown = list(ds.data_vars)
        print("Final values:")
    width = max((len(s) for s in shown), default=0)
    for py in shown:
        final = ds[py].isel(time=-1)
        value = f"{float(final):.6g}" if final.ndim == 0 else str(final.values.round(6).tolist())
        print(f"  {py:<{width}}  {value} {ds[py].attrs['units']}")
    if args.out:
        with step(f"writing {args.out}", progress=progress):
            path = sd.save(ds, args.out)
        say(f"wrote {path}")
    return 0
