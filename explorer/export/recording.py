"""Recording a headless run's pictures as an animation: ``nn-explorer train FILE --record VIEW --gif OUT``.

A :class:`Recorder` watches the snapshots the CLI consumes and takes a frame every ``every`` steps:
the feature maps of one node for the probe sample (asked of the trainer between steps, so the
frames fall on the same steps every time), or the gradient heatmap as it builds up over the run.
Frames are kept as numbers and drawn once at the end (:mod:`.animation`), when the gradient
heatmap's colour levels are known for the whole run. No Qt.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..training.snapshots import StepSnapshot
from .animation import feature_map_frame, heat_columns, heatmap_animation
from .errors import ExportError

VIEWS = ("feature_maps", "gradients")
VIEW_HELP = "feature_maps[:NODE] (a layer's maps for the probe sample) or gradients (the per-layer heatmap)"
HEAT_COLUMNS = 120  # the heatmap's step axis in an animation, in columns
FLOOR = 1e-12       # gradients below this (zero included) are drawn as this


@dataclass(frozen=True)
class RecordChoice:
    """What ``--record`` asked for: a view and, for feature maps, the node."""

    view: str
    node: str | None = None


def parse_record(text: str) -> RecordChoice:
    """``"feature_maps:conv1"`` or ``"gradients"`` as a :class:`RecordChoice`; ExportError names a bad view."""
    view, _, node = text.strip().partition(":")
    if view not in VIEWS:
        raise ExportError(f"--record: unknown view '{view}'; choose {VIEW_HELP}")
    if view == "gradients" and node:
        raise ExportError(f"--record: the gradients view takes no node ('{text}'); write --record gradients")
    return RecordChoice(view, node or None)


class Recorder:
    """Frames of one view over a run of ``total_steps`` steps, about ``frames`` of them."""

    def __init__(self, choice: RecordChoice, trainer, total_steps: int, frames: int = 60) -> None:
        self.choice = choice
        self.trainer = trainer
        self.every = max(1, math.ceil(max(1, total_steps) / max(1, frames)))
        self.node = self._check_node(choice, trainer)
        self._maps: list[tuple[int, np.ndarray]] = []
        self._layers: list[str] | None = None
        self._logs: list[np.ndarray] = []
        self._marks: list[int] = []   # steps at which a gradient frame is taken
        if self.node is not None:
            self._take_maps(0)        # the initial weights' maps: where the run starts from

    @staticmethod
    def _check_node(choice: RecordChoice, trainer) -> str | None:
        if choice.view != "feature_maps":
            return None
        nodes = trainer.map_nodes
        if not nodes:
            raise ExportError("--record feature_maps: no layer of this network gives image-shaped output [C, H, W]")
        if choice.node is None:
            return nodes[0]
        if choice.node not in nodes:
            raise ExportError(f"--record feature_maps:{choice.node}: no layer '{choice.node}' with feature maps; "
                              f"these have them: {', '.join(nodes)}")
        return choice.node

    def on_step(self, snap: StepSnapshot) -> None:
        """After each step: keep its gradient norms; take a frame every ``every`` steps."""
        due = snap.step % self.every == 0 or snap.step >= snap.total_steps
        if self.choice.view == "gradients":
            if self._layers is None:
                self._layers = list(snap.grad_norms)
            values = np.array([snap.grad_norms.get(name, math.nan) for name in self._layers], dtype=np.float64)
            with np.errstate(invalid="ignore", divide="ignore"):
                self._logs.append(np.where(np.isfinite(values), np.log10(np.maximum(values, FLOOR)), np.nan)
                                  .astype(np.float32))
            if due:
                self._marks.append(snap.step)
        elif due:
            self._take_maps(snap.step)

    def _take_maps(self, step: int) -> None:
        picture = self.trainer.probe_feature_maps()
        if picture is not None and self.node in picture.maps:
            self._maps.append((step, np.asarray(picture.maps[self.node], dtype=np.float32).copy()))

    @property
    def frame_count(self) -> int:
        return len(self._maps) if self.choice.view == "feature_maps" else len(self._marks)

    def frames(self, size: int = 480) -> list[tuple[int, np.ndarray]]:
        """The frames as (step, RGB uint8 [H, W, 3]), all of one size."""
        if self.choice.view == "feature_maps":
            return [(step, feature_map_frame(maps, size)) for step, maps in self._maps]
        if not self._logs:
            return []
        logs = np.stack(self._logs, axis=1)  # [layers, steps]
        heat = heat_columns(logs, HEAT_COLUMNS)
        steps, columns = logs.shape[1], heat.shape[1]
        return heatmap_animation(heat, [(step, math.ceil(step * columns / steps)) for step in self._marks], size)
