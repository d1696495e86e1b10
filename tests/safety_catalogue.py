"""The bad-input catalogue of issue #16: each input is run for real and judged.

Every case is a bad (or borderline) input to the library or the command line and what it must
give: ``error`` cases must end in a typed :mod:`sdmodel.exceptions` error (the command line:
exit 1 or 2 with a one-line message); ``either`` cases may be refused with a typed error or
accepted, but if accepted the result must be right (the case checks it). Outcomes:

good
    as expected;
raw
    a foreign exception escaped (or the command line printed a traceback);
silent
    an ``error`` case was accepted, or an ``either`` case gave a wrong result;
hang
    still running after the time limit.

Run ``python tests/safety_catalogue.py`` (from the repository root, in the project's virtual
environment) to run every case and rewrite ``docs/safety.md``; ``--check`` only prints the
counts. ``tests/test_safety_catalogue.py`` runs the catalogue and asserts 0 raw, 0 silent and
0 hang.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import sdmodel as sd  # noqa: E402
from sdmodel.exceptions import SDModelError  # noqa: E402
from safety_harness import CaseTimeout, attempt, run_cli  # noqa: E402

SHARED = Path(os.environ.get("SDMODEL_SHARED", REPO.parent / "shared"))
DATA_DIR = SHARED / "data"
MODELS = REPO / "models"
NP = MODELS / "validation" / "nelson_phelps.mdl"
FISHERY = REPO / "tests" / "data" / "fishery.mdl"
FISHERY_SCENARIOS = REPO / "tests" / "data" / "fishery_scenarios.toml"
TEACUP = REPO / "tests" / "data" / "teacup.xmile"
LIMIT = 60.0

CONFIG = """\
name = "kor"
[model]
path = "{model}"
initial_time = 1990
final_time = 2019
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
options = {{ max_nfev = 8 }}
"""


@dataclass
class Case:
    """One catalogued input: where, what, the expectation and the action."""

    area: str
    text: str
    expect: str  # "error" or "either"
    fn: Callable


CASES: list[Case] = []


def case(area: str, text: str, expect: str = "error"):
    def register(fn):
        CASES.append(Case(area, text, expect, fn))
        return fn
    return register


class CLIRefused(SDModelError):
    """The command line refused the input: exit 1 or 2 with a one-line message."""


class CLIRaw(Exception):
    """The command line printed a traceback or exited in another way."""


class Context:
    """A fresh folder per case, a shared translation cache and the usual models."""

    def __init__(self, root: Path):
        self.root = root
        self.cache = root / "cache"
        self.tmp = root
        self._models: dict[Path, object] = {}

    def fresh(self, k: int) -> None:
        self.tmp = self.root / f"case{k:03d}"
        self.tmp.mkdir()

    def model(self, path: Path = NP):
        if path not in self._models:
            self._models[path] = sd.load(path, cache_dir=self.cache)
        return self._models[path]

    def write(self, name: str, content: str | bytes) -> Path:
        path = self.tmp / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    def np_text(self, old: str, new: str, name: str = "m.mdl") -> Path:
        text = NP.read_text()
        assert old in text, old
        return self.write(name, text.replace(old, new, 1))

    def load(self, path: Path):
        return sd.load(path, cache_dir=self.cache)

    def config(self, old: str = "", new: str = "", name: str = "cfg.toml") -> Path:
        text = CONFIG.format(model=NP, data=DATA_DIR)
        assert old in text, old
        return self.write(name, text.replace(old, new, 1) if old else text)

    def scenarios(self, old: str = "", new: str = "", name: str = "s.toml") -> Path:
        text = FISHERY_SCENARIOS.read_text()
        assert old in text, old
        return self.write(name, text.replace(old, new, 1) if old else text)

    def cli(self, *argv: str) -> str:
        """Run ``sdmodel ARGV``: stdout when it exits 0, else CLIRefused or CLIRaw."""
        outcome = run_cli([str(a) for a in argv], limit=None)
        if outcome.kind == "ok":
            return str(outcome.value)
        if outcome.kind == "typed":
            raise CLIRefused(outcome.message)
        if outcome.kind == "hang":
            raise CaseTimeout(outcome.message)
        raise CLIRaw(f"{outcome.error}: {outcome.message.strip()[-300:]}")

    def data_copy(self, name: str, transform: Callable[[str], str]) -> Path:
        """A data folder whose ``name`` CSV is transformed; the other files copied as they are."""
        folder = self.tmp / "data"
        folder.mkdir()
        for csv in ("wdi.csv", "pwt.csv", "commodity_prices.csv"):
            text = (DATA_DIR / csv).read_text()
            (folder / csv).write_text(transform(text) if csv == name else text)
        return folder


def _calibrate(ctx: Context, path: Path):
    from sdmodel.calibration.config import load_config, observed_from_config

    cfg = load_config(path)
    model = sd.load(cfg.model_path, cache_dir=ctx.cache)
    observed, keywords = observed_from_config(cfg)
    return sd.calibrate(model, observed, cfg.params, initial_time=cfg.initial_time,
                        final_time=cfg.final_time, progress=False, **keywords, **cfg.calibration)


def _cli_calibrate(ctx: Context, path: Path, *extra: str) -> str:
    return ctx.cli("calibrate", path, "--out", ctx.tmp / "out", "--no-progress", *extra)


# ---------------------------------------------------------------------------- model files


@case("model file", "missing file")
def _(ctx):
    ctx.load(ctx.tmp / "nowhere.mdl")


@case("model file", "unsupported extension .txt")
def _(ctx):
    ctx.load(ctx.write("m.txt", NP.read_text()))


@case("model file", "a directory named m.mdl")
def _(ctx):
    (ctx.tmp / "m.mdl").mkdir()
    ctx.load(ctx.tmp / "m.mdl")


@case("model file", "empty .mdl")
def _(ctx):
    ctx.load(ctx.write("m.mdl", ""))


@case("model file", "empty .xmile")
def _(ctx):
    ctx.load(ctx.write("m.xmile", ""))


@case("model file", "binary bytes as .mdl")
def _(ctx):
    ctx.load(ctx.write("m.mdl", bytes(range(256)) * 16))


@case("model file", "UTF-16 text as .mdl")
def _(ctx):
    ctx.load(ctx.write("m.mdl", NP.read_text().encode("utf-16")))


@case("model file", "non-UTF-8 byte in a comment", "either")
def _(ctx):
    text = NP.read_bytes().replace(b"Catch-up flow", b"Catch-up \xff flow", 1)
    model = ctx.load(ctx.write("m.mdl", text))
    return _np_final_check(model.run())


@case("model file", "dangling symlink")
def _(ctx):
    (ctx.tmp / "m.mdl").symlink_to(ctx.tmp / "gone.mdl")
    ctx.load(ctx.tmp / "m.mdl")


@case("model file", "symlink loop")
def _(ctx):
    (ctx.tmp / "m.mdl").symlink_to(ctx.tmp / "m.mdl")
    ctx.load(ctx.tmp / "m.mdl")


@case("model file", "FIFO named m.mdl (would block a reader)")
def _(ctx):
    os.mkfifo(ctx.tmp / "m.mdl")
    ctx.load(ctx.tmp / "m.mdl")


@case("model file", "symlink to a valid model", "either")
def _(ctx):
    (ctx.tmp / "m.mdl").symlink_to(NP)
    return _np_final_check(ctx.load(ctx.tmp / "m.mdl").run())


@case("model file", "unparseable equation INTEG( (, 1)")
def _(ctx):
    ctx.load(ctx.np_text("INTEG (\n\tcatch up,", "INTEG( (,"))


@case("model file", "equation cut off mid-file (truncated)")
def _(ctx):
    text = NP.read_text()
    ctx.load(ctx.write("m.mdl", text[: len(text) // 3]))


@case("model file", "constant 1e400 (beyond float range)")
def _(ctx):
    ctx.load(ctx.np_text("0.1\n", "1e400\n"))


@case("model file", "variable defined twice")
def _(ctx):
    ctx.load(ctx.np_text("catch up rate=\n\t0.1", "catch up rate=\n\t0.2\n\t~\t1/Year\n\t~\t"
                                                   "again\n\t|\n\ncatch up rate=\n\t0.1"))


@case("model file", "the same constant under two spellings (Catch_Up_Rate, catch up rate)")
def _(ctx):
    ctx.load(ctx.np_text("catch up rate=\n\t0.1", "Catch_Up_Rate=\n\t0.2\n\t~\t1/Year\n\t~\t"
                                                   "again\n\t|\n\ncatch up rate=\n\t0.1"))


@case("model file", "reference to an undefined variable")
def _(ctx):
    ctx.load(ctx.np_text("catch up rate * (", "catch up rat * ("))


@case("model file", "unknown function")
def _(ctx):
    ctx.load(ctx.np_text("EXP(", "EXPO(")).run(final_time=2)


@case("model file", "algebraic loop (a = b, b = a)")
def _(ctx):
    model = ctx.load(ctx.np_text("initial frontier * EXP", "world frontier * EXP"))
    model.run()


@case("model file", "division by zero at run time", "either")
def _(ctx):
    model = ctx.load(ctx.np_text("catch up rate * (", "catch up rate / 0 * ("))
    ds = model.run(final_time=5)
    if np.isfinite(ds["catch_up"].values).all():
        return "1/0 gave finite values"
    return None


@case("model file", "TIME STEP = 0 in the file")
def _(ctx):
    ctx.load(ctx.np_text("TIME STEP  = 0.25", "TIME STEP  = 0")).run()


@case("model file", "FINAL TIME before INITIAL TIME in the file")
def _(ctx):
    ctx.load(ctx.np_text("FINAL TIME  = 100", "FINAL TIME  = -10")).run()


@case("model file", "SAVEPER not a multiple of TIME STEP in the file", "either")
def _(ctx):
    ds = ctx.load(ctx.np_text("SAVEPER  = 1", "SAVEPER  = 0.3")).run(final_time=3)
    return _grid_check(ds, 0.0, 3.0, 0.3)


@case("model file", "TIME STEP longer than the run in the file", "either")
def _(ctx):
    ds = ctx.load(ctx.np_text("TIME STEP  = 0.25", "TIME STEP  = 500")).run()
    return _within(ds, 0.0, 100.0)


@case("model file", "FINAL TIME = 1e9 (10^9 steps at 0.25)")
def _(ctx):
    ctx.load(ctx.np_text("FINAL TIME  = 100", "FINAL TIME  = 1e9")).run()


@case("model file", "constant :NA: (NaN)", "either")
def _(ctx):
    ds = ctx.load(ctx.np_text("0.3\n", ":NA:\n")).run(final_time=3)
    if not np.isnan(ds["technological_capability"].values).all():
        return "a NaN start value gave numbers"
    return None


@case("model file", "over the size limit (SDMODEL_MAX_MODEL_BYTES=1000)")
def _(ctx):
    with _env(SDMODEL_MAX_MODEL_BYTES="1000"):
        ctx.load(ctx.write("m.mdl", NP.read_text()))


@case("model file", "a 17 MiB model file (over the default 16 MiB limit)")
def _(ctx):
    text = NP.read_text()
    ctx.load(ctx.write("m.mdl", text.replace("phi: the share", "phi: " + "x" * (17 << 20))))


@case("model file", "3000 nested parentheses")
def _(ctx):
    ctx.load(ctx.np_text("0.1\n", "(" * 3000 + "0.1" + ")" * 3000 + "\n"))


@case("model file", "a 200 000-character comment", "either")
def _(ctx):
    model = ctx.load(ctx.np_text("phi: the share", "phi: " + "x" * 200_000 + " the share"))
    return _np_final_check(model.run())


@case("model file", 'comment with """ and Python code (code injection)', "either")
def _(ctx):
    marker = ctx.tmp / "pwned"
    payload = f'"""\nimport os; os.system("touch {marker}")\n"""'
    model = ctx.load(ctx.np_text("phi: the share", payload + " the share"))
    model.run(final_time=2)
    return "the comment ran code" if marker.exists() else None


