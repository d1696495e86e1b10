"""Every XMILE/Stella case of ``../shared/test-models-xmile`` through both engines.

Each case is a ``.xmile`` or ``.stmx`` translation of a SDXorg test model with the
collection's canonical output (written by Vensim or Stella). The PySD path (``model.run``)
and the batch engine (``model.run_batch``, numpy and fused backends) are compared with it at
rtol = atol = 1e-5, constants filled down, as PySD's own suite does; the batch engine must
also equal ``model.run`` to 1e-9. Canonical columns naming variables an XMILE translation
does not define (helper variables of the Vensim original) are skipped, but every case must
compare at least one column. Cases that cannot pass are ``xfail(strict=True)`` with the
reason, so a PySD upgrade that fixes one shows up as an unexpected pass.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import sdmodel as sd
from sdmodel.canonical import compare_with_canonical, dataset_columns, find_canonical, read_canonical
from sdmodel.exceptions import UnsupportedConstructError

from conftest import SHARED

XMILE_MODELS = SHARED / "test-models-xmile"
SUFFIXES = (".xmile", ".stmx", ".xml")

_SUBSCRIPTS = ("PySD's XMILE translator has no arrays: it cannot parse subscripted equations "
               "(ParseError at the subscript)")
_MACROS = "PySD's XMILE translator has no macros (<macro>): IncompleteParseError at the call"
#: Cases that cannot match their canonical output, and why (see docs/pysd-limitations.md).
KNOWN_FAILURES = {
    "active_initial__test_active_initial_stmx": (
        "the XMILE file drops the Vensim original's ACTIVE INITIAL(..., 45): by the file's own "
        "equations Stock A starts at Value A = TIME = 0, the canonical output (Vensim) at 45"),
    "logicals__test_logicals_stmx": (
        "the file writes a postfix 'false_input not', which is not XMILE; PySD refuses it"),
    "lookups__test_lookups_stmx": (
        "PySD's XMILE translator fails on this file's <gf> tables (it builds a "
        "LookupsStructure without its points)"),
    "macro_expression__test_macro_expression_stmx": _MACROS,
    "macro_expression__test_macro_expression_xmile": _MACROS,
    "macro_multi_macros__test_macro_multi_macros_stmx": _MACROS,
    "macro_multi_macros__test_macro_multi_macros_xmile": _MACROS,
    **{name: _SUBSCRIPTS for name in (
        "subscript_1d_arrays__test_subscript_1d_arrays_stmx",
        "subscript_1d_arrays__test_subscript_1d_arrays_xmile",
        "subscript_constant_call__test_subscript_constant_call_stmx",
        "subscript_constant_call__test_subscript_constant_call_xmile",
        "subscript_mixed_assembly__test_subscript_mixed_assembly_stmx",
        "subscript_mixed_assembly__test_subscript_mixed_assembly_xmile",
        "subscript_multiples__test_multiple_subscripts_stmx",
        "subscript_multiples__test_multiple_subscripts_xmile",
        "subscript_updimensioning__test_subscript_updimensioning_stmx",
        "subscript_updimensioning__test_subscript_updimensioning_xmile",
        "subscripted_flows__test_subscripted_flows_stmx",
        "subscripted_flows__test_subscripted_flows_xmile",
    )},
}
KNOWN_FAILURES["active_initial__test_active_initial_xmile"] = \
    KNOWN_FAILURES["active_initial__test_active_initial_stmx"]
#: Cases the fused backend refuses (it compiles unsubscripted models only); numpy runs them.
FUSED_REFUSES = {
    "subscript_individually_defined_1d_arrays__subscript_individually_defined_1d_arrays_stmx",
    "subscript_individually_defined_1d_arrays__subscript_individually_defined_1d_arrays_xmile",
    "subscripted_trig__test_subscripted_trig_xmile",
}


def _cases():
    if not XMILE_MODELS.is_dir():
        return []
    params = []
    for folder in sorted(p for p in XMILE_MODELS.iterdir() if p.is_dir()):
        files = sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES)
        if not files:
            continue
        marks = []
        if folder.name in KNOWN_FAILURES:
            marks.append(pytest.mark.xfail(reason=KNOWN_FAILURES[folder.name], strict=True))
        params.append(pytest.param(files[0], id=folder.name, marks=marks))
    return params


CASES = _cases()


def test_collection_is_complete():
    assert len(CASES) >= 60, f"only {len(CASES)} XMILE cases found in {XMILE_MODELS}"


def test_every_known_failure_is_a_case():
    names = {p.id for p in CASES}
    assert set(KNOWN_FAILURES) <= names and FUSED_REFUSES <= names


def _load_and_run(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = sd.load(path)
        return model, model.run()


def _check(ds, canon, model, path):
    compared = dataset_columns(ds, model, canon.columns, missing="skip").columns
    assert len(compared) >= 1, f"{path.name}: no canonical column names a model variable"
    problems = compare_with_canonical(ds, canon, model, rtol=1e-5, atol=1e-5, missing="skip")
    assert not problems, f"{len(problems)} of {len(compared)} columns differ: " + \
        "; ".join(problems[:5])


@pytest.mark.parametrize("path", CASES)
def test_pysd_path_matches_canonical_output(path):
    canon = read_canonical(find_canonical(path))
    model, ds = _load_and_run(path)
    _check(ds, canon, model, path)
    assert not path.with_suffix(".py").exists()  # nothing written beside the model


@pytest.mark.parametrize("path", CASES)
def test_batch_engine_matches_canonical_output_and_model_run(path):
    canon = read_canonical(find_canonical(path))
    model, ref = _load_and_run(path)
    engines = ["numpy"] if path.parent.name in FUSED_REFUSES else ["numpy", "fused"]
    if path.parent.name in FUSED_REFUSES:
        with pytest.raises(UnsupportedConstructError, match="subscript"):
            model.run_batch(n_runs=1, engine="fused")
    for engine in engines:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            batch = model.run_batch(n_runs=2, engine=engine)
        compared = 0
        for name in ref.data_vars:
            if name in batch:
                np.testing.assert_allclose(batch[name].isel(run=1).values, ref[name].values,
                                           rtol=1e-9, atol=1e-12, err_msg=f"{engine}: {name}")
                compared += 1
        assert compared >= 1
        _check(batch.isel(run=0), canon, model, path)
