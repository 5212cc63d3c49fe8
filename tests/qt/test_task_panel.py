"""The training panel with the second wave's tasks: their tabs, their pictures, and their refusals."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.graph import Document
from explorer.qt.training.panel import TrainingPanel
from explorer.qt.training.worker import SnapshotBatch
from explorer.training.snapshots import GanSnapshot, ReconstructionSnapshot, StepSnapshot

from .test_task_views import karate_like

TIMEOUT = 20_000


def mlp_moons() -> Document:
    doc = Document(name="mlp on moons")
    doc.add_node("Input", {"shape": [2]}, node_id="in1")
    doc.add_node("Linear", {"out_features": 8}, node_id="fc1")
    doc.add_node("Tanh", node_id="tanh1")
    doc.add_node("Linear", {"out_features": 2}, node_id="fc2")
    doc.connect("in1", "fc1")
    doc.connect("fc1", "tanh1")
    doc.connect("tanh1", "fc2")
    doc.set_meta(training={"dataset": "moons", "dataset_options": {"n_samples": 200}, "batch_size": 16, "epochs": 1})
    return doc


@pytest.fixture
def panel(qtbot) -> TrainingPanel:
    panel = TrainingPanel(mlp_moons())
    qtbot.addWidget(panel)
    panel.resize(1400, 450)
    panel.show()
    panel.trainer_options = {"steps": 50}
    yield panel
    assert panel.shutdown()


def visible_tabs(panel: TrainingPanel) -> list[str]:
    tabs = panel.tabs
    return [tabs.tabText(i) for i in range(tabs.count()) if tabs.isTabVisible(i)]


def test_only_the_runs_task_tab_shows(panel):
    assert visible_tabs(panel) == ["Feature maps", "Decision boundary", "Activations"]
    panel.views.show_task("node_classification")
    assert visible_tabs(panel) == ["Feature maps", "Activations", "Graph"]
    panel.views.show_task("adversarial")
    assert visible_tabs(panel) == ["Feature maps", "Activations", "GAN samples"]
    panel.views.show_task("reconstruction")
    assert visible_tabs(panel) == ["Feature maps", "Activations", "Reconstructions"]


def test_task_pictures_reach_their_views_through_the_staged_drawing(panel):
    images = np.random.default_rng(0).random((4, 1, 8, 8)).astype(np.float32)
    batch = SnapshotBatch(
        steps=[StepSnapshot(step=1, epoch=1, loss=1.5, lr=1e-3, batch_size=8, grad_norms={},
                            losses={"generator": 1.5, "discriminator": 0.7})],
        pictures={"graph": karate_like(), "reconstruction": ReconstructionSnapshot(1, images, images * 0.5),
                  "gan": GanSnapshot(1, images)})
    drawn = []
    panel.batch_applied.connect(drawn.append)
    panel._on_batch(batch)
    panel.flush_drawing()
    assert drawn == [batch]
    assert panel.graph_view.updates == 1 and "75.0 %" in panel.graph_view.caption.text()
    assert panel.reconstruction_view.updates == 1 and panel.reconstruction_view.mosaic.shape == (18, 35)
    rows, columns = (np.array(panel.gan_view.mosaic.shape) + 1) // 9
    assert panel.gan_view.updates == 1 and rows * columns >= 4  # the four 8x8 samples, tiled
    assert set(panel.loss_view.named) == {"generator", "discriminator"}


def test_a_supervised_run_keeps_the_supervised_tabs(panel, qtbot):
    with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT) as ended:
        assert panel.train()
    assert ended.args[0].reason == "finished"
    assert "Graph" not in visible_tabs(panel) and "Decision boundary" in visible_tabs(panel)
    assert panel.tabs.currentWidget() is panel.boundary_view and panel.boundary_view.updates > 0
    assert panel.weights is not None and set(panel.weights.state_dicts) == {"fc2"}


@pytest.mark.parametrize("training, shape, words", [
    ({"dataset": "ring", "task": "adversarial"}, [2], "needs two networks"),
    ({"dataset": "karate"}, [34], "has no GraphConv layer"),
])
def test_the_engines_refusal_shows_and_the_network_stays_intact(panel, training, shape, words):
    doc = panel.document
    doc.set_param("in1", "shape", shape)
    doc.set_meta(training=training)
    panel.form.set_settings(training)
    nodes, edges = len(doc.nodes()), len(doc.edges())
    assert not panel.train()
    assert panel.run is None and panel.message.kind == "error"
    assert words in panel.message.text.text() and panel.message.text.text().startswith("Cannot train")
    assert (len(doc.nodes()), len(doc.edges())) == (nodes, edges)
    assert panel.train_button.isEnabled()  # nothing started: fix it and train


def test_the_runs_end_shows_its_last_step_even_when_it_comes_in_a_batch_of_its_own(panel):
    from explorer.qt.training.drawing import StagedDrawing
    from explorer.training.snapshots import DoneSnapshot

    staged = StagedDrawing(panel.views, panel.progress_view)

    def steps(first, last):
        return [StepSnapshot(step=s, epoch=1, loss=1.0, lr=0.01, batch_size=8, grad_norms={}, total_steps=10,
                             elapsed=0.01 * s) for s in range(first, last + 1)]

    staged.take(SnapshotBatch(steps=steps(1, 5)), 0)
    staged.flush()
    staged.take(SnapshotBatch(steps=steps(6, 10)), 0)  # within the figures' 4 Hz: not shown yet
    staged.flush()
    assert panel.step_label.text() == "Step 5"
    staged.take(SnapshotBatch(end=DoneSnapshot(10, "finished")), 0, force_progress=True)
    staged.flush()
    assert panel.step_label.text() == "Step 10" and panel.progress.value() == 100
