"""The time slider (scrubbing back while training goes on, Live), and the pictures for slides: every view as
PNG and SVG from its right-click menu, a view's history as a GIF, the window and the canvas."""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from PIL import Image
from PySide6.QtWidgets import QMessageBox

from ..gif_files import gif_frames
from .editor_helpers import open_preset

TIMEOUT = 30_000


def _train(qtbot, panel, steps: int) -> None:
    panel.trainer_options = {"steps": steps}
    with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT):
        assert panel.train()



def _menu_action(panel, name: str, text: str):
    menus = panel.view_menus
    menu = menus.menu_for(name, menus.graphics_of(name))
    action = next(a for a in menu.actions() if a.text() == text)
    return menu, action


def test_scrubbing_back_while_training_goes_on_and_live_returns(window, docked_panel, qtbot):
    panel, history = docked_panel, docked_panel.history
    open_preset(window, "lenet-shapes")
    panel.trainer_options = {"steps": 100_000}
    with qtbot.waitSignal(panel.run_started, timeout=TIMEOUT):
        panel.train()
    qtbot.waitUntil(lambda: len([f for f in history.store.frames if "feature_maps" in f.pictures]) >= 4,
                    timeout=TIMEOUT)
    drawn = []
    panel.feature_view.frame_drawn.connect(drawn.append)
    history.bar.slider.setValue(1)
    frame = history.store.frames[1]
    assert history.shown == 1 and not history.live and history.bar.live_button.isEnabled()
    assert drawn[-1] == frame.pictures["feature_maps"].step
    assert history.bar.position.text().startswith(f"step {frame.step} of ")
    step = panel.latest_step.step
    qtbot.waitUntil(lambda: panel.latest_step.step > step + 5, timeout=TIMEOUT)  # training goes on
    assert drawn[-1] == frame.pictures["feature_maps"].step  # while the past stays on screen
    history.bar.live_button.click()
    assert history.live and not history.bar.live_button.isEnabled()
    assert drawn[-1] > frame.pictures["feature_maps"].step
    qtbot.waitUntil(lambda: len(drawn) >= 4 and drawn[-1] > drawn[-2], timeout=TIMEOUT)  # live again
    with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT):
        panel.stop()
    assert window.statusBar().findChild(type(history.status_label), "historyMemory").text().startswith("History ")


def test_a_full_history_thins_itself_says_so_and_training_goes_on(window, docked_panel, qtbot):
    panel, history = docked_panel, docked_panel.history
    open_preset(window, "lenet-shapes")
    history.store.cap_bytes = 200_000  # a few frames of LeNet's maps
    _train(qtbot, panel, 150)
    assert history.store.thinned >= 1 and history.store.peak_bytes <= 200_000
    assert history.last_message.startswith("History full (0.191 MB): keeping every")
    assert panel.latest_step.step == 150  # the run went on to its end
    assert history.status_label.text() == f"History {history.store.nbytes / 2 ** 20:.1f} of 0.191 MB"


def test_gifs_of_lenet_conv1_maps_and_the_vanishing_gradient_heatmap_from_the_menu(window, docked_panel, qtbot,
                                                                                     tmp_path):
    panel = docked_panel
    open_preset(window, "lenet-shapes")
    _train(qtbot, panel, 60)
    pictures = [f.pictures["feature_maps"] for f in panel.history.store.frames if "feature_maps" in f.pictures]
    with_maps = list({id(p): p for p in pictures}.values())  # frames carry the newest maps along: each once
    assert with_maps
    panel.view_menus.chosen_path = tmp_path / "conv1.gif"
    _menu, action = _menu_action(panel, "feature_maps", "Save its history as GIF…")
    action.trigger()
    count, sizes = gif_frames(tmp_path / "conv1.gif")
    assert count == len(with_maps) and len(sizes) == 1
    width, height = sizes.pop()
    assert (width, height) == (panel.feature_view.width(), panel.feature_view.height())
    assert window.statusBar().currentMessage() == f"{count} frames of {width}×{height} written to {tmp_path / 'conv1.gif'}"

    open_preset(window, "vanishing-sigmoid")
    _train(qtbot, panel, 80)
    with_gradients = sorted({f.step for f in panel.history.store.frames if f.gradients})  # one column a step
    panel.view_menus.chosen_path = tmp_path / "gradients.gif"
    _menu_action(panel, "gradients", "Save its history as GIF…")[1].trigger()
    count, sizes = gif_frames(tmp_path / "gradients.gif")
    assert count == len(with_gradients) >= 2
    (width, height), = sizes
    assert height % 11 == 0  # a band for each of the 11 layers with parameters


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_every_view_saves_as_png_and_svg_from_its_menu(window, docked_panel, qtbot, tmp_path, suffix):
    panel = docked_panel
    open_preset(window, "mlp-moons")
    _train(qtbot, panel, 30)
    for name in ("loss", "gradients", "feature_maps", "boundary", "activation"):
        target = tmp_path / f"{name}{suffix}"
        panel.view_menus.chosen_path = target
        _menu_action(panel, name, f"Save as {suffix[1:].upper()}…")[1].trigger()
        assert target.exists(), (name, window.last_error)
        if suffix == ".png":
            with Image.open(target) as image:
                graphics = panel.view_menus.graphics_of(name)
                assert image.size[0] >= graphics.width() - 2 and image.size[1] >= graphics.height() - 2
        else:
            assert "<svg" in target.read_text(encoding="utf-8")[:2000]


