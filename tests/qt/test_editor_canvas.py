"""The canvas: drops from the palette, wiring by mouse, refusals, labels, delete/undo/redo."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF

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
    assert fileformat.to_dict(window.document) == before
    # a second wire into a one-input layer
    drag_wire(window, scene.nodes["in1"].output_port, scene.nodes["pool1"].input_ports[0].scenePos())
    assert "takes one input and already has one" in window.statusBar().currentMessage()
    assert fileformat.to_dict(window.document) == before
    assert window.undo_stack.count() == 0
