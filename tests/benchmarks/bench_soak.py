"""Soak: train ``lenet-shapes`` in the real window for a long time and watch memory and threads.

Every minute it prints the step, the steps/s of that minute, the resident memory (RSS) and the
process's thread count; at the end it compares the RSS at the warm-up mark (minute 5, or the middle
of a shorter run) with the last. Every view is live (loss, gradients, feature maps, activations,
the canvas tinted by gradient size), as a student would leave it running.

    python tests/benchmarks/bench_soak.py [--minutes 5] [--warm-up 5]

Target (issue 15): RSS at the end within 5 % of RSS after warm-up; the thread count flat.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import torch  # noqa: E402,F401  (before any QApplication: pytorch #11326)

ROOT = Path(__file__).resolve().parents[2]
PRESET = ROOT / "presets" / "lenet-shapes.json"


def process_status() -> tuple[float, int]:
    """(RSS in MB, threads) of this process, from /proc/self/status."""
    rss, threads = 0.0, 0
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    return rss, threads


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="how long to train (default 5; issue 15: 30)")
    parser.add_argument("--warm-up", type=float, default=5.0,
                        help="minute whose RSS is the reference (default 5, or half of a shorter run)")
    parser.add_argument("--every", type=float, default=60.0, help="seconds between lines (default 60)")
    args = parser.parse_args()
    warm_up = min(args.warm_up, args.minutes / 2)

    from explorer.qt.preload import import_torch_first

    import_torch_first()
    from explorer.qt.training.cores import keep_gui_thread_serial

    keep_gui_thread_serial()  # as the program does
    from PySide6.QtCore import QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from explorer.qt import MainWindow
    from explorer.qt.training import attach

    app = QApplication.instance() or QApplication(sys.argv[:1])
    tmp = tempfile.TemporaryDirectory()
    window = MainWindow(QSettings(str(Path(tmp.name) / "settings.ini"), QSettings.Format.IniFormat))
    window.unsaved_answer = QMessageBox.StandardButton.Discard
    panel = attach(window)
    window.resize(1400, 900)
    window.show()
    from explorer.qt.collector import freeze_startup_objects

    freeze_startup_objects()  # as run_app does once the window is up
    assert window.open_document(PRESET, as_copy=True)
    panel.gradient_view.tint_check.setChecked(True)
    panel.trainer_options = {"steps": 10**9}

    rows: list[tuple[float, int, float, float, int]] = []
    started = time.monotonic()
    last = {"t": started, "step": 0}
    loop = QEventLoop()

    def report() -> None:
        now = time.monotonic()
        step = panel.latest_step.step if panel.latest_step is not None else 0
        rate = (step - last["step"]) / max(now - last["t"], 1e-9)
        last.update(t=now, step=step)
        rss, threads = process_status()
        minute = (now - started) / 60
        rows.append((minute, step, rate, rss, threads))
        print(f"minute {minute:5.1f}: step {step:8d}  {rate:6.1f} steps/s  RSS {rss:7.1f} MB  threads {threads}",
              flush=True)
        if now - started >= args.minutes * 60 - args.every / 2 or panel.run is None:
            loop.quit()

    rss0, threads0 = process_status()
    print(f"lenet-shapes in the window for {args.minutes:g} min; {os.cpu_count()} cores; start RSS {rss0:.1f} MB, "
          f"{threads0} threads", flush=True)
    timer = QTimer()
    timer.setInterval(int(args.every * 1000))
    timer.timeout.connect(report)
    timer.start()
    assert panel.train(), panel.message.text.text()
    loop.exec()
    timer.stop()
    ran = panel.run is not None
    panel.shutdown()
    app.processEvents()
    window.close()
    tmp.cleanup()

    reference = min(rows, key=lambda r: abs(r[0] - warm_up))
    final = rows[-1]
    growth = (final[3] - reference[3]) / reference[3]
    print(f"RSS at minute {reference[0]:.0f}: {reference[3]:.1f} MB; at minute {final[0]:.0f}: {final[3]:.1f} MB; "
          f"growth {100 * growth:+.1f} %   (target within 5 %)")
    print(f"threads: {reference[4]} at minute {reference[0]:.0f}, {final[4]} at the end; steps {final[1]}")
    ok = ran and abs(growth) <= 0.05 and final[4] <= reference[4]
    print("PASS" if ok else "FAIL" + ("" if ran else " (training stopped before the end)"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
