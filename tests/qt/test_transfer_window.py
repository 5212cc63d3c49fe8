"""Transfer learning in the window: freezing layers (inspector, canvas menu, undo, lock, gradient rows),
weights from an earlier run into the matching layers, the refusals, and a changed seed after a run."""

from __future__ import annotations

import pytest
import torch
from PySide6.QtWidgets import QMenu

from explorer.graph import fileformat
from explorer.training.trainer import Trainer

from .editor_helpers import open_doc, open_preset
from .training_helpers import TIMEOUT



@pytest.fixture
def panel(docked_panel):
    docked_panel.trainer_options = {"steps": 12}
    return docked_panel


def _train(qtbot, panel) -> None:
    with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT) as ended:
        assert panel.train(), panel.message.text.text()
    assert ended.args[0].reason == "finished"


def _recording(started: list):
    def factory(*args, **kwargs):
        trainer = Trainer(*args, **kwargs)
        started.append((kwargs, trainer.state_dicts()))
        return trainer
    return factory


def test_freeze_from_the_inspector_and_the_canvas_menu_undoably_and_train_leaves_it_alone(
        window, panel, qtbot, tmp_path):
    open_preset(window, "cnn-digits")
    doc = window.document
    window.select_node("conv1")
    page = window.inspector.node_page
    assert page.frozen_box.isVisibleTo(page) and not page.frozen_box.isChecked()
    page.frozen_box.setChecked(True)
    assert doc.node("conv1").frozen and window.scene.nodes["conv1"].frozen
    window.undo()
    assert not doc.node("conv1").frozen and not window.scene.nodes["conv1"].frozen and not page.frozen_box.isChecked()
    window.redo()
    assert doc.node("conv1").frozen and page.frozen_box.isChecked()

    window.scene.select_nodes(["conv2", "relu2"])  # the ReLU has nothing to freeze; the menu offers conv2
    menu = QMenu()
    window._add_freeze_actions(menu)
    freeze = next(a for a in menu.actions() if a.objectName() == "freezeAction")
    freeze.trigger()
    assert doc.frozen_ids() == ["conv1", "conv2"]
    window.scene.select_nodes(["conv1"])
    window.editor.delete_selection()
    window.undo()  # the layer comes back frozen, lock and all
    assert doc.frozen_ids() == ["conv1", "conv2"] and window.scene.nodes["conv1"].frozen
    window.select_node("relu1")
    assert not window.inspector.node_page.frozen_box.isVisibleTo(window.inspector.node_page)
    window.scene.select_nodes(["conv1", "relu1"])
    before = {n.id for n in doc.nodes()}
    window.editor.duplicate()  # the copy keeps the lock; undo takes it away again
    copies = {n.kind: n for n in doc.nodes() if n.id not in before}
    assert copies["Conv2d"].frozen and not copies["ReLU"].frozen and window.scene.nodes[copies["Conv2d"].id].frozen
    window.undo()
    assert doc.frozen_ids() == ["conv1", "conv2"]

    picture = tmp_path / "frozen.png"
    window.view.grab().save(str(picture))
    assert picture.stat().st_size > 0

    started: list = []
    panel.trainer_factory = _recording(started)
    _train(qtbot, panel)
    initial = started[0][1]["fc2"]
    trained = panel.weights.state_dicts["fc2"]
    for key in initial:
        assert torch.equal(initial[key], trained[key]) == key.startswith(("layers.conv1.", "layers.conv2.")), key
    assert panel.gradient_view.frozen == ["conv1", "conv2"]
    ticks = panel.gradient_view.heat_plot.getAxis("left")._tickLevels[0]
    assert ("conv1 (frozen)" in [t[1] for t in ticks]) and ("fc1" in [t[1] for t in ticks])
    assert fileformat.from_dict(fileformat.to_dict(doc)).frozen_ids() == ["conv1", "conv2"]


def test_freezing_every_layer_is_refused_at_train_with_nothing_lost(window, panel):
    open_preset(window, "cnn-digits")
    window.editor.set_frozen(["conv1", "conv2", "fc1", "fc2"], True)
    assert not panel.train()
    text = panel.message.text.text()
    assert "every layer with weights of the network is frozen" in text and "unfreeze at least one" in text
    assert window.document.frozen_ids() == ["conv1", "conv2", "fc1", "fc2"] and panel.run is None


def test_weights_of_an_earlier_run_load_into_the_matching_layers(window, panel, qtbot, tmp_path):
    open_preset(window, "cnn-digits")
    _train(qtbot, panel)
    pretrained = panel.weights.state_dicts["fc2"]
    assert [r.label for r in window.weight_transfer.runs] == ["'CNN on handwritten digits' (12 steps)"]

    other = fileformat.from_dict(fileformat.to_dict(window.document))
    other.rename_node("fc2", "head")
    open_doc(window, other, tmp_path, "head.json")
    assert panel.weights is None
    menu = window.menu_actions.runs_menu
    window.weight_transfer.fill_runs_menu(menu)
    assert [a.text() for a in menu.actions()] == ["'CNN on handwritten digits' (12 steps)"]
    menu.actions()[0].trigger()  # File > Weights From an Earlier Run > that run
    report = panel.message.text.text()
    assert "Loaded conv1, conv2, fc1 (3 of 4 layers with weights)" in report and "head (not in the source)" in report
    assert "Unused: fc2" in report
    assert not window.checkpoints.can_save()  # another network's weights are not this one's to save
    panel.tabs.setCurrentWidget(panel.feature_view)
    assert panel.initial_maps.show_now()  # the probe's maps before Train, as the transferred weights make them

    started: list = []
    panel.trainer_factory = _recording(started)
    _train(qtbot, panel)
    kwargs, initial = started[0]
    assert "initial_state" not in kwargs and kwargs["transfer_from"] is not None
    for key, value in pretrained.items():
        if key.startswith(("layers.conv1.", "layers.conv2.", "layers.fc1.")):
            assert torch.equal(initial["head"][key], value), key
    assert panel.weights.source == "run" and window.checkpoints.can_save()


def test_weights_that_fit_no_layer_are_refused_and_nothing_changes(window, panel, qtbot, tmp_path):
    open_preset(window, "mlp-moons")
    _train(qtbot, panel)
    open_preset(window, "cnn-digits")
    assert not window.weight_transfer.load_run(0)
    assert "No layer of the run of" in window.last_error and "Nothing was changed" in window.last_error
    assert panel.weights is None
    assert not window.weight_transfer.load_file(tmp_path / "missing.pt")
    assert "no such file" in window.last_error


def test_a_changed_seed_after_a_run_is_said_and_reset_is_offered(window, panel, qtbot):
    open_preset(window, "mlp-moons")
    _train(qtbot, panel)
    panel.form.seed.setValue(panel.form.seed.value() + 3)
    message = panel.message
    assert message.kind == "warning" and "seed (0 → 3)" in message.text.text()
    assert message.action_button.isVisibleTo(message) and message.action_button.text() == "Reset weights"
    message.action_button.click()
    assert panel.weights is None and "Weights reset" in window.statusBar().currentMessage()


def test_training_on_from_weights_made_with_another_seed_says_so(window, panel, qtbot):
    open_preset(window, "mlp-moons")
    _train(qtbot, panel)
    panel.form.seed.setValue(5)
    with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT):
        assert panel.train()
        assert "continues from the trained weights" in panel.message.text.text()
        assert "seed (0 → 5)" in panel.message.text.text()
