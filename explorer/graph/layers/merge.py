"""Merge: layers that join two or more branches."""

from __future__ import annotations

from ..catalogue import LayerKind, register, spec, spec_of
from ..spec import ShapeProblem, fmt


def _shapes(inputs):
    return " and ".join(fmt(s.shape) for s in inputs)


def _add_infer(p, inputs):
    first = inputs[0].shape
    if any(s.shape != first for s in inputs[1:]):
        raise ShapeProblem(f"gets {_shapes(inputs)}: inputs must have the same shape")
    return inputs[0]


register(LayerKind(
    name="Add", group="Merge", glyph="+", prefix="add", min_inputs=2, max_inputs=None,
    help="Adds its inputs element by element; with a branch that skips layers this is a ResNet shortcut.",
    infer=_add_infer,
    spec=lambda p, i: spec("Add", inline=lambda xs: " + ".join(xs)),
))


def concat_axis(rank: int) -> int:
    """The joined axis of a sample (no batch): channels of an image, else the last (feature) axis."""
    return 0 if rank == 3 else rank - 1


def _concat_infer(p, inputs):
    rank = inputs[0].rank
    if any(s.rank != rank for s in inputs[1:]):
        raise ShapeProblem(f"gets {_shapes(inputs)}: inputs must have the same number of dimensions")
    axis = concat_axis(rank)
    rest = [tuple(d for j, d in enumerate(s.shape) if j != axis) for s in inputs]
    if any(r != rest[0] for r in rest[1:]):
        what = "height and width" if rank == 3 else "sizes apart from the last"
        raise ShapeProblem(f"gets {_shapes(inputs)}: inputs must agree in {what}")
    shape = list(inputs[0].shape)
    shape[axis] = sum(s.shape[axis] for s in inputs)
    return spec_of(shape)


register(LayerKind(
    name="Concat", group="Merge", glyph="‖", prefix="cat", min_inputs=2, max_inputs=None,
    help="Joins its inputs along the channels of images, or the features of vectors and sequences "
         "(the inception block's merge).",
    infer=_concat_infer,
    spec=lambda p, i: spec("Concat", concat_axis(i[0].rank) + 1,
                           inline=lambda xs: f"torch.cat([{', '.join(xs)}], dim={concat_axis(i[0].rank) + 1})"),
))
