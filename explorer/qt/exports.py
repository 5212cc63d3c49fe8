"""Pictures for slides: any plot or picture view as PNG or SVG (pyqtgraph's exporters), the canvas as
PNG or SVG, the whole window as PNG, and the right-click menu of the training panel's views.

Every writer goes through :func:`explorer.export.write_atomically`, so a refusal (a folder that does
not exist or cannot be written) is one :class:`ExportError` line and nothing half-written is left;
the window shows it and training goes on.
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from pyqtgraph.exporters import ImageExporter, SVGExporter
from PySide6.QtCore import QObject, QPoint, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QAbstractScrollArea, QFileDialog, QGraphicsItem, QMenu, QWidget

from ..export import ExportError, write_atomically

PICTURE_SUFFIXES = (".png", ".svg")
CANVAS_SCALE = 2.0   # the canvas's PNG at twice its scene size: sharp on a slide
CANVAS_MARGIN = 30


def _suffix(path: Path, allowed: tuple[str, ...]) -> str:
    suffix = path.suffix.lower()
    if suffix not in allowed:
        raise ExportError(f"cannot write {path}: the name must end in {' or '.join(allowed)}")
    return suffix


def _save_image(image: QImage, path: Path) -> None:
    def write(temporary: Path) -> None:
        if not image.save(str(temporary), "PNG"):
            raise OSError(0, "the picture could not be encoded", str(path))

    write_atomically({path: write})


def _save_bytes(data: bytes, path: Path) -> None:
    write_atomically({path: lambda temporary: temporary.write_bytes(data)})


def save_graphics(graphics: QWidget, path: str | os.PathLike) -> str:
    """Write a view as PNG or SVG: a pyqtgraph view with pyqtgraph's exporters (SVG falls back to Qt's
    generator where pyqtgraph's cannot parse an item), any other widget (a table) as it is drawn."""
    path = Path(path)
    suffix = _suffix(path, PICTURE_SUFFIXES)
    if suffix == ".png":
        if isinstance(graphics, pg.GraphicsView):
            image = ImageExporter(graphics.scene()).export(toBytes=True)
        else:
            image = graphics.grab().toImage()
        if image is None or image.isNull():
            raise ExportError(f"cannot write {path}: the view has nothing to draw yet")
        _save_image(image, path)
        return f"wrote {path.name} ({image.width()}×{image.height()})"
    data = None
    if isinstance(graphics, pg.GraphicsView):
        try:
            data = SVGExporter(graphics.scene()).export(toBytes=True)
        except (ValueError, IndexError, AttributeError):  # pyqtgraph 0.14 misreads some of Qt 6's SVG paths
            data = None
    if data is not None:
        _save_bytes(data if isinstance(data, bytes) else bytes(data), path)
    else:
        def draw(painter: QPainter) -> None:
            if isinstance(graphics, pg.GraphicsView):
                graphics.render(painter)
            else:
                graphics.render(painter, QPoint())

        _render_svg(draw, QSizeF(graphics.size()), path,
                    graphics.objectName() or "view")
    return f"wrote {path.name}"


def _render_svg(draw, size: QSizeF, path: Path, title: str) -> None:
    """Write what ``draw(painter)`` paints on a ``size`` page as an SVG (Qt's generator), atomically."""
    def write(temporary: Path) -> None:
        generator = QSvgGenerator()
        generator.setFileName(str(temporary))
        generator.setSize(size.toSize())
        generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
        generator.setTitle(title)
        painter = QPainter(generator)
        try:
            draw(painter)
        finally:
            painter.end()  # never leave the generator being painted: destroying it then crashes
        if not temporary.exists() or temporary.stat().st_size == 0:
            raise OSError(0, "the SVG could not be written", str(path))

    write_atomically({path: write})


def save_widget(widget: QWidget, path: str | os.PathLike) -> str:
    """Write ``widget`` as it shows on screen (the whole window: File ▸ Export snapshot) as a PNG."""
    path = Path(path)
    _suffix(path, (".png",))
    image = widget.grab().toImage()
    _save_image(image, path)
    return f"wrote {path.name} ({image.width()}×{image.height()})"


def save_canvas(scene, path: str | os.PathLike) -> str:
    """Write the network on the canvas (``scene``, a GraphScene) as PNG or SVG, with a margin."""
    path = Path(path)
    suffix = _suffix(path, PICTURE_SUFFIXES)
    source = scene.nodes_rect()
    if source.isEmpty():
        raise ExportError(f"cannot write {path}: the canvas is empty")
    source = source.adjusted(-CANVAS_MARGIN, -CANVAS_MARGIN, CANVAS_MARGIN, CANVAS_MARGIN)
    if suffix == ".png":
        size = QSize(int(source.width() * CANVAS_SCALE), int(source.height() * CANVAS_SCALE))
        image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        scene.render(painter, QRectF(0, 0, size.width(), size.height()), source)
        painter.end()
        _save_image(image, path)
        return f"wrote {path.name} ({size.width()}×{size.height()})"

    def draw(painter: QPainter) -> None:
        # Cached items would be written as bitmaps: uncached for the render, an SVG of shapes and text.
        cached = [(item, item.cacheMode()) for item in scene.items()
                  if item.cacheMode() != QGraphicsItem.CacheMode.NoCache]
        for item, _mode in cached:
            item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
        try:
            scene.render(painter, QRectF(0, 0, source.width(), source.height()), source)
        finally:
            for item, mode in cached:
                item.setCacheMode(mode)

    _render_svg(draw, source.size(), path, getattr(scene.document, "name", "") or "network")
    return f"wrote {path.name}"


