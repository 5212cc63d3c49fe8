"""Training ▸ Compare with a variant…: choose what B changes, then train A and B side by side.

The dialog offers the variant the open file carries (a saved pair), the quick changes a lecture
needs (swap one activation for another everywhere, put Dropout after every activation, change one
training setting) and, for any other change, a network edited on the canvas and saved to a file.
It shows the caption the choice gives before anything trains. A variant that cannot be made or
trained is refused with the reason; the document is never changed.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog,
                               QGridLayout, QLabel, QLineEdit, QPushButton, QRadioButton, QVBoxLayout, QWidget)

from explorer.data import DatasetError
from explorer.graph import fileformat
from explorer.graph.catalogue import all_kinds
from explorer.graph.document import Document
from explorer.graph.errors import GraphError
from explorer.graph.variant import (VariantError, activation_kinds, copy_document, has_variant, insert_after,
                                    swap_kind, variant_of)
from explorer.training.difference import describe_difference
from explorer.training.settings import SettingsError, check_value

from .compare_window import CompareWindow

SETTING_CHOICES = ("weight_decay", "lr", "optimizer", "init", "batch_size", "momentum", "seed", "epochs")


class VariantDialog(QDialog):
    """``variantDialog``: how B differs from the open network A; :meth:`variant` makes B (or raises)."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("variantDialog")
        self.setWindowTitle("Compare with a variant")
        self.document = document
        self.saved = QRadioButton("The variant saved with this network", objectName="variantSaved")
        self.swap = QRadioButton("Swap every", objectName="variantSwap")
        self.dropout = QRadioButton("Put Dropout after every", objectName="variantDropout")
        self.setting = QRadioButton("Change the training setting", objectName="variantSetting")
        self.from_file = QRadioButton("The network in the file", objectName="variantFile")
        self.group = QButtonGroup(self)
        for button in (self.saved, self.swap, self.dropout, self.setting, self.from_file):
            self.group.addButton(button)
        used = activation_kinds(document)
        all_activations = [k.name for k in all_kinds() if k.group == "Activations"]
        self.swap_from = QComboBox(objectName="swapFrom")
        self.swap_from.addItems(used)
        self.swap_to = QComboBox(objectName="swapTo")
        self.swap_to.addItems(all_activations)
        if "ReLU" in all_activations:
            self.swap_to.setCurrentText("ReLU")
        self.dropout_after = QComboBox(objectName="dropoutAfter")
        self.dropout_after.addItems(used)
        self.dropout_p = QDoubleSpinBox(objectName="dropoutP")
        self.dropout_p.setRange(0.05, 0.95)
        self.dropout_p.setSingleStep(0.05)
        self.dropout_p.setValue(0.5)
        self.setting_key = QComboBox(objectName="settingKey")
        self.setting_key.addItems(SETTING_CHOICES)
        self.setting_value = QLineEdit(objectName="settingValue")
        self.setting_value.setPlaceholderText("the value for B, e.g. 0.001")
        self.file_path = QLineEdit(objectName="variantPath")
        self.file_path.setPlaceholderText("a network edited on the canvas and saved under another name")
        self.browse = QPushButton("Browse…", objectName="variantBrowse")
        self.browse.clicked.connect(self._on_browse_clicked)
        self.preview = QLabel(" ", objectName="variantPreview")
        self.preview.setWordWrap(True)

        grid = QGridLayout()
        grid.addWidget(self.saved, 0, 0, 1, 4)
        grid.addWidget(self.swap, 1, 0)
        grid.addWidget(self.swap_from, 1, 1)
        grid.addWidget(QLabel("for"), 1, 2)
        grid.addWidget(self.swap_to, 1, 3)
        grid.addWidget(self.dropout, 2, 0)
        grid.addWidget(self.dropout_after, 2, 1)
        grid.addWidget(QLabel("p ="), 2, 2)
        grid.addWidget(self.dropout_p, 2, 3)
        grid.addWidget(self.setting, 3, 0)
        grid.addWidget(self.setting_key, 3, 1)
        grid.addWidget(QLabel("="), 3, 2)
        grid.addWidget(self.setting_value, 3, 3)
        grid.addWidget(self.from_file, 4, 0)
        grid.addWidget(self.file_path, 4, 1, 1, 2)
        grid.addWidget(self.browse, 4, 3)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Compare")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        intro = QLabel(f"A is the open network, <b>{document.name}</b>. B is a copy with one change; both train "
                       "with the same seed, the same first weights and the same batches.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addWidget(self.preview)
        layout.addWidget(self.buttons)

        self.saved.setEnabled(has_variant(document))
        if has_variant(document):
            name = document.compare["variant"].get("name") if isinstance(document.compare["variant"], dict) else None
            if isinstance(name, str) and name:
                self.saved.setText(f"The variant saved with this network: {name}")
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(3, 1)
        self.setMinimumWidth(620)
        self.swap.setEnabled(bool(used))
        self.dropout.setEnabled(bool(used))
        first = next(b for b in (self.saved, self.swap, self.setting) if b.isEnabled())
        first.setChecked(True)
        for signal in (self.group.buttonToggled, self.swap_from.currentTextChanged, self.swap_to.currentTextChanged,
                       self.dropout_after.currentTextChanged, self.dropout_p.valueChanged,
                       self.setting_key.currentTextChanged, self.setting_value.textChanged,
                       self.file_path.textChanged):
            signal.connect(self._on_choice_changed)
        self._on_choice_changed()

    def variant(self) -> Document:
        """Network B as chosen; :class:`VariantError` (or a settings error) saying why it cannot be made."""
        doc = self.document
        if self.saved.isChecked():
            return variant_of(doc)
        if self.swap.isChecked():
            return swap_kind(doc, self.swap_from.currentText(), self.swap_to.currentText())
        if self.from_file.isChecked():
            path = self.file_path.text().strip()
            if not path:
                raise VariantError("choose the file of network B")
            return copy_document(fileformat.load(path))  # a variant of its own, if it has one, is not B's
        if self.dropout.isChecked():
            p = round(self.dropout_p.value(), 2)
            return insert_after(doc, self.dropout_after.currentText(), "Dropout", {"p": p})
        key, text = self.setting_key.currentText(), self.setting_value.text().strip()
        if not text:
            raise VariantError(f"type the value of '{key}' for B")
        variant = copy_document(doc)
        variant.set_meta(training={**doc.training, key: check_value(key, _parse(text))})
        return variant

    def _on_choice_changed(self, *_: Any) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        try:
            caption = describe_difference(self.document, self.variant())
            ok.setEnabled(True)
        except (GraphError, SettingsError) as error:
            caption = f"Cannot make B: {error.message}"
            ok.setEnabled(False)
        self.preview.setText(caption)


    def _on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Network B", "", "Network files (*.json)")
        if path:
            self.file_path.setText(path)
            self.from_file.setChecked(True)


