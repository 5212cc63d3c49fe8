"""Before Train the feature-map view shows the initial weights' maps for the probe; the gradient heatmap has
a colour scale in its units."""

from __future__ import annotations

import numpy as np

from explorer.qt.training.gradient_plot import decade_ticks
from explorer.qt.training.gradient_scale import LABEL

from .editor_helpers import open_preset

TIMEOUT = 30_000


def test_feature_maps_show_before_training_and_are_the_first_runs_start(window, docked_panel, qtbot):
    panel = docked_panel
    open_preset(window, "lenet-shapes")
    assert panel.tabs.currentWidget() is panel.feature_view
    qtbot.waitUntil(lambda: panel.initial_maps.snapshot is not None, timeout=TIMEOUT)
    before = panel.initial_maps.snapshot
    assert before.step == 0 and panel.feature_view.mosaic is not None
    assert panel.feature_view.shown_node == "conv1" and before.maps["conv1"].shape == (6, 28, 28)

    first = []
    panel.batch_applied.connect(lambda batch: first.append(batch.feature_maps) if batch.feature_maps else None)
    panel.trainer_options = {"steps": 5}
    with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT):
        panel.train()
    start = next(maps for maps in first if maps.step == 0)
    np.testing.assert_array_equal(start.maps["conv1"], before.maps["conv1"])  # the very weights Train starts from

    # Another probe while idle: its maps, of the trained weights the next run continues from.
    panel.feature_view.probe_spin.setValue(3)
    qtbot.waitUntil(lambda: panel.initial_maps.snapshot.probe_index == 3, timeout=TIMEOUT)
    assert not np.array_equal(panel.initial_maps.snapshot.maps["conv1"], before.maps["conv1"])


def test_the_gradient_heatmap_has_a_colour_scale_with_its_units(window, docked_panel, qtbot):
    panel = docked_panel
    open_preset(window, "vanishing-sigmoid")
    panel.trainer_options = {"steps": 60}
    with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT):
        panel.train()
    scale = panel.views.gradient_scale
    heat = panel.gradient_view.heat.levels
    assert scale.levels == (float(heat[0]), float(heat[1]))
    assert scale.levels[1] - scale.levels[0] >= 4  # ten sigmoid layers: several decades apart
    assert scale.bar.axis.labelText == LABEL and "L2 norm" in LABEL
    assert scale.bar.axis._tickLevels == [decade_ticks(*scale.levels)]


def test_a_network_with_an_add_opens_and_shows_its_initial_maps(window, docked_panel, qtbot):
    # An Add takes any number of inputs (max_inputs None): opening resnet-digits once raised a TypeError.
    open_preset(window, "resnet-digits")
    qtbot.waitUntil(lambda: docked_panel.initial_maps.snapshot is not None, timeout=TIMEOUT)
    assert docked_panel.initial_maps.snapshot.maps["conv1"].shape == (32, 8, 8)
