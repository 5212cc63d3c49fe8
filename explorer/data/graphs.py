"""Graphs whose nodes are the samples, built with networkx: Zachary's karate club and a stochastic block model.

A graph dataset is one graph: every node has features and a class, a few labelled nodes per class
train the network and the rest validate it (semi-supervised node classification, as in Kipf &
Welling). The loaders return :class:`Samples` with a :class:`GraphInfo`; ``load_dataset`` splits by
its masks, so ``x_train`` holds the labelled nodes' features.

Node features (option ``features``): ``identity`` gives every node its own one-hot vector (the
network must learn everything from the wiring), ``degree`` a one-hot of the node's degree (nodes
with the same number of neighbours look alike until the graph tells them apart).
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np

from explorer.graph.params import Param

from .dataset import CLASSIFICATION, DatasetError, DatasetSpec, GraphInfo, Samples

FEATURES = ("identity", "degree")
LABELLED = ("hubs", "random")


def _features(graph: nx.Graph, kind: str) -> np.ndarray:
    n = graph.number_of_nodes()
    if kind == "identity":
        return np.eye(n, dtype=np.float32)
    degrees = np.array([graph.degree(i) for i in range(n)])
    return np.eye(int(degrees.max()) + 1, dtype=np.float32)[degrees]


def _labelled(graph: nx.Graph, labels: np.ndarray, per_class: int, how: str, rng: np.random.Generator
              ) -> np.ndarray:
    """The training mask: ``per_class`` nodes of each class, the best connected first or at random."""
    mask = np.zeros(len(labels), dtype=bool)
    for k in np.unique(labels):
        members = np.flatnonzero(labels == k)
        if per_class >= len(members):
            raise DatasetError(f"class {int(k)} has only {len(members)} nodes; label fewer than that per class "
                               f"(labelled_per_class is {per_class}) so some are left to validate on")
        if how == "hubs":  # most neighbours first, ties by node number
            order = sorted(members, key=lambda i: (-graph.degree(int(i)), int(i)))
        else:
            order = rng.permutation(members)
        mask[np.asarray(order[:per_class])] = True
    return mask


def _samples(graph: nx.Graph, labels: np.ndarray, options: dict[str, Any], rng: np.random.Generator,
             class_names: list[str], description: str) -> Samples:
    n = graph.number_of_nodes()
    features = _features(graph, options["features"])
    train = _labelled(graph, labels, options["labelled_per_class"], options["labelled"], rng)
    layout = nx.spring_layout(graph, seed=int(rng.integers(2**31)))
    positions = np.array([layout[i] for i in range(n)], dtype=np.float32)
    positions /= max(float(np.abs(positions).max()), 1e-6)
    edges = np.array(sorted((min(a, b), max(a, b)) for a, b in graph.edges() if a != b), dtype=np.int64)
    info = GraphInfo(edges=edges.reshape(-1, 2), num_nodes=n, positions=positions, features=features,
                     labels=labels, train_mask=train, val_mask=~train)
    return Samples(features, labels, class_names, description, graph=info)


def load_karate(options: dict[str, Any], rng: np.random.Generator) -> Samples:
    """Zachary's karate club: 34 members, 78 friendships; the class is the faction each joined after the split."""
    graph = nx.karate_club_graph()
    names = ["Mr. Hi", "Officer"]
    labels = np.array([names.index(graph.nodes[i]["club"]) for i in range(graph.number_of_nodes())], dtype=np.int64)
    return _samples(graph, labels, options, rng, names,
                    "Zachary's karate club (34 members, 78 friendships); the class is the faction each member "
                    "followed when the club split, Mr. Hi's or the Officer's")


def load_sbm(options: dict[str, Any], rng: np.random.Generator) -> Samples:
    """A stochastic block model: dense inside each block, sparse between them; the class is the block."""
    k, size = options["blocks"], options["block_size"]
    p_in, p_out = options["p_in"], options["p_out"]
    probabilities = [[p_in if i == j else p_out for j in range(k)] for i in range(k)]
    graph = nx.stochastic_block_model([size] * k, probabilities, seed=int(rng.integers(2**31)))
    graph = nx.Graph(graph)  # plain node numbers, no block attributes
    labels = np.repeat(np.arange(k, dtype=np.int64), size)
    return _samples(graph, labels, options, rng, [f"block {i + 1}" for i in range(k)],
                    f"a stochastic block model: {k} blocks of {size} nodes, edges inside a block with probability "
                    f"{p_in:g} and between blocks {p_out:g}; the class is the block")


def _common(per_class: int, labelled: str) -> tuple[Param, ...]:
    return (
        Param("features", "choice", "identity", "node features: identity (a one-hot per node) or degree "
                                                "(a one-hot of the number of neighbours)", choices=FEATURES),
        Param("labelled_per_class", "int", per_class, "labelled nodes per class, the rest are for validation",
              min=1, max=100),
        Param("labelled", "choice", labelled, "which nodes are labelled: hubs (the most connected of each class) "
                                              "or random (drawn with the seed)", choices=LABELLED),
    )


SPECS = (
    DatasetSpec("karate", "Zachary's karate club: 34 members, two factions, a graph of friendships",
                _common(2, "hubs"), CLASSIFICATION, load_karate),
    DatasetSpec("sbm", "a stochastic block model graph: communities of nodes, the class is the community", (
        Param("blocks", "int", 3, "how many blocks (communities), one class each", min=2, max=10),
        Param("block_size", "int", 20, "nodes per block", min=4, max=500),
        Param("p_in", "float", 0.3, "probability of an edge between two nodes of the same block", min=0.0, max=1.0),
        Param("p_out", "float", 0.02, "probability of an edge between nodes of different blocks", min=0.0, max=1.0),
        *_common(2, "random"),
    ), CLASSIFICATION, load_sbm),
)
