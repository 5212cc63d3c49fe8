"""Grab the real editor window to a PNG (offscreen), e.g. for the README.

    python resources/screenshots/grab_editor.py presets/lenet-shapes.json resources/screenshots/editor.png
    NN_EXPLORER_THEME=dark python resources/screenshots/grab_editor.py FILE OUT.png [NODE_TO_SELECT]

WITH_TRAINING=1 docks the training panel as the program does; HEIGHT sets the window's height.
The README's picture: HEIGHT=1150 python resources/screenshots/grab_editor.py \
    presets/lenet-shapes.json resources/screenshots/editor.png conv2
"""

import os
import sys
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import torch  # noqa: E402,F401  (before Qt: pytorch #11326)
from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def main(argv: list[str]) -> int:
    source, out = argv[0], argv[1]
    select = argv[2] if len(argv) > 2 else None
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from explorer.qt import MainWindow

    with tempfile.TemporaryDirectory() as tmp:
        window = MainWindow(QSettings(os.path.join(tmp, "settings.ini"), QSettings.Format.IniFormat))
        window.resize(1600, int(os.environ.get("HEIGHT", "1000")))
        if os.environ.get("WITH_TRAINING"):
            from explorer.qt.training import attach
            attach(window)
        window.show()
        if not window.open_document(source):
            print(window.last_error, file=sys.stderr)
            return 1
        if select:
            window.scene.select_nodes([select])
        app.processEvents()
        window.grab().save(out)
        window.close()
    print(f"saved {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