def image_array(widget: QWidget) -> np.ndarray:
    """``widget`` as it shows, as an RGB uint8 array [H, W, 3] (a frame of an animation)."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    data = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * height).reshape(height, stride)
    return data[:, :width * 3].reshape(height, width, 3).copy()


def ask_path(parent: QWidget, title: str, start: Path, filters: str) -> Path | None:
    """A save dialog; the suffix of the chosen filter is added when the name has none."""
    name, chosen = QFileDialog.getSaveFileName(parent, title, str(start), filters)
    if not name:
        return None
    path = Path(name)
    if not path.suffix:
        suffix = chosen[chosen.find("*") + 1:chosen.find(")")] if "*" in chosen else ""
        path = path.with_suffix(suffix) if suffix.startswith(".") else path
    return path


class ViewMenus(QObject):
    """The right-click menu of the training panel's plots and pictures: save as PNG or SVG, the history
    as a GIF (or MP4), the whole window. ``menu_for`` builds it (tests trigger its actions)."""

    def __init__(self, window, views: dict[str, QWidget], history=None) -> None:
        super().__init__(window)
        self.window = window
        self.views = views            # name -> view widget (each holds one or more pg.GraphicsView)
        self.history = history        # a PanelHistory, or None
        self.chosen_path: Path | None = None  # tests set it to skip the dialog
        # Qt's custom context menu signal, not an event filter: a filter on the views called Python for
        # every event they get, their repaints while training too. The widget that takes the right
        # click is the view itself, or the scroll area whose viewport it lands on (a plot, a table).
        for name, view in views.items():
            for graphics in view.findChildren(pg.GraphicsView) or [view]:
                for target in {graphics, *graphics.findChildren(QAbstractScrollArea)}:
                    target.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
                    target.customContextMenuRequested.connect(partial(self._popup, name, graphics, target))

    def _popup(self, name: str, graphics: QWidget, target: QWidget, pos: QPoint) -> None:
        menu = self.menu_for(name, graphics)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        origin = target.viewport() if isinstance(target, QAbstractScrollArea) else target
        menu.popup(origin.mapToGlobal(pos))

    def graphics_of(self, name: str) -> QWidget:
        """What ``name``'s PNG and SVG show: its first pyqtgraph view, or the whole view (a table)."""
        found = self.views[name].findChildren(pg.GraphicsView)
        return found[0] if found else self.views[name]

    def menu_for(self, name: str, graphics: QWidget) -> QMenu:
        menu = QMenu(self.window)
        menu.setObjectName("viewExportMenu")
        menu.addAction("Save as PNG…", lambda: self.save_view(name, graphics, ".png"))
        menu.addAction("Save as SVG…", lambda: self.save_view(name, graphics, ".svg"))
        if self.history is not None and name in self.history.ANIMATED:
            action = menu.addAction("Save its history as GIF…", lambda: self.save_history(name, ".gif"))
            action.setEnabled(len(self.history.store.frames) > 0)
            from ..export.animation import mp4_encoder

            if mp4_encoder() is not None:
                menu.addAction("Save its history as MP4…", lambda: self.save_history(name, ".mp4"))
        menu.addSeparator()
        menu.addAction("Export snapshot of the window…", self.window.export_snapshot_dialog)
        return menu

    def _path(self, title: str, stem: str, suffix: str) -> Path | None:
        if self.chosen_path is not None:
            return self.chosen_path
        folder = Path(str(self.window.settings.value("files/picture_dir", os.getcwd())))
        kind = {".png": "PNG pictures (*.png)", ".svg": "SVG pictures (*.svg)", ".gif": "Animated GIF (*.gif)",
                ".mp4": "MP4 video (*.mp4)"}[suffix]
        path = ask_path(self.window, title, folder / f"{stem}{suffix}", kind)
        if path is not None:
            self.window.settings.setValue("files/picture_dir", str(path.parent))
        return path

    def save_view(self, name: str, graphics: QWidget, suffix: str) -> bool:
        path = self._path("Save the view as a picture", name, suffix)
        return path is not None and self._report(lambda: save_graphics(graphics, path))

    def save_history(self, name: str, suffix: str) -> bool:
        path = self._path("Save the view's history as an animation", f"{name}-history", suffix)
        return path is not None and self._report(lambda: self.history.export_animation(name, path))

    def _report(self, write) -> bool:
        try:
            said = write()
        except ExportError as error:
            self.window.show_error("Cannot export", error.message)
            return False
        except Exception as error:  # noqa: BLE001  (an exporter's own bug: explain, never crash, training goes on)
            self.window.show_error("Cannot export", f"{type(error).__name__}: {error}")
            return False
        self.window.status_message(said[:1].upper() + said[1:])
        return True
