"""Activations: the element-wise non-linearities."""

from __future__ import annotations

from ..catalogue import LayerKind, register, same_spec, spec
from ..params import Param


def _act(name, help, make, params=(), glyph="∫", prefix=None):
    register(LayerKind(name=name, group="Activations", glyph=glyph, prefix=prefix or name.lower(), help=help,
                       params=params, infer=same_spec, spec=make))


_act("ReLU", "max(0, x): passes positives, zeroes negatives. Units stuck below zero stop learning (dead ReLUs).",
     lambda p, i: spec("nn.ReLU", inline=lambda x: f"torch.relu({x[0]})"), glyph="⌐")
_act("LeakyReLU", "x for positives, negative_slope·x for negatives, so no unit dies completely.",
     lambda p, i: spec("nn.LeakyReLU", p["negative_slope"]), glyph="⌐",
     params=(Param("negative_slope", "float", 0.01, "Slope for negative inputs.", min=0.0, max=1.0),))
_act("Sigmoid", "1 / (1 + e^-x), squashing to (0, 1). Its slope is at most 0.25, so deep stacks of it make "
     "gradients vanish.",
     lambda p, i: spec("nn.Sigmoid", inline=lambda x: f"torch.sigmoid({x[0]})"), glyph="∫")
_act("Tanh", "Squashes to (-1, 1), centred on zero; saturates for large inputs.", lambda p, i: spec("nn.Tanh", inline=lambda x: f"torch.tanh({x[0]})"),
     glyph="∫")
_act("GELU", "x·Φ(x): a smooth ReLU, used in Transformers.", lambda p, i: spec("nn.GELU"), glyph="⌐")
_act("ELU", "x for positives, alpha·(eˣ − 1) for negatives: smooth, with negative outputs.",
     lambda p, i: spec("nn.ELU", p["alpha"]), glyph="⌐",
     params=(Param("alpha", "float", 1.0, "Value the output approaches for large negative inputs (as -alpha).",
                   min=0.0, max=10.0),))
_act("Softmax", "Turns the last dimension into probabilities that sum to 1. Leave it out before a "
     "cross-entropy loss, which applies it itself.", lambda p, i: spec("nn.Softmax", dim=-1), glyph="Σ")
_act("LogSoftmax", "The logarithm of Softmax over the last dimension: log-probabilities, as classifiers written "
     "for F.nll_loss end with. A cross-entropy loss after it gives the same result as without it.",
     lambda p, i: spec("nn.LogSoftmax", dim=-1, inline=lambda x: f"torch.log_softmax({x[0]}, dim=-1)"),
     glyph="Σ", prefix="logsoftmax")
