"""Regularisation: dropout, active only in training mode."""

from __future__ import annotations

from ..catalogue import LayerKind, need_rank, register, same_spec, spec
from ..params import Param


def _p():
    return Param("p", "float", 0.5, "Probability of zeroing each value while training; survivors are scaled "
                 "by 1/(1-p) so eval mode needs no change.", min=0.0, max=0.99)


register(LayerKind(
    name="Dropout", group="Regularisation", glyph="⋯", prefix="drop",
    help="While training, zeroes random values with probability p and scales the rest by 1/(1-p); "
         "does nothing in eval mode.",
    params=(_p(),), infer=same_spec,
    spec=lambda p, i: spec("nn.Dropout", p["p"]),
))


def _d2_infer(p, inputs):
    need_rank(inputs[0], (3,), "an image [C, H, W]")
    return inputs[0]


register(LayerKind(
    name="Dropout2d", group="Regularisation", glyph="⋮", prefix="drop",
    help="While training, zeroes whole feature maps with probability p (neighbouring pixels are correlated, "
         "so single-pixel dropout does little in CNNs).",
    params=(_p(),), infer=_d2_infer,
    spec=lambda p, i: spec("nn.Dropout2d", p["p"]),
))
