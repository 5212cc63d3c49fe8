"""Torch modules for layer kinds that ``torch.nn`` lacks or shapes differently.

All take and return batched tensors; shapes in comments exclude the batch dimension.
"""

from __future__ import annotations

import math

import torch
from torch import nn


class Add(nn.Module):
    """Element-wise sum of two or more inputs of one shape (a residual shortcut)."""

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out


class Concat(nn.Module):
    """Joins inputs along the channel dimension of images, or the last (feature) dimension otherwise."""

    def __init__(self, dim: int):
        super().__init__()
        self.dim = dim

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        return torch.cat(xs, dim=self.dim)


class Reshape(nn.Module):
    """Reshapes each sample to ``shape`` (batch dimension kept)."""

    def __init__(self, shape: tuple[int, ...]):
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(x.shape[0], *self.shape)

    def extra_repr(self) -> str:
        return f"shape={list(self.shape)}"


class Recurrent(nn.Module):
    """An RNN, LSTM or GRU (batch first) returning the whole sequence or the final state only.

    "last" returns the final hidden state of the top layer, both directions concatenated, so a
    bidirectional layer's backward half has read the whole sequence too.
    """

    def __init__(self, rnn: nn.RNNBase, last: bool):
        super().__init__()
        self.rnn = rnn
        self.last = last

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, h = self.rnn(x)
        if not self.last:
            return out
        if isinstance(h, tuple):  # LSTM: (h_n, c_n)
            h = h[0]
        directions = 2 if self.rnn.bidirectional else 1
        return h[-directions:].transpose(0, 1).reshape(x.shape[0], -1)


class SelfAttention(nn.Module):
    """Multi-head self-attention (query = key = value = input), batch first.

    Set ``keep_weights`` to record the head-averaged attention map of the last call in ``weights``;
    off by default because computing it costs time in training.
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float, bias: bool):
        super().__init__()
        self.attn = nn.MultiheadAttention(embed_dim, num_heads, dropout=dropout, bias=bias, batch_first=True)
        self.keep_weights = False
        self.weights: torch.Tensor | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, weights = self.attn(x, x, x, need_weights=self.keep_weights)
        if self.keep_weights:
            self.weights = weights.detach()
        return out


class PositionalEncoding(nn.Module):
    """Adds the fixed sinusoidal position signal of "Attention Is All You Need" to a sequence [T, E]."""

    def __init__(self, embed_dim: int, max_len: int):
        super().__init__()
        position = torch.arange(max_len, dtype=torch.float32).unsqueeze(1)
        div = torch.exp(torch.arange(0, embed_dim, 2, dtype=torch.float32) * (-math.log(10000.0) / embed_dim))
        pe = torch.zeros(max_len, embed_dim)
        pe[:, 0::2] = torch.sin(position * div)
        pe[:, 1::2] = torch.cos(position * div)[:, : embed_dim // 2]
        self.register_buffer("pe", pe, persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.pe[: x.shape[1]]


class GraphConv(nn.Module):
    """Graph convolution of Kipf & Welling: ``Â · X · W`` with ``Â = D^-1/2 (A + I) D^-1/2``.

    Per node: the batch dimension runs over the graph's nodes, ``x`` is ``[N, F]`` and ``adjacency``
    is ``Â`` as a sparse (or dense) ``[N, N]`` tensor, made once by :func:`normalised_adjacency` and
    handed in with every step. There is no silent fallback: without an adjacency the layer refuses
    to run, since it would be a plain Linear pretending to be a graph layer.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True):
        super().__init__()
        self.linear = nn.Linear(in_features, out_features, bias=False)
        self.bias = nn.Parameter(torch.zeros(out_features)) if bias else None

    def forward(self, x: torch.Tensor, adjacency: torch.Tensor | None = None) -> torch.Tensor:
        if adjacency is None:
            raise ValueError("GraphConv needs the graph's adjacency: train it on a graph dataset (karate, sbm)")
        h = self.linear(x)
        h = torch.sparse.mm(adjacency, h) if adjacency.is_sparse else adjacency @ h
        return h if self.bias is None else h + self.bias


def normalised_adjacency(edges: torch.Tensor, num_nodes: int) -> torch.Tensor:
    """``D^-1/2 (A + I) D^-1/2`` as a sparse COO float32 ``[N, N]`` tensor, from undirected ``edges [E, 2]``.

    Each edge counts in both directions; repeated edges and self loops in ``edges`` count once, and
    every node gets its own self loop, so an isolated node keeps its features.
    """
    edges = torch.as_tensor(edges, dtype=torch.long).reshape(-1, 2)
    loops = torch.arange(num_nodes).unsqueeze(1).expand(-1, 2)
    pairs = torch.cat([edges, edges.flip(1), loops])
    index = torch.unique(pairs, dim=0).t()
    degree = torch.bincount(index[0], minlength=num_nodes).float()
    scale = degree.rsqrt()
    values = scale[index[0]] * scale[index[1]]
    return torch.sparse_coo_tensor(index, values, (num_nodes, num_nodes), check_invariants=True).coalesce()
