"""Data augmentation for image datasets: random shifts, small rotations, flips, noise and cut-out,
drawn afresh for every training batch with torch tensor ops (no torchvision).

The settings name it as one object, every key optional (absent or 0: off)::

    "augment": {"shift": 2, "rotate": 10, "flip": false, "noise": 0.05, "cutout": 0}

- ``shift``: move each image by a whole number of pixels, up to this many, across and down
  (independently); what moves in from outside is 0.
- ``rotate``: turn each image about its centre by an angle drawn uniformly in +- this many degrees.
- ``flip``: mirror half of the images left to right (right for shapes, wrong for digits: a mirrored
  2 is no digit).
- ``noise``: add Gaussian noise of this standard deviation (in pixel units; images span 0 to 1).
- ``cutout``: set a square of this many pixels a side, at a random place, to 0 (DeVries & Taylor).

Applied in that order, to the training batches only: validation, the probes' samples and
everything the views show are never augmented. The draws come from the augmenter's own generator,
seeded from the run's seed, so the same seed gives the same batches and the run repeats.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from torch.nn import functional as F

from explorer.graph.errors import ParamError
from explorer.graph.params import Param

from .settings import SettingsError

PARAMS = (
    Param("shift", "int", 0, "move each image by up to this many pixels across and down (0 = off)", min=0, max=16),
    Param("rotate", "float", 0.0, "turn each image by up to this many degrees either way (0 = off)", min=0.0,
          max=180.0),
    Param("flip", "bool", False, "mirror half of the images left to right (right for shapes, wrong for digits)"),
    Param("noise", "float", 0.0, "add Gaussian noise of this standard deviation to every pixel (pixels span "
                                 "0 to 1; 0 = off)", min=0.0, max=1.0),
    Param("cutout", "int", 0, "blank a square of this many pixels a side at a random place (0 = off)", min=0,
          max=64),
)
_BY_NAME = {p.name: p for p in PARAMS}
SEED_OFFSET = 0x5EED_A06  # the augmenter's stream differs from the sampler's, which uses the seed itself


def check_augment(value: Any) -> dict[str, Any]:
    """The ``augment`` setting in canonical form (only the keys given), or :class:`SettingsError`
    naming ``augment.<key>``."""
    if not isinstance(value, dict):
        raise SettingsError(f"training setting 'augment' must be an object such as {{\"shift\": 2, \"rotate\": 10}}, "
                            f"not {value!r}", "augment")
    out = {}
    for name, item in value.items():
        param = _BY_NAME.get(name)
        if param is None:
            raise SettingsError(f"training setting 'augment' has no option {name!r}; its options are "
                                f"{', '.join(_BY_NAME)}", "augment")
        try:
            out[name] = param.validate(item, "augment")
        except ParamError as error:
            raise SettingsError(f"training setting 'augment.{name}': {error.message.removeprefix('augment: ')}",
                                f"augment.{name}") from None
    return out


def is_active(options: dict[str, Any]) -> bool:
    """Whether ``options`` change anything (every transform off is no augmentation)."""
    return any(options.get(p.name, p.default) != p.default for p in PARAMS)


class Augmenter:
    """Draws and applies the transforms to batches of images ``[B, C, H, W]``.

    ``sample_shape`` is the dataset's ``[C, H, W]``; anything else is refused with a
    :class:`SettingsError`, as are a shift or cut-out as large as the image.
    """

    def __init__(self, options: dict[str, Any], sample_shape, dataset_name: str, seed: int):
        shape = tuple(int(s) for s in sample_shape)
        if len(shape) != 3:
            raise SettingsError(f"training setting 'augment' works on images [C, H, W], but dataset "
                                f"'{dataset_name}' gives samples of shape {list(shape)}; remove the augmentation "
                                f"or choose an image dataset", "augment")
        self.options = {p.name: options.get(p.name, p.default) for p in PARAMS}
        side = min(shape[1:])
        for name in ("shift", "cutout"):
            if self.options[name] >= side:
                raise SettingsError(f"training setting 'augment.{name}' is {self.options[name]} pixels, but the "
                                    f"images of dataset '{dataset_name}' are {shape[2]}x{shape[1]}; use less than "
                                    f"{side}", f"augment.{name}")
        self.sample_shape = shape
        self.generator = torch.Generator().manual_seed((int(seed) + SEED_OFFSET) % 2**63)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """A new tensor: ``x`` with a fresh draw of every transform that is on, per image."""
        o, g, n = self.options, self.generator, len(x)
        if o["shift"] or o["rotate"]:
            x = _move(x, self._uniform(n, o["rotate"]) * (math.pi / 180),
                      self._whole(n, o["shift"]), self._whole(n, o["shift"]))
        if o["flip"]:
            mirror = (torch.rand(n, generator=g) < 0.5).to(x.device)
            x = torch.where(mirror[:, None, None, None], x.flip(-1), x)
        if o["cutout"]:
            x = _cut_out(x, o["cutout"], self._whole(n, x.shape[2], low=0), self._whole(n, x.shape[3], low=0))
        if o["noise"]:
            x = x + o["noise"] * torch.randn(x.shape, generator=g).to(device=x.device, dtype=x.dtype)
        return x

    def preview(self, sample: np.ndarray, draws: int, seed: int = 0) -> np.ndarray:
        """``draws`` augmented copies of one ``sample`` [C, H, W] as float32 [draws, C, H, W], from a
        generator of their own (the training stream is not disturbed)."""
        kept = self.generator
        self.generator = torch.Generator().manual_seed(seed)
        try:
            batch = torch.from_numpy(np.ascontiguousarray(sample, dtype=np.float32))[None].repeat(draws, 1, 1, 1)
            return self(batch).numpy()
        finally:
            self.generator = kept

    def _uniform(self, n: int, reach: float) -> torch.Tensor:
        return (torch.rand(n, generator=self.generator, dtype=torch.float64) * 2 - 1) * reach

    def _whole(self, n: int, reach: int, low: int | None = None) -> torch.Tensor:
        """Whole numbers in [-reach, reach] (or [low, reach) when ``low`` is given)."""
        start = -reach if low is None else low
        stop = reach + 1 if low is None else reach
        return torch.randint(start, stop, (n,), generator=self.generator)


def _move(x: torch.Tensor, angle: torch.Tensor, dx: torch.Tensor, dy: torch.Tensor) -> torch.Tensor:
    """Rotate each image by ``angle`` (radians, about its centre) and then shift it by ``dx``, ``dy``
    pixels (right, down), sampling bilinearly with zeros outside.

    ``affine_grid`` maps each output pixel to where it samples the input, so the inverse transform
    goes in: rotate by -angle, move back by the shift. In its normalised coordinates (align_corners
    False) a pixel is 2/W wide, and a whole-pixel shift samples pixel centres exactly.
    """
    _, _, h, w = x.shape
    cos, sin = torch.cos(angle), torch.sin(angle)
    # normalised units differ across and down when H != W: rotate in pixel units
    theta = torch.zeros(len(x), 2, 3, dtype=torch.float64)
    theta[:, 0, 0], theta[:, 0, 1] = cos, sin * h / w
    theta[:, 1, 0], theta[:, 1, 1] = -sin * w / h, cos
    shift = torch.stack([dx * (2.0 / w), dy * (2.0 / h)], dim=1).to(torch.float64)
    theta[:, :, 2] = -(theta[:, :, :2] @ shift[:, :, None])[:, :, 0]
    grid = F.affine_grid(theta.to(x.dtype).to(x.device), list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def _cut_out(x: torch.Tensor, side: int, rows: torch.Tensor, cols: torch.Tensor) -> torch.Tensor:
    """Zero a ``side`` x ``side`` square centred on pixel (``rows``, ``cols``) of each image, clipped
    at the border (so near an edge less is cut, as in the paper)."""
    _, _, h, w = x.shape
    top, left = (rows - side // 2).to(x.device), (cols - side // 2).to(x.device)
    r = torch.arange(h, device=x.device)[None, :]
    c = torch.arange(w, device=x.device)[None, :]
    inside_r = (r >= top[:, None]) & (r < top[:, None] + side)   # [B, H]
    inside_c = (c >= left[:, None]) & (c < left[:, None] + side)  # [B, W]
    cut = inside_r[:, :, None] & inside_c[:, None, :]            # [B, H, W]
    return x.masked_fill(cut[:, None], 0.0)
