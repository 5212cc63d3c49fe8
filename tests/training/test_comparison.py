"""Two runs side by side: the same start and the same batches, alternating steps, controls on both, the caption,
the pair in one file, and a variant that no longer builds refused by name."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
import torch

from explorer.graph import fileformat
from explorer.graph.variant import VariantError, copy_document, insert_after, swap_kind, variant_of, with_variant
from explorer.training.comparison import ComparisonTrainer, RunSnapshot
from explorer.training.difference import describe_difference
from explorer.training.snapshots import DoneSnapshot, ErrorSnapshot, StepSnapshot, ValidationSnapshot

from .conftest import chain

PRESETS = Path(__file__).resolve().parents[2] / "presets"
COMPARE_PRESETS = ["compare-sigmoid-relu", "compare-dropout", "compare-weight-decay"]


@pytest.fixture(autouse=True)
def one_thread():
    """One torch thread: these small networks train several times faster without helpers spinning on a busy machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def preset(name: str):
    return fileformat.load(PRESETS / f"{name}.json")


def record_batches(trainer: ComparisonTrainer) -> dict[str, list[list[int]]]:
    """Wrap each run's objective so the indices of every batch it trains on are kept, by run."""
    seen: dict[str, list[list[int]]] = {"A": [], "B": []}
    for name, run in trainer.trainers.items():
        original = run.objective.batch

        def batch(indices, _original=original, _name=name):
            seen[_name].append(indices.tolist())
            return _original(indices)
        run.objective.batch = batch
    return seen



@contextmanager
def paused_in_a_thread(trainer):
    """``trainer`` run in a thread, held before its first step; its snapshots so far. Stopped and joined after."""
    snaps: list = []
    trainer.pause()
    worker = threading.Thread(target=lambda: snaps.extend(trainer.run()))
    worker.start()
    try:
        assert trainer.wait_idle(10)
        yield snaps
    finally:
        trainer.stop()
        worker.join(10)
    assert not worker.is_alive()

def test_sigmoid_relu_pair_starts_from_the_same_weights_and_sees_the_same_batches():
    trainer = ComparisonTrainer(preset("compare-sigmoid-relu"), steps=6, probes=False)
    a, b = (trainer.trainers[n].module for n in "AB")
    shared = ["fc1", "fc2", "fc3", "fc4", "fc5", "fc6", "out"]
    assert trainer.shared_layers == shared
    for node_id in shared:
        for key, tensor in a.layers[node_id].state_dict().items():
            assert torch.equal(tensor, b.layers[node_id].state_dict()[key]), (node_id, key)
    seen = record_batches(trainer)
    snaps = list(trainer.run())
    assert len(seen["A"]) == len(seen["B"]) == 6
    assert seen["A"][0] == seen["B"][0] and len(seen["A"][0]) == 32
    assert seen["A"] == seen["B"]
    steps = [(s.run, s.snapshot.step) for s in snaps
             if isinstance(s, RunSnapshot) and isinstance(s.snapshot, StepSnapshot)]
    assert steps == [(run, k) for k in range(1, 7) for run in "AB"]  # alternating, one step each
    assert isinstance(snaps[-1], DoneSnapshot) and snaps[-1].reason == "finished"
    # the networks did learn apart: a ReLU is not a sigmoid
    assert not torch.equal(a.layers["fc1"].weight, b.layers["fc1"].weight)


def test_relu_ends_with_a_lower_validation_loss_than_sigmoid(capsys):
    trainer = ComparisonTrainer(preset("compare-sigmoid-relu"), probes=False)
    last = {}
    for snap in trainer.run():
        if isinstance(snap, RunSnapshot) and isinstance(snap.snapshot, ValidationSnapshot):
            last[snap.run] = snap.snapshot
    assert trainer.trainers["A"].step == trainer.trainers["B"].step == 500
    with capsys.disabled():
        print(f"\ncompare-sigmoid-relu after 500 steps: sigmoid (A) val loss {last['A'].val_loss:.4f} "
              f"acc {last['A'].val_acc:.3f}; ReLU (B) val loss {last['B'].val_loss:.4f} acc {last['B'].val_acc:.3f}")
    assert last["B"].val_loss < 0.5 * last["A"].val_loss
    assert last["B"].val_acc > last["A"].val_acc + 0.2


@pytest.mark.parametrize("name, caption", [
    ("compare-sigmoid-relu", "B: Sigmoid → ReLU after fc1–fc6"),
    ("compare-dropout", "B: + Dropout(p=0.5) after relu1, relu2"),
    ("compare-weight-decay", "B: weight_decay 0 → 0.003"),
])
def test_each_comparison_preset_names_its_difference(name, caption):
    doc = preset(name)
    assert describe_difference(doc, variant_of(doc)) == caption
    assert ComparisonTrainer(doc, steps=1, probes=False).caption == caption


