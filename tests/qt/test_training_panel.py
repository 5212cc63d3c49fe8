"""The training panel driving the real trainer: every acceptance line of the live-training issue.

Runs are short (a step limit through ``panel.trainer_options``) and every wait is on a signal or
a condition, never a sleep. No training thread may outlive its test.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from explorer.graph import Document
from explorer.graph.fileformat import load
from explorer.qt.training.panel import TrainingPanel
from explorer.qt.training.worker import TrainingRun
from explorer.training.snapshots import ErrorSnapshot
from explorer.training.trainer import Trainer

PRESETS = Path(__file__).resolve().parents[2] / "presets"
TIMEOUT = 20_000


def cnn_digits() -> Document:
    return load(PRESETS / "cnn-digits.json")


def mlp_moons() -> Document:
    doc = Document(name="mlp on moons")
    doc.add_node("Input", {"shape": [2]}, node_id="in1")
    doc.add_node("Linear", {"out_features": 16}, node_id="fc1")
    doc.add_node("Tanh", node_id="tanh1")
    doc.add_node("Linear", {"out_features": 2}, node_id="fc2")
    doc.connect("in1", "fc1")
    doc.connect("fc1", "tanh1")
    doc.connect("tanh1", "fc2")
    doc.set_meta(training={"dataset": "moons", "dataset_options": {"n_samples": 300}, "optimizer": "adam",
                           "lr": 0.01, "batch_size": 16, "epochs": 2})
    return doc


@pytest.fixture
def make_panel(qtbot):
    panels = []

    def make(doc: Document, steps: int | None = 10_000) -> TrainingPanel:
        panel = TrainingPanel(doc)
        qtbot.addWidget(panel)
        panel.resize(1400, 450)
        panel.show()
        if steps is not None:
            panel.trainer_options = {"steps": steps}
        panels.append(panel)
        return panel

    yield make
    for panel in panels:
        assert panel.shutdown()


def button(panel: TrainingPanel, name: str) -> QPushButton:
    found = panel.findChild(QPushButton, name)
    assert found is not None, name
    return found


def wait_steps(qtbot, panel: TrainingPanel, n: int) -> int:
    qtbot.waitUntil(lambda: panel.latest_step is not None and panel.latest_step.step >= n, timeout=TIMEOUT)
    return panel.latest_step.step


def wait_paused(qtbot, panel: TrainingPanel) -> int:
    """Wait until the trainer blocks in its pause and the panel has drawn its last step."""
    trainer = panel.run.trainer
    assert trainer.wait_idle(timeout=TIMEOUT / 1000)
    qtbot.waitUntil(lambda: panel.latest_step is not None and panel.latest_step.step == trainer.step
                    and not panel.drawing, timeout=TIMEOUT)
    return trainer.step


def test_train_grows_the_loss_curve_and_changes_the_feature_maps(qtbot, make_panel):
    panel = make_panel(cnn_digits())
    mosaics = []

    def keep_mosaic(batch):
        if batch.feature_maps is not None:
            mosaics.append(np.array(panel.feature_view.mosaic, copy=True))

    panel.batch_applied.connect(keep_mosaic)
    with qtbot.waitSignal(panel.run_started, timeout=TIMEOUT):
        qtbot.mouseClick(button(panel, "trainButton"), Qt.MouseButton.LeftButton)
    assert not button(panel, "trainButton").isEnabled()
    assert button(panel, "stopButton").isEnabled()
    first = wait_steps(qtbot, panel, 5)
    first_points = panel.loss_view.step_count
    qtbot.waitUntil(lambda: panel.loss_view.step_count > first_points + 20 and len(mosaics) >= 3, timeout=TIMEOUT)
    assert panel.latest_step.step > first
    qtbot.waitUntil(lambda: not panel.drawing, timeout=TIMEOUT)  # a batch is drawn in stages: the curve is last
    x, y = panel.loss_view.raw.item.getData()  # every point, though a long curve is drawn thinned
    assert len(x) == panel.loss_view.step_count and np.all(np.isfinite(y))
    assert panel.feature_view.shown_node == "conv1"  # the first convolution, until the user picks one
    assert mosaics[0].shape == mosaics[-1].shape
    assert not np.array_equal(np.nan_to_num(mosaics[0]), np.nan_to_num(mosaics[-1]))
    assert panel.gradient_view.history.layers == ["conv1", "conv2", "fc1", "fc2"]
    qtbot.waitUntil(lambda: "steps/s" in panel.rate_label.text() and panel.step_label.text() != "Step 0",
                    timeout=TIMEOUT)
    with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT):
        panel.stop()


def test_the_probe_chosen_before_training_is_the_one_shown(qtbot, make_panel):
    panel = make_panel(cnn_digits())
    panel.feature_view.set_probe_range(100)
    panel.feature_view.probe_spin.setValue(7)
    with qtbot.waitSignal(panel.batch_applied, check_params_cb=lambda b: b.feature_maps is not None,
                          timeout=TIMEOUT) as applied:
        panel.train()
    assert applied.args[0].feature_maps.probe_index == 7 and panel.feature_view.probe_spin.value() == 7
    with qtbot.waitSignal(panel.batch_applied, check_params_cb=lambda b: b.feature_maps is not None
                          and b.feature_maps.probe_index == 12, timeout=TIMEOUT):
        panel.feature_view.probe_spin.setValue(12)  # and another one while it runs
    with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT):
        panel.stop()


def test_pause_stops_the_step_counter_and_step_advances_exactly_one(qtbot, make_panel):
    panel = make_panel(cnn_digits())
    panel.train()
    wait_steps(qtbot, panel, 3)
    qtbot.mouseClick(button(panel, "pauseButton"), Qt.MouseButton.LeftButton)
    assert button(panel, "pauseButton").text() == "Resume"
    held = wait_paused(qtbot, panel)
    assert panel.step_label.text() == f"Step {held}"
    assert panel.run.trainer.step == held  # blocked in its pause: the counter stands still

    with qtbot.waitSignal(panel.batch_applied, check_params_cb=lambda b: bool(b.steps), timeout=TIMEOUT):
        qtbot.mouseClick(button(panel, "stepButton"), Qt.MouseButton.LeftButton)
    assert wait_paused(qtbot, panel) == held + 1
    assert panel.latest_step.step == held + 1
    assert panel.step_label.text() == f"Step {held + 1}"

    qtbot.mouseClick(button(panel, "pauseButton"), Qt.MouseButton.LeftButton)  # resume
    wait_steps(qtbot, panel, held + 5)
    with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT):
        qtbot.mouseClick(button(panel, "stopButton"), Qt.MouseButton.LeftButton)


def test_step_from_idle_trains_exactly_one_mini_batch(qtbot, make_panel):
    panel = make_panel(cnn_digits())
    with qtbot.waitSignal(panel.batch_applied, check_params_cb=lambda b: bool(b.steps), timeout=TIMEOUT):
        qtbot.mouseClick(button(panel, "stepButton"), Qt.MouseButton.LeftButton)
    assert wait_paused(qtbot, panel) == 1
    assert panel.loss_view.step_count == 1
    assert button(panel, "pauseButton").text() == "Resume"
    with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT):
        panel.stop()


def test_a_live_learning_rate_change_reaches_the_trainer_without_a_reset(qtbot, make_panel):
    doc = cnn_digits()
    panel = make_panel(doc)
    panel.train()
    before = wait_steps(qtbot, panel, 5)
    assert panel.latest_step.lr == pytest.approx(0.002)
    run = panel.run
    panel.form.lr.spin.setValue(0.0005)  # as if typed into the exact value box
    qtbot.waitUntil(lambda: panel.latest_step.lr == pytest.approx(0.0005) and not panel.drawing, timeout=TIMEOUT)
    assert panel.run is run  # the same run went on
    assert panel.latest_step.step > before
    steps = panel.loss_view.raw.series.x
    assert np.all(np.diff(steps) == 1) and steps[0] == 1  # one unbroken curve
    assert "lr 0.0005" in panel.lr_label.text()
    assert doc.training["lr"] == pytest.approx(0.0005)  # saved with the file
    with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT):
        panel.stop()


def test_stop_ends_the_thread_and_unlocks(qtbot, make_panel):
    panel = make_panel(cnn_digits())
    panel.train()
    assert not panel.form.epochs.isEnabled() and panel.form.lr.isEnabled()
    wait_steps(qtbot, panel, 3)
    with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT) as ended:
        qtbot.mouseClick(button(panel, "stopButton"), Qt.MouseButton.LeftButton)
    assert ended.args[0].reason == "stopped"
    assert panel.run is None and not TrainingRun.running_threads()
    assert button(panel, "trainButton").isEnabled() and not button(panel, "stopButton").isEnabled()
    assert panel.form.epochs.isEnabled()
    assert "Stopped after" in panel.message.text.text()


def test_a_run_finishes_by_itself_with_validation(qtbot, make_panel):
    panel = make_panel(mlp_moons(), steps=None)  # two epochs of 15 steps
    with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT) as ended:
        panel.train()
    assert ended.args[0].reason == "finished"
    assert len(panel.loss_view.val_loss.series) == 2
    assert panel.boundary_view.updates >= 1 and panel.boundary_view.image.image.shape[0] > 1
    assert panel.activation_view.updates >= 1 and panel.activation_view.text("tanh1", "Saturated").endswith("%")
    assert panel.tabs.currentWidget() is panel.boundary_view
    assert "Finished after 30 steps" in panel.message.text.text()
    assert panel.progress.value() == 100 and panel.step_label.text() == "Step 30"
    assert panel.epoch_label.text() == "Epoch 2 of 2"


def test_train_again_continues_and_reset_starts_afresh(qtbot, make_panel):
    panel = make_panel(mlp_moons(), steps=12)
    datasets = []
    panel.run_started.connect(lambda: datasets.append(panel.run.trainer.dataset))
    with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT):
        panel.train()
    with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT):
        panel.train()
    assert panel.loss_view.raw.series.x[-1] == 24  # one curve over both runs
    assert panel.loss_view.earlier_runs == 0
    panel.reset_weights()
    assert panel.loss_view.earlier_runs == 1 and panel.loss_view.step_count == 0
    with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT):
        panel.train()
    assert panel.loss_view.raw.series.x[-1] == 12
    assert len(datasets) == 3 and datasets[0] is datasets[1] is datasets[2]  # the data was made once


def test_a_diverging_run_says_so_and_the_panel_lives_on(qtbot, make_panel):
    doc = cnn_digits()
    doc.set_meta(training={**doc.training, "optimizer": "sgd", "lr": 10_000.0})
    panel = make_panel(doc)
    with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT) as ended:
        panel.train()
    end = ended.args[0]
    assert end.reason == "diverged"
    text = panel.message.text.text()
    assert "diverged at step" in text and str(end.step) in text and "learning rate" in text
    assert panel.message.kind == "warning"
    assert button(panel, "trainButton").isEnabled() and len(doc) == 11


class RaisingTrainer(Trainer):
    """The real trainer, with a network that raises on its fourth forward pass."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        forward, calls = self.module.forward, [0]

        def failing(*inputs, **kw):
            calls[0] += 1
            if calls[0] == 4:
                raise RuntimeError("the GPU caught fire")
            return forward(*inputs, **kw)

        self.module.forward = failing


