"""File ▸ Save Checkpoint… / Load Checkpoint… in the real window: a round trip, and every refusal with nothing lost."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from PySide6.QtWidgets import QMessageBox

from explorer.qt.training.panel import TrainingPanel
from explorer.training.trainer import Trainer

from .editor_helpers import open_preset

TIMEOUT = 20_000


@pytest.fixture
def panel(docked_panel) -> TrainingPanel:
    docked_panel.trainer_options = {"steps": 30}
    return docked_panel



def train(qtbot, panel) -> None:
    with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT) as ended:
        assert panel.train()
    assert ended.args[0].reason == "finished"


def error_text(window) -> str:
    return window.last_error or ""


def test_save_and_load_a_checkpoint_and_train_on_from_its_weights(window, panel, qtbot, tmp_path):
    actions = window.menu_actions
    open_preset(window, "mlp-moons")
    window.checkpoints.update_actions()
    assert not actions.save_checkpoint.isEnabled() and actions.load_checkpoint.isEnabled()
    train(qtbot, panel)
    assert actions.save_checkpoint.isEnabled()
    trained = {oid: {k: v.clone() for k, v in sd.items()} for oid, sd in panel.weights.state_dicts.items()}
    path = tmp_path / "moons.pt"
    assert window.checkpoints.save_to(path) and path.is_file()

    panel.reset_weights()  # forget them: only the file has them now
    assert panel.weights is None and not window.checkpoints.can_save()
    assert window.checkpoints.load_from(path)
    assert panel.weights.source == "checkpoint" and "Train continues" in window.statusBar().currentMessage()

    started = []

    def recording_trainer(*args, **kwargs):
        trainer = Trainer(*args, **kwargs)
        started.append((kwargs.get("initial_state"), trainer.state_dicts()))
        return trainer

    panel.trainer_factory = recording_trainer
    train(qtbot, panel)
    initial, weights_at_start = started[0]
    assert initial is not None
    for oid, state in trained.items():
        for key, value in state.items():
            assert torch.equal(weights_at_start[oid][key], value), key  # the run began from the file's weights


def test_an_edited_network_has_no_weights_to_save(window, panel, qtbot):
    open_preset(window, "mlp-moons")
    train(qtbot, panel)
    assert window.checkpoints.can_save()
    window.editor.set_param("fc1", "out_features", 7)  # its weights no longer fit
    window.checkpoints.update_actions()
    assert not window.menu_actions.save_checkpoint.isEnabled()
    assert not window.checkpoints.save_to(Path("never-written.pt")) and not Path("never-written.pt").exists()


@pytest.mark.parametrize("content, words", [
    (b"this is not a checkpoint", "not a readable checkpoint"),
    ("foreign", "not an nn-explorer checkpoint"),
])
def test_a_corrupt_or_foreign_file_is_refused_and_nothing_is_lost(window, panel, qtbot, tmp_path, content, words):
    open_preset(window, "mlp-moons")
    train(qtbot, panel)
    weights = panel.weights
    nodes = len(window.document)
    path = tmp_path / "bad.pt"
    if content == "foreign":
        torch.save({"model": {"weight": torch.zeros(2)}}, path)
    else:
        path.write_bytes(content)
    assert not window.checkpoints.load_from(path)
    assert words in error_text(window) and "Nothing was changed" in error_text(window)
    assert panel.weights is weights and len(window.document) == nodes


def test_a_checkpoint_of_another_network_is_refused(window, panel, qtbot, tmp_path):
    open_preset(window, "mlp-moons")
    train(qtbot, panel)
    path = tmp_path / "moons.pt"
    assert window.checkpoints.save_to(path)
    open_preset(window, "vanishing-sigmoid")
    document = window.document
    assert not window.checkpoints.load_from(path)
    assert "another network" in error_text(window)
    assert window.document is document and panel.weights is None


def test_an_empty_window_opens_the_checkpoints_network_with_its_weights(window, panel, qtbot, tmp_path):
    open_preset(window, "mlp-moons")
    train(qtbot, panel)
    path = tmp_path / "moons.pt"
    assert window.checkpoints.save_to(path)
    assert window.new_document() and len(window.document) == 0
    window.checkpoints.open_answer = QMessageBox.StandardButton.Open
    assert window.checkpoints.load_from(path)
    assert len(window.document) > 0 and window.path is None
    assert panel.document is window.document and panel.weights.fit(window.document)
    assert window.checkpoints.can_save()
