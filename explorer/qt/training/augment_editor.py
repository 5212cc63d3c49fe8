"""The augmentation settings in the form: a summary that opens onto the five options and a preview
grid of one training sample under several draws.

The editor shows an ``augment`` dict and says when the user edits it (``changed``); it never writes
to the document. The preview uses the engine's own :class:`~explorer.training.augment.Augmenter`,
so what it shows is what training does; its draws come from a generator of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (QCheckBox, QDoubleSpinBox, QFormLayout, QLabel, QSpinBox, QToolButton, QVBoxLayout,
                               QWidget)

from explorer.training.augment import PARAMS, Augmenter
from explorer.training.settings import SettingsError

from .sample_grid import as_images, image_levels, tile_images

DRAWS = 7          # after the original: a grid of 2 rows of 4
COLUMNS = 4
TILE_PIXELS = 48   # a tile is drawn about this wide, in whole-pixel steps
UNITS = {"shift": " px", "rotate": "°", "cutout": " px"}


def summary(values: dict[str, Any]) -> str:
    """The options that are on, briefly ("shift 2 px, rotate 10°, flip"), or "off"."""
    parts = []
    for param in PARAMS:
        value = values.get(param.name, param.default)
        if value == param.default:
            continue
        parts.append(param.name if param.type == "bool" else f"{param.name} {value:g}{UNITS.get(param.name, '')}")
    return ", ".join(parts) or "off"


class AugmentEditor(QWidget):
    """``augmentEditor``: a toggle (``augmentToggle``) showing the summary, and under it the options
    (``augment_<name>``) and the preview (``augmentPreview``)."""

    changed = Signal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("augmentEditor")
        self.sample_loader: Callable[[], np.ndarray | None] | None = None  # the first training sample
        self._sample: np.ndarray | None = None
        self._stale = True
        self._values: dict[str, Any] = {}
        self.toggle = QToolButton(objectName="augmentToggle", checkable=True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.setAutoRaise(True)
        self.toggle.setToolTip("Random changes to every training image (never to validation), drawn afresh each "
                               "batch from the seed: click to edit them and preview one sample")
        self.body = QWidget(objectName="augmentBody")
        options = QFormLayout(self.body)
        options.setContentsMargins(12, 0, 0, 0)
        self.widgets: dict[str, QWidget] = {}
        for param in PARAMS:
            widget = self._widget_for(param)
            widget.setObjectName(f"augment_{param.name}")
            widget.setToolTip(param.help)
            self.widgets[param.name] = widget
            options.addRow(param.name, widget)
        self.preview = QLabel(objectName="augmentPreview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignLeft)
        self.preview.setToolTip("The first training sample (top left) and seven draws of the augmentation")
        self.note = QLabel(objectName="augmentNote", wordWrap=True)
        options.addRow(self.preview)
        options.addRow(self.note)
        self.body.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.toggle)
        layout.addWidget(self.body)
        self.toggle.toggled.connect(self._on_toggled)
        self.set_values({})

    def _widget_for(self, param) -> QWidget:
        if param.type == "bool":
            box = QCheckBox()
            box.toggled.connect(lambda v, n=param.name: self._on_value_changed(n, bool(v)))
            return box
        if param.type == "int":
            box = QSpinBox()
        else:  # degrees to a tenth, noise to a thousandth
            box = QDoubleSpinBox(decimals=3 if param.max <= 1 else 1, singleStep=0.01 if param.max <= 1 else 1)
        box.setRange(param.min, param.max)
        box.setKeyboardTracking(False)
        box.setSpecialValueText("off")  # at the minimum, 0
        box.setSuffix(UNITS.get(param.name, ""))
        kind = int if param.type == "int" else float
        box.valueChanged.connect(lambda v, n=param.name, k=kind: self._on_value_changed(n, k(v)))
        return box

    # Showing and reading -------------------------------------------------------------------------

    def set_values(self, values: dict[str, Any]) -> None:
        """Show ``values`` (the ``augment`` setting); not an edit."""
        self._values = dict(values) if isinstance(values, dict) else {}
        for param in PARAMS:
            widget = self.widgets[param.name]
            widget.blockSignals(True)
            value = self._values.get(param.name, param.default)
            try:
                if param.type == "bool":
                    widget.setChecked(bool(value))
                else:
                    widget.setValue(value)
            except TypeError:
                pass  # a bad value in a file: the trainer names it when asked to train
            widget.blockSignals(False)
        self._update_summary()
        self._show_preview()

    def values(self) -> dict[str, Any]:
        """The ``augment`` setting shown: only the options that are on ({} when none is)."""
        return dict(self._values)

    def sample_changed(self) -> None:
        """The dataset or its split may have changed: load the sample again before the next preview."""
        self._stale = True
        self._show_preview()

    def set_sample(self, sample: np.ndarray | None) -> None:
        """Preview with this sample [C, H, W] (None: no image to show)."""
        self._sample, self._stale = sample, False
        self._show_preview()

    @property
    def expanded(self) -> bool:
        return self.toggle.isChecked()

    # Edits ---------------------------------------------------------------------------------------

    def _on_value_changed(self, name: str, value: Any) -> None:
        default = next(p.default for p in PARAMS if p.name == name)
        if value == default:
            self._values.pop(name, None)
        else:
            self._values[name] = value
        self._update_summary()
        self._show_preview()
        self.changed.emit(self.values())

    def _on_toggled(self, on: bool) -> None:
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        self.body.setVisible(on)
        self._show_preview()

    def _update_summary(self) -> None:
        self.toggle.setText(f"Augmentation: {summary(self._values)}")

    # The preview ---------------------------------------------------------------------------------

    def _show_preview(self) -> None:
        """Draw the grid, if the editor is open (loading the sample costs a dataset load)."""
        if not self.expanded:
            return
        if self._stale and self.sample_loader is not None:
            self._sample, self._stale = self.sample_loader(), False
        sample = self._sample
        if sample is None or np.ndim(sample) != 3:
            self._clear_preview("The preview shows a sample of an image dataset.")
            return
        try:
            augmenter = Augmenter(self._values, sample.shape, "this", seed=0)
        except SettingsError as error:
            self._clear_preview(error.message)
            return
        draws = augmenter.preview(sample, DRAWS, seed=0)
        tiles = as_images(np.concatenate([sample[None].astype(np.float32), draws]))
        # the sample's own levels: noise beyond them clips, as the data's scale stays put
        self.preview.setPixmap(_pixmap(tile_images(tiles, COLUMNS), image_levels(tiles[:1]), tiles.shape[1]))
        self.note.setText("Top left: the sample as it is; then seven draws." if self._values else
                          "Augmentation is off: every draw is the sample itself.")

    def _clear_preview(self, text: str) -> None:
        self.preview.clear()
        self.note.setText(text)


def _pixmap(mosaic: np.ndarray, levels: tuple[float, float], tile_height: int) -> QPixmap:
    """A float mosaic (NaN gaps) as a pixmap scaled by a whole factor, pixels kept sharp."""
    lo, hi = levels
    scaled = np.clip((mosaic - lo) / (hi - lo), 0.0, 1.0)
    pixels = np.where(np.isfinite(mosaic), scaled * 255, 200).astype(np.uint8)  # gaps: light grey
    pixels = np.ascontiguousarray(pixels)
    height, width = pixels.shape[:2]
    if pixels.ndim == 3:
        image = QImage(pixels.data, width, height, 3 * width, QImage.Format.Format_RGB888)
    else:
        image = QImage(pixels.data, width, height, width, QImage.Format.Format_Grayscale8)
    factor = max(1, round(TILE_PIXELS / max(1, tile_height)))
    return QPixmap.fromImage(image.copy()).scaled(width * factor, height * factor,
                                                  Qt.AspectRatioMode.IgnoreAspectRatio,
                                                  Qt.TransformationMode.FastTransformation)
