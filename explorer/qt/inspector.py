"""The inspector: the selected layer's id, parameters, help and shapes, or else the whole network.

In a document of several networks (a GAN's two), the network page and the Input and output layers'
pages also show each network's role and let the user choose or swap them (:mod:`.roles`); a choice
is sent as ``training_edit_requested`` with the new training settings.

It edits nothing itself. A value that passes :meth:`Param.validate` is sent as
``param_edit_requested`` and an id that passes :meth:`Document.check_rename` as
``rename_requested`` (the window turns them into undo commands); a refused one stays in its
editor, outlined, with the reason under it. A rename from anywhere (undo too) reaches the page
through the document's ``node_renamed``.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QFormLayout, QFrame, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPlainTextEdit, QScrollArea, QSizePolicy, QStackedWidget, QVBoxLayout,
                               QWidget)

from ..graph import Document, GraphError, ParamError
from . import theme
from .param_editors import ParamEditor, RefusalShown, editor_for
from .roles import RoleChooser, network_of


def _label(text: str = "", name: str | None = None, wrap: bool = True) -> QLabel:
    label = QLabel(text)
    if name:
        label.setObjectName(name)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class NodePage(QWidget):
    """One node: title, help, a typed editor per parameter, its shapes and parameter count."""

    def __init__(self, doc: Document, node_id: str, inspector: "Inspector"):
        super().__init__()
        self.doc, self.node_id, self.inspector = doc, node_id, inspector
        node = doc.node(node_id)
        layer = node.layer
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 12)
        layout.setSpacing(6)
        self.title = _label(f"{theme.glyph(layer.glyph, layer.name)}  {layer.name}", "inspectorTitle", wrap=False)
        layout.addWidget(self.title)
        self.subtitle = _label("", "inspectorSubtitle")
        layout.addWidget(self.subtitle)
        self.id_field = IdField(self._on_id_edited)
        id_form = QFormLayout()
        id_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        id_form.addRow("Id", self.id_field)
        layout.addLayout(id_form)
        layout.addWidget(_label(layer.help, "helpText"))
        self.message = _label("", "nodeMessage")
        self.message.hide()
        layout.addWidget(self.message)
        self.editors: dict[str, ParamEditor] = {}
        if layer.params:
            layout.addWidget(_label("PARAMETERS", "sectionTitle"))
            form = QFormLayout()
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            form.setVerticalSpacing(8)
            for param in layer.params:
                editor = editor_for(param)
                editor.committed.connect(lambda value, name=param.name: self._on_editor_committed(name, value))
                self.editors[param.name] = editor
                name = _label(param.name, wrap=False)
                name.setToolTip(param.help)
                form.addRow(name, editor)
            layout.addLayout(form)
        else:
            layout.addWidget(_label("No parameters: it learns nothing, it only transforms.", "helpText"))
        self.frozen_box = QCheckBox("Frozen: no updates in training")
        self.frozen_box.setObjectName("frozenSwitch")
        self.frozen_box.setToolTip("Transfer learning: a frozen layer keeps the weights it has (loaded from a "
                                   "checkpoint or an earlier run); it gets no gradient, no step and no weight decay. "
                                   "Also on the canvas: right-click ▸ Freeze.")
        self.frozen_box.toggled.connect(self._on_frozen_toggled)
        layout.addWidget(self.frozen_box)
        self.network_title = _label("NETWORK", "sectionTitle")
        self.network_label = _label("", "networkOfNode")
        self.roles = RoleChooser()
        self.roles.roles_edit_requested.connect(inspector.request_roles)
        layout.addWidget(self.network_title)
        layout.addWidget(self.network_label)
        layout.addWidget(self.roles)
        layout.addWidget(_label("SHAPES", "sectionTitle"))
        shapes = QFormLayout()
        self.inputs_label = _label("", "shapeValue")
        self.output_label = _label("", "shapeValue")
        self.count_label = _label("", "shapeValue")
        shapes.addRow("Input", self.inputs_label)
        shapes.addRow("Output", self.output_label)
        shapes.addRow("Parameters", self.count_label)
        layout.addLayout(shapes)
        layout.addStretch(1)
        self.set_node_id(node_id)
        self.refresh()

    def set_node_id(self, node_id: str) -> None:
        """Show ``node_id`` (the page's node was renamed, or is new)."""
        self.node_id = node_id
        self.subtitle.setText(f"'{node_id}' · {self.doc.node(node_id).layer.group}")
        self.id_field.set_value(node_id)

    def refresh(self) -> None:
        node = self.doc.node(self.node_id)
        for name, editor in self.editors.items():
            editor.set_value(node.params[name])
        self.frozen_box.blockSignals(True)  # showing the document's state is not an edit
        self.frozen_box.setChecked(node.frozen)
        self.frozen_box.blockSignals(False)
        self.frozen_box.setVisible(node.frozen or self.doc.has_weights(self.node_id))
        info = self.doc.infer().nodes.get(self.node_id)
        if info is None:
            return
        if node.layer.max_inputs == 0:
            self.inputs_label.setText("none: data enters here")
        else:
            self.inputs_label.setText("\n".join(str(s) for s in info.inputs) or "—")
        self.output_label.setText(str(info.output) if info.output is not None else "—")
        self.count_label.setText(f"{info.params:,}" if info.params is not None else "—")
        self.message.setText(info.message or "")
        self.message.setVisible(info.status != "ok")
        self.message.setProperty("status", info.status)
        self._refresh_network(node)

    def _refresh_network(self, node) -> None:
        """Input and output layers of a document of several networks: which network, and its role."""
        outputs = self.doc.outputs()
        output = network_of(self.doc, self.node_id) if len(outputs) > 1 else None
        shown = output is not None and (node.layer.max_inputs == 0 or self.node_id in outputs)
        if shown and self.roles.show_networks(self.doc, [output]):
            where = "its output" if self.node_id == output else f"the network ending at '{output}'"
            self.network_label.setText(f"This layer is {where}; the document holds {len(outputs)} networks.")
        else:
            self.roles.hide()
            shown = False
        self.network_title.setVisible(shown)
        self.network_label.setVisible(shown)

    def set_locked(self, locked: bool) -> None:
        self.id_field.edit.setReadOnly(locked)
        self.frozen_box.setEnabled(not locked)
        for editor in self.editors.values():
            editor.setEnabled(not locked)
        self.roles.set_locked(locked)

    def _on_id_edited(self) -> None:
        new = self.id_field.edit.text().strip()
        try:
            self.doc.check_rename(self.node_id, new)
        except GraphError as error:
            self.id_field.set_refusal(error.message)
            self.inspector.refused.emit(error.message)
            return
        self.id_field.set_refusal(None)
        if new != self.node_id:
            self.inspector.rename_requested.emit(self.node_id, new)

    def _on_frozen_toggled(self, frozen: bool) -> None:
        self.inspector.freeze_requested.emit([self.node_id], frozen)

    def _on_editor_committed(self, name: str, value) -> None:
        node = self.doc.node(self.node_id)
        editor = self.editors[name]
        try:
            value = node.layer.param(name).validate(value, f"{node.kind} '{self.node_id}'")
        except ParamError as error:
            editor.set_refusal(error.message)
            self.inspector.refused.emit(error.message)
            return
        editor.set_refusal(None)
        if value != node.params[name]:
            self.inspector.param_edit_requested.emit(self.node_id, name, value)


class IdField(RefusalShown, QWidget):
    """The node's id in a line edit, outlined with the reason under it when the document refuses it."""

    def __init__(self, on_edited):
        super().__init__()
        self.setObjectName("nodeIdField")
        self.edit = QLineEdit()
        self.edit.setObjectName("nodeId")
        self.edit.setToolTip("The layer's name in the file and in the trained model: letters, digits, '_' and '-'")
        self.edit.editingFinished.connect(on_edited)
        self.frame = QFrame()
        self.frame.setObjectName("fieldFrame")  # the style sheet outlines it when refused
        row = QHBoxLayout(self.frame)
        row.setContentsMargins(1, 1, 1, 1)
        row.addWidget(self.edit)
        self.refusal = _label("", "refusal")
        self.refusal.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.frame)
        layout.addWidget(self.refusal)

    def set_value(self, node_id: str) -> None:
        with QSignalBlocker(self.edit):
            self.edit.setText(node_id)
        self.set_refusal(None)

