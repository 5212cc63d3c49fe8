"""Pooling and resampling: shrinking or growing images without learned weights."""

from __future__ import annotations

from ..catalogue import LayerKind, conv_out, need_rank, register, spec, spec_of
from ..params import Param
from ..spec import ShapeProblem, fmt

IMAGE = "an image [C, H, W]"


def _pool_infer(p, inputs):
    spec = inputs[0]
    need_rank(spec, (3,), IMAGE)
    c, h, w = spec.shape
    k, pad = p["kernel_size"], p["padding"]
    s = p["stride"] or k
    if 2 * pad > k:
        raise ShapeProblem(f"has padding {pad}: it may be at most half the kernel_size ({k})")
    oh, ow = conv_out(h, k, s, pad), conv_out(w, k, s, pad)
    if oh < 1 or ow < 1:
        raise ShapeProblem(f"gets {fmt(spec.shape)}: its {k}×{k} window is larger than the image")
    return spec_of((c, oh, ow))


def _pool_params():
    return (
        Param("kernel_size", "int", 2, "Width and height of the pooling window.", min=1, max=16),
        Param("stride", "int", 0, "Step between windows; 0 means the same as kernel_size.", min=0, max=16),
        Param("padding", "int", 0, "Border added around the image (at most half the window).", min=0, max=8,
              key=False),
    )


register(LayerKind(
    name="MaxPool2d", group="Pooling", glyph="▼", prefix="pool",
    help="Keeps the largest value in each window: halves the image with kernel_size 2, and tolerates small shifts.",
    params=_pool_params(), infer=_pool_infer,
    spec=lambda p, i: spec("nn.MaxPool2d", p["kernel_size"], stride=p["stride"] or p["kernel_size"],
                           padding=p["padding"]),
))

register(LayerKind(
    name="AvgPool2d", group="Pooling", glyph="▽", prefix="avgpool",
    help="Averages each window: a smooth downsampling of every feature map.",
    params=_pool_params(), infer=_pool_infer,
    spec=lambda p, i: spec("nn.AvgPool2d", p["kernel_size"], stride=p["stride"] or p["kernel_size"],
                           padding=p["padding"]),
))


def _adaptive_infer(p, inputs):
    need_rank(inputs[0], (3,), IMAGE)
    return spec_of((inputs[0].shape[0], p["output_size"], p["output_size"]))


register(LayerKind(
    name="AdaptiveAvgPool2d", group="Pooling", glyph="◇", prefix="gap",
    help="Averages each feature map down to a fixed output_size × output_size, whatever the input size "
         "(1 gives global average pooling, as in ResNet).",
    params=(Param("output_size", "int", 1, "Height and width of the output.", min=1, max=64),),
    infer=_adaptive_infer,
    spec=lambda p, i: spec("nn.AdaptiveAvgPool2d", p["output_size"]),
))


def _upsample_infer(p, inputs):
    need_rank(inputs[0], (3,), IMAGE)
    c, h, w = inputs[0].shape
    f = p["scale_factor"]
    return spec_of((c, h * f, w * f))


register(LayerKind(
    name="Upsample", group="Pooling", glyph="▲", prefix="up",
    help="Enlarges each feature map by scale_factor without learned weights (nearest or bilinear).",
    params=(
        Param("scale_factor", "int", 2, "How many times larger the output is.", min=1, max=8),
        Param("mode", "choice", "nearest", "How new pixels are filled in.", choices=("nearest", "bilinear")),
    ),
    infer=_upsample_infer,
    spec=lambda p, i: spec("nn.Upsample", scale_factor=p["scale_factor"], mode=p["mode"]),
))
