"""Overhead of the trainer (all probes on) against a plain PyTorch loop doing the same job on the same module and data.

Run on demand: ``python tests/benchmarks/bench_overhead.py [--pairs N] [--chunk N] [--threads N]
[--plain-skips-validation]``.
For each network it prints steps per second of both and their ratio (trainer / plain; the target is at
least 0.9). Both loops build the same module from the same seed and draw the same batches from the
same in-memory tensors with the same optimiser; the plain loop does forward, loss, backward, step and
``loss.item()`` per step and, at each epoch end, validates as the script ``nn-explorer export`` writes
does (``evaluate`` in explorer/export/loops.py: eval mode, no_grad, chunks of 512, the loss and the right
answers summed). The trainer runs with every probe on and yields its snapshots (its validation at each
epoch end included), so the ratio is the price of what the explorer measures on top of the same job.
Validation is 3-7 % of the work of these networks (1,200 validation samples for 4,800 training
ones on shapes); ``--plain-skips-validation`` compares against a plain loop that never validates, as
this benchmark did until the trainer's own costs were told apart from the job's.
The two loops run in alternating short chunks of steps, so both meet
the same machine load; a measurement's ratio is of the total times, and each network is measured
a few times, the median shown with all the ratios beside it as a check on noise.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from explorer.data import load_dataset  # noqa: E402
from explorer.graph import Document, fileformat  # noqa: E402
from explorer.graph.build import build_module  # noqa: E402
from explorer.training.batches import BatchSampler  # noqa: E402
from explorer.training.initialisation import initialise  # noqa: E402
from explorer.training.objective import loss_function  # noqa: E402
from explorer.training.optimizers import make_optimizer  # noqa: E402
from explorer.training.settings import TrainingSettings  # noqa: E402
from explorer.training.snapshots import StepSnapshot  # noqa: E402
from explorer.training import trainer as trainer_module  # noqa: E402
from explorer.training.trainer import Trainer  # noqa: E402

def convnetjs_mnist() -> Document:
    """ConvNetJS's MNIST demo network, on the shapes dataset (one output per shape class)."""
    doc = Document(name="ConvNetJS MNIST on shapes")
    layers = [("Input", {"shape": [1, 28, 28]}),
              ("Conv2d", {"out_channels": 8, "kernel_size": 5, "padding": 2}), ("ReLU", {}),
              ("MaxPool2d", {"kernel_size": 2}),
              ("Conv2d", {"out_channels": 16, "kernel_size": 5, "padding": 2}), ("ReLU", {}),
              ("MaxPool2d", {"kernel_size": 3}), ("Flatten", {}), ("Linear", {"out_features": 6})]
    prev = None
    for kind, params in layers:
        node = doc.add_node(kind, params)
        if prev is not None:
            doc.connect(prev, node.id)
        prev = node.id
    doc.set_meta(training={"dataset": "shapes", "optimizer": "adam", "lr": 0.001, "batch_size": 32})
    return doc


class Clock:
    """``time.perf_counter`` minus the time spent in the plain loop, for the trainer's probe timers.

    The two loops run in alternating chunks; without this, the trainer would count the plain loop's
    time as its own and run its time-based probes more often than it would alone.
    """

    def __init__(self):
        self.excluded = 0.0

    def perf_counter(self) -> float:
        return time.perf_counter() - self.excluded


@torch.no_grad()
def plain_evaluate(module, x, y, loss_fn, classifying: bool, batch_size: int = 512) -> tuple[float, float | None]:
    """The exported script's validation (explorer/export/loops.py ``evaluate``), for the plain loop."""
    module.eval()
    loss, correct = 0.0, 0
    for start in range(0, len(x), batch_size):
        xb, yb = x[start:start + batch_size], y[start:start + batch_size]
        out = module(xb)
        loss += loss_fn(out, yb, reduction="sum").item() / (1 if classifying else out[0].numel())
        if classifying:
            correct += (out.argmax(-1) == yb).sum().item()
    module.train()
    return loss / len(x), (correct / len(x) if classifying else None)


