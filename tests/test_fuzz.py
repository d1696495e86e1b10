"""A bounded fuzz test of the loaders and the command line: every mutated input ends in
success or a typed :mod:`sdmodel.exceptions` error (for the command line: exit 1 or 2 with a
one-line message, no traceback) within a time limit.

Valid inputs (a Vensim model, an XMILE model, a scenario file, a calibration config, the three
data CSVs, command lines of every sub-command) are mutated with a fixed seed: byte mutations
(flips, insertions of hostile bytes, deletions, duplications, truncation), token mutations
(numbers replaced by NaN, infinities, huge or tiny values; names swapped, tokens dropped or
repeated) and structured ones (values of the wrong type, unknown keys, missing sections, empty
files, symlinks, directories and FIFOs where files are expected). A failure lists each case
that ended otherwise, with the mutation that made it, so it can be replayed.
"""

from __future__ import annotations

import os
import random
import re
import shutil
from pathlib import Path

import pytest

import sdmodel as sd
from conftest import DATA_DIR, MODELS, REPO
from safety_harness import Outcome, attempt, run_cli

SEED = 20261202
LIMIT = 30.0  # seconds of wall time per case (the machine is shared; typical cases take < 1 s)
DATA = REPO / "tests" / "data"
FISHERY = DATA / "fishery.mdl"
FISHERY_SCENARIOS = DATA / "fishery_scenarios.toml"
TEACUP = DATA / "teacup.xmile"
NELSON_PHELPS = MODELS / "validation" / "nelson_phelps.mdl"

CALIBRATION_CONFIG = """\
name = "kor_catch_up"
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
scale = 2.0
index_year = 1990
[[series]]
source = "wdi"
code = "NY.GDP.PCAP.KD"
variable = "technological_capability"
weight = 0.5
[params]
catch_up_rate = {{ value = 0.3, min = 0.0, max = 1.0 }}
initial_frontier = {{ value = 1.0, min = 0.1, max = 3.0 }}
frontier_growth_rate = {{ value = 0.0, vary = false }}
[calibration]
method = "least_squares"
seed = 1
"""

# --- mutations ---

HOSTILE_BYTES = [b"\x00", b"\xff\xfe", b"\xc3\x28", b'"""', b"'''", b"|", b"~", b"{", b"}",
                 b"[", b"]", b"(", b")", b"\n", b"\r", b"\t", b"<", b">", b"&", b"&#0;",
                 b"\\", b"=", b"#", b":", b",", b"__import__('os')", b"\xe2\x80\xae", b"\x1b"]
WEIRD_NUMBERS = ["nan", "NaN", "inf", "-inf", "1e400", "-1e400", "1e308", "1e-320", "0", "-0",
                 "-1", "99999999999999999999999", "0.1e", "1e9", "-1e9", "2**1024", "0x10",
                 "1_000", "+", ".", "1.2.3", ":NA:", "A FUNCTION OF"]
_TOKENS = re.compile(r"\d+\.?\d*(?:[eE][-+]?\d+)?|\w+|\s+|.", re.S)
_NUMBER = re.compile(r"\d")


def byte_mutation(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """One random byte-level change of ``data``; returns (mutated, description)."""
    if not data:
        return rng.choice(HOSTILE_BYTES), "empty + hostile"
    op = rng.choice(["flip", "insert", "delete", "duplicate", "truncate", "hostile"])
    i = rng.randrange(len(data))
    j = min(len(data), i + rng.randint(1, 64))
    if op == "flip":
        return data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1:], f"flip@{i}"
    if op == "insert":
        blob = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        return data[:i] + blob + data[i:], f"insert {blob!r}@{i}"
    if op == "delete":
        return data[:i] + data[j:], f"delete {i}:{j}"
    if op == "duplicate":
        return data[:j] + data[i:j] * rng.randint(2, 50) + data[j:], f"duplicate {i}:{j}"
    if op == "truncate":
        return data[:i], f"truncate@{i}"
    blob = rng.choice(HOSTILE_BYTES)
    return data[:i] + blob + data[i:], f"hostile {blob!r}@{i}"


