"""Any sequence of edits, undone step by step, passes back through every earlier document exactly,
and redone, arrives at the last one; the canvas matches the document at every step."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtGui import QUndoStack

from explorer.graph import fileformat
from explorer.qt.editor.controller import GraphEditor
from explorer.qt.editor.scene import GraphScene

from .editor_helpers import lenet

KINDS = ["Conv2d", "ReLU", "Linear", "Add", "Concat", "Flatten", "MaxPool2d", "Input"]
OPS = ["add", "wire", "delete", "param", "move", "duplicate", "layout"]

edit = st.tuples(st.sampled_from(OPS), st.integers(0, 1_000), st.integers(0, 1_000), st.integers(0, 1_000))


def apply(editor: GraphEditor, op: str, a: int, b: int, c: int) -> None:
    doc = editor.doc
    ids = [n.id for n in doc.nodes()]
    scene = editor.scene
    if op == "add":
        editor.add_node(KINDS[a % len(KINDS)], (float(b % 900), float(c % 900)))
    elif op == "wire" and len(ids) >= 2:
        src, dst = ids[a % len(ids)], ids[b % len(ids)]
        if doc.can_connect(src, dst) is None:
            editor.connect_nodes(src, dst, doc.check_connect(src, dst))
    elif op == "delete" and ids:
        chosen = [ids[a % len(ids)]] + ([ids[b % len(ids)]] if c % 2 else [])
        scene.select_nodes(chosen)
        edges = doc.edges()
        if edges and c % 3 == 0:
            scene.edges[(edges[c % len(edges)].src, edges[c % len(edges)].dst)].setSelected(True)
        editor.delete_selection()
    elif op == "param" and ids:
        node = doc.node(ids[a % len(ids)])
        ints = [p for p in node.layer.params if p.type == "int"]
        if ints:
            p = ints[b % len(ints)]
            low, high = int(p.min if p.min is not None else 0), int(min(p.max if p.max is not None else 64, 64))
            editor.set_param(node.id, p.name, low + c % (high - low + 1))
    elif op == "move" and ids:
        node = doc.node(ids[a % len(ids)])
        editor.move_nodes({node.id: (node.pos, (float(b), float(c)))})
    elif op == "duplicate" and ids:
        scene.select_nodes(ids[a % len(ids):a % len(ids) + 1 + b % 3])
        editor.duplicate()
    elif op == "layout":
        editor.auto_layout()


def assert_canvas_matches(scene: GraphScene) -> None:
    doc = scene.document
    report = doc.infer()
    assert set(scene.nodes) == {n.id for n in doc.nodes()}
    assert set(scene.edges) == {(e.src, e.dst) for e in doc.edges()}
    for node in doc.nodes():
        item = scene.nodes[node.id]
        assert item.info == report.nodes[node.id]
        assert (item.pos().x(), item.pos().y()) == node.pos
        wired = {e.port for e in doc.inputs_of(node.id)}
        assert wired <= {p.index for p in item.input_ports}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(edit, min_size=1, max_size=10))
def test_any_edits_undo_and_redo_exactly(qapp, edits):
    scene = GraphScene()
    stack = QUndoStack()
    editor = GraphEditor(scene, stack)
    scene.set_document(lenet())
    snapshots = {0: fileformat.to_dict(scene.document)}
    for op in edits:
        apply(editor, *op)
        snapshots[stack.index()] = fileformat.to_dict(scene.document)
        assert_canvas_matches(scene)
    final = stack.index()
    while stack.canUndo():
        stack.undo()
        assert fileformat.to_dict(scene.document) == snapshots[stack.index()]
        assert_canvas_matches(scene)
    while stack.canRedo():
        stack.redo()
    assert stack.index() == final
    assert fileformat.to_dict(scene.document) == snapshots[final]
    assert_canvas_matches(scene)
    scene.clear()
