"""``sdmodel run MODEL [--set NAME=VALUE ...] [--final-time T] [--out FILE.nc]``."""

from __future__ import annotations

import argparse

from ._common import UsageError


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
    p.add_argument("--out", default=None, metavar="FILE.nc", help="write the Dataset (netCDF)")
    p.set_defaults(func=run_command)


def run_command(args: argparse.Namespace) -> int:
    import sdmodel as sd

    model = sd.load(args.model)
    ds = model.run(parse_assignments(args.set), final_time=args.final_time)
    stocks = model.doc.index[model.doc["subtype"] == "Integ"]
    print(f"{model.name}: {ds.sizes['time']} saved times, "
          f"{ds['time'].values[0]:g} to {ds['time'].values[-1]:g} {ds['time'].attrs['units']}")
    print("Final values of the stocks:")
    width = max((len(s) for s in stocks), default=0)
    for py in stocks:
        if py not in ds:
            continue
        final = ds[py].isel(time=-1)
        value = f"{float(final):.6g}" if final.ndim == 0 else str(final.values.round(6).tolist())
        print(f"  {py:<{width}}  {value} {ds[py].attrs['units']}")
    if args.out:
        path = sd.save(ds, args.out)
        print(f"wrote {path}")
    return 0
