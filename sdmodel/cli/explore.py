"""``sdmodel explore MODEL [--scenarios FILE] [--port P] [--open]``: the browser explorer.

Serves a local web application (bound to 127.0.0.1) with a slider for every lever of the
model, its scenario presets, the charts of chosen outputs against the baseline, uncertainty
bands from a few hundred runs and the window-of-opportunity heat map (see
:mod:`sdmodel.explorer`). Everything it loads ships in the installed packages: it works offline.
Needs the ``explorer`` extra (``pip install 'sdmodel[explorer]'``).

Examples
--------
$ sdmodel explore models/perez/perez.mdl --open
$ sdmodel explore tests/data/fishery.mdl --scenarios tests/data/fishery_scenarios.toml --port 8800
"""

from __future__ import annotations

import argparse

from ._common import UsageError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("explore", help="serve an interactive explorer of a model in the browser")
    p.add_argument("model", help="model file (.mdl, .xmile, .stmx)")
    p.add_argument("--scenarios", default=None, metavar="FILE",
                   help="scenario file (TOML; default: scenarios.toml beside the model)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765; 0: a free port)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1; others need --allow-remote)")
    p.add_argument("--allow-remote", action="store_true",
                   help="allow a --host other than the loopback address")
    p.add_argument("--band-runs", type=int, default=200, metavar="N",
                   help="runs of the uncertainty bands (default 200)")
    p.add_argument("--open", action="store_true", help="open the page in the web browser")
    p.set_defaults(func=explore_command)


def explore_command(args: argparse.Namespace) -> int:
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port} is not a port number (0 to 65535)")
    try:
        from ..explorer import Explorer, serve
    except ImportError as err:
        raise UsageError(
            f"the explorer needs the 'explorer' extra ({err.name} is missing): "
            "pip install 'sdmodel[explorer]'") from None
    explorer = Explorer.from_path(args.model, args.scenarios, band_runs=args.band_runs)
    print(f"sdmodel explore: compiling {explorer.model.name} for the batch engine ...", flush=True)
    explorer.warm_up()

    def ready(url: str) -> None:
        print(f"sdmodel explore: serving {explorer.model.name} at {url}/ (Ctrl-C stops)",
              flush=True)
        if args.open:
            import threading
            import webbrowser

            threading.Timer(1.0, webbrowser.open, args=(url + "/",)).start()

    serve(explorer, host=args.host, port=args.port, allow_remote=args.allow_remote,
          on_ready=ready)
    return 0
