"""The loss view marks the step of lowest validation loss, moves the mark when a lower one comes, and forgets
it with the run."""

from __future__ import annotations

from explorer.qt.training.loss_plot import LossView
from explorer.training.snapshots import ValidationSnapshot


def _validations(losses, every=10):
    return [ValidationSnapshot(step=every * (i + 1), epoch=i + 1, val_loss=loss) for i, loss in enumerate(losses)]


def test_the_lowest_validation_loss_is_marked_at_its_step(qtbot):
    view = LossView()
    qtbot.addWidget(view)
    mark = view.best_mark
    assert not mark.line.isVisible() and mark.text == ""
    view.add_validations(_validations([2.0, 0.9, 0.7, 0.8, 1.1]))
    view.redraw()
    assert mark.line.isVisible() and mark.line.value() == 30
    assert mark.text == "lowest validation\nloss 0.7\nstep 30, epoch 3"
    view.add_validations(_validations([0.5], every=60), offset=0)  # a new lowest moves the mark
    assert mark.line.value() == 60 and "epoch 1" in mark.text
    view.add_validations([ValidationSnapshot(step=70, epoch=7, val_loss=float("nan"))])
    assert mark.line.value() == 60  # a diverged validation is never the lowest
    view.begin_run()
    assert not mark.line.isVisible() and mark.text == ""


def test_continued_runs_mark_the_offset_step(qtbot):
    view = LossView()
    qtbot.addWidget(view)
    view.add_validations(_validations([1.0, 0.4]), offset=100)
    assert view.best_mark.line.value() == 120


def test_named_losses_are_not_marked(qtbot):
    view = LossView()
    qtbot.addWidget(view)
    view.add_validations([ValidationSnapshot(step=5, epoch=1, val_loss=1.0,
                                             val_losses={"generator": 1.0, "discriminator": 0.5})])
    assert not view.best_mark.line.isVisible()


def test_the_label_sits_on_the_side_with_room(qtbot):
    view = LossView()
    qtbot.addWidget(view)
    view.resize(900, 400)  # a plot about 800 pixels wide: the label (~170) fits right of 20 %, not of 90 %
    view.show()
    qtbot.waitExposed(view)
    view.loss_plot.setXRange(0, 100, padding=0)
    view.add_validations(_validations([1.0, 0.5], every=10))
    assert view.best_mark.line.label.anchors[0] == (0, 0.5)  # early: the label to the right of the line
    view.add_validations([ValidationSnapshot(step=90, epoch=9, val_loss=0.1)])
    assert view.best_mark.line.label.anchors[0] == (1, 0.5)  # near the right edge: to its left
    view.loss_plot.setXRange(0, 1000, padding=0)  # the run went on: room on the right again
    assert view.best_mark.line.label.anchors[0] == (0, 0.5)


def test_the_label_stays_below_the_legend_in_a_short_plot(qtbot):
    view = LossView()
    qtbot.addWidget(view)
    for height in (260, 700):  # docked under the canvas, and tall
        view.resize(420, height)
        view.show()
        qtbot.waitExposed(view)
        view.add_validations(_validations([1.0, 0.4, 0.6, 0.9]))
        view.redraw()
        qtbot.wait(50)  # the plot lays itself out
        view.best_mark._place_label()
        legend, label = view.loss_plot.legend, view.best_mark.line.label
        legend_rect = legend.mapRectToScene(legend.boundingRect())
        label_rect = label.mapRectToScene(label.boundingRect())
        assert label_rect.top() >= legend_rect.bottom(), (height, label_rect, legend_rect)
