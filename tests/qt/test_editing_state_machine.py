"""Editing can't corrupt: random sequences of edits through the editor and its undo stack (add, delete,
wire, disconnect, rewire, rename, parameter changes valid and not, copy and paste, duplicate,
layout, move, network name) keep the document valid after every step, its cached shapes equal a
fresh inference, the canvas matching; undoing everything gives back the exact starting document
and redoing everything the end one.

The number of sequences and steps run is printed with the robustness counts.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from PySide6.QtGui import QUndoStack

from explorer.graph import all_kinds, fileformat
from explorer.graph.shapes import infer_shapes
from explorer.qt.editor.controller import GraphEditor
from explorer.qt.editor.scene import GraphScene

from ..graph.mutations import TORCH_NAMES
from .editor_helpers import lenet
from .test_editor_undo_property import assert_canvas_matches

KINDS = [k.name for k in all_kinds()]
PICK = st.integers(0, 10_000)
NAMES = st.one_of(st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True), st.sampled_from(TORCH_NAMES),
                  st.sampled_from(["conv1", "relu1", "in1", "", "1abc", "a b", "x" * 41]))
ANY_VALUE = st.one_of(st.integers(-5, 300), st.floats(-2, 2, allow_nan=False), st.booleans(),
                      st.sampled_from(["relu", "gelu", "last", "all", "tanh", "nearest", "long", "float", None]),
                      st.lists(st.integers(-1, 30), min_size=0, max_size=5))
SHAPES = [[1, 28, 28], [3, 16, 16], [2], [12], [10, 8], [1, 8, 8], [16, 4]]


class Editing(RuleBasedStateMachine):
    """One editing session on a small LeNet: the rules are what a student can do."""

    qapp = None
    tally = None

    def __init__(self) -> None:
        super().__init__()
        self.scene = GraphScene()
        self.stack = QUndoStack()
        self.editor = GraphEditor(self.scene, self.stack)
        self.scene.set_document(lenet())
        self.snapshots = {0: fileformat.to_dict(self.doc)}  # the document at each index of the stack
        Editing.tally("editing sequences", "run")

    @property
    def doc(self):
        return self.scene.document

    def _ids(self) -> list[str]:
        return [n.id for n in self.doc.nodes()]

    def _pick(self, items, k):
        return items[k % len(items)]

    # Rules ----------------------------------------------------------------------------------------

    @rule(kind=st.sampled_from(KINDS), x=st.integers(-500, 1500), y=st.integers(-500, 1500))
    def add(self, kind, x, y):
        self.editor.add_node(kind, (float(x), float(y)))

    @precondition(lambda self: len(self.doc) > 0)
    @rule(kind=st.sampled_from(KINDS))
    def add_after(self, kind):
        from PySide6.QtCore import QPointF

        self.editor.add_after_selection(kind, QPointF(100.0, 100.0))

    @precondition(lambda self: len(self.doc) > 0)
    @rule(a=PICK, b=PICK, wire=PICK, with_wire=st.booleans())
    def delete(self, a, b, wire, with_wire):
        ids = self._ids()
        self.scene.select_nodes(sorted({self._pick(ids, a), self._pick(ids, b)}))
        edges = self.doc.edges()
        if with_wire and edges:
            edge = self._pick(edges, wire)
            self.scene.edges[(edge.src, edge.dst)].setSelected(True)
        self.editor.delete_selection()

    @precondition(lambda self: len(self.doc) > 1)
    @rule(a=PICK, b=PICK, port=st.one_of(st.none(), st.integers(0, 3)))
    def wire(self, a, b, port):
        ids = self._ids()
        src, dst = self._pick(ids, a), self._pick(ids, b)
        allowed = self.doc.can_connect(src, dst, port) is None
        assert self.editor.connect_nodes(src, dst, port) == allowed

    @precondition(lambda self: len(self.doc.edges()) > 0)
    @rule(e=PICK)
    def disconnect(self, e):
        assert self.editor.disconnect_edge(self._pick(self.doc.edges(), e))

    @precondition(lambda self: len(self.doc.edges()) > 0)
    @rule(e=PICK, b=PICK, port=st.one_of(st.none(), st.integers(0, 3)))
    def rewire(self, e, b, port):
        edge = self._pick(self.doc.edges(), e)
        self.editor.reconnect(edge, self._pick(self._ids(), b), port)

    @precondition(lambda self: len(self.doc) > 0)
    @rule(a=PICK, new=NAMES)
    def rename(self, a, new):
        old = self._pick(self._ids(), a)
        before = self.stack.index()
        done = self.editor.rename_node(old, new)
        assert done == (self.stack.index() == before + 1)
        assert self.doc.has_node(new if done else old)

    @precondition(lambda self: len(self.doc) > 0)
    @rule(a=PICK, p=PICK, value=ANY_VALUE, shape=st.sampled_from(SHAPES))
    def set_param(self, a, p, value, shape):
        node = self.doc.node(self._pick(self._ids(), a))
        params = node.layer.params
        if not params:
            return
        param = self._pick(params, p)
        if param.type == "shape" and node.kind == "Input":
            value = shape
        elif param.type == "int" and isinstance(value, int) and param.max is not None:
            value = min(value, int(param.max))
        before = (self.stack.index(), self.stack.count())
        old = dict(node.params)
        done = self.editor.set_param(node.id, param.name, value)
        if not done:
            assert (self.stack.index(), self.stack.count()) == before and self.doc.node(node.id).params == old

    @precondition(lambda self: len(self.doc) > 0)
    @rule(a=PICK, n=st.integers(1, 3))
    def copy_paste(self, a, n):
        ids = self._ids()
        start = a % len(ids)
        self.scene.select_nodes(ids[start:start + n])
        assert self.editor.copy_selection()
        self.editor.paste()

    @precondition(lambda self: len(self.doc) > 0)
    @rule(a=PICK)
    def duplicate(self, a):
        self.scene.select_nodes([self._pick(self._ids(), a)])
        self.editor.duplicate()

    @rule()
    def layout(self):
        self.editor.auto_layout()

    @precondition(lambda self: len(self.doc) > 0)
    @rule(a=PICK, x=st.integers(-900, 900), y=st.integers(-900, 900))
    def move(self, a, x, y):
        node = self.doc.node(self._pick(self._ids(), a))
        self.editor.move_nodes({node.id: (node.pos, (float(x), float(y)))})

    @rule(name=st.text(max_size=12))
    def rename_network(self, name):
        self.editor.set_meta(name, None)

    @precondition(lambda self: self.stack.canUndo())
    @rule()
    def undo_one(self):
        self.stack.undo()
        assert fileformat.to_dict(self.doc) == self.snapshots[self.stack.index()]

    @precondition(lambda self: self.stack.canRedo())
    @rule()
    def redo_one(self):
        self.stack.redo()
        assert fileformat.to_dict(self.doc) == self.snapshots[self.stack.index()]

    # After every step -----------------------------------------------------------------------------

    @invariant()
    def document_is_valid_and_shapes_are_fresh(self):
        Editing.tally("editing steps", "checked")
        data = fileformat.to_dict(self.doc)
        self.snapshots[self.stack.index()] = data
        again = fileformat.from_dict(data, "the edited network")  # valid: the reader takes it back
        if not data["name"]:
            again.name = ""  # the reader names an unnamed network after its file
        assert fileformat.to_dict(again) == data
        cached, fresh = self.doc.infer(), infer_shapes(again)
        assert cached.nodes == fresh.nodes
        assert [(e.node_id, e.message) for e in cached.errors] == [(e.node_id, e.message) for e in fresh.errors]
        assert_canvas_matches(self.scene)

    def teardown(self):
        # Undo everything, step by step, through every earlier document; then redo everything.
        count = self.stack.count()
        while self.stack.canUndo():
            self.stack.undo()
            assert fileformat.to_dict(self.doc) == self.snapshots[self.stack.index()]
        assert_canvas_matches(self.scene)
        while self.stack.canRedo():
            self.stack.redo()
            if self.stack.index() in self.snapshots:
                assert fileformat.to_dict(self.doc) == self.snapshots[self.stack.index()]
        assert self.stack.index() == count
        assert_canvas_matches(self.scene)
        self.scene.clear()


def test_random_editing_sessions_never_corrupt_the_document(qapp, tally):
    Editing.qapp, Editing.tally = qapp, tally
    run_state_machine_as_test(Editing, settings=settings(
        max_examples=40, stateful_step_count=30, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
