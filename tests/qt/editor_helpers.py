"""Helpers that drive the editor like a student: drags, drops and clicks on the real widgets."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from explorer.graph import Document, fileformat
from explorer.graph.layout import layered_positions
from explorer.qt.editor.view import KIND_MIME


def lenet() -> Document:
    """A small LeNet laid out in rows: in1 → conv1 → relu1 → pool1 → flat1 → fc1."""
    doc = Document(name="lenet")
    doc.add_node("Input", {"shape": [1, 28, 28]}, node_id="in1")
    prev = "in1"
    for kind, params, node_id in [("Conv2d", {"out_channels": 6, "kernel_size": 5, "padding": 2}, "conv1"),
                                  ("ReLU", {}, "relu1"), ("MaxPool2d", {"kernel_size": 2}, "pool1"),
                                  ("Flatten", {}, "flat1"), ("Linear", {"out_features": 10}, "fc1")]:
        doc.add_node(kind, params, node_id=node_id)
        doc.connect(prev, node_id)
        prev = node_id
    for node_id, pos in layered_positions(doc).items():
        doc.move_node(node_id, pos)
    return doc


def open_doc(window, doc: Document, tmp_path, name: str = "net.json") -> str:
    path = tmp_path / name
    fileformat.save(doc, path)
    assert window.open_document(path), window.last_error
    return str(path)


def view_point(window, scene_point: QPointF) -> QPoint:
    return window.view.mapFromScene(scene_point)


def drag_wire(window, from_port, to_scene_point: QPointF) -> None:
    """Press on a port, move in steps to ``to_scene_point``, release there: as a mouse would."""
    viewport = window.view.viewport()
    start = view_point(window, from_port.scenePos())
    end = view_point(window, to_scene_point)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for k in range(1, 6):
        QTest.mouseMove(viewport, start + (end - start) * k / 5)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


def drag_event(cls, pos: QPoint, mime: QMimeData):
    """A synthetic drag event: Qt 6.12 wants a QPointF (the QPoint form is deprecated), 6.11 a QPoint."""
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    try:
        return cls(QPointF(pos), *args)
    except TypeError:
        return cls(QPoint(pos.x(), pos.y()), *args)


def drop_kind(window, kind: str, view_pos: QPoint) -> bool:
    """Synthetic drag enter, move and drop of a palette kind onto the canvas viewport."""
    viewport = window.view.viewport()
    mime = QMimeData()
    mime.setData(KIND_MIME, kind.encode("utf-8"))
    enter = drag_event(QDragEnterEvent, view_pos, mime)
    QApplication.sendEvent(viewport, enter)
    if not enter.isAccepted():
        return False
    QApplication.sendEvent(viewport, drag_event(QDragMoveEvent, view_pos, mime))
    drop = drag_event(QDropEvent, view_pos, mime)
    QApplication.sendEvent(viewport, drop)
    return drop.isAccepted()


def big_network(size: int = 200) -> Document:
    """``size`` layers: an Input, then conv → batch norm → ReLU blocks with a residual Add every
    three blocks, laid out in rows. Every shape depends on the Input's, so editing it relabels all."""
    doc = Document(name=f"{size} layers")
    doc.add_node("Input", {"shape": [3, 32, 32]}, node_id="in1")
    prev, block_start, blocks = "in1", None, 0
    while len(doc) < size:
        if len(doc) == 1:
            node = doc.add_node("Conv2d", {"out_channels": 16, "padding": 1}).id
            doc.connect(prev, node)
            prev = block_start = node
            continue
        if blocks and blocks % 3 == 0 and len(doc) + 1 <= size and block_start != prev:
            add = doc.add_node("Add").id
            doc.connect(prev, add)
            doc.connect(block_start, add)
            prev = block_start = add
            blocks += 1
            continue
        for kind, params in (("Conv2d", {"out_channels": 16, "padding": 1}), ("BatchNorm2d", {}), ("ReLU", {})):
            if len(doc) >= size:
                break
            node = doc.add_node(kind, params).id
            doc.connect(prev, node)
            prev = node
        blocks += 1
    for node_id, pos in layered_positions(doc).items():
        doc.move_node(node_id, pos)
    return doc


def open_preset(window, name: str) -> None:
    """Open the preset ``name`` in ``window`` as an untitled copy."""
    presets = Path(__file__).resolve().parents[2] / "presets"
    assert window.open_document(presets / f"{name}.json", as_copy=True), window.last_error
