"""Stateful constructs (INTEG, SMOOTH, DELAY, TREND, ...) for the batch compiler.

Each kind says which of its arguments are needed at initialisation, during the run, or both
(as PySD's builders record their "initial" and "step" dependencies), and gives the source
lines that initialise its state, compute its output and advance it by one Euler step. The
arithmetic follows ``pysd.py_backend.statefuls`` operation by operation.

Examples
--------
>>> KINDS["integ"].step_args
('flow',)
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Kind", "KINDS"]


@dataclass(frozen=True)
class Kind:
    """How one stateful construct is initialised, read and advanced.

    Templates use ``{s}`` for the state key, ``{a_<arg>}`` for the argument variables during
    evaluation and ``{v_<arg>}`` for the same values read from the evaluated dict ``V`` in the
    update function; ``{int_init}`` is the source of a flag telling whether PySD would hold
    the state in an integer array (see :func:`sdmodel.batch.runtime.smooth_step`).
    """

    init_args: tuple[str, ...]
    both_args: tuple[str, ...]
    step_args: tuple[str, ...]
    init: tuple[str, ...]
    output: str
    update: tuple[str, ...]


_FULL = "_rt.full({a_initial}, _N)"

KINDS: dict[str, Kind] = {
    "integ": Kind(
        ("initial",), (), ("flow",),
        (f"_S['{{s}}'] = {_FULL}",),
        "_S['{s}']",
        ("_S2['{s}'] = _S['{s}'] + {v_flow} * dt",),
    ),
    "integ_nonneg": Kind(
        ("initial",), (), ("flow",),
        (f"_S['{{s}}'] = {_FULL}",),
        "_S['{s}']",
        ("_S2['{s}'] = np.maximum(_S['{s}'] + {v_flow} * dt, 0)",),
    ),
    "initial": Kind(
        ("initial",), (), (),
        (f"_S['{{s}}'] = {_FULL}",),
        "_S['{s}']",
        (),
    ),
    "smooth": Kind(
        ("initial", "order"), (), ("input", "smooth_time"),
        (
            "_S['{s}_order'] = _rt.chain_order({a_order}, {name!r})",
            f"_S['{{s}}'] = np.stack([{_FULL}] * _S['{{s}}_order'])",
            "_S['{s}_int'] = {int_init}",
        ),
        "_S['{s}'][-1]",
        ("_S2['{s}'] = _rt.smooth_step(_S['{s}'], {v_input}, {v_smooth_time}, "
         "_S['{s}_order'], dt, _S['{s}_int'])",
         "_S2['{s}_int'] = False"),
    ),
    "delay": Kind(
        ("initial", "order"), ("delay_time",), ("input",),
        (
            "_S['{s}_order'] = _rt.delay_order({a_order}, {a_delay_time}, time_step, {name!r})",
            "_S['{s}'] = np.stack([_rt.full({a_initial} * {a_delay_time}, _N)]"
            " * _S['{s}_order'])",
        ),
        "_S['{s}'][-1] / {a_delay_time}",
        ("_S2['{s}'] = _rt.delay_step(_S['{s}'], {v_input}, {v_delay_time}, "
         "_S['{s}_order'], dt)",),
    ),
    "delayn": Kind(
        ("initial", "order"), ("delay_time",), ("input",),
        (
            "_S['{s}_order'] = _rt.delay_order({a_order}, {a_delay_time}, time_step, {name!r})",
            "_S['{s}'] = np.stack([_rt.full({a_initial} * {a_delay_time}, _N)]"
            " * _S['{s}_order'])",
            "_S['{s}_times'] = np.stack([_rt.full({a_delay_time}, _N)] * _S['{s}_order'])",
        ),
        "_S['{s}'][-1] / _S['{s}_times'][0]",
        ("_S2['{s}'], _S2['{s}_times'] = _rt.delayn_step(_S['{s}'], _S['{s}_times'], "
         "{v_input}, {v_delay_time}, _S['{s}_order'], dt)",),
    ),
    "delayfixed": Kind(
        ("initial", "delay_time"), (), ("input",),
        (
            "_S['{s}_order'] = _rt.fixed_delay_order({a_delay_time}, time_step, {name!r})",
            f"_S['{{s}}'] = {_FULL}",
            "_S['{s}_pipe'] = np.stack([_S['{s}']] * _S['{s}_order'])",
            "_S['{s}_ptr'] = 0",
        ),
        "_S['{s}']",
        (
            "_S2['{s}_pipe'], _S2['{s}_ptr'] = _rt.fixed_delay_step(_S['{s}_pipe'], "
            "_S['{s}_ptr'], {v_input})",
            "_S2['{s}'] = _S2['{s}_pipe'][_S2['{s}_ptr']]",
        ),
    ),
    "trend": Kind(
        ("initial_trend",), ("input", "average_time"), (),
        ("_S['{s}'] = _rt.full({a_input} / (1 + {a_initial_trend} * {a_average_time}), _N)",),
        "_rt.zidz({a_input} - _S['{s}'], {a_average_time} * np.abs(_S['{s}']))",
        ("_S2['{s}'] = _S['{s}'] + ({v_input} - _S['{s}']) / {v_average_time} * dt",),
    ),
    "forecast": Kind(
        ("initial_trend",), ("input", "average_time", "horizon"), (),
        ("_S['{s}'] = _rt.full({a_input} / (1 + {a_initial_trend}), _N)",),
        "{a_input} * (1 + _rt.zidz({a_input} - _S['{s}'], {a_average_time} * _S['{s}'])"
        " * {a_horizon})",
        ("_S2['{s}'] = _S['{s}'] + ({v_input} - _S['{s}']) / {v_average_time} * dt",),
    ),
    "sampleiftrue": Kind(
        ("initial",), ("condition", "input"), (),
        (f"_S['{{s}}'] = {_FULL}",),
        "np.where({a_condition}, {a_input}, _S['{s}'])",
        ("_S2['{s}'] = _S['{s}'] * 0 + np.where({v_condition}, {v_input}, _S['{s}'])",),
    ),
}
