"""The editor stays fluid with 200 layers: a parameter edit re-infers every shape and repaints.

The benchmark (tests/benchmarks/bench_editor.py) reports medians against the 50 ms target; this
test checks the same edit with a margin for busy machines, and prints what it measured.
"""

from __future__ import annotations

import statistics
import time

from .editor_helpers import big_network, open_doc

TARGET_MS = 50.0
MARGIN = 3.0  # shared CI machines are noisy; the benchmark holds the real target


def test_a_parameter_edit_with_200_layers_reinfers_and_repaints_quickly(window, tmp_path, capsys):
    open_doc(window, big_network(200), tmp_path)
    assert len(window.scene.nodes) == 200
    window.view.fit()
    window.scene.select_nodes(["in1"])
    viewport = window.view.viewport()
    times = []
    for k in range(12):
        side = 24 + k % 6
        start = time.perf_counter()
        window.editor.set_param("in1", "shape", [3, side, side])
        viewport.repaint()
        times.append((time.perf_counter() - start) * 1000)
        last = window.document.nodes()[-1].id
        assert window.scene.nodes[last].line_text.endswith(f"{side}, {side}]")  # every label followed
    median = statistics.median(times[2:])
    with capsys.disabled():
        print(f"\n200-layer edit (re-infer + relabel + repaint): median {median:.1f} ms, "
              f"worst {max(times[2:]):.1f} ms (target {TARGET_MS:.0f} ms)")
    assert median < TARGET_MS * MARGIN
