"""Attention maps: what each head of each attention layer looks at, for one probe sequence.

Each map is T x T: row i is the query position i, column j the key position j, the colour the
weight i gives to j (each row sums to 1). The probe's tokens label both axes. Choose a layer and a
head, or "all heads" for a mosaic of the layer's heads (a near-square grid, row by row); hovering over a cell names the
head, the two positions and their tokens, and the weight. One ImageItem draws whatever is chosen
(STYLE 9: a mosaic, not an item per head); ``shown`` holds the weights it draws, NaN in the gaps.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from explorer.training.snapshots import SequenceSnapshot

from .plotting import lookup_table, plot_widget, style_plot

ALL_HEADS = -1
GAP = 1        # cells between the heads of a mosaic
MAX_TICKS = 24  # token labels per axis before they thin out


def grid_of(heads: int) -> tuple[int, int]:
    """(columns, rows) of the mosaic of ``heads`` maps: as square as it gets, wider than tall."""
    columns = int(np.ceil(np.sqrt(heads)))
    return columns, int(np.ceil(heads / columns))


def mosaic(maps: np.ndarray) -> np.ndarray:
    """The heads' ``[H, T, T]`` maps tiled row by row into one array, :data:`GAP` NaN cells between them."""
    heads, t = maps.shape[0], maps.shape[-1]
    columns, rows = grid_of(heads)
    out = np.full((rows * (t + GAP) - GAP, columns * (t + GAP) - GAP), np.nan, dtype=np.float32)
    for h in range(heads):
        r, c = divmod(h, columns)
        out[r * (t + GAP):r * (t + GAP) + t, c * (t + GAP):c * (t + GAP) + t] = maps[h]
    return out


