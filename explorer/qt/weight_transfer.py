"""File ▸ Load Weights Into Matching Layers…: transfer learning in the window.

The weights come from a checkpoint of any network (the ``--save`` format) or from an earlier run
since the window opened (the last few good runs are remembered, whatever network they trained).
They load into the layers whose node ids and weight shapes match (``explorer.training.transfer``);
the report of what loaded and what did not is shown, and the next Train starts there, the other
layers from fresh weights. A source that fits no layer is refused with the reason, nothing changed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMenu

from .checkpoint_files import FILTER

MOST_RUNS = 5  # earlier runs remembered (their weights are the panel's CPU copies, not copied again)


@dataclass
class EarlierRun:
    """A good run's weights, remembered after the panel moved on (another network, a reset)."""

    label: str
    state_dicts: dict


class WeightTransfer(QObject):
    """The window's transfer commands; ``window.training_panel`` takes the weights."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.runs: list[EarlierRun] = []
        self._seen: set[int] = set()

    @property
    def panel(self):
        panel = getattr(self.window, "training_panel", None)
        return panel if hasattr(panel, "use_transfer") else None

    def watch(self, panel) -> None:
        """Remember the weights of every good run ``panel`` finishes."""
        panel.weights_changed.connect(lambda _kept: self._remember(panel))

    def _remember(self, panel) -> None:
        weights = panel.weights
        if weights is None or weights.source != "run" or id(weights.state_dicts) in self._seen:
            return
        self._seen.add(id(weights.state_dicts))
        name = getattr(weights.document, "name", "") or "untitled"
        self.runs.insert(0, EarlierRun(f"'{name}' ({weights.steps} steps)", weights.state_dicts))
        del self.runs[MOST_RUNS:]

    # The menu ----------------------------------------------------------------------------------------

    def fill_runs_menu(self, menu: QMenu) -> None:
        menu.clear()
        if not self.runs:
            menu.addAction("(no run yet: train a network first)").setEnabled(False)
            return
        for index, run in enumerate(self.runs):
            action = menu.addAction(run.label, lambda i=index: self.load_run(i))
            action.setEnabled(self.panel is not None and not self.window.locked)

    def load_dialog(self) -> bool:
        if self.window.locked:
            self.window.status_message("Stop training before loading weights")
            return False
        start = self.window.path.parent if self.window.path else Path(str(
            self.window.settings.value("files/last_dir", os.getcwd())))
        name, _ = QFileDialog.getOpenFileName(self.window, "Load weights into matching layers", str(start), FILTER)
        if not name:
            return False
        self.window.settings.setValue("files/last_dir", str(Path(name).parent))
        return self.load_file(name)

    # Loading -----------------------------------------------------------------------------------------

    def load_file(self, path: str | os.PathLike) -> bool:
        """Transfer the matching layers of the checkpoint at ``path``; False, explained, if none fits."""
        from explorer.training.checkpoint import CheckpointError, load_checkpoint

        try:
            checkpoint = load_checkpoint(path)
        except CheckpointError as error:
            self.window.show_error("Cannot load these weights", f"{error.message}\nNothing was changed.")
            return False
        except Exception as error:  # noqa: BLE001  (never crash on a file, whatever is in it)
            self.window.show_error("Cannot load these weights", f"{path}: {type(error).__name__}: {error}\n"
                                   "Nothing was changed.")
            return False
        return self._transfer(checkpoint.state_dicts, Path(path).name)

    def load_run(self, index: int) -> bool:
        """Transfer the matching layers of the earlier run ``index`` (newest first)."""
        if not 0 <= index < len(self.runs):
            return False
        run = self.runs[index]
        return self._transfer(run.state_dicts, f"the run of {run.label}")

    def _transfer(self, state_dicts: dict, source: str) -> bool:
        from explorer.graph.build import build_module
        from explorer.graph.errors import GraphError
        from explorer.training.transfer import plan_transfer

        window, panel = self.window, self.panel
        title = "Cannot load these weights"
        if panel is None or window.locked or panel.run is not None:
            window.show_error(title, "Stop training before loading weights.")
            return False
        doc = window.document
        try:
            networks = {output: build_module(doc, output) for output in doc.outputs()}
        except GraphError as error:
            window.show_error(title, f"This network cannot be built yet: {error.message}\nNothing was changed.")
            return False
        report = plan_transfer(networks, state_dicts)
        if not report.loaded:
            compared = "; ".join(f"{n}: {why}" for n, why in list(report.skipped.items())[:4]) or "it has no weights"
            window.show_error(title, f"No layer of {source} fits this network: a layer loads when its node id and "
                              f"its weights' shapes match ({compared}).\nNothing was changed.")
            return False
        panel.use_transfer(state_dicts, source, report)
        window.status_message(f"Loaded {len(report.loaded)} layers from {source}: Train starts from them")
        return True
