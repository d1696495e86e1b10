"""``sdmodel window MODEL --scenarios FILE --start-years ... --shares ... [--out DIR]``.

Sweeps reinvestment start years and shares against the baseline scenario (one batch call),
prints the gain table and, with ``--threshold``, the latest viable start year per share, and
writes ``window.nc`` (the sweep) and ``window.png`` (the heatmap) into DIR. Both files are
written to temporary names in DIR and moved into place only when both exist.

Examples
--------
$ sdmodel window models/perez/perez.mdl --scenarios models/perez/scenarios.toml \\
      --start-years 2003:2030:1 --shares 0.2 0.4 0.6 --threshold 500 --out out
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from ..exceptions import AnalysisError, OutputError

#: The files written into the output folder.
OUTPUTS = ("window.nc", "window.png")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "window",
        help="sweep reinvestment start years and shares: gain over the baseline, heatmap",
    )
    p.add_argument("model", help="model file (.mdl, .xmile, .stmx)")
    p.add_argument("--scenarios", default=None, metavar="FILE",
                   help="scenario file (TOML; default: scenarios.toml beside the model)")
    p.add_argument("--baseline", default=None, metavar="NAME",
                   help="baseline scenario (default: the file's 'baseline', else 'squander')")
    p.add_argument("--start-years", nargs="+", required=True, metavar="YEAR",
                   help="start years: numbers and/or inclusive ranges FIRST:LAST[:STEP]")
    p.add_argument("--shares", nargs="+", required=True, metavar="SHARE",
                   help="reinvestment shares: numbers and/or inclusive ranges FIRST:LAST:STEP")
    p.add_argument("--metric", default="gdp_per_capita", help="variable compared (default: gdp_per_capita)")
    p.add_argument("--year", type=float, default=2040, help="year compared (default: 2040)")
    p.add_argument("--threshold", type=float, default=None,
                   help="smallest worthwhile gain: report the latest viable start per share")
    p.add_argument("--boom", type=float, nargs=2, default=[2003, 2014], metavar=("FIRST", "LAST"),
                   help="boom years marked on the figure (default: 2003 2014)")
    p.add_argument("--out", default="out", metavar="DIR", help="output folder (default: out)")
    p.set_defaults(func=window_command)


def parse_values(tokens: list[str], what: str) -> list[float]:
    """Numbers and inclusive ranges ``FIRST:LAST[:STEP]`` (step 1 by default).

    Examples
    --------
    >>> parse_values(["2003:2006", "2010"], "--start-years")
    [2003.0, 2004.0, 2005.0, 2006.0, 2010.0]
    """
    values: list[float] = []
    for token in tokens:
        parts = token.split(":")
        try:
            numbers = [float(p) for p in parts]
        except ValueError:
            raise AnalysisError(f"{what}: {token!r} is not a number or a range FIRST:LAST[:STEP]") from None
        if len(numbers) == 1:
            values.append(numbers[0])
            continue
        if len(numbers) not in (2, 3):
            raise AnalysisError(f"{what}: {token!r} is not a range FIRST:LAST[:STEP]")
        first, last, step = numbers[0], numbers[1], numbers[2] if len(numbers) == 3 else 1.0
        if step <= 0 or last < first:
            raise AnalysisError(f"{what}: range {token!r} needs FIRST <= LAST and a positive STEP")
        count = int(np.floor((last - first) / step + 1e-9)) + 1
        values.extend(float(v) for v in np.round(first + step * np.arange(count), 12))
    return values


def window_command(args: argparse.Namespace) -> int:
    import sdmodel as sd
    from sdmodel.analysis.window import resolve_scenarios

    starts = parse_values(args.start_years, "--start-years")
    shares = parse_values(args.shares, "--shares")
    model = sd.load(args.model)
    scenarios = resolve_scenarios(model, args.scenarios)
    baseline = args.baseline or getattr(scenarios, "baseline", None) or "squander"
    sweep = sd.analysis.window_sweep(model, starts, shares, metric=args.metric, year=args.year,
                                     baseline=baseline, scenarios=scenarios)
    latest = None if args.threshold is None else sd.analysis.latest_viable_start(sweep, args.threshold)
    fig = sd.plot.window(sweep, boom=tuple(args.boom), threshold=args.threshold)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise OutputError(f"output folder {str(out)!r} exists and is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"cannot create output folder {str(out)!r}: {err}") from err
    paths = _write(out, sweep, latest, fig)
    units = sweep.attrs.get("units", "")
    print(f"{model.name}: {sweep.attrs['long_name']} ({units})")
    print(sweep.to_pandas().to_string(float_format=lambda v: f"{v:.4g}"))
    if latest is not None:
        print()
        print(f"latest start year with a gain of at least {args.threshold:g} {units}:")
        for share, year in zip(latest["share"].values, latest.values):
            print(f"  share {share:g}: {'none' if np.isnan(year) else f'{year:g}'}")
    print()
    for path in paths:
        print(f"wrote {path}")
    return 0


def _write(out: Path, sweep, latest, fig) -> list[Path]:
    """Write the sweep (and latest starts) and the figure, published together into ``out``."""
    import xarray as xr

    from .._atomic import staged_outputs

    ds = xr.Dataset({"gain": sweep})
    if latest is not None:
        ds["latest_viable_start"] = latest
    with staged_outputs(out) as stage:
        try:
            ds.to_netcdf(stage.path(OUTPUTS[0]))
            fig.savefig(stage.path(OUTPUTS[1]), dpi=150, format="png")
        except (OSError, ValueError) as err:
            raise OutputError(f"cannot write into {str(out)!r}: {err}") from err
    return [out / name for name in OUTPUTS]
