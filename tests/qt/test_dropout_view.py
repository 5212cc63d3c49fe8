"""The Dropout tab in the real window: both modes' accuracies after a run, the mode switch, and the
1/(1-p) scaling of the kept values read off the table the student sees (issue 12, part 2)."""

from __future__ import annotations

import pytest

from explorer.graph import Document

from .editor_helpers import open_doc, open_preset
from .training_helpers import TIMEOUT


def dropout_mlp() -> Document:
    doc = Document(name="dropout", training={"dataset": "moons", "dataset_options": {"n_samples": 300},
                                             "lr": 0.02, "batch_size": 32, "epochs": 3})
    ids = []
    for kind, params in (("Input", {"shape": [2]}), ("Linear", {"out_features": 64}), ("ReLU", {}),
                         ("Dropout", {"p": 0.5}), ("Linear", {"out_features": 2})):
        ids.append(doc.add_node(kind, params).id)
    for a, b in zip(ids, ids[1:]):
        doc.connect(a, b)
    return doc


def _cells(table, row: int) -> list[float]:
    return [float(table.item(row, k).text()) for k in range(table.columnCount())]


def test_the_dropout_tab_shows_both_modes_and_the_scaling_of_kept_values(window, docked_panel, qtbot, tmp_path):
    panel = docked_panel
    view = panel.views.dropout_view
    open_preset(window, "cnn-digits")
    assert not panel.tabs.isTabVisible(panel.tabs.indexOf(view))  # no Dropout layer, no tab
    open_doc(window, dropout_mlp(), tmp_path)
    assert panel.tabs.isTabVisible(panel.tabs.indexOf(view))
    assert "Train the network" in view.accuracy_label.text()
    with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT):
        assert panel.train()
    comparison = view.comparison
    assert comparison is not None and comparison.eval_loss != comparison.train_loss
    assert f"{100 * comparison.eval_acc:.1f} %" in view.accuracy_label.text()
    assert f"{100 * comparison.train_acc:.1f} %" in view.accuracy_label.text()
    assert view.accuracy_label.text().startswith("<b>Validation in evaluation mode")

    # the table: the values in, out in training mode (kept ones doubled, the rest zero), out in eval mode
    entering, train_out, eval_out = (_cells(view.table, r) for r in range(3))
    assert eval_out == entering
    kept = [k for k, v in enumerate(train_out) if v != 0]
    assert all(v != 0 for v in entering)  # the values shown are those dropout can act on
    assert kept and len(kept) < len(entering)  # something kept, something dropped
    for k in kept:
        assert train_out[k] == pytest.approx(2 * entering[k], abs=2e-3)  # three decimals shown
    assert "each ×2.000 (measured; 1/(1-p) = 2.000)" in view.caption.text()
    assert "evaluation mode passed every value through unchanged" in view.caption.text()

    view.mode_switch.setChecked(True)  # the switch: training mode first, its row in bold
    assert view.accuracy_label.text().startswith("<b>Validation in training mode (dropout active)")
    assert view.table.item(1, 0).font().bold() and not view.table.item(2, 0).font().bold()
    first_draw = comparison.train_loss
    view.measure_button.click()
    assert view.comparison.eval_loss == comparison.eval_loss  # evaluation mode: the same numbers again
    assert view.comparison.train_loss != first_draw  # training mode: a new mask, another loss
    panel.tabs.setCurrentWidget(view)
    view.grab().save(str(tmp_path / "dropout.png"))
    panel.reset_weights()
    assert view.comparison is None


def test_a_paused_run_is_measured_and_a_single_step_measures_again(window, docked_panel, qtbot, tmp_path):
    panel = docked_panel
    view = panel.views.dropout_view
    open_doc(window, dropout_mlp(), tmp_path)
    panel.trainer_options = {"steps": 10**6}
    assert panel.train()
    qtbot.waitUntil(lambda: panel.latest_step is not None and panel.latest_step.step > 20, timeout=TIMEOUT)
    panel.tabs.setCurrentWidget(view)
    assert view.comparison is None and "pause it" in view.accuracy_label.text()  # nothing under a moving network
    panel.pause_button.click()
    qtbot.waitUntil(lambda: view.comparison is not None, timeout=TIMEOUT)
    first = view.comparison
    draws = panel.dropout_draws
    panel.step_button.click()  # one more step: its weights are measured
    qtbot.waitUntil(lambda: panel.dropout_draws > draws, timeout=TIMEOUT)
    assert view.comparison is not first
    assert panel.shutdown()
