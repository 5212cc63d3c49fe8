"""What flows along a wire: a tensor's shape (without the batch dimension) and its dtype."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TensorSpec:
    """Shape without the batch dimension (an image is ``(C, H, W)``, a sequence ``(T, F)``).

    ``dtype`` is ``"float"`` for activations or ``"long"`` for integer token ids.
    """

    shape: tuple[int, ...]
    dtype: str = "float"

    def __str__(self) -> str:
        text = fmt(self.shape)
        return text if self.dtype == "float" else f"{text} token ids"

    @property
    def rank(self) -> int:
        return len(self.shape)

    @property
    def numel(self) -> int:
        n = 1
        for s in self.shape:
            n *= s
        return n


class ShapeProblem(Exception):
    """Raised by a shape rule; the message continues the sentence "<Kind> '<id>' ...".

    For example ``ShapeProblem("gets [16, 8, 8] and [32, 4, 4]: inputs must have the same shape")``.
    """


def fmt(shape: tuple[int, ...] | list[int]) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"
