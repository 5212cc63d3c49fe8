"""The document: validated edits, typed refusals and observer events."""

import pytest

from explorer.graph import (CycleError, Document, DuplicateEdgeError, DuplicateIdError, GraphError,
                            MissingNodeError, NoInputPortError, ParamError, SelfLoopError, TooManyInputsError,
                            UnknownKindError)

from .helpers import chain


def test_generated_ids_use_the_kind_prefix_and_first_free_number():
    doc = Document()
    assert doc.add_node("Conv2d").id == "conv1"
    assert doc.add_node("Conv2d").id == "conv2"
    doc.remove_node("conv1")
    assert doc.add_node("Conv2d").id == "conv1"


def test_parameters_are_completed_with_defaults_and_validated():
    doc = Document()
    node = doc.add_node("Conv2d", {"out_channels": 6})
    assert node.params["out_channels"] == 6 and node.params["kernel_size"] == 3
    with pytest.raises(ParamError, match="'kernel_size' must be at least 1, not 0"):
        doc.add_node("Conv2d", {"kernel_size": 0})
    with pytest.raises(ParamError, match="must be a whole number"):
        doc.set_param("conv1", "out_channels", "six")
    with pytest.raises(ParamError, match="has no parameter 'channels'"):
        doc.add_node("Conv2d", {"channels": 3})
    assert doc.node("conv1").params["out_channels"] == 6


def test_unknown_kind_suggests_the_right_spelling():
    with pytest.raises(UnknownKindError, match="did you mean Conv2d"):
        Document().add_node("conv2d")


def test_duplicate_and_invalid_ids_are_refused():
    doc = Document()
    doc.add_node("ReLU", node_id="a")
    with pytest.raises(DuplicateIdError, match="'a' already exists"):
        doc.add_node("ReLU", node_id="a")
    with pytest.raises(GraphError, match="must start with a letter"):
        doc.add_node("ReLU", node_id="1x")
    with pytest.raises(GraphError, match="reserved by PyTorch"):
        doc.add_node("ReLU", node_id="eval")


def test_cycles_overfilled_inputs_duplicates_and_self_loops_are_refused():
    doc = chain(("in", "Input"), ("a", "ReLU"), ("b", "ReLU"))
    with pytest.raises(CycleError, match="would make a loop"):
        doc.connect("b", "a")
    with pytest.raises(TooManyInputsError, match="takes one input and already has one"):
        doc.connect("in", "b")
    with pytest.raises(DuplicateEdgeError, match="already wired"):
        doc.connect("a", "b")
    with pytest.raises(SelfLoopError):
        doc.connect("a", "a")
    with pytest.raises(NoInputPortError, match="takes no inputs"):
        doc.connect("a", "in")
    with pytest.raises(MissingNodeError, match="no node 'zz'"):
        doc.connect("a", "zz")
    assert len(doc.edges()) == 2
    assert isinstance(doc.can_connect("b", "a"), CycleError)
    assert doc.can_connect("in", "a") is not None


def test_multi_input_layers_take_free_ports_in_order():
    doc = chain(("in", "Input", {"shape": [4]}), ("a", "ReLU"))
    doc.add_node("Concat", node_id="cat")
    doc.add_node("Tanh", node_id="t")
    doc.connect("in", "t")
    assert doc.connect("a", "cat").port == 0
    assert doc.connect("t", "cat").port == 1
    doc.disconnect("a", "cat")
    assert doc.connect("a", "cat").port == 0
    with pytest.raises(TooManyInputsError, match="already wired"):
        doc.connect("in", "cat", port=1)


def test_observers_hear_every_edit_in_order():
    doc = Document()
    heard = []
    for name in ("node_added", "node_removed", "node_changed", "node_moved", "edge_added", "edge_removed"):
        getattr(doc, name).connect(lambda *args, name=name: heard.append((name, *args)))
    doc.add_node("Input", node_id="in")
    doc.add_node("ReLU", node_id="r")
    edge = doc.connect("in", "r")
    doc.set_param("in", "shape", [3, 8, 8])
    doc.set_param("in", "shape", [3, 8, 8])  # unchanged: silent
    doc.move_node("r", (10, 20))
    doc.remove_node("r")
    assert heard == [("node_added", "in"), ("node_added", "r"), ("edge_added", edge), ("node_changed", "in"),
                     ("node_moved", "r"), ("edge_removed", edge), ("node_removed", "r")]


def test_remove_returns_what_undo_needs():
    doc = chain(("in", "Input"), ("a", "ReLU"), ("b", "ReLU"))
    node, edges = doc.remove_node("a")
    assert node.kind == "ReLU" and {(e.src, e.dst) for e in edges} == {("in", "a"), ("a", "b")}


def test_outputs_and_topological_order():
    doc = chain(("in", "Input"), ("a", "ReLU"), ("b", "Tanh"))
    doc.add_node("Input", node_id="z")
    doc.add_node("Sigmoid", node_id="s")
    doc.connect("z", "s")
    assert doc.outputs() == ["b", "s"]
    order = doc.topological_order()
    assert order.index("in") < order.index("a") < order.index("b")
