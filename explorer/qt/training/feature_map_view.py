"""Feature maps: every channel of a chosen image-shaped node for one probe sample, as one mosaic.

All channels are tiled into a single float32 image with explicit levels, drawn by one ImageItem
(STYLE 9). Each channel is scaled to its own range, so weak and strong channels both show their
pattern. The probe sample is drawn beside the mosaic.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from explorer.export.animation import GAP, best_columns, tile_channels  # noqa: F401  (shared with the CLI's GIFs)
from explorer.training.snapshots import FeatureMapSnapshot

from .live_widgets import LiveLayoutWidget
from .marks import Image
from .plotting import background_colours, lookup_table

class FeatureMapView(QWidget):
    """``featureMapView``: the node chooser, the probe sample chooser, the probe and the mosaic."""

    probe_changed = Signal(int)       # the user chose another probe sample
    node_chosen = Signal(str)         # the node whose maps are shown (by the user or the default)
    frame_drawn = Signal(int)         # a mosaic was drawn, for this training step

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("featureMapView")
        self._candidates: list[str] = []
        self._user_choice: str | None = None
        self._latest: FeatureMapSnapshot | None = None
        self._probe_key = None
        self.shown_node: str | None = None
        self.updates = 0  # mosaics drawn, for tests and the benchmark

        self.node_combo = QComboBox(objectName="featureNodeCombo")
        self.node_combo.setToolTip("The layer whose channels are shown; you can also click a layer on the canvas")
        self.node_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.probe_spin = QSpinBox(objectName="probeSpin")
        self.probe_spin.setRange(0, 0)
        self.probe_spin.setToolTip("Which validation sample is fed through the network to draw the maps")
        self.probe_spin.setKeyboardTracking(False)
        self.probe_caption = QLabel(" ", objectName="probeCaption")
        self.probe_caption.setToolTip("The probe sample's label")
        self.caption = QLabel(" ", objectName="featureCaption")
        self.caption.setWordWrap(True)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Layer"))
        row.addWidget(self.node_combo)
        row.addSpacing(8)
        row.addWidget(QLabel("Probe"))
        row.addWidget(self.probe_spin)
        row.addWidget(self.probe_caption)
        row.addStretch(1)

        background, _text = background_colours(self)
        self.graphics = LiveLayoutWidget()
        self.graphics.setObjectName("featureGraphics")
        self.graphics.setBackground(background)
        self.graphics.ci.setContentsMargins(2, 2, 2, 2)
        self.probe_box = self.graphics.addViewBox(row=0, col=0, lockAspect=True, invertY=True, enableMouse=False)
        self.probe_item = Image(axisOrder="row-major")
        self.probe_item.setLookupTable(lookup_table("CET-L1"))
        self.probe_box.addItem(self.probe_item)
        self.mosaic_box = self.graphics.addViewBox(row=0, col=1, lockAspect=True, invertY=True, enableMouse=False)
        self.mosaic_item = Image(axisOrder="row-major")
        self.mosaic_item.setLookupTable(lookup_table("inferno"))
        self.mosaic_box.addItem(self.mosaic_item)
        self.graphics.ci.layout.setColumnStretchFactor(0, 1)
        self.graphics.ci.layout.setColumnStretchFactor(1, 4)
        self._columns_key = None
        self._columns = 1

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.graphics, 1)
        layout.addWidget(self.caption)

        self.node_combo.activated.connect(self._on_node_activated)
        self.probe_spin.valueChanged.connect(self.probe_changed)

    # Choosing ------------------------------------------------------------------------------------

    def set_candidates(self, nodes: list[tuple[str, str]], default: str | None = None) -> None:
        """The nodes with [C, H, W] outputs, as (id, description), and the one to show unless chosen."""
        ids = [n for n, _ in nodes]
        self._candidates = ids
        if self._user_choice not in ids:
            self._user_choice = None
        self.node_combo.blockSignals(True)
        self.node_combo.clear()
        for node_id, description in nodes:
            self.node_combo.addItem(node_id, node_id)
            self.node_combo.setItemData(self.node_combo.count() - 1, description, Qt.ItemDataRole.ToolTipRole)
        self.node_combo.blockSignals(False)
        self._default = default if default in ids else (ids[0] if ids else None)
        self._select(self._user_choice or self._default)

    def choose_node(self, node_id: str) -> bool:
        """Show ``node_id`` (a canvas click or the list); False if it has no feature maps."""
        if node_id not in self._candidates:
            return False
        self._user_choice = node_id
        self._select(node_id)
        return True

    def _on_node_activated(self, index: int) -> None:
        self.choose_node(self.node_combo.itemData(index))

    def _select(self, node_id: str | None) -> None:
        if node_id is None:
            self.shown_node = None
            return
        index = self.node_combo.findData(node_id)
        if index >= 0 and self.node_combo.currentIndex() != index:
            self.node_combo.blockSignals(True)
            self.node_combo.setCurrentIndex(index)
            self.node_combo.blockSignals(False)
        if node_id != self.shown_node:
            self.shown_node = node_id
            self.node_chosen.emit(node_id)
            if self._latest is not None:
                self.show_snapshot(self._latest)

    def set_probe_range(self, count: int, index: int = 0) -> None:
        self.probe_spin.blockSignals(True)
        self.probe_spin.setRange(0, max(0, count - 1))
        self.probe_spin.setValue(min(index, max(0, count - 1)))
        self.probe_spin.blockSignals(False)

    # Drawing -------------------------------------------------------------------------------------

    def show_snapshot(self, snap: FeatureMapSnapshot) -> None:
        self._latest = snap
        self._show_probe(snap)
        node = self.shown_node if self.shown_node in snap.maps else None
        if node is None:
            return
        maps = snap.maps[node]
        c, h, w = maps.shape
        box = self.mosaic_box.rect()
        aspect = box.width() / box.height() if box.height() > 0 else 2.0
        key = (c, h, w, round(aspect, 1))
        if key != self._columns_key:
            self._columns_key = key
            self._columns = best_columns(c, h, w, aspect)
        mosaic = tile_channels(maps, self._columns)
        reshaped = self.mosaic_item.image is None or self.mosaic_item.image.shape != mosaic.shape
        self.mosaic_item.setImage(mosaic, levels=(0.0, 1.0), autoLevels=False)
        if reshaped:
            self.mosaic_box.autoRange(padding=0.01)
        caption = (f"{node}: {c} channel{'s' if c != 1 else ''} of {h}×{w} for the probe on the left, "
                   "each scaled to its own range")
        if self.caption.text() != caption:  # a new text relays out the view: only when the node changes
            self.caption.setText(caption)
        self.updates += 1
        self.frame_drawn.emit(snap.step)

    def _show_probe(self, snap: FeatureMapSnapshot) -> None:
        key = (snap.probe_index, snap.probe_label, np.shape(snap.probe_image))
        if key == self._probe_key:  # the same sample: nothing to redraw (ten times a second)
            return
        self._probe_key = key
        image = np.asarray(snap.probe_image, dtype=np.float32)
        if image.ndim == 3 and image.shape[0] == 1:
            image = image[0]
        elif image.ndim == 3 and image.shape[0] == 3:
            image = np.moveaxis(image, 0, -1)
        elif image.ndim == 3:
            image = image.mean(axis=0)
        finite = image[np.isfinite(image)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if hi - lo < 1e-12:
            hi = lo + 1.0
        reshaped = self.probe_item.image is None or self.probe_item.image.shape != image.shape
        self.probe_item.setImage(image, levels=(lo, hi), autoLevels=False)
        if reshaped:
            self.probe_box.autoRange(padding=0.02)
        self.probe_caption.setText(f"label: {snap.probe_label}" if snap.probe_label else "")

    def clear(self) -> None:
        self._latest = None
        self._probe_key = None
        self.mosaic_item.clear()
        self.probe_item.clear()
        self.caption.setText(" ")
        self.probe_caption.setText(" ")

    @property
    def has_candidates(self) -> bool:
        """True when some layer of the network gives image-shaped output."""
        return bool(self._candidates)

    @property
    def mosaic(self) -> np.ndarray | None:
        """The mosaic on screen (for tests)."""
        return self.mosaic_item.image

    def resizeEvent(self, event) -> None:  # noqa: N802  (Qt's name)
        super().resizeEvent(event)
        if self._latest is not None:
            self.show_snapshot(self._latest)
