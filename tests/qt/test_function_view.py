"""The function-fit view in the real window: live during training, shown only for 1-D regressions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from explorer.qt.training import attach

from .training_helpers import train_until

PRESETS = Path(__file__).resolve().parents[2] / "presets"


def test_function_fit_draws_the_curve_live_and_its_pieces_add_up(window, qtbot, program_threads):
    panel = attach(window)
    assert window.open_document(PRESETS / "function-fit.json", as_copy=True)
    panel.trainer_options = {"steps": 10**6}
    view = panel.views.function_view
    tabs = panel.tabs
    steps_drawn: list[int] = []
    view.frame_drawn.connect(steps_drawn.append)
    train_until(qtbot, panel, lambda: len(set(steps_drawn)) >= 4 and panel.latest_step is not None)
    assert tabs.isTabVisible(tabs.indexOf(view)) and tabs.currentWidget() is view
    assert steps_drawn == sorted(steps_drawn) and len(set(steps_drawn)) >= 4  # new curves while it trained
    x, y = view.curve.getData()
    snap = view._last
    assert np.array_equal(x, snap.x) and np.array_equal(y, snap.y)
    target_x, target_y = view.target.getData()
    assert np.allclose(target_y, np.sin(2 * target_x), atol=1e-6)  # the preset's sin(2x)
    assert len(view.points.data) == 400  # the training samples (500, 80 % of them)
    # the pieces: 32 units of the last Tanh layer, NaN-separated, summing with the bias to the curve
    px, py = view.pieces.getData()
    pieces = py.reshape(32, -1)[:, :-1]
    assert np.allclose(pieces.sum(0) + snap.bias, snap.y, atol=1e-4)
    view.pieces_check.setChecked(False)
    hidden_x, _ = view.pieces.getData()
    assert hidden_x is None or len(hidden_x) == 0
    assert "mean |network − target|" in view.caption.text()


def test_function_tab_hides_for_other_tasks(window, qtbot, program_threads):
    panel = attach(window)
    assert window.open_document(PRESETS / "cnn-digits.json", as_copy=True)
    panel.trainer_options = {"steps": 2}
    with qtbot.waitSignal(panel.run_finished, timeout=30_000):
        assert panel.train()
    tabs = panel.tabs
    assert not tabs.isTabVisible(tabs.indexOf(panel.views.function_view))


def test_a_regression_shows_validation_r2_not_an_empty_accuracy_plot(window, qtbot, program_threads):
    """The issue's case: a classification run, then in the same document a regression. The accuracy plot
    stayed up, empty; now the regression's lower plot is its validation R², 1 - val loss / baseline."""
    from explorer.training.r_squared import mean_baseline, r_squared

    panel = attach(window)
    assert window.open_document(PRESETS / "mlp-moons.json", as_copy=True)
    loss_view = panel.loss_view
    panel.trainer_options = {"steps": 30}
    with qtbot.waitSignal(panel.run_finished, timeout=30_000):
        assert panel.train()
    assert loss_view.acc_widget.isVisible() and len(loss_view.val_acc.series)
    doc = window.document
    doc.set_param("in1", "shape", [1])
    doc.set_param("fc3", "out_features", 1)
    doc.set_meta(training={**doc.training, "dataset": "function", "dataset_options": {}})
    panel.reset_weights()
    with qtbot.waitSignal(panel.run_finished, timeout=30_000):
        assert panel.train(), panel.message.text.text()
    assert len(loss_view.val_acc.series) == 0 and len(loss_view.val_r2.series) >= 1
    assert loss_view.acc_widget.isVisible()
    assert loss_view.acc_plot.getAxis("left").labelText == "R² (val)"
    data = panel.datasets.load("function", {}, seed=0, val_fraction=0.2)
    expected = r_squared(loss_view.val_loss.series.y[-1], mean_baseline(data.y_val))
    assert loss_view.val_r2.series.y[-1] == pytest.approx(expected)
    assert f"R² {expected:.3f}" in panel.message.text.text()
    # and back to a classifier: accuracy again, R² gone
    assert window.open_document(PRESETS / "cnn-digits.json", as_copy=True)
    panel.trainer_options = {"steps": 3}
    with qtbot.waitSignal(panel.run_finished, timeout=30_000):
        assert panel.train()
    assert loss_view.acc_plot.getAxis("left").labelText == "accuracy" and len(loss_view.val_r2.series) == 0
