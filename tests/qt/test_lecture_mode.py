"""Lecture mode (View ▸ Lecture mode, F11): everything 1.6x larger, the side docks folded away, the keys of
a lecture (Space, Right, R), and leaving it restores the layout exactly."""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QToolBar, QWidget

from explorer.qt.lecture_mode import FACTOR
from explorer.qt.training.marks import Dots

from .editor_helpers import open_preset

TIMEOUT = 20_000


def _fonts(window, panel) -> dict[str, float]:
    tick = panel.loss_view.loss_plot.getAxis("left").style["tickFont"]
    return {"menu bar": window.menuBar().font().pointSizeF(), "status bar": window.statusBar().font().pointSizeF(),
            "train button": panel.train_button.font().pointSizeF(), "epoch": panel.epoch_label.font().pointSizeF(),
            "canvas zoom": window.view.zoom(), "loss ticks": tick.pointSizeF()}


def _pen_widths(panel) -> list[float]:
    widths = [item.opts["pen"].widthF() for item in panel.loss_view.findChild(pg.GraphicsView).scene().items()
              if isinstance(item, (pg.PlotDataItem, Dots))]
    assert len(widths) >= 3  # the training curve, its smoothed line and the validation points at least
    return widths


@pytest.fixture
def lecture(window, docked_panel, qtbot):
    open_preset(window, "mlp-moons")
    qtbot.wait(50)  # the layout settles: the state compared is the one the student sees
    return window.lecture_mode


def test_fonts_and_lines_grow_and_leaving_restores_the_layout_exactly(window, docked_panel, lecture, qtbot):
    state, geometry = window.saveState(), window.saveGeometry()
    before, pens = _fonts(window, docked_panel), _pen_widths(docked_panel)
    window.menu_actions.lecture.trigger()
    qtbot.wait(50)
    assert lecture.active and window.menu_actions.lecture.isChecked()
    during = _fonts(window, docked_panel)
    for name, size in before.items():
        assert during[name] == pytest.approx(size * FACTOR, rel=0.02), name
    assert _pen_widths(docked_panel) == pytest.approx([max(1.0, w) * FACTOR for w in pens])
    assert not window.palette_dock.isVisible() and not window.inspector_dock.isVisible()
    assert not any(bar.isVisible() for bar in window.findChildren(QToolBar))
    assert not docked_panel.findChild(QWidget, "settingsScroll").isVisible()
    assert window.isFullScreen()
    assert docked_panel.views.isVisible()
    message_size = docked_panel.message.text.font().pointSizeF()
    docked_panel.message.show_message("info", "Finished")  # restyles the bar: its text stays large
    assert docked_panel.message.text.font().pointSizeF() == message_size == pytest.approx(before["epoch"] * FACTOR)
    docked_panel.message.clear()

    window.menu_actions.lecture.trigger()
    qtbot.wait(50)
    assert not lecture.active and not window.isFullScreen()
    assert _fonts(window, docked_panel) == before
    assert _pen_widths(docked_panel) == pens
    assert window.saveState() == state
    assert window.saveGeometry() == geometry
    assert window.palette_dock.isVisible() and docked_panel.findChild(QWidget, "settingsScroll").isVisible()


def test_space_trains_and_pauses_right_steps_r_resets(window, docked_panel, lecture, qtbot):
    panel = docked_panel
    panel.trainer_options = {"steps": 10_000}
    QTest.keyClick(window, Qt.Key.Key_Space)
    assert panel.run is None  # outside lecture mode Space is the canvas's (pan), not training's
    lecture.set_active(True)
    with qtbot.waitSignal(panel.run_started, timeout=TIMEOUT):
        QTest.keyClick(window, Qt.Key.Key_Space)
    QTest.keyClick(window, Qt.Key.Key_Space)
    assert panel.run.paused
    step = panel.run.trainer.step
    QTest.keyClick(window, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: panel.run.trainer.step == step + 1, timeout=TIMEOUT)
    with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT):
        panel.stop()
    assert panel.has_weights()
    QTest.keyClick(window, Qt.Key.Key_R)
    assert not panel.has_weights()
    lecture.set_active(False)
    assert not any(shortcut.isEnabled() for shortcut in lecture.shortcuts)
