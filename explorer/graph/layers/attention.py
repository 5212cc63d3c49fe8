"""Attention: self-attention and the Transformer encoder block."""

from __future__ import annotations

from ..catalogue import LayerKind, need_rank, register, spec
from ..params import Param
from ..spec import ShapeProblem


def _heads_infer(heads_param):
    def infer(p, inputs):
        need_rank(inputs[0], (2,), "a sequence [T, E]")
        e, h = inputs[0].shape[-1], p[heads_param]
        if e % h:
            raise ShapeProblem(f"has {h} heads but its input width {e} is not divisible by {h}")
        return inputs[0]
    return infer


register(LayerKind(
    name="MultiheadSelfAttention", group="Attention", glyph="◎", prefix="attn",
    help="Every position looks at every other: weights from query·key similarity mix the values; "
         "num_heads attention patterns run in parallel.",
    params=(
        Param("num_heads", "int", 4, "Parallel attention heads; must divide the input width.", min=1, max=64),
        Param("dropout", "float", 0.0, "Dropout on the attention weights while training.", min=0.0, max=0.9,
              key=False),
        Param("bias", "bool", True, "Learned biases in the projections.", key=False),
    ),
    infer=_heads_infer("num_heads"),
    spec=lambda p, i: spec("SelfAttention", i[0].shape[-1], p["num_heads"], p["dropout"], p["bias"]),
))

register(LayerKind(
    name="TransformerEncoderLayer", group="Attention", glyph="⧉", prefix="enc",
    help="A Transformer encoder block: self-attention and a feed-forward network, each with a residual "
         "shortcut and LayerNorm.",
    params=(
        Param("nhead", "int", 4, "Attention heads; must divide the input width.", min=1, max=64),
        Param("dim_feedforward", "int", 128, "Width of the feed-forward network's hidden layer.", min=1, max=16384),
        Param("dropout", "float", 0.1, "Dropout inside the block while training.", min=0.0, max=0.9, key=False),
        Param("activation", "choice", "relu", "Activation of the feed-forward network.", choices=("relu", "gelu"),
              key=False),
        Param("norm_first", "bool", False, "Pre-norm (LayerNorm before each sub-block): trains deep stacks "
              "more stably.", key=False),
    ),
    infer=_heads_infer("nhead"),
    spec=lambda p, i: spec("nn.TransformerEncoderLayer", i[0].shape[-1], p["nhead"], p["dim_feedforward"], p["dropout"],
                           activation=p["activation"], batch_first=True, norm_first=p["norm_first"]),
))
