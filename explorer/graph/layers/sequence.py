"""Sequence: token embeddings, recurrent layers and position signals."""

from __future__ import annotations

from ..catalogue import LayerKind, need_rank, register, spec, spec_of
from ..params import Param
from ..spec import ShapeProblem, fmt

SEQUENCE = "a sequence [T, F]"


def _embedding_infer(p, inputs):
    spec = inputs[0]
    if spec.dtype != "long":
        raise ShapeProblem(f"gets float values {fmt(spec.shape)}: it looks up integer token ids, so its Input "
                           "needs dtype 'token ids'")
    need_rank(spec, (1,), "token ids [T]")
    return spec_of(spec.shape + (p["embedding_dim"],))


register(LayerKind(
    name="Embedding", group="Sequence", glyph="⌗", prefix="emb", accepts_tokens=True,
    help="Looks up a learned vector for each token id: [T] ids become a sequence [T, embedding_dim].",
    params=(
        Param("num_embeddings", "int", 1000, "Vocabulary size: token ids run from 0 to this minus one.",
              min=1, max=1_000_000),
        Param("embedding_dim", "int", 32, "Length of each token's vector.", min=1, max=4096),
    ),
    infer=_embedding_infer,
    spec=lambda p, i: spec("nn.Embedding", p["num_embeddings"], p["embedding_dim"]),
))


def _recurrent_infer(p, inputs):
    need_rank(inputs[0], (2,), SEQUENCE)
    width = p["hidden_size"] * (2 if p["bidirectional"] else 1)
    if p["returns"] == "last step":
        return spec_of((width,))
    return spec_of((inputs[0].shape[0], width))


def _recurrent_params(extra=()):
    return (
        Param("hidden_size", "int", 32, "Size of the hidden state carried from step to step.", min=1, max=4096),
        Param("num_layers", "int", 1, "Recurrent layers stacked on each other.", min=1, max=8),
        Param("returns", "choice", "last step", "The whole output sequence [T, H], or the final state [H] "
              "for classifying or regressing the whole sequence.", choices=("last step", "sequence")),
        Param("bidirectional", "bool", False, "Also read the sequence backwards; doubles the output width.",
              key=False),
        *extra,
    )


def _recurrent(factory, p, i, **kw):
    rnn = spec(factory, i[0].shape[-1], p["hidden_size"], num_layers=p["num_layers"],
               bidirectional=p["bidirectional"], batch_first=True, **kw)
    return spec("Recurrent", rnn, last=p["returns"] == "last step")


register(LayerKind(
    name="RNN", group="Sequence", glyph="↻", prefix="rnn",
    help="Plain recurrent layer: h_t = tanh(W·x_t + U·h_(t-1)). Its gradients fade over long sequences.",
    params=_recurrent_params((Param("nonlinearity", "choice", "tanh", "Activation of the hidden state.",
                                    choices=("tanh", "relu"), key=False),)),
    infer=_recurrent_infer,
    spec=lambda p, i: _recurrent("nn.RNN", p, i, nonlinearity=p["nonlinearity"]),
))

register(LayerKind(
    name="LSTM", group="Sequence", glyph="↻", prefix="lstm",
    help="Long short-term memory: gated cell state that carries information (and gradients) across long "
         "sequences.",
    params=_recurrent_params(), infer=_recurrent_infer,
    spec=lambda p, i: _recurrent("nn.LSTM", p, i),
))

register(LayerKind(
    name="GRU", group="Sequence", glyph="↻", prefix="gru",
    help="Gated recurrent unit: a lighter LSTM with two gates and no separate cell state.",
    params=_recurrent_params(), infer=_recurrent_infer,
    spec=lambda p, i: _recurrent("nn.GRU", p, i),
))


def _posenc_infer(p, inputs):
    need_rank(inputs[0], (2,), SEQUENCE)
    if inputs[0].shape[0] > p["max_len"]:
        raise ShapeProblem(f"gets a sequence of length {inputs[0].shape[0]}, longer than max_len {p['max_len']}")
    return inputs[0]


register(LayerKind(
    name="PositionalEncoding", group="Sequence", glyph="∿", prefix="pos",
    help="Adds fixed sine and cosine waves of different frequencies, so attention can tell positions apart.",
    params=(Param("max_len", "int", 512, "Longest sequence it can encode.", min=1, max=100_000, key=False),),
    infer=_posenc_infer,
    spec=lambda p, i: spec("PositionalEncoding", i[0].shape[-1], p["max_len"]),
))
