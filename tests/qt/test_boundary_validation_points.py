"""The decision-boundary view draws the validation points, as rings in their class's colour, when asked."""

from __future__ import annotations

import numpy as np

from explorer.qt.training.boundary_view import MAX_POINTS, BoundaryView
from explorer.qt.training.plotting import CLASS_COLOURS


def test_validation_points_show_only_when_checked(qtbot):
    view = BoundaryView()
    qtbot.addWidget(view)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(40, 2)).astype(np.float32), np.arange(40) % 2
    x_val, y_val = rng.normal(size=(15, 2)).astype(np.float32), np.arange(15) % 2
    view.set_points(x, y, 2, x_val, y_val)
    assert view.show_validation.isEnabled() and not view.show_validation.isChecked()
    assert view.validation_shown == 0 and len(view.points.data) == 40
    view.show_validation.setChecked(True)
    assert view.validation_shown == 15
    np.testing.assert_allclose(view.val_points.data["x"], x_val[:, 0])
    pens = [view.val_points.data["pen"][i].color().name() for i in range(15)]
    assert pens == [CLASS_COLOURS[label].name() for label in y_val]  # the class shows in the ring
    view.show_validation.setChecked(False)
    assert view.validation_shown == 0


def test_many_validation_points_are_thinned_and_no_data_disables_the_box(qtbot):
    view = BoundaryView()
    qtbot.addWidget(view)
    x = np.zeros((MAX_POINTS + 50, 2), dtype=np.float32)
    view.set_points(x[:10], np.zeros(10, dtype=np.int64), 2, x, np.zeros(len(x), dtype=np.int64))
    view.show_validation.setChecked(True)
    assert view.validation_shown == MAX_POINTS
    view.set_points(None, None, None)
    assert not view.show_validation.isEnabled() and view.validation_shown == 0


def test_a_run_in_the_window_gives_the_view_its_validation_points(window, docked_panel, qtbot):
    from .editor_helpers import open_preset

    open_preset(window, "mlp-moons")
    docked_panel.trainer_options = {"steps": 5}
    with qtbot.waitSignal(docked_panel.run_finished, timeout=30_000):
        assert docked_panel.train()
    view = docked_panel.boundary_view
    view.show_validation.setChecked(True)
    assert view.validation_shown == 200  # mlp-moons holds out 200 of its 1,000 points
