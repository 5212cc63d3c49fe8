"""The canvas: drops from the palette, wiring by mouse, refusals, labels, delete/undo/redo."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF
from PySide6.QtWidgets import QToolTip

from explorer.graph import fileformat

from .editor_helpers import drag_wire, drop_kind, lenet, open_doc


def test_a_palette_kind_dropped_on_the_canvas_becomes_a_node_at_the_drop_point(window):
    point = QPoint(300, 200)
    assert drop_kind(window, "Conv2d", point)
    doc = window.document
    assert [n.kind for n in doc.nodes()] == ["Conv2d"]
    node = doc.nodes()[0]
    expected = window.view.mapToScene(point)
    assert abs(node.pos[0] - expected.x()) < 0.1 and abs(node.pos[1] - expected.y()) < 0.1
    item = window.scene.nodes[node.id]
    assert item.pos() == QPointF(*node.pos)
    assert window.undo_stack.undoText() == f"Add Conv2d '{node.id}'"


def test_wiring_two_ports_by_mouse_creates_an_edge(window, tmp_path):
    doc = lenet()
    doc.disconnect("conv1", "relu1")
    open_doc(window, doc, tmp_path)
    scene = window.scene
    assert scene.nodes["relu1"].status == "error"
    drag_wire(window, scene.nodes["conv1"].output_port, scene.nodes["relu1"].input_ports[0].scenePos())
    assert ("conv1", "relu1") in {(e.src, e.dst) for e in window.document.edges()}
    assert ("conv1", "relu1") in scene.edges
    assert scene.edges[("conv1", "relu1")].label == "[6, 28, 28]"
    assert scene.nodes["relu1"].status == "ok"
    assert window.undo_stack.undoText() == "Wire 'conv1' → 'relu1'"


def test_an_impossible_wire_is_refused_with_its_reason(window, tmp_path):
    open_doc(window, lenet(), tmp_path)
    before = fileformat.to_dict(window.document)
    scene = window.scene
    # fc1 already feeds nothing, but relu1 → conv1 would close a loop
    drag_wire(window, scene.nodes["relu1"].output_port, scene.nodes["conv1"].input_ports[0].scenePos())
    message = window.statusBar().currentMessage()
    assert "would make a loop" in message and "'conv1'" in message
    assert QToolTip.isVisible() and QToolTip.text() == message  # and at the pointer
    assert fileformat.to_dict(window.document) == before
    # a second wire into a one-input layer
    drag_wire(window, scene.nodes["in1"].output_port, scene.nodes["pool1"].input_ports[0].scenePos())
    assert "takes one input and already has one" in window.statusBar().currentMessage()
    assert fileformat.to_dict(window.document) == before
    assert window.undo_stack.count() == 0
    QToolTip.hideText()


def test_delete_then_undo_then_redo_restores_exactly(window, tmp_path, qtbot):
    open_doc(window, lenet(), tmp_path)
    doc = window.document
    original = fileformat.to_dict(doc)
    window.scene.select_nodes(["conv1", "pool1"])
    window.scene.edges[("flat1", "fc1")].setSelected(True)
    window.menu_actions.delete.trigger()
    assert not doc.has_node("conv1") and not doc.has_node("pool1")
    assert ("flat1", "fc1") not in window.scene.edges
    assert window.undo_stack.undoText() == "Delete 2 layers and 'flat1→fc1'"
    assert "conv1" not in window.scene.nodes
    deleted = fileformat.to_dict(doc)
    window.menu_actions.undo.trigger()
    assert fileformat.to_dict(doc) == original
    assert set(window.scene.nodes) == {n.id for n in doc.nodes()}
    assert set(window.scene.edges) == {(e.src, e.dst) for e in doc.edges()}
    assert window.scene.nodes["relu1"].status == "ok"
    window.menu_actions.redo.trigger()
    assert fileformat.to_dict(doc) == deleted
    window.menu_actions.undo.trigger()
    assert fileformat.to_dict(doc) == original


def test_delete_and_backspace_keys_delete_on_the_canvas(window, tmp_path, qtbot):
    from PySide6.QtCore import Qt
    open_doc(window, lenet(), tmp_path)
    window.view.setFocus()
    window.scene.select_nodes(["relu1"])
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert not window.document.has_node("relu1")
    window.scene.select_nodes(["pool1"])
    qtbot.keyClick(window.view, Qt.Key.Key_Backspace)
    assert not window.document.has_node("pool1")
    assert window.scene.nodes["flat1"].status == "error"


def test_moving_nodes_by_mouse_is_one_undoable_step(window, tmp_path):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    open_doc(window, lenet(), tmp_path)
    doc = window.document
    item = window.scene.nodes["relu1"]
    before = doc.node("relu1").pos
    viewport = window.view.viewport()
    start = window.view.mapFromScene(item.scenePos() + QPointF(40, 10))  # on the body, away from ports
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for k in range(1, 8):
        QTest.mouseMove(viewport, start + QPoint(15 * k, 5 * k))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start + QPoint(105, 35))
    after = doc.node("relu1").pos
    assert after != before
    assert window.undo_stack.count() == 1 and window.undo_stack.undoText() == "Move 'relu1'"
    edge = window.scene.edges[("conv1", "relu1")]
    assert edge.boundingRect().contains(edge.mapFromScene(item.input_anchor(0)))
    window.undo()
    assert doc.node("relu1").pos == before
    assert item.pos() == QPointF(*before)


def test_labels_show_shapes_counts_errors_and_waiting(window, tmp_path):
    doc = lenet()
    doc.set_param("conv1", "kernel_size", 31)  # 31x31 filter on a 28x28 image with padding 2 still fits
    doc.set_param("conv1", "padding", 0)       # now it does not
    open_doc(window, doc, tmp_path)
    scene = window.scene
    conv = scene.nodes["conv1"]
    assert conv.status == "error"
    assert "filter is larger" in conv.tooltip_html()
    assert conv.line_text.startswith("⚠")
    assert scene.nodes["relu1"].status == "waiting" and scene.nodes["relu1"].opacity() < 1
    assert scene.edges[("conv1", "relu1")].label == ""
    assert scene.edges[("in1", "conv1")].label == "[1, 28, 28]"
    window.editor.set_param("conv1", "padding", 2)
    window.editor.set_param("conv1", "kernel_size", 5)
    assert conv.status == "ok" and conv.line_text == "[6, 28, 28]"
    assert scene.nodes["fc1"].line_text == "[10]"
    assert "11,770 trainable parameters" in scene.nodes["fc1"].tooltip_html()
    assert scene.nodes["relu1"].opacity() == 1


def test_multi_input_layers_show_a_free_port_and_wire_in_order(window, tmp_path):
    from explorer.graph import Document
    doc = Document(name="merge")
    doc.add_node("Input", {"shape": [8]}, (0, 0), node_id="a")
    doc.add_node("Input", {"shape": [4]}, (230, 0), node_id="b")
    doc.add_node("Concat", {}, (115, 160), node_id="cat")
    open_doc(window, doc, tmp_path)
    cat = window.scene.nodes["cat"]
    assert [p.index for p in cat.input_ports] == [0]
    drag_wire(window, window.scene.nodes["b"].output_port, cat.input_ports[0].scenePos())
    assert [p.index for p in cat.input_ports] == [0, 1]
    drag_wire(window, window.scene.nodes["a"].output_port, cat.input_ports[1].scenePos())
    assert [(e.src, e.port) for e in window.document.inputs_of("cat")] == [("b", 0), ("a", 1)]
    assert cat.line_text == "[12]" and len(cat.input_ports) == 3
    # dropping on a wired port is refused with the document's reason
    drag_wire(window, window.scene.nodes["a"].output_port, cat.input_ports[0].scenePos())
    assert "already wired" in window.statusBar().currentMessage()


def test_copy_paste_and_duplicate_add_fresh_layers_with_their_inner_wires(window, tmp_path):
    open_doc(window, lenet(), tmp_path)
    doc = window.document
    window.scene.select_nodes(["conv1", "relu1"])
    window.menu_actions.copy.trigger()
    window.menu_actions.paste.trigger()
    assert len(doc) == 8
    assert window.scene.selected_node_ids() == ["conv2", "relu2"]
    assert [(e.src, e.dst) for e in doc.inputs_of("relu2")] == [("conv2", "relu2")]
    assert doc.inputs_of("conv2") == []
    assert window.undo_stack.undoText() == "Paste 2 layers"
    window.menu_actions.duplicate.trigger()
    assert len(doc) == 10 and window.undo_stack.undoText() == "Duplicate 2 layers"
    window.undo()
    window.undo()
    assert len(doc) == 6 and set(window.scene.nodes) == {n.id for n in doc.nodes()}


def test_auto_layout_is_undoable(window, tmp_path):
    doc = lenet()
    doc.move_node("relu1", (900, -300))
    open_doc(window, doc, tmp_path)
    before = fileformat.to_dict(window.document)
    window.menu_actions.layout.trigger()
    assert window.document.node("relu1").pos == (0.0, 240.0)
    assert window.scene.nodes["relu1"].pos() == QPointF(0, 240)
    assert window.undo_stack.undoText() == "Auto-layout"
    window.undo()
    assert fileformat.to_dict(window.document) == before


def test_palette_double_click_adds_after_the_selected_node_and_wires_it(window, tmp_path):
    open_doc(window, lenet(), tmp_path)
    palette = window.findChild(type(window.palette), "layerPalette")
    window.scene.select_nodes(["fc1"])
    palette.tree.itemActivated.emit(palette.item_for("Softmax"), 0)
    doc = window.document
    assert doc.has_node("softmax1")
    assert [(e.src, e.dst) for e in doc.inputs_of("softmax1")] == [("fc1", "softmax1")]
    assert doc.node("softmax1").pos[1] == doc.node("fc1").pos[1] + 120
    assert window.scene.selected_node_ids() == ["softmax1"]
    assert window.undo_stack.undoText() == "Add Softmax 'softmax1' after 'fc1'"
    window.undo()
    assert not doc.has_node("softmax1") and len(doc.edges()) == 5


def test_zoom_fit_and_pan(window, tmp_path, qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    open_doc(window, lenet(), tmp_path)
    view = window.view
    view.reset_zoom()
    window.menu_actions.zoom_in.trigger()
    assert abs(view.zoom() - 1.2) < 1e-6
    window.menu_actions.zoom_out.trigger()
    assert abs(view.zoom() - 1.0) < 1e-6
    window.menu_actions.fit.trigger()
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(window.scene.nodes_rect())
    centre = view.visible_centre()
    viewport = view.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, QPoint(400, 400))
    QTest.mouseMove(viewport, QPoint(300, 350))
    QTest.mouseRelease(viewport, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, QPoint(300, 350))
    moved = view.visible_centre()
    assert moved.x() > centre.x() and moved.y() > centre.y()


def test_right_click_selects_the_node_and_offers_the_edit_actions(window, tmp_path):
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtWidgets import QApplication, QMenu
    open_doc(window, lenet(), tmp_path)
    item = window.scene.nodes["pool1"]
    pos = window.view.mapFromScene(item.scenePos() + QPointF(30, 0))
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, window.view.viewport().mapToGlobal(pos))
    QApplication.sendEvent(window.view.viewport(), event)
    assert window.scene.selected_node_ids() == ["pool1"]
    menu = window.findChild(QMenu, "canvasMenu")
    assert menu is not None and menu.isVisible()
    assert window.menu_actions.delete in menu.actions()
    window.menu_actions.delete.trigger()
    menu.close()
    assert not window.document.has_node("pool1")


def test_space_and_drag_pans_without_selecting(window, tmp_path, qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    open_doc(window, lenet(), tmp_path)
    view = window.view
    view.setFocus()
    centre = view.visible_centre()
    viewport = view.viewport()
    qtbot.keyPress(view, Qt.Key.Key_Space)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(500, 300))
    QTest.mouseMove(viewport, QPoint(560, 380))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(560, 380))
    qtbot.keyRelease(view, Qt.Key.Key_Space)
    moved = view.visible_centre()
    assert moved.x() < centre.x() and moved.y() < centre.y()
    assert window.scene.selected_node_ids() == [] and window.undo_stack.count() == 0
