"""Adversarial examples by the fast gradient sign method (FGSM, Goodfellow, Shlens and Szegedy 2014).

Each pixel of an image moves by ``epsilon`` in the direction that raises the network's loss on the
true class (the sign of the loss's gradient with respect to that pixel), and the result is clamped
to the range the data's pixels span. The built-in image datasets (``digits``, ``shapes``, ``mnist``)
scale pixels to [0, 1], so ``epsilon`` is a share of the full brightness range: 0.2 moves every
pixel by a fifth of black-to-white.

Named ``fgsm`` rather than ``adversarial``: ``objectives/adversarial.py`` is the GAN's objective.
No Qt here; the window's view runs :meth:`FgsmAttack.accuracy_curve` in a background thread.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F

from explorer.data.dataset import CLASSIFICATION
from explorer.graph.build import build_module

EPSILON_MAX = 0.5              # beyond half the pixel range an "imperceptible" change is no longer one
PIXEL_RANGE = (0.0, 1.0)       # what the built-in image datasets scale their pixels to
CURVE_EPSILONS = tuple(round(0.025 * k, 3) for k in range(13))  # 0 to 0.3, the accuracy curve's points


class FgsmError(Exception):
    """An attack that cannot be made (wrong network or data, epsilon out of range); ``message`` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def check_epsilon(value) -> float:
    """``value`` as a float from 0 to :data:`EPSILON_MAX`, or :class:`FgsmError` naming what is wrong."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not 0.0 <= value <= EPSILON_MAX:
        raise FgsmError(f"epsilon must be a number from 0 to {EPSILON_MAX:g} (pixels span 0 to 1), not {value!r}")
    return float(value)


def image_refusal(dataset) -> str | None:
    """Why FGSM cannot attack a network trained on ``dataset`` (None when it can)."""
    if dataset.task != CLASSIFICATION or getattr(dataset, "per_position", False) or dataset.graph is not None:
        return f"FGSM attacks image classifiers; dataset '{dataset.name}' is not an image classification dataset"
    if len(dataset.sample_shape) != 3 or dataset.input_dtype != "float":
        return (f"FGSM attacks image classifiers; dataset '{dataset.name}' gives samples of shape "
                f"{list(dataset.sample_shape)}, not images [C, H, W]")
    return None


def value_range(x: np.ndarray) -> tuple[float, float]:
    """The range perturbed pixels are clamped to: [0, 1], widened if the data reach beyond it."""
    return min(PIXEL_RANGE[0], float(np.min(x))), max(PIXEL_RANGE[1], float(np.max(x)))


def network_of(document, state_dicts: dict[str, dict]) -> torch.nn.Module:
    """The trained classifier of ``document`` with ``state_dicts`` ({output node id: state dict}), a copy
    on the CPU in eval mode: attacking it never touches the network that trains."""
    if len(state_dicts) != 1:
        raise FgsmError(f"FGSM attacks one classification network; these weights hold {len(state_dicts)}")
    output, state = next(iter(state_dicts.items()))
    module = build_module(document, output=output)
    try:
        module.load_state_dict(state)
    except RuntimeError as error:
        raise FgsmError(f"the weights do not fit the network as it is now (edited since?): {error}") from None
    return module.eval()


@dataclass
class FgsmExample:
    """One validation image before and after the attack, with the network's answers."""

    index: int
    epsilon: float
    label: int
    image: np.ndarray          # float32 [C, H, W], as fed to the network
    perturbation: np.ndarray   # float32 [C, H, W]: perturbed - image (epsilon * sign, less where clamped)
    perturbed: np.ndarray      # float32 [C, H, W]
    before: int                # predicted class of the image
    before_prob: float         # its softmax probability
    after: int                 # predicted class of the perturbed image
    after_prob: float
    label_prob_after: float    # the true class's probability after the attack


