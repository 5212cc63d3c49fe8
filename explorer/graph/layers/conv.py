"""Convolution: learned filters sliding over images."""

from __future__ import annotations

from ..catalogue import LayerKind, conv_out, need_rank, register, spec, spec_of
from ..params import Param
from ..spec import ShapeProblem, fmt

IMAGE = "an image [C, H, W]"


def _window_params(kernel_default: int):
    return (
        Param("kernel_size", "int", kernel_default, "Width and height of each filter.", min=1, max=31),
        Param("stride", "int", 1, "Step between filter positions; 2 halves the image.", min=1, max=16),
        Param("padding", "int", 0, "Zeros added around the image; (kernel_size - 1) / 2 keeps the size.", min=0, max=31),
    )


def _conv_infer(p, inputs):
    spec = inputs[0]
    need_rank(spec, (3,), IMAGE)
    _, h, w = spec.shape
    k, s, pad, d = p["kernel_size"], p["stride"], p["padding"], p["dilation"]
    oh, ow = conv_out(h, k, s, pad, d), conv_out(w, k, s, pad, d)
    if oh < 1 or ow < 1:
        span = d * (k - 1) + 1
        raise ShapeProblem(f"gets {fmt(spec.shape)}: its {span}×{span} filter is larger than the padded "
                           f"{h + 2 * pad}×{w + 2 * pad} image")
    return spec_of((p["out_channels"], oh, ow))


register(LayerKind(
    name="Conv2d", group="Convolution", glyph="▦", prefix="conv",
    help="2-D convolution: out_channels learned filters slide over the image, each giving one feature map.",
    params=(
        Param("out_channels", "int", 8, "Number of filters, hence of output feature maps.", min=1, max=2048),
        *_window_params(3),
        Param("dilation", "int", 1, "Spacing between filter taps (atrous convolution).", min=1, max=8, key=False),
        Param("bias", "bool", True, "Add a learned bias to each feature map.", key=False),
    ),
    infer=_conv_infer,
    spec=lambda p, i: spec("nn.Conv2d", i[0].shape[0], p["out_channels"], p["kernel_size"], stride=p["stride"],
                           padding=p["padding"], dilation=p["dilation"], bias=p["bias"]),
))


def _convt_infer(p, inputs):
    spec = inputs[0]
    need_rank(spec, (3,), IMAGE)
    _, h, w = spec.shape
    k, s, pad, op = p["kernel_size"], p["stride"], p["padding"], p["output_padding"]
    if op >= s:
        raise ShapeProblem(f"has output_padding {op}: it must be smaller than the stride ({s})")
    oh, ow = (h - 1) * s - 2 * pad + k + op, (w - 1) * s - 2 * pad + k + op
    if oh < 1 or ow < 1:
        raise ShapeProblem(f"gets {fmt(spec.shape)}: padding {pad} removes the whole output")
    return spec_of((p["out_channels"], oh, ow))


register(LayerKind(
    name="ConvTranspose2d", group="Convolution", glyph="▩", prefix="deconv",
    help="Transposed convolution: learned upsampling, the decoder half of autoencoders and GAN generators.",
    params=(
        Param("out_channels", "int", 8, "Number of output feature maps.", min=1, max=2048),
        Param("kernel_size", "int", 4, "Width and height of each filter.", min=1, max=31),
        Param("stride", "int", 2, "Upsampling factor; 2 doubles the image.", min=1, max=16),
        Param("padding", "int", 1, "Rows and columns trimmed from each border of the output.", min=0, max=31),
        Param("output_padding", "int", 0, "Extra rows/columns on one side, to hit an exact size.", min=0, max=15,
              key=False),
        Param("bias", "bool", True, "Add a learned bias to each feature map.", key=False),
    ),
    infer=_convt_infer,
    spec=lambda p, i: spec("nn.ConvTranspose2d", i[0].shape[0], p["out_channels"], p["kernel_size"],
                           stride=p["stride"], padding=p["padding"], output_padding=p["output_padding"],
                           bias=p["bias"]),
))