@case("model file", "units with \"\"\" and code (code injection)", "either")
def _(ctx):
    marker = ctx.tmp / "pwned"
    model = ctx.load(ctx.np_text("1/Year [0,1]",
                                 f'1/Year""" + __import__("os").system("touch {marker}") + """'
                                 " [0,1]"))
    model.run(final_time=2)
    return "the units ran code" if marker.exists() else None


@case("model file", "quoted name with \"\"\" and code (code injection)", "either")
def _(ctx):
    marker = ctx.tmp / "pwned"
    name = f'"x\\"\\"\\" + __import__(\'os\').system(\'touch {marker}\') + \\"\\"\\""'
    text = NP.read_text() + f"\n{name}=\n\t1\n\t~\tDmnl\n\t~\t\n\t|\n"
    with contextlib.suppress(SDModelError):
        ctx.load(ctx.write("m.mdl", text)).run(final_time=2)
    return "the name ran code" if marker.exists() else None


@case("model file", "XMILE: malformed XML")
def _(ctx):
    ctx.load(ctx.write("m.xmile", TEACUP.read_text().replace("</model>", "</modle>")))


@case("model file", "XMILE: doc with ]]> and \"\"\" code (code injection)", "either")
def _(ctx):
    marker = ctx.tmp / "pwned"
    doc = f'<doc>"""\nimport os; os.system("touch {marker}")\n"""</doc>'
    text = TEACUP.read_text().replace("<units>Degrees</units>\n      </stock>",
                                      f"<units>Degrees</units>{doc}\n      </stock>")
    ctx.load(ctx.write("m.xmile", text)).run(final_time=1)
    return "the doc ran code" if marker.exists() else None


@case("model file", "XMILE: entity expansion bomb (billion laughs)")
def _(ctx):
    ents = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
    text = TEACUP.read_text().replace(
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<?xml version="1.0" encoding="utf-8"?><!DOCTYPE xmile [{ents}]>').replace(
        "<units>Degrees</units>\n      </stock>", "<units>Degrees</units><doc>&i;</doc>\n"
                                                  "      </stock>")
    ctx.load(ctx.write("m.xmile", text))


