"""The layer palette: every kind of the catalogue, grouped, filterable, dragged onto the canvas."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QMimeData, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from ..graph import GROUPS, LayerKind, all_kinds
from . import theme
from .editor.view import KIND_MIME

KIND_ROLE = Qt.ItemDataRole.UserRole + 1
ICON_SIZE = 24


@lru_cache(maxsize=None)
def kind_icon(glyph: str, group: str) -> QIcon:
    """The kind's glyph, white on its group's colour."""
    pixmap = QPixmap(ICON_SIZE * 2, ICON_SIZE * 2)  # drawn at 2x so it stays sharp on HiDPI
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(theme.group_colour(group))
    rect = QRectF(2, 2, ICON_SIZE * 2 - 4, ICON_SIZE * 2 - 4)
    painter.drawRoundedRect(rect, 10, 10)
    f = theme.font(10, bold=True)
    f.setPixelSize(28)
    painter.setFont(f)
    painter.setPen(QColor("#ffffff"))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, glyph)
    painter.end()
    pixmap.setDevicePixelRatio(2)
    return QIcon(pixmap)


def kind_tooltip(kind: LayerKind) -> str:
    inputs = {0: "no inputs", 1: "one input"}.get(kind.max_inputs, "two or more inputs"
                                                  if kind.max_inputs is None else f"up to {kind.max_inputs} inputs")
    return (f"<b>{kind.name}</b> <span style='color:gray'>({kind.group}, {inputs})</span><br>{kind.help}"
            "<br><i>Drag onto the canvas, or double-click to add it after the selected layer.</i>")


class PaletteTree(QTreeWidget):
    """The tree of kinds; dragging a kind carries its name under :data:`KIND_MIME`."""

    def mimeTypes(self) -> list[str]:
        return [KIND_MIME]

    def mimeData(self, items) -> QMimeData:
        data = QMimeData()
        kinds = [i.data(0, KIND_ROLE) for i in items if i.data(0, KIND_ROLE)]
        if kinds:
            data.setData(KIND_MIME, kinds[0].encode("utf-8"))
            data.setText(kinds[0])
        return data


class LayerPalette(QWidget):
    kind_activated = Signal(str)  # double-click or Enter on a kind

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("layerPalette")
        self.filter_box = QLineEdit()
        self.filter_box.setObjectName("paletteFilter")
        self.filter_box.setPlaceholderText("Filter layers…")
        self.filter_box.setClearButtonEnabled(True)
        self.filter_box.setToolTip("Type part of a layer's name, group or description (Ctrl+F)")
        self.tree = PaletteTree()
        self.tree.setObjectName("paletteTree")
        self.tree.setHeaderHidden(True)
        self.tree.setIconSize(QSize(ICON_SIZE, ICON_SIZE))
        self.tree.setIndentation(10)
        self.tree.setRootIsDecorated(False)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setExpandsOnDoubleClick(False)
        self.tree.setUniformRowHeights(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.filter_box)
        layout.addWidget(self.tree)
        self._groups: dict[str, QTreeWidgetItem] = {}
        self._kinds: dict[str, QTreeWidgetItem] = {}
        self._fill()
        self.filter_box.textChanged.connect(self._on_filter_changed)
        self.tree.itemActivated.connect(self._on_item_activated)
        self.filter_box.returnPressed.connect(self._on_filter_return)

    def _fill(self) -> None:
        header_font = theme.font(theme.UI_POINT_SIZE, bold=True)
        by_group: dict[str, list[LayerKind]] = {g: [] for g in GROUPS}
        for kind in all_kinds():
            by_group[kind.group].append(kind)
        for group, kinds in by_group.items():
            if not kinds:
                continue
            head = QTreeWidgetItem(self.tree, [group])
            head.setFlags(Qt.ItemFlag.ItemIsEnabled)
            head.setFont(0, header_font)
            head.setForeground(0, theme.group_colour(group))
            self._groups[group] = head
            for kind in kinds:
                item = QTreeWidgetItem(head, [kind.name])
                item.setData(0, KIND_ROLE, kind.name)
                item.setIcon(0, kind_icon(theme.glyph(kind.glyph, kind.name), kind.group))
                item.setToolTip(0, kind_tooltip(kind))
                item.setStatusTip(0, f"{kind.name}: {kind.help}")
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                              | Qt.ItemFlag.ItemIsDragEnabled)
                self._kinds[kind.name] = item
            head.setExpanded(True)

    def item_for(self, kind: str) -> QTreeWidgetItem:
        return self._kinds[kind]

    def visible_kinds(self) -> list[str]:
        return [name for name, item in self._kinds.items() if not item.isHidden()]

    def _on_filter_changed(self, text: str) -> None:
        words = text.lower().split()
        for group, head in self._groups.items():
            shown = 0
            for i in range(head.childCount()):
                item = head.child(i)
                kind = item.data(0, KIND_ROLE)
                haystack = f"{kind} {group} {item.statusTip(0)}".lower()
                hide = not all(w in haystack for w in words)
                item.setHidden(hide)
                shown += not hide
            head.setHidden(shown == 0)
            head.setExpanded(True)

    def _on_filter_return(self) -> None:
        # Enter in the filter box adds the first match: a keyboard-only way to build a network.
        visible = self.visible_kinds()
        if visible:
            self.kind_activated.emit(visible[0])

    def _on_item_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        kind = item.data(0, KIND_ROLE)
        if kind:
            self.kind_activated.emit(kind)

    def refresh_theme(self) -> None:
        for group, head in self._groups.items():
            head.setForeground(0, theme.group_colour(group))
