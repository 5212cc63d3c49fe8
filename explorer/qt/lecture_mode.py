"""Lecture mode (View ▸ Lecture mode, F11): the window as a projector needs it.

Type and lines grow by :data:`FACTOR` everywhere (the application font, the plots' axes and titles,
the curves' pens, the canvas by its zoom), the palette, the inspector, the toolbar and the training
settings fold away, and the window fills the screen, so the canvas and the chosen views take it
all. Space trains or pauses, Right steps, R resets the weights. Leaving puts back exactly what
entering changed: the window's state (``saveState``/``restoreState``), its fonts, pens and zoom.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyqtgraph as pg
from PySide6.QtCore import QByteArray, QObject, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut, QTransform
from PySide6.QtWidgets import QApplication, QToolBar, QWidget

from .training.marks import Dots

FACTOR = 1.6  # type and lines: legible from the back of a room on a 1920x1080 projector
VIEWS_SHARE = 0.58  # of the screen's height for the training views in lecture mode (the canvas has the rest)


@dataclass
class _Saved:
    """What entering changed, to be put back on leaving."""

    state: QByteArray
    geometry: QRect
    window_state: Qt.WindowState
    transform: QTransform
    fonts: list = field(default_factory=list)         # (QWidget, QFont, whether it was its own)
    settings_visible: bool = True
    tick_fonts: list = field(default_factory=list)    # (AxisItem, QFont)
    label_styles: list = field(default_factory=list)  # (AxisItem, dict)
    titles: list = field(default_factory=list)        # (LabelItem, size option or None)
    pens: list = field(default_factory=list)          # (PlotDataItem or a Line / Dots, QPen)


def _scaled_size(size: str | None, default_pt: float) -> str:
    """A pyqtgraph size option ("10pt") times FACTOR."""
    text = (size or f"{default_pt}pt").strip()
    unit = "px" if text.endswith("px") else "pt"
    number = float(text[:-2]) if text[-2:] in ("pt", "px") else default_pt
    return f"{number * FACTOR:.1f}{unit}"


def _grow_fonts(window: QWidget) -> list:
    """Every widget of ``window`` (its menus too) in a font FACTOR times its own; returns what to put back.

    Widget by widget, not the application's font: that would replace the platform's per-class fonts
    (the menu bar's, the status bar's) and so change the layout that leaving must restore exactly.
    """
    saved = []
    for widget in [window, *window.findChildren(QWidget)]:
        own = widget.testAttribute(Qt.WidgetAttribute.WA_SetFont)
        font = QFont(widget.font())
        saved.append((widget, QFont(font), own))
        font.setPointSizeF(font.pointSizeF() * FACTOR)
        widget.setFont(font)
    return saved


def _restore_fonts(saved: list) -> None:
    for widget, font, own in saved:  # parents first: a parent's font reaches the children after it
        try:
            exact = QFont(font)
            exact.setPointSizeF(font.pointSizeF())  # marked as set: else the parent's size is inherited
            widget.setFont(exact)
            widget.setAttribute(Qt.WidgetAttribute.WA_SetFont, own)  # later application fonts reach it as before
        except RuntimeError:  # deleted while in lecture mode (a closed menu)
            continue


class LectureMode(QObject):
    """Enters and leaves lecture mode on ``window`` (a MainWindow); ``toggled`` says which."""

    toggled = Signal(bool)

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self._saved: _Saved | None = None
        self.shortcuts = [self._shortcut(" ", self._on_space), self._shortcut("Right", self._on_right),
                          self._shortcut("R", self._on_reset)]

    def _shortcut(self, key: str, slot) -> QShortcut:
        shortcut = QShortcut(QKeySequence(key), self.window)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.setEnabled(False)  # only in lecture mode: outside it Space pans the canvas, R types
        shortcut.activated.connect(slot)
        return shortcut

    @property
    def active(self) -> bool:
        return self._saved is not None

    def set_active(self, on: bool) -> None:
        if on and not self.active:
            self._enter()
        elif not on and self.active:
            self._leave()
        else:
            return
        for shortcut in self.shortcuts:
            shortcut.setEnabled(on)
        self.toggled.emit(on)

    def toggle(self) -> None:
        self.set_active(not self.active)

    # Entering and leaving --------------------------------------------------------------------------

    def _enter(self) -> None:
        window = self.window
        saved = _Saved(state=window.saveState(), geometry=window.geometry(), window_state=window.windowState(),
                       transform=window.view.transform())
        self._saved = saved
        saved.fonts = _grow_fonts(window)
        for dock in (window.palette_dock, window.inspector_dock):
            dock.hide()
        for bar in window.findChildren(QToolBar):
            bar.hide()
        panel = window.training_panel
        if panel is not None and hasattr(panel, "side"):
            scroll = panel.side.findChild(QWidget, "settingsScroll")
            if scroll is not None:
                saved.settings_visible = scroll.isVisible()
                scroll.hide()
            self._scale_plots(panel, saved)
        view = window.view
        view.set_zoom(view.zoom() * FACTOR)
        window.setWindowState(window.windowState() | Qt.WindowState.WindowFullScreen)
        QTimer.singleShot(0, self._share_screen)  # once the window has its full-screen size
        window.status_message("Lecture mode: Space trains or pauses, → steps, R resets the weights, F11 leaves")

    def _leave(self) -> None:
        saved, self._saved = self._saved, None
        window = self.window
        _restore_fonts(saved.fonts)
        for axis, font in saved.tick_fonts:
            axis.setStyle(tickFont=font)
        for axis, style in saved.label_styles:
            axis.setLabel(axis.labelText, axis.labelUnits, axis.labelUnitPrefix, **style)
        for label, size in saved.titles:
            if size is None:
                label.opts.pop("size", None)
                label.setText(label.text)
            else:
                label.setText(label.text, size=size)
        for item, pen in saved.pens:
            item.setPen(pen)
        panel = window.training_panel
        if panel is not None and hasattr(panel, "side"):
            scroll = panel.side.findChild(QWidget, "settingsScroll")
            if scroll is not None:
                scroll.setVisible(saved.settings_visible)
        window.setWindowState(saved.window_state)
        # The smaller fonts' layouts first (posted events), else the docks keep lecture-sized minimums.
        QApplication.sendPostedEvents(None, 0)
        if not saved.window_state & (Qt.WindowState.WindowMaximized | Qt.WindowState.WindowFullScreen):
            window.setGeometry(saved.geometry)  # not restoreGeometry: it fits the window into the screen
        window.restoreState(saved.state)
        window.view.setTransform(saved.transform)
        window.view.zoom_changed.emit(window.view.zoom())

    def _share_screen(self) -> None:
        """The training views take most of the height: they are what the room watches."""
        dock = self.window.training_dock
        if self.active and dock is not None and dock.isVisible():
            self.window.resizeDocks([dock], [int(self.window.height() * VIEWS_SHARE)], Qt.Orientation.Vertical)

    def _scale_plots(self, panel: QWidget, saved: _Saved) -> None:
        """Axes, titles and curves of every plot in ``panel`` grow by FACTOR."""
        for graphics in panel.findChildren(pg.GraphicsView):
            for item in graphics.scene().items():
                if isinstance(item, pg.AxisItem):
                    own = item.style.get("tickFont")
                    saved.tick_fonts.append((item, QFont(own) if own is not None else None))
                    bigger = QFont(own if own is not None else item.font())
                    bigger.setPointSizeF(max(1.0, bigger.pointSizeF()) * FACTOR)
                    item.setStyle(tickFont=bigger)
                    if item.labelText:
                        style = dict(item.labelStyle)
                        saved.label_styles.append((item, style))
                        item.setLabel(item.labelText, item.labelUnits, item.labelUnitPrefix,
                                      **{**style, "font-size": _scaled_size(style.get("font-size"), 10)})
                elif isinstance(item, pg.LabelItem) and item.text:
                    size = item.opts.get("size")
                    saved.titles.append((item, size))
                    item.setText(item.text, size=_scaled_size(size, 10))
                elif isinstance(item, (pg.PlotDataItem, Dots)):
                    pen = pg.mkPen(item.opts.get("pen"))
                    saved.pens.append((item, pg.mkPen(pen)))
                    wider = pg.mkPen(pen)
                    wider.setWidthF(max(1.0, pen.widthF()) * FACTOR)
                    item.setPen(wider)

    # Keys -------------------------------------------------------------------------------------------

    def _on_space(self) -> None:
        panel = self.window.training_panel
        if panel is None:
            return
        if panel.run is None:
            panel.train()
        else:
            panel.toggle_pause()

    def _on_right(self) -> None:
        panel = self.window.training_panel
        if panel is not None:
            panel.step()

    def _on_reset(self) -> None:
        panel = self.window.training_panel
        if panel is not None:
            if panel.run is not None:
                self.window.status_message("Stop training before resetting the weights")
                return
            panel.reset_weights()
