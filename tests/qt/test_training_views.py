"""The panel's views on their own, fed with made-up snapshots: smoothing, downsampling, mosaics, ranges,
hover read-outs and the settings form."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from explorer.qt.training.activation_view import ActivationView
from explorer.qt.training.feature_map_view import FeatureMapView, best_columns, tile_channels
from explorer.qt.training.gradient_plot import GradientHistory, GradientView, decade_ticks
from explorer.qt.training.loss_plot import LossView
from explorer.qt.training.plotting import GrowingSeries, Smoother, nice_ceiling, sticky_range
from explorer.qt.training.settings_form import SettingsForm
from explorer.training.snapshots import ActivationSnapshot, FeatureMapSnapshot, StepSnapshot, ValidationSnapshot


def steps(first: int, last: int, norms=None, acc=True) -> list[StepSnapshot]:
    return [StepSnapshot(step=i, epoch=1, loss=1.0 / i, lr=0.01, batch_size=8,
                         grad_norms=norms or {"fc1": 1e-4, "fc2": 1e-2}, acc=0.5 if acc else None)
            for i in range(first, last + 1)]


def test_growing_series_doubles_and_keeps_every_value():
    series = GrowingSeries(capacity=4)
    for start in range(0, 100, 7):
        series.extend(np.arange(start, start + 7), np.arange(start, start + 7) * 2.0)
    assert len(series) == 105 and np.array_equal(series.x, np.arange(105))
    assert np.array_equal(series.y, np.arange(105) * 2.0)


def test_growing_series_stays_under_its_cap_by_averaging_pairs():
    series = GrowingSeries(capacity=4, max_points=64)
    for start in range(0, 1000, 10):
        x = np.arange(start, start + 10, dtype=float)
        series.extend(x, 3.0 * x)
        assert len(series) <= 64
    # The whole run is still there, every point the mean of equally many steps, on the same line.
    step = series.bucket
    assert step == 16 and np.allclose(np.diff(series.x), step) and series.x[0] == (step - 1) / 2
    assert series.x[-1] + (step + 1) / 2 + len(series._pending_x) == 1000  # the newest wait for their point
    assert np.allclose(series.y, 3.0 * series.x)
    assert len(series._x) <= 64  # the arrays stop doubling at the cap


def test_loss_view_memory_is_bounded_over_a_long_run(qtbot, monkeypatch):
    monkeypatch.setattr(GrowingSeries, "MAX_POINTS", 500)
    view = LossView()
    qtbot.addWidget(view)
    for first in range(1, 5001, 250):
        view.add_steps(steps(first, first + 249))
        view.redraw()
    assert view.step_count == 5000  # counted, though the curves hold fewer points
    assert len(view.raw.series) <= 500 and len(view.smoothed.series) == len(view.raw.series)
    x, _ = view.raw.item.getData()
    assert x[0] < 10 and x[-1] > 4980  # the first steps and the last ones, averaged


def test_smoothing_matches_tensorboards_debiased_average():
    values = [1.0, 3.0, float("nan"), 2.0]
    smoothed = Smoother(0.5).extend(values)
    assert smoothed[0] == pytest.approx(1.0)  # debiased: the first point is itself
    assert smoothed[1] == pytest.approx((0.25 + 1.5) / 0.75)
    assert smoothed[2] == pytest.approx(smoothed[1])  # a NaN is carried over, not averaged in
    assert list(Smoother(0.0).extend([4.0, 5.0])) == [4.0, 5.0]


def test_ranges_change_rarely():
    assert [nice_ceiling(v) for v in (0.7, 1, 3, 26, 480)] == [1, 1, 5, 50, 500]
    first = sticky_range(None, 0.0, 1.0)
    assert sticky_range(first, 0.1, 0.9) is None          # still fits, still fills it
    assert sticky_range(first, 0.0, 1.5) is not None      # outgrown
    assert sticky_range(first, 0.4, 0.5) is not None      # fills too little: shrink


def test_gradient_history_keeps_a_fixed_width_by_merging_columns():
    history = GradientHistory(["a", "b"], columns=8)
    for step in range(1, 41):
        history.add(step, {"a": 10.0 ** -step, "b": 1.0})
    assert history.bucket == 8 and history.filled == 5
    image = history.image()
    assert image.shape == (2, 5) and image.dtype == np.float32
    assert image[0, 0] == pytest.approx(-4.5)   # mean of log10 over steps 1..8
    assert np.all(image[1] == 0.0)
    assert history.column_at(8.4) == 0 and history.column_at(8.6) == 1


def test_gradient_view_bars_heatmap_and_hover(qtbot):
    view = GradientView()
    qtbot.addWidget(view)
    view.resize(600, 300)
    view.show()
    view.begin_run(["fc1", "fc2"])
    view.add_steps(steps(1, 30))
    view.redraw()
    assert view.heat.image.shape == (2, 30)
    assert view.heat.levels[0] <= -4 and view.heat.levels[1] >= -2
    x0, widths = view.bars.opts["x0"], view.bars.opts["width"]
    assert widths[1] > widths[0] > 0  # fc2's gradient is larger
    assert x0[0] + widths[0] == pytest.approx(-4)
    vb = view.heat_plot.getViewBox()
    scene_pos = vb.mapViewToScene(QPointF(10.2, 0.5))
    assert view.describe(scene_pos) == "fc1 · step 10 · |gradient| = 0.0001"
    bar_pos = view.bar_plot.getViewBox().mapViewToScene(QPointF(-3, 1.5))
    assert view.describe(bar_pos) == "fc2 · step 30 · |gradient| = 0.01"


def test_gradient_tints_are_emitted_only_on_visible_change(qtbot):
    view = GradientView()
    qtbot.addWidget(view)
    view.begin_run(["fc1", "fc2"])
    tints = []
    view.tints_changed.connect(tints.append)
    view.tint_check.setChecked(True)
    view.add_steps(steps(1, 5))
    view.redraw()
    assert set(tints[-1]) == {"fc1", "fc2"}
    count = len(tints)
    view.add_steps(steps(6, 10))
    view.redraw()
    assert len(tints) == count  # the same sizes: nothing to repaint
    view.tint_check.setChecked(False)
    assert tints[-1] == {"fc1": None, "fc2": None}


def test_decade_ticks_read_well():
    assert [label for _, label in decade_ticks(-8.2, 0.3)] == ["1e-8", "1e-5", "0.01"]
    assert [label for _, label in decade_ticks(-1.2, 0.4)] == ["0.1", "0.2", "0.5", "1", "2"]


def test_loss_view_smooths_fades_earlier_runs_and_switches_to_log_scale(qtbot):
    view = LossView()
    qtbot.addWidget(view)
    view.add_steps(steps(1, 50))
    view.add_validations([ValidationSnapshot(step=50, epoch=1, val_loss=0.1, val_acc=0.9)])
    view.redraw()
    assert view.step_count == 50 and view.acc_widget.isVisibleTo(view)
    raw = view.raw.item.getData()[1]
    view.smoothing.setValue(0)
    assert np.allclose(view.smoothed.item.getData()[1], raw)
    view.smoothing.setValue(90)
    assert view.smoothed.item.getData()[1][-1] > raw[-1]  # lags behind a falling loss
    view.log_scale.setChecked(True)
    low, high = view.loss_plot.getViewBox().viewRange()[1]
    assert low < math.log10(1 / 50) and high >= 0  # the y range is in log10 units now
    view.begin_run()
    assert view.earlier_runs == 1 and view.step_count == 0
    view.clear()
    assert view.earlier_runs == 0


def test_mosaic_tiles_every_channel_scaled_to_its_own_range():
    maps = np.stack([np.full((3, 4), 5.0), np.arange(12.0).reshape(3, 4), -np.arange(12.0).reshape(3, 4)])
    mosaic = tile_channels(maps.astype(np.float32), columns=2)
    assert mosaic.shape == (3 * 2 + 1, 4 * 2 + 1) and mosaic.dtype == np.float32
    assert np.all(mosaic[:3, :4] == 0.5)                 # a flat channel: mid-grey
    assert mosaic[0, 5] == 0.0 and mosaic[2, 8] == 1.0    # each channel spans 0..1
    assert np.isnan(mosaic[3, 0]) and np.isnan(mosaic[0, 4])  # gaps are transparent
    assert np.isnan(mosaic[4:, 5:]).all()                 # the empty fourth tile
    assert best_columns(16, 8, 8, aspect=4.0) == 8 and best_columns(16, 8, 8, aspect=1.0) == 4


def test_feature_map_view_shows_the_chosen_node(qtbot):
    view = FeatureMapView()
    qtbot.addWidget(view)
    view.set_candidates([("in1", "Input"), ("conv1", "Conv2d"), ("conv2", "Conv2d")], default="conv1")
    assert view.shown_node == "conv1"
    snap = FeatureMapSnapshot(step=3, probe_index=2, probe_image=np.zeros((1, 6, 6), np.float32), probe_label="ring",
                              maps={"conv1": np.random.rand(4, 6, 6).astype(np.float32),
                                    "conv2": np.random.rand(8, 2, 2).astype(np.float32)})
    view.show_snapshot(snap)
    assert "conv1: 4 channels of 6×6" in view.caption.text() and view.probe_caption.text() == "label: ring"
    assert view.choose_node("conv2") and view.mosaic.shape[0] in (2, 5, 8, 11, 17)
    assert not view.choose_node("fc1")
    view.set_candidates([("conv1", "Conv2d"), ("conv2", "Conv2d")], default="conv1")
    assert view.shown_node == "conv2"  # the user's choice survives an edit of the network
    with qtbot.waitSignal(view.probe_changed) as probe:
        view.set_probe_range(100)
        view.probe_spin.setValue(7)
    assert probe.args == [7]


def test_activation_table_follows_graph_order_and_shades_dead_units(qtbot):
    view = ActivationView()
    qtbot.addWidget(view)
    view.set_order(["fc1", "relu1", "fc2"])
    view.show_snapshot(ActivationSnapshot(step=4, stats={"relu1": {"mean": 0.5, "std": 1.0, "dead": 0.75},
                                                         "fc1": {"mean": 0.0, "std": 2.0}},
                                          weight_norms={"fc1": 3.0, "fc2": 1.5}))
    assert [view.table.item(r, 0).text() for r in range(3)] == ["fc1", "relu1", "fc2"]
    assert view.text("relu1", "Dead") == "75%" and view.text("fc1", "Dead") == "–"
    assert view.text("fc2", "|W|") == "1.5"
    assert view.table.item(1, 4).background().color().alpha() > 100


def test_settings_form_round_trips_and_signals_only_user_edits(qtbot):
    form = SettingsForm()
    qtbot.addWidget(form)
    edits, live = [], []
    form.edited.connect(edits.append)
    form.live_changed.connect(lambda k, v: live.append((k, v)))
    training = {"dataset": "shapes", "dataset_options": {"n_samples": 600}, "optimizer": "sgd", "lr": 0.0003,
                "momentum": 0.8, "weight_decay": 1e-5, "batch_size": 64, "epochs": 3, "seed": 7, "init": "normal",
                "init_std": 0.05, "val_fraction": 0.25, "augment": {"shift": 1}, "device": "cpu",
                "task": "reconstruction",
                "reconstruction_loss": "bce", "code_node": "code", "d_steps": 3,
                "networks": {"generator": "g_out", "discriminator": "d_out"}}
    form.set_settings(training)
    assert form.settings() == training and not edits  # showing is not editing
    assert form.lr.spin.text() == "0.0003" and form.init_std.isEnabled()
    assert form.findChild(type(form.batch_size), "option_n_samples").value() == 600
    form.lr.slider.setValue(form.lr.slider.value() + 50)  # one decade up on the log slider
    assert form.lr.value() == pytest.approx(0.003)
    assert live[-1] == ("lr", pytest.approx(0.003)) and edits[-1]["lr"] == pytest.approx(0.003)
    form.set_running(True)
    assert not form.dataset.isEnabled() and not form.epochs.isEnabled()
    assert form.lr.isEnabled() and form.batch_size.isEnabled() and form.weight_decay.isEnabled()
    form.set_settings({"lr": 5000.0})  # beyond the slider: the exact box keeps it
    assert form.settings()["lr"] == 5000.0


def test_settings_form_shows_the_task_and_only_the_settings_it_uses(qtbot):
    form = SettingsForm()
    qtbot.addWidget(form)
    form.show()
    edits = []
    form.edited.connect(edits.append)
    form.set_settings({"dataset": "karate"})
    assert form.task.currentData() == "auto" and form.task.itemText(0) == "Automatic (graph nodes)"
    assert form.task_shown() == "node_classification"
    assert not form.d_steps.isVisible() and not form.reconstruction_loss.isVisible()
    tips = [form.task.itemData(i, Qt.ItemDataRole.ToolTipRole) for i in range(form.task.count())]
    assert all(tips) and "two networks" in tips[form.task.findData("adversarial")]
    form.task.setCurrentIndex(form.task.findData("adversarial"))
    form.task.activated.emit(form.task.currentIndex())  # as if chosen by the user
    assert edits[-1]["task"] == "adversarial" and form.d_steps.isVisible()
    form.d_steps.setValue(5)
    assert edits[-1]["d_steps"] == 5
    form.set_code_candidates(["in1", "enc", "code", "dec"])
    form.task.setCurrentIndex(form.task.findData("reconstruction"))
    form.task.activated.emit(form.task.currentIndex())
    assert form.code_node.isVisible() and form.reconstruction_loss.isVisible() and not form.d_steps.isVisible()
    form.code_node.setCurrentIndex(form.code_node.findData("code"))
    form.code_node.activated.emit(form.code_node.currentIndex())
    assert edits[-1]["code_node"] == "code" and edits[-1]["task"] == "reconstruction"
    count = len(edits)
    form.set_settings({"dataset": "moons", "networks": {"generator": "g"}})  # showing is not editing
    assert len(edits) == count and form.settings()["networks"] == {"generator": "g"}
    assert form.task.itemText(0) == "Automatic (supervised)"
    form.set_running(True)
    assert not form.task.isEnabled()


@pytest.mark.parametrize("key", ["task", "dataset", "optimizer", "init", "reconstruction_loss", "d_steps"])
def test_settings_form_shows_a_huge_number_anywhere_without_raising(qtbot, key):
    """Found by the window fuzz: a combo's findData and a spin box overflow on a 2**80 in a file."""
    from explorer.qt.training.settings_form import SettingsForm

    form = SettingsForm()
    qtbot.addWidget(form)
    defaults = form.settings()
    form.set_settings({**defaults, key: 2**80})
    shown = form.settings()[key]
    if key == "d_steps":
        assert shown == form.d_steps.maximum()  # spin boxes clamp, as for the batch size
    else:
        assert shown == defaults[key]  # combos keep the default; Train names the bad value when asked


