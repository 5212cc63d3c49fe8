"""``overfit-digits`` overfits as its description says: the whole preset from the command line (about 5 s)."""

import json
from pathlib import Path

from explorer.cli import main

PRESET = Path(__file__).resolve().parents[2] / "presets" / "overfit-digits.json"


def test_overfit_digits_memorises_its_50_samples_while_validation_turns_upwards(tmp_path, capsys):
    metrics = tmp_path / "m.jsonl"
    assert main(["train", str(PRESET), "--metrics", str(metrics)]) == 0
    records = [json.loads(line) for line in metrics.read_text().splitlines()]
    steps = [r for r in records if "loss" in r]
    validations = [r for r in records if "val_loss" in r]
    assert len(steps) == 500  # 100 epochs of 5 batches of 10
    final_train = sum(r["loss"] for r in steps[-5:]) / 5  # the last epoch: all 50 samples once
    final_val = validations[-1]["val_loss"]
    assert final_train < 0.05
    assert final_val >= 3 * final_train
    lowest = min(validations, key=lambda r: r["val_loss"])
    # validation loss turns upwards: its lowest comes in the first quarter and the end is well above it
    assert lowest["step"] < 125 and final_val > 1.2 * lowest["val_loss"]