def token_mutation(rng: random.Random, text: str) -> tuple[str, str]:
    """One random token-level change of ``text``; returns (mutated, description)."""
    tokens = _TOKENS.findall(text)
    if not tokens:
        return rng.choice(WEIRD_NUMBERS), "empty + number"
    solid = [k for k, t in enumerate(tokens) if not t.isspace()]
    numbers = [k for k in solid if _NUMBER.match(tokens[k])]
    op = rng.choice(["number", "number", "swap", "drop", "repeat", "copy"])
    if op == "number" and numbers:
        k = rng.choice(numbers)
        new = rng.choice(WEIRD_NUMBERS)
        desc = f"number {tokens[k]!r}->{new!r}@{k}"
        tokens[k] = new
    elif op == "swap" and len(solid) > 1:
        a, b = rng.sample(solid, 2)
        tokens[a], tokens[b] = tokens[b], tokens[a]
        desc = f"swap {a},{b}"
    elif op == "drop":
        k = rng.choice(solid)
        desc = f"drop {tokens[k]!r}@{k}"
        del tokens[k]
    elif op == "repeat":
        k = rng.choice(solid)
        desc = f"repeat {tokens[k]!r}@{k}"
        tokens.insert(k, tokens[k])
    else:
        a, b = rng.choice(solid), rng.choice(solid)
        desc = f"copy {tokens[a]!r}->{tokens[b]!r}@{b}"
        tokens[b] = tokens[a]
    return "".join(tokens), desc


def number_mutation(rng: random.Random, text: str) -> tuple[str, str]:
    """Replace one or two numbers of ``text``: the model still parses, and runs on odd values."""
    tokens = _TOKENS.findall(text)
    numbers = [k for k, t in enumerate(tokens) if _NUMBER.match(t)]
    steps = []
    for k in rng.sample(numbers, min(len(numbers), rng.randint(1, 2))):
        new = rng.choice(["0", "-0", "1e300", "-1e300", "1e-300", "5e-324", "1e19", "-1",
                          f"{rng.uniform(-1e3, 1e3):.4g}", f"{rng.lognormvariate(0, 6):.4g}"])
        steps.append(f"{tokens[k]!r}->{new!r}@{k}")
        tokens[k] = new
    return "".join(tokens), "numbers " + ", ".join(steps)


def mutate(rng: random.Random, data: bytes, rounds: int = 3) -> tuple[bytes, str]:
    """1 to ``rounds`` byte or token mutations in a row."""
    steps = []
    for _ in range(rng.randint(1, rounds)):
        if rng.random() < 0.5:
            data, desc = byte_mutation(rng, data)
        else:
            text, desc = token_mutation(rng, data.decode("utf-8", "surrogateescape"))
            data = text.encode("utf-8", "surrogateescape")
        steps.append(desc)
    return data, "; ".join(steps)


def special_path(path: Path, kind: str, valid: Path) -> Path:
    """Make ``path`` a ``kind`` of thing where a file is expected (empty, dir, symlinks...)."""
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "dir":
        path.mkdir()
    elif kind == "symlink-to-dir":
        path.symlink_to(path.parent)
    elif kind == "dangling":
        path.symlink_to(path.parent / "nowhere-at-all")
    elif kind == "loop":
        path.symlink_to(path)
    elif kind == "symlink-to-valid":
        path.symlink_to(valid)
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "binary":
        path.write_bytes(bytes(range(256)) * 8)
    elif kind == "utf16":
        path.write_bytes(valid.read_text().encode("utf-16"))
    # "missing": nothing is created
    return path


SPECIAL = ["empty", "dir", "symlink-to-dir", "dangling", "loop", "symlink-to-valid", "fifo",
           "binary", "utf16", "missing"]


def _cases(kind: str, n: int):
    for i in range(n):
        yield i, random.Random(f"{SEED}-{kind}-{i}")


#: How the cases of this module ended, by kind (printed at the end with ``pytest -s``).
TALLY: dict[str, int] = {}


@pytest.fixture(scope="module", autouse=True)
def _print_tally():
    yield
    print(f"\nfuzz cases by outcome: {dict(sorted(TALLY.items()))}")


def _judge(failures: list[str], label: str, outcome: Outcome) -> None:
    TALLY[outcome.kind] = TALLY.get(outcome.kind, 0) + 1
    if outcome.kind in ("raw", "hang"):
        failures.append(f"{label}: {outcome.line()}")


def _report(failures: list[str], total: int) -> str:
    return f"{len(failures)} of {total} cases ended raw or hung:\n" + "\n".join(failures)


@pytest.fixture(autouse=True)
def _offline(monkeypatch, tmp_path):
    """No downloads, and translations of mutated models in a throw-away cache."""
    monkeypatch.setenv("SDMODEL_OFFLINE", "1")
    monkeypatch.setenv("SDMODEL_CACHE_DIR", str(tmp_path / "cache"))


