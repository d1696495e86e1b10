"""``sdmodel window MODEL [--scenarios FILE] --start-lever NAME --share-lever NAME --metric NAME
--start-years ... --shares ... [--out DIR]``.

Sweeps two levers of a model — the start time of a policy and its share — against the baseline
scenario (one batch call), prints the gain table and, with ``--threshold``, the latest viable
start per share, and writes ``window.nc`` (the sweep) and ``window.png`` (the heatmap) into DIR.
Options not given are read from the scenario file's ``[window]`` table. ``--metric`` names a
metric of the file (``[metrics.<name>]``) or a model variable (compared at ``--year``, else at
the end of the run). Both files are written to temporary names in DIR and moved into place only
when both exist.

Examples
--------
$ sdmodel window tests/data/fishery.mdl --scenarios tests/data/fishery_scenarios.toml \\
      --start-lever quota_start_time --share-lever quota_reduction --metric fish_trough \\
      --start-years 0:60:5 --shares 0.1:0.5:0.1 --threshold 50 --out out
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..exceptions import LimitError, OutputError
from ..limits import max_runs
from .._progress import step
from ._common import UsageError, say, show_progress

#: The files written into the output folder.
OUTPUTS = ("window.nc", "window.png")

#: Options that may come from the scenario file's [window] table: (option, key).
_FROM_FILE = (("start_lever", "start_lever"), ("share_lever", "share_lever"),
              ("metric", "metric"), ("year", "year"), ("baseline", "baseline"),
              ("threshold", "threshold"))


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "window",
        help="sweep a policy's start time and share: gain over the baseline, heatmap",
    )
    p.add_argument("model", help="model file (.mdl, .xmile, .stmx)")
    p.add_argument("--scenarios", default=None, metavar="FILE",
                   help="scenario file (TOML; default: scenarios.toml beside the model)")
    p.add_argument("--baseline", default=None, metavar="NAME",
                   help="baseline scenario (default: [window] or the file's 'baseline', else "
                        "the model's defaults)")
    p.add_argument("--start-lever", default=None, metavar="NAME",
                   help="constant holding the policy's start time (default: [window] start_lever)")
    p.add_argument("--share-lever", default=None, metavar="NAME",
                   help="constant holding the policy's share (default: [window] share_lever)")
    p.add_argument("--start-years", nargs="+", default=None, metavar="YEAR",
                   help="start times: numbers and/or inclusive ranges FIRST:LAST[:STEP]")
    p.add_argument("--shares", nargs="+", default=None, metavar="SHARE",
                   help="shares: numbers and/or inclusive ranges FIRST:LAST:STEP")
    p.add_argument("--metric", default=None, metavar="NAME",
                   help="metric of the scenario file, or a model variable (default: [window] metric)")
    p.add_argument("--year", type=float, default=None,
                   help="time at which a variable given as --metric is compared (default: the end)")
    p.add_argument("--threshold", type=float, default=None,
                   help="smallest worthwhile gain: report the latest viable start per share")
    p.add_argument("-o", "--out", default="out", metavar="DIR", help="output folder (default: out)")
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
            raise UsageError(f"{what}: {token!r} is not a number or a range FIRST:LAST[:STEP]") from None
        if len(numbers) == 1:
            values.append(numbers[0])
            continue
        if len(numbers) not in (2, 3):
            raise UsageError(f"{what}: {token!r} is not a range FIRST:LAST[:STEP]")
        first, last, step = numbers[0], numbers[1], numbers[2] if len(numbers) == 3 else 1.0
        if step <= 0 or last < first:
            raise UsageError(f"{what}: range {token!r} needs FIRST <= LAST and a positive STEP")
        import numpy as np

        count = (last - first) / step
        if not np.isfinite(count) or count >= max_runs():
            raise LimitError(f"{what}: range {token!r} gives {count + 1:.3g} values, over the "
                             f"limit of {max_runs()} runs (set SDMODEL_MAX_RUNS to raise it)")
        count = int(np.floor(count + 1e-9)) + 1
        values.extend(float(v) for v in np.round(first + step * np.arange(count), 12))
    return values


def _settings(args: argparse.Namespace, scenarios) -> dict:
    """Command-line options, completed from the scenario file's ``[window]`` table."""
    table = dict(getattr(scenarios, "window", None) or {})
    settings = {opt: getattr(args, opt) if getattr(args, opt) is not None else table.get(key)
                for opt, key in _FROM_FILE}
    settings["start_years"] = (parse_values(args.start_years, "--start-years")
                               if args.start_years is not None else table.get("start_years"))
    settings["shares"] = (parse_values(args.shares, "--shares")
                          if args.shares is not None else table.get("shares"))
    missing = [f"--{opt.replace('_', '-')}" for opt in ("start_lever", "share_lever", "metric",
                                                         "start_years", "shares")
               if settings[opt] is None]
    if missing:
        raise UsageError(
            f"the window sweep needs {', '.join(missing)}: give them on the command line or in "
            "the scenario file's [window] table"
        )
    return settings


def window_command(args: argparse.Namespace) -> int:
    import sdmodel as sd
    from sdmodel.analysis.window import resolve_scenarios

    progress = show_progress(args)
    model = sd.load(args.model, progress=progress)
    scenarios = resolve_scenarios(model, args.scenarios)
    opts = _settings(args, scenarios)
    sweep = sd.analysis.window_sweep(
        model, opts["start_years"], opts["shares"], start_lever=opts["start_lever"],
        share_lever=opts["share_lever"], metric=opts["metric"], year=opts["year"],
        baseline=opts["baseline"], scenarios=scenarios,
    )
    threshold = opts["threshold"]
    latest = None if threshold is None else sd.analysis.latest_viable_start(sweep, threshold)
    fig = sd.plot.window(sweep, periods=sd.plot.defaults_for(model).periods, threshold=threshold)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise OutputError(f"output folder {str(out)!r} exists and is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"cannot create output folder {str(out)!r}: {err}") from err
    with step(f"writing {out}", progress=progress):
        paths = _write(out, sweep, latest, fig)
    units = sweep.attrs.get("units", "")
    print(f"{model.name}: {sweep.attrs['long_name']} ({units})")
    print(sweep.to_pandas().to_string(float_format=lambda v: f"{v:.4g}"))
    if latest is not None:
        print()
        print(f"latest start with a gain of at least {threshold:g} {units}:")
        for share, year in zip(latest["share"].values, latest.values):
            print(f"  share {share:g}: {'none' if year != year else f'{year:g}'}")
    for path in paths:
        say(f"wrote {path}")
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
