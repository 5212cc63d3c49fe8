"""Training in the real window from a test: until a condition holds, then stopped and drawn."""

from __future__ import annotations

TIMEOUT = 30_000  # ms


def train_until(qtbot, panel, done) -> None:
    """Train ``panel`` until ``done()`` holds with every batch drawn, then stop the run."""
    assert panel.train(), panel.message.text.text()
    try:
        qtbot.waitUntil(lambda: done() and not panel.drawing, timeout=TIMEOUT)
    finally:
        with qtbot.waitSignal(panel.run_finished, timeout=TIMEOUT):
            panel.stop()