def test_gradient_history_takes_a_batch_as_it_takes_its_steps_one_by_one():
    rng = np.random.default_rng(0)
    layers = ["a", "b", "c"]
    norms = [{"a": float(10 ** rng.uniform(-6, 0)), "b": math.nan if i % 7 == 0 else float(rng.uniform(0, 1)),
              "c": 0.0} for i in range(1000)]
    one_by_one, batched = GradientHistory(layers, columns=16), GradientHistory(layers, columns=16)
    for i, n in enumerate(norms):
        one_by_one.add(i + 1, n)
    for start in range(0, 1000, 37):
        batched.add_many(list(range(start + 1, min(start + 38, 1001))), norms[start:start + 37])
    assert batched.bucket == one_by_one.bucket > 1 and batched.filled == one_by_one.filled
    assert np.allclose(batched.image(), one_by_one.image(), equal_nan=True)
    assert np.allclose(batched.latest, one_by_one.latest, equal_nan=True) and batched.latest_step == 1000
    # The tints' average, step by step, skipping the missing values.
    expected = None
    for n in norms:
        if math.isfinite(n["b"]):
            x = math.log10(max(n["b"], 1e-12))
            expected = x if expected is None else 0.9 * expected + 0.1 * x
    assert batched.smoothed[1] == pytest.approx(expected) and one_by_one.smoothed[1] == pytest.approx(expected)
    assert batched.smoothed[2] == pytest.approx(-12)  # a zero gradient is drawn at the floor
