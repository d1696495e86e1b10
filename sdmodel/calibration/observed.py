"""Observed series matched to model variables (or expressions of them), ready for residuals.

Residuals are ``sqrt(weight) * (simulated - observed) / scale`` over every observed, non-NaN
point inside the simulated time window, concatenated across series. ``scale`` is the series'
standard deviation (``normalize="std"``), its mean magnitude (``"mean"``) or 1 (``None``), so
series in different units weigh alike.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"tfp": [0.41, 0.5, 0.58]}, index=[0.0, 5.0, 10.0])
>>> series, t0, t1 = prepare_observed(model, df, mapping={"tfp": "technological_capability"})
>>> [(s.name, s.var) for s in series], t0, t1
([('tfp', 'technological_capability')], 0.0, 10.0)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from ..exceptions import CalibrationError, DataError, SDModelError, suggest
from .expressions import Expression

__all__ = ["Series", "prepare_observed"]

_TIME_NAMES = ("time", "year", "Time", "Year", "date")
_NORMALIZE = ("std", "mean", None)


@dataclass
class Series:
    """One observed series, matched to a model variable or an expression of variables."""

    name: str
    var: str  # model python name, or the expression text
    data: xr.DataArray  # dims ("time", *subscript dims); NaN where not observed
    mask: np.ndarray  # flat boolean mask of observed points in ``data``
    scale: float
    weight: float
    expr: Expression | None = None
    index_time: float | None = None

    @property
    def needs(self) -> tuple[str, ...]:
        """Model variables the simulated series is computed from."""
        return self.expr.names if self.expr is not None else (self.var,)

    def simulated(self, source: Mapping[str, xr.DataArray]) -> xr.DataArray:
        """The simulated counterpart from model output ``source`` (dims ``[run,] time, ...``)."""
        da = self.expr.evaluate(source) if self.expr is not None else source[self.var]
        if self.index_time is not None:
            times = da["time"].values
            hit = np.flatnonzero(np.abs(times - self.index_time) <= 1e-9)
            base = (da.isel(time=int(hit[0])) if hit.size
                    else da.interp(time=self.index_time))
            with np.errstate(divide="ignore", invalid="ignore"):
                da = da / base.drop_vars("time", errors="ignore")
        return da

    @property
    def values(self) -> np.ndarray:
        """The observed values that enter the residuals (flat)."""
        return self.data.values.reshape(-1)[self.mask]

    @property
    def times(self) -> np.ndarray:
        """The time of each observed value (flat, in the order of :attr:`values`)."""
        t = self.data["time"].values.reshape((-1,) + (1,) * (self.data.ndim - 1))
        return np.broadcast_to(t, self.data.shape).reshape(-1)[self.mask]

    @property
    def n(self) -> int:
        return int(self.mask.sum())


def prepare_observed(
    model,
    observed: object,
    *,
    mapping: Mapping[str, str] | None = None,
    weights: Mapping[str, float] | None = None,
    normalize: str | None = "std",
    initial_time: float | None = None,
    final_time: float | None = None,
    index: Mapping[str, float] | None = None,
) -> tuple[list[Series], float, float]:
    """Match observed series to model variables and restrict them to the simulated window.

    Parameters
    ----------
    model : sdmodel.Model
    observed : xarray.Dataset, xarray.DataArray, pandas.DataFrame or mapping of Series
        A Dataset with a ``time`` (or ``year``) dimension; a wide DataFrame indexed by time
        with one column per series; or a tidy DataFrame with columns ``time``/``year``,
        ``variable`` (or ``indicator``, ``series``) and ``value``, like ``wdi.csv`` (other
        columns must hold a single value each, e.g. one country).
    mapping : mapping, optional
        ``{data name: model variable}`` where the names differ; the target may also be an
        expression of model variables such as ``"100 * resource_rents / gdp"`` (see
        :mod:`sdmodel.calibration.expressions`).
    index : mapping, optional
        ``{data name: base time}``: compare the series as an index, observed and simulated
        each divided by their own value at the base time.
    weights : mapping, optional
        ``{data name or model variable: weight}``; a weight multiplies the series'
        contribution to the sum of squares (default 1).
    normalize : {"std", "mean", None}
        Per-series scale of the residuals.
    initial_time, final_time : float, optional
        The simulated window (default: the model's initial time, and the last observation or
        the model's final time, whichever comes first).

    Returns
    -------
    series : list of Series
    initial_time, final_time : float
        The window to simulate.

    Raises
    ------
    CalibrationError
        A series with no matching model variable, an unknown weight or normalize option.
    DataError
        An all-NaN series, or a series with no observation inside the simulated window.
    """
    if normalize not in _NORMALIZE:
        raise CalibrationError(f"normalize must be one of {_NORMALIZE}, got {normalize!r}")
    ds = _as_dataset(observed)
    mapping = dict(mapping or {})
    unknown_keys = set(mapping) - set(ds.data_vars)
    if unknown_keys:
        raise CalibrationError(
            f"mapping names data series {sorted(unknown_keys)} that are not in the observed "
            f"data; expected some of {sorted(map(str, ds.data_vars))}"
        )
    settings = model.time_settings
    t0 = settings.initial_time if initial_time is None else float(initial_time)
    t_end = settings.final_time if final_time is None else float(final_time)
    if t_end < t0:
        raise CalibrationError(f"final_time {t_end:g} is before initial_time {t0:g}")
    series: list[Series] = []
    seen: dict[str, str] = {}
    index = dict(index or {})
    unknown_keys = set(index) - set(map(str, ds.data_vars))
    if unknown_keys:
        raise CalibrationError(
            f"index names series {sorted(unknown_keys)} that are not in the observed data"
        )
    for name in map(str, ds.data_vars):
        target = mapping.get(name, name)
        expr = None
        try:
            var = model.resolve(target, what="variable")
        except SDModelError:
            if str(target).isidentifier():
                raise CalibrationError(
                    f"observed series {name!r} matches no variable of model {model.name!r}; "
                    f"pass mapping={{{name!r}: <model variable>}}."
                    f"{suggest(target, model.doc.index)}"
                ) from None
            expr = _parse_expression(model, name, target)
            var = str(target)
        if var in seen:
            raise CalibrationError(
                f"observed series {name!r} and {seen[var]!r} both map to model variable {var!r}"
            )
        seen[var] = name
        da = ds[name].astype(float)
        extra = [d for d in da.dims if d != "time"]
        if extra and expr is not None:
            raise CalibrationError(
                f"observed series {name!r} compared with an expression has dimensions {extra}; "
                "expected time only"
            )
        if extra:
            subs = model.doc.at[var, "subscripts"]
            subs = list(subs) if isinstance(subs, (list, tuple)) else []
            bad = [d for d in extra if d not in subs]
            if bad:
                raise CalibrationError(
                    f"observed series {name!r} has dimensions {bad} that model variable {var!r} "
                    f"does not have (its subscripts: {subs}); select one slice, e.g. one country"
                )
            da = da.transpose("time", *extra)
        if not np.isfinite(da.values).any():
            raise DataError(f"observed series {name!r} is all NaN; expected some observations")
        years = da["time"].values
        has = np.isfinite(da.values).reshape(len(years), -1).any(axis=1)
        inside = (years >= t0 - 1e-9) & (years <= t_end + 1e-9)
        if not (has & inside).any():
            first, last = years[has].min(), years[has].max()
            raise DataError(
                f"observed series {name!r} ({first:g}-{last:g}) has no observation inside the "
                f"simulated window {t0:g}-{t_end:g}; expected overlapping years (set "
                "initial_time/final_time)"
            )
        index_time = None
        if name in index:
            index_time = float(index[name])
            da = _indexed(name, da, index_time, t0, t_end)
        da = da.isel(time=np.flatnonzero(inside))
        mask = np.isfinite(da.values).reshape(-1)
        values = da.values.reshape(-1)[mask]
        scale = _scale(values, normalize)
        series.append(Series(name, var, da, mask, scale, 1.0, expr, index_time))
    if not series:
        raise CalibrationError("observed data has no series; expected at least one")
    _apply_weights(series, weights)
    last_obs = max(float(s.data["time"].values[-1]) for s in series)
    if final_time is None:
        t_end = min(t_end, max(last_obs, max(
            (s.index_time for s in series if s.index_time is not None), default=-math.inf)))
    return series, t0, t_end


def _parse_expression(model, name: str, text: str) -> Expression:
    def resolve(n: str) -> str:
        try:
            return model.resolve(n, what="variable")
        except SDModelError:
            raise CalibrationError(
                f"observed series {name!r}: expression {text!r} uses {n!r}, which is not a "
                f"variable of model {model.name!r}.{suggest(n, model.doc.index)}"
            ) from None

    return Expression.parse(text, resolve)


def _indexed(name: str, da: xr.DataArray, base: float, t0: float, t_end: float) -> xr.DataArray:
    if not t0 - 1e-9 <= base <= t_end + 1e-9:
        raise CalibrationError(
            f"index base time {base:g} of series {name!r} is outside the simulated window "
            f"{t0:g}-{t_end:g}"
        )
    hit = np.flatnonzero(np.abs(da["time"].values - base) <= 1e-9)
    value = da.isel(time=int(hit[0])).values if hit.size else np.full(da.shape[1:], np.nan)
    if not np.all(np.isfinite(value)) or np.any(value == 0):
        raise DataError(
            f"observed series {name!r} has no non-zero observation at its index base time "
            f"{base:g}; expected one to divide by"
        )
    return da / value


def _scale(values: np.ndarray, normalize: str | None) -> float:
    if normalize is None:
        return 1.0
    mean = float(np.abs(values).mean())
    if normalize == "std":
        std = float(values.std())
        if std > 1e-12 * max(mean, 1e-300):
            return std
    return mean if mean > 0 else 1.0


def _apply_weights(series: list[Series], weights: Mapping[str, float] | None) -> None:
    if weights is None:
        return
    if not isinstance(weights, Mapping):
        raise CalibrationError(
            f"weights must be a mapping {{series: weight}}, got {type(weights).__name__}"
        )
    by_name = {s.name: s for s in series} | {s.var: s for s in series}
    for key, w in weights.items():
        if key not in by_name:
            raise CalibrationError(
                f"weight given for {key!r}, which is not an observed series; expected one of "
                f"{sorted(s.name for s in series)}.{suggest(str(key), by_name)}"
            )
        if isinstance(w, bool) or not isinstance(w, (int, float)) or not math.isfinite(w) or w < 0:
            raise CalibrationError(f"weight of {key!r} must be a finite number >= 0, got {w!r}")
        by_name[key].weight = float(w)
    if all(s.weight == 0 for s in series):
        raise CalibrationError("every weight is zero; expected at least one positive weight")


def _as_dataset(observed: object) -> xr.Dataset:
    if isinstance(observed, xr.DataArray):
        if observed.name is None:
            raise CalibrationError("an observed DataArray needs a name (the model variable)")
        observed = observed.to_dataset()
    elif isinstance(observed, pd.Series):
        if observed.name is None:
            raise CalibrationError("an observed pandas Series needs a name (the model variable)")
        observed = observed.to_frame()
    elif isinstance(observed, Mapping) and not isinstance(observed, xr.Dataset):
        observed = pd.DataFrame({k: pd.Series(v) for k, v in observed.items()})
    if isinstance(observed, pd.DataFrame):
        observed = _frame_to_dataset(observed)
    if not isinstance(observed, xr.Dataset):
        raise CalibrationError(
            "observed must be an xarray Dataset/DataArray, a pandas DataFrame or a mapping of "
            f"series, got {type(observed).__name__}"
        )
    tdim = next((d for d in _TIME_NAMES if d in observed.dims), None)
    if tdim is None:
        raise CalibrationError(
            f"observed data has no time dimension (dims {tuple(observed.dims)}); expected one "
            f"of {_TIME_NAMES}"
        )
    if tdim != "time":
        observed = observed.rename({tdim: "time"})
    # a single selected slice (e.g. one country) is not a dimension of the fit
    for d in list(observed.dims):
        if d != "time" and observed.sizes[d] == 1:
            observed = observed.isel({d: 0}, drop=True)
    try:
        times = np.asarray(observed["time"].values, dtype=float)
    except (TypeError, ValueError):
        raise CalibrationError(
            "observed time coordinate must be numeric (years in the model's time unit)"
        ) from None
    observed = observed.assign_coords(time=times).sortby("time")
    return observed


def _frame_to_dataset(frame: pd.DataFrame) -> xr.Dataset:
    cols = set(map(str, frame.columns))
    tcol = next((c for c in _TIME_NAMES if c in cols), None)
    vcol = next((c for c in ("variable", "indicator", "series") if c in cols), None)
    if vcol is not None and "value" in cols and tcol is not None:
        others = [c for c in frame.columns if c not in (tcol, vcol, "value")]
        for col in others:
            if frame[col].nunique(dropna=False) > 1:
                raise CalibrationError(
                    f"tidy observed data has several values in column {col!r} "
                    f"({sorted(map(str, frame[col].unique()))[:5]}); select one, e.g. one country"
                )
        if frame.duplicated([tcol, vcol]).any():
            raise CalibrationError(f"tidy observed data has duplicate ({tcol}, {vcol}) rows")
        wide = frame.pivot(index=tcol, columns=vcol, values="value")
        wide.index.name = "time"
        wide.columns = [str(c) for c in wide.columns]
        return xr.Dataset.from_dataframe(wide)
    wide = frame.copy()
    if tcol is not None:
        wide = wide.set_index(tcol)
    wide.index.name = "time"
    wide.columns = [str(c) for c in wide.columns]
    return xr.Dataset.from_dataframe(wide)