# --- model files (Vensim and XMILE): sd.load, then a short run ---


def _load_and_run(path: Path, cache: Path):
    model = sd.load(path, cache_dir=cache)
    return model.run(final_time=model.time_settings.initial_time + 5)


@pytest.mark.parametrize("valid, n", [(FISHERY, 60), (TEACUP, 40)], ids=["vensim", "xmile"])
def test_fuzz_model_files(tmp_path, valid, n):
    failures: list[str] = []
    base = valid.read_bytes()
    for i, rng in _cases(valid.suffix, n):
        data, desc = mutate(rng, base)
        path = tmp_path / f"case{i}{valid.suffix}"
        path.write_bytes(data)
        _judge(failures, f"{valid.name} #{i} ({desc})",
               attempt(lambda: _load_and_run(path, tmp_path / "cache"), limit=LIMIT))
    for i, rng in _cases(valid.suffix + "-numbers", n // 2):
        text, desc = number_mutation(rng, base.decode())
        path = tmp_path / f"numbers{i}{valid.suffix}"
        path.write_text(text)
        _judge(failures, f"{valid.name} numbers #{i} ({desc})",
               attempt(lambda: _load_and_run(path, tmp_path / "cache"), limit=LIMIT))
    for kind in SPECIAL:
        path = special_path(tmp_path / f"special-{kind}{valid.suffix}", kind, valid)
        _judge(failures, f"{valid.name} special {kind}",
               attempt(lambda: _load_and_run(path, tmp_path / "cache"), limit=LIMIT))
    assert not failures, _report(failures, n + n // 2 + len(SPECIAL))


# --- scenario files: load, validate against the fishery model, run, compare ---


SCENARIO_EDITS = [
    ("quota_reduction = 0.3", "quota_reduction = nan"),
    ("quota_reduction = 0.3", "quota_reduction = inf"),
    ("quota_reduction = 0.3", "quota_reduction = 1e400"),
    ("quota_reduction = 0.3", "quota_reduction = 170141183460469231731687303715884105727"),
    ("quota_reduction = 0.3", 'quota_reduction = "0.3"'),
    ("quota_reduction = 0.3", "quota_reduction = [0.3, 0.4]"),
    ("quota_reduction = 0.3", "quota_reduction = {time = [0, 1], values = [1]}"),
    ("quota_reduction = 0.3", "quota_reduction = {time = [1, 0], values = [1, 2]}"),
    ("quota_reduction = 0.3", "quota_reduction = 1979-05-27"),
    ("quota_reduction = 0.3", "quota_redution = 0.3"),
    ('inherits = "open_access"', "inherits = 3"),
    ('inherits = "open_access"', 'inherits = "early_quota"'),
    ('baseline = "open_access"', "baseline = 1"),
    ('baseline = "open_access"', 'baseline = "closed"'),
    ('reduce = "trough"', 'reduce = "median"'),
    ("year = 50", "year = 5000"),
    ("year = 50", "year = nan"),
    ("rate = 0.05", "rate = -1.5"),
    ("rate = 0.05", "rate = inf"),
    ("start = 0\nend = 50", "start = 50\nend = 0"),
    ('variable = "fish"', 'variable = "fsh"'),
    ('variable = "fish"', "variable = 7"),
    ("[metrics.fleet_peak]", "[metrics]"),
    ("[window]", "[windw]"),
    ("shares = [0.1, 0.3, 0.5]", "shares = []"),
    ("shares = [0.1, 0.3, 0.5]", "shares = [nan]"),
    ("[early_quota]", "[early_quota.sub]"),
    ("[open_access]", "[open_access]\nabstract = true"),
    ("[open_access]", '[open_access]\nabstract = "yes"'),
    ("[open_access]", "[open_access]\ndescription = 5"),
]


def _scenarios_pipeline(path: Path, model) -> object:
    scenarios = sd.load_scenarios(path)
    sd.scenarios.validate_scenarios(model, scenarios)
    ds = sd.run_scenarios(model, scenarios, final_time=60, progress=False)
    baseline = scenarios.baseline or next(iter(scenarios))
    return sd.metrics.compare(ds, baseline=baseline, metrics=list(scenarios.metrics.values()))


def test_fuzz_scenario_files(tmp_path):
    model = sd.load(FISHERY, cache_dir=tmp_path / "cache")
    base = FISHERY_SCENARIOS.read_text()
    failures: list[str] = []
    n = 80
    for i, rng in _cases("scenarios", n):
        data, desc = mutate(rng, base.encode())
        path = tmp_path / f"case{i}.toml"
        path.write_bytes(data)
        _judge(failures, f"scenarios #{i} ({desc})",
               attempt(lambda: _scenarios_pipeline(path, model), limit=LIMIT))
    for k, (old, new) in enumerate(SCENARIO_EDITS):
        assert old in base, old
        path = tmp_path / f"edit{k}.toml"
        path.write_text(base.replace(old, new, 1))
        _judge(failures, f"scenarios edit {old!r} -> {new!r}",
               attempt(lambda: _scenarios_pipeline(path, model), limit=LIMIT))
    for kind in SPECIAL:
        path = special_path(tmp_path / f"special-{kind}.toml", kind, FISHERY_SCENARIOS)
        _judge(failures, f"scenarios special {kind}",
               attempt(lambda: _scenarios_pipeline(path, model), limit=LIMIT))
    assert not failures, _report(failures, n + len(SCENARIO_EDITS) + len(SPECIAL))


# --- calibration configs: load, read the series, a few evaluations of the fit ---


CONFIG_EDITS = [
    ('name = "kor_catch_up"', 'name = "../../escape"'),
    ('name = "kor_catch_up"', "name = 5"),
    ('path = "', 'path = "/nonexistent'),
    ('country = "KOR"', 'country = "../KOR"'),
    ('country = "KOR"', "country = 410"),
    ('country = "KOR"', 'country = "ATL"'),
    ("start = 1990\nend = 2019", "start = 2019\nend = 1990"),
    ("start = 1990", "start = nan"),
    ("start = 1990", 'start = "1990"'),
    ("end = 2019\ndir", "end = 1e400\ndir"),
    ("initial_time = 1990", "initial_time = inf"),
    ("final_time = 2019", "final_time = 1e12"),
    ('code = "ctfp"', 'code = "tfp"'),
    ('code = "ctfp"', "code = 1"),
    ('source = "pwt"', 'source = "imf"'),
    ("scale = 2.0", "scale = nan"),
    ("scale = 2.0", "scale = 0"),
    ("scale = 2.0", 'scale = "2"'),
    ("index_year = 1990", "index_year = 1990.5"),
    ("index_year = 1990", "index_year = 1800"),
    ("weight = 0.5", "weight = -1"),
    ("weight = 0.5", "weight = inf"),
    ('variable = "technological_capability"', 'variable = "technological_capabilty"'),
    ('variable = "technological_capability"', 'variable = "1 / (technological_capability"'),
    ('variable = "technological_capability"', 'variable = "__import__(\'os\').getcwd()"'),
    ("min = 0.0, max = 1.0", "min = 1.0, max = 0.0"),
    ("min = 0.0, max = 1.0", "min = nan, max = 1.0"),
    ("value = 0.3", "value = 7"),
    ("value = 0.3", 'value = "x"'),
    ("vary = false", 'vary = "no"'),
    ("catch_up_rate = {", "catch_up_ratee = {"),
    ("catch_up_rate = {", "world_frontier = {"),
    ('method = "least_squares"', 'method = "bfgs"'),
    ('method = "least_squares"', "method = 3"),
    ("seed = 1", "seed = -1"),
    ("seed = 1", 'seed = "one"'),
    ("seed = 1", "seed = 1.5"),
    ("seed = 1", "seed = 1\noptions = { max_nfev = -3 }"),
    ("seed = 1", "seed = 1\noptions = 5"),
    ("seed = 1", "seed = 1\npolish = \"no\""),
    ("seed = 1", "seed = 1\nmultistart = 0"),
    ("seed = 1", "seed = 1\nworkers = -2"),
    ("seed = 1", "seed = 1\nnormalize = \"sd\""),
    ("seed = 1", "seed = 1\ntransform = \"log2\""),
    ("seed = 1", "seed = 1\nengine = \"gpu\""),
    ("seed = 1", "seed = 1\nprofile = 3"),
    ("seed = 1", "seed = 1\ncolour = 3"),
    ("[calibration]", "[calibraton]"),
    ("[params]", "[prams]"),
    ("[[series]]", "[series]"),
]


class _Enough(Exception):
    """Not raised: the callback returns True to stop after a few evaluations."""


def _calibration_pipeline(path: Path):
    from sdmodel.calibration.config import load_config, observed_from_config

    cfg = load_config(path)
    model = sd.load(cfg.model_path)
    observed, keywords = observed_from_config(cfg)
    return sd.calibrate(model, observed, cfg.params, initial_time=cfg.initial_time,
                        final_time=cfg.final_time, progress=False,
                        callback=lambda params, chisqr, nfev: nfev >= 3,
                        **keywords, **cfg.calibration)


def test_fuzz_calibration_configs(tmp_path):
    base = CALIBRATION_CONFIG.format(model=NELSON_PHELPS, data=DATA_DIR)
    failures: list[str] = []
    n = 60
    for i, rng in _cases("calibration", n):
        data, desc = mutate(rng, base.encode())
        path = tmp_path / f"case{i}.toml"
        path.write_bytes(data)
        _judge(failures, f"config #{i} ({desc})", attempt(lambda: _calibration_pipeline(path),
                                                          limit=LIMIT))
    for k, (old, new) in enumerate(CONFIG_EDITS):
        assert old in base, old
        path = tmp_path / f"edit{k}.toml"
        path.write_text(base.replace(old, new, 1))
        _judge(failures, f"config edit {old!r} -> {new!r}",
               attempt(lambda: _calibration_pipeline(path), limit=LIMIT))
    valid = tmp_path / "valid.toml"
    valid.write_text(base)
    for kind in SPECIAL:
        path = special_path(tmp_path / f"special-{kind}.toml", kind, valid)
        _judge(failures, f"config special {kind}",
               attempt(lambda: _calibration_pipeline(path), limit=LIMIT))
    assert not failures, _report(failures, n + len(CONFIG_EDITS) + len(SPECIAL))


# --- data CSVs: a small valid copy of each file, mutated, read by its loader ---


def _small_data(folder: Path) -> dict[str, bytes]:
    """Heads of the shared CSVs that still answer the loaders' requests below."""
    keep = {"wdi.csv": lambda line: line.startswith(("country", "KOR,")),
            "pwt.csv": lambda line: line.startswith(("country", "KOR,")),
            "commodity_prices.csv": lambda line: True}
    out = {}
    for name, wanted in keep.items():
        lines = [ln for ln in (DATA_DIR / name).read_text().splitlines(keepends=True) if wanted(ln)]
        out[name] = "".join(lines[:400]).encode()
    folder.mkdir(parents=True, exist_ok=True)
    return out


_READERS = {
    "wdi.csv": lambda d: sd.data.load_wdi("NY.GDP.PCAP.KD", "KOR", data_dir=d, download=False),
    "pwt.csv": lambda d: sd.data.load_pwt("ctfp", "KOR", data_dir=d, download=False),
    "commodity_prices.csv": lambda d: sd.data.load_commodity_prices("copper_usd_t", data_dir=d,
                                                                    download=False),
}


def test_fuzz_data_csv(tmp_path):
    bases = _small_data(tmp_path)
    failures: list[str] = []
    n = 30
    total = 0
    for name, base in bases.items():
        for i, rng in _cases(name, n):
            folder = tmp_path / f"{name}-{i}"
            folder.mkdir()
            for other, content in bases.items():
                (folder / other).write_bytes(content)
            data, desc = mutate(rng, base)
            (folder / name).write_bytes(data)
            _judge(failures, f"{name} #{i} ({desc})",
                   attempt(lambda: _READERS[name](folder), limit=LIMIT))
            total += 1
        for kind in SPECIAL:
            folder = tmp_path / f"{name}-{kind}"
            folder.mkdir()
            for other, content in bases.items():
                if other != name:
                    (folder / other).write_bytes(content)
            valid = tmp_path / f"valid-{name}"
            valid.write_bytes(base)
            special_path(folder / name, kind, valid)
            _judge(failures, f"{name} special {kind}",
                   attempt(lambda: _READERS[name](folder), limit=LIMIT))
            total += 1
    assert not failures, _report(failures, total)


# --- command lines: valid vectors of each sub-command with one or two tokens changed ---


WEIRD_ARGS = ["nan", "inf", "-inf", "1e400", "-1", "0", "1e9", "", " ", "x", "--", "-",
              "\u00e9\u00e8", "a" * 3000, "1e-300", "2:1", "0:1e9:1e-9", "0:60:0", "::",
              "1:2:-1", "=", "catch_up_rate=inf", "catch_up_rate=nan", "quota_reduction=1e400",
              "--help", "--version", "--final-time", "--set", "--out", "--nope"]


def _argvs(tmp: Path) -> list[list[str]]:
    scen = str(FISHERY_SCENARIOS)
    cfg = tmp / "cfg.toml"
    cfg.write_text(CALIBRATION_CONFIG.format(model=NELSON_PHELPS, data=DATA_DIR)
                   + "options = { max_nfev = 6 }\n")
    return [
        ["run", str(NELSON_PHELPS), "--set", "catch_up_rate=0.2", "--final-time", "20"],
        ["run", str(FISHERY), "--final-time", "30", "--out", str(tmp / "run.nc")],
        ["check-units", str(NELSON_PHELPS)],
        ["compare", str(FISHERY), "--scenarios", scen, "--final-time", "40", "--out",
         str(tmp / "cmp"), "--no-progress"],
        ["window", str(FISHERY), "--scenarios", scen, "--start-years", "0:60:30", "--shares",
         "0.1", "0.5", "--out", str(tmp / "win")],
        ["calibrate", str(cfg), "--out", str(tmp / "cal"), "--no-progress"],
    ]


def test_fuzz_command_line(tmp_path):
    paths = {kind: str(special_path(tmp_path / f"special-{kind}{suffix}", kind, FISHERY))
             for kind, suffix in [("dir", ".mdl"), ("fifo", ".toml"), ("empty", ".toml"),
                                  ("dangling", ".mdl"), ("binary", ".nc"), ("missing", ".mdl")]}
    pool = WEIRD_ARGS + list(paths.values()) + ["/dev/null", "/", str(tmp_path / "cmp")]
    vectors = _argvs(tmp_path)
    failures: list[str] = []
    n = 120
    for i, rng in _cases("cli", n):
        argv = list(vectors[i % len(vectors)])
        steps = []
        for _ in range(rng.randint(1, 2)):
            op = rng.choice(["replace", "replace", "drop", "insert", "repeat"])
            k = rng.randrange(len(argv))
            if op == "replace":
                argv[k] = rng.choice(pool)
            elif op == "drop" and len(argv) > 1:
                del argv[k]
            elif op == "insert":
                argv.insert(k, rng.choice(pool))
            else:
                argv.insert(k, argv[k])
            steps.append(f"{op}@{k}")
        outcome = run_cli(argv, limit=LIMIT)
        _judge(failures, f"cli #{i} {argv!r} ({'; '.join(steps)})", outcome)
    assert not failures, _report(failures, n)
    shutil.rmtree(tmp_path, ignore_errors=True)


# --- defects the fuzzer found, pinned ---


def test_fifo_as_scenario_file_is_refused_not_waited_on(tmp_path):
    fifo = tmp_path / "s.toml"
    os.mkfifo(fifo)
    outcome = attempt(lambda: sd.load_scenarios(fifo), limit=10)
    assert outcome.kind == "typed" and outcome.error == "ScenarioError", outcome.line()
    assert "is not a regular file" in outcome.message


def test_fifo_as_calibration_config_is_refused_not_waited_on(tmp_path):
    from sdmodel.calibration.config import load_config

    fifo = tmp_path / "c.toml"
    os.mkfifo(fifo)
    outcome = attempt(lambda: load_config(fifo), limit=10)
    assert outcome.kind == "typed" and outcome.error == "CalibrationError", outcome.line()
    assert "is not a regular file" in outcome.message


@pytest.mark.parametrize("argv", [
    ["run", str(NELSON_PHELPS), "--set", "catch_up_rate=inf"],
    ["window", str(FISHERY), "--scenarios", str(FISHERY_SCENARIOS), "--start-years",
     "0:1e9:1e-9", "--out", "{tmp}/w"],
    ["compare", str(FISHERY), "--scenarios", "{tmp}/fifo.toml", "--out", "{tmp}/c"],
])
def test_console_script_prints_one_line_and_no_traceback(tmp_path, argv):
    """The installed ``sdmodel`` script, as a shell runs it: exit 1, one line on stderr."""
    import subprocess
    import sys

    os.mkfifo(tmp_path / "fifo.toml")
    script = Path(sys.executable).parent / "sdmodel"
    proc = subprocess.run([str(script)] + [a.format(tmp=tmp_path) for a in argv],
                          capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, PYTHONWARNINGS="ignore"))
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"sdmodel {argv[0]}: error: "), proc.stderr
