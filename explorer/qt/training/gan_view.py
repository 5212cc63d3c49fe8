"""A GAN at work: where the generator puts its samples, and what the discriminator believes.

For 2-D data: the real points and the generated points on one plot, over the discriminator's output
D(x) on the plane as a background field (one ImageItem with explicit levels, a colour bar saying
what its colours mean). For images: a grid of samples from the same fixed noise at every update, so
the student watches the same faces (digits) take shape. Every item is made once, updated in place.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from explorer.training.snapshots import GanSnapshot

from .feature_map_view import best_columns
from .live_widgets import LiveLayoutWidget
from .marks import Image
from .plotting import background_colours, lookup_table, plot_widget, style_plot
from .sample_grid import as_images, image_levels, tile_images

REAL = QColor("#0877bd")       # real data: blue
GENERATED = QColor("#e8710a")  # the generator's samples: orange
FIELD_HELP = "background: D(x), the discriminator's belief that a point is real"


def field_colour_map() -> pg.ColorMap:
    """D(x) from 0 ("fake", pale rose) through white (can't tell, 0.5) to 1 ("real", pale green)."""
    return pg.ColorMap([0.0, 0.5, 1.0], [QColor("#f2b8b5"), QColor("#f8f8f8"), QColor("#a8dab5")])


class GanView(QWidget):
    """``ganView``: ``ganPlot`` (points over the field, 2-D data) or ``ganSamples`` (image grid)."""

    frame_drawn = Signal(int)  # the samples were drawn, for this training step

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ganView")
        self.updates = 0
        self._extent: tuple[float, float, float, float] | None = None
        self._levels: tuple[float, float] | None = None
        self._data_levels: tuple[float, float] | None = None

        # 2-D data: field under the real and the generated points.
        self.plot_widget = plot_widget("ganPlot", self)
        self.plot = self.plot_widget.getPlotItem()
        style_plot(self.plot, self)
        self.plot.setAspectLocked(True)
        self.plot.hideButtons()
        self.plot.disableAutoRange()
        self.field = Image(axisOrder="row-major")
        self.field.setLookupTable(field_colour_map().getLookupTable(nPts=256, alpha=False))
        self.field.setZValue(-10)
        self.plot.addItem(self.field)
        self.real = pg.ScatterPlotItem(size=4, pen=None, brush=pg.mkBrush(REAL), name="real data")
        self.generated = pg.ScatterPlotItem(size=5, pen=pg.mkPen(255, 255, 255, 180, width=1),
                                            brush=pg.mkBrush(GENERATED), name="generated")
        self.plot.addItem(self.real)
        self.plot.addItem(self.generated)
        legend = self.plot.addLegend(offset=(4, 4), labelTextSize="9pt")
        legend.setLabelTextColor(self.palette().text().color())
        legend.addItem(self.real, "real data")
        legend.addItem(self.generated, "generated")
        self.colour_bar = pg.ColorBarItem(values=(0.0, 1.0), colorMap=field_colour_map(), interactive=False,
                                          width=14, label="D(x): 0 fake · 1 real", colorMapMenu=False)
        self.colour_bar.setImageItem(self.field, insert_in=self.plot)
        self.colour_bar.getAxis("right").setTextPen(pg.mkPen(self.palette().text().color()))

        # Images: one mosaic of samples from fixed noise.
        self.samples_widget = LiveLayoutWidget()
        self.samples_widget.setObjectName("ganSamples")
        self.samples_widget.setBackground(background_colours(self)[0])
        self.samples_widget.ci.setContentsMargins(2, 2, 2, 2)
        self.samples_box = self.samples_widget.addViewBox(lockAspect=True, invertY=True, enableMouse=False)
        self.samples = Image(axisOrder="row-major")
        self.samples.setLookupTable(lookup_table("CET-L1"))
        self.samples_box.addItem(self.samples)

        self.pages = QStackedWidget(objectName="ganPages")
        self.pages.addWidget(self.plot_widget)
        self.pages.addWidget(self.samples_widget)
        self.caption = QLabel(" ", objectName="ganCaption")
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.caption)
        self.clear()

    def set_data_levels(self, levels: tuple[float, float] | None) -> None:
        """The range of the real data's values: generated images are drawn on it (None: their own first range).

        A generator starts out making values near zero; levels taken from those would saturate as
        soon as it learns, so the real data's range is the honest scale.
        """
        self._data_levels = levels
        self._levels = levels

    # Drawing -------------------------------------------------------------------------------------

    def show_snapshot(self, snap: GanSnapshot) -> None:
        samples = np.asarray(snap.samples, dtype=np.float32)
        if samples.ndim == 2 and samples.shape[1] == 2:
            self._show_points(snap, samples)
        else:
            self._show_images(samples)
        self.updates += 1
        self.frame_drawn.emit(snap.step)

    def _show_points(self, snap: GanSnapshot, samples: np.ndarray) -> None:
        self.pages.setCurrentWidget(self.plot_widget)
        self.generated.setData(x=samples[:, 0], y=samples[:, 1])
        if snap.real is not None:
            real = np.asarray(snap.real, dtype=np.float32)
            if len(self.real.data) != len(real):  # the same real points all run: set them once
                self.real.setData(x=real[:, 0], y=real[:, 1])
        if snap.field is not None and snap.extent is not None:
            self.field.setImage(np.asarray(snap.field, dtype=np.float32), levels=(0.0, 1.0), autoLevels=False)
            if self._extent != tuple(snap.extent):
                self._extent = tuple(snap.extent)
                x0, x1, y0, y1 = self._extent
                self.field.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
                self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        elif self._extent is None and len(samples):
            self._extent = _extent_of(samples if snap.real is None else np.asarray(snap.real))
            x0, x1, y0, y1 = self._extent
            self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        text = f"{len(samples)} generated points (orange) and the real data (blue); {FIELD_HELP}"
        if self.caption.text() != text:
            self.caption.setText(text)

    def _show_images(self, samples: np.ndarray) -> None:
        self.pages.setCurrentWidget(self.samples_widget)
        images = as_images(samples)
        if images is None:  # 1-D samples longer than 2: each as a row of pixels
            images = samples.reshape(len(samples), 1, -1)
        box = self.samples_box.rect()
        aspect = box.width() / box.height() if box.height() > 0 else 2.0
        columns = best_columns(len(images), images.shape[1], images.shape[2], aspect)  # tiles as large as fit
        mosaic = tile_images(images, columns)
        if self._levels is None:
            self._levels = image_levels(images)
        reshaped = self.samples.image is None or self.samples.image.shape != mosaic.shape
        self.samples.setImage(mosaic, levels=self._levels, autoLevels=False)
        if reshaped:
            self.samples_box.autoRange(padding=0.01)
        text = f"{len(images)} samples of the generator, from the same noise at every update"
        if self.caption.text() != text:
            self.caption.setText(text)

    def clear(self) -> None:
        self.field.clear()
        self.real.setData([])
        self.generated.setData([])
        self.samples.clear()
        self._extent = None
        self._levels = getattr(self, "_data_levels", None)
        self.caption.setText("A GAN's samples show here while it trains.")

    @property
    def mosaic(self) -> np.ndarray | None:
        """The image grid on screen (for tests)."""
        return self.samples.image


def _extent_of(points: np.ndarray) -> tuple[float, float, float, float]:
    lo, hi = points.min(axis=0), points.max(axis=0)
    pad = 0.1 * float(max(hi - lo)) + 1e-6
    return float(lo[0] - pad), float(hi[0] + pad), float(lo[1] - pad), float(hi[1] + pad)
