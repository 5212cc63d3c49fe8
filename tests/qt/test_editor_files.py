"""Files: save and open round-trip, presets, broken files, the modified mark, recent files, drops."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from explorer.graph import fileformat
from explorer.qt.files import list_presets, presets_dir

from .editor_helpers import drag_event, lenet, open_doc

PRESETS = sorted(presets_dir().glob("*.json"))
Button = QMessageBox.StandardButton


def test_save_then_open_round_trips_the_document_unchanged(window, tmp_path):
    open_doc(window, lenet(), tmp_path)
    window.editor.set_param("conv1", "out_channels", 9)
    window.editor.move_nodes({"fc1": (window.document.node("fc1").pos, (300.5, 640.0))})
    window.inspector.meta_edit_requested.emit(None, "Edited in a test: ünïcode too")
    before = fileformat.to_dict(window.document)
    target = tmp_path / "saved.json"
    assert window.save_to(target)
    assert window.windowTitle() == "saved.json — Neural Network Explorer"
    assert window.open_document(target)
    assert fileformat.to_dict(window.document) == before
    assert window.path == target.resolve()
    assert window.save_to(tmp_path / "again.json")
    assert (tmp_path / "again.json").read_bytes() == target.read_bytes()


def test_there_are_presets_to_open():
    assert PRESETS, f"no presets in {presets_dir()}"


@pytest.mark.parametrize("path", PRESETS, ids=[p.stem for p in PRESETS])
def test_each_preset_opens_with_every_node_and_edge(window, path):
    data = json.loads(path.read_text(encoding="utf-8"))
    assert window.open_document(path, as_copy=True), window.last_error
    scene = window.scene
    assert set(scene.nodes) == {n["id"] for n in data["nodes"]}
    assert set(scene.edges) == {(e["from"], e["to"]) for e in data["edges"]}
    for node in window.document.nodes():
        assert scene.nodes[node.id].pos() == QPointF(*node.pos)
        assert scene.nodes[node.id].status == "ok", scene.nodes[node.id].tooltip_html()
    assert all(edge.label for edge in scene.edges.values())
    assert window.path is None  # a preset opens as a copy: Save asks where, the preset stays intact
    assert window.document.name == data["name"]


def test_the_open_preset_menu_lists_presets_with_their_descriptions(window):
    window.fill_presets_menu()
    actions = window.menu_actions.presets_menu.actions()
    presets = list_presets()
    assert [a.text() for a in actions] == [p.name for p in presets]
    assert [a.toolTip() for a in actions] == [p.description or p.name for p in presets]
    actions[0].trigger()
    assert len(window.document) == len(json.loads(presets[0].path.read_text())["nodes"])


BROKEN = {
    "not-json.json": "{ this is not json",
    "wrong-format.json": json.dumps({"format": "something-else", "schema_version": 1, "nodes": []}),
    "unknown-kind.json": json.dumps({"format": "nn-explorer", "schema_version": 1,
                                     "nodes": [{"id": "a", "kind": "Conv3d"}], "edges": []}),
    "loop.json": json.dumps({"format": "nn-explorer", "schema_version": 1,
                             "nodes": [{"id": "a", "kind": "ReLU"}, {"id": "b", "kind": "ReLU"}],
                             "edges": [{"from": "a", "to": "b"}, {"from": "b", "to": "a"}]}),
    "future.json": json.dumps({"format": "nn-explorer", "schema_version": 99, "nodes": []}),
    "nodes-not-objects.json": json.dumps({"format": "nn-explorer", "schema_version": 1, "nodes": [1, 2]}),
}


@pytest.mark.parametrize("name", sorted(BROKEN) + ["missing.json", "a-folder.json", "binary.json"])
def test_a_broken_file_leaves_the_window_alive_and_unchanged(window, tmp_path, qtbot, name):
    good = open_doc(window, lenet(), tmp_path, "good.json")
    doc = window.document
    window.editor.set_param("conv1", "out_channels", 7)  # an unsaved edit that must survive
    before = fileformat.to_dict(doc)
    title = window.windowTitle()
    bad = tmp_path / name
    if name in BROKEN:
        bad.write_text(BROKEN[name], encoding="utf-8")
    elif name == "a-folder.json":
        bad.mkdir()
    elif name == "binary.json":
        bad.write_bytes(bytes(range(256)))
    window.unsaved_answer = Button.Discard
    assert window.open_document(bad) is False
    assert window.document is doc and fileformat.to_dict(doc) == before
    assert window.windowTitle() == title and window.path == Path(good).resolve()
    assert window.last_error and str(bad) in window.last_error
    assert window.statusBar().currentMessage() == window.last_error
    box = window.findChild(QMessageBox, "errorBox")
    assert box is not None and box.isVisible() and str(bad) in box.text()
    box.close()
    assert window.isVisible() and len(window.scene.nodes) == 6


def test_the_title_shows_the_file_and_a_modified_mark(window, tmp_path):
    open_doc(window, lenet(), tmp_path, "lenet.json")
    assert window.windowTitle() == "lenet.json — Neural Network Explorer"
    window.editor.set_param("conv1", "out_channels", 8)
    assert window.windowTitle() == "lenet.json* — Neural Network Explorer"
    window.undo()
    assert window.windowTitle() == "lenet.json — Neural Network Explorer"
    window.redo()
    window.save()
    assert window.windowTitle() == "lenet.json — Neural Network Explorer"
    assert fileformat.load(tmp_path / "lenet.json").node("conv1").params["out_channels"] == 8


def test_unsaved_changes_are_asked_about_before_they_are_lost(window, tmp_path, monkeypatch):
    path = open_doc(window, lenet(), tmp_path)
    other = tmp_path / "other.json"
    fileformat.save(lenet(), other)
    window.editor.set_param("conv1", "out_channels", 8)
    window.unsaved_answer = Button.Cancel
    assert not window.open_document(other) and not window.new_document()
    assert window.document.node("conv1").params["out_channels"] == 8
    asked = []
    window.unsaved_answer = None
    monkeypatch.setattr(QMessageBox, "question", lambda *args: asked.append(args[2]) or Button.Save)
    assert window.open_document(other)
    assert asked and "net.json" in asked[0]
    assert fileformat.load(path).node("conv1").params["out_channels"] == 8  # saved before opening
    window.editor.set_param("conv1", "out_channels", 9)
    window.unsaved_answer = Button.Cancel
    assert not window.close() and window.isVisible()
    window.unsaved_answer = Button.Discard
    assert window.close()


def test_recent_files_and_geometry_persist_in_the_settings(window, tmp_path, editor_settings, qtbot):
    from explorer.qt import MainWindow
    first = open_doc(window, lenet(), tmp_path, "first.json")
    second = open_doc(window, lenet(), tmp_path, "second.json")
    assert window.recent.paths()[:2] == [str(Path(second).resolve()), str(Path(first).resolve())]
    window.resize(720, 560)  # inside the offscreen screen (800 x 600), so nothing clamps it
    assert window.close()
    again = MainWindow(editor_settings)
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == (720, 560)
    again.fill_recent_menu()
    texts = [a.text() for a in again.menu_actions.recent_menu.actions()]
    assert texts[:2] == ["&1  second.json", "&2  first.json"]
    Path(first).unlink()
    again.menu_actions.recent_menu.actions()[1].trigger()
    assert "no such file" in again.last_error
    assert str(Path(first).resolve()) not in again.recent.paths()


def test_dropping_a_json_file_on_the_window_opens_it(window, tmp_path):
    path = tmp_path / "dropped.json"
    fileformat.save(lenet(), path)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    for target in (window.view.viewport(), window):
        window.new_document()
        enter = drag_event(QDragEnterEvent, QPoint(200, 200), mime)
        QApplication.sendEvent(target, enter)
        assert enter.isAccepted()
        QApplication.sendEvent(target, drag_event(QDropEvent, QPoint(200, 200), mime))
        assert window.path == path.resolve() and len(window.document) == 6