class AttentionView(QWidget):
    """``attentionView``: ``attentionLayer`` and ``attentionHead`` choices over ``attentionPlot``, and
    ``attentionHover`` saying what is under the mouse."""

    frame_drawn = Signal(int)  # the chosen map was drawn, for this training step

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attentionView")
        self.updates = 0
        self.snapshot: SequenceSnapshot | None = None
        self.shown: np.ndarray | None = None      # the weights drawn: [T, T] or the mosaic, NaN in the gaps
        self._layout_key: tuple | None = None
        self._ticks_key: tuple | None = None

        self.layer_box = QComboBox(objectName="attentionLayer")
        self.layer_box.setToolTip("The attention layer whose maps are drawn")
        self.head_box = QComboBox(objectName="attentionHead")
        self.head_box.setToolTip("One head, or all the layer's heads side by side")
        self.layer_box.currentIndexChanged.connect(self._on_layer_changed)
        self.head_box.currentIndexChanged.connect(self._on_head_changed)
        self.widget = plot_widget("attentionPlot", self)
        self.plot = self.widget.getPlotItem()
        style_plot(self.plot, self, left="query position (token)", bottom="key position (token)")
        self.plot.invertY(True)
        self.plot.setAspectLocked(True)
        self.plot.hideButtons()
        self.plot.setMouseEnabled(x=False, y=False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(lookup_table("CET-L1")[::-1].copy())  # dark = much attention
        self.plot.addItem(self.image)
        self.hover = QLabel(" ", objectName="attentionHover")
        self.caption = QLabel(" ", objectName="attentionCaption")
        self.caption.setWordWrap(True)
        self.widget.scene().sigMouseMoved.connect(self._on_mouse_moved)

        choices = QHBoxLayout()
        choices.addWidget(QLabel("Layer"))
        choices.addWidget(self.layer_box, 1)
        choices.addWidget(QLabel("Head"))
        choices.addWidget(self.head_box, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(choices)
        layout.addWidget(self.widget, 1)
        layout.addWidget(self.hover)
        layout.addWidget(self.caption)
        self.clear()

    # Choices -------------------------------------------------------------------------------------

    @property
    def layer(self) -> str | None:
        return self.layer_box.currentData()

    @property
    def head(self) -> int:
        data = self.head_box.currentData()
        return ALL_HEADS if data is None else int(data)

    def choose(self, layer: str, head: int = ALL_HEADS) -> None:
        """Show ``layer``'s ``head`` (:data:`ALL_HEADS`: the mosaic)."""
        i = self.layer_box.findData(layer)
        if i >= 0:
            self.layer_box.setCurrentIndex(i)
        j = self.head_box.findData(head)
        if j >= 0:
            self.head_box.setCurrentIndex(j)
        self._draw()

    def _set_layers(self, layers: list[str], heads: dict[str, int]) -> None:
        key = tuple((name, heads[name]) for name in layers)
        if key == self._layout_key:
            return
        self._layout_key = key
        current, head = self.layer, self.head
        self.layer_box.blockSignals(True)
        self.layer_box.clear()
        for name in layers:
            self.layer_box.addItem(f"{name} ({heads[name]} heads)", name)
        # the last layer first: that is where a task's pattern shows most clearly
        self.layer_box.setCurrentIndex(layers.index(current) if current in layers else len(layers) - 1)
        self.layer_box.blockSignals(False)
        self._fill_heads(head)

    def _fill_heads(self, keep: int = ALL_HEADS) -> None:
        count = self._heads_of(self.layer)
        self.head_box.blockSignals(True)
        self.head_box.clear()
        self.head_box.addItem("all heads", ALL_HEADS)
        for h in range(count):
            self.head_box.addItem(f"head {h + 1}", h)
        self.head_box.setCurrentIndex(max(0, self.head_box.findData(keep if keep < count else ALL_HEADS)))
        self.head_box.blockSignals(False)

    def _heads_of(self, layer: str | None) -> int:
        if self.snapshot is None or layer not in self.snapshot.attention:
            return 0
        return int(self.snapshot.attention[layer].shape[0])

    def _on_layer_changed(self, _index: int) -> None:
        self._fill_heads(self.head)
        self._draw()

    def _on_head_changed(self, _index: int) -> None:
        self._draw()

    # Drawing -------------------------------------------------------------------------------------

    def show_snapshot(self, snap: SequenceSnapshot) -> None:
        if not snap.attention:
            return
        self.snapshot = snap
        layers = list(snap.attention)
        self._set_layers(layers, {name: int(snap.attention[name].shape[0]) for name in layers})
        self._draw()
        self.updates += 1
        self.frame_drawn.emit(snap.step)

    def weights(self, layer: str, head: int) -> np.ndarray:
        """The latest snapshot's ``[T, T]`` map of ``layer``'s ``head``."""
        return self.snapshot.attention[layer][head]

    def _draw(self) -> None:
        snap, layer = self.snapshot, self.layer
        if snap is None or layer not in snap.attention:
            return
        maps = np.asarray(snap.attention[layer], dtype=np.float32)
        heads, t = maps.shape[0], maps.shape[-1]
        if self.head == ALL_HEADS:
            shown, tiles = mosaic(maps), heads
        else:
            shown, tiles = maps[min(self.head, heads - 1)], 1
        self.shown = shown
        top = float(np.nanmax(shown)) if np.isfinite(shown).any() else 1.0
        self.image.setImage(np.nan_to_num(shown, nan=0.0), levels=(0.0, max(top, 1e-6)), autoLevels=False)
        self.image.setRect(0, 0, shown.shape[1], shown.shape[0])
        self.plot.setRange(xRange=(0, shown.shape[1]), yRange=(0, shown.shape[0]), padding=0.02)
        self._set_ticks(snap.tokens[:t], t, tiles)
        which = "all heads" if tiles > 1 else f"head {self.head + 1}"
        self.caption.setText(f"step {snap.step}: {layer}, {which}. Row i: where position i looks; darker = more "
                             f"weight (the darkest cell of these maps is {top:.2f}).")

    def _set_ticks(self, tokens: list[str], t: int, tiles: int) -> None:
        key = (tuple(tokens), t, tiles)
        if key == self._ticks_key:  # axis labels are the costly part of a repaint: only when they change
            return
        self._ticks_key = key
        columns, rows = grid_of(tiles)
        every = max(1, -(-t * max(columns, rows) // MAX_TICKS))  # a mosaic's tiles share the labels' room
        label = (lambda i: tokens[i] if i < len(tokens) else "") if tiles > 1 else \
            (lambda i: f"{i}:{tokens[i] if i < len(tokens) else ''}")
        self.plot.getAxis("left").setTicks([[(r * (t + GAP) + i + 0.5, label(i))
                                             for r in range(rows) for i in range(0, t, every)]])
        self.plot.getAxis("bottom").setTicks([[(c * (t + GAP) + j + 0.5, label(j))
                                               for c in range(columns) for j in range(0, t, every)]])

    def describe(self, column: int, row: int) -> str | None:
        """What the cell at ``column``, ``row`` of the drawn map holds, as the hover line says it."""
        snap, shown = self.snapshot, self.shown
        if snap is None or shown is None or not (0 <= row < shown.shape[0] and 0 <= column < shown.shape[1]):
            return None
        value = shown[row, column]
        if not np.isfinite(value):
            return None
        if self.head == ALL_HEADS:
            t = self.snapshot.attention[self.layer].shape[-1]
            columns, _rows = grid_of(self.snapshot.attention[self.layer].shape[0])
            tile_row, row = divmod(row, t + GAP)
            tile_column, key = divmod(column, t + GAP)
            head = tile_row * columns + tile_column
        else:
            head, key = self.head, column
        token = lambda i: snap.tokens[i] if i < len(snap.tokens) else "?"  # noqa: E731
        return (f"head {head + 1}: position {row} ({token(row)}) attends to position {key} ({token(key)}) "
                f"with weight {value:.3f}")

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        if self.shown is None or not self.plot.sceneBoundingRect().contains(scene_pos):
            return
        point = self.plot.getViewBox().mapSceneToView(scene_pos)
        text = self.describe(int(np.floor(point.x())), int(np.floor(point.y())))
        self.hover.setText(text or " ")

    def clear(self) -> None:
        self.snapshot, self.shown, self._layout_key, self._ticks_key = None, None, None, None
        self.layer_box.blockSignals(True)
        self.head_box.blockSignals(True)
        self.layer_box.clear()
        self.head_box.clear()
        self.layer_box.blockSignals(False)
        self.head_box.blockSignals(False)
        self.image.clear()
        self.hover.setText(" ")
        self.caption.setText("The attention maps appear a few steps into training; hover over a cell for its weight.")
