"""Grab the real comparison window after it trained a pair to the end (offscreen), for the README.

    python resources/screenshots/grab_compare.py presets/compare-sigmoid-relu.json resources/screenshots/compare.png

The window is opened the way Training ▸ Compare with a variant… opens it (the file's saved variant
as B) and trains for real; it is grabbed once both runs have finished and their last pictures are drawn.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import torch  # noqa: E402,F401  (before Qt: pytorch #11326)
from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("out")
    parser.add_argument("--width", type=int, default=1500)
    parser.add_argument("--height", type=int, default=860)
    args = parser.parse_args(argv)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from explorer.graph.variant import variant_of
    from explorer.qt import MainWindow
    from explorer.qt.training import attach
    from explorer.qt.training.panel import TrainingPanel

    with tempfile.TemporaryDirectory() as tmp:
        window = MainWindow(QSettings(os.path.join(tmp, "settings.ini"), QSettings.Format.IniFormat))
        window.findChild(TrainingPanel, "trainingPanel") or attach(window)
        window.show()
        if not window.open_document(args.source, as_copy=True):
            print(window.last_error, file=sys.stderr)
            return 1
        compare = window.compare_launcher.compare(variant_of(window.document), start=False)
        if compare is None:
            print(window.compare_launcher.last_error, file=sys.stderr)
            return 1
        compare.resize(args.width, args.height)
        loop = QEventLoop()
        compare.run_finished.connect(lambda _end: QTimer.singleShot(300, loop.quit))
        compare.start()
        loop.exec()
        app.processEvents()
        compare.grab().save(args.out)
        print(compare.status.text())
        compare.close()
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
