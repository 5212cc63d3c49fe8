"""The main window: palette (left), canvas (centre), inspector (right), room for the training panel.

The window owns the current :class:`Document`, its undo stack and its file. Edits flow
palette/canvas/inspector → :class:`GraphEditor` → undo command → document → scene and inspector.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QGuiApplication, QUndoStack
from PySide6.QtWidgets import (QApplication, QDockWidget, QFileDialog, QInputDialog, QLabel, QMainWindow, QMenu,
                               QMessageBox, QWidget)

from ..graph import Document, FileFormatError, fileformat
from . import theme
from .actions import SHORTCUTS_HTML, build
from .checkpoint_files import CheckpointFiles
from .weight_transfer import WeightTransfer
from .editor.controller import GraphEditor
from .editor.scene import GraphScene
from .editor.view import GraphView, json_paths
from .files import RecentFiles, list_presets
from .recovery import Autosaver, discard, leftovers, restore_into
from .inspector import Inspector
from .lecture_mode import LectureMode
from .palette import LayerPalette

APP_TITLE = "Neural Network Explorer"
TRAINING_SHARE = 0.4  # of the window's height, for the training panel when it first appears
OPEN_MIN_ZOOM = 0.6  # an opened network is shown at least this large (legible on a projector)
LOCK_BANNER = "Training: the network is locked while it runs (you can still move layers)"


class MainWindow(QMainWindow):
    document_replaced = Signal(object)  # the new Document, after New or Open
    # Closed or hidden by the program (a minimised window's hide is spontaneous and does not count): what
    # runs with the window stops. A signal, not an event filter on the window, which would call Python for
    # every event the window gets (about twenty per delivery of snapshots while training).
    hidden = Signal()

    def __init__(self, settings: QSettings | None = None, parent: QWidget | None = None,
                 recovery_dir: str | os.PathLike | None = None):
        super().__init__(parent)
        self.settings = settings if settings is not None else QSettings("nn-explorer", "Neural Network Explorer")
        self.recent = RecentFiles(self.settings)
        self.path: Path | None = None
        self.locked = False
        # Tests set these to skip the questions: unsaved changes (Save, Discard or Cancel) and
        # work left by a crash (Yes restores it, No discards it, Cancel keeps it for the next start).
        self.unsaved_answer: QMessageBox.StandardButton | None = None
        self.recovery_answer: QMessageBox.StandardButton | None = None
        self.last_error: str | None = None
        self._theme_choice = str(self.settings.value("view/theme", "system"))
        self.setAcceptDrops(True)
        self.resize(1440, 900)

        self.undo_stack = QUndoStack(self)
        self.scene = GraphScene(self)
        self.view = GraphView(self.scene, self)
        self.editor = GraphEditor(self.scene, self.undo_stack, self)
        self.setCentralWidget(self.view)
        self.palette = LayerPalette()
        self.inspector = Inspector()
        self.palette_dock = self._dock("Layers", "paletteDock", self.palette, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.inspector_dock = self._dock("Inspector", "inspectorDock", self.inspector,
                                         Qt.DockWidgetArea.RightDockWidgetArea)
        # The bottom area (the training panel's) spans the whole width: its plots need it.
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.resizeDocks([self.palette_dock, self.inspector_dock], [250, 340], Qt.Orientation.Horizontal)
        self.training_dock: QDockWidget | None = None
        self.training_panel: QWidget | None = None
        self.checkpoints = CheckpointFiles(self)
        self.weight_transfer = WeightTransfer(self)
        self.lecture_mode = LectureMode(self)
        self.picture_path: Path | None = None  # tests set it to skip the dialogs of the picture exports

        self.menu_actions = build(self)
        self.checkpoints.update_actions()  # no training panel yet: nothing to save or load into
        self.menu_actions.view_menu.addAction(self.palette_dock.toggleViewAction())
        self.menu_actions.view_menu.addAction(self.inspector_dock.toggleViewAction())
        for action in self.menu_actions.theme_group.actions():
            action.setChecked(action.data() == self._theme_choice)
        self.summary_label = QLabel()
        self.summary_label.setToolTip("Layers, trainable parameters and problems in this network")
        self.zoom_label = QLabel("100 %")
        self.zoom_label.setToolTip("Zoom: wheel, Ctrl + / Ctrl -, Ctrl+0 for 100 %, F to fit")
        self.statusBar().addPermanentWidget(self.summary_label)
        self.statusBar().addPermanentWidget(self.zoom_label)

        self.autosaver = Autosaver(self, Path(recovery_dir) if recovery_dir is not None else None)
        self._connect()
        self._apply_theme()
        self._set_document(Document(name="Untitled"), None)
        self._restore_settings()

    def _dock(self, title: str, name: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.addDockWidget(area, dock)
        return dock

    def _connect(self) -> None:
        self.palette.kind_activated.connect(self._on_palette_kind_activated)
        self.view.kind_dropped.connect(self.editor.add_node)
        self.view.files_dropped.connect(self._on_files_dropped)
        self.view.context_menu_requested.connect(self._on_context_menu_requested)
        self.view.zoom_changed.connect(self._on_zoom_changed)
        self.scene.selectionChanged.connect(self._on_selection_changed)
        self.scene.shapes_refreshed.connect(self._on_shapes_refreshed)
        self.scene.wire_refused.connect(self.status_message)
        self.editor.status.connect(self.status_message)
        self.inspector.param_edit_requested.connect(self.editor.set_param)
        self.inspector.meta_edit_requested.connect(self.editor.set_meta)
        self.inspector.rename_requested.connect(self.editor.rename_node)
        self.inspector.node_chosen.connect(self.select_node)
        self.inspector.refused.connect(self.status_message)
        self.inspector.training_edit_requested.connect(self.editor.set_training)
        self.inspector.freeze_requested.connect(self.editor.set_frozen)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self.undo_stack.indexChanged.connect(self._on_undo_index_changed)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_color_scheme_changed)

    # The contract with the training panel ------------------------------------------------------------

    @property
    def document(self) -> Document:
        return self.scene.document

    def status_message(self, text: str, timeout_ms: int = 10000) -> None:
        self.statusBar().showMessage(text, timeout_ms)

    def set_editing_locked(self, locked: bool) -> None:
        """While training runs: no adding, deleting, wiring or parameter edits; moving stays allowed."""
        self.locked = bool(locked)
        self.editor.locked = self.locked
        self.scene.editing_locked = self.locked
        self.palette.setEnabled(not self.locked)
        self.inspector.set_locked(self.locked)
        for action in self.menu_actions.structural():
            action.setEnabled(not self.locked)
        self.menu_actions.presets_menu.setEnabled(not self.locked)
        self.menu_actions.recent_menu.setEnabled(not self.locked)
        self._update_undo_actions()
        self.checkpoints.update_actions()
        self.view.set_banner(LOCK_BANNER if self.locked else None)
        if self.locked:
            self.autosaver.autosave()  # before each training run: a crash while training loses nothing

    def add_training_panel(self, widget: QWidget) -> QDockWidget:
        """Host the training panel in a dock under the canvas (it can be moved to the right)."""
        dock = QDockWidget("Training", self)
        dock.setObjectName("trainingDock")
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        dock.setAllowedAreas(Qt.DockWidgetArea.BottomDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea)
        if not self.restoreDockWidget(dock):  # where the student left it last time, else under the canvas
            self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
            dock.show()
            # The panel would take its (large) preferred height; give the canvas the larger share.
            self.resizeDocks([dock], [max(dock.minimumSizeHint().height(), int(self.height() * TRAINING_SHARE))],
                             Qt.Orientation.Vertical)
        self.menu_actions.view_menu.addAction(dock.toggleViewAction())
        self.training_dock = dock
        self.training_panel = widget
        weights_changed = getattr(widget, "weights_changed", None)
        if weights_changed is not None:
            weights_changed.connect(self.checkpoints.update_actions)
        if hasattr(widget, "use_transfer"):
            self.weight_transfer.watch(widget)
        self.checkpoints.update_actions()
        return dock

    def select_node(self, node_id: str) -> None:
        self.scene.select_nodes([node_id])
        item = self.scene.nodes.get(node_id)
        if item is not None:
            self.view.centerOn(item)

    # Documents and files -----------------------------------------------------------------------------

    def _set_document(self, doc: Document, path: Path | None) -> None:
        old = self.scene.document
        if old is not None:
            old.meta_changed.disconnect(self._on_meta_changed)
        self.path = path
        self.scene.set_document(doc)
        self.inspector.set_document(doc)
        doc.meta_changed.connect(self._on_meta_changed)
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self._update_title()
        self._update_undo_actions()
        self._on_shapes_refreshed()
        self.view.fit(OPEN_MIN_ZOOM)
        self.document_replaced.emit(doc)

    def replace_document(self, doc: Document) -> None:
        """Show ``doc`` as a new, untitled network (a checkpoint's); the caller has asked about unsaved changes."""
        self._set_document(doc, None)
        count = len(doc)
        self.status_message(f"Opened '{doc.name or 'a network'}': {count} layer{'s' if count != 1 else ''}")

    def new_document(self) -> bool:
        if self.locked or not self.confirm_discard():
            return False
        self._set_document(Document(name="Untitled"), None)
        self.status_message("New network: drag layers from the palette onto the canvas")
        return True

    def open_document(self, path: str | os.PathLike, as_copy: bool = False) -> bool:
        """Open a network file; a broken one is explained and the current network stays as it was.

        ``as_copy`` (presets) opens it without a file, so Save asks where to put it.
        """
        if not self.confirm_discard():
            return False
        path = Path(path)
        try:
            doc = fileformat.load(path)
        except FileFormatError as error:
            if error.reason == "no such file":
                self.recent.remove(path)
            self.show_error("Cannot open this file", error.message)
            return False
        except Exception as error:  # noqa: BLE001 (never crash on a file, whatever is in it)
            self.show_error("Cannot open this file", f"{path}: {type(error).__name__}: {error}")
            return False
        self._set_document(doc, None if as_copy else path.resolve())
        if not as_copy:
            self.recent.add(path)
        count = len(doc)
        self.status_message(f"Opened {path.name}: {count} layer{'s' if count != 1 else ''}")
        return True

    def open_dialog(self) -> None:
        if self.locked:
            return
        start = str(self.path.parent) if self.path else str(self.settings.value("files/last_dir", os.getcwd()))
        name, _ = QFileDialog.getOpenFileName(self, "Open a network", start, "Networks (*.json);;All files (*)")
        if name:
            self.settings.setValue("files/last_dir", str(Path(name).parent))
            self.open_document(name)

    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self.save_to(self.path)

    def save_as(self) -> bool:
        start = str(self.path) if self.path else str(Path(str(self.settings.value("files/last_dir", os.getcwd())))
                                                      / f"{self.document.name or 'network'}.json")
        name, _ = QFileDialog.getSaveFileName(self, "Save the network", start, "Networks (*.json)")
        if not name:
            return False
        if not name.lower().endswith(".json"):
            name += ".json"
        self.settings.setValue("files/last_dir", str(Path(name).parent))
        return self.save_to(name)

    def save_to(self, path: str | os.PathLike) -> bool:
        path = Path(path)
        try:
            fileformat.save(self.document, path)
        except OSError as error:
            self.show_error("Cannot save", f"{path}: {error.strerror or error}")
            return False
        self.path = path.resolve()
        self.undo_stack.setClean()
        self.autosaver.remove()
        self.recent.add(path)
        self._update_title()
        self.status_message(f"Saved {path.name}")
        return True

    def import_dialog(self) -> None:
        """File ▸ Import from PyTorch: a .py file, one of its nn.Module classes, and a sample's shape."""
        from ..export import ExportError
        from ..export.importer import module_classes

        if self.locked or not self.confirm_discard():
            return
        start = str(self.settings.value("files/import_dir", os.getcwd()))
        name, _ = QFileDialog.getOpenFileName(self, "Import a PyTorch module", start, "Python files (*.py)")
        if not name:
            return
        self.settings.setValue("files/import_dir", str(Path(name).parent))
        try:
            classes = module_classes(Path(name))
        except ExportError as error:
            self.show_error("Cannot import", error.message)
            return
        if not classes:
            self.show_error("Cannot import", f"{Path(name).name} defines no nn.Module class")
            return
        cls, ok = QInputDialog.getItem(self, "Import a PyTorch module", "Class:", classes, 0, False)
        if not ok:
            return
        shape, ok = QInputDialog.getText(self, "Import a PyTorch module",
                                         "One sample's shape, without the batch (C,H,W or F):", text="1,28,28")
        if ok:
            self.import_from(f"{name}:{cls}", shape)

    def import_from(self, reference: str, shape: str) -> bool:
        """Trace ``file.py:Class`` on samples of ``shape`` and open the network it gives, unsaved."""
        from ..export import ExportError
        from ..export.importer import import_module, load_module_class, parse_shape

        try:
            cls, path = load_module_class(reference)
            module = cls()
            imported = import_module(module, parse_shape(shape), name=cls.__name__, source_files={str(path)})
        except ExportError as error:
            self.show_error("Cannot import", error.message)
            return False
        except Exception as error:  # noqa: BLE001 (the user's constructor: explain, never crash)
            self.show_error("Cannot import", f"{type(error).__name__}: {error}")
            return False
        self._set_document(imported.document, None)
        self.undo_stack.resetClean()  # a new network that was never saved
        self.status_message(f"Imported {cls.__name__}: {len(imported.document)} layers, "
                            f"{imported.parameters:,} parameters")
        return True

    def export_dialog(self) -> None:
        stem = self.path.stem if self.path else (self.document.name or "network")
        folder = Path(str(self.settings.value("files/export_dir", os.getcwd())))
        name, chosen = QFileDialog.getSaveFileName(self, "Export the network", str(folder / f"{stem}.py"),
                                                   "PyTorch script (*.py);;ONNX (*.onnx)")
        if not name:
            return
        if Path(name).suffix.lower() not in (".py", ".onnx"):
            name += ".onnx" if "onnx" in chosen.lower() else ".py"
        self.settings.setValue("files/export_dir", str(Path(name).parent))
        self.export_to(name)

    def export_to(self, path: str | os.PathLike) -> bool:
        """Export the network to ``path`` (``.py`` or ``.onnx``); a refusal is explained, nothing half-written."""
        from ..export import ExportError, export_network

        try:
            said = export_network(self.document, path)
        except ExportError as error:
            self.show_error("Cannot export", error.message)
            return False
        except Exception as error:  # noqa: BLE001 (an optional package or torch itself: explain, never crash)
            self.show_error("Cannot export", f"{type(error).__name__}: {error}")
            return False
        self.status_message(said[:1].upper() + said[1:])
        return True

    def export_snapshot_dialog(self) -> None:
        """File ▸ Export snapshot: the whole window as a PNG."""
        from .exports import save_widget

        path = self._picture_path("Export a snapshot of the window", f"{self._display_name_stem()}-window",
                                  "PNG pictures (*.png)")
        if path is not None:
            self._write_picture(lambda: save_widget(self, path))

    def export_canvas_dialog(self) -> None:
        """File ▸ Export canvas: the network as a PNG or SVG picture."""
        from .exports import save_canvas

        path = self._picture_path("Export the canvas", self._display_name_stem(),
                                  "PNG pictures (*.png);;SVG pictures (*.svg)")
        if path is not None:
            self._write_picture(lambda: save_canvas(self.scene, path))

    def _display_name_stem(self) -> str:
        return Path(self._display_name()).stem or "network"

    def _picture_path(self, title: str, stem: str, filters: str) -> Path | None:
        from .exports import ask_path

        if self.picture_path is not None:
            return self.picture_path
        folder = Path(str(self.settings.value("files/picture_dir", os.getcwd())))
        path = ask_path(self, title, folder / f"{stem}.png", filters)
        if path is not None:
            self.settings.setValue("files/picture_dir", str(path.parent))
        return path

    def _write_picture(self, write) -> bool:
        from ..export import ExportError

        try:
            said = write()
        except ExportError as error:
            self.show_error("Cannot export", error.message)
            return False
        self.status_message(said[:1].upper() + said[1:])
        return True

    def confirm_discard(self) -> bool:
        """True when there are no unsaved changes, or the student chose to save or discard them."""
        if self.undo_stack.isClean():
            return True
        buttons = QMessageBox.StandardButton
        answer = self.unsaved_answer
        if answer is None:
            answer = QMessageBox.question(
                self, "Unsaved changes", f"Save the changes to {self._display_name()} first?",
                buttons.Save | buttons.Discard | buttons.Cancel, buttons.Save)
        if answer == buttons.Save:
            return self.save()
        return answer == buttons.Discard

    def show_error(self, title: str, text: str) -> None:
        """Explain a problem without blocking (a window-modal box) and in the status bar."""
        self.last_error = text
        self.status_message(text)
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setObjectName("errorBox")
        box.open()

    def fill_presets_menu(self) -> None:
        menu = self.menu_actions.presets_menu
        menu.clear()
        presets = list_presets()
        if not presets:
            menu.addAction("(no presets found)").setEnabled(False)
        for preset in presets:
            action = menu.addAction(preset.name)
            action.setToolTip(preset.description or preset.name)
            action.setStatusTip(preset.description)
            action.triggered.connect(lambda _=False, p=preset.path: self.open_document(p, as_copy=True))

    def fill_recent_menu(self) -> None:
        menu = self.menu_actions.recent_menu
        menu.clear()
        paths = self.recent.paths()
        if not paths:
            menu.addAction("(none yet)").setEnabled(False)
        for i, path in enumerate(paths):
            action = menu.addAction(f"&{i + 1}  {Path(path).name}" if i < 9 else Path(path).name)
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_document(p))
        if paths:
            menu.addSeparator()
            menu.addAction("Clear the list", self.recent.clear)

    def _on_palette_kind_activated(self, kind: str) -> None:
        self.editor.add_after_selection(kind, self.view.visible_centre())

    def _on_context_menu_requested(self, where) -> None:
        a = self.menu_actions
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.setObjectName("canvasMenu")
        menu.addActions([a.copy, a.paste, a.duplicate, a.delete])
        self._add_freeze_actions(menu)
        menu.addSeparator()
        menu.addActions([a.select_all, a.layout, a.fit])
        menu.popup(where)

    def _add_freeze_actions(self, menu: QMenu) -> None:
        """Freeze / Unfreeze for the selected layers with weights (transfer learning)."""
        doc = self.document
        chosen = [n for n in self.scene.selected_node_ids() if doc.has_node(n) and doc.has_weights(n)]
        if not chosen:
            return
        menu.addSeparator()
        frozen = [n for n in chosen if doc.node(n).frozen]
        if len(frozen) < len(chosen):
            action = menu.addAction("Freeze", lambda: self.editor.set_frozen(chosen, True))
            action.setObjectName("freezeAction")
            action.setStatusTip("Training leaves the weights of the selected layers as they are")
            action.setEnabled(not self.locked)
        if frozen:
            action = menu.addAction("Unfreeze", lambda: self.editor.set_frozen(frozen, False))
            action.setObjectName("unfreezeAction")
            action.setStatusTip("Training updates the selected layers again")
            action.setEnabled(not self.locked)

    def _on_files_dropped(self, paths: list[str]) -> None:
        if self.locked:
            self.status_message("Stop training before opening another network")
            return
        self.open_document(paths[0])

    def dragEnterEvent(self, event) -> None:
        if json_paths(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = json_paths(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self._on_files_dropped(paths)

    # Edits that live on the window -------------------------------------------------------------------

    def undo(self) -> None:
        if not self.locked:
            self.undo_stack.undo()

    def redo(self) -> None:
        if not self.locked:
            self.undo_stack.redo()

    def select_all(self) -> None:
        self.scene.select_nodes(list(self.scene.nodes))

    def focus_palette_filter(self) -> None:
        self.palette_dock.show()
        self.palette.filter_box.setFocus()
        self.palette.filter_box.selectAll()

    def show_shortcuts(self) -> None:
        box = QMessageBox(QMessageBox.Icon.NoIcon, "Keyboard and mouse", SHORTCUTS_HTML,
                          QMessageBox.StandardButton.Close, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def _on_clean_changed(self, _clean: bool) -> None:
        self._update_title()

    def _on_undo_index_changed(self, _index: int) -> None:
        self._update_undo_actions()

    def _update_undo_actions(self) -> None:
        stack = self.undo_stack
        for action, can, text, verb in ((self.menu_actions.undo, stack.canUndo(), stack.undoText(), "Undo"),
                                        (self.menu_actions.redo, stack.canRedo(), stack.redoText(), "Redo")):
            action.setEnabled(can and not self.locked)
            action.setText(f"{verb} {text}" if can else verb)
            action.setStatusTip(f"{verb} {text}" if can else f"Nothing to {verb.lower()}")

    def _on_zoom_changed(self, zoom: float) -> None:
        self.zoom_label.setText(f"{zoom * 100:.0f} %")

    def _on_selection_changed(self) -> None:
        self.inspector.show_selection(self.scene.selected_node_ids())

    def _on_shapes_refreshed(self) -> None:
        doc = self.document
        report = doc.infer()
        problems = len(report.errors)
        self.summary_label.setText(f"{len(doc)} layers · {report.total_params:,} parameters · "
                                   + (f"{problems} problem{'s' if problems != 1 else ''}" if problems
                                      else "no problems"))
        self.inspector.refresh()

    def _on_meta_changed(self) -> None:
        self._update_title()
        self.inspector.refresh()

    def _display_name(self) -> str:
        return self.path.name if self.path is not None else (self.document.name or "Untitled")

    def _update_title(self) -> None:
        modified = not self.undo_stack.isClean()
        self.setWindowTitle(f"{self._display_name()}{'*' if modified else ''} — {APP_TITLE}")

    # Theme and settings --------------------------------------------------------------------------------

    def set_theme_choice(self, choice: str) -> None:
        self._theme_choice = choice
        self.settings.setValue("view/theme", choice)
        self._apply_theme()

    def _on_color_scheme_changed(self, _scheme) -> None:
        if self._theme_choice == "system":
            self._apply_theme()

    def _apply_theme(self) -> None:
        app = QApplication.instance()
        theme.apply(app, theme.theme_named(self._theme_choice))
        self.scene.refresh_theme()
        self.palette.refresh_theme()

    def _restore_settings(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)

    def save_settings(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.sync()

    def hideEvent(self, event) -> None:  # noqa: N802  (Qt's name)
        super().hideEvent(event)
        if not event.spontaneous():
            self.hidden.emit()

    def closeEvent(self, event) -> None:
        if not self.confirm_discard():
            event.ignore()
            return
        self.autosaver.stop()
        self.autosaver.remove()  # saved or discarded: nothing to recover
        self.lecture_mode.set_active(False)  # the layout the student keeps is the everyday one
        self.save_settings()
        event.accept()

    # Recovery after a crash ----------------------------------------------------------------------------

    def offer_recovery(self) -> bool:
        """Offer back work that a crashed or killed program left unsaved; True if some was restored."""
        for recovered in leftovers(self.autosaver.folder):
            when = time.strftime("%d %b %Y, %H:%M", time.localtime(recovered.saved_at))
            buttons = QMessageBox.StandardButton
            answer = self.recovery_answer
            if answer is None:
                answer = QMessageBox.question(
                    self, "Restore unsaved work?",
                    f"The program ended without saving {recovered.name} (last kept {when}).\n\n"
                    "Restore it? No deletes it; Cancel keeps it for the next start.",
                    buttons.Yes | buttons.No | buttons.Cancel, buttons.Yes)
            if answer == buttons.Yes:
                try:
                    restore_into(self, recovered)
                except FileFormatError as error:
                    discard(recovered)
                    self.show_error("Cannot restore the unsaved work", error.message)
                    continue
                self.status_message(f"Restored unsaved work: {recovered.name}. Save it to keep it.")
                return True
            if answer == buttons.No:
                discard(recovered)
        return False

    def adopt_recovered(self, doc: Document, path: Path | None) -> None:
        """Show ``doc`` as unsaved changes to ``path`` (or a new network), as it was before the crash."""
        self._set_document(doc, path)
        self.undo_stack.resetClean()  # nothing on disk holds this: it is modified until saved
        self._update_title()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not getattr(self, "_shown_once", False):
            self._shown_once = True
            self.view.fit(OPEN_MIN_ZOOM)  # the view has its real size only now