def test_an_exception_in_training_is_shown_with_details_and_the_graph_is_intact(qtbot, make_panel):
    doc = mlp_moons()
    nodes, edges = len(doc.nodes()), len(doc.edges())
    panel = make_panel(doc, steps=20)
    panel.trainer_factory = RaisingTrainer
    with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT) as ended:
        panel.train()
    assert isinstance(ended.args[0], ErrorSnapshot)
    message = panel.message
    assert message.kind == "error" and "the GPU caught fire" in message.text.text()
    assert message.details_button.isVisible() and not message.details.isVisible()
    qtbot.mouseClick(message.details_button, Qt.MouseButton.LeftButton)
    assert message.details.isVisible() and "RuntimeError" in message.details.toPlainText()
    assert (len(doc.nodes()), len(doc.edges())) == (nodes, edges)
    panel.trainer_factory = Trainer  # and the next run trains
    with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT) as ended:
        panel.train()
    assert ended.args[0].reason == "finished"


@pytest.mark.parametrize("change, words", [
    ({"dataset": "moons"}, "the dataset"),                   # 2-D points into a conv net
    ({"dataset_options": {"folder": "/nowhere"}, "dataset": "idx"}, "the dataset"),
])
def test_errors_at_construction_show_without_starting_a_thread(qtbot, make_panel, change, words):
    doc = cnn_digits()
    doc.set_meta(training={**doc.training, **change})
    panel = make_panel(doc)
    assert panel.train() is False
    assert panel.run is None and not TrainingRun.running_threads()
    assert panel.message.kind == "error"
    assert panel.message.text.text().startswith(f"Cannot train: {words}")
    assert button(panel, "trainButton").isEnabled()


