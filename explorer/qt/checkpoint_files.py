"""File ▸ Save Checkpoint… and Load Checkpoint…: the trained weights of every network, with the document.

A checkpoint is the file ``nn-explorer train --save`` writes (:mod:`explorer.training.checkpoint`).
Saving takes the training panel's weights of the document as it is; loading refuses, with the
reason and nothing changed, a file that is damaged, foreign, or saved from another network. A
checkpoint of this network hands its weights to the panel, and Train continues from them; into an
empty, untitled window the checkpoint's own network can be opened with them.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMessageBox

FILTER = "Checkpoints (*.pt);;All files (*)"


class CheckpointFiles(QObject):
    """The window's checkpoint commands; ``window.training_panel`` holds the weights."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        # Tests set this to answer "open the checkpoint's network?" without a dialog.
        self.open_answer: QMessageBox.StandardButton | None = None

    # State of the menu -------------------------------------------------------------------------------

    @property
    def panel(self):
        """The training panel, if the window hosts one that keeps weights (any widget may be hosted)."""
        panel = getattr(self.window, "training_panel", None)
        return panel if hasattr(panel, "use_weights") else None

    def can_save(self) -> bool:
        panel = self.panel
        return panel is not None and panel.run is None and panel.has_weights()

    def update_actions(self) -> None:
        actions = self.window.menu_actions
        actions.save_checkpoint.setEnabled(self.can_save())
        actions.load_checkpoint.setEnabled(self.panel is not None and not self.window.locked)
        actions.transfer_weights.setEnabled(self.panel is not None and not self.window.locked)

    # Saving ------------------------------------------------------------------------------------------

    def save_dialog(self) -> bool:
        if not self.can_save():
            self.window.status_message("Train first: there are no trained weights of this network to save")
            return False
        name, _ = QFileDialog.getSaveFileName(self.window, "Save a checkpoint", str(self._start_path(".pt")), FILTER)
        if not name:
            return False
        if not name.lower().endswith(".pt"):
            name += ".pt"
        self.window.settings.setValue("files/last_dir", str(Path(name).parent))
        return self.save_to(name)

    def save_to(self, path: str | os.PathLike) -> bool:
        """Write the document and its trained weights to ``path``; False, explained, if it cannot."""
        from explorer.training.checkpoint import CheckpointError, save_checkpoint

        path = Path(path)
        if not self.can_save():
            self.window.show_error("Cannot save a checkpoint", "There are no trained weights of this network "
                                   "to save: train it first (weights of an edited network are not its weights).")
            return False
        try:
            save_checkpoint(path, self.window.document, self.panel.weights.state_dicts)
        except (OSError, CheckpointError) as error:
            reason = getattr(error, "message", None) or getattr(error, "strerror", None) or str(error)
            self.window.show_error("Cannot save a checkpoint", f"{path}: {reason}")
            return False
        self.window.status_message(f"Saved the network and its trained weights to {path.name}")
        return True

    # Loading -----------------------------------------------------------------------------------------

    def load_dialog(self) -> bool:
        if self.window.locked:
            self.window.status_message("Stop training before loading a checkpoint")
            return False
        name, _ = QFileDialog.getOpenFileName(self.window, "Load a checkpoint", str(self._start_path("")), FILTER)
        if not name:
            return False
        self.window.settings.setValue("files/last_dir", str(Path(name).parent))
        return self.load_from(name)

    def load_from(self, path: str | os.PathLike) -> bool:
        """Load the weights of ``path`` for this network (or open its network into an empty window).

        Anything wrong is shown with its reason and changes nothing; True when Train will continue
        from the loaded weights.
        """
        from explorer.training.checkpoint import CheckpointError, check_fits, load_checkpoint

        window, panel = self.window, self.panel
        path = Path(path)
        title = "Cannot load this checkpoint"
        if panel is None or window.locked or panel.run is not None:
            window.show_error(title, "Stop training before loading a checkpoint.")
            return False
        try:
            checkpoint = load_checkpoint(path)
        except CheckpointError as error:
            window.show_error(title, f"{error.message}\nNothing was changed.")
            return False
        except Exception as error:  # noqa: BLE001  (never crash on a file, whatever is in it)
            window.show_error(title, f"{path}: {type(error).__name__}: {error}\nNothing was changed.")
            return False
        if self._is_blank():
            if not self._open_its_network(checkpoint):
                return False
            window.replace_document(checkpoint.document)
        else:
            try:
                check_fits(checkpoint, window.document)
            except CheckpointError as error:
                window.show_error(title, f"{path.name}: {error.message}. Open the network it was saved from, "
                                  "or load a checkpoint of this one.\nNothing was changed.")
                return False
        if not panel.use_weights(checkpoint.state_dicts):
            window.show_error(title, "The training panel cannot take weights now.")
            return False
        self.update_actions()
        names = ", ".join(f"'{n}'" for n in checkpoint.state_dicts)
        window.status_message(f"Loaded the weights of {names} from {path.name}: Train continues from them")
        return True

    def _is_blank(self) -> bool:
        window = self.window
        return len(window.document) == 0 and window.path is None

    def _open_its_network(self, checkpoint) -> bool:
        answer = self.open_answer
        buttons = QMessageBox.StandardButton
        if answer is None:
            name = checkpoint.document.name or "its network"
            answer = QMessageBox.question(
                self.window, "Open the checkpoint's network?",
                f"This window's network is empty. Open '{name}', the network the checkpoint was saved "
                "from, with its trained weights?", buttons.Open | buttons.Cancel, buttons.Open)
        return answer in (buttons.Open, buttons.Yes)

    def _start_path(self, suffix: str) -> Path:
        window = self.window
        folder = window.path.parent if window.path else Path(str(window.settings.value("files/last_dir",
                                                                                      os.getcwd())))
        stem = window.path.stem if window.path else (window.document.name or "network")
        return folder / f"{stem}{suffix}" if suffix else folder
