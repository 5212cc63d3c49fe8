"""The canvas view: zoom, pan, fit, rubber-band selection, and drops from the palette or of files."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QFrame, QGraphicsView, QLabel

from .. import theme

KIND_MIME = "application/x-nn-explorer-kind"  # a layer kind's name, dragged from the palette

MIN_ZOOM, MAX_ZOOM = 0.1, 3.0
EMPTY_HINT = ("Drag layers here from the palette on the left\n"
              "(double-click one to add it after the selected layer),\n"
              "or open an example network with File ▸ Open Preset.")
ZOOM_STEP = 1.2


def json_paths(mime) -> list[str]:
    """Local ``.json`` files in a drag's data."""
    if not mime.hasUrls():
        return []
    return [u.toLocalFile() for u in mime.urls() if u.isLocalFile() and u.toLocalFile().lower().endswith(".json")]


class GraphView(QGraphicsView):
    kind_dropped = Signal(str, QPointF)  # a palette kind dropped at a scene position
    files_dropped = Signal(list)         # network files dropped on the canvas
    zoom_changed = Signal(float)
    context_menu_requested = Signal(QPoint)  # global position; the clicked item is selected first

    def __init__(self, scene, parent=None):
        super().__init__(scene, parent)
        self.setObjectName("graphView")
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.ItemSelectionMode.IntersectsItemShape)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._pan_from: QPointF | None = None
        self._space_held = False
        self.banner = QLabel(self)
        self.banner.setObjectName("lockBanner")
        self.banner.hide()
        # The hint is drawn over the whole viewport; Qt repaints only what changed in the scene, so
        # the view repaints all of it when the canvas stops (or starts) being empty.
        self._showed_hint = not scene.nodes
        scene.changed.connect(self._on_scene_changed)

    # Zoom and fit -------------------------------------------------------------------------------

    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, value: float) -> None:
        value = max(MIN_ZOOM, min(MAX_ZOOM, value))
        factor = value / self.zoom()
        if abs(factor - 1) > 1e-6:
            self.scale(factor, factor)
            self.zoom_changed.emit(self.zoom())

    def zoom_in(self) -> None:
        self._zoom_keeping_centre(self.zoom() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self._zoom_keeping_centre(self.zoom() / ZOOM_STEP)

    def reset_zoom(self) -> None:
        self._zoom_keeping_centre(1.0)

    def _zoom_keeping_centre(self, value: float) -> None:
        centre = self.mapToScene(self.viewport().rect().center())
        self.set_zoom(value)
        self.centerOn(centre)

    def fit(self, min_zoom: float = MIN_ZOOM) -> None:
        """Show every node, at most at 125 %.

        With ``min_zoom``, a network too tall to fit legibly is shown from its top (the inputs) at
        that zoom instead; F shows it all.
        """
        rect = self.scene().nodes_rect()
        if rect.isEmpty():
            self.set_zoom(1.0)
            self.centerOn(0, 0)
            return
        margin = 30
        rect = rect.adjusted(-margin, -margin, margin, margin)
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        self.set_zoom(min(1.25, max(min_zoom, self.zoom())))
        visible = self.mapToScene(self.viewport().rect()).boundingRect()
        if visible.height() < rect.height():
            self.centerOn(rect.center().x(), rect.top() + visible.height() / 2)
        else:
            self.centerOn(rect.center())
        self.zoom_changed.emit(self.zoom())

    def visible_centre(self) -> QPointF:
        return self.mapToScene(self.viewport().rect().center())

    def wheelEvent(self, event) -> None:
        delta = event.angleDelta().y()
        if delta:
            self.set_zoom(self.zoom() * (1.0015 ** delta))
        event.accept()

    # Pan: middle button, or space + left button -----------------------------------------------------

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = False
            self.viewport().unsetCursor()
            event.accept()
            return
        super().keyReleaseEvent(event)

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.MiddleButton or (
                event.button() == Qt.MouseButton.LeftButton and self._space_held):
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self._pan_from is not None:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - round(delta.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - round(delta.y()))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if self._pan_from is not None and event.button() in (Qt.MouseButton.MiddleButton, Qt.MouseButton.LeftButton):
            self._pan_from = None
            if self._space_held:
                self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            else:
                self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def contextMenuEvent(self, event) -> None:
        item = self.itemAt(event.pos())
        while item is not None and not (item.flags() & item.GraphicsItemFlag.ItemIsSelectable):
            item = item.parentItem()
        if item is not None and not item.isSelected():
            self.scene().clearSelection()
            item.setSelected(True)
        self.context_menu_requested.emit(event.globalPos())
        event.accept()

    # Drops ---------------------------------------------------------------------------------------

    def _accepts(self, event) -> bool:
        mime = event.mimeData()
        return mime.hasFormat(KIND_MIME) or bool(json_paths(mime))

    def dragEnterEvent(self, event) -> None:
        if self._accepts(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if self._accepts(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event) -> None:
        event.accept()

    def dropEvent(self, event) -> None:
        mime = event.mimeData()
        if mime.hasFormat(KIND_MIME):
            kind = bytes(mime.data(KIND_MIME)).decode("utf-8")
            self.kind_dropped.emit(kind, self.mapToScene(event.position().toPoint()))
            event.acceptProposedAction()
            return
        paths = json_paths(mime)
        if paths:
            self.files_dropped.emit(paths)
            event.acceptProposedAction()
            return
        event.ignore()

    # The empty canvas ------------------------------------------------------------------------------

    def _on_scene_changed(self, _region) -> None:
        empty = not self.scene().nodes
        if empty != self._showed_hint:
            self._showed_hint = empty
            self.viewport().update()

    def drawForeground(self, painter, rect) -> None:
        if self.scene().nodes:
            return
        painter.save()
        painter.resetTransform()
        colour = theme.current().colour("text_dim")
        painter.setPen(colour)
        f = theme.font(theme.UI_POINT_SIZE + 3)
        painter.setFont(f)
        painter.drawText(self.viewport().rect().adjusted(40, 40, -40, -40),
                         Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, EMPTY_HINT)
        painter.restore()

    # The lock banner -----------------------------------------------------------------------------

    def set_banner(self, text: str | None) -> None:
        if not text:
            self.banner.hide()
            return
        self.banner.setText(text)
        self.banner.adjustSize()
        self._place_banner()
        self.banner.show()
        self.banner.raise_()

    def _place_banner(self) -> None:
        self.banner.move(max(8, (self.width() - self.banner.width()) // 2), 12)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_banner()
