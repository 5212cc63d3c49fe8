"""Augmentation: each transform does what it says, the same seed gives the same batches, validation
and the probes never see it, and settings and datasets it cannot apply to are refused by name."""

import math

import numpy as np
import pytest
import torch

from explorer.graph import fileformat
from explorer.training.augment import Augmenter, check_augment
from explorer.training.objective import evaluate
from explorer.training.settings import SettingsError, TrainingSettings
from explorer.training.snapshots import ValidationSnapshot
from explorer.training.trainer import Trainer

from .conftest import SMALL_CNN, chain
from pathlib import Path

PRESETS = Path(__file__).resolve().parents[2] / "presets"


def _dot_images(n=64, size=12):
    """Images of one bright pixel near the middle, each at its own place."""
    x = torch.zeros(n, 1, size, size)
    rng = np.random.default_rng(1)
    rows, cols = rng.integers(4, size - 4, n), rng.integers(4, size - 4, n)
    x[torch.arange(n), 0, torch.from_numpy(rows), torch.from_numpy(cols)] = 1.0
    return x, rows, cols


def test_shift_moves_the_content_by_whole_pixels_within_the_range():
    x, rows, cols = _dot_images()
    out = Augmenter({"shift": 2}, (1, 12, 12), "dots", seed=0)(x)
    moves = set()
    for i in range(len(x)):
        (r, c), = (out[i, 0] > 0.5).nonzero().tolist()
        assert torch.allclose(out[i].sum(), torch.tensor(1.0), atol=1e-5)  # moved, not blurred
        dy, dx = r - rows[i], c - cols[i]
        assert abs(dy) <= 2 and abs(dx) <= 2
        moves.add((dy, dx))
    assert len(moves) > 10  # the moves are drawn, not one for all


def _orientation(image: np.ndarray) -> float:
    """The angle in degrees (of a bright line) from the image's second moments."""
    h, w = image.shape
    r, c = np.mgrid[0:h, 0:w]
    m = image.sum()
    cr, cc = (image * r).sum() / m, (image * c).sum() / m
    mrr, mcc = (image * (r - cr) ** 2).sum() / m, (image * (c - cc) ** 2).sum() / m
    mrc = (image * (r - cr) * (c - cc)).sum() / m
    return math.degrees(0.5 * math.atan2(2 * mrc, mcc - mrr))


def test_rotate_turns_a_line_by_at_most_the_range():
    x = torch.zeros(32, 1, 28, 28)
    x[:, 0, 13:15, 4:24] = 1.0  # a horizontal bar through the centre
    out = Augmenter({"rotate": 10}, (1, 28, 28), "bar", seed=3)(x).numpy()
    angles = [_orientation(image[0]) for image in out]
    assert max(abs(a) for a in angles) <= 10.5
    assert max(angles) > 5 and min(angles) < -5  # both ways, not only small turns
    assert abs(_orientation(x[0, 0].numpy())) < 1e-6


def test_flip_mirrors_about_half_of_the_images():
    x = torch.rand(200, 1, 8, 8)
    out = Augmenter({"flip": True}, (1, 8, 8), "noise", seed=0)(x)
    same = [torch.equal(o, i) for o, i in zip(out, x)]
    mirrored = [torch.equal(o, i.flip(-1)) for o, i in zip(out, x)]
    assert all(s != m for s, m in zip(same, mirrored))  # each is one or the other
    assert 70 < sum(mirrored) < 130


def test_noise_has_the_standard_deviation_asked_for():
    x = torch.full((64, 1, 16, 16), 0.5)
    difference = Augmenter({"noise": 0.05}, (1, 16, 16), "grey", seed=0)(x) - x
    assert difference.std().item() == pytest.approx(0.05, rel=0.05)
    assert abs(difference.mean().item()) < 0.002


def test_cutout_blanks_one_square_of_the_side_asked_for():
    x = torch.ones(100, 1, 20, 20)
    out = Augmenter({"cutout": 6}, (1, 20, 20), "white", seed=0)(x)
    full = 0
    for image in out[:, 0]:
        rows, cols = (image == 0).nonzero(as_tuple=True)
        height, width = rows.max() - rows.min() + 1, cols.max() - cols.min() + 1
        assert len(rows) == height * width <= 36  # one rectangle, clipped at the border at most
        full += int(height == width == 6)
    assert full > 40  # away from the border the whole square is cut


def _recording(trainer):
    batches = []
    step = trainer.objective.train_step

    def record(batch):
        batches.append(batch.x.clone())
        return step(batch)

    trainer.objective.train_step = record
    return batches


AUGMENT = {"shift": 1, "rotate": 10, "noise": 0.1, "cutout": 2}


def _cnn(seed=0, augment=AUGMENT):
    return chain(SMALL_CNN[:-1] + [("Linear", {"out_features": 10})],
                 {"dataset": "digits", "dataset_options": {"train_samples": 100}, "batch_size": 16, "lr": 0.01,
                  "seed": seed, "augment": augment})


def _run(doc, steps=6):
    trainer = Trainer(doc, steps=steps, probes=False)
    batches = _recording(trainer)
    snaps = list(trainer.run())
    return trainer, batches, snaps


def test_the_same_seed_gives_the_same_augmented_batches():
    _, a, _ = _run(_cnn(seed=4))
    _, b, _ = _run(_cnn(seed=4))
    _, c, _ = _run(_cnn(seed=5))
    assert all(torch.equal(p, q) for p, q in zip(a, b))
    assert not torch.equal(a[0], c[0])


