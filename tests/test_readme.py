"""The README's Python examples run as written (paths pointed at this checkout)."""

from __future__ import annotations

import re
import warnings

from conftest import MODELS, REPO, SHARED


def test_readme_python_examples_run(tmp_path, monkeypatch):
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 2
    code = "\n".join(blocks)
    code = code.replace('"models/', f'"{MODELS}/').replace('"../shared/', f'"{SHARED}/')
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(code, "README.md", "exec"), namespace)
    assert (tmp_path / "out" / "scenarios.nc").is_file()
    assert namespace["batch"].sizes["run"] == 10_000
    assert namespace["m"].params == {"decay_rate": 0.1}