def test_captions_name_changed_parameters_removed_layers_and_sameness():
    a = chain([("Input", {"shape": [2]}), ("Linear", {"out_features": 8}), ("ReLU", {}),
               ("Linear", {"out_features": 2})], {"lr": 0.01})
    assert describe_difference(a, copy_document(a)) == "B: same as A"
    b = copy_document(a)
    b.set_param("fc1", "out_features", 16)
    b.set_meta(training={"lr": 0.1})
    assert describe_difference(a, b) == "B: fc1.out_features 8 → 16; lr 0.01 → 0.1"
    c = copy_document(a)
    c.remove_node("relu1")
    c.connect("fc1", "fc2")
    assert describe_difference(a, c) == "B: − ReLU relu1"  # its wires go with it
    d = copy_document(a)
    d.disconnect("fc1", "relu1")
    d.connect("in1", "relu1")
    assert describe_difference(a, d) == "B: + wire in1 → relu1; − wire fc1 → relu1"


def test_pause_step_and_stop_act_on_both_runs():
    trainer = ComparisonTrainer(preset("compare-sigmoid-relu"), steps=1000, probes=False)
    with paused_in_a_thread(trainer) as snaps:
        assert [t.step for t in trainer.trainers.values()] == [0, 0]
        trainer.step_once()
        assert trainer.wait_idle(10)
        assert [t.step for t in trainer.trainers.values()] == [1, 1]
        trainer.step_once()
        trainer.step_once()
        assert trainer.wait_idle(10)
        assert trainer.wait_idle(10) and [t.step for t in trainer.trainers.values()] == [3, 3]
        trainer.resume()
        trainer.stop()
    a, b = trainer.trainers["A"].step, trainer.trainers["B"].step
    assert 3 <= a < 1000 and abs(a - b) <= 1
    ends = {s.run: s.snapshot.reason for s in snaps
            if isinstance(s, RunSnapshot) and isinstance(s.snapshot, DoneSnapshot)}
    assert ends == {"A": "stopped", "B": "stopped"}
    assert isinstance(snaps[-1], DoneSnapshot) and snaps[-1].reason == "stopped"


def test_the_pair_saves_and_reopens_whole(tmp_path):
    doc = preset("compare-dropout")
    target = tmp_path / "pair.json"
    fileformat.save(doc, target)
    again = fileformat.load(target)
    assert fileformat.to_dict(again) == fileformat.to_dict(doc)
    assert fileformat.to_dict(variant_of(again)) == fileformat.to_dict(variant_of(doc))
    # a variant made in code goes in the same section
    b = copy_document(again)
    b.set_meta(training={**b.training, "lr": 0.02})
    again.compare = with_variant(again, b)
    fileformat.save(again, target)
    assert describe_difference(fileformat.load(target), variant_of(fileformat.load(target))) == "B: lr 0.01 → 0.02"


def test_a_variant_that_no_longer_builds_is_refused_by_name_and_nothing_is_lost(tmp_path):
    doc = preset("compare-dropout")
    before = fileformat.to_dict(doc)
    broken = copy_document(doc)
    broken.set_param("out", "out_features", 5)  # five classes for a two-class dataset
    doc.compare = with_variant(doc, broken)
    with pytest.raises(VariantError, match=r"^the variant \(B\) cannot be trained: .*5") as caught:
        ComparisonTrainer(doc, steps=2, probes=False)
    assert "\n" not in caught.value.message
    cut = copy_document(doc)
    cut.remove_node("relu1")  # fc1 no longer reaches fc2: the network does not build
    doc.compare = with_variant(doc, cut)
    with pytest.raises(VariantError, match=r"^the variant \(B\) cannot be trained"):
        ComparisonTrainer(doc, steps=2, probes=False)
    doc.compare = {"variant": {"format": "nn-explorer", "schema_version": 1, "nodes": "none"}}
    with pytest.raises(VariantError, match=r"the variant \(B\) of .*\"nodes\" must be a list"):
        ComparisonTrainer(doc, steps=2, probes=False)
    assert fileformat.to_dict(doc)["nodes"] == before["nodes"]  # A itself untouched
    doc.compare = before["compare"]  # with its variant mended, the pair trains
    run = ComparisonTrainer(doc, steps=2, probes=False)
    assert not any(isinstance(s, ErrorSnapshot) for s in run.run())


def test_a_document_without_a_variant_says_so():
    doc = chain([("Input", {"shape": [2]}), ("Linear", {"out_features": 2})], {"dataset": "moons"}, name="plain")
    with pytest.raises(VariantError, match="'plain' has no variant to compare with"):
        ComparisonTrainer(doc)


