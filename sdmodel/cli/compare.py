"""``sdmodel compare MODEL --scenarios FILE [--baseline NAME] [--out DIR]``.

Runs every scenario of a TOML file, prints the metrics table and writes ``comparison.png``,
``comparison.nc`` and ``metrics.csv`` into DIR. The metrics are the file's ``[metrics.<name>]``
specs (see :mod:`sdmodel.metrics`), else those the model registered, else the final value of
each variable that changes; the figure draws the metrics' variables. The three files are
written into a hidden staging folder inside DIR first and moved into place only when all of
them exist, so a failure leaves no partial output (a DIR created by the command is removed
again). Every scenario is checked against the model (names, values and the model's registered
constraints) before anything runs; a comparison in which no metric can be computed is refused.

Examples
--------
$ sdmodel compare tests/data/fishery.mdl --scenarios tests/data/fishery_scenarios.toml --out out
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

from ..exceptions import AnalysisError, OutputError, ScenarioError, suggest
from .._progress import step
from ._common import say, show_progress

#: The files written into the output folder.
OUTPUTS = ("comparison.png", "comparison.nc", "metrics.csv")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compare",
        help="run a scenario file, print the metrics table, write figure, netCDF and CSV",
    )
    p.add_argument("model", help="model file (.mdl, .xmile, .stmx)")
    p.add_argument("--scenarios", required=True, metavar="FILE", help="scenario file (TOML)")
    p.add_argument(
        "--baseline", default=None, metavar="NAME",
        help="scenario to compare with (default: the file's 'baseline', else its first scenario)",
    )
    p.add_argument("-o", "--out", default="out", metavar="DIR", help="output folder (default: out)")
    p.add_argument("--final-time", type=float, default=None, help="simulation end time")
    p.add_argument(
        "--metric", action="append", default=None, metavar="NAME",
        help="report only this metric of the scenario file (repeatable; default: all of them)",
    )
    p.set_defaults(func=compare_command)


def compare_command(args: argparse.Namespace) -> int:
    import sdmodel as sd

    out = Path(args.out)
    scenarios = sd.load_scenarios(args.scenarios)
    baseline = args.baseline or scenarios.baseline or next(iter(scenarios))
    if baseline not in scenarios:
        raise ScenarioError(
            f"--baseline {baseline!r} is not among the scenarios of {args.scenarios!r}: "
            f"{list(scenarios)}.{suggest(baseline, scenarios)}"
        )
    progress = show_progress(args)
    model = sd.load(args.model, progress=progress)
    sd.scenarios.validate_scenarios(model, scenarios)
    created = _prepare_dir(out)
    try:
        ds = sd.run_scenarios(
            model, scenarios, final_time=args.final_time,
            progress=progress,
        )
        specs = _chosen_metrics(scenarios, args.metric) or sd.metrics.defaults_for(ds)
        table = sd.metrics.compare(ds, baseline=baseline, metrics=specs)
        if table.sizes["metric"] == 0:
            reasons = "; ".join(f"{m}: {why}" for m, why in table.attrs["omitted"].items())
            raise AnalysisError(f"no metric could be computed ({reasons or 'none declared'})")
        panels = _panels(ds, specs)
        fig = sd.plot.compare(ds, baseline=baseline, variables=panels,
                              title=f"{model.name}: {len(scenarios)} scenarios (baseline {baseline!r})")
        with step(f"writing {out}", progress=progress):
            paths = _write_all(out, ds, table, fig)
    except BaseException:
        if created is not None:
            shutil.rmtree(created, ignore_errors=True)
        raise
    say(f"{model.name}: {len(scenarios)} scenarios from {args.scenarios}, baseline {baseline!r}")
    print(sd.metrics.format_table(table))
    for path in paths:
        say(f"wrote {path}")
    return 0


def _chosen_metrics(scenarios, names: list[str] | None) -> list:
    """The file's metric specs, or those of ``names`` among them."""
    declared = scenarios.metrics
    if names is None:
        return list(declared.values())
    for name in names:
        if name not in declared:
            raise ScenarioError(
                f"--metric {name!r} is not a metric of {str(scenarios.source)!r}; it declares "
                f"{sorted(declared) or 'none'}.{suggest(name, declared)}"
            )
    return [declared[name] for name in names]


def _panels(ds, specs) -> list[str] | None:
    """The figure's variables: the model's registered panels, else the metrics' variables."""
    import sdmodel as sd

    if sd.plot.defaults_for(ds).panels:
        return None
    drawn = [s.variable for s in specs
             if s.variable in ds and set(ds[s.variable].dims) == {"scenario", "time"}]
    return list(dict.fromkeys(drawn)) or None


def _prepare_dir(out: Path) -> Path | None:
    """Make sure ``out`` is a writable folder.

    Returns the topmost folder this call created (``out`` or one of its parents), to be removed
    if the command fails, or None when ``out`` existed.
    """
    if out.exists() and not out.is_dir():
        raise OutputError(f"output folder {str(out)!r} exists and is not a folder")
    created = None
    if not out.exists():
        created = out.absolute()
        while not created.parent.exists():
            created = created.parent
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".sdmodel-probe.", dir=out)
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        if created is not None and created.is_dir():
            shutil.rmtree(created, ignore_errors=True)
        raise OutputError(f"cannot write into output folder {str(out)!r}: {err}") from err
    return created


def _write_all(out: Path, ds, table, fig) -> list[Path]:
    """Write every output into one staging folder, then publish them together."""
    import sdmodel as sd
    from .._atomic import staged_outputs

    with staged_outputs(out) as stage:
        try:
            fig.savefig(stage.path(OUTPUTS[0]), dpi=150)
        except (OSError, ValueError) as err:
            raise OutputError(f"cannot write {str(out / OUTPUTS[0])!r}: {err}") from err
        sd.save(ds, stage.path(OUTPUTS[1]))
        sd.metrics.write_csv(table, stage.path(OUTPUTS[2]))
    return [out / name for name in OUTPUTS]
