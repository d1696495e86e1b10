"""The explorer's model side: what the page shows of a model, and the runs behind each redraw.

An :class:`Explorer` wraps a loaded model and its scenario file. It describes the model to the
page (levers, other constants with their documented ranges and units, outputs, presets,
metrics) and answers a :class:`State` (the page's settings) with one ``run_batch`` call: run 0
is the baseline scenario, run 1 the current settings and, with the uncertainty switch on, runs
2.. a Latin-hypercube sample of the constants that have a documented range and that the state
does not fix (levers and constants the user set), each drawn at the current settings.

Examples
--------
>>> import sdmodel as sd
>>> from sdmodel.explorer.session import Explorer, State
>>> ex = Explorer(sd.load("tests/data/fishery.mdl"), "tests/data/fishery_scenarios.toml")  # doctest: +SKIP
>>> out = ex.run(State(params={"quota_reduction": 0.3}, outputs=("fish",)))                  # doctest: +SKIP
>>> out["metrics"][0]["name"]                                                               # doctest: +SKIP
'fish_trough'
"""

from __future__ import annotations

from functools import cached_property

import math
import threading
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ..exceptions import AnalysisError, ParameterError, ScenarioError, suggest
from ..metrics import MetricSpec, defaults_for
from ..model import CONTROL_VARIABLES
from ..analysis.window import resolve_scenarios
from ..scenarios import validate_scenarios

__all__ = ["Explorer", "State", "PERCENTILES", "DEFAULT_BAND_RUNS", "MAX_OUTPUTS"]

#: The percentiles of the uncertainty bands (lower edge, median, upper edge).
PERCENTILES = (5.0, 50.0, 95.0)
#: Runs of the uncertainty bands unless the server is started with another number.
DEFAULT_BAND_RUNS = 200
#: Charts drawn at once (each output costs a chart and a column of every run).
MAX_OUTPUTS = 12
#: Charts shown when the state names none.
_DEFAULT_CHARTS = 4
#: Cells of a window axis when the scenario file's [window] table gives none.
_DEFAULT_AXIS = 7


@dataclass(frozen=True)
class State:
    """The page's settings: parameter values, charted outputs and the uncertainty switch.

    Parameters
    ----------
    params : mapping
        ``{python name: value}`` of the constants that differ from the model's defaults.
    outputs : sequence of str
        Variables to chart (empty: the explorer's default charts).
    bands : bool
        Whether to add the uncertainty bands.
    """

    params: Mapping[str, float] = field(default_factory=dict)
    outputs: Sequence[str] = ()
    bands: bool = False


def _finite(value) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def _percentiles(values: np.ndarray, q) -> np.ndarray:
    """Percentiles over axis 0, skipping NaN (numpy's slow NaN path only when there is one)."""
    return (np.nanpercentile if np.isnan(values).any() else np.percentile)(values, q, axis=0)


def _floats(values) -> list[float | None]:
    """A list for JSON: NaN and infinities become ``None``."""
    return [x if math.isfinite(x) else None for x in np.asarray(values, dtype=float).tolist()]


