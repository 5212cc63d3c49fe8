"""The sequence probe: gradient through time and attention maps, for networks that read sequences.

Gradient through time is the size of d(loss)/d(input at step t) for every step t, over a fixed
probe batch of validation sequences: for token inputs, the gradient with respect to the Embedding's
output (the embedded sequence), for float sequences with respect to the input itself. For a plain
RNN it falls away from the last step, for an LSTM it reaches back: the vanishing gradient, drawn.

The attention maps are every head of every attention layer (MultiheadSelfAttention and
TransformerEncoderLayer) for one probe sequence, ``[heads, T, T]``, row = query position, column
= key position. They come from the same forward pass: a pre-hook asks each ``nn.MultiheadAttention``
for its per-head weights (``need_weights=True, average_attn_weights=False``) and a forward hook
keeps them. Autograd stays on for the pass, which also keeps torch's fused inference path (which
computes no weights) out of the way. The hooks exist only while probing.
"""

from __future__ import annotations

import contextlib

import numpy as np
import torch
from torch import nn

from explorer.data.dataset import CLASSIFICATION

from .checks import is_sequence_dataset
from .snapshots import SequenceSnapshot

PROBE_SEQUENCES = 32  # validation sequences the gradient through time is averaged over


def attention_layers(module) -> dict[str, nn.MultiheadAttention]:
    """Every attention of ``module`` by node id, in the network's order."""
    found = {}
    for node_id in module.order:
        layer = module.layers[node_id]
        attention = getattr(layer, "attn", None) or getattr(layer, "self_attn", None)
        if isinstance(attention, nn.MultiheadAttention):
            found[node_id] = attention
    return found


class SequenceProbe:
    """Measures a sequence network on a fixed probe batch; call it to get a :class:`SequenceSnapshot`.

    ``x``/``y`` are validation samples and targets on the network's device, ``loss_fn`` the
    objective's loss. ``embedding`` is the id of the Embedding that reads the token Input (None
    for float sequences, whose input itself is differentiated).
    """

    def __init__(self, module, dataset, x: torch.Tensor, y: torch.Tensor, loss_fn, embedding: str | None):
        self.module = module
        self.dataset = dataset
        self.x, self.y = x[:PROBE_SEQUENCES], y[:PROBE_SEQUENCES]
        self.loss_fn = loss_fn
        self.embedding = embedding
        self.attention = attention_layers(module)
        self.has_gradient = embedding is not None or not dataset.input_dtype == "token ids"

    def __call__(self, step: int, index: int = 0) -> SequenceSnapshot:
        """The probe at ``step``; ``index`` chooses the sequence whose attention and text are shown."""
        module = self.module
        row = index % len(self.x)
        kept: dict[str, np.ndarray] = {}
        embedded: list[torch.Tensor] = []
        handles = []

        def ask_for_weights(_layer, args, kwargs):
            kwargs["need_weights"] = True
            kwargs["average_attn_weights"] = False
            return args, kwargs

        def keep_weights(node_id):
            def hook(_layer, _args, output):
                if output[1] is not None:
                    kept[node_id] = output[1][row].detach().float().cpu().numpy()
            return hook

        for node_id, attention in self.attention.items():
            handles.append(attention.register_forward_pre_hook(ask_for_weights, with_kwargs=True))
            handles.append(attention.register_forward_hook(keep_weights(node_id)))
        if self.embedding is not None:
            handles.append(module.layers[self.embedding].register_forward_hook(
                lambda _layer, _args, output: embedded.append(output)))
        was_training = module.training
        rng = torch.get_rng_state()
        module.eval()
        cudnn = torch.backends.cudnn.flags(enabled=False) if self.x.is_cuda else contextlib.nullcontext()
        try:
            with torch.enable_grad(), cudnn:  # cuDNN's RNN has no backward in eval mode
                x = self.x
                if self.embedding is None and self.has_gradient:
                    x = x.clone().requires_grad_(True)
                out = module(x)
                curve = None
                if self.has_gradient:
                    point = embedded[0] if self.embedding is not None else x
                    loss = self.loss_fn(out, self.y)
                    (grad,) = torch.autograd.grad(loss, point)
                    # the loss is a mean over the batch: undo it, so the sizes read per sequence
                    curve = (grad.norm(dim=-1).mean(0) * len(self.x)).float().cpu().numpy()
                out = out.detach()
        finally:
            for handle in handles:
                handle.remove()
            torch.set_rng_state(rng)
            module.train(was_training)
        tokens, input_text = self._input_words(row)
        target_text, prediction_text, right = self._answers(out[row], self.y[row])
        return SequenceSnapshot(step, curve, kept, tokens, input_text, target_text, prediction_text, right, row)

    # The probe sequence as text -------------------------------------------------------------------

    def _name(self, token: int) -> str:
        names = self.dataset.class_names
        return names[token] if names and 0 <= token < len(names) else str(token)

    def _input_words(self, row: int) -> tuple[list[str], str]:
        x = self.x[row].detach().cpu().numpy()
        if self.dataset.input_dtype == "token ids":
            if self.dataset.per_position:
                tokens = [self._name(int(t)) for t in x]
            else:
                tokens = [str(int(t)) for t in x]
            return tokens, " ".join(tokens)
        if x.ndim == 2 and x.shape[1] == 2:  # adding: [value, marker]; the marked values starred
            tokens = [f"{v:.2f}*" if m > 0.5 else f"{v:.2f}" for v, m in x]
            marked = [t for t in tokens if t.endswith("*")]
            return tokens, f"{len(tokens)} steps; marked values {' + '.join(t[:-1] for t in marked)}"
        tokens = [str(t) for t in range(len(x))]
        return tokens, f"{len(tokens)} steps of {x.shape[-1] if x.ndim == 2 else 1} values"

    def _answers(self, out: torch.Tensor, target: torch.Tensor) -> tuple[str, str, bool | None]:
        out, target = out.cpu().numpy(), target.cpu().numpy()
        if self.dataset.task == CLASSIFICATION:
            if self.dataset.per_position:
                predicted = out.argmax(-1)
                return (" ".join(self._name(int(t)) for t in target), " ".join(self._name(int(t)) for t in predicted),
                        bool(np.array_equal(predicted, target)))
            predicted = int(out.argmax(-1))
            return self._name(int(target)), self._name(predicted), predicted == int(target)
        return (", ".join(f"{v:.3f}" for v in np.ravel(target)), ", ".join(f"{v:.3f}" for v in np.ravel(out)), None)


def make_sequence_probe(objective) -> SequenceProbe | None:
    """The sequence probe for ``objective``'s network, or None when it does not read sequences.

    Only the one-network objectives with validation targets (supervised, sequence) have one; the
    network's Input must be a sequence (token ids [T] read by an Embedding, or [T, F] floats).
    """
    if objective.name not in ("supervised", "sequence") or not is_sequence_dataset(objective.dataset):
        return None
    module = objective.module
    dataset = objective.dataset
    embedding = None
    if dataset.input_dtype == "token ids":
        input_id = module.input_ids[0]
        readers = [n for n in module.order if module.sources[n] == [input_id]
                   and isinstance(module.layers[n], nn.Embedding)]
        embedding = readers[0] if readers else None
    probe = SequenceProbe(module, dataset, objective.x_val, objective.y_val, objective.loss_fn, embedding)
    if not probe.has_gradient and not probe.attention:
        return None
    return probe
