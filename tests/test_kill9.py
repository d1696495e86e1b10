"""kill -9 while outputs are written: the folder keeps the previous complete set or gets the new
complete set, and the next run leaves no staging folder or temporary file.

A smaller version of ``benchmarks/kill9.py`` (which kills each target 20 times and reports the
figures in docs/safety.md): one kill per target, while its outputs are being written.
"""

from __future__ import annotations

import importlib.util
import sys

import pytest

from conftest import REPO


def _kill9():
    spec = importlib.util.spec_from_file_location("kill9", REPO / "benchmarks" / "kill9.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["kill9"] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.parametrize("target", ["compare", "calibrate", "save", "ensemble"])
def test_kill9_while_writing_leaves_a_complete_set_and_no_leftovers(tmp_path, target):
    kill9 = _kill9()
    tally = kill9.run_target(target, kills=1, seed=16, root=tmp_path, modes=("writing",))
    assert tally.kills == 1
    assert tally.partial == 0, tally.notes
    assert tally.previous_set + tally.new_set == 1, tally.notes
    assert tally.leftovers_after_next == 0, tally.notes
    assert tally.incomplete_next == 0, tally.notes
