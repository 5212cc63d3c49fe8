"""Small documents of the second wave's tasks, built inline: an autoencoder, a GAN and a graph network."""

from __future__ import annotations

from explorer.graph import Document


def chain(doc: Document, nodes: list[tuple[str, str, dict]]) -> None:
    """Add ``nodes`` (id, kind, params) and wire each to the next."""
    for node_id, kind, params in nodes:
        doc.add_node(kind, params, node_id=node_id)
    for (a, _, _), (b, _, _) in zip(nodes, nodes[1:]):
        doc.connect(a, b)


def autoencoder_digits() -> Document:
    doc = Document(name="autoencoder on digits")
    chain(doc, [("in1", "Input", {"shape": [1, 8, 8]}), ("flat", "Flatten", {}),
                ("enc", "Linear", {"out_features": 32}), ("enc_act", "Tanh", {}),
                ("code", "Linear", {"out_features": 2}),
                ("dec", "Linear", {"out_features": 32}), ("dec_act", "Tanh", {}),
                ("dec_out", "Linear", {"out_features": 64}), ("image", "Reshape", {"shape": [1, 8, 8]})])
    doc.set_meta(training={"dataset": "digits", "task": "reconstruction", "lr": 0.003, "batch_size": 64,
                           "epochs": 5})
    return doc


def gan_ring() -> Document:
    doc = Document(name="GAN on the ring")
    chain(doc, [("z", "Input", {"shape": [2]}), ("g1", "Linear", {"out_features": 32}), ("g_act", "ReLU", {}),
                ("g_out", "Linear", {"out_features": 2})])
    chain(doc, [("x", "Input", {"shape": [2]}), ("d1", "Linear", {"out_features": 32}), ("d_act", "ReLU", {}),
                ("d_out", "Linear", {"out_features": 1})])
    doc.set_meta(training={"dataset": "ring", "task": "adversarial", "batch_size": 128, "epochs": 5})
    return doc


def gcn_karate() -> Document:
    doc = Document(name="GCN on the karate club")
    chain(doc, [("in1", "Input", {"shape": [34]}), ("gc1", "GraphConv", {"out_features": 16}),
                ("act", "ReLU", {}), ("gc2", "GraphConv", {"out_features": 2})])
    doc.set_meta(training={"dataset": "karate", "lr": 0.01, "epochs": 200})
    return doc
