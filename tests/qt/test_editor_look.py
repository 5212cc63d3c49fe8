"""The palette, tooltips, themes, shortcuts and the program's entry point."""

from __future__ import annotations

import gc

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from explorer.graph import GROUPS, all_kinds
from explorer.qt import theme

from .editor_helpers import lenet, open_doc


def test_the_palette_holds_every_kind_grouped_with_icons_and_help(window):
    palette = window.palette
    tree = palette.tree
    groups = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert groups == [g for g in GROUPS if any(k.group == g for k in all_kinds())]
    for kind in all_kinds():
        item = palette.item_for(kind.name)
        assert item.parent().text(0) == kind.group
        assert kind.help in item.toolTip(0)
        assert not item.icon(0).isNull()


def test_the_palette_filter_narrows_by_name_group_or_help(window):
    palette = window.palette
    palette.filter_box.setText("conv")
    assert set(palette.visible_kinds()) >= {"Conv2d", "ConvTranspose2d"} and "ReLU" not in palette.visible_kinds()
    palette.filter_box.setText("resnet shortcut")  # words of the Add kind's help text
    assert palette.visible_kinds() == ["Add"]
    palette.filter_box.returnPressed.emit()  # Enter adds the first match
    assert [n.kind for n in window.document.nodes()] == ["Add"]
    palette.filter_box.setText("")
    assert len(palette.visible_kinds()) == len(all_kinds())


def test_hovering_a_node_shows_its_shapes_or_its_problem(window, tmp_path):
    doc = lenet()
    doc.disconnect("pool1", "flat1")
    open_doc(window, doc, tmp_path)
    viewport = window.view.viewport()
    for node_id, words in (("conv1", "in [1, 28, 28] → out"), ("flat1", "is not connected to any Input")):
        item = window.scene.nodes[node_id]
        QTest.mouseMove(viewport, window.view.mapFromScene(item.scenePos() + QPointF(20, 0)))
        assert words in item.toolTip()
    assert window.scene.nodes["fc1"].status == "waiting"


def test_light_and_dark_themes_restyle_the_window(window):
    for action in window.menu_actions.theme_group.actions():
        if action.data() == "dark":
            action.trigger()
    assert theme.current() is theme.DARK
    assert QApplication.palette().window().color().name() == theme.DARK.window
    assert window.settings.value("view/theme") == "dark"
    window.set_theme_choice("light")
    assert theme.current() is theme.LIGHT
    window.set_theme_choice("system")
    assert theme.current() is theme.system_theme()


def test_every_action_has_a_tooltip_and_the_main_ones_have_shortcuts(window):
    acts = window.menu_actions
    for name in ("new", "open", "save", "save_as", "undo", "redo", "copy", "paste", "duplicate", "delete",
                 "layout", "zoom_in", "zoom_out", "zoom_reset", "fit"):
        action = getattr(acts, name)
        assert action.toolTip() and action.statusTip(), name
        assert not action.shortcut().isEmpty(), name
    assert QKeySequence("Ctrl+Y") in acts.redo.shortcuts()
    assert QKeySequence("Backspace") in acts.delete.shortcuts()
    assert acts.fit.shortcut() == QKeySequence("F")


def test_the_f_key_fits_the_network_when_the_canvas_has_focus(window, tmp_path, qtbot):
    open_doc(window, lenet(), tmp_path)
    view = window.view
    view.set_zoom(3.0)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_F)
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(window.scene.nodes_rect())


def test_the_program_opens_the_window_with_a_file(tmp_path, monkeypatch, qapp, editor_settings):
    from explorer.graph import fileformat
    from explorer.qt import MainWindow, app

    path = tmp_path / "net.json"
    fileformat.save(lenet(), path)
    seen, frozen = [], []

    def fake_exec():
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        seen.extend((w.windowTitle(), len(w.document)) for w in windows)
        frozen.append(gc.get_freeze_count())  # start-up's objects are out of the collector's full passes
        for w in windows:
            w.unsaved_answer = w.unsaved_answer or 0x00800000  # Discard
            w.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", staticmethod(fake_exec))
    import torch

    threads = torch.get_num_threads()
    assert app.run_app(str(path), settings=editor_settings) == 0
    assert ("net.json — Neural Network Explorer", 6) in seen
    assert torch.get_num_threads() == threads  # the window's serial GUI thread does not outlive it
    assert frozen[0] > 100_000 and gc.get_freeze_count() == 0  # and neither does the frozen start-up


def _drawn_pixels(image) -> int:
    """Pixels of ``image`` that differ from its top-left corner (the background)."""
    background = image.pixel(0, 0)
    return sum(1 for y in range(0, image.height(), 2) for x in range(0, image.width(), 2)
               if image.pixel(x, y) != background)


def test_every_kind_is_drawn_on_the_canvas_and_in_the_palette(window):
    # Not just that the names exist: each kind's card and palette icon are really painted, each card
    # differently, with the input ports its arity asks for.
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor, QImage, QPainter

    cards = {}
    for k, kind in enumerate(all_kinds()):
        node_id = window.editor.add_node(kind.name, (k * 260.0, 0.0))
        item = window.scene.nodes[node_id]
        rect = item.sceneBoundingRect()
        image = QImage(int(rect.width()) + 2, int(rect.height()) + 2, QImage.Format.Format_ARGB32)
        image.fill(QColor("#123456"))
        painter = QPainter(image)
        window.scene.render(painter, QRectF(image.rect()), rect)
        painter.end()
        drawn = _drawn_pixels(image)
        assert drawn > image.width() * image.height() / 20, f"{kind.name}: only {drawn} pixels drawn"
        cards[kind.name] = bytes(image.constBits())
        ports = len(item.input_ports)
        if kind.max_inputs == 0:
            assert ports == 0, kind.name
        else:
            assert ports >= 1, kind.name  # a merge shows one more free port as wires arrive
        icon = window.palette.item_for(kind.name).icon(0).pixmap(24, 24).toImage()
        assert _drawn_pixels(icon) > 20, f"{kind.name}: empty palette icon"
    assert len(set(cards.values())) == len(cards), "two kinds are drawn the same"