def test_training_batches_are_augmented_and_validation_is_not():
    trainer, batches, snaps = _run(_cnn())
    clean = torch.from_numpy(trainer.dataset.x_train)
    order = torch.randperm(100, generator=torch.Generator().manual_seed(0))  # the sampler's first epoch
    assert not torch.allclose(batches[0], clean[order[:16]], atol=0.05)
    # the last validation is of the clean validation samples, with the trained weights
    final = [s for s in snaps if isinstance(s, ValidationSnapshot)][-1]
    trainer.module.eval()
    loss, acc = evaluate(trainer.module, torch.from_numpy(trainer.dataset.x_val),
                         torch.from_numpy(trainer.dataset.y_val), "classification")
    assert final.val_loss == pytest.approx(loss, rel=1e-5) and final.val_acc == pytest.approx(acc)
    np.testing.assert_array_equal(trainer.objective.x_val.numpy(), trainer.dataset.x_val)  # probes read these


def test_without_augmentation_the_batches_are_the_samples_themselves():
    trainer, batches, _ = _run(_cnn(augment={}))
    order = torch.randperm(100, generator=torch.Generator().manual_seed(0))
    assert trainer.augmenter is None
    assert torch.equal(batches[0], torch.from_numpy(trainer.dataset.x_train)[order[:16]])


def test_an_autoencoders_target_is_the_augmented_input():
    doc = fileformat.load(PRESETS / "autoencoder-digits.json")
    doc.set_meta(training={**doc.training, "augment": {"noise": 0.2}})
    trainer = Trainer(doc, steps=1, probes=False)
    batch = trainer._batch(torch.arange(8))
    assert batch.y is batch.x and not torch.equal(batch.x, trainer.objective.batch(torch.arange(8)).x)


def test_the_preview_leaves_the_training_stream_alone():
    x = torch.rand(8, 1, 8, 8)
    plain = Augmenter({"noise": 0.1, "shift": 1}, (1, 8, 8), "d", seed=2)
    previewed = Augmenter({"noise": 0.1, "shift": 1}, (1, 8, 8), "d", seed=2)
    grid = previewed.preview(x[0].numpy(), draws=6)
    assert grid.shape == (6, 1, 8, 8) and len({g.tobytes() for g in grid}) == 6
    np.testing.assert_array_equal(grid, previewed.preview(x[0].numpy(), draws=6))
    assert torch.equal(plain(x), previewed(x))


def test_settings_refuse_bad_augmentation_by_key():
    assert TrainingSettings(augment={"shift": 2.0, "flip": True}).augment == {"shift": 2, "flip": True}
    assert check_augment({}) == {}
    cases = [({"zoom": 2}, "augment", "training setting 'augment' has no option 'zoom'; its options are shift, "
                                      "rotate, flip, noise, cutout"),
             ({"rotate": 200}, "augment.rotate", "training setting 'augment.rotate': 'rotate' must be at most 180, "
                                                 "not 200"),
             ({"flip": 1}, "augment.flip", "training setting 'augment.flip': 'flip' must be true or false, not 1"),
             ("shift", "augment", "training setting 'augment' must be an object such as {\"shift\": 2, "
                                  "\"rotate\": 10}, not 'shift'")]
    for value, key, message in cases:
        with pytest.raises(SettingsError) as info:
            TrainingSettings(augment=value)
        assert (info.value.key, str(info.value)) == (key, message)


def test_datasets_that_are_not_images_and_oversized_transforms_are_refused():
    mlp = chain([("Input", {"shape": [2]}), ("Linear", {"out_features": 2})],
                {"dataset": "moons", "augment": {"noise": 0.1}})
    with pytest.raises(SettingsError) as info:
        Trainer(mlp, steps=1)
    assert str(info.value) == ("training setting 'augment' works on images [C, H, W], but dataset 'moons' gives "
                               "samples of shape [2]; remove the augmentation or choose an image dataset")
    with pytest.raises(SettingsError) as info:
        Trainer(_cnn(augment={"cutout": 8}), steps=1)
    assert info.value.key == "augment.cutout"
    assert str(info.value) == ("training setting 'augment.cutout' is 8 pixels, but the images of dataset 'digits' "
                               "are 8x8; use less than 8")
    assert Trainer(_cnn(augment={"shift": 0, "flip": False}), steps=1).augmenter is None  # all off: none


def test_an_exported_script_says_it_leaves_the_augmentation_out():
    from explorer.export.script import plan_script

    notes = plan_script(_cnn(augment={"shift": 1, "flip": False, "noise": 0.1})).notes
    assert "the script trains on the samples as they are: the explorer's augmentation (shift 1, noise 0.1) is not " \
           "in it" in notes
    assert not any("augmentation" in note for note in plan_script(_cnn(augment={})).notes)


def test_the_datasets_declared_as_images_are_those_with_image_samples():
    from explorer.data import DATASETS, load_dataset

    for name, spec in DATASETS.items():
        if name in ("idx", "karate", "sbm"):  # a folder of files; graphs
            continue
        options = {"n_samples": 60} if any(p.name == "n_samples" for p in spec.options) else {}
        assert spec.images == (len(load_dataset(name, options).sample_shape) == 3), name
    assert DATASETS["idx"].images
