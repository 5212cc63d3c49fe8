"""An autoencoder at work: validation samples over their reconstructions, and the 2-D codes by class.

Images are tiled into one mosaic (originals in the top rows, their reconstructions under them) drawn
by one ImageItem with explicit levels; 1-D samples are drawn side by side as two curves (originals,
reconstructions). When the code layer has two units, the validation set's codes are one
ScatterPlotItem coloured by class, with a one-line legend of coloured class names over it (a
legend inside so small a plot would hide its points): the classes pulling apart as the
autoencoder learns is the picture a lecture wants. The samples sit over the codes, both as wide as
the tab.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from explorer.training.snapshots import ReconstructionSnapshot

from .live_widgets import LiveLayoutWidget
from .marks import Image
from .plotting import (CLASS_COLOURS, LOSS, SMOOTH, background_colours, lookup_table, pen, plot_widget, sticky_range,
                       style_plot)
from .sample_grid import as_images, image_levels, side_by_side, stack_mosaics, tile_images

MAX_COLUMNS = 8       # samples per row of the mosaic
CODE_SIZE = 6         # pixels per code point
NO_CODES = "The codes are drawn when the code layer has 2 units."


class ReconstructionView(QWidget):
    """``reconstructionView``: ``reconstructionImage`` (or ``reconstructionCurves``) over ``codePlot``
    and its legend ``codeLegend``."""

    frame_drawn = Signal(int)  # the samples and codes were drawn, for this training step

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reconstructionView")
        self.updates = 0
        self._class_names: list[str] | None = None
        self._levels: tuple[float, float] | None = None
        self._code_range: tuple[tuple[float, float] | None, tuple[float, float] | None] = (None, None)
        self._legend_classes: tuple = ()

        background, _text = background_colours(self)
        # Images: one ImageItem in an aspect-locked box, row 0 at the top.
        self.image_widget = LiveLayoutWidget()
        self.image_widget.setObjectName("reconstructionImage")
        self.image_widget.setBackground(background)
        self.image_widget.ci.setContentsMargins(2, 2, 2, 2)
        self.image_box = self.image_widget.addViewBox(lockAspect=True, invertY=True, enableMouse=False)
        self.image = Image(axisOrder="row-major")
        self.image.setLookupTable(lookup_table("CET-L1"))
        self.image_box.addItem(self.image)
        # 1-D samples: originals and reconstructions as two curves, samples side by side.
        self.curve_widget = plot_widget("reconstructionCurves", self)
        self.curve_plot = self.curve_widget.getPlotItem()
        style_plot(self.curve_plot, self, bottom="sample")
        self.curve_plot.hideButtons()
        legend = self.curve_plot.addLegend(offset=(-10, 10))
        legend.setLabelTextColor(self.palette().text().color())
        self.original_curve = pg.PlotDataItem(pen=pen(SMOOTH, width=2), connect="finite", name="original")
        self.reconstructed_curve = pg.PlotDataItem(pen=pen(LOSS, width=2), connect="finite", name="reconstruction")
        self.curve_plot.addItem(self.original_curve)
        self.curve_plot.addItem(self.reconstructed_curve)
        self.curve_widget.hide()
        self.samples_caption = QLabel("Validation samples, and under them what the autoencoder gives back",
                                      objectName="reconstructionCaption")
        self.samples_caption.setWordWrap(True)

        # Codes: one scatter, a brush per class, a legend with one entry per class.
        self.code_widget = plot_widget("codePlot", self)
        self.code_plot = self.code_widget.getPlotItem()
        style_plot(self.code_plot, self, left="code 2", bottom="code 1")
        self.code_plot.disableAutoRange()
        self.code_plot.hideButtons()
        self.code_legend = QLabel(" ", objectName="codeLegend")
        self.code_legend.setTextFormat(Qt.TextFormat.RichText)
        self.code_legend.setWordWrap(True)
        self.code_legend.setToolTip("The colour of each class in the plot of the codes")
        self.legend_names: list[str] = []  # the classes the legend names, in its order (for tests)
        self.codes = pg.ScatterPlotItem(size=CODE_SIZE, pen=None)
        self.code_plot.addItem(self.codes)
        self.code_note = QLabel(NO_CODES, objectName="codeNote")
        self.code_note.setWordWrap(True)
        self._brushes = [pg.mkBrush(colour) for colour in CLASS_COLOURS]
        self._plain_brush = pg.mkBrush(SMOOTH)

        small = self.font()
        small.setPointSizeF(small.pointSizeF() * 0.9)
        for label in (self.samples_caption, self.code_legend, self.code_note):
            label.setFont(small)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.image_widget, 2)
        layout.addWidget(self.curve_widget, 2)
        layout.addWidget(self.samples_caption)
        layout.addWidget(self.code_legend)
        layout.addWidget(self.code_widget, 3)
        layout.addWidget(self.code_note)
        for widget in (self.image_widget, self.curve_widget, self.code_widget):
            widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.clear()

    def set_class_names(self, names: list[str] | None) -> None:
        """The dataset's class names, for the legend of the codes (None: numbered)."""
        self._class_names = list(names) if names else None
        self._legend_classes = ()

    # Drawing -------------------------------------------------------------------------------------

    def show_snapshot(self, snap: ReconstructionSnapshot) -> None:
        self._show_samples(np.asarray(snap.originals, np.float32), np.asarray(snap.reconstructions, np.float32))
        self._show_codes(snap)
        self.updates += 1
        self.frame_drawn.emit(snap.step)

    def _show_samples(self, originals: np.ndarray, reconstructions: np.ndarray) -> None:
        top, bottom = as_images(originals), as_images(reconstructions)
        if top is not None and bottom is not None and originals.shape[1:] != (2,):
            columns = min(MAX_COLUMNS, len(top))
            mosaic = stack_mosaics(tile_images(top, columns), tile_images(bottom, columns))
            if self._levels is None:  # the originals are the same samples all run: their range holds
                self._levels = image_levels(top)
            reshaped = self.image.image is None or self.image.image.shape != mosaic.shape
            self.image.setImage(mosaic, levels=self._levels, autoLevels=False)
            if reshaped:
                self.image_box.autoRange(padding=0.01)
            self._show_mode(images=True)
            return
        x, y = side_by_side(originals)
        self.original_curve.setData(x, y)
        x, y = side_by_side(reconstructions)
        self.reconstructed_curve.setData(x, y)
        if not self.curve_widget.isVisibleTo(self):
            self.curve_plot.enableAutoRange()
        self._show_mode(images=False)

    def _show_mode(self, images: bool) -> None:
        if self.image_widget.isHidden() == images:
            self.image_widget.setVisible(images)
            self.curve_widget.setVisible(not images)
            self.samples_caption.setText("Validation samples, and under them what the autoencoder gives back"
                                         if images else
                                         "Validation samples (blue) and what the autoencoder gives back (orange)")

    def _show_codes(self, snap: ReconstructionSnapshot) -> None:
        codes = snap.codes
        if codes is None or np.asarray(codes).ndim != 2 or np.asarray(codes).shape[1] != 2:
            self.codes.setData([])
            self.code_note.setText(NO_CODES if snap.code_node is None
                                   else f"The code layer '{snap.code_node}' has more than 2 units: "
                                        "its codes are not drawn.")
            return
        codes = np.asarray(codes, dtype=np.float64)
        labels = None if snap.code_labels is None else np.asarray(snap.code_labels, dtype=np.int64)
        if labels is not None and len(labels) == len(codes):
            brushes = [self._brushes[int(c) % len(self._brushes)] for c in labels]
            self._update_legend(np.unique(labels))
        else:
            brushes = self._plain_brush
            self._update_legend(np.empty(0, dtype=np.int64))
        self.codes.setData(x=codes[:, 0], y=codes[:, 1], brush=brushes)
        self._update_code_range(codes)
        self.code_note.setText(f"The validation set's codes at '{snap.code_node or 'the code layer'}'")

    def _update_legend(self, classes: np.ndarray) -> None:
        key = tuple(int(c) for c in classes)
        if key == self._legend_classes:
            return
        self._legend_classes = key
        self.legend_names = [self._class_names[c] if self._class_names and 0 <= c < len(self._class_names)
                             else str(c) for c in key]
        entries = [f'<span style="color:{CLASS_COLOURS[c % len(CLASS_COLOURS)].name()}">&#9679;</span>{name}'
                   for c, name in zip(key, self.legend_names)]
        self.code_legend.setText(" ".join(entries) if entries else " ")

    def _update_code_range(self, codes: np.ndarray) -> None:
        finite = codes[np.isfinite(codes).all(axis=1)]
        if not finite.size:
            return
        x_range, y_range = self._code_range
        new_x = sticky_range(x_range, float(finite[:, 0].min()), float(finite[:, 0].max()), pad=0.1)
        new_y = sticky_range(y_range, float(finite[:, 1].min()), float(finite[:, 1].max()), pad=0.1)
        if new_x is not None or new_y is not None:
            self._code_range = (new_x or x_range, new_y or y_range)
            self.code_plot.setRange(xRange=self._code_range[0], yRange=self._code_range[1], padding=0)

    def clear(self) -> None:
        self.image.clear()
        self.original_curve.setData([], [])
        self.reconstructed_curve.setData([], [])
        self.codes.setData([])
        self.code_legend.setText(" ")
        self.legend_names = []
        self._legend_classes = ()
        self._levels = None
        self._code_range = (None, None)
        self.code_note.setText(NO_CODES)

    @property
    def mosaic(self) -> np.ndarray | None:
        """The mosaic on screen (for tests)."""
        return self.image.image

