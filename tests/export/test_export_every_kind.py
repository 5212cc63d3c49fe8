"""Every layer kind with a spec is written out as code that builds the same module as the explorer."""

from __future__ import annotations

import pytest
import torch

from explorer.export.script import module_code
from explorer.graph.catalogue import all_kinds
from explorer.graph.document import Document
from explorer.graph.modules import normalised_adjacency

from .helpers import max_difference

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _chain(doc: Document, start: str, steps: list[tuple[str, dict]]) -> str:
    last = start
    for kind, params in steps:
        node = doc.add_node(kind, params)
        doc.connect(last, node.id)
        last = node.id
    return last


def sequence_network() -> Document:
    doc = Document(name="every sequence kind")
    doc.add_node("Input", {"shape": [6], "dtype": "token ids"}, node_id="tokens")
    _chain(doc, "tokens", [
        ("Embedding", {"num_embeddings": 20, "embedding_dim": 8}), ("PositionalEncoding", {"max_len": 16}),
        ("MultiheadSelfAttention", {"num_heads": 2}),
        ("TransformerEncoderLayer", {"nhead": 2, "dim_feedforward": 16, "activation": "gelu", "norm_first": True}),
        ("LayerNorm", {}), ("GRU", {"hidden_size": 8, "returns": "sequence"}),
        ("LSTM", {"hidden_size": 8, "bidirectional": True}), ("Linear", {"out_features": 6}), ("GELU", {}),
        ("ELU", {"alpha": 0.5}), ("LeakyReLU", {"negative_slope": 0.2}), ("Softmax", {})])
    return doc


def image_network() -> Document:
    doc = Document(name="every image kind")
    doc.add_node("Input", {"shape": [3, 8, 8]}, node_id="image")
    a = _chain(doc, "image", [("Conv2d", {"out_channels": 4, "padding": 1}), ("BatchNorm2d", {}),
                              ("Dropout2d", {"p": 0.3}),
                              ("ConvTranspose2d", {"out_channels": 4, "kernel_size": 4, "stride": 2, "padding": 1}),
                              ("AvgPool2d", {"kernel_size": 2}), ("Upsample", {"mode": "bilinear"}),
                              ("MaxPool2d", {"kernel_size": 2})])
    b = _chain(doc, "image", [("Conv2d", {"out_channels": 2, "kernel_size": 1, "bias": False})])
    cat = doc.add_node("Concat", {})
    doc.connect(a, cat.id)
    doc.connect(b, cat.id)
    _chain(doc, cat.id, [("AdaptiveAvgPool2d", {"output_size": 2}), ("Flatten", {}), ("Linear", {"out_features": 6}),
                         ("BatchNorm1d", {}), ("Dropout", {"p": 0.1}), ("Sigmoid", {}), ("Tanh", {}),
                         ("Reshape", {"shape": [2, 3]}), ("RNN", {"hidden_size": 5, "nonlinearity": "relu"}),
                         ("ReLU", {}), ("LogSoftmax", {})])
    return doc


def graph_network() -> Document:
    doc = Document(name="every graph kind")
    doc.add_node("Input", {"shape": [5]}, node_id="nodes")
    _chain(doc, "nodes", [("GraphConv", {"out_features": 4}), ("ReLU", {}),
                          ("GraphConv", {"out_features": 3, "bias": False})])
    return doc


NETWORKS = [sequence_network, image_network, graph_network]


def test_the_networks_use_every_kind_that_has_a_spec():
    used = {n.kind for make in NETWORKS for n in make().nodes()}
    with_spec = {k.name for k in all_kinds() if k.spec is not None}
    assert with_spec - used - {"Add"} == set()  # Add: in the residual presets


@pytest.mark.parametrize("make", NETWORKS, ids=["sequence", "image", "graph"])
def test_every_kind_exports_to_the_same_module(make, tmp_path):
    doc = make()
    assert doc.infer().ok, doc.infer().errors
    code = module_code(doc)
    namespace: dict = {}
    header = "import math\nimport torch\nfrom torch import nn\nfrom torch.nn import functional as F\n\n"
    exec(compile(header + code.source, "<exported>", "exec"), namespace)  # the script's imports, then the class
    adjacency = None
    if code.takes_adjacency:  # a graph of 16 nodes (the batch): a ring with a few chords
        edges = torch.tensor([[i, (i + 1) % 16] for i in range(16)] + [[0, 8], [3, 11], [5, 13]])
        adjacency = normalised_adjacency(edges, 16)
    difference = max_difference(doc, namespace[code.class_name], adjacency=adjacency)
    assert difference < 1e-5