class Explorer:
    """A model, its scenarios and metrics, answering the page's requests.

    Parameters
    ----------
    model : sdmodel.Model
    scenarios : path, mapping or None, optional
        A scenario TOML file or ``{name: {parameter: value}}``; default: ``scenarios.toml``
        beside the model file, if any.
    band_runs : int, optional
        Runs of the uncertainty bands (default :data:`DEFAULT_BAND_RUNS`).
    seed : int, optional
        Seed of the bands' Latin-hypercube sample; the same sample serves every redraw, so the
        bands move only with the settings.

    Raises
    ------
    ScenarioError
        The scenario file is unreadable or names parameters the model lacks.
    AnalysisError
        ``band_runs`` is not a positive integer.

    Examples
    --------
    >>> ex = Explorer(sd.load("tests/data/fishery.mdl"))   # doctest: +SKIP
    >>> [lever["name"] for lever in ex.describe()["levers"]]   # doctest: +SKIP
    ['quota_reduction', 'quota_start_time']
    """

    def __init__(self, model, scenarios=None, *, band_runs: int = DEFAULT_BAND_RUNS,
                 seed: int = 1):
        if isinstance(band_runs, bool) or not isinstance(band_runs, int) or band_runs < 2:
            raise AnalysisError(f"band_runs must be an integer of at least 2, got {band_runs!r}")
        self.model = model
        self.band_runs = band_runs
        self.seed = seed
        self._lock = threading.Lock()
        resolved = resolve_scenarios(model, scenarios)
        self.scenarios: dict[str, dict[str, Any]] = (
            validate_scenarios(model, resolved) if resolved else {})
        self._descriptions = dict(getattr(resolved, "descriptions", {}) or {})
        self.baseline: str | None = getattr(resolved, "baseline", None)
        if self.baseline is not None and self.baseline not in self.scenarios:
            raise ScenarioError(
                f"baseline scenario {self.baseline!r} is not defined; the scenarios are "
                f"{list(self.scenarios)}.{suggest(self.baseline, self.scenarios)}")
        if self.baseline is not None:
            series = [py for py, v in self.scenarios[self.baseline].items() if np.ndim(v) != 0]
            if series:
                raise ScenarioError(
                    f"baseline scenario {self.baseline!r} sets {series} to arrays or time series; "
                    "the explorer's baseline takes numbers only")
        self._window = dict(getattr(resolved, "window", {}) or {})
        self._resolved = resolved
        self._defaults: dict[str, Any] = model.params
        self._scalars = [py for py, v in self._defaults.items() if np.ndim(v) == 0]
        self.levers = self._find_levers()
        doc = model.doc
        self._doc = doc
        self.outputs = [py for py in doc.index
                        if py not in self._defaults and py not in CONTROL_VARIABLES
                        and str(doc.at[py, "kind"]) in ("Stateful", "Auxiliary", "Data")
                        and not doc.at[py, "subscripts"]]
        #: ``{metric: reason}`` of the scenario file's metrics the explorer cannot show
        self.omitted_metrics: dict[str, str] = {}
        self.metrics = self._find_metrics()
        self._window_cache: dict | None = None
        self._samples = None

    # ------------------------------------------------------------------ description
    def _find_levers(self) -> list[str]:
        named = {py for overrides in self.scenarios.values() for py in overrides}
        for key in ("start_lever", "share_lever"):
            if key in self._window:
                named.add(self.model.resolve(str(self._window[key]), what=f"[window] {key}"))
        return [py for py in self._scalars if py in named]

    def _find_metrics(self) -> list[MetricSpec]:
        declared = getattr(self._resolved, "metrics", None) or {}
        if declared:
            for spec in declared.values():
                if spec.variable not in self.outputs:
                    self.omitted_metrics[spec.name] = (
                        f"{spec.variable!r} is not a scalar variable that changes over time")
            return [spec for spec in declared.values() if spec.variable in self.outputs]
        probe = xr.Dataset({py: (("scenario", "time"), np.array([[0.0, 1.0]]))
                            for py in self.outputs},
                           coords={"scenario": ["probe"], "time": [0.0, 1.0]})
        return [spec for spec in defaults_for(probe) if spec.variable in self.outputs][:_DEFAULT_CHARTS]

    def _range(self, py: str) -> tuple[float | None, float | None]:
        limits = self._doc.at[py, "limits"]
        low, high = limits if isinstance(limits, tuple) and len(limits) == 2 else (None, None)
        low = None if low is None else _finite(low)
        high = None if high is None else _finite(high)
        return low, high

    def _constant_info(self, py: str) -> dict:
        low, high = self._range(py)
        default = float(self._defaults[py])
        step = None
        if low is not None and high is not None and high > low:
            whole = all(float(v).is_integer() for v in (low, high, default))
            step = 1.0 if whole and high - low >= 10 else float(f"{(high - low) / 100:.3g}")
        return {
            "name": py,
            "long_name": str(self._doc.at[py, "name"]),
            "units": str(self._doc.at[py, "units"] or ""),
            "doc": str(self._doc.at[py, "comment"] or ""),
            "default": default,
            "min": low,
            "max": high,
            "step": step,
        }

    @cached_property
    def uncertain(self) -> list[str]:
        """Constants with a finite documented range that are not levers and that the model's
        constraints let vary alone over that range (a share of a split that must sum to one,
        for example, cannot): the bands sample them."""
        from ..exceptions import ParameterError

        out = []
        for py in self._scalars:
            low, high = self._range(py)
            if py in self.levers or low is None or high is None or not low < high:
                continue
            try:
                self.model.check_constraints({py: np.array([low, high])})
            except ParameterError:
                continue
            out.append(py)
        return out

    def default_outputs(self) -> list[str]:
        """The charts of a fresh page: the metrics' variables, else the first outputs."""
        chosen: list[str] = []
        for spec in self.metrics:
            if spec.variable not in chosen:
                chosen.append(spec.variable)
        return (chosen or self.outputs)[:_DEFAULT_CHARTS]

    def window_settings(self) -> dict | None:
        """The window view's levers and metric, from the scenario file's ``[window]``; None without."""
        w = self._window
        if not {"start_lever", "share_lever", "metric"} <= set(w):
            return None
        return {
            "start_lever": self.model.resolve(str(w["start_lever"]), what="[window] start_lever"),
            "share_lever": self.model.resolve(str(w["share_lever"]), what="[window] share_lever"),
            "metric": str(w["metric"]),
        }

    def describe(self) -> dict:
        """Everything the page needs to build its controls (JSON-ready).

        Returns
        -------
        dict
            ``model``, ``time`` (initial, final, step, units), ``baseline``, ``presets``
            (name, description, values: the scenario's overrides of scalar constants,
            unsupported: the constants it sets to arrays or time series, which the page cannot),
            ``levers`` and ``constants`` (name, long_name, units, doc, default, min, max, step),
            ``outputs`` (name, long_name, units), ``default_outputs``, ``metrics`` (name, label,
            units), ``omitted_metrics`` ({name: reason}), ``uncertain``, ``band_runs``,
            ``percentiles`` and ``window``.
        """
        t = self.model.time_settings
        units = self.model.units
        time_units = units.get("time_step", "") or units.get("initial_time", "")
        return {
            "model": self.model.name,
            "time": {"initial": t.initial_time, "final": t.final_time, "step": t.time_step,
                     "units": time_units},
            "baseline": self.baseline,
            "presets": [
                {"name": name, "description": self._descriptions.get(name, ""),
                 "values": {py: float(v) for py, v in overrides.items() if np.ndim(v) == 0},
                 "unsupported": [py for py, v in overrides.items() if np.ndim(v) != 0]}
                for name, overrides in self.scenarios.items()
            ],
            "levers": [self._constant_info(py) for py in self.levers],
            "constants": [self._constant_info(py) for py in self._scalars if py not in self.levers],
            "outputs": [{"name": py, "long_name": str(self._doc.at[py, "name"]),
                         "units": str(self._doc.at[py, "units"] or "")} for py in self.outputs],
            "default_outputs": self.default_outputs(),
            "metrics": [self._metric_info(spec, time_units) for spec in self.metrics],
            "omitted_metrics": dict(self.omitted_metrics),
            "uncertain": self.uncertain,
            "band_runs": self.band_runs,
            "percentiles": list(PERCENTILES),
            "window": self.window_settings(),
        }

    def _metric_info(self, spec: MetricSpec, time_units: str) -> dict:
        long_name = str(self._doc.at[spec.variable, "name"])
        variable_units = str(self._doc.at[spec.variable, "units"] or "")
        return {"name": spec.name, "label": spec.describe(long_name, time_units),
                "units": spec.units(variable_units, time_units), "comparable": spec.comparable}

    # ------------------------------------------------------------------ state
    def check_state(self, state: State) -> State:
        """Validate a state against the model: known scalar constants, finite numbers, outputs.

        Returns
        -------
        State
            With python names and the default outputs filled in.

        Raises
        ------
        ParameterError
            An unknown or non-scalar constant, a value that is not a finite number, an unknown
            output or too many outputs.
        """
        params: dict[str, float] = {}
        for name, value in state.params.items():
            py = self.model.resolve(str(name), what="parameter")
            if py not in self._scalars:
                raise ParameterError(
                    f"{name!r} is not a scalar constant of model {self.model.name!r}; the explorer "
                    f"sets only scalar constants.{suggest(str(name), self._scalars)}")
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise ParameterError(f"value of {py!r} must be a number, got {value!r}") from None
            if not math.isfinite(number):
                raise ParameterError(f"value of {py!r} must be a finite number, got {value!r}")
            params[py] = number
        outputs = []
        for name in state.outputs or self.default_outputs():
            py = self.model.resolve(str(name), what="output")
            if py not in self.outputs:
                raise ParameterError(
                    f"{name!r} cannot be charted: it is not a scalar variable that changes over "
                    f"time in model {self.model.name!r}.{suggest(str(name), self.outputs)}")
            if py not in outputs:
                outputs.append(py)
        if len(outputs) > MAX_OUTPUTS:
            raise ParameterError(f"{len(outputs)} outputs asked for; at most {MAX_OUTPUTS} charts")
        return State(params=params, outputs=tuple(outputs), bands=bool(state.bands))

    def baseline_params(self) -> dict[str, float]:
        """The baseline scenario's overrides (empty: the model's defaults)."""
        return dict(self.scenarios.get(self.baseline, {})) if self.baseline else {}

    def band_samples(self, fixed: Sequence[str]) -> dict[str, np.ndarray]:
        """The bands' Latin-hypercube sample of the uncertain constants not in ``fixed``.

        The sample over all uncertain constants is drawn once (seeded); a fixed constant's
        column is dropped, so the other columns stay the same from one redraw to the next.
        """
        if self._samples is None:
            from ..analysis import latin_hypercube

            names = self.uncertain
            self._samples = (latin_hypercube(self.model, names, self.band_runs, seed=self.seed)
                             if names else None)
        if self._samples is None:
            return {}
        return {py: self._samples[py].to_numpy() for py in self._samples.columns
                if py not in fixed}

    def batch_params(self, state: State) -> tuple[dict[str, np.ndarray], int, list[str]]:
        """The ``run_batch`` parameters of a state: baseline, current, then band samples.

        Returns
        -------
        (params, n, sampled)
            ``{python name: array of n values}``, the number of runs and the sampled names.
        """
        base = self.baseline_params()
        current = dict(state.params)
        samples = self.band_samples(sorted({*self.levers, *current})) if state.bands else {}
        n_bands = self.band_runs if samples else 0
        n = 2 + n_bands
        defaults = self._defaults
        names = {*base, *current, *samples}
        params = {}
        for py in sorted(names):
            value_base = float(base.get(py, defaults[py]))
            value_now = float(current.get(py, defaults[py]))
            column = np.full(n, value_now)
            column[0] = value_base
            if py in samples:
                column[2:] = samples[py]
            params[py] = column
        if not params:  # a model at its defaults in both runs: name one constant to set n
            py = self._scalars[0]
            params[py] = np.full(n, float(defaults[py]))
        return params, n, sorted(samples)

    def runs(self, state: State) -> tuple[xr.Dataset, list[str]]:
        """The Dataset of a (checked) state's runs and the sampled constants' names."""
        params, _, sampled = self.batch_params(state)
        variables = sorted({*state.outputs, *(spec.variable for spec in self.metrics)})
        with self._lock, warnings.catch_warnings():
            # diverged runs are counted in the answer (``diverged``), not warned about
            warnings.simplefilter("ignore", RuntimeWarning)
            ds = self.model.run_batch(params, return_vars=variables)
        # the per-run parameter coordinates (about a hundred with bands) slow every xarray step
        return ds.drop_vars([c for c in ds.coords if c not in ds.dims]), sampled

    def warm_up(self) -> None:
        """Run once with bands and compute the heat map: the first batch run compiles (or loads)
        the model's kernel, which would otherwise delay the page's first answer."""
        self.run(State(bands=True))
        self.window()

    # ------------------------------------------------------------------ answers
    def run(self, state: State) -> dict:
        """Series, bands and metrics of a state (JSON-ready).

        Returns
        -------
        dict
            ``time``; ``series`` ``{output: {baseline, current, units, long_name}}``; ``bands``
            ``{output: {p5, p50, p95}}`` or None; ``sampled`` (the constants the bands vary);
            ``metrics`` (name, label, units, baseline, current, difference, and with bands
            ``p5``/``p95``); ``diverged`` (indices of runs with NaN or infinity); ``state``
            (the checked settings); ``server_ms`` (wall time of the runs and of the whole
            answer, and the CPU time of the answering thread).

        Raises
        ------
        ParameterError
            A state the model refuses (see :meth:`check_state` and the model's constraints).
        """
        started, cpu = time.perf_counter(), time.thread_time()
        state = self.check_state(state)
        ds, sampled = self.runs(state)
        ran = time.perf_counter()
        series = {}
        bands: dict[str, dict] | None = {} if sampled else None
        for py in state.outputs:
            da = ds[py].transpose("run", "time").values.astype(float)
            series[py] = {"baseline": _floats(da[0]), "current": _floats(da[1]),
                          "units": str(ds[py].attrs.get("units", "")),
                          "long_name": str(ds[py].attrs.get("long_name", py))}
            if bands is not None:
                lo, mid, hi = _percentiles(da[2:], PERCENTILES)
                bands[py] = {"p5": _floats(lo), "p50": _floats(mid), "p95": _floats(hi)}
        metrics = [self._metric_values(spec, ds, bool(sampled)) for spec in self.metrics]
        finished = time.perf_counter()
        return {
            "time": _floats(ds["time"].values),
            "series": series,
            "bands": bands,
            "sampled": sampled,
            "n_band_runs": int(ds.sizes["run"]) - 2 if sampled else 0,
            "metrics": metrics,
            "diverged": [int(i) for i in np.flatnonzero(ds["diverged"].values)],
            "state": {"params": dict(state.params), "outputs": list(state.outputs),
                      "bands": state.bands},
            "server_ms": {"run": 1e3 * (ran - started), "total": 1e3 * (finished - started),
                          "cpu": 1e3 * (time.thread_time() - cpu)},
        }

    def _metric_values(self, spec: MetricSpec, ds: xr.Dataset, with_bands: bool) -> dict:
        da = ds[spec.variable]
        try:
            values = spec.evaluate(da, baseline=da.isel(run=0, drop=True)).values.astype(float)
        except AnalysisError as err:
            return {"name": spec.name, "error": str(err)}
        out = {"name": spec.name, "baseline": _finite(values[0]), "current": _finite(values[1]),
               "difference": _finite(values[1] - values[0]) if spec.comparable else None}
        if with_bands:
            finite = values[2:][np.isfinite(values[2:])]
            lo, hi = (np.percentile(finite, [PERCENTILES[0], PERCENTILES[-1]]) if finite.size
                      else (math.nan, math.nan))
            out.update(p5=_finite(lo), p95=_finite(hi))
        return out

    def window(self) -> dict | None:
        """The window-of-opportunity heat map (JSON-ready), computed once; None without ``[window]``.

        Returns
        -------
        dict or None
            ``start_years``, ``shares``, ``gain`` (rows: start years, columns: shares),
            ``start_lever``, ``share_lever``, ``metric``, ``units``, ``long_name``,
            ``baseline_value``, ``server_ms``.
        """
        settings = self.window_settings()
        if settings is None:
            return None
        if self._window_cache is None:
            from ..analysis import window_sweep

            started = time.perf_counter()
            starts = (self._window.get("start_years")
                      or self._axis(settings["start_lever"], within_run=True))
            shares = self._window.get("shares") or self._axis(settings["share_lever"])
            with self._lock:
                sweep = window_sweep(
                    self.model, starts, shares, start_lever=settings["start_lever"],
                    share_lever=settings["share_lever"], metric=settings["metric"],
                    year=self._window.get("year"),
                    baseline=self._window.get("baseline", self.baseline),
                    scenarios=self._resolved)
            self._window_cache = {
                "start_years": _floats(sweep["start_year"].values),
                "shares": _floats(sweep["share"].values),
                "gain": [_floats(row) for row in sweep.values],
                **settings,
                "units": sweep.attrs["units"],
                "long_name": sweep.attrs["long_name"],
                "baseline_value": _finite(sweep.attrs["baseline_value"]),
                "server_ms": 1e3 * (time.perf_counter() - started),
            }
        return self._window_cache

    def _axis(self, py: str, *, within_run: bool = False) -> list[float]:
        low, high = self._range(py)
        if low is None or high is None:
            raise AnalysisError(
                f"the window view needs values of {py!r}: give them in the scenario file's "
                "[window] table (start_years = [...], shares = [...]) or a documented range")
        if within_run:
            t = self.model.time_settings
            low, high = max(low, t.initial_time), min(high, t.final_time)
        return np.linspace(low, high, _DEFAULT_AXIS).tolist()

    def dataset(self, state: State) -> xr.Dataset:
        """The current runs for download: ``(scenario, time)`` with baseline and current.

        With bands, each output also has ``<output>_band`` over ``(percentile, time)``.
        """
        state = self.check_state(state)
        ds, sampled = self.runs(state)
        keep = [v for v in state.outputs]
        out = ds[keep].isel(run=[0, 1]).drop_vars("run").rename(run="scenario")
        out = out.assign_coords(scenario=["baseline", "current"])
        if sampled:
            q = np.asarray(PERCENTILES)
            for py in keep:
                values = ds[py].transpose("run", "time").values[2:]
                out[f"{py}_band"] = xr.DataArray(
                    _percentiles(values, q), dims=("percentile", "time"),
                    attrs={**ds[py].attrs, "long_name": f"{ds[py].attrs.get('long_name', py)}: "
                           f"percentiles over {values.shape[0]} runs"})
            out = out.assign_coords(percentile=q)
            out.attrs["band_parameters"] = ", ".join(sampled)
        out.attrs.update({k: v for k, v in ds.attrs.items() if k != "parameters"})
        out.attrs["baseline"] = self.baseline or "model defaults"
        out.attrs["settings"] = ", ".join(f"{k}={v:g}" for k, v in state.params.items())
        return out

    @classmethod
    def from_path(cls, model_path: str | Path, scenarios: str | Path | None = None,
                  **kwargs) -> "Explorer":
        """Load a model file (see :func:`sdmodel.load`) and wrap it."""
        from ..loading import load

        return cls(load(model_path), scenarios, **kwargs)
