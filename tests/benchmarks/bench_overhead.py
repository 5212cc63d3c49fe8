"""Overhead of the trainer (all probes on) against a plain PyTorch loop over the same module and data.

Run on demand: ``python tests/benchmarks/bench_overhead.py [--rounds N] [--steps N]``. For each network
it prints steps per second of both and their ratio (trainer / plain; the target is at least 0.9).
Both loops build the same module from the same seed and draw the same batches from the same
in-memory tensors with the same optimiser; the plain loop does forward, loss, backward, step and
``loss.item()`` per step. Runs alternate between the two, and each figure is the median over rounds.
"""

from __future__ import annotations

import argparse
import statistics
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
from explorer.training.trainer import Trainer  # noqa: E402

WARMUP = 20


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


def plain_steps_per_second(doc, settings: TrainingSettings, dataset, steps: int) -> float:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(settings.seed)
        module = build_module(doc)
        initialise(module, settings.init, settings.init_std)
    module.train()
    optimizer = make_optimizer(settings, module.parameters())
    loss_fn = loss_function(dataset.task)
    x = torch.from_numpy(dataset.x_train)
    y = torch.from_numpy(dataset.y_train)
    sampler = BatchSampler(len(x), settings.seed)
    start = 0.0
    for i in range(WARMUP + steps):
        if i == WARMUP:
            start = time.perf_counter()
        idx, _, _ = sampler.next(settings.batch_size)
        xb, yb = x[idx], y[idx]
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(module(xb), yb)
        loss.backward()
        optimizer.step()
        loss.item()
    return steps / (time.perf_counter() - start)


def trainer_steps_per_second(doc, settings: TrainingSettings, dataset, steps: int) -> float:
    trainer = Trainer(doc, settings, dataset=dataset, steps=WARMUP + steps, probes=True)
    start = end = 0.0
    for snap in trainer.run():
        if isinstance(snap, StepSnapshot):
            if snap.step == WARMUP:
                start = time.perf_counter()
            elif snap.step == WARMUP + steps:
                end = time.perf_counter()
    # the last step's snapshot comes before the end-of-run validation and probes, which are not steps
    return steps / (end - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=450, help="timed steps per run (several epochs of digits)")
    args = parser.parse_args()
    torch.set_num_threads(2)
    cases = [("cnn-digits", fileformat.load(ROOT / "presets" / "cnn-digits.json")),
             ("resnet-digits", fileformat.load(ROOT / "presets" / "resnet-digits.json")),
             ("convnetjs-shapes", convnetjs_mnist())]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {args.steps} timed steps, "
          f"{args.rounds} rounds, median per figure")
    print(f"{'network':<18} {'plain steps/s':>14} {'trainer steps/s':>16} {'ratio':>7}")
    worst = float("inf")
    for name, doc in cases:
        settings = TrainingSettings.from_dict(doc.training)
        dataset = load_dataset(settings.dataset, settings.dataset_options, seed=settings.seed,
                               val_fraction=settings.val_fraction)
        plain, trained, ratios = [], [], []
        for r in range(args.rounds):
            order = (0, 1) if r % 2 == 0 else (1, 0)
            pair = [0.0, 0.0]
            for which in order:
                fn = plain_steps_per_second if which == 0 else trainer_steps_per_second
                pair[which] = fn(doc, settings, dataset, args.steps)
            plain.append(pair[0])
            trained.append(pair[1])
            ratios.append(pair[1] / pair[0])
        ratio = statistics.median(ratios)
        worst = min(worst, ratio)
        print(f"{name:<18} {statistics.median(plain):>14.1f} {statistics.median(trained):>16.1f} {ratio:>7.3f}")
    print(f"worst ratio {worst:.3f} (target at least 0.9)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
