"""``sdmodel calibrate CONFIG [--out DIR] [--data-dir DIR]``: run a calibration config.

Examples
--------
$ sdmodel calibrate calibration/chile.toml --out out/chile
"""

from __future__ import annotations

import argparse

from ._common import say, show_progress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("calibrate", help="fit a model to country data as a TOML config says")
    p.add_argument("config", help="calibration config (.toml)")
    p.add_argument("-o", "--out", default=None, metavar="DIR",
                   help="output directory (default: <config dir>/out/<config name>)")
    p.add_argument("--data-dir", default=None, metavar="DIR",
                   help="country data directory (default: the config's, $SDMODEL_DATA, cache)")
    p.set_defaults(func=calibrate_command)


def calibrate_command(args: argparse.Namespace) -> int:
    from ..calibration.config import load_config, run_config

    cfg = load_config(args.config)
    result, paths = run_config(cfg, out_dir=args.out, data_dir=args.data_dir,
                               progress=show_progress(args))
    print(result.report())
    for kind, path in paths.items():
        say(f"wrote {kind}: {path}")
    return 1 if result.interrupted else 0
