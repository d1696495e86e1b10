"""Out-of-sample checks: fit up to a split year, predict the rest, score against naive benchmarks.

:func:`backtest` calibrates a model on the observations up to ``split`` (the simulated window
ends there too), runs the fitted model over the whole window and scores, for every observed
series, the prediction of the years after ``split`` by its RMSE on the quantity the fit
compares (the series' level, scaled, or its index), beside three benchmarks computed from the
same observations of the fit window:

- ``random_walk``: the last observed value of the fit window, held;
- ``random_walk_drift``: that value plus the average change per year over the fit window
  (in logs, a constant growth rate, when the series is positive throughout the fit window;
  in levels otherwise — the ``drift`` column says which);
- ``loglinear_trend``: ``log y = a + b t`` fitted to the fit window, extrapolated (positive
  series only; NaN otherwise).

:func:`backtest_config` does the same for a calibration config (its country start, series,
parameters and optimiser) and :func:`write_backtest` writes ``backtest.csv``,
``backtest.json`` and ``backtest.png`` together (all or none).

Examples
--------
>>> bt = backtest(model, observed, {"catch_up_rate": (0.01, 1.0)}, split=2009)   # doctest: +SKIP
>>> print(bt.table())                                                            # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ..exceptions import CalibrationError
from .benchmarks import loglinear_trend, random_walk, random_walk_with_drift, rmse
from .result import CalibrationResult, fit_dataset

__all__ = ["Backtest", "backtest", "backtest_config", "write_backtest", "BENCHMARKS"]

#: Benchmark columns of :meth:`Backtest.scores`, in order.
BENCHMARKS = ("random_walk", "random_walk_drift", "loglinear_trend")


@dataclass(eq=False)
class Backtest:
    """A fit up to ``split`` and its prediction of the later years.

    Attributes
    ----------
    split : float
        Last year of the fit window.
    initial_time, final_time : float
        The whole simulated window.
    fit : CalibrationResult
        The calibration on the fit window.
    paths : xarray.Dataset
        One variable per series with dim ``source`` (``observed``, ``model`` and each of
        :data:`BENCHMARKS`) and ``time``: the compared quantity, benchmarks NaN inside the
        fit window.
    scores : pandas.DataFrame
        One row per series (see :meth:`table`).
    """

    split: float
    initial_time: float
    final_time: float
    fit: CalibrationResult
    paths: xr.Dataset
    scores: pd.DataFrame
    meta: dict = field(default_factory=dict)

    def table(self) -> str:
        """The scores as a fixed-width text table (RMSE after the split, model first)."""
        cols = ["n_fit", "n_test", "rmse_model", *[f"rmse_{b}" for b in BENCHMARKS],
                "drift", "beats"]
        frame = self.scores[cols].copy()
        for c in cols[2:6]:
            frame[c] = frame[c].map(lambda v: "-" if not math.isfinite(v) else f"{v:.4g}")
        head = (f"Backtest: fit {self.initial_time:g}-{self.split:g}, predict "
                f"{self.split + 1:g}-{self.final_time:g} (RMSE on the compared quantity)")
        return head + "\n" + frame.to_string()


def backtest(model, observed, params, *, split: float, initial_time: float | None = None,
             final_time: float | None = None, mapping=None, weights=None, index=None,
             normalize: str | None = "std", **calibrate_kw: Any) -> Backtest:
    """Fit ``model`` to ``observed`` up to ``split`` and score its prediction of the rest.

    Parameters
    ----------
    model : sdmodel.Model
    observed, params, mapping, weights, index, normalize
        As for :func:`sdmodel.calibrate` (``observed`` covers fit and test years).
    split : float
        Last year of the fit window; the years after it are predicted.
    initial_time, final_time : float, optional
        The whole window (default: the model's initial time to the last observation).
    **calibrate_kw
        Passed to :func:`sdmodel.calibrate` (``method``, ``seed``, ``options``, ...).

    Returns
    -------
    Backtest

    Raises
    ------
    CalibrationError
        ``split`` not inside the window, an index base year after the split, or a series with
        fewer than two observations in the fit window or none after it.

    Examples
    --------
    >>> bt = backtest(model, obs, {"catch_up_rate": (0.01, 1.0)}, split=20)   # doctest: +SKIP
    >>> bt.scores.loc["A", "rmse_model"] < bt.scores.loc["A", "rmse_random_walk"]  # doctest: +SKIP
    True
    """
    from .calibration import calibrate
    from .objective import Objective, prepare_observed

    kw = dict(mapping=mapping, weights=weights, normalize=normalize, index=index)
    series, t0, t1 = prepare_observed(model, observed, initial_time=initial_time,
                                      final_time=final_time, **kw)
    split = float(split)
    if not t0 < split < t1:
        raise CalibrationError(
            f"split year {split:g} is not inside the window {t0:g}-{t1:g}; expected a year "
            "with fit years before it and test years after it")
    for base in (index or {}).values():
        if float(base) > split:
            raise CalibrationError(
                f"index base year {float(base):g} is after the split {split:g}; the fit window "
                "must contain it")
    fitted = calibrate(model, observed, params, initial_time=t0, final_time=split, **kw,
                       **calibrate_kw)
    names = fitted.params.varying
    fixed = {n: float(p.value) for n, p in fitted.params.items()
             if not p.vary and p.value is not None}
    objective = Objective(model, series, names, fixed=fixed, initial_time=t0, final_time=t1,
                          engine=calibrate_kw.get("engine", "auto"))
    try:
        x = np.array([fitted.params[n].value for n in names], dtype=float)
        pairs = fit_dataset(objective, objective.simulate(x))
    finally:
        objective.close()
    rows, paths = {}, {}
    for s in series:
        rows[s.name], paths[s.name] = _score(s.name, s.var, pairs[s.name], split)
    scores = pd.DataFrame.from_dict(rows, orient="index")
    scores.index.name = "series"
    return Backtest(split=split, initial_time=t0, final_time=t1, fit=fitted,
                    paths=xr.Dataset(paths), scores=scores)


def _score(name: str, var: str, pair: xr.DataArray, split: float):
    if pair.ndim != 2:
        raise CalibrationError(f"series {name!r} has dimensions {pair.dims}; a backtest "
                               "scores series over time only")
    times = pair["time"].values.astype(float)
    obs = pair.sel(source="observed").values.astype(float)
    sim = pair.sel(source="simulated").values.astype(float)
    seen = np.isfinite(obs)
    fit_t = seen & (times <= split + 1e-9)
    test_t = seen & (times > split + 1e-9)
    if fit_t.sum() < 2 or not test_t.any():
        raise CalibrationError(
            f"series {name!r} has {int(fit_t.sum())} observations up to the split {split:g} "
            f"and {int(test_t.sum())} after it; expected at least 2 and 1")
    tf, yf, tt, yt = times[fit_t], obs[fit_t], times[test_t], obs[test_t]
    positive = bool(np.all(yf > 0))
    bench = {
        "random_walk": random_walk(tf, yf, at=tt),
        "random_walk_drift": random_walk_with_drift(tf, yf, at=tt, log=positive),
        "loglinear_trend": (loglinear_trend(tf, yf, at=tt) if positive
                            else np.full(tt.shape, np.nan)),
    }
    row: dict[str, Any] = {"variable": var, "n_fit": int(fit_t.sum()), "n_test": int(test_t.sum()),
           "rmse_fit_model": rmse(yf, sim[fit_t]) if np.all(np.isfinite(sim[fit_t]))
           else math.nan,
           "rmse_model": rmse(yt, sim[test_t]) if np.all(np.isfinite(sim[test_t]))
           else math.nan}
    for b, pred in bench.items():
        row[f"rmse_{b}"] = rmse(yt, pred) if np.all(np.isfinite(pred)) else math.nan
    row["drift"] = "log" if positive else "level"
    beaten = [b for b in BENCHMARKS if math.isfinite(row[f"rmse_{b}"])
              and math.isfinite(row["rmse_model"]) and row["rmse_model"] <= row[f"rmse_{b}"]]
    row["beats"] = ",".join(beaten) if beaten else "none"
    keep = seen | np.isfinite(sim)
    grid = {"observed": obs, "model": sim}
    for b, pred in bench.items():
        full = np.full(times.shape, np.nan)
        full[test_t] = pred
        grid[b] = full
    path = xr.DataArray(np.vstack(list(grid.values()))[:, keep], dims=("source", "time"),
                        coords={"source": list(grid), "time": times[keep]},
                        attrs={k: v for k, v in pair.attrs.items()
                               if isinstance(v, (str, int, float))})
    return row, path


def backtest_config(cfg, split: float, *, data_dir=None, progress=None) -> Backtest:
    """:func:`backtest` of a calibration config (see :mod:`sdmodel.calibration.config`).

    The country start, series, parameters and ``[calibration]`` options are the config's;
    the whole window is the config's (``[model] final_time``, else the last observation).

    Examples
    --------
    >>> from sdmodel.calibration.config import load_config
    >>> bt = backtest_config(load_config("calibration/chile.toml"), 2009)   # doctest: +SKIP
    """
    from ..loading import load
    from .config import observed_from_config, start_parameters

    model = load(cfg.model_path)
    observed, keywords = observed_from_config(cfg, data_dir=data_dir)
    run = start_parameters(cfg, model, data_dir=data_dir)
    bt = backtest(model, observed, run.params, held=run.held or None, split=split,
                  initial_time=run.initial_time, final_time=cfg.final_time, progress=progress,
                  **keywords, **dict(cfg.calibration))
    bt.meta.update(name=cfg.name, country=cfg.country, config=str(cfg.path),
                   start_from="model" if run.start is None else "country")
    return bt


def write_backtest(bt: Backtest, out_dir) -> dict[str, Path]:
    """Write ``backtest.csv`` (scores), ``backtest.json`` (fit and scores) and
    ``backtest.png`` (observed, prediction and benchmarks per series) into ``out_dir``,
    all together or none.

    Examples
    --------
    >>> paths = write_backtest(bt, "out/chile-backtest-2009")   # doctest: +SKIP
    """
    from .._atomic import staged_outputs
    from .config import params_record

    out = Path(out_dir)
    names = {"table": "backtest.csv", "record": "backtest.json", "figure": "backtest.png"}
    record = {
        **bt.meta, "split": bt.split, "initial_time": bt.initial_time,
        "final_time": bt.final_time, "method": bt.fit.method, "engine": bt.fit.engine,
        "nfev": bt.fit.nfev, "success": bt.fit.success, "message": bt.fit.message,
        "params": params_record(bt.fit),
        "scores": json.loads(bt.scores.to_json(orient="index")),
    }
    fig = _figure(bt)
    with staged_outputs(out) as stage:
        bt.scores.to_csv(stage.path(names["table"]))
        stage.path(names["record"]).write_text(
            json.dumps(record, indent=2, default=float), encoding="utf-8")
        fig.savefig(stage.path(names["figure"]), dpi=120, format="png")
    return {k: out / v for k, v in names.items()}


def _figure(bt: Backtest):
    from matplotlib.figure import Figure

    names = list(bt.paths.data_vars)
    ncol = min(3, len(names))
    nrow = math.ceil(len(names) / ncol)
    fig = Figure(figsize=(4.2 * ncol, 3.1 * nrow + 0.5), layout="constrained")
    axes = fig.subplots(nrow, ncol, squeeze=False)
    styles: dict[str, dict[str, Any]] = {"observed": dict(color="black", marker="o", ms=3, lw=0),
              "model": dict(color="tab:blue", lw=2),
              "random_walk": dict(color="tab:gray", ls="--"),
              "random_walk_drift": dict(color="tab:orange", ls="--"),
              "loglinear_trend": dict(color="tab:green", ls=":")}
    for ax, name in zip(axes.flat, names):
        da = bt.paths[name]
        for source in da["source"].values:
            line = da.sel(source=source)
            ax.plot(line["time"].values, line.values, label=str(source), **styles[str(source)])
        ax.axvline(bt.split + 0.5, color="red", lw=0.8)
        ax.set_title(f"{name}\nRMSE model {bt.scores.loc[name, 'rmse_model']:.3g}, rw+drift "
                     f"{bt.scores.loc[name, 'rmse_random_walk_drift']:.3g}", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=6)
    title = bt.meta.get("name", bt.fit.model_name)
    fig.suptitle(f"{title}: fit to {bt.split:g}, predict to {bt.final_time:g}", fontsize=10)
    return fig
