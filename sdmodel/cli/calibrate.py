"""``sdmodel calibrate CONFIG [--out DIR] [--data-dir DIR] [--leave-one-out]``: run a
calibration config: a single country (least squares / global optimisers), a panel config
(``[panel]``, several countries at once, see :mod:`sdmodel.calibration.panel_config`) or a
Bayesian config (``[bayes]``, posterior sampling, see :mod:`sdmodel.calibration.bayes_config`).

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
    p.add_argument("--leave-one-out", action="store_true",
                   help="panel configs: also predict each country from the others (loo.csv)")
    p.set_defaults(func=calibrate_command)


def calibrate_command(args: argparse.Namespace) -> int:
    from ..calibration.bayes_config import is_bayes_config, load_bayes_config, run_bayes_config
    from ..calibration.config import load_config, run_config
    from ..calibration.panel_config import is_panel_config, load_panel_config, run_panel_config

    if is_panel_config(args.config):
        fit, paths = run_panel_config(load_panel_config(args.config), out_dir=args.out,
                                      data_dir=args.data_dir, leave_one_out=args.leave_one_out)
        print(fit.report())
        for kind, path in paths.items():
            say(f"wrote {kind}: {path}")
        return 0
    if is_bayes_config(args.config):
        post, paths = run_bayes_config(load_bayes_config(args.config), out_dir=args.out,
                                       data_dir=args.data_dir, progress=show_progress(args))
        print(post.report())
        for kind, path in paths.items():
            say(f"wrote {kind}: {path}")
        return 0
    cfg = load_config(args.config)
    result, paths = run_config(cfg, out_dir=args.out, data_dir=args.data_dir,
                               progress=show_progress(args))
    print(result.report())
    for kind, path in paths.items():
        say(f"wrote {kind}: {path}")
    return 1 if result.interrupted else 0
