"""Re-routing a wire by dragging its input end: onto another input, off onto the canvas, or refused."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QToolTip

from explorer.graph import Document, Edge, fileformat
from explorer.qt.editor.scene import LOCKED_REASON

from .editor_helpers import drag_wire, open_doc, view_point


def drag(window, start: QPointF, end: QPointF, steps: int = 6, via: QPointF | None = None) -> None:
    """Press at scene point ``start``, move in steps (through ``via``), release at ``end``: as a mouse would."""
    viewport = window.view.viewport()
    points = [view_point(window, p) for p in (start, via, end) if p is not None]
    assert all(viewport.rect().contains(p) for p in points), "the gesture must be on screen"
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[0])
    for a, b in zip(points, points[1:]):
        for k in range(1, steps + 1):
            QTest.mouseMove(viewport, a + (b - a) * k / steps)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[-1])


def chain_doc() -> Document:
    """in1 → a → b, a spare Sigmoid ``s`` beside b, and an Add fed by in1 above a (for a loop)."""
    doc = Document(name="rewire")
    doc.add_node("Input", {"shape": [8]}, (0, 0), node_id="in1")
    doc.add_node("ReLU", {}, (0, 140), node_id="a")
    doc.add_node("Tanh", {}, (0, 280), node_id="b")
    doc.add_node("Sigmoid", {}, (260, 280), node_id="s")
    doc.connect("in1", "a")
    doc.connect("a", "b")
    return doc


def in_port(window, node_id: str, index: int = 0) -> QPointF:
    return window.scene.nodes[node_id].input_port(index).scenePos()


def test_dragging_a_wired_input_onto_another_input_moves_the_wire(window, tmp_path):
    open_doc(window, chain_doc(), tmp_path)
    doc, scene = window.document, window.scene
    before = fileformat.to_dict(doc)
    drag(window, in_port(window, "b"), in_port(window, "s"))
    assert doc.edge_between("a", "s") == Edge("a", "s", 0) and doc.edge_between("a", "b") is None
    assert ("a", "s") in scene.edges and ("a", "b") not in scene.edges and scene.edges[("a", "s")].isVisible()
    assert scene.nodes["s"].status == "ok" and scene.nodes["b"].status == "error"
    assert not scene.nodes["b"].input_port(0).wired and scene.nodes["s"].input_port(0).wired
    assert window.undo_stack.count() == 1
    assert window.undo_stack.undoText() == "Reconnect 'a' → 'b' to 's'"
    window.undo()
    assert fileformat.to_dict(doc) == before
    assert set(scene.edges) == {("in1", "a"), ("a", "b")} and scene.edges[("a", "b")].isVisible()
    window.redo()
    assert doc.edge_between("a", "s") == Edge("a", "s", 0) and set(scene.edges) == {("in1", "a"), ("a", "s")}


def test_moving_a_wire_between_ports_of_one_layer_keeps_port_numbers_exact(window, tmp_path):
    doc = Document(name="merge")
    doc.add_node("Input", {"shape": [8]}, (0, 0), node_id="x")
    doc.add_node("Input", {"shape": [4]}, (260, 0), node_id="y")
    doc.add_node("Concat", {}, (130, 200), node_id="cat")
    doc.connect("x", "cat")
    doc.connect("y", "cat")
    open_doc(window, doc, tmp_path)
    doc, cat = window.document, window.scene.nodes["cat"]
    before = fileformat.to_dict(doc)
    assert [p.index for p in cat.input_ports] == [0, 1, 2]
    drag(window, in_port(window, "cat", 0), in_port(window, "cat", 2))
    assert doc.inputs_of("cat") == [Edge("y", "cat", 1), Edge("x", "cat", 2)]
    assert window.undo_stack.undoText() == "Reconnect 'x' → 'cat' to input 3 of 'cat'"
    assert window.scene.edges[("x", "cat")].edge == Edge("x", "cat", 2)
    window.undo()
    assert doc.inputs_of("cat") == [Edge("x", "cat", 0), Edge("y", "cat", 1)]
    assert fileformat.to_dict(doc) == before and window.scene.edges[("x", "cat")].edge.port == 0
    window.redo()
    assert doc.edge_between("x", "cat") == Edge("x", "cat", 2)


def test_dropping_a_lifted_wire_on_empty_canvas_disconnects_it(window, tmp_path):
    open_doc(window, chain_doc(), tmp_path)
    doc, scene = window.document, window.scene
    before = fileformat.to_dict(doc)
    empty = QPointF(190, 150)  # right of 'a', above 's'
    assert not window.scene.items(empty)
    # pressing on the wire just above the port (not on the port itself) lifts it too
    drag(window, in_port(window, "b") + QPointF(0, -16), empty)
    assert doc.edge_between("a", "b") is None and ("a", "b") not in scene.edges
    assert window.undo_stack.count() == 1 and window.undo_stack.undoText() == "Disconnect 'a' → 'b'"
    window.undo()
    assert fileformat.to_dict(doc) == before and scene.edges[("a", "b")].isVisible()
    window.redo()
    assert doc.edge_between("a", "b") is None


def test_a_refused_drop_leaves_the_wire_in_place_and_says_why(window, tmp_path):
    doc = chain_doc()
    doc.add_node("Add", {}, (260, 140), node_id="add")
    doc.add_node("Tanh", {}, (260, 420), node_id="t")
    doc.connect("in1", "add")
    doc.connect("add", "s")
    doc.connect("s", "t")
    open_doc(window, doc, tmp_path)
    doc, scene = window.document, window.scene
    before = fileformat.to_dict(doc)
    cases = [
        (in_port(window, "t"), in_port(window, "add", 1), "would make a loop"),            # add feeds s
        (in_port(window, "b"), in_port(window, "s"), "takes one input and already has one (from 'add')"),
        (in_port(window, "a"), in_port(window, "add", 1), "'in1' is already wired to 'add'"),
    ]
    for start, end, words in cases:
        drag(window, start, end)
        message = window.statusBar().currentMessage()
        assert words in message, message
        assert QToolTip.isVisible() and QToolTip.text() == message
        assert fileformat.to_dict(doc) == before and window.undo_stack.count() == 0
        assert all(item.isVisible() for item in scene.edges.values())
        assert all(p.wired == (p.index in {e.port for e in doc.inputs_of(n)})
                   for n, item in scene.nodes.items() for p in item.input_ports)
        assert scene._drag is None
    QToolTip.hideText()


def test_a_click_or_a_drop_back_on_its_port_changes_nothing(window, tmp_path):
    open_doc(window, chain_doc(), tmp_path)
    before = fileformat.to_dict(window.document)
    port = in_port(window, "b")
    drag(window, port, port + QPointF(1, 1), steps=1)  # a click selects the wire, as a click on it does
    assert window.scene.selected_edges() == [Edge("a", "b", 0)]
    drag(window, port, port, via=port + QPointF(200, 60))  # out over the canvas and back
    assert "already" not in window.statusBar().currentMessage()  # not refused as a duplicate of itself
    assert fileformat.to_dict(window.document) == before and window.undo_stack.count() == 0
    assert window.scene.edges[("a", "b")].isVisible() and window.scene.nodes["b"].input_port(0).wired


def test_rewiring_is_refused_while_training_and_new_wires_still_work(window, tmp_path):
    doc = chain_doc()
    doc.disconnect("a", "b")
    doc.connect("a", "s")
    open_doc(window, doc, tmp_path)
    doc = window.document
    before = fileformat.to_dict(doc)
    window.set_editing_locked(True)
    drag(window, in_port(window, "s"), in_port(window, "b"))
    assert window.statusBar().currentMessage() == LOCKED_REASON
    assert fileformat.to_dict(doc) == before
    window.set_editing_locked(False)
    QToolTip.hideText()
    drag_wire(window, window.scene.nodes["a"].output_port, in_port(window, "b"))  # a new wire, from the output
    assert doc.edge_between("a", "b") == Edge("a", "b", 0) and doc.edge_between("a", "s") == Edge("a", "s", 0)
    assert window.undo_stack.undoText() == "Wire 'a' → 'b'"


def test_a_lifted_wire_hides_while_dragged_and_escape_puts_it_back(window, tmp_path):
    open_doc(window, chain_doc(), tmp_path)
    scene, viewport = window.scene, window.view.viewport()
    before = fileformat.to_dict(window.document)
    start = view_point(window, in_port(window, "b"))
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for k in range(1, 5):
        QTest.mouseMove(viewport, start + (view_point(window, in_port(window, "s")) - start) * k / 4)
    assert not scene.edges[("a", "b")].isVisible() and not scene.nodes["b"].input_port(0).wired
    assert scene._drag.draft.state == "good"  # over the Sigmoid's free input
    QTest.keyClick(viewport, Qt.Key.Key_Escape)
    assert scene.edges[("a", "b")].isVisible() and scene.nodes["b"].input_port(0).wired
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       view_point(window, in_port(window, "s")))
    assert fileformat.to_dict(window.document) == before and window.undo_stack.count() == 0
