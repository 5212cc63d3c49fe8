"""The task views on their own (autoencoder, GAN, graph), fed with made-up snapshots: what they draw,
checked on the items' data and on the pixels of the rendered widget."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor

from explorer.qt.training.gan_view import GENERATED, GanView
from explorer.qt.training.graph_view import GraphView
from explorer.qt.training.loss_plot import LossView
from explorer.qt.training.plotting import CLASS_COLOURS
from explorer.qt.training.reconstruction_view import ReconstructionView
from explorer.qt.training.sample_grid import side_by_side, tile_images
from explorer.training.snapshots import (GanSnapshot, GraphSnapshot, ReconstructionSnapshot, StepSnapshot,
                                         ValidationSnapshot)


def shown(qtbot, view, width=900, height=420):
    qtbot.addWidget(view)
    view.resize(width, height)
    view.show()
    qtbot.waitExposed(view)
    return view


def pixel(widget, box: pg.ViewBox, x: float, y: float) -> QColor:
    """The colour the widget shows at view coordinates (x, y) of ``box``."""
    image = widget.grab().toImage()
    point = widget.mapFromScene(box.mapViewToScene(QPointF(x, y)))
    return image.pixelColor(point)


def close(colour: QColor, expected: QColor, tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in ((colour.red(), expected.red()), (colour.green(), expected.green()),
                                                    (colour.blue(), expected.blue())))


def test_samples_tile_into_one_mosaic_and_curves_lie_side_by_side():
    images = np.arange(5 * 2 * 3, dtype=np.float32).reshape(5, 2, 3)
    mosaic = tile_images(images, columns=3)
    assert mosaic.shape == (2 * 2 + 1, 3 * 3 + 2)
    assert np.array_equal(mosaic[:2, 4:7], images[1]) and np.array_equal(mosaic[3:5, :3], images[3])
    assert np.isnan(mosaic[2]).all() and np.isnan(mosaic[3:, 8:]).all()  # gap row, empty sixth tile
    x, y = side_by_side(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    assert len(x) == 8 and np.isnan(y[3]) and np.isnan(y[7])  # a break after each sample
    assert x[4] == 1.0 and x[2] < 1.0 and list(y[4:7]) == [4.0, 5.0, 6.0]


def reconstruction(step=10, codes=True) -> ReconstructionSnapshot:
    originals = np.tile(np.linspace(0, 1, 8, dtype=np.float32), (6, 1, 8, 1))  # [6, 1, 8, 8] left dark, right light
    centres = np.array([[-3.0, -3.0], [3.0, -3.0], [0.0, 3.0]])
    labels = np.repeat(np.arange(3), 20)
    spread = np.random.default_rng(0).normal(0, 0.03, (60, 2))
    return ReconstructionSnapshot(step=step, originals=originals, reconstructions=np.zeros_like(originals),
                                  code_node="code", codes=(centres[labels] + spread).astype(np.float32) if codes
                                  else None, code_labels=labels if codes else None)


def test_reconstruction_view_draws_originals_over_reconstructions_and_codes_by_class(qtbot):
    view = shown(qtbot, ReconstructionView())
    view.set_class_names(["zero", "one", "two"])
    view.show_snapshot(reconstruction())
    mosaic = view.mosaic
    assert mosaic.shape == (8 + 2 + 8, 6 * 8 + 5) and view.image.levels is not None
    assert list(view.image.levels) == [0.0, 1.0]  # explicit: the pixels lie in [0, 1]
    assert mosaic[0, 7] == pytest.approx(1.0) and mosaic[0, 0] == 0.0   # an original's row
    assert np.all(mosaic[10:, :8] == 0.0)                               # its reconstruction under it
    assert np.isnan(mosaic[8:10]).all()                                 # the gap between the two rows
    light = pixel(view.image_widget, view.image_box, 7.5, 0.5)
    dark = pixel(view.image_widget, view.image_box, 7.5, 10.5)
    assert light.lightness() > 200 and dark.lightness() < 60

    x, y = view.codes.getData()
    assert len(x) == 60
    brushes = view.codes.data["brush"]
    assert brushes[0].color() == CLASS_COLOURS[0] and brushes[-1].color() == CLASS_COLOURS[2]
    assert view.legend_names == ["zero", "one", "two"] and CLASS_COLOURS[2].name() in view.code_legend.text()
    assert close(pixel(view.code_widget, view.code_plot.getViewBox(), 3.0, -3.0), CLASS_COLOURS[1])
    assert "'code'" in view.code_note.text()

    view.show_snapshot(reconstruction(step=20, codes=False))  # a code of more than 2 units
    assert len(view.codes.getData()[0]) == 0 and "more than 2 units" in view.code_note.text()
    assert view.updates == 2


def test_reconstruction_view_plots_one_dimensional_samples_as_curves(qtbot):
    view = shown(qtbot, ReconstructionView())
    originals = np.sin(np.linspace(0, 3, 4 * 20)).reshape(4, 20).astype(np.float32)
    view.show_snapshot(ReconstructionSnapshot(step=1, originals=originals, reconstructions=originals * 0.5))
    assert view.curve_widget.isVisible() and not view.image_widget.isVisible()
    x, y = view.reconstructed_curve.getData()
    assert np.nanmax(y) == pytest.approx(0.5 * originals.max(), rel=1e-5)
    assert np.isnan(view.original_curve.yData).sum() == 4


def test_gan_view_draws_real_and_generated_points_over_the_discriminators_field(qtbot):
    view = shown(qtbot, GanView(), 700, 500)
    field = np.zeros((32, 32), np.float32)
    field[:, 16:] = 1.0  # D says: the right half is real
    real = np.random.default_rng(1).normal([-1.5, 0.0], 0.05, (200, 2)).astype(np.float32)
    samples = np.full((100, 2), 1.5, np.float32)  # one spot: its centre pixel is a fill, not an outline
    view.show_snapshot(GanSnapshot(step=5, samples=samples, real=real, field=field, extent=(-3, 3, -3, 3)))
    assert view.pages.currentWidget() is view.plot_widget
    assert list(view.field.levels) == [0.0, 1.0]
    assert len(view.real.data) == 200 and len(view.generated.data) == 100
    box = view.plot.getViewBox()
    fake, looks_real = pixel(view.plot_widget, box, -2.5, -2.5), pixel(view.plot_widget, box, 2.5, -2.5)
    assert fake.red() > fake.green() + 20 and looks_real.green() > looks_real.red() + 20  # rose vs green
    assert close(pixel(view.plot_widget, box, 1.5, 1.5), GENERATED, 60)
    assert view.colour_bar.values == (0.0, 1.0)

    moved = samples - 3.0
    item = view.generated
    view.show_snapshot(GanSnapshot(step=6, samples=moved, real=real, field=field, extent=(-3, 3, -3, 3)))
    assert view.generated is item and view.generated.getData()[0][0] == pytest.approx(moved[0, 0])


def test_gan_view_shows_image_samples_as_one_grid(qtbot):
    view = shown(qtbot, GanView())
    samples = np.random.default_rng(0).random((10, 1, 4, 4)).astype(np.float32)
    view.show_snapshot(GanSnapshot(step=1, samples=samples))
    assert view.pages.currentWidget() is view.samples_widget
    columns = (view.mosaic.shape[1] + 1) // 5
    assert view.mosaic.shape == (math.ceil(10 / columns) * 5 - 1, columns * 5 - 1)  # 10 tiles of 4x4, 1 px apart
    row, column = divmod(8, columns)
    assert np.array_equal(view.mosaic[row * 5:row * 5 + 4, column * 5:column * 5 + 4], samples[8, 0])
    assert list(view.samples.levels) == [0.0, 1.0]
    view.set_data_levels((-1.0, 1.0))  # a dataset in [-1, 1]: an untrained generator's near-zero is mid-grey
    view.show_snapshot(GanSnapshot(step=2, samples=samples * 0.01))
    assert list(view.samples.levels) == [-1.0, 1.0]


def karate_like() -> GraphSnapshot:
    positions = np.array([[0, 0], [1, 0], [0, 1], [1, 1], [3, 0], [3, 1]], np.float32)
    edges = np.array([[0, 1], [0, 2], [1, 3], [2, 3], [3, 4], [4, 5]])
    labels = np.array([0, 0, 0, 0, 1, 1])
    predictions = np.array([0, 0, 0, 1, 1, 1])  # node 3 is wrong
    train = np.array([True, False, False, False, False, True])
    return GraphSnapshot(step=7, predictions=predictions, labels=labels, train_mask=train, edges=edges,
                         positions=positions, val_acc=0.75)


def test_graph_view_draws_the_graph_coloured_by_prediction_with_labelled_nodes_ringed(qtbot):
    view = shown(qtbot, GraphView(), 600, 500)
    view.set_class_names(["Mr. Hi", "Officer"])
    snap = karate_like()
    with qtbot.waitSignal(view.frame_drawn) as frame:
        view.show_snapshot(snap)
    assert frame.args == [7]
    x, y = view.edges.getData()
    assert len(x) == 12 and (x[8], y[8], x[9], y[9]) == (1, 1, 3, 0)  # edge 3-4, drawn as a pair
    brushes = view.nodes.data["brush"]
    assert [b.color() == CLASS_COLOURS[1] for b in brushes] == [False, False, False, True, True, True]
    pens = view.nodes.data["pen"]
    assert pens[0].width() == 3 and pens[1].width() == 1 and pens[5].width() == 3
    wx, wy = view.wrong.getData()
    assert list(zip(wx, wy)) == [(1.0, 1.0)]
    assert "Accuracy on the 4 unlabelled nodes: 75.0 %" in view.caption.text() and "1 wrong" in view.caption.text()
    legend = [label.text for _, label in view.legend.items]
    assert legend[:2] == ["predicted Mr. Hi", "predicted Officer"] and "wrong prediction" in legend
    box = view.plot.getViewBox()
    assert close(pixel(view.widget, box, 3.0, 0.0), CLASS_COLOURS[1])
    assert close(pixel(view.widget, box, 1.0, 0.0), CLASS_COLOURS[0])

    snap.predictions = np.array([0, 0, 0, 0, 1, 1])  # it learned node 3
    snap.val_acc = 1.0
    view.show_snapshot(snap)
    assert len(view.wrong.getData()[0]) == 0 and "100.0 %" in view.caption.text()
    assert close(pixel(view.widget, box, 1.0, 1.0), CLASS_COLOURS[0])


def gan_steps(first: int, last: int) -> list[StepSnapshot]:
    return [StepSnapshot(step=i, epoch=1, loss=2.0 + 0.01 * i, lr=1e-3, batch_size=64, grad_norms={},
                         losses={"generator": 2.0 + 0.01 * i, "discriminator": 0.5}) for i in range(first, last + 1)]


def test_loss_view_draws_named_losses_as_named_curves_and_steps_back_for_a_single_loss(qtbot):
    view = LossView()
    qtbot.addWidget(view)
    view.add_steps(gan_steps(1, 40))
    view.add_validations([ValidationSnapshot(step=40, epoch=1, val_loss=2.4,
                                             val_losses={"generator": 2.4, "discriminator": 0.6})])
    view.redraw()
    assert set(view.named) == {"generator", "discriminator"}
    x, y = view.named["discriminator"].raw.item.getData()
    assert len(x) == 40 and np.all(y == 0.5)
    assert view.named["generator"].smoothed.item.getData()[1][-1] == pytest.approx(2.4, abs=0.02)
    assert list(view.named["discriminator"].val.item.getData()[1]) == [0.6]
    legend = [label.text for _, label in view.legend.items]
    assert "generator (smoothed)" in legend and "discriminator (validation)" in legend
    assert "training (smoothed)" not in legend and not view.smoothed.item.isVisible()
    low, high = view.loss_plot.getViewBox().viewRange()[1]
    assert low < 0.5 and high > 2.4  # both losses fit
    view.smoothing.setValue(0)  # re-smoothing covers the named curves too
    assert np.allclose(view.named["generator"].smoothed.item.getData()[1],
                       view.named["generator"].raw.item.getData()[1])
    view.begin_run()  # the next run might be supervised: the single loss comes back
    assert not view.named and view.smoothed.item.isVisible()
    assert "training (smoothed)" in [label.text for _, label in view.legend.items]
