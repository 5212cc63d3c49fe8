"""The training panel inside the real main window: locking, canvas clicks, tints, and closing mid-run."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from explorer.qt.training.panel import TrainingPanel
from explorer.qt.training.worker import TrainingRun

from .editor_helpers import open_preset

TIMEOUT = 20_000


@pytest.fixture
def panel(docked_panel) -> TrainingPanel:
    docked_panel.trainer_options = {"steps": 10_000}
    return docked_panel



def wait_steps(qtbot, panel, n: int) -> None:
    qtbot.waitUntil(lambda: panel.latest_step is not None and panel.latest_step.step >= n, timeout=TIMEOUT)


def test_the_panel_is_docked_and_follows_the_window(window, panel):
    assert window.findChild(QWidget, "trainingPanel") is panel
    assert window.training_dock is not None and window.training_dock.widget() is panel
    for name in ("trainButton", "pauseButton", "stepButton", "stopButton", "lossPlot", "gradientPlot",
                 "featureMapView"):
        assert window.findChild(QWidget, name) is not None, name
    open_preset(window, "cnn-digits")
    assert panel.document is window.document
    assert panel.form.settings()["dataset"] == "digits"
    assert panel.feature_view.shown_node == "conv1"


def test_a_run_locks_the_network_and_stopping_unlocks_it(window, panel, qtbot):
    open_preset(window, "cnn-digits")
    with qtbot.waitSignal(panel.run_started, timeout=TIMEOUT):
        QTest.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    assert window.locked and not window.palette.isEnabled()
    wait_steps(qtbot, panel, 3)
    with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT):
        QTest.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    assert not window.locked and window.palette.isEnabled()
    assert len(window.document) == 11


def test_clicking_a_node_on_the_canvas_shows_its_feature_maps(window, panel, qtbot):
    open_preset(window, "cnn-digits")
    item = window.scene.nodes["conv2"]
    point = window.view.mapFromScene(item.scenePos() + QPointF(30, 5))
    with qtbot.waitSignal(window.scene.node_clicked):
        QTest.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    assert panel.feature_view.shown_node == "conv2"
    assert panel.feature_view.node_combo.currentData() == "conv2"
    panel.on_node_clicked("fc1")  # no feature maps: the choice stays
    assert panel.feature_view.shown_node == "conv2"


def test_the_canvas_is_tinted_by_gradient_size_on_request(window, panel, qtbot):
    open_preset(window, "cnn-digits")
    panel.gradient_view.tint_check.setChecked(True)
    panel.train()
    qtbot.waitUntil(lambda: isinstance(window.scene.nodes["fc2"].tint, QColor), timeout=TIMEOUT)
    assert isinstance(window.scene.nodes["conv1"].tint, QColor)
    assert window.scene.nodes["relu1"].tint is None  # no parameters, no gradient
    panel.gradient_view.tint_check.setChecked(False)
    assert window.scene.nodes["fc2"].tint is None
    with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT):
        panel.stop()


def test_closing_the_window_mid_run_leaves_no_thread_running(window, panel, qtbot):
    open_preset(window, "cnn-digits")
    panel.train()
    wait_steps(qtbot, panel, 2)
    thread = panel.run._thread
    assert window.close()
    assert thread.isFinished() and panel.run is None
    assert not TrainingRun.running_threads()


def test_opening_another_network_mid_run_stops_the_run(window, panel, qtbot):
    open_preset(window, "cnn-digits")
    panel.train()
    wait_steps(qtbot, panel, 2)
    thread = panel.run._thread
    open_preset(window, "mlp-moons")
    assert thread.isFinished() and panel.run is None
    assert not window.locked
    assert panel.document is window.document and panel.form.settings()["dataset"] == "moons"
    assert panel.loss_view.step_count == 0


def test_a_settings_edit_marks_the_file_modified_and_undoes(window, panel, qtbot):
    open_preset(window, "cnn-digits")
    assert window.undo_stack.isClean()
    before = dict(window.document.training)
    panel.form.lr.spin.setValue(0.0321)  # as if typed
    assert window.document.training["lr"] == pytest.approx(0.0321)
    assert not window.undo_stack.isClean() and "*" in window.windowTitle()
    assert "lr" in window.undo_stack.undoText()
    window.undo_stack.undo()
    assert window.document.training == before
    assert panel.form.settings()["lr"] == pytest.approx(before["lr"])