def _parse(text: str) -> Any:
    """A setting's value as typed: a whole number, a number, or a word."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


class CompareLauncher(QObject):
    """Holds the comparison windows of a main window; stops them when it closes."""

    def __init__(self, window, panel) -> None:
        super().__init__(window)
        self.window, self.panel = window, panel
        self.windows: list[CompareWindow] = []
        self.last_error = ""
        window.hidden.connect(self._on_window_hidden)

    def compare(self, variant: Document | None = None, *, start: bool = True) -> CompareWindow | None:
        """Open a comparison of the window's network (A) with ``variant`` (B; None: ask). None, with the reason
        in ``last_error`` and on screen, when B cannot be trained; nothing of the document changes."""
        from explorer.training.comparison import ComparisonTrainer
        from explorer.training.probes import LIVE_RATES

        document = self.window.document
        if variant is None:
            dialog = VariantDialog(document, self.window)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            try:
                variant = dialog.variant()
            except (GraphError, SettingsError) as error:
                return self._refuse(error.message)
        try:
            a = copy_document(document)  # edits on the canvas while the pair trains leave the pair alone
            trainer = ComparisonTrainer(a, variant, probe_rates=LIVE_RATES)
        except VariantError as error:
            return self._refuse(error.message)
        except (GraphError, SettingsError, DatasetError) as error:
            return self._refuse(f"network A cannot be trained: {error.message}")
        compare = CompareWindow(trainer, self.window, torch_threads=getattr(self.panel, "torch_threads", None))
        self.windows = [w for w in self.windows if w.end is None or w.isVisible()] + [compare]
        compare.show()
        if start:
            compare.start()
        return compare

    def _refuse(self, message: str) -> None:
        from PySide6.QtWidgets import QMessageBox

        self.last_error = f"Cannot compare: {message}"
        self.window.status_message(self.last_error)
        box = QMessageBox(QMessageBox.Icon.Warning, "Cannot compare", self.last_error, parent=self.window)
        box.setObjectName("compareRefusal")
        box.open()  # not exec: a test (or a student) is never held by it
        return None

    def shutdown(self) -> None:
        for compare in self.windows:
            compare.shutdown()

    def _on_window_hidden(self) -> None:
        """The main window closed: its comparisons stop and close with it."""
        self.shutdown()
        for compare in self.windows:
            compare.close()


def install(window, panel) -> CompareLauncher:
    """Add Training ▸ Compare with a variant… to ``window``'s menu bar (the Training menu made if missing)."""
    launcher = CompareLauncher(window, panel)
    bar = window.menuBar()
    menu = next((a.menu() for a in bar.actions() if a.menu() is not None
                 and a.text().replace("&", "") == "Training"), None)
    if menu is None:
        help_action = next((a for a in bar.actions() if a.text().replace("&", "") == "Help"), None)
        from PySide6.QtWidgets import QMenu

        menu = QMenu("&Training", window)
        bar.insertMenu(help_action, menu) if help_action is not None else bar.addMenu(menu)
    action = QAction("&Compare with a variant…", window, objectName="compareAction")
    action.setStatusTip("Train the network and a changed copy side by side, with the same start and the same batches")
    action.triggered.connect(lambda: launcher.compare())
    menu.addAction(action)
    window.compare_launcher = launcher
    return launcher