@case("model file", "XMILE: external entity naming a local file (XXE)", "either")
def _(ctx):
    secret = ctx.write("secret.txt", "TOPSECRET-42")
    text = TEACUP.read_text().replace(
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<?xml version="1.0" encoding="utf-8"?><!DOCTYPE xmile [<!ENTITY s SYSTEM '
        f'"file://{secret}">]>').replace(
        "<units>Degrees</units>\n      </stock>", "<units>Degrees</units><doc>&s;</doc>\n"
                                                 "      </stock>")
    model = ctx.load(ctx.write("m.xmile", text))
    return "the entity read a local file" if "TOPSECRET" in model.doc.to_string() else None


@case("model file", "XMILE: stock with a non-numeric initial value")
def _(ctx):
    ctx.load(ctx.write("m.xmile", TEACUP.read_text().replace("<eqn>180</eqn>", "<eqn>hot</eqn>")))


@case("model file", "XMILE: dt = 0")
def _(ctx):
    ctx.load(ctx.write("m.xmile", TEACUP.read_text().replace("<dt>0.125</dt>", "<dt>0</dt>"))).run()


# ---------------------------------------------------------------------------- Model.run


def _np_final_check(ds) -> str | None:
    """Nelson-Phelps at its defaults: A(100) against the closed form."""
    phi, lam, a0, t = 0.1, 0.015, 0.3, 100.0
    # Euler with dt = 0.25 is close to the exact solution; 1 % is far below any misreading
    exact = (phi / (phi + lam)) * math.exp(lam * t) + (a0 - phi / (phi + lam)) * math.exp(-phi * t)
    got = float(ds["technological_capability"].sel(time=t))
    return None if abs(got / exact - 1) < 0.01 else f"A(100) = {got:g}, expected {exact:g}"


def _grid_check(ds, start: float, end: float, step: float) -> str | None:
    times = ds["time"].values
    expected = np.arange(start, end + step / 2, step)
    if len(times) != len(expected) or not np.allclose(times, expected):
        return f"saved times {times.tolist()[:8]}... expected every {step:g} from {start:g}"
    return None


def _within(ds, start: float, end: float) -> str | None:
    times = ds["time"].values
    if times.min() < start - 1e-9 or times.max() > end + 1e-9:
        return f"saved times {times.min():g} to {times.max():g} leave the run {start:g}-{end:g}"
    return None


for _name, _value in [("string 'fast'", "fast"), ("NaN", float("nan")), ("inf", math.inf),
                      ("-inf", -math.inf), ("None", None), ("True", True), ("a dict", {"a": 1}),
                      ("shape (3,)", [0.1, 0.2, 0.3]), ("complex 1j", 1j),
                      ("numpy NaN array", np.array(np.nan)), ("empty list", [])]:
    def _run_bad(ctx, value=_value):
        ctx.model().run({"catch_up_rate": value})
    CASES.append(Case("Model.run", f"parameter value {_name}", "error", _run_bad))


@case("Model.run", "unknown parameter name")
def _(ctx):
    ctx.model().run({"catchup_rate": 0.2})


@case("Model.run", "a computed variable as parameter (PySD replaces it by the constant)",
      "either")
def _(ctx):
    ds = ctx.model().run({"catch_up": 0.2}, final_time=10)
    a = ds["technological_capability"].values
    ok = np.allclose(ds["catch_up"].values, 0.2) and np.isclose(a[-1] - a[0], 2.0)
    return None if ok else "the override did not hold catch_up at 0.2"


@case("Model.run", "the same constant under two spellings (catch_up_rate, Catch Up Rate)")
def _(ctx):
    ctx.model().run({"catch_up_rate": 0.1, "Catch Up Rate": 0.2})


@case("Model.run", "a time setting as parameter")
def _(ctx):
    ctx.model().run({"FINAL TIME": 50})


@case("Model.run", "parameters not a mapping (a list)")
def _(ctx):
    ctx.model().run([("catch_up_rate", 0.2)])


for _kw, _value in [("final_time", -5.0), ("final_time", math.nan), ("final_time", math.inf),
                    ("final_time", 1e9), ("final_time", "50"), ("initial_time", 200.0),
                    ("initial_time", math.nan), ("time_step", 0.0), ("time_step", -0.25),
                    ("time_step", math.nan), ("time_step", math.inf), ("time_step", 1e-9),
                    ("saveper", 0.1), ("saveper", 0.0), ("saveper", math.nan),
                    ("saveper", -1.0)]:
    def _time_bad(ctx, kw=_kw, value=_value):
        ctx.model().run(**{kw: value})
    CASES.append(Case("Model.run", f"{_kw} = {_value!r}", "error", _time_bad))


@case("Model.run", "saveper 0.3 not a multiple of time_step 0.25", "either")
def _(ctx):
    return _grid_check(ctx.model().run(final_time=3, saveper=0.3), 0.0, 3.0, 0.3)


@case("Model.run", "time_step 500 longer than the run", "either")
def _(ctx):
    return _within(ctx.model().run(final_time=10, time_step=500), 0.0, 10.0)


@case("Model.run", "unknown return variable")
def _(ctx):
    ctx.model().run(return_vars=["gdp"])


@case("Model.run", "return_vars a bare string naming no variable")
def _(ctx):
    ctx.model().run(return_vars="catch")


def _series_run(ctx, times, values):
    return ctx.model().run({"catch_up_rate": pd.Series(values, index=times)}, final_time=10)


@case("Model.run", "time-series input with unsorted times", "either")
def _(ctx):
    ds = _series_run(ctx, [10.0, 0.0, 5.0], [0.3, 0.1, 0.2])
    got = float(ds["catch_up_rate"].sel(time=2.5)) if "catch_up_rate" in ds else None
    return None if got is not None and abs(got - 0.15) < 1e-9 else f"rate(2.5) = {got}, expected 0.15"


@case("Model.run", "time-series input with a duplicated time")
def _(ctx):
    _series_run(ctx, [0.0, 5.0, 5.0, 10.0], [0.1, 0.2, 0.3, 0.4])


@case("Model.run", "time-series input holding NaN")
def _(ctx):
    _series_run(ctx, [0.0, 5.0, 10.0], [0.1, np.nan, 0.3])


@case("Model.run", "time-series input that is empty")
def _(ctx):
    _series_run(ctx, [], [])


@case("Model.run", "subscripted parameter of the wrong shape")
def _(ctx):
    model = sd.load(SHARED / "test-models" / "subscript_2d_arrays" / "test_subscript_2d_arrays.mdl",
                    cache_dir=ctx.cache)
    model.run({"initial_values": [1.0, 2.0]})


# ---------------------------------------------------------------------------- batch / ensembles


@case("run_batch", "N = 0 runs")
def _(ctx):
    ctx.model().run_batch({"catch_up_rate": []})


@case("run_batch", "unequal lengths")
def _(ctx):
    ctx.model().run_batch({"catch_up_rate": np.ones(3), "initial_frontier": np.ones(2)})


@case("run_batch", "NaN among the values")
def _(ctx):
    ctx.model().run_batch({"catch_up_rate": [0.1, np.nan]})


@case("run_batch", "inf among the values", "either")
def _(ctx):
    ds = ctx.model().run_batch({"catch_up_rate": [0.1, np.inf]})
    return None if bool(ds["diverged"].values[1]) else "an infinite rate is not flagged diverged"


@case("run_batch", "a scalar instead of an array")
def _(ctx):
    ctx.model().run_batch({"catch_up_rate": 0.3})


@case("run_batch", "strings as values")
def _(ctx):
    ctx.model().run_batch({"catch_up_rate": ["a", "b"]})


@case("run_batch", "unknown parameter")
def _(ctx):
    ctx.model().run_batch({"catch_up_rte": [0.1]})


@case("run_batch", "final_time 1e9 (steps over the limit)")
def _(ctx):
    ctx.model().run_batch({"catch_up_rate": [0.1]}, final_time=1e9)


@case("run_batch", "chunk_size 0")
def _(ctx):
    ctx.model().run_batch({"catch_up_rate": [0.1]}, chunk_size=0)


@case("run_batch", "N over the run limit (SDMODEL_MAX_RUNS=5)")
def _(ctx):
    with _env(SDMODEL_MAX_RUNS="5"):
        ctx.model().run_batch({"catch_up_rate": np.full(6, 0.1)})


@case("ensemble", "latin hypercube of N = 1e9 runs")
def _(ctx):
    sd.analysis.latin_hypercube(ctx.model(), ["catch_up_rate"], 10**9)


@case("ensemble", "latin hypercube of N = -5 runs")
def _(ctx):
    sd.analysis.latin_hypercube(ctx.model(), ["catch_up_rate"], -5)


@case("ensemble", "samples holding NaN")
def _(ctx):
    sd.ensemble(ctx.model(), {"catch_up_rate": [0.1, np.nan]})


@case("ensemble", "store that already exists")
def _(ctx):
    (ctx.tmp / "s.zarr").mkdir()
    sd.ensemble(ctx.model(), {"catch_up_rate": [0.1]}, store=ctx.tmp / "s.zarr")


@case("ensemble", "store in a folder that does not exist")
def _(ctx):
    sd.ensemble(ctx.model(), {"catch_up_rate": [0.1]}, store=ctx.tmp / "no" / "s.zarr")


@case("ensemble", "store path is /dev/null")
def _(ctx):
    sd.ensemble(ctx.model(), {"catch_up_rate": [0.1]}, store="/dev/null", overwrite=True)


@case("ensemble", "chunk_size 'big'")
def _(ctx):
    sd.ensemble(ctx.model(), {"catch_up_rate": [0.1]}, chunk_size="big")


# ---------------------------------------------------------------------------- outputs


def _small_ds():
    import xarray as xr

    return xr.Dataset({"x": ("time", [1.0, 2.0])}, coords={"time": [0.0, 1.0]})


@case("sd.save", "target /dev/null")
def _(ctx):
    sd.save(_small_ds(), "/dev/null")


@case("sd.save", "target is a directory")
def _(ctx):
    sd.save(_small_ds(), ctx.tmp)


@case("sd.save", "target exists and overwrite=False")
def _(ctx):
    ctx.write("x.nc", "old")
    sd.save(_small_ds(), ctx.tmp / "x.nc", overwrite=False)


@case("sd.save", "folder is a regular file")
def _(ctx):
    ctx.write("f", "")
    sd.save(_small_ds(), ctx.tmp / "f" / "x.nc")


@case("sd.save", "target is a FIFO")
def _(ctx):
    os.mkfifo(ctx.tmp / "x.nc")
    sd.save(_small_ds(), ctx.tmp / "x.nc")


@case("sd.save", "a dict attribute netCDF cannot hold", "either")
def _(ctx):
    import xarray as xr

    ds = _small_ds().assign_attrs(info={"a": 1}, flag=True, none=None)
    sd.save(ds, ctx.tmp / "x.nc")
    back = xr.load_dataset(ctx.tmp / "x.nc")
    return None if float(back["x"][1]) == 2.0 else "data changed"


# ---------------------------------------------------------------------------- scenario files


def _scen_run(ctx, path: Path):
    scenarios = sd.load_scenarios(path)
    model = ctx.model(FISHERY)
    sd.scenarios.validate_scenarios(model, scenarios)
    ds = sd.run_scenarios(model, scenarios, final_time=60, progress=False)
    return sd.metrics.compare(ds, baseline=scenarios.baseline or next(iter(scenarios)),
                              metrics=list(scenarios.metrics.values()))


@case("scenario file", "missing file")
def _(ctx):
    sd.load_scenarios(ctx.tmp / "none.toml")


@case("scenario file", "a directory")
def _(ctx):
    sd.load_scenarios(ctx.tmp)


@case("scenario file", "a FIFO (would block a reader)")
def _(ctx):
    os.mkfifo(ctx.tmp / "s.toml")
    sd.load_scenarios(ctx.tmp / "s.toml")


@case("scenario file", "empty file")
def _(ctx):
    sd.load_scenarios(ctx.write("s.toml", ""))


@case("scenario file", "not UTF-8 (Latin-1 byte)")
def _(ctx):
    sd.load_scenarios(ctx.write("s.toml", b"[a]\n# caf\xe9\nquota_reduction = 0.1\n"))


@case("scenario file", "invalid TOML")
def _(ctx):
    sd.load_scenarios(ctx.write("s.toml", "[a\nx = 1\n"))


@case("scenario file", "binary bytes")
def _(ctx):
    sd.load_scenarios(ctx.write("s.toml", bytes(range(256))))


for _old, _new, _text in [
    ("quota_reduction = 0.3", "quota_reduction = nan", "value nan"),
    ("quota_reduction = 0.3", "quota_reduction = inf", "value inf"),
    ("quota_reduction = 0.3", "quota_reduction = 1e400", "value 1e400 (TOML reads inf)"),
    ("quota_reduction = 0.3", 'quota_reduction = "0.3"', "value a string"),
    ("quota_reduction = 0.3", "quota_reduction = true", "value a boolean"),
    ("quota_reduction = 0.3", "quota_reduction = 1979-05-27", "value a date"),
    ("quota_reduction = 0.3", "quota_reduction = [0.3, 0.4]", "array for a scalar constant"),
    ("quota_reduction = 0.3", "quota_reduction = []", "empty array"),
    ("quota_reduction = 0.3", "quota_redution = 0.3", "misspelt parameter"),
    ("quota_reduction = 0.3", "fish = 3", "a stock as parameter"),
    ("quota_reduction = 0.3", "quota_reduction = {time = [0, 1], values = [1]}",
     "time series of unequal lengths"),
    ("quota_reduction = 0.3", "quota_reduction = {time = [0, 1], values = [0.1, nan]}",
     "time series holding NaN"),
    ("quota_reduction = 0.3", "quota_reduction = {time = [0, 5, 5], values = [0.1, 0.2, 0.3]}",
     "time series with a duplicated time"),
    ("quota_reduction = 0.3", "quota_reduction = {times = [0, 1], values = [1, 2]}",
     "time series table with a wrong key"),
    ("quota_reduction = 0.3", "quota_reduction = {time = [10, 0], values = [0.1, 0.2]}",
     "time series with unsorted times"),
    ("quota_reduction = 0.3", "quota_reduction = 0.3\nQuota Reduction = 0.4",
     "the same parameter under two spellings"),
    ('inherits = "open_access"', "inherits = 3", "inherits a number"),
    ('inherits = "open_access"', 'inherits = "open_acess"', "inherits a missing scenario"),
    ('inherits = "open_access"', 'inherits = "late_quota"', "inheritance cycle"),
    ('baseline = "open_access"', "baseline = 1", "baseline a number"),
    ('baseline = "open_access"', 'baseline = "closed"', "baseline not a scenario"),
    ("[open_access]", '[open_access]\nabstract = "yes"', "abstract not a boolean"),
    ("[open_access]", "[open_access]\ndescription = 5", "description a number"),
    ('reduce = "trough"', 'reduce = "median"', "metric with an unknown reduce"),
    ("year = 50", "year = nan", "metric year nan"),
    ("rate = 0.05", "rate = -1.5", "discount rate -1.5"),
    ("rate = 0.05", "rate = inf", "discount rate inf"),
    ("start = 0\nend = 50", "start = 50\nend = 0", "metric window start after end"),
    ("[metrics.fleet_peak]", "[metrics.fleet_peak]\ncolour = 1", "metric with an unknown key"),
    ("[window]", "[windw]", "misspelt [window] section"),
    ("[window]", "[window]\nsteps = 3", "[window] with an unknown key"),
    ("shares = [0.1, 0.3, 0.5]", 'shares = "all"', "[window] shares a string"),
]:
    def _scen_bad(ctx, old=_old, new=_new):
        _scen_run(ctx, ctx.scenarios(old, new))
    CASES.append(Case("scenario file", _text, "error", _scen_bad))


def _scen_value(ctx, value: str, expected: float):
    path = ctx.scenarios("quota_reduction = 0.3", f"quota_reduction = {value}")
    ds = sd.run_scenarios(ctx.model(FISHERY), sd.load_scenarios(path), final_time=20,
                          progress=False)
    got = float(ds["harvest"].sel(scenario="early_quota", time=15))
    fish = float(ds["fish"].sel(scenario="early_quota", time=15))
    fleet = float(ds["fleet"].sel(scenario="early_quota", time=15))
    want = fleet * 0.004 * fish * (1 - expected)
    return None if np.isclose(got, want, rtol=1e-9) or (np.isnan(got) and np.isnan(want)) \
        else f"harvest {got:g}, expected {want:g} from the override"


@case("scenario file", "value 1.5 outside the documented range [0,1] (ranges are not limits "
      "for generic models)", "either")
def _(ctx):
    return _scen_value(ctx, "1.5", 1.5)


@case("scenario file", "integer 2^127-1 (read as a float)", "either")
def _(ctx):
    return _scen_value(ctx, "170141183460469231731687303715884105727", 2.0**127)


def _scen_omitted(ctx, old, new, metric):
    table = _scen_run(ctx, ctx.scenarios(old, new))
    omitted = table.attrs.get("omitted", {})
    return None if metric in omitted and metric not in table["metric"].values \
        else f"metric {metric!r} neither refused nor reported as omitted"


@case("scenario file", "metric of an unknown variable (reported as omitted, with the reason)",
      "either")
def _(ctx):
    return _scen_omitted(ctx, 'variable = "fish"', 'variable = "fsh"', "fish_trough")


@case("scenario file", "metric year outside the run (reported as omitted, with the reason)",
      "either")
def _(ctx):
    return _scen_omitted(ctx, "year = 50", "year = 5000", "harvest_50")


@case("scenario file", "only abstract scenarios")
def _(ctx):
    sd.load_scenarios(ctx.write("s.toml", "[a]\nabstract = true\n"))


@case("scenario file", "a top-level key that is not a table")
def _(ctx):
    sd.load_scenarios(ctx.write("s.toml", "quota = 1\n[a]\n"))


@case("scenario file", "10 000 scenarios inheriting in a chain", "either")
def _(ctx):
    lines = ["[s0]\nquota_reduction = 0.0\n"] + [
        f'[s{i}]\ninherits = "s{i - 1}"\n' for i in range(1, 10_000)]
    s = sd.load_scenarios(ctx.write("s.toml", "".join(lines)))
    return None if s["s9999"]["quota_reduction"] == 0.0 else "inheritance lost"


# ---------------------------------------------------------------------------- calibration configs


@case("calibration config", "missing file")
def _(ctx):
    _calibrate(ctx, ctx.tmp / "none.toml")


@case("calibration config", "a directory")
def _(ctx):
    _calibrate(ctx, ctx.tmp)


@case("calibration config", "a FIFO (would block a reader)")
def _(ctx):
    os.mkfifo(ctx.tmp / "c.toml")
    _calibrate(ctx, ctx.tmp / "c.toml")


@case("calibration config", "not UTF-8")
def _(ctx):
    _calibrate(ctx, ctx.write("c.toml", CONFIG.format(model=NP, data=DATA_DIR).encode()
                              + b"# \xe9\n"))


@case("calibration config", "empty file")
def _(ctx):
    _calibrate(ctx, ctx.write("c.toml", ""))


for _old, _new, _text in [
    ("[model]", "[modl]", "no [model] section"),
    ("[data]", "[dta]", "no [data] section"),
    ("[params]", "[prams]", "no [params] section"),
    ("[[series]]", "[srs]", "no [[series]]"),
    ("[[series]]", "[series]", "[series] as a table, not an array of tables"),
    ('path = "', 'pth = "', "[model] without path"),
    ('path = "', 'path = "/nonexistent', "model path missing"),
    ('country = "KOR"', 'cntry = "KOR"', "[data] without country"),
    ('country = "KOR"', 'country = "ATL"', "unknown country"),
    ('country = "KOR"', 'country = "../KOR"', "country with a path"),
    ('country = "KOR"', "country = 410", "country a number"),
    ("start = 1990\nend = 2019", "start = 2019\nend = 1990", "start after end"),
    ("start = 1990", "start = nan", "start nan"),
    ("start = 1990", 'start = "1990"', "start a string"),
    ("start = 1990", "start = 1990.5", "start not a whole year"),
    ("initial_time = 1990", "initial_time = inf", "initial_time inf"),
    ("final_time = 2019", "final_time = 1e12", "final_time 1e12 (steps over the limit)"),
    ("final_time = 2019", 'final_time = "2019"', "final_time a string"),
    ('source = "pwt"', 'source = "imf"', "unknown series source"),
    ('source = "pwt"', "source = 3", "series source a number"),
    ('code = "ctfp"', 'code = "tfp"', "unknown series code"),
    ('code = "ctfp"', "code = 1", "series code a number"),
    ('code = "ctfp"', 'code = "../../etc/passwd"', "series code with a path"),
    ('variable = "technological_capability"', 'variable = "technological_capabilty"',
     "series variable misspelt"),
    ('variable = "technological_capability"', 'variable = "(technological_capability"',
     "series expression unbalanced"),
    ('variable = "technological_capability"', "variable = \"__import__('os').getcwd()\"",
     "series expression calling __import__"),
    ('variable = "technological_capability"', 'variable = "catch_up_rate.__class__"',
     "series expression with attribute access"),
    ("index_year = 1990", "index_year = 1990.5", "index_year not whole"),
    ("index_year = 1990", 'index_year = "1990"', "index_year a string"),
    ("index_year = 1990", "index_year = 1800", "index_year outside the data"),
    ("index_year = 1990", "index_year = 1990\nscale = nan", "scale nan"),
    ("index_year = 1990", "index_year = 1990\nscale = 0", "scale 0"),
    ("index_year = 1990", 'index_year = 1990\nscale = "2"', "scale a string"),
    ("index_year = 1990", "index_year = 1990\nweight = -1", "weight -1"),
    ("index_year = 1990", "index_year = 1990\nweight = inf", "weight inf"),
    ("index_year = 1990", "index_year = 1990\ncolour = 1", "unknown series key"),
    ("min = 0.0, max = 1.0", "min = 1.0, max = 0.0", "inverted bounds"),
    ("min = 0.0, max = 1.0", "min = nan, max = 1.0", "bound nan"),
    ("value = 0.3", "value = 7", "start value outside bounds"),
    ("value = 0.3", 'value = "x"', "start value a string"),
    ("vary = false", 'vary = "no"', "vary a string"),
    ("catch_up_rate = {", "catch_up_ratee = {", "unknown parameter"),
    ("catch_up_rate = {", "world_frontier = {", "a computed variable as parameter"),
    ("catch_up_rate = {", "catch_up_rate = { colour = 1 }\ncatch_up_rat = {",
     "parameter table with an unknown key"),
    ('method = "least_squares"', 'method = "bfgs"', "unknown method"),
    ('method = "least_squares"', "method = 3", "method a number"),
    ('method = "least_squares"', 'method = "least_squares"\nseed = -1', "seed -1"),
    ('method = "least_squares"', 'method = "least_squares"\nseed = "one"', "seed a string"),
    ('method = "least_squares"', 'method = "least_squares"\nseed = 1.5', "seed 1.5"),
    ("options = { max_nfev = 8 }", "options = 5", "options not a table"),
    ("options = { max_nfev = 8 }", "options = { max_nfev = -3 }", "option max_nfev -3"),
    ("options = { max_nfev = 8 }", "options = { generations = 3 }", "unknown option"),
    ('method = "least_squares"', 'method = "least_squares"\npolish = "no"', "polish 'no'"),
    ('method = "least_squares"', 'method = "least_squares"\nmultistart = 0', "multistart 0"),
    ('method = "least_squares"', 'method = "least_squares"\nworkers = -2', "workers -2"),
    ('method = "least_squares"', 'method = "least_squares"\nnormalize = "sd"',
     "unknown normalize"),
    ('method = "least_squares"', 'method = "least_squares"\ntransform = "log2"',
     "unknown transform"),
    ('method = "least_squares"', 'method = "least_squares"\nengine = "gpu"', "unknown engine"),
    ('method = "least_squares"', 'method = "least_squares"\nprofile = 3', "profile a number"),
    ('method = "least_squares"', 'method = "least_squares"\ncolour = 3',
     "unknown [calibration] key"),
    ('name = "kor"', 'name = "../../escape"', "name with a path (outputs elsewhere)"),
    ('name = "kor"', 'name = ".hidden"', "hidden name"),
]:
    def _cfg_bad(ctx, old=_old, new=_new):
        _calibrate(ctx, ctx.config(old, new))
    CASES.append(Case("calibration config", _text, "error", _cfg_bad))


@case("calibration config", "name a number (used as the text '5')", "either")
def _(ctx):
    from sdmodel.calibration.config import load_config

    cfg = load_config(ctx.config('name = "kor"', "name = 5"))
    return None if cfg.name == "5" else f"name {cfg.name!r}"


@case("calibration config", "series listed twice")
def _(ctx):
    text = CONFIG.format(model=NP, data=DATA_DIR)
    block = text[text.index("[[series]]"):text.index("[params]")]
    _calibrate(ctx, ctx.write("c.toml", text.replace(block, block + block)))


# ---------------------------------------------------------------------------- data files


def _wdi(folder):
    return sd.data.load_wdi("NY.GDP.PCAP.KD", "KOR", data_dir=folder, download=False)


def _pwt(folder):
    return sd.data.load_pwt("ctfp", "KOR", data_dir=folder, download=False)


def _prices(folder):
    return sd.data.load_commodity_prices("copper_usd_t", data_dir=folder, download=False)


_LOADERS = {"wdi.csv": _wdi, "pwt.csv": _pwt, "commodity_prices.csv": _prices}


def _drop_column(name):
    def transform(text):
        lines = text.splitlines()
        cols = lines[0].split(",")
        k = cols.index(name)
        return "\n".join(",".join(c for i, c in enumerate(l.split(",")) if i != k) for l in lines)
    return transform


def _poison_cell(row_prefix, column, marker="abc"):
    def transform(text):
        lines = text.splitlines()
        cols = lines[0].split(",")
        k = cols.index(column)
        for i, line in enumerate(lines):
            if line.startswith(row_prefix):
                cells = line.split(",")
                cells[k] = marker
                lines[i] = ",".join(cells)
                break
        return "\n".join(lines)
    return transform


for _csv, _transform, _text in [
    ("wdi.csv", _drop_column("value"), "wdi.csv without its value column"),
    ("wdi.csv", _drop_column("year"), "wdi.csv without its year column"),
    ("wdi.csv", _poison_cell("KOR,2000,NY.GDP.PCAP.KD", "value"), "wdi.csv with a non-numeric value"),
    ("wdi.csv", _poison_cell("KOR,", "year"), "wdi.csv with a non-numeric year"),
    ("wdi.csv", lambda t: t.splitlines()[0], "wdi.csv with only its header"),
    ("wdi.csv", lambda t: "", "wdi.csv empty"),
    ("wdi.csv", lambda t: t + "\n" + "\n".join(l for l in t.splitlines() if l.startswith("KOR,2000,NY.GDP.PCAP.KD")),
     "wdi.csv with a duplicated observation"),
    ("wdi.csv", lambda t: t.replace("country,year", "country;year", 1), "wdi.csv with a broken header"),
    ("pwt.csv", _drop_column("ctfp"), "pwt.csv without the requested column"),
    ("pwt.csv", _poison_cell("KOR,2000", "ctfp"), "pwt.csv with a non-numeric cell"),
    ("pwt.csv", lambda t: t.replace("KOR,2000,", "KOR,20x0,", 1), "pwt.csv with a bad year"),
    ("pwt.csv", lambda t: t + "\n" + next(l for l in t.splitlines() if l.startswith("KOR,2000,")),
     "pwt.csv with a duplicated country-year"),
    ("wdi.csv", _poison_cell("KOR,2000,NY.GDP.PCAP.KD", "value", "n/a"),
     "wdi.csv with n/a in a value (pandas reads it as missing; either: the rest the same)"),
    ("commodity_prices.csv", _drop_column("copper_usd_t"), "prices without the requested column"),
    ("commodity_prices.csv", _poison_cell("2000", "copper_usd_t"), "prices with a non-numeric cell"),
    ("commodity_prices.csv", lambda t: "\n".join([t.splitlines()[0]] + t.splitlines()[1:][::-1]),
     "prices with years in reverse order (either: must read the same)"),
]:
    def _data_bad(ctx, csv=_csv, transform=_transform, either="either" in _text):
        folder = ctx.data_copy(csv, transform)
        got = _LOADERS[csv](folder)
        if either:
            want = _LOADERS[csv](DATA_DIR)
            got, want = got.sortby("year"), want.sortby("year")
            same = got.fillna(-1).equals(want.fillna(-1))
            if csv == "wdi.csv":  # the n/a cell: missing there, the same elsewhere
                cell = dict(country="KOR", year=2000)
                same = bool(np.isnan(got["NY.GDP.PCAP.KD"].sel(**cell))) and got.drop_sel(
                    year=2000).equals(want.drop_sel(year=2000))
            return None if same else "values differ"
        return None
    CASES.append(Case("data file", _text, "either" if "either" in _text else "error", _data_bad))


@case("data file", "wdi.csv missing from the folder (offline)")
def _(ctx):
    (ctx.tmp / "d").mkdir()
    _wdi(ctx.tmp / "d")


@case("data file", "wdi.csv is a directory")
def _(ctx):
    (ctx.tmp / "d" / "wdi.csv").mkdir(parents=True)
    _wdi(ctx.tmp / "d")


@case("data file", "wdi.csv not UTF-8")
def _(ctx):
    folder = ctx.tmp / "d"
    folder.mkdir()
    (folder / "wdi.csv").write_bytes(b"country,year,indicator,value\nKOR,2000,NY.GDP.PCAP.KD,1\xe9\n")
    _wdi(folder)


@case("data file", "data folder is a file")
def _(ctx):
    _wdi(ctx.write("d", ""))


@case("data file", "unknown country code")
def _(ctx):
    _wdi(DATA_DIR) if False else sd.data.load_wdi("NY.GDP.PCAP.KD", "CHI", data_dir=DATA_DIR,
                                                   download=False)


@case("data file", "country code naming a path ../x")
def _(ctx):
    sd.data.load_wdi("NY.GDP.PCAP.KD", "../x", data_dir=DATA_DIR, download=False)


@case("data file", "indicator code naming a path")
def _(ctx):
    sd.data.load_wdi("../../etc/passwd", "KOR", data_dir=DATA_DIR, download=False)


@case("data file", "start after end")
def _(ctx):
    sd.data.load_wdi("NY.GDP.PCAP.KD", "KOR", data_dir=DATA_DIR, start=2010, end=2000,
                     download=False)


@case("data file", "start a string")
def _(ctx):
    sd.data.load_pwt("ctfp", "KOR", data_dir=DATA_DIR, start="1990", download=False)


# ---------------------------------------------------------------------------- limits and cache


@case("limits", "SDMODEL_MAX_STEPS='abc'")
def _(ctx):
    with _env(SDMODEL_MAX_STEPS="abc"):
        ctx.model().run()


@case("limits", "SDMODEL_MAX_STEPS=-1")
def _(ctx):
    with _env(SDMODEL_MAX_STEPS="-1"):
        ctx.model().run()


@case("limits", "SDMODEL_MAX_RUNS='1e400'", "either")
def _(ctx):
    with _env(SDMODEL_MAX_RUNS="1e400"):
        ds = ctx.model().run_batch({"catch_up_rate": [0.1, 0.2]})
    return None if ds.sizes["run"] == 2 else "wrong number of runs"


@case("cache", "cache folder is a regular file")
def _(ctx):
    sd.load(NP, cache_dir=ctx.write("cache", ""))


@case("cache", "cache folder owned by another user (not root: group-writable instead)")
def _(ctx):
    folder = ctx.tmp / "cache"
    folder.mkdir(mode=0o700)
    if os.geteuid() == 0:
        os.chown(folder, 54321, 54321)
    else:
        folder.chmod(0o770)
    sd.load(NP, cache_dir=folder)


@case("cache", "cache folder writable by everyone")
def _(ctx):
    folder = ctx.tmp / "cache"
    folder.mkdir()
    folder.chmod(0o777)
    sd.load(NP, cache_dir=folder)


# ---------------------------------------------------------------------------- command line


@case("sdmodel", "no arguments")
def _(ctx):
    ctx.cli()


@case("sdmodel", "unknown sub-command")
def _(ctx):
    ctx.cli("simulate", NP)


@case("sdmodel run", "--set catch_up_rate=inf (prints nan if accepted)")
def _(ctx):
    ctx.cli("run", NP, "--set", "catch_up_rate=inf")


@case("sdmodel run", "--set catch_up_rate=nan")
def _(ctx):
    ctx.cli("run", NP, "--set", "catch_up_rate=nan")


@case("sdmodel run", "--set catch_up_rate=1e400")
def _(ctx):
    ctx.cli("run", NP, "--set", "catch_up_rate=1e400")


@case("sdmodel run", "--set without =")
def _(ctx):
    ctx.cli("run", NP, "--set", "catch_up_rate")


@case("sdmodel run", "--set of an unknown name")
def _(ctx):
    ctx.cli("run", NP, "--set", "catchup=1")


@case("sdmodel run", "--set catch_up_rate=0x10 (hex)")
def _(ctx):
    ctx.cli("run", NP, "--set", "catch_up_rate=0x10")


@case("sdmodel run", "--final-time 1e9")
def _(ctx):
    ctx.cli("run", NP, "--final-time", "1e9")


@case("sdmodel run", "--final-time nan")
def _(ctx):
    ctx.cli("run", NP, "--final-time", "nan")


@case("sdmodel run", "--final-time inf")
def _(ctx):
    ctx.cli("run", NP, "--final-time", "inf")


@case("sdmodel run", "--final-time -5")
def _(ctx):
    ctx.cli("run", NP, "--final-time", "-5")


@case("sdmodel run", "--final-time abc")
def _(ctx):
    ctx.cli("run", NP, "--final-time", "abc")


@case("sdmodel run", "--out /dev/null")
def _(ctx):
    ctx.cli("run", NP, "--final-time", "5", "--out", "/dev/null")


@case("sdmodel run", "--out a directory")
def _(ctx):
    ctx.cli("run", NP, "--final-time", "5", "--out", ctx.tmp)


@case("sdmodel run", "--out under a regular file")
def _(ctx):
    ctx.cli("run", NP, "--final-time", "5", "--out", ctx.write("f", "") / "x.nc")


@case("sdmodel run", "model missing")
def _(ctx):
    ctx.cli("run", ctx.tmp / "none.mdl")


@case("sdmodel run", "model is a directory")
def _(ctx):
    (ctx.tmp / "m.mdl").mkdir()
    ctx.cli("run", ctx.tmp / "m.mdl")


@case("sdmodel compare", "scenario file missing")
def _(ctx):
    ctx.cli("compare", FISHERY, "--scenarios", ctx.tmp / "none.toml", "--out", ctx.tmp / "o")


@case("sdmodel compare", "scenario file is a FIFO")
def _(ctx):
    os.mkfifo(ctx.tmp / "s.toml")
    ctx.cli("compare", FISHERY, "--scenarios", ctx.tmp / "s.toml", "--out", ctx.tmp / "o")


@case("sdmodel compare", "scenario file not UTF-8")
def _(ctx):
    path = ctx.write("s.toml", b"[a]\n# caf\xe9\n")
    ctx.cli("compare", FISHERY, "--scenarios", path, "--out", ctx.tmp / "o")


@case("sdmodel compare", "--baseline not a scenario")
def _(ctx):
    ctx.cli("compare", FISHERY, "--scenarios", FISHERY_SCENARIOS, "--baseline", "nope",
            "--out", ctx.tmp / "o")


@case("sdmodel compare", "--metric not in the file")
def _(ctx):
    ctx.cli("compare", FISHERY, "--scenarios", FISHERY_SCENARIOS, "--metric", "nope",
            "--out", ctx.tmp / "o")


@case("sdmodel compare", "--out /dev/null")
def _(ctx):
    ctx.cli("compare", FISHERY, "--scenarios", FISHERY_SCENARIOS, "--out", "/dev/null")


@case("sdmodel compare", "--out a regular file")
def _(ctx):
    ctx.cli("compare", FISHERY, "--scenarios", FISHERY_SCENARIOS, "--out", ctx.write("f", ""))


@case("sdmodel compare", "--final-time nan")
def _(ctx):
    ctx.cli("compare", FISHERY, "--scenarios", FISHERY_SCENARIOS, "--final-time", "nan",
            "--out", ctx.tmp / "o")


@case("sdmodel compare", "scenario parameter unknown to the model")
def _(ctx):
    path = ctx.scenarios("quota_reduction = 0.3", "quota_redution = 0.3")
    ctx.cli("compare", FISHERY, "--scenarios", path, "--out", ctx.tmp / "o")


def _window(ctx, *extra):
    return ctx.cli("window", FISHERY, "--scenarios", FISHERY_SCENARIOS, "--out", ctx.tmp / "o",
                   *extra)


@case("sdmodel window", "--start-years 0:60:0 (zero step)")
def _(ctx):
    _window(ctx, "--start-years", "0:60:0")


@case("sdmodel window", "--start-years 0:1e9:1e-9 (10^18 values)")
def _(ctx):
    _window(ctx, "--start-years", "0:1e9:1e-9")


@case("sdmodel window", "--start-years 60:0 (descending)")
def _(ctx):
    _window(ctx, "--start-years", "60:0")


@case("sdmodel window", "--start-years nan")
def _(ctx):
    _window(ctx, "--start-years", "nan")


@case("sdmodel window", "--shares inf")
def _(ctx):
    _window(ctx, "--shares", "inf")


@case("sdmodel window", "--shares x")
def _(ctx):
    _window(ctx, "--shares", "x")


@case("sdmodel window", "--start-lever unknown")
def _(ctx):
    _window(ctx, "--start-lever", "nope")


@case("sdmodel window", "--metric unknown")
def _(ctx):
    _window(ctx, "--metric", "nope")


@case("sdmodel window", "--threshold nan")
def _(ctx):
    _window(ctx, "--threshold", "nan")


@case("sdmodel window", "--start-years outside the run")
def _(ctx):
    _window(ctx, "--start-years", "500")


@case("sdmodel calibrate", "config is a directory")
def _(ctx):
    _cli_calibrate(ctx, ctx.tmp)


@case("sdmodel calibrate", "config missing")
def _(ctx):
    _cli_calibrate(ctx, ctx.tmp / "none.toml")


@case("sdmodel calibrate", "config not UTF-8")
def _(ctx):
    _cli_calibrate(ctx, ctx.write("c.toml", b"[model]\n# \xe9\n"))


@case("sdmodel calibrate", "config name ../../escape")
def _(ctx):
    _cli_calibrate(ctx, ctx.config('name = "kor"', 'name = "../../escape"'))


@case("sdmodel calibrate", "--out /dev/null")
def _(ctx):
    ctx.cli("calibrate", ctx.config(), "--out", "/dev/null", "--no-progress")


@case("sdmodel calibrate", "--data-dir missing")
def _(ctx):
    _cli_calibrate(ctx, ctx.config('dir = "', 'dri = "'), "--data-dir", ctx.tmp / "none")


@case("sdmodel calibrate", "polish = 'no'")
def _(ctx):
    _cli_calibrate(ctx, ctx.config('method = "least_squares"',
                                   'method = "least_squares"\npolish = "no"'))


@case("sdmodel check-units", "model missing")
def _(ctx):
    ctx.cli("check-units", ctx.tmp / "none.mdl")


@case("sdmodel check-units", "model binary")
def _(ctx):
    ctx.cli("check-units", ctx.write("m.mdl", bytes(range(256))))


# ---------------------------------------------------------------------------- running


@contextlib.contextmanager
def _env(**values: str):
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@dataclass
class Result:
    number: int
    case: Case
    outcome: str  # good / raw / silent / hang
    error: str
    message: str
    seconds: float


def run_case(ctx: Context, k: int, item: Case, limit: float = LIMIT) -> Result:
    """Run one catalogued case in a fresh folder and judge it."""
    ctx.fresh(k)
    got = attempt(lambda: item.fn(ctx), limit=limit)
    if got.kind in ("raw", "hang"):
        verdict = got.kind
    elif got.kind == "typed":
        verdict = "good"
    elif item.expect == "either" and got.value is None:
        verdict = "good"
    else:
        verdict = "silent"
    error, message = got.error, got.message
    if got.kind == "ok":
        error, message = "(accepted)", str(got.value or "")
    if error == "CLIRefused":
        error, message = _cli_error(message)
    for path, label in [(ctx.root, "<tmp>"), (SHARED.resolve(), "<shared>"), (SHARED, "<shared>"),
                        (REPO, "<repo>")]:
        message = message.replace(str(path), label)
    return Result(k, item, verdict, error, message, got.seconds)


def _cli_error(line: str) -> tuple[str, str]:
    """``sdmodel X: error: Name: text`` -> ("exit 1: Name", line)."""
    if ": usage error: " in line or ": error: argument" in line or "usage:" in line \
            or ": error: " not in line:
        return "exit 2 (usage)", line
    rest = line.split(": error: ", 1)[1]
    name = rest.split(":", 1)[0]
    return (f"exit 1: {name}" if name.endswith(("Error", "Warning")) else "exit 2 (usage)"), line


def run_all(limit: float = LIMIT, only: str | None = None) -> list[Result]:
    """Run every case (or those whose area contains ``only``) in a throw-away folder."""
    results = []
    old_env = {k: os.environ.get(k) for k in ("SDMODEL_OFFLINE", "SDMODEL_CACHE_DIR")}
    with tempfile.TemporaryDirectory(prefix="sdmodel-catalogue-") as tmp:
        root = Path(tmp)
        os.environ["SDMODEL_OFFLINE"] = "1"
        os.environ["SDMODEL_CACHE_DIR"] = str(root / "cache")
        ctx = Context(root)
        try:
            for k, item in enumerate(CASES, 1):
                if only and only not in item.area:
                    continue
                results.append(run_case(ctx, k, item, limit))
        finally:
            for key, value in old_env.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            shutil.rmtree(root, ignore_errors=True)
    return results


def counts(results: list[Result]) -> dict[str, int]:
    out = {"good": 0, "raw": 0, "silent": 0, "hang": 0}
    for r in results:
        out[r.outcome] += 1
    return out


def _cell(text: str, width: int = 220) -> str:
    text = " ".join(str(text).split())
    if len(text) > width:
        text = text[: width - 1] + "…"
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def markdown(results: list[Result], seconds: float) -> str:
    c = counts(results)
    refused = sum(r.case.expect == "error" for r in results)
    lines = [
        "# Safety: the bad-input catalogue",
        "",
        "<!-- generated by `python tests/safety_catalogue.py`; do not edit by hand -->",
        "",
        "Every input below was run for real by `tests/safety_catalogue.py` (each in a fresh "
        "folder, with a private translation cache, offline, under a time limit of "
        f"{LIMIT:g} s). *error* inputs must be refused with a typed error from "
        "`sdmodel.exceptions` (on the command line: exit status 1 or 2 and a one-line "
        "message, no traceback); *either* inputs may be refused or accepted, but an accepted "
        "one must give the right result, which the case checks (a closed form, the saved time "
        "grid, no code run). `tests/test_safety_catalogue.py` runs the catalogue and asserts "
        "the counts.",
        "",
        f"**{len(results)} inputs ({refused} to be refused): {c['good']} good, {c['raw']} raw, "
        f"{c['silent']} silent, {c['hang']} hang** (run time {seconds:.0f} s).",
        "",
        "- *good*: as expected; *raw*: a foreign exception or a traceback; *silent*: accepted "
        "although it should be refused, or a wrong result; *hang*: over the time limit.",
        "",
        "The README's sections *What loading a model does* and *Outputs: complete or absent* "
        "describe the guarantees; the second is tested by `tests/test_kill9.py` and measured "
        "by `benchmarks/kill9.py` (figures below the table).",
        "",
        "| # | area | input | expected | outcome | error | message |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(f"| {r.number} | {r.case.area} | {_cell(r.case.text, 120)} | "
                     f"{r.case.expect} | {r.outcome} | {_cell(r.error, 60)} | "
                     f"{_cell(r.message)} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="print the counts only")
    parser.add_argument("--only", default=None, help="run only areas containing this text")
    parser.add_argument("--out", default=str(REPO / "docs" / "safety.md"))
    args = parser.parse_args(argv)
    start = time.perf_counter()
    results = run_all(only=args.only)
    seconds = time.perf_counter() - start
    for r in results:
        if r.outcome != "good":
            print(f"{r.outcome:6} #{r.number} {r.case.area}: {r.case.text}: {r.error}: "
                  f"{_cell(r.message, 300)}")
    print(counts(results), f"{len(results)} cases, {seconds:.0f} s")
    if not args.check and not args.only:
        out = Path(args.out)
        text = markdown(results, seconds)
        old = out.read_text(encoding="utf-8") if out.exists() else ""
        start, end = "<!-- kill9:start -->", "<!-- kill9:end -->"
        if start in old and end in old:  # benchmarks/kill9.py's section is kept
            text += "\n" + old[old.index(start):old.index(end) + len(end)] + "\n"
        out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