def test_a_network_error_at_construction_names_the_node(qtbot, make_panel):
    doc = cnn_digits()
    doc.disconnect("flat1", "fc1")  # fc1 now has no input
    panel = make_panel(doc)
    assert panel.train() is False
    assert panel.message.text.text().startswith("Cannot train: the network")
    assert not TrainingRun.running_threads()


def test_settings_edits_are_written_to_the_document(qtbot, make_panel):
    doc = cnn_digits()
    panel = make_panel(doc)
    panel.form.epochs.setValue(7)
    assert doc.training["epochs"] == 7
    index = panel.form.optimizer.findData("sgd")
    panel.form.optimizer.setCurrentIndex(index)
    panel.form.optimizer.activated.emit(index)
    assert doc.training["optimizer"] == "sgd" and panel.form.momentum.isEnabled()
    doc.set_meta(training={"dataset": "digits", "epochs": 3})  # an edit from elsewhere (undo)
    assert panel.form.epochs.value() == 3 and panel.form.optimizer.currentData() == "adam"


def test_replacing_the_document_mid_run_stops_the_worker(qtbot, make_panel):
    panel = make_panel(cnn_digits())
    panel.train()
    wait_steps(qtbot, panel, 2)
    thread = panel.run._thread
    other = mlp_moons()
    panel.set_document(other)
    assert thread.isFinished() and panel.run is None
    assert panel.loss_view.step_count == 0 and panel.form.settings()["dataset"] == "moons"
    assert panel.feature_view.shown_node is None


