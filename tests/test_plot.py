"""The scenario-comparison figure: its panels, labels, units, shaded periods and legend."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from conftest import MODELS, REPO

import sdmodel as sd
from sdmodel.exceptions import AnalysisError, ScenarioError
from sdmodel.perez.registration import OUTPUTS  # the reference model registers its panels

T = np.arange(2000.0, 2061.0)
NAMES = ["squander", "reinvest_early", "fund"]


@pytest.fixture()
def ds():
    data = {
        out: (
            ("scenario", "time"),
            np.vstack([np.sin(T / (3 + i) + k) + k for k in range(len(NAMES))]),
            {"units": f"unit_{i}", "long_name": out.replace("_", " ").capitalize()},
        )
        for i, out in enumerate(OUTPUTS)
    }
    data["unplotted"] = (("scenario", "time"), np.ones((3, len(T))), {"units": "Dmnl"})
    out = xr.Dataset(data, coords={"scenario": NAMES, "time": T}, attrs={"model_name": "perez"})
    out["time"].attrs["units"] = "Year"
    return out


def spans(ax):
    """(x0, x1) of the shaded vertical bands of an axes."""
    out = []
    for patch in ax.patches:
        x = patch.get_x() if hasattr(patch, "get_x") else None
        if x is not None:
            out.append((x, x + patch.get_width()))
        else:
            xs = patch.get_xy()[:, 0]
            out.append((xs.min(), xs.max()))
    return out


def panels(fig):
    return [ax for ax in fig.axes if ax.axison]


def legend_texts(fig):
    """The figure's one legend: below the panels, or in an empty slot of the grid."""
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if not ax.axison]
    assert len(legends) == 1
    return [t.get_text() for t in legends[0].get_texts()]


def test_default_panels_are_the_registered_outputs(ds):
    fig = sd.plot.compare(ds)
    axes = panels(fig)
    assert len(fig.axes) == 11  # 10 panels in a 3 x 4 grid, the legend in the 11th slot
    assert [ax.get_title() for ax in axes] == [ds[o].attrs["long_name"] for o in OUTPUTS]
    assert [ax.get_ylabel() for ax in axes] == [f"unit_{i}" for i in range(len(OUTPUTS))]
    # 10 panels in 3 columns: the lowest panel of each column carries the time label
    labelled = [ax.get_title() for ax in axes if ax.get_xlabel() == "Time (Year)"]
    assert labelled == [ds[o].attrs["long_name"] for o in OUTPUTS[-3:]]
    for ax in axes:
        assert [line.get_label() for line in ax.get_lines()] == NAMES
        np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), T)
    first = axes[0].get_lines()[1].get_ydata()
    np.testing.assert_array_equal(first, ds[OUTPUTS[0]].sel(scenario="reinvest_early").values)
    assert fig._suptitle.get_text() == "perez: scenario comparison"


def test_registered_period_shaded_and_in_legend(ds):
    fig = sd.plot.compare(ds, variables=["gdp_per_capita", "real_exchange_rate"])
    for ax in fig.axes:
        assert spans(ax) == [(2003.0, 2014.0)]
    assert legend_texts(fig) == [*NAMES, "commodity boom 2003-2014"]
    assert len(fig.legends) == 1  # a full grid: the legend goes below the panels
    plain = sd.plot.compare(ds, variables=["gdp_per_capita"], periods=())
    assert spans(plain.axes[0]) == []
    assert legend_texts(plain) == NAMES
    three = sd.plot.compare(ds, variables=["gdp_per_capita", "consumption", "poverty_rate"])
    assert len(panels(three)) == 3 and not three.legends  # the legend fills the 4th slot
    assert legend_texts(three) == [*NAMES, "commodity boom 2003-2014"]
    own = sd.plot.compare(ds, variables=["gdp_per_capita"], periods=[(2010, 2020, "drought"), (2030, 2031)])
    assert spans(own.axes[0]) == [(2010.0, 2020.0), (2030.0, 2031.0)]
    assert legend_texts(own) == [*NAMES, "drought 2010-2020", "2030-2031"]


def test_baseline_drawn_first_in_black(ds):
    fig = sd.plot.compare(ds, variables=["consumption"], baseline="fund")
    lines = fig.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["fund", "squander", "reinvest_early"]
    assert lines[0].get_color() == "black"
    assert len({line.get_color() for line in lines}) == 3
    assert len({str(line.get_linestyle()) for line in lines[1:]}) == 2  # tell apart in grey print


def test_generic_model_run(tmp_path):
    model = sd.load(MODELS / "validation" / "nelson_phelps.mdl")
    ds = sd.run_scenarios(model, {"slow": {"catch_up_rate": 0.05}, "fast": {"catch_up_rate": 0.2}},
                          progress=False)
    fig = sd.plot.compare(ds)
    assert all(spans(ax) == [] for ax in panels(fig))  # nothing registered for this model
    # constants (and parameters varying only between scenarios) are not plotted
    assert [ax.get_title() for ax in panels(fig)] == ["Technological Capability", "catch up", "world frontier"]
    assert [ax.get_ylabel() for ax in panels(fig)] == ["Dmnl", "Dmnl/Year", "Dmnl"]
    single = sd.plot.compare(model.run(), variables=["technological_capability"])
    assert [line.get_label() for line in single.axes[0].get_lines()] == ["nelson_phelps"]
    fig.savefig(tmp_path / "f.png")
    assert (tmp_path / "f.png").stat().st_size > 10_000


@pytest.mark.parametrize(
    "kwargs, error, pattern",
    [
        (dict(variables=["gdp_per_capta"]), AnalysisError, r"'gdp_per_capta' is not.*Did you mean 'gdp_per_capita'"),
        (dict(variables=[]), AnalysisError, "empty"),
        (dict(periods=[(2014, 2003)]), AnalysisError, "period must be"),
        (dict(periods=[(2003,)]), AnalysisError, "periods must be"),
        (dict(periods="boom"), AnalysisError, "periods must be"),
        (dict(baseline="squandr"), ScenarioError, r"'squandr'.*Did you mean 'squander'"),
        (dict(ncols=0), AnalysisError, "ncols"),
    ],
)
def test_bad_requests(ds, kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        sd.plot.compare(ds, **kwargs)


def test_subscripted_variable_refused(ds):
    ds = ds.assign(v=(("scenario", "time", "region"), np.zeros((3, len(T), 2))))
    with pytest.raises(AnalysisError, match=r"'v' has dimensions"):
        sd.plot.compare(ds, variables=["v"])
