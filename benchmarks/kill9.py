"""kill -9 at random moments of ``sdmodel compare``, ``sdmodel calibrate``, ``sd.save`` and an
ensemble: outputs are complete or absent, and the next run leaves no leftovers.

For each target the script first runs it normally into an output folder (the *previous set*),
then ``KILLS`` times: starts it again (with different inputs, so new outputs differ from the
old), sends ``SIGKILL`` at a random moment, and inspects the folder. Every output must be the
previous one (same inode, size and modification time: *nothing new*) or every output must be
new and readable (*the new complete set*); anything else is a *partial set*. Then it runs the
target normally once more; after that run the folder must hold the new complete set and no
staging folder or temporary file (``.sdmodel-*``), and the translation cache no staging folder.

Half of the kills fall uniformly over a normal run's duration; the other half land while the
outputs are written: the script waits until a staging folder or temporary file appears in the
output folder, then kills after a random part of the measured writing time.

Not a CI test (about 160 process starts); ``tests/test_kill9.py`` runs a few kills per target.

Usage::

    .venv/bin/python benchmarks/kill9.py [--kills 20] [--seed 9] [--targets compare save ...]
        [--docs docs/safety.md]

With ``--docs`` the figures replace the kill -9 section of that file.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SDMODEL_SHARED", REPO.parent / "shared"))
PYTHON = sys.executable
SDMODEL = [str(Path(PYTHON).parent / "sdmodel")]
FISHERY = REPO / "tests" / "data" / "fishery.mdl"
SCENARIOS = REPO / "tests" / "data" / "fishery_scenarios.toml"
NELSON_PHELPS = REPO / "models" / "validation" / "nelson_phelps.mdl"
HIDDEN = (".sdmodel-", ".staging")
START, END = "<!-- kill9:start -->", "<!-- kill9:end -->"

CONFIG = """\
name = "kor"
[model]
path = "{model}"
initial_time = 1990
final_time = {final}
[data]
country = "KOR"
start = 1990
end = 2019
dir = "{data}"
[[series]]
source = "pwt"
code = "ctfp"
variable = "technological_capability"
index_year = 1990
[params]
catch_up_rate = {{ value = 0.3, min = 0.0, max = 1.0 }}
initial_frontier = {{ value = 1.0, min = 0.1, max = 3.0 }}
frontier_growth_rate = {{ value = 0.0, vary = false }}
[calibration]
method = "least_squares"
"""

SAVE = """\
import sys
import numpy as np, xarray as xr
import sdmodel as sd
out, variant = sys.argv[1], int(sys.argv[2])
data = np.random.default_rng(variant).random((1500, 2000))  # 24 MB
sd.save(xr.Dataset({"x": (("run", "time"), data)}), out + "/big.nc")
"""

ENSEMBLE = """\
import os, sys
import numpy as np
import sdmodel as sd
out, variant = sys.argv[1], int(sys.argv[2])
os.makedirs(out, exist_ok=True)
model = sd.load(sys.argv[3])
samples = {"catch_up_rate": np.linspace(0.05, 0.3, 5000) + 1e-4 * variant}
sd.ensemble(model, samples, store=out + "/runs.zarr", overwrite=True, chunk_size=500)
"""


@dataclass
class Target:
    """A command writing a fixed set of outputs into a folder; ``variant`` changes its inputs."""

    name: str
    outputs: tuple[str, ...]

    def argv(self, out: Path, variant: int, work: Path) -> list[str]:
        if self.name == "compare":
            return SDMODEL + ["compare", str(FISHERY), "--scenarios", str(SCENARIOS), "--out",
                              str(out), "--no-progress", "--final-time", str(60 + 20 * variant)]
        if self.name == "calibrate":
            cfg = work / f"kor{variant}.toml"
            if not cfg.exists():
                cfg.write_text(CONFIG.format(model=NELSON_PHELPS, data=SHARED / "data",
                                             final=2019 - variant))
            return SDMODEL + ["calibrate", str(cfg), "--out", str(out), "--no-progress"]
        if self.name == "save":
            return [PYTHON, "-c", SAVE, str(out), str(variant)]
        return [PYTHON, "-c", ENSEMBLE, str(out), str(variant), str(NELSON_PHELPS)]


TARGETS = {
    "compare": Target("compare", ("comparison.png", "comparison.nc", "metrics.csv")),
    "calibrate": Target("calibrate", ("params.json", "fit.json", "report.txt", "fit.nc",
                                      "fit.png")),
    "save": Target("save", ("big.nc",)),
    "ensemble": Target("ensemble", ("runs.zarr",)),
}


@dataclass
class Tally:
    """What the kills of one target left."""

    target: str
    kills: int = 0
    exited_first: int = 0  # the run had finished before the kill arrived
    previous_set: int = 0
    new_set: int = 0
    partial: int = 0
    leftovers_after_kill: int = 0  # kills after which a staging folder or temp file remained
    leftovers_after_next: int = 0  # staging folders or temp files after the next normal run
    incomplete_next: int = 0  # next normal runs that did not publish a complete readable set
    notes: list[str] = field(default_factory=list)


def _env(work: Path) -> dict[str, str]:
    env = dict(os.environ, SDMODEL_CACHE_DIR=str(work / "cache"), SDMODEL_OFFLINE="1",
               MPLBACKEND="Agg", PYTHONPATH=str(REPO))
    env.pop("SDMODEL_MAX_RUNS", None)
    return env


def _snapshot(out: Path, names) -> dict[str, tuple[int, int, int] | None]:
    state = {}
    for name in names:
        try:
            st = (out / name).lstat()
            state[name] = (st.st_ino, st.st_size, st.st_mtime_ns)
        except FileNotFoundError:
            state[name] = None
    return state


def _hidden(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return [p for p in folder.iterdir() if p.name.startswith(HIDDEN)]


def _leftovers(out: Path, work: Path) -> list[Path]:
    return _hidden(out) + _hidden(work / "cache")


def _readable(path: Path) -> bool:
    """The output parses as what its name says."""
    import xarray as xr

    try:
        if path.suffix == ".nc":
            with xr.open_dataset(path) as ds:
                ds.load()
        elif path.suffix == ".zarr":
            with xr.open_zarr(path, consolidated=False) as ds:
                ds.load()
        elif path.suffix == ".png":
            data = path.read_bytes()
            return data.startswith(b"\x89PNG\r\n\x1a\n") and data.endswith(b"IEND\xaeB`\x82")
        elif path.suffix == ".json":
            json.loads(path.read_text())
        elif path.suffix == ".csv":
            return len(path.read_text().splitlines()) > 1
        else:
            return path.stat().st_size > 0
    except Exception:  # noqa: BLE001 - any failure to read is what is being detected
        return False
    return True


def _complete(out: Path, names) -> bool:
    return all((out / n).exists() and _readable(out / n) for n in names)


def _run(target: Target, out: Path, variant: int, work: Path) -> tuple[float, float | None]:
    """A normal run; returns (duration, seconds from the first staging sighting to the end)."""
    start = time.perf_counter()
    proc = subprocess.Popen(target.argv(out, variant, work), env=_env(work),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen = None
    while proc.poll() is None:
        if seen is None and _hidden(out):
            seen = time.perf_counter()
        time.sleep(0.002)
    end = time.perf_counter()
    if proc.returncode != 0:
        raise RuntimeError(f"{target.name} failed: {proc.stderr.read().decode()[-2000:]}")
    proc.stderr.close()
    return end - start, (end - seen) if seen is not None else None


def _killed_run(target: Target, out: Path, variant: int, work: Path, rng: random.Random,
                mode: str, duration: float, writing: float) -> bool:
    """Start the target and SIGKILL it; returns False when it had finished first."""
    proc = subprocess.Popen(target.argv(out, variant, work), env=_env(work),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if mode == "uniform":
        deadline = time.perf_counter() + rng.uniform(0.0, duration)
        while proc.poll() is None and time.perf_counter() < deadline:
            time.sleep(0.001)
    else:  # while writing: after a staging folder or temp file appears (or, if none is
        # seen, near the end of a normal run's duration: the polling can miss a short write)
        late = time.perf_counter() + 0.95 * duration
        while proc.poll() is None and not _hidden(out) and time.perf_counter() < late:
            time.sleep(0.0005)
        deadline = time.perf_counter() + rng.uniform(0.0, writing)
        while proc.poll() is None and time.perf_counter() < deadline:
            time.sleep(0.0005)
    finished = proc.poll() is not None
    if not finished:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return not finished


def run_target(name: str, kills: int, seed: int, root: Path, *,
               modes: tuple[str, ...] = ("uniform", "writing")) -> Tally:
    """Run the kills of one target in ``root/name``; returns the tally.

    ``modes`` cycles through "uniform" (a random moment of a run) and "writing" (a random
    moment after a staging folder or temporary file appears).
    """
    target = TARGETS[name]
    work = root / name
    out = work / "out"
    work.mkdir(parents=True)
    rng = random.Random(f"{seed}-{name}")
    tally = Tally(name)
    duration, writing = _run(target, out, 0, work)  # translates into the cache
    if "uniform" in modes:  # the duration of a run with a warm cache
        duration, writing = _run(target, out, 1, work)
    writing = writing if writing is not None else duration * 0.1
    variant = 1 if "uniform" in modes else 0
    for i in range(kills):
        variant = 1 - variant
        before = _snapshot(out, target.outputs)
        mode = modes[i % len(modes)]
        tally.kills += 1
        if not _killed_run(target, out, variant, work, rng, mode, duration, writing):
            tally.exited_first += 1
            tally.notes.append(f"kill {i} ({mode}) came after the run had finished")
        after = _snapshot(out, target.outputs)
        if after == before:
            tally.previous_set += 1
        elif all(after[n] is not None and after[n] != before[n] for n in target.outputs) \
                and _complete(out, target.outputs):
            tally.new_set += 1
        else:
            tally.partial += 1
            changed = [n for n in target.outputs if after[n] != before[n]]
            tally.notes.append(f"kill {i} ({mode}): changed {changed} of {target.outputs}; "
                               f"hidden {[p.name for p in _hidden(out)]}")
        if _leftovers(out, work):
            tally.leftovers_after_kill += 1
        before = _snapshot(out, target.outputs)
        _run(target, out, 1 - variant, work)
        variant = 1 - variant
        after = _snapshot(out, target.outputs)
        left = _leftovers(out, work)
        tally.leftovers_after_next += len(left)
        if left:
            tally.notes.append(f"after the run following kill {i}: {[p.name for p in left]}")
        if not (all(after[n] != before[n] for n in target.outputs)
                and _complete(out, target.outputs)):
            tally.incomplete_next += 1
            tally.notes.append(f"the run after kill {i} did not publish a complete set")
    return tally


def markdown(tallies: list[Tally], kills: int, seed: int, seconds: float) -> str:
    lines = [
        START,
        "",
        "## kill -9 of multi-file outputs",
        "",
        f"Measured by `python benchmarks/kill9.py --kills {kills} --seed {seed}` "
        f"({seconds:.0f} s): each target is killed with SIGKILL {kills} times into a folder "
        "holding its previous complete set, half at a uniformly random moment of a run, half "
        "while its outputs are being written; then it is run normally once more.",
        "",
        "| target | kills | finished first | previous set kept | new complete set | partial "
        "set | kills leaving staging/temp files | leftovers after the next run | next run "
        "incomplete |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for t in tallies:
        lines.append(f"| {t.target} | {t.kills} | {t.exited_first} | {t.previous_set} | "
                     f"{t.new_set} | {t.partial} | {t.leftovers_after_kill} | "
                     f"{t.leftovers_after_next} | {t.incomplete_next} |")
    lines += ["", "Staging folders and temporary files a kill leaves are those of a writer that "
              "is gone; the next write into the same folder removes them (or, for a staging "
              "folder marked complete, finishes publishing it).", "", END]
    return "\n".join(lines) + "\n"


def write_section(docs: Path, section: str) -> None:
    text = docs.read_text() if docs.exists() else ""
    if START in text and END in text:
        text = text[: text.index(START)] + section + text[text.index(END) + len(END) + 1:]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    docs.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--targets", nargs="+", default=list(TARGETS), choices=list(TARGETS))
    parser.add_argument("--docs", default=None, help="replace the kill -9 section of this file")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    tallies = []
    with tempfile.TemporaryDirectory(prefix="sdmodel-kill9-") as tmp:
        for name in args.targets:
            t0 = time.perf_counter()
            tally = run_target(name, args.kills, args.seed, Path(tmp))
            tallies.append(tally)
            print(json.dumps({**vars(tally), "seconds": round(time.perf_counter() - t0)}),
                  flush=True)
    seconds = time.perf_counter() - start
    section = markdown(tallies, args.kills, args.seed, seconds)
    print(section)
    if args.docs:
        write_section(Path(args.docs), section)
    bad = sum(t.partial + t.leftovers_after_next + t.incomplete_next for t in tallies)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