def test_a_batch_landing_between_drawing_stages_is_drawn_too(make_panel):
    """The race behind plots that ended a few steps short: batch 2 arrives after the loss and
    gradient stages drew batch 1 but before the last stage ran; after the flush at a run's end
    every view must show batch 2's steps and its validation point."""
    from explorer.qt.training.worker import SnapshotBatch
    from explorer.training.snapshots import StepSnapshot, ValidationSnapshot

    panel = make_panel(mlp_moons())
    panel.gradient_view.begin_run(["fc1", "fc2"])

    def steps(first: int, last: int) -> list[StepSnapshot]:
        return [StepSnapshot(step=s, epoch=1, loss=1.0 / s, lr=0.01, batch_size=16,
                             grad_norms={"fc1": 0.1, "fc2": 0.2}, acc=0.5, total_steps=300)
                for s in range(first, last + 1)]

    applied = []
    panel.batch_applied.connect(applied.append)
    first = SnapshotBatch(steps=steps(1, 10))
    panel._on_batch(first)
    panel._stage_timer.stop()  # take the event loop's turns by hand, to land batch 2 mid-way
    panel._next_stage()        # loss drawn
    panel._next_stage()        # gradients drawn
    second = SnapshotBatch(steps=steps(11, 20), validations=[ValidationSnapshot(20, 1, 0.3, 0.9)])
    panel._on_batch(second)
    panel.flush_drawing()

    assert not panel.drawing
    x_loss, _ = panel.loss_view.raw.item.getData()
    assert x_loss[-1] == 20
    x_val, _ = panel.loss_view.val_loss.item.getData()
    assert list(x_val) == [20]
    assert panel.gradient_view.heat.image.shape[1] == 20  # one heatmap column per step drawn
    assert applied == [first, second]
