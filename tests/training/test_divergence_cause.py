"""A diverged run names the likely cause from what was seen: a huge or broken first loss blames the start,
a loss that went bad later the learning rate."""

from explorer.training.checks import diverged_message
from explorer.training.snapshots import DoneSnapshot, StepSnapshot
from explorer.training.trainer import Trainer

from .conftest import chain


def test_a_huge_initialisation_is_named_not_the_learning_rate():
    doc = chain([("Input", {"shape": [1, 8, 8]}), ("Flatten", {}), ("Linear", {"out_features": 64}), ("Tanh", {}),
                 ("Linear", {"out_features": 64}), ("Linear", {"out_features": 64}), ("Linear", {"out_features": 10})],
                {"dataset": "digits", "optimizer": "sgd", "lr": 0.1, "init": "normal", "init_std": 10.0})
    snaps = list(Trainer(doc, steps=50, probes=False).run())
    losses = [s.loss for s in snaps if isinstance(s, StepSnapshot)]
    done = snaps[-1]
    assert isinstance(done, DoneSnapshot) and done.reason == "diverged"
    assert losses[0] > 1e4  # what the message must have seen
    assert done.message.startswith(f"training diverged at step {done.step}: the loss became NaN. It was already "
                                   f"{losses[0]:.3g} on the first batch, before any update")
    assert "initialisation (normal, std 10) is probably too large; try a smaller std, such as 1" in done.message
    assert "learning rate (" not in done.message


def test_a_loss_broken_on_the_first_batch_is_not_the_learning_rate():
    message = diverged_message(1, float("inf"), 0.01, first_loss=float("inf"))
    assert message.startswith("training diverged at step 1: the loss was already infinite on the first batch, "
                              "before any update, so the learning rate is not the cause.")
    assert "PyTorch's default initialisation" in message and "data with very large values" in message


def test_a_loss_that_went_bad_later_blames_the_learning_rate():
    message = diverged_message(40, float("nan"), 3.0, first_loss=2.3, init="normal", init_std=0.02)
    assert message == ("training diverged at step 40: the loss became NaN. The learning rate (3) is probably too "
                       "high; try a smaller one, such as 0.3")
