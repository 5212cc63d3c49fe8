"""How long a parameter edit takes in the editor with 200 layers: push the undo command, let the
document re-infer every shape, update the labels that changed, and repaint the canvas.

    python tests/benchmarks/bench_editor.py [LAYERS]

Prints the median and worst of many edits, for an edit that changes every shape downstream (the
Input's size) and one that changes a single layer; the target is under 50 ms. It also prints the
share of the time spent in shape inference (the document's, outside the window), so a slow result
says which side to look at.

Cold and warm are reported apart. Warm: the edited values repeat (the Input's size cycles through
eight, a channel count alternates between two) and the per-layer parameter counts come from the
cache, as when a student nudges a value back and forth. Cold: every edit sets a value not seen
before and the parameter-count cache is emptied first, so every layer is counted afresh, as after
opening a new network. The big network has few distinct layer signatures, so cold is the honest
worst case.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import torch  # noqa: E402,F401  (before Qt: pytorch #11326)
from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "qt"))
from editor_helpers import big_network  # noqa: E402

from explorer.graph import fileformat  # noqa: E402
from explorer.graph.shapes import _count_params  # noqa: E402  (the cache a cold edit starts without)

TARGET_MS = 50.0


def time_edits(window, node_id: str, name: str, values: list, repaint: bool = True,
               cold: bool = False) -> list[float]:
    """Milliseconds per edit: command, inference, label updates and (with ``repaint``) a full paint.

    ``cold`` empties the parameter-count cache before each edit (outside the timing).
    """
    times = []
    viewport = window.view.viewport()
    for value in values:
        if cold:
            _count_params.cache_clear()
        start = time.perf_counter()
        window.editor.set_param(node_id, name, value)
        if repaint:
            viewport.repaint()  # paints now, synchronously: every visible item that changed
        times.append((time.perf_counter() - start) * 1000)
    return times


def time_inference(doc, node_id: str, name: str, values: list, cold: bool = False) -> list[float]:
    times = []
    for value in values:
        if cold:
            _count_params.cache_clear()
        start = time.perf_counter()
        doc.set_param(node_id, name, value)
        doc.infer()
        times.append((time.perf_counter() - start) * 1000)
    return times


def measure(size: int = 200, rounds: int = 30) -> dict[str, float]:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from explorer.qt import MainWindow

    with tempfile.TemporaryDirectory() as tmp:
        window = MainWindow(QSettings(os.path.join(tmp, "s.ini"), QSettings.Format.IniFormat))
        window.resize(1600, 1000)
        window.show()
        path = Path(tmp) / "big.json"
        doc = big_network(size)
        fileformat.save(doc, path)
        start = time.perf_counter()
        window.open_document(path)
        open_ms = (time.perf_counter() - start) * 1000
        window.view.fit()  # the worst case for painting: every layer on screen
        window.scene.select_nodes(["in1"])  # the inspector shows the edited layer too
        app.processEvents()
        sizes = [[3, 32 - (k % 8), 32 - (k % 8)] for k in range(1, rounds + 1)]
        every = time_edits(window, "in1", "shape", sizes)
        last_conv = [n.id for n in window.document.nodes() if n.kind == "Conv2d"][-1]
        one = time_edits(window, last_conv, "out_channels", [16 + (k % 2) for k in range(1, rounds + 1)])
        window.view.reset_zoom()  # 100 %: the labels are painted as text
        window.view.centerOn(window.scene.nodes["in1"])
        app.processEvents()
        every_100 = time_edits(window, "in1", "shape", sizes)
        infer_only = time_inference(big_network(size), "in1", "shape", sizes)
        # Cold: sizes and channel counts never seen before, the count cache emptied before each edit.
        window.view.fit()
        app.processEvents()
        fresh = [[3, 40 + k, 40 + k] for k in range(rounds)]
        every_cold = time_edits(window, "in1", "shape", fresh, cold=True)
        one_cold = time_edits(window, last_conv, "out_channels", [20 + k for k in range(rounds)], cold=True)
        infer_cold = time_inference(big_network(size), "in1", "shape", [[3, 80 + k, 80 + k] for k in range(rounds)],
                                    cold=True)
        window.unsaved_answer = QMessageBox.StandardButton.Discard
        window.close()
    return {"open_ms": open_ms, "every_median": statistics.median(every), "every_max": max(every),
            "one_median": statistics.median(one), "one_max": max(one),
            "every_100_median": statistics.median(every_100), "every_100_max": max(every_100),
            "infer_median": statistics.median(infer_only),
            "every_cold_median": statistics.median(every_cold), "every_cold_max": max(every_cold),
            "one_cold_median": statistics.median(one_cold), "one_cold_max": max(one_cold),
            "infer_cold_median": statistics.median(infer_cold)}


def main() -> int:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    r = measure(size)
    print(f"{size} layers: open {r['open_ms']:.0f} ms; target < {TARGET_MS:.0f} ms per edit")
    print("warm (values repeat, parameter counts cached):")
    print(f"  edit that reshapes every layer, all on screen: median {r['every_median']:.1f} ms, "
          f"worst {r['every_max']:.1f} ms (inference alone {r['infer_median']:.1f} ms)")
    print(f"  the same at 100 % zoom:           median {r['every_100_median']:.1f} ms, worst {r['every_100_max']:.1f} ms")
    print(f"  edit that reshapes one layer:     median {r['one_median']:.1f} ms, worst {r['one_max']:.1f} ms")
    print("cold (values never seen before, count cache emptied before each edit):")
    print(f"  edit that reshapes every layer, all on screen: median {r['every_cold_median']:.1f} ms, "
          f"worst {r['every_cold_max']:.1f} ms (inference alone {r['infer_cold_median']:.1f} ms)")
    print(f"  edit that reshapes one layer:     median {r['one_cold_median']:.1f} ms, worst {r['one_cold_max']:.1f} ms")
    print(f"ratio to target (every layer): warm {r['every_median'] / TARGET_MS:.2f}, "
          f"cold {r['every_cold_median'] / TARGET_MS:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
