"""The real window trains each of the second wave's presets, and every live view updates."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.qt.training.panel import TrainingPanel

from .editor_helpers import open_preset
from .training_helpers import TIMEOUT, train_until



@pytest.fixture
def panel(docked_panel) -> TrainingPanel:
    docked_panel.trainer_options = {"steps": 100_000}
    return docked_panel



def test_gan_ring_shows_both_losses_the_points_over_the_field_and_both_gradients(window, panel, qtbot):
    open_preset(window, "gan-ring")
    view = panel.gan_view
    assert panel.form.task.currentData() == "adversarial" and panel.form.d_steps.isVisible()
    assert panel.tabs.isTabVisible(panel.tabs.indexOf(view))  # before the first run too
    named = panel.loss_view.named
    train_until(qtbot, panel, lambda: view.updates >= 3 and panel.activation_view.updates >= 2
                and "generator" in named and len(named["generator"].val.series) >= 1)
    assert panel.tabs.currentWidget() is view and panel.tabs.isTabVisible(panel.tabs.indexOf(view))
    assert not panel.tabs.isTabVisible(panel.tabs.indexOf(panel.boundary_view))
    assert len(view.generated.data) > 0 and len(view.real.data) > 0
    assert view.field.image is not None and list(view.field.levels) == [0.0, 1.0]
    assert set(panel.loss_view.named) == {"generator", "discriminator"}
    assert len(panel.loss_view.named["discriminator"].raw.series) == panel.loss_view.step_count
    assert panel.gradient_view.history.layers == ["g_fc1", "g_fc2", "g_out", "d_fc1", "d_fc2", "d_out"]
    assert np.isfinite(panel.gradient_view.history.latest).all()  # both networks' gradients arrive
    assert set(panel.weights.state_dicts) == {"g_out", "d_out"}
    assert "validation losses generator" in panel.message.text.text() and "discriminator" in panel.message.text.text()


def test_gan_digits_shows_a_grid_of_samples(window, panel, qtbot):
    open_preset(window, "gan-digits")
    view = panel.gan_view
    train_until(qtbot, panel, lambda: view.updates >= 2)
    assert view.pages.currentWidget() is view.samples_widget
    rows, columns = (view.mosaic.shape[0] + 1) // 9, (view.mosaic.shape[1] + 1) // 9
    assert rows * columns >= 16 and view.mosaic.shape == (rows * 9 - 1, columns * 9 - 1)  # 8x8 samples
    assert list(view.samples.levels) == [0.0, 1.0]


def test_autoencoder_digits_shows_reconstructions_and_codes(window, panel, qtbot):
    open_preset(window, "autoencoder-digits")
    view = panel.reconstruction_view
    first = []

    def keep_first(batch):
        if "reconstruction" in batch.pictures and not first:
            first.append(np.array(view.mosaic, copy=True))

    panel.batch_applied.connect(keep_first)
    train_until(qtbot, panel, lambda: view.updates >= 3 and panel.feature_view.updates >= 1)
    assert panel.tabs.currentWidget() is view
    assert view.mosaic.shape == (8 + 2 + 8, 8 * 8 + 7)
    assert not np.array_equal(np.nan_to_num(first[0]), np.nan_to_num(view.mosaic))  # it learns
    codes_x, _ = view.codes.getData()
    assert len(codes_x) > 100 and len(view.legend_names) == 10  # every digit class
    assert "'code'" in view.code_note.text()
    assert panel.feature_view.updates >= 1  # the decoder's image-shaped output has maps too


def test_conv_autoencoder_shapes_shows_reconstructions_and_feature_maps(window, panel, qtbot):
    open_preset(window, "conv-autoencoder-shapes")
    view = panel.reconstruction_view
    train_until(qtbot, panel, lambda: view.updates >= 2 and panel.feature_view.updates >= 2)
    assert view.mosaic.shape == (28 + 2 + 28, 8 * 28 + 7)
    assert panel.feature_view.shown_node == "conv1"
    assert "more than 2 units" in view.code_note.text()


def test_gcn_karate_colours_the_graph(window, panel, qtbot):
    open_preset(window, "gcn-karate")
    view = panel.graph_view
    assert panel.form.task_shown() == "node_classification"
    train_until(qtbot, panel, lambda: view.updates >= 3)
    assert panel.tabs.currentWidget() is view
    assert len(view.nodes.data) == 34 and len(view.edges.getData()[0]) == 2 * 78
    assert sum(pen.width() == 3 for pen in view.nodes.data["pen"]) == 4  # the labelled nodes, ringed
    assert "unlabelled nodes" in view.caption.text()
    assert panel.gradient_view.history.layers == ["gcn1", "gcn2"]


def test_a_refused_gan_leaves_the_window_as_it_was(window, panel, qtbot):
    open_preset(window, "mlp-moons")
    nodes, title = len(window.document), window.windowTitle()
    panel.form.task.setCurrentIndex(panel.form.task.findData("adversarial"))
    panel.form.task.activated.emit(panel.form.task.currentIndex())  # chosen by the user: an undoable edit
    assert window.document.training["task"] == "adversarial"
    assert not panel.train()
    assert "needs two networks" in panel.message.text.text() and panel.message.kind == "error"
    assert not window.locked and window.palette.isEnabled() and panel.run is None
    assert len(window.document) == nodes and len(window.scene.nodes) == nodes
    window.undo_stack.undo()  # back to supervised, and it trains
    assert window.document.training.get("task", "auto") != "adversarial"
    assert window.windowTitle() == title
    train_until(qtbot, panel, lambda: panel.loss_view.step_count >= 5)