@pytest.mark.parametrize("name", ["compare-dropout", "compare-weight-decay"])
def test_regularised_b_ends_with_the_lower_validation_loss_while_a_overfits(name, capsys):
    trainer = ComparisonTrainer(preset(name), probes=False)
    losses: dict[str, list[float]] = {"A": [], "B": []}
    for snap in trainer.run():
        if isinstance(snap, RunSnapshot) and isinstance(snap.snapshot, ValidationSnapshot):
            losses[snap.run].append(snap.snapshot.val_loss)
    a, b = losses["A"], losses["B"]
    with capsys.disabled():
        print(f"\n{name}: A val loss lowest {min(a):.3f} (epoch {a.index(min(a)) + 1}), final {a[-1]:.3f}; "
              f"B final {b[-1]:.3f}")
    assert len(a) == len(b) == 100
    assert a[-1] > 1.5 * min(a)  # A overfits: its validation loss turns upwards
    assert b[-1] < 0.8 * a[-1]


def test_quick_changes_make_the_variants_a_lecture_needs():
    deep = fileformat.load(PRESETS / "vanishing-sigmoid.json")
    relu = swap_kind(deep, "Sigmoid", "ReLU")
    assert describe_difference(deep, relu) == "B: Sigmoid → ReLU after fc1–fc10"
    assert [n.id for n in relu.nodes() if n.kind == "ReLU"] == [f"relu{i}" for i in range(1, 11)]
    trainer = ComparisonTrainer(deep, relu, steps=1, probes=False)
    assert trainer.shared_layers == [f"fc{i}" for i in range(1, 11)] + ["out"]
    moons = fileformat.load(PRESETS / "mlp-moons.json")
    dropped = insert_after(moons, "ReLU", "Dropout", {"p": 0.3})
    assert describe_difference(moons, dropped) == "B: + Dropout(p=0.3) after relu1, relu2"
    assert [e.src for e in dropped.inputs_of("fc2")] == ["drop1"] and dropped.infer().ok
    with pytest.raises(VariantError, match="has no Tanh layer to swap for ReLU"):
        swap_kind(moons, "Tanh", "ReLU")


def test_a_diverging_variant_ends_alone_and_the_pair_says_so():
    doc = preset("compare-sigmoid-relu")
    wild = copy_document(variant_of(doc))
    wild.set_meta(training={**wild.training, "lr": 1e5})
    trainer = ComparisonTrainer(doc, wild, steps=20, probes=False)
    snaps = list(trainer.run())
    ends = {s.run: s.snapshot for s in snaps if isinstance(s, RunSnapshot) and isinstance(s.snapshot, DoneSnapshot)}
    assert ends["B"].reason == "diverged" and ends["A"].reason == "finished"
    assert trainer.trainers["A"].step == 20 and trainer.trainers["B"].step < 20
    assert snaps[-1].reason == "finished" and snaps[-1].message.startswith("B ")


def test_an_error_in_one_run_stops_both_and_names_the_run():
    trainer = ComparisonTrainer(preset("compare-dropout"), steps=50, probes=False)
    objective = trainer.trainers["B"].objective
    original, calls = objective.train_step, []

    def failing(batch):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("a broken layer")
        return original(batch)
    objective.train_step = failing
    snaps = list(trainer.run())
    assert isinstance(snaps[-1], ErrorSnapshot)
    assert snaps[-1].message.startswith("run B: training failed at step 3: RuntimeError: a broken layer")
    assert trainer.trainers["A"].step == 3  # A stopped after its step in progress


def test_a_compare_section_that_is_not_an_object_is_refused_by_the_reader():
    text = (PRESETS / "mlp-moons.json").read_text(encoding="utf-8").rstrip().rstrip("}") + ', "compare": [1]}'
    with pytest.raises(fileformat.FileFormatError, match='"compare" must be an object'):
        fileformat.loads(text, source="pair.json")


def test_a_single_step_brings_both_runs_pictures_of_that_step():
    from explorer.training.snapshots import ActivationSnapshot, BoundarySnapshot

    trainer = ComparisonTrainer(preset("compare-sigmoid-relu"), steps=100)
    with paused_in_a_thread(trainer) as snaps:
        del snaps[:]
        trainer.step_once()
        assert trainer.wait_idle(10)
        kinds = {(s.run, type(s.snapshot).__name__, s.snapshot.step) for s in snaps if isinstance(s, RunSnapshot)}
        for run in "AB":
            assert (run, "StepSnapshot", 1) in kinds
            assert (run, BoundarySnapshot.__name__, 1) in kinds and (run, ActivationSnapshot.__name__, 1) in kinds
