"""Graph: layers over the nodes of a graph, mixing each node's features with its neighbours'."""

from __future__ import annotations

from ..catalogue import LayerKind, need_rank, register, spec, spec_of
from ..params import Param


def _gcn_infer(p, inputs):
    need_rank(inputs[0], (1,), "each node's features [F] (the graph's nodes are the batch)")
    return spec_of((p["out_features"],))


register(LayerKind(
    name="GraphConv", group="Graph", glyph="⬡", prefix="gcn", needs_adjacency=True,
    help="Graph convolution (Kipf & Welling): each node's new features are a learned transform of the "
         "degree-normalised average over itself and its neighbours. Shapes are per node: [F] in, "
         "[out_features] out, the graph's nodes being the batch. The adjacency comes from the graph "
         "dataset (karate, sbm); on other data the network is refused before training.",
    params=(
        Param("out_features", "int", 16, "Features per node after the layer.", min=1, max=4096),
        Param("bias", "bool", True, "Add a learned bias.", key=False),
    ),
    infer=_gcn_infer,
    spec=lambda p, i: spec("GraphConv", i[0].shape[-1], p["out_features"], bias=p["bias"]),
))
