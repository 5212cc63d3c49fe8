"""Grab the real window mid-training to a PNG (offscreen), for the README.

    python resources/screenshots/grab_training.py presets/lenet-shapes.json resources/screenshots/training.png \
        --steps 400 --tab features
    python resources/screenshots/grab_training.py presets/vanishing-sigmoid.json resources/screenshots/vanishing.png \
        --steps 300 --tint --tab activations

    python resources/screenshots/grab_training.py presets/gan-ring.json resources/screenshots/gan.png \
        --steps 5000 --finish --tab gan
    python resources/screenshots/grab_training.py presets/autoencoder-digits.json \
        resources/screenshots/autoencoder.png --steps 3000 --finish --tab reconstruction
    python resources/screenshots/grab_training.py presets/gcn-karate.json resources/screenshots/graph.png \
        --steps 200 --finish --tab graph
    python resources/screenshots/grab_training.py presets/rnn-adding.json resources/screenshots/rnn-adding.png \
        --steps 2500 --finish --tab time --height 1000 --dock-height 560
    python resources/screenshots/grab_training.py presets/lstm-adding.json resources/screenshots/lstm-adding.png \
        --steps 2500 --finish --tab time --height 1000 --dock-height 560
    python resources/screenshots/grab_training.py presets/transformer-reverse.json \
        resources/screenshots/attention.png --steps 300 --finish --tab attention --width 1700 --height 1000 --dock-height 600
    python resources/screenshots/grab_training.py presets/relu-pieces.json resources/screenshots/function-fit.png \
        --steps 3900 --finish --tab function --width 1700 --dock-height 620
    python resources/screenshots/grab_training.py presets/cnn-digits.json resources/screenshots/fgsm.png \
        --steps 900 --finish --tab fgsm --probe 18 --epsilon 0.1 --width 1700 --dock-height 620
    python resources/screenshots/grab_training.py presets/overfit-digits.json resources/screenshots/overfit.png \
        --steps 500 --finish --tab activations --dock-height 560
    python resources/screenshots/grab_training.py presets/lenet-shapes.json resources/screenshots/augmentation.png \
        --steps 300 --finish --augment '{"shift": 2, "rotate": 15, "flip": true, "cutout": 8}' --dock-height 640

The run trains for real until ``--steps``; the window is grabbed then, still training (or, with
``--finish``, once the run has ended there and drawn its last pictures).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import torch  # noqa: E402,F401  (before Qt: pytorch #11326)
from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("out")
    parser.add_argument("--steps", type=int, default=300, help="train this many steps, then grab")
    parser.add_argument("--tab", choices=("features", "boundary", "activations", "reconstruction", "gan", "graph",
                                          "time", "attention", "function", "fgsm"),
                        default="features")
    parser.add_argument("--finish", action="store_true", help="end the run at --steps, then grab")
    parser.add_argument("--tint", action="store_true", help="tint the canvas by gradient size")
    parser.add_argument("--node", help="the node whose feature maps to show")
    parser.add_argument("--probe", type=int, default=0, help="the probe sample")
    parser.add_argument("--epsilon", type=float, default=0.1, help="FGSM's epsilon (--tab fgsm)")
    parser.add_argument("--width", type=int, default=1600)
    parser.add_argument("--height", type=int, default=1100)
    parser.add_argument("--dock-height", type=int, default=430)
    parser.add_argument("--augment", help="train with this augmentation (JSON), then show its editor open")
    args = parser.parse_args(argv)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from explorer.qt import MainWindow
    from explorer.qt.training import attach
    from explorer.qt.training.panel import TrainingPanel

    with tempfile.TemporaryDirectory() as tmp:
        window = MainWindow(QSettings(os.path.join(tmp, "settings.ini"), QSettings.Format.IniFormat))
        window.resize(args.width, args.height)
        panel = window.findChild(TrainingPanel, "trainingPanel") or attach(window)
        window.show()
        if not window.open_document(args.source, as_copy=True):
            print(window.last_error, file=sys.stderr)
            return 1
        window.resizeDocks([window.training_dock], [args.dock_height], Qt.Orientation.Vertical)
        panel.gradient_view.tint_check.setChecked(args.tint)
        if args.node:
            panel.on_node_clicked(args.node)

        loop = QEventLoop()

        def on_batch(batch) -> None:
            if batch.steps and batch.steps[-1].step >= args.steps:
                loop.quit()

        if args.augment:  # as the user would set it: an edit of the form (so closing would ask to save)
            from PySide6.QtWidgets import QMessageBox

            window.unsaved_answer = QMessageBox.StandardButton.Discard
            panel.form.augment.set_values(json.loads(args.augment))
            panel.form.augment.changed.emit(panel.form.augment.values())
        if args.finish:
            panel.trainer_options = {"steps": args.steps}
        else:
            panel.batch_applied.connect(on_batch)
        panel.run_finished.connect(lambda _end: loop.quit())
        if not panel.train():
            print(panel.message.text.text(), file=sys.stderr)
            return 1
        if args.probe:
            panel.feature_view.probe_spin.setValue(args.probe)
        tabs = {"features": panel.feature_view, "boundary": panel.boundary_view,
                "activations": panel.activation_view, "reconstruction": panel.reconstruction_view,
                "gan": panel.gan_view, "graph": panel.graph_view, "time": panel.views.through_time_view,
                "attention": panel.views.attention_view, "function": panel.views.function_view,
                "fgsm": panel.views.fgsm_view}
        panel.tabs.setCurrentWidget(tabs[args.tab])
        QTimer.singleShot(300_000, loop.quit)
        loop.exec()  # a local loop: quitting the application's would stop the run (aboutToQuit)
        panel.flush_drawing()
        if args.tab == "fgsm":  # attacked once the run has ended; its accuracy curve comes from a thread
            fgsm = panel.views.fgsm_view
            fgsm.curve_ready.connect(lambda _curve: loop.quit())
            panel.tabs.setCurrentWidget(fgsm)
            if fgsm.attack is not None:
                fgsm.index_spin.setValue(args.probe)
                fgsm.set_epsilon(args.epsilon)
                if fgsm.curve is None:
                    loop.exec()
        if args.augment:
            panel.form.augment.toggle.setChecked(True)
            from PySide6.QtWidgets import QScrollArea

            scroll = panel.form.parent()
            while scroll is not None and not isinstance(scroll, QScrollArea):
                scroll = scroll.parent()
            if scroll is not None:
                app.processEvents()
                scroll.ensureWidgetVisible(panel.form.augment.preview)
                scroll.horizontalScrollBar().setValue(0)
        if panel.latest_step is not None:  # the figures follow at 4 Hz; show the step the curves show
            panel.progress_view.show_step(panel.latest_step, force=True)
        window.grab().save(args.out)
        panel.shutdown()
        window.close()
    print(f"saved {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
