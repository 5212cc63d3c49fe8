"""The training section: defaults, round trip, and a refusal naming the key for every bad value."""

import pytest

from explorer.training.settings import LIVE_KEYS, SettingsError, TrainingSettings


def test_defaults_and_round_trip():
    settings = TrainingSettings()
    assert settings.optimizer == "adam" and settings.batch_size == 32 and settings.init == "default"
    data = settings.to_dict()
    assert list(data) == ["dataset", "dataset_options", "optimizer", "lr", "momentum", "weight_decay",
                          "batch_size", "epochs", "seed", "init", "init_std", "val_fraction", "augment", "task",
                          "reconstruction_loss", "code_node", "d_steps", "networks", "device"]
    assert TrainingSettings.from_dict(data) == settings


def test_from_dict_takes_the_file_example():
    data = {"dataset": "digits", "dataset_options": {}, "optimizer": "adam", "lr": 0.001, "momentum": 0.9,
            "weight_decay": 0.0, "batch_size": 32, "epochs": 10, "seed": 0, "init": "default",
            "init_std": 0.02, "val_fraction": 0.2, "augment": {}, "task": "auto", "reconstruction_loss": "mse",
            "code_node": None, "d_steps": 1, "networks": {}, "device": "cpu"}
    assert TrainingSettings.from_dict(data).to_dict() == data


def test_older_files_without_the_task_keys_take_their_defaults():
    settings = TrainingSettings.from_dict({"dataset": "digits", "lr": 0.01})
    assert (settings.task, settings.reconstruction_loss, settings.code_node, settings.d_steps, settings.networks) == \
        ("auto", "mse", None, 1, {})
    gan = TrainingSettings.from_dict({"task": "adversarial", "d_steps": 3.0,
                                      "networks": {"generator": "g_out", "discriminator": "d_out"}})
    assert gan.d_steps == 3 and isinstance(gan.d_steps, int) and gan.networks["generator"] == "g_out"


def test_whole_numbers_are_canonical():
    settings = TrainingSettings.from_dict({"batch_size": 64.0, "epochs": 3, "lr": 1})
    assert settings.batch_size == 64 and isinstance(settings.batch_size, int)
    assert settings.lr == 1.0 and isinstance(settings.lr, float)


def test_unknown_key_is_named_with_a_hint():
    with pytest.raises(SettingsError) as info:
        TrainingSettings.from_dict({"learning_rate": 0.1})
    assert info.value.key == "learning_rate"
    assert "'learning_rate'" in str(info.value)
    with pytest.raises(SettingsError, match="did you mean 'epochs'"):
        TrainingSettings.from_dict({"epoch": 3})


@pytest.mark.parametrize("key, value, words", [
    ("dataset", "mnist", "must be one of"),
    ("optimizer", "lbfgs", "sgd, adam, adamw, rmsprop"),
    ("init", "orthogonal", "default, xavier, he, normal"),
    ("device", "gpu", "cpu, cuda or cuda:N"),
    ("lr", 0, "more than 0"),
    ("lr", -0.1, "more than 0"),
    ("lr", float("nan"), "finite"),
    ("lr", "fast", "must be a number"),
    ("momentum", 1.0, "less than 1"),
    ("weight_decay", -1, "at least 0"),
    ("batch_size", 0, "at least 1"),
    ("batch_size", 2.5, "whole number"),
    ("batch_size", True, "whole number"),
    ("epochs", 0, "at least 1"),
    ("seed", -1, "at least 0"),
    ("init_std", 0, "more than 0"),
    ("val_fraction", 0.95, "at most 0.9"),
    ("val_fraction", 0, "more than 0"),
    ("dataset_options", [1], "must be an object"),
    ("task", "gan", "auto, supervised, reconstruction, adversarial, node_classification"),
    ("reconstruction_loss", "l1", "mse, bce"),
    ("code_node", 3, "node id or null"),
    ("d_steps", 0, "at least 1"),
    ("d_steps", 101, "at most 100"),
    ("networks", ["g"], "must be an object"),
    ("networks", {"critic": "d"}, "unknown role 'critic'"),
    ("networks", {"generator": 1}, "output node id"),
    ("networks", {"generator": "a", "discriminator": "a"}, "same network"),
])
def test_bad_values_name_the_key(key, value, words):
    with pytest.raises(SettingsError) as info:
        TrainingSettings.from_dict({key: value})
    assert info.value.key == key
    assert f"'{key}'" in str(info.value) and words in str(info.value)


def test_dataset_options_are_checked_against_the_dataset():
    assert TrainingSettings.from_dict({"dataset": "moons", "dataset_options": {"noise": 0.3}}).dataset_options == \
        {"noise": 0.3}
    with pytest.raises(SettingsError) as info:
        TrainingSettings.from_dict({"dataset": "moons", "dataset_options": {"colour": "red"}})
    assert info.value.key == "dataset_options.colour" and "'colour'" in str(info.value)
    with pytest.raises(SettingsError) as info:
        TrainingSettings.from_dict({"dataset": "moons", "dataset_options": {"noise": 5}})
    assert info.value.key == "dataset_options.noise" and "'noise'" in str(info.value)


def test_not_an_object():
    with pytest.raises(SettingsError, match="must be an object"):
        TrainingSettings.from_dict([1, 2])


def test_live_keys():
    assert LIVE_KEYS == ("lr", "momentum", "weight_decay", "batch_size")