class FgsmAttack:
    """FGSM on a trained classifier ``module`` over validation images ``x`` [N, C, H, W], labels ``y`` [N].

    The gradient's sign does not depend on epsilon, so it is computed once per image (in chunks of
    ``chunk``) and every epsilon then costs one forward pass: the accuracy curve of ``digits`` takes
    a few tens of milliseconds.
    """

    def __init__(self, module: torch.nn.Module, x: np.ndarray, y: np.ndarray, chunk: int = 256,
                 clamp: tuple[float, float] | None = None):
        self.module = module.eval()
        self.x = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
        self.y = torch.from_numpy(np.ascontiguousarray(y, dtype=np.int64))
        self.chunk = chunk
        self.low, self.high = clamp if clamp is not None else value_range(x)
        self._signs: torch.Tensor | None = None

    def __len__(self) -> int:
        return len(self.x)

    def signs(self, start: int = 0, stop: int | None = None) -> torch.Tensor:
        """sign(d loss / d input) of images ``start:stop`` (all of them cached after the first full call)."""
        if self._signs is not None:
            return self._signs[start:stop]
        with torch.enable_grad():
            x = self.x[start:stop].clone().requires_grad_(True)
            loss = F.cross_entropy(self.module(x), self.y[start:stop], reduction="sum")
            (grad,) = torch.autograd.grad(loss, x)
        return grad.sign()

    def _all_signs(self, should_stop: Callable[[], bool] | None = None) -> torch.Tensor | None:
        if self._signs is None:
            parts = []
            for start in range(0, len(self.x), self.chunk):
                if should_stop is not None and should_stop():
                    return None
                parts.append(self.signs(start, start + self.chunk))
            self._signs = torch.cat(parts)
        return self._signs

    def perturb(self, x: torch.Tensor, signs: torch.Tensor, epsilon: float) -> torch.Tensor:
        """``x`` moved by ``epsilon`` along ``signs``, clamped to the data's range."""
        return (x + check_epsilon(epsilon) * signs).clamp(self.low, self.high)

    @torch.no_grad()
    def example(self, index: int, epsilon: float) -> FgsmExample:
        """Image ``index`` attacked at ``epsilon``: the perturbation, the perturbed image, both answers."""
        epsilon = check_epsilon(epsilon)
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(self.x):
            raise FgsmError(f"the image index must be a whole number from 0 to {len(self.x) - 1}, not {index!r}")
        x = self.x[index:index + 1]
        perturbed = self.perturb(x, self.signs(index, index + 1), epsilon)
        probs = torch.softmax(self.module(torch.cat([x, perturbed])).float(), dim=1)
        before, after = probs.argmax(1).tolist()
        label = int(self.y[index])
        return FgsmExample(index, epsilon, label, x[0].numpy().copy(), (perturbed - x)[0].numpy().copy(),
                           perturbed[0].numpy().copy(), before, float(probs[0, before]), after,
                           float(probs[1, after]), float(probs[1, label]))

    @torch.no_grad()
    def accuracy(self, epsilon: float) -> float:
        """Share of the images still classified right after the attack at ``epsilon``."""
        curve = self.accuracy_curve([epsilon])
        return curve[0]

    @torch.no_grad()
    def accuracy_curve(self, epsilons: Sequence[float] = CURVE_EPSILONS,
                       should_stop: Callable[[], bool] | None = None) -> list[float] | None:
        """Accuracy at each of ``epsilons``; None when ``should_stop()`` turned true on the way."""
        epsilons = [check_epsilon(e) for e in epsilons]
        signs = self._all_signs(should_stop)
        if signs is None:
            return None
        accuracies = []
        for epsilon in epsilons:
            correct = 0
            for start in range(0, len(self.x), self.chunk):
                if should_stop is not None and should_stop():
                    return None
                stop = start + self.chunk
                out = self.module(self.perturb(self.x[start:stop], signs[start:stop], epsilon))
                correct += int((out.argmax(1) == self.y[start:stop]).sum())
            accuracies.append(correct / len(self.x))
        return accuracies
