"""``sdmodel backtest CONFIG --split YEAR [--out DIR] [--data-dir DIR]``: out-of-sample check.

Fits the config up to the split year, predicts the later years and scores every series
against a random walk, a random walk with drift and a log-linear trend from the same data
(:mod:`sdmodel.calibration.backtest`); prints the table and writes ``backtest.csv``,
``backtest.json`` and ``backtest.png``.

Examples
--------
$ sdmodel backtest calibration/chile.toml --split 2009 --out out/chile-backtest
"""

from __future__ import annotations

import argparse

from ._common import UsageError, say, show_progress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("backtest", help="fit up to a split year, predict the rest, score "
                                        "against naive benchmarks")
    p.add_argument("config", help="calibration config (.toml)")
    p.add_argument("--split", required=True, metavar="YEAR",
                   help="last year of the fit window (the later years are predicted)")
    p.add_argument("-o", "--out", default=None, metavar="DIR",
                   help="output directory (default: <config dir>/out/<name>-backtest-<YEAR>)")
    p.add_argument("--data-dir", default=None, metavar="DIR",
                   help="country data directory (default: the config's, $SDMODEL_DATA, cache)")
    p.set_defaults(func=backtest_command)


def backtest_command(args: argparse.Namespace) -> int:
    from ..calibration.backtest import backtest_config, write_backtest
    from ..calibration.config import load_config

    try:
        split = float(args.split)
    except ValueError:
        raise UsageError(f"--split {args.split!r} is not a year") from None
    if not split.is_integer():
        raise UsageError(f"--split {args.split!r} is not a whole year")
    cfg = load_config(args.config)
    bt = backtest_config(cfg, split, data_dir=args.data_dir,
                         progress=show_progress(args))
    out = args.out or cfg.path.parent / "out" / f"{cfg.name}-backtest-{int(split)}"
    paths = write_backtest(bt, out)
    print(bt.table())
    for kind, path in paths.items():
        say(f"wrote {kind}: {path}")
    return 0
