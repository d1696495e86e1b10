"""Per-run scalar metrics named by short specs, e.g. ``"gdp_per_capita@2040"``.

A spec names a model variable and how a run's time path is reduced to what is kept:

==========================  =================================================  ====================
spec                        meaning                                            name in results
==========================  =================================================  ====================
``"var@2040"``              value at 2040 (linear interpolation between saves)  ``var_2040``
``"var@end"``               value at the last saved time                        ``var_end``
``"max(var)"``              maximum over the run (also ``min``, ``mean``)       ``var_max``
``"var"``                   the whole time path (a time series, not a scalar)  ``var``
==========================  =================================================  ====================

Examples
--------
>>> m = parse_metrics(perez, ["gdp_per_capita@2040", "max(real_exchange_rate)"])
>>> [x.name for x in m]
['gdp_per_capita_2040', 'real_exchange_rate_max']
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

import xarray as xr

from ..exceptions import AnalysisError, ParameterError

__all__ = ["Metric", "parse_metrics", "parse_metric"]

_REDUCTIONS = ("max", "min", "mean")
_CALL = re.compile(r"^\s*(max|min|mean)\s*\(\s*(.+?)\s*\)\s*$")


@dataclass(frozen=True)
class Metric:
    """One per-run quantity: a variable reduced over time (or kept as a series).

    Attributes
    ----------
    name : str
        Its name in results (``var_2040``, ``var_end``, ``var_max``, ``var``).
    variable : str
        The model variable (python name).
    how : str
        ``"at"``, ``"end"``, ``"max"``, ``"min"``, ``"mean"`` or ``"series"``.
    year : float or None
        The time of ``"at"``.
    """

    name: str
    variable: str
    how: str
    year: float | None = None

    @property
    def scalar(self) -> bool:
        """True when the metric is one number per run."""
        return self.how != "series"

    def evaluate(self, ds: xr.Dataset) -> xr.DataArray:
        """The metric of every run in ``ds`` (dims ``run`` plus any subscript dims).

        Examples
        --------
        >>> ds = xr.Dataset({"x": (("run", "time"), [[1.0, 3.0], [2.0, 4.0]])},
        ...                 coords={"time": [2030.0, 2050.0]})
        >>> Metric("x_2040", "x", "at", 2040.0).evaluate(ds).values.tolist()
        [2.0, 3.0]
        """
        da = ds[self.variable]
        if self.how == "series":
            out = da
        elif self.how == "end":
            out = da.isel(time=-1, drop=True)
        elif self.how == "at":
            times = da["time"].values
            out = da.sel(time=self.year) if self.year in times else da.interp(time=self.year)
            out = out.drop_vars("time", errors="ignore")
        else:
            out = getattr(da, self.how)("time")
        out = out.astype(float)
        out.attrs = {
            "units": da.attrs.get("units", ""),
            "long_name": self.describe(da.attrs.get("long_name", self.variable)),
        }
        return out.rename(self.name)

    def describe(self, long_name: str) -> str:
        """Human-readable description, e.g. ``"GDP per capita in 2040"``."""
        if self.how == "at":
            return f"{long_name} in {self.year:g}"
        if self.how == "end":
            return f"{long_name} at the end of the run"
        if self.how == "series":
            return long_name
        return f"{self.how} of {long_name} over the run"


def parse_metric(model, spec: str, *, default_year: float | None = None) -> Metric:
    """Parse one spec against a model (see the module docs for the syntax).

    A bare variable name is its value at ``default_year`` when one is given, else its series.

    Raises
    ------
    AnalysisError
        A malformed spec, a variable the model lacks (closest names suggested) or a year outside
        the model's run.

    Examples
    --------
    >>> parse_metric(perez, "gdp_per_capita", default_year=2040).name
    'gdp_per_capita_2040'
    """
    if not isinstance(spec, str) or not spec.strip():
        raise AnalysisError(f"a metric must be a non-empty string like 'gdp_per_capita@2040', got {spec!r}")
    text = spec.strip()
    how, year = "series", None
    call = _CALL.match(text)
    if call:
        how, text = call.group(1), call.group(2)
    elif "@" in text:
        text, _, when = text.partition("@")
        text, when = text.strip(), when.strip()
        if when == "end":
            how = "end"
        else:
            try:
                year = float(when)
            except ValueError:
                raise AnalysisError(
                    f"metric {spec!r}: {when!r} is not a year; expected 'variable@YEAR' or "
                    "'variable@end'"
                ) from None
            how = "at"
    elif default_year is not None:
        how, year = "at", float(default_year)
    try:
        variable = model.resolve(text, what="metric variable")
    except ParameterError as err:
        raise AnalysisError(f"metric {spec!r}: {err}") from None
    if how == "at" and year is not None:  # "at" always comes with a year
        t = model.time_settings
        if not math.isfinite(year) or not t.initial_time <= year <= t.final_time:
            raise AnalysisError(
                f"metric {spec!r}: year {year:g} is outside the run of model {model.name!r} "
                f"({t.initial_time:g} to {t.final_time:g})"
            )
    if how == "series":
        name = variable
    elif how == "at":
        name = f"{variable}_{year:g}"
    else:
        name = f"{variable}_{how}"
    return Metric(name, variable, how, year)


def parse_metrics(model, specs: Iterable[str] | str, *, default_year: float | None = None) -> list[Metric]:
    """Parse several specs; duplicates (by result name) are refused.

    Raises
    ------
    AnalysisError
        No spec, a bad spec (see :func:`parse_metric`) or two specs with the same result name.

    Examples
    --------
    >>> [m.name for m in parse_metrics(perez, ["gdp_per_capita@2040"])]
    ['gdp_per_capita_2040']
    """
    if isinstance(specs, str):
        specs = [specs]
    metrics = [parse_metric(model, s, default_year=default_year) for s in specs]
    if not metrics:
        raise AnalysisError("no metric given; expected at least one, e.g. 'gdp_per_capita@2040'")
    names = [m.name for m in metrics]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise AnalysisError(f"metrics {dupes} are given more than once")
    return metrics
