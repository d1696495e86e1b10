"""Model files never run code: hostile comments, names, units and docs in .mdl and XMILE files."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import sdmodel as sd
from sdmodel._generated_code import audit_module
from sdmodel.exceptions import TranslationError

CONTROLS = """
INITIAL TIME  = 0
	~	Year
	~	|
FINAL TIME  = 4
	~	Year
	~	|
SAVEPER  = 1
	~	Year
	~	|
TIME STEP  = 1
	~	Year
	~	|
"""


def _payload(marker: Path) -> str:
    return f"__import__('os').system('touch {marker}')"


def _mdl(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "hostile.mdl"
    path.write_text("{UTF-8}\n" + textwrap.dedent(body) + CONTROLS, encoding="utf-8")
    return path


def _load_and_run(path: Path, tmp_path: Path):
    model = sd.load(path, cache_dir=tmp_path / "cache")
    model.run(final_time=2)
    again = sd.load(path, cache_dir=tmp_path / "cache")  # and from the cache
    again.run(final_time=2)
    return model


@pytest.mark.parametrize("quote", ['"""', '""""', "'''", '"'])
def test_mdl_comment_closing_the_docstring_runs_nothing(tmp_path, quote):
    marker = tmp_path / "MARKER"
    path = _mdl(tmp_path, f"""
        stock= INTEG (inflow, 1)
        	~	Dmnl
        	~	Doc {quote}; {_payload(marker)}; {quote} end
        	|

        inflow= 0.1 * stock
        	~	Dmnl/Year
        	~	{quote}
        	|
        """)
    model = _load_and_run(path, tmp_path)
    assert not marker.exists()
    assert model.run(final_time=2)["stock"].values[-1] == pytest.approx(1.1**2)
    doc = model.abstract_model.sections[0].elements[0].documentation
    assert _payload(marker) in doc and '"""' not in doc  # text kept, quotes made harmless


def test_mdl_units_and_names_with_payloads_run_nothing(tmp_path):
    marker = tmp_path / "MARKER"
    path = _mdl(tmp_path, f"""
        rate= 0.1
        	~	1/Year'); {_payload(marker)}; ('
        	~	units carry the payload
        	|

        "odd'); {_payload(marker)}; ('"= 2
        	~	Dmnl
        	~	the name carries the payload
        	|

        "back\\\\slash \\"quoted\\" name"= 3
        	~	Dmnl
        	~	|
        """)
    try:
        _load_and_run(path, tmp_path)
    except TranslationError:
        pass  # refusing is as good as neutralising; running the payload is not
    assert not marker.exists()


def test_xmile_doc_name_and_units_with_payloads_run_nothing(tmp_path):
    marker = tmp_path / "MARKER"
    p = _payload(marker).replace("'", "&apos;")
    path = tmp_path / "hostile.xmile"
    path.write_text(f"""<?xml version="1.0" encoding="utf-8"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
  <header><vendor>t</vendor><product version="1">t</product></header>
  <sim_specs method="Euler" time_units="Year"><start>0</start><stop>4</stop><dt>1</dt></sim_specs>
  <model><variables>
    <stock name="Level"><eqn>1</eqn><inflow>Growth</inflow><units>Dmnl&apos;); {p}; (&apos;</units>
      <doc>&quot;&quot;&quot;; {p}; &quot;&quot;&quot;</doc></stock>
    <flow name="Growth"><eqn>0.5</eqn><units>Dmnl/Year</units><doc>&quot;&quot;&quot;
{p}
&quot;&quot;&quot;</doc></flow>
  </variables></model>
</xmile>
""", encoding="utf-8")
    model = _load_and_run(path, tmp_path)
    assert not marker.exists()
    assert model.run(final_time=2)["level"].values[-1] == pytest.approx(2.0)


@pytest.mark.parametrize("code", [
    "__import__('os').system('true')",
    "import os",
    "def f():\n    import os\n",
    "x = open('/etc/passwd')",
    "x = (1).__class__",
    "from pathlib import Path\nPath(__file__).write_text('x')",
    "exec('1')",
    "from os import system",
    "class A:\n    pass\n",
    "def f():\n    return getattr(f, 'x')\n",
])
def test_audit_refuses_code_pysd_never_generates(tmp_path, code):
    path = tmp_path / "model.py"
    path.write_text(code + "\n", encoding="utf-8")
    with pytest.raises(TranslationError, match="refusing to import code"):
        audit_module(path)


def test_audit_accepts_every_module_pysd_wrote_for_the_reference_model(tmp_path):
    from conftest import MODELS

    for mdl in sorted(MODELS.rglob("*.mdl"))[:6]:
        translation = sd.translate(mdl, cache_dir=tmp_path)
        audit_module(translation.module)  # translate audited it already; this one must pass
