"""Dense: the fully-connected layer."""

from __future__ import annotations

from ..catalogue import LayerKind, need_rank, register, spec, spec_of
from ..params import Param


def _linear_infer(p, inputs):
    need_rank(inputs[0], (1, 2, 3), "a vector [F] or a sequence [T, F]")
    return spec_of(inputs[0].shape[:-1] + (p["out_features"],))


register(LayerKind(
    name="Linear", group="Dense", glyph="⊕", prefix="fc",
    help="Fully-connected layer: every output is a weighted sum of all inputs plus a bias (y = xWᵀ + b).",
    params=(
        Param("out_features", "int", 10, "Number of outputs (neurons).", min=1, max=65536),
        Param("bias", "bool", True, "Add a learned bias to each output.", key=False),
    ),
    infer=_linear_infer,
    spec=lambda p, i: spec("nn.Linear", i[0].shape[-1], p["out_features"], bias=p["bias"]),
))
