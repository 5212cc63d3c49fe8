"""Two things seen driving the real window as a newcomer would (issue 15, point 8)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect

from explorer.qt.training import attach

TIMEOUT = 20_000


class PaintSpy(QObject):
    """Records the regions the viewport repaints."""

    def __init__(self, widget) -> None:
        super().__init__(widget)
        self.regions = []
        widget.installEventFilter(self)

    def eventFilter(self, _watched, event) -> bool:  # noqa: N802  (Qt's name)
        if event.type() == QEvent.Type.Paint:
            self.regions.append(event.region())
        return False

    def painted(self, rect: QRect) -> bool:
        return any(region.contains(rect) for region in self.regions)


def _hint_rect(window) -> QRect:
    viewport = window.view.viewport().rect()
    return QRect(viewport.center().x() - 150, viewport.center().y() - 30, 300, 60)


def test_the_empty_canvas_hint_is_repainted_away_when_the_first_layer_arrives(window, qtbot):
    assert not window.scene.nodes
    spy = PaintSpy(window.view.viewport())
    corner = window.view.mapToScene(40, 40)  # far from the hint in the middle
    spy.regions.clear()
    window.editor.add_node("Linear", (corner.x(), corner.y()))
    qtbot.waitUntil(lambda: spy.painted(_hint_rect(window)), timeout=TIMEOUT)
    spy.regions.clear()
    window.undo()  # empty again: the hint comes back over the whole canvas
    qtbot.waitUntil(lambda: spy.painted(_hint_rect(window)), timeout=TIMEOUT)


def test_a_new_networks_input_matches_its_dataset_so_the_first_train_works(window, qtbot):
    panel = attach(window)
    panel.trainer_options = {"steps": 3}
    assert window.new_document()
    assert panel.form.settings()["dataset"] == "moons"
    first = window.editor.add_node("Input", (0.0, 0.0))
    assert window.document.node(first).params["shape"] == [2]
    second = window.editor.add_after_selection("Linear", window.view.visible_centre())
    window.editor.set_param(second, "out_features", 2)
    with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT) as ended:
        assert panel.train(), panel.message.text.text()
    assert ended.args[0].reason == "finished"


def test_an_input_follows_the_dataset_the_network_names(window):
    window.document.set_meta(training={"dataset": "digits"})
    node = window.editor.add_node("Input", (0.0, 0.0))
    assert window.document.node(node).params["shape"] == [1, 8, 8]
    window.document.set_meta(training={"dataset": "idx"})  # needs a folder: the catalogue's default stays
    node = window.editor.add_node("Input", (300.0, 0.0))
    assert window.document.node(node).params["shape"] == [1, 28, 28]