class DocumentPage(QWidget):
    """Nothing selected: the network's name, description, totals and the list of problems."""

    def __init__(self, inspector: "Inspector"):
        super().__init__()
        self.inspector = inspector
        self.doc: Document | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 12)
        layout.setSpacing(6)
        layout.addWidget(_label("Network", "inspectorTitle", wrap=False))
        self.selection_note = _label("", "inspectorSubtitle")
        layout.addWidget(self.selection_note)
        form = QFormLayout()
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("networkName")
        self.name_edit.setToolTip("The network's name, saved in its file")
        self.description_edit = QPlainTextEdit()
        self.description_edit.setObjectName("networkDescription")
        self.description_edit.setToolTip("What this network is for; saved in its file (applied when you leave the box)")
        self.description_edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        self.description_edit.setMaximumHeight(110)
        self.description_edit.installEventFilter(self)
        form.addRow("Name", self.name_edit)
        form.addRow("About", self.description_edit)
        layout.addLayout(form)
        layout.addWidget(_label("TOTALS", "sectionTitle"))
        self.totals = _label("", "shapeValue")
        layout.addWidget(self.totals)
        layout.addWidget(_label("PROBLEMS", "sectionTitle"))
        self.no_errors = _label("None: every layer has a shape.", "helpText")
        layout.addWidget(self.no_errors)
        self.errors = QListWidget()
        self.errors.setObjectName("errorList")
        self.errors.setWordWrap(True)
        self.errors.setToolTip("Click a problem to select its layer")
        self.errors.itemClicked.connect(self._on_error_clicked)
        self.errors.itemActivated.connect(self._on_error_clicked)
        self.errors.setMinimumHeight(160)
        layout.addWidget(self.errors)
        self.roles_title = _label("NETWORKS", "sectionTitle")
        self.roles = RoleChooser()
        self.roles.roles_edit_requested.connect(inspector.request_roles)
        layout.addWidget(self.roles_title)
        layout.addWidget(self.roles)
        layout.addStretch(1)
        self.name_edit.editingFinished.connect(self._on_name_edited)

    def set_document(self, doc: Document) -> None:
        self.doc = doc
        self.refresh()

    def refresh(self, selected: int = 0) -> None:
        doc = self.doc
        if doc is None:
            return
        if not self.name_edit.hasFocus():
            with QSignalBlocker(self.name_edit):
                self.name_edit.setText(doc.name)
        if not self.description_edit.hasFocus():
            self.description_edit.setPlainText(doc.description)
        report = doc.infer()
        self.totals.setText(f"{len(doc)} layers · {len(doc.edges())} wires\n{report.total_params:,} parameters")
        self.selection_note.setText(f"{selected} layers selected" if selected > 1 else "")
        self.errors.clear()
        for error in report.errors:
            item = QListWidgetItem(error.message)
            item.setData(Qt.ItemDataRole.UserRole, error.node_id)
            item.setToolTip(error.message)
            self.errors.addItem(item)
        self.errors.setVisible(bool(report.errors))
        self.no_errors.setVisible(not report.errors)
        self.roles_title.setVisible(self.roles.show_networks(doc))

    def set_locked(self, locked: bool) -> None:
        self.name_edit.setReadOnly(locked)
        self.description_edit.setReadOnly(locked)
        self.roles.set_locked(locked)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.description_edit and event.type() == QEvent.Type.FocusOut:
            text = self.description_edit.toPlainText()
            if self.doc is not None and text != self.doc.description:
                self.inspector.meta_edit_requested.emit(None, text)
        return super().eventFilter(watched, event)

    def _on_name_edited(self) -> None:
        name = self.name_edit.text().strip()
        if self.doc is not None and name and name != self.doc.name:
            self.inspector.meta_edit_requested.emit(name, None)

    def _on_error_clicked(self, item: QListWidgetItem) -> None:
        node_id = item.data(Qt.ItemDataRole.UserRole)
        if node_id:
            self.inspector.node_chosen.emit(node_id)


