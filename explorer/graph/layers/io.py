"""Input & data: the network's entry point and the layers that only rearrange values."""

from __future__ import annotations

from ..catalogue import LayerKind, register, spec, spec_of
from ..params import Param
from ..spec import ShapeProblem, fmt


def _input_infer(p, _inputs):
    return spec_of(p["shape"], "long" if p["dtype"] == "token ids" else "float")


register(LayerKind(
    name="Input", group="Input & data", glyph="⇥", prefix="in", min_inputs=0, max_inputs=0,
    help="Where samples enter the network. Its shape (without the batch) must match the dataset's samples.",
    params=(
        Param("shape", "shape", [1, 28, 28], "Sample shape without the batch: [C, H, W] images, [T, F] sequences, [F] vectors."),
        Param("dtype", "choice", "float", "float for measurements and pixels; token ids for words fed to an Embedding.",
              choices=("float", "token ids")),
    ),
    infer=_input_infer,
    spec=lambda p, i: spec("nn.Identity"),
))


def _flatten_infer(_p, inputs):
    return spec_of([inputs[0].numel])


register(LayerKind(
    name="Flatten", group="Input & data", glyph="≡", prefix="flat",
    help="Lays every value of a sample out in one long vector, e.g. [16, 5, 5] → [400], so a Linear can follow.",
    infer=_flatten_infer,
    spec=lambda p, i: spec("nn.Flatten", inline=lambda x: f"torch.flatten({x[0]}, 1)"),
))


def _reshape_target(p, inputs):
    target = list(p["shape"])
    n = inputs[0].numel
    if -1 in target:
        known = 1
        for s in target:
            if s != -1:
                known *= s
        if n % known:
            raise ShapeProblem(f"cannot reshape {fmt(inputs[0].shape)} ({n} values) to {fmt(target)}")
        target[target.index(-1)] = n // known
    count = 1
    for s in target:
        count *= s
    if count != n:
        raise ShapeProblem(f"cannot reshape {fmt(inputs[0].shape)} ({n} values) to {fmt(target)} ({count} values)")
    return target


register(LayerKind(
    name="Reshape", group="Input & data", glyph="⊞", prefix="reshape",
    help="Rearranges a sample's values into a new shape with the same number of values; one size may be -1.",
    params=(Param("shape", "shape", [-1], "Target shape without the batch; -1 takes what is left.", allow_infer=True),),
    infer=lambda p, i: spec_of(_reshape_target(p, i)),
    spec=lambda p, i: spec("Reshape", tuple(_reshape_target(p, i)), inline=lambda x: f"{x[0]}.reshape("
                           f"{x[0]}.shape[0], {', '.join(str(s) for s in _reshape_target(p, i))})"),
))