def test_a_folder_that_cannot_be_written_is_explained_and_training_goes_on(window, docked_panel, qtbot, tmp_path):
    panel = docked_panel
    open_preset(window, "mlp-moons")
    panel.trainer_options = {"steps": 100_000}
    with qtbot.waitSignal(panel.run_started, timeout=TIMEOUT):
        panel.train()
    qtbot.waitUntil(lambda: panel.latest_step is not None, timeout=TIMEOUT)
    missing = tmp_path / "gone" / "loss.png"
    panel.view_menus.chosen_path = missing
    _menu_action(panel, "loss", "Save as PNG…")[1].trigger()
    assert window.last_error == f"cannot write {missing}: the folder {missing.parent} does not exist"
    window.picture_path = missing
    window.menu_actions.export_snapshot.trigger()
    assert window.last_error == f"cannot write {missing}: the folder {missing.parent} does not exist"
    step = panel.latest_step.step
    qtbot.waitUntil(lambda: panel.latest_step.step > step, timeout=TIMEOUT)
    assert panel.run is not None and not missing.parent.exists()
    for box in window.findChildren(QMessageBox, "errorBox"):
        box.close()
    with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT):
        panel.stop()


def test_window_snapshot_and_canvas_as_png_and_svg(window, docked_panel, tmp_path):
    open_preset(window, "lenet-shapes")
    window.picture_path = tmp_path / "window.png"
    window.menu_actions.export_snapshot.trigger()
    with Image.open(tmp_path / "window.png") as image:
        assert image.size == (window.width(), window.height())
    window.picture_path = tmp_path / "canvas.png"
    window.menu_actions.export_canvas.trigger()
    rect = window.scene.nodes_rect()
    with Image.open(tmp_path / "canvas.png") as image:
        assert image.size == (int((rect.width() + 60) * 2), int((rect.height() + 60) * 2))
    window.picture_path = tmp_path / "canvas.svg"
    window.menu_actions.export_canvas.trigger()
    text = (tmp_path / "canvas.svg").read_text(encoding="utf-8")
    assert "<svg" in text and "conv1" in text


def test_the_menu_is_offered_on_a_right_click(window, docked_panel, qtbot):
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtWidgets import QApplication, QMenu

    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QAbstractScrollArea

    graphics = docked_panel.view_menus.graphics_of("loss")
    assert isinstance(graphics, pg.GraphicsView)
    table = docked_panel.views.activation_view.findChildren(QAbstractScrollArea)[0]  # a table, not a plot
    for clicked in (graphics.viewport(), table.viewport()):
        event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, QPoint(20, 20), clicked.mapToGlobal(QPoint(20, 20)))
        QApplication.sendEvent(clicked, event)
        menu = window.findChild(QMenu, "viewExportMenu")
        assert menu is not None and [a.text() for a in menu.actions() if a.text()][:2] == ["Save as PNG…",
                                                                                            "Save as SVG…"]
        menu.close()  # deleted on close: the next right click must make its own
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        assert window.findChild(QMenu, "viewExportMenu") is None
