"""The live pictures keep moving: feature maps drawn in the real window, set up as the program is.

The process is set up as ``nn-explorer`` sets itself up (torch imported first, the GUI thread's
torch serial, the panel attached to the main window); a different set-up would test a different
program. The rates themselves are measured by tests/benchmarks/bench_responsiveness.py; this test
only fails when the maps stop, as they did when one slow probe put the next 40 s away.
"""

from __future__ import annotations

import time
from pathlib import Path

from explorer.qt.training import attach

PRESETS = Path(__file__).resolve().parents[2] / "presets"
MAX_GAP = 0.5          # seconds between two drawn frames, the limit
WARM_UP = 1.0          # the first second (first probes, warm-up) is not judged
WATCH = 3.0            # seconds of frames judged


def test_feature_maps_never_stop_for_half_a_second(window, qtbot, program_threads):
    panel = attach(window)
    assert window.open_document(PRESETS / "lenet-shapes.json", as_copy=True)
    panel.trainer_options = {"steps": 10**6}
    panel.tabs.setCurrentWidget(panel.feature_view)
    frames: list[float] = []
    panel.feature_view.frame_drawn.connect(lambda _step: frames.append(time.monotonic()))
    started = time.monotonic()
    assert panel.train(), panel.message.text.text()
    qtbot.waitUntil(lambda: time.monotonic() - started >= WARM_UP + WATCH, timeout=int((WARM_UP + WATCH) * 1000) + 20_000)
    watched_until = time.monotonic()
    assert panel.shutdown()
    judged = [t for t in frames if t >= started + WARM_UP]
    assert len(judged) >= 2, f"only {len(judged)} feature-map frames drawn in {WATCH:.0f} s"
    edges = [started + WARM_UP, *judged, watched_until]
    gaps = [b - a for a, b in zip(edges, edges[1:])]
    assert max(gaps) < MAX_GAP, (f"the feature maps stopped for {max(gaps):.2f} s "
                                 f"({len(judged)} frames in {watched_until - started - WARM_UP:.1f} s)")
