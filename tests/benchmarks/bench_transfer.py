"""Does pretraining honestly help? ``transfer-finetune`` started from ``transfer-pretrain`` against the
same network trained from scratch on the same few examples, over 3 seeds (issue 12's acceptance).

    python tests/benchmarks/bench_transfer.py [--seeds 3] [--freeze conv1,conv2]

For each seed: train ``transfer-pretrain`` (that seed), then ``transfer-finetune`` twice with that seed,
once from the pretrained weights (``Trainer(transfer_from=...)``, as the window's Load weights into
matching layers and ``--init-from`` do) and once from fresh weights; the same data, batches and
settings. Prints every run's final validation accuracy, the pretrained network's accuracy on the
fine-tuning validation set before any fine-tuning, and the averages; PASS when fine-tuning beats
scratch by at least 5 points on average. About a minute on 2 cores. ``--freeze`` fine-tunes with those
layers frozen (the scratch runs train every layer), to see what a fixed body does.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

import torch

from explorer.data import load_dataset
from explorer.graph import fileformat
from explorer.training.objective import evaluate
from explorer.training.probes import probing
from explorer.training.settings import TrainingSettings
from explorer.training.snapshots import DoneSnapshot, ValidationSnapshot
from explorer.training.trainer import Trainer

PRESETS = Path(__file__).resolve().parents[2] / "presets"
MARGIN = 0.05  # the acceptance: at least 5 points of validation accuracy


def train(doc, seed: int, **options) -> tuple[float, Trainer]:
    """The final validation accuracy of ``doc`` trained with ``seed``, and its trainer."""
    settings = dataclasses.replace(TrainingSettings.from_dict(doc.training), seed=seed)
    trainer = Trainer(doc, settings, probes=False, **options)
    accuracy = None
    for snapshot in trainer.run():
        if isinstance(snapshot, ValidationSnapshot):
            accuracy = snapshot.val_acc
        elif isinstance(snapshot, DoneSnapshot) and snapshot.reason != "finished":
            raise RuntimeError(f"{doc.name}: {snapshot.message}")
    return accuracy, trainer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--freeze", default="", metavar="IDS",
                        help="layers to freeze when fine-tuning, comma-separated")
    args = parser.parse_args()
    torch.set_num_threads(1)
    pretrain = fileformat.load(PRESETS / "transfer-pretrain.json")
    finetune = fileformat.load(PRESETS / "transfer-finetune.json")
    frozen = fileformat.from_dict(fileformat.to_dict(finetune))
    for node_id in filter(None, args.freeze.split(",")):
        frozen.set_frozen(node_id, True)
    tuned, scratch = [], []
    for seed in range(args.seeds):
        started = time.perf_counter()
        pre_acc, pre = train(pretrain, seed)
        weights = pre.state_dicts()
        # the pretrained network as it is, on the fine-tuning task's validation set
        s = TrainingSettings.from_dict(finetune.training)
        data = load_dataset(s.dataset, s.dataset_options, seed=seed, val_fraction=s.val_fraction)
        with probing(pre.module):
            as_is = evaluate(pre.module, torch.from_numpy(data.x_val), torch.from_numpy(data.y_val),
                             data.task)[1]
        tuned_acc, fine = train(frozen, seed, transfer_from=weights, transfer_source="transfer-pretrain")
        scratch_acc, _ = train(finetune, seed)
        tuned.append(tuned_acc)
        scratch.append(scratch_acc)
        print(f"seed {seed}: pretrain {100 * pre_acc:.1f}% on its own validation; on the fine-tuning validation "
              f"set before fine-tuning {100 * as_is:.1f}%   ({time.perf_counter() - started:.0f} s)")
        body = f" ({', '.join(frozen.frozen_ids())} frozen)" if frozen.frozen_ids() else ""
        print(f"seed {seed}: finetune{body} {100 * tuned_acc:.1f}%   scratch {100 * scratch_acc:.1f}%   "
              f"({len(data.x_train)} training samples, {len(data.x_val)} validation; "
              f"{len(fine.transfer_report.loaded)} layers loaded)", flush=True)
    gain = statistics.mean(tuned) - statistics.mean(scratch)
    print(f"mean: finetune {100 * statistics.mean(tuned):.1f}%   scratch {100 * statistics.mean(scratch):.1f}%   "
          f"gain {100 * gain:+.1f} points   (target at least {100 * MARGIN:.0f})")
    print("PASS" if gain >= MARGIN else "FAIL")
    return 0 if gain >= MARGIN else 1


if __name__ == "__main__":
    sys.exit(main())
