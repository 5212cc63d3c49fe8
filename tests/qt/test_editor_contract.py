"""What the training panel relies on: names, signals, the editing lock, tints and the panel's dock."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QGraphicsView, QLabel, QWidget

from explorer.graph import fileformat

from .editor_helpers import drag_wire, drop_kind, lenet, open_doc


def test_the_window_is_importable_from_explorer_qt_and_names_its_parts(window):
    from explorer.qt import MainWindow
    assert isinstance(window, MainWindow)
    assert window.findChild(QWidget, "layerPalette") is window.palette
    assert isinstance(window.findChild(QGraphicsView, "graphView"), QGraphicsView)
    assert window.findChild(QWidget, "inspector") is window.inspector
    assert window.scene is window.view.scene()


def test_new_and_open_replace_the_document_and_say_so(window, qtbot, tmp_path):
    path = tmp_path / "net.json"
    fileformat.save(lenet(), path)
    with qtbot.waitSignal(window.document_replaced) as blocker:
        assert window.open_document(path)
    assert blocker.args == [window.document] and len(window.document) == 6
    with qtbot.waitSignal(window.document_replaced):
        assert window.new_document()
    assert len(window.document) == 0 and len(window.scene.nodes) == 0


def test_pressing_a_node_emits_node_clicked(window, qtbot, tmp_path):
    open_doc(window, lenet(), tmp_path)
    item = window.scene.nodes["conv1"]
    point = window.view.mapFromScene(item.scenePos() + QPointF(30, 5))
    with qtbot.waitSignal(window.scene.node_clicked) as blocker:
        QTest.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    assert blocker.args == ["conv1"]


def test_nodes_can_be_tinted_and_untinted(window, tmp_path):
    open_doc(window, lenet(), tmp_path)
    window.scene.set_node_tint("conv1", QColor("#ff8800"))
    assert window.scene.nodes["conv1"].tint == QColor("#ff8800")
    window.scene.set_node_tint("conv1", None)
    assert window.scene.nodes["conv1"].tint is None
    window.scene.set_node_tint("no-such-node", QColor("red"))  # ignored: the panel may lag a replace


def test_status_message_shows_in_the_status_bar(window):
    window.status_message("Epoch 3 of 10")
    assert window.statusBar().currentMessage() == "Epoch 3 of 10"


def test_the_training_panel_gets_a_dock_under_the_canvas(window):
    panel = QLabel("training panel")
    dock = window.add_training_panel(panel)
    assert dock.widget() is panel and window.training_dock is dock
    assert window.dockWidgetArea(dock) == Qt.DockWidgetArea.BottomDockWidgetArea
    assert panel.isVisible()
    assert dock.toggleViewAction() in window.menu_actions.view_menu.actions()


def test_a_locked_network_refuses_structure_edits_visibly_but_lets_layers_move(window, tmp_path):
    open_doc(window, lenet(), tmp_path)
    doc = window.document
    before = fileformat.to_dict(doc)
    window.set_editing_locked(True)
    assert window.view.banner.isVisible() and "locked" in window.view.banner.text()
    assert not window.palette.isEnabled()
    assert not window.menu_actions.delete.isEnabled() and not window.menu_actions.paste.isEnabled()
    assert not drop_kind(window, "ReLU", QPoint(300, 300)) or len(doc) == 6
    window.scene.select_nodes(["relu1"])
    window.editor.delete_selection()
    window.editor.auto_layout()
    window.editor.duplicate()
    window.editor.set_param("conv1", "out_channels", 3)
    drag_wire(window, window.scene.nodes["fc1"].output_port, window.scene.nodes["relu1"].scenePos())
    assert "Training is running" in window.statusBar().currentMessage()
    window.scene.select_nodes(["conv1"])
    editor = window.inspector.node_page.editors["out_channels"]
    assert not editor.field.isEnabled()
    assert fileformat.to_dict(doc) == before
    # moving stays allowed and undoable once unlocked
    window.editor.move_nodes({"fc1": (doc.node("fc1").pos, (400.0, 600.0))})
    assert doc.node("fc1").pos == (400.0, 600.0)
    assert not window.menu_actions.undo.isEnabled()
    window.set_editing_locked(False)
    assert not window.view.banner.isVisible() and window.palette.isEnabled()
    assert window.menu_actions.undo.isEnabled() and window.menu_actions.delete.isEnabled()
    window.scene.select_nodes(["conv1"])
    assert window.inspector.node_page.editors["out_channels"].field.isEnabled()
    drag_wire(window, window.scene.nodes["fc1"].output_port, window.scene.nodes["relu1"].scenePos())
    assert "loop" in window.statusBar().currentMessage()
