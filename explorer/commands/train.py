"""``nn-explorer train FILE``: train a network headless, show progress, optionally write metrics as JSON lines.

Every objective runs here (supervised, reconstruction, adversarial, node classification: the file's
``task``). ``--load CKPT.pt`` starts from a checkpoint's weights (it must have been saved from the
same network); ``--init-from CKPT.pt`` loads only the layers whose node ids and shapes match (transfer
learning: a checkpoint of another network) and says which; ``--save OUT.pt`` writes one when training
finishes or is stopped (Ctrl-C).

Exit status: 0 when training finishes, 2 for an invalid file, network, settings or checkpoint, 3
when training diverged (the metrics are written up to that step), 1 when training failed with an
error.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from typing import Any, TextIO

from ..data import DatasetError
from ..export.errors import ExportError
from ..graph import GraphError
from ..graph.errors import BuildError
from ..training.faults import hint_for
from ..training.settings import SettingsError, TrainingSettings
from ..training.snapshots import DoneSnapshot, ErrorSnapshot, RunEnd, StepSnapshot, ValidationSnapshot
from .exits import EXIT_DIVERGED, EXIT_FAILED, EXIT_INVALID, EXIT_OK, fail
from .networks import FILE_HELP, load_network



def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "train", help="train a network file without the window",
        description="Train the network in FILE on the dataset named by its training section, showing progress "
                    "and a summary. Exit status 0 when training finishes, 2 if the file, network or settings are "
                    "invalid, 3 if training diverged, 1 if it failed with an error.")
    parser.add_argument("file", help=FILE_HELP + "; its training section says how to train")
    parser.add_argument("--steps", type=int, metavar="N", help="train exactly N steps (overrides epochs)")
    parser.add_argument("--epochs", type=int, metavar="N", help="train N epochs (overrides the file)")
    parser.add_argument("--seed", type=int, metavar="N", help="random seed (overrides the file)")
    parser.add_argument("--lr", type=float, metavar="X", help="learning rate (overrides the file)")
    parser.add_argument("--device", choices=("cpu", "cuda"),
                        help="where to train (default: the file's device setting, else cpu)")
    parser.add_argument("--metrics", metavar="OUT.jsonl",
                        help="write one JSON object per step, and per validation, to this file")
    parser.add_argument("--output", metavar="NODE", help="the output node to train if the file holds several networks")
    parser.add_argument("--save", metavar="OUT.pt", help="write a checkpoint (the network file and its weights) when "
                                                         "training finishes or is stopped")
    parser.add_argument("--load", metavar="CKPT.pt", help="start from the weights of a checkpoint saved from this "
                                                          "network")
    parser.add_argument("--init-from", metavar="CKPT.pt", dest="init_from",
                        help="transfer learning: start the layers whose node ids and shapes match from a checkpoint "
                             "of any network (the others start fresh), and say which loaded")
    parser.add_argument("--record", metavar="VIEW", help="record a view's pictures over the run: feature_maps[:NODE] "
                                                          "or gradients; written with --gif or --mp4")
    parser.add_argument("--gif", metavar="OUT.gif", help="write the recorded view as an animated GIF")
    parser.add_argument("--mp4", metavar="OUT.mp4", help="write the recorded view as an MP4 (needs ffmpeg)")
    parser.add_argument("--frames", type=int, default=60, metavar="N",
                        help="about how many frames to record over the run (default 60)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..training.checkpoint import CheckpointError, check_fits, load_checkpoint  # torch: only when training
    from ..training.trainer import Trainer

    try:
        doc = load_network(args.file)
    except GraphError as error:
        return fail(error.message, EXIT_INVALID)
    training = dict(doc.training)
    for key in ("epochs", "seed", "lr"):
        if getattr(args, key) is not None:
            training[key] = getattr(args, key)
    initial = transfer = None
    if args.load and args.init_from:
        return fail("--load and --init-from both choose the starting weights: give one", EXIT_INVALID)
    if args.init_from:
        try:
            transfer = load_checkpoint(args.init_from).state_dicts
        except CheckpointError as error:
            return fail(error.message, EXIT_INVALID)
    if args.load:
        try:
            checkpoint = load_checkpoint(args.load)
            check_fits(checkpoint, doc)
        except CheckpointError as error:
            return fail(f"{args.load}: {error.message}" if not error.message.startswith(args.load)
                        else error.message, EXIT_INVALID)
        initial = checkpoint.state_dicts
    try:
        settings = TrainingSettings.from_dict(training)
        trainer = Trainer(doc, settings, device=args.device, output=args.output, steps=args.steps, probes=False,
                          initial_state=initial, transfer_from=transfer,
                          transfer_source=args.init_from or "the checkpoint")
    except BuildError as error:
        for problem in error.errors:
            fail(f"{args.file}: {problem.message}", EXIT_INVALID)
        return EXIT_INVALID
    except (GraphError, SettingsError, DatasetError) as error:
        return fail(f"{args.file}: {error.message}", EXIT_INVALID)
    except CheckpointError as error:
        return fail(error.message if transfer is not None else f"{args.load}: {error.message}", EXIT_INVALID)
    if trainer.transfer_report is not None:
        print(trainer.transfer_report.summary(args.init_from), flush=True)
    try:
        recorder = _recorder(args, trainer)
    except ExportError as error:
        return fail(error.message, EXIT_INVALID)
    try:
        metrics = open(args.metrics, "w", encoding="utf-8") if args.metrics else None
    except OSError as error:
        return fail(f"cannot write the metrics file {args.metrics}: {error.strerror}", EXIT_INVALID)
    progress = Progress(sys.stdout, trainer.total_steps, settings.epochs if args.steps is None else None)
    try:
        status = _train(trainer, metrics, progress, args, recorder)
    except KeyboardInterrupt:
        progress.close()
        if args.save and trainer.step > 0:
            _save(args.save, doc, trainer)
        raise
    finally:
        if metrics is not None:
            metrics.close()
    if recorder is not None and status in (EXIT_OK, EXIT_DIVERGED):
        written = _write_recording(recorder, args)
        status = written if status == EXIT_OK else status
    if status == EXIT_OK and args.save:
        return _save(args.save, doc, trainer)
    return status


def check_record_args(args: argparse.Namespace) -> None:
    """Refuse, before any training, a --record without an output, an output without --record, a bad view
    or a folder that cannot be written (ExportError, one line)."""
    from ..export.animation import check_writable
    from ..export.recording import parse_record

    outputs = [path for path in (args.gif, args.mp4) if path]
    if args.record is None:
        if outputs:
            raise ExportError("--gif and --mp4 write a recorded view: add --record feature_maps[:NODE] or gradients")
        return
    parse_record(args.record)
    if not outputs:
        raise ExportError("--record needs somewhere to write: add --gif OUT.gif or --mp4 OUT.mp4")
    if args.frames < 1:
        raise ExportError(f"--frames must be at least 1, not {args.frames}")
    for path, suffix in ((args.gif, ".gif"), (args.mp4, ".mp4")):
        if path and not path.lower().endswith(suffix):
            raise ExportError(f"--{suffix[1:]} {path}: the name must end in {suffix}")
        if path:
            check_writable(path)
    if args.mp4:
        from ..export.animation import mp4_encoder

        if mp4_encoder() is None:
            raise ExportError(f"--mp4 {args.mp4}: an MP4 needs ffmpeg, which is not installed; use --gif instead")


def _recorder(args: argparse.Namespace, trainer):
    from ..export.recording import Recorder, parse_record

    check_record_args(args)
    if args.record is None:
        return None
    return Recorder(parse_record(args.record), trainer, trainer.total_steps, args.frames)


def _write_recording(recorder, args: argparse.Namespace) -> int:
    from ..export.animation import write_animation

    frames = recorder.frames()
    status = EXIT_OK
    for path in (args.gif, args.mp4):
        if not path:
            continue
        try:
            print(write_animation(frames, path))
        except ExportError as error:
            status = fail(error.message, EXIT_FAILED)
    return status


def _save(path: str, doc, trainer) -> int:
    from ..training.checkpoint import save_checkpoint

    try:
        save_checkpoint(path, doc, trainer.state_dicts())
    except OSError as error:
        return fail(f"cannot write the checkpoint {path}: {error.strerror or error}", EXIT_FAILED)
    print(f"checkpoint written to {path}")
    return EXIT_OK


def _train(trainer, metrics: TextIO | None, progress: "Progress", args: argparse.Namespace, recorder=None) -> int:
    from ..training.threads import governed

    task = trainer.objective.name.replace("_", " ")
    print(f"training {trainer.dataset.name} ({task}; {len(trainer.dataset.x_train)} samples, "
          f"{len(trainer.dataset.x_val)} for validation) for {trainer.total_steps} steps on {trainer.device.type}",
          flush=True)
    last_step: StepSnapshot | None = None
    last_val: ValidationSnapshot | None = None
    # On the cores other programs leave free: torch's spinning helper threads collapse otherwise.
    for snap in governed(trainer.run()):
        if isinstance(snap, StepSnapshot):
            last_step = snap
            if metrics is not None:
                metrics.write(_json_line(_step_record(snap)))
            progress.step(snap)
            if recorder is not None:
                recorder.on_step(snap)
        elif isinstance(snap, ValidationSnapshot):
            last_val = snap
            if metrics is not None:
                metrics.write(_json_line(_validation_record(snap)))
            progress.validation(snap)
        elif isinstance(snap, ErrorSnapshot):
            progress.close()
            hint = hint_for(snap.message)
            return fail(snap.message.splitlines()[0] + (f" ({hint})" if hint else ""), EXIT_FAILED)
        elif isinstance(snap, DoneSnapshot):
            progress.close()
            if snap.reason == RunEnd.DIVERGED:
                return fail(snap.message, EXIT_DIVERGED)
            print(summary(snap, last_step, last_val))
            if args.metrics:
                print(f"metrics written to {args.metrics}")
            return EXIT_OK
    return fail("training ended without finishing", EXIT_FAILED)


def _finite(value: float | None) -> float | None:
    return value if value is None or math.isfinite(value) else None


def _step_record(snap: StepSnapshot) -> dict[str, Any]:
    record: dict[str, Any] = {"step": snap.step, "epoch": snap.epoch, "loss": _finite(snap.loss), "lr": snap.lr,
                              "grad_norms": {k: _finite(v) for k, v in snap.grad_norms.items()}}
    if snap.losses is not None:
        record["losses"] = {k: _finite(v) for k, v in snap.losses.items()}
    if snap.acc is not None:
        record["acc"] = snap.acc
    return record


def _validation_record(snap: ValidationSnapshot) -> dict[str, Any]:
    record: dict[str, Any] = {"step": snap.step, "epoch": snap.epoch, "val_loss": _finite(snap.val_loss)}
    if snap.val_losses is not None:
        record["val_losses"] = {k: _finite(v) for k, v in snap.val_losses.items()}
    if snap.val_acc is not None:
        record["val_acc"] = snap.val_acc
    if snap.val_metrics is not None:
        record.update({name: _finite(value) for name, value in snap.val_metrics.items()})
    return record


def _json_line(record: dict[str, Any]) -> str:
    # Non-finite numbers are written as null: strict JSON has no NaN.
    return json.dumps(record, allow_nan=False, separators=(",", ":")) + "\n"


def summary(done: DoneSnapshot, step: StepSnapshot | None, val: ValidationSnapshot | None) -> str:
    """The closing line: how long, how fast, and where the loss and accuracy ended."""
    if step is None:
        return f"{done.reason}: no steps done"
    rate = step.step / step.elapsed if step.elapsed > 0 else 0.0
    parts = [f"{done.reason} {step.step} steps ({step.epoch} epochs) in {step.elapsed:.1f} s, {rate:.0f} steps/s"]
    if step.losses is not None:
        parts.append(", ".join(f"{name} loss {value:.4g}" for name, value in step.losses.items()))
    else:
        parts.append(f"loss {step.loss:.4g}")
    if val is not None:
        parts.append(f"val_loss {val.val_loss:.4g}")
        if val.val_acc is not None:
            parts.append(f"val_acc {val.val_acc:.2%}")
        for name, value in (val.val_metrics or {}).items():
            parts.append(f"{name} {value:.2%}")
    return "; ".join(parts)


class Progress:
    """A progress bar redrawn in place on a terminal, or a few plain lines when output is redirected."""

    WIDTH = 24
    REDRAW = 0.1  # seconds between redraws of the bar

    def __init__(self, stream: TextIO, total_steps: int, epochs: int | None):
        self.stream = stream
        self.total = max(1, total_steps)
        self.epochs = epochs
        self.tty = stream.isatty()
        self.every = max(1, self.total // 10)  # plain lines: about ten
        self._drawn = 0.0
        self._val: ValidationSnapshot | None = None
        self._open = False

    def step(self, snap: StepSnapshot) -> None:
        self.total = max(1, snap.total_steps)
        if self.tty:
            now = time.monotonic()
            if now - self._drawn >= self.REDRAW or snap.step >= self.total:
                self._drawn = now
                self._draw(snap)
        elif snap.step % self.every == 0:
            self.stream.write(self._describe(snap) + "\n")
            self.stream.flush()

    def validation(self, snap: ValidationSnapshot) -> None:
        self._val = snap
        if not self.tty:
            acc = f"  val_acc {snap.val_acc:.2%}" if snap.val_acc is not None else ""
            acc += "".join(f"  {name} {value:.2%}" for name, value in (snap.val_metrics or {}).items())
            self.stream.write(f"epoch {snap.epoch} validated at step {snap.step}: val_loss {snap.val_loss:.4g}{acc}\n")
            self.stream.flush()

    def close(self) -> None:
        if self._open:
            self.stream.write("\n")
            self.stream.flush()
            self._open = False

    def _describe(self, snap: StepSnapshot) -> str:
        epoch = f"epoch {snap.epoch}/{self.epochs}" if self.epochs else f"epoch {snap.epoch}"
        text = f"step {snap.step}/{self.total}  {epoch}  loss {snap.loss:.4g}"
        if snap.acc is not None:
            text += f"  acc {snap.acc:.1%}"
        return text

    def _draw(self, snap: StepSnapshot) -> None:
        filled = int(self.WIDTH * min(1.0, snap.step / self.total))
        full, empty = ("█", "·") if _can_show(self.stream, "█·") else ("#", ".")
        bar = full * filled + empty * (self.WIDTH - filled)
        val = ""
        if self._val is not None and self._val.val_acc is not None:
            val = f"  val_acc {self._val.val_acc:.1%}"
        elif self._val is not None:
            val = f"  val_loss {self._val.val_loss:.4g}"
        rate = snap.step / snap.elapsed if snap.elapsed > 0 else 0.0
        self.stream.write(f"\r[{bar}] {self._describe(snap)}{val}  {rate:.0f} steps/s\x1b[K")
        self.stream.flush()
        self._open = True


def _can_show(stream: TextIO, text: str) -> bool:
    try:
        text.encode(getattr(stream, "encoding", None) or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True
