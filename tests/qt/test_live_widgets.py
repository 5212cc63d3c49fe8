"""The live plot widgets: Qt paints them without a Python paintEvent, and their views still follow range changes."""

from __future__ import annotations

import sys

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF

from explorer.qt.training.live_widgets import LiveLayoutWidget, LivePlotWidget


def python_paint_calls(widget) -> int:
    """How many Python ``paintEvent`` functions ran while ``widget`` painted itself (a profile hook)."""
    calls = []

    def profile(frame, event, _arg):
        if event == "call" and frame.f_code.co_name == "paintEvent":
            calls.append(frame.f_code.co_filename)

    sys.setprofile(profile)
    try:
        widget.grab()
    finally:
        sys.setprofile(None)
    return len(calls)


@pytest.mark.parametrize("live, plain", [(LivePlotWidget, pg.PlotWidget),
                                         (LiveLayoutWidget, pg.GraphicsLayoutWidget)])
def test_live_widgets_paint_without_pythons_paint_event(qtbot, live, plain):
    counts = {}
    for kind in (live, plain):
        widget = kind()
        qtbot.addWidget(widget)
        widget.resize(300, 200)
        widget.show()
        qtbot.waitExposed(widget)
        counts[kind] = python_paint_calls(widget)
    assert counts[plain] >= 1  # pyqtgraph's own widget paints through Python, and the hook sees it
    assert counts[live] == 0


def test_a_live_plot_follows_a_range_change_before_it_paints(qtbot):
    widget = LivePlotWidget()
    qtbot.addWidget(widget)
    widget.resize(400, 300)
    widget.show()
    qtbot.waitExposed(widget)
    plot = widget.getPlotItem()
    plot.disableAutoRange()
    for axis in ("left", "bottom"):  # an axis repainting would bring the matrix up to date itself
        plot.hideAxis(axis)
    view = plot.getViewBox()
    plot.setRange(xRange=(0.0, 1.0), yRange=(0.0, 1.0), padding=0)
    widget.grab()
    # The painted transform, read as it stands (mapViewToScene would bring it up to date itself).
    x_of = lambda value: view.childGroup.transform().map(QPointF(value, 0.5)).x()  # noqa: E731
    width = view.rect().width()
    assert width > 100
    assert (x_of(0.0), x_of(1.0)) == pytest.approx((0.0, width), abs=1.0)
    plot.setXRange(0.0, 2.0, padding=0)  # x = 1 moves to the middle of the view
    assert x_of(1.0) == pytest.approx(width, abs=1.0)  # pyqtgraph leaves the matrix to prepareForPaint
    widget.grab()
    assert x_of(1.0) == pytest.approx(width / 2, abs=1.0)


def test_the_views_redrawn_at_every_delivery_use_the_live_widgets(qtbot):
    from explorer.qt.training.feature_map_view import FeatureMapView
    from explorer.qt.training.gradient_plot import GradientView
    from explorer.qt.training.loss_plot import LossView

    for view_class in (LossView, GradientView, FeatureMapView):
        view = view_class()
        qtbot.addWidget(view)
        graphics = view.findChildren(pg.GraphicsView)
        assert graphics and all(isinstance(g, (LivePlotWidget, LiveLayoutWidget)) for g in graphics), view_class
