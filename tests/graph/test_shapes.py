"""Shape inference on whole graphs: exact shapes and counts, and errors a student can act on."""

from pathlib import Path

import pytest
import torch

from explorer.graph import BuildError, Document, fileformat
from explorer.graph.build import build_module

from .helpers import chain

FIXTURES = Path(__file__).parent / "fixtures"


def _torch_shapes(doc, module, batch=2):
    """Every node's real output shape, captured with forward hooks."""
    shapes = {}
    hooks = [layer.register_forward_hook(lambda m, i, o, nid=nid: shapes.__setitem__(nid, tuple(o.shape[1:])))
             for nid, layer in module.layers.items()]
    inputs = [torch.randn(batch, *doc.infer().nodes[i].output.shape) for i in module.input_ids]
    module.eval()
    with torch.no_grad():
        module(*inputs)
    for h in hooks:
        h.remove()
    return shapes


@pytest.mark.parametrize("name, total", [("lenet5", 61_706), ("residual", 5_322), ("inception", 1_010)])
def test_fixture_graphs_match_torch(name, total):
    doc = fileformat.load(FIXTURES / f"{name}.json")
    report = doc.infer()
    assert report.ok, report.errors
    module = build_module(doc)
    assert report.total_params == total == sum(p.numel() for p in module.parameters())
    real = _torch_shapes(doc, module)
    for node_id, shape in real.items():
        assert report.nodes[node_id].output.shape == shape, node_id
        assert report.nodes[node_id].params == sum(p.numel() for p in module.layers[node_id].parameters())


def test_lenet_shapes_are_the_textbook_ones():
    report = fileformat.load(FIXTURES / "lenet5.json").infer()
    shapes = {n: list(i.output.shape) for n, i in report.nodes.items()}
    assert shapes["c1"] == [6, 28, 28] and shapes["p2"] == [16, 5, 5] and shapes["flat"] == [400]


def test_add_with_different_shapes_names_both():
    doc = chain(("in", "Input", {"shape": [3, 16, 16]}), ("c", "Conv2d", {"out_channels": 16}))
    doc.add_node("Conv2d", {"out_channels": 32, "stride": 4}, node_id="d")
    doc.add_node("Add", node_id="a2")
    doc.add_node("ReLU", node_id="after")
    doc.connect("in", "d")
    doc.connect("c", "a2")
    doc.connect("d", "a2")
    doc.connect("a2", "after")
    report = doc.infer()
    assert report.nodes["a2"].status == "error"
    assert report.nodes["a2"].message == ("Add 'a2' gets [16, 14, 14] and [32, 4, 4]: inputs must have the same "
                                          "shape")
    assert report.nodes["after"].status == "waiting"
    assert [e.node_id for e in report.errors] == ["a2"]


@pytest.mark.parametrize("layers, node, message", [
    ([("in", "Input", {"shape": [1, 4, 4]}), ("c", "Conv2d", {"kernel_size": 7})], "c",
     "Conv2d 'c' gets [1, 4, 4]: its 7×7 filter is larger than the padded 4×4 image"),
    ([("in", "Input", {"shape": [10]}), ("c", "Conv2d")], "c", "Conv2d 'c' needs an image [C, H, W] but gets [10]"),
    ([("in", "Input", {"shape": [10], "dtype": "token ids"}), ("l", "Linear")], "l",
     "Linear 'l' gets integer token ids [10]: put an Embedding first"),
    ([("in", "Input", {"shape": [10]}), ("e", "Embedding")], "e",
     "Embedding 'e' gets float values [10]: it looks up integer token ids, so its Input needs dtype 'token ids'"),
    ([("in", "Input", {"shape": [5, 10]}), ("a", "MultiheadSelfAttention", {"num_heads": 4})], "a",
     "MultiheadSelfAttention 'a' has 4 heads but its input width 10 is not divisible by 4"),
    ([("in", "Input", {"shape": [3, 5]}), ("r", "Reshape", {"shape": [4, 4]})], "r",
     "Reshape 'r' cannot reshape [3, 5] (15 values) to [4, 4] (16 values)"),
    ([("in", "Input", {"shape": [3, 64, 64]}), ("f", "Flatten"), ("l", "Linear", {"out_features": 65536})], "l",
     "Linear 'l' would have 805,371,904 parameters, more than the limit of 50,000,000"),
])
def test_impossible_layers_say_what_is_wrong(layers, node, message):
    report = chain(*layers).infer()
    assert report.nodes[node].status == "error"
    assert report.nodes[node].message.startswith(message)


def test_unconnected_layer_and_short_merge_are_errors():
    doc = chain(("in", "Input"), ("r", "ReLU"))
    doc.add_node("Linear", node_id="lonely")
    doc.add_node("Add", node_id="a")
    doc.connect("r", "a")
    report = doc.infer()
    assert report.nodes["lonely"].message == "Linear 'lonely' is not connected to any Input: wire something into it"
    assert report.nodes["a"].message == "Add 'a' needs at least 2 inputs but has 1"


def test_graph_with_errors_is_never_built():
    doc = chain(("in", "Input", {"shape": [10]}), ("c", "Conv2d"), ("r", "ReLU"))
    with pytest.raises(BuildError, match="needs an image"):
        build_module(doc)


def test_huge_layer_is_refused_without_allocating():
    doc = chain(("in", "Input", {"shape": [100000]}), ("l", "Linear", {"out_features": 60000}))
    with pytest.raises(BuildError, match="more than the limit"):
        build_module(doc)


def test_several_networks_build_by_chosen_output():
    doc = chain(("z", "Input", {"shape": [8]}), ("g", "Linear", {"out_features": 4}))
    doc.add_node("Input", {"shape": [4]}, node_id="x")
    doc.add_node("Linear", {"out_features": 1}, node_id="d")
    doc.connect("x", "d")
    with pytest.raises(BuildError, match="2 outputs"):
        build_module(doc)
    generator = build_module(doc, output="g")
    assert generator(torch.zeros(3, 8)).shape == (3, 4)
    assert set(generator.layers) == {"g"}


def test_parameters_are_reachable_by_node_id():
    module = build_module(fileformat.load(FIXTURES / "lenet5.json"))
    names = {n for n, _ in module.named_parameters()}
    assert "layers.c1.weight" in names and "layers.f3.bias" in names


def test_waiting_nodes_are_not_errors_and_counts_exclude_them():
    doc = Document()
    doc.add_node("Input", {"shape": [10]}, node_id="in")
    doc.add_node("Conv2d", node_id="c")
    doc.add_node("Linear", node_id="l")
    doc.connect("in", "c")
    doc.connect("c", "l")
    report = doc.infer()
    assert report.nodes["l"].status == "waiting" and report.nodes["l"].message == "Linear 'l' is waiting for 'c'"
    assert len(report.errors) == 1


def test_statuses_are_an_enum_that_compares_as_text():
    from explorer.graph.shapes import ShapeStatus

    assert ShapeStatus.OK == "ok" and ShapeStatus("waiting") is ShapeStatus.WAITING


def test_graph_conv_shapes_are_per_node():
    doc = Document()
    doc.add_node("Input", {"shape": [34]}, node_id="x")
    doc.add_node("GraphConv", {"out_features": 16}, node_id="g")
    doc.connect("x", "g")
    assert doc.infer().nodes["g"].output.shape == (16,)
    doc.set_param("x", "shape", [34, 5])
    report = doc.infer()
    assert report.nodes["g"].status == "error" and "each node's features [F]" in report.nodes["g"].message
