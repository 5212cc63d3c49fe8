"""The sequence views: gradient through time and attention maps, alone and live in the real window."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from explorer.graph import fileformat
from explorer.qt.training.attention_view import ALL_HEADS, GAP, AttentionView
from explorer.qt.training.panel import TrainingPanel
from explorer.qt.training.through_time_view import MAX_COLUMNS, ThroughTimeView
from explorer.training.snapshots import SequenceSnapshot
from explorer.training.threads import governed
from explorer.training.trainer import Trainer

from .editor_helpers import open_preset
from .training_helpers import TIMEOUT, train_until

PRESETS = Path(__file__).resolve().parents[2] / "presets"


@pytest.fixture(scope="module")
def reverse_probe() -> SequenceSnapshot:
    """The transformer-reverse preset's last sequence probe after 200 headless steps."""
    data = json.loads((PRESETS / "transformer-reverse.json").read_text(encoding="utf-8"))
    trainer = Trainer(fileformat.from_dict(data), steps=200)
    return [s for s in governed(trainer.run(), threads=1) if isinstance(s, SequenceSnapshot)][-1]


def made_up(step: int, t: int = 4, heads: int = 2) -> SequenceSnapshot:
    rng = np.random.default_rng(step)
    maps = rng.random((heads, t, t)).astype(np.float32)
    maps /= maps.sum(-1, keepdims=True)
    return SequenceSnapshot(step, np.geomspace(1e-6, 1.0, t).astype(np.float32), {"attn1": maps, "attn2": maps[::-1]},
                            [f"w{i}" for i in range(t)], " ".join(f"w{i}" for i in range(t)), "a b c d", "a x c d",
                            False)


def test_a_last_layer_head_of_the_trained_reverser_is_drawn_on_the_anti_diagonal(qtbot, reverse_probe):
    view = AttentionView()
    qtbot.addWidget(view)
    view.show_snapshot(reverse_probe)
    assert view.layer == "enc2" and view.head == ALL_HEADS  # the last layer, all heads, first
    assert view.shown.shape == (2 * 8 + GAP, 2 * 8 + GAP)  # four heads in a 2 x 2 mosaic
    assert np.array_equal(view.shown[8 + GAP:, :8], reverse_probe.attention["enc2"][2])
    shares = []
    for head in range(4):
        view.choose("enc2", head)
        drawn = view.shown
        assert drawn.shape == (8, 8) and np.array_equal(drawn, reverse_probe.attention["enc2"][head])
        shares.append(float(np.mean(drawn.argmax(1) == 7 - np.arange(8))))
    print(f"\nlast-layer heads attending i -> 7-i, from the drawn maps: {shares}")
    assert max(shares) >= 0.8
    view.choose("enc1", 0)
    assert np.array_equal(view.shown, reverse_probe.attention["enc1"][0])
    ticks = view.plot.getAxis("left")._tickLevels[0]
    assert [label for _, label in ticks] == [f"{i}:{tok}" for i, tok in enumerate(reverse_probe.tokens)]


def test_hover_names_the_head_positions_tokens_and_weight(qtbot):
    view = AttentionView()
    qtbot.addWidget(view)
    snap = made_up(5)
    view.show_snapshot(snap)
    view.choose("attn1", ALL_HEADS)
    # two heads side by side: column 4 + GAP + 2 is head 2's key 2
    text = view.describe(4 + GAP + 2, 1)
    weight = snap.attention["attn1"][1, 1, 2]
    assert text == f"head 2: position 1 (w1) attends to position 2 (w2) with weight {weight:.3f}"
    assert view.describe(4, 0) is None and view.describe(99, 0) is None  # the gap, and outside
    view.choose("attn2", 0)
    assert view.describe(3, 3).endswith(f"{snap.attention['attn2'][0, 3, 3]:.3f}")
    # the mouse over a cell fills the hover line
    view.resize(500, 500)
    view.show()
    qtbot.waitExposed(view)
    centre = view.plot.getViewBox().mapViewToScene(QPointF(2.5, 1.5))
    view._on_mouse_moved(centre)
    assert view.hover.text().startswith("head 1: position 1 (w1) attends to position 2 (w2)")


def test_through_time_draws_the_curve_the_heatmap_and_the_probe_text(qtbot):
    view = ThroughTimeView()
    qtbot.addWidget(view)
    for step in range(0, MAX_COLUMNS + 10):
        view.show_snapshot(made_up(step))
    assert np.allclose(view.curve.yData, np.geomspace(1e-6, 1.0, 4))  # getData() gives the log10s drawn
    assert view.curve_plot.getAxis("left").logMode  # a log scale: six orders of magnitude fit
    assert view.history.shape[0] == 4 and MAX_COLUMNS // 2 <= view.history.shape[1] <= MAX_COLUMNS
    assert view.history_steps[0] >= 0 and view.history_steps[-1] == MAX_COLUMNS + 9  # halved, never cut short
    assert np.all(np.diff(view.history_steps) > 0)
    assert np.allclose(view.history[:, -1], np.log10(np.geomspace(1e-6, 1.0, 4)), atol=1e-5)
    assert "1e+06× smaller" in view.caption.text()
    text = view.text.text()
    assert "w0 w1 w2 w3" in text and "a b c d" in text and "✗" in text and ">x</span>" in text  # x is wrong
    vanished = made_up(999)
    vanished.grad_through_time[:2] = 0.0  # a plain RNN's gradient underflows to exactly 0 at length 50
    view.show_snapshot(vanished)
    assert "is 0: it vanished completely" in view.caption.text() and np.isfinite(view.history).all()
    view.clear()
    assert view.history.shape[1] == 0


@pytest.fixture
def panel(docked_panel) -> TrainingPanel:
    docked_panel.trainer_options = {"steps": 100_000}
    return docked_panel


def visible(panel, view) -> bool:
    return panel.tabs.isTabVisible(panel.tabs.indexOf(view))


def test_the_window_trains_transformer_reverse_with_attention_and_gradient_through_time_live(window, panel, qtbot):
    views = panel.views
    open_preset(window, "transformer-reverse")
    train_until(qtbot, panel, lambda: views.attention_view.updates >= 3 and views.through_time_view.updates >= 3
                and len(panel.loss_view.val_acc.series) >= 1)
    assert visible(panel, views.attention_view) and visible(panel, views.through_time_view)
    assert panel.tabs.currentWidget() is views.attention_view
    assert views.attention_view.shown is not None and views.attention_view.layer == "enc2"
    assert views.through_time_view.history.shape[0] == 8
    assert "target" in views.through_time_view.text.text()
    whole = panel.staged.latest_metrics["sequence_acc"]
    assert 0.0 <= whole <= 1.0
    assert f"whole sequences right {100 * whole:.1f}%" in panel.message.text.text()


def test_the_window_shows_lstm_adding_through_time_without_an_attention_tab(window, panel, qtbot):
    views = panel.views
    open_preset(window, "lstm-adding")
    train_until(qtbot, panel, lambda: views.through_time_view.updates >= 2)
    assert visible(panel, views.through_time_view) and not visible(panel, views.attention_view)
    assert len(views.through_time_view.curve.yData) == 50
    assert "marked values" in views.through_time_view.text.text()
    open_preset(window, "mlp-moons")
    train_until(qtbot, panel, lambda: panel.loss_view.step_count > 0)
    assert not visible(panel, views.through_time_view) and not visible(panel, views.attention_view)