class Inspector(QScrollArea):
    param_edit_requested = Signal(str, str, object)  # node id, parameter, a value that passed validation
    rename_requested = Signal(str, str)              # old id, a new id the document accepts
    meta_edit_requested = Signal(object, object)     # new name or None, new description or None
    node_chosen = Signal(str)                        # a problem was clicked
    refused = Signal(str)                            # an editor refused a value (for the status bar)
    training_edit_requested = Signal(dict)           # new training settings (a network's role was chosen)
    freeze_requested = Signal(list, bool)            # node ids, frozen or not

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("inspector")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stack = QStackedWidget()
        self.document_page = DocumentPage(self)
        self.stack.addWidget(self.document_page)
        self.setWidget(self.stack)
        self.node_page: NodePage | None = None
        self.doc: Document | None = None
        self.locked = False
        self._selection: list[str] = []

    def set_document(self, doc: Document) -> None:
        if self.doc is not None:
            self.doc.node_renamed.disconnect(self._on_node_renamed)
            self.doc.node_frozen.disconnect(self._on_node_frozen)
        self.doc = doc
        doc.node_renamed.connect(self._on_node_renamed)
        doc.node_frozen.connect(self._on_node_frozen)
        self._drop_node_page()
        self._selection = []
        self.document_page.set_document(doc)
        self.stack.setCurrentWidget(self.document_page)

    def show_selection(self, node_ids: list[str]) -> None:
        """One node: its page; none or several: the network page."""
        self._selection = list(node_ids)
        if len(node_ids) == 1 and self.doc is not None and self.doc.has_node(node_ids[0]):
            if self.node_page is None or self.node_page.node_id != node_ids[0]:
                self._drop_node_page()
                self.node_page = NodePage(self.doc, node_ids[0], self)
                self.node_page.set_locked(self.locked)
                self.stack.addWidget(self.node_page)
            self.stack.setCurrentWidget(self.node_page)
            return
        self._drop_node_page()
        self.document_page.refresh(len(node_ids))
        self.stack.setCurrentWidget(self.document_page)

    def refresh(self) -> None:
        """Re-read values and shapes (after any document change)."""
        if self.node_page is not None:
            if self.doc is not None and self.doc.has_node(self.node_page.node_id):
                self.node_page.refresh()
                return
            self.show_selection([])
            return
        self.document_page.refresh(len(self._selection))

    def request_roles(self, networks: dict) -> None:
        """A role was chosen: ask for the training settings with these ``networks``."""
        if self.doc is None or self.locked:
            return
        training = dict(self.doc.training)
        if training.get("networks") != networks:
            training["networks"] = dict(networks)
            self.training_edit_requested.emit(training)

    def _on_node_renamed(self, old: str, new: str) -> None:
        # The page stays (it may hold the focus that made the edit); it only shows the new id.
        self._selection = [new if n == old else n for n in self._selection]
        if self.node_page is not None and self.node_page.node_id == old:
            self.node_page.set_node_id(new)

    def _on_node_frozen(self, node_id: str) -> None:
        if self.node_page is not None and self.node_page.node_id == node_id:
            self.node_page.refresh()

    def set_locked(self, locked: bool) -> None:
        self.locked = locked
        self.document_page.set_locked(locked)
        if self.node_page is not None:
            self.node_page.set_locked(locked)

    def _drop_node_page(self) -> None:
        if self.node_page is not None:
            self.stack.removeWidget(self.node_page)
            self.node_page.deleteLater()
            self.node_page = None