def plain_chunks(doc, settings: TrainingSettings, dataset, chunk: int, validate: bool = True):
    """The plain loop, ``chunk`` steps per ``next()``, validating at each epoch end if ``validate``."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(settings.seed)
        module = build_module(doc)
        initialise(module, settings.init, settings.init_std)
    module.train()
    optimizer = make_optimizer(settings, module.parameters())
    loss_fn = loss_function(dataset.task)
    x = torch.from_numpy(dataset.x_train)
    y = torch.from_numpy(dataset.y_train)
    x_val = torch.from_numpy(dataset.x_val)
    y_val = torch.from_numpy(dataset.y_val)
    classifying = dataset.task == "classification"
    functional = torch.nn.functional.cross_entropy if classifying else torch.nn.functional.mse_loss
    sampler = BatchSampler(len(x), settings.seed)
    while True:
        for _ in range(chunk):
            idx, _, ends_epoch = sampler.next(settings.batch_size)
            xb, yb = x[idx], y[idx]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(module(xb), yb)
            loss.backward()
            optimizer.step()
            loss.item()
            if validate and ends_epoch:
                plain_evaluate(module, x_val, y_val, functional, classifying)
        yield


def trainer_chunks(doc, settings: TrainingSettings, dataset, chunk: int, probes: bool = True):
    """The trainer with every probe on, ``chunk`` steps (and whatever they bring) per ``next()``."""
    run = Trainer(doc, settings, dataset=dataset, steps=10**9, probes=probes).run()
    done = 0
    for snap in run:
        if isinstance(snap, StepSnapshot):
            done += 1
            if done % chunk == 0:
                yield


def measure(doc, settings, dataset, chunk: int, pairs: int, probes: bool = True, plain_validates: bool = True
            ) -> tuple[float, float, list[float]]:
    """Alternate chunks of the two loops; steps/s of each over all chunks, and each pair's ratio."""
    clock = Clock()
    trainer_module.time = clock  # the trainer's timers see only the trainer's own time
    plain = plain_chunks(doc, settings, dataset, chunk, plain_validates)
    trained = trainer_chunks(doc, settings, dataset, chunk, probes)
    next(plain), next(trained)  # warm up
    plain_time = trainer_time = 0.0
    ratios = []
    for i in range(pairs):
        timings = {}
        for name, loop in ((("plain", plain), ("trainer", trained)) if i % 2 == 0 else
                           (("trainer", trained), ("plain", plain))):
            start = time.perf_counter()
            next(loop)
            timings[name] = time.perf_counter() - start
            if name == "plain":
                clock.excluded += timings[name]
        plain_time += timings["plain"]
        trainer_time += timings["trainer"]
        ratios.append(timings["plain"] / timings["trainer"])
    trainer_module.time = time
    steps = chunk * pairs
    return steps / plain_time, steps / trainer_time, ratios


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=100, help="chunks of each loop, alternating")
    parser.add_argument("--chunk", type=int, default=9, help="steps per chunk")
    parser.add_argument("--repeats", type=int, default=3, help="measurements per network (the median is shown)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-probes", action="store_true", help="leave out the low-rate probes (to see their share)")
    parser.add_argument("--only", help="run only this network")
    parser.add_argument("--plain-skips-validation", action="store_true",
                        help="compare with a plain loop that never validates (the trainer still does)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    cases = [("cnn-digits", fileformat.load(ROOT / "presets" / "cnn-digits.json")),
             ("resnet-digits", fileformat.load(ROOT / "presets" / "resnet-digits.json")),
             ("convnetjs-shapes", convnetjs_mnist())]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; {args.repeats} measurements of "
          f"{args.pairs} alternating chunks of {args.chunk} steps per loop; the plain loop "
          f"{'never validates' if args.plain_skips_validation else 'validates each epoch, as the exported script'}")
    print(f"{'network':<18} {'plain steps/s':>14} {'trainer steps/s':>16} {'ratio':>7}   ratios measured")
    worst = float("inf")
    for name, doc in cases:
        if args.only and name != args.only:
            continue
        settings = TrainingSettings.from_dict(doc.training)
        dataset = load_dataset(settings.dataset, settings.dataset_options, seed=settings.seed,
                               val_fraction=settings.val_fraction)
        results = sorted((measure(doc, settings, dataset, args.chunk, args.pairs, not args.no_probes,
                                  not args.plain_skips_validation)
                          for _ in range(args.repeats)), key=lambda r: r[1] / r[0])
        plain, trained, _ = results[len(results) // 2]
        ratio = trained / plain
        worst = min(worst, ratio)
        spread = " ".join(f"{r[1] / r[0]:.3f}" for r in results)
        print(f"{name:<18} {plain:>14.1f} {trained:>16.1f} {ratio:>7.3f}   {spread}", flush=True)
    print(f"worst ratio {worst:.3f} (target at least 0.9)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
