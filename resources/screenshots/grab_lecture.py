"""Grab the window in lecture mode on a 1920x1080 screen (offscreen), mid-training, for the README.

    python resources/screenshots/grab_lecture.py presets/lenet-shapes.json resources/screenshots/lecture-mode.png \
        --steps 400

The offscreen platform is given one 1920x1080 screen, so lecture mode's full screen is a projector's.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile

SCREEN = {"synchronousWindowSystemEvents": False, "windowFrameMargins": False,
          "screens": [{"name": "projector", "x": 0, "y": 0, "width": 1920, "height": 1080, "logicalDpi": 96,
                       "logicalBpi": 96, "dpr": 1}]}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("out")
    parser.add_argument("--steps", type=int, default=400, help="train this many steps, then grab")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        config = os.path.join(tmp, "screen.json")
        with open(config, "w", encoding="utf-8") as handle:
            json.dump(SCREEN, handle)
        os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"
        import torch  # noqa: F401  (before Qt: pytorch #11326)
        from PySide6.QtCore import QEventLoop, QSettings, QTimer
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance() or QApplication(sys.argv[:1])
        from explorer.qt import MainWindow
        from explorer.qt.training import attach

        window = MainWindow(QSettings(os.path.join(tmp, "settings.ini"), QSettings.Format.IniFormat))
        panel = attach(window)
        window.resize(1600, 1000)
        window.show()
        if not window.open_document(args.source, as_copy=True):
            print(window.last_error, file=sys.stderr)
            return 1
        window.lecture_mode.set_active(True)
        panel.trainer_options = {"steps": args.steps}
        loop = QEventLoop()
        panel.run_finished.connect(lambda _end: loop.quit())
        panel.train()
        loop.exec()
        QTimer.singleShot(200, loop.quit)
        loop.exec()
        app.processEvents()
        window.grab().save(args.out)
        print(f"{args.out}: {window.width()}x{window.height()}")
        window.lecture_mode.set_active(False)
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
