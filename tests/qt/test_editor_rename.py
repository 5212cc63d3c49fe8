"""Renaming a layer from the inspector's id field: one undo step that the canvas and panels follow."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit

from explorer.graph import Edge, fileformat

from .editor_helpers import lenet, open_doc, view_point

PRESETS = Path(__file__).resolve().parents[2] / "presets"


def click_node(window, node_id: str) -> None:
    """Click the card's body, away from its ports, as a student selecting it would."""
    item = window.scene.nodes[node_id]
    QTest.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     view_point(window, item.scenePos() + QPointF(40, 10)))


def id_edit(window) -> QLineEdit:
    found = window.inspector.findChild(QLineEdit, "nodeId")
    assert found is not None and found.isVisibleTo(window.inspector), "no id field shown"
    return found


def type_id(window, text: str) -> None:
    """Click into the id field, replace its text by typing, and press Return."""
    edit = id_edit(window)
    QTest.mouseClick(edit, Qt.MouseButton.LeftButton)
    edit.selectAll()
    QTest.keyClicks(edit, text)
    QTest.keyClick(edit, Qt.Key.Key_Return)


def test_renaming_in_the_inspector_renames_the_node_its_wires_and_item(window, tmp_path):
    open_doc(window, lenet(), tmp_path)
    doc, scene = window.document, window.scene
    before = fileformat.to_dict(doc)
    click_node(window, "conv1")
    item = scene.nodes["conv1"]
    assert scene.selected_node_ids() == ["conv1"] and id_edit(window).text() == "conv1"
    type_id(window, "features")
    assert [n.id for n in doc.nodes()] == ["in1", "features", "relu1", "pool1", "flat1", "fc1"]
    assert doc.inputs_of("features") == [Edge("in1", "features", 0)]
    assert doc.outputs_of("features") == [Edge("features", "relu1", 0)]
    assert scene.nodes["features"] is item and "conv1" not in scene.nodes and item.node_id == "features"
    assert list(scene.nodes) == [n.id for n in doc.nodes()]
    assert set(scene.edges) == {(e.src, e.dst) for e in doc.edges()}
    assert scene.edges[("features", "relu1")].edge == Edge("features", "relu1", 0)
    assert scene.edges[("features", "relu1")].label == "[6, 28, 28]"
    assert scene.selected_node_ids() == ["features"]
    page = window.inspector.node_page
    assert page.node_id == "features" and "'features'" in page.subtitle.text()
    assert page.output_label.text() == "[6, 28, 28]"
    assert window.undo_stack.count() == 1 and window.undo_stack.undoText() == "Rename 'conv1' to 'features'"
    assert "Renamed 'conv1' to 'features'" in window.statusBar().currentMessage()
    # the page's editors now edit the renamed node
    page.editors["out_channels"].field.setValue(8)
    assert doc.node("features").params["out_channels"] == 8
    window.undo()
    window.undo()
    assert fileformat.to_dict(doc) == before
    assert scene.nodes["conv1"] is item and item.node_id == "conv1" and set(scene.edges) == {
        (e.src, e.dst) for e in doc.edges()}
    assert window.inspector.node_page is page and id_edit(window).text() == "conv1"
    window.redo()
    assert doc.has_node("features") and id_edit(window).text() == "features"
    assert scene.nodes["features"].node_id == "features"


def test_a_refused_id_is_explained_at_the_field_and_the_old_one_kept(window, tmp_path):
    open_doc(window, lenet(), tmp_path)
    doc = window.document
    before = fileformat.to_dict(doc)
    click_node(window, "relu1")
    field = window.inspector.node_page.id_field
    for bad, words in [("pool1", "'pool1' already exists"), ("2relu", "must start with a letter"),
                       ("my relu", "only letters, digits"), ("forward", "reserved by PyTorch")]:
        type_id(window, bad)
        assert words in field.refused(), field.refused()
        assert field.refusal.isVisibleTo(window.inspector) and field.frame.property("refused")
        assert words in window.statusBar().currentMessage()
        assert fileformat.to_dict(doc) == before and window.undo_stack.count() == 0
        assert window.scene.nodes["relu1"].node_id == "relu1"
    type_id(window, "relu1")  # back to its own id: accepted, nothing to do
    assert field.refused() is None and not field.frame.property("refused") and window.undo_stack.count() == 0
    type_id(window, "act_1-b")
    assert doc.has_node("act_1-b") and field.refused() is None


def test_the_id_field_is_read_only_while_training(window, tmp_path):
    open_doc(window, lenet(), tmp_path)
    click_node(window, "fc1")
    window.set_editing_locked(True)
    assert id_edit(window).isReadOnly()
    assert not window.editor.rename_node("fc1", "head") and window.document.has_node("fc1")
    window.set_editing_locked(False)
    assert not id_edit(window).isReadOnly()


def test_the_training_panel_follows_a_rename(window, qtbot):
    from explorer.qt.training import attach
    from explorer.qt.training.panel import TrainingPanel
    panel = window.findChild(TrainingPanel, "trainingPanel") or attach(window)
    assert window.open_document(PRESETS / "cnn-digits.json", as_copy=True)
    assert panel.feature_view.shown_node == "conv1"
    click_node(window, "conv1")
    type_id(window, "edges")
    combo = panel.feature_view.node_combo
    names = [combo.itemData(i) for i in range(combo.count())]
    assert "edges" in names and "conv1" not in names
    assert panel.feature_view.shown_node == "edges"
    assert panel.shutdown()
