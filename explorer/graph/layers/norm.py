"""Normalisation: keeping activations centred and scaled while training."""

from __future__ import annotations

from ..catalogue import LayerKind, need_rank, register, spec
from ..params import Param


def _bn1d_infer(p, inputs):
    need_rank(inputs[0], (1, 2), "a vector [F] or channels × length [C, L]")
    return inputs[0]


def _bn2d_infer(p, inputs):
    need_rank(inputs[0], (3,), "an image [C, H, W]")
    return inputs[0]


def _momentum():
    return Param("momentum", "float", 0.1, "How fast the running mean and variance follow the batches.",
                 min=0.0, max=1.0, key=False)


register(LayerKind(
    name="BatchNorm1d", group="Normalisation", glyph="≈", prefix="bn",
    help="Normalises each feature over the mini-batch, then scales and shifts it with learned values.",
    params=(_momentum(),), infer=_bn1d_infer,
    spec=lambda p, i: spec("nn.BatchNorm1d", i[0].shape[0], momentum=p["momentum"]),
))

register(LayerKind(
    name="BatchNorm2d", group="Normalisation", glyph="≈", prefix="bn",
    help="Normalises each channel over the mini-batch and all positions; uses running statistics in eval mode.",
    params=(_momentum(),), infer=_bn2d_infer,
    spec=lambda p, i: spec("nn.BatchNorm2d", i[0].shape[0], momentum=p["momentum"]),
))


def _ln_infer(p, inputs):
    need_rank(inputs[0], (1, 2, 3), "a vector, sequence or image")
    return inputs[0]


register(LayerKind(
    name="LayerNorm", group="Normalisation", glyph="≈", prefix="ln",
    help="Normalises each sample over its last dimension (the features), independent of the batch; "
         "the Transformer's normaliser.",
    params=(Param("elementwise_affine", "bool", True, "Learn a scale and shift per feature.", key=False),),
    infer=_ln_infer,
    spec=lambda p, i: spec("nn.LayerNorm", i[0].shape[-1], elementwise_affine=p["elementwise_affine"]),
))

