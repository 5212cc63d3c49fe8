"""The inspector: typed editors that refuse bad values with the reason, shapes, the network page."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox

from explorer.qt.param_editors import ParamEditor

from .editor_helpers import lenet, open_doc


def editor(window, name: str) -> ParamEditor:
    found = window.inspector.findChild(ParamEditor, f"param_{name}")
    assert found is not None, f"no editor for {name}"
    return found


def test_an_inspector_edit_changes_the_shapes_downstream(window, tmp_path):
    open_doc(window, lenet(), tmp_path)
    window.scene.select_nodes(["conv1"])
    out = editor(window, "out_channels")
    assert isinstance(out.field, QSpinBox) and out.field.value() == 6
    out.field.setValue(12)
    doc = window.document
    assert doc.node("conv1").params["out_channels"] == 12
    assert doc.infer().nodes["pool1"].output.shape == (12, 14, 14)
    assert window.scene.edges[("pool1", "flat1")].label == "[12, 14, 14]"
    assert window.scene.nodes["flat1"].line_text == "[2352]"
    assert window.inspector.node_page.output_label.text() == "[12, 28, 28]"
    assert window.undo_stack.undoText() == "Set 'conv1' out_channels to 12"
    out.field.setValue(13)  # consecutive edits of one parameter merge into one step
    assert window.undo_stack.count() == 1
    window.undo()
    assert doc.node("conv1").params["out_channels"] == 6
    assert out.field.value() == 6
    assert window.scene.nodes["flat1"].line_text == "[1176]"


def test_a_bad_value_is_refused_at_the_editor_with_the_reason(window, tmp_path):
    open_doc(window, lenet(), tmp_path)
    window.scene.select_nodes(["conv1"])
    kernel = editor(window, "kernel_size")
    kernel.field.setValue(0)
    assert kernel.refused() == "Conv2d 'conv1': 'kernel_size' must be at least 1, not 0"
    assert kernel.refusal.isVisibleTo(window.inspector)
    assert "must be at least 1" in window.statusBar().currentMessage()
    assert window.document.node("conv1").params["kernel_size"] == 5
    assert window.undo_stack.count() == 0
    kernel.field.setValue(3)
    assert kernel.refused() is None and window.document.node("conv1").params["kernel_size"] == 3


def test_each_parameter_type_gets_a_fitting_editor(window, tmp_path):
    from explorer.graph import Document
    doc = Document(name="types")
    doc.add_node("Input", {"shape": [12, 8]}, (0, 0), node_id="in1")
    doc.add_node("LSTM", {}, (0, 120), node_id="lstm1")
    doc.add_node("Dropout", {}, (0, 240), node_id="drop1")
    doc.connect("in1", "lstm1")
    doc.connect("lstm1", "drop1")
    open_doc(window, doc, tmp_path)
    window.scene.select_nodes(["in1"])
    shape = editor(window, "shape")
    assert isinstance(shape.field, QLineEdit) and shape.field.text() == "12, 8"
    assert isinstance(editor(window, "dtype").field, QComboBox)
    shape.field.setText("[16, 8]")
    shape.field.editingFinished.emit()
    assert window.document.node("in1").params["shape"] == [16, 8]
    shape.field.setText("16, eight")
    shape.field.editingFinished.emit()
    assert "whole numbers" in shape.refused()
    window.scene.select_nodes(["lstm1"])
    assert isinstance(editor(window, "bidirectional").field, QCheckBox)
    editor(window, "bidirectional").field.setChecked(True)
    assert window.document.infer().nodes["lstm1"].output.shape == (64,)
    returns = editor(window, "returns").field
    returns.setCurrentText("sequence")
    assert window.document.infer().nodes["drop1"].output.shape == (16, 64)
    window.scene.select_nodes(["drop1"])
    p = editor(window, "p")
    assert isinstance(p.field, QDoubleSpinBox)
    p.field.setValue(1.5)
    assert "'p' must be at most" in p.refused()
    assert window.document.node("drop1").params["p"] == 0.5


def test_the_network_page_lists_problems_and_a_click_selects_the_node(window, tmp_path):
    doc = lenet()
    doc.disconnect("pool1", "flat1")
    open_doc(window, doc, tmp_path)
    page = window.inspector.document_page
    assert window.inspector.stack.currentWidget() is page
    assert "6 layers" in page.totals.text()
    assert page.errors.count() == 1
    item = page.errors.item(0)
    assert "'flat1'" in item.text()
    page.errors.itemClicked.emit(item)
    assert window.scene.selected_node_ids() == ["flat1"]
    assert window.inspector.node_page.node_id == "flat1"
    assert window.inspector.node_page.message.isVisibleTo(window.inspector)


def test_renaming_the_network_is_undoable_and_shows_in_the_title(window):
    page = window.inspector.document_page
    page.name_edit.setText("My net")
    page.name_edit.editingFinished.emit()
    assert window.document.name == "My net"
    assert window.windowTitle() == "My net* — Neural Network Explorer"
    window.undo()
    assert window.document.name == "Untitled"
    assert window.windowTitle() == "Untitled — Neural Network Explorer"


def test_nothing_selected_shows_the_network_and_one_node_its_page(window, tmp_path):
    open_doc(window, lenet(), tmp_path)
    inspector = window.inspector
    window.scene.select_nodes(["fc1"])
    assert inspector.node_page is not None and inspector.node_page.title.text().endswith("Linear")
    assert inspector.node_page.count_label.text() == "11,770"
    window.scene.select_nodes(["fc1", "conv1"])
    assert inspector.stack.currentWidget() is inspector.document_page
    assert "2 layers selected" in inspector.document_page.selection_note.text()
    window.scene.clearSelection()
    assert inspector.stack.currentWidget() is inspector.document_page
