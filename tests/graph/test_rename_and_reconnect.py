"""Renaming a node and moving a wire's input end: validated, order-keeping, observable."""

import pytest

from explorer.graph import (CycleError, Document, DuplicateEdgeError, DuplicateIdError, Edge, InvalidIdError,
                            MissingNodeError, SelfLoopError, TooManyInputsError, fileformat)

from .helpers import chain


def recorder(doc: Document) -> list[tuple]:
    """Every event ``doc`` emits, in order, as (name, *args)."""
    events: list[tuple] = []
    for name in ("node_added", "node_removed", "node_renamed", "edge_added", "edge_removed", "changed"):
        getattr(doc, name).connect(lambda *args, name=name: events.append((name, *args)))
    return events


def test_a_rename_keeps_the_node_its_wires_and_its_place_in_the_file():
    doc = chain(("in", "Input", {"shape": [4]}), ("a", "ReLU"), ("b", "Tanh"))
    before = fileformat.to_dict(doc)
    events = recorder(doc)
    node = doc.rename_node("a", "hidden")
    assert node.id == "hidden" and doc.node("hidden") is node and not doc.has_node("a")
    assert [n.id for n in doc.nodes()] == ["in", "hidden", "b"]
    assert set(doc.edges()) == {Edge("in", "hidden", 0), Edge("hidden", "b", 0)}
    assert doc.inputs_of("b") == [Edge("hidden", "b", 0)] and doc.outputs_of("in") == [Edge("in", "hidden", 0)]
    assert doc.infer().nodes["b"].output.shape == (4,) and "a" not in doc.infer().nodes
    assert events == [("node_renamed", "a", "hidden"), ("changed",)]
    doc.rename_node("hidden", "a")
    assert fileformat.to_dict(doc) == before


def test_a_rename_to_the_same_id_emits_nothing():
    doc = chain(("a", "ReLU"))
    events = recorder(doc)
    doc.rename_node("a", "a")
    assert events == []


@pytest.mark.parametrize("bad, error, words", [
    ("b", DuplicateIdError, "'b' already exists"),
    ("1x", InvalidIdError, "must start with a letter"),
    ("has space", InvalidIdError, "only letters, digits"),
    ("", InvalidIdError, "must start with a letter"),
    ("x" * 41, InvalidIdError, "at most 40"),
    ("eval", InvalidIdError, "reserved by PyTorch"),
])
def test_a_refused_rename_changes_nothing_and_says_why(bad, error, words):
    doc = chain(("a", "ReLU"), ("b", "ReLU"))
    before = fileformat.to_dict(doc)
    events = recorder(doc)
    with pytest.raises(error, match=words):
        doc.rename_node("a", bad)
    assert fileformat.to_dict(doc) == before and events == []
    with pytest.raises(MissingNodeError):
        doc.rename_node("zz", "y")


def test_the_file_reader_and_rename_accept_the_same_ids():
    doc = chain(("a", "ReLU"))
    doc.rename_node("a", "_x-1")
    assert fileformat.loads(fileformat.dumps(doc)).has_node("_x-1")


def test_reconnect_moves_the_input_end_in_one_change():
    doc = chain(("in", "Input", {"shape": [4]}), ("a", "ReLU"), ("b", "ReLU"))
    doc.add_node("Concat", node_id="cat")
    doc.connect("b", "cat")
    doc.connect("in", "cat")
    events = recorder(doc)
    moved = doc.reconnect(Edge("a", "b", 0), "cat", 2)
    assert moved == Edge("a", "cat", 2) and doc.edge_between("a", "b") is None
    assert events == [("edge_removed", Edge("a", "b", 0)), ("edge_added", moved), ("changed",)]
    # along the same node to another port: the wire's own port counts as free
    assert doc.reconnect(Edge("in", "cat", 1), "cat", 3) == Edge("in", "cat", 3)
    assert doc.reconnect(Edge("in", "cat", 3), "cat", None) == Edge("in", "cat", 1)


def test_a_refused_reconnect_leaves_the_wire_in_place():
    doc = chain(("in", "Input", {"shape": [4]}), ("a", "ReLU"), ("b", "ReLU"), ("c", "ReLU"))
    before = fileformat.to_dict(doc)
    events = recorder(doc)
    with pytest.raises(TooManyInputsError, match="takes one input and already has one \\(from 'b'\\)"):
        doc.reconnect(Edge("a", "b", 0), "c")
    with pytest.raises(CycleError, match="would make a loop"):
        doc.reconnect(Edge("b", "c", 0), "a")
    with pytest.raises(SelfLoopError):
        doc.reconnect(Edge("a", "b", 0), "a")
    assert events == [] and fileformat.to_dict(doc) == before
    doc.disconnect("b", "c")
    doc.add_node("Add", node_id="add")
    doc.connect("a", "add")
    with pytest.raises(DuplicateEdgeError, match="already wired"):
        doc.reconnect(Edge("a", "b", 0), "add")
    with pytest.raises(MissingNodeError):
        doc.reconnect(Edge("a", "b", 1), "c")  # not the wire the document holds
    doc.connect("b", "c")
    doc.remove_node("add")
    assert fileformat.to_dict(doc) == before
    # onto the same port it is in: nothing changes
    assert doc.reconnect(Edge("a", "b", 0), "b") == Edge("a", "b", 0)
